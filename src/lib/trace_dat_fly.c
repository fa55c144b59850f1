/*
 * Our own reader of a version 6 or version 7 trace.dat: its sections into a
 * tep handle, its flyrecord pages one at a time per CPU (a compressed file:
 * one chunk of pages per CPU), merged by time.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "trace_dat_fly.h"
#include "trace_dat_page.h"
#include "trace_dat_z.h"
#include "trace_decode.h"

#define MAX_BUFFERS	64	/* buffer instances followed */
#define MAX_SECTIONS	4096	/* v7 options sections followed */
#define MAX_CHUNK	((uint64_t)16 << 20)	/* a compressed chunk, uncompressed */

/* Option ids (trace-cmd.dat.v7(5)), v7 sections named the same. */
#define OPT_DONE	0
#define OPT_BUFFER	3	/* a buffer's data (v6: an instance's) */
#define OPT_CPUCOUNT	8
#define OPT_HEADER_INFO	16
#define OPT_FTRACE	17
#define OPT_EVENTS	18
#define OPT_KALLSYMS	19
#define OPT_PRINTK	20
#define OPT_CMDLINES	21

/*
 * One CPU of one buffer: its data in the file and its current page.  A
 * compressed one's data is a chunk count then chunks, each a compressed size,
 * an uncompressed size and the compressed bytes of whole pages; buf holds the
 * current chunk uncompressed, its pages read in turn.
 */
struct stream {
	int			 cpu;
	uint64_t		 off, len;	/* the CPU's data in the file */
	uint64_t		 next;		/* the next page or chunk, from off */
	uint64_t		 page_at;	/* the current page (chunk) in the file */
	uint32_t		 psize;		/* its buffer's page size */
	unsigned char		*buf;		/* one page, or one chunk */
	bool			 z;		/* compressed */
	uint32_t		 chunks;	/* of a compressed one, still to read */
	size_t			 cap;		/* buf's size */
	size_t			 clen, cpos;	/* the chunk's length, its next page */
	struct td_trace_dat_page pg;
	struct td_trace_dat_rec	 rec;		/* the record it offers */
	bool			 have;
	long			 missed;	/* lost before rec */
};

struct td_trace_dat_fly {
	int			 fd;
	const char		*name;
	uint64_t		 size;		/* of the file */
	uint32_t		 page_size;
	int			 long_size;
	int			 commit_size;	/* of a page header's commit word */
	int			 cpus;
	int			 buffers;
	struct tep_handle	*tep;
	struct stream		*st;
	size_t			 nst;
	uint64_t		 page_bytes;	/* the streams' page buffers */
	struct stream		*last;		/* whose record was handed out */
	bool			 started;
	char			*tmp;		/* a section being parsed */
	size_t			 tmpcap;
	struct td_trace_dat_z	*z;		/* the decompressor, or NULL */
	unsigned char		*zin;		/* one compressed block */
	size_t			 zincap;
	unsigned char		*opts, *sec;	/* options and a section, decompressed */
	size_t			 optscap, seccap;
	/* The section get() reads when it is decompressed (win != NULL), at byte win_at. */
	const unsigned char	*win;
	uint64_t		 win_len, win_at;
};

/* A decompressed section get() reads, from position 0, instead of the file. */
struct window {
	const unsigned char	*p;
	uint64_t		 len, at;
};

static struct window
window_get(const struct td_trace_dat_fly *f)
{
	return (struct window){ f->win, f->win_len, f->win_at };
}

static void
window_set(struct td_trace_dat_fly *f, struct window w)
{
	f->win = w.p;
	f->win_len = w.len;
	f->win_at = w.at;
}

/* Read len bytes of the file at *pos and move on; what names them in the error. */
static int
get_file(struct td_trace_dat_fly *f, uint64_t *pos, void *buf, size_t len, const char *what,
    struct td_error *e)
{
	ssize_t n;

	if (*pos > f->size || len > f->size - *pos)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": cut short in the %s", *pos, what);
	n = pread(f->fd, buf, len, (off_t)*pos);
	if (n < 0)
		return td_error_set(e, errno, f->name, 0, "byte %" PRIu64 ": %s", *pos,
		    strerror(errno));
	if ((size_t)n != len)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": cut short in the %s", *pos, what);
	*pos += len;
	return 0;
}

