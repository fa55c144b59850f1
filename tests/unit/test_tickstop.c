/*
 * The tick explanation (tickstop.h): on synthetic event sequences, and on
 * the corpus's real wakeup traces (trees ending in -trace), where the
 * tick_stop counts per CPU, success and dependency equal both truth.json's
 * and a count this test makes on its own from the text, and the
 * timer_migration facts (remote handling, migrator changes) equal the
 * test's own count.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "armers.h"
#include "attribution.h"
#include "minijson.h"
#include "source.h"
#include "fixture_events.h"
#include "inputs.h"
#include "tap.h"
#include "tickstop.h"
#include "trace_lines.h"
#include "trace_text.h"

#define PIN	0x00100000u
#define TICK	4000000ull

/* One synthetic event, unnamed. */
static struct td_tev
ev(enum td_tev_type type, uint64_t ts, int cpu, int pid)
{
	return fixture_tev(type, ts, cpu, pid, NULL);
}

static void
feed_switch(struct td_tick *t, uint64_t ts, int cpu, int prev, int next, const char *comm)
{
	struct td_tev e = fixture_tev(TD_TEV_SCHED_SWITCH, ts, cpu, prev, comm);

	e.num = next;
	e.arg = prev;
	td_tick_event(t, &e);
}

static void
feed_tick_stop(struct td_tick *t, uint64_t ts, int cpu, int pid, int success, uint32_t dep)
{
	struct td_tev e = ev(TD_TEV_TICK_STOP, ts, cpu, pid);

	e.num = success;
	e.flags = dep;
	td_tick_event(t, &e);
}

static void
feed_timer(struct td_tick *t, enum td_tev_type type, uint64_t ts, int cpu, int pid,
    uint64_t ptr, uint64_t fn, uint32_t flags)
{
	struct td_tev e = ev(type, ts, cpu, pid);

	e.ptr = ptr;
	e.function = fn;
	e.flags = flags;
	td_tick_event(t, &e);
}

static void
feed_idle(struct td_tick *t, uint64_t ts, int cpu, int state)
{
	struct td_tev e = ev(TD_TEV_IDLE, ts, cpu, 0);

	e.num = state;
	td_tick_event(t, &e);
}

static void
feed_group(struct td_tick *t, uint64_t ts, int cpu, int sub, int migrator, unsigned childmask)
{
	struct td_tev e = ev(TD_TEV_TMIGR, ts, cpu, 0);

	e.sub = sub;
	e.ptr = 0xabc;
	e.num = migrator;
	e.flags = childmask | 3u << 8;
	td_tick_event(t, &e);
}

static bool
skip_tick(const void *ctx, uint64_t fn)
{
	(void)ctx;
	return fn == 0x7;	/* the synthetic tick callback */
}

