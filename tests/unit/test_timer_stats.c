/* The timer_stats parser on every public sample and on hand-made fixtures. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "sampler.h"
#include "source.h"
#include "tap.h"
#include "timer_stats.h"

/* The sum of the entries' counts. */
static uint64_t
counts_sum(const struct td_timer_stats *ts)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < ts->n; i++)
		sum += ts->entries[i].count;
	return sum;
}

/* Read a file or fail the test run. */
static struct td_buf
slurp(const char *path)
{
	struct td_buf b;

	if (td_read_file(path, 1 << 24, &b, NULL) < 0) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	return b;
}

/* A fixture path under $TD_SRCDIR/tests/fixtures/timer_stats. */
static const char *
fixture(const char *name)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "timer_stats/%s", name);
	return fixture_path(rel);
}

/*
 * What the file says, counted independently of the parser: entry lines are
 * those whose first non-blank field is digits, an optional D, then a comma.
 */
struct expect {
	size_t		 entries, deferrable;
	uint64_t	 sum, total;
	int		 have_total;
};

/* Count entries, D marks, their sum and the total line by plain scanning. */
static struct expect
scan(const char *text)
{
	struct expect x = { 0 };
	const char *line = text;

	while (line && *line) {
		const char *p = line;
		char *end;
		unsigned long long v;

		while (*p == ' ')
			p++;
		v = strtoull(p, &end, 10);
		if (end != p && (*end == ',' || (end[0] == 'D' && end[1] == ','))) {
			x.entries++;
			x.sum += v;
			if (*end == 'D')
				x.deferrable++;
		} else if (end != p && strncmp(end, " total events", 13) == 0) {
			x.total = v;
			x.have_total = 1;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return x;
}

/* Every public sample parses, and agrees with the plain scan. */
static void
test_corpus(void)
{
	char pat[4096];
	glob_t g;

	if (corpus_dir() == NULL) {
		ok(1, "# SKIP no corpus");
		return;
	}
	snprintf(pat, sizeof(pat), "%s/public/timer_stats/*", corpus_dir());
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc < 4) {
		ok(0, "the four public timer_stats samples are there");
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i], *base = strrchr(path, '/') + 1;
		struct td_buf b = slurp(path);
		struct expect x = scan(b.data);
		struct td_timer_stats *ts;
		struct td_error e;
		size_t nd = 0;
		int r;

		r = td_timer_stats_parse(b.data, b.len, path, &ts, &e);
		if (!ok(r == 0, "%s parses", base)) {
			diag("%s", e.msg);
			td_buf_free(&b);
			continue;
		}
		is_int(ts->n, x.entries, "%s: every entry line", base);
		is_int(counts_sum(ts), x.sum, "%s: counts add up", base);
		for (size_t k = 0; k < ts->n; k++)
			nd += ts->entries[k].deferrable;
		is_int(nd, x.deferrable, "%s: D marks", base);
		is_int(ts->have_total, x.have_total, "%s: total line seen", base);
		if (x.have_total)
			is_int(ts->total_events, x.total, "%s: total events", base);
		if (strncmp(base, "pre-v0.1", 8) == 0)
			is_int(ts->version, TD_TS_PROTO, "%s: prototype format", base);
		else if (strncmp(base, "v0.1", 4) == 0)
			is_int(ts->version, TD_TS_V01, "%s: v0.1", base);
		else if (strncmp(base, "v0.2", 4) == 0)
			is_int(ts->version, TD_TS_V02, "%s: v0.2", base);
		else if (strncmp(base, "v0.3", 4) == 0)
			is_int(ts->version, TD_TS_V03, "%s: v0.3", base);
		if (strstr(base, "elided") != NULL)
			ok(ts->elided, "%s: the elision is noticed", base);
		for (size_t k = 0; k < ts->n; k++)
			if (strchr(ts->entries[k].comm, '(') || ts->entries[k].expire[0] == '\0' ||
			    ts->entries[k].start[0] == '\0') {
				ok(0, "%s line %ld: comm/start/expire split", base,
				    ts->entries[k].line);
				break;
			}
		td_timer_stats_free(ts);
		td_buf_free(&b);
	}
	globfree(&g);
}

