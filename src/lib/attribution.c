/* Wakeup attribution: decoded events in, wakeup sources out (the model: attribution.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "armers.h"
#include "attribution.h"
#include "internal.h"
#include "softirqs.h"
#include "strpool.h"

#define HRTIMER_MODE_PINNED	0x02
#define PRELUDE_NS		3000	/* a cancel this close before a start is a re-arm */
#define PID_TICK		TD_ATTR_PID_TICK
#define NAME_LEN		48
#define AGG_FIRST		4096	/* sources room is made for at first (the index: 4 times) */
#define INLINE_CPUS		64	/* up to this many CPUs, a source's counters per CPU are in it */

/* The two ways a CPU's wakeups are counted (attribution.h). */
enum { BY_IDLE, BY_TASK, NWAYS };

/* The identity of a source. */
struct ident {
	enum td_kind	 kind;
	uint64_t	 fn;		/* callback address (timers), vector label address */
	uint64_t	 site;		/* arming site address (counted sources only), 0 none */
	int		 pid;		/* arming pid, -1 unknown */
	int		 num;		/* idle armer: its CPU; irq: number; softirq: vector */
	const char	*name;		/* irq action or IPI reason, interned (pointers compare); NULL none */
};

/*
 * A wakeup source being counted.  On a machine of up to INLINE_CPUS CPUs its
 * counters per CPU are the entry's own (ctr: events, then the wakeups of each
 * way), so that an expiry or a wakeup touches the entry and the lines after
 * it, not two more allocations (each a cache miss at 10,000 sources); on a
 * bigger one they are allocated for the CPUs from the first to the last it
 * was counted on (10,000 sources of 4,096 CPUs each would take 1 GiB), the
 * wakeups' only once there is one.
 */
struct agg {
	struct ident	 id;
	const char	*label;		/* vector or softirq name (not the identity) */
	uint64_t	 count, arms, expiries, cancels;
	bool		 defer_known, deferrable, pinned_known, pinned;
	int		 cpu0, cpun;	/* per_cpu[0] and wk[][0] are CPU cpu0's; up to cpun - 1 */
	uint64_t	*per_cpu;	/* events per CPU */
	uint64_t	*wk[NWAYS];	/* wakeups per CPU, each way; NULL until one */
	uint64_t	 ctr[];		/* inline: per_cpu and wk[] point here */
};

/* The cause found so far in one window. */
struct cause {
	int		 rank;		/* 0 none, 1 interrupt ... 4 hrtimer (attribution.h) */
	int		 nirq;		/* hard interrupts seen in the window */
	struct ident	 id;
	uint64_t	 ptr;		/* a timer's address (its armer caches its source), else 0 */
};

/* Where a CPU is in the model. */
enum wstate {
	W_BUSY,		/* running a task, or not known yet */
	W_IDLE,		/* between cpu_idle N and its exit */
	W_WOKEN,	/* exited, the window still open for the cause */
};

/* Per-CPU state. */
struct wcpu {
	bool		 pend;		/* a cancel waiting for the next event */
	uint64_t	 pend_ptr, pend_ts;
	bool		 idle_seen;	/* cpu_idle traced on this CPU */
	bool		 task_seen;	/* the idle task seen running here */
	uint64_t	 misses;	/* cpu_idle_miss: idle states left off target */
	enum wstate	 st;
	struct cause	 c;
	/* the idle-task way */
	bool		 t_idle;	/* the idle task is current */
	bool		 t_open;	/* a window opened by an interrupt in the idle task */
	bool		 t_woke;	/* an interrupt woke it since it went idle */
	struct cause	 tc;
	uint64_t	 exits[NWAYS];
};

struct td_attr {
	struct td_attr_opts	 o;
	bool			 have_cpus;
	struct td_cpuset	 cpus;
	/*
	 * The sources of the interval, in the order first counted, and an
	 * open-addressed index to them: a slot holds the identity's hash and
	 * the source's place + 1 (0: empty), so that a probe reads 8 bytes a
	 * slot and compares identities only when the hashes are equal.
	 */
	struct agg		*agg;		/* agg_n entries of agg_size bytes (agg_at) */
	size_t			 agg_n, agg_max, agg_size;
	bool			 agg_inline;	/* counters per CPU in the entries (INLINE_CPUS) */
	struct aslot {
		uint32_t	 hash, at;
	}			*aidx;
	size_t			 aidx_cap;
	uint32_t		 gen;		/* the interval's number (td_armer.src_gen) */
	struct td_armers	 arm;
	/* Names of identities, each kept once: the kernel's IRQ actions and IPI reasons. */
	struct td_strpool	 names;
	struct wcpu		*cpu;
	uint64_t		 first_ts, last_ts;	/* of the interval's events */
};


/* Source i. */
static struct agg *
agg_at(const struct td_attr *a, size_t i)
{
	return (struct agg *)(void *)((char *)a->agg + i * a->agg_size);
}

/* The place of source g. */
static size_t
agg_place(const struct td_attr *a, const struct agg *g)
{
	return (size_t)((const char *)g - (const char *)a->agg) / a->agg_size;
}

