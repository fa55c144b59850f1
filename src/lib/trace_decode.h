/*
 * The raw event decoder: ring-buffer sub-buffers as read from a tracefs
 * instance's per_cpu/cpuN/trace_pipe_raw, decoded with the event formats
 * libtraceevent parsed, into the timer, IRQ and softirq events the sampler uses.
 */
#ifndef TD_TRACE_DECODE_H
#define TD_TRACE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct tep_handle;

enum td_tev_type {
	TD_TEV_TIMER_START,
	TD_TEV_HRTIMER_START,
	TD_TEV_TIMER_EXPIRE,
	TD_TEV_HRTIMER_EXPIRE,
	TD_TEV_TIMER_CANCEL,
	TD_TEV_HRTIMER_CANCEL,
	TD_TEV_VECTOR,		/* irq_vectors:*_entry (x86) */
	TD_TEV_IRQ,		/* irq:irq_handler_entry */
	TD_TEV_SOFTIRQ,		/* irq:softirq_entry */
	TD_TEV_IDLE,		/* power:cpu_idle: num = state, -1 for the exit */
	TD_TEV_IDLE_MISS,	/* power:cpu_idle_miss: num = state, arg = 1 below, 0 above */
	TD_TEV_IPI,		/* ipi:ipi_entry (arm64): name = reason (text traces only) */
	TD_TEV_SCHED_SWITCH,	/* num = next_pid, arg = prev_pid, name = next_comm */
	TD_TEV_SCHED_WAKEUP,	/* num = pid woken, arg = target_cpu, name = its comm */
	TD_TEV_TICK_STOP,	/* timer:tick_stop: num = success, flags = dependency */
	TD_TEV_TIMER_BASE_IDLE,	/* timer:timer_base_idle (6.9+): num = is_idle, arg = cpu */
	TD_TEV_TMIGR,		/* timer_migration:* (6.9+): sub = enum td_tmigr (below) */
	TD_TEV_SOFTIRQ_RAISE,	/* irq:softirq_raise: num = vector raised on this CPU */
	TD_TEV_NTYPES,
};

/* tick_stop's dependency bits (include/linux/tick.h TICK_DEP_MASK_*). */
#define TD_TICK_DEP_POSIX_TIMER		0x01
#define TD_TICK_DEP_PERF_EVENTS		0x02
#define TD_TICK_DEP_SCHED		0x04
#define TD_TICK_DEP_CLOCK_UNSTABLE	0x08
#define TD_TICK_DEP_RCU			0x10
#define TD_TICK_DEP_RCU_EXP		0x20
#define TD_TICK_DEP_NBITS		6

/*
 * The timer_migration events (kernel/time/timer_migration.c, 6.9+), in
 * td_tev.sub.  The CPU events (tmigr_cpu_*, tmigr_handle_remote_cpu): num =
 * the CPU named by the event (for handle_remote_cpu, the CPU whose timers
 * the event's CPU expires), ptr = its parent group.  The group events
 * (tmigr_group_set_cpu_active/inactive): ptr = group, num = migrator (the
 * childmask bit of the migrator child, 0xff none), arg = lvl, flags = childmask
 * (the child that changed) | active << 8.  tmigr_handle_remote: ptr = group,
 * arg = lvl.
 */
enum td_tmigr {
	TD_TMIGR_CPU_ACTIVE,
	TD_TMIGR_CPU_IDLE,
	TD_TMIGR_CPU_NEW_TIMER,
	TD_TMIGR_CPU_NEW_TIMER_IDLE,
	TD_TMIGR_HANDLE_REMOTE_CPU,
	TD_TMIGR_CPU_ONLINE,
	TD_TMIGR_CPU_OFFLINE,
	TD_TMIGR_CPU_AVAILABLE,
	TD_TMIGR_CPU_UNAVAILABLE,
	TD_TMIGR_GROUP_ACTIVE,
	TD_TMIGR_GROUP_INACTIVE,
	TD_TMIGR_HANDLE_REMOTE,
	TD_TMIGR_NSUB,
};

/*
 * The timer_migration events by name, X(name, sub) each: the one list the raw
 * decoder's and the text reader's event tables are built from.
 */
