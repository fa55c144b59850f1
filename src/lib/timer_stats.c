/* /proc/timer_stats parser: every version, sorted and elided copies too. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sampler.h"
#include "textsafe.h"
#include "timer_stats.h"

/* Parser state for one input. */
struct ts_parse {
	const char		*path;
	long			 line;
	struct td_timer_stats	*ts;
	size_t			 cap;
	uint64_t		 sum;		/* of the entry counts so far */
	struct td_error		*e;
};

/* Fail on the current line. */
static int
bad_line(struct ts_parse *p, const char *s, const char *end, const char *why)
{
	int len = (int)(end - s);

	if (len > 60)
		len = 60;
	return td_error_set(p->e, EINVAL, p->path, p->line, "%s: '%.*s'", why, len, s);
}

/* Copy [s, end) into a new NUL-terminated string. */
static char *
dupn(const char *s, const char *end)
{
	size_t n = (size_t)(end - s);
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Parse "SEC.FRAC s" where FRAC is frac_digits wide in meaning (3: ms, 6: us). */
static int
parse_period(const char *q, const char *end, int frac_unit_ns, uint64_t *out)
{
	uint64_t sec, frac = 0;

	if (td_parse_u64(&q, end, &sec) < 0)
		return -EINVAL;
	if (q < end && *q == '.') {
		q++;
		if (td_parse_u64(&q, end, &frac) < 0)
			return -EINVAL;
	}
	q = td_skip_ws(q, end);
	if (q == end || *q != 's')
		return -EINVAL;
	if (sec > UINT64_MAX / 1000000000ULL - 1 || frac > 1000000000ULL)
		return -ERANGE;
	*out = sec * 1000000000ULL + frac * (uint64_t)frac_unit_ns;
	return 0;
}

/* Parse the trailer "N total events[, X.Y events/sec]"; 1 if it was one. */
static int
parse_trailer(struct ts_parse *p, const char *s, const char *end)
{
	const char *q = s;
	uint64_t total, ip, fp = 0;
	const char *fstart;
	double div = 1;

	if (td_parse_u64(&q, end, &total) < 0)
		return 0;
	q = td_skip_ws(q, end);
	if (!td_has_prefix(q, end, "total events"))
		return 0;
	q += strlen("total events");
	if (total > INT64_MAX)
		return -1;
	p->ts->have_total = true;
	p->ts->total_events = total;
	q = td_skip_ws(q, end);
	if (q == end)
		return 1;
	if (*q != ',')
		return -1;
	q = td_skip_ws(q + 1, end);
	if (td_parse_u64(&q, end, &ip) < 0)
		return -1;
	if (q < end && *q == '.') {
		fstart = ++q;
		if (td_parse_u64(&q, end, &fp) < 0)
			return -1;
		for (const char *d = fstart; d < q; d++)
			div *= 10;
	}
	q = td_skip_ws(q, end);
	if (!td_has_prefix(q, end, "events/sec"))
		return -1;
	p->ts->have_rate = true;
	p->ts->events_per_sec = (double)ip + (double)fp / div;
	return 1;
}

/* Parse one entry line "count[D], pid comm start (expire)"; 1 if it was one. */
static int
parse_entry(struct ts_parse *p, const char *s, const char *end)
{
	struct td_timer_stats *ts = p->ts;
	struct td_ts_entry *en;
	const char *q = td_skip_ws(s, end), *lp, *rp, *st, *ce;
	uint64_t count;
	int64_t pid;
	bool defer = false;

	if (q == end || *q < '0' || *q > '9')
		return 0;
	if (td_parse_u64(&q, end, &count) < 0)
		return -1;
	/* The kernel's counters are longs: more than 2^63-1 events in all is no real file. */
	if (count > INT64_MAX - p->sum)
		return -3;
	if (q < end && *q == 'D') {
		defer = true;
		q++;
	}
	if (q == end || *q != ',')
		return 0;
	q = td_skip_ws(q + 1, end);
	if (td_parse_i64(&q, end, &pid) < 0 || pid < -1 || pid > INT32_MAX)
		return -1;
	if (q == end || (*q != ' ' && *q != '\t'))
		return -1;
	q++;
	/* From the end: "(expire)", then the start symbol, then the comm. */
	rp = end;
	while (rp > q && (rp[-1] == ' ' || rp[-1] == '\t' || rp[-1] == '\r'))
		rp--;
	if (rp <= q || rp[-1] != ')')
		return -1;
	rp--;
	lp = rp;
	while (lp > q && *lp != '(')
		lp--;
	if (*lp != '(' || lp == q)
		return -1;
	ce = lp;
	while (ce > q && ce[-1] == ' ')
		ce--;
	st = ce;
	while (st > q && st[-1] != ' ' && st[-1] != '\t')
		st--;
	if (st == ce)
		return -1;
	if (ts->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		struct td_ts_entry *ne = reallocarray(ts->entries, ncap, sizeof(*ne));

		if (ne == NULL)
			return -2;
		ts->entries = ne;
		p->cap = ncap;
	}
	en = &ts->entries[ts->n];
	memset(en, 0, sizeof(*en));
	en->count = count;
	en->deferrable = defer;
	en->pid = (int)pid;
	en->line = p->line;
	{
		const char *cs = q, *cend = st;
		size_t n;

		while (cend > cs && (cend[-1] == ' ' || cend[-1] == '\t'))
			cend--;
		n = (size_t)(cend - cs);
		if (n >= sizeof(en->comm))
			n = sizeof(en->comm) - 1;
		memcpy(en->comm, cs, n);
		en->comm[n] = '\0';
	}
	en->start = dupn(st, ce);
	en->expire = dupn(lp + 1, rp);
	if (en->start == NULL || en->expire == NULL) {
		free(en->start);
		free(en->expire);
		return -2;
	}
	ts->n++;
	p->sum += count;
	return 1;
}

/* Parse one line of any kind. */
static int
parse_line(struct ts_parse *p, const char *s, const char *end)
{
	struct td_timer_stats *ts = p->ts;
	const char *q;
	int r;

	while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	q = td_skip_ws(s, end);
	if (q == end)
		return 0;
	if (td_has_prefix(q, end, "Timer Stats Version:")) {
		const char *v = td_skip_ws(q + strlen("Timer Stats Version:"), end);
		size_t n = (size_t)(end - v);

		if (n >= sizeof(ts->version_str))
			n = sizeof(ts->version_str) - 1;
		memcpy(ts->version_str, v, n);
		ts->version_str[n] = '\0';
		if (strcmp(ts->version_str, "v0.1") == 0)
			ts->version = TD_TS_V01;
		else if (strcmp(ts->version_str, "v0.2") == 0)
			ts->version = TD_TS_V02;
		else if (strcmp(ts->version_str, "v0.3") == 0)
			ts->version = TD_TS_V03;
		else
			ts->version = TD_TS_VOTHER;
		return 0;
	}
	if (td_has_prefix(q, end, "Timerstats sample period:")) {
		/* The prototype printed microseconds without zero padding. */
		ts->version = TD_TS_PROTO;
		if (parse_period(td_skip_ws(q + 25, end), end, 1000, &ts->period_ns) < 0)
			return bad_line(p, s, end, "bad sample period");
		ts->have_period = true;
		return 0;
	}
	if (td_has_prefix(q, end, "Sample period:")) {
		if (parse_period(td_skip_ws(q + 14, end), end, 1000000, &ts->period_ns) < 0)
			return bad_line(p, s, end, "bad sample period");
		ts->have_period = true;
		return 0;
	}
	if (td_has_prefix(q, end, "Overflow:")) {
		const char *o = td_skip_ws(q + 9, end);

		if (td_parse_u64(&o, end, &ts->overflow) < 0 || ts->overflow > INT64_MAX)
			return bad_line(p, s, end, "bad overflow line");
		ts->have_overflow = true;
		return 0;
	}
	if (td_has_prefix(q, end, "Collection:")) {
		const char *c = td_skip_ws(q + 11, end);

		if (td_has_prefix(c, end, "active"))
			ts->collection = 1;
		else if (td_has_prefix(c, end, "inactive"))
			ts->collection = 0;
		else
			return bad_line(p, s, end, "bad collection line");
		return 0;
	}
	if (td_has_prefix(q, end, "...")) {
		ts->elided = true;
		return 0;
	}
	if ((r = parse_trailer(p, q, end)) != 0)
		return r > 0 ? 0 : bad_line(p, s, end, "bad total events line");
	r = parse_entry(p, s, end);
	if (r == 1)
		return 0;
	if (r == -2)
		return td_error_set(p->e, ENOMEM, p->path, p->line, "out of memory");
	if (r == -3)
		return td_error_set(p->e, ERANGE, p->path, p->line,
		    "the counts add up to more than 2^63-1 events");
	return bad_line(p, s, end, r == 0 ? "unexpected line" : "bad timer entry");
}

/* Parse a timer_stats text of any version. */
int
td_timer_stats_parse(const char *buf, size_t len, const char *path,
    struct td_timer_stats **out, struct td_error *e)
{
	struct ts_parse p = { .path = path, .e = e };
	const char *s = buf, *end = buf + len;
	int r;

	*out = NULL;
	if ((p.ts = calloc(1, sizeof(*p.ts))) == NULL)
		return td_error_set(e, ENOMEM, path, 0, "out of memory");
	p.ts->collection = -1;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;

		p.line++;
		if (memchr(s, '\0', (size_t)(le - s)) != NULL) {
			td_timer_stats_free(p.ts);
			return td_error_set(e, EINVAL, path, p.line, "NUL byte in text");
		}
		if ((r = parse_line(&p, s, le)) < 0) {
			td_timer_stats_free(p.ts);
			return r;
		}
		s = nl ? nl + 1 : end;
	}
	if (p.ts->n == 0 && !p.ts->have_total && p.ts->version == TD_TS_UNKNOWN &&
	    !p.ts->have_period) {
		td_timer_stats_free(p.ts);
		return td_error_set(e, EINVAL, path, 0, "not a timer_stats file (nothing recognised)");
	}
	*out = p.ts;
	return 0;
}

