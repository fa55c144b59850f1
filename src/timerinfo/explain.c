/*
 * timerinfo --explain-tick: why each CPU's tick keeps running, from a bounded
 * tracefs sample (live, root) or a capture's wakeup trace, through the
 * library's tick explanation (tickstop.h).  Also the culprit --check names.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "knames.h"
#include "ksyms.h"
#include "sampler.h"
#include "softirqs.h"
#include "source.h"
#include "tickstop.h"
#include "timerinfo.h"
#include "trace_text.h"

#define TRACE_FILE	"/trace-wakeup-events.txt"

/* Callback names: kallsyms live, the text reader's for a trace. */
struct names {
	struct td_ksyms		*ksyms;
	struct td_trace_text	*text;
};

static const char *
fn_name(const void *ctx, uint64_t fn)
{
	const struct names *n = ctx;

	if (n->text != NULL)
		return td_trace_text_function_name(n->text, fn);
	return n->ksyms != NULL ? td_ksyms_name(n->ksyms, fn) : NULL;
}

static bool
fn_is_tick(const void *ctx, uint64_t fn)
{
	const char *n = fn_name(ctx, fn);

	return td_knames_is_tick_name(n);
}

static void
feed(const struct td_tev *ev, void *arg)
{
	td_tick_event(arg, ev);
}

/* Sample the live system for seconds through the tracefs backend. */
static int
sample_live(struct ti_explain *x, double seconds)
{
	struct td_sampler_opts so;
	struct td_sampler *s = NULL;
	struct td_sample *p = NULL;
	struct td_error e;
	struct timespec t0, now;
	FILE *f;
	int r;

	td_sampler_opts_init(&so);
	so.backend = TD_BACKEND_TRACEFS;
	so.observe = feed;
	so.observe_arg = x->tick;
	so.extra_events = TD_SAMPLER_EV_TICK;
	td_error_clear(&e);
	if ((r = td_sampler_open(&s, &so, &e)) < 0 || (r = td_sampler_start(s, &e)) < 0) {
		td_error_str(&e, x->why, sizeof(x->why));
		td_sampler_close(s);
		return r;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pf = { .fd = td_sampler_fd(s), .events = POLLIN };
		double left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = seconds - ((double)(now.tv_sec - t0.tv_sec) +
		    (double)(now.tv_nsec - t0.tv_nsec) / 1e9);
		if (left <= 0)
			break;
		if (poll(&pf, pf.fd >= 0 ? 1 : 0, (int)(left * 1000) + 1) > 0)
			(void)td_sampler_pump(s, &e);
	}
	r = td_sampler_collect(s, &p, &e);
	if (r < 0)
		td_error_str(&e, x->why, sizeof(x->why));
	else
		x->lost = p->lost_events;
	td_sample_free(p);
	td_sampler_close(s);
	x->seconds = seconds;
	snprintf(x->source, sizeof(x->source), "tracefs, %.1f s", seconds);
	if ((f = fopen("/proc/kallsyms", "re")) != NULL) {
		(void)td_ksyms_load(f, NULL, &x->names->ksyms, NULL);
		fclose(f);
	}
	return r;
}

/* Read a capture's wakeup trace. */
static int
read_trace(struct ti_explain *x, const char *sysroot)
{
	char path[4096];
	struct td_error e;
	FILE *f;
	int r;

	if (td_path(sysroot, TRACE_FILE, path, sizeof(path)) < 0 ||
	    (f = fopen(path, "re")) == NULL) {
		snprintf(x->why, sizeof(x->why), "no wakeup trace in this capture (%s)",
		    TRACE_FILE + 1);
		return -ENOENT;
	}
	td_error_clear(&e);
	if ((r = td_trace_text_new(path, &x->names->text, &e)) == 0)
		r = td_trace_text_read(x->names->text, f, feed, x->tick, &e);
	fclose(f);
	if (r < 0) {
		td_error_str(&e, x->why, sizeof(x->why));
		return r;
	}
	{
		const struct td_trace_text_stats *st = td_trace_text_stats(x->names->text);

		x->seconds = st->events > 1 ? (double)(st->last_ts - st->first_ts) / 1e9 : 0;
		x->lost = st->lost;
	}
	snprintf(x->source, sizeof(x->source), "%s, %.1f s", TRACE_FILE + 1, x->seconds);
	return 0;
}

