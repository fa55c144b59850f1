/* timerinfo's report for scripts (-J): stable snake_case fields, ns integers, null = unknown. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "timerinfo.h"

#define SCHEMA_VERSION	1

static void
int_or_null(struct td_json *j, const char *key, int64_t v)
{
	if (v < 0)
		td_json_null(j, key);
	else
		td_json_int(j, key, v);
}

static void
tri(struct td_json *j, const char *key, int v)
{
	if (v < 0)
		td_json_null(j, key);
	else
		td_json_bool(j, key, v != 0);
}

static void
cpu_obj(struct td_json *j, const struct td_machine *m, const struct td_cpu_state *s,
    const struct ti_opts *o)
{
	td_json_obj_begin(j, NULL);
	int_or_null(j, "cpu", s->cpu);
	if (s->mode == TD_TICK_UNKNOWN)
		td_json_null(j, "tick_mode");
	else
		td_json_str(j, "tick_mode", td_tick_mode_name(s->mode));
	td_json_str(j, "tick_mode_evidence", s->mode_evidence);
	tri(j, "nohz_active", s->nohz);
	tri(j, "highres_active", s->highres);
	tri(j, "tick_stopped", s->tick_stopped);
	int_or_null(j, "idle_calls", s->idle_calls);
	int_or_null(j, "idle_sleeps", s->idle_sleeps);
	int_or_null(j, "nr_events", s->nr_events);
	int_or_null(j, "nr_retries", s->nr_retries);
	int_or_null(j, "nr_hangs", s->nr_hangs);
	int_or_null(j, "max_hang_time_ns", s->max_hang_time_ns);
	td_json_str(j, "clock_event_device", s->device);
	td_json_str(j, "event_handler", s->handler);
	int_or_null(j, "resolution_min_ns", s->res_min_ns);
	int_or_null(j, "resolution_max_ns", s->res_max_ns);
	if (s->tl != NULL)
		td_json_uint(j, "active_timers", s->ntimers);
	else
		td_json_null(j, "active_timers");
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
					td_json_null(j, "expires_soft_ns");
					td_json_null(j, "expires_hard_ns");
					td_json_null(j, "expires_in_ns");
					td_json_null(j, "slack_ns");
				}
				td_json_str(j, "start_site", x->start_site);
				td_json_str(j, "comm", x->comm);
				if (x->pid >= 0)
					td_json_int(j, "pid", x->pid);
				else
					td_json_null(j, "pid");
				td_json_obj_end(j);
			}
		}
		td_json_arr_end(j);
	}
	td_json_obj_end(j);
}

static void
unknown_map(struct td_json *j, const struct td_machine *m, const struct ti_extra *x,
    const struct ti_opts *o)
{
	const char *why = ti_tl_reason(m);

	td_json_obj_begin(j, "unknown");
	if (why != NULL) {
		td_json_str(j, "tick_mode", why);
		td_json_str(j, "nohz_active", why);
		td_json_str(j, "timer_list", why);
		td_json_str(j, "resolution_ns", why);
	}
	if (m->tl != NULL && m->ntimers_cpus == 0)
		td_json_str(j, "active_timers", "no CPU block in this timer_list");
	if (m->hz < 0)
		td_json_str(j, "hz", m->absent != NULL ? "no jiffies or tick length in this "
		    "file" : "no kernel config and no readable timer_list");
	if (m->absent != NULL) {	/* a file alone: nothing of the system it came from */
		td_json_str(j, "release", m->absent);
		td_json_str(j, "machine", m->absent);
		td_json_str(j, "cmdline", m->absent);
		td_json_str(j, "config", m->absent);
		td_json_str(j, "tsc_flags", m->absent);
	}
	if (!m->cs.has_current)
		td_json_str(j, "clocksource", m->cs.why_missing);
	if (!m->has_clocks)
		td_json_str(j, "posix_clocks", m->absent != NULL ? m->absent :
		    "clock_getres describes the running kernel, not a captured tree");
	if (o->ticks && x->rates == NULL)
		td_json_str(j, "tick_rates", x->rates_why);
	if (o->events && x->events == NULL)
		td_json_str(j, "events", x->events_why);
	td_json_obj_end(j);
}

static void
rates_obj(struct td_json *j, const struct td_machine *m, const struct ti_extra *x)
{
	const struct td_tickrates *r = x->rates;

	if (r == NULL) {
		td_json_null(j, "tick_rates");
		return;
	}
	td_json_obj_begin(j, "tick_rates");
	td_json_double(j, "period_s", r->period_s, 3);
	td_json_str(j, "local_timer_row", r->local_row[0] ? r->local_row : NULL);
	td_json_str(j, "global_timer_rows", r->global_rows[0] ? r->global_rows : NULL);
	td_json_arr_begin(j, "cpus");
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
			td_json_null(j, "local_timer_per_s");
		if (t->has_global)
			td_json_double(j, "global_timer_per_s", t->global_per_s, 3);
		else
			td_json_null(j, "global_timer_per_s");
		td_json_str(j, "tick_source", sources[t->source]);
		td_json_str(j, "tick_device", t->source_device[0] ? t->source_device : NULL);
		if (t->has_tick)
			td_json_double(j, "tick_per_s", t->tick_per_s, 3);
		else
			td_json_null(j, "tick_per_s");
		ti_tick_meaning(t, m->hz, cls, sizeof(cls));
		td_json_str(j, "meaning", cls[0] ? cls : NULL);
		if (t->has_timer)
			td_json_double(j, "timer_softirq_per_s", t->timer_softirq_per_s, 3);
		else
			td_json_null(j, "timer_softirq_per_s");
		if (t->has_hrtimer)
			td_json_double(j, "hrtimer_softirq_per_s", t->hrtimer_softirq_per_s, 3);
		else
			td_json_null(j, "hrtimer_softirq_per_s");
		if (t->has_idle)
			td_json_double(j, "idle_share", t->idle_share, 3);
		else
			td_json_null(j, "idle_share");
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
	td_json_obj_end(j);
}

