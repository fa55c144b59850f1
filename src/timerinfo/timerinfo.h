/* timerinfo: what a kernel's timers are doing, verdict first. */
#ifndef TIMERINFO_H
#define TIMERINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"

struct ti_opts {
	const char	*sysroot;
	const char	*timer_list;
	bool		 json;
	bool		 timers;
	bool		 cpus;
	bool		 color;
};

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
int ti_print_json(FILE *f, const struct td_machine *m, const struct ti_opts *o);

#endif
