/* Tests of the /proc/softirqs parser and its deltas: corpus, fixtures, live kernel, bad input. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "softirqs.h"
#include "test_hooks.h"
#include "source.h"
#include "inputs.h"
#include "tap.h"

static const char *const all_names[] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
	"HRTIMER", "RCU",
};

/* Parse a file under dir; NULL (and a diagnostic) on failure. */
static struct td_softirqs *
load(const char *dir, const char *abs)
{
	struct td_softirqs *s;
	struct td_error e = { 0 };
	char buf[600];

	if (td_softirqs_load(dir, abs, &s, &e) < 0) {
		diag("%s", td_error_str(&e, buf, sizeof(buf)));
		return NULL;
	}
	return s;
}

/* Every kmatrix capture: all ten softirqs, CPU count, TIMER moves between proc/ and after/. */
static void
test_kmatrix(const char *corpus)
{
	struct corpus_walk k;
	int n = 0;

	if (corpus_walk_open(&k, corpus, "kmatrix") < 0) {
		ok(0, "open %s", k.dir);
		return;
	}
	while (corpus_walk_next(&k) != NULL) {
		struct td_softirqs *a, *b;
		struct td_softirqs_delta *d = NULL;
		const struct td_softirq_delta_row *dr;
		size_t i;
		int missing = 0;

		n++;
		a = load(k.path, "/proc/softirqs");
		b = load(k.path, "/after/proc/softirqs");
		if (!ok(a && b, "%s: softirqs parse", k.name))
			goto next;
		is_int(a->ncpus, truth_int(k.path, "cpus"), "%s: CPU columns = truth.json cpus",
		    k.name);
		for (i = 0; i < sizeof(all_names) / sizeof(all_names[0]); i++)
			if (td_softirqs_find(a, all_names[i]) == NULL)
				missing++;
		is_int(missing, 0, "%s: all ten softirqs present", k.name);
		if (!ok(td_softirqs_delta(a, b, &d) == 0, "%s: delta", k.name))
			goto next;
		dr = td_softirqs_delta_find(d, "TIMER");
		ok(dr && !dr->is_new && !dr->gone && dr->total > 0,
		    "%s: TIMER softirqs ran between proc/ and after/ (+%llu)", k.name,
		    dr ? (unsigned long long)dr->total : 0ULL);
next:
		td_softirqs_delta_free(d);
		td_softirqs_free(a);
		td_softirqs_free(b);
	}
	ok(n >= 10, "kmatrix: %d captures", n);

	snprintf(k.path, sizeof(k.path), "%s/kmatrix/amd64-6.1-generic-default", corpus);
	{
		struct td_softirqs *s = load(k.path, "/proc/softirqs");
		uint64_t v;

		ok(s && td_softirqs_count(s, "TIMER", 0, &v) == 0 && v == 139, "amd64: TIMER CPU0 139");
		ok(s && td_softirqs_count(s, "RCU", 1, &v) == 0 && v == 326, "amd64: RCU CPU1 326");
		ok(s && td_softirqs_count(s, "RCU", 2, &v) == -ENOENT, "amd64: no CPU2: absent");
		ok(s && td_softirqs_count(s, "NOPE", 0, &v) == -ENOENT, "amd64: unknown name: absent");
		td_softirqs_free(s);
	}
}

