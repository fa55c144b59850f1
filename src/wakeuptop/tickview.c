/* The tick view: the library's tick explanation of each interval, as lines and JSON. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "knames.h"
#include "sampler.h"
#include "softirqs.h"
#include "textsafe.h"
#include "tickview.h"

#define DUE_SHOWN	3	/* timers due within a tick listed per CPU */
#define TASKS_SHOWN	3	/* tasks of a nohz_full CPU listed */

/* Prepare the view; why says when there can be no explanation. */
int
wt_tick_open(struct wt_tickview *tv, const char *sysroot, struct td_sampler *s, int ncpus,
    int hz, const struct td_cpuset *nohz_full)
{
	const char *backend = td_backend_name(td_sampler_backend(s));
	struct td_error e;

	memset(tv, 0, sizeof(*tv));
	if (strcmp(backend, "tracefs") != 0 && strcmp(backend, "trace") != 0) {
		snprintf(tv->why, sizeof(tv->why), "the %s backend has no trace events (the tick "
		    "view needs tracefs, as root, or a capture's trace)", backend);
		return 0;
	}
	if (nohz_full != NULL)
		tv->nohz_full = *nohz_full;
	tv->o.ncpus = ncpus > 0 ? ncpus : 1;
	tv->o.tick_ns = hz > 0 ? 1000000000ull / (uint64_t)hz : 0;
	tv->o.nohz_full = nohz_full != NULL ? &tv->nohz_full : NULL;
	tv->o.pin_flag = TD_TIMER_PINNED;
	tv->o.armers = td_sampler_armers(s);
	tv->o.armers_kept = true;
	tv->o.tick_stop_traced = td_sampler_has_event(sysroot, "timer", "tick_stop");
	tv->o.softirq_raise_traced = td_sampler_has_event(sysroot, "irq", "softirq_raise");
	tv->has_tmigr = td_sampler_has_event(sysroot, "timer_migration",
	    "tmigr_handle_remote_cpu");
	tv->has_base_idle = td_sampler_has_event(sysroot, "timer", "timer_base_idle");
	td_error_clear(&e);
	return td_tick_new(&tv->o, &tv->cur, &e);
}

void
wt_tick_observe(const struct td_tev *ev, void *arg)
{
	struct wt_tickview *tv = arg;

	if (tv->cur != NULL)
		td_tick_event(tv->cur, ev);
}

/* End of an interval: show or drop what it explained, start the next. */
void
wt_tick_interval(struct wt_tickview *tv, bool show)
{
	struct td_tick *next = NULL;

	if (tv->cur == NULL)
		return;
	if (td_tick_new(&tv->o, &next, NULL) < 0)
		return;		/* out of memory: the interval goes on */
	if (show) {
		td_tick_finish(tv->cur);
		td_tick_free(tv->shown);
		tv->shown = tv->cur;
	} else {
		td_tick_free(tv->cur);
	}
	tv->cur = next;
}

/* A callback's name, or its address. */
static const char *
fn_name(const struct wt_tickview *tv, uint64_t fn, char *buf, size_t len)
{
	const char *n = tv->name != NULL ? tv->name(tv->name_ctx, fn) : NULL;

	if (n != NULL)
		return n;
	snprintf(buf, len, "0x%" PRIx64, fn);
	return buf;
}

/* The tick's own hrtimer is due every tick: not a cause. */
static bool
is_tick(const void *ctx, uint64_t fn)
{
	const struct wt_tickview *tv = ctx;

	return td_knames_is_tick_name(tv->name != NULL ? tv->name(tv->name_ctx, fn) : NULL);
}

