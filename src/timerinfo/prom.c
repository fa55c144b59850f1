/* timerinfo --format=prometheus: text exposition for node_exporter's textfile collector. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "timerinfo.h"

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Per-CPU integer metric; CPUs whose value is unknown are left out, never 0. */
static void
per_cpu(FILE *f, const struct td_machine *m, const char *name, const char *type,
    const char *help, int64_t (*get)(const struct td_cpu_state *))
{
	bool any = false;

	for (size_t i = 0; i < m->ncpus; i++)
		any |= get(&m->cpus[i]) >= 0;
	if (!any)
		return;
	family(f, name, type, help);
	for (size_t i = 0; i < m->ncpus; i++) {
		int64_t v = get(&m->cpus[i]);

		if (v >= 0 && m->cpus[i].cpu >= 0)	/* a fragment's CPU has no number */
			fprintf(f, "%s{cpu=\"%d\"} %" PRId64 "\n", name, m->cpus[i].cpu, v);
	}
}

static int64_t get_nohz(const struct td_cpu_state *s) { return s->nohz; }
static int64_t get_stopped(const struct td_cpu_state *s) { return s->tick_stopped; }
static int64_t get_calls(const struct td_cpu_state *s) { return s->idle_calls; }
static int64_t get_sleeps(const struct td_cpu_state *s) { return s->idle_sleeps; }
static int64_t get_hangs(const struct td_cpu_state *s) { return s->nr_hangs; }
static int64_t get_events(const struct td_cpu_state *s) { return s->nr_events; }
static int64_t get_timers(const struct td_cpu_state *s)
{
	return s->tl != NULL ? (int64_t)s->ntimers : -1;
}

static void
rates(FILE *f, const struct td_tickrates *r)
{
	static const struct {
		const char *name, *help;
		size_t has, val;
	} fams[] = {
		{ "timerdiag_local_timer_interrupts_per_second",
		  "Measured local timer interrupts per second.",
		  offsetof(struct td_cpu_tickrate, has_local),
		  offsetof(struct td_cpu_tickrate, local_per_s) },
		{ "timerdiag_global_timer_interrupts_per_second",
		  "Measured global timer interrupts per second (IO-APIC timer, hpet, broadcast).",
		  offsetof(struct td_cpu_tickrate, has_global),
		  offsetof(struct td_cpu_tickrate, global_per_s) },
		{ "timerdiag_tick_interrupts_per_second",
		  "Measured interrupts that carried the CPU's tick per second.",
		  offsetof(struct td_cpu_tickrate, has_tick),
		  offsetof(struct td_cpu_tickrate, tick_per_s) },
		{ "timerdiag_timer_softirqs_per_second", "Measured TIMER softirqs per second.",
		  offsetof(struct td_cpu_tickrate, has_timer),
		  offsetof(struct td_cpu_tickrate, timer_softirq_per_s) },
		{ "timerdiag_hrtimer_softirqs_per_second", "Measured HRTIMER softirqs per second.",
		  offsetof(struct td_cpu_tickrate, has_hrtimer),
		  offsetof(struct td_cpu_tickrate, hrtimer_softirq_per_s) },
	};

	for (size_t k = 0; k < sizeof(fams) / sizeof(fams[0]); k++) {
		bool any = false;

		for (size_t i = 0; i < r->ncpus; i++)
			any |= *(const bool *)(const void *)((const char *)&r->cpus[i] + fams[k].has);
		if (!any)
			continue;
		family(f, fams[k].name, "gauge", fams[k].help);
		for (size_t i = 0; i < r->ncpus; i++) {
			const char *base = (const char *)&r->cpus[i];

			if (*(const bool *)(const void *)(base + fams[k].has))
				fprintf(f, "%s{cpu=\"%d\"} %.3f\n", fams[k].name, r->cpus[i].cpu,
				    *(const double *)(const void *)(base + fams[k].val));
		}
	}
}