/* Point an inline source's counters at its own storage (again after the array moved). */
static void
agg_point(const struct td_attr *a, struct agg *g)
{
	g->per_cpu = g->ctr;
	for (int w = 0; w < NWAYS; w++)
		g->wk[w] = g->ctr + (size_t)(w + 1) * (size_t)a->o.ncpus;
	g->cpu0 = 0;
	g->cpun = a->o.ncpus;
}

/*
 * Room for CPU cpu in an allocated source's counters per CPU (its events and
 * the wakeups of each way it has): they hold the CPUs from the first to the
 * last it was counted on, grown at least twice as wide at a time.  An inline
 * source holds every CPU.  False on ENOMEM.
 */
static bool
agg_cpu_room(const struct td_attr *a, struct agg *g, int cpu)
{
	uint64_t *n[1 + NWAYS] = { NULL }, **old[1 + NWAYS];
	int lo = cpu, hi = cpu + 1, width = g->cpun - g->cpu0;

	if (a->agg_inline || (g->per_cpu != NULL && cpu >= g->cpu0 && cpu < g->cpun))
		return true;
	if (g->per_cpu != NULL) {
		if (cpu < g->cpu0) {
			lo = g->cpu0 - width < cpu ? g->cpu0 - width : cpu;
			lo = lo < 0 ? 0 : lo;
			hi = g->cpun;
		} else {
			lo = g->cpu0;
			hi = g->cpun + width > cpu + 1 ? g->cpun + width : cpu + 1;
			hi = hi > a->o.ncpus ? a->o.ncpus : hi;
		}
	}
	old[0] = &g->per_cpu;
	for (int w = 0; w < NWAYS; w++)
		old[w + 1] = &g->wk[w];
	for (int k = 0; k < 1 + NWAYS; k++) {
		if (k > 0 && *old[k] == NULL)
			continue;
		if ((n[k] = calloc((size_t)(hi - lo), sizeof(uint64_t))) == NULL) {
			for (int j = 0; j < k; j++)
				free(n[j]);
			return false;
		}
		if (*old[k] != NULL)
			memcpy(n[k] + (g->cpu0 - lo), *old[k], (size_t)width * sizeof(uint64_t));
	}
	for (int k = 0; k < 1 + NWAYS; k++)
		if (n[k] != NULL) {
			free(*old[k]);
			*old[k] = n[k];
		}
	g->cpu0 = lo;
	g->cpun = hi;
	return true;
}

/* Source g's wakeups of way w per CPU, with room for CPU cpu; NULL on ENOMEM. */
static uint64_t *
agg_wk(const struct td_attr *a, struct agg *g, int w, int cpu)
{
	if (!agg_cpu_room(a, g, cpu))
		return NULL;
	if (g->wk[w] == NULL)
		g->wk[w] = calloc((size_t)(g->cpun - g->cpu0), sizeof(uint64_t));
	return g->wk[w];
}

/* Hash of a source identity. */
static uint64_t
ident_hash(const struct ident *id)
{
	return td_hash64((uint64_t)id->kind * 31 + id->fn * 17 + id->site * 13 +
	    (uint64_t)(uint32_t)id->pid * 7 +
	    (uint64_t)(uint32_t)id->num + (uint64_t)(uintptr_t)id->name * 3);
}

/* Whether two identities are the same source (names are interned). */
static bool
ident_eq(const struct ident *a, const struct ident *b)
{
	return a->kind == b->kind && a->fn == b->fn && a->site == b->site && a->pid == b->pid &&
	    a->num == b->num && a->name == b->name;
}

/*
 * Fill an identity; name of namelen bytes may be NULL, else it is interned
 * in sp (at most NAME_LEN - 1 bytes of it; out of memory: none).
 */
static void
ident_set(struct ident *id, enum td_kind kind, uint64_t fn, int pid, int num,
    struct td_strpool *sp, const char *name, size_t namelen)
{
	id->kind = kind;
	id->fn = fn;
	id->site = 0;
	id->pid = pid;
	id->num = num;
	if (namelen >= NAME_LEN)
		namelen = NAME_LEN - 1;
	id->name = name != NULL && namelen > 0 ? td_strpool_intern(sp, name, namelen) : NULL;
}

/* The index slot of an identity of hash h: the one holding it, or the empty one ending its probe. */
static struct aslot *
agg_slot(const struct td_attr *a, const struct ident *id, uint32_t h)
{
	size_t mask = a->aidx_cap - 1, i = h & mask;

	while (a->aidx[i].at != 0 && (a->aidx[i].hash != h ||
	    !ident_eq(&agg_at(a, a->aidx[i].at - 1)->id, id)))
		i = (i + 1) & mask;
	return &a->aidx[i];
}

/* Room for one more source: the array and (kept at most half full) the index. */
static int
agg_room(struct td_attr *a)
{
	if (a->agg_n == a->agg_max) {
		size_t nmax = a->agg_max ? a->agg_max * 2 : AGG_FIRST;
		struct agg *na = reallocarray(a->agg, nmax, a->agg_size);

		if (na == NULL)
			return -ENOMEM;
		a->agg = na;
		a->agg_max = nmax;
		for (size_t i = 0; a->agg_inline && i < a->agg_n; i++)
			agg_point(a, agg_at(a, i));
	}
	if ((a->agg_n + 1) * 2 > a->aidx_cap) {
		size_t ncap = a->aidx_cap ? a->aidx_cap * 2 : AGG_FIRST * 4;
		struct aslot *ni = calloc(ncap, sizeof(*ni));

		if (ni == NULL)
			return -ENOMEM;
		free(a->aidx);
		a->aidx = ni;
		a->aidx_cap = ncap;
		for (size_t i = 0; i < a->agg_n; i++) {
			const struct ident *id = &agg_at(a, i)->id;
			uint32_t h = (uint32_t)ident_hash(id);

			*agg_slot(a, id, h) = (struct aslot){ h, (uint32_t)i + 1 };
		}
	}
	return 0;
}

