/*
 * The wakeup attribution on synthetic event sequences: each kernel's order of
 * logging an idle period, the cause ladder (interrupt, tick, wheel timer,
 * hrtimer), IPIs, exits with no cause, busy CPUs, a CPU going offline, CPUs
 * whose idle the kernel does not trace, and the sum rule (the wakeups of the
 * sources add up to the idle exits of the CPUs).
 */
#include <string.h>

#include "attribution.h"
#include "fixture_events.h"
#include "tap.h"

#define F_TICK		0x1000	/* tick_sched_timer */
#define F_WAKE		0x2000	/* hrtimer_wakeup */
#define F_TFD		0x3000	/* timerfd_tmrproc */
#define F_PTO		0x4000	/* process_timeout (wheel) */

#define H	TD_TEV_CTX_HARDIRQ
#define S	TD_TEV_CTX_SOFTIRQ

static uint64_t now;

/* Names of the callbacks above (the context of every name callback). */
static struct fixture_fn fns[] = {
	{ F_TICK, "tick_sched_timer" },
	{ F_WAKE, "hrtimer_wakeup" },
	{ F_TFD, "timerfd_tmrproc" },
	{ F_PTO, "process_timeout" },
	{ 0, NULL },
};

static bool
fn_is_tick(void *ctx, uint64_t fn)
{
	(void)ctx;
	return fn == F_TICK;
}

/* Tasks 100.. are threads of process 100; comm "app". */
static void
task_info(void *ctx, int pid, struct td_task_info *ti)
{
	(void)ctx;
	if (ti->comm[0] == '\0')
		snprintf(ti->comm, sizeof(ti->comm), "app");
	ti->task = TD_TASK_USER;
	ti->tgid = pid >= 100 && pid < 110 ? 100 : pid;
}

static struct td_attr *
mk(int ncpus)
{
	struct td_attr_opts o = {
		.ncpus = ncpus,
		.wakeups = true,
		.names = { .is_tick = fn_is_tick, .function = fixture_fn_name, .task = task_info,
		    .ctx = fns },
	};
	struct td_attr *a;
	struct td_error e;

	if (td_attr_new(&o, &a, &e) < 0)
		abort();
	return a;
}

/* Feed one event. */
static void
ev(struct td_attr *a, enum td_tev_type type, int cpu, int pid, unsigned ctx, uint64_t ptr,
    uint64_t fn, int num, const char *name)
{
	struct td_tev t = fixture_tev(type, now += 1000, cpu, pid, name);

	t.ctx = ctx;
	t.ptr = ptr;
	t.function = fn;
	t.num = num;
	td_attr_event(a, &t);
}

#define IDLE(a, cpu)		ev(a, TD_TEV_IDLE, cpu, 0, 0, 0, 0, 1, NULL)
#define EXIT(a, cpu)		ev(a, TD_TEV_IDLE, cpu, 0, 0, 0, 0, TD_TEV_IDLE_EXIT, NULL)
#define LOC(a, cpu, pid)	ev(a, TD_TEV_VECTOR, cpu, pid, H, 0, 0, 236, "LOC")
#define HRSTART(a, cpu, pid, ptr, fn) ev(a, TD_TEV_HRTIMER_START, cpu, pid, 0, ptr, fn, 0, NULL)
#define HREXP(a, cpu, pid, ptr, fn) ev(a, TD_TEV_HRTIMER_EXPIRE, cpu, pid, H, ptr, fn, 0, NULL)
#define SWITCH(a, c_, prev_, next_) do {					\
	struct td_tev t_ = fixture_tev(TD_TEV_SCHED_SWITCH, now += 1000, (c_),	\
	    (prev_), "app");							\
	t_.arg = (prev_); t_.num = (next_);					\
	td_attr_event(a, &t_);							\
} while (0)

/* Collect into a fresh sample. */
static struct td_sample *
collect(struct td_attr *a)
{
	struct td_sample *p = calloc(1, sizeof(*p));
	struct td_error e;

	p->period_ns = 1000000000;
	if (td_attr_collect(a, p, &e) < 0)
		abort();
	return p;
}

/* The source of kind and function (and pid when >= -1; -9 any). */
static const struct td_wsource *
find(const struct td_sample *p, enum td_kind kind, const char *fn, int pid)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].kind == kind && strcmp(p->src[i].function, fn) == 0 &&
		    (pid == -9 || p->src[i].pid == pid))
			return &p->src[i];
	return NULL;
}

