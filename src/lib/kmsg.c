/* The kernel log's records: /dev/kmsg records and saved dmesg text. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "kmsg.h"
#include "source.h"

/* Largest record read() returns (CONSOLE_EXT_LOG_MAX is 8192). */
#define KMSG_RECORD_MAX	16384

/* Free the strings of one record. */
static void
record_clear(struct td_kmsg_record *r)
{
	size_t i;

	free(r->text);
	for (i = 0; i < r->ndict; i++)
		free(r->dict[i]);
	free(r->dict);
}

/* Free a log (NULL is fine). */
void
td_kmsg_log_free(struct td_kmsg_log *log)
{
	size_t i;

	if (log == NULL)
		return;
	for (i = 0; i < log->n; i++)
		record_clear(&log->recs[i]);
	free(log->recs);
	free(log);
}

/* Value of a hex digit, -1 if c is none. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copy [p, end) decoding \xNN escapes; *lenp gets the decoded length. */
static char *
decode(const char *p, const char *end, size_t *lenp)
{
	char *s = malloc((size_t)(end - p) + 1), *o = s;

	if (s == NULL)
		return NULL;
	while (p < end) {
		if (end - p >= 4 && p[0] == '\\' && p[1] == 'x' && hexval(p[2]) >= 0 &&
		    hexval(p[3]) >= 0) {
			*o++ = (char)(hexval(p[2]) * 16 + hexval(p[3]));
			p += 4;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	if (lenp)
		*lenp = (size_t)(o - s);
	return s;
}

/* Append a zeroed record to the log; NULL on ENOMEM. */
static struct td_kmsg_record *
new_record(struct td_kmsg_log *log, size_t *cap)
{
	struct td_kmsg_record *r;

	if (log->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;

		if ((r = reallocarray(log->recs, nc, sizeof(*r))) == NULL)
			return NULL;
		log->recs = r;
		*cap = nc;
	}
	r = &log->recs[log->n++];
	memset(r, 0, sizeof(*r));
	r->level = r->facility = -1;
	return r;
}

/* Append a "KEY=value" continuation line to r. */
static int
add_dict(struct td_kmsg_record *r, const char *p, const char *end)
{
	char **n, *s;

	if ((s = decode(p, end, NULL)) == NULL)
		return -ENOMEM;
	if ((n = reallocarray(r->dict, r->ndict + 1, sizeof(*n))) == NULL) {
		free(s);
		return -ENOMEM;
	}
	r->dict = n;
	r->dict[r->ndict++] = s;
	return 0;
}

/* Parse a record header line "pri,seq,usec,flags[,...];message" into r. */
static int
parse_record_line(struct td_kmsg_record *r, const char *p, const char *end)
{
	const char *semi = memchr(p, ';', (size_t)(end - p));
	uint64_t pri, seq, usec;

	if (semi == NULL)
		return -EINVAL;
	if (td_parse_u64(&p, semi, &pri) < 0 || p >= semi || *p++ != ',' ||
	    td_parse_u64(&p, semi, &seq) < 0 || p >= semi || *p++ != ',' ||
	    td_parse_u64(&p, semi, &usec) < 0 || (p < semi && *p != ','))
		return -EINVAL;
	if (pri > 0xffffff || usec > (uint64_t)INT64_MAX / 1000)
		return -EINVAL;
	r->level = (int)(pri & 7);
	r->facility = (int)(pri >> 3);
	r->has_seq = true;
	r->seq = seq;
	r->has_ts = true;
	r->ts_ns = (int64_t)usec * 1000;
	/* Optional fields after the flags: ",caller=T1" (PRINTK_CALLER). */
	while (p < semi) {
		const char *f = p + 1, *fe = memchr(f, ',', (size_t)(semi - f));

		if (fe == NULL)
			fe = semi;
		if (td_has_prefix(f, fe, "caller=") && (size_t)(fe - f - 7) < sizeof(r->caller)) {
			memcpy(r->caller, f + 7, (size_t)(fe - f - 7));
			r->caller[fe - f - 7] = '\0';
		}
		p = fe;
	}
	if ((r->text = decode(semi + 1, end, &r->text_len)) == NULL)
		return -ENOMEM;
	return 0;
}

/* Parse record-format text into log, numbering lines from *lineno. */
static int
records_into(struct td_kmsg_log *log, size_t *cap, const char *buf, size_t len,
    const char *path, long *lineno, struct td_error *e)
{
	const char *p = buf, *end = buf + len;
	struct td_kmsg_record *cur = NULL;
	int r;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *ls = p, *le = nl ? nl : end;

		p = nl ? nl + 1 : end;
		(*lineno)++;
		if (ls == le)
			continue;
		if (*ls == ' ') {
			if (cur == NULL)
				return td_error_set(e, EINVAL, path, *lineno,
				    "continuation line before any record");
			if (add_dict(cur, ls + 1, le) < 0)
				return td_error_set(e, ENOMEM, path, *lineno, "out of memory");
			continue;
		}
		if ((cur = new_record(log, cap)) == NULL)
			return td_error_set(e, ENOMEM, path, *lineno, "out of memory");
		cur->line = *lineno;
		r = parse_record_line(cur, ls, le);
		if (r == -ENOMEM)
			return td_error_set(e, ENOMEM, path, *lineno, "out of memory");
		if (r < 0) {
			record_clear(cur);
			log->n--;
			return td_error_set(e, EINVAL, path, *lineno,
			    "not a /dev/kmsg record (\"pri,seq,usec,flags;message\")");
		}
	}
	return 0;
}

/* Parse a buffer in /dev/kmsg record format. */
int
td_kmsg_parse_records(const char *buf, size_t len, const char *path,
    struct td_kmsg_log **out, struct td_error *e)
{
	struct td_kmsg_log *log;
	size_t cap = 0;
	long lineno = 0;
	int r;

	*out = NULL;
	if (buf == NULL && len > 0)
		return td_error_set(e, EINVAL, path, 0, "no buffer");
	if ((log = calloc(1, sizeof(*log))) == NULL)
		return td_error_set(e, ENOMEM, path, 0, "out of memory");
	log->records = true;
	if ((r = records_into(log, &cap, buf, len, path, &lineno, e)) < 0) {
		td_kmsg_log_free(log);
		return r;
	}
	*out = log;
	return 0;
}

/* True if [p, end) is blanks, then digits '.' digits, then blanks; fills *ns. */
static bool
parse_seconds(const char *p, const char *end, int64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	int nd = 0;

	p = td_skip_ws(p, end);
	if (td_parse_u64(&p, end, &sec) < 0 || p >= end || *p++ != '.')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++, nd++)
		if (nd < 9)
			frac = frac * 10 + (uint64_t)(*p - '0');
	if (nd == 0 || td_skip_ws(p, end) != end || sec > (uint64_t)INT64_MAX / 1000000000 - 1)
		return false;
	for (; nd < 9; nd++)
		frac *= 10;
	*ns = (int64_t)(sec * 1000000000 + frac);
	return true;
}

