/*
 * One block of a compressed trace.dat decompressed with zstd or zlib, the
 * algorithms trace-cmd record writes (lib/trace-cmd/trace-compress-*.c).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "trace_dat_z.h"

struct td_trace_dat_z {
	bool		 zstd;		/* else zlib */
#ifdef HAVE_ZSTD
	ZSTD_DCtx	*dctx;
#endif
};

bool
td_trace_dat_z_supported(const char *algo)
{
#ifdef HAVE_ZSTD
	if (strcmp(algo, "zstd") == 0)
		return true;
#endif
	return strcmp(algo, "zlib") == 0;
}

int
td_trace_dat_z_new(const char *algo, struct td_trace_dat_z **out)
{
	struct td_trace_dat_z *z;

	*out = NULL;
	if (!td_trace_dat_z_supported(algo))
		return -ENOTSUP;
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return -ENOMEM;
	z->zstd = strcmp(algo, "zstd") == 0;
#ifdef HAVE_ZSTD
	if (z->zstd && (z->dctx = ZSTD_createDCtx()) == NULL) {
		free(z);
		return -ENOMEM;
	}
#endif
	*out = z;
	return 0;
}

void
td_trace_dat_z_free(struct td_trace_dat_z *z)
{
	if (z == NULL)
		return;
#ifdef HAVE_ZSTD
	ZSTD_freeDCtx(z->dctx);
#endif
	free(z);
}

/* zlib's uncompress(), which trace-cmd's zlib compression pairs with compress2(). */
static int
block_zlib(const void *in, size_t inlen, void *out, size_t outlen, const char **why)
{
	uLongf got = (uLongf)outlen;
	int r;

	if (inlen > ULONG_MAX || outlen > ULONG_MAX) {
		*why = "zlib: a block too big";
		return -EINVAL;
	}
	r = uncompress(out, &got, in, (uLong)inlen);
	if (r != Z_OK) {
		*why = r == Z_BUF_ERROR ? "zlib: more data than the file says" :
		    r == Z_MEM_ERROR ? "zlib: out of memory" : "zlib: corrupt data";
		return r == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
	}
	if (got != outlen) {
		*why = "zlib: less data than the file says";
		return -EINVAL;
	}
	return 0;
}

int
td_trace_dat_z_block(struct td_trace_dat_z *z, const void *in, size_t inlen, void *out,
    size_t outlen, const char **why)
{
#ifdef HAVE_ZSTD
	if (z->zstd) {
		size_t got = ZSTD_decompressDCtx(z->dctx, out, outlen, in, inlen);

		if (ZSTD_isError(got)) {
			*why = ZSTD_getErrorName(got);
			return -EINVAL;
		}
		if (got != outlen) {
			*why = "zstd: less data than the file says";
			return -EINVAL;
		}
		return 0;
	}
#else
	(void)z;
#endif
	return block_zlib(in, inlen, out, outlen, why);
}
