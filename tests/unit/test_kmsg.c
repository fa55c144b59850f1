/* Tests of the kernel log parsers and timer events: corpus, fixtures, /dev/kmsg, bad input. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"
#include "kmsg_events.h"
#include "source.h"
#include "inputs.h"
#include "tap.h"

/* A truth.json string field ("clocksource"), copied into buf; "" if absent. */
static const char *
truth_str(const char *dir, const char *field, char *buf, size_t len)
{
	struct td_buf b;
	char key[64];
	const char *p, *q;

	buf[0] = '\0';
	if (td_read_root(dir, "/truth.json", 1 << 20, &b, NULL) < 0)
		return buf;
	snprintf(key, sizeof(key), "\"%s\": \"", field);
	if ((p = strstr(b.data, key)) != NULL) {
		p += strlen(key);
		if ((q = strchr(p, '"')) != NULL && (size_t)(q - p) < len) {
			memcpy(buf, p, (size_t)(q - p));
			buf[q - p] = '\0';
		}
	}
	td_buf_free(&b);
	return buf;
}

/* Lines of a file that contain s (an independent count to compare events with). */
static int
count_lines(const struct td_buf *b, const char *s)
{
	const char *p = b->data, *end = b->data + b->len;
	int n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t k = strlen(s);
		const char *q;

		for (q = p; (size_t)(le - q) >= k; q++)
			if (memcmp(q, s, k) == 0) {
				n++;
				break;
			}
		p = nl ? nl + 1 : end;
	}
	return n;
}

/* Number of events of one kind. */
static int
nkind(const struct td_kmsg_events *ev, enum td_kmsg_event_kind k)
{
	size_t i;
	int n = 0;

	for (i = 0; ev && i < ev->n; i++)
		if (ev->ev[i].kind == k)
			n++;
	return n;
}

/* The nth (0-based) event of one kind, or NULL. */
static const struct td_kmsg_event *
nth(const struct td_kmsg_events *ev, enum td_kmsg_event_kind k, int n)
{
	size_t i;

	for (i = 0; ev && i < ev->n; i++)
		if (ev->ev[i].kind == k && n-- == 0)
			return &ev->ev[i];
	return NULL;
}

/* The last event of one kind, or NULL. */
static const struct td_kmsg_event *
last(const struct td_kmsg_events *ev, enum td_kmsg_event_kind k)
{
	int n = nkind(ev, k);

	return n ? nth(ev, k, n - 1) : NULL;
}

/* Load and extract the events of a file; NULL on failure (with a diagnostic). */
static struct td_kmsg_events *
events_of(const char *dir, const char *abs, struct td_kmsg_log **logp)
{
	struct td_kmsg_log *log;
	struct td_kmsg_events *ev = NULL;
	struct td_error e = { 0 };
	char buf[600];

	if (td_kmsg_load(dir, abs, &log, &e) < 0) {
		diag("%s", td_error_str(&e, buf, sizeof(buf)));
		return NULL;
	}
	if (td_kmsg_events(log, &ev) < 0)
		ev = NULL;
	if (logp)
		*logp = log;
	else
		td_kmsg_log_free(log);
	return ev;
}

/* Event counts per kind agree with a plain substring count of the file. */
static void
cross_check(const char *label, const struct td_buf *b, const struct td_kmsg_events *ev)
{
	is_int(nkind(ev, TD_KEV_CLOCKSOURCE_SWITCH),
	    count_lines(b, "Switched to clocksource ") + count_lines(b, "Switching to clocksource ") +
	    count_lines(b, " clocksource has been installed"),
	    "%s: one switch event per switch line", label);
	is_int(nkind(ev, TD_KEV_CLOCKSOURCE_REGISTER), count_lines(b, ": mask: 0x"),
	    "%s: one registration per mask line", label);
	is_int(nkind(ev, TD_KEV_NOHZ_SWITCH), count_lines(b, "Switched to NOHz mode"),
	    "%s: NOHz switches", label);
	is_int(nkind(ev, TD_KEV_HIGHRES_SWITCH), count_lines(b, "Switched to high resolution"),
	    "%s: high resolution switches", label);
	is_int(nkind(ev, TD_KEV_TSC_UNSTABLE), count_lines(b, "Marking TSC unstable") +
	    count_lines(b, "TSC found unstable after boot"), "%s: TSC unstable lines", label);
	is_int(nkind(ev, TD_KEV_SCHED_CLOCK), count_lines(b, " bits at "),
	    "%s: sched_clock lines", label);
	is_int(nkind(ev, TD_KEV_HRTIMER_SLOW), count_lines(b, "hrtimer: interrupt took"),
	    "%s: hrtimer interrupt lines", label);
}

