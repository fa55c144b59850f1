/* Verdicts on the timer setup, with evidence and advice. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

struct ctx {
	const struct td_check_input	*in;
	struct td_checks		*out;
	const char			*id;	/* the check running, from the table */
	int				 err;
};

/* The CPU a tick verdict names (c may be NULL after ENOMEM). */
static void
name_cpu(struct td_check *c, int cpu)
{
	if (c != NULL)
		c->cpu = cpu;
}

/* Append the running check's verdict; its message is a printf format. */
__attribute__((format(printf, 3, 4)))
static struct td_check *
add(struct ctx *x, enum td_severity sev, const char *fmt, ...)
{
	struct td_check *c, *n;
	va_list ap;

	if (x->err)
		return NULL;
	n = reallocarray(x->out->c, x->out->n + 1, sizeof(*n));
	if (n == NULL) {
		x->err = -ENOMEM;
		return NULL;
	}
	x->out->c = n;
	c = &n[x->out->n++];
	memset(c, 0, sizeof(*c));
	c->id = x->id;
	c->sev = sev;
	c->cpu = -1;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
	if (sev >= TD_SEV_WARNING)
		x->out->problems++;
	return c;
}

__attribute__((format(printf, 2, 3)))
static void
evidence(struct td_check *c, const char *fmt, ...)
{
	va_list ap;

	if (c == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(c->evidence, sizeof(c->evidence), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static void
advice(struct td_check *c, const char *fmt, ...)
{
	va_list ap;

	if (c == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(c->advice, sizeof(c->advice), fmt, ap);
	va_end(ap);
}

/* Whether the kernel command line holds word (e.g. "nohz=off"). */
static bool
cmdline_has(const struct td_machine *m, const char *word)
{
	const char *p = m->si.has_cmdline ? m->si.cmdline : "";
	size_t n = strlen(word);

	while ((p = strstr(p, word)) != NULL) {
		bool start = p == m->si.cmdline || p[-1] == ' ';
		bool end = p[n] == '\0' || p[n] == ' ' || p[n] == '\n';

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

/* CPUs whose state matches, as a list. */
static int
cpus_where(const struct td_machine *m, bool (*pred)(const struct td_cpu_state *),
    char *buf, size_t len, const struct td_cpu_state **first)
{
	struct td_cpuset s;
	int n = 0;

	td_cpuset_zero(&s);
	*first = NULL;
	for (size_t i = 0; i < m->ncpus; i++)
		if (pred(&m->cpus[i])) {
			td_cpuset_set(&s, m->cpus[i].cpu);
			if (*first == NULL)
				*first = &m->cpus[i];
			n++;
		}
	td_cpuset_format(&s, buf, len);
	return n;
}

static bool is_periodic(const struct td_cpu_state *s) { return s->mode == TD_TICK_PERIODIC; }
static bool is_lowres(const struct td_cpu_state *s)
{
	return s->mode == TD_TICK_PERIODIC || s->mode == TD_TICK_NOHZ_LOWRES;
}
static bool nohz_off(const struct td_cpu_state *s) { return s->nohz == 0; }

/* Why timer_list facts are missing. */
static const char *
tl_reason(const struct td_machine *m)
{
	static char buf[600];

	snprintf(buf, sizeof(buf), "%s%s%s%s", m->tl_err.path, m->tl_err.path[0] ? ": " : "",
	    m->tl_err.msg, m->tl_needs_root ? " (needs root)" : "");
	return buf;
}

static const char *
config_where(const struct td_machine *m)
{
	if (m->kc.found)
		return m->kc.path;
	if (m->absent != NULL)
		return m->absent;
	return m->kc_err.code != 0 ? "kernel config damaged" : "no kernel config found";
}

static void
check_periodic(struct ctx *x)
{
	const struct td_machine *m = x->in->m;
	const struct td_cpu_state *s;
	struct td_check *c;
	char list[256];
	int n = cpus_where(m, is_periodic, list, sizeof(list), &s);

	if (n == 0) {
		add(x, TD_SEV_OK, "No CPU runs a periodic tick");
		return;
	}
	if (m->kc.no_hz == 0) {
		c = add(x, TD_SEV_INFO,
		    "Periodic tick on CPUs %s: the kernel is built without NO_HZ", list);
		evidence(c, "CONFIG_NO_HZ is not set (%s)", config_where(m));
		return;
	}
	c = add(x, TD_SEV_WARNING,
	    "Periodic tick on CPUs %s although the kernel is built for dynamic ticks", list);
	evidence(c, "CPU %d tick device event_handler %s (%s); CONFIG_NO_HZ %s (%s)", s->cpu,
	    s->handler ? s->handler : "?", m->tl_path,
	    m->kc.no_hz == 1 ? "=y" : "unknown", config_where(m));
	if (cmdline_has(m, "nohz=off"))
		advice(c, "remove nohz=off from the kernel command line");
	else if (m->cs.has_current && strcmp(m->cs.current, "jiffies") == 0)
		advice(c, "the jiffies clocksource forces a periodic tick: use a hardware "
		    "clocksource (see the clocksource check)");
	else
		advice(c, "the clock event device %s may lack one-shot mode; check the kernel log",
		    s->device ? s->device : "of these CPUs");
}

/* The kernel log's "Could not switch to high resolution mode on CPU N", NULL if none. */
static const struct td_kmsg_event *
highres_failed(const struct td_kmsg_events *ev)
{
	for (size_t i = 0; ev != NULL && i < ev->n; i++)
		if (ev->ev[i].kind == TD_KEV_HIGHRES_FAILED)
			return &ev->ev[i];
	return NULL;
}

static void
check_highres(struct ctx *x)
{
	const struct td_machine *m = x->in->m;
	const struct td_kmsg_event *failed = highres_failed(x->in->events);
	const struct td_cpu_state *s;
	struct td_check *c;
	char list[256], res[64] = "?", logline[400] = "";
	int n = cpus_where(m, is_lowres, list, sizeof(list), &s);

	if (n == 0) {
		add(x, TD_SEV_OK, "High-resolution timers are active on every CPU");
		return;
	}
	if (s->res_min_ns > 0)
		snprintf(res, sizeof(res), "%" PRId64 " ns", s->res_min_ns);
	if (m->kc.high_res_timers == 0) {
		c = add(x, TD_SEV_INFO,
		    "No high-resolution timers: the kernel is built without them");
		evidence(c, "CONFIG_HIGH_RES_TIMERS is not set (%s)", config_where(m));
		return;
	}
	c = add(x, TD_SEV_WARNING,
	    "High-resolution timers are off on CPUs %s: timers fire only on jiffy ticks", list);
	/* The kernel's own word, when its log says the switch failed. */
	if (failed != NULL)
		snprintf(logline, sizeof(logline), "; %s:%ld: %.*s",
		    x->in->events_source ? x->in->events_source : "log", failed->line,
		    (int)(failed->text_len > 200 ? 200 : failed->text_len), failed->text);
	evidence(c, "CPU %d tick device event_handler %s, .resolution %s (%s); "
	    "CONFIG_HIGH_RES_TIMERS %s (%s)%s", s->cpu, s->handler ? s->handler : "?", res,
	    m->tl_path, m->kc.high_res_timers == 1 ? "=y" : "unknown", config_where(m), logline);
	if (cmdline_has(m, "highres=off"))
		advice(c, "remove highres=off from the kernel command line");
	else if (m->cs.has_current && strcmp(m->cs.current, "jiffies") == 0)
		advice(c, "high resolution needs a continuous clocksource, not jiffies");
	else if (failed != NULL)
		advice(c, "the kernel could not switch: the clock event device %s lacks "
		    "one-shot mode, or needs a one-shot broadcast device it does not have",
		    s->device ? s->device : "of these CPUs");
	else
		advice(c, "the clock event device %s may lack one-shot mode",
		    s->device ? s->device : "of these CPUs");
}

static void
check_nohz(struct ctx *x)
{
	const struct td_machine *m = x->in->m;
	const struct td_cpu_state *s;
	struct td_check *c;
	char list[256];
	int n = cpus_where(m, nohz_off, list, sizeof(list), &s);

	if (n == 0) {
		add(x, TD_SEV_OK, "NOHZ (dynamic ticks) is active on every CPU");
		return;
	}
	if (m->kc.no_hz == 0) {
		c = add(x, TD_SEV_INFO, "NOHZ inactive: the kernel is built without it");
		evidence(c, "CONFIG_NO_HZ is not set (%s)", config_where(m));
		return;
	}
	c = add(x, TD_SEV_WARNING,
	    "NOHZ is inactive on CPUs %s: their tick never stops, even when idle", list);
	evidence(c, "CPU %d %s 0 (%s)", s->cpu,
	    m->tl->has_version && m->tl->vminor >= 10 ? ".nohz" : ".nohz_mode", m->tl_path);
	if (cmdline_has(m, "nohz=off"))
		advice(c, "remove nohz=off from the kernel command line");
	else
		advice(c, "check the kernel log for why dynamic ticks were not enabled");
}

static void
check_clocksource(struct ctx *x)
{
	const struct td_machine *m = x->in->m;
	const char *best = NULL;
	struct td_check *c;
	char arg[96];

	for (int i = 0; i < m->cs.navailable; i++)
		if (best == NULL || td_clocksource_rank(m->cs.available[i]) >
		    td_clocksource_rank(best))
			best = m->cs.available[i];
	if (best == NULL || td_clocksource_rank(m->cs.current) >= td_clocksource_rank(best)) {
		c = add(x, TD_SEV_OK, "Clock source %s is the best available",
		    m->cs.current);
		return;
	}
	c = add(x, TD_SEV_WARNING,
	    "Clock source %s is not the best available: %s is there", m->cs.current, best);
	evidence(c, "current_clocksource %s, available_clocksource lists %s "
	    "(/sys/devices/system/clocksource/clocksource0)", m->cs.current, best);
	snprintf(arg, sizeof(arg), "clocksource=%s", m->cs.current);
	if (cmdline_has(m, arg))
		advice(c, "remove %s from the kernel command line", arg);
	else
		advice(c, "find why %s was not chosen in the kernel log (timerinfo --events)", best);
}

/* The kernel log: a clocksource marked unstable while in use, then switched away from. */
static void
check_stability(struct ctx *x)
{
	const struct td_kmsg_events *ev = x->in->events;
	const struct td_kmsg_event *bad = NULL, *after = NULL;
	char current[64] = "";
	struct td_check *c;

	for (size_t i = 0; i < ev->n; i++) {
		const struct td_kmsg_event *e = &ev->ev[i];

		if (e->kind == TD_KEV_CLOCKSOURCE_SWITCH && e->name != NULL) {
			if (bad != NULL && after == NULL)
				after = e;
			strlcpy(current, e->name, sizeof(current));
		} else if ((e->kind == TD_KEV_CLOCKSOURCE_UNSTABLE && e->name != NULL &&
		    strcmp(e->name, current) == 0) ||
		    (e->kind == TD_KEV_TSC_UNSTABLE && strncmp(current, "tsc", 3) == 0)) {
			if (bad == NULL)
				bad = e;
		}
	}
	if (bad == NULL) {
		add(x, TD_SEV_OK,
		    "No clock source in use was marked unstable (%s)",
		    x->in->events_source ? x->in->events_source : "kernel log");
		return;
	}
	c = add(x, TD_SEV_WARNING,
	    "The clock source in use was marked unstable%s%s",
	    after ? "; the kernel switched to " : "", after ? after->name : "");
	evidence(c, "%s:%ld: %.*s", x->in->events_source ? x->in->events_source : "log",
	    bad->line, (int)(bad->text_len > 300 ? 300 : bad->text_len), bad->text);
	advice(c, "on a VM prefer the hypervisor clock (kvm-clock); on hardware check BIOS "
	    "power settings and try tsc=reliable only if the TSC is known good");
}

static bool has_hangs(const struct td_cpu_state *s) { return s->nr_hangs > 0; }

/* hrtimer hangs: every CPU that had some, each with its count and longest hang. */
static void
check_hangs(struct ctx *x)
{
	const struct td_machine *m = x->in->m;
	const struct td_kmsg_events *ev = x->in->events;
	const struct td_cpu_state *s;
	struct td_check *c;
	char list[256], counts[256], ev_text[512];
	size_t cl = 0, el = 0;
	int n = cpus_where(m, has_hangs, list, sizeof(list), &s);

	if (n > 0) {
		counts[0] = ev_text[0] = '\0';
		for (size_t i = 0; i < m->ncpus; i++) {
			s = &m->cpus[i];
			if (s->nr_hangs <= 0)
				continue;
			if (cl < sizeof(counts))
				cl += (size_t)snprintf(counts + cl, sizeof(counts) - cl,
				    "%sCPU %d %" PRId64 " (max %.1f ms)", cl ? ", " : "", s->cpu,
				    s->nr_hangs, (double)s->max_hang_time_ns / 1e6);
			if (el < sizeof(ev_text))
				el += (size_t)snprintf(ev_text + el, sizeof(ev_text) - el,
				    "%sCPU %d .nr_hangs %" PRId64 ", .max_hang_time %" PRId64 " ns",
				    el ? "; " : "", s->cpu, s->nr_hangs, s->max_hang_time_ns);
		}
		c = add(x, TD_SEV_WARNING, "hrtimer interrupts hung on CPU%s %s: %s",
		    n > 1 ? "s" : "", list, counts);
		evidence(c, "%s (%s)", ev_text, m->tl_path);
		advice(c, "a timer callback or interrupt storm takes too long; find it "
		    "with timerstat");
		return;
	}
	for (size_t i = 0; ev != NULL && i < ev->n; i++)
		if (ev->ev[i].kind == TD_KEV_HRTIMER_SLOW) {
			c = add(x, TD_SEV_WARNING,
			    "An hrtimer interrupt took %" PRId64 " ns", ev->ev[i].ns);
			evidence(c, "%s:%ld: %.*s", x->in->events_source, ev->ev[i].line,
			    (int)(ev->ev[i].text_len > 300 ? 300 : ev->ev[i].text_len),
			    ev->ev[i].text);
			advice(c, "often a VM descheduled or a slow timer callback; watch it "
			    "with timerstat");
			return;
		}
	if (m->tl == NULL) {
		c = add(x, TD_SEV_SKIPPED, "hrtimer hangs not checked");
		evidence(c, "%s; %s", tl_reason(m), x->in->events_why ? x->in->events_why : "");
		return;
	}
	add(x, TD_SEV_OK, "No hrtimer interrupt hung or ran too long");
}

static void
check_nohz_full(struct ctx *x)
{
	const struct td_machine *m = x->in->m;
	struct td_check *c;
	char list[256];
	int n = m->si.has_nohz_full ? td_cpuset_count(&m->si.nohz_full) : 0;

	if (m->absent != NULL) {	/* the CPU masks are not in a timer_list */
		c = add(x, TD_SEV_SKIPPED, "nohz_full CPUs not checked");
		evidence(c, "%s", m->absent);
		return;
	}
	if (n == 0) {
		add(x, TD_SEV_OK, "No nohz_full CPUs to check");
		return;
	}
	td_cpuset_format(&m->si.nohz_full, list, sizeof(list));
	if (x->in->rates == NULL) {
		c = add(x, TD_SEV_SKIPPED,
		    "Tick rate of nohz_full CPUs %s not measured", list);
		evidence(c, "%s", x->in->rates_why ? x->in->rates_why : "no measurement");
		return;
	}
	for (size_t i = 0; i < x->in->rates->ncpus; i++) {
		const struct td_cpu_tickrate *r = &x->in->rates->cpus[i];

		if (!td_cpuset_isset(&m->si.nohz_full, r->cpu) || !r->has_local ||
		    r->local_per_s <= TD_NOHZ_FULL_MAX_RATE)
			continue;
		c = add(x, TD_SEV_WARNING,
		    "nohz_full CPU %d took %.1f local timer interrupts/s, not about 1/s",
		    r->cpu, r->local_per_s);
		evidence(c, "%s over %.1f s (/proc/interrupts); nohz_full=%s",
		    x->in->rates->local_row, x->in->rates->period_s, list);
		advice(c, "keep one task per nohz_full CPU and move IRQs, timers and kthreads "
		    "away (irqaffinity=, rcu_nocbs=, isolcpus=)");
		name_cpu(c, r->cpu);
		return;
	}
	add(x, TD_SEV_OK, "nohz_full CPUs %s tick at most %.0f/s", list,
	    TD_NOHZ_FULL_MAX_RATE);
}

static bool nohz_known(const struct td_cpu_state *s) { return s->nohz >= 0; }

/*
 * Idle CPUs stop their tick: a warning when NOHZ is off (the tick never
 * stops), when a CPU idles often and never sleeps with the tick stopped, or
 * when a mostly idle CPU took HZ local timer interrupts; skipped when the
 * timer_list (root) that says so is missing; ok only on its word.
 */
static void
check_idle_tick(struct ctx *x)
{
	const struct td_machine *m = x->in->m;
	const struct td_tickrates *r = x->in->rates;
	const struct td_cpu_state *s;
	struct td_check *c;
	char list[256];

	if (m->tl != NULL && cpus_where(m, nohz_off, list, sizeof(list), &s) > 0) {
		c = add(x, TD_SEV_WARNING,
		    "The tick never stops on CPUs %s, idle or not: NOHZ is inactive there", list);
		evidence(c, "CPU %d %s 0 (%s)", s->cpu,
		    m->tl->has_version && m->tl->vminor >= 10 ? ".nohz" : ".nohz_mode", m->tl_path);
		advice(c, "%s", cmdline_has(m, "nohz=off") ?
		    "remove nohz=off from the kernel command line" :
		    "see the nohz check: dynamic ticks are not enabled");
		return;
	}
	for (size_t i = 0; i < m->ncpus; i++) {
		s = &m->cpus[i];
		if (s->nohz == 1 && s->idle_calls >= 100 && s->idle_sleeps == 0) {
			c = add(x, TD_SEV_WARNING,
			    "The tick never stops on CPU %d although it goes idle", s->cpu);
			evidence(c, "CPU %d .idle_calls %" PRId64 ", .idle_sleeps 0 (%s)", s->cpu,
			    s->idle_calls, m->tl_path);
			advice(c, "something keeps a timer due every tick on that CPU; "
			    "find it with timerinfo --explain-tick or timerstat --cpu %d", s->cpu);
			name_cpu(c, s->cpu);
			return;
		}
	}
	for (size_t i = 0; r != NULL && m->hz > 0 && i < r->ncpus; i++) {
		const struct td_cpu_tickrate *t = &r->cpus[i];

		if (t->has_idle && t->idle_share >= 0.9 && t->has_local &&
		    t->local_per_s >= 0.8 * m->hz && m->nohz == 1) {
			c = add(x, TD_SEV_WARNING,
			    "CPU %d was %.0f%% idle but took %.0f local timer interrupts/s (HZ %d)",
			    t->cpu, 100 * t->idle_share, t->local_per_s, m->hz);
			evidence(c, "%s over %.1f s (/proc/interrupts), idle time from /proc/stat",
			    r->local_row, r->period_s);
			advice(c, "find what wakes it every tick with timerinfo --explain-tick or "
			    "timerstat --cpu %d", t->cpu);
			name_cpu(c, t->cpu);
			return;
		}
	}
	if (m->tl == NULL) {
		c = add(x, TD_SEV_SKIPPED,
		    "Idle tick not checked: whether NOHZ is active is not known");
		evidence(c, "%s", tl_reason(m));
		return;
	}
	if (cpus_where(m, nohz_known, list, sizeof(list), &s) == 0) {
		c = add(x, TD_SEV_SKIPPED,
		    "Idle tick not checked: this timer_list does not say whether NOHZ is active");
		evidence(c, "no .nohz_mode or .nohz field (%s)", m->tl_path);
		return;
	}
	add(x, TD_SEV_OK, "Idle CPUs stop their tick");
}

static void
check_rtc(struct ctx *x)
{
	struct td_check *c;

	if (fabs(x->in->rtc_drift_s) <= TD_RTC_DRIFT_MAX_S) {
		add(x, TD_SEV_OK, "RTC %s is within %.0f s of the system clock (%+.0f s)",
		    x->in->rtc_name ? x->in->rtc_name : "", TD_RTC_DRIFT_MAX_S, x->in->rtc_drift_s);
		return;
	}
	c = add(x, TD_SEV_WARNING, "RTC %s drifts %+.0f s from the system clock",
	    x->in->rtc_name ? x->in->rtc_name : "", x->in->rtc_drift_s);
	evidence(c, "/sys/class/rtc/%s/since_epoch against CLOCK_REALTIME",
	    x->in->rtc_name ? x->in->rtc_name : "rtc0");
	advice(c, "run NTP, or set the RTC from the system clock (hwclock --systohc)");
}

/*
 * Without a timer_list (it needs root) one verdict says so for the checks
 * that read it, with its reason; with one, this check has nothing to say.
 */
static void
check_timer_list(struct ctx *x)
{
	const struct td_machine *m = x->in->m;
	struct td_check *c;

	if (m->tl != NULL)
		return;
	c = add(x, TD_SEV_SKIPPED, "Tick mode, high resolution and NOHZ not checked");
	evidence(c, "%s", tl_reason(m));
	if (m->absent == NULL)
		advice(c, "run as root to check them");
}

/* What a check needs besides the machine's own facts; without it, it is skipped. */
enum need {
	NEED_NOTHING,
	NEED_TIMER_LIST,	/* the parsed timer_list */
	NEED_CLOCKSOURCE,	/* the current clock source (sysfs) */
	NEED_KERNEL_LOG,	/* the timer events of the kernel log */
	NEED_RTC,		/* an RTC and its drift against the system clock */
};

/* Why what a check needs is missing, or NULL when it is there. */
static const char *
missing(enum need need, const struct td_check_input *in)
{
	switch (need) {
	case NEED_NOTHING:
		return NULL;
	case NEED_TIMER_LIST:
		return in->m->tl == NULL ? tl_reason(in->m) : NULL;
	case NEED_CLOCKSOURCE:
		return in->m->cs.has_current ? NULL : in->m->cs.why_missing;
	case NEED_KERNEL_LOG:
		if (in->events != NULL)
			return NULL;
		return in->events_why != NULL ? in->events_why : "no log";
	case NEED_RTC:
		if (in->has_rtc)
			return NULL;
		return in->rtc_why != NULL ? in->rtc_why : "no RTC";
	}
	return NULL;
}

/*
 * The checks, in the order they are reported: the ID (the text's, the JSON
 * checks array's and the Prometheus check label), the function that gives
 * the verdict, what it needs, and the verdict when that is missing (NULL: no
 * verdict of its own; the timer_list check speaks for it).
 */
static const struct check {
	const char	*id;
	void		(*run)(struct ctx *x);
	enum need	 need;
	const char	*skipped;
} checks[] = {
	{ "timer_list", check_timer_list, NEED_NOTHING, NULL },
	{ "periodic_tick", check_periodic, NEED_TIMER_LIST, NULL },
	{ "highres", check_highres, NEED_TIMER_LIST, NULL },
	{ "nohz", check_nohz, NEED_TIMER_LIST, NULL },
	{ "clocksource", check_clocksource, NEED_CLOCKSOURCE, "Clock source not checked" },
	{ "clocksource_stability", check_stability, NEED_KERNEL_LOG,
	    "Clock source stability not checked: no kernel log" },
	{ "hrtimer_hangs", check_hangs, NEED_NOTHING, NULL },
	{ "nohz_full", check_nohz_full, NEED_NOTHING, NULL },
	{ "idle_tick", check_idle_tick, NEED_NOTHING, NULL },
	{ "rtc", check_rtc, NEED_RTC, "RTC drift not checked" },
};

/* Run every check of the table, or say why it was skipped. */
int
td_checks_run(const struct td_check_input *in, struct td_checks **out, struct td_error *e)
{
	struct ctx x = { .in = in };
	const char *why;

	*out = NULL;
	x.out = calloc(1, sizeof(*x.out));
	if (x.out == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		x.id = checks[i].id;
		if ((why = missing(checks[i].need, in)) == NULL)
			checks[i].run(&x);
		else if (checks[i].skipped != NULL)
			evidence(add(&x, TD_SEV_SKIPPED, "%s", checks[i].skipped), "%s", why);
	}
	if (x.err) {
		td_checks_free(x.out);
		return td_error_set(e, -x.err, NULL, 0, "out of memory");
	}
	*out = x.out;
	return 0;
}

/* Free checks; NULL-safe. */
void
td_checks_free(struct td_checks *c)
{
	if (c == NULL)
		return;
	free(c->c);
	free(c);
}

/* Name of a severity. */
const char *
td_severity_name(enum td_severity s)
{
	switch (s) {
	case TD_SEV_OK:		return "ok";
	case TD_SEV_INFO:	return "info";
	case TD_SEV_SKIPPED:	return "skipped";
	case TD_SEV_WARNING:	return "warning";
	case TD_SEV_CRITICAL:	return "critical";
	}
	return "unknown";
}