/* Explain the tick: live for seconds, or from the capture's trace. */
int
ti_explain_run(const struct ti_opts *o, const struct td_machine *m, double seconds,
    struct ti_explain *x)
{
	struct td_tick_opts to = { 0 };
	struct td_error e;
	int r;

	memset(x, 0, sizeof(*x));
	if ((x->names = calloc(1, sizeof(*x->names))) == NULL)
		return -ENOMEM;
	if (o->sysroot == NULL && geteuid() != 0) {
		snprintf(x->why, sizeof(x->why),
		    "needs root: the tick explanation traces /sys/kernel/tracing");
		return -EACCES;
	}
	to.ncpus = m->ncpus > 0 ? (int)m->ncpus : (int)sysconf(_SC_NPROCESSORS_CONF);
	if (o->sysroot == NULL && sysconf(_SC_NPROCESSORS_CONF) > to.ncpus)
		to.ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (to.ncpus < 1)
		to.ncpus = 1;
	to.tick_ns = m->hz > 0 ? 1000000000ull / (uint64_t)m->hz : 0;
	to.nohz_full = m->si.has_nohz_full ? &m->si.nohz_full : NULL;
	to.pin_flag = TD_TIMER_PINNED;
	to.tick_stop_traced = td_sampler_has_event(o->sysroot, "timer", "tick_stop");
	to.softirq_raise_traced = td_sampler_has_event(o->sysroot, "irq", "softirq_raise");
	x->has_tick_stop = to.tick_stop_traced;
	x->has_tmigr = td_sampler_has_event(o->sysroot, "timer_migration", "tmigr_handle_remote_cpu");
	x->has_base_idle = td_sampler_has_event(o->sysroot, "timer", "timer_base_idle");
	x->nohz_full = m->si.has_nohz_full ? td_cpuset_count(&m->si.nohz_full) > 0 : false;
	if ((r = td_tick_new(&to, &x->tick, &e)) < 0) {
		td_error_str(&e, x->why, sizeof(x->why));
		return r;
	}
	r = o->sysroot == NULL ? sample_live(x, seconds) : read_trace(x, o->sysroot);
	if (r < 0)
		return r;
	td_tick_finish(x->tick);
	x->has_raise = td_tick_softirq_known(x->tick);
	x->done = true;
	return 0;
}

/* The callback name of fn, or its address. */
static const char *
name_of(struct ti_explain *x, uint64_t fn, char *buf, size_t len)
{
	const char *n = fn_name(x->names, fn);

	if (n != NULL)
		return n;
	snprintf(buf, len, "0x%" PRIx64, fn);
	return buf;
}

