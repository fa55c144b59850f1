/*
 * RTC facts: /sys/class/rtc/rtc* (name, date, time, since_epoch, hctosys)
 * with the drift against a given system time.
 */
#ifndef TD_RTC_H
#define TD_RTC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One RTC device.  Strings are "" and has_* false when the attribute was not there. */
struct td_rtc {
	char		 dev[32];	/* "rtc0" */
	char		 name[64];	/* driver: "rtc_cmos", "rtc-pl031" */
	char		 date[16];	/* "2026-11-22" (the RTC's own time, normally UTC) */
	char		 time[16];	/* "19:57:43" */
	bool		 has_since_epoch;
	int64_t		 since_epoch;	/* seconds; from date+time when the file is missing */
	bool		 since_epoch_derived;	/* computed from date and time */
	int		 hctosys;	/* 1 set the system clock at boot, 0 not, -1 unknown */
	bool		 has_drift;
	int64_t		 drift_s;	/* since_epoch - now: > 0 the RTC runs ahead */
	char		 absent[96];	/* why a value is missing ("since_epoch: Permission
					   denied"), "" when all were read */
};

/* All RTCs of a system, by device name. */
struct td_rtcs {
	size_t		 n;
	struct td_rtc	*rtc;
};

/*
 * Read /sys/class/rtc/rtc* under sysroot.  now_s is the system time
 * (CLOCK_REALTIME seconds) to compute the drift against, or NULL for no drift
 * (a captured tree: the capture's clock is unknown).  A system without RTC
 * class gives n == 0 and returns 0.  0 or -errno.
 */
int td_rtc_read(const char *sysroot, const int64_t *now_s, struct td_rtcs **out,
    struct td_error *e);
void td_rtcs_free(struct td_rtcs *r);

#endif
