/* The timer events of the kernel log: clocksource, TSC, sched_clock, HPET and tick messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kmsg_events.h"

/* A cursor over [p, end). */
struct cur {
	const char	*p;
	const char	*end;
};

/* The snake_case name of each kind, for JSON and text. */
static const char *const kind_names[TD_KEV_COUNT] = {
	[TD_KEV_CLOCKSOURCE_SWITCH] = "clocksource_switch",
	[TD_KEV_CLOCKSOURCE_REGISTER] = "clocksource_register",
	[TD_KEV_CLOCKSOURCE_UNSTABLE] = "clocksource_unstable",
	[TD_KEV_CLOCKSOURCE_SKEW] = "clocksource_skew",
	[TD_KEV_WATCHDOG_DETAIL] = "watchdog_detail",
	[TD_KEV_WATCHDOG] = "watchdog",
	[TD_KEV_TSC_DETECTED] = "tsc_detected",
	[TD_KEV_TSC_REFINED] = "tsc_refined",
	[TD_KEV_TSC_UNSTABLE] = "tsc_unstable",
	[TD_KEV_TSC_SYNC] = "tsc_sync",
	[TD_KEV_TSC_WARP] = "tsc_warp",
	[TD_KEV_TSC_ADJUST] = "tsc_adjust",
	[TD_KEV_NOHZ_SWITCH] = "nohz_switch",
	[TD_KEV_HIGHRES_SWITCH] = "highres_switch",
	[TD_KEV_HRTIMER_SLOW] = "hrtimer_slow",
	[TD_KEV_SCHED_CLOCK] = "sched_clock",
	[TD_KEV_SCHED_CLOCK_STABLE] = "sched_clock_stable",
	[TD_KEV_SCHED_CLOCK_UNSTABLE] = "sched_clock_unstable",
	[TD_KEV_NOHZ_SOFTIRQ_PENDING] = "nohz_softirq_pending",
	[TD_KEV_NOHZ_FULL] = "nohz_full",
	[TD_KEV_HPET] = "hpet",
	[TD_KEV_HPET_COUNTER] = "hpet_counter",
	[TD_KEV_HPET_PERCPU] = "hpet_percpu",
	[TD_KEV_DELAY_TIMER] = "delay_timer",
	[TD_KEV_NO_TIMER] = "no_timer",
	[TD_KEV_HIGHRES_FAILED] = "highres_failed",
};

/* Name of an event kind. */
const char *
td_kmsg_event_kind_name(enum td_kmsg_event_kind kind)
{
	if ((unsigned)kind >= TD_KEV_COUNT)
		return "unknown";
	return kind_names[kind];
}

/* Consume literal s at the cursor. */
static bool
lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* Advance past the first occurrence of s; false (cursor kept) if absent. */
static bool
find(struct cur *c, const char *s)
{
	size_t n = strlen(s);
	const char *p;

	for (p = c->p; (size_t)(c->end - p) >= n; p++)
		if (memcmp(p, s, n) == 0) {
			c->p = p + n;
			return true;
		}
	return false;
}

/* Unsigned decimal at the cursor. */
static bool
num(struct cur *c, uint64_t *v)
{
	return td_parse_u64(&c->p, c->end, v) == 0;
}

/* Signed decimal at the cursor. */
static bool
snum(struct cur *c, int64_t *v)
{
	return td_parse_i64(&c->p, c->end, v) == 0;
}

/* Small unsigned decimal (a CPU number or bit count). */
static bool
inum(struct cur *c, int *v)
{
	uint64_t u;

	if (!num(c, &u) || u > 1000000)
		return false;
	*v = (int)u;
	return true;
}

/* "2495.998" (MHz) at the cursor, as Hz. */
static bool
mhz(struct cur *c, uint64_t *hz)
{
	uint64_t i, f = 0;
	int nd = 0;

	if (!num(c, &i) || i > 1000000000)
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++, nd++)
			if (nd < 6)
				f = f * 10 + (uint64_t)(*c->p - '0');
		for (; nd < 6; nd++)
			f *= 10;
	}
	*hz = i * 1000000 + f;
	return true;
}

/* Copy [p, end) into a NUL-terminated string (NULL on ENOMEM). */
static char *
dupn(const char *p, const char *end)
{
	char *s = malloc((size_t)(end - p) + 1);

	if (s != NULL) {
		memcpy(s, p, (size_t)(end - p));
		s[end - p] = '\0';
	}
	return s;
}

