/*
 * What delayed a late wake-up, from the decoded events of its CPU.  The
 * observer keeps the last events of each watched CPU in two rings; after the
 * late wake-up the events between the intended and the actual wake-up are
 * named: the task that held the CPU at the due time, the tasks that ran in
 * between (with their time on the CPU), interrupts, vectors, softirqs, timer
 * expiries and the idle exit.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softirqs.h"
#include "wake_cause.h"

/* One ring: the last TD_WAKE_RING events pushed; ev[n % TD_WAKE_RING] is next. */
struct ring1 {
	struct td_wake_event	*ev;
	size_t			 n;
};

/* A CPU's rings: its states (switches, idle) and its other events. */
struct cring {
	struct ring1		 st, ev;
};

struct td_wake_rings {
	int			 ncpu;
	struct cring		*ring;
	uint64_t		 limit;		/* events after this time are dropped; 0 none */
};

/* A walk over both rings of a CPU in time order. */
struct cwalk {
	const struct cring	*r;
	size_t			 i, j;		/* next in st, in ev */
};

/* Rings for the watched CPUs. */
int
td_wake_rings_new(int ncpu, const struct td_cpuset *cpus, struct td_wake_rings **out)
{
	struct td_wake_rings *r;

	*out = NULL;
	if (ncpu < 1)
		return -EINVAL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -ENOMEM;
	r->ncpu = ncpu;
	if ((r->ring = calloc((size_t)ncpu, sizeof(*r->ring))) == NULL) {
		free(r);
		return -ENOMEM;
	}
	for (int i = 0; i < ncpu; i++) {
		if (cpus != NULL && !td_cpuset_isset(cpus, i))
			continue;
		r->ring[i].st.ev = calloc(TD_WAKE_RING, sizeof(struct td_wake_event));
		r->ring[i].ev.ev = calloc(TD_WAKE_RING, sizeof(struct td_wake_event));
		if (r->ring[i].st.ev == NULL || r->ring[i].ev.ev == NULL) {
			td_wake_rings_free(r);
			return -ENOMEM;
		}
	}
	*out = r;
	return 0;
}

void
td_wake_rings_free(struct td_wake_rings *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->ncpu; i++) {
		free(r->ring[i].st.ev);
		free(r->ring[i].ev.ev);
	}
	free(r->ring);
	free(r);
}

/* The events a cause is made of: no timer starts or cancels. */
static bool
kept(enum td_tev_type t)
{
	switch (t) {
	case TD_TEV_TIMER_EXPIRE:
	case TD_TEV_HRTIMER_EXPIRE:
	case TD_TEV_VECTOR:
	case TD_TEV_IRQ:
	case TD_TEV_SOFTIRQ:
	case TD_TEV_IDLE:
	case TD_TEV_SCHED_SWITCH:
		return true;
	default:
		return false;
	}
}

/* Keep the event in its CPU's ring. */
void
td_wake_rings_observe(const struct td_tev *ev, void *arg)
{
	struct td_wake_rings *r = arg;
	struct ring1 *q;
	struct td_wake_event *x;
	size_t l;

	if (ev->cpu < 0 || ev->cpu >= r->ncpu || r->ring[ev->cpu].ev.ev == NULL ||
	    !kept(ev->type) || (r->limit != 0 && ev->ts > r->limit))
		return;
	q = ev->type == TD_TEV_SCHED_SWITCH || ev->type == TD_TEV_IDLE ?
	    &r->ring[ev->cpu].st : &r->ring[ev->cpu].ev;
	x = &q->ev[q->n++ % TD_WAKE_RING];
	x->type = ev->type;
	x->ts = ev->ts;
	x->pid = ev->pid;
	x->ctx = ev->ctx;
	x->num = ev->num;
	x->arg = ev->arg;
	x->ptr = ev->ptr;
	x->function = ev->function;
	l = ev->name != NULL ? ev->namelen : 0;
	if (l >= TD_WAKE_NAME_LEN)
		l = TD_WAKE_NAME_LEN - 1;
	if (l > 0)
		memcpy(x->name, ev->name, l);
	x->name[l] = '\0';
}

