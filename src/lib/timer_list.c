/*
 * /proc/timer_list's grammar: every format from v0.3 to v0.11, SysRq-Q copies
 * of it in kernel logs, fragments and truncated files, one line at a time
 * (td_tl_line), with fast paths for the two lines that make up nearly all of a
 * big file.  How the text reaches it (a buffer, a stream, two parts at once) is
 * timer_list_parts.c's; the SIMD/SWAR number scanners are timer_list_scan.h's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "internal.h"
#include "source.h"
#include "strpool.h"
#include "test_hooks.h"
#include "timer_list.h"
#include "timer_list_parser.h"
#include "timer_list_scan.h"

/* Bounds on what one input can make us keep (the kernel's own limits, generously). */
#define TL_MAX_BASES		64		/* HRTIMER_MAX_CLOCK_BASES is 8 */
#define TL_MAX_DEVS		(TL_MAX_CPUS + 64)
/* Kept text of an unknown line. */
#define TL_UNKNOWN_TEXT		200

const char *const td_tl_cpu_field_names[TD_TLC_COUNT] = {
	"expires_next", "hres_active", "nr_events", "nr_retries", "nr_hangs",
	"max_hang_time", "nohz_mode", "nohz", "highres", "idle_tick", "last_tick",
	"tick_stopped", "idle_jiffies", "idle_calls", "idle_sleeps", "idle_entrytime",
	"idle_waketime", "idle_exittime", "idle_sleeptime", "iowait_sleeptime",
	"last_jiffies", "next_jiffies", "next_timer", "idle_expires", "jiffies",
};

const char *const td_tl_dev_num_names[TD_TLD_NUM_COUNT] = {
	"max_delta_ns", "min_delta_ns", "mult", "shift", "mode", "next_event", "retries",
};

const char *const td_tl_dev_fn_names[TD_TLD_FN_COUNT] = {
	"set_next_event", "set_mode", "shutdown", "periodic", "oneshot",
	"oneshot_stopped", "resume", "event_handler",
};

/* A NUL byte in line: the input is not text, and the parse fails there. */
void
td_tl_nul(struct tl_parser *p, long line)
{
	if (p->err == 0) {
		p->err = EILSEQ;
		p->err_line = line;
	}
}

/* Report a broken allocation once; the parse then fails with -ENOMEM. */
void
td_tl_nomem(struct tl_parser *p)
{
	if (p->err == 0)
		p->err = ENOMEM;
}

/* Trim blanks (and CR) at both ends of [*s, *end). */
static void
tl_trim(const char **s, const char **end)
{
	const char *a = *s, *b = *end;

	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
		b--;
	*s = a;
	*end = b;
}

/*
 * Intern [s, s + n).  Strings of 24 bytes or less (most function names, comms)
 * are first looked up by content in a small direct-mapped cache: three
 * overlapping words and the length identify them exactly.
 */
static inline const char *
tl_intern_n(struct tl_parser *p, const char *s, size_t n)
{
	struct tl_icache *c = NULL;
	uint64_t w[3] = { 0, 0, 0 };
	const char *r;

	if (n <= 24) {
		if (n >= 8) {
			memcpy(&w[0], s, 8);
			memcpy(&w[1], s + (n >= 16 ? 8 : n - 8), 8);
			memcpy(&w[2], s + n - 8, 8);
		} else
			memcpy(&w[0], s, n);
		c = &p->icache[((w[0] ^ w[2] ^ n) * 0x9e3779b97f4a7c15ull) >> 58];
		if (c->s != NULL && c->len == n && c->w[0] == w[0] && c->w[1] == w[1] &&
		    c->w[2] == w[2])
			return c->s;
	}
	r = td_strpool_intern(&p->tl->pool->sp, s, n);
	if (r == NULL) {
		td_tl_nomem(p);
		return NULL;
	}
	if (c != NULL) {
		memcpy(c->w, w, sizeof(w));
		c->len = n;
		c->s = r;
	}
	return r;
}

/* Intern a string of the input, trimmed. */
static const char *
tl_intern(struct tl_parser *p, const char *s, const char *end)
{
	tl_trim(&s, &end);
	return tl_intern_n(p, s, (size_t)(end - s));
}

/* Keep a line we did not understand (the first TD_TL_MAX_UNKNOWN of them). */
static void
tl_unknown(struct tl_parser *p, long line, const char *s, const char *end)
{
	struct td_timer_list *tl = p->tl;
	struct td_tl_unknown *u;
	size_t n = (size_t)(end - s);

	tl->nunknown_total++;
	if (tl->nunknown >= TD_TL_MAX_UNKNOWN)
		return;
	if (tl->unknown == NULL) {
		tl->unknown = calloc(TD_TL_MAX_UNKNOWN, sizeof(*tl->unknown));
		if (tl->unknown == NULL) {
			td_tl_nomem(p);
			return;
		}
	}
	if (n > TL_UNKNOWN_TEXT)
		n = TL_UNKNOWN_TEXT;
	u = &tl->unknown[tl->nunknown];
	u->line = line;
	u->text = td_strpool_dup(&tl->pool->sp, s, n);
	if (u->text == NULL) {
		td_tl_nomem(p);
		return;
	}
	tl->nunknown++;
}

/* Parse a decimal int at *q (blanks skipped first); false if absent or out of range. */
static bool
tl_int(const char **q, const char *end, int *out)
{
	int64_t v;

	*q = tl_ws(*q, end);
	if (tl_i64(q, end, &v) < 0 || v < INT_MIN || v > INT_MAX)
		return false;
	*out = (int)v;
	return true;
}

/*
 * Parse "N[ nsecs]" up to the end of the line: the value of a "name: value" field.
 * False (field absent) when the number is missing, overflows or is followed by text.
 */
static bool
tl_value(const char *q, const char *end, int64_t *out)
{
	int64_t v;

	q = tl_ws(q, end);
	if (tl_i64(&q, end, &v) < 0)
		return false;
	q = tl_ws(q, end);
	if (TL_HAS(q, end, "nsecs"))
		q = tl_ws(q + 5, end);
	if (q != end)
		return false;
	*out = v;
	return true;
}

/* True when [s, end) is exactly word. */
static bool
tl_eq(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - s) == n && memcmp(s, word, n) == 0;
}

/* Close the open base: its timer run in the arena ends here. */
void
td_tl_close_base(struct tl_parser *p)
{
	struct td_tl_base *b;

	if (p->ibase < 0)
		return;
	b = &p->tl->cpus[p->icpu].bases[p->ibase];
	p->ibase = -1;
	p->timercap = 0;
	if (b->ntimers > 0)
		td_arena_close(&p->tl->pool->timers, b->ntimers * sizeof(*b->timers));
}