/* The wakeups of a source, -1 when there is none. */
static long long
wk(const struct td_sample *p, enum td_kind kind, const char *fn, int pid)
{
	const struct td_wsource *w = find(p, kind, fn, pid);

	return w ? (long long)w->wakeups : -1;
}

/* The sum rule: sources' wakeups add up to the CPUs' idle exits. */
static void
sum_rule(const struct td_sample *p, const char *what)
{
	uint64_t s = 0;

	for (size_t i = 0; i < p->n; i++)
		s += p->src[i].wakeups;
	is_int(s, p->total_wakeups, "%s: the sources' wakeups add up to the idle exits", what);
}

static void
test_old_order(void)
{
	struct td_attr *a = mk(2);
	struct td_sample *p;

	/* A task arms a sleep; the CPU idles; LOC fires it; the exit comes last. */
	HRSTART(a, 0, 101, 0xa0, F_WAKE);
	SWITCH(a, 0, 101, 0);
	IDLE(a, 0);
	LOC(a, 0, 0);
	HREXP(a, 0, 0, 0xa0, F_WAKE);
	EXIT(a, 0);
	SWITCH(a, 0, 0, 101);
	p = collect(a);
	is_int(p->cpu_wakeups[0], 1, "old order: one idle exit on CPU 0");
	is_int(p->cpu_wake_method[0], TD_WAKE_IDLE_EVENT, "old order: counted by cpu_idle");
	is_int(wk(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 101), 1,
	    "old order: the wakeup goes to the sleeper's timer and its task");
	is_int(wk(p, TD_KIND_VECTOR, "LOC", -1), 0, "old order: LOC has the event, not the wakeup");
	is_int(find(p, TD_KIND_VECTOR, "LOC", -1)->count, 1, "old order: LOC counted once as an event");
	is_int(find(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 101)->tgid, 100, "the armer's process");
	sum_rule(p, "old order");
	td_sample_free(p);
	td_attr_free(a);
}

static void
test_new_order(void)
{
	struct td_attr *a = mk(2);
	struct td_sample *p;

	/* arm64 6.12+: the exit is logged first, the interrupt follows. */
	HRSTART(a, 1, 102, 0xb0, F_TFD);
	IDLE(a, 1);
	EXIT(a, 1);
	ev(a, TD_TEV_IRQ, 1, 0, H, 0, 0, 11, "arch_timer");
	HREXP(a, 1, 0, 0xb0, F_TFD);
	ev(a, TD_TEV_SOFTIRQ, 1, 0, S, 0, 0, 1, NULL);
	SWITCH(a, 1, 0, 102);
	/* Later, busy: an interrupt while a task runs is no wakeup. */
	ev(a, TD_TEV_IRQ, 1, 102, H, 0, 0, 11, "arch_timer");
	p = collect(a);
	is_int(p->cpu_wakeups[1], 1, "new order: one idle exit on CPU 1");
	is_int(wk(p, TD_KIND_HRTIMER, "timerfd_tmrproc", 102), 1,
	    "new order: the interrupt after the exit is its cause, refined to the timerfd");
	is_int(find(p, TD_KIND_IRQ, "arch_timer", -1)->count, 2, "both interrupts are events");
	is_int(wk(p, TD_KIND_IRQ, "arch_timer", -1), 0, "the interrupt itself gets no wakeup");
	sum_rule(p, "new order");
	td_sample_free(p);
	td_attr_free(a);
}