void
td_wake_rings_limit(struct td_wake_rings *r, uint64_t ts)
{
	r->limit = ts;
}

bool
td_wake_rings_has(const struct td_wake_rings *r, int cpu)
{
	return cpu >= 0 && cpu < r->ncpu && r->ring[cpu].ev.ev != NULL;
}

/* The oldest event a ring still holds. */
static size_t
ring_first(const struct ring1 *r)
{
	return r->n > TD_WAKE_RING ? r->n - TD_WAKE_RING : 0;
}

static void
walk_begin(struct cwalk *w, const struct cring *r)
{
	w->r = r;
	w->i = ring_first(&r->st);
	w->j = ring_first(&r->ev);
}

/* The next event of the CPU in time order, NULL at the end. */
static const struct td_wake_event *
walk_next(struct cwalk *w)
{
	const struct td_wake_event *a = w->i < w->r->st.n ?
	    &w->r->st.ev[w->i % TD_WAKE_RING] : NULL;
	const struct td_wake_event *b = w->j < w->r->ev.n ?
	    &w->r->ev.ev[w->j % TD_WAKE_RING] : NULL;

	if (a != NULL && (b == NULL || a->ts <= b->ts)) {
		w->i++;
		return a;
	}
	if (b != NULL)
		w->j++;
	return b;
}

void
td_wake_rings_walk(const struct td_wake_rings *r, int cpu, uint64_t until,
    void (*fn)(const struct td_wake_event *ev, void *arg), void *arg)
{
	const struct td_wake_event *e;
	struct cwalk wk;

	if (!td_wake_rings_has(r, cpu))
		return;
	walk_begin(&wk, &r->ring[cpu]);
	while ((e = walk_next(&wk)) != NULL && e->ts <= until)
		fn(e, arg);
}

const char *
td_wake_function(const struct td_wake_names *names, uint64_t fn, char *buf, size_t len)
{
	const char *n = names != NULL && names->function != NULL ?
	    names->function(names->ctx, fn) : NULL;

	if (n != NULL)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "0x%" PRIx64, fn);
	return buf;
}

const char *
td_wake_event_words(const struct td_wake_event *x, const struct td_wake_names *names,
    char *buf, size_t len)
{
	const char *s;
	char fn[128];

	switch (x->type) {
	case TD_TEV_VECTOR:
		snprintf(buf, len, "vector %s", x->name);
		break;
	case TD_TEV_IRQ:
		snprintf(buf, len, "irq %d %s", x->num, x->name);
		break;
	case TD_TEV_SOFTIRQ:
		s = td_softirq_name(x->num);
		snprintf(buf, len, "softirq %s", s != NULL ? s : "?");
		break;
	case TD_TEV_TIMER_EXPIRE:
		snprintf(buf, len, "timer %s", td_wake_function(names, x->function, fn,
		    sizeof(fn)));
		break;
	case TD_TEV_HRTIMER_EXPIRE:
		snprintf(buf, len, "hrtimer %s", td_wake_function(names, x->function, fn,
		    sizeof(fn)));
		break;
	case TD_TEV_IDLE:
		if (x->num == TD_TEV_IDLE_EXIT)
			snprintf(buf, len, "%s", "idle exit");
		else
			snprintf(buf, len, "idle enter (state %d)", x->num);
		break;
	case TD_TEV_SCHED_SWITCH:
		snprintf(buf, len, "switch to %s (pid %d)", x->name, x->num);
		break;
	default:
		snprintf(buf, len, "%s", "event");
	}
	return buf;
}

/* Whether a timer callback is what wakes a waiting thread (a sleep or a timerfd). */
static bool
own_timer(const char *fn)
{
	return strcmp(fn, "hrtimer_wakeup") == 0 || strcmp(fn, "timerfd_tmrproc") == 0;
}