/* Every kmatrix dmesg: the switch to truth.json's clocksource, and the cross-check. */
static void
test_kmatrix(const char *corpus)
{
	struct corpus_walk k;
	char cs[64];
	int n = 0;

	if (corpus_walk_open(&k, corpus, "kmatrix") < 0) {
		ok(0, "open %s", k.dir);
		return;
	}
	while (corpus_walk_next(&k) != NULL) {
		struct td_kmsg_log *log = NULL;
		struct td_kmsg_events *ev;
		const struct td_kmsg_event *sw, *reg = NULL;
		struct td_buf b;
		size_t i, nts = 0;

		n++;
		truth_str(k.path, "clocksource", cs, sizeof(cs));
		ev = events_of(k.path, "/dmesg", &log);
		if (!ok(ev != NULL && log != NULL && log->n > 100, "%s: dmesg parses (%zu lines)",
		    k.name, log ? log->n : 0))
			goto next;
		for (i = 0; i < log->n; i++)
			if (log->recs[i].has_ts && !log->recs[i].ts_relative)
				nts++;
		is_int(nts, log->n, "%s: every line has its [ time]", k.name);
		sw = last(ev, TD_KEV_CLOCKSOURCE_SWITCH);
		if (strcmp(cs, "jiffies") == 0)
			ok(sw == NULL, "%s: clocksource=jiffies boot never switches", k.name);
		else
			is_str(sw ? sw->name : NULL, cs, "%s: last switch is to %s", k.name, cs);
		ok(sw == NULL || (sw->has_ts && sw->ts_ns > 0), "%s: switch has a timestamp",
		    k.name);
		for (i = 0; i < ev->n; i++)
			if (ev->ev[i].kind == TD_KEV_CLOCKSOURCE_REGISTER &&
			    strcmp(ev->ev[i].name, cs) == 0)
				reg = &ev->ev[i];
		ok(reg && (reg->have & (TD_KEV_HAVE_MASK | TD_KEV_HAVE_MAX_CYCLES |
		    TD_KEV_HAVE_MAX_IDLE)) == (TD_KEV_HAVE_MASK | TD_KEV_HAVE_MAX_CYCLES |
		    TD_KEV_HAVE_MAX_IDLE) && reg->max_idle_ns > 0,
		    "%s: registration of %s with mask, max_cycles, max_idle_ns", k.name, cs);
		if (td_read_root(k.path, "/dmesg", TD_READ_CAP_DEFAULT, &b, NULL) == 0) {
			cross_check(k.name, &b, ev);
			td_buf_free(&b);
		}
		if (strncmp(k.name, "amd64", 5) == 0)
			ok(nkind(ev, TD_KEV_TSC_DETECTED) == 1, "%s: one TSC calibration",
			    k.name);
		if (strncmp(k.name, "arm64", 5) == 0) {
			const struct td_kmsg_event *sc = nth(ev, TD_KEV_SCHED_CLOCK, 0);

			ok(sc && sc->bits == 57 && sc->freq_hz == 63000000 &&
			    sc->resolution_ns == 16 && sc->wrap_ns == 4398046511096ULL,
			    "%s: sched_clock 57 bits at 63MHz, 16ns, wraps 4398046511096ns",
			    k.name);
		}
next:
		td_kmsg_events_free(ev);
		td_kmsg_log_free(log);
	}
	ok(n >= 10, "kmatrix: %d dmesg files", n);

	/* A few values read off the files. */
	snprintf(k.path, sizeof(k.path), "%s/kmatrix/amd64-6.1-generic-default", corpus);
	{
		struct td_kmsg_events *ev = events_of(k.path, "/dmesg", NULL);
		const struct td_kmsg_event *e;

		e = nth(ev, TD_KEV_TSC_DETECTED, 0);
		ok(e && e->freq_hz == 2500065000ULL && e->ts_ns == 56000000,
		    "amd64 default: tsc: Detected 2500.065 MHz at 0.056 s");
		e = nth(ev, TD_KEV_TSC_UNSTABLE, 0);
		is_str(e ? e->name : NULL, "TSCs unsynchronized", "amd64 default: TSC unstable reason");
		e = nth(ev, TD_KEV_HPET_COUNTER, 0);
		ok(e && e->count == 3 && e->bits == 64 && e->freq_hz == 100000000,
		    "amd64 default: hpet0 3 comparators, 64-bit 100 MHz");
		e = last(ev, TD_KEV_CLOCKSOURCE_SWITCH);
		ok(e && e->ts_ns == 1585366000, "amd64 default: switch at 1.585366 s");
		td_kmsg_events_free(ev);
	}
	snprintf(k.path, sizeof(k.path), "%s/kmatrix/host-6.18-kvm-guest", corpus);
	{
		struct td_kmsg_events *ev = events_of(k.path, "/dmesg", NULL);
		const struct td_kmsg_event *a = nth(ev, TD_KEV_CLOCKSOURCE_SWITCH, 0);
		const struct td_kmsg_event *b = nth(ev, TD_KEV_CLOCKSOURCE_SWITCH, 1);

		is_str(a ? a->name : NULL, "kvm-clock", "host: first switch to kvm-clock");
		is_str(b ? b->name : NULL, "tsc", "host: then to tsc");
		ok(nkind(ev, TD_KEV_SCHED_CLOCK_STABLE) == 1, "host: sched_clock marked stable");
		td_kmsg_events_free(ev);
	}
	snprintf(k.path, sizeof(k.path), "%s/kmatrix/amd64-7.2-generic-default", corpus);
	{
		struct td_kmsg_events *ev = events_of(k.path, "/dmesg", NULL);
		const struct td_kmsg_event *e = nth(ev, TD_KEV_WATCHDOG, 0);

		ok(e && e->cpu == 1, "amd64 7.2: clocksource watchdog note names CPU 1");
		e = nth(ev, TD_KEV_TSC_REFINED, 0);
		ok(e && e->freq_hz == 2499998000ULL, "amd64 7.2: refined TSC 2499.998 MHz");
		td_kmsg_events_free(ev);
	}
}

