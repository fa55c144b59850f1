/* The per-CPU strip of the header, folded into groups when CPUs are many. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumask.h"
#include "cpustrip.h"
#include "sampler.h"
#include "text.h"

#define CELL_WIDTH	44	/* "cpu12 wake 1.2k/s* ev 12k/s loc 1.2k/s idle " */

/* CPUs alike: the key packs the buckets of the wakeups (or events), LOC and tick state. */
struct group {
	int			 key;
	int			 ncpus;
	double			 wakeups, events, loc;	/* sums; negative when unknown */
	double			 max;		/* the busiest CPU's wakeups, else events */
	struct td_cpuset	*set;
};

/* known: 0 wakeups unknown, 1 known, 2 known and marked '*'. */
#define KEY(known, busy, loc, tick)	((((known) * 10 + (busy)) * 10 + (loc)) * 4 + (tick) + 1)
#define KEY_KNOWN(k)	((k) / 400)
#define KEY_BUSY(k)	((k) / 40 % 10)
#define KEY_LOC(k)	((k) / 4 % 10)
#define KEY_TICK(k)	((k) % 4)

/* Per second, or per interval when the sample's period is unknown. */
static const char *unit = "/s";

/* Format a number with k/M scaling and the current unit. */
static const char *
fmt_value(char *buf, size_t len, double rate, const char *u)
{
	if (rate < 0)
		snprintf(buf, len, "?");
	else if (rate >= 1e6)
		snprintf(buf, len, "%.1fM%s", rate / 1e6, u);
	else if (rate >= 1e4)
		snprintf(buf, len, "%.0fk%s", rate / 1e3, u);
	else if (rate >= 1e3)
		snprintf(buf, len, "%.1fk%s", rate / 1e3, u);
	else if (rate >= 100 || rate == 0 || rate == (double)(long)rate)
		snprintf(buf, len, "%.0f%s", rate, u);
	else
		snprintf(buf, len, "%.1f%s", rate, u);
	return buf;
}

/* Format a rate with a unit. */
const char *
wt_fmt_rate(char *buf, size_t len, double rate)
{
	return fmt_value(buf, len, rate, "/s");
}

/* A strip value: a rate, or a count when the period is unknown. */
static const char *
fmt_strip(char *buf, size_t len, double v)
{
	return fmt_value(buf, len, v, unit);
}

/* The tick state as a word. */
static const char *
tick_word(int stopped)
{
	if (stopped < 0)
		return "tick ?";
	return stopped ? "idle" : "tick";
}

/* Order of magnitude bucket of a rate: 0 unknown, 1 zero, 2 below 1/s, 3.. per decade. */
static int
bucket(double rate)
{
	int b = 3;

	if (rate < 0)
		return 0;
	if (rate == 0)
		return 1;
	if (rate < 1)
		return 2;
	while (rate >= 10 && b < 9) {
		rate /= 10;
		b++;
	}
	return b;
}

/* The range a bucket stands for, as text. */
static const char *
bucket_text(int b)
{
	static const char *const t[] = { "?", "0", "<1", "1-10", "10-100",
	    "100-1k", "1k-10k", "10k-100k", "100k-1M", ">1M" };

	return t[b];
}

/* Compare groups: the busiest first. */
static int
group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->max != y->max)
		return x->max < y->max ? 1 : -1;
	return x->key - y->key;
}

/* How busy a CPU is for grouping and ordering: its wakeups, else its events. */
static double
busy(const struct wt_cpu *c)
{
	return c->wakeups >= 0 ? c->wakeups : c->events;
}

/* The mark of a CPU whose wakeups are the interrupts its idle task took. */
static const char *
mark(const struct wt_cpu *c)
{
	return c->wakeups >= 0 && c->method == TD_WAKE_IDLE_TASK ? "*" : "";
}

