/*
 * Our own reader of a version 6 trace.dat (trace-cmd.dat.v6(5)) or a version 7
 * one (trace-cmd.dat.v7(5)), uncompressed or compressed with an algorithm
 * td_trace_dat_z_supported() names (trace_dat_z.h): the header page and event
 * formats, kallsyms, printk formats and command lines go into a tep handle
 * (libtraceevent), the options name the buffers (v6: the instances; v7: every
 * buffer, its page size and CPUs), and the flyrecord sections give each CPU's
 * ring-buffer pages.  Time offsets the options may add (OFFSET, TSC2NSEC,
 * DATE) are not applied: the times are the ring buffer's.  Each CPU of each
 * buffer is a stream with one page in memory, read with pread when its
 * records are used up (a compressed file: one chunk of pages decompressed at
 * a time, trace-cmd writes 10 pages a chunk); the streams are merged by time.
 * Memory: the formats and symbols plus one page (or chunk) per stream,
 * whatever the size of the file.
 */
#ifndef TD_TRACE_DAT_FLY_H
#define TD_TRACE_DAT_FLY_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "trace_dat_check.h"

struct tep_handle;
struct td_trace_dat_fly;

/* One record in time order: its payload points into the reader until the next call. */
struct td_trace_dat_frec {
	uint64_t	 ts;
	const void	*data;
	size_t		 size;
	int		 cpu;
	uint64_t	 offset;	/* in the file (compressed: its chunk's) */
	long		 missed;	/* events lost before it: -1 some, 0 none */
};

/*
 * Read the sections of the trace.dat on fd (checked by td_trace_dat_check(),
 * which filled info; the fd stays the caller's).  -errno with e naming the byte.
 */
int td_trace_dat_fly_open(int fd, const char *name, const struct td_trace_dat_info *info,
    struct td_trace_dat_fly **out, struct td_error *e);
void td_trace_dat_fly_free(struct td_trace_dat_fly *f);
struct tep_handle *td_trace_dat_fly_tep(const struct td_trace_dat_fly *f);
/* The CPU count of the file and the buffers that hold data. */
int td_trace_dat_fly_cpus(const struct td_trace_dat_fly *f);
int td_trace_dat_fly_buffers(const struct td_trace_dat_fly *f);
/* The next record of all CPUs and buffers: 1 and r filled, 0 at the end, -errno with e. */
int td_trace_dat_fly_next(struct td_trace_dat_fly *f, struct td_trace_dat_frec *r,
    struct td_error *e);

#endif