#define TD_TMIGR_EVENTS(X) \
	X("tmigr_cpu_active", TD_TMIGR_CPU_ACTIVE) \
	X("tmigr_cpu_idle", TD_TMIGR_CPU_IDLE) \
	X("tmigr_cpu_new_timer", TD_TMIGR_CPU_NEW_TIMER) \
	X("tmigr_cpu_new_timer_idle", TD_TMIGR_CPU_NEW_TIMER_IDLE) \
	X("tmigr_handle_remote_cpu", TD_TMIGR_HANDLE_REMOTE_CPU) \
	X("tmigr_cpu_online", TD_TMIGR_CPU_ONLINE) \
	X("tmigr_cpu_offline", TD_TMIGR_CPU_OFFLINE) \
	X("tmigr_cpu_available", TD_TMIGR_CPU_AVAILABLE) \
	X("tmigr_cpu_unavailable", TD_TMIGR_CPU_UNAVAILABLE) \
	X("tmigr_group_set_cpu_active", TD_TMIGR_GROUP_ACTIVE) \
	X("tmigr_group_set_cpu_inactive", TD_TMIGR_GROUP_INACTIVE) \
	X("tmigr_handle_remote", TD_TMIGR_HANDLE_REMOTE)

/* Context bits of common_flags. */
#define TD_TEV_CTX_HARDIRQ	0x08
#define TD_TEV_CTX_SOFTIRQ	0x10

/* The idle state cpu_idle reports when a CPU leaves idle ((u32)-1). */
#define TD_TEV_IDLE_EXIT	(-1)

/*
 * One decoded event; name and comm point into the decoder, the sub-buffer or
 * the text line (not NUL-terminated).
 */
struct td_tev {
	enum td_tev_type	 type;
	uint64_t		 ts;
	int			 cpu;
	int			 pid;		/* common_pid: the task running */
	unsigned		 ctx;		/* common_flags */
	uint64_t		 ptr;		/* timer / hrtimer address */
	uint64_t		 function;	/* callback address */
	uint32_t		 flags;		/* timer flags or hrtimer mode */
	int			 num;		/* IRQ number, softirq vector, x86 vector, ... (above) */
	int			 arg;		/* second number (above), 0 otherwise */
	int			 sub;		/* TD_TEV_TMIGR: enum td_tmigr, 0 otherwise */
	const char		*name;		/* IRQ action or vector label ("LOC"), comm */
	size_t			 namelen;
	const char		*comm;		/* the running task's comm: text traces only, else NULL */
	size_t			 commlen;
};

struct td_trace_decoder;

/*
 * An event format (len bytes, NUL-terminated) made fit for libtraceevent, in
 * place: its print fmt reduced to the timer flags' values; the new length.
 */
int td_trace_format_trim(char *fmt, int len);

/*
 * Build a decoder from the event formats a tep handle holds (the events that
 * are missing are just never decoded).  -ENOENT when it holds none we use.
 */
int td_trace_decoder_new(struct tep_handle *tep, struct td_trace_decoder **out,
    struct td_error *e);
void td_trace_decoder_free(struct td_trace_decoder *d);
/* Whether the formats include an event type (to enable only what exists). */
bool td_trace_decoder_has(const struct td_trace_decoder *d, enum td_tev_type t);
/* The timer flag bits of this kernel (from timer_start's print fmt); 0 if unknown. */
uint32_t td_trace_decoder_deferrable_flag(const struct td_trace_decoder *d);
uint32_t td_trace_decoder_pinned_flag(const struct td_trace_decoder *d);

/*
 * The /proc/interrupts label of an x86 irq_vectors entry event we decode
 * ("local_timer_entry", len bytes, gives "LOC"), or NULL for any other name.
 * The text trace reader shares this table.
 */
const char *td_trace_vector_label(const char *name, size_t len);

/*
 * Decode one sub-buffer of len bytes read from CPU cpu, calling cb for each
 * event of interest.  *missed gets the events the kernel dropped before it
 * (-1 when it says some were lost but not how many, 0 otherwise).  Returns the
 * number of events seen (including ones of no interest) or -EINVAL when the
 * sub-buffer header is inconsistent; a bad event ends the sub-buffer early.
 */
int td_trace_decode(struct td_trace_decoder *d, const void *subbuf, size_t len, int cpu,
    void (*cb)(const struct td_tev *ev, void *arg), void *arg, long *missed);

/*
 * Decode one event record's payload (common fields first) of CPU cpu at time
 * ts: 1 when cb was called, 0 for an event of no interest, -EINVAL when the
 * record is too short for the fields its format gives.
 */
int td_trace_decode_record(struct td_trace_decoder *d, const void *data, size_t size, int cpu,
    uint64_t ts, void (*cb)(const struct td_tev *ev, void *arg), void *arg);

#endif