/* Read len bytes at *pos of the decompressed section, or of the file. */
static int
get(struct td_trace_dat_fly *f, uint64_t *pos, void *buf, size_t len, const char *what,
    struct td_error *e)
{
	if (f->win == NULL)
		return get_file(f, pos, buf, len, what, e);
	if (*pos > f->win_len || len > f->win_len - *pos)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": cut short in the %s (at byte %" PRIu64
		    " of the section decompressed)", f->win_at, what, *pos);
	memcpy(buf, f->win + *pos, len);
	*pos += len;
	return 0;
}

/* Make *buf (of *cap bytes) hold want bytes. */
static int
grow(unsigned char **buf, size_t *cap, size_t want, struct td_error *e)
{
	unsigned char *b;

	if (want <= *cap)
		return 0;
	if ((b = realloc(*buf, want)) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	*buf = b;
	*cap = want;
	return 0;
}

/*
 * The compressed block of what at *pos in the file (its compressed size, its
 * uncompressed size of at most max bytes, then its compressed bytes, all
 * within avail bytes) decompressed into *buf of *cap bytes, grown: its
 * length in *len, *pos after it.
 */
static int
inflate(struct td_trace_dat_fly *f, uint64_t *pos, uint64_t avail, uint64_t max,
    unsigned char **buf, size_t *cap, size_t *len, const char *what, struct td_error *e)
{
	uint64_t at = *pos;
	uint32_t sz[2];
	const char *why = "";
	int r;

	if (avail < sizeof(sz))
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": cut short in the compressed %s", at, what);
	if ((r = get_file(f, pos, sz, sizeof(sz), what, e)) < 0)
		return r;
	if (sz[0] > avail - sizeof(sz))
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": compressed %s of %" PRIu32 " bytes runs past its data: "
		    "cut short", at, what, sz[0]);
	if (sz[1] > max || sz[0] > max + (max >> 7) + 4096)
		return td_error_set(e, EFBIG, f->name, 0,
		    "byte %" PRIu64 ": compressed %s of %" PRIu32 " bytes, %" PRIu32
		    " uncompressed (more than %" PRIu64 ")", at, what, sz[0], sz[1], max);
	if ((r = grow(&f->zin, &f->zincap, sz[0] + 1, e)) < 0 ||
	    (r = grow(buf, cap, sz[1] + 1, e)) < 0 ||
	    (r = get_file(f, pos, f->zin, sz[0], what, e)) < 0)
		return r;
	if ((r = td_trace_dat_z_block(f->z, f->zin, sz[0], *buf, sz[1], &why)) < 0)
		return td_error_set(e, -r, f->name, 0,
		    "byte %" PRIu64 ": the compressed %s does not decompress (%s): corrupt data",
		    at, what, why);
	*len = sz[1];
	return 0;
}

/*
 * A section of what: its size (szlen bytes, 4 or 8) then its text, read into
 * f->tmp with a NUL after it.
 */
static int
section(struct td_trace_dat_fly *f, uint64_t *pos, int szlen, const char *what, size_t *len,
    struct td_error *e)
{
	uint64_t n = 0, at = *pos;
	uint32_t n32;
	int r;

	if (szlen == 4) {
		if ((r = get(f, pos, &n32, 4, what, e)) < 0)
			return r;
		n = n32;
	} else if ((r = get(f, pos, &n, 8, what, e)) < 0) {
		return r;
	}
	if (n > TD_TRACE_DAT_MAX_META)
		return td_error_set(e, EFBIG, f->name, 0,
		    "byte %" PRIu64 ": %s of %" PRIu64 " bytes (more than %" PRIu64 ")", at, what,
		    n, TD_TRACE_DAT_MAX_META);
	if (n + 1 > f->tmpcap) {
		char *t = realloc(f->tmp, (size_t)n + 1);

		if (t == NULL)
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
		f->tmp = t;
		f->tmpcap = (size_t)n + 1;
	}
	if ((r = get(f, pos, f->tmp, (size_t)n, what, e)) < 0)
		return r;
	f->tmp[n] = '\0';
	*len = (size_t)n;
	return 0;
}

/* A NUL-terminated name of at most len - 1 bytes at *pos into buf. */
static int
get_name(struct td_trace_dat_fly *f, uint64_t *pos, char *buf, size_t len, const char *what,
    struct td_error *e)
{
	ssize_t n;
	char *z;