/* The public samples. */
static void
test_public(const char *corpus)
{
	struct corpus_walk w;
	const char *dir = w.dir;
	char path[1400];
	struct td_kmsg_events *ev;
	const struct td_kmsg_event *e, *e2;
	int n = 0;

	if (corpus_walk_open(&w, corpus, "public/dmesg") < 0) {
		ok(0, "open %s", w.dir);
		return;
	}
	while (corpus_walk_next(&w) != NULL) {
		struct td_buf b;

		snprintf(path, sizeof(path), "/%s", w.name);
		ev = events_of(dir, path, NULL);
		ok(ev && ev->n > 0, "%s: parses, %zu timer events", w.name, ev ? ev->n : 0);
		if (ev && td_read_root(dir, path, TD_READ_CAP_DEFAULT, &b, NULL) == 0) {
			cross_check(w.name, &b, ev);
			td_buf_free(&b);
		}
		td_kmsg_events_free(ev);
		n++;
	}
	ok(n >= 20, "public: %d kernel logs", n);

#define PUB(f) (snprintf(path, sizeof(path), "/%s", f), events_of(dir, path, NULL))
	ev = PUB("arm-imx-no-timestamps-sched_clock-24MHz-mxc_timer1-excerpt.txt");
	e = nth(ev, TD_KEV_SCHED_CLOCK, 0);
	ok(e && e->bits == 32 && e->freq_hz == 24000000 && e->resolution_ns == 41 &&
	    e->wrap_ns == 89478484971ULL && !e->has_ts, "imx: sched_clock 24MHz, no timestamp");
	e = nth(ev, TD_KEV_DELAY_TIMER, 0);
	ok(e && e->resolution_ns == 41, "imx: timer-based delay loop 41ns");
	e = nth(ev, TD_KEV_CLOCKSOURCE_REGISTER, 0);
	is_str(e ? e->name : NULL, "mxc_timer1", "imx: mxc_timer1 registered");
	td_kmsg_events_free(ev);

	ev = PUB("arm-bcm2835-rpi-sched_clock-1000kHz-system-timer-excerpt.txt");
	e = nth(ev, TD_KEV_SCHED_CLOCK, 0);
	ok(e && e->freq_hz == 1000000 && e->ts_ns == 6000, "rpi: 1000kHz at 0.000006 s");
	td_kmsg_events_free(ev);

	ev = PUB("arm-omap-am335x-no-timestamps-gp-timer-nohz-excerpt.txt");
	e = nth(ev, TD_KEV_CLOCKSOURCE_SWITCH, 0);
	is_str(e ? e->name : NULL, "gp timer", "omap: clocksource name with a space");
	e = nth(ev, TD_KEV_NOHZ_SWITCH, 0);
	ok(e && e->cpu == 0, "omap: NOHz on CPU 0");
	td_kmsg_events_free(ev);

	ev = PUB("arm-ixp4xx-no-timestamps-highres-excerpt.txt");
	e = nth(ev, TD_KEV_HIGHRES_SWITCH, 0);
	ok(e && e->cpu == 0 && !e->has_ts, "ixp4xx: high resolution on CPU 0, no time");
	td_kmsg_events_free(ev);

	ev = PUB("arm64-qcom-android-4.x-nohz-local_softirq_pending-02-boot-excerpt.txt");
	e = nth(ev, TD_KEV_NOHZ_SOFTIRQ_PENDING, 0);
	ok(e && (e->have & TD_KEV_HAVE_COUNT) && e->count == 2 && e->ts_ns == 6828000,
	    "qcom: local_softirq_pending 02 at 0.006828 s");
	td_kmsg_events_free(ev);

	ev = PUB("x86_64-kvm-guest-var-log-messages-nohz-local_softirq_pending.txt");
	ok(nkind(ev, TD_KEV_NOHZ_SOFTIRQ_PENDING) == 3, "syslog: three softirq pending lines");
	e = nth(ev, TD_KEV_NOHZ_SOFTIRQ_PENDING, 2);
	ok(e && e->count == 0x100 && !e->has_ts, "syslog: pending 100 (3 digits), no printk time");
	td_kmsg_events_free(ev);

	ev = PUB("kasan-ftrace-selftest-no-timestamps-hrtimer-rcu-stall-excerpt.txt");
	e = nth(ev, TD_KEV_HRTIMER_SLOW, 0);
	ok(e && e->ns == 10156432, "kasan: hrtimer: interrupt took 10156432 ns");
	td_kmsg_events_free(ev);

	ev = PUB("x86_64-proxmox-console-no-timestamps-perf-hrtimer-excerpt.txt");
	ok(nkind(ev, TD_KEV_HRTIMER_SLOW) == 1 && nth(ev, TD_KEV_HRTIMER_SLOW, 0)->ns == 28038,
	    "proxmox: one hrtimer line, 28038 ns (perf lines ignored)");
	td_kmsg_events_free(ev);

	ev = PUB("powerpc-44x-apm821xx-switched-to-clocksource-timebase-excerpt.txt");
	e = nth(ev, TD_KEV_CLOCKSOURCE_SWITCH, 0);
	ok(e && strcmp(e->name, "timebase") == 0 && e->ts_ns == 5952187000LL,
	    "powerpc: timebase at 5.952187 s");
	td_kmsg_events_free(ev);

	ev = PUB("mips-montage-sched_clock-297MHz-clocksource-MIPS-excerpt.txt");
	e = nth(ev, TD_KEV_SCHED_CLOCK, 0);
	ok(e && e->freq_hz == 297000000 && e->resolution_ns == 3, "mips: 297MHz, 3ns");
	td_kmsg_events_free(ev);

	ev = PUB("x86-1cpu-2.6.2x-hpet-32bit-timers-tsc-installed-excerpt.txt");
	e = nth(ev, TD_KEV_HPET_COUNTER, 0);
	ok(e && e->count == 3 && e->bits == 32 && e->freq_hz == 25000000,
	    "2.6.2x: hpet0: 3 32-bit timers, 25000000 Hz");
	e = nth(ev, TD_KEV_CLOCKSOURCE_SWITCH, 0);
	is_str(e ? e->name : NULL, "tsc", "2.6.2x: Time: tsc clocksource has been installed");
	e = nth(ev, TD_KEV_HPET, 0);
	is_str(e ? e->name : NULL, "hpet0", "2.6.2x: hpet0 at MMIO");
	td_kmsg_events_free(ev);

	ev = PUB("x86-1cpu-2.6.2x-tsc-unstable-cpufreq-acpi_pm-installed-excerpt.txt");
	e = nth(ev, TD_KEV_TSC_UNSTABLE, 0);
	is_str(e ? e->name : NULL, "cpufreq changes", "2.6.2x: TSC unstable due to cpufreq changes");
	e = nth(ev, TD_KEV_CLOCKSOURCE_UNSTABLE, 0);
	ok(e && strcmp(e->name, "tsc") == 0 && (e->have & TD_KEV_HAVE_NS) &&
	    e->ns == -201134949, "2.6.2x: Clocksource tsc unstable (delta = -201134949 ns)");
	e = nth(ev, TD_KEV_CLOCKSOURCE_SWITCH, 0);
	is_str(e ? e->name : NULL, "acpi_pm", "2.6.2x: switched to acpi_pm");
	td_kmsg_events_free(ev);

	ev = PUB("x86-2.6.2x-tsc-unstable-cpufreq-colon-period-out-of-order-excerpt.txt");
	e = nth(ev, TD_KEV_TSC_UNSTABLE, 0);
	is_str(e ? e->name : NULL, "cpufreq changes", "2.6.2x: 'due to: cpufreq changes.'");
	td_kmsg_events_free(ev);

	ev = PUB("x86-2cpu-2.6.2x-tsc-halt-in-C2-timestamps-reset-excerpt.txt");
	e = nth(ev, TD_KEV_TSC_UNSTABLE, 0);
	ok(e && strcmp(e->name, "possible TSC halt in C2") == 0 && e->ts_ns == 3208000000LL,
	    "C2: reason and the reset timestamp kept as logged");
	td_kmsg_events_free(ev);

	ev = PUB("x86-2cpu-2.6.2x-highres-cpu1-before-cpu0-excerpt.txt");
	e = nth(ev, TD_KEV_HIGHRES_SWITCH, 0);
	e2 = nth(ev, TD_KEV_HIGHRES_SWITCH, 1);
	ok(e && e2 && e->cpu == 1 && e2->cpu == 0, "highres: CPU 1 then CPU 0, in log order");
	td_kmsg_events_free(ev);

	ev = PUB("x86-2cpu-2.6.3x-hpet-nohz-excerpt-a.txt");
	e = nth(ev, TD_KEV_HPET_COUNTER, 0);
	ok(e && e->count == 4 && e->bits == 32 && e->freq_hz == 14318180,
	    "2.6.3x: 4 comparators, 32-bit 14.318180 MHz");
	ok(nkind(ev, TD_KEV_NOHZ_SWITCH) == 2 && nth(ev, TD_KEV_NOHZ_SWITCH, 1)->cpu == 1,
	    "2.6.3x: NOHz on CPU 0 and 1");
	td_kmsg_events_free(ev);

	ev = PUB("x86-2cpu-2.6.3x-resume-s3-nohz-cpu1-excerpt.txt");
	e = nth(ev, TD_KEV_NOHZ_SWITCH, 0);
	ok(e && e->cpu == 1 && e->ts_ns == 10327340026000LL, "resume: NOHz CPU 1 at 10327.340026");
	td_kmsg_events_free(ev);

	ev = PUB("x86-syslog-prefix-2.6.3x-tsc-halts-in-idle-excerpt.txt");
	e = nth(ev, TD_KEV_TSC_UNSTABLE, 0);
	ok(e && strcmp(e->name, "TSC halts in idle") == 0 && e->has_ts && e->ts_ns == 265400000,
	    "syslog prefix: reason and printk time under the syslog prefix");
	td_kmsg_events_free(ev);

	ev = PUB("x86-hpet-clocksource-lenovo-2018.txt");
	e = nth(ev, TD_KEV_CLOCKSOURCE_REGISTER, 0);
	ok(e && strcmp(e->name, "hpet") == 0 && e->mask == 0xffffffff &&
	    e->max_idle_ns == 133484882848ULL, "lenovo: hpet registration");
	td_kmsg_events_free(ev);

	ev = PUB("x86_64-kvm-guest-5.x-tsc-adjust-warp-tsc-prefix-excerpt.txt");
	e = nth(ev, TD_KEV_TSC_ADJUST, 0);
	ok(e && e->cpu == 1 && e->count == 169175101528LL && e->adjust == 169175101528LL,
	    "kvm: TSC ADJUST compensate CPU1");
	e = nth(ev, TD_KEV_TSC_SYNC, 0);
	ok(e && e->cpu == 0 && e->cpu_to == 1, "kvm: TSC synchronization CPU#0 -> CPU#1");
	e = nth(ev, TD_KEV_TSC_WARP, 0);
	ok(e && e->count == 235, "kvm: 235 cycles TSC warp");
	e = nth(ev, TD_KEV_TSC_UNSTABLE, 0);
	is_str(e ? e->name : NULL, "check_tsc_sync_source failed", "kvm: TSC unstable reason");
	td_kmsg_events_free(ev);

	ev = PUB("x86_64-kvm-guest-kvm-clock-tsc-early-tsc-sequence-no-timestamps.txt");
	e = nth(ev, TD_KEV_TSC_DETECTED, 0);
	ok(e && e->freq_hz == 1996249000ULL, "kvm-clock: tsc: Detected 1996.249 MHz");
	e = last(ev, TD_KEV_CLOCKSOURCE_SWITCH);
	is_str(e ? e->name : NULL, "tsc", "kvm-clock: last switch to tsc");
	ok(nkind(ev, TD_KEV_CLOCKSOURCE_REGISTER) == 3, "kvm-clock: three registrations");
	td_kmsg_events_free(ev);
#undef PUB
}

