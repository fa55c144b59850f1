/* timerprobe: the report, as text for people and as JSON for scripts. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cpumask.h"
#include "json.h"
#include "probe.h"

#define SCHEMA_VERSION	2	/* 2: doc/json.md (tool, null + "unknown", per_cpu) */
#define BAR_WIDTH	40

/* The short name of a probed clock. */
const char *
probe_clock_name(clockid_t c)
{
	switch (c) {
	case CLOCK_REALTIME:
		return "realtime";
	case CLOCK_BOOTTIME:
		return "boottime";
	default:
		return "monotonic";
	}
}

/* The C name of a probed clock. */
const char *
probe_clock_macro(clockid_t c)
{
	switch (c) {
	case CLOCK_REALTIME:
		return "CLOCK_REALTIME";
	case CLOCK_BOOTTIME:
		return "CLOCK_BOOTTIME";
	default:
		return "CLOCK_MONOTONIC";
	}
}

/* Format a duration with three significant digits and its unit. */
const char *
probe_fmt_ns(char *buf, size_t len, int64_t ns)
{
	double a = ns < 0 ? -(double)ns : (double)ns;

	if (a < 1000)
		snprintf(buf, len, "%" PRId64 " ns", ns);
	else if (a < 999500)
		snprintf(buf, len, "%.3g us", (double)ns / 1e3);
	else if (a < 999500000)
		snprintf(buf, len, "%.3g ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", (double)ns / 1e9);
	return buf;
}

/* Why a run ended, in words. */
static const char *
stop_name(enum probe_stop s)
{
	switch (s) {
	case STOP_DURATION:
		return "duration";
	case STOP_LIMIT:
		return "sample_limit";
	case STOP_SIGNAL:
		return "signal";
	case STOP_BREAK:
		return "break";
	default:
		return "count";
	}
}

/* The mode as run: "clock_nanosleep" or "interval-meter". */
static const char *
mode_name(const struct probe_opts *o)
{
	return o->meter ? "interval-meter" : probe_modes[o->mode].name;
}

/* The histogram as rows of bars. */
static void
text_histogram(const struct probe_result *r)
{
	struct td_latency_bucket b[TD_LATENCY_MAX_BUCKETS];
	uint64_t most = 0;
	size_t nb;
	char lo[32], hi[32];

	nb = td_latency_histogram(r->lat.v, r->lat.n, b, TD_LATENCY_MAX_BUCKETS);
	for (size_t i = 0; i < nb; i++)
		if (b[i].count > most)
			most = b[i].count;
	for (size_t i = 0; i < nb; i++) {
		int w = most ? (int)((b[i].count * BAR_WIDTH + most - 1) / most) : 0;

		probe_fmt_ns(lo, sizeof(lo), b[i].lo_ns);
		if (b[i].hi_ns == INT64_MAX)
			snprintf(hi, sizeof(hi), "%s", "more");
		else
			probe_fmt_ns(hi, sizeof(hi), b[i].hi_ns);
		printf("  %9s .. %-9s %9" PRIu64 " %.*s\n", lo, hi, b[i].count, w,
		    "########################################");
	}
}

