/*
 * The text trace reader.  A line of the tracefs trace file is
 *
 *	COMM-PID [(TGID)] [CPU] [FLAGS] SECONDS.MICROS: EVENT: INFO
 *
 * (the tgid column with the record-tgid option, FLAGS of 4 or more characters
 * with irq-info, absent without it), `trace-cmd report` prints
 * "COMM-PID [CPU] SECONDS.MICROS: EVENT: INFO" and, with -l,
 * "COMM-PID CPUFLAGS SECONDS.MICROS: ...".  The comm may hold spaces, dashes,
 * colons and brackets, so a line is read from its timestamp: the first
 * "DIGITS.DIGITS: NAME:" in it, then leftwards the flags, the CPU, the tgid
 * and the pid; the comm is what is left.  The INFO is the kernel's print
 * format, or libtraceevent's plugins' for trace-cmd (sched_switch as
 * "prev:1 [120] R ==> next:2 [120]", sched_wakeup as "comm:pid [prio] CPU:001").
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "strpool.h"
#include "test_hooks.h"
#include "trace_text.h"

#define TT_BUFSIZE	((size_t)1 << 20)	/* the stream buffer (> TD_TRACE_TEXT_LINE_MAX) */
#define TT_NCLASS	64			/* event names remembered (a power of two) */
#define TT_MAXDEPTH	64			/* inferred interrupt nesting kept */
#define TT_FUNC_NAME_MAX	512		/* KSYM_NAME_LEN: a longer name is "?" */

/* The kernel's timer flags (include/linux/timer.h since 4.8) and hrtimer modes. */
#define TIMER_CPUMASK		0x0003ffffu
#define TIMER_MIGRATING		0x00040000u
#define TIMER_DEFERRABLE	0x00080000u
#define TIMER_PINNED		0x00100000u
#define TIMER_IRQSAFE		0x00200000u
#define TIMER_ARRAYSHIFT	22
#define HRTIMER_MODE_REL	0x01u
#define HRTIMER_MODE_PINNED	0x02u
#define HRTIMER_MODE_SOFT	0x04u
#define HRTIMER_MODE_HARD	0x08u
/* tick_stop: a dependency name this reader does not know. */
#define TT_DEP_UNKNOWN		0x80000000u

/* What an event name means to the reader. */
struct tt_class {
	char		 name[48];
	uint8_t		 len;		/* 0: free slot */
	int8_t		 type;		/* enum td_tev_type, -1 for events we skip */
	int8_t		 sub;		/* TD_TEV_TMIGR: enum td_tmigr */
	uint8_t		 enter;		/* ctx this event enters (irq, vector, softirq entry) */
	uint8_t		 leave;		/* ctx this event leaves (the exits) */
	const char	*label;		/* vectors: the /proc/interrupts label */
};

/* Per CPU: lost events and the inferred interrupt nesting. */
struct tt_cpu {
	uint64_t	 lost, lost_unknown;
	bool		 lost_seen;
	int		 hard, soft;
};

/* One interned function name. */
struct tt_func {
	const char	*s;
	uint32_t	 len, hash;
};

struct td_trace_text {
	char			 name[256];
	char			*buf;		/* read(): the stream buffer */
	size_t			 start, end;
	bool			 eof;
	bool			 stop, done, verdict;
	long			 lineno;
	int			 tgid;
	enum td_trace_text_format fmt;
	uint64_t		 with_flags, without_flags;
	bool			 saw_enter, saw_leave;
	struct td_trace_text_stats st;
	struct tt_cpu		*cpus;
	int			 ncpu_alloc;
	struct tt_class		 cls[TT_NCLASS];
	int			 ncls;
	struct td_strpool	 sp;
	struct tt_func		*funcs;
	uint32_t		 nfuncs, funcs_alloc;
	uint32_t		*fslots;	/* key (index + 1) or 0; open addressing */
	uint32_t		 nfslots;
};

/* The events we decode, and the context their entries and exits mark. */
static const struct {
	const char		*name;
	int			 type;
	uint8_t			 enter, leave;
	int			 sub;
} events[] = {
	{ "timer_start", TD_TEV_TIMER_START, 0, 0 , 0 },
	{ "hrtimer_start", TD_TEV_HRTIMER_START, 0, 0 , 0 },
	{ "timer_expire_entry", TD_TEV_TIMER_EXPIRE, 0, 0 , 0 },
	{ "hrtimer_expire_entry", TD_TEV_HRTIMER_EXPIRE, 0, 0 , 0 },
	{ "timer_cancel", TD_TEV_TIMER_CANCEL, 0, 0 , 0 },
	{ "hrtimer_cancel", TD_TEV_HRTIMER_CANCEL, 0, 0 , 0 },
	{ "irq_handler_entry", TD_TEV_IRQ, TD_TEV_CTX_HARDIRQ, 0 , 0 },
	{ "irq_handler_exit", -1, 0, TD_TEV_CTX_HARDIRQ , 0 },
	{ "softirq_entry", TD_TEV_SOFTIRQ, TD_TEV_CTX_SOFTIRQ, 0 , 0 },
	{ "softirq_exit", -1, 0, TD_TEV_CTX_SOFTIRQ , 0 },
	{ "softirq_raise", TD_TEV_SOFTIRQ_RAISE, 0, 0 , 0 },
	{ "ipi_entry", TD_TEV_IPI, TD_TEV_CTX_HARDIRQ, 0 , 0 },
	{ "ipi_exit", -1, 0, TD_TEV_CTX_HARDIRQ , 0 },
	{ "cpu_idle", TD_TEV_IDLE, 0, 0 , 0 },
	{ "cpu_idle_miss", TD_TEV_IDLE_MISS, 0, 0 , 0 },
	{ "sched_switch", TD_TEV_SCHED_SWITCH, 0, 0 , 0 },
	{ "sched_wakeup", TD_TEV_SCHED_WAKEUP, 0, 0 , 0 },
	{ "tick_stop", TD_TEV_TICK_STOP, 0, 0 , 0 },
	{ "timer_base_idle", TD_TEV_TIMER_BASE_IDLE, 0, 0 , 0 },
#define TMIGR(name, sub) { name, TD_TEV_TMIGR, 0, 0, sub },
	TD_TMIGR_EVENTS(TMIGR)
#undef TMIGR
};