/* The /dev/kmsg record-format fixture: continuation lines, escapes, watchdog report. */
static void
test_records(void)
{
	struct td_kmsg_log *log = NULL;
	struct td_kmsg_events *ev = NULL;
	struct td_error e = { 0 };
	const struct td_kmsg_record *r;
	const struct td_kmsg_event *k;
	char buf[600];

	if (!ok(td_kmsg_load(fixture_path("kmsg"), "/records.kmsg", &log, &e) == 0, "records: parse %s",
	    e.code ? td_error_str(&e, buf, sizeof(buf)) : ""))
		return;
	ok(log->records, "records: format detected");
	is_int(log->n, 15, "records: 15 records (continuation lines attached)");
	r = &log->recs[1];
	ok(r->has_seq && r->seq == 1 && r->level == 6 && strcmp(r->caller, "T0") == 0,
	    "records: seq 1, level 6, caller T0");
	r = &log->recs[4];
	ok(r->level == 4 && r->facility == 0 && r->ts_ns == 1200000000 && r->ndict == 2 &&
	    strcmp(r->dict[0], "SUBSYSTEM=cpu") == 0 && strcmp(r->dict[1], "DEVICE=+cpu:1") == 0,
	    "records: level, time in ns, two KEY=value lines");
	r = &log->recs[6];
	ok(r->level == 3 && r->ndict == 2 && memchr(r->text, '\t', r->text_len) != NULL &&
	    strstr(r->text, "backslash \\ check \xe2\x9c\x93 bell \x07 end") != NULL,
	    "records: \\x09 \\x5c \\xe2\\x9c\\x93 \\x07 decoded");
	r = &log->recs[14];
	ok(r->facility == 1 && r->level == 6, "records: user facility 1");
	if (!ok(td_kmsg_events(log, &ev) == 0, "records: events"))
		goto out;
	k = nth(ev, TD_KEV_TSC_UNSTABLE, 0);
	ok(k && strcmp(k->name, "clocksource watchdog") == 0 && k->has_seq && k->seq == 300,
	    "records: TSC unstable due to clocksource watchdog, seq 300");
	k = nth(ev, TD_KEV_TSC_DETECTED, 0);
	ok(k && k->freq_hz == 2495998000ULL, "records: tsc: Detected 2495.998 MHz");
	k = nth(ev, TD_KEV_CLOCKSOURCE_UNSTABLE, 0);
	ok(k && strcmp(k->name, "tsc") == 0 && k->cpu == 1,
	    "records: watchdog on CPU1 marks tsc unstable");
	k = nth(ev, TD_KEV_WATCHDOG_DETAIL, 0);
	ok(k && strcmp(k->name, "hpet") == 0 && k->ns == 511979292, "records: 'hpet' wd_nsec");
	k = nth(ev, TD_KEV_WATCHDOG_DETAIL, 1);
	ok(k && strcmp(k->name, "tsc") == 0 && k->ns == 515998530, "records: 'tsc' cs_nsec");
	ok(nkind(ev, TD_KEV_WATCHDOG_DETAIL) == 3, "records: three detail lines");
	k = nth(ev, TD_KEV_CLOCKSOURCE_SKEW, 0);
	ok(k && strcmp(k->name, "tsc") == 0 && k->name2 && strcmp(k->name2, "hpet") == 0 &&
	    k->ns == 4019238 && k->interval_ns == 511979292,
	    "records: tsc skewed 4019238 ns over watchdog hpet, interval 511979292 ns");
	k = nth(ev, TD_KEV_NOHZ_SWITCH, 0);
	ok(k && k->cpu == 3 && k->text_len > 30 && strchr(k->text, '\n') != NULL,
	    "records: multi-line record matched on its first line, text kept whole");
	k = nth(ev, TD_KEV_HRTIMER_SLOW, 0);
	ok(k && k->ns == 28038 && k->ts_ns == 2100000000, "records: hrtimer 28038 ns at 2.1 s");
	is_str(td_kmsg_event_kind_name(TD_KEV_CLOCKSOURCE_SWITCH), "clocksource_switch",
	    "kind name");
	is_str(td_kmsg_event_kind_name(TD_KEV_COUNT), "unknown", "kind name out of range");
out:
	td_kmsg_events_free(ev);
	td_kmsg_log_free(log);
}

