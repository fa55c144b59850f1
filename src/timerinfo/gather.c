/* timerinfo's optional measurements: tick rates, the kernel log, the RTC. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rtc.h"
#include "source.h"
#include "timerinfo.h"

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep for s seconds, resuming after signals. */
static void
sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Measure the tick rates. */
void
ti_gather_rates(const struct ti_opts *o, const struct td_machine *m, struct ti_extra *x)
{
	struct td_interrupts *ia = NULL, *ib = NULL;
	struct td_softirqs *sa = NULL, *sb = NULL;
	struct td_procstat *stat_a = NULL, *stat_b = NULL;
	struct td_error e;
	double period;
	uint64_t ns;
	char buf[600];

	if (o->file_alone) {
		snprintf(x->rates_why, sizeof(x->rates_why), "%s",
		    td_absence_why(TD_ABSENT_NOT_IN_FILE));
		return;
	}
	if (td_interrupts_load(o->sysroot, "/proc/interrupts", &ia, &e) < 0) {
		snprintf(x->rates_why, sizeof(x->rates_why), "%s", td_error_str(&e, buf, sizeof(buf)));
		return;
	}
	td_softirqs_load(o->sysroot, "/proc/softirqs", &sa, NULL);
	if (m->live) {
		double t0 = mono_s();

		td_procstat_load(NULL, &stat_a, NULL);
		sleep_s(o->ticks_s);
		if (td_interrupts_load(NULL, "/proc/interrupts", &ib, &e) < 0) {
			snprintf(x->rates_why, sizeof(x->rates_why), "%s",
			    td_error_str(&e, buf, sizeof(buf)));
			goto out;
		}
		td_softirqs_load(NULL, "/proc/softirqs", &sb, NULL);
		td_procstat_load(NULL, &stat_b, NULL);
		period = mono_s() - t0;
	} else {
		if (td_interrupts_load(o->sysroot, "/after/proc/interrupts", &ib, &e) < 0) {
			snprintf(x->rates_why, sizeof(x->rates_why),
			    "the captured tree has no second snapshot (after/proc/interrupts)");
			goto out;
		}
		td_softirqs_load(o->sysroot, "/after/proc/softirqs", &sb, NULL);
		period = td_timer_list_capture_period(o->sysroot,
		    o->timer_list == NULL ? m->tl : NULL, &ns) == 0 ? (double)ns / 1e9 : -1;
		if (period <= 0) {
			snprintf(x->rates_why, sizeof(x->rates_why), "the captured tree does not "
			    "say how far apart its snapshots are (no readable timer_list pair)");
			goto out;
		}
	}
	if (td_tickrates_compute(ia, ib, sa, sb, period, &x->rates, &e) < 0) {
		snprintf(x->rates_why, sizeof(x->rates_why), "%s", td_error_str(&e, buf, sizeof(buf)));
		goto out;
	}
	td_tickrates_set_sources(x->rates, m->tl);
	td_tickrates_add_idle(x->rates, stat_a, stat_b);
out:
	td_interrupts_free(ia);
	td_interrupts_free(ib);
	td_softirqs_free(sa);
	td_softirqs_free(sb);
	td_procstat_free(stat_a);
	td_procstat_free(stat_b);
}

/*
 * The interrupt counts: the running system's after the rates were measured,
 * or the capture's own snapshot (the one its timer_list was taken with).
 */
void
ti_gather_counts(const struct ti_opts *o, struct ti_extra *x)
{
	if (!o->file_alone)
		(void)td_interrupts_load(o->sysroot, "/proc/interrupts", &x->irqs, NULL);
}

