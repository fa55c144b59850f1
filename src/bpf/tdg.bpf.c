/*
 * The BPF backend's programs: the wakeup model of src/lib/attribution.h run
 * in the kernel, per CPU, on the timer, irq, irq_vectors, power and sched
 * tracepoints (BTF-typed: tp_btf).  Each event updates the CPU's state and
 * the counters of its source in a per-CPU hash map keyed like the tracefs
 * backend's sources; nothing per event goes to user space, which reads the
 * maps once per interval (sampler_bpf.c).
 *
 * The model, as attribution.c has it: the cause window of a CPU opens at its
 * idle entry and closes at the first task-context event after the exit, or at
 * the next entry; the cause is the first hard interrupt in it, refined by
 * rank (a non-tick hrtimer 4, a wheel timer in the softirq 3, the tick's
 * hrtimer 2, the interrupt 1) while no second hard interrupt came.  An exit
 * with no cause counts as unknown.  On CPUs whose idle the kernel does not
 * trace, interrupts taken by the idle task outside a softirq and switches out
 * of it with no interrupt are the wakeups (the idle-task way).  A timer's
 * armer is the task that started it; an interrupt-context re-arm by its own
 * callback keeps the first armer, any other is [hardirq] or [softirq].  A
 * cancel counts when no expiry or re-arm of the same timer follows at once.
 * The arming site is the first frame past the timer API on the stack taken
 * at a start; a timer re-armed by the same task for the same callback keeps
 * the site it was armed from first (unwinding at every period would cost
 * ten times the rest of the program).
 *
 * The common event is cheap: a timer's expiry, start or
 * committed cancel is counted with array accesses and no hash map: a
 * four-way cache by timer address shared by the CPUs (tdg_ptrs) gives the
 * hash of the timer's source, whose counters on this CPU are a slot of the
 * per-CPU table of sources (tdg_src, by that hash; kept across intervals,
 * with each interval's counters apart); the model's step (offer, close)
 * takes the slot.  A source whose set has no slot free counts in the
 * interval's aggregation map, and user space adds both up.  A start
 * that changes a timer's armer (or callback, site, kind) forgets that one
 * timer's cache entry before anything else, so the other timers stay
 * cached (a global epoch, bumped at any change, made every CPU's whole cache
 * miss some 60 times a second for timers armed from the idle task); the
 * cache is exact while the armer map does not overflow.  Any other event, or
 * a miss, goes the whole way, which fills the cache.
 *
 * The interrupt context of an event is known from the entry and exit
 * tracepoints' nesting depth, per CPU (the kernel's preempt count is a
 * per-CPU variable on x86, whose address the verifier finds only in a
 * kallsyms with data symbols, CONFIG_KALLSYMS_ALL).  Every program is
 * named tdg_*.
 *
 * The steps of the model are global functions (GLOBAL): the verifier checks
 * each once instead of along every path of every program, which would not
 * fit its limits.  Their pointer arguments may be NULL to it, hence the checks.
 */
#include "tdg_kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tdg_shared.h"

char LICENSE[] SEC("license") = "GPL";

#define PRELUDE_NS	3000	/* a cancel this close before a start is a re-arm */
#define CTX_HARD	0x1
#define CTX_SOFT	0x2
#define GLOBAL		__attribute__((noinline))

/*
 * Set by user space before the load; what every event reads first, in one
 * cache line, the stack's filter after it.
 */
const volatile __u32 own_tgid = 0;		/* our own arms and cancels are not counted */
const volatile __u32 ptr_mask = 0;		/* the timers' cache: its slots - 1 */
const volatile __u32 ncpus = 1;			/* possible CPUs: the tables of sources */
const volatile __u32 src_slots = TDG_SRC_SLOTS;	/* slots of a CPU's table: a power of 2 */
const volatile bool want_site = true;
const volatile __u64 tick_fn[4] = {};		/* the tick's hrtimer callbacks */
const volatile __u32 nskip = 0;			/* timer API functions: [skip_lo, skip_hi) */
const volatile __u64 skip_lo[TDG_SKIP_MAX] = {};
const volatile __u64 skip_hi[TDG_SKIP_MAX] = {};

/* A new source's counters (a global: off the stack of tdg_add's callers' chains). */
const struct tdg_val zero_val = {};

/* Written by user space at each collect: the aggregation map now counted into. */
__u32 gen = 0;

#define barrier()	asm volatile("" ::: "memory")

struct aggmap {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct tdg_key);
	__type(value, struct tdg_val);
	__uint(max_entries, 8192);
};
struct aggmap tdg_agg0 SEC(".maps");
struct aggmap tdg_agg1 SEC(".maps");

/*
 * The CPUs' tables of sources (src_slots each), one after the other (user
 * space sizes it for the possible CPUs): a plain array, whose lookup the
 * verifier inlines, with no per-CPU pointer to follow.  Mappable only for
 * its values to start on a page, so that each interval's counters of a
 * slot are one cache line (else they straddle two).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct tdg_slot);
	__uint(max_entries, TDG_SRC_SLOTS);
} tdg_src SEC(".maps");

/*
 * The slots' tags, by the slots' indexes (user space sizes it as tdg_src):
 * a set's tags together (at 10,000 sources, trying each way of a set in its
 * own slot was a cache miss a way, at every expiry).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, TDG_SRC_SLOTS);
} tdg_tags SEC(".maps");

/*
 * The slots with an event in each interval on each CPU (tdg_taken_index;
 * user space sizes it): user space reads the slots listed here, not the
 * whole table (16,384 slots a CPU at 10,000 threads).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);	/* an array's values are 8 bytes apart in its mapping */
	__uint(max_entries, 1);
} tdg_taken SEC(".maps");

/*
 * A timer's source (the cache by timer address): two to a cache line.  A
 * writer claims the slot by swapping its ptr to CLAIMED (two CPUs may write
 * one slot for two timers at once) and publishes the timer's address last.
 */
struct pslot {
	__u64	ptr;		/* 0: empty; CLAIMED: being written */
	__u64	fn;
	__u64	h;		/* its key's hash: its slot in the table of sources */
	__s32	pid;		/* its armer */
	__u8	stable;		/* a start by its armer keeps the key (site known) */
	__u8	way;		/* its slot's way in its set where it was counted last */
	__u16	pad;
};

