/*
 * How a sample's wakeups are told, the same way by every tool: why they are
 * unknown, and the JSON members that carry them.
 */
#include "config.h"

#include "json.h"
#include "sampler.h"

/* Why the sample's wakeups (idle exits) could not be counted. */
const char *
td_sample_wakeups_why(const struct td_sample *p)
{
	switch (p->backend) {
	case TD_BACKEND_TIMER_STATS:
		return "timer_stats counts timer events, not idle exits";
	case TD_BACKEND_TRACEFS:
		return "this kernel traces no idle exits (power:cpu_idle, sched_switch)";
	case TD_BACKEND_BPF:
		return "the BPF programs saw no idle exits (power:cpu_idle, sched_switch)";
	case TD_BACKEND_TRACE:
		return "the trace holds no idle exits (power:cpu_idle, sched_switch)";
	case TD_BACKEND_INTERRUPTS:
		return "interrupt counts are events, not idle exits, which need tracefs "
		    "(root, live system) or cpuidle usage counters";
	case TD_BACKEND_AUTO:
		break;
	}
	return "idle exits are not counted by this backend";
}

/* The sample's wakeups as JSON members (see sampler.h); unknown ones null with a reason. */
void
td_sample_json_wakeups(struct td_json *j, const struct td_sample *p)
{
	if (!p->wakeups_known) {
		td_json_unknown(j, "wakeups", td_sample_wakeups_why(p));
		td_json_unknown(j, "wakeups_per_s", td_sample_wakeups_why(p));
		td_json_unknown(j, "cpu_wakeups", td_sample_wakeups_why(p));
		return;
	}
	td_json_uint(j, "wakeups", p->total_wakeups);
	if (p->period_ns)
		td_json_double(j, "wakeups_per_s", (double)p->total_wakeups * 1e9 /
		    (double)p->period_ns, 3);
	else
		td_json_unknown(j, "wakeups_per_s", "the period is unknown");
	td_json_arr_begin(j, "cpu_wakeups");
	for (int c = 0; c < p->ncpus; c++) {
		if (p->cpu_wake_method[c] == TD_WAKE_UNKNOWN)
			continue;
		td_json_obj_begin(j, NULL);
		td_json_int(j, "cpu", c);
		td_json_uint(j, "wakeups", p->cpu_wakeups[c]);
		td_json_str(j, "method", td_wake_method_name(p->cpu_wake_method[c]));
		if (p->cpu_idle_misses != NULL)
			td_json_uint(j, "idle_misses", p->cpu_idle_misses[c]);
		else
			td_json_unknown(j, "idle_misses", "power:cpu_idle_miss is not "
			    "traced (a kernel before 6.4, or not a trace backend)");
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
}