static void
test_ladder(void)
{
	struct td_attr *a = mk(1);
	struct td_sample *p;

	/* Only the tick: the kernel's tick, whatever task re-armed it. */
	HRSTART(a, 0, 101, 0xc0, F_TICK);
	IDLE(a, 0);
	LOC(a, 0, 0);
	HREXP(a, 0, 0, 0xc0, F_TICK);
	EXIT(a, 0);
	/* The tick and a wheel timer in its softirq: the wheel timer. */
	ev(a, TD_TEV_TIMER_START, 0, 103, 0, 0xd0, F_PTO, 0, NULL);
	IDLE(a, 0);
	LOC(a, 0, 0);
	HREXP(a, 0, 0, 0xc0, F_TICK);
	ev(a, TD_TEV_SOFTIRQ, 0, 0, S, 0, 0, 1, NULL);
	ev(a, TD_TEV_TIMER_EXPIRE, 0, 0, S, 0xd0, F_PTO, 0, NULL);
	EXIT(a, 0);
	/* An hrtimer of a task beats the tick in the same interrupt. */
	HRSTART(a, 0, 104, 0xe0, F_WAKE);
	IDLE(a, 0);
	LOC(a, 0, 0);
	HREXP(a, 0, 0, 0xc0, F_TICK);
	HREXP(a, 0, 0, 0xe0, F_WAKE);
	EXIT(a, 0);
	/* Two interrupts: the first woke the CPU; a timer in the second does not count. */
	HRSTART(a, 0, 105, 0xf0, F_WAKE);
	IDLE(a, 0);
	ev(a, TD_TEV_IRQ, 0, 0, H, 0, 0, 24, "eth0");
	LOC(a, 0, 0);
	HREXP(a, 0, 0, 0xf0, F_WAKE);
	EXIT(a, 0);
	p = collect(a);
	is_int(p->cpu_wakeups[0], 4, "ladder: four idle exits");
	is_int(wk(p, TD_KIND_HRTIMER, "tick_sched_timer", -1), 1, "ladder: the tick alone");
	is_str(find(p, TD_KIND_HRTIMER, "tick_sched_timer", -1)->comm, "[tick]",
	    "the tick is shown as the kernel's, not the task that re-armed it");
	is_int(wk(p, TD_KIND_TIMER, "process_timeout", 103), 1, "ladder: the wheel timer beats the tick");
	is_int(wk(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 104), 1, "ladder: a task's hrtimer beats the tick");
	is_int(wk(p, TD_KIND_IRQ, "eth0", -1), 1, "ladder: the first of two interrupts is the cause");
	is_int(wk(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 105), 0, "ladder: not a timer of the second");
	sum_rule(p, "ladder");
	td_sample_free(p);
	td_attr_free(a);
}

static void
test_ipi_unknown_busy_offline(void)
{
	struct td_attr *a = mk(3);
	struct td_sample *p;

	/* x86: an IPI vector wakes CPU 0. */
	IDLE(a, 0);
	ev(a, TD_TEV_VECTOR, 0, 0, H, 0, 0, 251, "CAL");
	EXIT(a, 0);
	/* arm64: IRQ "IPI" then ipi_entry with its reason (text traces). */
	IDLE(a, 0);
	ev(a, TD_TEV_IRQ, 0, 0, H, 0, 0, 2, "IPI");
	ev(a, TD_TEV_IPI, 0, 0, H, 0, 0, 0, "Function call interrupts");
	EXIT(a, 0);
	/* An exit with nothing traced before the next task: unknown cause. */
	IDLE(a, 0);
	EXIT(a, 0);
	SWITCH(a, 0, 0, 101);
	/* CPU 1 busy: a task's timer expires, no idle exit. */
	HRSTART(a, 1, 106, 0x110, F_TFD);
	HREXP(a, 1, 106, 0x110, F_TFD);
	HREXP(a, 1, 106, 0x110, F_TFD);
	/* CPU 2 goes idle and offline: no exit ever comes. */
	IDLE(a, 2);
	p = collect(a);
	is_int(wk(p, TD_KIND_VECTOR, "CAL", -1), 1, "an IPI vector is the cause");
	is_int(wk(p, TD_KIND_VECTOR, "Function call interrupts", -1), 1,
	    "arm64: the IPI's reason names the wakeup");
	is_int(wk(p, TD_KIND_UNKNOWN, "(no traced cause)", -1), 1,
	    "an exit with no event is counted under unknown cause, not dropped");
	is_int(p->cpu_wakeups[0], 3, "CPU 0: three exits");
	is_int(find(p, TD_KIND_HRTIMER, "timerfd_tmrproc", 106)->count, 2, "busy CPU: two events");
	is_int(wk(p, TD_KIND_HRTIMER, "timerfd_tmrproc", 106), 0, "busy CPU: no wakeups");
	is_int(p->cpu_wakeups[1], 0, "busy CPU 1: no exits");
	is_int(p->cpu_wakeups[2], 0, "offline CPU 2: no exit, nothing invented");
	sum_rule(p, "ipi, unknown, busy, offline");
	td_sample_free(p);
	td_attr_free(a);
}