/* Find or add the source with this identity; NULL on ENOMEM. */
static struct agg *
agg_get(struct td_attr *a, const struct ident *id)
{
	uint32_t h = (uint32_t)ident_hash(id);
	struct aslot *sl;
	struct agg *g;

	if (a->aidx_cap > 0 && (sl = agg_slot(a, id, h))->at != 0)
		return agg_at(a, sl->at - 1);
	if (agg_room(a) < 0)
		return NULL;
	sl = agg_slot(a, id, h);
	g = agg_at(a, a->agg_n);
	memset(g, 0, a->agg_size);
	if (a->agg_inline)
		agg_point(a, g);
	g->id = *id;
	*sl = (struct aslot){ h, (uint32_t)++a->agg_n };
	return g;
}

/*
 * The source of identity id counted for the timer of armer entry m (NULL:
 * none known), through the entry's cache when it holds this interval's
 * source of that identity; the cache is set.  NULL on ENOMEM.
 */
static struct agg *
agg_timer(struct td_attr *a, struct td_armer *m, const struct ident *id)
{
	struct agg *g;

	if (m != NULL && m->src != 0 && m->src_gen == a->gen && m->src <= a->agg_n &&
	    ident_eq(&agg_at(a, m->src - 1)->id, id))
		return agg_at(a, m->src - 1);
	if ((g = agg_get(a, id)) != NULL && m != NULL) {
		m->src = (uint32_t)agg_place(a, g) + 1;
		m->src_gen = a->gen;
	}
	return g;
}

/* Forget all sources (a new interval). */
static void
agg_clear(struct td_attr *a)
{
	for (size_t i = 0; !a->agg_inline && i < a->agg_n; i++) {
		free(agg_at(a, i)->per_cpu);
		for (int w = 0; w < NWAYS; w++)
			free(agg_at(a, i)->wk[w]);
	}
	if (a->agg_n > 0)
		memset(a->aidx, 0, a->aidx_cap * sizeof(*a->aidx));
	a->agg_n = 0;
	a->gen++;		/* the armers' cached sources are of the last interval */
}

/* Whether fn is the tick's own timer callback. */
static bool
is_tick(const struct td_attr *a, uint64_t fn)
{
	return a->o.names.is_tick != NULL && a->o.names.is_tick(a->o.names.ctx, fn);
}

/* The identity of a timer source armed by pid (the idle task is one per CPU). */
static void
timer_ident(const struct td_attr *a, struct ident *id, enum td_kind kind, uint64_t fn, int pid,
    int armcpu)
{
	if (kind == TD_KIND_HRTIMER && is_tick(a, fn))
		pid = PID_TICK;
	ident_set(id, kind, fn, pid, pid == 0 ? armcpu : -1, NULL, NULL, 0);
}

/* The identity of an interrupt-like event's source (vector, IRQ, IPI, softirq). */
static const char *
irq_ident(struct td_attr *a, struct ident *id, const struct td_tev *ev)
{
	switch (ev->type) {
	case TD_TEV_VECTOR:
		/* The label is a constant of the decoder: its address is the key. */
		ident_set(id, TD_KIND_VECTOR, (uint64_t)(uintptr_t)ev->name, -1, -1, NULL, NULL, 0);
		return ev->name;
	case TD_TEV_IPI:
		ident_set(id, TD_KIND_VECTOR, 0, -1, -1, &a->names, ev->name, ev->namelen);
		return NULL;
	case TD_TEV_IRQ:
		ident_set(id, TD_KIND_IRQ, 0, -1, ev->num, &a->names, ev->name, ev->namelen);
		return NULL;
	default:
		ident_set(id, TD_KIND_SOFTIRQ, 0, -1, ev->num, NULL, NULL, 0);
		return td_softirq_name(ev->num) != NULL ? td_softirq_name(ev->num) : "?";
	}
}

/* Whether the CPU passes the filter. */
static bool
wanted(const struct td_attr *a, int cpu)
{
	return !a->have_cpus || td_cpuset_isset(&a->cpus, cpu);
}

/* Credit one wakeup of CPU cpu, counted way w, to the cause (none: unknown). */
static void
credit(struct td_attr *a, int cpu, int w, const struct cause *c)
{
	struct ident unk;
	const struct ident *id = &c->id;
	struct agg *g;

	if (!wanted(a, cpu))
		return;
	if (c->rank == 0) {
		ident_set(&unk, TD_KIND_UNKNOWN, 0, -1, -1, NULL, NULL, 0);
		id = &unk;
	}
	/*
	 * A timer's source through its armer, which its expiry just used (in
	 * the cache still), not the index (a cache miss at 10,000 sources).
	 */
	if (c->rank > 0 && c->ptr != 0)
		g = agg_timer(a, td_armers_find(&a->arm, c->ptr), id);
	else
		g = agg_get(a, id);
	if (g == NULL || agg_wk(a, g, w, cpu) == NULL)
		return;
	g->wk[w][cpu - g->cpu0]++;
}

