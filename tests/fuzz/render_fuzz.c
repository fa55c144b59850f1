/*
 * libFuzzer target: every text the tools render from hostile input is valid
 * UTF-8 without a control byte (newline and tab only between fields).  The
 * input goes through the sanitiser itself, Prometheus label escaping, the
 * timer_stats parser into timerstat's report (verdict line, table, raw table,
 * JSON) and --format=timer_stats, and the timer_list and kernel log parsers
 * into timerinfo's report (text with -t and -c, --ticks, --events, --check,
 * JSON, Prometheus), with names from the input planted where sysfs and the
 * release would give them.  Any output that is not clean aborts.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../unit/minijson.h"
#include "fuzz.h"
#include "textsafe.h"
#include "timerdiag.h"
#include "timerinfo.h"
#include "timerstat.h"
#include "test_hooks.h"

const char *const td_fuzz_seeds[] = {
	"public/timer_stats/*",
	"public/timer_list/*",
	"public/dmesg/*",
	"kmatrix/*/proc/timer_list",
	"fixtures/hostile/timer_*.txt",
	"fixtures/hostile/sysroot/dmesg",
	NULL
};

/* Abort unless the n bytes at s are clean (lines: newline and tab allowed). */
static void
must_be_clean(const char *s, size_t n, bool lines)
{
	if (!td_text_is_clean(s, n, lines))
		abort();
}

/* A stream for one rendering, and its check. */
struct out {
	char	*buf;
	size_t	 len;
	FILE	*f;
};

static bool
out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	return o->f != NULL;
}

/* Close the stream and check what it holds; JSON must also parse. */
static void
out_check(struct out *o, bool json)
{
	struct mj doc;

	fclose(o->f);
	must_be_clean(o->buf, o->len, true);
	if (json && o->len > 0) {
		if (!mj_parse(o->buf, &doc))
			abort();
		mj_free(&doc);
	}
	free(o->buf);
}

/* The sanitiser and the Prometheus label writer on the raw input. */
static void
sanitiser(const char *s, size_t n)
{
	char small[16], big[TD_SAFE_LEN], again[TD_SAFE_LEN];
	size_t l;
	struct out o;

	l = td_text_escape(small, sizeof(small), s, n);
	if (l >= sizeof(small) || strlen(small) != l)
		abort();
	must_be_clean(small, l, false);
	l = td_text_escape(big, sizeof(big), s, n);
	must_be_clean(big, l, false);
	/* Escaping escaped text changes nothing. */
	td_text_escape(again, sizeof(again), big, l);
	if (strcmp(again, big) != 0)
		abort();
	if (out_open(&o)) {
		td_text_write(o.f, s, n);
		out_check(&o, false);
	}
	if (out_open(&o)) {
		char *z = strndup(s, n);

		/* The label is one line: not even a newline may appear raw. */
		td_prom_label(o.f, z);
		fclose(o.f);
		must_be_clean(o.buf, o.len, false);
		free(o.buf);
		free(z);
	}
}

/* timerstat's text, raw, JSON and timer_stats outputs of a saved timer_stats. */
static void
timerstat(const char *s, size_t n)
{
	struct td_timer_stats *ts = NULL;
	struct td_sample *p = NULL;
	struct td_table *t = NULL;
	struct ts_opts opt = { .format = TS_TEXT, .sort = "count" };
	struct td_error e;
	struct td_json j;
	struct out o;

	if (td_timer_stats_parse(s, n, "fuzz", &ts, &e) < 0)
		return;
	if (td_timer_stats_to_sample(ts, &p, &e) < 0 ||
	    td_table_new(&t, td_wsource_columns, td_wsource_ncolumns, &e) < 0)
		goto out;
	if (out_open(&o)) {
		ts_print_text(o.f, t, &opt, p, "a note", 1, 1);
		opt.format = TS_RAW;
		ts_print_text(o.f, t, &opt, p, NULL, 1, 1);
		out_check(&o, false);
	}
	if (out_open(&o)) {
		td_json_init(&j, o.f, true);
		td_json_arr_begin(&j, NULL);
		ts_print_json(&j, t, &opt, p, NULL);
		td_json_arr_end(&j);
		td_json_finish(&j);
		out_check(&o, true);
	}
	if (out_open(&o)) {
		td_timer_stats_write(o.f, p, NULL, NULL, 0);
		out_check(&o, false);
	}
out:
	td_table_free(t);
	td_sample_free(p);
	td_timer_stats_free(ts);
}