/* Every prefix form of saved logs. */
static void
test_text(void)
{
	struct td_kmsg_log *log = NULL;
	struct td_kmsg_events *ev = NULL;
	const struct td_kmsg_event *k;
	const struct td_kmsg_record *r;

	if (!ok(td_kmsg_load(fixture_path("kmsg"), "/text-prefixes.txt", &log, NULL) == 0 && !log->records,
	    "text: parse"))
		return;
	is_int(log->n, 24, "text: one record per line");
	r = &log->recs[0];
	ok(r->has_ts && r->ts_ns == 89044108000LL &&
	    strcmp(r->text, "clocksource: Switched to clocksource tsc") == 0,
	    "text: syslog + [time] prefix");
	r = &log->recs[1];
	ok(!r->has_ts && strcmp(r->text, "Switched to NOHz mode on CPU #1") == 0,
	    "text: syslog prefix without printk time");
	r = &log->recs[2];
	ok(r->level == 4 && r->ts_ns == 88593878000LL && strcmp(r->caller, "C0") == 0 &&
	    strncmp(r->text, "hrtimer:", 8) == 0, "text: <4>[time][C0]");
	r = &log->recs[4];
	ok(!r->has_ts && strcmp(r->caller, "T1") == 0, "text: [T1] without time");
	r = &log->recs[5];
	ok(!r->has_ts && strncmp(r->text, "tsc: Refined", 12) == 0, "text: dmesg -H date bracket");
	r = &log->recs[6];
	ok(r->has_ts && r->ts_relative && r->ts_ns == 3000, "text: dmesg -H +0.000003 relative");
	r = &log->recs[7];
	ok(strncmp(r->text, "NOHZ tick-stop", 14) == 0, "text: ISO syslog prefix");
	r = &log->recs[8];
	ok(r->has_ts && strcmp(r->text, "[drm] not a timer line") == 0,
	    "text: [drm] is not a prefix");
	r = &log->recs[20];
	ok(r->ts_ns == 100000500000000LL, "text: seconds past 99999, short fraction");
	if (!ok(td_kmsg_events(log, &ev) == 0, "text: events"))
		goto out;
	k = nth(ev, TD_KEV_SCHED_CLOCK, 0);
	ok(k && k->bits == 32 && k->freq_hz == 100 && k->resolution_ns == 10000000 &&
	    k->wrap_ns == 21474836475000000ULL, "text: sched_clock 32 bits at 100 Hz");
	k = nth(ev, TD_KEV_NOHZ_SOFTIRQ_PENDING, 0);
	ok(k && k->count == 8, "text: 6.x tick-stop error handler #08");
	k = nth(ev, TD_KEV_NOHZ_SOFTIRQ_PENDING, 1);
	ok(k && k->count == 0x80, "text: 5.8 Non-RCU tick-stop error handler #80");
	k = nth(ev, TD_KEV_HPET_PERCPU, 0);
	ok(k && k->count == 4, "text: hpet: 4 channels reserved");
	k = nth(ev, TD_KEV_HPET_PERCPU, 1);
	ok(k && k->count == 5, "text: HPET: 5 timers per-cpu");
	ok(nkind(ev, TD_KEV_CLOCKSOURCE_SWITCH) == 3, "text: three switch phrasings");
	ok(nkind(ev, TD_KEV_TSC_UNSTABLE) == 3, "text: three TSC unstable phrasings");
	k = nth(ev, TD_KEV_TSC_UNSTABLE, 2);
	is_str(k ? k->name : NULL, "TSC found unstable after boot", "text: broken BIOS phrasing");
	ok(nkind(ev, TD_KEV_SCHED_CLOCK_UNSTABLE) == 1, "text: sched_clock marking unstable");
	k = nth(ev, TD_KEV_TSC_SYNC, 0);
	ok(k && k->cpu == 0 && k->cpu_to == 2, "text: checking TSC synchronization 0 -> 2");
	k = nth(ev, TD_KEV_NOHZ_FULL, 0);
	is_str(k ? k->name : NULL, "1-3", "text: NO_HZ full CPU list");
	k = nth(ev, TD_KEV_WATCHDOG, 0);
	ok(k && k->cpu == 1 && k->line == 23, "text: watchdog note, CPU 1, line 23");
	ok(nkind(ev, TD_KEV_HIGHRES_SWITCH) == 1, "text: one highres switch");
	r = &log->recs[23];
	ok(r->facility == 0 && r->level == 4 && r->ts_ns == 7250000000LL &&
	    strncmp(r->text, "hrtimer:", 8) == 0, "text: dmesg -x facility and level");
	k = nth(ev, TD_KEV_HRTIMER_SLOW, 1);
	ok(k && k->ns == 777 && k->line == 24, "text: hrtimer event after a dmesg -x prefix");
out:
	td_kmsg_events_free(ev);
	td_kmsg_log_free(log);
}