/* Append one named source to a "; "-separated list, once; "..." when it is full. */
static void
list_add(char *list, size_t len, const char *what)
{
	size_t n = strlen(list);

	if (strstr(list, what) != NULL)
		return;
	if (n + 2 + strlen(what) + 5 >= len) {
		if (n + 5 < len && (n < 3 || strcmp(list + n - 3, "...") != 0))
			strlcat(list, n ? "; ..." : "...", len);
		return;
	}
	if (n > 0)
		strlcat(list, "; ", len);
	strlcat(list, what, len);
}

/* The comm of task pid from a kept switch to it; the idle task is "swapper". */
static void
task_comm(const struct cring *r, int pid, char *comm, size_t len)
{
	if (pid == 0) {
		snprintf(comm, len, "%s", "swapper");
		return;
	}
	for (size_t i = ring_first(&r->st); i < r->st.n; i++) {
		const struct td_wake_event *e = &r->st.ev[i % TD_WAKE_RING];

		if (e->type == TD_TEV_SCHED_SWITCH && e->num == pid)
			snprintf(comm, len, "%s", e->name);
	}
}

/* Give task pid (comm, when known) dt more nanoseconds on the CPU. */
static void
task_time(struct td_wake_cause *c, const struct cring *r, int pid, const char *comm,
    uint64_t dt)
{
	struct td_wake_task *t;
	size_t i;

	for (i = 0; i < c->ntasks && c->tasks[i].pid != pid; i++)
		;
	if (i == c->ntasks) {
		if (c->ntasks == TD_WAKE_TASKS) {
			c->tasks_cut = true;
			return;
		}
		t = &c->tasks[c->ntasks++];
		t->pid = pid;
		t->on_cpu_ns = 0;
		t->comm[0] = '\0';
		if (comm != NULL && comm[0] != '\0')
			snprintf(t->comm, sizeof(t->comm), "%s", comm);
		else
			task_comm(r, pid, t->comm, sizeof(t->comm));
	}
	c->tasks[i].on_cpu_ns += dt;
}

/*
 * Who held the CPU in the window and for how long: the task at the due time
 * until the first switch, then each task switched in until the next switch or
 * the actual wake-up.  Time before the first switch is unaccounted when the
 * task at the due time is not known.
 */
static void
account_tasks(struct td_wake_cause *c, const struct cring *r)
{
	const struct td_wake_event *e;
	struct cwalk wk;
	bool has = c->has_task;
	int pid = c->task_pid;
	const char *comm = c->task_comm;
	uint64_t start = c->t0;

	walk_begin(&wk, r);
	while ((e = walk_next(&wk)) != NULL && e->ts <= c->t1) {
		if (e->ts < c->t0 || e->type != TD_TEV_SCHED_SWITCH)
			continue;
		if (has)
			task_time(c, r, pid, comm, e->ts - start);
		has = true;
		pid = e->num;
		comm = e->name;
		start = e->ts;
	}
	if (has)
		task_time(c, r, pid, comm, c->t1 - start);
}