/*
 * Offer a candidate cause of the given rank to an open window.  The first
 * hard interrupt is the cause; a timer that expires in it, or in the
 * softirqs after it, refines it, but not once a second interrupt came.
 */
static void
offer(struct cause *c, int rank, const struct ident *id, uint64_t ptr)
{
	if (rank == 1 && c->nirq++ > 0)
		return;
	if (rank > 1 && c->nirq > 1)
		return;
	if (rank > c->rank) {
		c->rank = rank;
		c->id = *id;
		c->ptr = ptr;
	}
}

/* Close the cpu_idle way's window: credit its cause. */
static void
close_window(struct td_attr *a, int cpu, struct wcpu *wc)
{
	credit(a, cpu, BY_IDLE, &wc->c);
	wc->st = W_BUSY;
	memset(&wc->c, 0, sizeof(wc->c));
}

/* The cpu_idle way: an entry or an exit. */
static void
on_idle(struct td_attr *a, const struct td_tev *ev, struct wcpu *wc)
{
	wc->idle_seen = true;
	if (ev->num != TD_TEV_IDLE_EXIT) {
		if (wc->st == W_WOKEN)
			close_window(a, ev->cpu, wc);
		wc->st = W_IDLE;
		memset(&wc->c, 0, sizeof(wc->c));
		return;
	}
	if (wanted(a, ev->cpu))
		wc->exits[BY_IDLE]++;
	if (wc->st == W_WOKEN)		/* two exits in a row: the first had no cause */
		close_window(a, ev->cpu, wc);
	if (wc->c.rank > 0) {		/* old order: the cause came before the exit */
		close_window(a, ev->cpu, wc);
		return;
	}
	wc->st = W_WOKEN;		/* new order: the interrupt follows */
}

/* The idle-task way: close its window, crediting its cause. */
static void
close_task_window(struct td_attr *a, int cpu, struct wcpu *wc)
{
	if (wc->t_open)
		credit(a, cpu, BY_TASK, &wc->tc);
	wc->t_open = false;
	memset(&wc->tc, 0, sizeof(wc->tc));
}

/* Whether an event ran in a hard or soft interrupt. */
static bool
in_interrupt(const struct td_tev *ev)
{
	return (ev->ctx & (TD_TEV_CTX_HARDIRQ | TD_TEV_CTX_SOFTIRQ)) != 0;
}

/* Both ways: what an event does to the open windows (before counting it). */
static void
on_window(struct td_attr *a, const struct td_tev *ev, struct wcpu *wc, int rank,
    const struct ident *id, uint64_t ptr)
{
	bool hard = ev->type == TD_TEV_IRQ || ev->type == TD_TEV_VECTOR || ev->type == TD_TEV_IPI;

	/* cpu_idle: the window ends at the first task-context event after the exit. */
	if (wc->st == W_WOKEN && !in_interrupt(ev) && ev->type != TD_TEV_IDLE)
		close_window(a, ev->cpu, wc);
	else if ((wc->st == W_IDLE || wc->st == W_WOKEN) && rank > 0)
		offer(&wc->c, rank, id, ptr);

	if (wc->idle_seen)
		return;
	/* The idle-task way, for CPUs whose idle the kernel does not trace. */
	if (ev->type == TD_TEV_SCHED_SWITCH) {
		close_task_window(a, ev->cpu, wc);
		if (ev->num == 0) {			/* into idle */
			wc->t_idle = true;
			wc->task_seen = true;
			wc->t_woke = false;
		} else if (ev->arg == 0 && wc->t_idle) {	/* out of idle */
			if (!wc->t_woke) {	/* no interrupt: a polling wakeup */
				if (wanted(a, ev->cpu))
					wc->exits[BY_TASK]++;
				credit(a, ev->cpu, BY_TASK, &wc->tc);
			}
			wc->t_idle = false;
		}
		return;
	}
	if (ev->pid != 0) {
		close_task_window(a, ev->cpu, wc);
		wc->t_idle = false;
		return;
	}
	wc->t_idle = true;		/* the idle task runs (we may have missed its switch) */
	wc->task_seen = true;
	if (hard && !(ev->ctx & TD_TEV_CTX_SOFTIRQ) && ev->type != TD_TEV_IPI) {
		/* An interrupt in the idle task outside a softirq: it ended a halt. */
		close_task_window(a, ev->cpu, wc);
		if (wanted(a, ev->cpu))
			wc->exits[BY_TASK]++;
		wc->t_open = true;
		wc->t_woke = true;
	}
	if (wc->t_open && rank > 0)
		offer(&wc->tc, rank, id, ptr);
	if (!in_interrupt(ev))
		close_task_window(a, ev->cpu, wc);
}

/* Count a cancel that was not the prelude of an expiry or a re-arm. */
static void
commit_cancel(struct td_attr *a, uint64_t ptr)
{
	struct td_armer *m = td_armers_find(&a->arm, ptr);
	struct ident id;
	struct agg *g;

	if (m == NULL)
		return;
	timer_ident(a, &id, m->kind, m->fn, m->pid, m->cpu);
	if ((g = agg_timer(a, m, &id)) != NULL)
		g->cancels++;
}

