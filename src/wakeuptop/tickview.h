/*
 * The tick view: why each CPU's tick keeps running, per interval, from the
 * library's tick explanation (tickstop.h) fed by the sampler's events (the
 * tracefs backend with the tick events, or a capture's trace).  wakeuptop
 * keeps one explanation being fed and one shown, swapped at each interval.
 */
#ifndef WT_TICKVIEW_H
#define WT_TICKVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "cpumask.h"
#include "frame.h"
#include "json.h"
#include "tickstop.h"
#include "trace_decode.h"

struct wt_tickview {
	struct td_tick_opts	 o;
	struct td_cpuset	 nohz_full;
	struct td_tick		*cur;		/* fed by the events of this interval */
	struct td_tick		*shown;		/* the interval on display, finished; NULL none yet */
	bool			 has_tmigr, has_base_idle;
	char			 why[192];	/* why there is no explanation ("" when there is) */
	/* Callback names: the sampler's (td_sampler_function_name). */
	const char		*(*name)(void *ctx, uint64_t fn);
	void			*name_ctx;
};

/*
 * Prepare the view for the events of sampler s (only the tracefs and trace
 * backends carry events; who armed each timer is read from its attribution,
 * td_sampler_armers), ncpus CPUs, HZ hz (<= 0 unknown: no timers due within
 * a tick), nohz_full CPUs (NULL none known), the kernel's events looked up
 * under sysroot.  When there can be no explanation, why says so and 0 is
 * returned; -ENOMEM.
 */
int wt_tick_open(struct wt_tickview *tv, const char *sysroot, struct td_sampler *s, int ncpus,
    int hz, const struct td_cpuset *nohz_full);
/* The sampler's observer: account one event in the interval being fed. */
void wt_tick_observe(const struct td_tev *ev, void *arg);
/*
 * The interval ended: finish its explanation and show it (show), or drop
 * it (the display is frozen); start the next one.
 */
void wt_tick_interval(struct wt_tickview *tv, bool show);
/* The view's lines: every CPU, or those cpus has (NULL: all). */
void wt_tick_render(struct wt_frame *f, const struct wt_tickview *tv,
    const struct td_cpuset *cpus);
/* The view as the member "tick" of the JSON object being written. */
void wt_tick_json(struct td_json *j, const struct wt_tickview *tv, const struct td_cpuset *cpus);
void wt_tick_free(struct wt_tickview *tv);

#endif
