/*
 * The view: what the user chose (sort, filters, selection, pause, interval) and
 * the rows of the displayed sample after filtering and sorting.  The screen and
 * batch mode both render from it.
 */
#ifndef WT_VIEW_H
#define WT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpumask.h"
#include "sampler.h"
#include "table.h"
#include "cpustrip.h"
#include "tickview.h"

enum wt_show {
	WT_SHOW_ALL,
	WT_SHOW_TIMERS,		/* timer and hrtimer */
	WT_SHOW_IRQS,		/* irq, vector and softirq */
};

/* A source's identity, to keep the selection and the expanded row across samples. */
struct wt_ident {
	bool		 set;
	enum td_kind	 kind;
	char		 function[128];
	char		 site[128];
	int		 pid;
	char		 comm[32];
	int		 irq;
};

#define WT_INPUT_MAX	256
#define WT_MAX_COLS	32	/* columns of a table the screen keeps widths for */

struct wt_view {
	struct td_table		*table;		/* the sampler's columns */
	size_t			 sort_col;	/* index among the selected columns */
	bool			 desc;		/* largest first */
	bool			 sort_set;	/* chosen (-s, keys); else wakeups when counted */
	enum wt_show		 show;
	enum td_group		 group;		/* rows per thread, process or comm */
	bool			 has_cpus;	/* CPU filter */
	struct td_cpuset	 cpus;
	char			 cpus_text[WT_INPUT_MAX];
	int			 pid;		/* process filter (p key), -1 none */
	int			 sampled_pid;	/* the sampler's --pid, -1 none (shown only) */
	int			 sampled_tid;	/* the sampler's --tid, -1 none (shown only) */
	char			 name[WT_INPUT_MAX];	/* name filter, "" none */
	bool			 paused;
	bool			 replay;	/* a trace replayed: pausing holds its place */
	bool			 help;
	int64_t			 interval_ns;

	struct td_sample	*sample;	/* the sample shown, keyed by thread (owned) */
	uint64_t		 samples;	/* how many were shown */
	struct td_sample	*shown;		/* its copy filtered and grouped (owned) */
	const void		**rowp;		/* sorted pointers into shown->src */
	size_t			 nrows;
	size_t			 unsplit;	/* CPU filter: sources left out, not split by CPU */
	double			 event_rate;	/* events of the whole sample per second; -1 unknown */
	double			 wakeup_rate;	/* its wakeups (idle exits) per second; -1 unknown */

	size_t			 sel;		/* selected row */
	size_t			 top;		/* first row on screen */
	struct wt_ident		 sel_id;
	bool			 expanded;
	struct wt_ident		 exp_id;

	int			 prompt;	/* 0, or the key whose value is typed ('c', 'p', '/') */
	char			 input[WT_INPUT_MAX];
	char			 message[160];	/* one-shot status message */

	bool			 tickview;	/* the tick view instead of the sources (v, --view) */
	const struct wt_tickview *tick;		/* its explanation (NULL: none) */

	int			 colw[WT_MAX_COLS];	/* widest seen per table column (screen) */

	struct wt_cpu		*strip;		/* per-CPU strip of the displayed sample */
	bool			 strip_counts;	/* period unknown: counts, not rates */
	size_t			 nstrip;
};

/*
 * Set up a view over table: everything shown, grouped by comm, sorted largest
 * first by wakeup_rate when the sample counts wakeups, else by rate.
 */
int wt_view_init(struct wt_view *v, struct td_table *table, struct td_error *e);
void wt_view_free(struct wt_view *v);
/* Choose the sort column by name (sort_set is the caller's); -EINVAL if it is not shown. */
int wt_view_sort_by(struct wt_view *v, const char *name);
/* The column sorted by. */
const struct td_column *wt_view_sort_column(const struct wt_view *v);
/* Set a CPU filter from a list ("0-3,8"; "" clears it); -EINVAL when malformed. */
int wt_view_set_cpus(struct wt_view *v, const char *list);
/* Set the name filter (case-insensitive substring of function, comm or site). */
void wt_view_set_name(struct wt_view *v, const char *name);
/* Show sample (the view takes it over and frees the previous one), then rebuild. */
void wt_view_set_sample(struct wt_view *v, struct td_sample *sample);
/*
 * Filter, group and sort the sample's sources again (on a copy: the sample
 * stays keyed by thread); the selection follows its identity.
 */
int wt_view_rebuild(struct wt_view *v);
/* Make sure the selection is on screen for a list of height rows. */
void wt_view_scroll(struct wt_view *v, size_t height);
/* Move the selection by delta rows (clamped), remembering its identity. */
void wt_view_move(struct wt_view *v, long delta);
/* The selected source, NULL if none. */
const struct td_wsource *wt_view_selected(const struct wt_view *v);
/* Expand or fold the selected row. */
void wt_view_toggle_expand(struct wt_view *v);
/* True when w is the expanded row. */
bool wt_view_is_expanded(const struct wt_view *v, const struct td_wsource *w);
/* Group by the next key: thread, process, comm, thread... */
void wt_view_next_group(struct wt_view *v);
/* Case-insensitive (Unicode) substring test. */
bool wt_match_name(const char *hay, const char *needle);
/*
 * Fill the per-CPU strip of the sample: each CPU's wakeups (idle exits) and how
 * they were counted, the events of the shown sources, LOC from the local timer
 * row, tick state from tick_stopped(ctx, cpu).  ncpus is how many CPUs the
 * machine has (0 unknown: as many as the sample saw).
 */
void wt_view_strip(struct wt_view *v, int ncpus, int (*tick_stopped)(const void *ctx, int cpu),
    const void *ctx);

#endif