	if (f->win == NULL) {
		n = pread(f->fd, buf, len, (off_t)*pos);
	} else {
		n = *pos < f->win_len ? (ssize_t)(len < f->win_len - *pos ? len :
		    f->win_len - *pos) : 0;
		if (n > 0)
			memcpy(buf, f->win + *pos, (size_t)n);
	}
	z = n > 0 ? memchr(buf, '\0', (size_t)n) : NULL;
	if (z == NULL)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": no %s (or one too long)",
		    f->win == NULL ? *pos : f->win_at, what);
	*pos += (uint64_t)(z - buf) + 1;
	return 0;
}

/*
 * The page size the header page format gives (its data field's offset plus
 * size), 0 when it does not say.
 */
static uint32_t
format_page_size(const char *fmt)
{
	const char *p = strstr(fmt, "field: char data;");
	unsigned off, size;

	if (p == NULL || (p = strstr(p, "offset:")) == NULL ||
	    sscanf(p, "offset:%u;%*[ \t]size:%u;", &off, &size) != 2)
		return 0;
	return off + size;
}

/* header_page and header_event: the page layout. */
static int
headers(struct td_trace_dat_fly *f, uint64_t *pos, struct td_error *e)
{
	char tag[13];
	uint64_t at;
	size_t len = 0;
	uint32_t want;
	int r;

	if ((r = get(f, pos, tag, 12, "header page", e)) < 0 ||
	    (r = section(f, pos, 8, "header page", &len, e)) < 0)
		return r;
	at = *pos - len;
	if (tep_parse_header_page(f->tep, f->tmp, len, f->long_size) < 0)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": the header page format does not parse", at);
	want = format_page_size(f->tmp);
	if (want != 0 && want != f->page_size)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": page size %" PRIu32 ", but the header page format at byte %"
		    PRIu64 " gives %" PRIu32 ": the file does not match its format",
		    (uint64_t)14, f->page_size, at, want);
	f->commit_size = tep_get_header_page_size(f->tep) == 4 ? 4 : 8;
	if ((r = get(f, pos, tag, 13, "header event", e)) < 0)
		return r;
	return section(f, pos, 8, "header event", &len, e);
}

/*
 * The event format just read (len bytes in tmp, at most
 * TD_TRACE_DAT_MAX_META) trimmed for libtraceevent.
 */
static int
trim(struct td_trace_dat_fly *f, size_t len)
{
	return td_trace_format_trim(f->tmp, (int)len);
}

/* The ftrace formats: a count, then each a size and its text. */
static int
ftrace_formats(struct td_trace_dat_fly *f, uint64_t *pos, struct td_error *e)
{
	uint32_t n;
	size_t len = 0;
	int r;

	if ((r = get(f, pos, &n, 4, "ftrace formats", e)) < 0)
		return r;
	for (uint32_t i = 0; i < n; i++) {
		if ((r = section(f, pos, 8, "ftrace format", &len, e)) < 0)
			return r;
		/* A format that does not parse is an event never decoded. */
		(void)tep_parse_event(f->tep, f->tmp, (unsigned long)trim(f, len), "ftrace");
	}
	return 0;
}

/* The event systems: a count, then each a name and its events' formats. */
static int
system_formats(struct td_trace_dat_fly *f, uint64_t *pos, struct td_error *e)
{
	char sys[256];
	uint32_t n, m;
	size_t len = 0;
	int r;

	if ((r = get(f, pos, &n, 4, "event systems", e)) < 0)
		return r;
	for (uint32_t i = 0; i < n; i++) {
		if ((r = get_name(f, pos, sys, sizeof(sys), "event system name", e)) < 0 ||
		    (r = get(f, pos, &m, 4, "event count", e)) < 0)
			return r;
		for (uint32_t j = 0; j < m; j++) {
			if ((r = section(f, pos, 8, "event format", &len, e)) < 0)
				return r;
			(void)tep_parse_event(f->tep, f->tmp, (unsigned long)trim(f, len), sys);
		}
	}
	return 0;
}

/*
 * The command lines ("PID COMM" per line) and printk formats ("ADDR : FMT")
 * are read here, not by libtraceevent's tep_parse_saved_cmdlines and
 * tep_parse_printk_formats: in the libtraceevent we build against, the first
 * leaks the name when the PID overflows and the second reads before its
 * copy of a format shorter than three bytes.  A line that does not parse is
 * skipped.
 */
