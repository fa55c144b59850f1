/* Keys: what each key does to the view. */
#ifndef WT_KEYS_H
#define WT_KEYS_H

#include <stdbool.h>
#include <wchar.h>

#include "view.h"

enum wt_action {
	WT_ACT_NONE,		/* nothing changed */
	WT_ACT_REDRAW,		/* the view changed: draw again */
	WT_ACT_INTERVAL,	/* the interval changed: re-arm the timer, draw again */
	WT_ACT_TICKS,		/* re-read the tick state of each CPU, draw again */
	WT_ACT_QUIT,
};

/* Interval bounds and steps for + and -. */
#define WT_INTERVAL_MIN_NS	100000000LL		/* 0.1 s */
#define WT_INTERVAL_MAX_NS	60000000000LL		/* 60 s */

/*
 * Apply one key: ch is a character, or a curses KEY_* code when fn is set.
 * page is the number of list rows on screen (PgUp/PgDn).
 */
enum wt_action wt_key(struct wt_view *v, wint_t ch, bool fn, int page);
/* The next longer (dir > 0) or shorter interval. */
long long wt_interval_step(long long ns, int dir);

#endif
