/*
 * timerinfo --format=prometheus: text exposition for node_exporter's textfile
 * collector, named the way node_exporter names things: base units (seconds,
 * hertz), _total counters for what the kernel counts (rate() makes them rates),
 * gauges for states, one series per check with its state as the value.  Facts
 * node_exporter exports itself (kernel release, clock sources, timex) are left
 * to it.  Unknown values are left out, never written as 0.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "timerinfo.h"

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A per-CPU fact: -1 when unknown. */
typedef int64_t (*cpu_get)(const struct td_cpu_state *);

static int64_t get_nohz(const struct td_cpu_state *s) { return s->nohz; }
static int64_t get_stopped(const struct td_cpu_state *s) { return s->tick_stopped; }
static int64_t get_calls(const struct td_cpu_state *s) { return s->idle_calls; }
static int64_t get_sleeps(const struct td_cpu_state *s) { return s->idle_sleeps; }
static int64_t get_events(const struct td_cpu_state *s) { return s->nr_events; }
static int64_t get_retries(const struct td_cpu_state *s) { return s->nr_retries; }
static int64_t get_hangs(const struct td_cpu_state *s) { return s->nr_hangs; }
static int64_t get_max_hang(const struct td_cpu_state *s) { return s->max_hang_time_ns; }
static int64_t get_timers(const struct td_cpu_state *s)
{
	return s->tl != NULL ? (int64_t)s->ntimers : -1;
}

/* The per-CPU families from timer_list; a scale of 1e-9 turns nanoseconds into seconds. */
static const struct cpu_family {
	const char	*name, *type, *help;
	cpu_get		 get;
	double		 scale;
} cpu_families[] = {
	{ "timerdiag_cpu_nohz_active", "gauge",
	  "1 when NOHZ (the tick stopping in idle) is active on the CPU, 0 when not.",
	  get_nohz, 0 },
	{ "timerdiag_cpu_tick_stopped", "gauge",
	  "1 when the CPU's tick is stopped now, 0 when it runs.", get_stopped, 0 },
	{ "timerdiag_cpu_idle_calls_total", "counter",
	  "Idle entries of the CPU (timer_list idle_calls).", get_calls, 0 },
	{ "timerdiag_cpu_idle_sleeps_total", "counter",
	  "Idle entries that stopped the CPU's tick (timer_list idle_sleeps).", get_sleeps, 0 },
	{ "timerdiag_cpu_hrtimer_events_total", "counter",
	  "hrtimer interrupts handled by the CPU (timer_list nr_events).", get_events, 0 },
	{ "timerdiag_cpu_hrtimer_retries_total", "counter",
	  "hrtimer interrupts that looped again (timer_list nr_retries).", get_retries, 0 },
	{ "timerdiag_cpu_hrtimer_hangs_total", "counter",
	  "hrtimer interrupt hangs (timer_list nr_hangs).", get_hangs, 0 },
	{ "timerdiag_cpu_hrtimer_max_hang_seconds", "gauge",
	  "Longest hrtimer interrupt hang since boot (timer_list max_hang_time).",
	  get_max_hang, 1e-9 },
	{ "timerdiag_cpu_active_hrtimers", "gauge",
	  "Active hrtimers queued on the CPU (timer_list).", get_timers, 0 },
};

/* Per-CPU metric; CPUs whose value is unknown are left out, never 0. */
static void
per_cpu(FILE *f, const struct td_machine *m, const struct cpu_family *fam)
{
	bool any = false;

	for (size_t i = 0; i < m->ncpus; i++)
		any |= fam->get(&m->cpus[i]) >= 0 && m->cpus[i].cpu >= 0;
	if (!any)
		return;
	family(f, fam->name, fam->type, fam->help);
	for (size_t i = 0; i < m->ncpus; i++) {
		int64_t v = fam->get(&m->cpus[i]);

		if (v < 0 || m->cpus[i].cpu < 0)	/* a fragment's CPU has no number */
			continue;
		if (fam->scale > 0)
			fprintf(f, "%s{cpu=\"%d\"} %.9f\n", fam->name, m->cpus[i].cpu,
			    (double)v * fam->scale);
		else
			fprintf(f, "%s{cpu=\"%d\"} %" PRId64 "\n", fam->name, m->cpus[i].cpu, v);
	}
}

