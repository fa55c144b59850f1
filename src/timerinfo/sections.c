/* timerinfo's --ticks, --events and --check sections for people. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softirqs.h"
#include "timerinfo.h"

#define BOLD(o)		((o)->color ? "\033[1m" : "")
#define RESET(o)	((o)->color ? "\033[0m" : "")

/* Say plainly what a tick interrupt rate means. */
static const char *
rate_class(double per_s, int hz)
{
	if (hz <= 0)
		return per_s < 1 ? "below 1/s" : "";
	if (per_s < 0.1 * hz)
		return "far below HZ: the tick stops when idle";
	if (per_s < 0.8 * hz)
		return "below HZ: the tick stops part of the time";
	if (per_s <= 1.2 * hz)
		return "about HZ: ticking every jiffy";
	return "above HZ: more timer interrupts than ticks";
}

/* Say what a CPU's tick rate means, from the interrupts that carry its tick. */
const char *
ti_tick_meaning(const struct td_cpu_tickrate *t, int hz, char *buf, size_t len)
{
	if (t->source == TD_TICK_SOURCE_GLOBAL && !t->has_tick)
		snprintf(buf, len, "cannot tell: the tick comes from %s, which has no row in "
		    "/proc/interrupts", t->source_device);
	else if (!t->has_tick)
		snprintf(buf, len, "%s", "");
	else if (t->source == TD_TICK_SOURCE_GLOBAL)
		snprintf(buf, len, "%s (tick from %s)", rate_class(t->tick_per_s, hz),
		    t->source_device);
	else
		snprintf(buf, len, "%s", rate_class(t->tick_per_s, hz));
	return buf;
}

static void
rate(FILE *f, bool has, double v)
{
	char b[32];

	if (has)
		snprintf(b, sizeof(b), "%.1f", v);
	else
		strlcpy(b, "?", sizeof(b));
	fprintf(f, " %10s", b);
}

/* The tick mode timer_list gives a CPU. */
static enum td_tick_mode
cpu_mode(const struct td_machine *m, int cpu)
{
	for (size_t k = 0; k < m->ncpus; k++)
		if (m->cpus[k].cpu == cpu)
			return m->cpus[k].mode;
	return TD_TICK_UNKNOWN;
}

/* A rate column of folded CPUs: "lo-hi", "?" when unknown. */
static void
rate_range(FILE *f, bool has, double lo, double hi)
{
	char b[40];

	snprintf(b, sizeof(b), "%.1f-%.1f", lo, hi);
	fprintf(f, " %10s", has ? b : "?");
}

/* The measured tick rates, CPUs with the same mode and meaning folded. */
void
ti_print_ticks(FILE *f, const struct td_machine *m, const struct ti_extra *x,
    const struct ti_opts *o)
{
	const struct td_tickrates *r = x->rates;
	bool *done;

	fprintf(f, "%sTick rates%s", BOLD(o), RESET(o));
	if (r == NULL) {
		fprintf(f, ": unknown (%s)\n", TD_SAFE(x->rates_why));
		return;
	}
	fprintf(f, " over %.1f s: local timer interrupts from %s, ", r->period_s,
	    r->local_row[0] ? TD_SAFE(r->local_row) : "(none on this machine)");
	if (r->global_rows[0])
		fprintf(f, "global timer interrupts from %s, ", TD_SAFE(r->global_rows));
	fprintf(f, "TIMER and HRTIMER softirqs\n");
	if (!r->local_row[0])
		fprintf(f, "  (%s)\n", TD_SAFE(r->why_no_local));
	fprintf(f, "%s%-10s %-24s %10s %10s %10s %10s %6s  %s%s\n", BOLD(o), "CPUs",
	    "Tick mode", "local/s", "global/s", "TIMER/s", "HRTIMER/s", "idle", "meaning",
	    RESET(o));
	done = calloc(r->ncpus ? r->ncpus : 1, sizeof(*done));
	for (size_t i = 0; done != NULL && i < r->ncpus; i++) {
		const struct td_cpu_tickrate *t = &r->cpus[i];
		enum td_tick_mode mode = cpu_mode(m, t->cpu);
		char cls[160], ucls[160], list[256], idle[16] = "?";
		struct td_cpuset set;
		double lo = t->local_per_s, hi = t->local_per_s;
		double glo = t->global_per_s, ghi = t->global_per_s;
		int n = 0;

		if (done[i])
			continue;
		ti_tick_meaning(t, m->hz, cls, sizeof(cls));
		td_cpuset_zero(&set);
		/* Fold later CPUs of the same mode and meaning, unless -c. */
		for (size_t j = i; j < r->ncpus; j++) {
			const struct td_cpu_tickrate *u = &r->cpus[j];

			if (done[j] || (j != i && o->cpus))
				continue;
			if (j != i && (cpu_mode(m, u->cpu) != mode ||
			    u->has_local != t->has_local || u->has_global != t->has_global ||
			    strcmp(ti_tick_meaning(u, m->hz, ucls, sizeof(ucls)), cls) != 0))
				continue;
			done[j] = true;
			td_cpuset_set(&set, u->cpu);
			lo = u->local_per_s < lo ? u->local_per_s : lo;
			hi = u->local_per_s > hi ? u->local_per_s : hi;
			glo = u->global_per_s < glo ? u->global_per_s : glo;
			ghi = u->global_per_s > ghi ? u->global_per_s : ghi;
			n++;
		}
		td_cpuset_format(&set, list, sizeof(list));
		if (t->has_idle && n == 1)
			snprintf(idle, sizeof(idle), "%.0f%%", 100 * t->idle_share);
		fprintf(f, "%-10s %-24s", list, ti_mode_human(mode));
		if (n == 1) {
			rate(f, t->has_local, t->local_per_s);
			rate(f, t->has_global, t->global_per_s);
			rate(f, t->has_timer, t->timer_softirq_per_s);
			rate(f, t->has_hrtimer, t->hrtimer_softirq_per_s);
		} else {
			rate_range(f, t->has_local, lo, hi);
			rate_range(f, t->has_global, glo, ghi);
			fprintf(f, " %10s %10s", "", "");
		}
		fprintf(f, " %6s  %s\n", idle, cls);
	}
	free(done);
	if (m->hz > 0)
		fprintf(f, "HZ is %d: a CPU that ticks every jiffy takes about %d timer "
		    "interrupts per second.\n", m->hz, m->hz);
}