/* End the current CPU block (its jiffies: line or the next block was reached). */
void
td_tl_close_cpu(struct tl_parser *p, bool complete)
{
	td_tl_close_base(p);
	if (p->icpu >= 0 && complete)
		p->tl->cpus[p->icpu].complete = true;
}

/* Start the block of CPU n (-1: a fragment's first block, its "cpu: N" line cut off). */
static bool
tl_new_cpu(struct tl_parser *p, int n)
{
	struct td_timer_list *tl = p->tl;
	struct td_tl_cpu *c;

	td_tl_close_cpu(p, true);
	p->icpu = -1;
	if (tl->ncpus >= TL_MAX_CPUS)
		return false;
	if (tl->ncpus == p->cpucap) {
		size_t cap = p->cpucap ? p->cpucap * 2 : 8;

		c = reallocarray(tl->cpus, cap, sizeof(*c));
		if (c == NULL) {
			td_tl_nomem(p);
			return true;
		}
		tl->cpus = c;
		p->cpucap = cap;
	}
	c = &tl->cpus[tl->ncpus];
	memset(c, 0, sizeof(*c));
	c->cpu = n;
	p->icpu = (long)tl->ncpus++;
	p->basecap = 0;
	return true;
}

/* "cpu: N": start a CPU block. */
static bool
tl_cpu_line(struct tl_parser *p, const char *q, const char *end)
{
	int n;

	q += 4;
	if (!tl_int(&q, end, &n) || n < 0 || tl_ws(q, end) != end)
		return false;
	return tl_new_cpu(p, n);
}

/* Start clock base n in the current CPU block. */
static bool
tl_new_base(struct tl_parser *p, int n)
{
	struct td_tl_cpu *c;
	struct td_tl_base *b;

	td_tl_close_base(p);
	c = &p->tl->cpus[p->icpu];
	if (c->nbases >= TL_MAX_BASES)
		return false;
	if (c->nbases == p->basecap) {
		size_t cap = p->basecap ? p->basecap * 2 : 8;

		b = reallocarray(c->bases, cap, sizeof(*b));
		if (b == NULL) {
			td_tl_nomem(p);
			return true;
		}
		c->bases = b;
		p->basecap = cap;
	}
	b = &c->bases[c->nbases];
	memset(b, 0, sizeof(*b));
	b->clock = n;
	b->index = -1;
	p->ibase = (long)c->nbases++;
	return true;
}

/*
 * A fragment that starts inside a CPU block (no "cpu: N" line before its clock
 * bases, CPU fields or timers) gets a CPU numbered -1, and a clock base
 * numbered -1 when it starts among the base's fields or timers.  Only at the
 * start: nothing else of the file may come before.
 */
static bool
tl_implicit(struct tl_parser *p, bool base)
{
	if (p->icpu >= 0 || p->tl->ncpus > 0 || p->tl->ndevs > 0 || !tl_new_cpu(p, -1) ||
	    p->icpu < 0)
		return false;
	return !base || tl_new_base(p, -1);
}

/* " clock N:": start a clock base in the current CPU block. */
static bool
tl_clock_line(struct tl_parser *p, const char *q, const char *end)
{
	int n;

	q += 6;
	if (!tl_int(&q, end, &n) || q >= end || *q != ':' || tl_ws(q + 1, end) != end)
		return false;
	if (p->icpu < 0 && !tl_implicit(p, false))
		return false;
	return tl_new_base(p, n);
}

/* A ".name: value" line: a clock-base field or a CPU-wide field. */
static bool
tl_dot_line(struct tl_parser *p, const char *q, const char *end)
{
	const char *name = q + 1, *nend, *colon;
	struct td_tl_cpu *c;
	struct td_tl_base *b;
	int64_t v;
	size_t i;

	colon = memchr(name, ':', (size_t)(end - name));
	if (colon == NULL)
		return false;
	nend = colon;
	while (nend > name && (nend[-1] == ' ' || nend[-1] == '\t'))
		nend--;
	if (p->icpu < 0) {
		bool base = tl_eq(name, nend, "base") || tl_eq(name, nend, "index") ||
		    tl_eq(name, nend, "resolution") || tl_eq(name, nend, "offset") ||
		    tl_eq(name, nend, "get_time");

		for (i = 0; !base && i < TD_TLC_JIFFIES; i++)
			if (tl_eq(name, nend, td_tl_cpu_field_names[i]))
				break;
		if (i == TD_TLC_JIFFIES || !tl_implicit(p, base))
			return false;
	}
	c = &p->tl->cpus[p->icpu];
	if (p->ibase >= 0) {
		b = &c->bases[p->ibase];
		if (tl_eq(name, nend, "base"))
			return true;		/* a pointer, useless to us */
		if (tl_eq(name, nend, "index")) {
			int n;

			q = colon + 1;
			if (!tl_int(&q, end, &n) || tl_ws(q, end) != end)
				return false;
			b->index = n;
			b->present |= TD_TLB_INDEX;
			return true;
		}
		if (tl_eq(name, nend, "resolution")) {
			if (!tl_value(colon + 1, end, &b->resolution_ns))
				return false;
			b->present |= TD_TLB_RESOLUTION;
			return true;
		}
		if (tl_eq(name, nend, "offset")) {
			if (!tl_value(colon + 1, end, &b->offset_ns))
				return false;
			b->present |= TD_TLB_OFFSET;
			return true;
		}
		if (tl_eq(name, nend, "get_time")) {
			b->get_time = tl_intern(p, colon + 1, end);
			b->present |= TD_TLB_GET_TIME;
			return true;
		}
	}
	for (i = 0; i < TD_TLC_JIFFIES; i++)
		if (tl_eq(name, nend, td_tl_cpu_field_names[i]))
			break;
	if (i == TD_TLC_JIFFIES)
		return false;
	td_tl_close_base(p);
	if (!tl_value(colon + 1, end, &v))
		return false;		/* absurd or garbled: absent, line kept aside */
	c->f[i] = v;
	c->present |= 1u << i;
	return true;
}

/* The open base's newest timer, or NULL. */
static TL_INLINE struct td_tl_timer *
tl_last_timer(struct tl_parser *p)
{
	struct td_tl_base *b;

	if (p->icpu < 0 || p->ibase < 0)
		return NULL;
	b = &p->tl->cpus[p->icpu].bases[p->ibase];
	if (b->ntimers == 0)
		return NULL;
	return p->counting ? &p->scratch : &b->timers[b->ntimers - 1];
}