/* Each CPU's tick mode as a state set: 1 for the mode it runs in, 0 for the others. */
static void
tick_modes(FILE *f, const struct td_machine *m)
{
	static const enum td_tick_mode modes[] = { TD_TICK_HIGHRES, TD_TICK_NOHZ_LOWRES,
	    TD_TICK_PERIODIC };
	bool any = false;

	for (size_t i = 0; i < m->ncpus; i++)
		any |= m->cpus[i].mode != TD_TICK_UNKNOWN && m->cpus[i].cpu >= 0;
	if (!any)
		return;
	family(f, "timerdiag_cpu_tick_mode", "gauge",
	    "1 for the tick mode the CPU runs in (highres, nohz_lowres, periodic), 0 for the others.");
	for (size_t i = 0; i < m->ncpus; i++) {
		if (m->cpus[i].mode == TD_TICK_UNKNOWN || m->cpus[i].cpu < 0)
			continue;
		for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
			fprintf(f, "timerdiag_cpu_tick_mode{cpu=\"%d\",mode=\"%s\"} %d\n",
			    m->cpus[i].cpu, td_tick_mode_name(modes[k]), m->cpus[i].mode == modes[k]);
	}
}

/* Each CPU's clock event device (the one that carries its tick) as an info metric. */
static void
devices(FILE *f, const struct td_machine *m)
{
	bool any = false;

	for (size_t i = 0; i < m->ncpus; i++)
		any |= m->cpus[i].device != NULL && m->cpus[i].cpu >= 0;
	if (!any)
		return;
	family(f, "timerdiag_cpu_clockevent_device_info", "gauge",
	    "The CPU's clock event device, the one that carries its tick (always 1).");
	for (size_t i = 0; i < m->ncpus; i++) {
		if (m->cpus[i].device == NULL || m->cpus[i].cpu < 0)
			continue;
		fprintf(f, "timerdiag_cpu_clockevent_device_info{cpu=\"%d\",device=\"",
		    m->cpus[i].cpu);
		td_prom_label(f, m->cpus[i].device);
		fprintf(f, "\"} 1\n");
	}
}

/* nohz_full CPUs: 1 or 0 for every CPU, when the kernel says which ones are. */
static void
nohz_full(FILE *f, const struct td_machine *m)
{
	if (!m->si.has_nohz_full || m->ncpus == 0)
		return;
	family(f, "timerdiag_cpu_nohz_full", "gauge",
	    "1 when the CPU is in the nohz_full set (its tick may stop while a task runs), 0 when not.");
	for (size_t i = 0; i < m->ncpus; i++)
		if (m->cpus[i].cpu >= 0)
			fprintf(f, "timerdiag_cpu_nohz_full{cpu=\"%d\"} %d\n", m->cpus[i].cpu,
			    m->cpus[i].nohz_full);
}

/*
 * Timer interrupt counts per CPU from /proc/interrupts: the local timer row
 * (LOC, arch_timer, riscv-timer) and the sum of the global and broadcast timer
 * rows (IO-APIC timer, hpet, broadcast IPIs), by the rules --ticks uses.
 */
