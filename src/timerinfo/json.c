/* timerinfo's report for scripts (-J): stable snake_case fields, ns integers, null = unknown. */
#include <stdio.h>
#include <string.h>

#include "cpumask.h"
#include "json.h"
#include "timerinfo.h"

#define SCHEMA_VERSION	2	/* 2: doc/json.md (tool, per_cpu, unknown by path, period_ns) */

/* An integer; negative is unknown: null, with why in "unknown". */
static void
int_or_null(struct td_json *j, const char *key, int64_t v, const char *why)
{
	if (v < 0)
		td_json_unknown(j, key, why);
	else
		td_json_int(j, key, v);
}

/* A boolean; negative is unknown. */
static void
tri(struct td_json *j, const char *key, int v, const char *why)
{
	if (v < 0)
		td_json_unknown(j, key, why);
	else
		td_json_bool(j, key, v != 0);
}

/* A string; NULL is unknown. */
static void
str_or_null(struct td_json *j, const char *key, const char *s, const char *why)
{
	if (s == NULL)
		td_json_unknown(j, key, why);
	else
		td_json_str(j, key, s);
}

/* Why a timer_list fact is unknown: no timer_list, or not in this one. */
static const char *
tl_why(const struct td_machine *m)
{
	const char *why = ti_tl_reason(m);

	return why != NULL ? why : "not in this kernel's /proc/timer_list";
}

#define NO_EXPIRY	"the timer_list line gives no expiry"
#define NO_STATS	"only timer_list with CONFIG_TIMER_STATS (before 4.11) names the arming site"

static void
cpu_obj(struct td_json *j, const struct td_machine *m, const struct td_cpu_state *s,
    const struct ti_opts *o)
{
	const char *why = tl_why(m);

	td_json_obj_begin(j, NULL);
	int_or_null(j, "cpu", s->cpu, why);
	if (s->mode == TD_TICK_UNKNOWN)
		td_json_unknown(j, "tick_mode", why);
	else
		td_json_str(j, "tick_mode", td_tick_mode_name(s->mode));
	str_or_null(j, "tick_mode_evidence", s->mode_evidence, why);
	tri(j, "nohz_active", s->nohz, why);
	tri(j, "highres_active", s->highres, why);
	tri(j, "tick_stopped", s->tick_stopped, why);
	int_or_null(j, "idle_calls", s->idle_calls, why);
	int_or_null(j, "idle_sleeps", s->idle_sleeps, why);
	int_or_null(j, "nr_events", s->nr_events, why);
	int_or_null(j, "nr_retries", s->nr_retries, why);
	int_or_null(j, "nr_hangs", s->nr_hangs, why);
	int_or_null(j, "max_hang_time_ns", s->max_hang_time_ns, why);
	str_or_null(j, "clock_event_device", s->device, why);
	str_or_null(j, "event_handler", s->handler, why);
	int_or_null(j, "resolution_min_ns", s->res_min_ns, why);
	int_or_null(j, "resolution_max_ns", s->res_max_ns, why);
	if (s->tl != NULL)
		td_json_uint(j, "active_timers", s->ntimers);
	else
		td_json_unknown(j, "active_timers", why);
	td_json_bool(j, "nohz_full", s->nohz_full);
	td_json_bool(j, "isolated", s->isolated);
	if (s->tl != NULL && o->timers) {
		td_json_arr_begin(j, "timers");
		for (size_t b = 0; b < s->tl->nbases; b++) {
			const struct td_tl_base *base = &s->tl->bases[b];

			for (size_t t = 0; t < base->ntimers; t++) {
				const struct td_tl_timer *tm = &base->timers[t];
				const struct td_tl_timer_extra *x = td_tl_timer_extra(m->tl, tm);

				td_json_obj_begin(j, NULL);
				td_json_str(j, "clock", ti_base_name(m->tl, base));
				td_json_int(j, "clock_index", base->clock);
				td_json_str(j, "function", tm->function);
				td_json_uint(j, "state", tm->state);
				td_json_bool(j, "never", td_tl_timer_never(tm));
				if (tm->has_expiry) {
					td_json_int(j, "expires_soft_ns", tm->soft_ns);
					td_json_int(j, "expires_hard_ns", tm->hard_ns);
					td_json_int(j, "expires_in_ns", tm->rel_soft_ns);
					td_json_int(j, "slack_ns", td_tl_timer_slack_ns(tm));
				} else {
					td_json_unknown(j, "expires_soft_ns", NO_EXPIRY);
					td_json_unknown(j, "expires_hard_ns", NO_EXPIRY);
					td_json_unknown(j, "expires_in_ns", NO_EXPIRY);
					td_json_unknown(j, "slack_ns", NO_EXPIRY);
				}
				str_or_null(j, "start_site", x->start_site, NO_STATS);
				str_or_null(j, "comm", x->comm, NO_STATS);
				int_or_null(j, "pid", x->pid, NO_STATS);
				td_json_obj_end(j);
			}
		}
		td_json_arr_end(j);
	}
	td_json_obj_end(j);
}