/* Read the kernel log: --kmsg-file, the capture's dmesg, or /dev/kmsg. */
void
ti_gather_events(const struct ti_opts *o, struct ti_extra *x)
{
	struct td_error e;
	char buf[700];
	int r;

	if (o->kmsg_file != NULL) {
		strlcpy(x->events_source, o->kmsg_file, sizeof(x->events_source));
		/* A file the user named must be there: one line and exit 1, as --timer-list. */
		if ((r = td_kmsg_load(NULL, o->kmsg_file, &x->log, &e)) < 0)
			cli_fail_td(&e, CLI_EXIT_FAIL);
	} else if (o->file_alone) {
		snprintf(x->events_why, sizeof(x->events_why), "%s",
		    td_absence_why(TD_ABSENT_NOT_IN_FILE));
		return;
	} else if (!td_root_is_live(o->sysroot)) {
		td_path(o->sysroot, "/dmesg", x->events_source, sizeof(x->events_source));
		r = td_kmsg_load(o->sysroot, "/dmesg", &x->log, &e);
		if (r == -ENOENT) {
			td_path(o->sysroot, "/var/log/dmesg", x->events_source,
			    sizeof(x->events_source));
			r = td_kmsg_load(o->sysroot, "/var/log/dmesg", &x->log, &e);
		}
	} else {
		strlcpy(x->events_source, "/dev/kmsg", sizeof(x->events_source));
		r = td_kmsg_read_live(&x->log, &e);
	}
	if (r < 0) {
		snprintf(x->events_why, sizeof(x->events_why), "%s%s",
		    td_error_str(&e, buf, sizeof(buf)),
		    (r == -EPERM || r == -EACCES) ? " (needs root, or kernel.dmesg_restrict=0)" : "");
		x->log = NULL;
		return;
	}
	if (td_kmsg_events(x->log, &x->events) < 0) {
		snprintf(x->events_why, sizeof(x->events_why), "out of memory");
		x->events = NULL;
	}
}

/* Free what the gatherers allocated. */
void
ti_extra_free(struct ti_extra *x)
{
	td_tickrates_free(x->rates);
	td_interrupts_free(x->irqs);
	td_kmsg_events_free(x->events);
	td_kmsg_log_free(x->log);
	td_checks_free(x->checks);
	if (x->explain != NULL)
		ti_explain_free(x->explain);
	free(x->explain);
}

/* RTC drift against the system clock (live only). */
void
ti_gather_rtc(const struct ti_opts *o, struct ti_extra *x)
{
	struct td_rtcs *rtcs = NULL;
	const struct td_rtc *pick = NULL;
	struct td_error e;
	int64_t now = (int64_t)time(NULL);
	char buf[600];
	bool live = td_root_is_live(o->sysroot);

	if (o->file_alone) {
		snprintf(x->rtc_why, sizeof(x->rtc_why), "%s",
		    td_absence_why(TD_ABSENT_NOT_IN_FILE));
		return;
	}
	if (td_rtc_read(o->sysroot, live ? &now : NULL, &rtcs, &e) < 0) {
		snprintf(x->rtc_why, sizeof(x->rtc_why), "%s", td_error_str(&e, buf, sizeof(buf)));
		return;
	}
	for (size_t i = 0; i < rtcs->n; i++)
		if (pick == NULL || (rtcs->rtc[i].hctosys == 1 && pick->hctosys != 1))
			pick = &rtcs->rtc[i];
	if (pick == NULL)
		snprintf(x->rtc_why, sizeof(x->rtc_why), "no RTC in /sys/class/rtc");
	else if (!live)
		snprintf(x->rtc_why, sizeof(x->rtc_why), "the RTC of a captured tree cannot be "
		    "compared with its system clock");
	else if (!pick->has_drift)
		snprintf(x->rtc_why, sizeof(x->rtc_why), "%s: %s", pick->dev,
		    pick->absent[0] ? pick->absent : "no time");
	else {
		x->has_rtc = true;
		strlcpy(x->rtc_name, pick->dev, sizeof(x->rtc_name));
		x->rtc_drift_s = (double)pick->drift_s;
	}
	td_rtcs_free(rtcs);
}