static void
test_idle_task_way(void)
{
	struct td_attr *a = mk(2);
	struct td_sample *p;

	/* CPU 1: the kernel traces no cpu_idle; CPU 0 does. */
	IDLE(a, 0);
	LOC(a, 0, 0);
	EXIT(a, 0);
	HRSTART(a, 1, 107, 0x120, F_WAKE);
	SWITCH(a, 1, 107, 0);
	LOC(a, 1, 0);				/* halt ended by LOC */
	HREXP(a, 1, 0, 0x120, F_WAKE);
	SWITCH(a, 1, 0, 107);
	SWITCH(a, 1, 107, 0);
	LOC(a, 1, 0);				/* the tick, back to halt */
	ev(a, TD_TEV_SOFTIRQ, 1, 0, S, 0, 0, 1, NULL);
	LOC(a, 1, 0);				/* another halt ended */
	SWITCH(a, 1, 0, 107);
	SWITCH(a, 1, 107, 0);
	SWITCH(a, 1, 0, 107);			/* polling wakeup: no interrupt */
	p = collect(a);
	is_int(p->cpu_wake_method[0], TD_WAKE_IDLE_EVENT, "CPU 0: cpu_idle");
	is_int(p->cpu_wake_method[1], TD_WAKE_IDLE_TASK, "CPU 1: the idle-task way");
	is_int(p->cpu_wakeups[1], 4, "CPU 1: three interrupts in the idle task and one poll wakeup");
	is_int(wk(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 107), 1, "CPU 1: the sleeper's wakeup");
	is_int(wk(p, TD_KIND_VECTOR, "LOC", -1), 3, "LOC: CPU 0's exit and CPU 1's two halts");
	is_int(wk(p, TD_KIND_UNKNOWN, "(no traced cause)", -1), 1, "the poll wakeup: unknown cause");
	sum_rule(p, "idle-task way");
	td_sample_free(p);
	td_attr_free(a);
}

static void
test_cpu_filter_and_group(void)
{
	struct td_attr_opts o = {
		.ncpus = 2,
		.wakeups = true,
		.names = { .is_tick = fn_is_tick, .function = fixture_fn_name, .task = task_info,
		    .ctx = fns },
	};
	struct td_cpuset only1;
	struct td_sample *p;
	struct td_attr *a;
	struct td_error e;

	td_cpuset_zero(&only1);
	td_cpuset_set(&only1, 1);
	o.cpus = &only1;
	if (td_attr_new(&o, &a, &e) < 0)
		abort();
	/* Two threads of process 100 and a second process of the same comm. */
	for (int cpu = 0; cpu < 2; cpu++)
		for (int pid = 101; pid <= 102; pid++) {
			HRSTART(a, cpu, pid, 0x200 + (uint64_t)pid * 8 + (uint64_t)cpu, F_WAKE);
			IDLE(a, cpu);
			LOC(a, cpu, 0);
			HREXP(a, cpu, 0, 0x200 + (uint64_t)pid * 8 + (uint64_t)cpu, F_WAKE);
			EXIT(a, cpu);
		}
	HRSTART(a, 1, 200, 0x300, F_WAKE);
	IDLE(a, 1);
	LOC(a, 1, 0);
	HREXP(a, 1, 0, 0x300, F_WAKE);
	EXIT(a, 1);
	p = collect(a);
	is_int(p->total_wakeups, 3, "--cpu 1: only CPU 1's exits");
	is_int(wk(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 101), 1, "thread 101: one wakeup on CPU 1");
	td_sample_filter_task(p, 100, -1);
	is_int(p->n, 2, "--pid 100: both threads of the process, not pid 200");
	td_sample_free(p);

	p = collect(a);
	td_sample_free(p);
	for (int pid = 101; pid <= 102; pid++) {
		HRSTART(a, 1, pid, 0x400 + (uint64_t)pid, F_WAKE);
		IDLE(a, 1);
		LOC(a, 1, 0);
		HREXP(a, 1, 0, 0x400 + (uint64_t)pid, F_WAKE);
		EXIT(a, 1);
	}
	HRSTART(a, 1, 200, 0x300, F_WAKE);
	IDLE(a, 1);
	LOC(a, 1, 0);
	HREXP(a, 1, 0, 0x300, F_WAKE);
	EXIT(a, 1);
	p = collect(a);
	td_sample_group(p, TD_GROUP_PROCESS);
	is_int(wk(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 100), 2, "process row: two threads' wakeups");
	is_int(find(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 100)->ntasks, 2, "process row: two tasks");
	is_int(wk(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 200), 1, "the other process apart");
	td_sample_group(p, TD_GROUP_COMM);
	is_int(wk(p, TD_KIND_HRTIMER, "hrtimer_wakeup", -1), 3, "comm row: every 'app' task");
	is_int(find(p, TD_KIND_HRTIMER, "hrtimer_wakeup", -1)->ntasks, 3, "comm row: three tasks");
	td_sample_free(p);
	td_attr_free(a);
}
#define SITE_NSLEEP	0x5010	/* an address inside do_nanosleep */
#define SITE_NSLEEP2	0x5020	/* another one */

