/*
 * timerprobe: what the kernel advertises about the probed clock: clock_getres()
 * of the running kernel, and the hrtimer .resolution of /proc/timer_list (read
 * under --sysroot, so a capture can be set beside the measurement), both from
 * the library's machine model, the one timerinfo reports.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "machine.h"
#include "probe.h"
#include "source.h"

/* Fill a with clock_getres() and, when readable, timer_list's resolution. */
void
probe_advert_read(const struct probe_opts *o, struct probe_advert *a)
{
	struct td_machine *m = NULL;
	struct td_error e;
	struct timespec ts;
	const char *why = NULL;
	char buf[600];

	memset(a, 0, sizeof(*a));
	a->getres_ns = -1;
	a->tl_live = td_root_is_live(o->sysroot);
	if (clock_getres(o->clock, &ts) == 0)
		a->getres_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	td_error_clear(&e);
	if (td_machine_read(o->sysroot, NULL, &m, &e) < 0)
		why = td_error_str(&e, buf, sizeof(buf));
	else
		a->has_tl_res = td_machine_clock_resolution(m, o->clock, &a->tl_res_ns, &why,
		    buf, sizeof(buf)) == 0;
	if (!a->has_tl_res)
		snprintf(a->tl_absent, sizeof(a->tl_absent), "%.120s", why);
	td_machine_free(m);
}
