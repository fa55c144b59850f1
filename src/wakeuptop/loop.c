/*
 * The event loop: the tools' shared wait (src/common/wait.h) over the
 * interval, a signalfd (SIGINT, SIGTERM, SIGHUP, SIGWINCH), stdin (keys) and
 * the sampler's fd.  Nothing runs in a signal handler; the screen is drawn on
 * a tick, a key or a resize only.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "source.h"
#include "keys.h"
#include "screen.h"
#include "app.h"

/* The tick state of a CPU, for the strip. */
static int
tick_state(const void *ctx, int cpu)
{
	return wt_facts_tick_stopped(ctx, cpu);
}

/* How many CPUs the strip shows: the online ones, or those timer_list lists. */
int
wt_app_ncpus(const struct wt_app *a)
{
	int n = a->facts.ncpus_online;
	size_t i;

	for (i = 0; i < a->facts.ncpus; i++)
		if (a->facts.cpu[i] + 1 > n)
			n = a->facts.cpu[i] + 1;
	return n;
}

/* Draw the screen from the view. */
void
wt_app_draw(struct wt_app *a)
{
	int rows, cols;

	wt_screen_size(&rows, &cols);
	wt_frame_reset(&a->frame, cols);
	a->page = wt_render(&a->frame, &a->view, &a->facts, &a->status, rows);
	wt_screen_draw(&a->frame);
}

/* End of an interval: collect the sample and show it. 0, 1 when done, -errno. */
static int
tick(struct wt_app *a)
{
	struct td_sample *s = NULL;
	struct td_error e;
	int r;

	/*
	 * A trace's replay holds its place while paused, and its last interval
	 * once it is read to its end: there is nothing more to take.
	 */
	if (a->trace != NULL && (a->trace_end || a->view.paused))
		return 0;
	td_error_clear(&e);
	r = td_sampler_collect(a->sampler, &s, &e);
	if (r < 0) {
		wt_screen_close();
		cli_warn_td(&e);
		return r;
	}
	if (!a->batch && (a->view.paused ||
	    (a->trace == NULL && a->done > 0 && !td_root_is_live(a->sysroot)))) {
		/*
		 * Frozen display: the sample is consumed and dropped.  A captured
		 * tree holds one interval only, so its first sample stays.
		 */
		td_sample_free(s);
		wt_tick_interval(&a->tick, false);
		return 0;
	}
	wt_tick_interval(&a->tick, true);
	/*
	 * The tick state is the one read at start (or on the T key): reading
	 * /proc/timer_list each interval costs the kernel O(timers^2) with
	 * interrupts off (0.6 s of CPU with 10,000 threads).
	 */
	wt_view_set_sample(&a->view, s);
	wt_view_strip(&a->view, wt_app_ncpus(a), tick_state, &a->facts);
	a->done++;
	if (a->trace != NULL) {
		a->trace_end = td_sampler_done(a->sampler);
		a->status.trace_window = a->done;
		a->status.trace_end = a->trace_end && !a->batch;
	}
	if (a->batch) {
		if (wt_batch_print(a) < 0)
			return -EIO;
	} else
		wt_app_draw(a);
	if (a->iterations > 0 && a->done >= a->iterations)
		return 1;
	/* Batch mode ends with the trace; the screen holds its last interval. */
	if (a->batch && a->trace_end)
		return 1;
	return 0;
}

/* A signal: a resize redraws, any other quits (1). */
static int
signaled(struct wt_app *a, int sig)
{
	if (sig != SIGWINCH)
		return 1;
	if (!a->batch && wt_screen_active()) {
		wt_screen_resize();
		wt_app_draw(a);
	}
	return 0;
}

/* Read the pending keys: 1 to quit, 0 otherwise. */
static int
keys(struct wt_app *a)
{
	enum wt_action act, pending = WT_ACT_NONE;
	wint_t ch;
	bool fn;

	while (wt_screen_key(&ch, &fn) == 0) {
		if (fn && ch == KEY_RESIZE) {
			pending = WT_ACT_REDRAW;
			continue;
		}
		act = wt_key(&a->view, ch, fn, a->page);
		if (act == WT_ACT_QUIT)
			return 1;
		if (act == WT_ACT_INTERVAL) {
			/* A replay's step of trace time stays: + and - change its pace. */
			if (a->trace != NULL)
				snprintf(a->view.message, sizeof(a->view.message), "replay: the next "
				    "%.2g s of the trace every %.2g s", (double)a->status.trace_step_ns /
				    1e9, (double)a->view.interval_ns / 1e9);
			(void)cli_interval_set(&a->iv, a->view.interval_ns);
			pending = WT_ACT_REDRAW;
		} else if (act == WT_ACT_TICKS) {
			/* On demand only: the kernel lists every timer with interrupts off. */
			wt_facts_ticks(a->sysroot, &a->facts);
			if (a->trace != NULL && td_root_is_live(a->sysroot))
				snprintf(a->view.message, sizeof(a->view.message),
				    "tick state: %.64s", a->facts.ticks_why);
			wt_view_strip(&a->view, wt_app_ncpus(a), tick_state, &a->facts);
			pending = WT_ACT_REDRAW;
		} else if (act == WT_ACT_REDRAW)
			pending = act;
	}
	if (pending != WT_ACT_NONE) {
		if (a->view.sample != NULL)
			wt_view_strip(&a->view, wt_app_ncpus(a), tick_state, &a->facts);
		wt_app_draw(a);
	}
	return 0;
}

/* Run until quit. */
int
wt_loop_run(struct wt_app *a)
{
	struct td_error e;
	int woke, r, sig = 0, code = CLI_EXIT_OK;

	if ((r = cli_interval_open(&a->iv, a->view.interval_ns)) < 0) {
		wt_screen_close();
		fprintf(stderr, "%s: timerfd: %s\n", cli_prog, strerror(-r));
		return CLI_EXIT_FAIL;
	}
	td_error_clear(&e);
	if (td_sampler_start(a->sampler, &e) < 0) {
		wt_screen_close();
		cli_warn_td(&e);
		return CLI_EXIT_FAIL;
	}
	if (!a->batch)
		wt_app_draw(a);
	for (;;) {
		/*
		 * A trace in batch mode is read at once, not at the pace of the
		 * clock; a failed pump is left to the next collect to report.
		 */
		woke = cli_wait(&a->iv, a->sfd, a->batch ? -1 : STDIN_FILENO, a->sampler,
		    a->batch && a->trace != NULL ? 0 : -1, &sig, &e);
		if (woke < 0) {
			code = CLI_EXIT_FAIL;
			break;
		}
		if ((woke & CLI_WOKE_SIGNAL) && signaled(a, sig))
			break;
		if (woke & CLI_WOKE_HANGUP)
			break;
		if ((woke & CLI_WOKE_INPUT) && keys(a))
			break;
		if ((woke & CLI_WOKE_INTERVAL) || (a->batch && a->trace != NULL)) {
			r = tick(a);
			if (r < 0) {
				code = CLI_EXIT_FAIL;
				break;
			}
			if (r > 0)
				break;
		}
	}
	cli_interval_close(&a->iv);
	return code;
}