/* A timer start: remember its armer, count the arm. */
static void
on_start(struct td_attr *a, const struct td_tev *ev, bool want)
{
	enum td_kind kind = ev->type == TD_TEV_TIMER_START ? TD_KIND_TIMER : TD_KIND_HRTIMER;
	struct td_armer *m;
	int pid = td_armers_start(&a->arm, ev, &m);
	struct ident id;
	struct agg *g;

	if (!want)
		return;
	timer_ident(a, &id, kind, ev->function, pid, m ? m->cpu : ev->cpu);
	if ((g = agg_timer(a, m, &id)) == NULL)
		return;
	g->arms++;
	if (kind == TD_KIND_TIMER) {
		if (a->o.defer_flag != 0) {
			g->defer_known = true;
			g->deferrable = g->deferrable || (ev->flags & a->o.defer_flag);
		}
		if (a->o.pin_flag != 0) {
			g->pinned_known = true;
			g->pinned = g->pinned || (ev->flags & a->o.pin_flag);
		}
	} else {
		g->defer_known = true;
		g->pinned_known = true;
		g->pinned = g->pinned || (ev->flags & HRTIMER_MODE_PINNED);
	}
}

/* The armers the attribution keeps. */
struct td_armers *
td_attr_armers(struct td_attr *a)
{
	return &a->arm;
}

/* Account one event. */
void
td_attr_event(struct td_attr *a, const struct td_tev *ev)
{
	struct wcpu *wc;
	struct ident id;
	const char *label = NULL;
	struct td_armer *m = NULL;
	struct agg *g;
	bool want;
	int rank = 0;

	if (ev->cpu < 0 || ev->cpu >= a->o.ncpus)
		return;
	wc = &a->cpu[ev->cpu];
	if (a->first_ts == 0 || ev->ts < a->first_ts)
		a->first_ts = ev->ts;
	if (ev->ts > a->last_ts)
		a->last_ts = ev->ts;
	want = wanted(a, ev->cpu);
	if (ev->comm != NULL)
		td_armers_learn(&a->arm, ev->pid, ev->comm, ev->commlen);

	/*
	 * The kernel traces a cancel when it takes a timer off its queue to run
	 * it or to re-arm it; only a cancel followed by neither is a real one.
	 * A re-arm dequeues and enqueues under the base lock: the start follows
	 * within a few microseconds, unlike a new arming of the same (on-stack)
	 * timer by a loop.
	 */
	if (wc->pend) {
		bool same = wc->pend_ptr == ev->ptr;
		bool prelude = same && (ev->type == TD_TEV_TIMER_EXPIRE ||
		    ev->type == TD_TEV_HRTIMER_EXPIRE ||
		    ((ev->type == TD_TEV_TIMER_START || ev->type == TD_TEV_HRTIMER_START) &&
		    ev->ts - wc->pend_ts < PRELUDE_NS));

		wc->pend = false;
		if (!prelude && want)
			commit_cancel(a, wc->pend_ptr);
	}

	switch (ev->type) {
	case TD_TEV_TIMER_EXPIRE:
	case TD_TEV_HRTIMER_EXPIRE: {
		enum td_kind kind = ev->type == TD_TEV_TIMER_EXPIRE ? TD_KIND_TIMER :
		    TD_KIND_HRTIMER;

		m = td_armers_find(&a->arm, ev->ptr);
		timer_ident(a, &id, kind, ev->function,
		    m != NULL && m->fn == ev->function ? m->pid : -1, m ? m->cpu : ev->cpu);
		rank = kind == TD_KIND_TIMER ? 3 : id.pid == PID_TICK ? 2 : 4;
		break;
	}
	case TD_TEV_VECTOR:
	case TD_TEV_IRQ:
	case TD_TEV_IPI:
		label = irq_ident(a, &id, ev);
		/* An IPI's reason names the interrupt that came before it better. */
		rank = 1;
		break;
	case TD_TEV_SOFTIRQ:
		label = irq_ident(a, &id, ev);
		break;
	default:
		break;
	}
	if (a->o.wakeups)
		on_window(a, ev, wc, ev->type == TD_TEV_IPI ? 0 : rank, &id,
		    ev->type == TD_TEV_TIMER_EXPIRE || ev->type == TD_TEV_HRTIMER_EXPIRE ?
		    ev->ptr : 0);
	if (ev->type == TD_TEV_IPI && wc->c.rank == 1 && wc->c.id.kind == TD_KIND_IRQ)
		wc->c.id = id;		/* the IRQ named "IPI" is this IPI */
	if (ev->type == TD_TEV_IPI && wc->tc.rank == 1 && wc->tc.id.kind == TD_KIND_IRQ)
		wc->tc.id = id;

	switch (ev->type) {
	case TD_TEV_TIMER_START:
	case TD_TEV_HRTIMER_START:
		on_start(a, ev, want);
		break;
	case TD_TEV_TIMER_EXPIRE:
	case TD_TEV_HRTIMER_EXPIRE:
		if (!want || (g = agg_timer(a, m, &id)) == NULL || !agg_cpu_room(a, g, ev->cpu))
			break;
		g->count++;
		g->expiries++;
		g->per_cpu[ev->cpu - g->cpu0]++;
		break;
	case TD_TEV_TIMER_CANCEL:
	case TD_TEV_HRTIMER_CANCEL:
		wc->pend = true;
		wc->pend_ptr = ev->ptr;
		wc->pend_ts = ev->ts;
		break;
	case TD_TEV_VECTOR:
	case TD_TEV_IRQ:
	case TD_TEV_IPI:
	case TD_TEV_SOFTIRQ:
		if (!want || (g = agg_get(a, &id)) == NULL || !agg_cpu_room(a, g, ev->cpu))
			break;
		g->label = label;
		g->count++;
		g->per_cpu[ev->cpu - g->cpu0]++;
		break;
	case TD_TEV_IDLE:
		on_idle(a, ev, wc);
		break;
	case TD_TEV_SCHED_SWITCH:
		td_armers_learn(&a->arm, ev->num, ev->name, ev->namelen);
		break;
	case TD_TEV_SCHED_WAKEUP:
		td_armers_learn(&a->arm, ev->num, ev->name, ev->namelen);
		break;
	case TD_TEV_IDLE_MISS:
		if (want)
			wc->misses++;
		break;
	case TD_TEV_TICK_STOP:
	case TD_TEV_TIMER_BASE_IDLE:
	case TD_TEV_TMIGR:
	case TD_TEV_SOFTIRQ_RAISE:
	case TD_TEV_NTYPES:
		break;
	}
}

