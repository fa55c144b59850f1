/* timerinfo's report for people: the verdict first, the evidence after. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timerinfo.h"

#define BOLD(o)		((o)->color ? "\033[1m" : "")
#define WARN(o)		((o)->color ? "\033[1;33m" : "")
#define RESET(o)	((o)->color ? "\033[0m" : "")

static const char *
unknown(const struct td_machine *m, char *buf, size_t len)
{
	const char *why = ti_tl_reason(m);

	snprintf(buf, len, "unknown (%s)", why ? TD_SAFE(why) : "not in this timer_list");
	return buf;
}

/* The one-line verdict. */
static void
verdict(FILE *f, const struct td_machine *m, const struct ti_opts *o)
{
	char buf[700];

	fprintf(f, "%s", BOLD(o));
	if (m->tl == NULL) {
		fprintf(f, "Tick mode %s", unknown(m, buf, sizeof(buf)));
	} else if (m->mode_mixed) {
		fprintf(f, "%sMixed tick modes across CPUs", WARN(o));
	} else if (m->mode == TD_TICK_HIGHRES) {
		fprintf(f, "High-resolution one-shot timers, %s",
		    m->nohz == 1 ? "tickless when idle (NOHZ)" :
		    m->nohz == 0 ? "tick never stopped (NOHZ inactive)" :
		    m->nohz == 2 ? "NOHZ on some CPUs only" : "NOHZ unknown");
	} else if (m->mode == TD_TICK_NOHZ_LOWRES) {
		fprintf(f, "%sTickless (NOHZ) at low resolution: no high-resolution timers",
		    WARN(o));
	} else if (m->mode == TD_TICK_PERIODIC) {
		fprintf(f, "%sPeriodic tick", WARN(o));
		if (m->hz > 0)
			fprintf(f, " at %d Hz", m->hz);
		fprintf(f, ": not tickless, low resolution");
	} else {
		fprintf(f, "Tick mode unknown (no event_handler or hrtimer fields in %s)",
		    TD_SAFE(m->tl_path));
	}
	if (m->ncpus > 0)
		fprintf(f, " on %s%zu CPU%s", m->ncpus > 1 ? "all " : "", m->ncpus,
		    m->ncpus > 1 ? "s" : "");
	fprintf(f, "%s\n", RESET(o));
}

static void
line_hz(FILE *f, const struct td_machine *m)
{
	fprintf(f, "  %-14s", "HZ");
	if (m->hz < 0) {
		fprintf(f, "unknown (%s)\n", td_machine_hz_why(m));
		return;
	}
	fprintf(f, "%d Hz (", m->hz);
	switch (m->hz_source) {
	case TD_HZ_CONFIG:
		fprintf(f, "CONFIG_HZ in %s", TD_SAFE(m->kc.path));
		break;
	case TD_HZ_JIFFIES:
		fprintf(f, "inferred from jiffies and uptime in timer_list");
		break;
	case TD_HZ_COARSE:
		fprintf(f, "inferred from the CLOCK_MONOTONIC_COARSE resolution");
		break;
	default:
		fprintf(f, "inferred from the low-resolution tick length");
		break;
	}
	if (m->hz_source == TD_HZ_CONFIG && m->hz_jiffies > 0)
		fprintf(f, m->hz_jiffies == m->hz ? "; jiffies agree" :
		    "; jiffies say %d Hz", m->hz_jiffies);
	fprintf(f, ")\n");
}

static void
line_resolution(FILE *f, const struct td_machine *m)
{
	char a[32], b[32], u[700];

	fprintf(f, "  %-14s", "Resolution");
	if (m->res_min_ns < 0)
		fprintf(f, "%s\n", unknown(m, u, sizeof(u)));
	else if (m->res_min_ns == m->res_max_ns)
		fprintf(f, "%s on every clock base%s\n", ti_fmt_ns(m->res_min_ns, a, sizeof(a)),
		    m->res_min_ns == 1 ? " (high resolution)" : " (one jiffy: low resolution)");
	else
		fprintf(f, "%s to %s across CPUs and clock bases\n",
		    ti_fmt_ns(m->res_min_ns, a, sizeof(a)), ti_fmt_ns(m->res_max_ns, b, sizeof(b)));
}

