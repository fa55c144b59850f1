/* Helpers shared by timerinfo's text and JSON views. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timerinfo.h"

/* Format nanoseconds with a unit, trimming trailing zeros. */
const char *
ti_fmt_ns(int64_t ns, char *buf, size_t len)
{
	static const struct { int64_t div; const char *unit; } units[] = {
		{ 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" },
	};
	uint64_t a = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;	/* INT64_MIN too */

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char num[64], *p;

		if (a < (uint64_t)units[i].div)
			continue;
		snprintf(num, sizeof(num), "%.3f", (double)ns / (double)units[i].div);
		p = num + strlen(num) - 1;
		while (*p == '0')
			*p-- = '\0';
		if (*p == '.')
			*p = '\0';
		snprintf(buf, len, "%s %s", num, units[i].unit);
		return buf;
	}
	snprintf(buf, len, "%" PRId64 " ns", ns);
	return buf;
}

/* Human name of a tick mode. */
const char *
ti_mode_human(enum td_tick_mode m)
{
	switch (m) {
	case TD_TICK_HIGHRES:		return "high resolution";
	case TD_TICK_NOHZ_LOWRES:	return "tickless low resolution";
	case TD_TICK_PERIODIC:		return "periodic tick";
	default:			return "unknown";
	}
}

/* Name a clock base from its .get_time, else from its index and the base count. */
const char *
ti_base_name(const struct td_timer_list *tl, const struct td_tl_base *b)
{
	static const char *const modern[] = { "monotonic", "realtime", "boottime", "tai",
	    "monotonic_soft", "realtime_soft", "boottime_soft", "tai_soft" };
	static const char *const old[] = { "realtime", "monotonic", "boottime" };
	int idx = b->clock;

	if (b->get_time != NULL) {
		bool soft = tl->max_clock_bases == 8 && idx >= 4;

		if (strcmp(b->get_time, "ktime_get_real") == 0)
			return soft ? "realtime_soft" : "realtime";
		if (strcmp(b->get_time, "ktime_get") == 0)
			return soft ? "monotonic_soft" : "monotonic";
		if (strcmp(b->get_time, "ktime_get_boottime") == 0)
			return soft ? "boottime_soft" : "boottime";
		if (strcmp(b->get_time, "ktime_get_clocktai") == 0)
			return soft ? "tai_soft" : "tai";
	}
	if (tl->max_clock_bases >= 4 && idx >= 0 && idx < 8)
		return modern[idx];
	if (tl->max_clock_bases > 0 && tl->max_clock_bases < 4 && idx >= 0 && idx < 3)
		return old[idx];
	return "unknown";
}

/* Why timer_list facts are missing. */
const char *
ti_tl_reason(const struct td_machine *m)
{
	static char buf[600];

	return td_machine_tl_why(m, buf, sizeof(buf));
}

/* Two CPUs print the same when these agree. */
static bool
same(const struct td_cpu_state *a, const struct td_cpu_state *b)
{
	return a->mode == b->mode && a->nohz == b->nohz && a->highres == b->highres &&
	    a->res_min_ns == b->res_min_ns && a->res_max_ns == b->res_max_ns &&
	    a->nohz_full == b->nohz_full &&
	    ((a->device == NULL && b->device == NULL) ||
	    (a->device && b->device && strcmp(a->device, b->device) == 0)) &&
	    ((a->handler == NULL && b->handler == NULL) ||
	    (a->handler && b->handler && strcmp(a->handler, b->handler) == 0));
}

static void
add_sum(int64_t *sum, int64_t v)
{
	if (v < 0 || *sum < 0)
		*sum = -1;
	else
		*sum += v;
}

/* Group identical CPUs. */
int
ti_group_cpus(const struct td_machine *m, bool per_cpu, struct ti_group **out)
{
	struct ti_group *g = calloc(m->ncpus ? m->ncpus : 1, sizeof(*g));
	int n = 0;

	if (g == NULL)
		return -1;
	for (size_t i = 0; i < m->ncpus; i++) {
		const struct td_cpu_state *s = &m->cpus[i];
		struct ti_group *t = NULL;

		if (!per_cpu && s->cpu >= 0)
			for (int k = 0; k < n && t == NULL; k++)
				if (g[k].first->cpu >= 0 && same(g[k].first, s))
					t = &g[k];
		if (t == NULL) {
			t = &g[n++];
			t->first = s;
		}
		td_cpuset_set(&t->set, s->cpu);
		add_sum(&t->idle_calls, s->idle_calls);
		add_sum(&t->idle_sleeps, s->idle_sleeps);
		t->ncpus++;
		t->ntimers += s->ntimers;
		if (s->tick_stopped >= 0)
			t->stopped_known++;
		if (s->tick_stopped == 1)
			t->stopped++;
	}
	*out = g;
	return n;
}