/* Details of the hand-made samples, one by one. */
static void
test_fixtures(void)
{
	struct td_timer_stats *ts;
	struct td_error e;
	struct td_buf b;
	int r;

	b = slurp(fixture("v0.2-overflow.txt"));
	r = td_timer_stats_parse(b.data, b.len, "v0.2-overflow.txt", &ts, &e);
	if (ok(r == 0, "overflow sample parses")) {
		ok(ts->have_overflow && ts->overflow == 114022, "Overflow: 114022 entries");
		is_int(ts->period_ns, 10007000000ULL, "period 10.007 s");
		is_int(ts->n, 7, "seven entries");
		is_int(ts->entries[0].count, 1589424, "a seven-digit count widens the column");
		ok(ts->entries[1].deferrable && ts->entries[1].count == 18428, "18428D,");
		is_int(ts->entries[1].pid, 23426, "five-digit pid");
		is_str(ts->entries[1].comm, "kworker/u16:0", "comm with a slash");
		is_str(ts->entries[3].comm, "lnx-dmxmsg-epo-", "15-character comm");
		is_str(ts->entries[3].start, "hrtimer_start", "start after a full comm");
		is_str(ts->entries[5].comm, "IRQ 218", "comm with a space");
		is_str(ts->entries[5].start, "e1000_intr_msi.constprop.3", ".constprop suffix");
		is_str(ts->entries[6].expire, "<ffffffffa01234c0>", "unresolved symbol");
		ok(ts->have_rate && ts->events_per_sec > 160997.70 &&
		    ts->events_per_sec < 160997.71, "events/sec trailer");
		td_timer_stats_free(ts);
	}
	td_buf_free(&b);

	b = slurp(fixture("v0.3-inactive-idle.txt"));
	r = td_timer_stats_parse(b.data, b.len, "idle", &ts, &e);
	if (ok(r == 0, "idle v0.3 parses")) {
		is_int(ts->collection, 0, "Collection: inactive");
		ok(ts->have_period && ts->period_ns == 0, "Sample period: 0.000 s");
		ok(ts->have_total && ts->total_events == 0 && !ts->have_rate,
		    "0 total events, no rate");
		is_int(ts->n, 0, "no entries");
		td_timer_stats_free(ts);
	}
	td_buf_free(&b);

	b = slurp(fixture("v0.3-short-period.txt"));
	r = td_timer_stats_parse(b.data, b.len, "short", &ts, &e);
	if (ok(r == 0, "short period v0.3 parses")) {
		is_int(ts->collection, 1, "Collection: active");
		ok(!ts->have_rate && ts->total_events == 24, "period < 1 s: no events/sec");
		is_str(ts->entries[2].start, "queue_delayed_work_on.part.7", ".part suffix");
		ok(ts->entries[2].deferrable, "1D,");
		td_timer_stats_free(ts);
	}
	td_buf_free(&b);

	b = slurp(fixture("v0.2-sort-n.txt"));
	r = td_timer_stats_parse(b.data, b.len, "sorted", &ts, &e);
	if (ok(r == 0, "a sort -n copy parses")) {
		is_int(ts->version, TD_TS_V02, "version line after the period");
		is_int(ts->n, 3, "entries between header and trailer");
		is_int(ts->total_events, 8, "trailer at the end");
		td_timer_stats_free(ts);
	}
	td_buf_free(&b);

	b = slurp(fixture("bad-entry.txt"));
	r = td_timer_stats_parse(b.data, b.len, "bad-entry.txt", &ts, &e);
	ok(r == -EINVAL && e.line == 3 && strcmp(e.path, "bad-entry.txt") == 0,
	    "an entry without (expire) is refused, naming line 3");
	b.len = 0;
	td_buf_free(&b);
	b = slurp(fixture("bad-period.txt"));
	r = td_timer_stats_parse(b.data, b.len, "bad-period.txt", &ts, &e);
	ok(r == -EINVAL && e.line == 2, "a bad period names line 2");
	td_buf_free(&b);
	b = slurp(fixture("not-timer-stats.txt"));
	r = td_timer_stats_parse(b.data, b.len, "tl", &ts, &e);
	ok(r == -EINVAL && e.line == 1, "a timer_list is not a timer_stats");
	td_buf_free(&b);
	r = td_timer_stats_parse("", 0, "empty", &ts, &e);
	ok(r == -EINVAL, "an empty file is refused");
	r = td_timer_stats_parse("   3,  1 a b (c)\n\0x\n", 19, "nul", &ts, &e);
	ok(r == -EINVAL && e.line == 2, "a NUL byte is refused with its line");
}

