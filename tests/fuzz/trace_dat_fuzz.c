/*
 * libFuzzer target: the trace.dat path.  The input goes into a memfd and
 * through the structure walk; what passes it is opened with our own reader
 * (version 6 and 7: its sections, options and ring-buffer pages, compressed
 * ones decompressed a chunk at a time, trace_dat_fly.c, trace_dat_z.c and
 * trace_dat_page.c; the seeds include a zstd and a zlib file) and read to the
 * end through the raw decoder, stopping after every hundredth event as the
 * stepping trace backend does.  Every
 * event's fields are read so ASan sees bad pointers; every refusal, of the
 * walk, the open or the read, must be one line.  A file only libtracecmd
 * reads (zstd in a build without libzstd) is left alone: not our code.
 */
#define _GNU_SOURCE
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "trace_dat.h"
#include "trace_dat_check.h"
#include "trace_dat_z.h"

const char *const td_fuzz_seeds[] = {
	"fixtures/trace_dat/*.dat",
	NULL
};

struct digest {
	struct td_trace_dat	*d;
	uint64_t		 h, n;
};

/* Hash every field; check what must hold for any input. */
static void
on_event(const struct td_tev *ev, void *arg)
{
	struct digest *g = arg;
	const char *fn = td_trace_dat_function_name(g->d, ev->function);
	const char *comm = td_trace_dat_comm(g->d, ev->pid);

	if (ev->type >= TD_TEV_NTYPES || ev->cpu < 0 || ev->cpu >= TD_TRACE_DAT_MAX_CPUS)
		abort();
	g->h = g->h * 31 + ev->ts + ev->ptr + (uint64_t)ev->num;
	for (size_t i = 0; ev->name != NULL && i < ev->namelen; i++)
		g->h = g->h * 31 + (unsigned char)ev->name[i];
	if (fn != NULL)
		g->h += strlen(fn);
	if (comm != NULL)
		g->h += strlen(comm);
	if (++g->n % 100 == 0)
		td_trace_dat_stop(g->d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_trace_dat_info info;
	struct digest g = { NULL, 0, 0 };
	struct td_error e;
	int fd = memfd_create("trace.dat", MFD_CLOEXEC), r;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	td_error_clear(&e);
	r = td_trace_dat_check(fd, size, "fuzz.dat", &info, &e);
	if (r < 0 && (e.msg[0] == '\0' || strchr(e.msg, '\n') != NULL))
		abort();	/* every refusal is one line */
	if (r < 0 || !td_trace_dat_supported() || (info.version == 7 &&
	    strcmp(info.compression, "none") != 0 && !td_trace_dat_z_supported(info.compression))) {
		close(fd);
		return 0;
	}
	if (td_trace_dat_open(fd, "fuzz.dat", &g.d, &e) < 0) {
		if (e.msg[0] == '\0' || strchr(e.msg, '\n') != NULL)
			abort();
		return 0;
	}
	while ((r = td_trace_dat_read(g.d, on_event, &g, &e)) == 1)
		;
	if (r < 0 && (e.msg[0] == '\0' || strchr(e.msg, '\n') != NULL))
		abort();
	if (td_trace_dat_stats(g.d)->decoded != g.n)
		abort();
	td_trace_dat_free(g.d);
	return 0;
}
