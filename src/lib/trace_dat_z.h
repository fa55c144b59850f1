/*
 * The decompression of a compressed version 7 trace.dat (trace-cmd.dat.v7(5)):
 * the algorithm the file names after its page size, "zstd" (with libzstd,
 * HAVE_ZSTD) or "zlib", applied to one block at a time, a section or one
 * chunk of a CPU's data, whose compressed and uncompressed sizes the file
 * gives.
 */
#ifndef TD_TRACE_DAT_Z_H
#define TD_TRACE_DAT_Z_H

#include <stdbool.h>
#include <stddef.h>

struct td_trace_dat_z;

/* Whether this build decompresses what the algorithm name compressed. */
bool td_trace_dat_z_supported(const char *algo);
/* A decompressor of algo: 0, -ENOTSUP when not supported, -ENOMEM. */
int td_trace_dat_z_new(const char *algo, struct td_trace_dat_z **out);
void td_trace_dat_z_free(struct td_trace_dat_z *z);
/*
 * Decompress the inlen bytes at in into the outlen bytes at out: 0 when they
 * give exactly outlen bytes, else -EINVAL with *why saying what went wrong.
 */
int td_trace_dat_z_block(struct td_trace_dat_z *z, const void *in, size_t inlen, void *out,
    size_t outlen, const char **why);

#endif