/* A new timer at the end of the open base (which the caller checked), or NULL; not zeroed. */
static inline struct td_tl_timer *
tl_new_timer(struct tl_parser *p)
{
	struct td_tl_base *b = &p->tl->cpus[p->icpu].bases[p->ibase];
	struct td_tl_timer *t;

	if (p->counting) {
		b->ntimers++;
		return &p->scratch;
	}
	if (b->ntimers == p->timercap) {
		size_t cap = p->timercap ? p->timercap * 2 : 16;

		t = td_arena_grow(&p->tl->pool->timers, b->ntimers * sizeof(*t),
		    cap * sizeof(*t));
		if (t == NULL) {
			td_tl_nomem(p);
			return NULL;
		}
		b->timers = t;
		p->timercap = cap;
	}
	return &b->timers[b->ntimers++];
}

/* Zero a new record's tail (extra, state, flags, padding) in one store; set its state. */
static inline void
tl_timer_tail_init(struct td_tl_timer *t, uint8_t state)
{
	memset(&t->extra, 0, sizeof(*t) - offsetof(struct td_tl_timer, extra));
	t->state = state;
	t->has_state = true;
}

/* The extra fields of a timer, added on first use; NULL without memory. */
static struct td_tl_timer_extra *
tl_extra(struct tl_parser *p, struct td_tl_timer *t)
{
	struct td_timer_list *tl = p->tl;
	struct td_tl_timer_extra *x;

	if (p->counting) {
		if (t->extra == 0) {
			p->xscratch = (struct td_tl_timer_extra){ .pid = -1 };
			t->extra = 1;
		}
		return &p->xscratch;
	}
	if (t->extra != 0)
		return &tl->extras[t->extra - 1];
	if (tl->nextras == p->extracap) {
		size_t cap = p->extracap ? p->extracap * 2 : 16;

		if (cap > UINT32_MAX ||
		    (x = reallocarray(tl->extras, cap, sizeof(*x))) == NULL) {
			td_tl_nomem(p);
			return NULL;
		}
		tl->extras = x;
		p->extracap = cap;
	}
	x = &tl->extras[tl->nextras++];
	x->symbol = x->start_site = x->comm = NULL;
	x->pid = -1;
	t->extra = (uint32_t)tl->nextras;
	return x;
}

/* ", S:01[, start_site, comm/pid]": the tail of a timer line. */
static void
tl_timer_tail(struct tl_parser *p, struct td_tl_timer *t, const char *q, const char *end)
{
	struct td_tl_timer_extra *x;
	const char *comma, *slash, *r;
	uint64_t st;
	int64_t pid;

	q = tl_ws(q, end);
	if (!TL_HAS(q, end, "S:"))
		return;
	q += 2;
	if (tl_hex(&q, end, &st) < 0 || st > 0xff)
		return;
	t->state = (unsigned)st;
	t->has_state = true;
	q = tl_ws(q, end);
	if (q >= end || *q != ',')
		return;
	q++;
	comma = memchr(q, ',', (size_t)(end - q));
	if (comma == NULL || (x = tl_extra(p, t)) == NULL)
		return;
	x->start_site = tl_intern(p, q, comma);
	q = comma + 1;
	r = end;
	tl_trim(&q, &r);
	/* comm may hold '/' and blanks: the pid follows the last '/'. */
	for (slash = r; slash > q && slash[-1] != '/'; slash--)
		;
	if (slash > q) {
		const char *d = slash;

		if (tl_i64(&d, r, &pid) == 0 && d == r && pid >= 0 && pid <= INT_MAX) {
			x->comm = tl_intern(p, q, slash - 1);
			x->pid = (int)pid;
			return;
		}
	}
	x->comm = tl_intern(p, q, r);
}

/* " #N: <addr>, fn, S:01[, site, comm/pid]": a timer of the open base. */
static bool
tl_timer_line(struct tl_parser *p, const char *q, const char *end)
{
	struct td_tl_timer *t;
	const char *a, *aend, *comma;
	uint64_t n;

	q++;
	if (tl_u64(&q, end, &n) < 0 || q >= end || *q != ':')
		return false;
	q++;
	if (p->icpu < 0 && !tl_implicit(p, true))
		return false;
	if (p->ibase < 0)
		return false;
	if ((t = tl_new_timer(p)) == NULL)
		return true;
	memset(t, 0, sizeof(*t));

	comma = memchr(q, ',', (size_t)(end - q));
	a = q;
	aend = comma ? comma : end;
	tl_trim(&a, &aend);
	if (aend - a >= 2 && *a == '<' && aend[-1] == '>') {
		const char *h = a + 1, *hend = aend - 1;
		uint64_t addr;

		tl_trim(&h, &hend);
		/* <hex>; zeroed, hashed and <pK-error> pointers give 0 */
		if (tl_hex(&h, hend, &addr) == 0 && h == hend)
			t->addr = addr;
	} else if (aend > a) {
		struct td_tl_timer_extra *x = tl_extra(p, t);

		if (x != NULL)
			x->symbol = tl_intern(p, a, aend);
	}
	if (comma == NULL)
		return true;
	q = comma + 1;
	comma = memchr(q, ',', (size_t)(end - q));
	t->function = tl_intern(p, q, comma ? comma : end);
	if (comma != NULL)
		tl_timer_tail(p, t, comma + 1, end);
	return true;
}

/* A relative expiry: signed, but v0.3 printed it with %Lu (2^64 - x). */
static inline int
tl_rel(const char **q, const char *end, int64_t *out)
{
	const char *s = *q;
	uint64_t u;

	if (tl_i64(q, end, out) == 0)
		return 0;
	*q = s;
	if (s < end && *s != '-' && tl_u64(q, end, &u) == 0) {
		*out = (int64_t)u;
		return 0;
	}
	return -1;
}

/* "A[-B]": the soft and hard expiry (B only from v0.4 on; else both are A). */
static TL_INLINE bool
tl_expires(const char **q, const char *end, int64_t *soft, int64_t *hard, bool *range)
{
	if (tl_i64(q, end, soft) < 0)
		return false;
	*hard = *soft;
	*range = *q < end && **q == '-';
	if (*range) {
		(*q)++;
		if (tl_i64(q, end, hard) < 0)
			return false;
	}
	return true;
}

/* Record the expiry of a timer (the relative hard expiry follows from the rest). */
static inline void
tl_set_expiry(struct td_tl_timer *t, int64_t soft, int64_t hard, bool range, int64_t rs)
{
	t->has_expiry = true;
	t->has_range = range;
	t->soft_ns = soft;
	t->hard_ns = hard;
	t->rel_soft_ns = rs;
}