/* tick_stop's dependency names (include/trace/events/timer.h). */
static const struct {
	const char	*name;
	uint32_t	 bit;
} deps[] = {
	{ "NONE", 0 }, { "POSIX_TIMER", 1 }, { "PERF_EVENTS", 2 }, { "SCHED", 4 },
	{ "CLOCK_UNSTABLE", 8 }, { "RCU", 16 }, { "RCU_EXP", 32 },
};

/* FNV-1a over len bytes. */
static uint32_t
tt_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Make a reader. */
int
td_trace_text_new(const char *name, struct td_trace_text **out, struct td_error *e)
{
	struct td_trace_text *r;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return td_error_set(e, ENOMEM, name, 0, "out of memory");
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	r->st.ncpus = -1;
	r->st.max_cpu = -1;
	r->tgid = -1;
	td_strpool_init(&r->sp);
	*out = r;
	return 0;
}

/* Free a reader. */
void
td_trace_text_free(struct td_trace_text *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->cpus);
	free(r->funcs);
	free(r->fslots);
	td_strpool_fini(&r->sp);
	free(r);
}

/* The state of CPU cpu, growing the array; NULL when out of memory. */
static struct tt_cpu *
tt_cpu(struct td_trace_text *r, int cpu)
{
	if (cpu >= r->ncpu_alloc) {
		int n = r->ncpu_alloc ? r->ncpu_alloc : 8;
		struct tt_cpu *c;

		while (n <= cpu)
			n *= 2;
		if ((c = realloc(r->cpus, (size_t)n * sizeof(*c))) == NULL)
			return NULL;
		memset(c + r->ncpu_alloc, 0, (size_t)(n - r->ncpu_alloc) * sizeof(*c));
		r->cpus = c;
		r->ncpu_alloc = n;
	}
	return &r->cpus[cpu];
}

/* Work out what an event name means. */
static void
tt_classify_slow(const char *name, size_t len, struct tt_class *c)
{
	char entry[64];

	c->type = -1;
	c->sub = 0;
	c->enter = c->leave = 0;
	c->label = NULL;
	for (size_t i = 0; i < TD_ARRAY_SIZE(events); i++)
		if (strlen(events[i].name) == len && memcmp(events[i].name, name, len) == 0) {
			c->type = (int8_t)events[i].type;
			c->sub = (int8_t)events[i].sub;
			c->enter = events[i].enter;
			c->leave = events[i].leave;
			return;
		}
	if ((c->label = td_trace_vector_label(name, len)) != NULL) {
		c->type = TD_TEV_VECTOR;
		c->enter = TD_TEV_CTX_HARDIRQ;
		return;
	}
	/* A vector's exit: "local_timer_exit" for "local_timer_entry". */
	if (len > 5 && len < sizeof(entry) - 6 && memcmp(name + len - 5, "_exit", 5) == 0) {
		memcpy(entry, name, len - 5);
		memcpy(entry + len - 5, "_entry", 6);
		if (td_trace_vector_label(entry, len + 1) != NULL)
			c->leave = TD_TEV_CTX_HARDIRQ;
	}
}

/* What an event name means, remembered for the names met first. */
static const struct tt_class *
tt_classify(struct td_trace_text *r, const char *name, size_t len, struct tt_class *tmp)
{
	uint32_t h;

	if (len >= sizeof(tmp->name)) {
		tt_classify_slow(name, len, tmp);
		return tmp;
	}
	h = tt_hash(name, len);
	for (uint32_t i = 0; i < TT_NCLASS; i++) {
		struct tt_class *c = &r->cls[(h + i) & (TT_NCLASS - 1)];

		if (c->len == len && memcmp(c->name, name, len) == 0)
			return c;
		if (c->len == 0) {
			if (r->ncls >= TT_NCLASS * 3 / 4)
				break;
			memcpy(c->name, name, len);
			c->len = (uint8_t)len;
			tt_classify_slow(name, len, c);
			r->ncls++;
			return c;
		}
	}
	tt_classify_slow(name, len, tmp);
	return tmp;
}

/* Grow the function table's slots to twice their number. */
static int
tt_func_grow(struct td_trace_text *r)
{
	uint32_t n = r->nfslots ? r->nfslots * 2 : 256, *s;

	if ((s = calloc(n, sizeof(*s))) == NULL)
		return -ENOMEM;
	for (uint32_t k = 1; k <= r->nfuncs; k++) {
		uint32_t i = r->funcs[k - 1].hash & (n - 1);

		while (s[i] != 0)
			i = (i + 1) & (n - 1);
		s[i] = k;
	}
	free(r->fslots);
	r->fslots = s;
	r->nfslots = n;
	return 0;
}

/*
 * The key of a function name: 1 + its index in the table.  Past
 * TD_TRACE_TEXT_MAX_FUNCS names, or for a name longer than a kernel symbol,
 * the key of "?"; 0 when out of memory.
 */