/* Start loading what td_attr_event will look up for ev. */
void
td_attr_prefetch(const struct td_attr *a, const struct td_tev *ev)
{
	td_armers_prefetch(&a->arm, ev);
}

/* Start loading what the slots td_attr_prefetch asked for point to. */
void
td_attr_prefetch_more(struct td_attr *a, const struct td_tev *ev)
{
	const struct td_armer *m;

	switch (ev->type) {
	case TD_TEV_TIMER_START:
	case TD_TEV_HRTIMER_START:
	case TD_TEV_TIMER_EXPIRE:
	case TD_TEV_HRTIMER_EXPIRE:
		m = td_armers_find(&a->arm, ev->ptr);
		if (m != NULL && m->src != 0 && m->src_gen == a->gen && m->src <= a->agg_n) {
			const struct agg *g = agg_at(a, m->src - 1);

			__builtin_prefetch(g);
			if (a->agg_inline && ev->cpu >= 0 && ev->cpu < a->o.ncpus)
				__builtin_prefetch(&g->ctr[ev->cpu]);
		}
		break;
	default:
		td_armers_prefetch_comm(&a->arm, ev);
		break;
	}
}

/* Call fn for every timer callback counted since the last collect. */
void
td_attr_each_function(const struct td_attr *a, void (*fn)(uint64_t addr, void *arg), void *arg)
{
	for (size_t i = 0; i < a->agg_n; i++) {
		const struct agg *g = agg_at(a, i);

		if ((g->id.kind == TD_KIND_TIMER || g->id.kind == TD_KIND_HRTIMER) &&
		    g->id.fn != 0)
			fn(g->id.fn, arg);
	}
}

/* Name a timer source's arming task in w. */
static void
name_armer(struct td_attr *a, const struct agg *g, struct td_wsource *w)
{
	struct td_task_info ti;
	const char *c;

	w->known |= TD_WS_PID;
	switch (g->id.pid) {
	case 0:
		w->pid = 0;
		w->tgid = 0;
		w->known |= TD_WS_TGID;
		w->task = TD_TASK_IDLE;
		snprintf(w->comm, sizeof(w->comm), "swapper/%d", g->id.num);
		return;
	case TD_ARMER_HARDIRQ:
	case TD_ARMER_SOFTIRQ:
		w->task = TD_TASK_IRQ;
		strlcpy(w->comm, g->id.pid == TD_ARMER_HARDIRQ ? "[hardirq]" : "[softirq]",
		    sizeof(w->comm));
		return;
	case PID_TICK:
		w->task = TD_TASK_TICK;
		strlcpy(w->comm, "[tick]", sizeof(w->comm));
		return;
	case -1:
		w->known &= ~(unsigned)TD_WS_PID;
		return;
	}
	w->pid = g->id.pid;
	memset(&ti, 0, sizeof(ti));
	ti.tgid = -1;
	if ((c = td_armers_comm(&a->arm, g->id.pid)) != NULL)
		strlcpy(ti.comm, c, sizeof(ti.comm));
	if (a->o.names.task != NULL)
		a->o.names.task(a->o.names.ctx, g->id.pid, &ti);
	strlcpy(w->comm, ti.comm, sizeof(w->comm));
	w->task = ti.task;
	if (ti.tgid >= 0) {
		w->tgid = ti.tgid;
		w->known |= TD_WS_TGID;
	}
}

/*
 * Naming a source's armer reads two tables keyed by pid (the names learnt
 * from events, the task cache): at 10,000 tasks each read is a cache miss.
 * Collect asks for a source's slots 2 * NAME_AHEAD sources before naming it,
 * and for its entries NAME_AHEAD before.
 */
#define NAME_AHEAD	8