/* Look at the rings of cpu between the intended and the actual wake-up. */
int
td_wake_cause_analyse(const struct td_wake_rings *rings, const struct td_wake_names *names,
    int cpu, uint64_t t0, uint64_t t1, int tid, struct td_wake_cause *c)
{
	char w[160], x[64], later[400] = "", tasks[400] = "";
	const struct td_wake_event *e;
	const struct cring *r;
	struct cwalk wk;
	bool switched = false;

	memset(c, 0, sizeof(*c));
	c->cpu = cpu;
	c->t0 = t0;
	c->t1 = t1;
	if (!td_wake_rings_has(rings, cpu))
		return -ENOENT;
	r = &rings->ring[cpu];
	walk_begin(&wk, r);
	while ((e = walk_next(&wk)) != NULL) {
		if (e->ts < t0) {
			if (e->type == TD_TEV_SCHED_SWITCH) {
				c->has_task = true;
				c->task_pid = e->num;
				snprintf(c->task_comm, sizeof(c->task_comm), "%s", e->name);
			} else if (e->type == TD_TEV_IDLE) {
				c->was_idle = e->num != TD_TEV_IDLE_EXIT;
				c->idle_state = e->num;
			}
			continue;
		}
		if (e->ts > t1)
			break;
		if (c->nwin < TD_WAKE_SHOWN)
			c->win[c->nwin++] = *e;
		c->nall++;
		/*
		 * Until the first switch in the window, an event's common pid is
		 * the task that held the CPU at the due time: the witness when
		 * that task's own switch-in is no longer kept.
		 */
		if (!switched && e->type != TD_TEV_SCHED_SWITCH && e->type != TD_TEV_IDLE &&
		    (!c->has_task || c->task_pid != e->pid)) {
			c->task_pid = e->pid;
			c->task_comm[0] = '\0';
			c->has_task = true;
			c->was_idle = e->pid == 0 && c->was_idle;
		}
		if (e->type == TD_TEV_SCHED_SWITCH)
			switched = true;
		if (e->type == TD_TEV_IDLE && e->num == TD_TEV_IDLE_EXIT && !c->has_exit) {
			c->has_exit = true;
			c->idle_exit = e->ts;
		}
		if (e->type == TD_TEV_HRTIMER_EXPIRE && !c->has_own &&
		    own_timer(td_wake_function(names, e->function, x, sizeof(x)))) {
			c->has_own = true;
			c->own_ts = e->ts;
			continue;
		}
		if (e->type == TD_TEV_IDLE)
			continue;
		if (e->type == TD_TEV_SCHED_SWITCH) {
			/* Tasks that ran in between, but for the idle task and the waiter. */
			if (e->num == 0 || e->num == tid)
				continue;
			snprintf(w, sizeof(w), "task %s (pid %d) ran", e->name, e->num);
			list_add(tasks, sizeof(tasks), w);
			continue;
		}
		list_add(later, sizeof(later), td_wake_event_words(e, names, w, sizeof(w)));
	}
	c->cut = r->ev.n > TD_WAKE_RING && r->ev.ev[ring_first(&r->ev) % TD_WAKE_RING].ts > t0;
	if (c->has_task && c->task_comm[0] == '\0')
		task_comm(r, c->task_pid, c->task_comm, sizeof(c->task_comm));
	account_tasks(c, r);
	/* First the task on the CPU when the wake-up was due, unless idle or the waiter. */
	if (c->has_task && c->task_pid != 0 && c->task_pid != tid) {
		if (c->task_comm[0] != '\0')
			snprintf(w, sizeof(w), "task %s (pid %d) was running", c->task_comm,
			    c->task_pid);
		else
			snprintf(w, sizeof(w), "task pid %d was running", c->task_pid);
		list_add(c->cause, sizeof(c->cause), w);
	}
	/* Then the tasks that ran in between, then the interrupts and timers. */
	if (tasks[0] != '\0')
		list_add(c->cause, sizeof(c->cause), tasks);
	if (later[0] != '\0')
		list_add(c->cause, sizeof(c->cause), later);
	if (c->was_idle && c->has_exit) {
		int64_t dt = (int64_t)(c->idle_exit - t0);

		snprintf(w, sizeof(w), "idle exit from state %d after %.1f us",
		    c->idle_state, (double)dt / 1e3);
		list_add(c->cause, sizeof(c->cause), w);
	}
	if (c->cause[0] == '\0')
		snprintf(c->cause, sizeof(c->cause), "%s", c->nall ? "nothing traced but "
		    "the waiter's own wake-up (a delay outside the kernel's view: the "
		    "hypervisor?)" : "no event traced on that CPU in between");
	return 0;
}