/* Print the report for people: verdict first, evidence after. */
void
probe_report_text(const struct probe_opts *o, const struct probe_env *env,
    const struct probe_advert *a, const struct probe_result *r,
    const struct td_latency_summary *s, const char *verdict)
{
	const struct mode_info *m = &probe_modes[o->mode];
	char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], b7[32];

	printf("verdict: %s\n", verdict);
	if (o->meter)
		printf("mode:       interval meter, periodic timerfd on %s every %s\n",
		    probe_clock_macro(o->clock), probe_fmt_ns(b1, sizeof(b1), o->interval_ns));
	else
		printf("mode:       %s (%s%s%s), interval %s\n", m->name, m->call,
		    m->has_abs ? (o->absolute ? ", absolute" : ", relative") : "",
		    m->has_clock ? (o->clock == CLOCK_BOOTTIME ? ", CLOCK_BOOTTIME" :
		    o->clock == CLOCK_REALTIME ? ", CLOCK_REALTIME" : ", CLOCK_MONOTONIC") : "",
		    probe_fmt_ns(b1, sizeof(b1), o->interval_ns));
	printf("%-11s %zu in %s (stopped by %s)\n", o->meter ? "reads:" : "wake-ups:",
	    s->count, probe_fmt_ns(b1, sizeof(b1), r->elapsed_ns), stop_name(r->stop));
	if (r->has_overruns)
		printf("overruns:   %" PRIu64 "\n", r->overruns);
	else if (!o->meter)
		printf("overruns:   n/a (relative sleeps have no period to miss)\n");
	printf("slack:      task %s, applied by the kernel %s\n",
	    probe_fmt_ns(b1, sizeof(b1), env->slack_ns),
	    probe_fmt_ns(b2, sizeof(b2), env->applied_slack_ns));
	printf("settings:   %s%s, cpu %s%s\n", env->rt ? "SCHED_FIFO " : "SCHED_OTHER",
	    env->rt ? (snprintf(b1, sizeof(b1), "%d", o->fifo), b1) : "",
	    o->has_cpus ? td_cpuset_format(&o->cpus, b2, sizeof(b2)) :
	    o->cpu >= 0 ? (snprintf(b2, sizeof(b2), "%d", o->cpu), b2) : "any",
	    o->dma_latency ? ", /dev/cpu_dma_latency held at 0" : "");
	printf("advertised: clock_getres %s; timer_list resolution %s\n",
	    a->getres_ns >= 0 ? probe_fmt_ns(b1, sizeof(b1), a->getres_ns) : "unknown",
	    a->has_tl_res ? probe_fmt_ns(b2, sizeof(b2), a->tl_res_ns) : a->tl_absent);
	if (o->meter && s->count > 0) {
		printf("timer:      %" PRIu64 " expirations = %s; clock delta %s "
		    "(between %s and %s counting the reads themselves)\n",
		    r->expirations,
		    probe_fmt_ns(b1, sizeof(b1), (int64_t)r->expirations * o->interval_ns),
		    probe_fmt_ns(b2, sizeof(b2), r->clock_delta_ns),
		    probe_fmt_ns(b3, sizeof(b3), r->clock_delta_min_ns),
		    probe_fmt_ns(b4, sizeof(b4), r->clock_delta_max_ns));
		printf("per read:   %" PRIu64 " to %" PRIu64 " expirations; a read every %s "
		    "(%s)\n", r->exp_min, r->exp_max,
		    probe_fmt_ns(b1, sizeof(b1), r->clock_delta_ns / (int64_t)s->count),
		    r->meter_paced ? "paced by clock_nanosleep, --read-every" :
		    "blocking reads of the meter itself");
		if (r->has_loc)
			printf("interrupts: %" PRIu64 " local timer interrupts on CPU %d over "
			    "%zu reads (%.2f per read)\n", r->loc_delta, r->meter_cpu, s->count,
			    (double)r->loc_delta / (double)s->count);
		else
			printf("interrupts: unknown (no local timer row in /proc/interrupts)\n");
	}
	if (r->cpu_time_ns >= 0 && s->count > 0 && r->elapsed_ns > 0)
		printf("own CPU:    %s per %s, %.2f %% of one CPU\n",
		    probe_fmt_ns(b1, sizeof(b1), r->cpu_time_ns / (int64_t)s->count),
		    o->meter ? "read" : "wake-up",
		    100.0 * (double)r->cpu_time_ns / (double)r->elapsed_ns);
	if (s->count == 0) {
		printf("%-11s none measured\n", o->meter ? "mismatch:" : "latency:");
		return;
	}
	printf("%-11s min %s  mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
	    o->meter ? "mismatch:" : "latency:",
	    probe_fmt_ns(b1, sizeof(b1), s->min_ns), probe_fmt_ns(b2, sizeof(b2), s->mean_ns),
	    probe_fmt_ns(b3, sizeof(b3), s->p50_ns), probe_fmt_ns(b4, sizeof(b4), s->p90_ns),
	    probe_fmt_ns(b5, sizeof(b5), s->p99_ns), probe_fmt_ns(b6, sizeof(b6), s->p999_ns),
	    probe_fmt_ns(b7, sizeof(b7), s->max_ns));
	if (r->overhead_n > 0)
		printf("overhead:   %s per sample in timerprobe's own loop (%s)\n",
		    probe_fmt_ns(b1, sizeof(b1),
		    r->overhead_sum_ns / (int64_t)r->overhead_n),
		    o->meter && r->meter_paced ? "the read() itself" :
		    "from a wake-up to the next wait");
	printf("histogram:\n");
	text_histogram(r);
}