/* True if [p, end) holds "dd:dd" somewhere (a wall-clock time). */
static bool
has_clock_time(const char *p, const char *end)
{
	for (; end - p >= 5; p++)
		if (p[2] == ':' && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
		    p[3] >= '0' && p[3] <= '9' && p[4] >= '0' && p[4] <= '9')
			return true;
	return false;
}

/* Skip a syslog/journal prefix ("Sep  5 15:56:52 host kernel: "). */
static const char *
skip_syslog(const char *p, const char *end)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *q, *lim;
	bool dated = false;
	int i;

	if (end - p >= 4) {
		for (i = 0; i < 12; i++)
			if (memcmp(p, months + 3 * i, 3) == 0 && p[3] == ' ')
				dated = true;
		if (p[0] >= '0' && p[0] <= '9' && end - p >= 11 && p[4] == '-' && p[7] == '-')
			dated = true;
	}
	if (!dated)
		return p;
	lim = end - p > 160 ? p + 160 : end;
	for (q = p; lim - q >= 8; q++)
		if (memcmp(q, " kernel:", 8) == 0 && has_clock_time(p, q)) {
			q += 8;
			if (q < end && *q == ' ')
				q++;
			return q;
		}
	return p;
}

/* Skip a "dmesg -x" prefix ("kern  :info  : "), filling r's facility and level. */
static const char *
skip_decoded(struct td_kmsg_record *r, const char *p, const char *end)
{
	static const char *const fac[] = { "kern", "user", "mail", "daemon", "auth", "syslog",
		"lpr", "news" };
	static const char *const lev[] = { "emerg", "alert", "crit", "err", "warn", "notice",
		"info", "debug" };
	const char *q = p, *f, *fe, *l, *le;
	int i, fi = -1, li = -1;

	for (f = q; q < end && *q >= 'a' && *q <= 'z'; q++)
		;
	fe = q;
	q = td_skip_ws(q, end);
	if (fe == f || q >= end || *q++ != ':')
		return p;
	for (l = q; q < end && *q >= 'a' && *q <= 'z'; q++)
		;
	le = q;
	q = td_skip_ws(q, end);
	if (le == l || q >= end || *q++ != ':')
		return p;
	for (i = 0; i < 8; i++) {
		if ((size_t)(fe - f) == strlen(fac[i]) && memcmp(f, fac[i], (size_t)(fe - f)) == 0)
			fi = i;
		if ((size_t)(le - l) == strlen(lev[i]) && memcmp(l, lev[i], (size_t)(le - l)) == 0)
			li = i;
	}
	if (li < 0)
		return p;
	r->facility = fi;
	r->level = li;
	if (q < end && *q == ' ')
		q++;
	return q;
}

