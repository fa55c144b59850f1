/*
 * The text trace reader: the tracefs `trace` file (any of its column layouts,
 * with or without its header) and `trace-cmd report` output, read line by line
 * in bounded memory into the same struct td_tev events the raw decoder
 * (trace_decode.h) gives, so a saved trace goes through the same attribution
 * as a live sample.  The tracepoints' text is described in doc/FORMATS.md section 6.
 *
 * Differences from the raw decoder, all forced by the text:
 * - td_tev.function is a key, not an address: each distinct function name
 *   gets a stable nonzero key, td_trace_text_function_name() gives it back;
 * - timer_start flags are rebuilt from the printed cpu=, idx= and the symbolic
 *   flags= (bits from td_trace_text_deferrable_flag() and _pinned_flag()),
 *   hrtimer_start's mode from ABS/REL|PINNED|SOFT|HARD (HRTIMER_MODE_* bits);
 * - ctx holds only TD_TEV_CTX_HARDIRQ and TD_TEV_CTX_SOFTIRQ, from the third
 *   character of the flags column ('h' hard, 's' soft, 'H' both, 'Z' NMI in
 *   hardirq); without that column they are inferred per CPU from the entry
 *   and exit events of interrupts, vectors, IPIs and softirqs
 *   (td_trace_text_ctx_source() in test_hooks.h says which);
 * - comm/commlen name the running task (the TASK column), name/namelen point
 *   into the line: both are valid only during the callback.
 */
#ifndef TD_TRACE_TEXT_H
#define TD_TRACE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "trace_decode.h"

#define TD_TRACE_TEXT_LINE_MAX		65536	/* a longer line is an error */
#define TD_TRACE_TEXT_SNIFF_LINES	256	/* a trace shows an event or header by then */
#define TD_TRACE_TEXT_MAX_CPUS		8192	/* a higher CPU number is a malformed line */
#define TD_TRACE_TEXT_MAX_FUNCS		65536	/* distinct function names kept */

/* What the file looks like. */
enum td_trace_text_format {
	TD_TRACE_TEXT_UNKNOWN,		/* events without a header that says */
	TD_TRACE_TEXT_TRACEFS,		/* "# tracer:" header: the tracefs trace file */
	TD_TRACE_TEXT_TRACE_CMD,	/* "cpus=N" / "version = N": trace-cmd report */
};

/* Where td_tev.ctx came from. */
enum td_trace_text_ctx {
	TD_TRACE_CTX_UNKNOWN,		/* no flags column and no entry/exit pairs */
	TD_TRACE_CTX_FLAGS,		/* every event line had the flags column */
	TD_TRACE_CTX_INFERRED,		/* some lines had none: inferred from entry/exit events */
};

struct td_trace_text_stats {
	uint64_t	lines;		/* lines read */
	uint64_t	events;		/* event lines, decoded or not */
	uint64_t	decoded;	/* events handed to the callback */
	uint64_t	types[TD_TEV_NTYPES];	/* of those, by type */
	uint64_t	malformed;	/* lines skipped as neither header nor event */
	long		first_malformed;	/* line number of the first, 0 if none */
	int		ncpus;		/* from "#P:N" or "cpus=N"; -1 if the file does not say */
	int		max_cpu;	/* highest CPU of an event line, -1 if none */
	uint64_t	lost;		/* events the file says were lost, summed */
	uint64_t	lost_unknown;	/* lost-events lines that give no count */
	uint64_t	first_ts;	/* earliest and latest event time, ns (events > 0) */
	uint64_t	last_ts;
	bool		has_entries;	/* "# entries-in-buffer/entries-written: A/B" */
	uint64_t	entries_in_buffer;
	uint64_t	entries_written;
	bool		cut_short;	/* the last line had no newline (not decoded) */
	uint64_t	functions_dropped;	/* names past TD_TRACE_TEXT_MAX_FUNCS or too long */
};

struct td_trace_text;

typedef void (*td_trace_text_cb)(const struct td_tev *ev, void *arg);

/* A reader; name is what errors call the input (a path). */
int td_trace_text_new(const char *name, struct td_trace_text **out, struct td_error *e);
/* Free a reader; NULL is fine. */
void td_trace_text_free(struct td_trace_text *r);

/*
 * Read the stream f to its end, calling cb for each event decoded.  Returns 0
 * at the end, 1 when cb called td_trace_text_stop() (call again with the same
 * f to go on), or -errno with e filled: -EIO on a read error, -EFBIG for a
 * line longer than TD_TRACE_TEXT_LINE_MAX, -EINVAL when the input is not a
 * text trace (binary data, or no event line in the first
 * TD_TRACE_TEXT_SNIFF_LINES lines).  Memory does not grow with the input.
 */
int td_trace_text_read(struct td_trace_text *r, FILE *f, td_trace_text_cb cb, void *arg,
    struct td_error *e);
/* From a callback: return from td_trace_text_read after this event. */
void td_trace_text_stop(struct td_trace_text *r);


const struct td_trace_text_stats *td_trace_text_stats(const struct td_trace_text *r);
enum td_trace_text_format td_trace_text_format(const struct td_trace_text *r);

/* The function name behind a td_tev.function key; NULL for an unknown key. */
const char *td_trace_text_function_name(const struct td_trace_text *r, uint64_t key);
/* The timer flag bits timer_start events carry (the kernel's values). */
uint32_t td_trace_text_deferrable_flag(const struct td_trace_text *r);
uint32_t td_trace_text_pinned_flag(const struct td_trace_text *r);

#endif
