/*
 * The trace.dat writer behind --record: the sub-buffers a live sample read,
 * kept per CPU in temporary files, written at the end as trace-cmd's version 6
 * format (trace-cmd.dat.v6(5)) with the header page, the formats of the events
 * traced, kallsyms, the command lines and the trace clock, so that
 * `trace-cmd report` and --trace read it.  It is written here rather than with
 * libtracecmd's output API, which 3.1.6 does not declare in its headers and
 * which writes /proc/sys/kernel/kptr_restrict around its kallsyms copy (we
 * never write a knob).
 */
#ifndef TD_TRACE_DAT_WRITE_H
#define TD_TRACE_DAT_WRITE_H

#include <stddef.h>

#include "error.h"

struct td_trace_rec;

/* Where the metadata comes from at the end. */
struct td_trace_rec_meta {
	const char	*tracing_dir;	/* events/header_page, events/SYS/NAME/format, saved_cmdlines */
	const char	*const *events;	/* "SYS/NAME" of the events traced */
	size_t		 nevents;
	const char	*kallsyms;	/* "/proc/kallsyms"; NULL: none */
	const char	*clock;		/* the trace_clock file's text ("[local] global ..."); NULL: local */
};

/* Create path (truncated) for ncpus CPUs' sub-buffers of page_size bytes. */
int td_trace_rec_new(const char *path, int ncpus, size_t page_size, struct td_trace_rec **out,
    struct td_error *e);
/* Keep one sub-buffer of CPU cpu (len bytes, padded to the page size); errors kept for finish. */
void td_trace_rec_page(struct td_trace_rec *w, int cpu, const void *page, size_t len);
/* A task's name, for the command lines (the newest name of a pid wins). */
void td_trace_rec_comm(struct td_trace_rec *w, int pid, const char *comm);
/* Write the file; -errno with e filled (a write error, a format unreadable). */
int td_trace_rec_finish(struct td_trace_rec *w, const struct td_trace_rec_meta *m,
    struct td_error *e);
/* Free; an unfinished file is removed.  NULL is fine. */
void td_trace_rec_free(struct td_trace_rec *w);

#endif
