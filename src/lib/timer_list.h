/*
 * /proc/timer_list, every format version from v0.3 (2.6.21) to v0.11, the SysRq-Q
 * copy of it in a kernel log, and fragments of it.  See doc/FORMATS.md.
 */
#ifndef TD_TIMER_LIST_H
#define TD_TIMER_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

/* The newest format this parser knows. */
#define TD_TL_VERSION_MAJOR_KNOWN	0
#define TD_TL_VERSION_MINOR_KNOWN	11

/* Per-CPU hrtimer_cpu_base and tick_sched fields, in the order the kernel prints them. */
enum td_tl_cpu_field {
	TD_TLC_EXPIRES_NEXT,
	TD_TLC_HRES_ACTIVE,
	TD_TLC_NR_EVENTS,
	TD_TLC_NR_RETRIES,
	TD_TLC_NR_HANGS,
	TD_TLC_MAX_HANG_TIME,
	TD_TLC_NOHZ_MODE,		/* <= v0.9: 0 inactive, 1 low-res NOHZ, 2 high-res NOHZ */
	TD_TLC_NOHZ,			/* >= v0.10 */
	TD_TLC_HIGHRES,			/* >= v0.10 */
	TD_TLC_IDLE_TICK,		/* <= v0.6, renamed last_tick */
	TD_TLC_LAST_TICK,
	TD_TLC_TICK_STOPPED,
	TD_TLC_IDLE_JIFFIES,
	TD_TLC_IDLE_CALLS,
	TD_TLC_IDLE_SLEEPS,
	TD_TLC_IDLE_ENTRYTIME,
	TD_TLC_IDLE_WAKETIME,
	TD_TLC_IDLE_EXITTIME,
	TD_TLC_IDLE_SLEEPTIME,
	TD_TLC_IOWAIT_SLEEPTIME,
	TD_TLC_LAST_JIFFIES,
	TD_TLC_NEXT_JIFFIES,
	TD_TLC_NEXT_TIMER,
	TD_TLC_IDLE_EXPIRES,
	TD_TLC_JIFFIES,			/* the "jiffies: N" line that ends the CPU block */
	TD_TLC_COUNT
};

/* Field names as the kernel prints them, without the dot ("expires_next", ..., "jiffies"). */
extern const char *const td_tl_cpu_field_names[TD_TLC_COUNT];

/*
 * One active hrtimer: " #N: <addr>, fn, S:01[, start_site, comm/pid]" + " # expires at ...".
 * Kept small (48 bytes): a big machine has half a million of them.  What only
 * old kernels printed beside a timer is in td_tl_timer_extra.
 */
struct td_tl_timer {
	const char	*function;	/* expiry callback, as printed ("hrtimer_wakeup") */
	uint64_t	 addr;		/* timer address when printed as <hex> (0 if zeroed,
					   <pK-error>, or printed as a symbol) */
	int64_t		 soft_ns;	/* absolute expiry in the base's own clock */
	int64_t		 hard_ns;
	int64_t		 rel_soft_ns;	/* "[in A to B nsecs]": relative to now in the base's
					   clock, may be negative (v0.3 printed it with %Lu:
					   read back as negative; old kernels printed it against
					   the monotonic now: .offset applied); B is
					   td_tl_timer_rel_hard_ns() */
	uint32_t	 extra;		/* 1 + index in td_timer_list.extras, 0 if none */
	uint8_t		 state;		/* the S: byte */
	bool		 has_state : 1;	/* the S: byte was printed (a split log line may lose it) */
	bool		 has_expiry : 1; /* the "# expires at" line was there */
	bool		 has_range : 1;	/* v0.4+: soft-hard range; before, soft == hard */
};

/* What old kernels printed beside some timers; see td_tl_timer_extra(). */
struct td_tl_timer_extra {
	const char	*symbol;	/* timer address printed as a symbol (def_rt_bandwidth), else NULL */
	const char	*start_site;	/* CONFIG_TIMER_STATS (<= 4.10) only, else NULL */
	const char	*comm;		/* CONFIG_TIMER_STATS only, else NULL */
	int		 pid;		/* CONFIG_TIMER_STATS only, else -1 */
};

/* Which clock-base fields were printed. */
#define TD_TLB_INDEX		0x01u
#define TD_TLB_RESOLUTION	0x02u
#define TD_TLB_GET_TIME		0x04u
#define TD_TLB_OFFSET		0x08u

/* One clock base (" clock N:") of one CPU. */
struct td_tl_base {
	int			 clock;		/* N of " clock N:"; -1 when cut off (a fragment) */
	int			 index;		/* .index (2.6.39 printed the clockid here) */
	int64_t			 resolution_ns;
	int64_t			 offset_ns;
	const char		*get_time;	/* .get_time symbol, NULL where not printed (newer kernels) */
	unsigned		 present;	/* TD_TLB_* */
	size_t			 ntimers;
	struct td_tl_timer	*timers;	/* owned by the snapshot (one arena), never free() it;
						   NULL when parsed without TD_TL_TIMERS */
};

