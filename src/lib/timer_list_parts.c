/*
 * How a timer_list reaches its grammar (timer_list.c): from a buffer, from a
 * stream a chunk at a time (a read buffer mapped with its pages present when
 * the input fills it), and, from TL_SPLIT_MIN bytes on, in two parts parsed at
 * once on two threads, whose snapshots are then joined.  timer_list.h says
 * when a parse may start a thread or map memory.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "timer_list.h"
#include "timer_list_parser.h"

/* Read size of the streaming parser. */
#define TL_READ_CHUNK		(256u * 1024u)
/* Inputs from this size on are parsed in two parts at once (a 1,024-CPU machine's). */
#define TL_SPLIT_MIN		((size_t)4 << 20)
/* How far past the middle a "cpu: N" line is looked for. */
#define TL_CUT_WINDOW		(64u * 1024u)

/*
 * A timer_list read a chunk at a time, from a FILE or from [off, end) of a file
 * descriptor with pread.  The last line is handled even without its newline;
 * *last_nl says whether there was one.  0, or -EIO on a read error.
 */
static int
tl_stream(struct tl_parser *p, FILE *f, int fd, off_t off, off_t end, bool *last_nl)
{
	char *buf, *s, *lim, *nl;
	size_t have = 0, n;
	bool skipping = false, mapped = false;
	int r = 0;

	*last_nl = true;
#ifdef MAP_POPULATE
	/*
	 * An input that fills the buffer gets it mapped with its pages present: one
	 * call instead of a page fault for each of its 64 pages.
	 */
	if (p->expect >= TL_READ_CHUNK) {
		buf = mmap(NULL, TL_READ_CHUNK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		mapped = buf != MAP_FAILED;
	}
#endif
	if (!mapped && (buf = malloc(TL_READ_CHUNK)) == NULL) {
		td_tl_nomem(p);
		return 0;
	}
	while (p->err == 0) {
		if (f != NULL)
			n = fread(buf + have, 1, TL_READ_CHUNK - have, f);
		else {
			ssize_t got = 0;

			if (end - off > 0)
				got = pread(fd, buf + have, (size_t)(end - off) < TL_READ_CHUNK - have ?
				    (size_t)(end - off) : TL_READ_CHUNK - have, off);
			if (got < 0) {
				if (errno == EINTR)
					continue;
				r = -EIO;
				break;
			}
			n = (size_t)got;
			off += got;
		}
		if (n == 0)
			break;
		*last_nl = buf[have + n - 1] == '\n';
		have += n;
		s = buf;
		lim = buf + have;
		if (skipping && (nl = memchr(s, '\n', (size_t)(lim - s))) != NULL) {
			skipping = false;	/* the end of an overlong line */
			if (memchr(s, '\0', (size_t)(nl - s)) != NULL)
				td_tl_nul(p, p->tl->nlines);
			s = nl + 1;
		} else if (skipping && memchr(s, '\0', (size_t)(lim - s)) != NULL)
			td_tl_nul(p, p->tl->nlines);
		if (!skipping)
			s += td_tl_lines(p, s, lim) - s;
		else
			s = lim;
		have = (size_t)(lim - s);
		if (have == TL_READ_CHUNK) {
			/* No newline in a whole chunk: an overlong line, kept as unknown. */
			if (!skipping)
				td_tl_line(p, s, lim);
			skipping = true;
			have = 0;
		} else if (have > 0 && s != buf)
			memmove(buf, s, have);
	}
	if (f != NULL && ferror(f))
		r = -EIO;
	if (r == 0 && have > 0 && !skipping && p->err == 0)
		td_tl_line(p, buf, buf + have);
	if (mapped)
		munmap(buf, TL_READ_CHUNK);
	else
		free(buf);
	return r;
}

/*
 * Big inputs are parsed in two parts at once: the text is cut at a "cpu: N"
 * line near its middle, each part gets its own parser (and thread), and the
 * second part's snapshot is then appended to the first's.  A CPU block does not
 * depend on anything before it, so the result is the one-pass result; where the
 * cut would change anything (a second header, a tick device open at the cut,
 * more CPUs than kept) the input is parsed again in one pass.
 */
struct tl_part {
	struct tl_parser	 p;
	int			 r;		/* td_tl_begin, or -EIO */
	const char		*buf;		/* buffer mode: [buf, buf + len) */
	size_t			 len;
	int			 fd;		/* file mode (buf NULL): [off, end) of fd */
	off_t			 off, end;
	bool			 fast;
	unsigned		 flags;		/* TD_TL_* */
	bool			 last_nl;
	struct td_error		 e;
};

/* Every line of [buf, buf + len), the last even without its newline; whether it had one. */
static bool
tl_buffer(struct tl_parser *p, const char *buf, size_t len)
{
	const char *s = td_tl_lines(p, buf, buf + len);

	if (s < buf + len && p->err == 0)
		td_tl_line(p, s, buf + len);
	return len == 0 || buf[len - 1] == '\n';
}

/* Parse one part (a thread's start routine). */
static void *
tl_part_run(void *arg)
{
	struct tl_part *t = arg;

	if ((t->r = td_tl_begin(&t->p, t->p.name, t->buf != NULL ? t->len :
	    (size_t)(t->end - t->off), t->flags, &t->e)) < 0)
		return NULL;
	t->p.fast = t->fast;
	if (t->buf != NULL)
		t->last_nl = tl_buffer(&t->p, t->buf, t->len);
	else
		t->r = tl_stream(&t->p, NULL, t->fd, t->off, t->end, &t->last_nl);
	return NULL;
}

/*
 * Where the second part starts: the first "cpu: N" line (nothing else on it) in
 * the window w of n bytes at offset from, or 0.
 */
static size_t
tl_cut_in(const char *w, size_t n, size_t from)
{
	const char *c = w, *end = w + n, *d;

	while ((c = memmem(c, (size_t)(end - c), "\ncpu: ", 6)) != NULL) {
		for (d = c + 6; d < end && d - c < 12 && *d >= '0' && *d <= '9'; d++)
			;
		if (d > c + 6 && d < end && *d == '\n')
			return from + (size_t)(c - w) + 1;
		c++;
	}
	return 0;
}

/* Append the snapshot of part b to part a's; false when the cut changed the parse. */
static bool
tl_join(struct tl_parser *a, struct tl_parser *b)
{
	struct td_timer_list *x = a->tl, *y = b->tl;
	size_t ncpus = x->ncpus + y->ncpus, ndevs = x->ndevs + y->ndevs;
	size_t acpus = x->ncpus, nx = x->nextras;
	struct td_tl_pool *pool;
	void *m;

	if (a->err != 0 || b->err != 0 || a->idev >= 0 || a->pending_devname || b->header ||
	    y->ncpus == 0 || ncpus > TL_MAX_CPUS || (uint64_t)nx + y->nextras > UINT32_MAX)
		return false;
	/* what the "cpu: N" line that starts b does in one pass */
	td_tl_close_cpu(a, true);
	td_tl_close_base(b);
	if ((m = reallocarray(x->cpus, ncpus, sizeof(*x->cpus))) == NULL)
		return false;
	x->cpus = m;
	memcpy(x->cpus + x->ncpus, y->cpus, y->ncpus * sizeof(*y->cpus));
	a->icpu = b->icpu >= 0 ? (long)x->ncpus + b->icpu : -1;
	x->ncpus = ncpus;
	y->ncpus = 0;
	if (y->ndevs > 0 && x->ndevs == 0) {	/* the usual case: every tick device in b */
		free(x->devs);
		x->devs = y->devs;
		y->devs = NULL;
		a->devcap = b->devcap;
	} else if (y->ndevs > 0) {
		if ((m = reallocarray(x->devs, ndevs, sizeof(*x->devs))) == NULL)
			return false;
		x->devs = m;
		memcpy(x->devs + x->ndevs, y->devs, y->ndevs * sizeof(*y->devs));
		a->devcap = ndevs;
	}
	if (y->ndevs > 0) {
		a->idev = b->idev >= 0 ? (long)x->ndevs + b->idev : -1;
		if (a->masks_dev < 0 && b->masks_dev >= 0)
			a->masks_dev = (long)x->ndevs + b->masks_dev;
		x->ndevs = ndevs;
		y->ndevs = 0;
	}
	if (y->nextras > 0) {
		if ((m = reallocarray(x->extras, nx + y->nextras, sizeof(*x->extras))) == NULL)
			return false;
		x->extras = m;
		memcpy(x->extras + nx, y->extras, y->nextras * sizeof(*y->extras));
		x->nextras += y->nextras;
		for (size_t i = acpus; nx > 0 && i < x->ncpus; i++)
			for (size_t j = 0; j < x->cpus[i].nbases; j++)
				for (size_t k = 0; k < x->cpus[i].bases[j].ntimers; k++)
					if (x->cpus[i].bases[j].timers[k].extra != 0)
						x->cpus[i].bases[j].timers[k].extra += (uint32_t)nx;
	}
	if (y->broadcast_mask != NULL)		/* the last mask line wins */
		x->broadcast_mask = y->broadcast_mask;
	if (y->broadcast_oneshot_mask != NULL)
		x->broadcast_oneshot_mask = y->broadcast_oneshot_mask;
	for (size_t i = 0; i < y->nunknown; i++) {
		if (x->nunknown >= TD_TL_MAX_UNKNOWN)
			break;
		if (x->unknown == NULL &&
		    (x->unknown = calloc(TD_TL_MAX_UNKNOWN, sizeof(*x->unknown))) == NULL)
			return false;
		x->unknown[x->nunknown] = y->unknown[i];
		x->unknown[x->nunknown++].line += x->nlines;
	}
	x->nunknown_total += y->nunknown_total;
	x->nelided += y->nelided;
	if (a->first_line == 0 && b->first_line != 0)
		a->first_line = x->nlines + b->first_line;
	x->nlines += y->nlines;
	x->from_log |= y->from_log;
	a->any |= b->any;
	a->ibase = -1;
	a->pending_devname = b->pending_devname;
	/* b's strings and timers stay where they are: a's pool keeps b's */
	for (pool = x->pool; pool->next != NULL; pool = pool->next)
		;
	pool->next = y->pool;
	y->pool = NULL;
	return true;
}

/*
 * Parse in two parts: a buffer (fd < 0) or a regular file of size len, with
 * flags TD_TL_*.  Returns 1 with *out set (or the error), 0 when the input is
 * parsed in one pass instead.
 */
static int
tl_parse_parts(const char *buf, int fd, size_t len, const char *name, bool fast,
    unsigned flags, struct td_timer_list **out, struct td_error *e, int *ret)
{
	struct tl_part part[2];
	pthread_t th;
	char win[TL_CUT_WINDOW];
	size_t cut = 0, from = len / 2, n;
	bool ok;

	if (buf != NULL) {
		n = len - from < TL_CUT_WINDOW ? len - from : TL_CUT_WINDOW;
		cut = tl_cut_in(buf + from - 1, n, from - 1);
	} else {
		ssize_t got = pread(fd, win, sizeof(win), (off_t)from - 1);

		if (got > 0)
			cut = tl_cut_in(win, (size_t)got, from - 1);
	}
	if (cut == 0)
		return 0;
	memset(part, 0, sizeof(part));
	for (int i = 0; i < 2; i++) {
		part[i].p.name = name;
		part[i].fast = fast;
		part[i].flags = flags;
		part[i].fd = fd;
		part[i].off = i == 0 ? 0 : (off_t)cut;
		part[i].end = i == 0 ? (off_t)cut : (off_t)len;
		if (buf != NULL) {
			part[i].buf = buf + part[i].off;
			part[i].len = (size_t)(part[i].end - part[i].off);
		}
	}
	if (pthread_create(&th, NULL, tl_part_run, &part[1]) != 0)
		return 0;
	tl_part_run(&part[0]);
	pthread_join(th, NULL);
	ok = part[0].r == 0 && part[1].r == 0 && tl_join(&part[0].p, &part[1].p);
	/* a part that read badly still has its snapshot (NULL if it got none) */
	td_timer_list_free(part[1].p.tl);
	if (!ok) {
		td_timer_list_free(part[0].p.tl);
		return 0;
	}
	*ret = td_tl_end(&part[0].p, part[1].last_nl, out, e);
	return 1;
}

/* Parse a whole timer_list held in memory. */
int
td_timer_list_parse(const char *buf, size_t len, const char *name,
    struct td_timer_list **out, struct td_error *e)
{
	return td_timer_list_parse_with(buf, len, name, true, TL_SPLIT_MIN, out, e, NULL);
}

/*
 * The parse with or without the fast paths, in parts from split bytes on;
 * *parts (if not NULL) says whether it was (tests, benchmark).
 */
int
td_timer_list_parse_with(const char *buf, size_t len, const char *name, bool fast,
    size_t split, struct td_timer_list **out, struct td_error *e, bool *parts)
{
	struct tl_parser p;
	int r;

	*out = NULL;
	if (parts != NULL)
		*parts = false;
	if (len >= split && len > 2 && tl_parse_parts(buf, -1, len, name ? name : "timer_list",
	    fast, TD_TL_TIMERS, out, e, &r)) {
		if (parts != NULL)
			*parts = true;
		return r;
	}
	if ((r = td_tl_begin(&p, name, len, TD_TL_TIMERS, e)) < 0)
		return r;
	p.fast = fast;
	return td_tl_end(&p, tl_buffer(&p, buf, len), out, e);
}

/* Parse a timer_list from a stream, a chunk at a time. */
int
td_timer_list_parse_file(FILE *f, const char *name, unsigned flags,
    struct td_timer_list **out, struct td_error *e)
{
	return td_timer_list_parse_file_with(f, name, flags, TL_SPLIT_MIN, out, e, NULL);
}

/*
 * The stream parse; a regular file from split bytes on in parts, *parts (if not
 * NULL) saying whether it was (tests, benchmark).
 */
int
td_timer_list_parse_file_with(FILE *f, const char *name, unsigned flags, size_t split,
    struct td_timer_list **out, struct td_error *e, bool *parts)
{
	struct tl_parser p;
	struct stat st;
	bool last_nl;
	size_t expect = 0;
	int r, fd = fileno(f);

	*out = NULL;
	if (parts != NULL)
		*parts = false;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		expect = (size_t)st.st_size;
	if (expect > 2 && expect >= split && ftello(f) == 0 &&
	    tl_parse_parts(NULL, fd, expect, name ? name : "timer_list", true, flags,
	    out, e, &r)) {
		fseeko(f, 0, SEEK_END);
		if (parts != NULL)
			*parts = true;
		return r;
	}
	if ((r = td_tl_begin(&p, name, expect, flags, e)) < 0)
		return r;
	if (tl_stream(&p, f, -1, 0, 0, &last_nl) < 0 && p.err == 0) {
		td_timer_list_free(p.tl);
		return td_error_set(e, EIO, p.name, 0, "read error");
	}
	return td_tl_end(&p, last_nl, out, e);
}
