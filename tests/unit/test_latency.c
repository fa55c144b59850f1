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

/* 1-2-5 buckets on both sides of zero, empty buckets kept between. */
static void
test_histogram(void)
{
	int64_t v[] = { 15, 0, 1, 3, 7, -5, 150 };
	int64_t neg[] = { -3000, -300000, -1, 2 };
	int64_t big[] = { INT64_MAX, 6000000000000000000 };
	int64_t low[] = { INT64_MIN, -6000000000000000000 };
	struct td_latency_bucket b[TD_LATENCY_MAX_BUCKETS];
	size_t n;

	n = td_latency_histogram(v, 7, b, TD_LATENCY_MAX_BUCKETS);
	is_int(n, 11, "from [-5, -2) to [100, 200): 11 buckets");
	is_int(b[0].lo_ns, -5, "first bucket [-5, -2)");
	is_int(b[0].hi_ns, -2, "first bucket ends at -2 ns");
	is_int(b[0].count, 1, "-5 alone there");
	is_int(b[2].lo_ns, -1, "then [-1, 0)");
	is_int(b[2].count, 0, "[-1, 0) empty but kept");
	is_int(b[3].lo_ns, 0, "then [0, 1)");
	is_int(b[3].count, 1, "0 alone in [0, 1)");
	is_int(b[4].lo_ns, 1, "then [1, 2)");
	is_int(b[5].hi_ns, 5, "then [2, 5)");
	is_int(b[5].count, 1, "3 is in [2, 5)");
	is_int(b[7].lo_ns, 10, "[10, 20)");
	is_int(b[8].count, 0, "[20, 50) empty but kept");
	is_int(b[10].lo_ns, 100, "last bucket [100, 200)");
	is_int(b[10].count, 1, "150 is there");
	/* An early wake-up of 3 us and one of 300 us are not lumped together. */
	n = td_latency_histogram(neg, 4, b, TD_LATENCY_MAX_BUCKETS);
	is_int(b[0].lo_ns, -500000, "-300 us in [-500 us, -200 us)");
	is_int(b[0].hi_ns, -200000, "which ends at -200 us");
	is_int(b[0].count, 1, "-300 us counted alone");
	is_int(b[6].lo_ns, -5000, "-3 us in [-5 us, -2 us)");
	is_int(b[6].count, 1, "-3 us counted alone");
	is_int(b[n - 4].lo_ns, -1, "-1 in [-1, 0)");
	is_int(b[n - 4].count, 1, "-1 counted");
	is_int(b[n - 1].lo_ns, 2, "2 in [2, 5)");
	n = td_latency_histogram(big, 2, b, TD_LATENCY_MAX_BUCKETS);
	is_int(n, 1, "huge samples share the last bucket");
	is_int(b[0].hi_ns, INT64_MAX, "the last bucket is open-ended");
	is_int(b[0].count, 2, "both counted");
	n = td_latency_histogram(low, 2, b, TD_LATENCY_MAX_BUCKETS);
	is_int(n, 1, "hugely negative samples share the first bucket");
	is_int(b[0].lo_ns, INT64_MIN, "the first bucket is open-ended");
	is_int(b[0].count, 2, "both counted, INT64_MIN too");
	is_int(td_latency_histogram(v, 0, b, TD_LATENCY_MAX_BUCKETS), 0, "no samples, no buckets");
	is_int(td_latency_histogram(v, 7, b, 3), 3, "never more buckets than room");
}

/* The live histogram: percentiles within its slot width, negatives apart. */
static void
test_live(void)
{
	static struct td_latency_live h;
	int64_t p;

	is_int(td_latency_live_percentile(&h, 50), 0, "empty: 0");
	for (int i = 1; i <= 1000; i++)
		td_latency_live_add(&h, (int64_t)i * 1000);
	p = td_latency_live_percentile(&h, 50);
	ok(p <= 500000 && p > 500000 * 0.98, "p50 of 1..1000 us within 2 %% below 500 us: %lld",
	    (long long)p);
	p = td_latency_live_percentile(&h, 99);
	ok(p <= 990000 && p > 990000 * 0.98, "p99 within 2 %%: %lld", (long long)p);
	is_int(td_latency_live_percentile(&h, 100), 999424, "p100: the slot of 1 ms");
	for (int i = 0; i < 2000; i++)
		td_latency_live_add(&h, -5);
	is_int(td_latency_live_percentile(&h, 50), -1, "a median below zero says so");
	td_latency_live_add(&h, 37);
	is_int(h.slot[37], 1, "below 64 ns slots are exact");
}

/* Run every group of tests. */
/* Order two samples for the reference qsort. */
static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * The sort summarize does, against qsort: both signs, the extremes, equal
 * high bytes (the bytes every sample shares are skipped) and bytes that differ
 * only high up.
 */