#define LOC_WHY		"no local timer row in /proc/interrupts"
#define SOFTIRQ_WHY	"no TIMER/HRTIMER row in /proc/softirqs"

static void
rates_obj(struct td_json *j, const struct td_machine *m, const struct ti_extra *x)
{
	const struct td_tickrates *r = x->rates;

	if (r == NULL) {
		td_json_unknown(j, "tick_rates", x->rates_why);
		return;
	}
	td_json_obj_begin(j, "tick_rates");
	td_json_int(j, "period_ns", (int64_t)(r->period_s * 1e9 + 0.5));
	str_or_null(j, "local_timer_row", r->local_row[0] ? r->local_row : NULL,
	    "no local timer row in /proc/interrupts");
	str_or_null(j, "global_timer_rows", r->global_rows[0] ? r->global_rows : NULL,
	    "no global timer row in /proc/interrupts");
	td_json_arr_begin(j, "per_cpu");
	for (size_t i = 0; i < r->ncpus; i++) {
		static const char *const sources[] = {
			[TD_TICK_SOURCE_UNKNOWN] = NULL,
			[TD_TICK_SOURCE_LOCAL] = "local",
			[TD_TICK_SOURCE_GLOBAL] = "global",
		};
		const struct td_cpu_tickrate *t = &r->cpus[i];
		char cls[160];

		td_json_obj_begin(j, NULL);
		td_json_int(j, "cpu", t->cpu);
		if (t->has_local)
			td_json_double(j, "local_timer_per_s", t->local_per_s, 3);
		else
			td_json_unknown(j, "local_timer_per_s", LOC_WHY);
		if (t->has_global)
			td_json_double(j, "global_timer_per_s", t->global_per_s, 3);
		else
			td_json_unknown(j, "global_timer_per_s", "no global timer row in /proc/interrupts");
		str_or_null(j, "tick_source", sources[t->source], "no tick interrupt row for "
		    "this CPU");
		str_or_null(j, "tick_device", t->source_device[0] ? t->source_device : NULL,
		    "no tick interrupt row for this CPU");
		if (t->has_tick)
			td_json_double(j, "tick_per_s", t->tick_per_s, 3);
		else
			td_json_unknown(j, "tick_per_s", "no tick interrupt row for this CPU");
		ti_tick_meaning(t, m->hz, cls, sizeof(cls));
		str_or_null(j, "meaning", cls[0] ? cls : NULL, "no tick rate to judge");
		if (t->has_timer)
			td_json_double(j, "timer_softirq_per_s", t->timer_softirq_per_s, 3);
		else
			td_json_unknown(j, "timer_softirq_per_s", SOFTIRQ_WHY);
		if (t->has_hrtimer)
			td_json_double(j, "hrtimer_softirq_per_s", t->hrtimer_softirq_per_s, 3);
		else
			td_json_unknown(j, "hrtimer_softirq_per_s", SOFTIRQ_WHY);
		if (t->has_idle)
			td_json_double(j, "idle_share", t->idle_share, 3);
		else
			td_json_unknown(j, "idle_share", "no idle time for this CPU in /proc/stat");
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
	td_json_obj_end(j);
}

static void
events_arr(struct td_json *j, const struct ti_extra *x)
{
	if (x->events == NULL) {
		td_json_unknown(j, "events", x->events_why);
		return;
	}
	td_json_str(j, "events_source", x->events_source);
	td_json_arr_begin(j, "events");
	for (size_t i = 0; i < x->events->n; i++) {
		const struct td_kmsg_event *e = &x->events->ev[i];

		td_json_obj_begin(j, NULL);
		td_json_str(j, "kind", td_kmsg_event_kind_name(e->kind));
		td_json_int(j, "line", e->line);
		if (e->has_ts)
			td_json_int(j, e->ts_relative ? "delta_ns" : "time_ns", e->ts_ns);
		else
			td_json_unknown(j, "time_ns", "the log line has no time stamp");
		if (e->cpu >= 0)
			td_json_int(j, "cpu", e->cpu);
		if (e->name != NULL)
			td_json_str(j, "name", e->name);
		if (e->have & TD_KEV_HAVE_NS)
			td_json_int(j, "ns", e->ns);
		if (e->have & TD_KEV_HAVE_FREQ)
			td_json_uint(j, "freq_hz", e->freq_hz);
		td_json_strn(j, "text", e->text, e->text_len);
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
}

static void
checks_arr(struct td_json *j, const struct ti_extra *x)
{
	td_json_int(j, "problems", x->checks->problems);
	td_json_arr_begin(j, "checks");
	for (size_t i = 0; i < x->checks->n; i++) {
		const struct td_check *c = &x->checks->c[i];

		td_json_obj_begin(j, NULL);
		td_json_str(j, "id", c->id);
		td_json_str(j, "severity", td_severity_name(c->sev));
		td_json_bool(j, "problem", c->sev >= TD_SEV_WARNING);
		td_json_str(j, "message", c->message);
		str_or_null(j, "evidence", c->evidence[0] ? c->evidence : NULL,
		    "the check has no evidence to show");
		str_or_null(j, "advice", c->advice[0] ? c->advice : NULL,
		    "the check has no advice to give");
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
}

/* The nohz_full and isolated CPUs as the kernel lists them ("1-3"; "" for none). */
static void
cpu_sets(struct td_json *j, const struct td_machine *m)
{
	static struct td_cpuset full, iso;	/* 1 KiB each: not on the stack */
	char buf[1024];

	td_cpuset_zero(&full);
	td_cpuset_zero(&iso);
	for (size_t i = 0; i < m->ncpus; i++) {
		if (m->cpus[i].cpu < 0)
			continue;
		if (m->cpus[i].nohz_full)
			td_cpuset_set(&full, m->cpus[i].cpu);
		if (m->cpus[i].isolated)
			td_cpuset_set(&iso, m->cpus[i].cpu);
	}
	td_json_str(j, "nohz_full_cpus", td_cpuset_format(&full, buf, sizeof(buf)));
	td_json_str(j, "isolated_cpus", td_cpuset_format(&iso, buf, sizeof(buf)));
}

/* Why a fact of the system is unknown: a file alone, or the file the tree lacks. */
static const char *
sys_why(const struct td_machine *m, const char *missing)
{
	return m->absent != NULL ? m->absent : missing;
}

/* Print the whole report as one JSON document (doc/json.md, doc/schema/timerinfo). */
int
ti_print_json(FILE *f, const struct td_machine *m, const struct ti_extra *x,
    const struct ti_opts *o)
{
	const struct td_tl_tickdev *bc = m->tl ? td_tl_broadcast_device(m->tl) : NULL;
	const char *tlwhy = tl_why(m);
	const char *hzwhy = td_machine_hz_why(m);
	const char *nocfg = sys_why(m, "no kernel config (/proc/config.gz, /boot/config-*)");
	struct td_json j;

	td_json_init(&j, f, true);
	td_json_obj_begin(&j, NULL);
	td_json_str(&j, "tool", "timerinfo");
	td_json_int(&j, "version", SCHEMA_VERSION);
	str_or_null(&j, "sysroot", m->sysroot, "the live system, not a captured tree");

	td_json_obj_begin(&j, "verdict");
	if (m->tl == NULL || m->mode == TD_TICK_UNKNOWN)
		td_json_unknown(&j, "tick_mode", tlwhy);
	else if (m->mode_mixed)
		td_json_unknown(&j, "tick_mode", "the CPUs differ (per_cpu[].tick_mode)");
	else
		td_json_str(&j, "tick_mode", td_tick_mode_name(m->mode));
	td_json_bool(&j, "tick_mode_mixed", m->mode_mixed);
	if (m->nohz < 0)
		td_json_unknown(&j, "nohz_active", tlwhy);
	else if (m->nohz == 2)
		td_json_unknown(&j, "nohz_active", "the CPUs differ (per_cpu[].nohz_active)");
	else
		td_json_bool(&j, "nohz_active", m->nohz == 1);
	td_json_bool(&j, "nohz_mixed", m->nohz == 2);
	td_json_obj_end(&j);

	td_json_obj_begin(&j, "kernel");
	str_or_null(&j, "release", m->si.has_release ? m->si.release : NULL,
	    sys_why(m, "no kernel release (proc/sys/kernel/osrelease, proc/version)"));
	str_or_null(&j, "machine", m->si.machine[0] ? m->si.machine : NULL,
	    sys_why(m, "no machine name"));
	str_or_null(&j, "arch", m->arch, sys_why(m, "no architecture"));
	str_or_null(&j, "arch_source", m->arch_source, sys_why(m, "no architecture"));
	str_or_null(&j, "cmdline", m->si.has_cmdline ? m->si.cmdline : NULL,
	    sys_why(m, "no /proc/cmdline"));
	str_or_null(&j, "config", m->kc.found ? m->kc.path : NULL, nocfg);
	tri(&j, "config_no_hz", m->kc.no_hz, nocfg);
	tri(&j, "config_no_hz_full", m->kc.no_hz_full, nocfg);
	tri(&j, "config_high_res_timers", m->kc.high_res_timers, nocfg);
	td_json_obj_end(&j);

	td_json_obj_begin(&j, "hz");
	int_or_null(&j, "value", m->hz, hzwhy);
	str_or_null(&j, "source", m->hz < 0 ? NULL : td_hz_source_name(m->hz_source), hzwhy);
	int_or_null(&j, "config", m->hz_config, nocfg);
	int_or_null(&j, "inferred_jiffies", m->hz_jiffies, "no jiffies clock in the timer_list");
	int_or_null(&j, "inferred_coarse_clock", m->hz_coarse, "CLOCK_*_COARSE resolution "
	    "is the running kernel's, not a captured tree's");
	int_or_null(&j, "inferred_tick_resolution", m->hz_tickres, "no low-resolution "
	    "clock base in the timer_list");
	td_json_obj_end(&j);

	td_json_obj_begin(&j, "timer_list");
	str_or_null(&j, "path", m->tl_path, "no timer_list path");
	td_json_bool(&j, "readable", m->tl != NULL);
	if (m->tl == NULL)
		td_json_str(&j, "error", tlwhy);
	else
		td_json_unknown(&j, "error", "no error: the timer_list was read");
	if (m->tl != NULL) {
		str_or_null(&j, "format_version", m->tl->has_version ? m->tl->version : NULL,
		    "the timer_list has no version line");
		td_json_bool(&j, "format_newer_than_known", m->tl->version_future);
		if (m->tl->has_now)
			td_json_int(&j, "now_ns", m->tl->now_ns);
		else
			td_json_unknown(&j, "now_ns", "the timer_list has no now line");
		td_json_uint(&j, "cpu_count", m->tl->ncpus);
		td_json_bool(&j, "truncated", m->tl->truncated);
		td_json_uint(&j, "unknown_lines", m->tl->nunknown_total);
		td_json_int(&j, "elided_lines", m->tl->nelided);
		if (m->ntimers_cpus > 0)
			td_json_uint(&j, "active_timers", m->ntimers);
		else
			td_json_unknown(&j, "active_timers", "no CPU block in this timer_list");
	}
	td_json_obj_end(&j);

	if (m->res_min_ns >= 0) {
		td_json_arr_begin(&j, "resolution_ns");
		td_json_int(&j, NULL, m->res_min_ns);
		if (m->res_max_ns != m->res_min_ns)
			td_json_int(&j, NULL, m->res_max_ns);
		td_json_arr_end(&j);
	} else
		td_json_unknown(&j, "resolution_ns", tlwhy);

	td_json_obj_begin(&j, "clocksource");
	str_or_null(&j, "current", m->cs.has_current ? m->cs.current : NULL, m->cs.why_missing);
	td_json_arr_begin(&j, "available");
	for (int i = 0; i < m->cs.navailable; i++)
		td_json_str(&j, NULL, m->cs.available[i]);
	td_json_arr_end(&j);
	td_json_obj_end(&j);

	if (m->tsc.known) {
		td_json_obj_begin(&j, "tsc_flags");
		td_json_bool(&j, "tsc", m->tsc.tsc);
		td_json_bool(&j, "constant_tsc", m->tsc.constant_tsc);
		td_json_bool(&j, "nonstop_tsc", m->tsc.nonstop_tsc);
		td_json_bool(&j, "tsc_reliable", m->tsc.tsc_reliable);
		td_json_bool(&j, "tsc_known_freq", m->tsc.tsc_known_freq);
		td_json_obj_end(&j);
	} else
		td_json_unknown(&j, "tsc_flags", sys_why(m, "no x86 CPU flags (/proc/cpuinfo)"));

	td_json_obj_begin(&j, "clockevents");
	if (bc != NULL && bc->has_device && bc->device == NULL)
		td_json_unknown(&j, "broadcast", "none: the timer_list's broadcast device is <NULL>");
	else if (bc != NULL && bc->has_device)
		td_json_str(&j, "broadcast", bc->device);
	else if (m->cs.has_broadcast && m->cs.broadcast[0] != '\0')
		td_json_str(&j, "broadcast", m->cs.broadcast);
	else
		td_json_unknown(&j, "broadcast", "no broadcast device (none, or not in the "
		    "timer_list and sysfs)");
	td_json_arr_begin(&j, "per_cpu");
	for (size_t i = 0; i < m->ncpus; i++) {
		td_json_obj_begin(&j, NULL);
		td_json_int(&j, "cpu", m->cpus[i].cpu);
		str_or_null(&j, "device", m->cpus[i].device, tlwhy);
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	td_json_obj_end(&j);

	if (m->has_clocks) {
		td_json_arr_begin(&j, "posix_clocks");
		for (int i = 0; i < TD_NCLOCKS; i++) {
			td_json_obj_begin(&j, NULL);
			td_json_str(&j, "name", m->clocks[i].name);
			if (m->clocks[i].ok)
				td_json_int(&j, "resolution_ns", m->clocks[i].res_ns);
			else
				td_json_unknown(&j, "resolution_ns", "clock_getres failed");
			td_json_obj_end(&j);
		}
		td_json_arr_end(&j);
	} else
		td_json_unknown(&j, "posix_clocks", sys_why(m, "clock_getres describes the "
		    "running kernel, not a captured tree"));

	cpu_sets(&j, m);
	td_json_arr_begin(&j, "per_cpu");
	for (size_t i = 0; i < m->ncpus; i++)
		cpu_obj(&j, m, &m->cpus[i], o);
	td_json_arr_end(&j);

	if (o->ticks)
		rates_obj(&j, m, x);
	if (o->events)
		events_arr(&j, x);
	if (o->check && x->checks != NULL)
		checks_arr(&j, x);
	if (o->explain && x->explain != NULL)
		ti_json_explain(&j, x->explain);
	td_json_unknowns(&j);
	td_json_obj_end(&j);
	return td_json_finish(&j);
}
