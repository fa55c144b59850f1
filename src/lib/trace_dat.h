/*
 * The trace.dat reader: trace-cmd's binary format.  Version 6 and version 7
 * files, uncompressed or compressed with zlib or (HAVE_ZSTD) zstd, are read by
 * our own flyrecord reader (trace_dat_fly.h: one ring-buffer page, or one
 * compressed chunk, per CPU and buffer in memory, read with pread); version 7
 * files compressed otherwise (zstd in a build without libzstd) through
 * libtracecmd when the build has it (HAVE_LIBTRACECMD), else refused in one
 * line.  The file's own header
 * page and event formats build the raw decoder (trace_decode.h), so records
 * come out as the same struct td_tev events as a live sample, in time order
 * over every CPU and buffer (the top instance and the instances of
 * `trace-cmd record -B`).  The structure is checked first
 * (trace_dat_check.h); memory holds one page per CPU and buffer, the file's
 * formats, kallsyms and command lines, never the events.
 *
 * Built with TD_NO_LIBTRACECMD (timerinfo), td_trace_dat_open() refuses with
 * -ENOTSUP and a line saying so.
 */
#ifndef TD_TRACE_DAT_H
#define TD_TRACE_DAT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "trace_decode.h"

struct td_trace_dat_stats {
	int		ncpus;		/* from the file */
	uint64_t	records;	/* records read, of any event */
	uint64_t	decoded;	/* handed to the callback */
	uint64_t	types[TD_TEV_NTYPES];
	uint64_t	malformed;	/* records too short for their format */
	uint64_t	first_malformed;	/* file offset of the first, 0 if none */
	uint64_t	lost;		/* events the file says were lost before a page */
	uint64_t	lost_unknown;	/* pages marked lost without a count */
	uint64_t	first_ts, last_ts;	/* records > 0 */
	int		buffers;	/* buffers read (top and instances with data) */
};

struct td_trace_dat;

typedef void (*td_trace_dat_cb)(const struct td_tev *ev, void *arg);

/* Whether this build reads trace.dat files. */
bool td_trace_dat_supported(void);
/*
 * Check and open the trace.dat on fd (taken over: closed by the reader or on
 * failure); name is what errors call it.  -errno with e naming the byte.
 */
int td_trace_dat_open(int fd, const char *name, struct td_trace_dat **out, struct td_error *e);
void td_trace_dat_free(struct td_trace_dat *d);
/*
 * Hand the next events to cb in time order: 0 at the end, 1 when cb called
 * td_trace_dat_stop() (call again to go on), -errno with e filled.
 */
int td_trace_dat_read(struct td_trace_dat *d, td_trace_dat_cb cb, void *arg, struct td_error *e);
void td_trace_dat_stop(struct td_trace_dat *d);

const struct td_trace_dat_stats *td_trace_dat_stats(const struct td_trace_dat *d);
/* The kernel symbol of a callback address, from the file's kallsyms; NULL unknown. */
const char *td_trace_dat_function_name(const struct td_trace_dat *d, uint64_t fn);
/* The comm the file's command lines give pid; NULL unknown. */
const char *td_trace_dat_comm(const struct td_trace_dat *d, int pid);
uint32_t td_trace_dat_deferrable_flag(const struct td_trace_dat *d);
uint32_t td_trace_dat_pinned_flag(const struct td_trace_dat *d);

#endif