/* A sample written in the classic format reads back the same. */
static void
test_roundtrip(void)
{
	struct td_timer_stats *ts, *back;
	struct td_sample *p;
	struct td_error e;
	struct td_buf b = slurp(fixture("v0.2-overflow.txt"));
	char *out = NULL;
	size_t outlen = 0, same = 0;
	FILE *f;

	if (td_timer_stats_parse(b.data, b.len, "x", &ts, &e) < 0 ||
	    td_timer_stats_to_sample(ts, &p, &e) < 0) {
		ok(0, "round trip setup");
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->src[i].function, "tick_sched_timer") == 0)
			is_int(p->src[i].kind, TD_KIND_HRTIMER, "tick_sched_timer is an hrtimer");
		else if (strcmp(p->src[i].function, "process_timeout") == 0)
			is_int(p->src[i].kind, TD_KIND_TIMER, "process_timeout is a timer");
	p->period_ns = 10007000000ULL;
	f = open_memstream(&out, &outlen);
	td_timer_stats_write(f, p, ts, NULL, 0);
	fclose(f);
	if (ok(td_timer_stats_parse(out, outlen, "written", &back, &e) == 0,
	    "our own timer_stats output parses")) {
		is_int(back->n, ts->n, "same number of entries");
		is_int(counts_sum(back), counts_sum(ts), "same counts");
		is_int(back->version, TD_TS_V02, "written as the v0.2 it was");
		is_int(back->collection, -1, "no Collection line, as in the file");
		ok(back->have_total && back->total_events == ts->total_events,
		    "the file's total kept");
		ok(back->have_overflow && back->overflow == 114022, "overflow kept");
		for (size_t i = 0; i < back->n; i++)
			for (size_t k = 0; k < ts->n; k++)
				if (back->entries[i].count == ts->entries[k].count &&
				    back->entries[i].pid == ts->entries[k].pid &&
				    back->entries[i].deferrable == ts->entries[k].deferrable &&
				    strcmp(back->entries[i].comm, ts->entries[k].comm) == 0 &&
				    strcmp(back->entries[i].start, ts->entries[k].start) == 0 &&
				    strcmp(back->entries[i].expire, ts->entries[k].expire) == 0) {
					same++;
					break;
				}
		is_int(same, ts->n, "every entry comes back identical");
		ok(back->have_rate, "events/sec written for a period over 1 s");
		td_timer_stats_free(back);
	}
	free(out);
	td_sample_free(p);
	td_timer_stats_free(ts);
	td_buf_free(&b);
}

/* Parse a fixture and turn it into a sample; NULLs (and a failed test) on error. */
static struct td_timer_stats *
load(const char *name, struct td_sample **p, struct td_error *e)
{
	struct td_buf b = slurp(fixture(name));
	struct td_timer_stats *ts = NULL;

	*p = NULL;
	if (td_timer_stats_parse(b.data, b.len, name, &ts, e) < 0 ||
	    td_timer_stats_to_sample(ts, p, e) < 0) {
		ok(0, "%s: %s", name, e->msg);
		td_timer_stats_free(ts);
		ts = NULL;
	}
	td_buf_free(&b);
	return ts;
}

/* Write p in the classic text into a new string (free it). */
static char *
write_text(const struct td_sample *p, const struct td_timer_stats *file)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	td_timer_stats_write(f, p, file, NULL, 0);
	fclose(f);
	return out;
}

/* The saved file's own facts survive: D marks apart, header and trailer as they were. */
static void
test_fidelity(void)
{
	struct td_timer_stats *ts;
	struct td_sample *p;
	struct td_error e;
	struct td_buf b;
	char *out;
	int n = 0;

	if ((ts = load("v0.2-deferrable-twin.txt", &p, &e)) != NULL) {
		for (size_t i = 0; i < p->n; i++)
			if (strcmp(p->src[i].comm, "sshd") == 0)
				n += p->src[i].deferrable ? 100 + (int)p->src[i].count :
				    (int)p->src[i].count;
		is_int(n, 40 + 106, "sshd's 40 and 6D stay two sources, one deferrable");
		out = write_text(p, ts);
		ok(strstr(out, "\n   40,   812 sshd ") && strstr(out, "\n   6D,   812 sshd "),
		    "both written back, each with its mark");
		ok(strstr(out, "Collection:") == NULL, "v0.2 had no Collection line: none written");
		ok(strncmp(out, "Timer Stats Version: v0.2\n", 26) == 0, "its version line");
		free(out);
		td_sample_free(p);
		td_timer_stats_free(ts);
	}
	if ((ts = load("v0.3-elided-total.txt", &p, &e)) != NULL) {
		out = write_text(p, ts);
		ok(strstr(out, "\n3015 total events, 1005.000 events/sec\n") != NULL,
		    "elided and overflowed file: its own total (3015), not the listed 505");
		ok(strstr(out, "\nCollection: inactive\n") != NULL, "Collection: inactive kept");
		free(out);
		td_sample_free(p);
		td_timer_stats_free(ts);
	}
	if ((ts = load("v0.1-no-period.txt", &p, &e)) != NULL) {
		out = write_text(p, ts);
		ok(strstr(out, "Sample period") == NULL, "unknown period: no Sample period line");
		ok(strstr(out, "\n16 total events\n") != NULL, "and a total without a rate");
		free(out);
		td_sample_free(p);
		td_timer_stats_free(ts);
	}
	b = slurp(fixture("bad-huge-counts.txt"));
	ok(td_timer_stats_parse(b.data, b.len, "huge", &ts, &e) == -ERANGE && e.line == 4,
	    "counts adding up past 2^63-1 are refused on the line that does it");
	td_buf_free(&b);
	ok(td_timer_stats_parse("99999999999999999999 total events\n", 34, "t", &ts, &e) < 0,
	    "a total past 2^63-1 is refused");
}

/* Run the tests. */
int
main(void)
{
	test_corpus();
	test_fixtures();
	test_roundtrip();
	test_fidelity();
	return done_testing();
}