/* " # expires at A[-B] nsecs [in C[ to D] nsecs]": the expiry of the last timer. */
static bool
tl_expiry_line(struct tl_parser *p, const char *q, const char *end)
{
	struct td_tl_timer *t = tl_last_timer(p);
	int64_t soft, hard, rs, rh;
	bool range;

	q = tl_ws(q + 1, end);
	if (!TL_HAS(q, end, "expires at"))
		return false;
	q = tl_ws(q + 10, end);
	if (t == NULL || t->has_expiry || !tl_expires(&q, end, &soft, &hard, &range))
		return false;
	q = tl_ws(q, end);
	if (!TL_HAS(q, end, "nsecs"))
		return false;
	q = tl_ws(q + 5, end);
	if (!TL_HAS(q, end, "[in"))
		return false;
	q = tl_ws(q + 3, end);
	if (tl_rel(&q, end, &rs) < 0)
		return false;
	rh = rs;
	q = tl_ws(q, end);
	if (TL_HAS(q, end, "to")) {
		q = tl_ws(q + 2, end);
		if (tl_rel(&q, end, &rh) < 0)
			return false;
		q = tl_ws(q, end);
	}
	if (!TL_HAS(q, end, "nsecs]"))
		return false;
	tl_set_expiry(t, soft, hard, range, rs);
	return true;
}

/*
 * Fast paths for the two lines that make up nearly all of a big timer_list,
 * exactly as the kernel prints them:
 *   " #N: <hex>, function, S:xx"
 *   " # expires at A[-B] nsecs [in C[ to D] nsecs]"
 * They parse the line where it lies, without looking for its end first, and
 * give up (NULL, the snapshot unchanged) at the first byte that differs, so that
 * td_tl_line handles every other spelling.  On success they return the start of the
 * next line.  lim bounds every read.
 */

/* The bookkeeping td_tl_line does for a line it understood. */
static inline void
tl_fast_done(struct tl_parser *p)
{
	long line = ++p->tl->nlines;

	if (p->first_line == 0)
		p->first_line = line;
	p->pending_devname = false;
	p->any = true;
}

/* " #N: <hex>, function, S:xx\n" (s[0..1] is " #" and a digit follows). */
static const char *
tl_fast_timer(struct tl_parser *p, const char *s, const char *lim)
{
	struct td_tl_timer *t;
	const char *q = s + 2, *fn, *fnend, *h;
	uint64_t n, addr, st;

	if (p->icpu < 0 || p->ibase < 0)
		return NULL;
	if (tl_u64(&q, lim, &n) < 0 || lim - q < 3 || q[0] != ':' || q[1] != ' ' ||
	    q[2] != '<')
		return NULL;
	h = q += 3;
	if (tl_hex(&q, lim, &addr) < 0 || q == h || lim - q < 3 || q[0] != '>' ||
	    q[1] != ',' || q[2] != ' ')
		return NULL;
	fn = q += 3;
	q = tl_name_end(q, lim);
	fnend = q;
	if (q == fn || lim - q < 4 || memcmp(q, ", S:", 4) != 0)
		return NULL;
	q += 4;
	/* "S:01\n", two digits as the kernel prints them; anything else as tl_hex reads it */
	if (lim - q >= 3 && tl_hexdig[(unsigned char)q[0]] != 0 &&
	    tl_hexdig[(unsigned char)q[1]] != 0 && q[2] == '\n') {
		st = (uint64_t)(tl_hexdig[(unsigned char)q[0]] - 1) * 16 +
		    (uint64_t)(tl_hexdig[(unsigned char)q[1]] - 1);
		q += 2;
	} else if (tl_hex(&q, lim, &st) < 0 || st > 0xff || q >= lim || *q != '\n')
		return NULL;
	tl_fast_done(p);
	if ((t = tl_new_timer(p)) == NULL)
		return q + 1;
	/*
	 * The record written once, field by field: the first touch of fresh memory.
	 * (A compound literal compiles to a `rep stos` of the whole record first,
	 * 17 % of the parse.)
	 */
	t->function = tl_intern_n(p, fn, (size_t)(fnend - fn));	/* no blanks to trim */
	t->addr = addr;
	t->soft_ns = t->hard_ns = t->rel_soft_ns = 0;
	tl_timer_tail_init(t, (uint8_t)st);
	return q + 1;
}

/* " # expires at A[-B] nsecs [in C[ to D] nsecs]\n" (s[0..2] is " # "). */
static const char *
tl_fast_expiry(struct tl_parser *p, const char *s, const char *lim)
{
	static const char at[] = " # expires at ", in[] = " nsecs [in ", tail[] = " nsecs]\n";
	struct td_tl_timer *t = tl_last_timer(p);
	const char *q = s + sizeof(at) - 1;
	int64_t soft, hard, rs;
	bool range;

	if (t == NULL || t->has_expiry || lim - s < 16 || !tl_is(s, at, sizeof(at) - 1) ||
	    !tl_expires(&q, lim, &soft, &hard, &range))
		return NULL;
	if (lim - q < 16 || !tl_is(q, in, sizeof(in) - 1))
		return NULL;
	q += sizeof(in) - 1;
	if (tl_i64(&q, lim, &rs) < 0)
		return NULL;
	if (lim - q >= 4 && memcmp(q, " to ", 4) == 0) {
		q += 4;
		if (!tl_skip_i64(&q, lim))	/* follows from the rest */
			return NULL;
	}
	if (lim - q < 8 || memcmp(q, tail, 8) != 0)
		return NULL;
	tl_fast_done(p);
	tl_set_expiry(t, soft, hard, range, rs);
	return q + 8;
}

/* Whether a tick device block has everything its format prints. */
static bool
tl_dev_complete(const struct td_timer_list *tl, const struct td_tl_tickdev *d)
{
	if (d->has_device && d->device == NULL)
		return true;		/* <NULL> ends the block */
	if (d->fn[TD_TLD_EVENT_HANDLER] == NULL)
		return false;
	if (tl->has_version && tl->vmajor == 0 && tl->vminor >= 6)
		return (d->num_present & (1u << TD_TLD_RETRIES)) != 0;
	return true;
}

/* "Tick Device: mode: N": start a tick device block. */
static bool
tl_tickdev_line(struct tl_parser *p, const char *q, const char *end)
{
	struct td_timer_list *tl = p->tl;
	struct td_tl_tickdev *d;
	int mode = -1;

	q = tl_ws(q + 12, end);
	if (TL_HAS(q, end, "mode:")) {
		q += 5;
		if (!tl_int(&q, end, &mode) || tl_ws(q, end) != end)
			mode = -1;
	}
	td_tl_close_cpu(p, true);
	p->icpu = -1;		/* CPU fields from here on are not ours */
	p->pending_devname = false;
	p->idev = -1;
	if (tl->ndevs >= TL_MAX_DEVS)
		return false;
	if (tl->ndevs == p->devcap) {
		size_t cap = p->devcap ? p->devcap * 2 : 8;

		d = reallocarray(tl->devs, cap, sizeof(*d));
		if (d == NULL) {
			td_tl_nomem(p);
			return true;
		}
		tl->devs = d;
		p->devcap = cap;
	}
	d = &tl->devs[tl->ndevs];
	memset(d, 0, sizeof(*d));
	d->cpu = -1;
	d->tick_mode = mode;
	p->idev = (long)tl->ndevs++;
	return true;
}