/* A nohz_full CPU kept by two tasks, a sleeper due within a tick, a global timer pulled. */
static void
synthetic(void)
{
	struct td_cpuset nf;
	struct td_tick_opts o = { .ncpus = 2, .tick_ns = TICK, .nohz_full = &nf,
	    .pin_flag = PIN, .tick_stop_traced = true };
	const struct td_tick_cpu *c0, *c1;
	struct td_tick_cause cause;
	struct td_tick *t;
	struct td_tev e;

	td_cpuset_zero(&nf);
	td_cpuset_set(&nf, 1);
	if (td_tick_new(&o, &t, NULL) < 0) {
		ok(0, "td_tick_new");
		return;
	}
	/* CPU 1 (nohz_full): myapp and irqbalance take turns, SCHED keeps the tick. */
	feed_switch(t, 1000, 1, 0, 100, "myapp");
	feed_tick_stop(t, 1100, 1, 100, 0, TD_TICK_DEP_SCHED);
	feed_switch(t, 2000, 1, 100, 200, "irqbalance");
	feed_tick_stop(t, 2100, 1, 200, 0, TD_TICK_DEP_SCHED);
	feed_switch(t, 3000, 1, 200, 100, "myapp");
	feed_tick_stop(t, 3100, 1, 100, 0, TD_TICK_DEP_SCHED);
	feed_tick_stop(t, 3200, 1, 100, 0, TD_TICK_DEP_RCU);
	/* ... then idles with the tick stopped. */
	feed_switch(t, 4000, 1, 100, 0, "swapper/1");
	feed_tick_stop(t, 4100, 1, 0, 1, 0);
	feed_idle(t, 4200, 1, 1);
	/* CPU 0: sleepy (pid 300) arms an hrtimer due within a tick of each idle entry. */
	for (int i = 0; i < 5; i++) {
		uint64_t b = 10000000ull * (uint64_t)(i + 1);

		feed_switch(t, b, 0, 0, 300, "sleepy");
		feed_timer(t, TD_TEV_HRTIMER_START, b + 10, 0, 300, 0x5000, 0x9, 0);
		feed_switch(t, b + 20, 0, 300, 0, "swapper/0");
		feed_idle(t, b + 30, 0, 1);
		/* the tick's own timer first, then the sleeper's */
		feed_timer(t, TD_TEV_HRTIMER_EXPIRE, b + 500, 0, 0, 0x6000, 0x7, 0);
		feed_timer(t, TD_TEV_HRTIMER_EXPIRE, b + 1000000, 0, 0, 0x5000, 0x9, 0);
		feed_idle(t, b + 1000010, 0, TD_TEV_IDLE_EXIT);
	}
	/* A global wheel timer armed on CPU 0, expired on CPU 1; a pinned one on CPU 0. */
	feed_timer(t, TD_TEV_TIMER_START, 90000000, 0, 300, 0x8000, 0x11, 0);
	feed_timer(t, TD_TEV_TIMER_EXPIRE, 95000000, 1, 0, 0x8000, 0x11, 0);
	feed_timer(t, TD_TEV_TIMER_START, 90000000, 0, 300, 0x8100, 0x12, PIN);
	feed_timer(t, TD_TEV_TIMER_EXPIRE, 95000000, 0, 0, 0x8100, 0x12, 0);
	/* CPU 1 pulls CPU 0's timers once; the migrator moves from CPU 0 (bit 1) to CPU 1 (bit 2). */
	e = ev(TD_TEV_TMIGR, 96000000, 1, 0);
	e.sub = TD_TMIGR_HANDLE_REMOTE_CPU;
	e.num = 0;
	td_tick_event(t, &e);
	feed_group(t, 97000000, 0, TD_TMIGR_GROUP_ACTIVE, 1, 1);
	feed_group(t, 97000100, 1, TD_TMIGR_GROUP_ACTIVE, 1, 2);
	feed_group(t, 97000200, 0, TD_TMIGR_GROUP_INACTIVE, 2, 1);
	feed_group(t, 97000300, 1, TD_TMIGR_GROUP_INACTIVE, 0xff, 2);
	td_tick_finish(t);

	c0 = td_tick_cpu(t, 0);
	c1 = td_tick_cpu(t, 1);
	is_int(c1->refusals, 4, "CPU 1: 4 refusals");
	is_int(c1->dep[2], 3, "CPU 1: 3 SCHED");
	is_int(c1->dep[4], 1, "CPU 1: 1 RCU");
	is_int(c1->stops, 1, "CPU 1: 1 stop");
	is_int(c1->idle_stopped, 1, "CPU 1: idle with the tick stopped");
	is_int(c1->idle_kept, 0, "CPU 1: never idle with the tick kept");
	is_int(c1->ntasks, 2, "CPU 1: two tasks ran");
	td_tick_cause(t, 1, skip_tick, NULL, &cause);
	ok(cause.why == TD_TICK_WHY_DEP && cause.dep == 2 && cause.count == 3 && cause.of == 4,
	    "CPU 1: the top cause is SCHED, 3 of 4");
	ok(cause.ntask == 2 && strcmp(cause.task[0]->comm, "myapp") == 0 &&
	    cause.task[0]->sched == 2 && strcmp(cause.task[1]->comm, "irqbalance") == 0,
	    "CPU 1: SCHED names myapp (2) and irqbalance (1)");

	is_int(c0->idle_entries, 5, "CPU 0: 5 idle entries");
	is_int(c0->idle_kept, 5, "CPU 0: all with the tick kept");
	is_int(c0->due_entries, 5, "CPU 0: 5 watched for a timer due within a tick");
	td_tick_cause(t, 0, skip_tick, NULL, &cause);
	ok(cause.why == TD_TICK_WHY_TIMER && cause.timer != NULL && cause.timer->fn == 0x9 &&
	    cause.timer->pid == 300 && strcmp(cause.timer->comm, "sleepy") == 0 &&
	    cause.count == 5, "CPU 0: the top cause is sleepy's hrtimer, 5 times");

	is_int(c1->global_expiries, 1, "CPU 1: 1 global expiry");
	is_int(c1->remote_expiries, 1, "CPU 1: it was armed elsewhere");
	is_int(c1->remote_from[0], 1, "CPU 1: ... on CPU 0");
	is_int(c0->pinned_expiries, 1, "CPU 0: 1 pinned expiry");
	is_int(c0->remote_expiries, 0, "CPU 0: no remote expiry");
	is_int(c1->remote_handled, 1, "CPU 1: handled CPU 0's timers once");
	is_int(c1->handled_for[0], 1, "CPU 1: ... for CPU 0");
	ok(td_tick_did_foreign_work(t, 1) && !td_tick_did_foreign_work(t, 0),
	    "CPU 1 (nohz_full) did other CPUs' timer work, CPU 0 did not");
	is_int(td_tick_migrator_moves(t), 2, "the migrator moved twice (to CPU 1, then none)");
	is_int(c1->migrator_gained, 1, "CPU 1 became the migrator once");
	td_tick_free(t);
}