/* An integer, or null with its reason in the document's "unknown" object. */
static void
json_opt_int(struct td_json *j, const char *key, bool has, int64_t v, const char *why)
{
	if (has)
		td_json_int(j, key, v);
	else
		td_json_unknown(j, key, why);
}

/* The summary members of one set of samples. */
static void
json_summary(struct td_json *j, const struct td_latency_summary *s)
{
	bool have = s->count > 0;

	json_opt_int(j, "min_ns", have, s->min_ns, "nothing measured");
	json_opt_int(j, "mean_ns", have, s->mean_ns, "nothing measured");
	json_opt_int(j, "p50_ns", have, s->p50_ns, "nothing measured");
	json_opt_int(j, "p90_ns", have, s->p90_ns, "nothing measured");
	json_opt_int(j, "p99_ns", have, s->p99_ns, "nothing measured");
	json_opt_int(j, "p999_ns", have, s->p999_ns, "nothing measured");
	json_opt_int(j, "max_ns", have, s->max_ns, "nothing measured");
}

/* "cpus": one object per measuring thread. */
static void
json_cpus(struct td_json *j, struct probe_worker *w, size_t n)
{
	struct td_latency_summary s;

	td_json_arr_begin(j, "per_cpu");
	for (size_t i = 0; i < n; i++) {
		const struct probe_result *r = &w[i].res;

		td_latency_summarize(&w[i].res.lat, &s);
		td_json_obj_begin(j, NULL);
		td_json_int(j, "cpu", w[i].cpu);
		td_json_uint(j, "count", s.count);
		td_json_str(j, "stopped_by", stop_name(r->stop));
		td_json_int(j, "elapsed_ns", r->elapsed_ns);
		json_opt_int(j, "overruns", r->has_overruns, (int64_t)r->overruns,
		    "relative sleeps have no period to miss");
		json_summary(j, &s);
		json_opt_int(j, "loop_overhead_ns", r->overhead_n > 0,
		    r->overhead_n ? r->overhead_sum_ns / (int64_t)r->overhead_n : 0,
		    "fewer than two samples");
		json_opt_int(j, "cpu_time_ns", r->cpu_time_ns >= 0, r->cpu_time_ns,
		    "CLOCK_THREAD_CPUTIME_ID failed");
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
}

/* The worker whose wake-up broke the run, or NULL. */
static const struct probe_result *
broken(const struct probe_worker *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].res.broke)
			return &w[i].res;
	return NULL;
}

/* "break": the limit, the wake-up past it and its cause. */
static void
json_break(struct td_json *j, const struct probe_opts *o, const struct probe_worker *w,
    size_t n, const struct probe_cause *cause)
{
	const struct probe_result *b = broken(w, n);

	td_json_obj_begin(j, "break");
	td_json_int(j, "limit_ns", o->break_ns);
	td_json_bool(j, "hit", b != NULL);
	if (b != NULL) {
		td_json_int(j, "cpu", b->cpu);
		td_json_int(j, "tid", b->tid);
		td_json_int(j, "latency_ns", b->break_latency_ns);
		td_json_int(j, "intended_mono_ns", b->break_intended_mono);
		td_json_int(j, "actual_mono_ns", b->break_actual_mono);
		probe_cause_json(cause, j);
	}
	td_json_obj_end(j);
}