/* Free a parsed file; NULL is fine. */
void
td_timer_stats_free(struct td_timer_stats *ts)
{
	if (ts == NULL)
		return;
	for (size_t i = 0; i < ts->n; i++) {
		free(ts->entries[i].start);
		free(ts->entries[i].expire);
	}
	free(ts->entries);
	free(ts);
}

/* Guess whether a timer_stats entry is an hrtimer from its start and callback. */
static bool
is_hrtimer(const char *start, const char *expire)
{
	static const char *const cb[] = {
		"hrtimer_wakeup", "tick_sched_timer", "it_real_fn", "timerfd_tmrproc",
		"posix_timer_fn", "sched_rt_period_timer", "alarmtimer_fired",
		"watchdog_timer_fn", "perf_mux_hrtimer_handler", "tick_nohz_handler",
	};

	if (strstr(start, "hrtimer") != NULL || strstr(expire, "hrtimer") != NULL ||
	    strcmp(start, "do_nanosleep") == 0)
		return true;
	for (size_t i = 0; i < TD_ARRAY_SIZE(cb); i++)
		if (strcmp(expire, cb[i]) == 0)
			return true;
	return false;
}

/* Turn a parsed file into a sample. */
int
td_timer_stats_to_sample(const struct td_timer_stats *ts, struct td_sample **out,
    struct td_error *e)
{
	struct td_sample *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	p->backend = TD_BACKEND_TIMER_STATS;
	p->period_ns = ts->have_period ? ts->period_ns : 0;
	p->overflow = ts->overflow;
	p->lost_known = ts->have_overflow || ts->version >= TD_TS_V01;
	/* Overflowed events were counted in no entry: they are the lost ones. */
	p->lost_events = ts->overflow;
	for (size_t i = 0; i < ts->n; i++) {
		const struct td_ts_entry *en = &ts->entries[i];
		struct td_wsource *w = td_sample_add(p);

		if (w == NULL || (w->function = td_sample_str(p, en->expire)) == NULL ||
		    (w->site = td_sample_str(p, en->start)) == NULL) {
			td_sample_free(p);
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
		}
		w->kind = is_hrtimer(en->start, en->expire) ? TD_KIND_HRTIMER : TD_KIND_TIMER;
		w->pid = en->pid;
		strlcpy(w->comm, en->comm, sizeof(w->comm));
		if (en->pid == 0)
			w->task = TD_TASK_IDLE;
		w->irq = -1;
		w->known = TD_WS_PID | TD_WS_SITE | TD_WS_EXPIRIES;
		/* Versions before v0.2 had no D mark: deferrable is unknown there. */
		if (ts->version >= TD_TS_V02 && ts->version != TD_TS_VOTHER)
			w->known |= TD_WS_DEFERRABLE;
		else if (en->deferrable)
			w->known |= TD_WS_DEFERRABLE;
		w->deferrable = en->deferrable;
		w->count = en->count;
		w->expiries = en->count;
	}
	td_sample_finish(p);
	if (ts->have_total)
		p->total_events = ts->total_events;
	*out = p;
	return 0;
}

