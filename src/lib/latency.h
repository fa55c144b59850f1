/*
 * Latency samples: percentiles, mean and a 1-2-5 logarithmic histogram.
 * Used by timerprobe for wake-up latencies; nothing here prints.
 */
#ifndef TD_LATENCY_H
#define TD_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing set of samples in nanoseconds (may be negative). */
struct td_latency {
	int64_t	*v;
	size_t	 n;
	size_t	 cap;
	size_t	 limit;		/* most samples kept; td_latency_add says -ENOSPC past it */
	bool	 sorted;
};

/* What td_latency_summarize computes; meaningful only when count > 0. */
struct td_latency_summary {
	size_t	 count;
	int64_t	 min_ns;
	int64_t	 mean_ns;	/* rounded to the nearest nanosecond */
	int64_t	 p50_ns;
	int64_t	 p90_ns;
	int64_t	 p99_ns;
	int64_t	 p999_ns;
	int64_t	 max_ns;
};

/*
 * One histogram bucket, [lo_ns, hi_ns).  Edges are 1, 2, 5, 10, 20, 50 ... ns
 * on both sides of zero: ... [-5, -2), [-2, -1), [-1, 0), [0, 1), [1, 2),
 * [2, 5) ...; a sample early by 3 us and one early by 300 us fall in
 * different buckets.  The outermost buckets are open (INT64_MIN, INT64_MAX).
 */
struct td_latency_bucket {
	int64_t		lo_ns;
	int64_t		hi_ns;
	uint64_t	count;
};

#define TD_LATENCY_MAX_BUCKETS	128

/* Reserve room for reserve samples (touched, so no page faults later); keep at most limit. */
int td_latency_init(struct td_latency *l, size_t reserve, size_t limit);
/* Add one sample: 0, -ENOSPC at the limit, -ENOMEM. */
int td_latency_add(struct td_latency *l, int64_t ns);
/* Release the samples; l may be zeroed or already freed. */
void td_latency_free(struct td_latency *l);
/* Sort the samples and fill s: 0, or -ENODATA when there are none. */
int td_latency_summarize(struct td_latency *l, struct td_latency_summary *s);
/* Nearest-rank percentile (0 < pct <= 100) of n sorted samples; 0 when n is 0. */
int64_t td_latency_percentile(const int64_t *sorted, size_t n, double pct);
/*
 * Histogram of n samples (any order) into at most nb buckets, from the first
 * non-empty bucket to the last (empty ones between kept).  Returns the number
 * of buckets written; 0 for no samples.
 */
size_t td_latency_histogram(const int64_t *v, size_t n, struct td_latency_bucket *b,
    size_t nb);

/*
 * A fixed-size histogram for live percentiles while samples keep coming:
 * 64 sub-buckets per power of two (within 1.6 %), no allocation, so a
 * measuring loop can add to it and another thread can read it (under the
 * caller's lock).  Samples below zero are counted apart, as the lowest.
 */
#define TD_LATENCY_LIVE_SLOTS	1888

struct td_latency_live {
	uint64_t	n;
	uint64_t	negative;
	uint64_t	slot[TD_LATENCY_LIVE_SLOTS];
};

void td_latency_live_add(struct td_latency_live *h, int64_t ns);
/* The lower edge of the slot holding the pct percentile (nearest rank); 0 when empty. */
int64_t td_latency_live_percentile(const struct td_latency_live *h, double pct);

#endif