/* A " name: value" field of the current tick device. */
static bool
tl_devfield_line(struct tl_parser *p, const char *q, const char *end)
{
	struct td_tl_tickdev *d;
	const char *colon, *nend;
	size_t i;

	if (p->idev < 0)
		return false;
	d = &p->tl->devs[p->idev];
	colon = memchr(q, ':', (size_t)(end - q));
	if (colon == NULL)
		return false;
	nend = colon;
	while (nend > q && (nend[-1] == ' ' || nend[-1] == '\t'))
		nend--;
	for (i = 0; i < TD_TLD_NUM_COUNT; i++) {
		if (!tl_eq(q, nend, td_tl_dev_num_names[i]))
			continue;
		if (!tl_value(colon + 1, end, &d->num[i]))
			return false;
		d->num_present |= 1u << i;
		return true;
	}
	if (tl_eq(q, nend, "oneshot stopped"))
		i = TD_TLD_ONESHOT_STOPPED;
	else
		for (i = 0; i < TD_TLD_FN_COUNT; i++)
			if (tl_eq(q, nend, td_tl_dev_fn_names[i]))
				break;
	if (i == TD_TLD_FN_COUNT)
		return false;
	d->fn[i] = tl_intern(p, colon + 1, end);
	return true;
}

/* "Clock Event Device: name" or "Wakeup Device: name"; <NULL> gives NULL. */
static const char *
tl_devname(struct tl_parser *p, const char *q, const char *end)
{
	tl_trim(&q, &end);
	if (tl_eq(q, end, "<NULL>"))
		return NULL;
	return tl_intern(p, q, end);
}

/* Lines that start with a letter: headers, block starts and tick device fields. */
static bool
tl_word_line(struct tl_parser *p, const char *q, const char *end)
{
	struct td_timer_list *tl = p->tl;
	struct td_tl_tickdev *d = p->idev >= 0 ? &tl->devs[p->idev] : NULL;
	int64_t v;

	switch (*q) {
	case 'T':
		if (TL_HAS(q, end, "Tick Device:"))
			return tl_tickdev_line(p, q, end);
		if (TL_HAS(q, end, "Timer List Version:")) {
			const char *s = tl_ws(q + 19, end), *r = end;
			int maj, min;

			p->header = true;
			tl_trim(&s, &r);
			if (tl->has_version || r - s >= (long)sizeof(tl->version) ||
			    s >= r || *s != 'v')
				return false;
			q = s + 1;
			if (!tl_int(&q, r, &maj) || q >= r || *q != '.' || maj < 0)
				return false;
			q++;
			if (!tl_int(&q, r, &min) || q != r || min < 0)
				return false;
			memcpy(tl->version, s, (size_t)(r - s));
			tl->version[r - s] = '\0';
			tl->has_version = true;
			tl->vmajor = maj;
			tl->vminor = min;
			tl->version_future = maj > TD_TL_VERSION_MAJOR_KNOWN ||
			    (maj == TD_TL_VERSION_MAJOR_KNOWN && min > TD_TL_VERSION_MINOR_KNOWN);
			return true;
		}
		return false;
	case 'H':
		if (!TL_HAS(q, end, "HRTIMER_MAX_CLOCK_BASES:"))
			return false;
		p->header = true;
		q += 24;
		if (!tl_int(&q, end, &tl->max_clock_bases) || tl_ws(q, end) != end) {
			tl->max_clock_bases = -1;
			return false;
		}
		return true;
	case 'n':
		if (TL_HAS(q, end, "now at ")) {
			p->header = true;
			if (!tl_value(q + 7, end, &v))
				return false;
			tl->now_ns = v;
			tl->has_now = true;
			return true;
		}
		return tl_devfield_line(p, q, end);
	case 'C':
		if (TL_HAS(q, end, "CONFIG_HZ:")) {
			p->header = true;
			q += 10;
			if (!tl_int(&q, end, &tl->config_hz) || tl_ws(q, end) != end) {
				tl->config_hz = -1;
				return false;
			}
			return true;
		}
		if (TL_HAS(q, end, "Clock Event Device:")) {
			if (d == NULL)
				return false;
			q = tl_ws(q + 19, end);
			if (q == end) {
				p->pending_devname = true;	/* the name is on the next record */
				return true;
			}
			d->has_device = true;
			d->device = tl_devname(p, q, end);
			return true;
		}
		return false;
	case 'c':
		if (TL_HAS(q, end, "cpu:"))
			return tl_cpu_line(p, q, end);
		if (TL_HAS(q, end, "clock "))
			return tl_clock_line(p, q, end);
		return false;
	case 'a':
		return tl_eq(q, end, "active timers:") && p->ibase >= 0;
	case 'j':
		if (!TL_HAS(q, end, "jiffies:") || p->icpu < 0)
			return false;
		td_tl_close_base(p);
		if (!tl_value(q + 8, end, &v))
			return false;
		tl->cpus[p->icpu].f[TD_TLC_JIFFIES] = v;
		tl->cpus[p->icpu].present |= 1u << TD_TLC_JIFFIES;
		td_tl_close_cpu(p, true);
		return true;
	case 'B':
		if (!tl_eq(q, end, "Broadcast device") || d == NULL)
			return false;
		d->kind = TD_TLD_KIND_BROADCAST;
		return true;
	case 'P':
		if (!TL_HAS(q, end, "Per CPU device:") || d == NULL)
			return false;
		q += 15;
		if (!tl_int(&q, end, &d->cpu) || tl_ws(q, end) != end || d->cpu < 0) {
			d->cpu = -1;
			return false;
		}
		d->kind = TD_TLD_KIND_PERCPU;
		return true;
	case 'W':
		if (!TL_HAS(q, end, "Wakeup Device:") || d == NULL)
			return false;
		d->has_wakeup = true;
		d->wakeup_device = tl_devname(p, q + 14, end);
		return true;
	case 't':
		if (TL_HAS(q, end, "tick_broadcast_mask:")) {
			tl->broadcast_mask = tl_intern(p, q + 20, end);
		} else if (TL_HAS(q, end, "tick_broadcast_oneshot_mask:")) {
			tl->broadcast_oneshot_mask = tl_intern(p, q + 28, end);
		} else
			return false;
		if (d != NULL && d->kind == TD_TLD_KIND_UNKNOWN && p->masks_dev < 0)
			p->masks_dev = p->idev;
		p->idev = -1;
		return true;
	case 'S':
	case 's':
		/* "SysRq : Show clockevent devices ..." opens a log copy. */
		if ((TL_HAS(q, end, "SysRq") || TL_HAS(q, end, "sysrq")) &&
		    memmem(q, (size_t)(end - q), "Show clockevent", 15) != NULL)
			return true;
		return tl_devfield_line(p, q, end);
	default:
		return tl_devfield_line(p, q, end);
	}
}

