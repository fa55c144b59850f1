/* Terminal text: fit UTF-8 strings into a number of columns without splitting a character. */
#include "config.h"

#include <stdbool.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "text.h"

/*
 * Decode one character at s: its length in bytes and its width in columns.  A
 * byte that is not valid, or a character that does not print, is shown as
 * "\xNN" per byte (the escape of every other text output), four columns each.
 */
static size_t
next_char(const char *s, size_t left, int *width, bool *valid)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, left, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*width = 4;
		*valid = false;
		return 1;
	}
	w = wcwidth(wc);
	if (w < 0) {
		*width = 4 * (int)n;
		*valid = false;
		return n;
	}
	*width = w;
	*valid = true;
	return n;
}

/* Count the columns of s. */
int
wt_text_width(const char *s)
{
	size_t left = strlen(s), n;
	int total = 0, w;
	bool valid;

	while (left > 0) {
		n = next_char(s, left, &w, &valid);
		total += w;
		s += n;
		left -= n;
	}
	return total;
}

/* Append len bytes at *o if they fit (keeping room for the NUL). */
static bool
put(char **o, char *end, const char *src, size_t len)
{
	if ((size_t)(end - *o) <= len)
		return false;
	memcpy(*o, src, len);
	*o += len;
	return true;
}

/* Append n spaces. */
static int
spaces(char **o, char *end, int n)
{
	int done = 0;

	while (done < n && put(o, end, " ", 1))
		done++;
	return done;
}

/* Fit s into width columns. */
int
wt_text_fit(char *out, size_t outlen, const char *s, int width, enum wt_align align,
    int pad, int ellipsis)
{
	char *o = out, *end = out + outlen;
	size_t left, n;
	int total, used = 0, w, room;
	bool valid, cut;

	if (outlen == 0)
		return 0;
	if (width < 0)
		width = 0;
	total = wt_text_width(s);
	cut = total > width;
	room = width;
	if (cut && ellipsis && width > 0)
		room = width - 1;
	if (!cut && pad && align == WT_RIGHT)
		used += spaces(&o, end, width - total);
	left = strlen(s);
	while (left > 0) {
		n = next_char(s, left, &w, &valid);
		if (used + w > room) {
			/* A wide character straddling the edge leaves a blank. */
			if (used < room)
				used += spaces(&o, end, room - used);
			break;
		}
		if (!valid) {
			char esc[4 * MB_LEN_MAX + 1];
			size_t k, e = 0;

			for (k = 0; k < n && k < MB_LEN_MAX; k++)
				e += (size_t)snprintf(esc + e, sizeof(esc) - e, "\\x%02x",
				    (unsigned char)s[k]);
			if (!put(&o, end, esc, e))
				break;
		} else if (!put(&o, end, s, n))
			break;
		used += w;
		s += n;
		left -= n;
	}
	if (cut && ellipsis && width > 0 && put(&o, end, "~", 1))
		used++;
	if (pad && used < width)
		used += spaces(&o, end, width - used);
	*o = '\0';
	return used;
}