/* The per-CPU table of a --cpus run. */
void
probe_report_cpus_text(struct probe_worker *w, size_t n)
{
	struct td_latency_summary s;
	char b[6][32];

	printf("per CPU:    %5s %8s %9s %9s %9s %9s %9s %9s\n", "cpu", "count", "min", "p50",
	    "p99", "max", "overhead", "own CPU");
	for (size_t i = 0; i < n; i++) {
		const struct probe_result *r = &w[i].res;

		td_latency_summarize(&w[i].res.lat, &s);
		if (s.count == 0) {
			printf("            %5d %8d %9s\n", w[i].cpu, 0, "none measured");
			continue;
		}
		printf("            %5d %8zu %9s %9s %9s %9s %9s %9s\n", w[i].cpu, s.count,
		    probe_fmt_ns(b[0], 32, s.min_ns), probe_fmt_ns(b[1], 32, s.p50_ns),
		    probe_fmt_ns(b[2], 32, s.p99_ns), probe_fmt_ns(b[3], 32, s.max_ns),
		    r->overhead_n ? probe_fmt_ns(b[4], 32, r->overhead_sum_ns /
		    (int64_t)r->overhead_n) : "-",
		    r->cpu_time_ns >= 0 ? probe_fmt_ns(b[5], 32, r->cpu_time_ns /
		    (int64_t)s.count) : "-");
	}
}

/* The break line and its cause. */
void
probe_report_break_text(const struct probe_opts *o, const struct probe_worker *w,
    size_t n, const struct probe_cause *c)
{
	const struct probe_result *b = broken(w, n);
	char x[32], y[32];

	if (o->break_ns <= 0)
		return;
	if (b == NULL) {
		printf("break:      no wake-up later than %s\n",
		    probe_fmt_ns(x, sizeof(x), o->break_ns));
		return;
	}
	printf("break:      CPU %d woke %s late, past the limit of %s\n", b->cpu,
	    probe_fmt_ns(x, sizeof(x), b->break_latency_ns),
	    probe_fmt_ns(y, sizeof(y), o->break_ns));
	probe_cause_text(c);
}

/* Print the report as one JSON document. */
int
probe_report_json(const struct probe_opts *o, const struct probe_env *env,
    const struct probe_advert *a, const struct probe_result *r,
    const struct td_latency_summary *s, const char *verdict,
    struct probe_worker *w, size_t nw, const struct probe_cause *cause)
{
	struct td_latency_bucket b[TD_LATENCY_MAX_BUCKETS];
	char cpus[1024];
	struct td_json j;
	bool have = s->count > 0;
	size_t nb;