/* A harness's "  console: " prefix and the failed high-res switch. */
static void
test_harness(void)
{
	struct td_kmsg_log *log = NULL;
	struct td_kmsg_events *ev = NULL;
	const struct td_kmsg_event *k;

	if (!ok(td_kmsg_load(fixture_path("kmsg"), "/harness-console.txt", &log, NULL) == 0,
	    "harness: parse"))
		return;
	ok(log->n == 4 && log->recs[1].has_ts && log->recs[1].ts_ns == 512345000LL &&
	    strcmp(log->recs[1].text, "clocksource: Switched to clocksource tsc") == 0,
	    "harness: console prefix and time taken off");
	if (ok(td_kmsg_events(log, &ev) == 0, "harness: events")) {
		ok(nkind(ev, TD_KEV_CLOCKSOURCE_SWITCH) == 1 && nkind(ev, TD_KEV_NOHZ_SWITCH) == 1,
		    "harness: clocksource and NOHz switches found");
		k = nth(ev, TD_KEV_HIGHRES_FAILED, 0);
		ok(k != NULL && k->cpu == 1 && k->line == 3 && k->ts_ns == 1100000000LL,
		    "harness: could not switch to high resolution mode on CPU 1");
		is_str(td_kmsg_event_kind_name(TD_KEV_HIGHRES_FAILED), "highres_failed",
		    "harness: kind name");
	}
	td_kmsg_events_free(ev);
	td_kmsg_log_free(log);
}

