/*
 * timerinfo's tables for scripts: with -n, -r or -P the CPU table (or, with
 * -t, the timer table) alone, through the library's column table, with the
 * names and units of the JSON output (tick modes as "highres", times in ns).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "table.h"
#include "timerinfo.h"

/* A CPU row: one group of CPUs (one CPU with -c). */
#define G(row)	((const struct ti_group *)(row))

/* A timer row: the timer and where it sits. */
struct timer_row {
	const struct td_timer_list	*tl;
	const struct td_tl_cpu		*cpu;
	const struct td_tl_base		*base;
	const struct td_tl_timer	*tm;
};

#define T(row)	((const struct timer_row *)(row))

/* Set a string cell, unknown when s is NULL. */
static void
set_str(struct td_cell *c, const char *s)
{
	c->known = s != NULL;
	c->s = s;
}

/* Set an integer cell, unknown when v is negative. */
static void
set_int(struct td_cell *c, int64_t v)
{
	c->known = v >= 0;
	c->i = v;
}

/* cpus: the CPU list of the group. */
static void
get_cpus(const void *row, struct td_cell *c)
{
	if (G(row)->first->cpu < 0)
		return;		/* a fragment's cut-off "cpu: N" */
	set_str(c, td_cpuset_format(&G(row)->set, c->buf, sizeof(c->buf)));
}

/* tick_mode: as in JSON. */
static void
get_mode(const void *row, struct td_cell *c)
{
	const char *s = td_tick_mode_name(G(row)->first->mode);

	set_str(c, strcmp(s, "unknown") == 0 ? NULL : s);
}

/* nohz: NOHZ active. */
static void
get_nohz(const void *row, struct td_cell *c)
{
	c->known = G(row)->first->nohz >= 0;
	c->b = G(row)->first->nohz == 1;
}

/* tick_stopped: how many of the group's CPUs have the tick stopped now. */
static void
get_stopped(const void *row, struct td_cell *c)
{
	c->known = G(row)->stopped_known == G(row)->ncpus;
	c->i = G(row)->stopped;
}

static void
get_device(const void *row, struct td_cell *c)
{
	set_str(c, G(row)->first->device);
}

static void
get_handler(const void *row, struct td_cell *c)
{
	set_str(c, G(row)->first->handler);
}

static void
get_res_min(const void *row, struct td_cell *c)
{
	set_int(c, G(row)->first->res_min_ns);
}

static void
get_res_max(const void *row, struct td_cell *c)
{
	set_int(c, G(row)->first->res_max_ns);
}

/* timers: active hrtimers of the group, known with timer_list. */
static void
get_ntimers(const void *row, struct td_cell *c)
{
	c->known = G(row)->first->tl != NULL;
	c->i = (int64_t)G(row)->ntimers;
}

static void
get_nohz_full(const void *row, struct td_cell *c)
{
	c->known = true;
	c->b = G(row)->first->nohz_full;
}

static const struct td_column cpu_columns[] = {
	{ "cpus", "CPUS", 10, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "the CPUs of the row (kernel list format)", get_cpus, NULL, NULL },
	{ "tick_mode", "TICK_MODE", 11, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "highres, nohz_lowres or periodic", get_mode, NULL, NULL },
	{ "nohz", "NOHZ", 4, TD_ALIGN_LEFT, TD_JT_BOOL, 0, NULL, true,
	    "NOHZ (tickless idle) active", get_nohz, NULL, NULL },
	{ "tick_stopped", "STOPPED", 7, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "CPUs of the row with the tick stopped now", get_stopped, NULL, NULL },
	{ "device", "DEVICE", 16, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "clock event device", get_device, NULL, NULL },
	{ "handler", "HANDLER", 20, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "its event handler", get_handler, NULL, NULL },
	{ "resolution_ns", "RES_NS", 6, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "finest resolution of the clock bases, ns", get_res_min, NULL, NULL },
	{ "resolution_max_ns", "RES_MAX_NS", 10, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "coarsest resolution of the clock bases, ns", get_res_max, NULL, NULL },
	{ "timers", "TIMERS", 6, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "active hrtimers", get_ntimers, NULL, NULL },
	{ "nohz_full", "NOHZ_FULL", 9, TD_ALIGN_LEFT, TD_JT_BOOL, 0, NULL, true,
	    "in nohz_full=", get_nohz_full, NULL, NULL },
};

static void
get_tcpu(const void *row, struct td_cell *c)
{
	c->known = T(row)->cpu->cpu >= 0;
	c->i = T(row)->cpu->cpu;
}

static void
get_clock(const void *row, struct td_cell *c)
{
	set_str(c, ti_base_name(T(row)->tl, T(row)->base));
}

static void
get_function(const void *row, struct td_cell *c)
{
	set_str(c, T(row)->tm->function);
}

/* expires_ns: soft expiry relative to the file's now (may be negative: overdue). */
static void
get_expires(const void *row, struct td_cell *c)
{
	c->known = T(row)->tm->has_expiry;
	c->i = T(row)->tm->rel_soft_ns;
}

