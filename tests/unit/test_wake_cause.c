/*
 * The cause of a late wake-up on built event sequences: an interrupt, a
 * softirq, timer expiries, a task switched in, an idle exit and a task whose
 * switch-in was lost between the intended and the actual wake-up each give
 * the named cause, and the tasks that held the CPU add up to the window.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture_events.h"
#include "tap.h"
#include "wake_cause.h"

#define F_WAKE		0x1000	/* hrtimer_wakeup: the waiter's own timer */
#define F_DELACK	0x2000	/* tcp_delack_timer (a wheel timer) */

#define CPU		1
#define TID		4242	/* the waiting thread */
#define T0		1000000000ULL
#define T1		(T0 + 500000)	/* 500 us late */
#define US		1000ULL

#define H	TD_TEV_CTX_HARDIRQ
#define S	TD_TEV_CTX_SOFTIRQ

static struct td_wake_rings *rings;

/* Names of the callbacks above; others unknown. */
static struct fixture_fn fns[] = {
	{ F_WAKE, "hrtimer_wakeup" },
	{ F_DELACK, "tcp_delack_timer" },
	{ 0, NULL },
};

static const struct td_wake_names names = { fixture_fn_name, fns };

/* Fresh rings watching CPU 1 of 2. */
static void
fresh(void)
{
	struct td_cpuset set;

	td_wake_rings_free(rings);
	td_cpuset_zero(&set);
	td_cpuset_set(&set, CPU);
	if (td_wake_rings_new(2, &set, &rings) < 0) {
		ok(0, "td_wake_rings_new");
		exit(done_testing());
	}
}

/* Feed one event of CPU cpu to the observer. */
static void
event(int cpu, enum td_tev_type type, uint64_t ts, int pid, unsigned ctx, int num, int arg,
    uint64_t fn, const char *name)
{
	struct td_tev ev = fixture_tev(type, ts, cpu, pid, name);

	ev.ctx = ctx;
	ev.num = num;
	ev.arg = arg;
	ev.function = fn;
	td_wake_rings_observe(&ev, rings);
}

/* A switch on CPU 1 from prev to next (comm). */
static void
sw(uint64_t ts, int prev, int next, const char *comm)
{
	event(CPU, TD_TEV_SCHED_SWITCH, ts, prev, 0, next, prev, 0, comm);
}

/* The waiter went to sleep and the CPU idled in state st before the due time. */
static void
idle_before(int st)
{
	sw(T0 - 900 * US, TID, 0, "swapper/1");
	event(CPU, TD_TEV_IDLE, T0 - 890 * US, 0, 0, st, 0, 0, NULL);
}

/* The waiter's timer fired at own; it was switched in 50 us before the window's end. */
static void
waiter_back(uint64_t own)
{
	event(CPU, TD_TEV_HRTIMER_EXPIRE, own, 0, H, 0, 0, F_WAKE, NULL);
	sw(T1 - 50 * US, 0, TID, "timerprobe");
}

/* Analyse the window; fails the test on an error. */
static void
analyse(struct td_wake_cause *c)
{
	int r = td_wake_cause_analyse(rings, &names, CPU, T0, T1, TID, c);

	is_int(r, 0, "analysed");
}

/* True when the cause names what; says what it was when not. */
static int
names_it(const struct td_wake_cause *c, const char *what)
{
	if (strstr(c->cause, what) != NULL)
		return 1;
	diag("cause: %s", c->cause);
	return 0;
}

/* The time task pid held the CPU in the window, -1 when not listed. */
static long long
on_cpu(const struct td_wake_cause *c, int pid)
{
	for (size_t i = 0; i < c->ntasks; i++)
		if (c->tasks[i].pid == pid)
			return (long long)c->tasks[i].on_cpu_ns;
	return -1;
}

/* The tasks' times cover the window exactly. */
static void
tasks_cover(const struct td_wake_cause *c, const char *what)
{
	unsigned long long sum = 0;

	for (size_t i = 0; i < c->ntasks; i++)
		sum += c->tasks[i].on_cpu_ns;
	is_int(sum, T1 - T0, "%s: the tasks' time on the CPU adds up to the window", what);
}

