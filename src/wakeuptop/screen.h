/* The curses screen: set up, draw a frame, read keys, restore the terminal. */
#ifndef WT_SCREEN_H
#define WT_SCREEN_H

#include <stdbool.h>
#include <wchar.h>

#include "frame.h"

/* Take over the terminal (curses, no echo, keypad, colour if allowed). 0 or -errno. */
int wt_screen_open(bool color);
/* Give the terminal back as it was; safe to call twice and from atexit. */
void wt_screen_close(void);
bool wt_screen_active(void);
/* Rows and columns of the screen. */
void wt_screen_size(int *rows, int *cols);
/* Follow a window size change (after SIGWINCH). */
void wt_screen_resize(void);
/* Draw a frame (lines beyond the screen are dropped). */
void wt_screen_draw(const struct wt_frame *f);
/* Next key without waiting: 0 and ch/fn set, or -1 when none is pending. */
int wt_screen_key(wint_t *ch, bool *fn);

#endif
