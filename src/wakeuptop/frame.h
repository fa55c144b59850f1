/*
 * A frame: the lines of one refresh, each already fitted to the width, with a
 * role.  The screen draws a frame with curses, batch mode prints it: one
 * render path for both.
 */
#ifndef WT_FRAME_H
#define WT_FRAME_H

#include <stdarg.h>
#include <stddef.h>

/* What a line is; the screen maps roles to attributes, batch mode ignores them. */
enum wt_role {
	WT_R_TEXT,
	WT_R_TITLE,	/* the first header line */
	WT_R_NOTE,	/* a degraded-mode note or a warning (also marked in the text) */
	WT_R_COLHEAD,	/* the column header of the list */
	WT_R_ROW,
	WT_R_SELECTED,	/* the selected row (reverse video) */
	WT_R_DETAIL,	/* the lines of an expanded row */
	WT_R_STATUS,	/* the bottom line: prompt, message, key hints */
	WT_R_HELP,
};

struct wt_line {
	char		*text;		/* fitted to the frame width, NUL-terminated */
	enum wt_role	 role;
};

struct wt_frame {
	int		 width;
	size_t		 n, cap;
	struct wt_line	*lines;
	int		 err;		/* sticky -ENOMEM */
	int		 nopad;		/* batch: no padding of highlighted lines */
};

/* Empty the frame and set the width for the next lines. */
void wt_frame_reset(struct wt_frame *f, int width);
void wt_frame_free(struct wt_frame *f);
/* Drop the lines past the first n. */
void wt_frame_truncate(struct wt_frame *f, size_t n);
/* Add a line, cut (UTF-8 safe, marked with a final '~') to the width; padded to it for rows that are highlighted. */
void wt_frame_add(struct wt_frame *f, enum wt_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wt_frame_vadd(struct wt_frame *f, enum wt_role role, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