/* A footnote naming the CPUs marked '*'; 1 when added. */
static int
render_footnote(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus)
{
	struct td_cpuset set;
	char list[256];
	bool any = false;

	memset(&set, 0, sizeof(set));
	for (size_t i = 0; i < ncpus; i++)
		if (*mark(&cpus[i]) != '\0' && cpus[i].cpu >= 0 && cpus[i].cpu < TD_MAX_CPUS) {
			td_cpuset_set(&set, cpus[i].cpu);
			any = true;
		}
	if (!any)
		return 0;
	td_cpuset_format(&set, list, sizeof(list));
	wt_frame_add(f, WT_R_NOTE, "* cpu%s: the kernel traces no cpu_idle there; its wakeups "
	    "are the interrupts its idle task took", list);
	return 1;
}

/* One cell per CPU, as many per line as fit. */
static int
render_cells(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus)
{
	char line[1024], cell[CELL_WIDTH * 2 + 8], raw[128], r1[16], r2[16], r3[16];
	size_t i;
	int per = f->width / CELL_WIDTH, k = 0, lines = 0, pos = 0;

	if (per < 1)
		per = 1;
	if (per > (int)(sizeof(line) / (CELL_WIDTH * 2)))
		per = (int)(sizeof(line) / (CELL_WIDTH * 2));
	line[0] = '\0';
	for (i = 0; i < ncpus; i++) {
		snprintf(raw, sizeof(raw), "cpu%d wake %s%s ev %s loc %s %s", cpus[i].cpu,
		    fmt_strip(r1, sizeof(r1), cpus[i].wakeups), mark(&cpus[i]),
		    fmt_strip(r3, sizeof(r3), cpus[i].events),
		    fmt_strip(r2, sizeof(r2), cpus[i].loc), tick_word(cpus[i].tick_stopped));
		wt_text_fit(cell, sizeof(cell), raw, CELL_WIDTH - 1, WT_LEFT, 1, 1);
		pos += snprintf(line + pos, sizeof(line) - (size_t)pos, "%s%s",
		    k ? " " : "", cell);
		if (++k == per || i + 1 == ncpus) {
			wt_frame_add(f, WT_R_TEXT, "%s", line);
			lines++;
			k = 0;
			pos = 0;
			line[0] = '\0';
		}
	}
	return lines;
}

/* Add a CPU's figures to a sum that turns unknown (negative) with any unknown one. */
static void
add_known(double *sum, double v)
{
	*sum = v < 0 || *sum < 0 ? -1 : *sum + v;
}

/* Group CPUs alike and show the groups, the busiest first. */
static int
render_groups(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus, int max_lines)
{
	struct group *g;
	char list[256], r1[16], r2[16], r3[16];
	size_t i, j, ng = 0;
	int lines = 0, rest_cpus = 0, key;
	double rest_w = 0, rest_e = 0;

	g = calloc(ncpus, sizeof(*g));
	if (g == NULL)
		return 0;
	for (i = 0; i < ncpus; i++) {
		key = KEY(cpus[i].wakeups < 0 ? 0 : *mark(&cpus[i]) ? 2 : 1,
		    bucket(busy(&cpus[i])), bucket(cpus[i].loc), cpus[i].tick_stopped);
		for (j = 0; j < ng && g[j].key != key; j++)
			;
		if (j == ng) {
			g[j].key = key;
			g[j].set = calloc(1, sizeof(*g[j].set));
			if (g[j].set == NULL)
				break;
			g[j].wakeups = g[j].events = g[j].loc = 0;
			g[j].max = -1;
			ng++;
		}
		g[j].ncpus++;
		if (cpus[i].cpu >= 0 && cpus[i].cpu < TD_MAX_CPUS)
			td_cpuset_set(g[j].set, cpus[i].cpu);
		add_known(&g[j].wakeups, cpus[i].wakeups);
		add_known(&g[j].events, cpus[i].events);
		add_known(&g[j].loc, cpus[i].loc);
		if (busy(&cpus[i]) > g[j].max)
			g[j].max = busy(&cpus[i]);
	}
	qsort(g, ng, sizeof(*g), group_cmp);
	for (i = 0; i < ng; i++) {
		if (lines + 1 >= max_lines && (i + 1 < ng || rest_cpus > 0)) {
			rest_cpus += g[i].ncpus;
			add_known(&rest_w, g[i].wakeups);
			add_known(&rest_e, g[i].events);
			continue;
		}
		td_cpuset_format(g[i].set, list, sizeof(list));
		/* The figures first: a long CPU list is what the width cuts. */
		wt_frame_add(f, WT_R_TEXT,
		    "%3d CPU%s %s %s%s%s each, loc %s%s each, %s; in all wake %s, ev %s, loc %s: cpu%s",
		    g[i].ncpus, g[i].ncpus == 1 ? " " : "s", KEY_KNOWN(g[i].key) ? "wake" : "ev",
		    bucket_text(KEY_BUSY(g[i].key)), KEY_BUSY(g[i].key) ? unit : "",
		    KEY_KNOWN(g[i].key) == 2 ? "*" : "",
		    bucket_text(KEY_LOC(g[i].key)), KEY_LOC(g[i].key) ? unit : "",
		    KEY_TICK(g[i].key) == 0 ? "tick state ?" :
		    KEY_TICK(g[i].key) == 2 ? "tick stopped" : "tick running",
		    fmt_strip(r1, sizeof(r1), g[i].wakeups), fmt_strip(r3, sizeof(r3), g[i].events),
		    fmt_strip(r2, sizeof(r2), g[i].loc), list);
		lines++;
	}
	if (rest_cpus > 0) {
		wt_frame_add(f, WT_R_TEXT, "+%d more CPUs in smaller groups: wake %s, ev %s",
		    rest_cpus, fmt_strip(r1, sizeof(r1), rest_w), fmt_strip(r3, sizeof(r3), rest_e));
		lines++;
	}
	for (i = 0; i < ng; i++)
		free(g[i].set);
	free(g);
	return lines;
}