/* The kernel log's timer events, in log order. */
void
ti_print_events(FILE *f, const struct ti_extra *x, const struct ti_opts *o)
{
	const struct td_kmsg_events *ev = x->events;

	fprintf(f, "%sKernel log timer events%s", BOLD(o), RESET(o));
	if (ev == NULL) {
		fprintf(f, ": unknown (%s)\n", TD_SAFE(x->events_why));
		return;
	}
	fprintf(f, " (%s): %zu\n", TD_SAFE(x->events_source), ev->n);
	for (size_t i = 0; i < ev->n; i++) {
		const struct td_kmsg_event *e = &ev->ev[i];
		char ts[32] = "";

		if (e->has_ts)
			snprintf(ts, sizeof(ts), "%s%" PRId64 ".%06" PRId64, e->ts_relative ? "+" : "",
			    e->ts_ns / 1000000000, (e->ts_ns % 1000000000) / 1000);
		fprintf(f, "[%12s] %-24s ", ts, td_kmsg_event_kind_name(e->kind));
		/* The message may hold any byte: control bytes and invalid UTF-8 escaped. */
		td_text_write(f, e->text, e->text_len);
		if (e->kind == TD_KEV_NOHZ_SOFTIRQ_PENDING && (e->have & TD_KEV_HAVE_COUNT)) {
			char names[128];

			fprintf(f, " (pending: %s)", td_softirq_mask_format((uint64_t)e->count,
			    names, sizeof(names)));
		}
		fputc('\n', f);
	}
}

/* The verdicts, problems first. */
void
ti_print_checks(FILE *f, const struct ti_extra *x, const struct ti_opts *o)
{
	static const enum td_severity order[] = { TD_SEV_CRITICAL, TD_SEV_WARNING,
	    TD_SEV_SKIPPED, TD_SEV_INFO, TD_SEV_OK };
	const struct td_checks *c = x->checks;
	int ok = 0, skipped = 0;

	for (size_t i = 0; i < c->n; i++) {
		ok += c->c[i].sev == TD_SEV_OK || c->c[i].sev == TD_SEV_INFO;
		skipped += c->c[i].sev == TD_SEV_SKIPPED;
	}
	fprintf(f, "%s%d problem%s found%s, %d check%s passed, %d not checked\n",
	    c->problems && o->color ? "\033[1;33m" : BOLD(o), c->problems,
	    c->problems == 1 ? "" : "s", RESET(o), ok, ok == 1 ? "" : "s", skipped);
	for (size_t s = 0; s < sizeof(order) / sizeof(order[0]); s++)
		for (size_t i = 0; i < c->n; i++) {
			const struct td_check *k = &c->c[i];

			if (k->sev != order[s])
				continue;
			/* Messages and evidence quote names and kernel log lines. */
			fprintf(f, "%-8s %-22s %s\n", td_severity_name(k->sev), k->id,
			    TD_SAFE(k->message));
			if (k->evidence[0]) {
				fprintf(f, "%-8s %-22s evidence: ", "", "");
				td_text_puts(f, k->evidence);
				fputc('\n', f);
			}
			if (k->advice[0] && k->sev != TD_SEV_OK)
				fprintf(f, "%-8s %-22s advice: %s\n", "", "", TD_SAFE(k->advice));
		}
}
