/* The per-CPU strip of the header: one cell per CPU, folded into groups when they do not fit. */
#ifndef WT_CPUSTRIP_H
#define WT_CPUSTRIP_H

#include <stdbool.h>
#include <stddef.h>

#include "frame.h"

/* What the strip shows of one CPU; a negative rate or tick state means unknown. */
struct wt_cpu {
	int	 cpu;
	double	 wakeups;	/* wakeups (idle exits) per second */
	int	 method;	/* how they were counted: enum td_wake_method */
	double	 events;	/* events per second of the shown sources on this CPU */
	double	 loc;		/* local timer interrupts per second */
	int	 tick_stopped;	/* 1 stopped, 0 running, -1 unknown */
};

/* Format a rate with a unit ("12.5/s", "1.2k/s"), or "?" when negative (unknown). */
const char *wt_fmt_rate(char *buf, size_t len, double rate);

/*
 * Add the strip to the frame in at most max_lines lines (and a footnote line
 * when CPUs are marked '*': their wakeups are the interrupts the idle task
 * took, the kernel tracing no cpu_idle there).  When one cell per CPU does
 * not fit, CPUs alike (same order of magnitude of wakeups, or of events where
 * wakeups are unknown, and of LOC, same tick state) are grouped as
 * "cpu0-63,65"; groups that still do not fit are summed in a last "+N more"
 * line.  counts: the values are counts over an interval of unknown length,
 * printed without "/s".  Returns the lines added.
 */
int wt_cpustrip_render(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus,
    int max_lines, bool counts);

#endif