static void
parse_cmdlines(struct tep_handle *tep, char *buf)
{
	for (char *line = buf, *next; line != NULL; line = next) {
		char *end;
		long pid;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		errno = 0;
		pid = strtol(line, &end, 10);
		if (end == line || errno != 0 || pid < 0 || pid > INT_MAX ||
		    (*end != ' ' && *end != '\t'))
			continue;
		end += strspn(end, " \t");
		if (*end != '\0')
			(void)tep_register_comm(tep, end, (int)pid);
	}
}

static void
parse_printk(struct tep_handle *tep, char *buf)
{
	for (char *line = buf, *next; line != NULL; line = next) {
		char *colon, *end, *fmt;
		unsigned long long addr;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		errno = 0;
		addr = strtoull(line, &end, 16);
		if (end == line || errno != 0)
			continue;
		fmt = colon + 1 + (colon[1] == ' ');
		if (strlen(fmt + (fmt[0] == '"')) >= 3)
			(void)tep_register_print_string(tep, fmt, addr);
	}
}

/* One of kallsyms (19), printk formats (20) and command lines (21), by option id. */
static int
symbols(struct td_trace_dat_fly *f, uint64_t *pos, int id, struct td_error *e)
{
	static const char *const what[] = { "kallsyms", "printk formats", "command lines" };
	size_t len = 0;
	int r;

	if ((r = section(f, pos, id == OPT_CMDLINES ? 8 : 4, what[id - OPT_KALLSYMS], &len,
	    e)) < 0 || len == 0)
		return r;
	if (id == OPT_KALLSYMS)
		(void)tep_parse_kallsyms(f->tep, f->tmp);
	else if (id == OPT_PRINTK)
		parse_printk(f->tep, f->tmp);
	else
		parse_cmdlines(f->tep, f->tmp);
	return 0;
}

/*
 * One CPU's data: len bytes at off, pages of psize bytes, compressed when z;
 * at is where the file says so.
 */
static int
add_stream(struct td_trace_dat_fly *f, int cpu, uint64_t off, uint64_t len, uint32_t psize,
    bool z, uint64_t at, struct td_error *e)
{
	struct stream *ns, *s;
	int r;

	if (cpu < 0 || cpu >= TD_TRACE_DAT_MAX_CPUS)
		return td_error_set(e, EINVAL, f->name, 0, "byte %" PRIu64 ": CPU %d out of range",
		    at, cpu);
	if (off > f->size || len > f->size - off)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": CPU %d's data runs past the end of the file: cut short",
		    at, cpu);
	if (psize < 1024 || psize > (1U << 24) || (psize & (psize - 1)) != 0)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": page size %" PRIu32 ": the file does not match its format",
		    at, psize);
	if (len == 0)
		return 0;
	if (f->page_bytes + psize > TD_TRACE_DAT_MAX_META)
		return td_error_set(e, EFBIG, f->name, 0,
		    "byte %" PRIu64 ": a page of %" PRIu32 " bytes for CPU %d: more than %" PRIu64
		    " bytes of pages in all", at, psize, cpu, TD_TRACE_DAT_MAX_META);
	if ((ns = reallocarray(f->st, f->nst + 1, sizeof(*ns))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	f->st = ns;
	s = &f->st[f->nst];
	memset(s, 0, sizeof(*s));
	s->cpu = cpu;
	s->off = off;
	s->len = len;
	s->psize = psize;
	s->z = z;
	f->nst++;
	if (!z && (r = grow(&s->buf, &s->cap, psize, e)) < 0)
		return r;
	f->page_bytes += s->cap;
	if (cpu + 1 > f->cpus)
		f->cpus = cpu + 1;
	return 0;
}

/* v6: the streams of one buffer, f->cpus (offset, size) pairs at pos. */
static int
add_buffer(struct td_trace_dat_fly *f, uint64_t pos, struct td_error *e)
{
	size_t before = f->nst;
	int r;

	for (int c = 0; c < f->cpus; c++) {
		uint64_t at = pos, v[2];

		if ((r = get(f, &pos, v, sizeof(v), "CPU data offsets", e)) < 0 ||
		    (r = add_stream(f, c, v[0], v[1], f->page_size, false, at, e)) < 0)
			return r;
	}
	if (f->nst > before)
		f->buffers++;
	return 0;
}

/* The options (buffer instances) and the flyrecord section after the CPU count. */
static int
data_sections(struct td_trace_dat_fly *f, uint64_t *pos, struct td_error *e)
{
	uint64_t inst[MAX_BUFFERS];
	int ninst = 0, r;
	char tag[10];

	for (;;) {
		if ((r = get(f, pos, tag, sizeof(tag), "data section", e)) < 0)
			return r;
		if (memcmp(tag, "options  ", 10) != 0)
			break;
		for (;;) {
			uint16_t id;
			uint32_t n;
			uint64_t v, at;

			if ((r = get(f, pos, &id, 2, "option", e)) < 0)
				return r;
			if (id == 0)
				break;
			if ((r = get(f, pos, &n, 4, "option size", e)) < 0)
				return r;
			at = *pos;
			if (id == OPT_BUFFER && n >= 8 && ninst < MAX_BUFFERS) {
				if ((r = get(f, &at, &v, 8, "buffer option", e)) < 0)
					return r;
				inst[ninst++] = v;
			}
			*pos += n;
		}
	}
	if (memcmp(tag, "flyrecord", 10) != 0)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": expected \"flyrecord\", the file does not match its format",
		    *pos - 10);
	if ((r = add_buffer(f, *pos, e)) < 0)
		return r;
	for (int i = 0; i < ninst; i++) {
		uint64_t at = inst[i];

		/* An instance's CPU data, after its own "flyrecord" tag. */
		if ((r = get(f, &at, tag, sizeof(tag), "buffer data", e)) < 0)
			return r;
		if (memcmp(tag, "flyrecord", 10) != 0)
			at = inst[i];
		if ((r = add_buffer(f, at, e)) < 0)
			return r;
	}
	return 0;
}