/* Print every fact we have as metrics. */
int
ti_print_prometheus(FILE *f, const struct td_machine *m, const struct ti_extra *x)
{
	static const enum td_tick_mode modes[] = { TD_TICK_HIGHRES, TD_TICK_NOHZ_LOWRES,
	    TD_TICK_PERIODIC };

	family(f, "timerdiag_info", "gauge", "Kernel release and timer_list format (always 1).");
	fprintf(f, "timerdiag_info{release=\"");
	td_prom_label(f, m->si.has_release ? m->si.release : "");
	fprintf(f, "\",timer_list_version=\"");
	td_prom_label(f, m->tl && m->tl->has_version ? m->tl->version : "");
	fprintf(f, "\"} 1\n");
	family(f, "timerdiag_timer_list_readable", "gauge",
	    "1 when /proc/timer_list could be read (it needs root).");
	fprintf(f, "timerdiag_timer_list_readable %d\n", m->tl != NULL);
	if (m->hz > 0) {
		family(f, "timerdiag_hz", "gauge", "Kernel tick rate HZ.");
		fprintf(f, "timerdiag_hz{source=\"%s\"} %d\n", td_hz_source_name(m->hz_source), m->hz);
	}
	family(f, "timerdiag_cpus", "gauge", "CPUs reported.");
	fprintf(f, "timerdiag_cpus %zu\n", m->ncpus);
	if (m->tl != NULL) {
		family(f, "timerdiag_cpu_tick_mode", "gauge",
		    "1 for the tick mode each CPU runs in, 0 for the others.");
		for (size_t i = 0; i < m->ncpus; i++)
			for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
				fprintf(f, "timerdiag_cpu_tick_mode{cpu=\"%d\",mode=\"%s\"} %d\n",
				    m->cpus[i].cpu, td_tick_mode_name(modes[k]),
				    m->cpus[i].mode == modes[k]);
	}
	per_cpu(f, m, "timerdiag_cpu_nohz_active", "gauge", "1 when NOHZ is active.", get_nohz);
	per_cpu(f, m, "timerdiag_cpu_tick_stopped", "gauge", "1 when the tick is stopped now.",
	    get_stopped);
	per_cpu(f, m, "timerdiag_cpu_idle_calls_total", "counter", "Idle entries (tick_sched).",
	    get_calls);
	per_cpu(f, m, "timerdiag_cpu_idle_sleeps_total", "counter",
	    "Idle entries that stopped the tick.", get_sleeps);
	per_cpu(f, m, "timerdiag_cpu_hrtimer_events_total", "counter", "hrtimer interrupts.",
	    get_events);
	per_cpu(f, m, "timerdiag_cpu_hrtimer_hangs_total", "counter", "hrtimer interrupt hangs.",
	    get_hangs);
	per_cpu(f, m, "timerdiag_cpu_active_timers", "gauge", "Active hrtimers.", get_timers);
	if (m->res_min_ns >= 0) {
		family(f, "timerdiag_resolution_seconds", "gauge",
		    "Finest hrtimer clock base resolution.");
		fprintf(f, "timerdiag_resolution_seconds %.9f\n", (double)m->res_min_ns / 1e9);
	}
	if (m->cs.has_current) {
		family(f, "timerdiag_clocksource_current", "gauge", "The current clock source (1).");
		fprintf(f, "timerdiag_clocksource_current{name=\"");
		td_prom_label(f, m->cs.current);
		fprintf(f, "\"} 1\n");
	}
	if (m->cs.navailable > 0) {
		family(f, "timerdiag_clocksource_available", "gauge", "Available clock sources (1).");
		for (int i = 0; i < m->cs.navailable; i++) {
			fprintf(f, "timerdiag_clocksource_available{name=\"");
			td_prom_label(f, m->cs.available[i]);
			fprintf(f, "\"} 1\n");
		}
	}
	if (x->rates != NULL) {
		family(f, "timerdiag_tick_measure_seconds", "gauge", "Tick rate measuring period.");
		fprintf(f, "timerdiag_tick_measure_seconds %.3f\n", x->rates->period_s);
		rates(f, x->rates);
	}
	if (x->checks != NULL) {
		/* The state is the value: a label that changed with it would start a new series. */
		family(f, "timerdiag_check_state", "gauge",
		    "Check state: 0 ok, 1 info, 2 skipped (could not decide), 3 warning, 4 critical.");
		for (size_t i = 0; i < x->checks->n; i++)
			fprintf(f, "timerdiag_check_state{check=\"%s\"} %d\n", x->checks->c[i].id,
			    (int)x->checks->c[i].sev);
		family(f, "timerdiag_check_problem", "gauge",
		    "1 when a check found a problem, 0 when it passed; skipped checks are absent.");
		for (size_t i = 0; i < x->checks->n; i++) {
			const struct td_check *c = &x->checks->c[i];

			if (c->sev == TD_SEV_SKIPPED)
				continue;
			fprintf(f, "timerdiag_check_problem{check=\"%s\"} %d\n", c->id,
			    c->sev >= TD_SEV_WARNING);
		}
		family(f, "timerdiag_check_problems", "gauge", "Checks that found a problem.");
		fprintf(f, "timerdiag_check_problems %d\n", x->checks->problems);
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