/* Sites are named through the function callback too. */
static const char *
fn_or_site(void *ctx, uint64_t fn)
{
	if (fn >= 0x5000 && fn < 0x5100)
		return "do_nanosleep";
	return fixture_fn_name(ctx, fn);
}

/*
 * Sources counted elsewhere (the BPF backend's maps): per CPU, with sites,
 * both ways of counting wakeups, softirq and vector names; merged as the
 * attribution merges its own.
 */
static void
test_counted_elsewhere(void)
{
	struct td_attr_opts o = {
		.ncpus = 2,
		.wakeups = true,
		.names = { .is_tick = fn_is_tick, .function = fn_or_site, .task = task_info,
		    .ctx = fns },
	};
	struct td_attr_count c;
	const struct td_wsource *w;
	struct td_sample *p;
	struct td_attr *a;
	struct td_error e;
	const uint64_t ex0[2] = { 30, 0 }, ex1[2] = { 99, 12 };

	if (td_attr_new(&o, &a, &e) < 0)
		abort();
	memset(&c, 0, sizeof(c));
	c.kind = TD_KIND_HRTIMER;
	c.fn = F_WAKE;
	c.site = SITE_NSLEEP;
	c.pid = 101;
	c.num = -1;
	c.cpu = 1;
	c.count = c.expiries = 200;
	c.arms = 201;
	c.wakeups[1] = 10;		/* the idle-task way on CPU 1 */
	is_int(td_attr_add(a, &c), 0, "counted: add a sleeper on CPU 1");
	c.cpu = 0;
	c.site = SITE_NSLEEP2;		/* the same function: one row after finish */
	c.count = c.expiries = c.arms = 5;
	c.wakeups[0] = 5;
	c.wakeups[1] = 0;
	td_attr_add(a, &c);
	memset(&c, 0, sizeof(c));
	c.kind = TD_KIND_SOFTIRQ;
	c.pid = -1;
	c.num = 1;
	c.cpu = 0;
	c.count = 7;
	td_attr_add(a, &c);
	memset(&c, 0, sizeof(c));
	c.kind = TD_KIND_VECTOR;
	c.pid = -1;
	c.num = -1;
	c.name = "LOC";
	c.cpu = 0;
	c.count = 40;
	c.wakeups[0] = 25;
	td_attr_add(a, &c);
	td_attr_add_exits(a, 0, ex0, true, true);
	td_attr_add_exits(a, 1, ex1, false, true);
	p = collect(a);
	w = find(p, TD_KIND_HRTIMER, "hrtimer_wakeup", 101);
	ok(w != NULL && w->site != NULL && strcmp(w->site, "do_nanosleep") == 0 &&
	    (w->known & TD_WS_SITE), "counted: the site is named (do_nanosleep)");
	ok(w != NULL && w->count == 205 && w->arms == 206 && w->wakeups == 15 &&
	    w->wakeups_per_cpu[0] == 5 && w->wakeups_per_cpu[1] == 10 &&
	    w->per_cpu[1] == 200, "counted: two sites of one function merge, per CPU");
	ok(w != NULL && w->tgid == 100 && strcmp(w->comm, "app") == 0,
	    "counted: the armer is named as the attribution names it");
	is_int(p->cpu_wake_method[0], TD_WAKE_IDLE_EVENT, "counted: CPU 0 by cpu_idle");
	is_int(p->cpu_wake_method[1], TD_WAKE_IDLE_TASK, "counted: CPU 1 by the idle task");
	is_int(p->cpu_wakeups[0], 30, "counted: CPU 0's exits");
	is_int(p->cpu_wakeups[1], 12, "counted: CPU 1's exits, the idle-task way");
	w = find(p, TD_KIND_SOFTIRQ, "TIMER", -9);
	ok(w != NULL && w->count == 7, "counted: a softirq is named by its vector");
	is_int(wk(p, TD_KIND_VECTOR, "LOC", -9), 25, "counted: a vector by its label");
	td_sample_free(p);
	td_attr_free(a);
}

