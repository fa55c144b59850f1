/*
 * The wakeup attribution on the real wakeup traces of the corpus (trees
 * ending in -trace): the idle exits per CPU equal truth.json's, the sources'
 * wakeups add up to them, and the wakeups credited to the 200 Hz `usleep`
 * loop pinned to CPU 0 (its hrtimer_wakeup timers) equal a count this test
 * makes on its own from the trace text, line by line.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "knames.h"
#include "minijson.h"
#include "source.h"
#include "tap.h"
#include "trace_text.h"
#include "trace_lines.h"

/* The reader names the callbacks of a text trace. */
static struct td_trace_text *reader;

static const char *
fn_name(void *ctx, uint64_t fn)
{
	(void)ctx;
	return td_trace_text_function_name(reader, fn);
}

static bool
fn_is_tick(void *ctx, uint64_t fn)
{
	const char *n = fn_name(ctx, fn);

	return td_knames_is_tick_name(n);
}

static void
feed(const struct td_tev *ev, void *arg)
{
	td_attr_event(arg, ev);
}

/*
 * The test's own count, from the text: idle periods of CPU 0 (cpu_idle N to
 * the exit, the waking interrupt logged inside on these kernels) whose first
 * hard interrupt fired an hrtimer_wakeup timer last armed by a `usleep` task.
 */
#define MAXPTR	4096
static long
count_usleep_wakeups(const char *path)
{
	static char ptrs[MAXPTR][24];
	static bool byusleep[MAXPTR];
	char line[4096], ptr[24], fn[64], comm[64], state[24];
	int nptr = 0, irqs = 0;
	bool idle = false, credited = false, decided = false;
	long n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#')
			continue;
		if (strstr(line, " hrtimer_start: ") != NULL) {
			int i;

			field(line, "hrtimer=", ptr, sizeof(ptr));
			line_comm(line, comm, sizeof(comm));
			for (i = 0; i < nptr && strcmp(ptrs[i], ptr) != 0; i++)
				;
			if (i == nptr && nptr < MAXPTR)
				strlcpy(ptrs[nptr++], ptr, sizeof(ptrs[0]));
			if (i < MAXPTR)
				byusleep[i] = strcmp(comm, "usleep") == 0;
			continue;
		}
		if (line_cpu(line) != 0)
			continue;
		if (strstr(line, " cpu_idle: ") != NULL) {
			field(line, "state=", state, sizeof(state));
			if (strcmp(state, "4294967295") == 0) {
				n += idle && credited;
				idle = false;
			} else {
				idle = true;
				credited = false;
				decided = false;
				irqs = 0;
			}
			continue;
		}
		if (!idle)
			continue;
		if (strstr(line, " local_timer_entry: ") != NULL ||
		    strstr(line, " irq_handler_entry: ") != NULL ||
		    (strstr(line, "_entry: vector=") != NULL)) {
			irqs++;
			continue;
		}
		/* The first hrtimer other than the tick's in the waking interrupt decides. */
		if (strstr(line, " hrtimer_expire_entry: ") != NULL && irqs <= 1 && !decided) {
			field(line, "function=", fn, sizeof(fn));
			field(line, "hrtimer=", ptr, sizeof(ptr));
			if (strcmp(fn, "tick_sched_timer") == 0 || strcmp(fn, "tick_nohz_handler") == 0)
				continue;
			decided = true;
			for (int i = 0; i < nptr && strcmp(fn, "hrtimer_wakeup") == 0; i++)
				if (strcmp(ptrs[i], ptr) == 0 && byusleep[i])
					credited = true;
		}
	}
	fclose(f);
	return n;
}

/* One -trace capture. */
static void
capture(const char *dir)
{
	char tpath[4200], path[4200];
	struct td_attr_opts o = { 0 };
	const char *name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	struct td_sample *p;
	struct td_attr *a;
	struct td_error e;
	struct td_buf tb;
	struct mj truth;
	uint64_t sum = 0, usleep0 = 0;
	long want;
	FILE *f;
	int ncpus;

	snprintf(tpath, sizeof(tpath), "%s/truth.json", dir);
	snprintf(path, sizeof(path), "%s/trace-wakeup-events.txt", dir);
	if (td_read_file(tpath, 1 << 20, &tb, NULL) < 0 || !mj_parse(tb.data, &truth)) {
		ok(0, "%s: truth.json", name);
		return;
	}
	td_buf_free(&tb);
	ncpus = (int)mj_get(&truth, "cpus")->num;
	if (td_trace_text_new(path, &reader, &e) < 0 || (f = fopen(path, "r")) == NULL) {
		ok(0, "%s: open the trace", name);
		mj_free(&truth);
		return;
	}
	o.ncpus = ncpus;
	o.wakeups = true;
	o.names = (struct td_attr_names){ .is_tick = fn_is_tick, .function = fn_name };
	if (td_attr_new(&o, &a, &e) < 0)
		abort();
	ok(td_trace_text_read(reader, f, feed, a, &e) >= 0, "%s: the trace reads", name);
	fclose(f);
	o.defer_flag = td_trace_text_deferrable_flag(reader);
	p = calloc(1, sizeof(*p));
	if (td_attr_collect(a, p, &e) < 0)
		abort();
	for (int c = 0; c < ncpus; c++) {
		is_int(p->cpu_wakeups[c], truth_cpu(&truth, "idle_exits_per_cpu", c),
		    "%s: CPU %d: wakeups equal truth's idle exits", name, c);
		is_int(p->cpu_wake_method[c], TD_WAKE_IDLE_EVENT,
		    "%s: CPU %d: counted by cpu_idle", name, c);
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct td_wsource *w = &p->src[i];

		sum += w->wakeups;
		if (w->kind == TD_KIND_HRTIMER && strcmp(w->function, "hrtimer_wakeup") == 0 &&
		    strcmp(w->comm, "usleep") == 0 && w->wakeups_per_cpu != NULL)
			usleep0 += w->wakeups_per_cpu[0];
	}
	is_int(sum, p->total_wakeups, "%s: the sources' wakeups add up to the idle exits", name);
	want = count_usleep_wakeups(path);
	ok(want > 0, "%s: the trace holds usleep wakeups on CPU 0 (%ld)", name, want);
	is_int(usleep0, want, "%s: CPU 0 wakeups credited to usleep's hrtimer_wakeup equal the "
	    "test's own count from the text", name);
	td_sample_free(p);
	td_attr_free(a);
	td_trace_text_free(reader);
	reader = NULL;
	mj_free(&truth);
}

int
main(void)
{
	const char *corpus = getenv("TD_CORPUS");
	char pat[4200];
	glob_t g;

	if (corpus == NULL || corpus[0] == '\0')
		return skip_all("TD_CORPUS is not set (no corpus)");
	snprintf(pat, sizeof(pat), "%s/kmatrix/*-trace", corpus);
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0)
		return skip_all("no -trace capture in the corpus");
	for (size_t i = 0; i < g.gl_pathc; i++)
		capture(g.gl_pathv[i]);
	globfree(&g);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
