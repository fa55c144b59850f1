/* wakeuptop's state: options, the sampler, the view and the output. */
#ifndef WT_APP_H
#define WT_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "frame.h"
#include "render.h"
#include "sampler.h"
#include "table.h"
#include "tickview.h"
#include "view.h"
#include "wait.h"

struct wt_app {
	/* Options. */
	const char		*sysroot;
	const char		*trace;		/* --trace FILE: replayed by its own time */
	const char		*record;	/* --record FILE: the live sample as a trace.dat */
	enum td_backend		 backend;
	bool			 batch;
	bool			 json;
	long			 iterations;	/* 0: until quit */
	int			 width;		/* batch text width */
	bool			 color;
	unsigned		 table_flags;	/* batch -H, -r, -P: the rows alone (TD_TABLE_*) */
	bool			 rows_only;	/* batch: print the table, not the frame */

	/* State. */
	struct td_sampler	*sampler;
	struct td_table		*table;
	struct wt_view		 view;
	struct wt_facts		 facts;
	struct wt_tickview	 tick;		/* the tick view's explanation */
	struct wt_frame		 frame;
	struct wt_status	 status;
	int			 page;		/* list rows on screen */
	long			 done;		/* samples shown */
	bool			 trace_end;	/* the trace is read to its end: the last
						   sample stays on screen */
	struct cli_interval	 iv;		/* the refresh interval */
	int			 sfd;		/* the signals (cli_signals_open) */
};

/* Run the event loop until quit, a signal, or the last batch iteration. Exit code. */
int wt_loop_run(struct wt_app *a);
/* Print one batch iteration (text or one JSON line) to stdout. 0 or -EIO. */
int wt_batch_print(struct wt_app *a);
/* How many CPUs the strip and the tick view show: the online ones, or those timer_list lists. */
int wt_app_ncpus(const struct wt_app *a);
/* Draw the screen from the view. */
void wt_app_draw(struct wt_app *a);

#endif