static void
line_clocksource(FILE *f, const struct td_machine *m)
{
	fprintf(f, "  %-14s", "Clocksource");
	if (!m->cs.has_current) {
		fprintf(f, "unknown (%s)\n", TD_SAFE(m->cs.why_missing));
		return;
	}
	/* Names read from sysfs, or from a tree someone sent. */
	td_text_puts(f, m->cs.current);
	if (m->cs.has_available) {
		fprintf(f, " (available:");
		for (int i = 0; i < m->cs.navailable; i++)
			fprintf(f, " %s", TD_SAFE(m->cs.available[i]));
		fprintf(f, ")");
	}
	fprintf(f, "\n");
}

static void
line_clockevents(FILE *f, const struct td_machine *m)
{
	const struct td_tl_tickdev *bc = m->tl ? td_tl_broadcast_device(m->tl) : NULL;
	const char *first = NULL;
	bool same = true;

	for (size_t i = 0; i < m->ncpus; i++) {
		const char *d = m->cpus[i].device;

		if (d == NULL)
			continue;
		if (first == NULL)
			first = d;
		else if (strcmp(first, d) != 0)
			same = false;
	}
	fprintf(f, "  %-14s", "Clock events");
	if (first == NULL)
		fprintf(f, "per-CPU device unknown");
	else if (same)
		fprintf(f, "%s per CPU", TD_SAFE(first));
	else
		fprintf(f, "differ per CPU (see below)");
	if (bc != NULL && bc->has_device)
		fprintf(f, "; broadcast %s", bc->device ? TD_SAFE(bc->device) : "none");
	else if (m->cs.has_broadcast)
		fprintf(f, "; broadcast %s", m->cs.broadcast[0] ? TD_SAFE(m->cs.broadcast) :
		    "none");
	fprintf(f, "\n");
}

static void
line_nohz(FILE *f, const struct td_machine *m)
{
	int64_t calls = 0, sleeps = 0;
	int on = 0, stopped = 0, known = 0, unknown_nohz = 0;
	char u[700];

	fprintf(f, "  %-14s", "NOHZ");
	if (m->tl == NULL || m->nohz < 0) {
		fprintf(f, "%s\n", unknown(m, u, sizeof(u)));
		return;
	}
	for (size_t i = 0; i < m->ncpus; i++) {
		const struct td_cpu_state *s = &m->cpus[i];

		on += s->nohz == 1;
		unknown_nohz += s->nohz < 0;
		if (s->tick_stopped >= 0)
			known++;
		stopped += s->tick_stopped == 1;
		if (calls >= 0 && s->idle_calls >= 0 && s->idle_sleeps >= 0) {
			calls += s->idle_calls;
			sleeps += s->idle_sleeps;
		} else
			calls = -1;
	}
	fprintf(f, "active on %d of %zu CPUs", on, m->ncpus);
	if (unknown_nohz > 0)
		fprintf(f, " (unknown on %d)", unknown_nohz);
	if (known > 0)
		fprintf(f, "; tick stopped now on %d", stopped);
	if (calls > 0)
		fprintf(f, "; idle sleeps %" PRId64 " of %" PRId64 " idle calls (%.0f%%)",
		    sleeps, calls, 100.0 * (double)sleeps / (double)calls);
	fprintf(f, "\n");
	if (m->si.has_nohz_full && td_cpuset_count(&m->si.nohz_full) > 0) {
		char list[256];

		fprintf(f, "  %-14s%s\n", "nohz_full", td_cpuset_format(&m->si.nohz_full, list,
		    sizeof(list)));
	}
}

/* Active hrtimers: unknown without CPU blocks, a lower bound where lines are elided. */
static void
line_timers(FILE *f, const struct td_machine *m)
{
	struct td_cpuset without;
	char list[256];

	fprintf(f, "  %-14s", "Timers");
	if (m->ntimers_cpus == 0) {
		fprintf(f, "unknown (no CPU block in this timer_list)\n");
		return;
	}
	fprintf(f, "%s%zu active hrtimers", m->tl->nelided > 0 ? "at least " : "", m->ntimers);
	if (m->ntimers_cpus < m->ncpus) {
		memset(&without, 0, sizeof(without));
		for (size_t i = 0; i < m->ncpus; i++)
			if (m->cpus[i].tl == NULL)
				td_cpuset_set(&without, m->cpus[i].cpu);
		fprintf(f, "; unknown on CPU %s (no CPU block in this timer_list)",
		    td_cpuset_format(&without, list, sizeof(list)));
	}
	if (m->tl->nelided > 0)
		fprintf(f, " (the file elides lines with \"...\")");
	fprintf(f, "\n");
}