/* Whether the classic format can express a source: timers and hrtimers only. */
static bool
writable(const struct td_wsource *w)
{
	return w->kind == TD_KIND_TIMER || w->kind == TD_KIND_HRTIMER;
}

/* Write one entry line as v0.2 and later print it. */
static void
write_entry(FILE *f, const struct td_wsource *w)
{
	char comm[4 * sizeof(w->comm) + 1];

	/*
	 * The format has one 16-column comm field without parentheses; the
	 * names are escaped like every text output.
	 */
	td_text_safe(comm, sizeof(comm), w->comm[0] ? w->comm : "<unknown>");
	for (char *c = comm; *c; c++)
		if (*c == '(' || *c == ')')
			*c = '?';
	if ((w->known & TD_WS_DEFERRABLE) && w->deferrable)
		fprintf(f, "%4" PRIu64 "D, ", w->count);
	else
		fprintf(f, " %4" PRIu64 ", ", w->count);
	fprintf(f, "%5d %-16s %s (%s)\n", (w->known & TD_WS_PID) ? w->pid : -1, comm,
	    TD_SAFE(w->site ? w->site : "<unknown>"), TD_SAFE(w->function));
}

/* Write "N total events[, X.YYY events/sec]" as the kernel computes it. */
static void
write_trailer(FILE *f, uint64_t total, bool have_period, uint64_t period_ns,
    const struct td_timer_stats *file)
{
	bool as_file = file != NULL && file->have_total && total == file->total_events;
	uint64_t ms = period_ns / 1000000, q, r;

	fprintf(f, "%" PRIu64 " total events", total);
	if (as_file && !file->have_rate) {
		/* No rate in the file: none here either. */
	} else if (total != 0 && have_period && ms >= 1000) {
		/* events * 1000 / ms and its three decimals, without overflowing. */
		q = total / ms;
		r = total % ms;
		fprintf(f, ", %" PRIu64 ".%03" PRIu64 " events/sec", q * 1000 + r * 1000 / ms,
		    (r * 1000000 / ms) % 1000);
	} else if (as_file) {
		/* The file's own rate, where its period cannot give it. */
		fprintf(f, ", %.3f events/sec", file->events_per_sec);
	}
	fprintf(f, "\n");
}

