/* Latency samples: percentiles, mean and a 1-2-5 logarithmic histogram. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"

/* Bucket edges 1, 2, 5, 10 ... 5e18 ns; the last bucket ends at INT64_MAX. */
#define NEDGES	57

/* Fill edges with 1, 2, 5 times the powers of ten. */
static void
latency_edges(int64_t *edges)
{
	static const int64_t mant[3] = { 1, 2, 5 };
	int64_t p = 1;
	int k = 0;

	while (k < NEDGES) {
		for (int m = 0; m < 3 && k < NEDGES; m++)
			edges[k++] = mant[m] * p;
		if (k < NEDGES)
			p *= 10;
	}
}

/* Reserve and touch room for reserve samples, keeping at most limit. */
int
td_latency_init(struct td_latency *l, size_t reserve, size_t limit)
{
	memset(l, 0, sizeof(*l));
	l->limit = limit;
	if (reserve > limit)
		reserve = limit;
	if (reserve > 0) {
		l->v = reallocarray(NULL, reserve, sizeof(*l->v));
		if (l->v == NULL)
			return -ENOMEM;
		memset(l->v, 0, reserve * sizeof(*l->v));
		l->cap = reserve;
	}
	l->sorted = true;
	return 0;
}

/* Append one sample, growing the array geometrically. */
int
td_latency_add(struct td_latency *l, int64_t ns)
{
	if (l->n >= l->limit)
		return -ENOSPC;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 1024;
		int64_t *nv;

		if (ncap > l->limit)
			ncap = l->limit;
		nv = reallocarray(l->v, ncap, sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	if (l->n > 0 && ns < l->v[l->n - 1])
		l->sorted = false;
	l->v[l->n++] = ns;
	return 0;
}

/* Free the samples. */
void
td_latency_free(struct td_latency *l)
{
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Order two samples for qsort. */
static int
latency_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
int64_t
td_latency_percentile(const int64_t *sorted, size_t n, double pct)
{
	double rank;
	size_t i;

	if (n == 0)
		return 0;
	if (!(pct > 0))
		return sorted[0];
	if (pct >= 100)
		return sorted[n - 1];
	/* The smallest rank with at least pct % of the samples at or below it. */
	rank = pct / 100.0 * (double)n;
	i = (size_t)rank;
	/* 99.9 % of 1000 is 999.0000000000001 in binary: that is rank 999. */
	if ((double)i < rank * (1 - 1e-12))
		i++;
	i = i < 1 ? 0 : i - 1;
	if (i >= n)
		i = n - 1;
	return sorted[i];
}

/* Sort the samples and compute the summary. */
int
td_latency_summarize(struct td_latency *l, struct td_latency_summary *s)
{
	long double sum = 0, mean;

	memset(s, 0, sizeof(*s));
	if (l->n == 0)
		return -ENODATA;
	if (!l->sorted) {
		qsort(l->v, l->n, sizeof(*l->v), latency_cmp);
		l->sorted = true;
	}
	for (size_t i = 0; i < l->n; i++)
		sum += (long double)l->v[i];
	s->count = l->n;
	s->min_ns = l->v[0];
	s->max_ns = l->v[l->n - 1];
	mean = sum / (long double)l->n;
	s->mean_ns = (int64_t)(mean + (mean < 0 ? -0.5L : 0.5L));
	/* Rounding can step outside [min, max] only through long double error. */
	if (s->mean_ns < s->min_ns)
		s->mean_ns = s->min_ns;
	if (s->mean_ns > s->max_ns)
		s->mean_ns = s->max_ns;
	s->p50_ns = td_latency_percentile(l->v, l->n, 50);
	s->p90_ns = td_latency_percentile(l->v, l->n, 90);
	s->p99_ns = td_latency_percentile(l->v, l->n, 99);
	s->p999_ns = td_latency_percentile(l->v, l->n, 99.9);
	return 0;
}

/* Index of the bucket holding v: 0 below 1 ns, k for [edges[k-1], edges[k]). */
static size_t
latency_bucket(const int64_t *edges, int64_t v)
{
	size_t lo = 0, hi = NEDGES;

	if (v < 1)
		return 0;
	/* The first edge above v; NEDGES when v >= the last edge. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (edges[mid] > v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Count samples into 1-2-5 buckets and copy out the non-empty span. */
size_t
td_latency_histogram(const int64_t *v, size_t n, struct td_latency_bucket *b, size_t nb)
{
	int64_t edges[NEDGES];
	uint64_t counts[NEDGES + 1];
	int64_t min = INT64_MAX;
	size_t first = NEDGES + 1, last = 0, out = 0;

	if (n == 0 || nb == 0)
		return 0;
	latency_edges(edges);
	memset(counts, 0, sizeof(counts));
	for (size_t i = 0; i < n; i++) {
		size_t k = latency_bucket(edges, v[i]);

		counts[k]++;
		if (k < first)
			first = k;
		if (k > last)
			last = k;
		if (v[i] < min)
			min = v[i];
	}
	for (size_t k = first; k <= last && out < nb; k++, out++) {
		b[out].lo_ns = k == 0 ? (min < 0 ? min : 0) : edges[k - 1];
		b[out].hi_ns = k == 0 ? 1 : k < NEDGES ? edges[k] : INT64_MAX;
		b[out].count = counts[k];
	}
	return out;
}
