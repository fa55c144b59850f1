/* timerinfo: what a kernel's timers are doing, verdict first. */
#ifndef TIMERINFO_H
#define TIMERINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "checks.h"
#include "kmsg.h"
#include "kmsg_events.h"
#include "machine.h"
#include "textsafe.h"
#include "tickrate.h"

enum ti_format { TI_TEXT, TI_JSON, TI_PROMETHEUS };

struct ti_opts {
	const char	*sysroot;
	const char	*timer_list;
	const char	*kmsg_file;
	bool		 live;		/* --live: the running system beside the named files */
	bool		 file_alone;	/* named files without --sysroot or --live */
	enum ti_format	 format;
	bool		 json;		/* format == TI_JSON */
	bool		 timers;
	bool		 cpus;
	bool		 color;
	unsigned	 table_flags;	/* -n, -r, -P: the table alone (TD_TABLE_*) */
	bool		 rows_only;
	bool		 report;	/* the default report (no --ticks/--events/--check alone) */
	bool		 ticks;
	double		 ticks_s;
	bool		 events;
	bool		 check;
	bool		 explain;	/* --explain-tick */
	double		 explain_s;
};

struct td_tick;
struct td_json;
struct names;

/* The tick explanation (explain.c). */
struct ti_explain {
	bool		 done;		/* sampled or read; else why says why not */
	char		 why[512];
	char		 source[128];	/* "tracefs, 1.0 s", "trace-wakeup-events.txt, 2.0 s" */
	double		 seconds;
	uint64_t	 lost;
	bool		 has_tick_stop, has_tmigr, has_base_idle, has_raise, nohz_full;
	struct td_tick	*tick;
	struct names	*names;
};

/* What the optional sections gathered (each may be missing, with a reason). */
struct ti_extra {
	struct td_tickrates	*rates;
	char			 rates_why[256];
	struct td_interrupts	*irqs;		/* Prometheus: the counts now; NULL unread */
	struct td_kmsg_log	*log;
	struct td_kmsg_events	*events;
	char			 events_source[512];
	char			 events_why[512];
	struct td_checks	*checks;
	bool			 has_rtc;
	char			 rtc_name[32];
	double			 rtc_drift_s;
	char			 rtc_why[256];
	struct ti_explain	*explain;	/* --explain-tick, or --check's culprit; NULL none */
};

/* Explain the tick: sample live for seconds (root), or read the capture's trace. */
int ti_explain_run(const struct ti_opts *o, const struct td_machine *m, double seconds,
    struct ti_explain *x);
/* The top cause on cpu and advice; false when none was seen. */
bool ti_explain_cause(struct ti_explain *x, int cpu, char *what, size_t wlen, char *adv,
    size_t alen);
void ti_print_explain(FILE *f, struct ti_explain *x, const struct ti_opts *o);
void ti_json_explain(struct td_json *j, struct ti_explain *x);
void ti_explain_free(struct ti_explain *x);

/* Measure tick rates (live: sleep ticks_s; sysroot: the capture's after/ snapshot). */
void ti_gather_rates(const struct ti_opts *o, const struct td_machine *m, struct ti_extra *x);
/* Prometheus: read /proc/interrupts once more, for the interrupt counters. */
void ti_gather_counts(const struct ti_opts *o, struct ti_extra *x);
/* Read the kernel log and its timer events. */
void ti_gather_events(const struct ti_opts *o, struct ti_extra *x);
/* RTC drift against the system clock (live only). */
void ti_gather_rtc(const struct ti_opts *o, struct ti_extra *x);
void ti_extra_free(struct ti_extra *x);

void ti_print_ticks(FILE *f, const struct td_machine *m, const struct ti_extra *x,
    const struct ti_opts *o);
void ti_print_events(FILE *f, const struct ti_extra *x, const struct ti_opts *o);
void ti_print_checks(FILE *f, const struct ti_extra *x, const struct ti_opts *o);
int ti_print_prometheus(FILE *f, const struct td_machine *m, const struct ti_extra *x);
/*
 * What a CPU's measured tick rate means ("far below HZ: the tick stops when idle",
 * "about HZ: ticking every jiffy (tick from hpet)", "cannot tell: ..."), judged on
 * the interrupts that carry its tick; "" when nothing was measured.
 */
const char *ti_tick_meaning(const struct td_cpu_tickrate *t, int hz, char *buf, size_t len);

/* A group of CPUs that print the same (identical CPUs fold into one line). */
struct ti_group {
	struct td_cpuset	 set;
	int			 ncpus;
	const struct td_cpu_state *first;
	int			 stopped;	/* CPUs with tick_stopped 1 */
	int			 stopped_known;
	size_t			 ntimers;
	int64_t			 idle_calls, idle_sleeps;	/* sums, -1 unknown */
};

/* Group the CPUs; every CPU alone when per_cpu.  Returns the count, -1 on ENOMEM. */
int ti_group_cpus(const struct td_machine *m, bool per_cpu, struct ti_group **out);
/* "1 ns", "4 ms", "999.848 us". */
const char *ti_fmt_ns(int64_t ns, char *buf, size_t len);
/* Human name of a tick mode ("high resolution", "tickless low resolution", "periodic"). */
const char *ti_mode_human(enum td_tick_mode m);
/* Name of a clock base ("monotonic", "realtime_soft"). */
const char *ti_base_name(const struct td_timer_list *tl, const struct td_tl_base *b);
/* Why timer_list facts are missing ("needs root", ...), NULL when timer_list was read. */
const char *ti_tl_reason(const struct td_machine *m);

void ti_print_text(FILE *f, const struct td_machine *m, const struct ti_opts *o);
/* -n, -r, -P: the CPU table, or with -t the timer table, alone (tables.c). */
int ti_print_table(FILE *f, const struct td_machine *m, const struct ti_opts *o,
    unsigned flags);
/* --list-columns: the columns of that table. */
int ti_list_columns(FILE *f, const struct ti_opts *o);
int ti_print_json(FILE *f, const struct td_machine *m, const struct ti_extra *x,
    const struct ti_opts *o);

#endif
