/*
 * For bench/trace_text.sh.
 *   trace_text_bench gen SRC MIB OUT   writes OUT: the text trace SRC repeated
 *                                      (its header once) until OUT holds MIB
 *                                      MiB, each copy's timestamps shifted past
 *                                      the previous copy's last one
 *   trace_text_bench read FILE         reads FILE with the text trace reader and
 *                                      prints "lines=N events=N decoded=N
 *                                      malformed=N idle_exits=N"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "trace_text.h"

/* Where a line's "SECONDS.MICROS: " timestamp is, by a plain scan; false if none. */
static bool
find_ts(const char *l, size_t len, size_t *at, size_t *n, unsigned long long *us)
{
	for (size_t i = 1; i + 1 < len; i++) {
		size_t s = i, dot = 0;
		unsigned long long sec, frac;

		if (l[i] != ':' || l[i + 1] != ' ')
			continue;
		while (s > 0 && ((l[s - 1] >= '0' && l[s - 1] <= '9') || l[s - 1] == '.'))
			if (l[--s] == '.')
				dot = s;
		if (dot == 0 || s == 0 || l[s - 1] != ' ' || i - dot != 7 ||
		    sscanf(l + s, "%llu.%llu", &sec, &frac) != 2)
			continue;
		*at = s;
		*n = i - s;
		*us = sec * 1000000ull + frac;
		return true;
	}
	return false;
}

/* Repeat src into out with shifted timestamps until it holds mib MiB. */
static int
gen(const char *src, unsigned long long mib, const char *out)
{
	struct td_buf b;
	unsigned long long first = 0, last = 0, us, shift, written = 0;
	size_t at, n;
	bool seen = false;
	FILE *f;

	if (td_read_file(src, (size_t)256 << 20, &b, NULL) < 0 || (f = fopen(out, "w")) == NULL) {
		perror(src);
		return 1;
	}
	for (char *l = b.data; l < b.data + b.len;) {
		char *nl = memchr(l, '\n', (size_t)(b.data + b.len - l));
		size_t len = nl ? (size_t)(nl - l) : (size_t)(b.data + b.len - l);

		if (find_ts(l, len, &at, &n, &us)) {
			if (!seen || us < first)
				first = us;
			if (us > last)
				last = us;
			seen = true;
		}
		l += len + 1;
	}
	shift = last - first + 1000000;
	for (unsigned long long k = 0; written < mib << 20; k++) {
		for (char *l = b.data; l < b.data + b.len;) {
			char *nl = memchr(l, '\n', (size_t)(b.data + b.len - l));
			size_t len = nl ? (size_t)(nl - l) : (size_t)(b.data + b.len - l);

			if (l[0] == '#' && k > 0) {
				l += len + 1;
				continue;
			}
			if (find_ts(l, len, &at, &n, &us)) {
				char t[48];
				int tl;

				us += k * shift;
				tl = snprintf(t, sizeof(t), "%llu.%06llu", us / 1000000, us % 1000000);
				fwrite(l, 1, at, f);
				fwrite(t, 1, (size_t)tl, f);
				fwrite(l + at + n, 1, len - at - n + 1, f);
				written += len + 1 + (size_t)tl - n;
			} else {
				fwrite(l, 1, len + 1, f);
				written += len + 1;
			}
			l += len + 1;
		}
	}
	td_buf_free(&b);
	return fclose(f) == 0 ? 0 : 1;
}

/* Count the events, as a consumer would look at them. */
static void
on_event(const struct td_tev *ev, void *arg)
{
	*(uint64_t *)arg += ev->type == TD_TEV_IDLE && ev->num == -1;
}

/* Read a file with the reader. */
static int
readfile(const char *path)
{
	struct td_trace_text *r;
	struct td_error e;
	const struct td_trace_text_stats *st;
	uint64_t exits = 0;
	char msg[600];
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL || td_trace_text_new(path, &r, &e) < 0) {
		perror(path);
		return 1;
	}
	rc = td_trace_text_read(r, f, on_event, &exits, &e);
	fclose(f);
	if (rc < 0) {
		fprintf(stderr, "trace_text_bench: %s\n", td_error_str(&e, msg, sizeof(msg)));
		td_trace_text_free(r);
		return 1;
	}
	st = td_trace_text_stats(r);
	printf("lines=%llu events=%llu decoded=%llu malformed=%llu idle_exits=%llu\n",
	    (unsigned long long)st->lines, (unsigned long long)st->events,
	    (unsigned long long)st->decoded, (unsigned long long)st->malformed,
	    (unsigned long long)exits);
	td_trace_text_free(r);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], strtoull(argv[3], NULL, 10), argv[4]);
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return readfile(argv[2]);
	fprintf(stderr, "usage: trace_text_bench gen SRC MIB OUT | read FILE\n");
	return 2;
}
