/* timerstat: what wakes the machine over an interval (the successor of /proc/timer_stats). */
#ifndef TIMERSTAT_H
#define TIMERSTAT_H

#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "sampler.h"
#include "table.h"

#define TS_JSON_VERSION	2	/* 2: doc/json.md (null + "unknown", *_per_s) */

enum ts_format {
	TS_TEXT,
	TS_JSON,
	TS_TIMER_STATS,
	TS_RAW,
	TS_PAIRS,
};

struct ts_opts {
	enum ts_format	 format;
	const char	*columns;	/* -o */
	const char	*sort;		/* -s */
	bool		 sort_set;
	long long	 top;		/* --top, 0 = all */
	int		 fit;		/* lines of the terminal stdout is, without --top; 0 all */
	int		 fit_cols;	/* and its columns (a longer row takes more lines) */
	enum td_group	 group;		/* --group */
	bool		 noheadings;
	bool		 color;
};

/* Print one sample in the chosen format; the JSON writer is open between calls. */
int ts_print_text(FILE *f, struct td_table *t, const struct ts_opts *o,
    const struct td_sample *p, const char *backend_note, int index, int count);
void ts_print_json(struct td_json *j, struct td_table *t, const struct ts_opts *o,
    const struct td_sample *p, const char *backend_note);
/* The column the sources are sorted by. */
const char *ts_sort_column(const struct ts_opts *o, const struct td_sample *p);
/* Sort and cut the sources to --top; returns an array of row pointers (free it). */
const void **ts_rows(struct td_table *t, const struct ts_opts *o, const struct td_sample *p,
    size_t *n, struct td_error *e);
/* True (e says why) when the sampler's backend sees no timers for --format=timer_stats. */
bool ts_timer_stats_unwritable(const struct td_sampler *s, struct td_error *e);

#endif