/* slack_ns: hard minus soft expiry, printed from timer_list v0.4 on. */
static void
get_slack(const void *row, struct td_cell *c)
{
	c->known = T(row)->tm->has_expiry && T(row)->tm->has_range;
	c->i = td_tl_timer_slack_ns(T(row)->tm);
}

static void
get_tcomm(const void *row, struct td_cell *c)
{
	set_str(c, td_tl_timer_extra(T(row)->tl, T(row)->tm)->comm);
}

static void
get_tpid(const void *row, struct td_cell *c)
{
	const struct td_tl_timer_extra *x = td_tl_timer_extra(T(row)->tl, T(row)->tm);

	c->known = x->comm != NULL && x->pid >= 0;
	c->i = x->pid;
}

static void
get_tsite(const void *row, struct td_cell *c)
{
	set_str(c, td_tl_timer_extra(T(row)->tl, T(row)->tm)->start_site);
}

static const struct td_column timer_columns[] = {
	{ "cpu", "CPU", 3, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "CPU of the timer's base", get_tcpu, NULL, NULL },
	{ "clock", "CLOCK", 15, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "clock base (monotonic, realtime, boottime, tai, *_soft)", get_clock, NULL, NULL },
	{ "function", "FUNCTION", 32, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "expiry callback", get_function, NULL, NULL },
	{ "expires_ns", "EXPIRES_NS", 14, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "soft expiry from the file's now, ns", get_expires, NULL, NULL },
	{ "slack_ns", "SLACK_NS", 12, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "hard minus soft expiry, ns (timer_list v0.4 on)", get_slack, NULL, NULL },
	{ "comm", "COMM", 16, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "task that armed it (kernels up to 4.10 only)", get_tcomm, NULL, NULL },
	{ "pid", "PID", 5, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "its pid (kernels up to 4.10 only)", get_tpid, NULL, NULL },
	{ "site", "SITE", 16, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "function that armed it (kernels up to 4.10 only)", get_tsite, NULL, NULL },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* List the columns of the table -n, -r and -P print (the timers' with -t). */
int
ti_list_columns(FILE *f, const struct ti_opts *o)
{
	if (o->timers)
		return td_table_list_columns(timer_columns, NELEM(timer_columns), f);
	return td_table_list_columns(cpu_columns, NELEM(cpu_columns), f);
}

/* The timer rows in timer_list order, *n of them; NULL when there are none or no memory. */
static struct timer_row *
timer_rows(const struct td_timer_list *tl, size_t *n)
{
	struct timer_row *rows = NULL;
	size_t k = 0, total = 0;

	for (size_t i = 0; i < tl->ncpus; i++)
		for (size_t b = 0; b < tl->cpus[i].nbases; b++)
			total += tl->cpus[i].bases[b].ntimers;
	*n = total;
	if (total == 0 || (rows = calloc(total, sizeof(*rows))) == NULL)
		return NULL;
	for (size_t i = 0; i < tl->ncpus; i++)
		for (size_t b = 0; b < tl->cpus[i].nbases; b++)
			for (size_t t = 0; t < tl->cpus[i].bases[b].ntimers; t++)
				rows[k++] = (struct timer_row){ tl, &tl->cpus[i],
				    &tl->cpus[i].bases[b], &tl->cpus[i].bases[b].timers[t] };
	*n = k;
	return rows;
}

/* Render rows (an array of n elements of size sz) through cols. */
static int
render(FILE *f, const struct td_column *cols, size_t ncols, const void *base, size_t sz,
    size_t n, unsigned flags)
{
	struct td_table *t;
	struct td_error e;
	const void **rows;
	int r;

	if (td_table_new(&t, cols, ncols, &e) < 0)
		return -e.code;
	if ((rows = calloc(n ? n : 1, sizeof(*rows))) == NULL) {
		td_table_free(t);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		rows[i] = (const char *)base + i * sz;
	r = td_table_render_text(t, f, rows, n, flags);
	free(rows);
	td_table_free(t);
	return r;
}

/*
 * Print the CPU table, or the timer table with -t, alone.  The timers of a
 * file without them are unknown: an error, not an empty table.
 */
int
ti_print_table(FILE *f, const struct td_machine *m, const struct ti_opts *o, unsigned flags)
{
	int r;

	if (o->timers) {
		struct timer_row *rows;
		size_t n = 0;

		if (m->tl == NULL) {
			char buf[768];

			fprintf(stderr, "%s: active timers unknown: %s%s\n", cli_prog,
			    td_error_str(&m->tl_err, buf, sizeof(buf)),
			    m->tl_needs_root ? " (needs root)" : "");
			return -1;
		}
		rows = timer_rows(m->tl, &n);
		if (rows == NULL && n > 0)
			return -1;
		r = render(f, timer_columns, NELEM(timer_columns), rows, sizeof(*rows), n, flags);
		free(rows);
	} else {
		struct ti_group *g;
		int n = ti_group_cpus(m, o->cpus, &g);

		if (n < 0)
			return -1;
		r = render(f, cpu_columns, NELEM(cpu_columns), g, sizeof(*g), (size_t)n, flags);
		free(g);
	}
	return r;
}