#define CLAIMED		1ULL	/* no timer's address */

/* The cache, of ptr_mask + 1 slots (user space sizes it for the CPUs); page-aligned. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pslot);
	__uint(max_entries, TDG_PTR_SLOTS);
} tdg_ptrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, struct tdg_armer);
	__uint(max_entries, 16384);
} tdg_armers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __s32);
	__type(value, struct tdg_task);
	__uint(max_entries, 16384);	/* 10,000 threads' names */
} tdg_tasks SEC(".maps");

/* Where a CPU is in the model. */
enum { W_BUSY, W_IDLE, W_WOKEN };
/* The two ways of counting wakeups. */
enum { BY_IDLE, BY_TASK };

/*
 * The cause found so far in one window: a source counted in a slot of this
 * CPU (h not 0: its key's hash, idx the slot), or the key of one (id).  A
 * timer's expiry offers its slot, so that the short way never reads a
 * slot's key: at 10,000 sources it was a cache miss at each expiry.
 */
struct cause {
	__u32		rank;
	__u32		nirq;
	__u64		h;
	__u32		idx;
	__u32		pad;
	struct tdg_key	id;
};

/* A CPU's state; user space reads its first member. */
struct wcpu {
	/* What every event reads or writes, together in 64 bytes: one cache line. */
	struct tdg_cpu_stats	s;
	__u32			hard, soft;	/* interrupt nesting */
	__u8			pend, st, t_idle, t_open, t_woke;
	__u8			busy;		/* a slot is being written */
	__u64			scratch;	/* see handle */
	/* The rest. */
	__u64			pend_ptr, pend_ts;
	struct cause		c, tc;
	__u64			site;		/* tdg_pick_site's answer */
	struct tdg_key		peek;		/* tdg_peek's answer */
	__u64			stack[TDG_STACK_DEPTH];
} __attribute__((aligned(64)));

/*
 * The CPUs' states, by CPU (user space sizes it for the possible CPUs): a
 * plain array whose values start on a page (mappable) and take whole cache
 * lines each, so that a CPU's hot 64 bytes are one line of its own (a
 * per-CPU array's values are only 8-aligned: two lines at every event).
 * User space reads each CPU's counters in its mapping, without a call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct wcpu);
	__uint(max_entries, 1);
} tdg_cpu SEC(".maps");

enum {
	E_TIMER_START, E_HRTIMER_START, E_TIMER_EXPIRE, E_HRTIMER_EXPIRE, E_TIMER_CANCEL,
	E_HRTIMER_CANCEL, E_IRQ, E_VECTOR, E_SOFTIRQ, E_IDLE, E_SWITCH,
};

/* One event, decoded from a tracepoint's arguments. */
struct ev {
	__u32		 type;
	__u32		 ctx;		/* CTX_* */
	__s32		 pid;		/* the running task */
	__s32		 num;		/* IRQ, vector, softirq, idle state, next pid */
	__s32		 arg;		/* sched_switch: prev pid */
	__u32		 flags;
	__u64		 ptr;
	__u64		 fn;
	__u32		 label;		/* vector label, four bytes */
	const char	*kname;		/* IRQ action name (kernel memory) */
};

static __always_inline struct wcpu *
cpu_state(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&tdg_cpu, &cpu);
}

/* The interrupt context the CPU is in (CTX_*). */
static __always_inline __u32
cpu_ctx(const struct wcpu *wc)
{
	return (wc->hard ? CTX_HARD : 0) | (wc->soft ? CTX_SOFT : 0);
}

/* What tdg_add counts. */
enum { OP_EXPIRY, OP_EVENT, OP_ARM, OP_CANCEL, OP_WAKE };