/* Skip printk and syslog prefixes of a kernel log line; sets from_log. */
static const char *
tl_strip_prefix(struct tl_parser *p, const char *s, const char *end)
{
	const char *q = s, *r, *k;
	bool stripped = false;

	/* syslog: "Mon DD HH:MM:SS host kernel: " */
	if (end - q > 16 && q[0] >= 'A' && q[0] <= 'Z' && q[3] == ' ' && q[6] == ' ' &&
	    q[9] == ':' && q[12] == ':' && q[15] == ' ') {
		size_t n = (size_t)(end - q - 15);

		k = memmem(q + 15, n < 96 ? n : 96, " kernel:", 8);
		if (k != NULL) {
			q = k + 8;
			if (q < end && *q == ' ')
				q++;
			stripped = true;
		}
	}
	/* raw kmsg / pstore log level: "<4>" */
	if (end - q >= 3 && q[0] == '<' && q[1] >= '0' && q[1] <= '9') {
		for (r = q + 1; r < end && r - q <= 4 && *r >= '0' && *r <= '9'; r++)
			;
		if (r < end && *r == '>') {
			q = r + 1;
			stripped = true;
		}
	}
	/*
	 * "[  12.345678]", "[  +0.000003]", "[    C0]", "[Sun Nov 22 19:57:45 2026]",
	 * one after the other: no timer_list line starts with '['.
	 */
	while (q < end && *q == '[') {
		size_t n = (size_t)(end - q);

		r = memchr(q, ']', n < 64 ? n : 64);
		if (r == NULL)
			break;
		q = r + 1;
		stripped = true;
	}
	if (stripped) {
		p->tl->from_log = true;
		if (q < end && *q == ' ')
			q++;
	}
	return q;
}

/* True when [q, end) is only dots (an elision mark, "..."). */
static bool
tl_dots(const char *q, const char *end)
{
	while (q < end && *q == '.')
		q++;
	return q == end;
}

/* Handle one line of input (without its newline). */
void
td_tl_line(struct tl_parser *p, const char *s, const char *end)
{
	struct td_tl_timer *t;
	const char *q;
	long line = ++p->tl->nlines;
	bool known, pending = p->pending_devname;

	if (p->err != 0)
		return;
	if (end - s > TL_LINE_MAX) {
		if (p->first_line == 0)
			p->first_line = line;
		tl_unknown(p, line, s, end);
		return;
	}
	while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (s < end && (*s == '[' || *s == '<' || (*s >= 'A' && *s <= 'Z')))
		s = tl_strip_prefix(p, s, end);
	q = tl_ws(s, end);
	if (q == end)
		return;
	if (p->first_line == 0)
		p->first_line = line;
	p->pending_devname = false;
	if (end - q >= 3 && end[-1] == '.' && tl_dots(q, end)) {
		p->tl->nelided++;	/* "...": whoever copied the file left lines out */
		return;
	}
	switch (*q) {
	case '#':
		if (q + 1 < end && q[1] >= '0' && q[1] <= '9')
			known = tl_timer_line(p, q, end);
		else
			known = tl_expiry_line(p, q, end);
		break;
	case '.':
		known = tl_dot_line(p, q, end);
		break;
	case ',':
		/* the ", S:01" piece of a timer line split by printk */
		t = tl_last_timer(p);
		known = t != NULL && !t->has_state && !t->has_expiry;
		if (known)
			tl_timer_tail(p, t, q + 1, end);
		break;
	default:
		known = tl_word_line(p, q, end);
		if (!known && pending && p->idev >= 0) {
			struct td_tl_tickdev *d = &p->tl->devs[p->idev];

			d->has_device = true;
			d->device = tl_devname(p, q, end);
			known = true;
		}
		break;
	}
	if (known)
		p->any = true;
	else
		tl_unknown(p, line, s, end);
}

/*
 * Set up an empty snapshot and its parser, for an input of about expect bytes
 * (0 if unknown).  The record arena is told half of it, where timers are kept:
 * records take about a third of the text they come from, and too much costs
 * only address space.
 */
int
td_tl_begin(struct tl_parser *p, const char *name, size_t expect, unsigned flags,
    struct td_error *e)
{
	struct td_timer_list *tl;

	memset(p, 0, sizeof(*p));
	p->name = name ? name : "timer_list";
	p->icpu = p->ibase = p->idev = p->masks_dev = -1;
	p->fast = true;
	tl = calloc(1, sizeof(*tl));
	if (tl == NULL)
		return td_error_set(e, ENOMEM, p->name, 0, "out of memory");
	tl->pool = calloc(1, sizeof(*tl->pool));
	if (tl->pool == NULL) {
		free(tl);
		return td_error_set(e, ENOMEM, p->name, 0, "out of memory");
	}
	td_strpool_init(&tl->pool->sp);
	td_arena_init(&tl->pool->timers);
	p->counting = !(flags & TD_TL_TIMERS);
	if (!p->counting)
		td_arena_expect(&tl->pool->timers, expect / 2);
	p->expect = expect;
	tl->vmajor = tl->vminor = -1;
	tl->max_clock_bases = -1;
	tl->config_hz = -1;
	p->tl = tl;
	return 0;
}

/* Guess the kind of tick devices printed without a label (v0.3, grep output). */
static void
tl_guess_kinds(struct tl_parser *p)
{
	struct td_timer_list *tl = p->tl;
	size_t i, nper = 0;

	for (i = 0; i < tl->ndevs; i++)
		if (tl->devs[i].kind == TD_TLD_KIND_PERCPU)
			nper++;
	for (i = 0; i < tl->ndevs; i++) {
		struct td_tl_tickdev *d = &tl->devs[i];
		const char *h = d->fn[TD_TLD_EVENT_HANDLER];

		if (d->kind != TD_TLD_KIND_UNKNOWN)
			continue;
		d->kind_guessed = true;
		if ((long)i == p->masks_dev || (h != NULL && strstr(h, "broadcast") != NULL)) {
			d->kind = TD_TLD_KIND_BROADCAST;
			continue;
		}
		d->kind = TD_TLD_KIND_PERCPU;
		d->cpu = nper < tl->ncpus && tl->cpus[nper].cpu >= 0 ? tl->cpus[nper].cpu :
		    (int)nper;
		nper++;
	}
}