/*
 * The armers kept from one explanation to the next (wakeuptop's intervals):
 * a timer armed by sleepy in one interval and due within a tick of an idle
 * entry in the next is named as sleepy's there; with the explanation's own
 * armers that interval cannot name it.
 */
static void
armers_across_intervals(void)
{
	struct td_tick_opts o = { .ncpus = 1, .tick_ns = TICK };
	struct td_tick_cause cause;
	struct td_armers arm = { 0 };
	struct td_tick *t;

	for (int shared = 0; shared < 2; shared++) {
		o.armers = shared ? &arm : NULL;
		/* Interval 1: sleepy (pid 300) arms its hrtimer. */
		if (td_tick_new(&o, &t, NULL) < 0) {
			ok(0, "td_tick_new");
			return;
		}
		feed_switch(t, 1000, 0, 0, 300, "sleepy");
		feed_timer(t, TD_TEV_HRTIMER_START, 1010, 0, 300, 0x5000, 0x9, 0);
		feed_switch(t, 1020, 0, 300, 0, "swapper/0");
		td_tick_free(t);
		/* Interval 2: idle, and the timer expires within a tick. */
		if (td_tick_new(&o, &t, NULL) < 0) {
			ok(0, "td_tick_new");
			return;
		}
		feed_idle(t, 2000, 0, 1);
		feed_timer(t, TD_TEV_HRTIMER_EXPIRE, 2000 + TICK / 2, 0, 0, 0x5000, 0x9, 0);
		feed_idle(t, 2000 + TICK / 2 + 10, 0, TD_TEV_IDLE_EXIT);
		td_tick_finish(t);
		td_tick_cause(t, 0, skip_tick, NULL, &cause);
		if (shared)
			ok(cause.why == TD_TICK_WHY_TIMER && cause.timer != NULL &&
			    cause.timer->pid == 300 && strcmp(cause.timer->comm, "sleepy") == 0,
			    "armers kept across intervals: the timer armed in the last one is sleepy's");
		else
			ok(cause.why == TD_TICK_WHY_TIMER && cause.timer != NULL &&
			    cause.timer->pid == -1,
			    "an explanation's own armers: a timer armed before it has no known armer");
		td_tick_free(t);
	}
	td_armers_free(&arm);
}