static uint64_t
tt_func_key(struct td_trace_text *r, const char *s, size_t len)
{
	uint32_t h = tt_hash(s, len), i;
	struct tt_func *f;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	if (r->nfslots == 0 && tt_func_grow(r) < 0)
		return 0;
	for (i = h & (r->nfslots - 1); r->fslots[i] != 0; i = (i + 1) & (r->nfslots - 1)) {
		f = &r->funcs[r->fslots[i] - 1];
		if (f->hash == h && f->len == len && memcmp(f->s, s, len) == 0)
			return r->fslots[i];
	}
	if (r->nfuncs + 1 >= r->nfslots)
		return 0;	/* the table could not grow: out of memory */
	if ((r->nfuncs >= TD_TRACE_TEXT_MAX_FUNCS || len > TT_FUNC_NAME_MAX) &&
	    !(len == 1 && s[0] == '?')) {
		r->st.functions_dropped++;
		return tt_func_key(r, "?", 1);	/* "?" itself is always let in */
	}
	if (r->nfuncs == r->funcs_alloc) {
		uint32_t n = r->funcs_alloc ? r->funcs_alloc * 2 : 64;

		if ((f = realloc(r->funcs, n * sizeof(*f))) == NULL)
			return 0;
		r->funcs = f;
		r->funcs_alloc = n;
	}
	f = &r->funcs[r->nfuncs];
	if ((f->s = td_strpool_dup(&r->sp, s, len)) == NULL)
		return 0;
	f->len = (uint32_t)len;
	f->hash = h;
	r->fslots[i] = ++r->nfuncs;
	if (r->nfuncs * 2 > r->nfslots)
		tt_func_grow(r);	/* on failure the table is just fuller */
	return r->nfuncs;
}

/* The name behind a function key. */
const char *
td_trace_text_function_name(const struct td_trace_text *r, uint64_t key)
{
	if (key == 0 || key > r->nfuncs)
		return NULL;
	return r->funcs[key - 1].s;
}

/* The value of key ("name=") in info: at its start or after a space. */
static bool
tt_field(const char *info, const char *end, const char *key, const char **v, const char **vend)
{
	size_t klen = strlen(key);
	const char *p = info, *sp;

	/* Word by word: the fields are short and few. */
	for (; p < end; p = sp + 1) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (sp == NULL)
			sp = end;
		if ((size_t)(sp - p) >= klen && memcmp(p, key, klen) == 0) {
			*v = p + klen;
			*vend = sp;
			return true;
		}
	}
	return false;
}

