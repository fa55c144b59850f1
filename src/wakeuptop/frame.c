/* A frame: the lines of one refresh, fitted to the width. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "text.h"

/* Empty the frame, keeping its memory. */
void
wt_frame_reset(struct wt_frame *f, int width)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->lines[i].text);
	f->n = 0;
	f->width = width > 0 ? width : 1;
	f->err = 0;
}

/* Drop the lines past the first n. */
void
wt_frame_truncate(struct wt_frame *f, size_t n)
{
	while (f->n > n)
		free(f->lines[--f->n].text);
}

/* Free the frame's lines. */
void
wt_frame_free(struct wt_frame *f)
{
	if (f == NULL)
		return;
	wt_frame_reset(f, 1);
	free(f->lines);
	f->lines = NULL;
	f->cap = 0;
}

/* Format a line and fit it to the width. */
void
wt_frame_vadd(struct wt_frame *f, enum wt_role role, const char *fmt, va_list ap)
{
	struct wt_line *nl;
	char *raw = NULL, *fit;
	size_t sz;
	int pad;

	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 64;

		nl = reallocarray(f->lines, ncap, sizeof(*nl));
		if (nl == NULL) {
			f->err = -ENOMEM;
			return;
		}
		f->lines = nl;
		f->cap = ncap;
	}
	if (vasprintf(&raw, fmt, ap) < 0) {
		f->err = -ENOMEM;
		return;
	}
	/* A column is at most 4 bytes of UTF-8; the padding is spaces. */
	sz = strlen(raw) + (size_t)f->width + 8;
	fit = malloc(sz);
	if (fit == NULL) {
		free(raw);
		f->err = -ENOMEM;
		return;
	}
	pad = !f->nopad && (role == WT_R_SELECTED || role == WT_R_COLHEAD || role == WT_R_TITLE ||
	    role == WT_R_STATUS);
	wt_text_fit(fit, sz, raw, f->width, WT_LEFT, pad, 1);
	free(raw);
	if (!pad) {
		size_t l = strlen(fit);

		while (l > 0 && fit[l - 1] == ' ')
			fit[--l] = '\0';
	}
	f->lines[f->n].text = fit;
	f->lines[f->n].role = role;
	f->n++;
}

/* Add a formatted line. */
void
wt_frame_add(struct wt_frame *f, enum wt_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wt_frame_vadd(f, role, fmt, ap);
	va_end(ap);
}