/* The test's own counts from the text. */
struct own {
	long	 dep[64][2][8];	/* cpu, success, dependency index (7: other) */
	long	 handled[64];	/* tmigr_handle_remote_cpu per CPU */
	long	 moves;		/* migrator changes per group */
};

static int
dep_index(const char *name)
{
	static const char *const names[] = { "NONE", "POSIX_TIMER", "PERF_EVENTS", "SCHED",
	    "CLOCK_UNSTABLE", "RCU", "RCU_EXP" };

	for (int i = 0; i < 7; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return 7;
}

#define MAXGROUPS	16
static int
count_own(const char *path, struct own *w)
{
	char line[4096], v[64], grp[MAXGROUPS][24], mig[MAXGROUPS][8], g[24];
	int ngroups = 0;
	FILE *f = fopen(path, "r");

	memset(w, 0, sizeof(*w));
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		int cpu = line_cpu(line), i;

		if (line[0] == '#' || cpu < 0 || cpu >= 64)
			continue;
		if (strstr(line, " tick_stop: ") != NULL) {
			field(line, "success=", v, sizeof(v));
			int s = atoi(v) != 0;

			field(line, "dependency=", v, sizeof(v));
			w->dep[cpu][s][dep_index(v)]++;
		} else if (strstr(line, " tmigr_handle_remote_cpu: ") != NULL) {
			w->handled[cpu]++;
		} else if (strstr(line, " tmigr_group_set_cpu_") != NULL) {
			field(line, "group=", g, sizeof(g));
			field(line, "migrator=", v, sizeof(v));
			for (i = 0; i < ngroups && strcmp(grp[i], g) != 0; i++)
				;
			if (i == ngroups) {
				if (ngroups == MAXGROUPS)
					continue;
				strlcpy(grp[ngroups], g, sizeof(grp[0]));
				strlcpy(mig[ngroups++], v, sizeof(mig[0]));
				continue;
			}
			if (strcmp(mig[i], v) != 0)
				w->moves++;
			strlcpy(mig[i], v, sizeof(mig[0]));
		}
	}
	fclose(f);
	return 0;
}

static void
feed(const struct td_tev *e, void *arg)
{
	td_tick_event(arg, e);
}

/*
 * Two explanations of one trace: one keeping its own armers, one reading the
 * armers of an attribution given each event first (wakeuptop's tick view,
 * armers_kept).
 */
struct two_ticks {
	struct td_attr	*a;
	struct td_tick	*own, *kept;
};

static void
feed_two(const struct td_tev *e, void *arg)
{
	struct two_ticks *w = arg;

	td_attr_event(w->a, e);
	td_tick_event(w->own, e);
	td_tick_event(w->kept, e);
}

static long named_due;	/* due timers with a known armer, over the captures */

/* Whether cpu's timers due, nohz_full tasks and expiries by kind are the same in both. */
static bool
same_cpu(const struct td_tick_cpu *x, const struct td_tick_cpu *y)
{
	if (x->ndue != y->ndue || x->due_entries != y->due_entries ||
	    x->ntasks != y->ntasks || x->pinned_expiries != y->pinned_expiries ||
	    x->global_expiries != y->global_expiries ||
	    x->unknown_expiries != y->unknown_expiries ||
	    x->remote_expiries != y->remote_expiries)
		return false;
	for (size_t i = 0; i < x->ndue; i++) {
		const struct td_tick_timer *p = &x->due[i], *q = &y->due[i];

		if (p->kind != q->kind || p->fn != q->fn || p->pid != q->pid ||
		    strcmp(p->comm, q->comm) != 0 || p->count != q->count)
			return false;
		named_due += p->pid != -1;
	}
	for (size_t i = 0; i < x->ntasks; i++)
		if (x->tasks[i].pid != y->tasks[i].pid || x->tasks[i].runs != y->tasks[i].runs ||
		    strcmp(x->tasks[i].comm, y->tasks[i].comm) != 0)
			return false;
	return true;
}