/* The top cause of cpu as a sentence, and advice; false when nothing was seen. */
bool
ti_explain_cause(struct ti_explain *x, int cpu, char *what, size_t wlen, char *adv,
    size_t alen)
{
	struct td_tick_cause c;
	char a[96], b[96];

	td_tick_cause(x->tick, cpu, fn_is_tick, x->names, &c);
	adv[0] = '\0';
	switch (c.why) {
	case TD_TICK_WHY_DEP:
		if (c.ntask > 0) {
			size_t n = (size_t)snprintf(what, wlen,
			    "CPU %d keeps its tick: %d runnable task%s (SCHED, %" PRIu64 " of %"
			    PRIu64 " refusals): ", cpu, c.ntask, c.ntask > 1 ? "s" : "", c.count,
			    c.of);

			for (int i = 0; i < c.ntask && n < wlen; i++)
				n += (size_t)snprintf(what + n, wlen - n, "%s%s", i ? ", " : "",
				    TD_SAFE(c.task[i]->comm));
			snprintf(adv, alen, "move %s off CPU %d (one task per nohz_full CPU)",
			    TD_SAFE(c.task[c.ntask > 1 ? 1 : 0]->comm), cpu);
			return true;
		}
		snprintf(what, wlen, "CPU %d keeps its tick: %s dependency (%" PRIu64 " of %" PRIu64
		    " refusals)", cpu, td_tick_dep_name(c.dep), c.count, c.of);
		snprintf(adv, alen, "%s",
		    c.dep == 0 ? "a POSIX CPU timer is armed there (setitimer, timer_create on a CPU clock)" :
		    c.dep == 1 ? "perf events are open on that CPU; stop perf or move it" :
		    c.dep == 2 ? "more than one task is runnable there; keep one task per CPU" :
		    c.dep == 3 ? "the clock is unstable (TSC); see the clocksource checks" :
		    "RCU keeps the tick: boot with rcu_nocbs= for these CPUs");
		return true;
	case TD_TICK_WHY_TIMER:
		snprintf(what, wlen, "CPU %d keeps its tick: timer %s armed by %s was due within "
		    "one tick of %" PRIu64 " of %" PRIu64 " idle entries", cpu,
		    TD_SAFE(name_of(x, c.timer->fn, a, sizeof(a))), td_tick_armer(c.timer, b, sizeof(b)),
		    c.count, c.of);
		snprintf(adv, alen, "lengthen the period of %s, or move it off CPU %d",
		    c.timer->pid > 0 && c.timer->comm[0] ? TD_SAFE(c.timer->comm) : "that timer",
		    cpu);
		return true;
	case TD_TICK_WHY_SOFTIRQ:
		snprintf(what, wlen, "CPU %d keeps its tick: softirq %s was pending at %" PRIu64
		    " of %" PRIu64 " idle entries", cpu, td_softirq_name(c.vec), c.count, c.of);
		snprintf(adv, alen, "find what raises %s on CPU %d without running it (the "
		    "kernel logs \"NOHZ tick-stop error\"; timerinfo --events)",
		    td_softirq_name(c.vec), cpu);
		return true;
	case TD_TICK_WHY_FOREIGN:
		snprintf(what, wlen, "CPU %d expires other CPUs' timers (%" PRIu64 " times)", cpu,
		    c.count);
		snprintf(adv, alen, "pin the timers' tasks elsewhere, or isolate the CPU from "
		    "timer migration (nohz_full=, isolcpus=)");
		return true;
	case TD_TICK_WHY_NONE:
		break;
	}
	snprintf(what, wlen, "CPU %d: no cause of a running tick seen", cpu);
	return false;
}

