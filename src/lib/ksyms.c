/* Kernel text symbols from /proc/kallsyms, looked up by address. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "internal.h"
#include "ksyms.h"
#include "timer_list_scan.h"

#define ZBLOCK		256		/* names per compressed block (td_ksyms_load) */

/* A symbol of a loaded table: offset from the lowest address, index in the file. */
struct zsym {
	uint32_t	 off;
	uint32_t	 idx;
};

/* A name asked for at load: its place in the file, and a copy. */
struct mark {
	uint32_t	 idx;
	char		*name;
};

/* Names zlib-compressed in blocks of ZBLOCK, by file order. */
struct td_ksyms {
	size_t		 n;
	uint64_t	 base, top;	/* lowest and highest symbol address */
	struct zsym	*zs;		/* by address */
	unsigned char	*z;
	size_t		*zoff;		/* start of each block in z, nblocks + 1 */
	uint32_t	*zraw;		/* uncompressed size of each block */
	size_t		 nblocks;
	char		*scratch;	/* the block last uncompressed */
	size_t		 cur;		/* its number, nblocks = none */
	struct mark	*marks;		/* the names marked at load (td_ksyms_spans) */
	size_t		 nmarks;
};

/*
 * A kallsyms text read from a FILE in small blocks (the FILE's buffer makes
 * the big reads; a pass that ends early has read little past its end), its
 * lines handed out in place, without a copy each.
 */
#define LINES_BUF	1024		/* longer lines (never kallsyms') are cut */

struct lines {
	FILE	*f;
	size_t	 start, end;	/* the bytes of buf not handed out yet */
	bool	 eof;
	char	 buf[LINES_BUF];
};

