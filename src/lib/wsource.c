/* Samples of wakeup sources: add, merge by identity, rates, names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sampler.h"
#include "strpool.h"

/* Free what one source owns (its names are its sample's). */
static void
source_release(struct td_wsource *w)
{
	free(w->desc);
	free(w->per_cpu);
	free(w->wakeups_per_cpu);
}

/* Free a sample and everything it owns; NULL is fine. */
void
td_sample_free(struct td_sample *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		source_release(&p->src[i]);
	free(p->src);
	free(p->cpu_wakeups);
	free(p->cpu_wake_method);
	free(p->cpu_idle_misses);
	if (p->names != NULL) {
		td_strpool_fini(p->names);
		free(p->names);
	}
	free(p);
}

const char *
td_sample_str(struct td_sample *p, const char *s)
{
	if (p->names == NULL) {
		if ((p->names = malloc(sizeof(*p->names))) == NULL)
			return NULL;
		td_strpool_init(p->names);
	}
	return td_strpool_intern(p->names, s, strlen(s));
}

/* Append a zeroed source (pid and irq unknown) to p. */
struct td_wsource *
td_sample_add(struct td_sample *p)
{
	struct td_wsource *w;

	/* Grow by doubling; the capacity is the next power of two above n. */
	if ((p->n & (p->n - 1)) == 0 && p->n >= 8) {
		w = reallocarray(p->src, p->n * 2, sizeof(*w));
		if (w == NULL)
			return NULL;
		p->src = w;
	} else if (p->n == 0) {
		if ((p->src = calloc(8, sizeof(*w))) == NULL)
			return NULL;
	}
	w = &p->src[p->n++];
	memset(w, 0, sizeof(*w));
	w->pid = -1;
	w->tgid = -1;
	w->irq = -1;
	return w;
}

