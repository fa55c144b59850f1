/*
 * trace_dat_counts FILE: the events our trace.dat reader decodes from FILE,
 * counted per CPU and tracepoint, one "CPU NAME COUNT" line each, then
 * "lost N" (N events lost, "lost some" when a page says so without a
 * count).  The tests compare these with `trace-cmd report` of the same file.
 * Exit 1 with the reader's one line when it refuses the file.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "trace_dat.h"

#define MAX_CPUS	1024

/* The tracepoint of each event type (NULL: several, not counted here). */
static const char *const names[TD_TEV_NTYPES] = {
	[TD_TEV_TIMER_START] = "timer_start",
	[TD_TEV_HRTIMER_START] = "hrtimer_start",
	[TD_TEV_TIMER_EXPIRE] = "timer_expire_entry",
	[TD_TEV_HRTIMER_EXPIRE] = "hrtimer_expire_entry",
	[TD_TEV_TIMER_CANCEL] = "timer_cancel",
	[TD_TEV_HRTIMER_CANCEL] = "hrtimer_cancel",
	[TD_TEV_IRQ] = "irq_handler_entry",
	[TD_TEV_SOFTIRQ] = "softirq_entry",
	[TD_TEV_SOFTIRQ_RAISE] = "softirq_raise",
	[TD_TEV_IDLE] = "cpu_idle",
	[TD_TEV_IDLE_MISS] = "cpu_idle_miss",
	[TD_TEV_SCHED_SWITCH] = "sched_switch",
	[TD_TEV_SCHED_WAKEUP] = "sched_wakeup",
	[TD_TEV_TICK_STOP] = "tick_stop",
	[TD_TEV_TIMER_BASE_IDLE] = "timer_base_idle",
};

static uint64_t counts[MAX_CPUS][TD_TEV_NTYPES];

static void
count(const struct td_tev *ev, void *arg)
{
	(void)arg;
	if (ev->cpu >= 0 && ev->cpu < MAX_CPUS && (unsigned)ev->type < TD_TEV_NTYPES)
		counts[ev->cpu][ev->type]++;
}

int
main(int argc, char **argv)
{
	const struct td_trace_dat_stats *st;
	struct td_trace_dat *d;
	struct td_error e;
	char msg[600];
	int fd, r;

	if (argc != 2) {
		fprintf(stderr, "usage: trace_dat_counts FILE\n");
		return 2;
	}
	td_error_clear(&e);
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (td_trace_dat_open(fd, argv[1], &d, &e) < 0) {
		fprintf(stderr, "trace_dat_counts: %s\n", td_error_str(&e, msg, sizeof(msg)));
		return 1;
	}
	while ((r = td_trace_dat_read(d, count, NULL, &e)) == 1)
		;
	if (r < 0) {
		fprintf(stderr, "trace_dat_counts: %s\n", td_error_str(&e, msg, sizeof(msg)));
		td_trace_dat_free(d);
		return 1;
	}
	for (int c = 0; c < MAX_CPUS; c++)
		for (int t = 0; t < TD_TEV_NTYPES; t++)
			if (counts[c][t] > 0 && names[t] != NULL)
				printf("%d %s %llu\n", c, names[t], (unsigned long long)counts[c][t]);
	st = td_trace_dat_stats(d);
	if (st->lost_unknown > 0)
		printf("lost some\n");
	else
		printf("lost %llu\n", (unsigned long long)st->lost);
	td_trace_dat_free(d);
	return 0;
}
