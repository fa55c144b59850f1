/* Unit tests of timerprobe's verdict and duration formatting, every branch. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "tap.h"

/* The verdict's inputs, and the verdict. */
static struct probe_opts o;
static struct probe_env env;
static struct probe_advert a;
static struct probe_result r;
static struct td_latency_summary s;
static char v[512];

/* A nanosleep run of 1000 wake-ups with the given median. */
static void
setup(int64_t p50)
{
	memset(&o, 0, sizeof(o));
	memset(&env, 0, sizeof(env));
	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	o.mode = MODE_NANOSLEEP;
	o.clock = CLOCK_MONOTONIC;
	o.interval_ns = 1000000;
	o.cpu = -1;
	env.dma_fd = -1;
	a.getres_ns = 1;
	a.has_tl_res = true;
	a.tl_res_ns = 1;
	a.tl_live = true;
	s.count = 1000;
	s.p50_ns = p50;
}

/* The verdict on the inputs, into v. */
static void
verdict(void)
{
	probe_verdict(&o, &env, &a, &r, &s, v, sizeof(v));
}

/* True when needle is in haystack; says what was there when not. */
static int
has(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) != NULL)
		return 1;
	diag("verdict: %s", haystack);
	return 0;
}

/* The case timerprobe's verdict must name: a 55 us median that is the default 50 us slack. */
static void
test_slack(void)
{
	setup(55321);
	env.slack_ns = env.applied_slack_ns = 50000;
	verdict();
	ok(strncmp(v, "effective granularity about 55 us; slack of 50 us dominates "
	    "(the wake-up itself about 5.3 us)", 84) == 0, "slack dominates: %s", v);
	ok(has(v, "; kernel advertises 1 ns (clock_getres), 1 ns (timer_list)"),
	    "advertised resolutions quoted");

	setup(3000000);
	env.slack_ns = env.applied_slack_ns = 5000000;
	verdict();
	ok(has(v, "slack of 5 ms dominates (wake-ups coalesce inside it)"),
	    "a median below the slack: coalesced");

	setup(200000);
	env.slack_ns = env.applied_slack_ns = 50000;
	verdict();
	ok(has(v, "dominates at about 150 us, slack adds 50 us"),
	    "the wake-up itself dominates, slack adds to it");

	/* Nearly identical runs, medians around twice the slack: one verdict. */
	for (int64_t p50 = 80000; p50 <= 140000; p50 += 5000) {
		setup(p50);
		env.slack_ns = env.applied_slack_ns = 50000;
		verdict();
		ok(has(v, "; slack of 50 us and the wake-up itself (about "),
		    "median %lld us with 50 us slack: they share it", (long long)p50 / 1000);
	}

	setup(150000);
	o.mode = MODE_POLL;
	o.interval_ns = 100000000;
	env.slack_ns = 50000;
	env.applied_slack_ns = 100000;
	verdict();
	ok(has(v, "; the kernel's poll slack of 100 us dominates"),
	    "poll's own slack named as such");

	setup(70000);
	o.mode = MODE_TIMERFD;
	o.has_slack = true;
	o.slack_ns = 5000000;
	env.slack_ns = 5000000;
	verdict();
	ok(has(v, "dominates, no slack; timerfd ignores timer slack"),
	    "timerfd: --slack has no effect, said so");

	setup(70000);
	o.has_slack = true;
	o.slack_ns = 5000000;
	env.rt = true;
	verdict();
	ok(has(v, "; SCHED_FIFO tasks get no slack"), "FIFO: the slack is ignored, said so");
}

/* Low-resolution timers, a captured timer_list, overruns, no timer_list. */
static void
test_resolution(void)
{
	setup(3900000);
	a.getres_ns = a.tl_res_ns = 4000000;
	verdict();
	ok(has(v, "about 3.9 ms; timer resolution of 4 ms dominates (no high-resolution "
	    "timers)"), "a 4 ms tick dominates");

	setup(60000);
	a.tl_res_ns = 4000000;
	a.tl_live = false;
	verdict();
	ok(has(v, "return to user space) dominates, no slack"),
	    "a captured 4 ms resolution does not explain the live kernel");
	ok(has(v, ", 4 ms (timer_list under --sysroot)"), "but it is quoted as captured");

	setup(60000);
	o.mode = MODE_TIMERFD;
	r.has_overruns = true;
	r.overruns = 3;
	a.has_tl_res = false;
	snprintf(a.tl_absent, sizeof(a.tl_absent), "needs root");
	verdict();
	ok(has(v, "; 3 overruns; "), "overruns counted");
	ok(has(v, ", timer_list: needs root"), "an unreadable timer_list says why");

	setup(0);
	s.count = 0;
	verdict();
	is_str(v, "no wake-up measured", "nothing measured");
}

/* The interval meter: the count inside or outside the clock's bracket. */
static void
test_meter(void)
{
	setup(0);
	o.meter = true;
	o.mode = MODE_TIMERFD;
	o.interval_ns = 1;
	r.lat.n = 1000;
	r.expirations = 2000000;
	r.clock_delta_ns = 2000100;
	r.clock_delta_min_ns = 1999000;
	r.clock_delta_max_ns = 2001000;
	verdict();
	ok(has(v, "interval meter: timerfd counted 2 ms against 2 ms of CLOCK_MONOTONIC "
	    "(ratio 1.0000, consistent with the clock); one read every about 2 us"),
	    "meter: consistent");
	r.expirations = 2100000;
	verdict();
	ok(has(v, "NOT consistent with the clock"), "meter: outside the bracket");
	r.lat.n = 0;
	verdict();
	is_str(v, "interval meter: no read measured", "meter: nothing measured");
}

/* Durations with three significant digits and a unit. */
static void
test_fmt(void)
{
	char b[32];

	is_str(probe_fmt_ns(b, sizeof(b), 999), "999 ns", "ns below 1 us");
	is_str(probe_fmt_ns(b, sizeof(b), 1000), "1 us", "1 us");
	is_str(probe_fmt_ns(b, sizeof(b), 55321), "55.3 us", "three digits");
	is_str(probe_fmt_ns(b, sizeof(b), 999499), "999 us", "just below 1 ms");
	is_str(probe_fmt_ns(b, sizeof(b), 999500), "1 ms", "rounds up to 1 ms, not 1e+03 us");
	is_str(probe_fmt_ns(b, sizeof(b), 1500000000), "1.5 s", "seconds");
	is_str(probe_fmt_ns(b, sizeof(b), -2500), "-2.5 us", "negative keeps its sign");
	is_str(probe_clock_name(CLOCK_BOOTTIME), "boottime", "clock name");
	is_str(probe_clock_macro(CLOCK_REALTIME), "CLOCK_REALTIME", "clock macro");
}

/* Run every group of tests. */
int
main(void)
{
	test_slack();
	test_resolution();
	test_meter();
	test_fmt();
	return done_testing();
}
