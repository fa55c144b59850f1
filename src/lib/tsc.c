/* The TSC flags of /proc/cpuinfo. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "source.h"
#include "tsc.h"

/* True when the flag list [p, end) holds the word w. */
static bool
has_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	while (p < end) {
		const char *s;

		p = td_skip_ws(p, end);
		for (s = p; p < end && *p != ' ' && *p != '\t'; p++)
			;
		if ((size_t)(p - s) == n && memcmp(s, w, n) == 0)
			return true;
	}
	return false;
}

/* How much of /proc/cpuinfo is read at most to find the first flags line. */
#define TSC_CPUINFO_MAX		((size_t)1 << 20)

/* Parse the first "flags\t\t: ..." line of a cpuinfo text. */
int
td_tsc_flags_parse(const char *buf, size_t len, struct td_tsc_flags *out)
{
	const char *p = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	while (p != NULL && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q;

		if (td_has_prefix(p, le, "flags")) {
			q = td_skip_ws(p + 5, le);
			if (q < le && *q == ':') {
				q++;
				out->known = true;
				out->tsc = has_word(q, le, "tsc");
				out->constant_tsc = has_word(q, le, "constant_tsc");
				out->nonstop_tsc = has_word(q, le, "nonstop_tsc");
				out->tsc_reliable = has_word(q, le, "tsc_reliable");
				out->tsc_known_freq = has_word(q, le, "tsc_known_freq");
				out->tsc_deadline_timer = has_word(q, le, "tsc_deadline_timer");
				out->rdtscp = has_word(q, le, "rdtscp");
				return 0;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/*
 * Read /proc/cpuinfo under a sysroot and take its TSC flags: only as far as the
 * first CPU's flags line (on a big machine the file is a megabyte the kernel
 * formats a CPU at a time), at most TSC_CPUINFO_MAX bytes.  Reads start small
 * and grow: the kernel formats as many CPUs as a read asks bytes for.
 */
int
td_tsc_flags_read(const char *sysroot, struct td_tsc_flags *out, struct td_error *e)
{
	FILE *f;
	char *buf = NULL, *fl, *m;
	size_t len = 0, cap = 0;
	ssize_t n;
	int r = 0, fd;

	memset(out, 0, sizeof(*out));
	if ((f = td_fopen_root(sysroot, "/proc/cpuinfo", e)) == NULL)
		return e != NULL && e->code != 0 ? -e->code : -EIO;
	/* read(2), not fread: what is there, without waiting for more */
	fd = fileno(f);
	while (len < TSC_CPUINFO_MAX) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8192;
			if ((m = realloc(buf, cap + 1)) == NULL) {
				r = td_error_set(e, ENOMEM, "/proc/cpuinfo", 0, "out of memory");
				break;
			}
			buf = m;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				r = td_error_set(e, EIO, "/proc/cpuinfo", 0, "read error");
			break;
		}
		len += (size_t)n;
		buf[len] = '\0';
		/* a whole flags line at the start of a line: enough */
		fl = strncmp(buf, "flags", 5) == 0 ? buf : strstr(buf, "\nflags");
		if (fl != NULL && strchr(fl + 1, '\n') != NULL)
			break;
	}
	if (r == 0)
		r = td_tsc_flags_parse(buf, len, out);
	fclose(f);
	free(buf);
	return r;
}