/* An interrupt while the CPU was idle. */
static void
test_interrupt(void)
{
	struct td_wake_cause c;

	fresh();
	idle_before(1);
	event(CPU, TD_TEV_IDLE, T0 + 5 * US, 0, 0, TD_TEV_IDLE_EXIT, 0, 0, NULL);
	event(CPU, TD_TEV_IRQ, T0 + 10 * US, 0, H, 24, 0, 0, "virtio0-input");
	/* CPU 0's events are not watched. */
	event(0, TD_TEV_IRQ, T0 + 20 * US, 0, H, 11, 0, 0, "ahci");
	waiter_back(T0 + 400 * US);
	analyse(&c);
	ok(names_it(&c, "irq 24 virtio0-input"), "the interrupt is named");
	ok(strstr(c.cause, "ahci") == NULL, "another CPU's interrupt is not");
	ok(strstr(c.cause, "task") == NULL, "no task: the CPU was idle (%s)", c.cause);
	ok(names_it(&c, "idle exit from state 1 after 5.0 us"), "the idle exit and its state");
	ok(c.has_own && c.own_ts - T0 == 400 * US, "the waiter's own timer fired 400 us late");
	ok(strstr(c.cause, "hrtimer_wakeup") == NULL, "the waiter's own timer is no cause");
	ok(c.has_task && c.task_pid == 0 && strcmp(c.task_comm, "swapper/1") == 0,
	    "the idle task held the CPU at the due time");
	is_int(c.nall, 4, "four events in the window");
	is_int(on_cpu(&c, 0), 450 * US, "idle 450 us");
	is_int(on_cpu(&c, TID), 50 * US, "the waiter 50 us");
	tasks_cover(&c, "interrupt");
}

/* A softirq run by the task that held the CPU. */
static void
test_softirq(void)
{
	struct td_wake_cause c;

	fresh();
	sw(T0 - 100 * US, TID, 77, "kworker/1:1");
	event(CPU, TD_TEV_SOFTIRQ, T0 + 20 * US, 77, S, 3, 0, 0, NULL);
	sw(T0 + 480 * US, 77, TID, "timerprobe");
	analyse(&c);
	ok(names_it(&c, "task kworker/1:1 (pid 77) was running; softirq NET_RX"),
	    "the running task first, then the softirq");
	is_int(on_cpu(&c, 77), 480 * US, "the kworker held the CPU 480 us of the window");
	is_int(c.ntasks, 2, "two tasks");
	ok(strcmp(c.tasks[0].comm, "kworker/1:1") == 0, "listed first, with its comm");
	tasks_cover(&c, "softirq");
}

/* Timer expiries: a wheel timer by name, an hrtimer by address. */
static void
test_timers(void)
{
	struct td_wake_cause c;

	fresh();
	idle_before(2);
	event(CPU, TD_TEV_TIMER_EXPIRE, T0 + 30 * US, 0, S, 0, 0, F_DELACK, NULL);
	event(CPU, TD_TEV_HRTIMER_EXPIRE, T0 + 60 * US, 0, H, 0, 0, 0xdead, NULL);
	waiter_back(T0 + 300 * US);
	analyse(&c);
	ok(names_it(&c, "timer tcp_delack_timer; hrtimer 0xdead"),
	    "both timers, in order, the unknown callback by address");
}

/* A task switched in between the due time and the wake-up. */
static void
test_switch(void)
{
	struct td_wake_cause c;

	fresh();
	idle_before(1);
	sw(T0 + 10 * US, 0, 900, "stress");
	sw(T0 + 410 * US, 900, 0, "swapper/1");
	waiter_back(T0 + 420 * US);
	analyse(&c);
	ok(names_it(&c, "task stress (pid 900) ran"), "the task that ran is named");
	ok(strstr(c.cause, "was running") == NULL, "the CPU was idle at the due time");
	is_int(on_cpu(&c, 900), 400 * US, "stress held the CPU 400 us");
	is_int(on_cpu(&c, 0), 50 * US, "idle 10 + 40 us");
	is_int(on_cpu(&c, TID), 50 * US, "the waiter 50 us");
	tasks_cover(&c, "switch");
}