/* The tick explanation reading the attribution's armers says what it says with its own. */
static void
kept_armers(const char *dir, const struct td_tick_opts *o)
{
	struct td_attr_opts ao = { .ncpus = o->ncpus, .wakeups = true };
	const char *name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	struct two_ticks w = { 0 };
	struct td_tick_opts ko = *o;
	struct td_trace_text *r = NULL;
	char path[4200];
	bool same = true;
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/trace-wakeup-events.txt", dir);
	if (td_attr_new(&ao, &w.a, NULL) < 0 || td_tick_new(o, &w.own, NULL) < 0 ||
	    (ko.armers = td_attr_armers(w.a), ko.armers_kept = true,
	    td_tick_new(&ko, &w.kept, NULL) < 0) ||
	    td_trace_text_new(path, &r, NULL) < 0 || (f = fopen(path, "r")) == NULL) {
		ok(0, "%s: open for the kept armers", name);
	} else {
		ok(td_trace_text_read(r, f, feed_two, &w, NULL) == 0, "%s: trace read again", name);
		td_tick_finish(w.own);
		td_tick_finish(w.kept);
		for (int cpu = 0; cpu < o->ncpus; cpu++)
			if (!same_cpu(td_tick_cpu(w.own, cpu), td_tick_cpu(w.kept, cpu)))
				same = false;
		ok(same, "%s: the attribution's armers name the same timers due, tasks and "
		    "expiries as the explanation's own", name);
	}
	if (f != NULL)
		fclose(f);
	td_trace_text_free(r);
	td_tick_free(w.own);
	td_tick_free(w.kept);
	td_attr_free(w.a);
}

/* truth.json's tick_stop count for cpu, success, dependency name; 0 when absent. */
static long
truth_dep(const struct mj *truth, int cpu, int success, const char *dep)
{
	char k[16];
	const struct mj *o = mj_get(truth, "tick_stop"), *v;

	snprintf(k, sizeof(k), "%d", cpu);
	o = mj_get(o, k);
	snprintf(k, sizeof(k), "%d", success);
	o = mj_get(o, k);
	v = mj_get(o, dep);
	return v != NULL && v->type == MJ_NUM ? (long)v->num : 0;
}