/*
 * Skip a test harness's prefix ("  console: " of QEMU avocado logs): indented,
 * which no kernel message is at its start.
 */
static const char *
skip_harness(const char *p, const char *end)
{
	const char *q = td_skip_ws(p, end);

	if (q > p && td_has_prefix(q, end, "console: "))
		return q + 9;
	return p;
}

/* Take the prefixes off a dmesg text line, filling r's level, time and caller. */
static const char *
strip_prefix(struct td_kmsg_record *r, const char *p, const char *end)
{
	int i;

	p = skip_harness(p, end);
	p = skip_syslog(p, end);
	p = skip_decoded(r, p, end);
	if (p < end && *p == '<') {
		const char *q = p + 1;
		uint64_t pri;

		if (td_parse_u64(&q, end, &pri) == 0 && q < end && *q == '>' && pri < 0xffffff) {
			r->level = (int)(pri & 7);
			r->facility = pri > 7 ? (int)(pri >> 3) : -1;
			p = q + 1;
		}
	}
	for (i = 0; i < 3 && p < end && *p == '['; i++) {
		size_t lim = end - p > 48 ? 48 : (size_t)(end - p);
		const char *close = memchr(p, ']', lim), *in, *ie;
		int64_t ns;

		if (close == NULL)
			break;
		in = td_skip_ws(p + 1, close);
		ie = close;
		if (in < ie && *in == '+' && parse_seconds(in + 1, ie, &ns)) {
			r->has_ts = r->ts_relative = true;
			r->ts_ns = ns;
		} else if (parse_seconds(in, ie, &ns)) {
			r->has_ts = true;
			r->ts_relative = false;
			r->ts_ns = ns;
		} else if (in < ie && (*in == 'C' || *in == 'T') && ie - in >= 2 &&
		    ie - in < (long)sizeof(r->caller)) {
			const char *q = in + 1;
			uint64_t v;

			if (td_parse_u64(&q, ie, &v) < 0 || q != ie)
				break;
			memcpy(r->caller, in, (size_t)(ie - in));
			r->caller[ie - in] = '\0';
		} else if (!has_clock_time(in, ie))
			break;
		p = close + 1;
		if (p < end && *p == ' ')
			p++;
	}
	return p;
}

/* Parse saved dmesg text. */
int
td_kmsg_parse_text(const char *buf, size_t len, const char *path, struct td_kmsg_log **out,
    struct td_error *e)
{
	struct td_kmsg_log *log;
	const char *p = buf, *end = buf + len;
	size_t cap = 0;
	long lineno = 0;

	*out = NULL;
	if (buf == NULL && len > 0)
		return td_error_set(e, EINVAL, path, 0, "no buffer");
	if ((log = calloc(1, sizeof(*log))) == NULL)
		return td_error_set(e, ENOMEM, path, 0, "out of memory");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *ls = p, *le = nl ? nl : end, *m;
		struct td_kmsg_record *r;