static void
test_idle_misses(void)
{
	struct td_attr_opts o = {
		.ncpus = 2,
		.wakeups = true,
		.idle_misses = true,
		.names = { .is_tick = fn_is_tick, .function = fixture_fn_name, .task = task_info,
		    .ctx = fns },
	};
	struct td_sample *p;
	struct td_attr *a;
	struct td_error e;

	if (td_attr_new(&o, &a, &e) < 0)
		abort();
	IDLE(a, 1);
	ev(a, TD_TEV_IDLE_MISS, 1, 0, 0, 0, 0, 1, NULL);
	LOC(a, 1, 0);
	EXIT(a, 1);
	IDLE(a, 1);
	ev(a, TD_TEV_IDLE_MISS, 1, 0, 0, 0, 0, 1, NULL);
	LOC(a, 1, 0);
	EXIT(a, 1);
	IDLE(a, 0);
	LOC(a, 0, 0);
	EXIT(a, 0);
	p = collect(a);
	ok(p->cpu_idle_misses != NULL, "cpu_idle_miss traced: counted per CPU");
	is_int(p->cpu_idle_misses[1], 2, "CPU 1: two idle states missed their target");
	is_int(p->cpu_idle_misses[0], 0, "CPU 0: none");
	is_int(p->cpu_wakeups[1], 2, "misses are not wakeups: CPU 1 still two exits");
	td_sample_free(p);
	td_attr_free(a);
}

/* A source's count on CPU c in arr (per_cpu or wakeups_per_cpu): 0 outside its CPUs. */
static uint64_t
on_cpu(const struct td_wsource *w, const uint64_t *arr, int c)
{
	return arr != NULL && c >= w->cpu0 && c < w->ncpus ? arr[c - w->cpu0] : 0;
}

/*
 * Many sources, on a small machine (a source's counters per CPU in its entry)
 * and a big one (allocated): 6,000 timerfd threads, more than the room made at
 * first, each arming its timer on its CPU, whose exit it causes, twice an
 * interval; every thread one source with its own counts, and the counts start
 * again at the next interval.
 */
static void
test_many_sources(int ncpus)
{
	enum { N = 6000 };
	struct td_attr *a = mk(ncpus);
	struct td_sample *p;
	int bad = 0, n = 0, wide = 0;

	for (int round = 0; round < 3; round++) {
		for (int t = 0; t < N; t++) {
			int pid = 1000 + t, cpu = t % ncpus;
			uint64_t ptr = 0x100000 + (uint64_t)t * 64;

			HRSTART(a, cpu, pid, ptr, F_TFD);
			IDLE(a, cpu);
			LOC(a, cpu, 0);
			HREXP(a, cpu, 0, ptr, F_TFD);
			EXIT(a, cpu);
		}
		if (round == 1)
			continue;
		p = collect(a);
		n = 0;
		bad = 0;
		wide = 0;
		for (size_t i = 0; i < p->n; i++) {
			const struct td_wsource *w = &p->src[i];
			int cpu = (w->pid - 1000) % ncpus;
			uint64_t want = round == 0 ? 1 : 2;

			if (w->kind != TD_KIND_HRTIMER || strcmp(w->function, "timerfd_tmrproc") != 0)
				continue;
			n++;
			if (w->count != want || w->expiries != want || w->arms != want ||
			    w->wakeups != want || on_cpu(w, w->per_cpu, cpu) != want ||
			    on_cpu(w, w->wakeups_per_cpu, cpu) != want)
				bad++;
			for (int c = 0; c < ncpus; c++)
				if (c != cpu && (on_cpu(w, w->per_cpu, c) != 0 ||
				    on_cpu(w, w->wakeups_per_cpu, c) != 0))
					bad++;
			/* above 64 CPUs a source's counters hold only the CPUs it was seen on */
			if (ncpus > 64 && w->ncpus - w->cpu0 != 1)
				wide++;
		}
		is_int(n, N, "%d CPUs, interval %d: each of %d threads one source", ncpus,
		    round == 0 ? 1 : 2, N);
		is_int(bad, 0, "%d CPUs, interval %d: each source's counts and its CPU's, none on the others",
		    ncpus, round == 0 ? 1 : 2);
		if (ncpus > 64)
			is_int(wide, 0, "%d CPUs, interval %d: each source's counters hold its one CPU",
			    ncpus, round == 0 ? 1 : 2);
		sum_rule(p, ncpus > 64 ? "many sources, 100 CPUs" : "many sources, 2 CPUs");
		td_sample_free(p);
	}
	td_attr_free(a);
}