/* One -trace capture. */
static void
capture(const char *dir)
{
	static const char *const deps[] = { "POSIX_TIMER", "PERF_EVENTS", "SCHED",
	    "CLOCK_UNSTABLE", "RCU", "RCU_EXP" };
	char tpath[4200], path[4200], fpath[4200];
	const char *name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	struct td_tick_opts o = { 0 };
	struct td_trace_text *r;
	struct td_tick *t;
	struct td_buf tb;
	struct mj truth;
	struct own *w;
	struct stat sb;
	FILE *f;
	bool all = true, truth_ok = true, handled_ok = true;
	long truth_total = 0;

	snprintf(tpath, sizeof(tpath), "%s/truth.json", dir);
	snprintf(path, sizeof(path), "%s/trace-wakeup-events.txt", dir);
	snprintf(fpath, sizeof(fpath), "%s/sys/kernel/tracing/events/timer/tick_stop/format", dir);
	if (td_read_file(tpath, 1 << 20, &tb, NULL) < 0 || !mj_parse(tb.data, &truth)) {
		ok(0, "%s: truth.json", name);
		return;
	}
	td_buf_free(&tb);
	if ((w = malloc(sizeof(*w))) == NULL || count_own(path, w) < 0) {
		ok(0, "%s: own count", name);
		free(w);
		mj_free(&truth);
		return;
	}
	o.ncpus = (int)mj_get(&truth, "cpus")->num;
	o.tick_ns = 1000000000ull / (uint64_t)mj_get(&truth, "hz")->num;
	o.pin_flag = PIN;
	o.tick_stop_traced = stat(fpath, &sb) == 0;
	if (td_tick_new(&o, &t, NULL) < 0 || td_trace_text_new(path, &r, NULL) < 0 ||
	    (f = fopen(path, "r")) == NULL) {
		ok(0, "%s: open", name);
		free(w);
		mj_free(&truth);
		return;
	}
	ok(td_trace_text_read(r, f, feed, t, NULL) == 0, "%s: trace read", name);
	fclose(f);
	td_tick_finish(t);
	for (int cpu = 0; cpu < o.ncpus && cpu < 64; cpu++) {
		const struct td_tick_cpu *c = td_tick_cpu(t, cpu);
		long refusals = 0;

		if (c->stops != (uint64_t)w->dep[cpu][1][0])
			all = false;
		if ((long)c->stops != truth_dep(&truth, cpu, 1, "NONE"))
			truth_ok = false;
		truth_total += truth_dep(&truth, cpu, 1, "NONE");
		for (int b = 0; b < 6; b++) {
			if (c->dep[b] != (uint64_t)w->dep[cpu][0][b + 1])
				all = false;
			if ((long)c->dep[b] != truth_dep(&truth, cpu, 0, deps[b]))
				truth_ok = false;
			truth_total += truth_dep(&truth, cpu, 0, deps[b]);
			refusals += w->dep[cpu][0][b + 1];
		}
		if ((long)c->refusals != refusals + w->dep[cpu][0][0] + w->dep[cpu][0][7])
			all = false;
		if (c->remote_handled != (uint64_t)w->handled[cpu])
			handled_ok = false;
		if (o.tick_stop_traced && c->idle_stopped + c->idle_kept != c->idle_entries)
			all = false;
	}
	ok(all, "%s: tick stops and refusals per CPU and dependency equal the text's", name);
	ok(truth_ok, "%s: ... and truth.json's tick_stop (%ld events)", name, truth_total);
	ok(handled_ok, "%s: tmigr_handle_remote_cpu per CPU equals the text's", name);
	is_int(td_tick_migrator_moves(t), w->moves, "%s: migrator changes equal the text's",
	    name);
	ok(td_tick_softirq_known(t) == (td_trace_text_stats(r)->types[TD_TEV_SOFTIRQ_RAISE] > 0),
	    "%s: softirqs pending at idle known iff the trace has softirq_raise", name);
	kept_armers(dir, &o);
	td_trace_text_free(r);
	td_tick_free(t);
	free(w);
	mj_free(&truth);
}

static void
feed_softirq(struct td_tick *t, enum td_tev_type type, uint64_t ts, int cpu, int vec)
{
	struct td_tev e = ev(type, ts, cpu, 0);

	e.num = vec;
	td_tick_event(t, &e);
}

/* A timer of a short period expires several times within one tick: one idle entry. */
static void
due_once_per_entry(void)
{
	struct td_tick_opts o = { .ncpus = 1, .tick_ns = TICK };
	const struct td_tick_cpu *c;
	struct td_tick *t;

	if (td_tick_new(&o, &t, NULL) < 0) {
		ok(0, "due once: new");
		return;
	}
	for (int i = 0; i < 2; i++) {
		uint64_t b = 10000000ull * (uint64_t)(i + 1);

		feed_idle(t, b, 0, 1);
		/* a 1 ms sleeper, re-armed by its task, expires 3 times in the 4 ms tick */
		for (int k = 1; k <= 3; k++)
			feed_timer(t, TD_TEV_HRTIMER_EXPIRE, b + 1000000ull * (uint64_t)k, 0, 0,
			    0x5000, 0x9, 0);
		feed_idle(t, b + 3500000, 0, TD_TEV_IDLE_EXIT);
	}
	td_tick_finish(t);
	c = td_tick_cpu(t, 0);
	ok(c->ndue == 1 && c->due[0].count == 2 && c->due_entries == 2,
	    "a timer expiring 3 times after each of 2 idle entries was due at 2 of 2 (%" PRIu64
	    ")", c->ndue ? c->due[0].count : 0);
	td_tick_free(t);

	/* The switch to the idle task, then cpu_idle: one idle period, credited once. */
	if (td_tick_new(&o, &t, NULL) < 0) {
		ok(0, "due once: new");
		return;
	}
	feed_switch(t, 1000, 0, 77, 0, "swapper/0");
	feed_timer(t, TD_TEV_HRTIMER_EXPIRE, 2000, 0, 0, 0x5000, 0x9, 0);
	feed_idle(t, 3000, 0, 1);
	feed_timer(t, TD_TEV_HRTIMER_EXPIRE, 1003000, 0, 0, 0x5000, 0x9, 0);
	td_tick_finish(t);
	c = td_tick_cpu(t, 0);
	ok(c->idle_entries == 1 && c->due_entries == 1 && c->ndue == 1 && c->due[0].count == 1,
	    "switch to idle then cpu_idle: one idle entry, the timer due at 1 of 1 (%" PRIu64 ")",
	    c->ndue ? c->due[0].count : 0);
	td_tick_free(t);
}

