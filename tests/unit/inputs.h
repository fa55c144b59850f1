/*
 * Where the unit tests' inputs are: the hand-made fixtures under
 * $TD_SRCDIR/tests/fixtures, and the integer fields of a capture's truth.json
 * (read without a JSON parser).  The corpus itself: corpus_dir() in tap.h.
 */
#ifndef TD_TEST_INPUTS_H
#define TD_TEST_INPUTS_H

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "tap.h"

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

/* A text a parser must refuse: -EINVAL at line (0: before any line). */
struct bad_text {
	const char	*text;
	long		 line;
};

/*
 * Each of the n texts of bad handed to parse (which frees what it parsed and
 * says -EINVAL only when the parser left no result) must be refused with
 * -EINVAL at its line, the error naming path and saying why.
 */
static inline void
check_bad(const struct bad_text *bad, size_t n, const char *path,
    int (*parse)(const char *buf, size_t len, const char *path, struct td_error *e))
{
	for (size_t i = 0; i < n; i++) {
		struct td_error e;
		int r;

		memset(&e, 0, sizeof(e));
		r = parse(bad[i].text, strlen(bad[i].text), path, &e);
		ok(r == -EINVAL && e.line == bad[i].line && strcmp(e.path, path) == 0 &&
		    e.msg[0] != '\0', "bad input %zu: -EINVAL at line %ld: %s", i, e.line, e.msg);
	}
}

/* A walk over the entries of a corpus folder (CORPUS/kmatrix: its captures). */
struct corpus_walk {
	DIR		*dp;
	char		 dir[1024];	/* CORPUS/SUB */
	char		 path[1400];	/* the current entry's path */
	const char	*name;		/* and its name */
};

/* Start the walk over CORPUS/SUB; -1 when w->dir cannot be opened. */
static inline int
corpus_walk_open(struct corpus_walk *w, const char *corpus, const char *sub)
{
	snprintf(w->dir, sizeof(w->dir), "%s/%s", corpus, sub);
	w->dp = opendir(w->dir);
	return w->dp != NULL ? 0 : -1;
}

/* The next entry's name (w->path its path), or NULL at the end, the folder closed. */
static inline const char *
corpus_walk_next(struct corpus_walk *w)
{
	struct dirent *de;

	while ((de = readdir(w->dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(w->path, sizeof(w->path), "%s/%s", w->dir, de->d_name);
		return w->name = de->d_name;
	}
	closedir(w->dp);
	w->dp = NULL;
	return NULL;
}
/*
 * The tests of the corpus's captures (kmatrix: every capture, public: the
 * public samples; either NULL), or one skipped check when there is no corpus.
 */
static inline void
corpus_tests(void (*kmatrix)(const char *), void (*public)(const char *))
{
	const char *corpus = corpus_dir();

	if (corpus == NULL) {
		ok(1, "# SKIP no corpus (TD_CORPUS unset)");
		return;
	}
	if (kmatrix != NULL)
		kmatrix(corpus);
	if (public != NULL)
		public(corpus);
}

/*
 * Run fn on every path CORPUS/PATTERN matches (a glob(3) pattern); a failed
 * check when none does.
 */
static inline void
corpus_glob(const char *corpus, const char *pattern, void (*fn)(const char *path))
{
	char pat[4096];
	glob_t g;

	snprintf(pat, sizeof(pat), "%s/%s", corpus, pattern);
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		ok(0, "nothing matches %s", pat);
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		fn(g.gl_pathv[i]);
	globfree(&g);
}

#endif