/* td_kmsg_parse_records for check_bad: a result left on failure is not -EINVAL. */
static int
parse_bad(const char *buf, size_t len, const char *path, struct td_error *e)
{
	struct td_kmsg_log *log;
	int r = td_kmsg_parse_records(buf, len, path, &log, e);

	if (log != NULL) {
		td_kmsg_log_free(log);
		return 0;
	}
	return r;
}

/* Bad input. */
static void
test_bad(void)
{
	static const struct bad_text bad[] = {
		{ " KEY=value\n", 1 },
		{ "6,1,2,-;ok\nnot a record\n", 2 },
		{ "6,1,2,-;ok\n6,x,2,-;bad seq\n", 2 },
		{ "6,1,99999999999999999999,-;ts overflow\n", 1 },
		{ "6,1,2,-;ok\n6,2,3\n", 2 },
	};
	struct td_kmsg_log *log;
	struct td_kmsg_record rec;
	struct td_kmsg_event ev;

	check_bad(bad, sizeof(bad) / sizeof(bad[0]), "bad.kmsg", parse_bad);
	ok(td_kmsg_parse("", 0, "empty", &log, NULL) == 0 && log->n == 0, "empty log: no records");
	td_kmsg_log_free(log);
	ok(td_kmsg_parse_text("a\0b\n[ 1.5] \n\xff\xfe\n", 15, "bin", &log, NULL) == 0 &&
	    log->n == 3 && log->recs[0].text_len == 3, "text: NUL and invalid UTF-8 kept");
	td_kmsg_log_free(log);
	memset(&rec, 0, sizeof(rec));
	rec.text = (char *)(uintptr_t)"hrtimer: interrupt took 99999999999999999999999 ns";
	rec.text_len = strlen(rec.text);
	ok(td_kmsg_match(&rec, &ev) == 0, "overflowing number: not an event");
	rec.text = (char *)(uintptr_t)"clocksource: Switched to clocksource ";
	rec.text_len = strlen(rec.text);
	ok(td_kmsg_match(&rec, &ev) == 1 && ev.name && ev.name[0] == '\0',
	    "switch without a name: empty name");
	td_kmsg_event_clear(&ev);
	td_kmsg_log_free(NULL);
	td_kmsg_events_free(NULL);
}

