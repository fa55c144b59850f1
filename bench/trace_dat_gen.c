/*
 * For bench/trace_report.sh.
 *   trace_dat_gen SRC MIB OUT   writes OUT: the trace.dat SRC (one written by
 *                               --record: version 6, no options section) with
 *                               each CPU's pages repeated until OUT holds MIB
 *                               MiB of them, each copy's page timestamps
 *                               shifted past the previous copy's last event.
 * The events inside a page are timed by deltas from its header's timestamp, so
 * shifting that one field moves the whole page.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "trace_dat.h"
#include "trace_dat_check.h"

/* Count nothing: the reader's stats give the span. */
static void
skip(const struct td_tev *ev, void *arg)
{
	(void)ev;
	(void)arg;
}

/* The first and last event's time of the trace.dat at path; 0 or -1. */
static int
span(const char *path, uint64_t *first, uint64_t *last)
{
	struct td_trace_dat *d;
	struct td_error e;
	char msg[600];
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0 || td_trace_dat_open(fd, path, &d, &e) < 0) {
		fprintf(stderr, "trace_dat_gen: %s: cannot read it\n", path);
		return -1;
	}
	while ((r = td_trace_dat_read(d, skip, NULL, &e)) == 1)
		;
	if (r < 0)
		fprintf(stderr, "trace_dat_gen: %s\n", td_error_str(&e, msg, sizeof(msg)));
	*first = td_trace_dat_stats(d)->first_ts;
	*last = td_trace_dat_stats(d)->last_ts;
	td_trace_dat_free(d);
	return r < 0 || *last <= *first ? -1 : 0;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
put64(FILE *f, uint64_t v)
{
	fwrite(&v, sizeof(v), 1, f);
}

/* Pad f with zeros to a multiple of page bytes. */
static void
pad(FILE *f, uint32_t page)
{
	long at = ftell(f);

	while (at % page != 0) {
		fputc(0, f);
		at++;
	}
}

int
main(int argc, char **argv)
{
	struct td_trace_dat_info info;
	struct td_error e;
	struct td_buf b;
	uint64_t first, last, shift, copies, data = 0, off, clen;
	const unsigned char *fly, *tab;
	char msg[600];
	FILE *f;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: trace_dat_gen SRC MIB OUT\n");
		return 2;
	}
	if (td_read_file(argv[1], (size_t)256 << 20, &b, NULL) < 0 ||
	    (fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (td_trace_dat_check(fd, b.len, argv[1], &info, &e) < 0 || info.version != 6 ||
	    info.big_endian || info.long_size != 8) {
		fprintf(stderr, "trace_dat_gen: %s: not a little-endian 64-bit version 6 trace.dat"
		    " (%s)\n", argv[1], td_error_str(&e, msg, sizeof(msg)));
		return 1;
	}
	close(fd);
	fly = memmem(b.data, b.len, "flyrecord", 10);
	if (fly == NULL || (size_t)(fly - (unsigned char *)b.data) + 10 + 16 * (size_t)info.ncpus +
	    8 > b.len) {
		fprintf(stderr, "trace_dat_gen: %s: no flyrecord section\n", argv[1]);
		return 1;
	}
	tab = fly + 10;
	for (int c = 0; c < info.ncpus; c++) {
		off = get64(tab + 16 * c);
		if (off % info.page_size != 0 || off + get64(tab + 16 * c + 8) > b.len) {
			fprintf(stderr, "trace_dat_gen: %s: CPU %d's data is not where it says\n",
			    argv[1], c);
			return 1;
		}
		data += get64(tab + 16 * c + 8);
	}
	if (data == 0 || span(argv[1], &first, &last) < 0)
		return 1;
	shift = last - first + 1000000;
	copies = ((strtoull(argv[2], NULL, 10) << 20) + data - 1) / data;
	clen = get64(tab + 16 * info.ncpus);
	if ((f = fopen(argv[3], "w")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	/* The metadata as it is, then the CPU table for the repeated data. */
	fwrite(b.data, 1, (size_t)(tab - (unsigned char *)b.data), f);
	off = (uint64_t)(tab - (unsigned char *)b.data) + 16 * (uint64_t)info.ncpus + 8 + clen;
	for (int c = 0; c < info.ncpus; c++) {
		off = (off + info.page_size - 1) / info.page_size * info.page_size;
		put64(f, off);
		put64(f, get64(tab + 16 * c + 8) * copies);
		off += get64(tab + 16 * c + 8) * copies;
	}
	fwrite(tab + 16 * info.ncpus, 1, 8 + clen, f);
	for (int c = 0; c < info.ncpus; c++) {
		const unsigned char *src = (unsigned char *)b.data + get64(tab + 16 * c);
		uint64_t len = get64(tab + 16 * c + 8);
		unsigned char *page = malloc(info.page_size);

		pad(f, info.page_size);
		for (uint64_t k = 0; k < copies; k++)
			for (uint64_t at = 0; at < len; at += info.page_size) {
				size_t n = len - at < info.page_size ? len - at : info.page_size;

				memcpy(page, src + at, n);
				if (n >= 8) {
					uint64_t ts = get64(page) + k * shift;

					memcpy(page, &ts, sizeof(ts));
				}
				fwrite(page, 1, n, f);
			}
		free(page);
	}
	td_buf_free(&b);
	if (fclose(f) != 0) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