/* Set ev->name to [p, end) trimmed of blanks and a final '.'. */
static int
set_name(char **dst, const char *p, const char *end)
{
	p = td_skip_ws(p, end);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '.' ||
	    end[-1] == '\r'))
		end--;
	free(*dst);
	*dst = dupn(p, end);
	return *dst ? 0 : -ENOMEM;
}

/* Name between quotes at the cursor ("'hpet'"), consuming it. */
static int
quoted(struct cur *c, char **dst)
{
	const char *q;

	if (c->p >= c->end || *c->p != '\'')
		return 0;
	q = memchr(c->p + 1, '\'', (size_t)(c->end - c->p - 1));
	if (q == NULL)
		return 0;
	free(*dst);
	if ((*dst = dupn(c->p + 1, q)) == NULL)
		return -ENOMEM;
	c->p = q + 1;
	return 1;
}

/* The first CPU number written "CPU%d", "CPU %d" or "CPU #%d" in [p, end), or -1. */
static int
cpu_in(const char *p, const char *end)
{
	struct cur c = { p, end };
	int v;

	while (find(&c, "CPU")) {
		struct cur d = c;

		if (d.p < d.end && (*d.p == ' ' || *d.p == '#'))
			d.p++;
		if (d.p < d.end && *d.p == '#')
			d.p++;
		if (inum(&d, &v))
			return v;
	}
	return -1;
}

/* Clocksource messages (with or without the "clocksource: " prefix). */
static int
match_clocksource(struct cur c, struct td_kmsg_event *ev)
{
	struct cur d;
	const char *name;
	bool cs;
	int r;

	if (lit(&c, "Time: ")) {
		d = c;
		if (!find(&d, " clocksource has been installed"))
			return 0;
		ev->kind = TD_KEV_CLOCKSOURCE_SWITCH;
		return set_name(&ev->name, c.p, d.p - strlen(" clocksource has been installed")) < 0 ?
		    -ENOMEM : 1;
	}
	if ((cs = lit(&c, "clocksource:")))
		c.p = td_skip_ws(c.p, c.end);
	d = c;
	if (lit(&d, "Switched to clocksource ") || lit(&d, "Switching to clocksource ")) {
		ev->kind = TD_KEV_CLOCKSOURCE_SWITCH;
		return set_name(&ev->name, d.p, d.end) < 0 ? -ENOMEM : 1;
	}
	d = c;
	if (lit(&d, "Clocksource ")) {
		struct cur q = d;

		if ((r = quoted(&q, &ev->name)) != 0) {
			/* 5.x: Clocksource 'x' skewed N ns (M ms) over watchdog 'y' interval of ... */
			if (r < 0)
				return r;
			if (!lit(&q, " skewed ") || !snum(&q, &ev->ns))
				return 0;
			ev->kind = TD_KEV_CLOCKSOURCE_SKEW;
			ev->have |= TD_KEV_HAVE_NS;
			if (find(&q, "over watchdog ") && quoted(&q, &ev->name2) < 0)
				return -ENOMEM;
			if (lit(&q, " interval of ") && snum(&q, &ev->interval_ns))
				ev->have |= TD_KEV_HAVE_INTERVAL;
			return 1;
		}
		/* 2.6.2x - 3.x: Clocksource tsc unstable (delta = -201134949 ns) */
		name = d.p;
		if (!find(&d, " unstable (delta = "))
			return 0;
		ev->kind = TD_KEV_CLOCKSOURCE_UNSTABLE;
		if (set_name(&ev->name, name, d.p - strlen(" unstable (delta = ")) < 0)
			return -ENOMEM;
		if (snum(&d, &ev->ns))
			ev->have |= TD_KEV_HAVE_NS;
		return 1;
	}
	d = c;
	if (find(&d, "Marking clocksource ")) {
		/* 3.x+: [timekeeping watchdog on CPU%d: ]Marking clocksource 'x' as unstable */
		if ((r = quoted(&d, &ev->name)) <= 0)
			return r;
		if (!lit(&d, " as unstable"))
			return 0;
		ev->kind = TD_KEV_CLOCKSOURCE_UNSTABLE;
		ev->cpu = cpu_in(c.p, d.p);
		return 1;
	}
	if (!cs)
		return 0;
	d = c;
	if ((r = quoted(&d, &ev->name)) != 0) {
		/* Watchdog details: 'hpet' wd_now: ... / 'tsc' cs_nsec: ... */
		struct cur q = d;

		if (r < 0)
			return r;
		ev->kind = TD_KEV_WATCHDOG_DETAIL;
		if ((find(&q, "wd_nsec: ") || (q = d, find(&q, "cs_nsec: "))) && snum(&q, &ev->ns))
			ev->have |= TD_KEV_HAVE_NS;
		return 1;
	}
	d = c;
	name = d.p;
	if (find(&d, ": mask: 0x")) {
		ev->kind = TD_KEV_CLOCKSOURCE_REGISTER;
		if (set_name(&ev->name, name, d.p - strlen(": mask: 0x")) < 0)
			return -ENOMEM;
		if (td_parse_hex(&d.p, d.end, &ev->mask) == 0)
			ev->have |= TD_KEV_HAVE_MASK;
		if (find(&d, "max_cycles: ") && td_parse_hex(&d.p, d.end, &ev->max_cycles) == 0)
			ev->have |= TD_KEV_HAVE_MAX_CYCLES;
		if (find(&d, "max_idle_ns: ") && num(&d, &ev->max_idle_ns))
			ev->have |= TD_KEV_HAVE_MAX_IDLE;
		return 1;
	}
	d = c;
	if (find(&d, "atchdog")) {
		/* "Watchdog remote CPU 1 read timed out" and other watchdog notes. */
		ev->kind = TD_KEV_WATCHDOG;
		ev->cpu = cpu_in(c.p, c.end);
		return 1;
	}
	return 0;
}