/* Softirqs pending at idle on synthetic sequences. */
static void
softirq_synthetic(void)
{
	struct td_tick_opts o = { .ncpus = 2, .tick_ns = TICK };
	const struct td_tick_cpu *c;
	struct td_tick_cause why;
	struct td_tick *t;
	char buf[128];

	if (td_tick_new(&o, &t, NULL) < 0) {
		ok(0, "softirq: new");
		return;
	}
	feed_idle(t, 1000, 0, 1);
	feed_idle(t, 2000, 0, TD_TEV_IDLE_EXIT);
	ok(!td_tick_softirq_known(t), "softirq_raise neither traced nor seen: unknown");
	feed_softirq(t, TD_TEV_SOFTIRQ_RAISE, 3000, 0, 3);	/* NET_RX */
	feed_softirq(t, TD_TEV_SOFTIRQ_RAISE, 3100, 1, 1);	/* TIMER, on CPU 1 */
	feed_idle(t, 4000, 0, 1);				/* NET_RX pending */
	feed_idle(t, 5000, 0, TD_TEV_IDLE_EXIT);
	feed_softirq(t, TD_TEV_SOFTIRQ, 6000, 0, 3);		/* run */
	feed_idle(t, 7000, 0, 1);				/* nothing pending */
	feed_idle(t, 8000, 0, TD_TEV_IDLE_EXIT);
	feed_softirq(t, TD_TEV_SOFTIRQ, 9000, 0, 9);		/* RCU runs ... */
	feed_softirq(t, TD_TEV_SOFTIRQ_RAISE, 9100, 0, 9);	/* ... and raises itself again */
	feed_softirq(t, TD_TEV_SOFTIRQ_RAISE, 9200, 0, 42);	/* no such vector: ignored */
	feed_idle(t, 10000, 0, 1);				/* RCU pending */
	td_tick_finish(t);
	ok(td_tick_softirq_known(t), "a softirq_raise seen: known");
	c = td_tick_cpu(t, 0);
	is_int(c->idle_entries, 4, "CPU 0: 4 idle entries");
	is_int(c->softirq_idle, 2, "CPU 0: softirqs pending at 2 of them");
	is_int(c->softirq_pending[3], 1, "CPU 0: NET_RX pending once (raised, not run)");
	is_int(c->softirq_pending[9], 1, "CPU 0: RCU pending once (raised again in its handler)");
	is_str(td_tick_softirqs_format(c, buf, sizeof(buf)), "NET_RX 1, RCU 1",
	    "CPU 0: formatted by name");
	is_int(td_tick_cpu(t, 1)->softirq_idle, 0, "CPU 1: its raise counts on CPU 1 only");
	td_tick_cause(t, 0, NULL, NULL, &why);
	ok(why.why == TD_TICK_WHY_SOFTIRQ && why.vec == 3 && why.count == 1 && why.of == 4,
	    "CPU 0: the cause is the softirq pending at idle (NET_RX, 1 of 4)");
	td_tick_free(t);

	/* Idle not traced: the switch to the idle task is the idle entry, counted once. */
	o.softirq_raise_traced = true;
	if (td_tick_new(&o, &t, NULL) < 0) {
		ok(0, "softirq: new");
		return;
	}
	ok(td_tick_softirq_known(t), "softirq_raise traced: known before any event");
	feed_softirq(t, TD_TEV_SOFTIRQ_RAISE, 1000, 1, 7);	/* SCHED */
	feed_switch(t, 2000, 1, 55, 0, "swapper/1");
	is_int(td_tick_cpu(t, 1)->softirq_pending[7], 1, "switch to idle: SCHED pending");
	feed_idle(t, 2100, 1, 1);				/* cpu_idle after all */
	td_tick_finish(t);
	c = td_tick_cpu(t, 1);
	ok(c->idle_entries == 1 && c->softirq_idle == 1 && c->softirq_pending[7] == 1,
	    "switch then cpu_idle: one idle entry, SCHED pending once");
	td_tick_free(t);
}

