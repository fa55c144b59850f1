/* libFuzzer target: parse /proc/interrupts, walk it, delta it with itself and with a second half. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "interrupts.h"
#include "test_hooks.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*/proc/interrupts",
	"kmatrix/*/after/proc/interrupts",
	"public/interrupts/*",
	"fixtures/interrupts/*",
	NULL
};

static volatile size_t sink;

/* Read every field so that ASan sees any bad pointer. */
static void
walk(const struct td_interrupts *s)
{
	size_t n = 0;
	uint64_t v;

	for (size_t i = 0; i < s->nrows; i++) {
		const struct td_irq_row *r = &s->rows[i];

		n += fuzz_slen(r->label) + fuzz_slen(r->chip) + fuzz_slen(r->trigger) + fuzz_slen(r->actions) +
		    fuzz_slen(r->desc) + (size_t)r->hwirq;
		if (r->ncounts > s->ncpus)
			abort();
		for (int c = 0; c < r->ncounts; c++)
			n += (size_t)r->counts[c];
		for (int c = 0; c < s->ncpus; c++)
			if (td_interrupts_count(s, r, s->cpus[c], &v) == 0)
				n += (size_t)v;
		if (td_interrupts_find(s, r->label, r->desc) == NULL)
			abort();
	}
	n += (size_t)td_interrupts_local_timer(s);
	sink = n;
}

/* Check a delta: row/cell bookkeeping, and a snapshot against itself is all zero. */
static void
check_delta(const struct td_interrupts *a, const struct td_interrupts *b, int self)
{
	struct td_interrupts_delta *d;
	uint64_t v;

	if (td_interrupts_delta(a, b, &d) < 0)
		return;
	for (size_t i = 0; i < d->nrows; i++) {
		const struct td_irq_delta_row *r = &d->rows[i];

		for (int c = 0; c < d->ncpus; c++)
			if (td_interrupts_delta_cell(d, r, d->cpus[c], &v) == 0) {
				if (self && (v != 0 || r->state != TD_IRQ_KEPT))
					abort();
				sink += (size_t)v;
			}
		if (self && r->state != TD_IRQ_KEPT)
			abort();
		sink += fuzz_slen(r->label) + fuzz_slen(r->desc) + fuzz_slen(r->actions);
	}
	td_interrupts_delta_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_interrupts *a = NULL, *b = NULL;
	const char *buf = (const char *)data;
	size_t half = size / 2;

	if (td_interrupts_parse(buf, size, "fuzz", &a, NULL) == 0) {
		walk(a);
		check_delta(a, a, 1);
	}
	/* Two snapshots from the two halves: deltas between unrelated shapes. */
	td_interrupts_free(b);
	b = NULL;
	if (td_interrupts_parse(buf + half, size - half, "fuzz", &b, NULL) == 0 && a != NULL) {
		check_delta(a, b, 0);
		check_delta(b, a, 0);
	}
	td_interrupts_free(a);
	td_interrupts_free(b);
	return 0;
}