/* Compare two optional names of one sample (td_sample_str) for identity. */
static int
strcmp_null(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* Whether a source is known to be deferrable (unknown counts as not). */
static bool
known_deferrable(const struct td_wsource *w)
{
	return (w->known & TD_WS_DEFERRABLE) && w->deferrable;
}

/* Order sources by what fired: kind, function, site. */
static int
what_cmp(const struct td_wsource *a, const struct td_wsource *b)
{
	int c;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if ((c = strcmp_null(a->function, b->function)) != 0)
		return c;
	return strcmp_null(a->site, b->site);
}

/* Order sources by identity: kind, function, site, pid, comm, irq, deferrable. */
static int
identity_cmp(const void *va, const void *vb)
{
	const struct td_wsource *a = va, *b = vb;
	int c;

	if ((c = what_cmp(a, b)) != 0)
		return c;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if ((c = strcmp(a->comm, b->comm)) != 0)
		return c;
	if (a->irq != b->irq)
		return a->irq < b->irq ? -1 : 1;
	/* A deferrable timer is not the same timer as one that is not. */
	if (known_deferrable(a) != known_deferrable(b))
		return known_deferrable(a) ? 1 : -1;
	return 0;
}

/* Add the counters of CPUs [from, to) in add (NULL: none) into dst, whose first is CPU lo's. */
static void
add_cpus(uint64_t *dst, int lo, const uint64_t *add, int from, int to)
{
	for (int c = from; add != NULL && c < to; c++)
		dst[c - lo] += add[c - from];
}

/*
 * The counters per CPU of x (CPUs [x0, xn)) and y (CPUs [y0, yn)) added into a
 * new array of CPUs [lo, hi); NULL when both are NULL, or (*nomem set) on ENOMEM.
 */
static uint64_t *
union_cpus(const uint64_t *x, int x0, int xn, const uint64_t *y, int y0, int yn, int lo, int hi,
    bool *nomem)
{
	uint64_t *n;

	if (x == NULL && y == NULL)
		return NULL;
	if ((n = calloc(hi > lo ? (size_t)(hi - lo) : 1, sizeof(*n))) == NULL) {
		*nomem = true;
		return NULL;
	}
	add_cpus(n, lo, x, x0, xn);
	add_cpus(n, lo, y, y0, yn);
	return n;
}

/*
 * Add b's counters per CPU into a's: in place when a's CPUs hold b's, else
 * into arrays of the CPUs of both (on ENOMEM a keeps its own).
 */
static void
merge_cpus(struct td_wsource *a, const struct td_wsource *b)
{
	bool had = a->per_cpu != NULL || a->wakeups_per_cpu != NULL, nomem = false;
	/* whether each has a CPU counted (an empty array widens nothing) */
	bool ca = had && a->ncpus > a->cpu0, cb = b->ncpus > b->cpu0;
	int lo = 0, hi = 0;
	uint64_t *pc, *wk;

	if (b->per_cpu == NULL && b->wakeups_per_cpu == NULL)
		return;
	if (ca) {
		lo = cb && b->cpu0 < a->cpu0 ? b->cpu0 : a->cpu0;
		hi = cb && b->ncpus > a->ncpus ? b->ncpus : a->ncpus;
	} else if (cb) {
		lo = b->cpu0;
		hi = b->ncpus;
	}
	if (had && lo == a->cpu0 && hi == a->ncpus &&
	    (b->per_cpu == NULL || a->per_cpu != NULL) &&
	    (b->wakeups_per_cpu == NULL || a->wakeups_per_cpu != NULL)) {
		if (a->per_cpu != NULL)
			add_cpus(a->per_cpu, lo, b->per_cpu, b->cpu0, b->ncpus);
		if (a->wakeups_per_cpu != NULL)
			add_cpus(a->wakeups_per_cpu, lo, b->wakeups_per_cpu, b->cpu0, b->ncpus);
		return;
	}
	pc = union_cpus(a->per_cpu, a->cpu0, a->ncpus, b->per_cpu, b->cpu0, b->ncpus, lo, hi,
	    &nomem);
	wk = union_cpus(a->wakeups_per_cpu, a->cpu0, a->ncpus, b->wakeups_per_cpu, b->cpu0,
	    b->ncpus, lo, hi, &nomem);
	if (nomem) {
		free(pc);
		free(wk);
		return;
	}
	free(a->per_cpu);
	free(a->wakeups_per_cpu);
	a->per_cpu = pc;
	a->wakeups_per_cpu = wk;
	a->cpu0 = lo;
	a->ncpus = hi;
}

/* Add source b's counters into a (same identity) and free what b owns. */
static void
merge_into(struct td_wsource *a, struct td_wsource *b)
{
	a->count += b->count;
	a->wakeups += b->wakeups;
	a->ntasks += b->ntasks;
	a->arms += b->arms;
	a->expiries += b->expiries;
	a->cancels += b->cancels;
	a->known |= b->known;
	a->deferrable = a->deferrable || b->deferrable;
	a->pinned = a->pinned || b->pinned;
	a->local_timer = a->local_timer || b->local_timer;
	merge_cpus(a, b);
	if (a->tgid != b->tgid)
		a->tgid = -1;
	if (a->desc == NULL) {
		a->desc = b->desc;
		b->desc = NULL;
	}
	source_release(b);
}

/* Whether p's sources are in identity order (finished once already): no sort then. */
static bool
in_order(const struct td_sample *p)
{
	for (size_t i = 1; i < p->n; i++)
		if (identity_cmp(&p->src[i - 1], &p->src[i]) > 0)
			return false;
	return true;
}

/* Merge sources of equal identity, total the counts, and compute rates. */
void
td_sample_finish(struct td_sample *p)
{
	size_t out = 0;

	if (p->n > 1 && !in_order(p))
		qsort(p->src, p->n, sizeof(p->src[0]), identity_cmp);
	for (size_t i = 0; i < p->n; i++) {
		if (out > 0 && identity_cmp(&p->src[out - 1], &p->src[i]) == 0) {
			merge_into(&p->src[out - 1], &p->src[i]);
			continue;
		}
		if (out != i)
			p->src[out] = p->src[i];
		out++;
	}
	p->n = out;
	p->total_events = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct td_wsource *w = &p->src[i];

		p->total_events += w->count;
		w->rate = 0;
		w->wakeup_rate = 0;
		w->known &= ~(unsigned)TD_WS_RATE;
		if (p->period_ns != 0) {
			w->rate = (double)w->count * 1e9 / (double)p->period_ns;
			w->wakeup_rate = (double)w->wakeups * 1e9 / (double)p->period_ns;
			w->known |= TD_WS_RATE;
		}
	}
}