/* The next line of r (its newline left out) and its length; NULL at the end. */
static const char *
next_line(struct lines *r, size_t *len)
{
	for (;;) {
		const char *b = r->buf + r->start;
		const char *nl = memchr(b, '\n', r->end - r->start);
		size_t got;

		if (nl != NULL || (r->eof && r->end > r->start) ||
		    (r->start == 0 && r->end == LINES_BUF)) {
			/* a whole line, the last one, or one longer than the buffer (cut) */
			*len = nl != NULL ? (size_t)(nl - b) : r->end - r->start;
			r->start += *len + (nl != NULL);
			return b;
		}
		if (r->eof)
			return NULL;
		memmove(r->buf, b, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
		got = fread(r->buf + r->end, 1, LINES_BUF - r->end, r->f);
		r->end += got;
		if (got == 0)
			r->eof = true;
	}
}

/*
 * The address that starts a kallsyms line: hex digits, sixteen at once on a
 * 64-bit kernel's line (timer_list_scan.h's reader: as td_parse_hex reads
 * them).  *q moves past it; -errno when there is none.
 */
static int
line_addr(const char **q, const char *le, uint64_t *addr)
{
	return tl_hex(q, le, addr);
}

/*
 * Parse one kallsyms line of len bytes: true for a text symbol (t, T, w, W)
 * with a non-zero address; *name and *nlen its name, *mod whether a
 * module's ("\t[mod]").
 */
static bool
text_symbol(const char *line, size_t len, uint64_t *addr, const char **name, size_t *nlen,
    bool *mod)
{
	const char *q = line, *le = line + len, *n, *sp;
	char type;

	/* A 64-bit kernel's line of another type: not a number read (most lines). */
	if (len > 18 && line[16] == ' ' && line[18] == ' ' && line[17] != 't' &&
	    line[17] != 'T' && line[17] != 'w' && line[17] != 'W')
		return false;
	if (line_addr(&q, le, addr) < 0 || q + 3 >= le || *q != ' ')
		return false;
	type = q[1];
	if ((type != 't' && type != 'T' && type != 'w' && type != 'W') || q[2] != ' ' ||
	    *addr == 0)
		return false;
	*name = q + 3;
	/*
	 * A kernel symbol's line ends with its name (names have no blanks): no
	 * search (120,000 lines).  Else the name ends at a blank or a tab (a
	 * module's "\t[mod]").
	 */
	if (le[-1] != ']') {
		*nlen = (size_t)(le - *name);
		*mod = false;
		return true;
	}
	n = memchr(*name, '\t', (size_t)(le - *name));
	if (n == NULL)
		n = le;
	if ((sp = memchr(*name, ' ', (size_t)(n - *name))) != NULL)
		n = sp;
	if ((*nlen = (size_t)(n - *name)) == 0)
		return false;
	*mod = memchr(n, '[', (size_t)(le - n)) != NULL;
	return true;
}

/* Free a symbol table; NULL is fine. */
void
td_ksyms_free(struct td_ksyms *k)
{
	if (k == NULL)
		return;
	free(k->zs);
	free(k->z);
	free(k->zoff);
	free(k->zraw);
	free(k->scratch);
	for (size_t i = 0; i < k->nmarks; i++)
		free(k->marks[i].name);
	free(k->marks);
	free(k);
}

/* Number of symbols kept. */
size_t
td_ksyms_count(const struct td_ksyms *k)
{
	return k ? k->n : 0;
}

/*
 * Whether name starts with one of the prefixes (a NULL-terminated list):
 * asked of every symbol at load, so each prefix is walked once and left at
 * its first differing character (most names differ at the first).
 */
static bool
has_prefix(const char *name, const char *const *prefixes)
{
	for (; *prefixes != NULL; prefixes++) {
		const char *p = *prefixes, *q = name;

		while (*p != '\0' && *p == *q) {
			p++;
			q++;
		}
		if (*p == '\0')
			return true;
	}
	return false;
}

/* Keep a copy of name, the idx-th of the file, for td_ksyms_spans; -ENOMEM. */
static int
add_mark(struct td_ksyms *k, uint32_t idx, const char *name)
{
	struct mark *m;

	if ((m = reallocarray(k->marks, k->nmarks + 1, sizeof(*m))) == NULL)
		return -ENOMEM;
	k->marks = m;
	if ((m[k->nmarks].name = strdup(name)) == NULL)
		return -ENOMEM;
	m[k->nmarks++].idx = idx;
	return 0;
}

/* Order loaded symbols by address, then by place in the file. */
static int
zsym_cmp(const void *a, const void *b)
{
	const struct zsym *x = a, *y = b;

	if (x->off != y->off)
		return (x->off > y->off) - (x->off < y->off);
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * Compress the raw names of one block with zs (a zlib stream of the whole load:
 * one deflate state, not one allocated and freed a block) and append it.
 */
static int
zflush(struct td_ksyms *k, z_stream *zs, const char *raw, size_t rawlen, size_t *zcap)
{
	uLong zl = deflateBound(zs, (uLong)rawlen);
	size_t *no;
	uint32_t *nr;

	while (k->zoff[k->nblocks] + zl > *zcap) {
		size_t nc = *zcap ? *zcap * 2 : 1 << 16;
		unsigned char *nz = realloc(k->z, nc);

		if (nz == NULL)
			return -ENOMEM;
		k->z = nz;
		*zcap = nc;
	}
	zs->next_in = (Bytef *)(uintptr_t)raw;
	zs->avail_in = (uInt)rawlen;
	zs->next_out = k->z + k->zoff[k->nblocks];
	zs->avail_out = (uInt)zl;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END)
		return -EIO;
	zl = zs->total_out;
	if (deflateReset(zs) != Z_OK)
		return -EIO;
	if ((no = reallocarray(k->zoff, k->nblocks + 2, sizeof(*no))) == NULL)
		return -ENOMEM;
	k->zoff = no;
	if ((nr = reallocarray(k->zraw, k->nblocks + 1, sizeof(*nr))) == NULL)
		return -ENOMEM;
	k->zraw = nr;
	k->zraw[k->nblocks] = (uint32_t)rawlen;
	k->zoff[k->nblocks + 1] = k->zoff[k->nblocks] + zl;
	k->nblocks++;
	return 0;
}

/*
 * Load the text symbols of a kallsyms text read from f into a compact table:
 * 32-bit address offsets and names compressed in blocks, about a third of
 * the text's size; the names starting with one of mark (NULL: none) also
 * kept whole, for td_ksyms_spans.  All-zero addresses give an empty table.
 */
int
td_ksyms_load(FILE *f, const char *const *mark, struct td_ksyms **out, struct td_error *e)
{
	struct td_ksyms *k;
	uint64_t *addr = NULL;
	size_t n = 0, cap = 0, rawlen = 0, zcap = 0, maxraw = 0, len;
	char raw[ZBLOCK * 128 + 1024];
	struct lines rd = { .f = f };
	const char *line;
	long lineno = 0;
	int r = -ENOMEM;
	z_stream zs;		/* deflateEnd() of one never started or ended is a no-op */

	*out = NULL;
	memset(&zs, 0, sizeof(zs));
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->zoff = calloc(1, sizeof(*k->zoff))) == NULL)
		goto fail;
	if (deflateInit(&zs, Z_BEST_SPEED) != Z_OK)
		goto fail;
	while ((line = next_line(&rd, &len)) != NULL) {
		const char *name;
		uint64_t a;
		size_t nl;
		bool mod;

		lineno++;
		if (!text_symbol(line, len, &a, &name, &nl, &mod))
			continue;
		if (nl > 511)
			nl = 511;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 4096;
			uint64_t *na = reallocarray(addr, nc, sizeof(*na));

			if (na == NULL)
				goto fail;
			addr = na;
			cap = nc;
		}
		addr[n++] = a;
		memcpy(raw + rawlen, name, nl);
		rawlen += nl;
		raw[rawlen++] = '\0';
		if (mark != NULL && has_prefix(raw + rawlen - nl - 1, mark) &&
		    add_mark(k, (uint32_t)(n - 1), raw + rawlen - nl - 1) < 0)
			goto fail;
		if (n % ZBLOCK == 0 || rawlen + 512 + ZBLOCK > sizeof(raw)) {
			/* A block is full: its last name is the one just added. */
			if (n % ZBLOCK != 0) {
				/* Too long names: pad the block with empty names. */
				while (n % ZBLOCK != 0) {
					if (n == cap) {
						size_t nc = cap * 2;
						uint64_t *na = reallocarray(addr, nc, sizeof(*na));

						if (na == NULL)
							goto fail;
						addr = na;
						cap = nc;
					}
					addr[n++] = 0;
					raw[rawlen++] = '\0';
				}
			}
			if ((r = zflush(k, &zs, raw, rawlen, &zcap)) < 0)
				goto fail;
			maxraw = rawlen > maxraw ? rawlen : maxraw;
			rawlen = 0;
			r = -ENOMEM;
		}
	}
	if (rawlen > 0) {
		if ((r = zflush(k, &zs, raw, rawlen, &zcap)) < 0)
			goto fail;
		maxraw = rawlen > maxraw ? rawlen : maxraw;
		r = -ENOMEM;
	}
	deflateEnd(&zs);
	k->base = UINT64_MAX;
	for (size_t i = 0; i < n; i++)
		if (addr[i] != 0) {
			k->base = addr[i] < k->base ? addr[i] : k->base;
			k->top = addr[i] > k->top ? addr[i] : k->top;
		}
	if (n > 0 && (k->zs = calloc(n, sizeof(*k->zs))) == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (addr[i] != 0 && addr[i] - k->base <= UINT32_MAX) {
			k->zs[k->n].off = (uint32_t)(addr[i] - k->base);
			k->zs[k->n].idx = (uint32_t)i;
			k->n++;
		}
	free(addr);
	addr = NULL;
	if (k->n > 1)
		qsort(k->zs, k->n, sizeof(*k->zs), zsym_cmp);
	if (k->nblocks > 0) {
		unsigned char *nz = realloc(k->z, k->zoff[k->nblocks]);

		if (nz != NULL)
			k->z = nz;
	}
	if ((k->scratch = malloc(maxraw + 1)) == NULL)
		goto fail;
	k->cur = k->nblocks;
	*out = k;
	return 0;
fail:
	deflateEnd(&zs);
	free(addr);
	td_ksyms_free(k);
	return td_error_set(e, -r, NULL, lineno, r == -EIO ? "cannot compress names" :
	    "out of memory");
}

