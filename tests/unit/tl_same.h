/*
 * Deep comparison of two timer_list snapshots, for the unit test and the fuzz
 * target (which checks that the fast paths parse like the line-at-a-time parser,
 * and that a parse that counts timers counts what one that keeps them keeps).
 */
#ifndef TD_TL_SAME_H
#define TD_TL_SAME_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "timer_list.h"

/* Equal strings, NULL included. */
static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * Deep comparison of two snapshots; names the first difference in why.
 * records: b kept its timers (TD_TL_TIMERS), else it must hold none, their
 * counts alone compared.
 */
static bool
same_tl_as(const struct td_timer_list *a, const struct td_timer_list *b, bool records,
    char *why, size_t len)
{
#define DIFF(...) do { snprintf(why, len, __VA_ARGS__); return false; } while (0)
	if (a->has_version != b->has_version || strcmp(a->version, b->version) != 0 ||
	    a->vmajor != b->vmajor || a->vminor != b->vminor ||
	    a->version_future != b->version_future || a->max_clock_bases != b->max_clock_bases ||
	    a->has_now != b->has_now || a->now_ns != b->now_ns || a->config_hz != b->config_hz)
		DIFF("header");
	if (a->ncpus != b->ncpus || a->ndevs != b->ndevs)
		DIFF("counts %zu/%zu cpus, %zu/%zu devs", a->ncpus, b->ncpus, a->ndevs, b->ndevs);
	if (a->nlines != b->nlines || a->truncated != b->truncated || a->from_log != b->from_log ||
	    a->nelided != b->nelided ||
	    a->nunknown != b->nunknown || a->nunknown_total != b->nunknown_total)
		DIFF("lines %ld/%ld truncated %d/%d unknown %zu/%zu", a->nlines, b->nlines,
		    a->truncated, b->truncated, a->nunknown_total, b->nunknown_total);
	if (!same_str(a->broadcast_mask, b->broadcast_mask) ||
	    !same_str(a->broadcast_oneshot_mask, b->broadcast_oneshot_mask))
		DIFF("masks");
	for (size_t i = 0; i < a->nunknown; i++)
		if (a->unknown[i].line != b->unknown[i].line ||
		    strcmp(a->unknown[i].text, b->unknown[i].text) != 0)
			DIFF("unknown line %zu", i);
	for (size_t i = 0; i < a->ncpus; i++) {
		const struct td_tl_cpu *x = &a->cpus[i], *y = &b->cpus[i];

		if (x->cpu != y->cpu || x->nbases != y->nbases || x->present != y->present ||
		    x->complete != y->complete)
			DIFF("cpu %zu", i);
		for (int f = 0; f < TD_TLC_COUNT; f++)
			if ((x->present & (1u << f)) && x->f[f] != y->f[f])
				DIFF("cpu %zu field %s", i, td_tl_cpu_field_names[f]);
		for (size_t j = 0; j < x->nbases; j++) {
			const struct td_tl_base *p = &x->bases[j], *q = &y->bases[j];

			if (p->clock != q->clock || p->index != q->index || p->present != q->present ||
			    p->resolution_ns != q->resolution_ns || p->offset_ns != q->offset_ns ||
			    !same_str(p->get_time, q->get_time) || p->ntimers != q->ntimers)
				DIFF("cpu %zu base %zu", i, j);
			if (!records && (q->timers != NULL || b->nextras != 0))
				DIFF("cpu %zu base %zu: timers kept", i, j);
			for (size_t k = 0; records && k < p->ntimers; k++) {
				const struct td_tl_timer *s = &p->timers[k], *t = &q->timers[k];
				const struct td_tl_timer_extra *sx = td_tl_timer_extra(a, s),
				    *tx = td_tl_timer_extra(b, t);

				if (!same_str(sx->symbol, tx->symbol) || s->addr != t->addr ||
				    !same_str(s->function, t->function) || s->state != t->state ||
				    s->has_state != t->has_state || s->has_expiry != t->has_expiry ||
				    s->has_range != t->has_range || s->soft_ns != t->soft_ns ||
				    s->hard_ns != t->hard_ns || s->rel_soft_ns != t->rel_soft_ns ||
				    !same_str(sx->start_site, tx->start_site) ||
				    !same_str(sx->comm, tx->comm) || sx->pid != tx->pid)
					DIFF("cpu %zu base %zu timer %zu", i, j, k);
			}
		}
	}
	for (size_t i = 0; i < a->ndevs; i++) {
		const struct td_tl_tickdev *x = &a->devs[i], *y = &b->devs[i];

		if (x->kind != y->kind || x->kind_guessed != y->kind_guessed || x->cpu != y->cpu ||
		    x->tick_mode != y->tick_mode || x->has_device != y->has_device ||
		    !same_str(x->device, y->device) || x->num_present != y->num_present ||
		    x->has_wakeup != y->has_wakeup || !same_str(x->wakeup_device, y->wakeup_device))
			DIFF("dev %zu", i);
		for (int f = 0; f < TD_TLD_NUM_COUNT; f++)
			if ((x->num_present & (1u << f)) && x->num[f] != y->num[f])
				DIFF("dev %zu %s", i, td_tl_dev_num_names[f]);
		for (int f = 0; f < TD_TLD_FN_COUNT; f++)
			if (!same_str(x->fn[f], y->fn[f]))
				DIFF("dev %zu %s", i, td_tl_dev_fn_names[f]);
	}
	return true;
#undef DIFF
}

/* Deep comparison of two snapshots that kept their timers. */
static bool
same_tl(const struct td_timer_list *a, const struct td_timer_list *b, char *why, size_t len)
{
	return same_tl_as(a, b, true, why, len);
}

#endif
