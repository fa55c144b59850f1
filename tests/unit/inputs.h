/*
 * Where the unit tests' inputs are: the hand-made fixtures under
 * $TD_SRCDIR/tests/fixtures, and the integer fields of a capture's truth.json
 * (read without a JSON parser).  The corpus itself: corpus_dir() in tap.h.
 */
#ifndef TD_TEST_INPUTS_H
#define TD_TEST_INPUTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

/* $TD_SRCDIR/tests/fixtures/NAME (a folder or a file); valid until the next call. */
static inline const char *
fixture_path(const char *name)
{
	static char buf[4096];
	const char *src = getenv("TD_SRCDIR");

	snprintf(buf, sizeof(buf), "%s/tests/fixtures/%s", src ? src : "..", name);
	return buf;
}

/* An integer field ("cpus") of dir/truth.json, -1 when absent. */
static inline long
truth_int(const char *dir, const char *field)
{
	struct td_buf b;
	char key[64];
	const char *p;
	long v = -1;

	if (td_read_root(dir, "/truth.json", 1 << 20, &b, NULL) < 0)
		return -1;
	snprintf(key, sizeof(key), "\"%s\":", field);
	if ((p = strstr(b.data, key)) != NULL)
		v = strtol(p + strlen(key), NULL, 10);
	td_buf_free(&b);
	return v;
}

#endif