/*
 * The symbol containing addr in a table from td_ksyms_load, or NULL; the
 * name is valid until the next call.
 */
const char *
td_ksyms_name(struct td_ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi, idx, b;
	uLongf rl;
	const char *p;
	uint32_t off;

	if (k == NULL || k->zs == NULL || k->n == 0 || addr < k->base ||
	    addr - k->base > UINT32_MAX)
		return NULL;
	off = (uint32_t)(addr - k->base);
	if (off < k->zs[0].off)
		return NULL;
	hi = k->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->zs[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	/* Past the last symbol by more than 1 MiB: not in the kernel's text. */
	if (lo == k->n - 1 && off - k->zs[lo].off > (1u << 20))
		return NULL;
	while (lo > 0 && k->zs[lo - 1].off == k->zs[lo].off)
		lo--;		/* several names: the first in the file */
	idx = k->zs[lo].idx;
	b = idx / ZBLOCK;
	if (b >= k->nblocks)
		return NULL;
	if (k->cur != b) {
		rl = k->zraw[b];
		if (uncompress((Bytef *)k->scratch, &rl, k->z + k->zoff[b],
		    (uLong)(k->zoff[b + 1] - k->zoff[b])) != Z_OK) {
			k->cur = k->nblocks;
			return NULL;
		}
		k->scratch[rl] = '\0';
		k->cur = b;
	}
	p = k->scratch;
	for (size_t i = idx % ZBLOCK; i > 0; i--)
		p += strlen(p) + 1;
	return p;
}

/* Order 32-bit numbers. */
static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * The address spans [start, end) of the symbols marked at load whose names
 * start with one of prefixes (NULL-terminated): at most max, in address
 * order.  Returns how many, or -errno.
 */
int
td_ksyms_spans(struct td_ksyms *k, const char *const *prefixes, struct td_ksym_span *out,
    size_t max)
{
	uint32_t *hit = NULL;
	size_t nhit = 0, cap = 0, n = 0;

	if (k == NULL || k->zs == NULL)
		return 0;
	/* The marked names wanted, by their place in the file. */
	for (size_t i = 0; i < k->nmarks; i++) {
		uint32_t *nh;

		if (!has_prefix(k->marks[i].name, prefixes))
			continue;
		if (nhit == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nh = reallocarray(hit, cap, sizeof(*hit))) == NULL) {
				free(hit);
				return -ENOMEM;
			}
			hit = nh;
		}
		hit[nhit++] = k->marks[i].idx;
	}
	if (nhit == 0)
		return 0;	/* none: bsearch may not be given an empty array */
	if (nhit > 1)
		qsort(hit, nhit, sizeof(*hit), u32_cmp);
	/* Their addresses, and where the next symbol begins. */
	for (size_t i = 0; i + 1 < k->n && n < max; i++) {
		if (bsearch(&k->zs[i].idx, hit, nhit, sizeof(*hit), u32_cmp) == NULL ||
		    (n > 0 && out[n - 1].start == k->base + k->zs[i].off))
			continue;	/* not wanted, or an alias of the last one */
		out[n].start = k->base + k->zs[i].off;
		out[n].end = 0;
		for (size_t j = i + 1; j < k->n; j++)
			if (k->zs[j].off != k->zs[i].off) {
				out[n].end = k->base + k->zs[j].off;
				break;
			}
		if (out[n].end > out[n].start)
			n++;
	}
	free(hit);
	return (int)n;
}