/* The fixture: softirqs pending at idle equal a count made here from the text. */
static void
softirq_fixture(void)
{
	long own[2][TD_TICK_SOFTIRQS] = { { 0 } }, own_idle[2] = { 0 };
	unsigned raised[2] = { 0 };
	struct td_tick_opts o = { .ncpus = 2, .tick_ns = TICK, .softirq_raise_traced = true };
	const char *src = getenv("TD_SRCDIR");
	struct td_trace_text *r;
	struct td_tick *t;
	char path[4096], line[4096], v[32];
	bool same = true;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/trace_text/softirq-pending.txt",
	    src ? src : "..");
	if ((f = fopen(path, "r")) == NULL) {
		ok(0, "open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		int cpu = line_cpu(line), vec;

		if (line[0] == '#' || cpu < 0 || cpu > 1)
			continue;
		field(line, "vec=", v, sizeof(v));
		vec = atoi(v);
		if (strstr(line, " softirq_raise: ") != NULL)
			raised[cpu] |= 1u << vec;
		else if (strstr(line, " softirq_entry: ") != NULL)
			raised[cpu] &= ~(1u << vec);
		else if (strstr(line, " cpu_idle: ") != NULL &&
		    strstr(line, "state=4294967295") == NULL && raised[cpu] != 0) {
			own_idle[cpu]++;
			for (int b = 0; b < TD_TICK_SOFTIRQS; b++)
				own[cpu][b] += (raised[cpu] >> b) & 1;
		}
	}
	fclose(f);
	if (td_tick_new(&o, &t, NULL) < 0 || td_trace_text_new(path, &r, NULL) < 0 ||
	    (f = fopen(path, "r")) == NULL) {
		ok(0, "softirq fixture: open");
		return;
	}
	ok(td_trace_text_read(r, f, feed, t, NULL) == 0, "softirq fixture: read");
	fclose(f);
	td_tick_finish(t);
	for (int cpu = 0; cpu < 2; cpu++) {
		const struct td_tick_cpu *c = td_tick_cpu(t, cpu);

		if ((long)c->softirq_idle != own_idle[cpu])
			same = false;
		for (int b = 0; b < TD_TICK_SOFTIRQS; b++)
			if ((long)c->softirq_pending[b] != own[cpu][b])
				same = false;
	}
	ok(same, "softirq fixture: pending at idle per CPU and vector equal the text's");
	ok(own_idle[0] == 3 && own[0][9] == 1 && own[0][7] == 2,
	    "softirq fixture: the text has RCU pending once and SCHED twice on CPU 0");
	td_trace_text_free(r);
	td_tick_free(t);
}

int
main(void)
{
	const char *corpus = corpus_dir();

	synthetic();
	armers_across_intervals();
	due_once_per_entry();
	softirq_synthetic();
	softirq_fixture();
	if (corpus == NULL) {
		diag("no corpus: the real traces are not checked");
		return done_testing();
	}
	corpus_glob(corpus, "kmatrix/*-trace", capture);
	ok(named_due > 0, "the captures have timers due whose armer is known (%ld)", named_due);
	return done_testing();
}