static void
test_sort(void)
{
	static const int64_t fixed[] = { INT64_MAX, INT64_MIN, -1, 0, 1, 255, 256,
	    -256, (int64_t)1 << 40, -((int64_t)1 << 40), INT64_MIN + 1, INT64_MAX - 1 };
	const size_t nf = sizeof(fixed) / sizeof(fixed[0]);
	struct td_latency l;
	struct td_latency_summary s;
	int64_t *ref;
	uint64_t x = 88172645463325252ULL;
	size_t n = 5000, bad = 0;

	ref = calloc(n, sizeof(*ref));
	if (ref == NULL)
		exit(99);
	is_int(td_latency_init(&l, n, n), 0, "init");
	for (size_t i = 0; i < n; i++) {
		int64_t v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i < nf)
			v = fixed[i];
		else if (i % 3 == 0)
			v = (int64_t)(x % 200000);	/* latencies: the high bytes shared */
		else if (i % 3 == 1)
			v = -(int64_t)(x % 5000);
		else
			v = (int64_t)x;
		ref[i] = v;
		td_latency_add(&l, v);
	}
	qsort(ref, n, sizeof(*ref), cmp_i64);
	is_int(td_latency_summarize(&l, &s), 0, "summarize 5000 mixed samples");
	for (size_t i = 0; i < n; i++)
		bad += l.v[i] != ref[i];
	is_int(bad, 0, "sorted as qsort sorts them");
	is_int(s.min_ns, INT64_MIN, "min is INT64_MIN");
	is_int(s.max_ns, INT64_MAX, "max is INT64_MAX");
	td_latency_free(&l);
	free(ref);
}

/*
 * Samples hopping between neighbouring buckets, on and beside their edges: the
 * last bucket's bounds must not take in a sample of the next one.
 */
static void
test_histogram_edges(void)
{
	int64_t v[] = { 19, 20, 19, 20, 49, 50, 5, 4, 5, -1, 0, -1, -2, -3, 1, 2 };
	struct td_latency_bucket b[TD_LATENCY_MAX_BUCKETS];
	size_t n = td_latency_histogram(v, 16, b, TD_LATENCY_MAX_BUCKETS);
	uint64_t want[][3] = {
		{ -5, -2, 1 }, { -2, -1, 1 }, { -1, 0, 2 }, { 0, 1, 1 }, { 1, 2, 1 },
		{ 2, 5, 2 }, { 5, 10, 2 }, { 10, 20, 2 }, { 20, 50, 3 }, { 50, 100, 1 },
	};
	size_t bad = 0;

	is_int(n, 10, "from [-5, -2) to [50, 100): 10 buckets");
	for (size_t i = 0; i < n && i < 10; i++)
		bad += b[i].lo_ns != (int64_t)want[i][0] || b[i].hi_ns != (int64_t)want[i][1] ||
		    b[i].count != want[i][2];
	is_int(bad, 0, "each sample in its own bucket, edges in the upper one");
}

/* Latencies alone (a narrow span), all alike, and two: sorted as qsort sorts them. */
static void
test_sort_narrow(void)
{
	struct td_latency l;
	struct td_latency_summary s;
	uint64_t x = 2463534242ULL;
	int64_t ref[3000];
	size_t bad = 0;

	td_latency_init(&l, 3000, 3000);
	for (size_t i = 0; i < 3000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* 14 to 80 us, now and then 1.5 ms: two or three bytes of span. */
		ref[i] = 14000 + (int64_t)(x % 66000) + (i % 500 == 7 ? 1500000 : 0);
		td_latency_add(&l, ref[i]);
	}
	qsort(ref, 3000, sizeof(*ref), cmp_i64);
	td_latency_summarize(&l, &s);
	for (size_t i = 0; i < 3000; i++)
		bad += l.v[i] != ref[i];
	is_int(bad, 0, "3000 latencies sorted as qsort sorts them");
	is_int(s.p50_ns, ref[1499], "p50 the 1500th");
	is_int(s.p99_ns, ref[2969], "p99 the 2970th");
	td_latency_free(&l);
	td_latency_init(&l, 0, 10);
	for (int i = 0; i < 5; i++)
		td_latency_add(&l, 7);
	td_latency_add(&l, -9);
	td_latency_summarize(&l, &s);
	is_int(s.min_ns, -9, "one below five alike: min");
	is_int(s.p50_ns, 7, "p50 among the alike");
	td_latency_free(&l);
}

int
main(void)
{
	test_sort();
	test_sort_narrow();
	test_histogram_edges();
	test_ranks();
	test_percentile();
	test_negative();
	test_limits();
	test_histogram();
	test_live();
	return done_testing();
}