/* "7585 (max 3.254 ms)", "0", or "?" when the timer_list does not say. */
static const char *
hangs_text(const struct td_cpu_state *s, char *buf, size_t len)
{
	if (s->nr_hangs < 0)
		return "?";
	if (s->nr_hangs == 0 || s->max_hang_time_ns < 0)
		snprintf(buf, len, "%" PRId64, s->nr_hangs);
	else
		snprintf(buf, len, "%" PRId64 " (max %.3f ms)", s->nr_hangs,
		    (double)s->max_hang_time_ns / 1e6);
	return buf;
}

/* The folded (or per-CPU) table. */
static void
cpu_table(FILE *f, const struct td_machine *m, const struct ti_opts *o)
{
	struct ti_group *g;
	int n = ti_group_cpus(m, o->cpus, &g);
	char list[256], res[64], a[32], b[32], hb[64];

	if (n <= 0) {
		free(g);
		return;
	}
	fprintf(f, "\n%s%-10s %-24s %-6s %-8s %-16s %-28s %-11s %s%s\n", BOLD(o), "CPUs",
	    "Tick mode", "NOHZ", "Stopped", "Device", "Handler", "Resolution", "Timers",
	    RESET(o));
	for (int i = 0; i < n; i++) {
		const struct td_cpu_state *s = g[i].first;
		char stopped[32];

		if (s->cpu < 0)
			strlcpy(list, "?", sizeof(list));	/* a fragment's cut-off "cpu: N" */
		else
			td_cpuset_format(&g[i].set, list, sizeof(list));
		if (s->res_min_ns < 0)
			strlcpy(res, "?", sizeof(res));
		else if (s->res_min_ns == s->res_max_ns)
			ti_fmt_ns(s->res_min_ns, res, sizeof(res));
		else
			snprintf(res, sizeof(res), "%s-%s", ti_fmt_ns(s->res_min_ns, a, sizeof(a)),
			    ti_fmt_ns(s->res_max_ns, b, sizeof(b)));
		if (g[i].stopped_known == 0)
			strlcpy(stopped, "?", sizeof(stopped));
		else if (g[i].ncpus == 1)
			strlcpy(stopped, g[i].stopped ? "yes" : "no", sizeof(stopped));
		else
			snprintf(stopped, sizeof(stopped), "%d of %d", g[i].stopped, g[i].ncpus);
		fprintf(f, "%-10s %-24s %-6s %-8s %-16s %-28s %-11s ", list,
		    ti_mode_human(s->mode),
		    s->nohz == 1 ? "yes" : s->nohz == 0 ? "no" : "?", stopped,
		    s->device ? TD_SAFE(s->device) : "?", s->handler ? TD_SAFE(s->handler) : "?",
		    res);
		if (s->tl != NULL)
			fprintf(f, "%zu", g[i].ntimers);
		else
			fprintf(f, "?");
		if (s->nohz_full)
			fprintf(f, "  nohz_full");
		fprintf(f, "\n");
		if (o->cpus && s->tl != NULL) {
			fprintf(f, "%-10s idle calls %s, idle sleeps %s, hrtimer events %s, "
			    "retries %s, hangs %s\n", "",
			    s->idle_calls >= 0 ? (snprintf(a, sizeof(a), "%" PRId64, s->idle_calls), a) : "?",
			    s->idle_sleeps >= 0 ? (snprintf(b, sizeof(b), "%" PRId64, s->idle_sleeps), b) : "?",
			    s->nr_events >= 0 ? (snprintf(list, sizeof(list), "%" PRId64, s->nr_events), list) : "?",
			    s->nr_retries >= 0 ? (snprintf(res, sizeof(res), "%" PRId64, s->nr_retries), res) : "?",
			    hangs_text(s, hb, sizeof(hb)));
		}
	}
	free(g);
}

