/* Unit tests of the latency statistics: percentiles, mean, histogram, limits. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "latency.h"
#include "tap.h"

/* 1..100 in a shuffled order: the nearest-rank percentiles are the ranks. */
static void
test_ranks(void)
{
	struct td_latency l;
	struct td_latency_summary s;

	is_int(td_latency_init(&l, 10, 1000), 0, "init");
	for (int i = 0; i < 100; i++)
		td_latency_add(&l, (int64_t)((i * 37) % 100 + 1));
	is_int(td_latency_summarize(&l, &s), 0, "summarize");
	is_int(s.count, 100, "count");
	is_int(s.min_ns, 1, "min");
	is_int(s.max_ns, 100, "max");
	is_int(s.mean_ns, 51, "mean 50.5 rounds half away from zero");
	is_int(s.p50_ns, 50, "p50 is the 50th of 100");
	is_int(s.p90_ns, 90, "p90");
	is_int(s.p99_ns, 99, "p99");
	is_int(s.p999_ns, 100, "p99.9 of 100 samples is the largest");
	for (size_t i = 1; i < l.n; i++)
		if (l.v[i - 1] > l.v[i]) {
			ok(0, "samples sorted after summarize");
			break;
		}
	td_latency_free(&l);
	td_latency_free(&l);
	ok(l.v == NULL, "free twice is harmless");
}

/* Percentiles of 1000 and of one sample, and out-of-range percentages. */
static void
test_percentile(void)
{
	int64_t v[1000];

	for (int i = 0; i < 1000; i++)
		v[i] = i * 10;
	is_int(td_latency_percentile(v, 1000, 99.9), 9980, "p99.9 of 1000 is the 999th");
	is_int(td_latency_percentile(v, 1000, 50), 4990, "p50 of 1000 is the 500th");
	is_int(td_latency_percentile(v, 1000, 0), 0, "p0 is the minimum");
	is_int(td_latency_percentile(v, 1000, 150), 9990, "p150 is the maximum");
	is_int(td_latency_percentile(v, 1, 99), 0, "one sample is every percentile");
	is_int(td_latency_percentile(v, 0, 50), 0, "no samples: 0");
}

/* Negative samples (a clock stepped back) keep their sign in the mean and min. */
static void
test_negative(void)
{
	struct td_latency l;
	struct td_latency_summary s;

	td_latency_init(&l, 0, 100);
	td_latency_add(&l, -3);
	td_latency_add(&l, -4);
	td_latency_summarize(&l, &s);
	is_int(s.min_ns, -4, "negative minimum");
	is_int(s.mean_ns, -4, "mean -3.5 rounds away from zero");
	td_latency_free(&l);
}

/* The sample limit and the empty set. */
static void
test_limits(void)
{
	struct td_latency l;
	struct td_latency_summary s;

	td_latency_init(&l, 5, 3);
	is_int(l.cap, 3, "reserve is capped by the limit");
	for (int i = 0; i < 3; i++)
		td_latency_add(&l, i);
	is_int(td_latency_add(&l, 9), -ENOSPC, "past the limit: -ENOSPC");
	is_int(l.n, 3, "nothing added past the limit");
	td_latency_free(&l);
	td_latency_init(&l, 0, 3);
	is_int(td_latency_summarize(&l, &s), -ENODATA, "no samples: -ENODATA");
	is_int(s.count, 0, "no samples: count 0");
	td_latency_free(&l);
	/* Growing from nothing past the first block. */
	td_latency_init(&l, 0, 5000);
	for (int i = 0; i < 5000; i++)
		td_latency_add(&l, 5000 - i);
	td_latency_summarize(&l, &s);
	is_int(s.min_ns, 1, "grown array keeps every sample (min)");
	is_int(s.max_ns, 5000, "grown array keeps every sample (max)");
	td_latency_free(&l);
}

/* 1-2-5 buckets: edges, the below-1 bucket, empty buckets kept between. */
static void
test_histogram(void)
{
	int64_t v[] = { 15, 0, 1, 3, 7, -5, 150 };
	int64_t big[] = { INT64_MAX, 6000000000000000000 };
	struct td_latency_bucket b[TD_LATENCY_MAX_BUCKETS];
	size_t n;

	n = td_latency_histogram(v, 7, b, TD_LATENCY_MAX_BUCKETS);
	is_int(n, 8, "from below 1 ns to 100-200 ns: 8 buckets");
	is_int(b[0].lo_ns, -5, "first bucket starts at the smallest sample");
	is_int(b[0].hi_ns, 1, "first bucket ends at 1 ns");
	is_int(b[0].count, 2, "-5 and 0 are below 1 ns");
	is_int(b[1].lo_ns, 1, "then [1, 2)");
	is_int(b[2].hi_ns, 5, "then [2, 5)");
	is_int(b[2].count, 1, "3 is in [2, 5)");
	is_int(b[4].lo_ns, 10, "[10, 20)");
	is_int(b[5].count, 0, "[20, 50) empty but kept");
	is_int(b[7].lo_ns, 100, "last bucket [100, 200)");
	is_int(b[7].count, 1, "150 is there");
	n = td_latency_histogram(big, 2, b, TD_LATENCY_MAX_BUCKETS);
	is_int(n, 1, "huge samples share the last bucket");
	is_int(b[0].hi_ns, INT64_MAX, "the last bucket is open-ended");
	is_int(b[0].count, 2, "both counted");
	is_int(td_latency_histogram(v, 0, b, TD_LATENCY_MAX_BUCKETS), 0, "no samples, no buckets");
	is_int(td_latency_histogram(v, 7, b, 3), 3, "never more buckets than room");
}

/* Run every group of tests. */
int
main(void)
{
	test_ranks();
	test_percentile();
	test_negative();
	test_limits();
	test_histogram();
	return done_testing();
}
