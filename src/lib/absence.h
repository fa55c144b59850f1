/*
 * Why a value is unknown: one vocabulary for every tool, so that the same
 * reason reads the same in timerinfo, timerstat, wakeuptop and timerprobe, in
 * text and in JSON ("unknown" members).  A value is never printed as 0 for
 * want of it.
 */
#ifndef TD_ABSENCE_H
#define TD_ABSENCE_H

enum td_absence {
	TD_ABSENT_NEEDS_ROOT,	/* the file or facility is there, but not for this user */
	TD_ABSENT_NOT_IN_KERNEL,	/* this kernel does not have it (version, config) */
	TD_ABSENT_MASKED,	/* hidden by the container runtime (an empty /proc file) */
	TD_ABSENT_NOT_IN_CAPTURE,	/* a captured tree (--sysroot) does not hold it */
	TD_ABSENT_NOT_IN_FILE,	/* a file read alone (timerinfo --timer-list) does not say */
	TD_ABSENT_NOT_IN_TRACE,	/* a trace replayed without its tree does not say */
};

/* The words for a reason: "needs root", "not in this kernel", ... */
const char *td_absence_why(enum td_absence a);

#endif
