/* Cross-file helpers internal to libtimerdiag (not for the tools). */
#ifndef TD_INTERNAL_H
#define TD_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "numparse.h"

struct td_timer_list;

/*
 * For tests and the benchmark: td_timer_list_parse with or without its fast
 * paths, td_timer_list_parse_file with its flags, and both parsers in two
 * parts from split bytes on (0: whatever the size, where a "cpu: N" line lies
 * past the middle; SIZE_MAX: never).  *parts (if not NULL) says whether the
 * input was parsed in two parts.
 */
int td_timer_list_parse_with(const char *buf, size_t len, const char *name, bool fast,
    size_t split, struct td_timer_list **out, struct td_error *e, bool *parts);
int td_timer_list_parse_file_with(FILE *f, const char *name, unsigned flags, size_t split,
    struct td_timer_list **out, struct td_error *e, bool *parts);

#define TD_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The start of a parser of a whole text: a zeroed result of size bytes, or
 * NULL with *r the -errno (-EINVAL for a NULL buffer that claims bytes,
 * -ENOMEM) and e naming path.
 */
static inline void *
td_parse_new(const char *buf, size_t len, const char *path, size_t size, int *r,
    struct td_error *e)
{
	void *s;

	if (buf == NULL && len > 0) {
		*r = td_error_set(e, EINVAL, path, 0, "no buffer");
		return NULL;
	}
	if ((s = calloc(1, size)) == NULL)
		*r = td_error_set(e, ENOMEM, path, 0, "out of memory");
	return s;
}

/*
 * The next line of the text [*p, end) in [*ls, *le), without its newline; *p
 * moves past it.  False at the end of the text.
 */
static inline bool
td_next_line(const char **p, const char *end, const char **ls, const char **le)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*ls = *p;
	*le = nl != NULL ? nl : end;
	*p = nl != NULL ? nl + 1 : end;
	return true;
}

/*
 * Room for one more element after the n of the array arrp points to (a
 * struct T **, cap allocated, size bytes each): the array doubled, first
 * elements at first, when it is full.  0, or -ENOMEM with the array as it was.
 */
static inline int
td_grow(void *arrp, size_t n, size_t *cap, size_t first, size_t size)
{
	void *a, *b;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap != 0 ? *cap * 2 : first;
	memcpy(&a, arrp, sizeof(a));
	if ((b = reallocarray(a, c, size)) == NULL)
		return -ENOMEM;
	memcpy(arrp, &b, sizeof(b));
	*cap = c;
	return 0;
}

#endif