/* A deep idle state left late: the exit latency is the cause. */
static void
test_idle_exit(void)
{
	struct td_wake_cause c;

	fresh();
	idle_before(3);
	event(CPU, TD_TEV_IDLE, T0 + 300 * US, 0, 0, TD_TEV_IDLE_EXIT, 0, 0, NULL);
	waiter_back(T0 + 305 * US);
	analyse(&c);
	is_str(c.cause, "idle exit from state 3 after 300.0 us", "only the idle exit");
	ok(c.was_idle && c.has_exit && c.idle_state == 3, "idle in state 3, left");
}

/*
 * A spinner whose switch-in is no longer kept: the common pid of the
 * window's first events names it, its comm unknown.
 */
static void
test_witness(void)
{
	struct td_wake_cause c;

	fresh();
	event(CPU, TD_TEV_VECTOR, T0 + 1 * US, 555, H, 236, 0, 0, "LOC");
	sw(T0 + 450 * US, 555, TID, "timerprobe");
	analyse(&c);
	ok(names_it(&c, "task pid 555 was running; vector LOC"), "the spinner by its pid");
	ok(c.has_task && c.task_pid == 555 && c.task_comm[0] == '\0',
	    "the task at the due time, its comm unknown");
	is_int(on_cpu(&c, 555), 450 * US, "the spinner held the CPU from the due time");
	ok(c.ntasks > 0 && c.tasks[0].comm[0] == '\0', "listed without a comm");
}

/* A storm of interrupts overwrites the window's first events, not the switch. */
static void
test_storm(void)
{
	struct td_wake_cause c;

	fresh();
	sw(T0 - 10 * US, TID, 31337, "spinner");
	for (int i = 0; i < 3000; i++)
		event(CPU, TD_TEV_VECTOR, T0 + 100 + (uint64_t)i * 100, 31337, H, 236, 0, 0,
		    "LOC");
	analyse(&c);
	ok(c.cut, "the window's first events were overwritten: said so");
	is_int(c.nall, TD_WAKE_RING, "the ring's worth of events counted");
	is_int(c.nwin, TD_WAKE_SHOWN, "the first ones kept for the report");
	ok(names_it(&c, "task spinner (pid 31337) was running"),
	    "the switch-in survives the storm in its own ring");
}

/* More tasks than a line holds: whole names and "...", the list cut at 16. */
static void
test_many(void)
{
	struct td_wake_cause c;
	char comm[32];
	size_t n;

	fresh();
	idle_before(1);
	for (int i = 0; i < 40; i++) {
		snprintf(comm, sizeof(comm), "worker-%02d", i);
		sw(T0 + (uint64_t)(i + 1) * 10 * US, i ? 1000 + i - 1 : 0, 1000 + i, comm);
	}
	waiter_back(T0 + 420 * US);
	analyse(&c);
	n = strlen(c.cause);
	ok(n > 5 && strcmp(c.cause + n - 5, "; ...") == 0, "the cause ends in \"; ...\"");
	ok(names_it(&c, "task worker-00 (pid 1000) ran; task worker-01 (pid 1001) ran"),
	    "the first tasks whole");
	ok(strstr(c.cause, "(pid 10; ") == NULL && strstr(c.cause, " ra;") == NULL,
	    "no name cut in the middle");
	is_int(c.ntasks, TD_WAKE_TASKS, "sixteen tasks listed");
	ok(c.tasks_cut, "and the rest said to be left out");
	is_int(on_cpu(&c, 1000), 10 * US, "each 10 us");
}

/* Nothing traced, a CPU not watched, events past the limit. */
static void
test_empty(void)
{
	struct td_wake_cause c;

	fresh();
	analyse(&c);
	is_str(c.cause, "no event traced on that CPU in between", "nothing traced");
	is_int(c.ntasks, 0, "no task known");
	is_int(td_wake_cause_analyse(rings, &names, 0, T0, T1, TID, &c), -ENOENT,
	    "CPU 0 is not watched");
	td_wake_rings_limit(rings, T0 + 100 * US);
	event(CPU, TD_TEV_IRQ, T0 + 200 * US, 0, H, 24, 0, 0, "virtio0-input");
	analyse(&c);
	ok(strstr(c.cause, "virtio0") == NULL, "an event past the limit is dropped");
}

int
main(void)
{
	test_interrupt();
	test_softirq();
	test_timers();
	test_switch();
	test_idle_exit();
	test_witness();
	test_storm();
	test_many();
	test_empty();
	td_wake_rings_free(rings);
	return done_testing();
}