static __always_inline bool
key_eq(const struct tdg_key *a, const struct tdg_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	for (int i = 0; i < (int)(sizeof(*a) / 8); i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/*
 * The index of the slot of way w of hash h's set in this CPU's table of
 * sources: one map for all CPUs, whose lookup the verifier inlines (a
 * lookup in one of several maps is the generic helper's indirect call, a
 * retpoline on kernels that have them, which costs more than the rest of
 * the fast path).
 */
static __always_inline __u32
src_index(__u64 h, __u32 w)
{
	return tdg_slot_index(bpf_get_smp_processor_id(), src_slots, h, w);
}

/* The tag of the slot counting the source of hash h on CPU cpu (its index in *idx), or NULL. */
static __always_inline __u64 *
tag_find(__u32 cpu, __u64 h, __u32 *idx)
{
	for (__u32 w = 0; w < TDG_SRC_WAYS; w++) {
		__u32 i = tdg_slot_index(cpu, src_slots, h, w);
		__u64 *t = bpf_map_lookup_elem(&tdg_tags, &i);

		if (t != NULL && *t != 0 && TDG_TAG_OF(*t, h)) {
			*idx = i;
			return t;
		}
	}
	return NULL;
}

/* A slot of hash h's set free in interval g, its tag and its index; or NULL. */
static __always_inline struct tdg_slot *
src_free(__u32 g, __u64 h, __u64 **tag, __u32 *idx)
{
	for (__u32 w = 0; w < TDG_SRC_WAYS; w++) {
		/* From the hash's own way: a source's slots on the CPUs tend to share a way. */
		__u32 i = src_index(h, (w + (__u32)(h >> 40)) & (TDG_SRC_WAYS - 1));
		__u64 *t = bpf_map_lookup_elem(&tdg_tags, &i);

		if (t != NULL && TDG_TAG_FREE(*t, g)) {
			*tag = t;
			*idx = i;
			return bpf_map_lookup_elem(&tdg_src, &i);
		}
	}
	return NULL;
}

/*
 * The cache slots of a timer, by its address: a set of TDG_PTR_WAYS (two
 * cache lines), so that busy timers of one set do not take the slots from
 * each other at every event.  With two ways in a cache of 1024 slots a CPU,
 * a sixth of 1,000 busy timers found no slot and took the whole way at every
 * expiry and start (hrtimer_start 84 ns a run at 10k expiries/s, 238 ns at
 * 500k/s); four ways in four times the slots leave none out.
 */
static __always_inline struct pslot *
ptr_slot(__u64 ptr, __u32 way)
{
	__u32 i = (((__u32)((ptr * 0x9e3779b97f4a7c15ULL) >> 32) & ptr_mask) &
	    ~(TDG_PTR_WAYS - 1)) | way;

	return bpf_map_lookup_elem(&tdg_ptrs, &i);
}

/* The cache slot holding a timer, or NULL. */
static __always_inline struct pslot *
ptr_find(__u64 ptr)
{
	for (__u32 way = 0; way < TDG_PTR_WAYS; way++) {
		struct pslot *p = ptr_slot(ptr, way);

		if (p != NULL && p->ptr == ptr)
			return p;
	}
	return NULL;
}

static __always_inline void
bump(struct tdg_val *v, __u32 op, __u32 arg)
{
	switch (op) {
	case OP_EXPIRY:
		v->count++;
		v->expiries++;
		break;
	case OP_EVENT:
		v->count++;
		break;
	case OP_ARM:
		v->arms++;
		v->flags |= arg;
		break;
	case OP_CANCEL:
		v->cancels++;
		break;
	default:
		v->wakeups[arg & 1]++;
		break;
	}
}

/* Add slot idx to the list of the slots with an event in interval g on this CPU. */
static __always_inline void
note_taken(__u32 g, __u32 idx)
{
	__u32 i = tdg_taken_index(g, ncpus, bpf_get_smp_processor_id(), src_slots);
	__u64 *ig, *n, *v;

	if ((ig = bpf_map_lookup_elem(&tdg_taken, &i)) == NULL)
		return;
	i++;
	if ((n = bpf_map_lookup_elem(&tdg_taken, &i)) == NULL)
		return;
	if (*ig != g) {
		*n = 0;
		barrier();
		*ig = g;
	}
	if (*n >= src_slots)
		return;
	i += 1 + (__u32)*n;
	if ((v = bpf_map_lookup_elem(&tdg_taken, &i)) == NULL)
		return;
	*v = idx;
	barrier();
	*n += 1;
}

/*
 * Open slot s (tag t, index idx) of the source of hash h for interval g:
 * the interval's counters 0, its tag the interval's, and listed.  The
 * writer is not nested (busy) and writes the tag before the list.
 */
static __always_inline void
open_slot(struct tdg_slot *s, __u64 *t, __u32 idx, __u64 h, __u32 g)
{
	__builtin_memset(&s->c[g & 1].val, 0, sizeof(s->c[0].val));
	s->c[g & 1].tag = TDG_TAG(h, g);
	barrier();
	*t = TDG_TAG(h, g);
	barrier();
	note_taken(g, idx);
}

/*
 * Take slot s (tag t, index idx) in interval g for the source k of hash h,
 * open for the interval; whether it was taken.  Writers of a slot are not
 * nested (busy), and write its tag last.
 */
static __always_inline bool
claim(struct wcpu *wc, struct tdg_slot *s, __u64 *t, __u32 idx, const struct tdg_key *k,
    __u64 h, __u32 g)
{
	if (wc->busy)
		return false;
	wc->busy = 1;
	barrier();
	/* A program that interrupted us between the checks took it. */
	if (!TDG_TAG_FREE(*t, g)) {
		wc->busy = 0;
		return false;
	}
	*t = 0;
	barrier();
	s->key = *k;
	open_slot(s, t, idx, h, g);
	wc->busy = 0;
	return true;
}

/* Slot i if it counts the source of hash h and is open for interval g, else NULL. */
static __always_inline struct tdg_slot *
slot_open(__u32 i, __u64 h, __u32 g)
{
	struct tdg_slot *s = bpf_map_lookup_elem(&tdg_src, &i);

	return s != NULL && s->c[g & 1].tag == TDG_TAG(h, g) ? s : NULL;
}

/*
 * The slot counting the source of hash h on this CPU in interval g, or
 * NULL: one of a set of TDG_SRC_WAYS (with one slot for each hash, a busy
 * source whose slot another had taken first counted through the hash map:
 * the first second of a load of 1,000 timerfds, half a million events the
 * whole way).  Its first event in an interval opens it for the interval;
 * NULL when a program this one interrupted is writing a slot or a list.
 */
static __always_inline struct tdg_slot *
src_find(struct wcpu *wc, __u32 g, __u64 h, __u32 *idx)
{
	struct tdg_slot *s;
	__u32 i;
	__u64 *t = tag_find(bpf_get_smp_processor_id(), h, &i);

	if (t == NULL || (s = bpf_map_lookup_elem(&tdg_src, &i)) == NULL)
		return NULL;
	*idx = i;
	if ((__u32)*t != g) {
		if (wc->busy)
			return NULL;
		wc->busy = 1;
		barrier();
		open_slot(s, t, i, h, g);
		wc->busy = 0;
	}
	return s;
}

/*
 * Count into a source (op, with arg: the arm's flags or the wakeup's way):
 * in its slot of this CPU's table, taken now if its set has one free, else
 * in the interval's map, where it is added if new (dropped when the map is
 * full).  So the map holds only the sources of full sets, and collect reads
 * it only in an interval that added to it: reading 16,384 empty buckets was
 * a seventh of the process's CPU at 10k events/s.
 */
GLOBAL int
tdg_add(struct wcpu *wc, const struct tdg_key *k, __u32 op, __u32 arg)
{
	struct tdg_val *v;
	__u32 g = gen;
	void *map = (g & 1) ? (void *)&tdg_agg1 : (void *)&tdg_agg0;
	struct tdg_slot *s;
	__u64 *t = NULL;
	__u32 idx;
	__u64 h;

	if (wc == NULL || k == NULL)
		return 0;
	h = tdg_key_hash(k);
	s = src_find(wc, g, h, &idx);
	if (s == NULL && (s = src_free(g, h, &t, &idx)) != NULL && (t == NULL ||
	    !claim(wc, s, t, idx, k, h, g)))
		s = NULL;
	/* A slot of the same hash may hold another source: this one goes to the map. */
	if (s != NULL && key_eq(&s->key, k)) {
		bump(&s->c[g & 1].val, op, arg);
		return 0;
	}
	v = bpf_map_lookup_elem(map, k);
	if (v == NULL) {
		if (bpf_map_update_elem(map, k, &zero_val, BPF_NOEXIST) == 0)
			wc->s.added++;
		v = bpf_map_lookup_elem(map, k);
	}
	if (v == NULL) {
		wc->s.dropped++;
		return 0;
	}
	bump(v, op, arg);
	return 0;
}

/* A slot of a timer's set to take: the first free, else one at random. */
static __always_inline struct pslot *
ptr_victim(__u64 ptr)
{
	for (__u32 way = 0; way < TDG_PTR_WAYS; way++) {
		struct pslot *p = ptr_slot(ptr, way);

		if (p != NULL && p->ptr == 0)
			return p;
	}
	return ptr_slot(ptr, bpf_get_prandom_u32() & (TDG_PTR_WAYS - 1));
}

/* Remember the source of a timer (n: all but the hash, of key k). */
GLOBAL int
tdg_remember(const struct pslot *n, const struct tdg_key *k)
{
	struct pslot *p;
	__u64 old;

	if (n == NULL || k == NULL)
		return 0;
	/*
	 * Its own slot, else the first free way, else a way at random: the
	 * slots of timers that are gone are taken in time, and no write on a
	 * hit keeps an order of use (which would move the set's cache lines
	 * between the CPUs at every event).
	 */
	if ((p = ptr_find(n->ptr)) == NULL)
		p = ptr_victim(n->ptr);
	if (p == NULL || (old = p->ptr) == CLAIMED ||
	    __sync_val_compare_and_swap(&p->ptr, old, CLAIMED) != old)
		return 0;
	p->fn = n->fn;
	p->h = tdg_key_hash(k);
	p->pid = n->pid;
	p->stable = n->stable;
	__sync_lock_test_and_set(&p->ptr, n->ptr);
	return 0;
}

/* Forget a timer's cached source (its armer changed). */
GLOBAL int
tdg_forget(__u64 ptr)
{
	for (__u32 way = 0; way < TDG_PTR_WAYS; way++) {
		struct pslot *p = ptr_slot(ptr, way);

		if (p != NULL && p->ptr == ptr)
			__sync_val_compare_and_swap(&p->ptr, ptr, 0);
	}
	return 0;
}

static __always_inline bool
is_tick(__u64 fn)
{
	for (int i = 0; i < 4; i++)
		if (tick_fn[i] != 0 && tick_fn[i] == fn)
			return true;
	return false;
}

/* The identity of a timer source (the tick's own timer is one source). */
static __always_inline void
timer_ident(struct tdg_key *id, __u32 kind, __u64 fn, __s32 pid, __s32 armcpu, __u64 site)
{
	__builtin_memset(id, 0, sizeof(*id));
	if (kind == TDG_KIND_HRTIMER && is_tick(fn)) {
		pid = TDG_PID_TICK;
		site = 0;
	}
	id->kind = kind;
	id->fn = fn;
	id->pid = pid;
	id->num = pid == 0 ? armcpu : -1;
	id->site = site;
}

/*
 * Credit one wakeup, counted way w, to a cause (none: unknown).  Inline: as
 * a frame of its own it made the deepest chain of calls (tools/bpf-stack.sh)
 * 32 bytes deeper.
 */
static __always_inline int
tdg_credit(struct wcpu *wc, int w)
{
	struct cause *c;
	struct tdg_slot *s;
	__u32 g = gen, i;
	__u64 *t;

	if (wc == NULL)
		return 0;
	c = w == BY_IDLE ? &wc->c : &wc->tc;
	if (c->rank != 0 && c->h != 0) {
		/*
		 * A slot's source: counted there if the slot is open for this
		 * interval; else by its key, unless the slot holds another
		 * source now (it had no event for two intervals since: not
		 * seen).
		 */
		i = c->idx;
		if ((s = slot_open(i, c->h, g)) != NULL) {
			bump(&s->c[g & 1].val, OP_WAKE, (__u32)w);
			return 0;
		}
		s = bpf_map_lookup_elem(&tdg_src, &i);
		t = bpf_map_lookup_elem(&tdg_tags, &i);
		if (t == NULL || s == NULL || *t == 0 || !TDG_TAG_OF(*t, c->h))
			c->rank = 0;
		else
			c->id = s->key;
	}
	if (c->rank == 0) {
		__builtin_memset(&c->id, 0, sizeof(c->id));
		c->id.kind = TDG_KIND_UNKNOWN;
		c->id.pid = -1;
		c->id.num = -1;
	}
	return tdg_add(wc, &c->id, OP_WAKE, (__u32)w);
}

/* Whether a cause of a rank takes a window's place (attribution.c: offer). */
static __always_inline bool
outranks(struct cause *c, __u32 rank)
{
	if (rank == 1 && c->nirq++ > 0)
		return false;
	if (rank > 1 && c->nirq > 1)
		return false;
	return rank > c->rank;
}

/* Offer a cause of a rank, by its key, to a window. */
static __always_inline void
offer(struct cause *c, __u32 rank, const struct tdg_key *id)
{
	if (outranks(c, rank)) {
		c->rank = rank;
		c->h = 0;
		c->id = *id;
	}
}

/* Offer a cause of a rank, the source of slot idx (of hash h) of this CPU, to a window. */
static __always_inline void
offer_slot(struct cause *c, __u32 rank, __u64 h, __u32 idx)
{
	if (outranks(c, rank)) {
		c->rank = rank;
		c->h = h;
		c->idx = idx;
	}
}

static __always_inline void
close_window(struct wcpu *wc)
{
	tdg_credit(wc, BY_IDLE);
	wc->st = W_BUSY;
	__builtin_memset(&wc->c, 0, sizeof(wc->c));
}

static __always_inline void
close_task_window(struct wcpu *wc)
{
	if (wc->t_open)
		tdg_credit(wc, BY_TASK);
	wc->t_open = 0;
	__builtin_memset(&wc->tc, 0, sizeof(wc->tc));
}

/* The cpu_idle way: an entry or an exit. */
GLOBAL int
tdg_on_idle(struct wcpu *wc, __u32 state)
{
	if (wc == NULL)
		return 0;
	wc->s.idle_seen = 1;
	if (state != PWR_EVENT_EXIT) {
		if (wc->st == W_WOKEN)
			close_window(wc);
		wc->st = W_IDLE;
		__builtin_memset(&wc->c, 0, sizeof(wc->c));
		return 0;
	}
	wc->s.exits[BY_IDLE]++;
	if (wc->st == W_WOKEN)
		close_window(wc);
	if (wc->c.rank > 0) {
		close_window(wc);
		return 0;
	}
	wc->st = W_WOKEN;
	return 0;
}

/* Both ways: what an event does to the open windows (attribution.c: on_window). */
GLOBAL int
tdg_on_window(struct wcpu *wc, const struct ev *e, __u32 rank, const struct tdg_key *id)
{
	bool hard;

	if (wc == NULL || e == NULL || id == NULL)
		return 0;
	hard = e->type == E_IRQ || e->type == E_VECTOR;

	if (wc->st == W_WOKEN && e->ctx == 0 && e->type != E_IDLE)
		close_window(wc);
	else if ((wc->st == W_IDLE || wc->st == W_WOKEN) && rank > 0)
		offer(&wc->c, rank, id);

	if (wc->s.idle_seen)
		return 0;
	if (e->type == E_SWITCH) {
		close_task_window(wc);
		if (e->num == 0) {
			wc->t_idle = 1;
			wc->s.task_seen = 1;
			wc->t_woke = 0;
		} else if (e->arg == 0 && wc->t_idle) {
			if (!wc->t_woke) {
				wc->s.exits[BY_TASK]++;
				tdg_credit(wc, BY_TASK);
			}
			wc->t_idle = 0;
		}
		return 0;
	}
	if (e->pid != 0) {
		close_task_window(wc);
		wc->t_idle = 0;
		return 0;
	}
	wc->t_idle = 1;
	wc->s.task_seen = 1;
	if (hard && !(e->ctx & CTX_SOFT)) {
		close_task_window(wc);
		wc->s.exits[BY_TASK]++;
		wc->t_open = 1;
		wc->t_woke = 1;
	}
	if (wc->t_open && rank > 0)
		offer(&wc->tc, rank, id);
	if (e->ctx == 0)
		close_task_window(wc);
	return 0;
}

/* Whether a return address is in the timer API (or the tracing machinery). */
GLOBAL int
tdg_in_api(__u64 a)
{
	for (__u32 j = 0; j < TDG_SKIP_MAX; j++) {
		if (j >= nskip)
			break;
		if (a >= skip_lo[j] && a < skip_hi[j])
			return 1;
	}
	return 0;
}

/*
 * The arming site, left in wc->site: in the n bytes of stack in wc->stack,
 * the first return address outside the timer API after its first frame in
 * it (the frames before are the tracing machinery's and ours).
 */
GLOBAL int
tdg_pick_site(struct wcpu *wc, long n)
{
	if (wc == NULL)
		return 0;
	wc->site = 0;
	if (n <= 0)
		return 0;
	n /= 8;
	bool in_api = false;

	for (int i = 0; i < TDG_STACK_DEPTH; i++) {
		__u64 a;

		if (i >= n)
			break;
		a = wc->stack[i];
		if (tdg_in_api(a)) {
			in_api = true;
		} else if (in_api) {
			wc->site = a;
			return 0;
		}
	}
	return 0;
}

/*
 * The source of a cancelled timer, in id; whether it has one.  The caller
 * counts it: a call to tdg_add from here would add this frame to the
 * deepest chain of frames, whose stacks the verifier sums (at most 512
 * bytes, each frame rounded up to 16 or, on older kernels, 32).
 */
GLOBAL int
tdg_cancel_ident(__u64 ptr, struct tdg_key *id)
{
	struct tdg_armer *m = bpf_map_lookup_elem(&tdg_armers, &ptr);

	if (m == NULL || id == NULL)
		return 0;
	timer_ident(id, m->kind, m->fn, m->pid, m->cpu, m->site);
	return 1;
}

/* Remember the name of a task that arms timers (it may be gone at collect). */
static __always_inline void
learn_task(__s32 pid)
{
	struct tdg_task t = {};

	if (pid <= 0 || bpf_map_lookup_elem(&tdg_tasks, &pid) != NULL)
		return;
	bpf_get_current_comm(t.comm, sizeof(t.comm));
	t.tgid = (__s32)(bpf_get_current_pid_tgid() >> 32);
	bpf_map_update_elem(&tdg_tasks, &pid, &t, BPF_ANY);
}

/* A start's flags (of an event of type), as TDG_F_*. */
static __always_inline __u32
start_flags(const struct ev *e, __u32 type)
{
	__u32 f = 0;

	if (type == E_TIMER_START) {
		if (e->flags & TIMER_DEFERRABLE)
			f |= TDG_F_DEFERRABLE;
		if (e->flags & TIMER_PINNED)
			f |= TDG_F_PINNED;
	} else if (e->flags & HRTIMER_MODE_PINNED) {
		f |= TDG_F_PINNED;
	}
	return f;
}

/* Whether a re-arm by a timer's armer keeps its key: its site known, or not looked for. */
static __always_inline __u32
site_stable(__u32 kind, __u64 fn, __u64 site)
{
	return site != 0 || !want_site || (kind == TDG_KIND_HRTIMER && is_tick(fn));
}

/* A timer start (of type): remember its armer and site, count the arm. */
static __always_inline void
on_start(void *ctx, struct wcpu *wc, const struct ev *e, __u32 type, __u32 cpu)
{
	__u32 kind = type == E_TIMER_START ? TDG_KIND_TIMER : TDG_KIND_HRTIMER;
	struct tdg_armer *m = bpf_map_lookup_elem(&tdg_armers, &e->ptr);
	struct tdg_armer a = {};
	struct tdg_key id;
	struct pslot n = {};
	__s32 pid = e->pid;
	__u64 site = 0;
	bool own = false;

	if (e->ctx != 0) {
		if (m != NULL && m->fn == e->fn) {
			pid = m->pid;
			site = m->site;
			own = true;
		} else {
			pid = (e->ctx & CTX_HARD) ? TDG_PID_HARDIRQ : TDG_PID_SOFTIRQ;
		}
	} else if (m == NULL || m->pid != pid) {
		learn_task(pid);
	}
	/*
	 * The same task re-arming the same timer for the same callback keeps
	 * the site it had: unwinding the stack costs about 2 us, ten times
	 * the rest, and a periodic timer re-armed by its reader (timerfd)
	 * would pay it at every period.
	 */
	if (!own && m != NULL && m->pid == pid && m->fn == e->fn && m->site != 0) {
		site = m->site;
		own = true;
	}
	if (!own && want_site && !(kind == TDG_KIND_HRTIMER && is_tick(e->fn))) {
		tdg_pick_site(wc, bpf_get_stack(ctx, wc->stack, sizeof(wc->stack), 0));
		site = wc->site;
	}
	a.fn = e->fn;
	a.site = site;
	a.pid = pid;
	a.cpu = m != NULL && pid == m->pid && pid == 0 ? m->cpu : (__s32)cpu;
	a.kind = kind;
	if (m != NULL) {
		/* A new armer (or callback, or site): its cached source is stale. */
		if (!(kind == TDG_KIND_HRTIMER && is_tick(e->fn)) &&
		    (m->fn != a.fn || m->pid != a.pid || m->site != a.site || m->kind != a.kind ||
		    (a.pid == 0 && m->cpu != a.cpu)))
			tdg_forget(e->ptr);
		*m = a;
	} else {
		/* A new timer where one was forgotten: not its source. */
		tdg_forget(e->ptr);
		bpf_map_update_elem(&tdg_armers, &e->ptr, &a, BPF_ANY);
	}
	timer_ident(&id, kind, e->fn, pid, a.cpu, site);
	tdg_add(wc, &id, OP_ARM, start_flags(e, type));
	n.ptr = e->ptr;
	n.fn = e->fn;
	n.pid = pid;
	n.stable = site_stable(kind, e->fn, site);
	tdg_remember(&n, &id);
}

/*
 * The slot counting a cached timer's source on this CPU in interval g (its
 * index in *idx), or NULL: first the way it was counted in last, if its
 * slot is open for the interval, else through the tags (its way kept).
 */
static __always_inline struct tdg_slot *
cached(struct wcpu *wc, __u32 g, struct pslot *p, __u32 *idx)
{
	struct tdg_slot *s;
	__u32 i;

	if (p == NULL)
		return NULL;
	i = src_index(p->h, p->way & (TDG_SRC_WAYS - 1));
	if ((s = slot_open(i, p->h, g)) != NULL) {
		*idx = i;
		return s;
	}
	if ((s = src_find(wc, g, p->h, idx)) != NULL && p->way != (*idx & (TDG_SRC_WAYS - 1)))
		p->way = *idx & (TDG_SRC_WAYS - 1);
	return s;
}

/*
 * The key of hash h as another CPU counts it, copied into wc->peek; whether
 * found.  Only on a machine of at most PEEK_CPUS CPUs, which it tries each.
 * Another CPU may be writing the slot: the copy is taken only if the slot
 * kept its tag through it and the key has the hash.
 */
#define PEEK_CPUS	8
GLOBAL int
tdg_peek(struct wcpu *wc, __u64 h)
{
	__u32 me = bpf_get_smp_processor_id(), i;

	if (wc == NULL || ncpus > PEEK_CPUS)
		return 0;
	for (__u32 c = 0; c < PEEK_CPUS && c < ncpus; c++) {
		__u64 *t, tag;
		struct tdg_slot *s;

		if (c == me || (t = tag_find(c, h, &i)) == NULL)
			continue;
		tag = *(volatile __u64 *)t;
		if ((s = bpf_map_lookup_elem(&tdg_src, &i)) == NULL)
			return 0;
		wc->peek = s->key;
		barrier();
		return *(volatile __u64 *)t == tag && TDG_TAG_OF(tag, h) &&
		    tdg_key_hash(&wc->peek) == h;
	}
	return 0;
}

/*
 * A slot for the source of hash h taken on this CPU, its key from another
 * CPU's slot, or NULL.  Without it a source's first event on a CPU takes
 * the whole way (the timers of threads that move between CPUs).
 */
static __always_inline struct tdg_slot *
carry(struct wcpu *wc, __u32 g, __u64 h, __u32 *idx)
{
	struct tdg_slot *s;
	__u64 *t = NULL;

	if (!tdg_peek(wc, h))
		return NULL;
	if ((s = src_free(g, h, &t, idx)) == NULL || t == NULL ||
	    !claim(wc, s, t, *idx, &wc->peek, h, g))
		return NULL;
	return s;
}

/*
 * The common event's short way: a timer's expiry or start whose source this
 * CPU has cached, counted in its slot, and the model's step taken with the
 * slot's key (the one tdg_on_window takes where cpu_idle is traced; none
 * where the idle-task way has no window open and a task runs).  Whether it
 * was (else the whole way).
 */
static __always_inline bool
fast(struct wcpu *wc, const struct ev *e, __u32 type)
{
	bool expire = type == E_TIMER_EXPIRE || type == E_HRTIMER_EXPIRE;
	struct tdg_slot *s;
	struct pslot *p;
	__u32 g, idx = 0;

	if (!expire && type != E_TIMER_START && type != E_HRTIMER_START)
		return false;
	/*
	 * On a CPU whose idle is not traced (not yet, or never: a CPU kept
	 * busy, a kernel or idle driver without cpu_idle), the idle-task way
	 * counts: an event of a task other than the idle task, with no window
	 * of that way open, changes nothing in it (tdg_on_window).  Without
	 * this, every timer event of a busy CPU took the whole way (463,000 of
	 * 853,000 in 2 s at 600k expiries/s).
	 */
	if (!wc->s.idle_seen && (e->pid == 0 || wc->t_open || wc->t_idle))
		return false;
	if ((p = ptr_find(e->ptr)) == NULL || p->fn != e->fn)
		return false;
	/*
	 * A start keeps the key from an interrupt (the armer is kept) or by
	 * its armer once its site is known (on_start).
	 */
	if (!expire && e->ctx == 0 && (p->pid != e->pid || !p->stable))
		return false;
	g = gen;
	if ((s = cached(wc, g, p, &idx)) == NULL && (s = carry(wc, g, p->h, &idx)) == NULL)
		return false;
	if (wc->st == W_WOKEN && e->ctx == 0)
		close_window(wc);
	else if (expire && wc->st != W_BUSY)
		offer_slot(&wc->c, type == E_TIMER_EXPIRE ? 3 : is_tick(e->fn) ? 2 : 4, p->h, idx);
	if (expire)
		bump(&s->c[g & 1].val, OP_EXPIRY, 0);
	else
		bump(&s->c[g & 1].val, OP_ARM, start_flags(e, type));
	return true;
}

/*
 * Account one event (attribution.c: td_attr_event) of the running task
 * (pt: its bpf_get_current_pid_tgid, which the program had to read already)
 * on this CPU (wc).
 */
static __always_inline int
account(void *ctx, struct wcpu *wc, struct ev *e, __u64 pt)
{
	/* The program's own event type: a constant, each program only its own paths. */
	const __u32 type = e->type;
	__u32 cpu, cx;
	struct tdg_key id;
	struct tdg_armer *m;
	__u32 rank = 0;
	__u64 ts = 0;

	wc->s.events++;
	/*
	 * The timer's address as a number (the verifier knows it as a typed
	 * pointer, with which it allows no arithmetic, as ptr_slot's hash).
	 */
	*(volatile __u64 *)&wc->scratch = e->ptr;
	e->ptr = *(volatile __u64 *)&wc->scratch;
	e->pid = (__s32)pt;
	cx = cpu_ctx(wc);
	if (type == E_IRQ || type == E_VECTOR)
		e->ctx = CTX_HARD | (cx & CTX_SOFT);
	else if (type == E_SOFTIRQ)
		e->ctx = CTX_SOFT | (cx & CTX_HARD);
	else
		e->ctx = cx;
	if (type == E_TIMER_CANCEL || type == E_HRTIMER_CANCEL ||
	    (wc->pend && (type == E_TIMER_START || type == E_HRTIMER_START)))
		ts = bpf_ktime_get_ns();

	if (wc->pend) {
		bool same = wc->pend_ptr == e->ptr;
		bool prelude = same && (type == E_TIMER_EXPIRE || type == E_HRTIMER_EXPIRE ||
		    ((type == E_TIMER_START || type == E_HRTIMER_START) &&
		    ts - wc->pend_ts < PRELUDE_NS));

		wc->pend = 0;
		if (!prelude) {
			__u32 g = gen, idx;
			struct tdg_slot *s = cached(wc, g, ptr_find(wc->pend_ptr), &idx);

			if (s != NULL) {
				bump(&s->c[g & 1].val, OP_CANCEL, 0);
			} else {
				__builtin_memset(&id, 0, sizeof(id));
				if (tdg_cancel_ident(wc->pend_ptr, &id))
					tdg_add(wc, &id, OP_CANCEL, 0);
			}
		}
	}
	if (fast(wc, e, type))
		return 0;
	if (type <= E_HRTIMER_EXPIRE)
		wc->s.whole++;
	cpu = bpf_get_smp_processor_id();

	__builtin_memset(&id, 0, sizeof(id));
	switch (type) {
	case E_TIMER_EXPIRE:
	case E_HRTIMER_EXPIRE: {
		__u32 kind = type == E_TIMER_EXPIRE ? TDG_KIND_TIMER : TDG_KIND_HRTIMER;
		bool match;

		m = bpf_map_lookup_elem(&tdg_armers, &e->ptr);
		match = m != NULL && m->fn == e->fn;
		timer_ident(&id, kind, e->fn, match ? m->pid : -1, m != NULL ? m->cpu : (__s32)cpu,
		    match ? m->site : 0);
		rank = kind == TDG_KIND_TIMER ? 3 : id.pid == TDG_PID_TICK ? 2 : 4;
		if (m != NULL && match) {
			struct pslot n = { .ptr = e->ptr, .fn = e->fn, .pid = m->pid,
			    .stable = site_stable(kind, e->fn, m->site) };

			tdg_remember(&n, &id);
		}
		break;
	}
	case E_VECTOR:
		id.kind = TDG_KIND_VECTOR;
		id.pid = -1;
		id.num = -1;
		__builtin_memcpy(id.name, &e->label, sizeof(e->label));
		rank = 1;
		break;
	case E_IRQ:
		id.kind = TDG_KIND_IRQ;
		id.pid = -1;
		id.num = e->num;
		if (e->kname != NULL)
			bpf_probe_read_kernel_str(id.name, sizeof(id.name), e->kname);
		rank = 1;
		break;
	case E_SOFTIRQ:
		id.kind = TDG_KIND_SOFTIRQ;
		id.pid = -1;
		id.num = e->num;
		break;
	default:
		break;
	}
	/* A busy CPU whose idle is traced: no window is open, nothing to do. */
	if (wc->st != W_BUSY || !wc->s.idle_seen)
		tdg_on_window(wc, e, rank, &id);

	switch (type) {
	case E_TIMER_START:
	case E_HRTIMER_START:
		on_start(ctx, wc, e, type, cpu);
		break;
	case E_TIMER_EXPIRE:
	case E_HRTIMER_EXPIRE:
		tdg_add(wc, &id, OP_EXPIRY, 0);
		break;
	case E_TIMER_CANCEL:
	case E_HRTIMER_CANCEL:
		wc->pend = 1;
		wc->pend_ptr = e->ptr;
		wc->pend_ts = ts;
		break;
	case E_IRQ:
	case E_VECTOR:
	case E_SOFTIRQ:
		tdg_add(wc, &id, OP_EVENT, 0);
		break;
	case E_IDLE:
		tdg_on_idle(wc, (__u32)e->num);
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Account one event, counted meanwhile among the programs running on this
 * CPU: after switching gen, collect waits until none that began before the
 * switch (and so may count into the interval it reads) runs.
 */
static __always_inline int
handle(void *ctx, struct ev *e, __u64 pt)
{
	struct wcpu *wc = cpu_state();

	if (wc == NULL)
		return 0;
	wc->s.running++;
	barrier();
	account(ctx, wc, e, pt);
	barrier();
	wc->s.running--;
	return 0;
}

/* Whether a task (pt: pid and tgid) is ours: our own arms and cancels are left out. */
static __always_inline bool
ours(__u64 pt)
{
	return (__u32)(pt >> 32) == own_tgid;
}

/* Account an event of the running task, unless it is ours. */
static __always_inline int
handle_theirs(void *ctx, struct ev *e)
{
	__u64 pt = bpf_get_current_pid_tgid();

	return ours(pt) ? 0 : handle(ctx, e, pt);
}

/* Account an event of whichever task runs. */
static __always_inline int
handle_any(void *ctx, struct ev *e)
{
	return handle(ctx, e, bpf_get_current_pid_tgid());
}

/* An interrupt or softirq entered: one level of nesting more. */
static __always_inline void
enter(bool hard)
{
	struct wcpu *wc = cpu_state();

	if (wc == NULL)
		return;
	if (hard)
		wc->hard++;
	else
		wc->soft++;
}

SEC("tp_btf/hrtimer_start")
int BPF_PROG(tdg_hrt_start, struct hrtimer *t, int mode)
{
	struct ev e = { .type = E_HRTIMER_START, .ptr = (__u64)t, .fn = (__u64)t->function,
	    .flags = (__u32)mode };

	return handle_theirs(ctx, &e);
}

SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(tdg_hrt_expire, struct hrtimer *t)
{
	struct ev e = { .type = E_HRTIMER_EXPIRE, .ptr = (__u64)t, .fn = (__u64)t->function };

	return handle_any(ctx, &e);
}

SEC("tp_btf/hrtimer_cancel")
int BPF_PROG(tdg_hrt_cancel, struct hrtimer *t)
{
	struct ev e = { .type = E_HRTIMER_CANCEL, .ptr = (__u64)t };

	return handle_theirs(ctx, &e);
}

SEC("tp_btf/timer_start")
int BPF_PROG(tdg_tim_start, struct timer_list *t)
{
	struct ev e = { .type = E_TIMER_START, .ptr = (__u64)t, .fn = (__u64)t->function,
	    .flags = t->flags };

	return handle_theirs(ctx, &e);
}

SEC("tp_btf/timer_expire_entry")
int BPF_PROG(tdg_tim_expire, struct timer_list *t)
{
	struct ev e = { .type = E_TIMER_EXPIRE, .ptr = (__u64)t, .fn = (__u64)t->function };

	return handle_any(ctx, &e);
}

SEC("tp_btf/timer_cancel")
int BPF_PROG(tdg_tim_cancel, struct timer_list *t)
{
	struct ev e = { .type = E_TIMER_CANCEL, .ptr = (__u64)t };

	return handle_theirs(ctx, &e);
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(tdg_irq_entry, int irq, struct irqaction *action)
{
	struct ev e = { .type = E_IRQ, .num = irq, .kname = action->name };

	enter(true);
	return handle_any(ctx, &e);
}

/* The end of an interrupt or softirq: one level of nesting less. */
static __always_inline int
leave(bool hard)
{
	struct wcpu *wc = cpu_state();

	if (wc == NULL)
		return 0;
	if (hard && wc->hard > 0)
		wc->hard--;
	else if (!hard && wc->soft > 0)
		wc->soft--;
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(tdg_irq_exit)
{
	return leave(true);
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(tdg_sirq_entry, unsigned int vec)
{
	struct ev e = { .type = E_SOFTIRQ, .num = (__s32)vec };

	enter(false);
	return handle_any(ctx, &e);
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(tdg_sirq_exit)
{
	return leave(false);
}

/* Four bytes of a vector label, as /proc/interrupts names it. */
#define LABEL(a, b, c)	((__u32)(a) | (__u32)(b) << 8 | (__u32)(c) << 16)

/* An x86 vector's entry and exit (irq_vectors). */
#define VECTOR(tp, nm, a, b, c)						\
SEC("tp_btf/" #tp "_entry")						\
int BPF_PROG(tdg_v_##nm)						\
{									\
	struct ev e = { .type = E_VECTOR, .label = LABEL(a, b, c) };	\
									\
	enter(true);							\
	return handle_any(ctx, &e);					\
}									\
SEC("tp_btf/" #tp "_exit")						\
int BPF_PROG(tdg_x_##nm)						\
{									\
	return leave(true);						\
}

VECTOR(local_timer, loc, 'L', 'O', 'C')
VECTOR(reschedule, res, 'R', 'E', 'S')
VECTOR(call_function, cal, 'C', 'A', 'L')
VECTOR(call_function_single, cal1, 'C', 'A', 'L')
VECTOR(irq_work, iwi, 'I', 'W', 'I')
VECTOR(x86_platform_ipi, plt, 'P', 'L', 'T')
VECTOR(thermal_apic, trm, 'T', 'R', 'M')
VECTOR(threshold_apic, thr, 'T', 'H', 'R')
VECTOR(deferred_error_apic, dfr, 'D', 'F', 'R')
VECTOR(error_apic, err, 'E', 'R', 'R')
VECTOR(spurious_apic, spu, 'S', 'P', 'U')

SEC("tp_btf/cpu_idle")
int BPF_PROG(tdg_idle, unsigned int state)
{
	struct ev e = { .type = E_IDLE, .num = (__s32)state };

	return handle_any(ctx, &e);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(tdg_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct ev e = { .type = E_SWITCH, .num = next->pid, .arg = prev->pid };
	struct wcpu *wc;

	/* A switch is in task context: any nesting still counted was missed. */
	if ((wc = cpu_state()) != NULL)
		wc->hard = wc->soft = 0;
	return handle_any(ctx, &e);
}
