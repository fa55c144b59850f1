/* The curses screen: set up, draw a frame, read keys, restore the terminal. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "screen.h"

enum {
	PAIR_TITLE = 1,
	PAIR_NOTE,
	PAIR_HEAD,
	PAIR_DETAIL,
	PAIR_STATUS,
};

static bool active;
static bool colored;

/* Take over the terminal. */
int
wt_screen_open(bool color)
{
	if (active)
		return 0;
	if (newterm(NULL, stdout, stdin) == NULL)
		return -ENOTTY;
	active = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	colored = color && has_colors();
	if (colored) {
		start_color();
		use_default_colors();
		init_pair(PAIR_TITLE, COLOR_CYAN, -1);
		init_pair(PAIR_NOTE, COLOR_YELLOW, -1);
		init_pair(PAIR_HEAD, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_DETAIL, COLOR_CYAN, -1);
		init_pair(PAIR_STATUS, COLOR_BLACK, COLOR_CYAN);
	}
	return 0;
}

/* Give the terminal back. */
void
wt_screen_close(void)
{
	if (!active)
		return;
	active = false;
	curs_set(1);
	endwin();
	fflush(stdout);
}

/* True while curses owns the terminal. */
bool
wt_screen_active(void)
{
	return active;
}

/* The screen's size. */
void
wt_screen_size(int *rows, int *cols)
{
	*rows = LINES;
	*cols = COLS;
}

/* Follow a size change: ask the terminal, tell curses. */
void
wt_screen_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

/* Attributes of a role: monochrome first, colour on top. */
static attr_t
role_attr(enum wt_role r)
{
	switch (r) {
	case WT_R_TITLE:
		return A_BOLD | (colored ? COLOR_PAIR(PAIR_TITLE) : 0);
	case WT_R_NOTE:
		return colored ? COLOR_PAIR(PAIR_NOTE) | A_BOLD : A_BOLD;
	case WT_R_COLHEAD:
		return colored ? COLOR_PAIR(PAIR_HEAD) : A_BOLD | A_UNDERLINE;
	case WT_R_SELECTED:
		return A_REVERSE;
	case WT_R_DETAIL:
		return colored ? COLOR_PAIR(PAIR_DETAIL) : A_NORMAL;
	case WT_R_STATUS:
		return colored ? COLOR_PAIR(PAIR_STATUS) : A_BOLD;
	default:
		return A_NORMAL;
	}
}

/* Draw a frame. */
void
wt_screen_draw(const struct wt_frame *f)
{
	size_t i;
	int y;

	for (i = 0, y = 0; i < f->n && y < LINES; i++, y++) {
		attrset(role_attr(f->lines[i].role));
		mvaddstr(y, 0, f->lines[i].text);
		attrset(A_NORMAL);
		if (getcurx(stdscr) < COLS && getcury(stdscr) == y)
			clrtoeol();
	}
	if (y < LINES) {
		move(y, 0);
		clrtobot();
	}
	refresh();
}

/* Next pending key. */
int
wt_screen_key(wint_t *ch, bool *fn)
{
	int r = get_wch(ch);

	if (r == ERR)
		return -1;
	*fn = r == KEY_CODE_YES;
	return 0;
}