static void
interrupts(FILE *f, const struct td_interrupts *s)
{
	int row = td_interrupts_local_timer(s);
	bool header = false;

	for (int i = 0; row >= 0 && i < s->ncpus; i++) {
		uint64_t v;

		if (td_interrupts_count(s, &s->rows[row], s->cpus[i], &v) < 0)
			continue;
		if (!header)
			family(f, "timerdiag_cpu_local_timer_interrupts_total", "counter",
			    "Local timer interrupts of the CPU (/proc/interrupts LOC, arch_timer or riscv-timer).");
		header = true;
		fprintf(f, "timerdiag_cpu_local_timer_interrupts_total{cpu=\"%d\"} %" PRIu64 "\n",
		    s->cpus[i], v);
	}
	header = false;
	for (int i = 0; i < s->ncpus; i++) {
		uint64_t sum = 0, v;
		bool known = false;

		for (size_t n = 0; n < s->nrows; n++) {
			const struct td_irq_row *r = &s->rows[n];

			if (r->total_only || !td_irq_is_global_timer(r->desc, r->actions) ||
			    td_interrupts_count(s, r, s->cpus[i], &v) < 0)
				continue;
			sum += v;
			known = true;
		}
		if (!known)
			continue;
		if (!header)
			family(f, "timerdiag_cpu_global_timer_interrupts_total", "counter",
			    "Global and broadcast timer interrupts taken by the CPU (/proc/interrupts IO-APIC timer, hpet, broadcast rows).");
		header = true;
		fprintf(f, "timerdiag_cpu_global_timer_interrupts_total{cpu=\"%d\"} %" PRIu64 "\n",
		    s->cpus[i], sum);
	}
}

/* A check's state as one number: 0 ok, 1 warning, 2 critical, -1 could not decide. */
static int
check_status(enum td_severity sev)
{
	switch (sev) {
	case TD_SEV_SKIPPED:
		return -1;
	case TD_SEV_WARNING:
		return 1;
	case TD_SEV_CRITICAL:
		return 2;
	default:
		return 0;	/* ok, info */
	}
}

/* Print every fact we have as metrics. */
int
ti_print_prometheus(FILE *f, const struct td_machine *m, const struct ti_extra *x)
{
	family(f, "timerdiag_build_info", "gauge",
	    "The timerdiag version that wrote these metrics (always 1).");
	fprintf(f, "timerdiag_build_info{version=\"");
	td_prom_label(f, PACKAGE_VERSION);
	fprintf(f, "\"} 1\n");
	family(f, "timerdiag_timer_list_readable", "gauge",
	    "1 when /proc/timer_list could be read (it needs root), 0 when not.");
	fprintf(f, "timerdiag_timer_list_readable %d\n", m->tl != NULL);
	if (m->hz > 0) {
		family(f, "timerdiag_tick_rate_hertz", "gauge",
		    "The kernel's tick rate HZ (CONFIG_HZ, else inferred from timer_list or the coarse clocks).");
		fprintf(f, "timerdiag_tick_rate_hertz %d\n", m->hz);
	}
	if (m->res_min_ns >= 0) {
		family(f, "timerdiag_hrtimer_resolution_seconds", "gauge",
		    "Finest hrtimer clock base resolution (1e-09 with high resolution timers, one jiffy without).");
		fprintf(f, "timerdiag_hrtimer_resolution_seconds %.9f\n", (double)m->res_min_ns / 1e9);
	}
	tick_modes(f, m);
	devices(f, m);
	nohz_full(f, m);
	for (size_t k = 0; k < sizeof(cpu_families) / sizeof(cpu_families[0]); k++)
		per_cpu(f, m, &cpu_families[k]);
	if (x->irqs != NULL)
		interrupts(f, x->irqs);
	if (x->checks != NULL) {
		/* The state is the value: a label that changed with it would start a new series. */
		family(f, "timerdiag_check_status", "gauge",
		    "State of each timerinfo --check check: 0 ok, 1 warning, 2 critical, -1 could not decide (e.g. without root).");
		for (size_t i = 0; i < x->checks->n; i++)
			fprintf(f, "timerdiag_check_status{check=\"%s\"} %d\n", x->checks->c[i].id,
			    check_status(x->checks->c[i].sev));
		family(f, "timerdiag_check_problems", "gauge",
		    "Checks that found a problem (status 1 or 2).");
		fprintf(f, "timerdiag_check_problems %d\n", x->checks->problems);
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
