/* Batch mode: the rendered frame on stdout, or one JSON object per line. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "app.h"

#define JSON_VERSION	3	/* 3: doc/json.md (tool, null + "unknown", *_per_s, per_cpu) */

#define PERIOD_WHY	"the capture does not say how long it lasted"

/* A per-CPU count and its rate from a strip value (a rate, or a count when counts). */
static void
json_count_rate(struct td_json *j, const struct wt_view *v, const char *key, double x,
    const char *why)
{
	char rate[TD_JSON_MAX_KEY];
	double secs = (double)v->sample->period_ns / 1e9;

	snprintf(rate, sizeof(rate), "%s_per_s", key);
	if (x < 0) {
		td_json_unknown(j, key, why);
		td_json_unknown(j, rate, why);
	} else if (v->strip_counts) {
		td_json_int(j, key, (int64_t)(x + 0.5));
		td_json_unknown(j, rate, PERIOD_WHY);
	} else {
		/* The strip holds rates: the count is the rate over the period. */
		td_json_int(j, key, (int64_t)(x * secs + 0.5));
		td_json_double(j, rate, x, 2);
	}
}

/* The per-CPU strip as JSON; unknown values are null with a reason, never 0. */
static void
json_cpus(struct td_json *j, const struct wt_view *v, const struct wt_facts *fa)
{
	size_t i;

	td_json_arr_begin(j, "per_cpu");
	for (i = 0; i < v->nstrip; i++) {
		const struct wt_cpu *c = &v->strip[i];

		td_json_obj_begin(j, NULL);
		td_json_int(j, "cpu", c->cpu);
		json_count_rate(j, v, "wakeups", c->wakeups, td_sample_wakeups_why(v->sample));
		if (c->wakeups >= 0)
			td_json_str(j, "wake_method", td_wake_method_name(c->method));
		else
			td_json_unknown(j, "wake_method", td_sample_wakeups_why(v->sample));
		json_count_rate(j, v, "events", c->events, "this backend does not record the CPU");
		json_count_rate(j, v, "local_timer", c->loc, "no local timer interrupt "
		    "counted per CPU");
		if (c->tick_stopped >= 0)
			td_json_bool(j, "tick_stopped", c->tick_stopped == 1);
		else
			td_json_unknown(j, "tick_stopped", fa->ticks_why[0] != '\0' ?
			    fa->ticks_why : "no tick state for this CPU in /proc/timer_list");
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
}

/* One iteration as a JSON line. */
static int
print_json(struct wt_app *a)
{
	const struct wt_view *v = &a->view;
	const struct td_sample *p = v->sample;
	const struct wt_facts *fa = &a->facts;
	struct timespec ts;
	struct td_json j;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	td_json_init(&j, stdout, false);
	td_json_obj_begin(&j, NULL);
	td_json_str(&j, "tool", "wakeuptop");
	td_json_int(&j, "version", JSON_VERSION);
	td_json_int(&j, "iteration", a->done);
	td_json_int(&j, "timestamp_ns", (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if (fa->host[0] != '\0')
		td_json_str(&j, "host", fa->host);
	else
		td_json_unknown(&j, "host", "no host name in the capture");
	if (fa->release[0] != '\0')
		td_json_str(&j, "kernel", fa->release);
	else
		td_json_unknown(&j, "kernel", "no kernel release in the capture");
	if (fa->tick_known) {
		td_json_str(&j, "tick_mode", fa->tick_mode);
		td_json_str(&j, "tick_summary", fa->tick);
	} else {
		td_json_unknown(&j, "tick_mode", fa->tick);
		td_json_unknown(&j, "tick_summary", fa->tick);
	}
	if (fa->hz > 0)
		td_json_int(&j, "hz", fa->hz);
	else
		td_json_unknown(&j, "hz", fa->hz_why);
	if (fa->clocksource[0] != '\0')
		td_json_str(&j, "clocksource", fa->clocksource);
	else
		td_json_unknown(&j, "clocksource", fa->cs_why);
	td_json_str(&j, "backend", a->status.backend);
	if (a->status.note != NULL && a->status.note[0] != '\0')
		td_json_str(&j, "backend_note", a->status.note);
	if (p->note[0] != '\0')
		td_json_str(&j, "note", p->note);
	td_json_int(&j, "interval_ns", v->interval_ns);
	if (p->period_ns)
		td_json_uint(&j, "period_ns", p->period_ns);
	else
		td_json_unknown(&j, "period_ns", PERIOD_WHY);
	td_json_uint(&j, "total_events", p->total_events);
	if (v->event_rate >= 0)
		td_json_double(&j, "events_per_s", v->event_rate, 2);
	else
		td_json_unknown(&j, "events_per_s", PERIOD_WHY);
	td_sample_json_wakeups(&j, p);
	td_json_str(&j, "group", td_group_name(v->group));
	if (p->lost_known)
		td_json_uint(&j, "lost_events", p->lost_events);
	else
		td_json_unknown(&j, "lost_events", "this backend cannot tell whether the kernel "
		    "dropped events");
	td_json_obj_begin(&j, "filter");
	td_json_str(&j, "show", v->show == WT_SHOW_ALL ? "all" :
	    v->show == WT_SHOW_TIMERS ? "timers" : "interrupts");
	if (v->has_cpus)
		td_json_str(&j, "cpus", v->cpus_text);
	if (v->pid >= 0)
		td_json_int(&j, "pid", v->pid);
	if (v->sampled_pid >= 0)
		td_json_int(&j, "sampled_pid", v->sampled_pid);
	if (v->sampled_tid >= 0)
		td_json_int(&j, "sampled_tid", v->sampled_tid);
	if (v->name[0] != '\0')
		td_json_str(&j, "name", v->name);
	td_json_obj_end(&j);
	if (wt_view_sort_column(v) != NULL) {
		const struct td_column *c = wt_view_sort_column(v);

		td_json_str(&j, "sort", c->json != NULL ? c->json : c->name);
	}
	json_cpus(&j, v, fa);
	if (v->tickview)
		wt_tick_json(&j, &a->tick, v->has_cpus ? &v->cpus : NULL);
	td_json_arr_begin(&j, "sources");
	for (i = 0; i < v->nrows; i++)
		td_table_row_json(a->table, &j, NULL, v->rowp[i], true);
	td_json_arr_end(&j);
	td_json_unknowns(&j);
	td_json_obj_end(&j);
	/* td_json_finish ends the document with a newline: one object per line. */
	if (td_json_finish(&j) < 0)
		return -EIO;
	return 0;
}

/* Print one iteration. */
int
wt_batch_print(struct wt_app *a)
{
	size_t i;

	if (a->json) {
		if (print_json(a) < 0)
			return -EIO;
	} else if (a->rows_only) {
		/* -H, -r, -P: the rows through the column table, as timerstat prints them. */
		if (td_table_render_text(a->table, stdout, (const void *const *)a->view.rowp,
		    a->view.nrows, a->table_flags) < 0)
			return -EIO;
	} else {
		a->status.iteration = (int)a->done;
		wt_frame_reset(&a->frame, a->width);
		a->frame.nopad = 1;
		wt_render(&a->frame, &a->view, &a->facts, &a->status, 0);
		if (a->done > 1)
			putchar('\n');
		for (i = 0; i < a->frame.n; i++) {
			const struct wt_line *l = &a->frame.lines[i];
			bool bold = a->color && (l->role == WT_R_TITLE || l->role == WT_R_COLHEAD);

			printf("%s%s%s\n", bold ? "\033[1m" : "", l->text, bold ? "\033[0m" : "");
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return -EIO;
	return 0;
}