#define RESOLVE_NAME	256		/* longest name kept by td_ksyms_resolve */
/*
 * How far past the first name found td_ksyms_resolve looks for the others:
 * they are of one source file (the tick's callbacks: kernel/time/tick-sched.c,
 * some 20 KiB of text), so 256 KiB leaves room; a pass of a short sample
 * stops there (1 MiB read 5,000 more lines of kallsyms, a fifth of the pass).
 */
#define WANT_SPAN	((uint64_t)256 << 10)

/* Index of the first of the n sorted addresses at or above a. */
static size_t
lower_bound(const uint64_t *addr, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Whether a pass may stop at a line of address a: the kernel's own symbols
 * come first, sorted by address, then the modules'; while the lines are the
 * kernel's and ascending, none further on lies in [first, a).  *first and *sorted
 * carry the state from line to line (start with 0 and true).
 */
static bool
past(uint64_t a, bool mod, uint64_t *first, uint64_t *prev, bool *sorted)
{
	if (mod || a < *prev)
		*sorted = false;
	if (*first == 0)
		*first = a;
	*prev = a;
	return *sorted;
}

/*
 * One pass over a kallsyms text read from f that names n addresses (sorted,
 * ascending): names[i] is a malloc'd copy of the text symbol containing
 * addr[i], or NULL; and finds the addresses of nwant function names (found[i],
 * 0 when absent).  Returns the number of text symbols seen with a non-zero
 * address.  Bucket i holds the highest symbol in (addr[i-1], addr[i]]; the
 * symbol of addr[j] is then that of the last non-empty bucket at or before j.
 * Among the kernel's sorted symbols the pass ends once past the last address
 * and WANT_SPAN past the first name found (the names asked for are of one
 * source file).
 */
int
td_ksyms_resolve(FILE *f, const uint64_t *addr, size_t n, char **names,
    const char *const *want, size_t nwant, uint64_t *found, struct td_error *e)
{
	uint64_t *best = NULL, top = 0, first = 0, prev = 0, hit = 0, lens = 0;
	struct lines rd = { .f = f };
	size_t *wlen = NULL, len;
	char *bname = NULL;
	const char *line;
	bool sorted = true;
	int nsyms = 0;
	size_t last, at = 0;	/* at: the first address not below the last line's */

	for (size_t i = 0; i < n; i++)
		names[i] = NULL;
	for (size_t i = 0; i < nwant; i++)
		found[i] = 0;
	if (n == 0 && nwant == 0)
		return 0;
	if (n > 0) {
		best = calloc(n, sizeof(*best));
		bname = malloc(n * RESOLVE_NAME);
	}
	if (nwant > 0 && (wlen = calloc(nwant, sizeof(*wlen))) != NULL)
		for (size_t i = 0; i < nwant; i++) {
			wlen[i] = strlen(want[i]);
			/* The lengths asked for, below 64: a line's name is looked at only then. */
			lens |= wlen[i] < 64 ? (uint64_t)1 << wlen[i] : ~(uint64_t)0;
		}
	if ((n > 0 && (best == NULL || bname == NULL)) || (nwant > 0 && wlen == NULL)) {
		free(best);
		free(bname);
		free(wlen);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	while ((line = next_line(&rd, &len)) != NULL) {
		const char *name;
		uint64_t a;
		size_t i, nl;
		bool mod;

		if (!text_symbol(line, len, &a, &name, &nl, &mod))
			continue;
		nsyms++;
		if (a > top)
			top = a;
		if (past(a, mod, &first, &prev, &sorted) &&
		    (n == 0 || (first <= addr[0] && a > addr[n - 1])) &&
		    (nwant == 0 || (hit != 0 && a - hit > WANT_SPAN)))
			break;
		for (i = 0; (nl >= 64 ? lens == ~(uint64_t)0 : (lens >> nl & 1)) && i < nwant; i++)
			if (found[i] == 0 && wlen[i] == nl && memcmp(want[i], name, nl) == 0) {
				found[i] = a;
				if (hit == 0)
					hit = a;
			}
		if (n == 0)
			continue;
		/* Lines in address order move at forward; others search. */
		if (at < n && (at == 0 || addr[at - 1] < a))
			while (at < n && addr[at] < a)
				at++;
		else
			at = lower_bound(addr, n, a);
		if ((i = at) == n || a <= best[i])
			continue;
		if (nl >= RESOLVE_NAME)
			nl = RESOLVE_NAME - 1;
		best[i] = a;
		memcpy(bname + i * RESOLVE_NAME, name, nl);
		bname[i * RESOLVE_NAME + nl] = '\0';
	}
	for (size_t j = 0, k = n; j < n; j++) {
		if (best[j] != 0)
			k = j;
		last = k;
		/* Past the last symbol by more than 1 MiB: not in the kernel's text. */
		if (last == n || (addr[j] >= top && addr[j] - best[last] > (1u << 20)))
			continue;
		if ((names[j] = strdup(bname + last * RESOLVE_NAME)) == NULL) {
			for (size_t x = 0; x < j; x++)
				free(names[x]), names[x] = NULL;
			free(wlen);
			free(best);
			free(bname);
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
		}
	}
	free(wlen);
	free(best);
	free(bname);
	return nsyms;
}