/* Write the sample's timer sources in the classic timer_stats text. */
int
td_timer_stats_write(FILE *f, const struct td_sample *p, const struct td_timer_stats *file,
    const struct td_wsource *const *rows, size_t n)
{
	bool have_period = p->period_ns != 0, have_total = true;
	uint64_t period = p->period_ns, total = 0, ms;

	if (file != NULL) {
		/* A saved copy: its own header lines, and none it did not have. */
		if (file->version != TD_TS_UNKNOWN && file->version != TD_TS_PROTO)
			fprintf(f, "Timer Stats Version: %s\n", file->version_str);
		have_period = file->have_period;
		period = file->period_ns;
	} else {
		fprintf(f, "Timer Stats Version: v0.3\n");
	}
	/* An unknown period is left out, as early v0.1 files did, never written as 0. */
	if (have_period) {
		ms = period / 1000000;
		fprintf(f, "Sample period: %" PRIu64 ".%03" PRIu64 " s\n", ms / 1000, ms % 1000);
	}
	if (file != NULL ? file->have_overflow : p->overflow != 0)
		fprintf(f, "Overflow: %" PRIu64 " entries\n", p->overflow);
	if (file == NULL)
		fprintf(f, "Collection: active\n");
	else if (file->collection >= 0)
		fprintf(f, "Collection: %s\n", file->collection ? "active" : "inactive");
	for (size_t i = 0; i < (rows != NULL ? n : p->n); i++) {
		const struct td_wsource *w = rows != NULL ? rows[i] : &p->src[i];

		/* A sample's sources that did not fire are left out; a file's as it had them. */
		if (writable(w) && (w->count != 0 || file != NULL))
			write_entry(f, w);
	}
	/*
	 * The total counts every timer event of the sample, those the list leaves
	 * out too (--top, elided or overflowed lines), as the kernel's does.
	 */
	if (p->backend == TD_BACKEND_TIMER_STATS) {
		total = p->total_events;
		have_total = file == NULL || file->have_total;
	} else {
		for (size_t i = 0; i < p->n; i++)
			if (writable(&p->src[i]) && total <= UINT64_MAX - p->src[i].count)
				total += p->src[i].count;
	}
	if (have_total)
		write_trailer(f, total, have_period, period, file);
	return ferror(f) ? -EIO : 0;
}
