/*
 * timerprobe: the one-line verdict, what a program's waits really deliver set
 * beside what the kernel advertises, and what dominates the difference.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

/* Round to two significant digits: "about 55 us", not "about 55.32 us". */
static int64_t
round2(int64_t ns)
{
	int64_t p = 1, a = ns < 0 ? -ns : ns;

	while (a / p >= 100)
		p *= 10;
	a = (a + p / 2) / p * p;
	return ns < 0 ? -a : a;
}

/* Append to buf, never past len. */
static void
vappend(char *buf, size_t len, const char *s)
{
	strlcat(buf, s, len);
}

/* The verdict of --interval-meter: does the timer count the clock's own time? */
static void
meter_verdict(const struct probe_opts *o, const struct probe_result *r, char *buf, size_t len)
{
	char a[32], b[32], c[32];
	double expired = (double)r->expirations * (double)o->interval_ns;
	bool consistent;

	if (r->lat.n == 0 || r->clock_delta_ns <= 0) {
		snprintf(buf, len, "interval meter: no read measured");
		return;
	}
	/* One interval of rounding at each end. */
	consistent = expired >= (double)(r->clock_delta_min_ns - o->interval_ns) &&
	    expired <= (double)(r->clock_delta_max_ns + o->interval_ns);
	snprintf(buf, len, "interval meter: timerfd counted %s against %s of %s "
	    "(ratio %.4f, %s); one read every about %s",
	    probe_fmt_ns(a, sizeof(a), (int64_t)expired),
	    probe_fmt_ns(b, sizeof(b), r->clock_delta_ns), probe_clock_macro(o->clock),
	    expired / (double)r->clock_delta_ns,
	    consistent ? "consistent with the clock" : "NOT consistent with the clock",
	    probe_fmt_ns(c, sizeof(c), round2(r->clock_delta_ns / (int64_t)r->lat.n)));
}

/* Compose the verdict line. */
void
probe_verdict(const struct probe_opts *o, const struct probe_env *env,
    const struct probe_advert *a, const struct probe_result *r,
    const struct td_latency_summary *s, char *buf, size_t len)
{
	const struct mode_info *m = &probe_modes[o->mode];
	char x[32], y[64], part[192];
	int64_t p50 = s->p50_ns, res = a->getres_ns, wake;

	if (o->meter) {
		meter_verdict(o, r, buf, len);
		return;
	}
	if (s->count == 0) {
		snprintf(buf, len, "no wake-up measured");
		return;
	}
	/* A captured timer_list (--sysroot) is shown, but does not explain this kernel. */
	if (a->has_tl_res && a->tl_live && a->tl_res_ns > res)
		res = a->tl_res_ns;
	snprintf(buf, len, "effective granularity about %s",
	    probe_fmt_ns(x, sizeof(x), round2(p50 > 0 ? p50 : 0)));
	/*
	 * The rule: a part dominates when it is at least two thirds of the
	 * median; the wake-up itself when the slack and the resolution are at
	 * most one third of it; between the two, they share it.  A median
	 * near twice the slack (the usual 50 us slack on a 100 us median) then
	 * always reads "share", instead of flipping from run to run.
	 */
	wake = p50 - env->applied_slack_ns;
	if (env->applied_slack_ns > 0 && env->applied_slack_ns * 3 >= p50 * 2) {
		if (wake > 0)
			snprintf(y, sizeof(y), "the wake-up itself about %s",
			    probe_fmt_ns(x, sizeof(x), round2(wake)));
		else
			snprintf(y, sizeof(y), "%s", "wake-ups coalesce inside it");
		snprintf(part, sizeof(part), "; %sslack of %s dominates (%s)",
		    m->poll_slack && env->applied_slack_ns > env->slack_ns ?
		    "the kernel's poll " : "",
		    probe_fmt_ns(x, sizeof(x), env->applied_slack_ns), y);
	} else if (res > 1000 && res * 3 >= p50 * 2) {
		snprintf(part, sizeof(part), "; timer resolution of %s dominates "
		    "(no high-resolution timers)", probe_fmt_ns(x, sizeof(x), res));
	} else if (env->applied_slack_ns > 0 && env->applied_slack_ns * 3 > p50) {
		snprintf(part, sizeof(part), "; %sslack of %s and the wake-up itself "
		    "(about %s) share it", m->poll_slack &&
		    env->applied_slack_ns > env->slack_ns ? "the kernel's poll " : "",
		    probe_fmt_ns(x, sizeof(x), env->applied_slack_ns),
		    probe_fmt_ns(y, sizeof(y), round2(wake)));
	} else if (env->applied_slack_ns > 0) {
		snprintf(part, sizeof(part), "; the wake-up itself (interrupt, scheduling, "
		    "return to user space) dominates at about %s, slack adds %s",
		    probe_fmt_ns(x, sizeof(x), round2(wake)),
		    probe_fmt_ns(y, sizeof(y), env->applied_slack_ns));
	} else {
		snprintf(part, sizeof(part), "; the wake-up itself (interrupt, scheduling, "
		    "return to user space) dominates, no slack");
	}
	vappend(buf, len, part);
	if (o->has_slack && !m->uses_slack)
		vappend(buf, len, "; timerfd ignores timer slack");
	else if (o->has_slack && env->rt && env->applied_slack_ns == 0 && o->slack_ns > 0)
		vappend(buf, len, "; SCHED_FIFO tasks get no slack");
	if (r->has_overruns && r->overruns > 0) {
		snprintf(part, sizeof(part), "; %" PRIu64 " overruns", r->overruns);
		vappend(buf, len, part);
	}
	snprintf(part, sizeof(part), "; kernel advertises %s (clock_getres)",
	    a->getres_ns >= 0 ? probe_fmt_ns(x, sizeof(x), a->getres_ns) : "nothing");
	vappend(buf, len, part);
	if (a->has_tl_res)
		snprintf(part, sizeof(part), ", %s (timer_list%s)",
		    probe_fmt_ns(x, sizeof(x), a->tl_res_ns),
		    a->tl_live ? "" : " under --sysroot");
	else
		snprintf(part, sizeof(part), ", timer_list: %s", a->tl_absent);
	vappend(buf, len, part);
}