/* TSC messages. */
static int
match_tsc(struct cur c, struct td_kmsg_event *ev)
{
	struct cur d;

	if (lit(&c, "tsc:"))
		c.p = td_skip_ws(c.p, c.end);
	d = c;
	if (lit(&d, "Detected ") && mhz(&d, &ev->freq_hz) && lit(&d, " MHz ")) {
		ev->kind = TD_KEV_TSC_DETECTED;
		ev->have |= TD_KEV_HAVE_FREQ;
		return 1;
	}
	d = c;
	if (lit(&d, "Refined TSC clocksource calibration: ") && mhz(&d, &ev->freq_hz)) {
		ev->kind = TD_KEV_TSC_REFINED;
		ev->have |= TD_KEV_HAVE_FREQ;
		return 1;
	}
	d = c;
	if (lit(&d, "Marking TSC unstable due to")) {
		if (d.p < d.end && *d.p == ':')
			d.p++;
		ev->kind = TD_KEV_TSC_UNSTABLE;
		return set_name(&ev->name, d.p, d.end) < 0 ? -ENOMEM : 1;
	}
	d = c;
	if (lit(&d, "TSC found unstable after boot")) {
		ev->kind = TD_KEV_TSC_UNSTABLE;
		return set_name(&ev->name, c.p, c.p + strlen("TSC found unstable after boot")) <
		    0 ? -ENOMEM : 1;
	}
	d = c;
	(void)lit(&d, "checking ");
	if (lit(&d, "TSC synchronization [CPU#") && inum(&d, &ev->cpu) &&
	    lit(&d, " -> CPU#") && inum(&d, &ev->cpu_to)) {
		ev->kind = TD_KEV_TSC_SYNC;
		return 1;
	}
	ev->cpu = ev->cpu_to = -1;
	d = c;
	if (lit(&d, "Measured ") && snum(&d, &ev->count) && lit(&d, " cycles TSC warp")) {
		ev->kind = TD_KEV_TSC_WARP;
		ev->have |= TD_KEV_HAVE_COUNT;
		return 1;
	}
	d = c;
	if (lit(&d, "TSC ADJUST compensate: CPU") && inum(&d, &ev->cpu) &&
	    lit(&d, " observed ") && snum(&d, &ev->count)) {
		ev->kind = TD_KEV_TSC_ADJUST;
		ev->have |= TD_KEV_HAVE_COUNT;
		if (find(&d, "Adjust: ") && snum(&d, &ev->adjust))
			ev->have |= TD_KEV_HAVE_ADJUST;
		return 1;
	}
	ev->cpu = -1;
	return 0;
}