/* One CPU block ("cpu: N" up to "jiffies:"). */
struct td_tl_cpu {
	int			 cpu;		/* -1: a fragment's first block, "cpu: N" cut off */
	size_t			 nbases;
	struct td_tl_base	*bases;
	int64_t			 f[TD_TLC_COUNT];	/* valid only where present has the bit */
	uint32_t		 present;		/* bit (1u << enum td_tl_cpu_field) */
	bool			 complete;		/* its jiffies: line (or the next block) was reached */
};

/* Numeric fields of a tick device. */
enum td_tl_dev_num {
	TD_TLD_MAX_DELTA_NS,
	TD_TLD_MIN_DELTA_NS,
	TD_TLD_MULT,
	TD_TLD_SHIFT,
	TD_TLD_MODE,		/* clock_event_mode before v0.8, clock_event_state from v0.8 */
	TD_TLD_NEXT_EVENT,
	TD_TLD_RETRIES,
	TD_TLD_NUM_COUNT
};
extern const char *const td_tl_dev_num_names[TD_TLD_NUM_COUNT];	/* "max_delta_ns", ... */

/* Callback fields of a tick device. */
enum td_tl_dev_fn {
	TD_TLD_SET_NEXT_EVENT,
	TD_TLD_SET_MODE,	/* <= v0.7 */
	TD_TLD_SHUTDOWN,	/* v0.8+ state callbacks, each only if it exists */
	TD_TLD_PERIODIC,
	TD_TLD_ONESHOT,
	TD_TLD_ONESHOT_STOPPED,
	TD_TLD_RESUME,
	TD_TLD_EVENT_HANDLER,
	TD_TLD_FN_COUNT
};
extern const char *const td_tl_dev_fn_names[TD_TLD_FN_COUNT];	/* "set_next_event", ..., "oneshot_stopped", ... */

enum td_tl_dev_kind {
	TD_TLD_KIND_UNKNOWN,	/* v0.3 prints no label; see td_tl_tickdev.kind_guessed */
	TD_TLD_KIND_BROADCAST,
	TD_TLD_KIND_PERCPU,
};

/* One "Tick Device:" block. */
struct td_tl_tickdev {
	enum td_tl_dev_kind	 kind;
	bool			 kind_guessed;	/* no label (v0.3, grep output): broadcast if its
						   handler says "broadcast" or the mask lines
						   follow, else the next CPU in order */
	int			 cpu;		/* per-CPU devices; -1 otherwise */
	int			 tick_mode;	/* "Tick Device: mode: N": 0 periodic, 1 oneshot; -1 absent */
	bool			 has_device;	/* a "Clock Event Device:" line was there */
	const char		*device;	/* its name; NULL for <NULL> */
	int64_t			 num[TD_TLD_NUM_COUNT];
	uint32_t		 num_present;	/* bit (1u << enum td_tl_dev_num) */
	const char		*fn[TD_TLD_FN_COUNT];	/* NULL when not printed; "0x0"/"<0000000000000000>" kept as printed */
	bool			 has_wakeup;	/* v0.9+: a "Wakeup Device:" line */
	const char		*wakeup_device;	/* NULL for <NULL> */
};

/*
 * A line the parser did not understand, kept aside (not fatal): garbage, fields
 * of future versions, numbers that overflow (the field is then absent), lines
 * longer than 16 KiB, other kernel messages around a SysRq-Q dump.
 */
struct td_tl_unknown {
	long	 line;		/* 1-based line number in the input */
	char	*text;		/* the line, at most 200 bytes */
};

#define TD_TL_MAX_UNKNOWN	64	/* kept; the rest are only counted */

struct td_tl_pool;
struct td_tl_devidx;

struct td_timer_list {
	bool			 has_version;
	char			 version[16];		/* "v0.9" */
	int			 vmajor, vminor;	/* -1 when no header */
	bool			 version_future;	/* newer than TD_TL_VERSION_*_KNOWN */
	int			 max_clock_bases;	/* -1 when not printed */
	bool			 has_now;
	int64_t			 now_ns;
	int			 config_hz;		/* vendor "CONFIG_HZ: N" line, else -1 */

	size_t			 ncpus;
	struct td_tl_cpu	*cpus;

	size_t			 ndevs;
	struct td_tl_tickdev	*devs;
	struct td_tl_devidx	*devidx;		/* private: the per-CPU devices by CPU */
	size_t			 ndevidx;
	const char		*broadcast_mask;		/* text as printed, NULL if absent */
	const char		*broadcast_oneshot_mask;

	size_t			 nunknown;		/* kept, at most TD_TL_MAX_UNKNOWN */
	size_t			 nunknown_total;
	struct td_tl_unknown	*unknown;

	size_t			 nextras;
	struct td_tl_timer_extra *extras;	/* see td_tl_timer_extra() */

