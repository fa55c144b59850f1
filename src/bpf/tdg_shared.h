/*
 * What the BPF programs (tdg.bpf.c) and the BPF backend (sampler_bpf.c)
 * share: the key and value of the kernel's aggregation maps and the per-CPU
 * state.  Fixed-width types only: this header is compiled for both targets.
 */
#ifndef TDG_SHARED_H
#define TDG_SHARED_H

#define TDG_NAME_LEN		32	/* an IRQ action or vector name, NUL included */
#define TDG_SKIP_MAX		48	/* timer API functions skipped to find the site */
#define TDG_STACK_DEPTH		16	/* frames looked at for the arming site */
#define TDG_SRC_SLOTS		512	/* slots of the sources' table per CPU (a power of 2; fewer on a big machine) */
#define TDG_SRC_WAYS		8	/* slots of a set in it (a power of 2; their tags are one cache line) */
#define TDG_PTR_SLOTS		4096	/* slots of the timers' cache per CPU (a power of 2; fewer on a big machine) */
#define TDG_PTR_WAYS		4	/* slots of a set in it (a power of 2) */

/* Kinds, as enum td_kind. */
#define TDG_KIND_TIMER		0
#define TDG_KIND_HRTIMER	1
#define TDG_KIND_IRQ		2
#define TDG_KIND_VECTOR		3
#define TDG_KIND_SOFTIRQ	4
#define TDG_KIND_UNKNOWN	5

/* Arming pids that are no task, as attribution.h's TD_ATTR_PID_*. */
#define TDG_PID_UNKNOWN		(-1)
#define TDG_PID_HARDIRQ		(-2)
#define TDG_PID_SOFTIRQ		(-3)
#define TDG_PID_TICK		(-4)

/* The identity of a source (the key of the aggregation maps). */
struct tdg_key {
	__u64	fn;		/* timers: callback */
	__u64	site;		/* timers: return address in the arming function; 0 unknown */
	__s32	pid;		/* arming thread, or TDG_PID_* */
	__s32	num;		/* idle armer: its CPU; irq: number; softirq: vector; else -1 */
	__u32	kind;		/* TDG_KIND_* */
	char	name[TDG_NAME_LEN];	/* irq action or vector label; "" none */
	__u32	pad;
};

/* Its counters on one CPU (the maps are per CPU). */
struct tdg_val {
	__u64	count;		/* events: expiries, interrupts, softirqs */
	__u64	arms;
	__u64	expiries;
	__u64	cancels;
	__u64	wakeups[2];	/* idle exits caused: the cpu_idle way, the idle-task way */
	__u32	flags;		/* TDG_F_* */
};

/* Who armed a timer, by its address (the armer map's value). */
struct tdg_armer {
	__u64	fn;
	__u64	site;
	__s32	pid;
	__s32	cpu;		/* CPU it was armed on (names the idle task) */
	__u32	kind;
	__u32	pad;
};

/* A task seen arming a timer (the task map's value, by thread id). */
struct tdg_task {
	char	comm[16];
	__s32	tgid;
	__u32	pad;
};

/*
 * A slot of a CPU's table of sources (the common event's counters): the
 * counters of one source on this CPU while the slot's tag (in the table of
 * tags, at the slot's index) has the high half of the key's hash, in
 * interval g in c[g & 1]; free when the tag is 0 or had no event for two
 * intervals (so that collect read its last counts).  The tag's low half is
 * the last interval with an event: the first event of an interval zeroes its
 * counters and lists the slot (tdg_taken_index), and collect reads the
 * slots listed in the interval it ends.  A slot is kept across intervals (a
 * source's first event on a CPU in each interval took a new slot and copied
 * its key: 5,400 a second at 10,000 sources, 330 ns each).  A set's tags are
 * one cache line, so that finding a source's slot reads one line, not a line
 * of each slot tried; the counters of an interval, all that the common
 * event writes, are one cache line (the table is page-aligned), the key
 * another, and an interval's counters hold the tag the slot was opened with
 * (a timer's cached way finds its slot without the tags: a cache miss less
 * at each expiry at 10,000 sources).  The aggregation map counts a source
 * only where its set has no slot free.
 */
struct tdg_slot {
	struct tdg_count {
		struct tdg_val	val;
		__u64		tag;	/* the slot's tag when opened for the interval */
	}		c[2];
	struct tdg_key	key;
};

/* A slot's tag: the high half of a key's hash (never 0) and the interval of its last event. */
#define TDG_TAG(h, g)	(((h) & 0xffffffff00000000ULL) | (__u32)(g))
/* Whether a tag is of the key of hash h. */
#define TDG_TAG_OF(t, h)	((((t) ^ (h)) & 0xffffffff00000000ULL) == 0)
/* Whether a slot of tag t is free in interval g. */
#define TDG_TAG_FREE(t, g)	((t) == 0 || (__u32)(g) - (__u32)(t) >= 2)

static inline __attribute__((always_inline)) __u64
tdg_mix(__u64 h, __u64 x)
{
	h = (h ^ x) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/*
 * A key's hash (its high half never 0: a slot's tag 0 is a free slot): the
 * programs place a source's slot by it, user space finds the slot by it.
 */
static inline __attribute__((always_inline)) __u64
tdg_key_hash(const struct tdg_key *k)
{
	const __u64 *w = (const __u64 *)(const void *)k;
	__u64 h = 0;

	for (int i = 0; i < (int)(sizeof(*k) / 8); i++)
		h = tdg_mix(h, w[i]);
	return h | 1ULL << 63;
}

/*
 * The index of way w of hash h's set in the table of sources of a CPU: the
 * CPUs' tables (slots each) one after the other.
 */
static inline __attribute__((always_inline)) __u32
tdg_slot_index(__u32 cpu, __u32 slots, __u64 h, __u32 w)
{
	return cpu * slots + (((__u32)h & (slots - 1)) & ~(TDG_SRC_WAYS - 1)) + w;
}

/*
 * Where the list of the slots with an event in interval g on a CPU starts
 * in the map of lists (tdg_taken): per parity of the interval and CPU, the
 * interval, the count, then the slots' indexes (slots + 2 entries each).
 */
static inline __attribute__((always_inline)) __u32
tdg_taken_index(__u32 g, __u32 ncpus, __u32 cpu, __u32 slots)
{
	return ((g & 1) * ncpus + cpu) * (slots + 2);
}

#define TDG_F_DEFERRABLE	0x1
#define TDG_F_PINNED		0x2

/* What user space reads of one CPU's state (cumulative since load). */
struct tdg_cpu_stats {
	__u64	exits[2];	/* idle exits, the two ways */
	__u64	events;		/* events handled */
	__u32	dropped;	/* events of sources that fit nowhere (wraps) */
	__u32	added;		/* sources added to the aggregation maps (wraps) */
	__u8	idle_seen;	/* cpu_idle traced on this CPU */
	__u8	task_seen;	/* the idle task seen running here */
	__u16	running;	/* programs running on this CPU now (nested ones too) */
	__u32	whole;		/* timer starts and expiries with no cached source (wraps) */
};

#endif