/*
 * v7: the section with id want at off; *pos at its data and *size its
 * length.  A compressed one is decompressed into *buf (of *cap bytes) and
 * get() reads it from position 0 until the caller puts its window back.
 */
static int
section_at(struct td_trace_dat_fly *f, uint64_t off, uint16_t want, unsigned char **buf,
    size_t *cap, uint64_t *pos, uint64_t *size, struct td_error *e)
{
	size_t len;
	struct {
		uint16_t	 id, flags;
		uint32_t	 strid;
		uint64_t	 size;
	} h;
	int r;

	*pos = off;
	if ((r = get_file(f, pos, &h, sizeof(h), "section header", e)) < 0)
		return r;
	if (h.id != want)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": section %u where %u was expected", off, h.id, want);
	if ((h.flags & 1) && f->z == NULL)
		return td_error_set(e, ENOTSUP, f->name, 0,
		    "byte %" PRIu64 ": a compressed section in a file that says \"none\"", off);
	if (h.size > f->size - *pos)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": section of %" PRIu64 " bytes runs past the end of the file: "
		    "cut short", off, h.size);
	window_set(f, (struct window){ NULL, 0, 0 });
	*size = h.size;
	if ((h.flags & 1) == 0)
		return 0;
	if ((r = inflate(f, pos, h.size, TD_TRACE_DAT_MAX_META, buf, cap, &len, "section", e)) < 0)
		return r;
	window_set(f, (struct window){ *buf, len, off });
	*pos = 0;
	*size = len;
	return 0;
}

/* v7: a BUFFER option at pos (end its end): a buffer's CPUs, page size and data. */
static int
buffer_v7(struct td_trace_dat_fly *f, uint64_t pos, uint64_t end, struct td_error *e)
{
	struct {
		uint16_t	 id, flags;
	} h = { 0, 0 };
	char name[256];
	uint64_t off, len, at = pos;
	uint32_t psize, n, cpu;
	size_t before = f->nst;
	int r;

	/* Its data section's header says whether the CPUs' data is compressed. */
	if ((r = get(f, &pos, &off, 8, "buffer option", e)) < 0 ||
	    (f->z != NULL && (r = get_file(f, &off, &h, sizeof(h), "buffer section", e)) < 0))
		return r;
	if ((r = get_name(f, &pos, name, sizeof(name), "buffer name", e)) < 0 ||
	    (r = get_name(f, &pos, name, sizeof(name), "buffer clock", e)) < 0 ||
	    (r = get(f, &pos, &psize, 4, "buffer page size", e)) < 0 ||
	    (r = get(f, &pos, &n, 4, "buffer CPU count", e)) < 0)
		return r;
	if (n > TD_TRACE_DAT_MAX_CPUS)
		return td_error_set(e, EINVAL, f->name, 0, "byte %" PRIu64 ": %" PRIu32 " CPUs",
		    pos - 4, n);
	for (uint32_t i = 0; i < n; i++) {
		at = pos;
		if ((r = get(f, &pos, &cpu, 4, "buffer CPU", e)) < 0 ||
		    (r = get(f, &pos, &off, 8, "buffer CPU data", e)) < 0 ||
		    (r = get(f, &pos, &len, 8, "buffer CPU data", e)) < 0 ||
		    (r = add_stream(f, cpu > INT32_MAX ? -1 : (int)cpu, off, len, psize,
		    (h.flags & 1) != 0, at, e)) < 0)
			return r;
	}
	if (pos > end)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": buffer option longer than its size", at);
	if (f->nst > before)
		f->buffers++;
	return 0;
}

