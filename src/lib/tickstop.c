/* Why the tick keeps running: decoded events in, per-CPU facts out (the model: tickstop.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armers.h"
#include "internal.h"
#include "json.h"
#include "softirqs.h"
#include "textsafe.h"
#include "tickstop.h"

#define GROUPS_MAX		64	/* timer_migration groups followed */
#define TMIGR_NONE		0xff	/* no migrator */

/* Per-CPU state while events come. */
struct tcpu {
	bool		 stopped;	/* a tick_stop success=1 since the idle task was left */
	bool		 window;	/* an idle entry with the tick kept, less than a tick ago */
	uint64_t	 entry;		/* idle entries so far (numbers the windows) */
	uint64_t	 window_ts;
	int		 current;	/* the task switched in last, -1 unknown */
	bool		 idle_traced;	/* cpu_idle seen here (else switches to the idle task count) */
	bool		 by_switch;	/* this idle period was counted at the switch to the idle task */
	bool		 sw_stopped, sw_window;	/* ... and how */
	unsigned	 raised;	/* softirq vectors raised and not run yet */
	unsigned	 sw_raised;	/* ... at the switch to the idle task */
};

/* A timer_migration group: its migrator and, at level 0, the CPU of each child bit. */
struct tgroup {
	uint64_t	 ptr;
	int		 migrator;	/* -1 not known yet */
	int		 lvl;
	int		 cpu_of[8];	/* childmask bit -> CPU, -1 unknown */
};

struct td_tick {
	struct td_tick_opts	 o;
	struct td_cpuset	 nohz_full;
	struct td_tick_cpu	*cpu;
	struct tcpu		*st;
	struct td_armers	*arm;		/* o.armers, else own */
	struct td_armers	 own;
	struct tgroup		 groups[GROUPS_MAX];
	int			 ngroups;
	uint64_t		 moves;
	bool			 softirq_seen;
};

static const char *const dep_names[TD_TICK_DEP_NBITS] = {
	"POSIX_TIMER", "PERF_EVENTS", "SCHED", "CLOCK_UNSTABLE", "RCU", "RCU_EXP",
};

/* A dependency bit's name. */
const char *
td_tick_dep_name(int bit)
{
	return bit >= 0 && bit < TD_TICK_DEP_NBITS ? dep_names[bit] : NULL;
}

/* A new explanation for o->ncpus CPUs. */
int
td_tick_new(const struct td_tick_opts *o, struct td_tick **out, struct td_error *e)
{
	struct td_tick *t;

	*out = NULL;
	if (o->ncpus < 1 || o->ncpus > TD_MAX_CPUS)
		return td_error_set(e, EINVAL, NULL, 0, "bad CPU count %d", o->ncpus);
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->cpu = calloc((size_t)o->ncpus, sizeof(*t->cpu))) == NULL ||
	    (t->st = calloc((size_t)o->ncpus, sizeof(*t->st))) == NULL) {
		td_tick_free(t);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	t->o = *o;
	if (o->nohz_full != NULL)
		t->nohz_full = *o->nohz_full;
	t->o.nohz_full = o->nohz_full != NULL ? &t->nohz_full : NULL;
	t->arm = o->armers != NULL ? o->armers : &t->own;
	t->o.armers_kept = o->armers_kept && o->armers != NULL;
	for (int i = 0; i < o->ncpus; i++) {
		struct td_tick_cpu *c = &t->cpu[i];

		t->st[i].current = -1;
		c->nohz_full = o->nohz_full != NULL && td_cpuset_isset(o->nohz_full, i);
	}
	*out = t;
	return 0;
}

/* Free an explanation; NULL is fine. */
void
td_tick_free(struct td_tick *t)
{
	if (t == NULL)
		return;
	for (int i = 0; t->cpu != NULL && i < t->o.ncpus; i++) {
		free(t->cpu[i].due);
		free(t->cpu[i].tasks);
		free(t->cpu[i].remote_from);
		free(t->cpu[i].handled_for);
	}
	free(t->cpu);
	free(t->st);
	td_armers_free(&t->own);
	free(t);
}

/* Copy the comm learnt for pid into buf (16 bytes), "" when unknown. */
static void
comm_into(const struct td_tick *t, int pid, char *buf)
{
	const char *c = td_armers_comm(t->arm, pid);

	buf[0] = '\0';
	if (c != NULL)
		strlcpy(buf, c, 16);
}

