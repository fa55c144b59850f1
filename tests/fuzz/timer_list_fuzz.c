/* libFuzzer target: parse a /proc/timer_list buffer, walk everything, free. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tl_same.h"
#include "fuzz.h"
#include "internal.h"
#include "timer_list.h"
#include "test_hooks.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*/proc/timer_list",
	"kmatrix/*/after/proc/timer_list",
	"public/timer_list/*",
	"fixtures/timer_list/*",
	"fixtures/timer_list_fuzz/*",	/* inputs that once parsed apart unlike in one pass */
	NULL
};

static volatile size_t sink;

/* Read every field so that ASan sees any bad pointer. */
static void
walk(const struct td_timer_list *tl)
{
	size_t n = fuzz_slen(tl->version) + fuzz_slen(tl->broadcast_mask) +
	    fuzz_slen(tl->broadcast_oneshot_mask);

	for (size_t i = 0; i < tl->ncpus; i++) {
		const struct td_tl_cpu *c = &tl->cpus[i];
		int64_t v;

		for (int f = 0; f < TD_TLC_COUNT; f++)
			if (td_tl_cpu_field(c, (enum td_tl_cpu_field)f, &v))
				n += (size_t)v;
		n += td_tl_cpu_ntimers(c);
		for (size_t b = 0; b < c->nbases; b++) {
			const struct td_tl_base *base = &c->bases[b];

			n += fuzz_slen(base->get_time) + (size_t)base->resolution_ns;
			for (size_t t = 0; t < base->ntimers; t++) {
				const struct td_tl_timer *tm = &base->timers[t];
				const struct td_tl_timer_extra *x = td_tl_timer_extra(tl, tm);

				n += fuzz_slen(x->symbol) + fuzz_slen(tm->function) +
				    fuzz_slen(x->start_site) + fuzz_slen(x->comm) +
				    (size_t)x->pid + tm->state + (size_t)tm->soft_ns +
				    (size_t)td_tl_timer_rel_hard_ns(tm);
			}
		}
		n += td_tl_cpu_device(tl, c->cpu) != NULL;
	}
	for (size_t i = 0; i < tl->ndevs; i++) {
		const struct td_tl_tickdev *d = &tl->devs[i];

		n += fuzz_slen(d->device) + fuzz_slen(d->wakeup_device) + (size_t)d->cpu;
		for (int f = 0; f < TD_TLD_FN_COUNT; f++)
			n += fuzz_slen(d->fn[f]);
		n += strlen(td_tick_mode_name(td_tick_mode_from_handler(
		    d->fn[TD_TLD_EVENT_HANDLER])));
	}
	for (size_t i = 0; i < tl->nunknown; i++)
		n += fuzz_slen(tl->unknown[i].text) + (size_t)tl->unknown[i].line;
	n += td_tl_broadcast_device(tl) != NULL;
	sink = n;
}

/* Abort when two parses of one input disagree in anything. */
static void
same(int r, const struct td_timer_list *a, const struct td_error *e, int r2,
    const struct td_timer_list *b, const struct td_error *e2, const char *what)
{
	char why[256] = "result";

	if (r != r2 || (r == 0 && !same_tl(a, b, why, sizeof(why))) ||
	    (r < 0 && (e->line != e2->line || strcmp(e->msg, e2->msg) != 0))) {
		fprintf(stderr, "%s differ: %s\n", what, why);
		abort();
	}
}

/*
 * Parse one input, walk the snapshot; parse it again a line at a time without
 * the fast paths, in two parts, and as a stream counting timers without keeping
 * them, and abort if they disagree in anything.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_timer_list *tl = NULL, *plain = NULL, *split = NULL, *counted = NULL;
	struct td_error e, e2, e3, e4;
	char why[256] = "result";
	bool parts;
	FILE *f;
	int r4 = -ENOMEM;
	int r = td_timer_list_parse((const char *)data, size, "fuzz", &tl, &e);
	int r2 = td_timer_list_parse_with((const char *)data, size, "fuzz", false, SIZE_MAX,
	    &plain, &e2, NULL);
	int r3 = td_timer_list_parse_with((const char *)data, size, "fuzz", true, 0, &split,
	    &e3, &parts);

	if (r == 0)
		walk(tl);
	same(r, tl, &e, r2, plain, &e2, "fast and plain parses");
	same(r, tl, &e, r3, split, &e3, "one-pass and two-part parses");
	td_error_clear(&e4);
	if (size > 0 && (f = fmemopen((void *)(uintptr_t)data, size, "r")) != NULL) {
		r4 = td_timer_list_parse_file(f, "fuzz", 0, &counted, &e4);
		fclose(f);
		if (r != r4 || (r == 0 && !same_tl_as(tl, counted, false, why, sizeof(why))) ||
		    (r < 0 && (e.line != e4.line || strcmp(e.msg, e4.msg) != 0))) {
			fprintf(stderr, "kept and counted timers differ: %s\n", why);
			abort();
		}
	}
	td_timer_list_free(counted);
	td_timer_list_free(tl);
	td_timer_list_free(plain);
	td_timer_list_free(split);
	return 0;
}
