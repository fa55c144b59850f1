/*
 * Synthetic trace events and callback names for the unit tests that feed
 * events to the attribution, the tick explanation and the wake-up cause.
 */
#ifndef TD_FIXTURE_EVENTS_H
#define TD_FIXTURE_EVENTS_H

#include <stdint.h>
#include <string.h>

#include "trace_decode.h"

/* One event of type at ts on cpu by task pid, named name (may be NULL); the rest zero. */
static inline struct td_tev
fixture_tev(enum td_tev_type type, uint64_t ts, int cpu, int pid, const char *name)
{
	struct td_tev e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts = ts;
	e.cpu = cpu;
	e.pid = pid;
	e.name = name;
	e.namelen = name != NULL ? strlen(name) : 0;
	return e;
}

/* A callback address and its name; a table of them ends with a NULL name. */
struct fixture_fn {
	uint64_t	 fn;
	const char	*name;
};

/* The name of callback fn in the table ctx points to, NULL when it is not there. */
static inline const char *
fixture_fn_name(void *ctx, uint64_t fn)
{
	const struct fixture_fn *t = ctx;

	for (; t != NULL && t->name != NULL; t++)
		if (t->fn == fn)
			return t->name;
	return NULL;
}

#endif