/*
 * Without labels, handlers or mask lines (grep output) the kinds are guessed
 * from the names: the kernel prints the broadcast device first, then one
 * device per CPU, and those are alike ("hpet", then "lapic" twice).
 */
static void
tl_guess_broadcast(struct tl_parser *p)
{
	struct td_timer_list *tl = p->tl;
	const struct td_tl_tickdev *d = tl->devs;
	size_t i;

	if (tl->ndevs < 2 || p->masks_dev >= 0)
		return;
	for (i = 0; i < tl->ndevs; i++)
		if (d[i].kind != TD_TLD_KIND_UNKNOWN || d[i].fn[TD_TLD_EVENT_HANDLER] != NULL ||
		    !d[i].has_device || d[i].device == NULL)
			return;
	if (strcmp(d[0].device, d[1].device) == 0)
		return;
	for (i = 2; i < tl->ndevs; i++)
		if (strcmp(d[i].device, d[1].device) != 0)
			return;
	p->masks_dev = 0;
}

/*
 * Old kernels printed "[in ...]" of every base against the monotonic now, so a
 * realtime timer seemed decades away; newer ones add the base's .offset.  A
 * timer whose relative expiry is its expiry minus the monotonic now is brought
 * to its base's clock.  That now is the header's, or else what a timer of a
 * base without offset says it was.
 */
static void
tl_fix_offsets(struct td_timer_list *tl)
{
	uint64_t now = (uint64_t)tl->now_ns;
	bool known = tl->has_now;

	for (size_t i = 0; !known && i < tl->ncpus; i++)
		for (size_t j = 0; !known && j < tl->cpus[i].nbases; j++) {
			const struct td_tl_base *b = &tl->cpus[i].bases[j];

			if (b->timers == NULL || !b->timers[0].has_expiry ||
			    ((b->present & TD_TLB_OFFSET) && b->offset_ns != 0))
				continue;
			now = (uint64_t)b->timers[0].soft_ns - (uint64_t)b->timers[0].rel_soft_ns;
			known = true;
		}
	for (size_t i = 0; known && i < tl->ncpus; i++)
		for (size_t j = 0; j < tl->cpus[i].nbases; j++) {
			struct td_tl_base *b = &tl->cpus[i].bases[j];

			if (b->timers == NULL || !(b->present & TD_TLB_OFFSET) ||
			    b->offset_ns == 0)
				continue;
			for (size_t k = 0; k < b->ntimers; k++) {
				struct td_tl_timer *t = &b->timers[k];

				if (t->has_expiry &&
				    (uint64_t)t->soft_ns - (uint64_t)t->rel_soft_ns == now)
					t->rel_soft_ns = (int64_t)((uint64_t)t->rel_soft_ns -
					    (uint64_t)b->offset_ns);
			}
		}
}

/* A per-CPU tick device's CPU and place in devs: the index, sorted by both. */
struct td_tl_devidx {
	int		 cpu;
	size_t		 at;
};