static void
events_arr(struct td_json *j, const struct ti_extra *x)
{
	if (x->events == NULL) {
		td_json_null(j, "events");
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
			td_json_null(j, "time_ns");
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
		td_json_str(j, "evidence", c->evidence[0] ? c->evidence : NULL);
		td_json_str(j, "advice", c->advice[0] ? c->advice : NULL);
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
}

/* Print the whole report as one JSON document. */
int
ti_print_json(FILE *f, const struct td_machine *m, const struct ti_extra *x,
    const struct ti_opts *o)
{
	const struct td_tl_tickdev *bc = m->tl ? td_tl_broadcast_device(m->tl) : NULL;
	struct td_json j;

	td_json_init(&j, f, true);
	td_json_obj_begin(&j, NULL);
	td_json_int(&j, "version", SCHEMA_VERSION);
	td_json_str(&j, "sysroot", m->sysroot);

	td_json_obj_begin(&j, "verdict");
	if (m->tl == NULL || m->mode_mixed || m->mode == TD_TICK_UNKNOWN)
		td_json_null(&j, "tick_mode");
	else
		td_json_str(&j, "tick_mode", td_tick_mode_name(m->mode));
	td_json_bool(&j, "tick_mode_mixed", m->mode_mixed);
	if (m->nohz == 2 || m->nohz < 0)
		td_json_null(&j, "nohz_active");
	else
		td_json_bool(&j, "nohz_active", m->nohz == 1);
	td_json_bool(&j, "nohz_mixed", m->nohz == 2);
	td_json_obj_end(&j);

	td_json_obj_begin(&j, "kernel");
	td_json_str(&j, "release", m->si.has_release ? m->si.release : NULL);
	td_json_str(&j, "machine", m->si.machine[0] ? m->si.machine : NULL);
	td_json_str(&j, "arch", m->arch);
	td_json_str(&j, "arch_source", m->arch_source);
	td_json_str(&j, "cmdline", m->si.has_cmdline ? m->si.cmdline : NULL);
	td_json_str(&j, "config", m->kc.found ? m->kc.path : NULL);
	tri(&j, "config_no_hz", m->kc.no_hz);
	tri(&j, "config_no_hz_full", m->kc.no_hz_full);
	tri(&j, "config_high_res_timers", m->kc.high_res_timers);
	td_json_obj_end(&j);

	td_json_obj_begin(&j, "hz");
	int_or_null(&j, "value", m->hz);
	td_json_str(&j, "source", m->hz < 0 ? NULL : td_hz_source_name(m->hz_source));
	int_or_null(&j, "config", m->hz_config);
	int_or_null(&j, "inferred_jiffies", m->hz_jiffies);
	int_or_null(&j, "inferred_coarse_clock", m->hz_coarse);
	int_or_null(&j, "inferred_tick_resolution", m->hz_tickres);
	td_json_obj_end(&j);

	td_json_obj_begin(&j, "timer_list");
	td_json_str(&j, "path", m->tl_path);
	td_json_bool(&j, "readable", m->tl != NULL);
	td_json_str(&j, "error", ti_tl_reason(m));
	if (m->tl != NULL) {
		td_json_str(&j, "format_version", m->tl->has_version ? m->tl->version : NULL);
		td_json_bool(&j, "format_newer_than_known", m->tl->version_future);
		if (m->tl->has_now)
			td_json_int(&j, "now_ns", m->tl->now_ns);
		else
			td_json_null(&j, "now_ns");
		td_json_uint(&j, "cpus", m->tl->ncpus);
		td_json_bool(&j, "truncated", m->tl->truncated);
		td_json_uint(&j, "unknown_lines", m->tl->nunknown_total);
		td_json_int(&j, "elided_lines", m->tl->nelided);
		if (m->ntimers_cpus > 0)
			td_json_uint(&j, "active_timers", m->ntimers);
		else
			td_json_null(&j, "active_timers");
	}
	td_json_obj_end(&j);

	td_json_arr_begin(&j, "resolution_ns");
	if (m->res_min_ns >= 0) {
		td_json_int(&j, NULL, m->res_min_ns);
		if (m->res_max_ns != m->res_min_ns)
			td_json_int(&j, NULL, m->res_max_ns);
	}
	td_json_arr_end(&j);

	td_json_obj_begin(&j, "clocksource");
	td_json_str(&j, "current", m->cs.has_current ? m->cs.current : NULL);
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
		td_json_null(&j, "tsc_flags");

	td_json_obj_begin(&j, "clockevents");
	if (bc != NULL && bc->has_device)
		td_json_str(&j, "broadcast", bc->device);
	else if (m->cs.has_broadcast && m->cs.broadcast[0] != '\0')
		td_json_str(&j, "broadcast", m->cs.broadcast);
	else
		td_json_null(&j, "broadcast");
	td_json_arr_begin(&j, "per_cpu");
	for (size_t i = 0; i < m->ncpus; i++) {
		td_json_obj_begin(&j, NULL);
		td_json_int(&j, "cpu", m->cpus[i].cpu);
		td_json_str(&j, "device", m->cpus[i].device);
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
				td_json_null(&j, "resolution_ns");
			td_json_obj_end(&j);
		}
		td_json_arr_end(&j);
	} else
		td_json_null(&j, "posix_clocks");

	td_json_arr_begin(&j, "cpus");
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
	unknown_map(&j, m, x, o);
	td_json_obj_end(&j);
	return td_json_finish(&j);
}