/* Start loading what name_armer of g reads: its tables' slots, or (entry) their entries. */
static void
prefetch_armer(const struct td_attr *a, const struct agg *g, bool entry)
{
	if ((g->id.kind != TD_KIND_TIMER && g->id.kind != TD_KIND_HRTIMER) || g->id.pid <= 0)
		return;
	td_armers_prefetch_pid(&a->arm, g->id.pid, entry);
	if (a->o.names.prefetch_task != NULL)
		a->o.names.prefetch_task(a->o.names.ctx, g->id.pid, entry);
}

/* Fill one source w of sample p from a counted one; -ENOMEM. */
static int
fill_source(struct td_attr *a, struct agg *g, const unsigned char *way, struct td_sample *p,
    struct td_wsource *w)
{
	const char *nm;
	char buf[40];

	w->kind = g->id.kind;
	w->count = g->count;
	if (a->agg_inline) {
		if ((w->per_cpu = malloc((size_t)a->o.ncpus * sizeof(uint64_t))) == NULL)
			return -ENOMEM;
		memcpy(w->per_cpu, g->per_cpu, (size_t)a->o.ncpus * sizeof(uint64_t));
	} else {
		/* counted on no CPU (armed only): no CPU's counters, an empty array */
		if (g->per_cpu == NULL && (g->per_cpu = calloc(1, sizeof(uint64_t))) == NULL)
			return -ENOMEM;
		w->per_cpu = g->per_cpu;
		g->per_cpu = NULL;
	}
	w->cpu0 = g->cpu0;
	w->ncpus = g->cpun;
	w->known = TD_WS_CPU;
	if (p->wakeups_known) {
		if ((w->wakeups_per_cpu = calloc(g->cpun > g->cpu0 ? (size_t)(g->cpun - g->cpu0) : 1,
		    sizeof(uint64_t))) == NULL)
			return -ENOMEM;
		for (int c = g->cpu0; c < g->cpun; c++) {
			const uint64_t *wk = g->wk[way[c]];

			if (wk != NULL)
				w->wakeups_per_cpu[c - g->cpu0] = wk[c - g->cpu0];
			w->wakeups += w->wakeups_per_cpu[c - g->cpu0];
		}
		w->known |= TD_WS_WAKEUPS;
	}
	switch (g->id.kind) {
	case TD_KIND_TIMER:
	case TD_KIND_HRTIMER:
		nm = a->o.names.function != NULL ?
		    a->o.names.function(a->o.names.ctx, g->id.fn) : NULL;
		if (nm == NULL) {
			snprintf(buf, sizeof(buf), "<%#llx>", (unsigned long long)g->id.fn);
			nm = buf;
		}
		w->function = td_sample_str(p, nm);
		if (g->id.site != 0 && w->function != NULL) {
			nm = a->o.names.function != NULL ?
			    a->o.names.function(a->o.names.ctx, g->id.site) : NULL;
			if (nm == NULL) {
				snprintf(buf, sizeof(buf), "<%#llx>", (unsigned long long)g->id.site);
				nm = buf;
			}
			if ((w->site = td_sample_str(p, nm)) == NULL)
				return -ENOMEM;
			w->known |= TD_WS_SITE;
		}
		w->arms = g->arms;
		w->expiries = g->expiries;
		w->cancels = g->cancels;
		w->known |= TD_WS_ARMS | TD_WS_EXPIRIES | TD_WS_CANCELS;
		if (g->defer_known) {
			w->known |= TD_WS_DEFERRABLE;
			w->deferrable = g->deferrable;
		}
		if (g->pinned_known) {
			w->known |= TD_WS_PINNED;
			w->pinned = g->pinned;
		}
		name_armer(a, g, w);
		break;
	case TD_KIND_UNKNOWN:
		w->function = td_sample_str(p, "(no traced cause)");
		break;
	default:
		w->function = td_sample_str(p, g->id.name != NULL ? g->id.name :
		    g->label != NULL ? g->label : "?");
		if (g->id.kind == TD_KIND_IRQ)
			w->irq = g->id.num;
		break;
	}
	return w->function == NULL ? -ENOMEM : 0;
}

/* Add the counters of a source counted elsewhere (attribution.h). */
int
td_attr_add(struct td_attr *a, const struct td_attr_count *c)
{
	struct ident id;
	struct agg *g;
	const char *label = NULL;

	if (c->cpu < 0 || c->cpu >= a->o.ncpus || !wanted(a, c->cpu))
		return 0;
	ident_set(&id, c->kind, c->fn, c->pid, c->num, &a->names, c->name,
	    c->name ? strlen(c->name) : 0);
	id.site = c->site;
	if (c->kind == TD_KIND_SOFTIRQ)
		label = td_softirq_name(c->num) != NULL ? td_softirq_name(c->num) : "?";
	if ((g = agg_get(a, &id)) == NULL || !agg_cpu_room(a, g, c->cpu))
		return -ENOMEM;
	g->label = label;
	g->count += c->count;
	g->arms += c->arms;
	g->expiries += c->expiries;
	g->cancels += c->cancels;
	g->per_cpu[c->cpu - g->cpu0] += c->count;
	if (c->kind == TD_KIND_TIMER || c->kind == TD_KIND_HRTIMER) {
		g->defer_known = g->pinned_known = true;
		g->deferrable = g->deferrable || c->deferrable;
		g->pinned = g->pinned || c->pinned;
	}
	for (int w = 0; w < NWAYS; w++) {
		if (c->wakeups[w] == 0)
			continue;
		if (agg_wk(a, g, w, c->cpu) == NULL)
			return -ENOMEM;
		g->wk[w][c->cpu - g->cpu0] += c->wakeups[w];
	}
	return 0;
}