/* Active timers, with -t. */
static void
timer_table(FILE *f, const struct td_machine *m, const struct ti_opts *o)
{
	char in[32], slack[32];

	fprintf(f, "\n%s%-4s %-15s %-32s %-14s %-12s %s%s\n", BOLD(o), "CPU", "Clock",
	    "Function", "Expires in", "Slack", "Armed by", RESET(o));
	if (m->tl == NULL) {
		fprintf(f, "(active timers unknown: %s)\n", TD_SAFE(ti_tl_reason(m)));
		return;
	}
	for (size_t i = 0; i < m->tl->ncpus; i++) {
		const struct td_tl_cpu *c = &m->tl->cpus[i];

		for (size_t b = 0; b < c->nbases; b++) {
			const struct td_tl_base *base = &c->bases[b];

			for (size_t t = 0; t < base->ntimers; t++) {
				const struct td_tl_timer *tm = &base->timers[t];
				const struct td_tl_timer_extra *x = td_tl_timer_extra(m->tl, tm);

				if (td_tl_timer_never(tm)) {
					strlcpy(in, "never", sizeof(in));	/* KTIME_MAX */
					ti_fmt_ns(td_tl_timer_slack_ns(tm), slack, sizeof(slack));
				} else if (tm->has_expiry) {
					ti_fmt_ns(tm->rel_soft_ns, in, sizeof(in));
					ti_fmt_ns(td_tl_timer_slack_ns(tm), slack, sizeof(slack));
				} else {
					strlcpy(in, "?", sizeof(in));
					strlcpy(slack, "?", sizeof(slack));
				}
				if (c->cpu >= 0)
					fprintf(f, "%-4d ", c->cpu);
				else
					fprintf(f, "%-4s ", "?");
				fprintf(f, "%-15s %-32s %-14s %-12s",
				    ti_base_name(m->tl, base),
				    tm->function ? TD_SAFE(tm->function) : "?",
				    in, tm->has_range ? slack : "-");
				if (x->comm != NULL)
					fprintf(f, " %s/%d%s%s", TD_SAFE(x->comm), x->pid,
					    x->start_site ? " " : "",
					    x->start_site ? TD_SAFE(x->start_site) : "");
				fprintf(f, "\n");
			}
		}
	}
}

static void
posix_clocks(FILE *f, const struct td_machine *m, const struct ti_opts *o)
{
	char r[32];

	if (!m->has_clocks)
		return;
	fprintf(f, "\n%sPOSIX clocks (clock_getres)%s\n", BOLD(o), RESET(o));
	for (int i = 0; i < TD_NCLOCKS; i++)
		fprintf(f, "  %-26s %s\n", m->clocks[i].name, m->clocks[i].ok ?
		    ti_fmt_ns(m->clocks[i].res_ns, r, sizeof(r)) : "not available");
}

/* Print the whole report. */
void
ti_print_text(FILE *f, const struct td_machine *m, const struct ti_opts *o)
{
	char unknown[64];

	verdict(f, m, o);
	line_hz(f, m);
	line_resolution(f, m);
	line_nohz(f, m);
	line_clocksource(f, m);
	line_clockevents(f, m);
	if (m->tl != NULL)
		line_timers(f, m);
	if (m->tsc.known) {
		fprintf(f, "  %-14s%s", "TSC", m->tsc.tsc ? "present" : "absent");
		if (m->tsc.tsc)
			fprintf(f, "%s%s%s%s", m->tsc.constant_tsc ? ", constant" : ", not constant",
			    m->tsc.nonstop_tsc ? ", nonstop" : ", stops in deep idle",
			    m->tsc.tsc_reliable ? ", reliable" : "",
			    m->tsc.tsc_known_freq ? ", known frequency" : "");
		fprintf(f, "\n");
	}
	snprintf(unknown, sizeof(unknown), "unknown%s%s%s", m->absent ? " (" : "",
	    m->absent ? m->absent : "", m->absent ? ")" : "");
	fprintf(f, "  %-14s%s%s%s", "Kernel", m->si.has_release ? TD_SAFE(m->si.release) :
	    unknown,
	    m->si.machine[0] || m->arch ? " " : "",
	    m->si.machine[0] ? TD_SAFE(m->si.machine) : m->arch ? m->arch : "");
	if (m->tl != NULL && m->tl->has_version)
		fprintf(f, ", timer_list %s%s", TD_SAFE(m->tl->version),
		    m->tl->version_future ? " (newer than this timerinfo knows)" : "");
	if (m->tl != NULL && m->tl->truncated)
		fprintf(f, " (truncated)");
	if (m->tl != NULL && m->tl->nelided > 0)
		fprintf(f, " (%ld line%s elided with \"...\")", m->tl->nelided,
		    m->tl->nelided > 1 ? "s" : "");
	fprintf(f, "\n");
	cpu_table(f, m, o);
	if (o->timers)
		timer_table(f, m, o);
	posix_clocks(f, m, o);
}
