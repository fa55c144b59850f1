/* Terminal text: fit UTF-8 strings into a number of columns without splitting a character. */
#ifndef WT_TEXT_H
#define WT_TEXT_H

#include <stddef.h>

enum wt_align {
	WT_LEFT,
	WT_RIGHT,
};

/* Columns s takes on a terminal; invalid bytes and control characters count four ("\xNN"). */
int wt_text_width(const char *s);
/*
 * Copy s into out (size outlen), cut at width columns and padded with spaces to
 * exactly width columns when pad is set.  A cut string ends in "~" when ellipsis
 * is set.  Invalid UTF-8 and control characters become "\xNN" per byte, like
 * every other text output of the tools; a double-width character that would
 * straddle the edge is replaced by a space.  Returns the columns written.
 */
int wt_text_fit(char *out, size_t outlen, const char *s, int width, enum wt_align align,
    int pad, int ellipsis);

#endif