/*
 * Copy a piece of the input, from at modulo its length, into a name field (NUL
 * bytes made visible).
 */
static void
plant(char *dst, size_t len, const char *s, size_t n, size_t at)
{
	size_t k = 0;

	for (size_t i = n > 0 ? at % n : 0; n > 0 && k + 1 < len && k < 24; i = (i + 1) % n, k++)
		dst[k] = s[i] != '\0' ? s[i] : '\x1b';
	dst[k] = '\0';
}

/* timerinfo's every view of a timer_list and kernel log from the input. */
static void
timerinfo(const char *s, size_t n)
{
	struct ti_opts opt = { .format = TI_TEXT, .timers = true, .cpus = true, .report = true,
	    .ticks = true, .events = true, .check = true };
	struct ti_extra x;
	struct td_check_input in;
	struct td_machine *m = NULL;
	struct td_error e;
	char path[64];
	struct out o;
	int fd;

	memset(&x, 0, sizeof(x));
	if ((fd = memfd_create("timer_list", 0)) < 0)
		return;
	if (write(fd, s, n) != (ssize_t)n) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (td_machine_read("/nonexistent-render-fuzz", path, TD_TL_TIMERS, &m, &e) < 0) {
		close(fd);
		return;
	}
	close(fd);
	/* Names that sysfs and the release file would give, from the input. */
	plant(m->si.release, sizeof(m->si.release), s, n, 0);
	m->si.has_release = true;
	plant(m->cs.current, sizeof(m->cs.current), s, n, n / 3);
	m->cs.has_current = true;
	if (TD_CS_MAX_AVAIL > 0) {
		plant(m->cs.available[0], sizeof(m->cs.available[0]), s, n, n / 2);
		m->cs.navailable = 1;
		m->cs.has_available = true;
	}
	plant(m->cs.broadcast, sizeof(m->cs.broadcast), s, n, n / 5);
	m->cs.has_broadcast = true;
	if (td_kmsg_parse(s, n, "fuzz", &x.log, &e) == 0 &&
	    td_kmsg_events(x.log, &x.events) == 0)
		strlcpy(x.events_source, "fuzz", sizeof(x.events_source));
	else
		plant(x.events_why, sizeof(x.events_why), s, n, 7);
	plant(x.rates_why, sizeof(x.rates_why), s, n, 11);
	/* Prometheus' interrupt counters, from the input read as /proc/interrupts. */
	(void)td_interrupts_parse(s, n, "fuzz", &x.irqs, &e);
	memset(&in, 0, sizeof(in));
	in.m = m;
	in.events = x.events;
	in.events_source = x.events != NULL ? x.events_source : NULL;
	in.events_why = x.events_why;
	in.rates_why = x.rates_why;
	in.rtc_why = "no RTC";
	td_checks_run(&in, &x.checks, &e);
	if (out_open(&o)) {
		ti_print_text(o.f, m, &opt);
		ti_print_ticks(o.f, m, &x, &opt);
		ti_print_events(o.f, &x, &opt);
		if (x.checks != NULL)
			ti_print_checks(o.f, &x, &opt);
		out_check(&o, false);
	}
	if (out_open(&o)) {
		ti_print_prometheus(o.f, m, &x);
		out_check(&o, false);
	}
	opt.format = TI_JSON;
	opt.json = true;
	if (out_open(&o)) {
		ti_print_json(o.f, m, &x, &opt);
		out_check(&o, true);
	}
	td_checks_free(x.checks);
	td_interrupts_free(x.irqs);
	td_kmsg_events_free(x.events);
	td_kmsg_log_free(x.log);
	td_machine_free(m);
}

/* Run every renderer on the input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	sanitiser(s, size);
	timerstat(s, size);
	timerinfo(s, size);
	return 0;
}