static int
devidx_cmp(const void *a, const void *b)
{
	const struct td_tl_devidx *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * Index the per-CPU tick devices by CPU, so that looking up every CPU's of
 * 4,096 is not 4,096 walks of 4,096 devices.  Without memory there is no
 * index, and td_tl_cpu_device walks the devices.
 */
static void
tl_index_devs(struct td_timer_list *tl)
{
	size_t n = 0;

	for (size_t i = 0; i < tl->ndevs; i++)
		n += tl->devs[i].kind == TD_TLD_KIND_PERCPU;
	if (n == 0 || (tl->devidx = calloc(n, sizeof(*tl->devidx))) == NULL)
		return;
	for (size_t i = 0; i < tl->ndevs; i++)
		if (tl->devs[i].kind == TD_TLD_KIND_PERCPU)
			tl->devidx[tl->ndevidx++] = (struct td_tl_devidx){ tl->devs[i].cpu, i };
	qsort(tl->devidx, tl->ndevidx, sizeof(*tl->devidx), devidx_cmp);
}

/* Finish the parse: completeness, guesses, errors. */
int
td_tl_end(struct tl_parser *p, bool final_newline, struct td_timer_list **out,
    struct td_error *e)
{
	struct td_timer_list *tl = p->tl;

	if (p->err == 0) {
		td_tl_close_base(p);
		if (!final_newline)
			tl->truncated = true;
		if (p->icpu >= 0 && !tl->cpus[p->icpu].complete)
			tl->truncated = true;
		if (p->idev >= 0 && !tl_dev_complete(tl, &tl->devs[p->idev]))
			tl->truncated = true;
		if (tl->has_version && tl->ncpus == 0 && tl->ndevs == 0)
			tl->truncated = true;
		tl_guess_broadcast(p);
		tl_guess_kinds(p);
		tl_fix_offsets(tl);
		tl_index_devs(tl);
	}
	if (p->err == EILSEQ) {
		td_error_set(e, EINVAL, p->name, p->err_line, "NUL byte: not text");
		td_timer_list_free(tl);
		return -EINVAL;
	}
	if (p->err != 0) {
		td_error_set(e, p->err, p->name, tl->nlines, "out of memory");
		td_timer_list_free(tl);
		return -p->err;
	}
	if (!p->any) {
		td_error_set(e, EINVAL, p->name, p->first_line ? p->first_line : 1,
		    "no timer_list content%s", tl->nlines == 0 ? " (empty input)" : "");
		td_timer_list_free(tl);
		return -EINVAL;
	}
	*out = tl;
	return 0;
}

/* Handle the complete lines of [s, lim); returns the start of the unfinished rest. */
const char *
td_tl_lines(struct tl_parser *p, const char *s, const char *lim)
{
	const char *nl, *r, *flim, *nul = memchr(s, '\0', (size_t)(lim - s));

	/* Lines before a NUL byte are handled, the one holding it fails the parse. */
	if (nul != NULL)
		lim = nul;
	while (s < lim && p->err == 0) {
		if (p->fast && lim - s > 3 && s[0] == ' ' && s[1] == '#') {
			/* a longer line is never timer_list text: td_tl_line says so */
			flim = lim - s > TL_LINE_MAX ? s + TL_LINE_MAX + 1 : lim;
			if (s[2] == ' ')
				r = tl_fast_expiry(p, s, flim);
			else if (s[2] >= '0' && s[2] <= '9')
				r = tl_fast_timer(p, s, flim);
			else
				r = NULL;
			if (r != NULL) {
				s = r;
				continue;
			}
		}
		if ((nl = memchr(s, '\n', (size_t)(lim - s))) == NULL)
			break;
		td_tl_line(p, s, nl);
		s = nl + 1;
	}
	if (nul != NULL)
		td_tl_nul(p, p->tl->nlines + 1);
	return s;
}

/* Free a snapshot (NULL is fine). */
void
td_timer_list_free(struct td_timer_list *tl)
{
	size_t i;

	if (tl == NULL)
		return;
	for (i = 0; i < tl->ncpus; i++)
		free(tl->cpus[i].bases);	/* timers live in the arena */
	free(tl->cpus);
	free(tl->devs);
	free(tl->devidx);
	free(tl->unknown);
	free(tl->extras);
	while (tl->pool != NULL) {
		struct td_tl_pool *next = tl->pool->next;

		td_strpool_fini(&tl->pool->sp);
		td_arena_fini(&tl->pool->timers);
		free(tl->pool);
		tl->pool = next;
	}
	free(tl);
}

/* The per-CPU tick device of cpu (the first one printed), or NULL. */
const struct td_tl_tickdev *
td_tl_cpu_device(const struct td_timer_list *tl, int cpu)
{
	size_t i, lo = 0, hi;

	if (tl == NULL)
		return NULL;
	if (tl->devidx == NULL) {
		for (i = 0; i < tl->ndevs; i++)
			if (tl->devs[i].kind == TD_TLD_KIND_PERCPU && tl->devs[i].cpu == cpu)
				return &tl->devs[i];
		return NULL;
	}
	for (hi = tl->ndevidx; lo < hi;) {	/* the first entry of cpu or above */
		i = lo + (hi - lo) / 2;
		if (tl->devidx[i].cpu < cpu)
			lo = i + 1;
		else
			hi = i;
	}
	return lo < tl->ndevidx && tl->devidx[lo].cpu == cpu ? &tl->devs[tl->devidx[lo].at] : NULL;
}

/* The broadcast tick device, or NULL. */
const struct td_tl_tickdev *
td_tl_broadcast_device(const struct td_timer_list *tl)
{
	size_t i;

	for (i = 0; tl != NULL && i < tl->ndevs; i++)
		if (tl->devs[i].kind == TD_TLD_KIND_BROADCAST)
			return &tl->devs[i];
	return NULL;
}

/* A CPU-wide field, when the kernel printed it. */
bool
td_tl_cpu_field(const struct td_tl_cpu *c, enum td_tl_cpu_field f, int64_t *v)
{
	if (c == NULL || (unsigned)f >= TD_TLC_COUNT || !(c->present & (1u << f)))
		return false;
	*v = c->f[f];
	return true;
}

/* Active timers of a CPU, all clock bases together. */
size_t
td_tl_cpu_ntimers(const struct td_tl_cpu *c)
{
	size_t i, n = 0;

	for (i = 0; c != NULL && i < c->nbases; i++)
		n += c->bases[i].ntimers;
	return n;
}

/* The symbol and TIMER_STATS fields of a timer: never NULL. */
const struct td_tl_timer_extra *
td_tl_timer_extra(const struct td_timer_list *tl, const struct td_tl_timer *t)
{
	static const struct td_tl_timer_extra none = { NULL, NULL, NULL, -1 };

	if (tl == NULL || t == NULL || t->extra == 0 || t->extra > tl->nextras)
		return &none;
	return &tl->extras[t->extra - 1];
}

/*
 * The kernel prints "[in soft - now to hard - now nsecs]" with the same now, so
 * the second is the first plus the range (wrapping as the kernel's arithmetic does).
 */
int64_t
td_tl_timer_rel_hard_ns(const struct td_tl_timer *t)
{
	return (int64_t)((uint64_t)t->rel_soft_ns + ((uint64_t)t->hard_ns - (uint64_t)t->soft_ns));
}

/* Hard minus soft expiry, in unsigned arithmetic: no overflow on absurd inputs. */
int64_t
td_tl_timer_slack_ns(const struct td_tl_timer *t)
{
	return (int64_t)((uint64_t)t->hard_ns - (uint64_t)t->soft_ns);
}

/* KTIME_MAX (INT64_MAX) is the kernel's "never". */
bool
td_tl_timer_never(const struct td_tl_timer *t)
{
	return t->has_expiry && t->soft_ns == INT64_MAX;
}

/* Tick mode from a tick device's event_handler. */
enum td_tick_mode
td_tick_mode_from_handler(const char *h)
{
	if (h == NULL)
		return TD_TICK_UNKNOWN;
	if (strcmp(h, "hrtimer_interrupt") == 0)
		return TD_TICK_HIGHRES;
	if (strcmp(h, "tick_nohz_handler") == 0 || strcmp(h, "tick_nohz_lowres_handler") == 0)
		return TD_TICK_NOHZ_LOWRES;
	if (strcmp(h, "tick_handle_periodic") == 0)
		return TD_TICK_PERIODIC;
	return TD_TICK_UNKNOWN;
}

/* Name of a tick mode, as truth.json spells it. */
const char *
td_tick_mode_name(enum td_tick_mode m)
{
	switch (m) {
	case TD_TICK_PERIODIC:
		return "periodic";
	case TD_TICK_NOHZ_LOWRES:
		return "nohz_lowres";
	case TD_TICK_HIGHRES:
		return "highres";
	default:
		return "unknown";
	}
}

/*
 * The "now" line of the timer_list at abs under sysroot, read as a stream
 * (a capture's file may be tens of MiB); false when it has none.
 */
static bool
capture_now(const char *sysroot, const char *abs, int64_t *now)
{
	struct td_timer_list *tl = NULL;
	char path[4096];
	bool ok = false;
	FILE *f;
	int fd;

	if ((fd = td_open_root(sysroot, abs, O_RDONLY, path, sizeof(path), NULL)) < 0)
		return false;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return false;
	}
	if (td_timer_list_parse_file(f, path, 0, &tl, NULL) == 0 && tl->has_now) {
		*now = tl->now_ns;
		ok = true;
	}
	fclose(f);
	td_timer_list_free(tl);
	return ok;
}

/* How far apart a capture's two timer_lists are, by their "now" lines. */
int
td_timer_list_capture_period(const char *sysroot, const struct td_timer_list *first,
    uint64_t *ns)
{
	int64_t a, b;

	if (first != NULL && first->has_now)
		a = first->now_ns;
	else if (!capture_now(sysroot, "/proc/timer_list", &a))
		return -ENOENT;
	if (!capture_now(sysroot, "/after/proc/timer_list", &b) || b <= a)
		return -ENOENT;
	*ns = (uint64_t)(b - a);
	return 0;
}