/* sched_clock lines: "N bits at 24MHz, resolution 41ns, wraps every 89478484971ns". */
static int
match_sched_clock(struct cur c, struct td_kmsg_event *ev)
{
	uint64_t rate;
	int bits;

	if (!lit(&c, "sched_clock: "))
		return 0;
	if (lit(&c, "Marking stable")) {
		ev->kind = TD_KEV_SCHED_CLOCK_STABLE;
		return 1;
	}
	if (lit(&c, "Marking unstable")) {
		ev->kind = TD_KEV_SCHED_CLOCK_UNSTABLE;
		return 1;
	}
	if (!inum(&c, &bits) || !lit(&c, " bits at ") || !num(&c, &rate))
		return 0;
	ev->kind = TD_KEV_SCHED_CLOCK;
	ev->bits = (unsigned)bits;
	ev->have |= TD_KEV_HAVE_BITS;
	if (c.p < c.end && (*c.p == 'k' || *c.p == 'M' || *c.p == ' ')) {
		if (*c.p == 'k' && rate <= UINT64_MAX / 1000)
			rate *= 1000;
		else if (*c.p == 'M' && rate <= UINT64_MAX / 1000000)
			rate *= 1000000;
		c.p++;
	}
	if (lit(&c, "Hz")) {
		ev->freq_hz = rate;
		ev->have |= TD_KEV_HAVE_FREQ;
	}
	if (find(&c, "resolution ") && num(&c, &ev->resolution_ns))
		ev->have |= TD_KEV_HAVE_RESOLUTION;
	if (find(&c, "wraps every ") && num(&c, &ev->wrap_ns))
		ev->have |= TD_KEV_HAVE_WRAP;
	return 1;
}

/* HPET lines. */
static int
match_hpet(struct cur c, struct td_kmsg_event *ev)
{
	struct cur d = c;
	const char *name = c.p;
	uint64_t a, b;
	int bits;

	if (lit(&d, "HPET: ") && num(&d, &a) && lit(&d, " timers in total, ") && num(&d, &b)) {
		ev->kind = TD_KEV_HPET_PERCPU;
		ev->count = (int64_t)b;
		ev->have |= TD_KEV_HAVE_COUNT;
		return 1;
	}
	d = c;
	if (lit(&d, "hpet: ") && num(&d, &a) && lit(&d, " channels of ") && num(&d, &b) &&
	    lit(&d, " reserved for per-cpu")) {
		ev->kind = TD_KEV_HPET_PERCPU;
		ev->count = (int64_t)a;
		ev->have |= TD_KEV_HAVE_COUNT;
		return 1;
	}
	d = c;
	if (!lit(&d, "hpet") || !num(&d, &a) || !lit(&d, ": "))
		return 0;
	if (set_name(&ev->name, name, d.p - 2) < 0)
		return -ENOMEM;
	if (lit(&d, "at MMIO ")) {
		ev->kind = TD_KEV_HPET;
		return 1;
	}
	if (!num(&d, &a) || a > INT32_MAX)
		return 0;
	ev->count = (int64_t)a;
	if (lit(&d, " comparators, ") && inum(&d, &bits) && lit(&d, "-bit ") &&
	    mhz(&d, &ev->freq_hz) && lit(&d, " MHz counter")) {
		/* 2.6.3x+: N comparators, B-bit F MHz counter */
	} else if (lit(&d, " ") && inum(&d, &bits) && lit(&d, "-bit timers, ") &&
	    num(&d, &ev->freq_hz) && lit(&d, " Hz")) {
		/* 2.6.2x: N B-bit timers, F Hz */
	} else
		return 0;
	ev->kind = TD_KEV_HPET_COUNTER;
	ev->bits = (unsigned)bits;
	ev->have |= TD_KEV_HAVE_COUNT | TD_KEV_HAVE_BITS | TD_KEV_HAVE_FREQ;
	return 1;
}

/* NOHZ, high resolution and hrtimer lines. */
static int
match_tick(struct cur c, struct td_kmsg_event *ev)
{
	struct cur d = c;
	uint64_t v;

	if (lit(&d, "Switched to NOHz mode on CPU #") && inum(&d, &ev->cpu)) {
		ev->kind = TD_KEV_NOHZ_SWITCH;
		return 1;
	}
	d = c;
	if (lit(&d, "Switched to high resolution mode on CPU ") && inum(&d, &ev->cpu)) {
		ev->kind = TD_KEV_HIGHRES_SWITCH;
		return 1;
	}
	d = c;
	if (lit(&d, "Could not switch to high resolution mode on CPU ") && inum(&d, &ev->cpu)) {
		ev->kind = TD_KEV_HIGHRES_FAILED;
		return 1;
	}
	ev->cpu = -1;
	d = c;
	if (lit(&d, "hrtimer: interrupt took ") && num(&d, &v) && v <= INT64_MAX) {
		ev->kind = TD_KEV_HRTIMER_SLOW;
		ev->ns = (int64_t)v;
		ev->have |= TD_KEV_HAVE_NS;
		return 1;
	}
	d = c;
	if (lit(&d, "NOHZ: local_softirq_pending ") ||
	    (lit(&d, "NOHZ tick-stop error: ") && find(&d, "handler #"))) {
		ev->kind = TD_KEV_NOHZ_SOFTIRQ_PENDING;
		if (td_parse_hex(&d.p, d.end, &v) == 0 && v <= INT64_MAX) {
			ev->count = (int64_t)v;
			ev->have |= TD_KEV_HAVE_COUNT;
		}
		return 1;
	}
	d = c;
	if (lit(&d, "NOHZ tick-stop error")) {
		ev->kind = TD_KEV_NOHZ_SOFTIRQ_PENDING;
		return 1;
	}
	d = c;
	if (lit(&d, "NO_HZ: Full dynticks CPUs: ")) {
		ev->kind = TD_KEV_NOHZ_FULL;
		return set_name(&ev->name, d.p, d.end) < 0 ? -ENOMEM : 1;
	}
	d = c;
	if (lit(&d, "Switching to timer-based delay loop, resolution ") &&
	    num(&d, &ev->resolution_ns)) {
		ev->kind = TD_KEV_DELAY_TIMER;
		ev->have |= TD_KEV_HAVE_RESOLUTION;
		return 1;
	}
	d = c;
	if (lit(&d, "timer_probe: no matching timers found")) {
		ev->kind = TD_KEV_NO_TIMER;
		return 1;
	}
	return 0;
}