/* Hand-made shapes. */
static void
test_fixtures(void)
{
	struct td_softirqs *s, *a, *b;
	struct td_softirqs_delta *d;
	uint64_t v;

	if ((s = load(fixture_path("softirqs"), "/1cpu.txt"))) {
		is_int(s->ncpus, 1, "1cpu: one CPU");
		ok(td_softirqs_count(s, "RCU", 0, &v) == 0 && v == 90, "1cpu: RCU 90");
		td_softirqs_free(s);
	}
	if ((s = load(fixture_path("softirqs"), "/old-block_iopoll-2cpu.txt"))) {
		ok(td_softirqs_find(s, "BLOCK_IOPOLL") != NULL && td_softirqs_find(s, "IRQ_POLL") ==
		    NULL, "old kernel: BLOCK_IOPOLL kept by name");
		ok(td_softirqs_count(s, "HRTIMER", 1, &v) == 0 && v == 8, "old kernel: HRTIMER CPU1");
		td_softirqs_free(s);
	}
	a = load(fixture_path("softirqs"), "/offline-a.txt");
	b = load(fixture_path("softirqs"), "/offline-b-cpu1-offline.txt");
	if (ok(a && b && td_softirqs_delta(a, b, &d) == 0, "offline: delta")) {
		is_int(d->ncpus, 4, "offline: union of CPUs");
		ok(td_softirqs_delta_cell(d, "TIMER", 0, &v) == 0 && v == 50, "offline: TIMER CPU0 +50");
		ok(td_softirqs_delta_cell(d, "TIMER", 2, &v) == 0 && v == 52,
		    "offline: TIMER CPU2 +52 (by CPU number)");
		ok(td_softirqs_delta_cell(d, "TIMER", 3, &v) == 0 && v == 53, "offline: TIMER CPU3 +53");
		ok(td_softirqs_delta_cell(d, "TIMER", 1, &v) == -ENOENT,
		    "offline: CPU1 unknown, not 0");
		ok(td_softirqs_delta_cell(d, "HI", 2, &v) == 0 && v == 2, "offline: HI CPU2 +2");
		td_softirqs_delta_free(d);
	}
	td_softirqs_free(b);
	b = load(fixture_path("softirqs"), "/old-block_iopoll-2cpu.txt");
	if (ok(a && b && td_softirqs_delta(a, b, &d) == 0, "rename: delta")) {
		const struct td_softirq_delta_row *r1 = td_softirqs_delta_find(d, "BLOCK_IOPOLL");
		const struct td_softirq_delta_row *r2 = td_softirqs_delta_find(d, "IRQ_POLL");

		ok(r1 && r1->is_new && td_softirqs_delta_cell(d, "BLOCK_IOPOLL", 1, &v) == 0 &&
		    v == 8, "rename: new row counted from 0");
		ok(r2 && r2->gone && td_softirqs_delta_cell(d, "IRQ_POLL", 0, &v) == -ENOENT,
		    "rename: vanished row flagged, no value");
		td_softirqs_delta_free(d);
	}
	td_softirqs_free(a);
	td_softirqs_free(b);
}

/* td_softirqs_parse for check_bad: a result left on failure is not -EINVAL. */
static int
parse_bad(const char *buf, size_t len, const char *path, struct td_error *e)
{
	struct td_softirqs *s;
	int r = td_softirqs_parse(buf, len, path, &s, e);

	if (s != NULL) {
		td_softirqs_free(s);
		return 0;
	}
	return r;
}

/* Bad input: -EINVAL naming the line. */
static void
test_bad(void)
{
	static const struct bad_text bad[] = {
		{ "", 0 },
		{ "TIMER: 1 2\n", 1 },
		{ "  CPU0 CPU1\n  TIMER: 1 x\n", 2 },
		{ "  CPU0\n  TIMER: 1 2\n", 2 },
		{ "  CPU0\n  TIMER 1\n", 2 },
		{ "  CPU0\n  TIMER: 1\n  TIMER: 2\n", 3 },
		{ "  CPU0\n  TI MER: 1\n", 2 },
		{ "  CPU0\n  TIMER:\n", 2 },
		{ "  CPU0\n  TIMER: 123456789012345678901234567890\n", 2 },
	};
	check_bad(bad, sizeof(bad) / sizeof(bad[0]), "bad", parse_bad);
	td_softirqs_free(NULL);
	td_softirqs_delta_free(NULL);
}

/* The live kernel. */
static void
test_live(void)
{
	struct td_softirqs *a, *b;
	struct td_softirqs_delta *d;
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	a = load("/", "/proc/softirqs");
	nanosleep(&ts, NULL);
	b = load("/", "/proc/softirqs");
	if (ok(a && b, "live: /proc/softirqs parses")) {
		is_int(a->ncpus, sysconf(_SC_NPROCESSORS_ONLN), "live: one column per online CPU");
		if (ok(td_softirqs_delta(a, b, &d) == 0, "live: delta"))
			ok(td_softirqs_delta_find(d, "TIMER") != NULL, "live: TIMER row in delta");
		td_softirqs_delta_free(d);
	}
	td_softirqs_free(a);
	td_softirqs_free(b);
}

int
main(void)
{
	corpus_tests(test_kmatrix, NULL);
	test_fixtures();
	test_bad();
	test_live();
	return done_testing();
}
