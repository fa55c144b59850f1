/*
 * Fuzz the latency statistics: the input is read as signed decimal numbers
 * (any bytes between them are separators); the summary and the histogram
 * must agree with the samples whatever they are.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "latency.h"
#include "numparse.h"

const char *const td_fuzz_seeds[] = {
	"fixtures/latency/*",
	"kmatrix/*/proc/interrupts",
	"kmatrix/host-*/proc/timer_list",
	NULL
};

/* Abort unless the invariant holds. */
static void
check(int cond)
{
	if (!cond)
		abort();
}

/* Summarize the numbers in the input and check the invariants. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct td_latency l;
	struct td_latency_summary s;
	struct td_latency_bucket b[TD_LATENCY_MAX_BUCKETS], b2[TD_LATENCY_MAX_BUCKETS];
	uint64_t total = 0;
	size_t nb;
	int64_t v;

	if (td_latency_init(&l, 0, 100000) < 0)
		return 0;
	while (p < end) {
		if (td_parse_i64(&p, end, &v) == 0) {
			if (td_latency_add(&l, v) < 0)
				break;
		} else
			p++;
	}
	nb = td_latency_histogram(l.v, l.n, b, TD_LATENCY_MAX_BUCKETS);
	for (size_t i = 0; i < nb; i++) {
		total += b[i].count;
		check(b[i].lo_ns < b[i].hi_ns);
		if (i > 0)
			check(b[i - 1].hi_ns == b[i].lo_ns);
	}
	check(total == l.n);
	if (td_latency_summarize(&l, &s) == 0) {
		/* The same buckets from the samples sorted as from them in any order. */
		check(td_latency_histogram(l.v, l.n, b2, TD_LATENCY_MAX_BUCKETS) == nb);
		for (size_t i = 0; i < nb; i++)
			check(b2[i].lo_ns == b[i].lo_ns && b2[i].count == b[i].count);
		check(s.count == l.n);
		check(s.min_ns <= s.p50_ns && s.p50_ns <= s.p90_ns && s.p90_ns <= s.p99_ns);
		check(s.p99_ns <= s.p999_ns && s.p999_ns <= s.max_ns);
		check(s.min_ns <= s.mean_ns && s.mean_ns <= s.max_ns);
		check(nb > 0 && b[0].lo_ns <= s.min_ns);
	} else
		check(l.n == 0 && nb == 0);
	td_latency_free(&l);
	return 0;
}