		p = nl ? nl + 1 : end;
		lineno++;
		if (le > ls && le[-1] == '\r')
			le--;
		if (td_skip_ws(ls, le) == le)
			continue;
		if ((r = new_record(log, &cap)) == NULL)
			goto nomem;
		r->line = lineno;
		m = strip_prefix(r, ls, le);
		if ((r->text = malloc((size_t)(le - m) + 1)) == NULL)
			goto nomem;
		memcpy(r->text, m, (size_t)(le - m));
		r->text[le - m] = '\0';
		r->text_len = (size_t)(le - m);
	}
	*out = log;
	return 0;
nomem:
	td_kmsg_log_free(log);
	return td_error_set(e, ENOMEM, path, lineno, "out of memory");
}

/* True when the line [p, end) looks like a /dev/kmsg record header. */
static bool
looks_like_record(const char *p, const char *end)
{
	const char *semi = memchr(p, ';', (size_t)(end - p));
	uint64_t v;
	int i;

	if (semi == NULL)
		return false;
	for (i = 0; i < 3; i++) {
		if (td_parse_u64(&p, semi, &v) < 0)
			return false;
		if (i < 2 && (p >= semi || *p++ != ','))
			return false;
	}
	return p == semi || *p == ',';
}

/* Parse either format, told apart by the first non-empty line. */
int
td_kmsg_parse(const char *buf, size_t len, const char *path, struct td_kmsg_log **out,
    struct td_error *e)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (td_skip_ws(p, le) != le)
			return looks_like_record(p, le) ?
			    td_kmsg_parse_records(buf, len, path, out, e) :
			    td_kmsg_parse_text(buf, len, path, out, e);
		p = nl ? nl + 1 : end;
	}
	return td_kmsg_parse_text(buf, len, path, out, e);
}

/* Read all records from a /dev/kmsg fd without blocking. */
int
td_kmsg_read_fd(int fd, const char *path, struct td_kmsg_log **out, struct td_error *e)
{
	struct td_kmsg_log *log;
	char *buf;
	size_t cap = 0, first;
	long lineno = 0, nrec = 0;
	int r = 0, err;

	*out = NULL;
	if (path == NULL)
		path = "/dev/kmsg";
	if ((log = calloc(1, sizeof(*log))) == NULL || (buf = malloc(KMSG_RECORD_MAX)) == NULL) {
		free(log);
		return td_error_set(e, ENOMEM, path, 0, "out of memory");
	}
	log->records = true;
	/* SEEK_SET 0 is the first record still in the ring buffer. */
	(void)lseek(fd, 0, SEEK_SET);
	for (;;) {
		ssize_t n = read(fd, buf, KMSG_RECORD_MAX);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) {
				/* Overwritten before we got to them: go on with the next. */
				log->lost++;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			err = errno;
			r = td_error_set(e, err, path, 0, "read: %s", strerror(err));
			goto out;
		}
		if (n == 0)
			break;
		nrec++;
		first = log->n;
		/* One record per read; its text may continue with " KEY=value" lines. */
		if ((r = records_into(log, &cap, buf, (size_t)n, path, &lineno, e)) < 0) {
			if (r == -ENOMEM)
				goto out;
			r = 0;		/* skip a record we cannot read */
			td_error_clear(e);
		}
		/* Number records, not lines, when they come from an fd. */
		for (; first < log->n; first++)
			log->recs[first].line = nrec;
	}
out:
	free(buf);
	if (r < 0) {
		td_kmsg_log_free(log);
		return r;
	}
	*out = log;
	return 0;
}

/* Open /dev/kmsg non-blocking and read every record. */
int
td_kmsg_read_live(struct td_kmsg_log **out, struct td_error *e)
{
	int fd, r;

	*out = NULL;
	if ((fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		r = errno;
		return td_error_set(e, r, "/dev/kmsg", 0, "%s", strerror(r));
	}
	r = td_kmsg_read_fd(fd, "/dev/kmsg", out, e);
	close(fd);
	return r;
}

/* Read a saved log under a sysroot and parse it. */
TD_DEFINE_TEXT_LOADER(td_kmsg_load, struct td_kmsg_log, td_kmsg_parse)
