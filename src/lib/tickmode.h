/* Tick mode, NOHZ, high resolution and HZ of each CPU, told from a parsed timer_list. */
#ifndef TD_TICKMODE_H
#define TD_TICKMODE_H

#include <stddef.h>
#include <stdint.h>

#include "timer_list.h"

/*
 * A CPU's tick mode.  The per-CPU tick device's event_handler decides; when the file
 * has no tick device section, the hres_active / nohz_mode / nohz+highres fields do.
 * *evidence (may be NULL) gets a short static-or-pooled text naming what decided.
 */
enum td_tick_mode td_cpu_tick_mode(const struct td_timer_list *tl, const struct td_tl_cpu *c,
    const char **evidence);
/* NOHZ active on this CPU: 1, 0, or -1 when the file does not say. */
int td_cpu_nohz_active(const struct td_tl_cpu *c);
/* High resolution active on this CPU: 1, 0, or -1 unknown. */
int td_cpu_highres_active(const struct td_tl_cpu *c);
/*
 * HZ inferred from jiffies and now: jiffies start at 2^32 - 300*HZ, so
 * HZ = (jiffies - 2^32) / (now_s - 300) on 64-bit (and the 32-bit wrap handled).
 * Rounded to a known HZ value; -1 when it cannot be told (no jiffies, now near 300 s).
 */
int td_infer_hz(const struct td_timer_list *tl);
/* HZ from a tick length in ns (low-res .resolution, CLOCK_*_COARSE resolution); -1 if none fits. */
int td_hz_from_tick_ns(int64_t tick_ns);

#endif
