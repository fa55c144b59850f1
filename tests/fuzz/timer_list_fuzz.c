/* libFuzzer target: parse a /proc/timer_list buffer, walk everything, free. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "timer_list.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*/proc/timer_list",
	"kmatrix/*/after/proc/timer_list",
	"public/timer_list/*",
	"fixtures/timer_list/*",
	NULL
};

static volatile size_t sink;

/* Length of a string the parser handed back, 0 for NULL. */
static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* Read every field so that ASan sees any bad pointer. */
static void
walk(const struct td_timer_list *tl)
{
	size_t n = slen(tl->version) + slen(tl->broadcast_mask) +
	    slen(tl->broadcast_oneshot_mask);

	for (size_t i = 0; i < tl->ncpus; i++) {
		const struct td_tl_cpu *c = &tl->cpus[i];
		int64_t v;

		for (int f = 0; f < TD_TLC_COUNT; f++)
			if (td_tl_cpu_field(c, (enum td_tl_cpu_field)f, &v))
				n += (size_t)v;
		n += td_tl_cpu_ntimers(c);
		for (size_t b = 0; b < c->nbases; b++) {
			const struct td_tl_base *base = &c->bases[b];

			n += slen(base->get_time) + (size_t)base->resolution_ns;
			for (size_t t = 0; t < base->ntimers; t++) {
				const struct td_tl_timer *tm = &base->timers[t];

				n += slen(tm->symbol) + slen(tm->function) +
				    slen(tm->start_site) + slen(tm->comm) +
				    (size_t)tm->pid + tm->state + (size_t)tm->soft_ns;
			}
		}
		n += td_tl_cpu_device(tl, c->cpu) != NULL;
	}
	for (size_t i = 0; i < tl->ndevs; i++) {
		const struct td_tl_tickdev *d = &tl->devs[i];

		n += slen(d->device) + slen(d->wakeup_device) + (size_t)d->cpu;
		for (int f = 0; f < TD_TLD_FN_COUNT; f++)
			n += slen(d->fn[f]);
		n += strlen(td_tick_mode_name(td_tick_mode_from_handler(
		    d->fn[TD_TLD_EVENT_HANDLER])));
	}
	for (size_t i = 0; i < tl->nunknown; i++)
		n += slen(tl->unknown[i].text) + (size_t)tl->unknown[i].line;
	n += td_tl_broadcast_device(tl) != NULL;
	sink = n;
}

/* Parse one input, walk the snapshot, free it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_timer_list *tl = NULL;
	struct td_error e;

	if (td_timer_list_parse((const char *)data, size, "fuzz", &tl, &e) == 0)
		walk(tl);
	td_timer_list_free(tl);
	return 0;
}