/* The top cause of cpu's running tick in a few words; "" when none was seen. */
static const char *
top_cause(const struct wt_tickview *tv, int cpu, char *buf, size_t len)
{
	struct td_tick_cause c;
	char a[96], b[96];

	td_tick_cause(tv->shown, cpu, is_tick, tv, &c);
	buf[0] = '\0';
	switch (c.why) {
	case TD_TICK_WHY_DEP:
		snprintf(buf, len, "%s dependency, %" PRIu64 " of %" PRIu64 " refusals%s%s",
		    td_tick_dep_name(c.dep), c.count, c.of, c.ntask > 0 ? ", ran most: " : "",
		    c.ntask > 0 ? TD_SAFE(c.task[0]->comm) : "");
		break;
	case TD_TICK_WHY_TIMER:
		snprintf(buf, len, "timer %s armed by %s due within a tick at %" PRIu64 " of %"
		    PRIu64 " idle entries", TD_SAFE(fn_name(tv, c.timer->fn, a, sizeof(a))),
		    td_tick_armer(c.timer, b, sizeof(b)), c.count, c.of);
		break;
	case TD_TICK_WHY_SOFTIRQ:
		snprintf(buf, len, "softirq %s pending at %" PRIu64 " of %" PRIu64 " idle entries",
		    td_softirq_name(c.vec), c.count, c.of);
		break;
	case TD_TICK_WHY_FOREIGN:
		snprintf(buf, len, "expires other CPUs' timers (%" PRIu64 " times)", c.count);
		break;
	case TD_TICK_WHY_NONE:
		break;
	}
	return buf;
}

/* Whether cpu is shown under the CPU filter. */
static bool
wanted(const struct td_cpuset *cpus, int cpu)
{
	return cpus == NULL || td_cpuset_isset(cpus, cpu);
}

/* One CPU's lines. */
static void
render_cpu(struct wt_frame *f, const struct wt_tickview *tv, int cpu)
{
	const struct td_tick_cpu *c = td_tick_cpu(tv->shown, cpu);
	char line[512], a[96], b[96], why[384];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "CPU %d%s: idle %" PRIu64, cpu,
	    c->nohz_full ? " (nohz_full)" : "", c->idle_entries);
	if (tv->o.tick_stop_traced && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, ", tick stopped at %" PRIu64
		    ", kept at %" PRIu64 "; tick stops %" PRIu64 ", refusals %" PRIu64,
		    c->idle_stopped, c->idle_kept, c->stops, c->refusals);
	if (td_tick_softirq_known(tv->shown) && n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, "; softirqs pending at idle %" PRIu64,
		    c->softirq_idle);
	wt_frame_add(f, WT_R_TEXT, "%s", line);
	if (top_cause(tv, cpu, why, sizeof(why))[0] != '\0')
		wt_frame_add(f, WT_R_TEXT, "  top cause: %s", why);
	if (c->refusals > 0)
		wt_frame_add(f, WT_R_TEXT, "  dependencies: %s",
		    td_tick_deps_format(c, why, sizeof(why)));
	if (c->softirq_idle > 0)
		wt_frame_add(f, WT_R_TEXT, "  softirqs pending at idle: %s",
		    td_tick_softirqs_format(c, why, sizeof(why)));
	for (size_t k = 0; k < c->ndue && k < DUE_SHOWN; k++)
		wt_frame_add(f, WT_R_TEXT, "  due within a tick: %s armed by %s, %" PRIu64 " times",
		    TD_SAFE(fn_name(tv, c->due[k].fn, a, sizeof(a))),
		    td_tick_armer(&c->due[k], b, sizeof(b)), c->due[k].count);
	if (c->ndue > DUE_SHOWN)
		wt_frame_add(f, WT_R_TEXT, "  due within a tick: %zu more timers", c->ndue - DUE_SHOWN);
	for (size_t k = 0; k < c->ntasks && k < TASKS_SHOWN; k++)
		wt_frame_add(f, WT_R_TEXT, "  ran: %s (pid %d) %" PRIu64 " times, %" PRIu64
		    " SCHED refusals", TD_SAFE(c->tasks[k].comm), c->tasks[k].pid,
		    c->tasks[k].runs, c->tasks[k].sched);
	if (tv->has_tmigr || c->pinned_expiries > 0 || c->global_expiries > 0)
		wt_frame_add(f, WT_R_TEXT, "  timer migration: wheel expiries %" PRIu64 " pinned, %"
		    PRIu64 " global (%" PRIu64 " armed on another CPU), %" PRIu64 " unknown; "
		    "handled other CPUs' timers %" PRIu64 "; became migrator %" PRIu64,
		    c->pinned_expiries, c->global_expiries, c->remote_expiries,
		    c->unknown_expiries, c->remote_handled, c->migrator_gained);
}

