/*
 * timerprobe: what the kernel advertises about the probed clock: clock_getres()
 * of the running kernel, and the hrtimer .resolution of /proc/timer_list (read
 * under --sysroot, so a capture can be set beside the measurement).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "source.h"
#include "timer_list.h"

/* The .get_time callback of each probed clock's base, on kernels that print it. */
static const char *
clock_get_time_symbol(clockid_t c)
{
	switch (c) {
	case CLOCK_REALTIME:
		return "ktime_get_real";
	case CLOCK_BOOTTIME:
		return "ktime_get_boottime";
	default:
		return "ktime_get";
	}
}

/* The resolution of the probed clock's base in a parsed timer_list; false if none printed. */
static bool
timer_list_resolution(const struct td_timer_list *tl, clockid_t c, int64_t *res)
{
	const struct td_tl_base *fallback = NULL;

	for (size_t i = 0; i < tl->ncpus; i++) {
		for (size_t k = 0; k < tl->cpus[i].nbases; k++) {
			const struct td_tl_base *b = &tl->cpus[i].bases[k];

			if (!(b->present & TD_TLB_RESOLUTION))
				continue;
			if (b->get_time != NULL &&
			    strcmp(b->get_time, clock_get_time_symbol(c)) == 0) {
				*res = b->resolution_ns;
				return true;
			}
			if (fallback == NULL)
				fallback = b;
		}
	}
	/* Kernels since 4.x print the one global hrtimer_resolution on every base. */
	if (fallback == NULL)
		return false;
	*res = fallback->resolution_ns;
	return true;
}

/* Fill a with clock_getres() and, when readable, timer_list's resolution. */
void
probe_advert_read(const struct probe_opts *o, struct probe_advert *a)
{
	struct td_timer_list *tl = NULL;
	struct td_error e;
	struct td_buf b;
	struct timespec ts;
	int r;

	memset(a, 0, sizeof(*a));
	a->getres_ns = -1;
	a->tl_live = td_root_is_live(o->sysroot);
	if (clock_getres(o->clock, &ts) == 0)
		a->getres_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	r = td_read_root(o->sysroot, "/proc/timer_list", 64 << 20, &b, &e);
	if (r < 0) {
		snprintf(a->tl_absent, sizeof(a->tl_absent), "%.100s",
		    r == -EACCES || r == -EPERM ? "needs root" :
		    r == -ENOENT ? "no /proc/timer_list" : e.msg);
		return;
	}
	r = td_timer_list_parse(b.data, b.len, "/proc/timer_list", &tl, &e);
	td_buf_free(&b);
	if (r < 0) {
		snprintf(a->tl_absent, sizeof(a->tl_absent), "unreadable: %.100s", e.msg);
		return;
	}
	a->has_tl_res = timer_list_resolution(tl, o->clock, &a->tl_res_ns);
	if (!a->has_tl_res)
		snprintf(a->tl_absent, sizeof(a->tl_absent), "%s",
		    "no .resolution in this timer_list");
	td_timer_list_free(tl);
}
