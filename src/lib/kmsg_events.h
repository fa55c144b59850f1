/*
 * The timer events of a kernel log (clocksource switches and watchdog reports,
 * TSC calibration and sync, sched_clock, HPET, NOHZ and high resolution
 * switches), matched message by message in the records kmsg.h reads.  See
 * doc/FORMATS.md section 4.
 */
#ifndef TD_KMSG_EVENTS_H
#define TD_KMSG_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsg.h"

/* Timer events found in the log. */
enum td_kmsg_event_kind {
	TD_KEV_CLOCKSOURCE_SWITCH,	/* name: new clocksource (all three phrasings) */
	TD_KEV_CLOCKSOURCE_REGISTER,	/* name, mask, max_cycles, max_idle_ns */
	TD_KEV_CLOCKSOURCE_UNSTABLE,	/* name; old "(delta = N ns)": ns; new: cpu */
	TD_KEV_CLOCKSOURCE_SKEW,	/* name skewed ns over watchdog name2, interval_ns */
	TD_KEV_WATCHDOG_DETAIL,		/* "'name' wd_now: ..." lines; ns = wd/cs_nsec */
	TD_KEV_WATCHDOG,		/* other clocksource watchdog notes; cpu if stated */
	TD_KEV_TSC_DETECTED,		/* freq_hz ("tsc: Detected 2495.998 MHz processor") */
	TD_KEV_TSC_REFINED,		/* freq_hz ("Refined TSC clocksource calibration") */
	TD_KEV_TSC_UNSTABLE,		/* name: reason (all phrasings, and "found unstable
					   after boot") */
	TD_KEV_TSC_SYNC,		/* "TSC synchronization [CPU#a -> CPU#b]:": cpu, cpu_to */
	TD_KEV_TSC_WARP,		/* count: cycles of warp */
	TD_KEV_TSC_ADJUST,		/* cpu, count: warp, adjust */
	TD_KEV_NOHZ_SWITCH,		/* cpu ("Switched to NOHz mode on CPU #N") */
	TD_KEV_HIGHRES_SWITCH,		/* cpu ("Switched to high resolution mode on CPU N") */
	TD_KEV_HRTIMER_SLOW,		/* ns ("hrtimer: interrupt took N ns") */
	TD_KEV_SCHED_CLOCK,		/* bits, freq_hz, resolution_ns, wrap_ns */
	TD_KEV_SCHED_CLOCK_STABLE,	/* "sched_clock: Marking stable (...)" */
	TD_KEV_SCHED_CLOCK_UNSTABLE,	/* "sched_clock: Marking unstable (...)" */
	TD_KEV_NOHZ_SOFTIRQ_PENDING,	/* count: pending softirq mask (NOHZ tick-stop error) */
	TD_KEV_NOHZ_FULL,		/* name: CPU list ("NO_HZ: Full dynticks CPUs: 1.") */
	TD_KEV_HPET,			/* name "hpet0": "at MMIO 0x..., IRQs ..." */
	TD_KEV_HPET_COUNTER,		/* name, count: comparators/timers, bits, freq_hz */
	TD_KEV_HPET_PERCPU,		/* count: channels used for per-CPU timers */
	TD_KEV_DELAY_TIMER,		/* resolution_ns ("timer-based delay loop") */
	TD_KEV_NO_TIMER,		/* "timer_probe: no matching timers found" */
	TD_KEV_HIGHRES_FAILED,		/* cpu ("Could not switch to high resolution mode on CPU N") */
	TD_KEV_COUNT
};

/* Which numbers of an event were printed (td_kmsg_event.have). */
#define TD_KEV_HAVE_MASK	0x001u
#define TD_KEV_HAVE_MAX_CYCLES	0x002u
#define TD_KEV_HAVE_MAX_IDLE	0x004u
#define TD_KEV_HAVE_NS		0x008u
#define TD_KEV_HAVE_FREQ	0x010u
#define TD_KEV_HAVE_BITS	0x020u
#define TD_KEV_HAVE_RESOLUTION	0x040u
#define TD_KEV_HAVE_WRAP	0x080u
#define TD_KEV_HAVE_COUNT	0x100u
#define TD_KEV_HAVE_ADJUST	0x200u
#define TD_KEV_HAVE_INTERVAL	0x400u

/* One timer event. */
struct td_kmsg_event {
	enum td_kmsg_event_kind kind;
	long		 line;		/* of the record it came from */
	bool		 has_ts;
	bool		 ts_relative;
	int64_t		 ts_ns;
	bool		 has_seq;
	uint64_t	 seq;
	int		 cpu;		/* CPU the message names, -1 when none */
	int		 cpu_to;	/* TSC sync target CPU, else -1 */
	char		*name;		/* clocksource, reason, device; NULL if none */
	char		*name2;		/* watchdog clocksource of a skew report */
	unsigned	 have;		/* TD_KEV_HAVE_* */
	uint64_t	 mask;
	uint64_t	 max_cycles;
	uint64_t	 max_idle_ns;
	int64_t		 ns;		/* duration, delta or skew in ns */
	uint64_t	 freq_hz;
	unsigned	 bits;
	uint64_t	 resolution_ns;
	uint64_t	 wrap_ns;
	int64_t		 count;
	int64_t		 adjust;
	int64_t		 interval_ns;
	char		*text;		/* the message as logged (decoded, may hold any byte) */
	size_t		 text_len;
};

/* Events of a log, in log order. */
struct td_kmsg_events {
	size_t		 n;
	struct td_kmsg_event *ev;
};

/* Extract the timer events of log.  0 or -ENOMEM. */
int td_kmsg_events(const struct td_kmsg_log *log, struct td_kmsg_events **out);
void td_kmsg_events_free(struct td_kmsg_events *ev);
/* Match one message; 1 and *ev filled (owning copies) when it is a timer event, 0 if not,
   -ENOMEM. */
int td_kmsg_match(const struct td_kmsg_record *rec, struct td_kmsg_event *ev);
void td_kmsg_event_clear(struct td_kmsg_event *ev);
/* snake_case name of a kind ("clocksource_switch"), for JSON and text. */
const char *td_kmsg_event_kind_name(enum td_kmsg_event_kind kind);

#endif