	long			 nlines;
	long			 nelided;		/* "..." lines: the copy leaves out what
							   they stand for (counts are lower bounds) */
	bool			 truncated;		/* input ended mid-block or without a final newline */
	bool			 from_log;		/* printk prefixes ([time], <N>) were stripped */

	struct td_tl_pool	*pool;			/* interned strings; private */
};

/*
 * Parse a whole timer_list from a buffer.  name is used in errors ("/proc/timer_list").
 * Returns 0 and *out (free with td_timer_list_free), or -errno with e filled:
 * -EINVAL when nothing in the input looks like timer_list, -ENOMEM.
 * Unknown lines, absurd numbers and truncation are not errors: see the struct.
 */
int td_timer_list_parse(const char *buf, size_t len, const char *name,
    struct td_timer_list **out, struct td_error *e);
/*
 * The same, streaming from a FILE (memory proportional to what is kept, not to
 * the text).  flags: TD_TL_TIMERS keeps each timer (td_tl_base.timers, as the
 * buffer parse does); without it every base's timers are counted (ntimers)
 * but none is kept, nor anything of it (its extra fields): a 4,096-CPU
 * machine's 2 million timers take 90 MiB.
 */
#define TD_TL_TIMERS	0x1u
int td_timer_list_parse_file(FILE *f, const char *name, unsigned flags,
    struct td_timer_list **out, struct td_error *e);
/*
 * Threads and mappings.  Both parses run on the caller's thread and take their
 * memory from malloc, except:
 * - an input of 4 MiB or more (td_timer_list_parse's len; for
 *   td_timer_list_parse_file a regular file read from its start, by its size)
 *   is parsed in two parts at once: one more thread (pthread_create), joined
 *   before the call returns.  When the thread cannot start, or there is no
 *   "cpu: N" line near the middle, it is parsed in one pass on the caller's
 *   thread; either way the snapshot is the same.  The file parse then reads
 *   the file with pread on its descriptor and leaves the FILE at its end.
 * - td_timer_list_parse_file maps its 256 KiB read buffer (anonymous,
 *   populated) when the file is a regular file that large;
 * - the snapshot's timers are kept (all but the file parse without
 *   TD_TL_TIMERS) in an arena (arena.h) whose chunks of 2 MiB and more are
 *   anonymous mappings, prefaulted 2 MiB at a time: an input known to be
 *   4 MiB or more gets one at the start, any other once its timers outgrow
 *   the small chunks.
 * So a parse of a pipe, a FIFO or a file under 4 MiB never starts a thread.
 * The read buffer is unmapped before the call returns, the arena by
 * td_timer_list_free.
 */
void td_timer_list_free(struct td_timer_list *tl);
/*
 * How far apart a captured tree's /proc/timer_list and /after/proc/timer_list
 * are, by their "now" lines: 0 and *ns, or -ENOENT when either is missing or
 * has no "now" (or they do not follow each other).  first: the tree's
 * /proc/timer_list when the caller has parsed it already, else NULL.
 */
int td_timer_list_capture_period(const char *sysroot, const struct td_timer_list *first,
    uint64_t *ns);

/* Lookups. */
const struct td_tl_tickdev *td_tl_cpu_device(const struct td_timer_list *tl, int cpu);
const struct td_tl_tickdev *td_tl_broadcast_device(const struct td_timer_list *tl);
/* Field value; false (and *v untouched) when the kernel did not print it. */
bool td_tl_cpu_field(const struct td_tl_cpu *c, enum td_tl_cpu_field f, int64_t *v);
size_t td_tl_cpu_ntimers(const struct td_tl_cpu *c);
/* The symbol and TIMER_STATS fields of a timer: never NULL (all NULL, pid -1, if none). */
const struct td_tl_timer_extra *td_tl_timer_extra(const struct td_timer_list *tl,
    const struct td_tl_timer *t);
/* Hard minus soft expiry (wrapping as the kernel's arithmetic does, never overflowing). */
int64_t td_tl_timer_slack_ns(const struct td_tl_timer *t);
/* The timer is armed at KTIME_MAX: it never expires. */
bool td_tl_timer_never(const struct td_tl_timer *t);

/* Tick mode of a CPU, as its tick device's event_handler says. */
enum td_tick_mode {
	TD_TICK_UNKNOWN,
	TD_TICK_PERIODIC,	/* tick_handle_periodic */
	TD_TICK_NOHZ_LOWRES,	/* tick_nohz_handler (<= 6.8), tick_nohz_lowres_handler (>= 6.9) */
	TD_TICK_HIGHRES,	/* hrtimer_interrupt */
};
enum td_tick_mode td_tick_mode_from_handler(const char *event_handler);
/* "highres", "nohz_lowres", "periodic", "unknown" (the names truth.json uses). */
const char *td_tick_mode_name(enum td_tick_mode m);

#endif
