/* Tick mode, NOHZ, high resolution and HZ, told from a parsed timer_list. */
#include <stdlib.h>

#include "tickmode.h"

/* NOHZ state from the version-dependent fields. */
int
td_cpu_nohz_active(const struct td_tl_cpu *c)
{
	int64_t v;

	if (td_tl_cpu_field(c, TD_TLC_NOHZ, &v))
		return v != 0;
	if (td_tl_cpu_field(c, TD_TLC_NOHZ_MODE, &v))
		return v != 0;
	return -1;
}

/* High resolution state from the version-dependent fields. */
int
td_cpu_highres_active(const struct td_tl_cpu *c)
{
	int64_t v;

	if (td_tl_cpu_field(c, TD_TLC_HIGHRES, &v))
		return v != 0;
	if (td_tl_cpu_field(c, TD_TLC_HRES_ACTIVE, &v))
		return v != 0;
	if (td_tl_cpu_field(c, TD_TLC_NOHZ_MODE, &v))
		return v == 2;
	return -1;
}

/* The tick mode of one CPU, and what told it. */
enum td_tick_mode
td_cpu_tick_mode(const struct td_timer_list *tl, const struct td_tl_cpu *c,
    const char **evidence)
{
	const struct td_tl_tickdev *d = td_tl_cpu_device(tl, c->cpu);
	int hres, nohz;

	if (evidence != NULL)
		*evidence = NULL;
	if (d != NULL && d->fn[TD_TLD_EVENT_HANDLER] != NULL) {
		enum td_tick_mode m = td_tick_mode_from_handler(d->fn[TD_TLD_EVENT_HANDLER]);

		if (m != TD_TICK_UNKNOWN) {
			if (evidence != NULL)
				*evidence = "tick device event_handler";
			return m;
		}
	}
	hres = td_cpu_highres_active(c);
	nohz = td_cpu_nohz_active(c);
	if (hres == 1) {
		if (evidence != NULL)
			*evidence = "hres_active";
		return TD_TICK_HIGHRES;
	}
	if (hres == 0 && nohz == 1) {
		if (evidence != NULL)
			*evidence = "nohz fields";
		return TD_TICK_NOHZ_LOWRES;
	}
	if (hres == 0 && nohz == 0) {
		if (evidence != NULL)
			*evidence = "nohz and hres_active fields";
		return TD_TICK_PERIODIC;
	}
	return TD_TICK_UNKNOWN;
}

/* Round a measured rate to the HZ values kernels are built with. */
static int
nearest_hz(double hz)
{
	static const int known[] = { 24, 32, 48, 64, 100, 128, 200, 250, 256, 300, 500,
	    1000, 1024, 1200 };
	int best = -1;
	double bestd = 0;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		double d = hz > known[i] ? hz - known[i] : known[i] - hz;

		if (best < 0 || d < bestd) {
			best = known[i];
			bestd = d;
		}
	}
	/* Accept within 3 %: jiffies and now are read at slightly different times. */
	return bestd <= best * 0.03 ? best : -1;
}

/* Infer HZ from the jiffies and now of the timer_list. */
int
td_infer_hz(const struct td_timer_list *tl)
{
	const int64_t two32 = (int64_t)1 << 32;
	double now_s, d;
	int64_t j = -1;

	if (!tl->has_now)
		return -1;
	for (size_t i = 0; i < tl->ncpus && j < 0; i++)
		if (!td_tl_cpu_field(&tl->cpus[i], TD_TLC_JIFFIES, &j))
			j = -1;
	if (j < 0)
		return -1;
	now_s = (double)tl->now_ns / 1e9;
	if (now_s > 295 && now_s < 305)
		return -1;	/* too close to the 300 s offset to divide by */
	if (j >= two32 / 2)
		d = (double)(j - two32);	/* 64-bit, or 32-bit before the wrap */
	else
		d = (double)j;			/* 32-bit after the wrap at 300 s */
	return nearest_hz(d / (now_s - 300.0));
}

/* HZ from a tick length. */
int
td_hz_from_tick_ns(int64_t tick_ns)
{
	if (tick_ns < 100000 || tick_ns > 100000000)
		return -1;
	return nearest_hz(1e9 / (double)tick_ns);
}