/* td_kmsg_read_fd() on a non-blocking pipe: stops at EAGAIN with what was written. */
static void
test_fd(void)
{
	struct td_kmsg_log *log = NULL;
	struct td_buf b;
	int fds[2], r;

	if (!ok(pipe(fds) == 0 && fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0, "pipe"))
		return;
	if (td_read_root(fixture_path("kmsg"), "/records.kmsg", 1 << 20, &b, NULL) == 0) {
		ok(write(fds[1], b.data, b.len) == (ssize_t)b.len, "pipe: records written");
		td_buf_free(&b);
	}
	alarm(30);
	r = td_kmsg_read_fd(fds[0], "pipe", &log, NULL);
	alarm(0);
	ok(r == 0 && log && log->n == 15 && log->lost == 0 && log->recs[14].facility == 1,
	    "pipe: 15 records, returns at EAGAIN while the writer is still open");
	td_kmsg_log_free(log);
	close(fds[0]);
	close(fds[1]);
	ok(td_kmsg_read_fd(-1, NULL, &log, NULL) == -EBADF && log == NULL, "bad fd: -EBADF");
}

/* The live /dev/kmsg (root only): records read, no hang. */
static void
test_live(void)
{
	struct td_kmsg_log *log = NULL;
	struct td_error e = { 0 };
	char buf[600];
	size_t i, mono = 1;
	int r;

	if (geteuid() != 0) {
		ok(1, "# SKIP /dev/kmsg needs root here");
		return;
	}
	alarm(30);	/* a hang fails the test instead of stalling make check */
	r = td_kmsg_read_live(&log, &e);
	alarm(0);
	if (!ok(r == 0, "live: /dev/kmsg read to EAGAIN (%s)",
	    r ? td_error_str(&e, buf, sizeof(buf)) : "ok"))
		return;
	ok(log->n >= 1, "live: %zu records", log->n);
	for (i = 1; i < log->n; i++)
		if (log->recs[i].seq <= log->recs[i - 1].seq)
			mono = 0;
	ok(mono && log->n > 0 && log->recs[0].has_seq && log->recs[0].has_ts,
	    "live: sequence numbers ascend");
	td_kmsg_log_free(log);
}

int
main(void)
{
	corpus_tests(test_kmatrix, test_public);
	test_records();
	test_text();
	test_harness();
	test_bad();
	test_fd();
	test_live();
	return done_testing();
}