/* Credit a timer that expired within one tick of an idle entry. */
static void
credit_due(struct td_tick *t, struct td_tick_cpu *c, const struct tcpu *s, enum td_kind kind,
    uint64_t fn, int pid)
{
	struct td_tick_timer *d, *nd;

	for (size_t i = 0; i < c->ndue; i++) {
		d = &c->due[i];
		if (d->kind == kind && d->fn == fn && d->pid == pid) {
			/* Once per idle entry: a short period expires more than once in a tick. */
			if (d->entry == s->entry)
				return;
			d->entry = s->entry;
			d->count++;
			if (d->comm[0] == '\0')
				comm_into(t, pid, d->comm);
			return;
		}
	}
	if (c->ndue >= TD_TICK_LIST_MAX ||
	    (nd = reallocarray(c->due, c->ndue + 1, sizeof(*nd))) == NULL) {
		c->due_dropped++;
		return;
	}
	c->due = nd;
	d = &c->due[c->ndue++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->fn = fn;
	d->pid = pid;
	d->count = 1;
	d->entry = s->entry;
	comm_into(t, pid, d->comm);
}

/* The task entry of pid on a nohz_full CPU, made on first sight; NULL past the bound. */
static struct td_tick_task *
task_of(struct td_tick_cpu *c, int pid, const char *name, size_t len)
{
	struct td_tick_task *k, *nk;

	for (size_t i = 0; i < c->ntasks; i++)
		if (c->tasks[i].pid == pid)
			return &c->tasks[i];
	if (c->ntasks >= TD_TICK_LIST_MAX ||
	    (nk = reallocarray(c->tasks, c->ntasks + 1, sizeof(*nk))) == NULL) {
		c->tasks_dropped++;
		return NULL;
	}
	c->tasks = nk;
	k = &c->tasks[c->ntasks++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	if (name != NULL) {
		if (len >= sizeof(k->comm))
			len = sizeof(k->comm) - 1;
		memcpy(k->comm, name, len);
		k->comm[len] = '\0';
	}
	return k;
}

/* A tick_stop event. */
static void
on_tick_stop(struct td_tick *t, const struct td_tev *ev, struct td_tick_cpu *c,
    struct tcpu *s)
{
	bool known = false;

	if (ev->num != 0) {
		c->stops++;
		s->stopped = true;
		return;
	}
	c->refusals++;
	s->stopped = false;
	for (int b = 0; b < TD_TICK_DEP_NBITS; b++)
		if (ev->flags & (1u << b)) {
			c->dep[b]++;
			known = true;
		}
	if (!known)
		c->dep_other++;
	if (c->nohz_full && (ev->flags & TD_TICK_DEP_SCHED) && ev->pid > 0) {
		const char *nm = td_armers_comm(t->arm, ev->pid);
		struct td_tick_task *k;

		if (nm == NULL && ev->comm != NULL)
			k = task_of(c, ev->pid, ev->comm, ev->commlen);
		else
			k = task_of(c, ev->pid, nm, nm ? strlen(nm) : 0);
		if (k != NULL)
			k->sched++;
	}
}

/* The group entry of ptr, made on first sight; NULL past the bound. */
static struct tgroup *
group_of(struct td_tick *t, uint64_t ptr)
{
	struct tgroup *g;

	for (int i = 0; i < t->ngroups; i++)
		if (t->groups[i].ptr == ptr)
			return &t->groups[i];
	if (t->ngroups >= GROUPS_MAX)
		return NULL;
	g = &t->groups[t->ngroups++];
	g->ptr = ptr;
	g->migrator = -1;
	for (size_t i = 0; i < TD_ARRAY_SIZE(g->cpu_of); i++)
		g->cpu_of[i] = -1;
	return g;
}

/* The index of the lowest bit of a one-bit mask, -1 otherwise. */
static int
bit_index(unsigned mask)
{
	if (mask == 0 || (mask & (mask - 1)) != 0)
		return -1;
	return __builtin_ctz(mask);
}

/*
 * Count one for CPU i in a per-CPU array of ncpus counters, made at its first
 * count: most CPUs never do another's timer work, and an array for each CPU
 * made up front was ncpus squared (256 MiB at 4,096 CPUs, each interval).
 * Without memory the count by CPU is not kept (the total is the caller's).
 */
static void
count_by_cpu(uint64_t **a, int ncpus, int i)
{
	if (*a == NULL && (*a = calloc((size_t)ncpus, sizeof(**a))) == NULL)
		return;
	(*a)[i]++;
}

/* A timer_migration event. */
static void
on_tmigr(struct td_tick *t, const struct td_tev *ev, struct td_tick_cpu *c)
{
	struct tgroup *g;
	int b, nb;

	switch (ev->sub) {
	case TD_TMIGR_HANDLE_REMOTE_CPU:
		if (ev->num >= 0 && ev->num < t->o.ncpus && ev->num != ev->cpu) {
			c->remote_handled++;
			count_by_cpu(&c->handled_for, t->o.ncpus, ev->num);
		}
		break;
	case TD_TMIGR_CPU_IDLE:
		c->tmigr_idle++;
		break;
	case TD_TMIGR_CPU_ACTIVE:
		c->tmigr_active++;
		break;
	case TD_TMIGR_GROUP_ACTIVE:
	case TD_TMIGR_GROUP_INACTIVE:
		if ((g = group_of(t, ev->ptr)) == NULL)
			break;
		g->lvl = ev->arg;
		/* At level 0 the child that changed is the CPU of the event. */
		if (ev->arg == 0 && (b = bit_index(ev->flags & 0xff)) >= 0)
			g->cpu_of[b] = ev->cpu;
		if (g->migrator >= 0 && g->migrator != ev->num) {
			t->moves++;
			nb = bit_index((unsigned)ev->num);
			if (g->lvl == 0 && ev->num != TMIGR_NONE && nb >= 0 &&
			    g->cpu_of[nb] >= 0 && g->cpu_of[nb] < t->o.ncpus)
				t->cpu[g->cpu_of[nb]].migrator_gained++;
		}
		g->migrator = ev->num;
		break;
	default:
		break;
	}
}

/* A timer-wheel expiry: pinned or global, and where it was armed. */
static void
on_wheel_expiry(struct td_tick *t, const struct td_tev *ev, struct td_tick_cpu *c,
    const struct td_armer *m)
{
	if (m == NULL || t->o.pin_flag == 0) {
		c->unknown_expiries++;
		return;
	}
	if (m->flags & t->o.pin_flag) {
		c->pinned_expiries++;
		return;
	}
	c->global_expiries++;
	if (m->armed_on != ev->cpu && m->armed_on >= 0 && m->armed_on < t->o.ncpus) {
		c->remote_expiries++;
		count_by_cpu(&c->remote_from, t->o.ncpus, m->armed_on);
	}
}

/* Count (dir 1) or take back (dir -1) the softirqs of mask pending at an idle entry. */
static void
count_pending(struct td_tick_cpu *c, unsigned mask, int dir)
{
	if (mask == 0)
		return;
	c->softirq_idle += (uint64_t)(int64_t)dir;
	for (int v = 0; v < TD_TICK_SOFTIRQS; v++)
		if (mask & (1u << v))
			c->softirq_pending[v] += (uint64_t)(int64_t)dir;
}

/* The CPU goes idle: was the tick stopped, and watch for a timer due within a tick. */
static void
idle_entry(struct td_tick *t, const struct td_tev *ev, struct td_tick_cpu *c, struct tcpu *s)
{
	if (s->by_switch) {
		/* cpu_idle follows the switch on this CPU after all: count the period once. */
		c->idle_entries--;
		if (t->o.tick_stop_traced) {
			if (s->sw_stopped)
				c->idle_stopped--;
			else
				c->idle_kept--;
		}
		if (s->sw_window)
			c->due_entries--;
		count_pending(c, s->sw_raised, -1);
		s->by_switch = false;
	} else {
		s->entry++;	/* a new idle period (not the one the switch began) */
	}
	c->idle_entries++;
	count_pending(c, s->raised, 1);
	if (t->o.tick_stop_traced) {
		if (s->stopped)
			c->idle_stopped++;
		else
			c->idle_kept++;
	}
	s->window = t->o.tick_ns > 0 && !(t->o.tick_stop_traced && s->stopped);
	s->window_ts = ev->ts;
	if (s->window)
		c->due_entries++;
}

/*
 * What an event tells the explanation's own armers: the names of the tasks
 * it names, a start's armer (none of it when the caller keeps them).
 */
static void
keep_armers(struct td_tick *t, const struct td_tev *ev)
{
	struct td_armer *m;

	if (ev->comm != NULL)
		td_armers_learn(t->arm, ev->pid, ev->comm, ev->commlen);
	switch (ev->type) {
	case TD_TEV_SCHED_SWITCH:
	case TD_TEV_SCHED_WAKEUP:
		td_armers_learn(t->arm, ev->num, ev->name, ev->namelen);
		break;
	case TD_TEV_TIMER_START:
	case TD_TEV_HRTIMER_START:
		(void)td_armers_start(t->arm, ev, &m);
		break;
	default:
		break;
	}
}

/* Account one event. */
void
td_tick_event(struct td_tick *t, const struct td_tev *ev)
{
	struct td_tick_cpu *c;
	struct td_armer *m;
	struct tcpu *s;

	if (ev->cpu < 0 || ev->cpu >= t->o.ncpus)
		return;
	c = &t->cpu[ev->cpu];
	s = &t->st[ev->cpu];
	if (!t->o.armers_kept)
		keep_armers(t, ev);
	if (s->window && ev->ts - s->window_ts > t->o.tick_ns)
		s->window = false;
	switch (ev->type) {
	case TD_TEV_TICK_STOP:
		on_tick_stop(t, ev, c, s);
		break;
	case TD_TEV_IDLE:
		s->idle_traced = true;
		if (ev->num != TD_TEV_IDLE_EXIT)
			idle_entry(t, ev, c, s);
		break;
	case TD_TEV_SCHED_SWITCH:
		if (ev->arg == 0 && ev->num != 0)
			s->stopped = false;	/* the idle loop left: the tick restarts */
		s->current = ev->num;
		/* Kernels that do not trace cpu_idle here: the switch to the idle task. */
		if (ev->num == 0 && ev->arg != 0 && !s->idle_traced) {
			s->sw_stopped = s->stopped;
			idle_entry(t, ev, c, s);
			s->by_switch = true;
			s->sw_window = s->window;
			s->sw_raised = s->raised;
		} else if (ev->num != 0) {
			s->by_switch = false;
		}
		if (c->nohz_full && ev->num > 0) {
			struct td_tick_task *k = task_of(c, ev->num, ev->name, ev->namelen);

			if (k != NULL)
				k->runs++;
		}
		break;
	case TD_TEV_TIMER_EXPIRE:
	case TD_TEV_HRTIMER_EXPIRE: {
		enum td_kind kind = ev->type == TD_TEV_TIMER_EXPIRE ? TD_KIND_TIMER :
		    TD_KIND_HRTIMER;

		m = td_armers_find(t->arm, ev->ptr);
		if (m != NULL && m->fn != ev->function)
			m = NULL;	/* the address was reused for another timer */
		if (s->window)
			credit_due(t, c, s, kind, ev->function, m != NULL ? m->pid : -1);
		if (kind == TD_KIND_TIMER)
			on_wheel_expiry(t, ev, c, m);
		break;
	}
	case TD_TEV_TMIGR:
		on_tmigr(t, ev, c);
		break;
	case TD_TEV_SOFTIRQ_RAISE:
		t->softirq_seen = true;
		if (ev->num >= 0 && ev->num < TD_TICK_SOFTIRQS)
			s->raised |= 1u << ev->num;
		break;
	case TD_TEV_SOFTIRQ:
		/* The kernel clears the pending bit before the handler runs. */
		if (ev->num >= 0 && ev->num < TD_TICK_SOFTIRQS)
			s->raised &= ~(1u << ev->num);
		break;
	default:
		break;
	}
}

/* Sort a CPU's timers by count and tasks by runs, most first. */
static int
cmp_timer(const void *a, const void *b)
{
	const struct td_tick_timer *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static int
cmp_task(const void *a, const void *b)
{
	const struct td_tick_task *x = a, *y = b;
	uint64_t kx = x->sched * 1000000 + x->runs, ky = y->sched * 1000000 + y->runs;

	return kx < ky ? 1 : kx > ky ? -1 : x->pid - y->pid;
}

/* Sort the per-CPU lists and fill in comms learnt after the fact. */
void
td_tick_finish(struct td_tick *t)
{
	for (int i = 0; i < t->o.ncpus; i++) {
		struct td_tick_cpu *c = &t->cpu[i];

		for (size_t k = 0; k < c->ndue; k++)
			if (c->due[k].comm[0] == '\0')
				comm_into(t, c->due[k].pid, c->due[k].comm);
		/* A task's newest name (after an exec) is the one to show. */
		for (size_t k = 0; k < c->ntasks; k++)
			if (td_armers_comm(t->arm, c->tasks[k].pid) != NULL)
				comm_into(t, c->tasks[k].pid, c->tasks[k].comm);
		if (c->ndue > 1)
			qsort(c->due, c->ndue, sizeof(*c->due), cmp_timer);
		if (c->ntasks > 1)
			qsort(c->tasks, c->ntasks, sizeof(*c->tasks), cmp_task);
	}
}

/* The facts of cpu. */
const struct td_tick_cpu *
td_tick_cpu(const struct td_tick *t, int cpu)
{
	return cpu >= 0 && cpu < t->o.ncpus ? &t->cpu[cpu] : NULL;
}

int
td_tick_ncpus(const struct td_tick *t)
{
	return t->o.ncpus;
}

uint64_t
td_tick_migrator_moves(const struct td_tick *t)
{
	return t->moves;
}

bool
td_tick_softirq_known(const struct td_tick *t)
{
	return t->o.softirq_raise_traced || t->softirq_seen;
}

/* Whether cpu expired timers of other CPUs. */
bool
td_tick_did_foreign_work(const struct td_tick *t, int cpu)
{
	const struct td_tick_cpu *c = td_tick_cpu(t, cpu);

	return c != NULL && (c->remote_expiries > 0 || c->remote_handled > 0);
}

/* "NAME count, NAME count" of the n counts named by name(i) that are not 0. */
static char *
counts_format(const uint64_t *counts, int n, const char *(*name)(int), char *buf, size_t len)
{
	size_t o = 0;

	if (len > 0)
		buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++)
		if (counts[i] > 0)
			o += (size_t)snprintf(buf + o, len - o, "%s%s %" PRIu64, o ? ", " : "",
			    name(i), counts[i]);
	return buf;
}

char *
td_tick_deps_format(const struct td_tick_cpu *c, char *buf, size_t len)
{
	return counts_format(c->dep, TD_TICK_DEP_NBITS, td_tick_dep_name, buf, len);
}

char *
td_tick_softirqs_format(const struct td_tick_cpu *c, char *buf, size_t len)
{
	return counts_format(c->softirq_pending, TD_TICK_SOFTIRQS, td_softirq_name, buf, len);
}

/* Who armed a due timer. */
const char *
td_tick_armer(const struct td_tick_timer *d, char *buf, size_t len)
{
	if (d->pid == TD_ARMER_HARDIRQ)
		return "[hardirq]";
	if (d->pid == TD_ARMER_SOFTIRQ)
		return "[softirq]";
	if (d->pid == 0)
		return "the idle task";
	if (d->pid < 0)
		return "an unknown task (armed before the trace)";
	snprintf(buf, len, "%s (pid %d)", d->comm[0] ? TD_SAFE(d->comm) : "?", d->pid);
	return buf;
}

/* The object key of the n counts named by name(i) that are not 0. */
static void
json_counts(struct td_json *j, const char *key, const uint64_t *counts, int n,
    const char *(*name)(int))
{
	td_json_obj_begin(j, key);
	for (int i = 0; i < n; i++)
		if (counts[i] > 0)
			td_json_int(j, name(i), (int64_t)counts[i]);
	td_json_obj_end(j);
}

#define NO_TICK_STOP	"timer:tick_stop is not traced (a kernel without NO_HZ_FULL)"
#define NO_SOFTIRQ_RAISE "irq:softirq_raise is not traced"

/* cpu's facts as a JSON object (doc/json.md: an unknown value is null, its reason kept). */
void
td_tick_json_cpu(struct td_json *j, const struct td_tick *t, int cpu,
    const char *(*name)(const void *ctx, uint64_t fn), const void *ctx, const char *cause)
{
	const struct td_tick_cpu *c = td_tick_cpu(t, cpu);
	char a[32];

	if (c == NULL)
		return;
	td_json_obj_begin(j, NULL);
	td_json_int(j, "cpu", cpu);
	td_json_bool(j, "nohz_full", c->nohz_full);
	td_json_int(j, "idle_entries", (int64_t)c->idle_entries);
	if (t->o.tick_stop_traced) {
		td_json_int(j, "idle_tick_stopped", (int64_t)c->idle_stopped);
		td_json_int(j, "idle_tick_kept", (int64_t)c->idle_kept);
		td_json_int(j, "tick_stops", (int64_t)c->stops);
		td_json_int(j, "tick_stop_refusals", (int64_t)c->refusals);
		json_counts(j, "dependencies", c->dep, TD_TICK_DEP_NBITS, td_tick_dep_name);
	} else {
		td_json_unknown(j, "idle_tick_stopped", NO_TICK_STOP);
		td_json_unknown(j, "idle_tick_kept", NO_TICK_STOP);
		td_json_unknown(j, "tick_stops", NO_TICK_STOP);
		td_json_unknown(j, "tick_stop_refusals", NO_TICK_STOP);
		td_json_unknown(j, "dependencies", NO_TICK_STOP);
	}
	if (td_tick_softirq_known(t)) {
		td_json_int(j, "softirq_pending_idle", (int64_t)c->softirq_idle);
		json_counts(j, "softirqs_pending", c->softirq_pending, TD_TICK_SOFTIRQS,
		    td_softirq_name);
	} else {
		td_json_unknown(j, "softirq_pending_idle", NO_SOFTIRQ_RAISE);
		td_json_unknown(j, "softirqs_pending", NO_SOFTIRQ_RAISE);
	}
	td_json_arr_begin(j, "due_within_tick");
	for (size_t k = 0; k < c->ndue; k++) {
		const char *n = name != NULL ? name(ctx, c->due[k].fn) : NULL;

		if (n == NULL)
			snprintf(a, sizeof(a), "0x%" PRIx64, c->due[k].fn);
		td_json_obj_begin(j, NULL);
		td_json_str(j, "function", n != NULL ? n : a);
		if (c->due[k].pid >= 0)
			td_json_int(j, "pid", c->due[k].pid);
		else
			td_json_unknown(j, "pid", "the timer was armed before the trace began");
		td_json_str(j, "comm", c->due[k].comm);
		td_json_int(j, "count", (int64_t)c->due[k].count);
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
	td_json_arr_begin(j, "tasks");
	for (size_t k = 0; k < c->ntasks; k++) {
		td_json_obj_begin(j, NULL);
		td_json_int(j, "pid", c->tasks[k].pid);
		td_json_str(j, "comm", c->tasks[k].comm);
		td_json_int(j, "runs", (int64_t)c->tasks[k].runs);
		td_json_int(j, "sched_refusals", (int64_t)c->tasks[k].sched);
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
	td_json_int(j, "pinned_expiries", (int64_t)c->pinned_expiries);
	td_json_int(j, "global_expiries", (int64_t)c->global_expiries);
	td_json_int(j, "remote_expiries", (int64_t)c->remote_expiries);
	td_json_int(j, "remote_handled", (int64_t)c->remote_handled);
	td_json_int(j, "migrator_gained", (int64_t)c->migrator_gained);
	td_json_bool(j, "foreign_timer_work", td_tick_did_foreign_work(t, cpu));
	if (cause != NULL)
		td_json_str(j, "cause", cause);
	else
		td_json_unknown(j, "cause", "the trace names no cause");
	td_json_obj_end(j);
}

/* The top cause of cpu's running tick. */
void
td_tick_cause(const struct td_tick *t, int cpu, bool (*skip)(const void *ctx, uint64_t fn),
    const void *ctx, struct td_tick_cause *out)
{
	const struct td_tick_cpu *c = td_tick_cpu(t, cpu);
	int best = -1;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	for (int b = 0; b < TD_TICK_DEP_NBITS; b++)
		if (c->dep[b] > 0 && (best < 0 || c->dep[b] > c->dep[best]))
			best = b;
	if (best >= 0) {
		out->why = TD_TICK_WHY_DEP;
		out->dep = best;
		out->count = c->dep[best];
		out->of = c->refusals;
		if ((1u << best) == TD_TICK_DEP_SCHED)
			for (size_t k = 0; k < c->ntasks && out->ntask < 3; k++)
				out->task[out->ntask++] = &c->tasks[k];
		return;
	}
	for (size_t k = 0; k < c->ndue; k++) {
		if (skip != NULL && skip(ctx, c->due[k].fn))
			continue;
		out->why = TD_TICK_WHY_TIMER;
		out->timer = &c->due[k];
		out->count = c->due[k].count;
		out->of = c->due_entries;
		return;
	}
	if (c->softirq_idle > 0) {
		out->why = TD_TICK_WHY_SOFTIRQ;
		for (int v = 0; v < TD_TICK_SOFTIRQS; v++)
			if (c->softirq_pending[v] > c->softirq_pending[out->vec])
				out->vec = v;
		out->count = c->softirq_pending[out->vec];
		out->of = c->idle_entries;
		return;
	}
	if (td_tick_did_foreign_work(t, cpu)) {
		out->why = TD_TICK_WHY_FOREIGN;
		out->count = c->remote_expiries + c->remote_handled;
	}
}