/*
 * Above 64 CPUs, the threads of a process seen on CPUs far apart, grouped:
 * the process's row has each CPU's counts, its counters the CPUs from the
 * first to the last.  A thread that moves (CPU 50, then 10, then 99) has its
 * counters grown down and up.
 */
static void
test_group_cpus(void)
{
	static const struct { int pid, cpu, n; } th[] = {
		{ 100, 90, 3 }, { 101, 5, 2 }, { 102, 40, 4 }, { 103, 40, 1 }, { 104, 6, 5 },
	};
	struct td_attr *a = mk(100);
	struct td_sample *p;
	const struct td_wsource *w;
	int bad = 0;

	static const int moves[] = { 50, 10, 99 };

	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		HRSTART(a, moves[i], 200, 0x300000, F_TFD);
		IDLE(a, moves[i]);
		HREXP(a, moves[i], 0, 0x300000, F_TFD);
		EXIT(a, moves[i]);
	}
	for (size_t i = 0; i < sizeof(th) / sizeof(th[0]); i++)
		for (int k = 0; k < th[i].n; k++) {
			uint64_t ptr = 0x200000 + (uint64_t)i * 64;

			HRSTART(a, th[i].cpu, th[i].pid, ptr, F_TFD);
			IDLE(a, th[i].cpu);
			LOC(a, th[i].cpu, 0);
			HREXP(a, th[i].cpu, 0, ptr, F_TFD);
			EXIT(a, th[i].cpu);
		}
	p = collect(a);
	w = find(p, TD_KIND_HRTIMER, "timerfd_tmrproc", 101);
	ok(w != NULL && w->cpu0 == 5 && w->ncpus == 6, "100 CPUs: a thread's counters hold its CPU");
	w = find(p, TD_KIND_HRTIMER, "timerfd_tmrproc", 200);
	for (int c = 0; w != NULL && c < 100; c++)
		if (on_cpu(w, w->per_cpu, c) != (c == 50 || c == 10 || c == 99) ||
		    on_cpu(w, w->wakeups_per_cpu, c) != (c == 50 || c == 10 || c == 99))
			bad++;
	ok(w != NULL && bad == 0 && w->count == 3 && w->cpu0 <= 10 && w->ncpus == 100,
	    "a thread on CPUs 50, 10 and 99: each CPU's expiry and wakeup, counters grown both ways");
	bad = 0;
	td_sample_group(p, TD_GROUP_PROCESS);
	w = find(p, TD_KIND_HRTIMER, "timerfd_tmrproc", 100);
	if (!ok(w != NULL && w->count == 15 && w->wakeups == 15 && w->ntasks == 5,
	    "grouped: one row of 5 threads, 15 expiries and wakeups"))
		goto out;
	for (int c = 0; c < 100; c++) {
		uint64_t want = c == 90 ? 3 : c == 5 ? 2 : c == 40 ? 5 : c == 6 ? 5 : 0;

		if (on_cpu(w, w->per_cpu, c) != want || on_cpu(w, w->wakeups_per_cpu, c) != want)
			bad++;
	}
	is_int(bad, 0, "grouped: each CPU's expiries and wakeups (90: 3, 5: 2, 40: 5, 6: 5, others 0)");
	ok(w->cpu0 == 5 && w->ncpus == 91, "grouped: its counters hold CPUs 5 to 90");
out:
	td_sample_free(p);
	td_attr_free(a);
}

int
main(void)
{
	test_idle_misses();
	test_old_order();
	test_new_order();
	test_ladder();
	test_ipi_unknown_busy_offline();
	test_idle_task_way();
	test_cpu_filter_and_group();
	test_counted_elsewhere();
	test_many_sources(2);
	test_many_sources(100);
	test_group_cpus();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