/* A decimal or 0x-hexadecimal number field. */
static bool
tt_num(const char *info, const char *end, const char *key, uint64_t *out)
{
	const char *v, *ve;

	if (!tt_field(info, end, key, &v, &ve))
		return false;
	if (ve - v > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		return td_parse_hex(&v, ve, out) == 0 && v == ve;
	return td_parse_u64(&v, ve, out) == 0 && v == ve;
}

/* A hexadecimal field (a pointer: "000000001ce4f640" or "0xffff8881..."). */
static bool
tt_hex(const char *info, const char *end, const char *key, uint64_t *out)
{
	const char *v, *ve;

	return tt_field(info, end, key, &v, &ve) && td_parse_hex(&v, ve, out) == 0 && v == ve;
}

/* The key of the function= field (0 when absent). */
static uint64_t
tt_function(struct td_trace_text *r, const char *info, const char *end)
{
	const char *v, *ve;

	if (!tt_field(info, end, "function=", &v, &ve) || v == ve)
		return 0;
	/* trace-cmd report prints %ps as "name/0x0" or "name+0x0/0x40": the name. */
	for (const char *c = v; c < ve; c++)
		if (*c == '/' || (*c == '+' && c > v)) {
			ve = c;
			break;
		}
	return tt_func_key(r, v, (size_t)(ve - v));
}

/* Symbolic flags "A|B|C" to bits by a letter table; numbers taken as they are. */
static bool
tt_symbols(const char *v, const char *ve, const char *const *names, const uint32_t *bits,
    size_t n, uint32_t *out)
{
	uint64_t x;

	*out = 0;
	if (v < ve && is_digit(*v)) {
		const char *p = v;
		int rc = ve - v > 2 && v[1] == 'x' ? td_parse_hex(&p, ve, &x) :
		    td_parse_u64(&p, ve, &x);

		*out = (uint32_t)x;
		return rc == 0 && p == ve;
	}
	while (v < ve) {
		const char *bar = memchr(v, '|', (size_t)(ve - v));
		size_t len = (size_t)((bar ? bar : ve) - v), i;

		for (i = 0; i < n; i++)
			if (strlen(names[i]) == len && memcmp(names[i], v, len) == 0)
				break;
		if (i == n)
			return false;
		*out |= bits[i];
		v += len + (bar != NULL);
	}
	return true;
}

/* timer_start: flags rebuilt as the kernel holds them (cpu, wheel index, bits). */
static bool
tt_timer_flags(const char *info, const char *end, uint32_t *out)
{
	static const char *const names[] = { "M", "D", "P", "I" };
	static const uint32_t bits[] = { TIMER_MIGRATING, TIMER_DEFERRABLE, TIMER_PINNED,
	    TIMER_IRQSAFE };
	const char *v, *ve;
	uint64_t cpu = 0, idx = 0;

	*out = 0;
	if (tt_field(info, end, "flags=", &v, &ve) &&
	    !tt_symbols(v, ve, names, bits, TD_ARRAY_SIZE(names), out))
		return false;
	if (tt_num(info, end, "cpu=", &cpu))
		*out |= (uint32_t)cpu & TIMER_CPUMASK;
	if (tt_num(info, end, "idx=", &idx))
		*out |= (uint32_t)idx << TIMER_ARRAYSHIFT;
	return true;
}

/* hrtimer_start: the mode's bits ("ABS|PINNED|HARD"), 0 when not printed. */
static bool
tt_hrtimer_mode(const char *info, const char *end, uint32_t *out)
{
	static const char *const names[] = { "ABS", "REL", "PINNED", "SOFT", "HARD" };
	static const uint32_t bits[] = { 0, HRTIMER_MODE_REL, HRTIMER_MODE_PINNED,
	    HRTIMER_MODE_SOFT, HRTIMER_MODE_HARD };
	const char *v, *ve;

	*out = 0;
	return !tt_field(info, end, "mode=", &v, &ve) ||
	    tt_symbols(v, ve, names, bits, TD_ARRAY_SIZE(names), out);
}

/* tick_stop's dependency: one name, or a number. */
static bool
tt_dependency(const char *info, const char *end, uint32_t *out)
{
	const char *v, *ve;
	uint64_t x;

	if (!tt_field(info, end, "dependency=", &v, &ve))
		return false;
	for (size_t i = 0; i < TD_ARRAY_SIZE(deps); i++)
		if (strlen(deps[i].name) == (size_t)(ve - v) &&
		    memcmp(deps[i].name, v, (size_t)(ve - v)) == 0) {
			*out = deps[i].bit;
			return true;
		}
	if (tt_num(info, end, "dependency=", &x)) {
		*out = (uint32_t)x;
		return true;
	}
	*out = TT_DEP_UNKNOWN;
	return true;
}

/*
 * "comm:pid [prio]..." (libtraceevent's sched plugin): the comm and pid
 * before the first " [" (or the end).
 */
static bool
tt_comm_colon_pid(const char *p, const char *end, const char **comm, size_t *len, int *pid)
{
	const char *b = memmem(p, (size_t)(end - p), " [", 2), *d, *q;
	uint64_t v;

	if (b == NULL)
		b = end;
	for (d = b; d > p && is_digit(d[-1]); d--)
		;
	if (d == b || d == p || d[-1] != ':')
		return false;
	q = d;
	if (td_parse_u64(&q, b, &v) < 0 || v > INT32_MAX)
		return false;
	*comm = p;
	*len = (size_t)(d - 1 - p);
	*pid = (int)v;
	return true;
}

/* The last occurrence of needle in [p, end), or NULL. */
static const char *
tt_last(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	const char *q, *last = NULL;

	while (p < end && (q = memmem(p, (size_t)(end - p), needle, n)) != NULL) {
		last = q;
		p = q + 1;
	}
	return last;
}

/* A decimal int right at p (up to a space or end). */
static bool
tt_int_at(const char *p, const char *end, int *out)
{
	uint64_t v;

	if (td_parse_u64(&p, end, &v) < 0 || v > INT32_MAX || (p < end && *p != ' '))
		return false;
	*out = (int)v;
	return true;
}

/* sched_switch: next_pid, prev_pid and next_comm, in either print format. */
static bool
tt_sched_switch(const char *info, const char *end, struct td_tev *ev)
{
	const char *sep = memmem(info, (size_t)(end - info), " ==> ", 5), *next, *k;

	if (sep == NULL)
		return false;
	next = sep + 5;
	if (td_has_prefix(info, sep, "prev_comm=")) {
		if (!td_has_prefix(next, end, "next_comm=") ||
		    (k = tt_last(info, sep, " prev_pid=")) == NULL ||
		    !tt_int_at(k + 10, sep, &ev->arg) ||
		    (k = tt_last(next, end, " next_pid=")) == NULL ||
		    !tt_int_at(k + 10, end, &ev->num))
			return false;
		ev->name = next + 10;
		ev->namelen = (size_t)(k - ev->name);
		return true;
	}
	{
		const char *c;
		size_t l;

		return tt_comm_colon_pid(info, sep, &c, &l, &ev->arg) &&
		    tt_comm_colon_pid(next, end, &ev->name, &ev->namelen, &ev->num);
	}
}

/* sched_wakeup: pid, target_cpu and comm, in either print format. */
static bool
tt_sched_wakeup(const char *info, const char *end, struct td_tev *ev)
{
	const char *k;
	uint64_t v;

	if (td_has_prefix(info, end, "comm=")) {
		if ((k = tt_last(info, end, " pid=")) == NULL || !tt_int_at(k + 5, end, &ev->num))
			return false;
		ev->name = info + 5;
		ev->namelen = (size_t)(k - ev->name);
		if (tt_num(k, end, "target_cpu=", &v) && v <= INT32_MAX)
			ev->arg = (int)v;
		return true;
	}
	if (!tt_comm_colon_pid(info, end, &ev->name, &ev->namelen, &ev->num))
		return false;
	if ((k = tt_last(info, end, " CPU:")) != NULL && !tt_int_at(k + 5, end, &ev->arg))
		ev->arg = 0;
	return true;
}

/* A timer_migration event's fields (trace_decode.h: enum td_tmigr). */
static bool
tt_tmigr(const char *info, const char *end, int sub, struct td_tev *ev)
{
	uint64_t v, mask, act;

	ev->sub = sub;
	switch (sub) {
	case TD_TMIGR_GROUP_ACTIVE:
	case TD_TMIGR_GROUP_INACTIVE:
		/* active, migrator and childmask are printed %0x: hexadecimal, no 0x. */
		if (!tt_hex(info, end, "group=", &ev->ptr) || !tt_hex(info, end, "migrator=", &v) ||
		    !tt_hex(info, end, "childmask=", &mask) || !tt_hex(info, end, "active=", &act) ||
		    v > 0xff || mask > 0xff || act > 0xff)
			return false;
		ev->num = (int)v;
		ev->flags = (uint32_t)mask | (uint32_t)act << 8;
		if (tt_num(info, end, "lvl=", &v) && v <= INT32_MAX)
			ev->arg = (int)v;
		return true;
	case TD_TMIGR_HANDLE_REMOTE:
		if (!tt_hex(info, end, "group=", &ev->ptr))
			return false;
		if (tt_num(info, end, "lvl=", &v) && v <= INT32_MAX)
			ev->arg = (int)v;
		return true;
	default:
		if (!tt_num(info, end, "cpu=", &v) || v >= TD_TRACE_TEXT_MAX_CPUS)
			return false;
		ev->num = (int)v;
		if (!tt_hex(info, end, "parent=", &ev->ptr))
			ev->ptr = 0;
		return true;
	}
}

/* Fill the event's own fields from INFO; false when a needed one is missing. */
static bool
tt_decode(struct td_trace_text *r, const struct tt_class *c, const char *info,
    const char *end, struct td_tev *ev)
{
	uint64_t v;
	const char *p, *q;

	switch (c->type) {
	case TD_TEV_TIMER_START:
		if (!tt_timer_flags(info, end, &ev->flags))
			return false;
		/* FALLTHROUGH */
	case TD_TEV_TIMER_EXPIRE:
		ev->function = tt_function(r, info, end);
		/* FALLTHROUGH */
	case TD_TEV_TIMER_CANCEL:
		return tt_hex(info, end, "timer=", &ev->ptr);
	case TD_TEV_HRTIMER_START:
		if (!tt_hrtimer_mode(info, end, &ev->flags))
			return false;
		/* FALLTHROUGH */
	case TD_TEV_HRTIMER_EXPIRE:
		ev->function = tt_function(r, info, end);
		/* FALLTHROUGH */
	case TD_TEV_HRTIMER_CANCEL:
		return tt_hex(info, end, "hrtimer=", &ev->ptr);
	case TD_TEV_IRQ:
		if (!tt_num(info, end, "irq=", &v) || v > INT32_MAX ||
		    !tt_field(info, end, "name=", &p, &q))
			return false;
		ev->num = (int)v;
		/* The action name runs to the end of the line. */
		for (q = end; q > p && q[-1] == ' '; q--)
			;
		ev->name = p;
		ev->namelen = (size_t)(q - p);
		return true;
	case TD_TEV_SOFTIRQ:
	case TD_TEV_SOFTIRQ_RAISE:
		if (!tt_num(info, end, "vec=", &v) || v > INT32_MAX)
			return false;
		ev->num = (int)v;
		return true;
	case TD_TEV_VECTOR:
		if (tt_num(info, end, "vector=", &v) && v <= INT32_MAX)
			ev->num = (int)v;
		ev->name = c->label;
		ev->namelen = strlen(c->label);
		return true;
	case TD_TEV_IPI:
		p = memchr(info, '(', (size_t)(end - info));
		q = p ? tt_last(p, end, ")") : NULL;
		if (p != NULL && q != NULL) {
			ev->name = p + 1;
			ev->namelen = (size_t)(q - p - 1);
		} else {
			ev->name = info;
			ev->namelen = (size_t)(end - info);
		}
		return true;
	case TD_TEV_IDLE:
		if (!tt_num(info, end, "state=", &v) || v > UINT32_MAX)
			return false;
		ev->num = (int)(int32_t)(uint32_t)v;
		return true;
	case TD_TEV_IDLE_MISS:
		/* "cpu_id=0 state=1 type=below" */
		if (!tt_num(info, end, "state=", &v) || v > INT32_MAX)
			return false;
		ev->num = (int)v;
		ev->arg = memmem(info, (size_t)(end - info), "type=below", 10) != NULL;
		return true;
	case TD_TEV_SCHED_SWITCH:
		return tt_sched_switch(info, end, ev);
	case TD_TEV_SCHED_WAKEUP:
		return tt_sched_wakeup(info, end, ev);
	case TD_TEV_TICK_STOP:
		if (!tt_num(info, end, "success=", &v) || v > INT32_MAX)
			return false;
		ev->num = (int)v;
		return tt_dependency(info, end, &ev->flags);
	case TD_TEV_TIMER_BASE_IDLE:
		if (!tt_num(info, end, "is_idle=", &v) || v > 1)
			return false;
		ev->num = (int)v;
		if (!tt_num(info, end, "cpu=", &v) || v >= TD_TRACE_TEXT_MAX_CPUS)
			return false;
		ev->arg = (int)v;
		return true;
	case TD_TEV_TMIGR:
		return tt_tmigr(info, end, c->sub, ev);
	default:
		return false;
	}
}

/* "SECONDS.FRACTION" (or a bare count) to ns. */
static bool
tt_time(const char *t, const char *end, uint64_t *ns)
{
	uint64_t sec, frac = 0;
	const char *p = t;
	int nd;

	if (td_parse_u64(&p, end, &sec) < 0)
		return false;
	if (p == end) {
		*ns = sec;	/* a clock that does not count ns: taken as it is */
		return true;
	}
	if (*p != '.' || sec > UINT64_MAX / 1000000000u - 1)
		return false;
	p++;
	for (nd = 0; p < end && is_digit(*p); p++, nd++)
		if (nd < 9)
			frac = frac * 10 + (uint64_t)(*p - '0');
	if (p != end || nd == 0)
		return false;
	for (; nd < 9; nd++)
		frac *= 10;
	*ns = sec * 1000000000u + frac;
	return true;
}

/* "[NNN]": the CPU. */
static bool
tt_cpu_field(const char *p, const char *end, int *cpu)
{
	uint64_t v;

	if (end - p < 3 || p[0] != '[' || end[-1] != ']')
		return false;
	p++;
	if (td_parse_u64(&p, end - 1, &v) < 0 || p != end - 1 || v >= TD_TRACE_TEXT_MAX_CPUS)
		return false;
	*cpu = (int)v;
	return true;
}

/* The parts of an event line. */
struct tt_line {
	const char	*comm, *flags, *ev, *info;
	size_t		 commlen, flagslen, evlen;
	int		 pid, tgid, cpu;
	uint64_t	 ts;
};

/* Split an event line; false when it is not one. */
static bool
tt_split(const char *s, const char *end, struct tt_line *L)
{
	const char *q = s, *t = NULL, *x, *y, *n;
	uint64_t v;

	/* The timestamp: the first "DIGITS[.DIGITS]: NAME:" after a space. */
	for (;; q++) {
		if ((q = memchr(q, ':', (size_t)(end - q))) == NULL)
			return false;
		if (q + 1 >= end || q[1] != ' ' || q == s || !is_digit(q[-1]))
			continue;
		for (t = q; t > s && (is_digit(t[-1]) || t[-1] == '.'); t--)
			;
		if (t == s || t[-1] != ' ' || !tt_time(t, q, &L->ts))
			continue;
		for (n = q + 2; n < end && *n == ' '; n++)
			;
		L->ev = n;
		while (n < end && *n != ':' && *n != ' ')
			n++;
		if (n == L->ev || n == end || *n != ':' || (n + 1 < end && n[1] != ' '))
			continue;
		L->evlen = (size_t)(n - L->ev);
		for (n++; n < end && *n == ' '; n++)
			;
		L->info = n;
		break;
	}
	/* Leftwards: [FLAGS] then [CPU], or CPUFLAGS (trace-cmd report -l). */
	for (x = t; x > s && x[-1] == ' '; x--)
		;
	for (y = x; y > s && y[-1] != ' '; y--)
		;
	L->flags = NULL;
	L->flagslen = 0;
	if (!tt_cpu_field(y, x, &L->cpu)) {
		const char *fx = x, *fy = y;

		for (x = y; x > s && x[-1] == ' '; x--)
			;
		for (y = x; y > s && y[-1] != ' '; y--)
			;
		if (x < fy && tt_cpu_field(y, x, &L->cpu)) {
			L->flags = fy;
			L->flagslen = (size_t)(fx - fy);
		} else {
			/* trace-cmd -l: "  1d.h1." */
			const char *d = fy;

			if (td_parse_u64(&d, fx, &v) < 0 || d == fx || v >= TD_TRACE_TEXT_MAX_CPUS)
				return false;
			L->cpu = (int)v;
			L->flags = d;
			L->flagslen = (size_t)(fx - d);
			y = fy;
		}
	}
	/* The tgid column: "(  191)" or "(-------)". */
	for (x = y; x > s && x[-1] == ' '; x--)
		;
	L->tgid = -1;
	if (x > s && x[-1] == ')') {
		const char *o = x - 1;

		while (o > s && o[-1] != '(' && x - o < 16)
			o--;
		if (o == s || o[-1] != '(')
			return false;
		y = o;
		while (y < x - 1 && *y == ' ')
			y++;
		if (is_digit(*y) && td_parse_u64(&y, x - 1, &v) == 0 && v <= INT32_MAX)
			L->tgid = (int)v;
		for (x = o - 1; x > s && x[-1] == ' '; x--)
			;
	}
	/* COMM-PID. */
	for (y = x; y > s && is_digit(y[-1]); y--)
		;
	if (y == x || y == s || y[-1] != '-')
		return false;
	n = y;
	if (td_parse_u64(&n, x, &v) < 0 || v > INT32_MAX)
		return false;
	L->pid = (int)v;
	/*
	 * trace-cmd report of a file with instances (record -B) puts the
	 * buffer's name first: "NAME:   COMM-PID".  A word ending in ':' and
	 * then blanks before the task is that name, not part of the comm.
	 */
	for (x = s; x < y - 1 && *x == ' '; x++)
		;
	for (n = x; n < y - 1 && *n != ' ' && *n != ':'; n++)
		;
	if (n > x && n + 1 < y - 1 && *n == ':' && (n[1] == ' ' || n[1] == '\t'))
		for (s = n + 1; s < y - 1 && (*s == ' ' || *s == '\t'); s++)
			;
	L->comm = s;
	L->commlen = (size_t)(y - 1 - s);
	return true;
}

/* Count a line skipped as malformed. */
static void
tt_malformed(struct td_trace_text *r)
{
	r->st.malformed++;
	if (r->st.first_malformed == 0)
		r->st.first_malformed = r->lineno;
}

/* An event line: decode and hand it over (unless deliver is false). */
static bool
tt_event(struct td_trace_text *r, const char *s, const char *end, bool deliver,
    td_trace_text_cb cb, void *arg)
{
	struct tt_class tmp;
	const struct tt_class *c;
	struct tt_cpu *cs;
	struct tt_line L;
	struct td_tev ev;
	unsigned ctx = 0;

	if (!tt_split(s, end, &L))
		return false;
	r->verdict = true;
	if (!deliver)
		return true;
	if ((cs = tt_cpu(r, L.cpu)) == NULL) {
		tt_malformed(r);
		return true;
	}
	r->st.events++;
	if (r->st.events == 1 || L.ts < r->st.first_ts)
		r->st.first_ts = L.ts;
	if (L.ts > r->st.last_ts)
		r->st.last_ts = L.ts;
	if (L.cpu > r->st.max_cpu)
		r->st.max_cpu = L.cpu;
	c = tt_classify(r, L.ev, L.evlen, &tmp);
	/* The inferred nesting: an entry is inside what it enters, an exit inside what it leaves. */
	if (c->enter & TD_TEV_CTX_HARDIRQ && cs->hard < TT_MAXDEPTH)
		cs->hard++;
	if (c->enter & TD_TEV_CTX_SOFTIRQ && cs->soft < TT_MAXDEPTH)
		cs->soft++;
	r->saw_enter |= c->enter != 0;
	r->saw_leave |= c->leave != 0;
	if (L.flagslen >= 3) {
		char h = L.flags[2];

		if (h == 'h' || h == 'H' || h == 'Z')
			ctx |= TD_TEV_CTX_HARDIRQ;
		if (h == 's' || h == 'H')
			ctx |= TD_TEV_CTX_SOFTIRQ;
		r->with_flags++;
	} else {
		ctx = (cs->hard > 0 ? TD_TEV_CTX_HARDIRQ : 0u) |
		    (cs->soft > 0 ? TD_TEV_CTX_SOFTIRQ : 0u);
		r->without_flags++;
	}
	if (c->leave & TD_TEV_CTX_HARDIRQ && cs->hard > 0)
		cs->hard--;
	if (c->leave & TD_TEV_CTX_SOFTIRQ && cs->soft > 0)
		cs->soft--;
	if (c->type < 0)
		return true;
	memset(&ev, 0, sizeof(ev));
	ev.type = (enum td_tev_type)c->type;
	ev.ts = L.ts;
	ev.cpu = L.cpu;
	ev.pid = L.pid;
	ev.ctx = ctx;
	ev.comm = L.comm;
	ev.commlen = L.commlen;
	if (!tt_decode(r, c, L.info, end, &ev)) {
		tt_malformed(r);
		return true;
	}
	r->tgid = L.tgid;
	r->st.decoded++;
	r->st.types[ev.type]++;
	cb(&ev, arg);
	r->tgid = -1;
	return true;
}

/* Record lost events on a CPU (cpu < 0: the file does not say which). */
static void
tt_lost(struct td_trace_text *r, int cpu, bool known, uint64_t n)
{
	struct tt_cpu *c = cpu >= 0 ? tt_cpu(r, cpu) : NULL;

	if (known)
		r->st.lost += n;
	else
		r->st.lost_unknown++;
	if (c == NULL)
		return;
	c->lost_seen = true;
	if (known)
		c->lost += n;
	else
		c->lost_unknown++;
	/* What was lost may have been an entry or an exit: start the nesting afresh. */
	c->hard = c->soft = 0;
}

/* "[LOST N EVENTS]", "[LOST EVENTS]", "[N EVENTS DROPPED]", "[EVENTS DROPPED]". */
static bool
tt_lost_text(struct td_trace_text *r, int cpu, const char *p, const char *end)
{
	uint64_t n = 0;
	bool known = false;

	if (td_has_prefix(p, end, "[LOST ")) {
		p += 6;
		if (td_parse_u64(&p, end, &n) == 0) {
			known = true;
			if (p < end && *p == ' ')
				p++;
		}
		if (!td_has_prefix(p, end, "EVENTS]"))
			return false;
	} else if (td_has_prefix(p, end, "[")) {
		p++;
		if (td_parse_u64(&p, end, &n) == 0) {
			known = true;
			if (p < end && *p == ' ')
				p++;
		}
		if (!td_has_prefix(p, end, "EVENTS DROPPED]"))
			return td_has_prefix(p, end, "SUBBUFFER START]");
	} else {
		return false;
	}
	tt_lost(r, cpu, known, n);
	return true;
}

/* The other lines a trace holds: lost events and trace-cmd's header. */
static bool
tt_other(struct td_trace_text *r, const char *s, const char *end)
{
	const char *p = s;
	uint64_t v;

	if (td_has_prefix(s, end, "CPU:")) {
		p += 4;
		if (td_parse_u64(&p, end, &v) < 0 || v >= TD_TRACE_TEXT_MAX_CPUS || p == end ||
		    *p != ' ')
			return false;
		return tt_lost_text(r, (int)v, td_skip_ws(p, end), end);
	}
	if (*s == '[')
		return tt_lost_text(r, -1, s, end);
	if (td_has_prefix(s, end, "cpus=")) {
		p += 5;
		if (td_parse_u64(&p, end, &v) < 0 || v > TD_TRACE_TEXT_MAX_CPUS)
			return false;
		r->st.ncpus = (int)v;
		r->fmt = TD_TRACE_TEXT_TRACE_CMD;
		r->verdict = true;
		return true;
	}
	if (td_has_prefix(s, end, "version = ")) {
		p += 10;
		if (td_parse_u64(&p, end, &v) < 0)
			return false;
		r->fmt = TD_TRACE_TEXT_TRACE_CMD;
		r->verdict = true;
		return true;
	}
	if (td_has_prefix(s, end, "CPU ")) {
		p += 4;
		return td_parse_u64(&p, end, &v) == 0 && td_has_prefix(p, end, " is empty");
	}
	return false;
}

/* A '#' line: "# tracer:", "#P:N", "# entries-in-buffer/entries-written: A/B". */
static void
tt_header(struct td_trace_text *r, const char *s, const char *end)
{
	const char *p;
	uint64_t a, b;

	if (td_has_prefix(s, end, "# tracer:")) {
		r->fmt = TD_TRACE_TEXT_TRACEFS;
		r->verdict = true;
	}
	if ((p = memmem(s, (size_t)(end - s), "#P:", 3)) != NULL && p > s) {
		p += 3;
		if (td_parse_u64(&p, end, &a) == 0 && a <= TD_TRACE_TEXT_MAX_CPUS)
			r->st.ncpus = (int)a;
	}
	if ((p = memmem(s, (size_t)(end - s), "entries-in-buffer/entries-written:", 34)) != NULL) {
		p = td_skip_ws(p + 34, end);
		if (td_parse_u64(&p, end, &a) == 0 && p < end && *p++ == '/' &&
		    td_parse_u64(&p, end, &b) == 0) {
			r->st.has_entries = true;
			r->st.entries_in_buffer = a;
			r->st.entries_written = b;
		}
	}
}

/* trace-cmd's binary trace.dat starts with these bytes. */
static const char tracedat_magic[] = "\027\010\104tracing";

/* One line (without its newline); terminated is false for a last line cut short. */
static int
tt_line(struct td_trace_text *r, const char *p, const char *end, bool terminated,
    td_trace_text_cb cb, void *arg, struct td_error *e)
{
	const char *s;

	r->lineno++;
	r->st.lines++;
	if (r->lineno == 1 && td_has_prefix(p, end, tracedat_magic))
		return td_error_set(e, EINVAL, r->name, 1,
		    "a trace-cmd trace.dat (binary), not a text trace");
	if (end > p && end[-1] == '\r')
		end--;
	if (end > p && memchr(p, '\0', (size_t)(end - p)) != NULL) {
		if (!r->verdict)
			return td_error_set(e, EINVAL, r->name, r->lineno,
			    "binary data, not a text trace");
		tt_malformed(r);
		return 0;
	}
	for (s = p; s < end && (*s == ' ' || *s == '\t'); s++)
		;
	if (s == end)
		return 0;
	if (!terminated) {
		/* Cut short: its last field may be cut too, so it is not decoded. */
		r->st.cut_short = true;
		if (*s != '#')
			tt_event(r, s, end, false, cb, arg);
		return 0;
	}
	if (*s == '#') {
		tt_header(r, s, end);
		return 0;
	}
	if (tt_event(r, s, end, true, cb, arg) || tt_other(r, s, end))
		return 0;
	tt_malformed(r);
	if (!r->verdict && r->lineno >= TD_TRACE_TEXT_SNIFF_LINES)
		return td_error_set(e, EINVAL, r->name, r->lineno,
		    "not a trace: no event line or trace header in the first %d lines",
		    TD_TRACE_TEXT_SNIFF_LINES);
	return 0;
}

/* The end of the input: it must have shown itself to be a trace. */
static int
tt_finish(struct td_trace_text *r, struct td_error *e)
{
	r->done = true;
	if (r->verdict)
		return 0;
	if (r->st.lines == 0)
		return td_error_set(e, EINVAL, r->name, 0, "empty file, not a trace");
	return td_error_set(e, EINVAL, r->name, r->lineno,
	    "not a trace: no event line or trace header");
}

/* A line too long to be a trace line. */
static int
tt_too_long(struct td_trace_text *r, const char *p, size_t len, struct td_error *e)
{
	if (!r->verdict && memchr(p, '\0', len) != NULL)
		return td_error_set(e, EINVAL, r->name, r->lineno + 1,
		    "binary data, not a text trace");
	return td_error_set(e, EFBIG, r->name, r->lineno + 1, "line longer than %d bytes",
	    TD_TRACE_TEXT_LINE_MAX);
}

/* Read a stream. */
int
td_trace_text_read(struct td_trace_text *r, FILE *f, td_trace_text_cb cb, void *arg,
    struct td_error *e)
{
	int rc;

	if (r->done)
		return 0;
	if (r->buf == NULL && (r->buf = malloc(TT_BUFSIZE)) == NULL)
		return td_error_set(e, ENOMEM, r->name, 0, "out of memory");
	for (;;) {
		char *p = r->buf + r->start, *nl;
		size_t have = r->end - r->start, n;

		if (r->stop) {
			r->stop = false;
			return 1;
		}
		if ((nl = memchr(p, '\n', have)) != NULL) {
			if (nl - p > TD_TRACE_TEXT_LINE_MAX)
				return tt_too_long(r, p, (size_t)(nl - p), e);
			r->start += (size_t)(nl - p) + 1;
			if ((rc = tt_line(r, p, nl, true, cb, arg, e)) < 0)
				return rc;
			continue;
		}
		if (have > TD_TRACE_TEXT_LINE_MAX)
			return tt_too_long(r, p, have, e);
		if (r->eof) {
			r->start = r->end;
			if (have > 0 && (rc = tt_line(r, p, p + have, false, cb, arg, e)) < 0)
				return rc;
			return tt_finish(r, e);
		}
		memmove(r->buf, p, have);
		r->start = 0;
		r->end = have;
		n = fread(r->buf + have, 1, TT_BUFSIZE - have, f);
		r->end += n;
		if (n == 0) {
			if (ferror(f))
				return td_error_set(e, EIO, r->name, r->lineno + 1, "read error");
			r->eof = true;
		}
	}
}

/* Stop after the current event. */
void
td_trace_text_stop(struct td_trace_text *r)
{
	r->stop = true;
}

long
td_trace_text_line(const struct td_trace_text *r)
{
	return r->lineno;
}

int
td_trace_text_tgid(const struct td_trace_text *r)
{
	return r->tgid;
}

const struct td_trace_text_stats *
td_trace_text_stats(const struct td_trace_text *r)
{
	return &r->st;
}

/* Lost events of one CPU. */
int
td_trace_text_lost_cpu(const struct td_trace_text *r, int cpu, uint64_t *lost,
    uint64_t *unknown)
{
	if (cpu < 0 || cpu >= r->ncpu_alloc || !r->cpus[cpu].lost_seen)
		return -ENOENT;
	*lost = r->cpus[cpu].lost;
	*unknown = r->cpus[cpu].lost_unknown;
	return 0;
}

enum td_trace_text_format
td_trace_text_format(const struct td_trace_text *r)
{
	return r->fmt;
}

/* Where ctx came from: the flags column, inference, or nowhere. */
enum td_trace_text_ctx
td_trace_text_ctx_source(const struct td_trace_text *r)
{
	if (r->without_flags == 0 && r->with_flags > 0)
		return TD_TRACE_CTX_FLAGS;
	if (r->saw_enter && r->saw_leave)
		return TD_TRACE_CTX_INFERRED;
	return TD_TRACE_CTX_UNKNOWN;
}

uint32_t
td_trace_text_deferrable_flag(const struct td_trace_text *r)
{
	(void)r;
	return TIMER_DEFERRABLE;
}

uint32_t
td_trace_text_pinned_flag(const struct td_trace_text *r)
{
	(void)r;
	return TIMER_PINNED;
}