/* v7: an option of the sections that hold the formats and symbols (16 to 21). */
static int
meta_v7(struct td_trace_dat_fly *f, int id, uint64_t pos, struct td_error *e)
{
	struct window options = window_get(f);
	uint64_t off, size;
	int r;

	if ((r = get(f, &pos, &off, 8, "section offset", e)) < 0)
		return r;
	if ((r = section_at(f, off, (uint16_t)id, &f->sec, &f->seccap, &pos, &size, e)) == 0) {
		switch (id) {
		case OPT_HEADER_INFO:
			r = headers(f, &pos, e);
			break;
		case OPT_FTRACE:
			r = ftrace_formats(f, &pos, e);
			break;
		case OPT_EVENTS:
			r = system_formats(f, &pos, e);
			break;
		default:
			r = symbols(f, &pos, id, e);
			break;
		}
	}
	window_set(f, options);
	return r;
}

/* v7: the options sections, from the offset after the compression header at *pos. */
static int
options_v7(struct td_trace_dat_fly *f, uint64_t *pos, struct td_error *e)
{
	char name[64];
	uint64_t next, q, size, end;
	int r;

	if ((r = get_name(f, pos, name, sizeof(name), "compression name", e)) < 0 ||
	    (r = get_name(f, pos, name, sizeof(name), "compression version", e)) < 0 ||
	    (r = get(f, pos, &next, 8, "options offset", e)) < 0)
		return r;
	for (int k = 0; next != 0; k++) {
		if (k > MAX_SECTIONS)
			return td_error_set(e, EFBIG, f->name, 0,
			    "more than %d options sections (a loop?)", MAX_SECTIONS);
		if ((r = section_at(f, next, OPT_DONE, &f->opts, &f->optscap, &q, &size, e)) < 0)
			return r;
		next = 0;
		end = q + size;
		while (end - q >= 6) {
			uint64_t at = q, oend;
			uint16_t id;
			uint32_t n;

			if ((r = get(f, &q, &id, 2, "option", e)) < 0 ||
			    (r = get(f, &q, &n, 4, "option", e)) < 0)
				return r;
			if (n > end - q)
				return td_error_set(e, EINVAL, f->name, 0,
				    "byte %" PRIu64 ": option %u of %" PRIu32
				    " bytes runs past its section", at, id, n);
			oend = q + n;
			if (id == OPT_DONE) {
				if (n >= 8 && (r = get(f, &q, &next, 8, "options offset", e)) < 0)
					return r;
				break;
			}
			if (id == OPT_BUFFER) {
				r = buffer_v7(f, q, oend, e);
			} else if (id == OPT_CPUCOUNT && n >= 4) {
				uint32_t cpus;

				if ((r = get(f, &q, &cpus, 4, "CPU count", e)) == 0 &&
				    cpus <= TD_TRACE_DAT_MAX_CPUS && (int)cpus > f->cpus)
					f->cpus = (int)cpus;
			} else if (id >= OPT_HEADER_INFO && id <= OPT_CMDLINES && n >= 8) {
				r = meta_v7(f, id, q, e);
			}
			if (r < 0)
				return r;
			q = oend;
		}
	}
	window_set(f, (struct window){ NULL, 0, 0 });
	if (f->commit_size == 0)
		return td_error_set(e, EINVAL, f->name, 0,
		    "no header page section: the file does not match its format");
	return 0;
}