/* The view's lines. */
void
wt_tick_render(struct wt_frame *f, const struct wt_tickview *tv, const struct td_cpuset *cpus)
{
	if (tv->why[0] != '\0') {
		wt_frame_add(f, WT_R_NOTE, "Tick view: unknown (%s)", tv->why);
		return;
	}
	if (tv->shown == NULL) {
		wt_frame_add(f, WT_R_TEXT, "Tick view: waiting for the first interval");
		return;
	}
	wt_frame_add(f, WT_R_TITLE, "Why the tick keeps running, this interval%s",
	    cpus != NULL ? " (CPU filter)" : "");
	if (!tv->o.tick_stop_traced)
		wt_frame_add(f, WT_R_NOTE, "Note: no timer:tick_stop event in this kernel: whether "
		    "the tick stopped is unknown");
	else if (tv->o.nohz_full == NULL || td_cpuset_count(tv->o.nohz_full) == 0)
		wt_frame_add(f, WT_R_NOTE, "Note: no nohz_full CPUs: tick_stop names dependencies "
		    "only on nohz_full CPUs");
	if (!td_tick_softirq_known(tv->shown))
		wt_frame_add(f, WT_R_NOTE, "Note: irq:softirq_raise is not traced: softirqs pending "
		    "at idle unknown");
	if (!tv->has_tmigr)
		wt_frame_add(f, WT_R_NOTE, "Note: no timer_migration events (Linux 6.9+)");
	else
		wt_frame_add(f, WT_R_TEXT, "Timer migration: the migrator role moved %" PRIu64
		    " times", td_tick_migrator_moves(tv->shown));
	for (int i = 0; i < td_tick_ncpus(tv->shown); i++)
		if (wanted(cpus, i))
			render_cpu(f, tv, i);
}

/* td_tick_json_cpu's callback names. */
static const char *
json_name(const void *ctx, uint64_t fn)
{
	const struct wt_tickview *tv = ctx;

	return tv->name != NULL ? tv->name(tv->name_ctx, fn) : NULL;
}

/* The view as JSON. */
void
wt_tick_json(struct td_json *j, const struct wt_tickview *tv, const struct td_cpuset *cpus)
{
	char why[384];

	td_json_obj_begin(j, "tick");
	if (tv->why[0] != '\0' || tv->shown == NULL) {
		td_json_unknown(j, "per_cpu", tv->why[0] ? tv->why : "no interval explained yet");
		td_json_obj_end(j);
		return;
	}
	td_json_bool(j, "tick_stop_traced", tv->o.tick_stop_traced);
	td_json_bool(j, "timer_migration_traced", tv->has_tmigr);
	td_json_bool(j, "softirq_raise_traced", td_tick_softirq_known(tv->shown));
	if (tv->has_tmigr)
		td_json_uint(j, "migrator_moves", td_tick_migrator_moves(tv->shown));
	else
		td_json_unknown(j, "migrator_moves", "timer_migration events are not traced "
		    "(a kernel before 6.9)");
	td_json_arr_begin(j, "per_cpu");
	for (int i = 0; i < td_tick_ncpus(tv->shown); i++) {
		if (!wanted(cpus, i))
			continue;
		top_cause(tv, i, why, sizeof(why));
		td_tick_json_cpu(j, tv->shown, i, json_name, tv, why[0] != '\0' ? why : NULL);
	}
	td_json_arr_end(j);
	td_json_obj_end(j);
}

void
wt_tick_free(struct wt_tickview *tv)
{
	td_tick_free(tv->cur);
	td_tick_free(tv->shown);
	tv->cur = tv->shown = NULL;
}
