/* libFuzzer target: parse /proc/softirqs, walk it, delta it with itself and a second half. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "softirqs.h"
#include "test_hooks.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*/proc/softirqs",
	"kmatrix/*/after/proc/softirqs",
	"fixtures/softirqs/*",
	NULL
};

static volatile size_t sink;

/* Check a delta; a snapshot against itself must be all zero. */
static void
check_delta(const struct td_softirqs *a, const struct td_softirqs *b, int self)
{
	struct td_softirqs_delta *d;
	uint64_t v;

	if (td_softirqs_delta(a, b, &d) < 0)
		return;
	for (size_t i = 0; i < d->nrows; i++)
		for (int c = 0; c < d->ncpus; c++)
			if (td_softirqs_delta_cell(d, d->rows[i].name, d->cpus[c], &v) == 0) {
				if (self && v != 0)
					abort();
				sink += (size_t)v;
			}
	td_softirqs_delta_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_softirqs *a = NULL, *b = NULL;
	const char *buf = (const char *)data;
	size_t half = size / 2;
	uint64_t v;

	if (td_softirqs_parse(buf, size, "fuzz", &a, NULL) == 0) {
		for (size_t i = 0; i < a->nrows; i++) {
			if (a->rows[i].ncounts > a->ncpus)
				abort();
			for (int c = 0; c < a->ncpus; c++)
				if (td_softirqs_count(a, a->rows[i].name, a->cpus[c], &v) == 0)
					sink += (size_t)v;
		}
		check_delta(a, a, 1);
	}
	if (td_softirqs_parse(buf + half, size - half, "fuzz", &b, NULL) == 0 && a != NULL) {
		check_delta(a, b, 0);
		check_delta(b, a, 0);
	}
	td_softirqs_free(a);
	td_softirqs_free(b);
	return 0;
}
