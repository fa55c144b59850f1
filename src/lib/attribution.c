/* Wakeup attribution: decoded events in, wakeup sources out (the model: attribution.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "internal.h"

#define MAP_MAX			(1u << 20)	/* timer addresses remembered at most */
#define COMM_MAX		(1u << 16)	/* task names learnt from events, at most */
#define HRTIMER_MODE_PINNED	0x02
#define PRELUDE_NS		3000	/* a cancel this close before a start is a re-arm */
#define PID_HARDIRQ		TD_ATTR_PID_HARDIRQ
#define PID_SOFTIRQ		TD_ATTR_PID_SOFTIRQ
#define PID_TICK		TD_ATTR_PID_TICK
#define NAME_LEN		48

/* The two ways a CPU's wakeups are counted (attribution.h). */
enum { BY_IDLE, BY_TASK, NWAYS };

/* The identity of a source. */
struct ident {
	enum td_kind	 kind;
	uint64_t	 fn;		/* callback address (timers), vector label address */
	uint64_t	 site;		/* arming site address (counted sources only), 0 none */
	int		 pid;		/* arming pid, -1 unknown */
	int		 num;		/* idle armer: its CPU; irq: number; softirq: vector */
	char		 name[NAME_LEN]; /* irq action or IPI reason; "" none */
};

/* A wakeup source being counted. */
struct agg {
	bool		 used;
	struct ident	 id;
	const char	*label;		/* vector or softirq name (not the identity) */
	uint64_t	 count, arms, expiries, cancels;
	bool		 defer_known, deferrable, pinned_known, pinned;
	uint64_t	*per_cpu;	/* events per CPU */
	uint64_t	*wk[NWAYS];	/* wakeups per CPU, each way; NULL until one */
};

/* Who armed a timer, by its address. */
struct armer {
	uint64_t	 ptr;		/* 0 = empty slot */
	uint64_t	 fn;
	int		 pid;
	int		 cpu;		/* CPU it was armed on (names the idle task) */
	enum td_kind	 kind;
};

/* A task name seen in the events (sched_switch, sched_wakeup, text traces). */
struct comm {
	int		 pid;		/* 0 = empty slot (pid 0 is never kept) */
	char		 comm[16];
};

/* The cause found so far in one window. */
struct cause {
	int		 rank;		/* 0 none, 1 interrupt ... 4 hrtimer (attribution.h) */
	int		 nirq;		/* hard interrupts seen in the window */
	struct ident	 id;
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
	struct agg		*agg;
	size_t			 agg_cap, agg_n;
	struct armer		*map;
	size_t			 map_cap, map_n;
	struct comm		*comms;
	size_t			 comm_cap, comm_n;
	struct wcpu		*cpu;
};

static const char *const softirq_names[] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
	"HRTIMER", "RCU",
};

/* Mix a 64-bit key into a hash. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Hash of a C string. */
static uint64_t
strhash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Hash of a source identity. */
static uint64_t
ident_hash(const struct ident *id)
{
	return mix((uint64_t)id->kind * 31 + id->fn * 17 + id->site * 13 +
	    (uint64_t)(uint32_t)id->pid * 7 +
	    (uint64_t)(uint32_t)id->num + strhash(id->name));
}

/* Whether two identities are the same source. */
static bool
ident_eq(const struct ident *a, const struct ident *b)
{
	return a->kind == b->kind && a->fn == b->fn && a->site == b->site && a->pid == b->pid &&
	    a->num == b->num &&
	    strcmp(a->name, b->name) == 0;
}

/* Fill an identity; name of namelen bytes may be NULL. */
static void
ident_set(struct ident *id, enum td_kind kind, uint64_t fn, int pid, int num, const char *name,
    size_t namelen)
{
	id->kind = kind;
	id->fn = fn;
	id->site = 0;
	id->pid = pid;
	id->num = num;
	if (name == NULL)
		namelen = 0;
	if (namelen >= sizeof(id->name))
		namelen = sizeof(id->name) - 1;
	if (namelen > 0)
		memcpy(id->name, name, namelen);
	id->name[namelen] = '\0';
}

/* The open-addressed slot of an identity in a table of cap slots. */
static struct agg *
agg_slot(struct agg *tab, size_t cap, const struct ident *id)
{
	size_t h = ident_hash(id) & (cap - 1);

	while (tab[h].used && !ident_eq(&tab[h].id, id))
		h = (h + 1) & (cap - 1);
	return &tab[h];
}