/* Name of a kind of wakeup source. */
const char *
td_kind_name(enum td_kind k)
{
	switch (k) {
	case TD_KIND_TIMER:
		return "timer";
	case TD_KIND_HRTIMER:
		return "hrtimer";
	case TD_KIND_IRQ:
		return "irq";
	case TD_KIND_VECTOR:
		return "vector";
	case TD_KIND_SOFTIRQ:
		return "softirq";
	case TD_KIND_UNKNOWN:
		return "unknown";
	}
	return "?";
}

/* Name of a backend. */
const char *
td_backend_name(enum td_backend b)
{
	switch (b) {
	case TD_BACKEND_AUTO:
		return "auto";
	case TD_BACKEND_TIMER_STATS:
		return "timer_stats";
	case TD_BACKEND_TRACEFS:
		return "tracefs";
	case TD_BACKEND_INTERRUPTS:
		return "interrupts";
	case TD_BACKEND_TRACE:
		return "trace";
	case TD_BACKEND_BPF:
		return "bpf";
	}
	return "?";
}

/* Parse a backend name. */
int
td_backend_parse(const char *name, enum td_backend *out)
{
	static const enum td_backend all[] = {
		TD_BACKEND_AUTO, TD_BACKEND_TIMER_STATS, TD_BACKEND_TRACEFS,
		TD_BACKEND_INTERRUPTS, TD_BACKEND_TRACE, TD_BACKEND_BPF,
	};

	for (size_t i = 0; i < TD_ARRAY_SIZE(all); i++)
		if (strcmp(name, td_backend_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -EINVAL;
}

/* Name of a task class. */
const char *
td_task_name(enum td_task t)
{
	switch (t) {
	case TD_TASK_UNKNOWN:
		return "unknown";
	case TD_TASK_USER:
		return "user";
	case TD_TASK_KTHREAD:
		return "kthread";
	case TD_TASK_IDLE:
		return "idle";
	case TD_TASK_IRQ:
		return "irq";
	case TD_TASK_TICK:
		return "tick";
	}
	return "?";
}

/* Subtract one counter, taking a reset counter from zero. */
static uint64_t
sub_counter(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : cur;
}

/* Subtract prev from cur by identity and drop sources left at zero. */
void
td_sample_delta(struct td_sample *cur, const struct td_sample *prev)
{
	size_t j = 0, out = 0;

	for (size_t i = 0; i < cur->n; i++) {
		struct td_wsource *w = &cur->src[i];
		int c = 1;

		while (prev != NULL && j < prev->n &&
		    (c = identity_cmp(&prev->src[j], w)) < 0)
			j++;
		if (prev != NULL && j < prev->n && c == 0) {
			const struct td_wsource *o = &prev->src[j];
			bool reset = w->count < o->count;

			if (!reset) {
				w->count -= o->count;
				w->arms = sub_counter(w->arms, o->arms);
				w->expiries = sub_counter(w->expiries, o->expiries);
				w->cancels = sub_counter(w->cancels, o->cancels);
				/* the CPUs both have (o had none on the others) */
				for (int k = w->cpu0 > o->cpu0 ? w->cpu0 : o->cpu0;
				    w->per_cpu != NULL && o->per_cpu != NULL &&
				    k < w->ncpus && k < o->ncpus; k++)
					w->per_cpu[k - w->cpu0] = sub_counter(
					    w->per_cpu[k - w->cpu0], o->per_cpu[k - o->cpu0]);
			}
		}
		if (w->count == 0 && w->arms == 0 && w->cancels == 0) {
			source_release(w);
			continue;
		}
		if (out != i)
			cur->src[out] = *w;
		out++;
	}
	cur->n = out;
	td_sample_finish(cur);
}

/* A deep copy of a sample. */
int
td_sample_dup(const struct td_sample *p, struct td_sample **out)
{
	struct td_sample *c;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	*c = *p;
	c->src = NULL;
	c->n = 0;
	c->names = NULL;
	c->cpu_wakeups = NULL;
	c->cpu_wake_method = NULL;
	c->cpu_idle_misses = NULL;
	if (p->cpu_idle_misses != NULL) {
		if ((c->cpu_idle_misses = calloc((size_t)p->ncpus, sizeof(uint64_t))) == NULL)
			goto fail;
		memcpy(c->cpu_idle_misses, p->cpu_idle_misses, (size_t)p->ncpus * sizeof(uint64_t));
	}
	if (p->cpu_wakeups != NULL) {
		if ((c->cpu_wakeups = calloc((size_t)p->ncpus, sizeof(uint64_t))) == NULL ||
		    (c->cpu_wake_method = calloc((size_t)p->ncpus, 1)) == NULL)
			goto fail;
		memcpy(c->cpu_wakeups, p->cpu_wakeups, (size_t)p->ncpus * sizeof(uint64_t));
		memcpy(c->cpu_wake_method, p->cpu_wake_method, (size_t)p->ncpus);
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct td_wsource *o = &p->src[i];
		struct td_wsource *w = td_sample_add(c);

		if (w == NULL)
			goto fail;
		*w = *o;
		w->function = NULL;
		w->site = NULL;
		w->per_cpu = NULL;
		w->wakeups_per_cpu = NULL;
		w->desc = NULL;
		if ((o->desc && (w->desc = strdup(o->desc)) == NULL) ||
		    (o->function && (w->function = td_sample_str(c, o->function)) == NULL) ||
		    (o->site && (w->site = td_sample_str(c, o->site)) == NULL))
			goto fail;
		if (o->per_cpu != NULL) {
			if ((w->per_cpu = calloc(o->ncpus > o->cpu0 ? (size_t)(o->ncpus - o->cpu0) : 1,
			    sizeof(uint64_t))) == NULL)
				goto fail;
			memcpy(w->per_cpu, o->per_cpu, (size_t)(o->ncpus - o->cpu0) * sizeof(uint64_t));
		}
		if (o->wakeups_per_cpu != NULL) {
			if ((w->wakeups_per_cpu = calloc(o->ncpus > o->cpu0 ?
			    (size_t)(o->ncpus - o->cpu0) : 1, sizeof(uint64_t))) == NULL)
				goto fail;
			memcpy(w->wakeups_per_cpu, o->wakeups_per_cpu,
			    (size_t)(o->ncpus - o->cpu0) * sizeof(uint64_t));
		}
	}
	*out = c;
	return 0;
fail:
	td_sample_free(c);
	return -ENOMEM;
}

/* Order task sources by kind, function, site, then the group key (process or comm). */
static enum td_group group_by;

static int
group_key_cmp(const void *va, const void *vb)
{
	const struct td_wsource *a = va, *b = vb;

	if (group_by == TD_GROUP_PROCESS)
		return a->tgid < b->tgid ? -1 : a->tgid > b->tgid;
	return strcmp(a->comm, b->comm);
}

static int
group_cmp(const void *va, const void *vb)
{
	int c = what_cmp(va, vb);

	return c != 0 ? c : group_key_cmp(va, vb);
}

/*
 * Put p's sources in group_cmp's order.  A finished sample is in identity
 * order, whose runs of one "what" group_cmp keeps: only a run out of its
 * group keys' order is sorted, by the keys alone (the 10,000 threads of one
 * process on one callback are a run in order already).
 */
static void
group_sort(struct td_sample *p)
{
	if (!in_order(p)) {
		qsort(p->src, p->n, sizeof(p->src[0]), group_cmp);
		return;
	}
	for (size_t i = 0, j; i < p->n; i = j) {
		bool sorted = true;

		for (j = i + 1; j < p->n && what_cmp(&p->src[i], &p->src[j]) == 0; j++)
			sorted = sorted && group_key_cmp(&p->src[j - 1], &p->src[j]) <= 0;
		if (!sorted)
			qsort(&p->src[i], j - i, sizeof(p->src[0]), group_key_cmp);
	}
}

/* Whether a source is a task's that can fold into a group row. */
static bool
groupable(const struct td_wsource *w, enum td_group g)
{
	if (w->pid <= 0)	/* interrupts, the idle task, the tick */
		return false;
	return g != TD_GROUP_PROCESS || ((w->known & TD_WS_TGID) && w->tgid > 0);
}

/*
 * Key p's sources by process or command name (td_sample_group in sampler.h):
 * sort the task sources by the group key, give each run of more than one task
 * the group's identity (process: pid = tgid and the main thread's comm; comm:
 * no pid), and let td_sample_finish merge the rows that became equal.
 */
int
td_sample_group(struct td_sample *p, enum td_group g)
{
	if (g == TD_GROUP_THREAD || p->n == 0)
		return 0;
	group_by = g;
	group_sort(p);
	for (size_t i = 0, j; i < p->n; i = j) {
		const struct td_wsource *lead = &p->src[i];
		bool several = false;

		j = i + 1;
		if (!groupable(lead, g))
			continue;
		for (; j < p->n && groupable(&p->src[j], g) &&
		    group_cmp(lead, &p->src[j]) == 0; j++) {
			several = several || p->src[j].pid != lead->pid;
			if (p->src[j].pid == p->src[j].tgid)
				lead = &p->src[j];
		}
		for (size_t k = i; k < j; k++) {
			struct td_wsource *w = &p->src[k];

			if (w->ntasks == 0)
				w->ntasks = 1;
			if (!several)
				continue;
			if (g == TD_GROUP_PROCESS) {
				w->pid = w->tgid;
				if (w != lead)
					memcpy(w->comm, lead->comm, sizeof(w->comm));
			} else {
				w->pid = -1;
				w->tgid = -1;
				w->known &= ~(unsigned)TD_WS_TGID;
			}
		}
	}
	td_sample_finish(p);
	return 0;
}

/* Keep the sources keep() says yes to, in order, freeing the others; then finish. */
void
td_sample_keep(struct td_sample *p, bool (*keep)(struct td_wsource *w, void *arg), void *arg)
{
	size_t out = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct td_wsource *w = &p->src[i];

		if (!keep(w, arg)) {
			source_release(w);
			continue;
		}
		if (out != i)
			p->src[out] = *w;
		out++;
	}
	p->n = out;
	td_sample_finish(p);
}

/* The task filter of td_sample_filter_task: {pid, tid}. */
static bool
task_wanted(struct td_wsource *w, void *arg)
{
	const int *f = arg;

	return (f[1] < 0 || w->pid == f[1]) &&
	    (f[0] < 0 || ((w->known & TD_WS_TGID) ? w->tgid == f[0] : w->pid == f[0]));
}

/* Keep only the sources armed by process pid or thread tid. */
void
td_sample_filter_task(struct td_sample *p, int pid, int tid)
{
	int f[2] = { pid, tid };

	if (pid < 0 && tid < 0)
		return;
	td_sample_keep(p, task_wanted, f);
}

/* Name of a grouping. */
const char *
td_group_name(enum td_group g)
{
	switch (g) {
	case TD_GROUP_THREAD:
		return "thread";
	case TD_GROUP_PROCESS:
		return "process";
	case TD_GROUP_COMM:
		return "comm";
	}
	return "?";
}

/* Parse a grouping name. */
int
td_group_parse(const char *name, enum td_group *out)
{
	for (int g = TD_GROUP_THREAD; g <= TD_GROUP_COMM; g++)
		if (strcmp(name, td_group_name((enum td_group)g)) == 0) {
			*out = (enum td_group)g;
			return 0;
		}
	return -EINVAL;
}

/* Name of a way of counting wakeups. */
const char *
td_wake_method_name(enum td_wake_method m)
{
	switch (m) {
	case TD_WAKE_UNKNOWN:
		return "unknown";
	case TD_WAKE_IDLE_EVENT:
		return "cpu_idle";
	case TD_WAKE_IDLE_TASK:
		return "idle_task";
	case TD_WAKE_CPUIDLE_USAGE:
		return "cpuidle_usage";
	}
	return "?";
}