/* Free what an event owns and zero it. */
void
td_kmsg_event_clear(struct td_kmsg_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->name);
	free(ev->name2);
	free(ev->text);
	memset(ev, 0, sizeof(*ev));
	ev->cpu = ev->cpu_to = -1;
}

/* Match one record against every timer message we know. */
int
td_kmsg_match(const struct td_kmsg_record *rec, struct td_kmsg_event *ev)
{
	static int (*const matchers[])(struct cur, struct td_kmsg_event *) = {
		match_clocksource, match_tsc, match_sched_clock, match_tick, match_hpet,
	};
	struct cur c;
	const char *nl;
	size_t i;
	int r = 0;

	memset(ev, 0, sizeof(*ev));
	ev->cpu = ev->cpu_to = -1;
	if (rec == NULL || rec->text == NULL)
		return 0;
	c.p = rec->text;
	c.end = rec->text + rec->text_len;
	/* A multi-line message is matched on its first line. */
	if ((nl = memchr(c.p, '\n', rec->text_len)) != NULL)
		c.end = nl;
	c.p = td_skip_ws(c.p, c.end);
	/* Every message we know starts with one of these letters: skip the rest quickly. */
	if (c.p >= c.end || *c.p == '\0' || strchr("TcSCtDRMshNH", *c.p) == NULL)
		return 0;
	for (i = 0; i < TD_ARRAY_SIZE(matchers) && r == 0; i++) {
		r = matchers[i](c, ev);
		if (r == 0) {
			free(ev->name);
			free(ev->name2);
			memset(ev, 0, sizeof(*ev));
			ev->cpu = ev->cpu_to = -1;
		}
	}
	if (r <= 0) {
		td_kmsg_event_clear(ev);
		return r;
	}
	ev->line = rec->line;
	ev->has_ts = rec->has_ts;
	ev->ts_relative = rec->ts_relative;
	ev->ts_ns = rec->ts_ns;
	ev->has_seq = rec->has_seq;
	ev->seq = rec->seq;
	ev->text_len = rec->text_len;
	if ((ev->text = malloc(rec->text_len + 1)) == NULL) {
		td_kmsg_event_clear(ev);
		return -ENOMEM;
	}
	memcpy(ev->text, rec->text, rec->text_len + 1);
	return 1;
}

/* Free an event list (NULL is fine). */
void
td_kmsg_events_free(struct td_kmsg_events *evs)
{
	size_t i;

	if (evs == NULL)
		return;
	for (i = 0; i < evs->n; i++)
		td_kmsg_event_clear(&evs->ev[i]);
	free(evs->ev);
	free(evs);
}

/* Extract the timer events of a log. */
int
td_kmsg_events(const struct td_kmsg_log *log, struct td_kmsg_events **out)
{
	struct td_kmsg_events *evs;
	size_t i, cap = 0;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if ((evs = calloc(1, sizeof(*evs))) == NULL)
		return -ENOMEM;
	for (i = 0; log != NULL && i < log->n; i++) {
		struct td_kmsg_event ev;
		int r = td_kmsg_match(&log->recs[i], &ev);

		if (r < 0)
			goto nomem;
		if (r == 0)
			continue;
		if (td_grow(&evs->ev, evs->n, &cap, 32, sizeof(*evs->ev)) < 0) {
			td_kmsg_event_clear(&ev);
			goto nomem;
		}
		evs->ev[evs->n++] = ev;
	}
	*out = evs;
	return 0;
nomem:
	td_kmsg_events_free(evs);
	return -ENOMEM;
}