/* Double the source table. */
static int
agg_grow(struct td_attr *a)
{
	size_t ncap = a->agg_cap ? a->agg_cap * 2 : 256;
	struct agg *na = calloc(ncap, sizeof(*na));

	if (na == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < a->agg_cap; i++)
		if (a->agg[i].used)
			*agg_slot(na, ncap, &a->agg[i].id) = a->agg[i];
	free(a->agg);
	a->agg = na;
	a->agg_cap = ncap;
	return 0;
}

/* Find or add the source with this identity; NULL on ENOMEM. */
static struct agg *
agg_get(struct td_attr *a, const struct ident *id)
{
	struct agg *g;

	if ((a->agg_n + 1) * 2 > a->agg_cap && agg_grow(a) < 0)
		return NULL;
	g = agg_slot(a->agg, a->agg_cap, id);
	if (g->used)
		return g;
	memset(g, 0, sizeof(*g));
	if ((g->per_cpu = calloc((size_t)a->o.ncpus, sizeof(uint64_t))) == NULL)
		return NULL;
	g->used = true;
	g->id = *id;
	a->agg_n++;
	return g;
}

/* Forget all sources (a new interval). */
static void
agg_clear(struct td_attr *a)
{
	for (size_t i = 0; i < a->agg_cap; i++)
		if (a->agg[i].used) {
			free(a->agg[i].per_cpu);
			for (int w = 0; w < NWAYS; w++)
				free(a->agg[i].wk[w]);
		}
	if (a->agg != NULL)
		memset(a->agg, 0, a->agg_cap * sizeof(*a->agg));
	a->agg_n = 0;
}

/* The armer slot of ptr (empty when not known); the table has a free slot. */
static struct armer *
map_slot(struct armer *tab, size_t cap, uint64_t ptr)
{
	size_t h = mix(ptr) & (cap - 1);

	while (tab[h].ptr != 0 && tab[h].ptr != ptr)
		h = (h + 1) & (cap - 1);
	return &tab[h];
}

