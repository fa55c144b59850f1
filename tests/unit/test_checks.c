/* Unit tests of the checks (timerinfo --check) on real captures with made-up measurements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "tap.h"

static const struct td_check *
find(const struct td_checks *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->c[i].id, id) == 0)
			return &c->c[i];
	return NULL;
}

static struct td_machine *
capture(const char *name)
{
	char root[4096];
	struct td_machine *m = NULL;
	struct td_error e;

	snprintf(root, sizeof(root), "%s/kmatrix/%s", corpus_dir(), name);
	if (td_machine_read(root, NULL, 0, &m, &e) < 0)
		diag("%s: %s", root, e.msg);
	return m;
}

static struct td_kmsg_events *
events_of(const char *text, struct td_kmsg_log **log)
{
	struct td_kmsg_events *ev = NULL;

	if (td_kmsg_parse_text(text, strlen(text), "test", log, NULL) < 0 ||
	    td_kmsg_events(*log, &ev) < 0)
		return NULL;
	return ev;
}

static void
test_rtc(struct td_machine *m)
{
	struct td_check_input in = { .m = m, .has_rtc = true, .rtc_name = "rtc0" };
	struct td_checks *c;

	in.rtc_drift_s = 12;
	td_checks_run(&in, &c, NULL);
	is_int(find(c, "rtc")->sev, TD_SEV_WARNING, "RTC 12 s ahead is a problem");
	is_str(find(c, "rtc")->message, "RTC rtc0 drifts +12 s from the system clock",
	    "RTC message gives the drift");
	is_int(c->problems, 1, "only the RTC is a problem on the default boot");
	td_checks_free(c);
	in.rtc_drift_s = -2;
	td_checks_run(&in, &c, NULL);
	is_int(find(c, "rtc")->sev, TD_SEV_OK, "RTC 2 s behind is fine");
	td_checks_free(c);
	in.has_rtc = false;
	in.rtc_why = "no RTC in /sys/class/rtc";
	td_checks_run(&in, &c, NULL);
	is_int(find(c, "rtc")->sev, TD_SEV_SKIPPED, "no RTC: skipped");
	is_str(find(c, "rtc")->evidence, "no RTC in /sys/class/rtc", "skipped says why");
	td_checks_free(c);
}

static void
test_log(struct td_machine *m)
{
	struct td_check_input in = { .m = m, .events_source = "test" };
	struct td_kmsg_log *log = NULL;
	struct td_kmsg_events *ev;
	struct td_checks *c;

	in.events = ev = events_of("[    1.0] clocksource: Switched to clocksource tsc\n"
	    "[    5.0] clocksource: timekeeping watchdog on CPU1: Marking clocksource 'tsc' "
	    "as unstable because the skew is too large:\n"
	    "[    5.1] clocksource: Switched to clocksource hpet\n", &log);
	ok(in.events != NULL, "log parsed");
	td_checks_run(&in, &c, NULL);
	is_int(find(c, "clocksource_stability")->sev, TD_SEV_WARNING,
	    "tsc marked unstable while in use is a problem");
	is_str(find(c, "clocksource_stability")->message,
	    "The clock source in use was marked unstable; the kernel switched to hpet",
	    "message names the fallback");
	ok(strstr(find(c, "clocksource_stability")->evidence, "test:2:") != NULL,
	    "evidence names the log line");
	td_checks_free(c);
	td_kmsg_events_free(ev);
	td_kmsg_log_free(log);

	/* TSC unstable before it was ever used (TCG boots) is not a problem. */
	in.events = ev = events_of("[    0.000886] tsc: Marking TSC unstable due to TSCs unsynchronized\n"
	    "[    1.585366] clocksource: Switched to clocksource hpet\n"
	    "[    3.0] hrtimer: interrupt took 4123456 ns\n", &log);
	td_checks_run(&in, &c, NULL);
	is_int(find(c, "clocksource_stability")->sev, TD_SEV_OK, "TSC unstable at boot, unused: ok");
	is_int(find(c, "hrtimer_hangs")->sev, TD_SEV_WARNING, "hrtimer interrupt took: problem");
	is_str(find(c, "hrtimer_hangs")->message, "An hrtimer interrupt took 4123456 ns",
	    "message gives the duration");
	td_checks_free(c);
	td_kmsg_events_free(ev);
	td_kmsg_log_free(log);
}