	td_json_init(&j, stdout, true);
	td_json_obj_begin(&j, NULL);
	td_json_str(&j, "tool", "timerprobe");
	td_json_int(&j, "version", SCHEMA_VERSION);
	td_json_str(&j, "verdict", verdict);
	td_json_str(&j, "mode", mode_name(o));
	td_json_str(&j, "clock", probe_clock_name(o->clock));
	td_json_bool(&j, "absolute", o->absolute);
	td_json_int(&j, "interval_ns", o->interval_ns);
	json_opt_int(&j, "requested_count", o->count > 0, o->count, "not asked");
	json_opt_int(&j, "requested_duration_ns", o->duration_ns > 0, o->duration_ns,
	    "not asked");
	td_json_str(&j, "stopped_by", stop_name(r->stop));
	td_json_uint(&j, "count", s->count);
	td_json_int(&j, "elapsed_ns", r->elapsed_ns);
	json_opt_int(&j, "overruns", r->has_overruns, (int64_t)r->overruns, o->meter ?
	    "a meter read counts every interval: nothing to overrun" :
	    "relative sleeps have no period to miss");
	td_json_int(&j, "slack_ns", env->slack_ns);
	td_json_int(&j, "applied_slack_ns", env->applied_slack_ns);
	json_opt_int(&j, "fifo_priority", o->fifo > 0, o->fifo, "not asked");
	json_opt_int(&j, "cpu", o->cpu >= 0, o->cpu, o->has_cpus ? "one thread per CPU of "
	    "cpus (per_cpu)" : "not asked (--cpu)");
	if (o->has_cpus)
		td_json_str(&j, "cpus", td_cpuset_format(&o->cpus, cpus, sizeof(cpus)));
	else
		td_json_unknown(&j, "cpus", "not asked (--cpus)");
	td_json_bool(&j, "dma_latency", o->dma_latency);
	json_opt_int(&j, "clock_getres_ns", a->getres_ns >= 0, a->getres_ns,
	    "clock_getres failed");
	json_opt_int(&j, "timer_list_resolution_ns", a->has_tl_res, a->tl_res_ns,
	    a->tl_absent);
	json_summary(&j, s);
	json_opt_int(&j, "loop_overhead_ns", r->overhead_n > 0,
	    r->overhead_n ? r->overhead_sum_ns / (int64_t)r->overhead_n : 0,
	    "fewer than two samples");
	json_opt_int(&j, "cpu_time_ns", r->cpu_time_ns >= 0, r->cpu_time_ns,
	    "CLOCK_THREAD_CPUTIME_ID failed");
	json_opt_int(&j, "cpu_time_per_sample_ns", r->cpu_time_ns >= 0 && have,
	    have && r->cpu_time_ns >= 0 ? r->cpu_time_ns / (int64_t)s->count : 0,
	    "nothing measured");
	if (o->meter) {
		td_json_uint(&j, "expirations", r->expirations);
		td_json_int(&j, "expired_ns", (int64_t)r->expirations * o->interval_ns);
		td_json_int(&j, "clock_delta_ns", r->clock_delta_ns);
		td_json_int(&j, "clock_delta_min_ns", r->clock_delta_min_ns);
		td_json_int(&j, "clock_delta_max_ns", r->clock_delta_max_ns);
		json_opt_int(&j, "expirations_per_read_min", have, (int64_t)r->exp_min,
		    "nothing measured");
		json_opt_int(&j, "expirations_per_read_max", have, (int64_t)r->exp_max,
		    "nothing measured");
		td_json_str(&j, "read_pacing", r->meter_paced ? "clock_nanosleep" :
		    "blocking read");
		td_json_int(&j, "read_every_ns", r->meter_paced ? o->read_every_ns :
		    o->interval_ns);
		td_json_int(&j, "meter_cpu", r->meter_cpu);
		json_opt_int(&j, "local_timer_interrupts", r->has_loc, (int64_t)r->loc_delta,
		    "no local timer row in /proc/interrupts");
	}
	if (o->has_cpus)
		json_cpus(&j, w, nw);
	else
		td_json_unknown(&j, "per_cpu", "not asked (--cpus)");
	if (o->break_ns > 0)
		json_break(&j, o, w, nw, cause);
	else
		td_json_unknown(&j, "break", "not asked (--break)");
	td_json_arr_begin(&j, "histogram");
	nb = td_latency_histogram(r->lat.v, r->lat.n, b, TD_LATENCY_MAX_BUCKETS);
	for (size_t i = 0; i < nb; i++) {
		td_json_obj_begin(&j, NULL);
		td_json_int(&j, "lo_ns", b[i].lo_ns);
		if (b[i].hi_ns == INT64_MAX)
			td_json_unknown(&j, "hi_ns", "the last bucket has no upper bound");
		else
			td_json_int(&j, "hi_ns", b[i].hi_ns);
		td_json_uint(&j, "count", b[i].count);
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	td_json_unknowns(&j);
	td_json_obj_end(&j);
	return td_json_finish(&j);
}
