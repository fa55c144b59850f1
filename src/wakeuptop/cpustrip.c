/* The per-CPU strip of the header, folded into groups when CPUs are many. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumask.h"
#include "cpustrip.h"
#include "text.h"

#define CELL_WIDTH	32	/* "cpu127 1234.5/s loc 1.2k/s stop " */

struct group {
	int			 key;
	int			 ncpus;
	double			 wakeups, loc;	/* sums; negative when unknown */
	double			 max_wakeups;
	struct td_cpuset	*set;
};

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

	if (x->max_wakeups != y->max_wakeups)
		return x->max_wakeups < y->max_wakeups ? 1 : -1;
	return x->key - y->key;
}

/* One cell per CPU, as many per line as fit. */
static int
render_cells(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus)
{
	char line[1024], cell[CELL_WIDTH * 2 + 8], raw[96], r1[16], r2[16];
	size_t i;
	int per = f->width / CELL_WIDTH, k = 0, lines = 0, pos = 0;

	if (per < 1)
		per = 1;
	if (per > (int)(sizeof(line) / (CELL_WIDTH * 2)))
		per = (int)(sizeof(line) / (CELL_WIDTH * 2));
	line[0] = '\0';
	for (i = 0; i < ncpus; i++) {
		snprintf(raw, sizeof(raw), "cpu%d %s loc %s %s", cpus[i].cpu,
		    fmt_strip(r1, sizeof(r1), cpus[i].wakeups),
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

/* Group CPUs alike and show the groups, the busiest first. */
static int
render_groups(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus, int max_lines)
{
	struct group *g;
	char list[256], r1[16], r2[16];
	size_t i, j, ng = 0;
	int lines = 0, rest_cpus = 0, key;
	double rest_w = 0;

	g = calloc(ncpus, sizeof(*g));
	if (g == NULL)
		return 0;
	for (i = 0; i < ncpus; i++) {
		key = (bucket(cpus[i].wakeups) * 16 + bucket(cpus[i].loc)) * 4 +
		    cpus[i].tick_stopped + 1;
		for (j = 0; j < ng && g[j].key != key; j++)
			;
		if (j == ng) {
			g[j].key = key;
			g[j].set = calloc(1, sizeof(*g[j].set));
			if (g[j].set == NULL)
				break;
			g[j].wakeups = g[j].loc = 0;
			ng++;
		}
		g[j].ncpus++;
		if (cpus[i].cpu >= 0 && cpus[i].cpu < TD_MAX_CPUS)
			td_cpuset_set(g[j].set, cpus[i].cpu);
		if (cpus[i].wakeups < 0 || g[j].wakeups < 0)
			g[j].wakeups = -1;
		else
			g[j].wakeups += cpus[i].wakeups;
		if (cpus[i].loc < 0 || g[j].loc < 0)
			g[j].loc = -1;
		else
			g[j].loc += cpus[i].loc;
		if (cpus[i].wakeups > g[j].max_wakeups)
			g[j].max_wakeups = cpus[i].wakeups;
	}
	qsort(g, ng, sizeof(*g), group_cmp);
	for (i = 0; i < ng; i++) {
		if (lines + 1 >= max_lines && (i + 1 < ng || rest_cpus > 0)) {
			rest_cpus += g[i].ncpus;
			if (g[i].wakeups >= 0)
				rest_w += g[i].wakeups;
			continue;
		}
		td_cpuset_format(g[i].set, list, sizeof(list));
		/* The figures first: a long CPU list is what the width cuts. */
		wt_frame_add(f, WT_R_TEXT,
		    "%3d CPU%s %s%s each, loc %s%s each, %s; in all %s, loc %s: cpu%s",
		    g[i].ncpus, g[i].ncpus == 1 ? " " : "s",
		    bucket_text(g[i].key / 64), g[i].key / 64 ? unit : "",
		    bucket_text(g[i].key / 4 % 16), g[i].key / 4 % 16 ? unit : "",
		    g[i].key % 4 == 0 ? "tick state ?" :
		    g[i].key % 4 == 2 ? "tick stopped" : "tick running",
		    fmt_strip(r1, sizeof(r1), g[i].wakeups),
		    fmt_strip(r2, sizeof(r2), g[i].loc), list);
		lines++;
	}
	if (rest_cpus > 0) {
		wt_frame_add(f, WT_R_TEXT, "+%d more CPUs in smaller groups: sum %s", rest_cpus,
		    fmt_strip(r1, sizeof(r1), rest_w));
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
	char r1[16], r2[16], busy[16];
	double w = 0, loc = 0, max = -1;
	size_t i;
	int idle = 0, unknown = 0, top = -1;

	for (i = 0; i < ncpus; i++) {
		if (w >= 0)
			w = cpus[i].wakeups < 0 ? -1 : w + cpus[i].wakeups;
		if (loc >= 0)
			loc = cpus[i].loc < 0 ? -1 : loc + cpus[i].loc;
		if (cpus[i].tick_stopped < 0)
			unknown++;
		else if (cpus[i].tick_stopped)
			idle++;
		if (cpus[i].wakeups > max) {
			max = cpus[i].wakeups;
			top = cpus[i].cpu;
		}
	}
	if (unknown)
		wt_frame_add(f, WT_R_TEXT, "%zu CPUs: %s, loc %s, tick state ?; busiest cpu%d %s",
		    ncpus, fmt_strip(r1, sizeof(r1), w), fmt_strip(r2, sizeof(r2), loc), top,
		    fmt_strip(busy, sizeof(busy), max));
	else
		wt_frame_add(f, WT_R_TEXT, "%zu CPUs: %s, loc %s, %d idle; busiest cpu%d %s",
		    ncpus, fmt_strip(r1, sizeof(r1), w), fmt_strip(r2, sizeof(r2), loc), idle,
		    top, fmt_strip(busy, sizeof(busy), max));
	return 1;
}

/* Add the per-CPU strip. */
int
wt_cpustrip_render(struct wt_frame *f, const struct wt_cpu *cpus, size_t ncpus,
    int max_lines, bool counts)
{
	int per = f->width / CELL_WIDTH;

	if (per > 1024 / (CELL_WIDTH * 2))
		per = 1024 / (CELL_WIDTH * 2);
	if (ncpus == 0 || max_lines <= 0)
		return 0;
	unit = counts ? "" : "/s";
	if (per < 1)
		per = 1;
	if ((ncpus + (size_t)per - 1) / (size_t)per <= (size_t)max_lines)
		return render_cells(f, cpus, ncpus);
	if (max_lines == 1)
		return render_summary(f, cpus, ncpus);
	return render_groups(f, cpus, ncpus, max_lines);
}