/* Double the timer map (or empty it when it grew past MAP_MAX). */
static int
map_grow(struct td_attr *a)
{
	size_t ncap = a->map_cap ? a->map_cap * 2 : 4096;
	struct armer *nm;

	if (ncap > MAP_MAX * 2) {
		memset(a->map, 0, a->map_cap * sizeof(*a->map));
		a->map_n = 0;
		return 0;
	}
	if ((nm = calloc(ncap, sizeof(*nm))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < a->map_cap; i++)
		if (a->map[i].ptr != 0)
			*map_slot(nm, ncap, a->map[i].ptr) = a->map[i];
	free(a->map);
	a->map = nm;
	a->map_cap = ncap;
	return 0;
}

/* The armer of the timer at ptr, or NULL. */
static struct armer *
map_find(struct td_attr *a, uint64_t ptr)
{
	struct armer *m;

	if (a->map_cap == 0 || ptr == 0)
		return NULL;
	m = map_slot(a->map, a->map_cap, ptr);
	return m->ptr != 0 ? m : NULL;
}

/* Remember who armed the timer at ptr (m: its entry if known); the entry or NULL. */
static struct armer *
map_put(struct td_attr *a, struct armer *m, uint64_t ptr, uint64_t fn, int pid, int cpu,
    enum td_kind kind)
{
	if (ptr == 0)
		return NULL;
	if (m == NULL) {
		if ((a->map_n + 1) * 2 > a->map_cap && map_grow(a) < 0)
			return NULL;
		m = map_slot(a->map, a->map_cap, ptr);
		a->map_n++;
	}
	m->ptr = ptr;
	m->fn = fn;
	m->pid = pid;
	m->cpu = cpu;
	m->kind = kind;
	return m;
}

/* The comm slot of pid (empty: pid 0); the table has a free slot. */
static struct comm *
comm_slot(struct comm *tab, size_t cap, int pid)
{
	size_t h = mix((uint64_t)(uint32_t)pid) & (cap - 1);

	while (tab[h].pid != 0 && tab[h].pid != pid)
		h = (h + 1) & (cap - 1);
	return &tab[h];
}

/* Learn the comm of pid from an event (bounded; the newest name wins). */
static void
comm_learn(struct td_attr *a, int pid, const char *name, size_t len)
{
	struct comm *c;

	if (pid <= 0 || name == NULL || len == 0)
		return;
	if ((a->comm_n + 1) * 2 > a->comm_cap) {
		size_t ncap = a->comm_cap ? a->comm_cap * 2 : 1024;
		struct comm *nc;

		if (a->comm_n >= COMM_MAX) {
			/* Full: pids are reused in time; start again rather than grow. */
			memset(a->comms, 0, a->comm_cap * sizeof(*a->comms));
			a->comm_n = 0;
		} else {
			if ((nc = calloc(ncap, sizeof(*nc))) == NULL)
				return;
			for (size_t i = 0; i < a->comm_cap; i++)
				if (a->comms[i].pid != 0)
					*comm_slot(nc, ncap, a->comms[i].pid) = a->comms[i];
			free(a->comms);
			a->comms = nc;
			a->comm_cap = ncap;
		}
	}
	c = comm_slot(a->comms, a->comm_cap, pid);
	if (c->pid == 0)
		a->comm_n++;
	c->pid = pid;
	if (len >= sizeof(c->comm))
		len = sizeof(c->comm) - 1;
	memcpy(c->comm, name, len);
	c->comm[len] = '\0';
}

/* The comm learnt for pid, or NULL. */
static const char *
comm_of(const struct td_attr *a, int pid)
{
	const struct comm *c;

	if (a->comm_cap == 0 || pid <= 0)
		return NULL;
	c = comm_slot(a->comms, a->comm_cap, pid);
	return c->pid == pid ? c->comm : NULL;
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
	ident_set(id, kind, fn, pid, pid == 0 ? armcpu : -1, NULL, 0);
}

/* The identity of an interrupt-like event's source (vector, IRQ, IPI, softirq). */
static const char *
irq_ident(struct ident *id, const struct td_tev *ev)
{
	switch (ev->type) {
	case TD_TEV_VECTOR:
		/* The label is a constant of the decoder: its address is the key. */
		ident_set(id, TD_KIND_VECTOR, (uint64_t)(uintptr_t)ev->name, -1, -1, NULL, 0);
		return ev->name;
	case TD_TEV_IPI:
		ident_set(id, TD_KIND_VECTOR, 0, -1, -1, ev->name, ev->namelen);
		return NULL;
	case TD_TEV_IRQ:
		ident_set(id, TD_KIND_IRQ, 0, -1, ev->num, ev->name, ev->namelen);
		return NULL;
	default:
		ident_set(id, TD_KIND_SOFTIRQ, 0, -1, ev->num, NULL, 0);
		return ev->num >= 0 && (size_t)ev->num < TD_ARRAY_SIZE(softirq_names) ?
		    softirq_names[ev->num] : "?";
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
		ident_set(&unk, TD_KIND_UNKNOWN, 0, -1, -1, NULL, 0);
		id = &unk;
	}
	if ((g = agg_get(a, id)) == NULL)
		return;
	if (g->wk[w] == NULL && (g->wk[w] = calloc((size_t)a->o.ncpus, sizeof(uint64_t))) == NULL)
		return;
	g->wk[w][cpu]++;
}

/*
 * Offer a candidate cause of the given rank to an open window.  The first
 * hard interrupt is the cause; a timer that expires in it, or in the
 * softirqs after it, refines it, but not once a second interrupt came.
 */
static void
offer(struct cause *c, int rank, const struct ident *id)
{
	if (rank == 1 && c->nirq++ > 0)
		return;
	if (rank > 1 && c->nirq > 1)
		return;
	if (rank > c->rank) {
		c->rank = rank;
		c->id = *id;
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
    const struct ident *id)
{
	bool hard = ev->type == TD_TEV_IRQ || ev->type == TD_TEV_VECTOR || ev->type == TD_TEV_IPI;

	/* cpu_idle: the window ends at the first task-context event after the exit. */
	if (wc->st == W_WOKEN && !in_interrupt(ev) && ev->type != TD_TEV_IDLE)
		close_window(a, ev->cpu, wc);
	else if ((wc->st == W_IDLE || wc->st == W_WOKEN) && rank > 0)
		offer(&wc->c, rank, id);

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
		offer(&wc->tc, rank, id);
	if (!in_interrupt(ev))
		close_task_window(a, ev->cpu, wc);
}

/* Count a cancel that was not the prelude of an expiry or a re-arm. */
static void
commit_cancel(struct td_attr *a, uint64_t ptr)
{
	struct armer *m = map_find(a, ptr);
	struct ident id;
	struct agg *g;

	if (m == NULL)
		return;
	timer_ident(a, &id, m->kind, m->fn, m->pid, m->cpu);
	if ((g = agg_get(a, &id)) != NULL)
		g->cancels++;
}

/* A timer start: remember its armer, count the arm. */
static void
on_start(struct td_attr *a, const struct td_tev *ev, bool want)
{
	enum td_kind kind = ev->type == TD_TEV_TIMER_START ? TD_KIND_TIMER : TD_KIND_HRTIMER;
	struct armer *m = map_find(a, ev->ptr);
	int pid = ev->pid;
	struct ident id;
	struct agg *g;

	if (ev->ctx & (TD_TEV_CTX_HARDIRQ | TD_TEV_CTX_SOFTIRQ)) {
		/*
		 * Armed in interrupt context: re-armed by its own callback keeps
		 * its first armer; else no task armed it (the one running was
		 * merely interrupted).
		 */
		if (m != NULL && m->fn == ev->function)
			pid = m->pid;
		else
			pid = (ev->ctx & TD_TEV_CTX_HARDIRQ) ? PID_HARDIRQ : PID_SOFTIRQ;
	}
	m = map_put(a, m, ev->ptr, ev->function, pid,
	    m != NULL && pid == m->pid && pid == 0 ? m->cpu : ev->cpu, kind);
	if (!want)
		return;
	timer_ident(a, &id, kind, ev->function, pid, m ? m->cpu : ev->cpu);
	if ((g = agg_get(a, &id)) == NULL)
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

/* Account one event. */
void
td_attr_event(struct td_attr *a, const struct td_tev *ev)
{
	struct wcpu *wc;
	struct ident id;
	const char *label = NULL;
	struct armer *m;
	struct agg *g;
	bool want;
	int rank = 0;

	if (ev->cpu < 0 || ev->cpu >= a->o.ncpus)
		return;
	wc = &a->cpu[ev->cpu];
	want = wanted(a, ev->cpu);
	if (ev->comm != NULL)
		comm_learn(a, ev->pid, ev->comm, ev->commlen);

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

		m = map_find(a, ev->ptr);
		timer_ident(a, &id, kind, ev->function,
		    m != NULL && m->fn == ev->function ? m->pid : -1, m ? m->cpu : ev->cpu);
		rank = kind == TD_KIND_TIMER ? 3 : id.pid == PID_TICK ? 2 : 4;
		break;
	}
	case TD_TEV_VECTOR:
	case TD_TEV_IRQ:
	case TD_TEV_IPI:
		label = irq_ident(&id, ev);
		/* An IPI's reason names the interrupt that came before it better. */
		rank = 1;
		break;
	case TD_TEV_SOFTIRQ:
		label = irq_ident(&id, ev);
		break;
	default:
		break;
	}
	if (a->o.wakeups)
		on_window(a, ev, wc, ev->type == TD_TEV_IPI ? 0 : rank, &id);
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
		if (!want || (g = agg_get(a, &id)) == NULL)
			break;
		g->count++;
		g->expiries++;
		g->per_cpu[ev->cpu]++;
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
		if (!want || (g = agg_get(a, &id)) == NULL)
			break;
		g->label = label;
		g->count++;
		g->per_cpu[ev->cpu]++;
		break;
	case TD_TEV_IDLE:
		on_idle(a, ev, wc);
		break;
	case TD_TEV_SCHED_SWITCH:
		comm_learn(a, ev->num, ev->name, ev->namelen);
		break;
	case TD_TEV_SCHED_WAKEUP:
		comm_learn(a, ev->num, ev->name, ev->namelen);
		break;
	case TD_TEV_TICK_STOP:
	case TD_TEV_NTYPES:
		break;
	}
}

