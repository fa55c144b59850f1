/*
 * Library functions that only the tests call: they observe what no tool
 * shows (a reader's line number, a cache's size) or switch the library onto
 * one of its paths.  `make check-unused` (tools/check-unused.sh) accepts a
 * public td_* function without a caller in src/ only when it is declared
 * here; anything else without one is dead code.
 */
#ifndef TD_TEST_HOOKS_H
#define TD_TEST_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interrupts.h"
#include "softirqs.h"
#include "tasks.h"
#include "timer_list.h"
#include "trace_text.h"

/* Resolve paths under a sysroot with the walk alone, never openat2. */
void td_source_walk_only(bool on);

/*
 * Lookups in one snapshot, which the tests check the parsers with (the tools
 * read counts through the deltas).  A row by identity: an IRQ number ("24") or
 * an architecture label ("LOC"); desc (may be NULL = any) tells apart
 * duplicated labels; NULL if absent.  A softirq's count on CPU number cpu: 0,
 * or -ENOENT when not printed.
 */
const struct td_irq_row *td_interrupts_find(const struct td_interrupts *s,
    const char *label, const char *desc);
int td_softirqs_count(const struct td_softirqs *s, const char *name, int cpu,
    uint64_t *out);

/* Read kernel symbols from path instead of /proc/kallsyms (NULL: back to it). */
void td_knames_kallsyms_path(const char *path);

/*
 * Take kb KiB as the machine's available memory in the budget of what is held
 * for every CPU (cpubudget.h), as a machine of thousands of CPUs would have
 * too little for full tables; 0: MemAvailable again.
 */
void td_cpubudget_avail_for_tests(uint64_t kb);

/*
 * Read the bpf backend's maps of sources key by key, as on kernels without
 * batches for hash maps (before 5.6); false: in batches again.  Only in a
 * build with the backend.
 */
void td_bpf_drain_by_key_for_tests(bool on);

/* Tasks kept. */
size_t td_tasks_count(const struct td_tasks *c);

/*
 * Whether n bytes at s are valid UTF-8 without control bytes; newline and tab
 * are allowed when lines is set (for whole outputs).  The oracle of the
 * render fuzz target.
 */
bool td_text_is_clean(const char *s, size_t n, bool lines);

/* The hard expiry relative to now ("[in A to B nsecs]": B), from A and the range. */
int64_t td_tl_timer_rel_hard_ns(const struct td_tl_timer *t);

/* In a callback: the line number of the event, and its tgid (-1 if not shown). */
long td_trace_text_line(const struct td_trace_text *r);
int td_trace_text_tgid(const struct td_trace_text *r);
/* Lost events the file records for one CPU; -ENOENT when it records none there. */
int td_trace_text_lost_cpu(const struct td_trace_text *r, int cpu, uint64_t *lost,
    uint64_t *unknown);
/* Where ctx came from: the flags column, inference, or nowhere. */
enum td_trace_text_ctx td_trace_text_ctx_source(const struct td_trace_text *r);

#endif
