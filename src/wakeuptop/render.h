/* The one render path: header, per-CPU strip, list, expanded row, help, status line. */
#ifndef WT_RENDER_H
#define WT_RENDER_H

#include <stdbool.h>

#include "facts.h"
#include "frame.h"
#include "view.h"

/* What the header says about the sampler. */
struct wt_status {
	const char	*backend;	/* "tracefs", "interrupts", ... */
	const char	*note;		/* why this backend ("" if none) */
	bool		 batch;		/* no selection, no status line, every row */
	int		 iteration;	/* batch: 1-based */
	const char	*trace;		/* the trace replayed (--trace), NULL live */
	bool		 capture;	/* a captured tree (--sysroot): its own interval */
	unsigned long long trace_step_ns; /* its step of trace time; 0: read whole */
	long		 trace_window;	/* the window shown, 1-based (0: none yet) */
	bool		 trace_end;	/* read to its end: the last window stays */
};

/*
 * Render the view into f (already reset to the width).  height is the screen's
 * height; 0 renders every row (batch mode).  Returns the number of list rows
 * that fit on screen (for paging), 0 in batch mode.
 */
int wt_render(struct wt_frame *f, struct wt_view *v, const struct wt_facts *facts,
    const struct wt_status *st, int height);
/* The help text, one line per entry (also used by the man page test). */
extern const char *const wt_help_lines[];

#endif