/* Call fn for every timer callback counted since the last collect. */
void
td_attr_each_function(const struct td_attr *a, void (*fn)(uint64_t addr, void *arg), void *arg)
{
	for (size_t i = 0; i < a->agg_cap; i++) {
		const struct agg *g = &a->agg[i];

		if (g->used && (g->id.kind == TD_KIND_TIMER || g->id.kind == TD_KIND_HRTIMER) &&
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
	case PID_HARDIRQ:
	case PID_SOFTIRQ:
		w->task = TD_TASK_IRQ;
		strlcpy(w->comm, g->id.pid == PID_HARDIRQ ? "[hardirq]" : "[softirq]",
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
	if ((c = comm_of(a, g->id.pid)) != NULL)
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

/* Fill one sample source from a counted one; -ENOMEM. */
static int
fill_source(struct td_attr *a, struct agg *g, const unsigned char *way, struct td_wsource *w)
{
	const char *nm;
	char buf[40];

	w->kind = g->id.kind;
	w->count = g->count;
	w->per_cpu = g->per_cpu;
	g->per_cpu = NULL;
	w->ncpus = a->o.ncpus;
	w->known = TD_WS_CPU;
	if (a->o.wakeups) {
		if ((w->wakeups_per_cpu = calloc((size_t)a->o.ncpus, sizeof(uint64_t))) == NULL)
			return -ENOMEM;
		for (int c = 0; c < a->o.ncpus; c++) {
			const uint64_t *wk = g->wk[way[c]];

			if (wk != NULL)
				w->wakeups_per_cpu[c] = wk[c];
			w->wakeups += w->wakeups_per_cpu[c];
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
		w->function = strdup(nm);
		if (g->id.site != 0 && w->function != NULL) {
			nm = a->o.names.function != NULL ?
			    a->o.names.function(a->o.names.ctx, g->id.site) : NULL;
			if (nm == NULL) {
				snprintf(buf, sizeof(buf), "<%#llx>", (unsigned long long)g->id.site);
				nm = buf;
			}
			if ((w->site = strdup(nm)) == NULL)
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
		w->function = strdup("(no traced cause)");
		break;
	default:
		w->function = strdup(g->id.name[0] != '\0' ? g->id.name :
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
	ident_set(&id, c->kind, c->fn, c->pid, c->num, c->name, c->name ? strlen(c->name) : 0);
	id.site = c->site;
	if (c->kind == TD_KIND_SOFTIRQ)
		label = c->num >= 0 && (size_t)c->num < TD_ARRAY_SIZE(softirq_names) ?
		    softirq_names[c->num] : "?";
	if ((g = agg_get(a, &id)) == NULL)
		return -ENOMEM;
	g->label = label;
	g->count += c->count;
	g->arms += c->arms;
	g->expiries += c->expiries;
	g->cancels += c->cancels;
	g->per_cpu[c->cpu] += c->count;
	if (c->kind == TD_KIND_TIMER || c->kind == TD_KIND_HRTIMER) {
		g->defer_known = g->pinned_known = true;
		g->deferrable = g->deferrable || c->deferrable;
		g->pinned = g->pinned || c->pinned;
	}
	for (int w = 0; w < NWAYS; w++) {
		if (c->wakeups[w] == 0)
			continue;
		if (g->wk[w] == NULL &&
		    (g->wk[w] = calloc((size_t)a->o.ncpus, sizeof(uint64_t))) == NULL)
			return -ENOMEM;
		g->wk[w][c->cpu] += c->wakeups[w];
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
		if (p->cpu_wakeups == NULL || p->cpu_wake_method == NULL) {
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
			if (!wanted(a, c))
				continue;
			p->cpu_wakeups[c] = wc->exits[way[c]];
			p->cpu_wake_method[c] = way[c] == BY_IDLE ? TD_WAKE_IDLE_EVENT :
			    TD_WAKE_IDLE_TASK;
			p->total_wakeups += p->cpu_wakeups[c];
			wc->exits[BY_IDLE] = wc->exits[BY_TASK] = 0;
		}
		p->wakeups_known = true;
	}
	for (size_t i = 0; i < a->agg_cap && r == 0; i++) {
		struct agg *g = &a->agg[i];
		struct td_wsource *w;

		if (!g->used)
			continue;
		if ((w = td_sample_add(p)) == NULL) {
			r = -ENOMEM;
			break;
		}
		r = fill_source(a, g, way, w);
	}
	free(way);
	agg_clear(a);
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
	free(a->map);
	free(a->comms);
	free(a->cpu);
	free(a);
}
