/*
 * Everything timerinfo reports about one machine (live or a captured tree), gathered
 * from timer_list, sysfs, the kernel config and clock_getres, with per-CPU verdicts.
 * wakeuptop's header and timerprobe's advertised resolution use the same model, so
 * every tool gives the same HZ, clock source and resolutions.
 */
#ifndef TD_MACHINE_H
#define TD_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "absence.h"
#include "posix_clocks.h"
#include "clocksource.h"
#include "tickmode.h"
#include "kconfig.h"
#include "tsc.h"
#include "kernel.h"
#include "timer_list.h"

/* One CPU as timer_list and sysfs describe it. -1 / NULL mean unknown. */
struct td_cpu_state {
	int			 cpu;
	enum td_tick_mode	 mode;
	const char		*mode_evidence;
	int			 nohz;		/* NOHZ active */
	int			 highres;
	int			 tick_stopped;
	int64_t			 idle_calls, idle_sleeps;	/* -1 unknown */
	int64_t			 nr_events, nr_retries, nr_hangs, max_hang_time_ns;
	const char		*device;	/* clock event device (timer_list, else sysfs) */
	const char		*handler;	/* its event_handler */
	int64_t			 res_min_ns, res_max_ns;	/* over the clock bases; -1 unknown */
	size_t			 ntimers;
	const struct td_tl_cpu	*tl;		/* NULL without timer_list */
	bool			 nohz_full, isolated;
};

enum td_hz_source {
	TD_HZ_UNKNOWN,
	TD_HZ_CONFIG,		/* CONFIG_HZ from the kernel config */
	TD_HZ_JIFFIES,		/* inferred from timer_list jiffies and now */
	TD_HZ_COARSE,		/* CLOCK_MONOTONIC_COARSE resolution (live only) */
	TD_HZ_TICK_RESOLUTION,	/* low-resolution .resolution of timer_list (one jiffy) */
};

struct td_machine {
	const char		*sysroot;	/* NULL when live */
	bool			 live;
	const char		*absent;	/* a file alone: TD_ABSENT_NOT_IN_FILE's words;
						   else NULL */
	struct td_sysinfo	 si;
	struct td_clocksources	 cs;
	struct td_kconfig	 kc;
	struct td_error		 kc_err;	/* a damaged config.gz (code 0 if none); kc is
						   then a plain config beside it, or nothing */
	struct td_tsc_flags	 tsc;		/* tsc.known false off x86 or without cpuinfo */
	const char		*arch;		/* "amd64", "arm64", ...; NULL unknown */
	const char		*arch_source;	/* "config", "release", "uname", "cpuinfo" */

	bool			 has_clocks;	/* clock_getres: live only */
	struct td_clock_res	 clocks[TD_NCLOCKS];

	char			 tl_path[4096];
	struct td_timer_list	*tl;		/* NULL when unreadable */
	struct td_error		 tl_err;	/* why tl is NULL */
	bool			 tl_needs_root;
	bool			 tl_masked;	/* /dev/null bound over it (a container) */

	int			 hz;		/* the HZ we believe, -1 unknown */
	enum td_hz_source	 hz_source;
	int			 hz_config, hz_jiffies, hz_coarse, hz_tickres;	/* each -1 if unknown */

	size_t			 ncpus;
	struct td_cpu_state	*cpus;		/* sorted by CPU number */

	enum td_tick_mode	 mode;		/* the machine's, when all CPUs agree */
	bool			 mode_mixed;
	int			 nohz;		/* 1 all, 0 none, 2 mixed, -1 unknown */
	int64_t			 res_min_ns, res_max_ns;	/* over all CPUs and bases, -1 unknown */
	size_t			 ntimers;	/* over the CPUs whose timer_list block is there */
	size_t			 ntimers_cpus;	/* those CPUs: 0 when no active timer is known */
};

/*
 * Gather the machine.  timer_list names a file to read instead of
 * SYSROOT/proc/timer_list (NULL for the default); flags TD_TL_TIMERS keeps
 * each of its timers (else they are counted only).  An unreadable default
 * timer_list is not an error (tl NULL, tl_err and tl_needs_root say why); an
 * explicitly named one that cannot be read or parsed is: -errno with e filled.
 * A damaged kernel config is not either (kc_err says why; HZ comes from elsewhere).
 */
int td_machine_read(const char *sysroot, const char *timer_list, unsigned flags,
    struct td_machine **out, struct td_error *e);
/*
 * Gather what a timer_list file alone says (timer_list NULL: nothing): HZ from
 * its jiffies or tick length, clock event devices from its tick devices.  The
 * release, config, clock sources, CPU masks, TSC and POSIX clocks are not in
 * it: unknown, absent saying why, never taken from the running system.
 */
int td_machine_read_file(const char *timer_list, unsigned flags, struct td_machine **out,
    struct td_error *e);
void td_machine_free(struct td_machine *m);
const char *td_hz_source_name(enum td_hz_source s);
/*
 * Why timer_list's facts are unknown ("needs root", "masked in this container",
 * or the error, written into buf), NULL when it was read.
 */
const char *td_machine_tl_why(const struct td_machine *m, char *buf, size_t len);
/* Why HZ is unknown (m->hz < 0). */
const char *td_machine_hz_why(const struct td_machine *m);
/*
 * The .resolution of clock clk's hrtimer base in timer_list (the base whose
 * .get_time is that clock's, else the first printed: 4.x+ print the one global
 * hrtimer_resolution on every base).  0, or -ENOENT with *why saying why not.
 */
int td_machine_clock_resolution(const struct td_machine *m, clockid_t clk, int64_t *res_ns,
    const char **why, char *buf, size_t len);
/* The same from a timer_list alone (a part of one will do); 0 or -ENOENT. */
int td_tl_clock_resolution(const struct td_timer_list *tl, clockid_t clk, int64_t *res_ns);

#endif