/* Text for people. */
void
ti_print_explain(FILE *f, struct ti_explain *x, const struct ti_opts *o)
{
	char what[512], adv[256], a[96], b[96];

	(void)o;
	fprintf(f, "Tick explanation");
	if (!x->done) {
		fprintf(f, ": unknown (%s)\n", TD_SAFE(x->why));
		return;
	}
	fprintf(f, " (%s", x->source);
	if (x->lost > 0)
		fprintf(f, ", %" PRIu64 " events lost", x->lost);
	fprintf(f, ")\n");
	if (!x->has_tick_stop)
		fprintf(f, "Note: this kernel has no timer:tick_stop event: whether the tick stopped "
		    "at idle is unknown\n");
	else if (!x->nohz_full)
		fprintf(f, "Note: no nohz_full CPUs: tick_stop names dependencies only on "
		    "nohz_full CPUs of NO_HZ_FULL kernels\n");
	if (!x->has_tmigr)
		fprintf(f, "Note: this kernel has no timer_migration events (Linux 6.9+): "
		    "timer migration not shown\n");
	if (!x->has_base_idle)
		fprintf(f, "Note: this kernel has no timer:timer_base_idle event (Linux 6.9+)\n");
	if (!x->has_raise)
		fprintf(f, "Note: irq:softirq_raise is not traced: softirqs pending at idle "
		    "unknown (see timerinfo --events: NOHZ tick-stop error)\n");
	for (int i = 0; i < td_tick_ncpus(x->tick); i++) {
		const struct td_tick_cpu *c = td_tick_cpu(x->tick, i);

		fprintf(f, "\nCPU %d%s: idle %" PRIu64 " times", i, c->nohz_full ? " (nohz_full)" : "",
		    c->idle_entries);
		if (x->has_tick_stop)
			fprintf(f, ", tick stopped %" PRIu64 ", kept %" PRIu64 "; tick stops %"
			    PRIu64 ", refusals %" PRIu64, c->idle_stopped, c->idle_kept, c->stops,
			    c->refusals);
		fprintf(f, "\n");
		ti_explain_cause(x, i, what, sizeof(what), adv, sizeof(adv));
		fprintf(f, "  cause: %s\n", what);
		if (adv[0])
			fprintf(f, "  advice: %s\n", adv);
		if (c->refusals > 0)
			fprintf(f, "  dependencies: %s\n", td_tick_deps_format(c, a, sizeof(a)));
		if (x->has_raise)
			fprintf(f, "  softirqs pending at idle: %" PRIu64 " of %" PRIu64
			    " idle entries%s%s\n", c->softirq_idle, c->idle_entries,
			    c->softirq_idle ? ": " : "", td_tick_softirqs_format(c, a, sizeof(a)));
		for (size_t k = 0; k < c->ndue && k < 5; k++)
			fprintf(f, "  due within a tick: %s armed by %s, %" PRIu64 " times\n",
			    TD_SAFE(name_of(x, c->due[k].fn, a, sizeof(a))),
			    td_tick_armer(&c->due[k], b, sizeof(b)), c->due[k].count);
		for (size_t k = 0; k < c->ntasks && k < 5; k++)
			fprintf(f, "  ran: %s (pid %d) %" PRIu64 " times, %" PRIu64 " SCHED refusals\n",
			    TD_SAFE(c->tasks[k].comm), c->tasks[k].pid, c->tasks[k].runs,
			    c->tasks[k].sched);
		if (x->has_tmigr || c->global_expiries || c->pinned_expiries)
			fprintf(f, "  timer wheel expiries: %" PRIu64 " pinned, %" PRIu64 " global (%"
			    PRIu64 " armed on another CPU), %" PRIu64 " unknown; remote handling for "
			    "other CPUs %" PRIu64 "; became migrator %" PRIu64 "\n",
			    c->pinned_expiries, c->global_expiries, c->remote_expiries,
			    c->unknown_expiries, c->remote_handled, c->migrator_gained);
	}
	if (x->has_tmigr)
		fprintf(f, "\nTimer migration: the migrator role moved %" PRIu64 " times\n",
		    td_tick_migrator_moves(x->tick));
}

/* JSON for scripts (doc/json.md). */
void
ti_json_explain(struct td_json *j, struct ti_explain *x)
{
	char what[512], adv[256];

	td_json_obj_begin(j, "explain_tick");
	if (!x->done) {
		td_json_unknown(j, "per_cpu", x->why);
		td_json_obj_end(j);
		return;
	}
	td_json_str(j, "source", x->source);
	td_json_bool(j, "tick_stop_traced", x->has_tick_stop);
	td_json_bool(j, "timer_migration_traced", x->has_tmigr);
	td_json_bool(j, "softirq_raise_traced", x->has_raise);
	td_json_int(j, "lost_events", (int64_t)x->lost);
	if (x->has_tmigr)
		td_json_int(j, "migrator_moves", (int64_t)td_tick_migrator_moves(x->tick));
	else
		td_json_unknown(j, "migrator_moves", "timer_migration events are not traced "
		    "(a kernel before 6.9)");
	td_json_arr_begin(j, "per_cpu");
	for (int i = 0; i < td_tick_ncpus(x->tick); i++) {
		bool known = ti_explain_cause(x, i, what, sizeof(what), adv, sizeof(adv));

		td_tick_json_cpu(j, x->tick, i, fn_name, x->names, known ? what : NULL);
	}
	td_json_arr_end(j);
	td_json_obj_end(j);
}

void
ti_explain_free(struct ti_explain *x)
{
	td_tick_free(x->tick);
	x->tick = NULL;
	if (x->names != NULL) {
		td_ksyms_free(x->names->ksyms);
		td_trace_text_free(x->names->text);
		free(x->names);
		x->names = NULL;
	}
}