static void
test_rates(struct td_machine *m)
{
	struct td_cpu_tickrate cpus[2] = {
		{ .cpu = 0, .has_local = true, .local_per_s = 250, .has_idle = true, .idle_share = 0.1 },
		{ .cpu = 1, .has_local = true, .local_per_s = 0.8, .has_idle = true, .idle_share = 0.99 },
	};
	struct td_tickrates r = { .period_s = 2, .ncpus = 2, .cpus = cpus };
	struct td_check_input in = { .m = m, .rates = &r };
	struct td_checks *c;

	strlcpy(r.local_row, "LOC (Local timer interrupts)", sizeof(r.local_row));
	td_checks_run(&in, &c, NULL);
	is_int(find(c, "nohz_full")->sev, TD_SEV_OK, "nohz_full CPU at 0.8/s: ok");
	is_int(find(c, "idle_tick")->sev, TD_SEV_OK, "busy CPU at HZ, idle CPU quiet: ok");
	td_checks_free(c);
	cpus[1].local_per_s = 240;
	td_checks_run(&in, &c, NULL);
	is_int(find(c, "nohz_full")->sev, TD_SEV_WARNING, "nohz_full CPU at 240/s: problem");
	is_int(find(c, "idle_tick")->sev, TD_SEV_WARNING, "99%% idle CPU at 240/s: problem");
	is_str(find(c, "idle_tick")->message,
	    "CPU 1 was 99% idle but took 240 local timer interrupts/s (HZ 250)", "idle tick message");
	td_checks_free(c);
	in.rates = NULL;
	in.rates_why = "not measured";
	td_checks_run(&in, &c, NULL);
	is_int(find(c, "nohz_full")->sev, TD_SEV_SKIPPED, "no rates: nohz_full skipped");
	td_checks_free(c);
}

/* highres cites the kernel log's "Could not switch to high resolution mode" as evidence. */
static void
test_highres_log(struct td_machine *m)
{
	struct td_check_input in = { .m = m, .events_source = "test" };
	struct td_kmsg_log *log = NULL;
	struct td_kmsg_events *ev;
	const struct td_check *h;
	struct td_checks *c;

	td_checks_run(&in, &c, NULL);
	h = find(c, "highres");
	ok(h->sev == TD_SEV_WARNING && strstr(h->evidence, "test:") == NULL,
	    "highres=off without a log: no log line in the evidence");
	td_checks_free(c);
	in.events = ev = events_of("[    0.4] clocksource: Switched to clocksource hpet\n"
	    "[    0.5] Could not switch to high resolution mode on CPU 1\n", &log);
	td_checks_run(&in, &c, NULL);
	h = find(c, "highres");
	ok(h->sev == TD_SEV_WARNING && strstr(h->evidence,
	    "; test:2: Could not switch to high resolution mode on CPU 1") != NULL,
	    "highres evidence cites the kernel log line: %s", h->evidence);
	is_str(h->advice, "remove highres=off from the kernel command line",
	    "highres=off on the command line is still the advice");
	td_checks_free(c);
	m->si.has_cmdline = false;
	td_checks_run(&in, &c, NULL);
	ok(strncmp(find(c, "highres")->advice, "the kernel could not switch: the clock event "
	    "device lapic lacks one-shot mode", 66) == 0, "without highres=off the advice says "
	    "the kernel could not switch: %s", find(c, "highres")->advice);
	td_checks_free(c);
	td_kmsg_events_free(ev);
	td_kmsg_log_free(log);
}

int
main(void)
{
	struct td_machine *m;

	if (corpus_dir() == NULL)
		return skip_all("no corpus");
	m = capture("amd64-6.1-generic-default");
	ok(m != NULL, "default capture read");
	if (m != NULL) {
		test_rtc(m);
		test_log(m);
	}
	td_machine_free(m);
	m = capture("amd64-6.1-generic-highres_off");
	ok(m != NULL, "highres=off capture read");
	if (m != NULL)
		test_highres_log(m);
	td_machine_free(m);
	m = capture("amd64-6.1-generic-nohz_full_1");
	ok(m != NULL && m->si.has_nohz_full, "nohz_full capture read");
	if (m != NULL)
		test_rates(m);
	td_machine_free(m);
	return done_testing();
}