/* All CPUs in one line: sums and how many ticks are stopped. */
static int
render_summary(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus)
{
	char r1[16], r2[16], r3[16], busy_s[16], idle_s[24];
	double w = 0, ev = 0, loc = 0, max = -1;
	size_t i;
	int idle = 0, unknown = 0, top = -1;
	const char *top_mark = "";

	for (i = 0; i < ncpus; i++) {
		add_known(&w, cpus[i].wakeups);
		add_known(&ev, cpus[i].events);
		add_known(&loc, cpus[i].loc);
		if (cpus[i].tick_stopped < 0)
			unknown++;
		else if (cpus[i].tick_stopped)
			idle++;
		if (busy(&cpus[i]) > max) {
			max = busy(&cpus[i]);
			top = cpus[i].cpu;
			top_mark = mark(&cpus[i]);
		}
	}
	if (unknown)
		snprintf(idle_s, sizeof(idle_s), "tick state ?");
	else
		snprintf(idle_s, sizeof(idle_s), "%d idle", idle);
	/* The busiest first: the width cuts the end. */
	wt_frame_add(f, WT_R_TEXT, "%zu CPUs: busiest cpu%d %s %s%s; in all wake %s, ev %s, loc %s; %s",
	    ncpus, top, w >= 0 ? "wake" : "ev", fmt_strip(busy_s, sizeof(busy_s), max), top_mark,
	    fmt_strip(r1, sizeof(r1), w), fmt_strip(r3, sizeof(r3), ev),
	    fmt_strip(r2, sizeof(r2), loc), idle_s);
	return 1;
}

/* Add the per-CPU strip. */
int
wt_cpustrip_render(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus,
    int max_lines, bool counts)
{
	int per = f->width / CELL_WIDTH, n, budget;
	bool marked = false;

	if (per > 1024 / (CELL_WIDTH * 2))
		per = 1024 / (CELL_WIDTH * 2);
	if (ncpus == 0 || max_lines <= 0)
		return 0;
	unit = counts ? "" : "/s";
	if (per < 1)
		per = 1;
	/* The footnote explaining '*' takes a line of the budget when there are two. */
	for (size_t i = 0; i < ncpus && !marked; i++)
		marked = *mark(&cpus[i]) != '\0';
	budget = marked && max_lines > 1 ? max_lines - 1 : max_lines;
	if ((ncpus + (size_t)per - 1) / (size_t)per <= (size_t)budget)
		n = render_cells(f, cpus, ncpus);
	else if (budget == 1)
		n = render_summary(f, cpus, ncpus);
	else
		n = render_groups(f, cpus, ncpus, budget);
	if (marked && n < max_lines)
		n += render_footnote(f, cpus, ncpus);
	return n;
}
