/*
 * The structure of a trace.dat (trace-cmd's binary format, versions 6 and 7),
 * walked before libtracecmd reads it: every size and offset the file gives is
 * checked against the file's length and a bound, so a file cut short, garbage
 * after the magic or a 2 GB size field gets one line naming the byte, and
 * libtracecmd never allocates what a corrupt size asks for.  No libtracecmd
 * here: this builds, and is fuzzed, without it.
 */
#ifndef TD_TRACE_DAT_CHECK_H
#define TD_TRACE_DAT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define TD_TRACE_DAT_MAGIC	"\x17\x08\x44tracing"
#define TD_TRACE_DAT_MAGIC_LEN	10
#define TD_TRACE_DAT_MAX_CPUS	8192
#define TD_TRACE_DAT_MAX_META	((uint64_t)256 << 20)	/* kallsyms, formats, cmdlines */

struct td_trace_dat_info {
	int		 version;	/* 6 or 7 */
	bool		 big_endian;
	int		 long_size;	/* 4 or 8 */
	uint32_t	 page_size;
	int		 ncpus;		/* v6: the CPU count; v7: the highest CPU + 1 of the buffers */
	char		 compression[32];	/* v7: "none" or the algorithm */
	uint64_t	 data_bytes;	/* trace data of every CPU and buffer */
	int		 buffers;	/* flyrecord buffers (top and instances) */
};

/* Whether buf (len bytes, the start of a file) begins with the trace.dat magic. */
bool td_trace_dat_magic(const void *buf, size_t len);

/*
 * Walk the trace.dat open on fd (size bytes; name is what errors call it).
 * 0 and info filled, or -errno with e naming the byte: -EINVAL for a
 * structure that does not hold, -EFBIG for a size past a bound, -ENOTSUP for
 * a version or byte order this reader does not handle, -EIO on a read error.
 */
int td_trace_dat_check(int fd, uint64_t size, const char *name, struct td_trace_dat_info *info,
    struct td_error *e);

#endif