/* v6: the sections in their fixed order. */
static int
sections_v6(struct td_trace_dat_fly *f, uint64_t *pos, struct td_error *e)
{
	uint32_t cpus;
	int r;

	if ((r = headers(f, pos, e)) < 0 || (r = ftrace_formats(f, pos, e)) < 0 ||
	    (r = system_formats(f, pos, e)) < 0)
		return r;
	for (int id = OPT_KALLSYMS; id <= OPT_CMDLINES; id++)
		if ((r = symbols(f, pos, id, e)) < 0)
			return r;
	if ((r = get(f, pos, &cpus, 4, "CPU count", e)) < 0)
		return r;
	if (cpus == 0 || cpus > TD_TRACE_DAT_MAX_CPUS)
		return td_error_set(e, EINVAL, f->name, 0, "byte %" PRIu64 ": %" PRIu32 " CPUs",
		    *pos - 4, cpus);
	f->cpus = (int)cpus;
	return data_sections(f, pos, e);
}

int
td_trace_dat_fly_open(int fd, const char *name, const struct td_trace_dat_info *info,
    struct td_trace_dat_fly **out, struct td_error *e)
{
	struct td_trace_dat_fly *f;
	struct stat sb;
	uint64_t pos;
	int r;

	*out = NULL;
	if (fstat(fd, &sb) < 0)
		return td_error_set(e, errno, name, 0, "%s", strerror(errno));
	if (info->version != 6 && (info->version != 7 ||
	    (strcmp(info->compression, "none") != 0 &&
	    !td_trace_dat_z_supported(info->compression))))
		return td_error_set(e, ENOTSUP, name, 0,
		    "byte 10: a version %d trace.dat compressed with %s: not read here",
		    info->version, info->compression);
	if ((f = calloc(1, sizeof(*f))) == NULL || (f->tep = tep_alloc()) == NULL ||
	    (info->version == 7 && strcmp(info->compression, "none") != 0 &&
	    td_trace_dat_z_new(info->compression, &f->z) < 0)) {
		td_trace_dat_fly_free(f);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	tep_set_loglevel(TEP_LOG_NONE);
	f->fd = fd;
	f->name = name;
	f->page_size = info->page_size;
	f->long_size = info->long_size;
	f->size = (uint64_t)sb.st_size;
	tep_set_long_size(f->tep, info->long_size);
	tep_set_page_size(f->tep, (int)info->page_size);
	tep_set_file_bigendian(f->tep, info->big_endian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(f->tep, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ?
	    TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	/* After the magic, the version, the byte order, the long size and the page size. */
	pos = TD_TRACE_DAT_MAGIC_LEN + 2 + 2 + 4;
	r = info->version == 6 ? sections_v6(f, &pos, e) : options_v7(f, &pos, e);
	if (r < 0) {
		td_trace_dat_fly_free(f);
		return r;
	}
	tep_set_cpus(f->tep, f->cpus);
	/* The sections are parsed: only the chunks' compressed block stays. */
	free(f->tmp);
	free(f->opts);
	free(f->sec);
	f->tmp = NULL;
	f->opts = f->sec = NULL;
	f->tmpcap = f->optscap = f->seccap = 0;
	*out = f;
	return 0;
}

void
td_trace_dat_fly_free(struct td_trace_dat_fly *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nst; i++)
		free(f->st[i].buf);
	free(f->st);
	free(f->tmp);
	free(f->opts);
	free(f->sec);
	free(f->zin);
	td_trace_dat_z_free(f->z);
	if (f->tep != NULL)
		tep_free(f->tep);
	free(f);
}

struct tep_handle *
td_trace_dat_fly_tep(const struct td_trace_dat_fly *f)
{
	return f->tep;
}

int
td_trace_dat_fly_cpus(const struct td_trace_dat_fly *f)
{
	return f->cpus;
}

int
td_trace_dat_fly_buffers(const struct td_trace_dat_fly *f)
{
	return f->buffers;
}

/* Add the events lost before a page to what the stream's next record carries. */
static void
add_missed(struct stream *s, long m)
{
	if (m < 0 || s->missed < 0)
		s->missed = m != 0 ? -1 : s->missed;
	else
		s->missed += m;
}

/* A stream's next page read into its buffer: 1 and *pg, *len set, 0 at its end, -errno. */
static int
page_plain(struct td_trace_dat_fly *f, struct stream *s, const unsigned char **pg, size_t *len,
    struct td_error *e)
{
	uint64_t n = s->len - s->next;
	ssize_t got;

	if (n <= (uint64_t)f->commit_size + 8)
		return 0;	/* the end (or a tail too short for a page header) */
	if (n > s->psize)
		n = s->psize;
	s->page_at = s->off + s->next;
	got = pread(f->fd, s->buf, (size_t)n, (off_t)s->page_at);
	if (got < 0)
		return td_error_set(e, errno, f->name, 0, "byte %" PRIu64 ": %s",
		    s->page_at, strerror(errno));
	if ((uint64_t)got != n)
		return td_error_set(e, EINVAL, f->name, 0,
		    "byte %" PRIu64 ": CPU %d's page cut short", s->page_at, s->cpu);
	s->next += n;
	*pg = s->buf;
	*len = (size_t)n;
	return 1;
}

/*
 * A compressed stream's next page: from its chunk, the next chunk
 * decompressed when that one is used up.  1, 0 at its end, -errno.  The
 * chunks are bounded by the file, not by the CPU's size in the buffer
 * option: trace-cmd 3.1.6 writes that 4 bytes short of its data (the chunk
 * count left out), and libtracecmd reads the chunks without it.
 */
static int
page_z(struct td_trace_dat_fly *f, struct stream *s, const unsigned char **pg, size_t *len,
    struct td_error *e)
{
	while (s->clen - s->cpos <= (size_t)f->commit_size + 8) {
		uint64_t pos = s->off + s->next, others = f->page_bytes - s->cap, room;
		size_t old = s->cap;
		int r;

		if (s->next == 0) {
			if ((r = get_file(f, &pos, &s->chunks, 4, "chunk count", e)) < 0)
				return r;
			s->next = 4;
		}
		if (s->chunks == 0)
			return 0;
		/* Every stream's chunk together stays within the bound on metadata. */
		room = others < TD_TRACE_DAT_MAX_META ? TD_TRACE_DAT_MAX_META - others : 0;
		s->page_at = pos;
		if ((r = inflate(f, &pos, f->size - pos, room < MAX_CHUNK ? room : MAX_CHUNK,
		    &s->buf, &s->cap, &s->clen, "CPU data chunk", e)) < 0)
			return r;
		f->page_bytes += s->cap - old;
		s->chunks--;
		s->next = pos - s->off;
		s->cpos = 0;
	}
	*pg = s->buf + s->cpos;
	*len = s->clen - s->cpos < s->psize ? s->clen - s->cpos : s->psize;
	s->cpos += *len;
	return 1;
}

/* Move a stream to its next record, reading pages as needed: 1, 0 at its end, -errno. */
static int
advance(struct td_trace_dat_fly *f, struct stream *s, struct td_error *e)
{
	while (td_trace_dat_page_next(&s->pg, &s->rec) == 0) {
		const unsigned char *pg = NULL;
		size_t n = 0;
		int r;

		s->have = false;
		r = s->z ? page_z(f, s, &pg, &n, e) : page_plain(f, s, &pg, &n, e);
		if (r <= 0)
			return r;
		if (td_trace_dat_page_init(&s->pg, pg, n, f->commit_size) < 0)
			return td_error_set(e, EINVAL, f->name, 0,
			    "byte %" PRIu64 ": CPU %d's page%s says it holds more than a page of %"
			    PRIu32 " bytes: the page size is not the file's, or garbage",
			    s->page_at, s->cpu, s->z ? " (in the compressed chunk there)" : "",
			    s->psize);
		add_missed(s, s->pg.missed);
	}
	s->have = true;
	return 1;
}

int
td_trace_dat_fly_next(struct td_trace_dat_fly *f, struct td_trace_dat_frec *r,
    struct td_error *e)
{
	struct stream *s = NULL;
	int rv;

	if (f->last != NULL) {
		f->last->missed = 0;
		if ((rv = advance(f, f->last, e)) < 0)
			return rv;
	} else if (!f->started) {
		/* The first call: every stream to its first record. */
		f->started = true;
		for (size_t i = 0; i < f->nst; i++)
			if ((rv = advance(f, &f->st[i], e)) < 0)
				return rv;
	}
	/* The earliest record of all streams (few: CPUs times buffers). */
	for (size_t i = 0; i < f->nst; i++)
		if (f->st[i].have && (s == NULL || f->st[i].rec.ts < s->rec.ts))
			s = &f->st[i];
	f->last = s;
	if (s == NULL)
		return 0;
	r->ts = s->rec.ts;
	r->data = s->rec.data;
	r->size = s->rec.size;
	r->cpu = s->cpu;
	r->offset = s->z ? s->page_at : s->page_at + s->rec.at;
	r->missed = s->missed;
	return 1;
}