/* Add a CPU's idle exits counted elsewhere, and which ways could count them. */
void
td_attr_add_exits(struct td_attr *a, int cpu, const uint64_t exits[2], bool idle_seen,
    bool task_seen)
{
	struct wcpu *wc;

	if (cpu < 0 || cpu >= a->o.ncpus)
		return;
	wc = &a->cpu[cpu];
	wc->idle_seen = wc->idle_seen || idle_seen;
	wc->task_seen = wc->task_seen || task_seen;
	if (!wanted(a, cpu))
		return;
	wc->exits[BY_IDLE] += exits[0];
	wc->exits[BY_TASK] += exits[1];
}

/* Hand the interval's counts to p and begin the next interval. */
int
td_attr_collect(struct td_attr *a, struct td_sample *p, struct td_error *e)
{
	unsigned char *way;
	int r = 0;

	if ((way = calloc((size_t)a->o.ncpus, 1)) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	if (a->o.wakeups) {
		p->ncpus = a->o.ncpus;
		p->cpu_wakeups = calloc((size_t)a->o.ncpus, sizeof(uint64_t));
		p->cpu_wake_method = calloc((size_t)a->o.ncpus, 1);
		if (a->o.idle_misses)
			p->cpu_idle_misses = calloc((size_t)a->o.ncpus, sizeof(uint64_t));
		if (p->cpu_wakeups == NULL || p->cpu_wake_method == NULL ||
		    (a->o.idle_misses && p->cpu_idle_misses == NULL)) {
			free(way);
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
		}
		for (int c = 0; c < a->o.ncpus; c++) {
			struct wcpu *wc = &a->cpu[c];

			/* An exit whose window is still open is settled with what it has. */
			if (wc->st == W_WOKEN)
				close_window(a, c, wc);
			close_task_window(a, c, wc);

			/*
			 * A CPU whose idle task ran with no cpu_idle event
			 * is one the kernel does not trace (or that stayed
			 * in one idle state throughout: the counts agree).
			 */
			way[c] = wc->idle_seen || !wc->task_seen ? BY_IDLE : BY_TASK;
			/*
			 * With idle and scheduler events traced, a CPU that
			 * showed neither ran tasks throughout (its events name
			 * no idle task), or slept throughout with its tick
			 * stopped (no event at all): no exit either way.
			 */
			if (!wanted(a, c))
				continue;
			p->cpu_wakeups[c] = wc->exits[way[c]];
			p->cpu_wake_method[c] = way[c] == BY_IDLE ? TD_WAKE_IDLE_EVENT :
			    TD_WAKE_IDLE_TASK;
			p->total_wakeups += p->cpu_wakeups[c];
			p->wakeups_known = true;
			if (a->o.idle_misses) {
				p->cpu_idle_misses[c] = wc->misses;
				wc->misses = 0;
			}
			wc->exits[BY_IDLE] = wc->exits[BY_TASK] = 0;
		}
	}
	for (size_t i = 0; i < a->agg_n && r == 0; i++) {
		struct agg *g = agg_at(a, i);
		struct td_wsource *w;

		if (i + 2 * NAME_AHEAD < a->agg_n)
			prefetch_armer(a, agg_at(a, i + 2 * NAME_AHEAD), false);
		if (i + NAME_AHEAD < a->agg_n)
			prefetch_armer(a, agg_at(a, i + NAME_AHEAD), true);
		if ((w = td_sample_add(p)) == NULL) {
			r = -ENOMEM;
			break;
		}
		r = fill_source(a, g, way, p, w);
	}
	free(way);
	agg_clear(a);
	p->first_ts = a->first_ts;
	p->last_ts = a->last_ts;
	a->first_ts = a->last_ts = 0;
	if (r < 0)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	td_sample_finish(p);
	return 0;
}

/* A new attribution. */
int
td_attr_new(const struct td_attr_opts *o, struct td_attr **out, struct td_error *e)
{
	struct td_attr *a;

	*out = NULL;
	if (o->ncpus < 1)
		return td_error_set(e, EINVAL, NULL, 0, "no CPUs");
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->cpu = calloc((size_t)o->ncpus, sizeof(*a->cpu))) == NULL) {
		free(a);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	a->o = *o;
	a->gen = 1;
	a->agg_inline = o->ncpus <= INLINE_CPUS;
	a->agg_size = sizeof(struct agg) +
	    (a->agg_inline ? (size_t)(NWAYS + 1) * (size_t)o->ncpus * sizeof(uint64_t) : 0);
	td_strpool_init(&a->names);
	if (o->cpus != NULL) {
		a->cpus = *o->cpus;
		a->have_cpus = true;
	}
	a->o.cpus = NULL;
	*out = a;
	return 0;
}

/* Free an attribution; NULL is fine. */
void
td_attr_free(struct td_attr *a)
{
	if (a == NULL)
		return;
	agg_clear(a);
	free(a->agg);
	free(a->aidx);
	td_strpool_fini(&a->names);
	td_armers_free(&a->arm);
	free(a->cpu);
	free(a);
}
