/* Names of the live kernel's callbacks and tasks (knames.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "knames.h"
#include "ksyms.h"

#define TASK_MAX		8192		/* task names remembered at most */
#define FN_MAX			16384		/* callback names remembered at most */
#define KSYMS_READ		((size_t)64 << 10)	/* read size for /proc/kallsyms */

/* A task's name and class, looked up at first sight and kept across intervals. */
struct task {
	int		 pid;		/* -1 = empty slot */
	bool		 saved_tried;	/* saved_cmdlines consulted for it */
	char		 comm[32];
	enum td_task	 task;
	int		 tgid;		/* -1 unknown */
};

/* A callback's name, resolved once through /proc/kallsyms. */
struct fnname {
	uint64_t	 fn;		/* 0 = empty slot */
	char		*name;		/* NULL: no symbol */
	bool		 tick;		/* the tick's own hrtimer callback */
};

struct td_knames {
	struct td_ksyms		*ksyms;		/* loaded at open */
	int			 nsyms;		/* text symbols loaded */
	struct fnname		*fns;
	size_t			 fn_cap, fn_n;
	struct task		*tasks;
	size_t			 task_cap, task_n;
	void			(*gone)(void *ctx, int pid, char *out, size_t len);
	void			*gone_ctx;
};

const char *const td_knames_tick_functions[] = {
	"tick_sched_timer", "tick_nohz_handler", "tick_nohz_highres_handler", NULL,
};

/* Mix a 64-bit key into a hash. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * Open-addressed tables keyed by a uint64_t that is their entries' first
 * member (0: an empty slot); cap is a power of two.  The timer map and the
 * callback name cache are two of them.
 */

/* The slot holding key, or the empty slot where it would go (the table has one). */
static inline void *
slot64(void *tab, size_t cap, size_t size, uint64_t key)
{
	size_t h = mix(key) & (cap - 1);
	uint64_t k;

	for (;;) {
		char *e = (char *)tab + h * size;

		memcpy(&k, e, sizeof(k));
		if (k == 0 || k == key)
			return e;
		h = (h + 1) & (cap - 1);
	}
}

/* A new zeroed table of ncap slots holding the entries of tab; NULL without memory. */
static void *
rehash64(const void *tab, size_t cap, size_t ncap, size_t size)
{
	char *nt = calloc(ncap, size);
	uint64_t k;

	for (size_t i = 0; nt != NULL && i < cap; i++) {
		const char *e = (const char *)tab + i * size;

		memcpy(&k, e, sizeof(k));
		if (k != 0)
			memcpy(slot64(nt, ncap, size, k), e, size);
	}
	return nt;
}

/*
 * Read /proc/PID/comm, and from /proc/PID/status its process and whether it
 * is a kernel thread (status, unlike stat, does not sum the CPU times of
 * every thread of the group).
 */
static void
task_lookup(int pid, struct task *tk)
{
	char path[64], line[256];
	bool kline = false;
	int ppid = -1;
	FILE *f;

	tk->pid = pid;
	tk->saved_tried = false;
	tk->comm[0] = '\0';
	tk->task = TD_TASK_UNKNOWN;
	tk->tgid = -1;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(tk->comm, sizeof(tk->comm), f) != NULL)
		tk->comm[strcspn(tk->comm, "\n")] = '\0';
	fclose(f);
	tk->task = TD_TASK_USER;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Tgid:", 5) == 0)
			tk->tgid = atoi(line + 5);
		else if (strncmp(line, "PPid:", 5) == 0)
			ppid = atoi(line + 5);
		else if (strncmp(line, "Kthread:", 8) == 0) {
			kline = true;
			if (atoi(line + 8) == 1)
				tk->task = TD_TASK_KTHREAD;
			break;
		}
	}
	fclose(f);
	/* Kernels without the Kthread line: kthreadd and its children. */
	if (!kline && (pid == 2 || ppid == 2))
		tk->task = TD_TASK_KTHREAD;
}

/* The name of pid, looked up on first sight (kept across intervals). */
static struct task *
task_get(struct td_knames *t, int pid)
{
	size_t h;

	if ((t->task_n + 1) * 2 > t->task_cap) {
		size_t ncap = t->task_cap ? t->task_cap * 2 : 256;
		struct task *nt = malloc(ncap * sizeof(*nt));

		if (nt == NULL)
			return NULL;
		for (size_t i = 0; i < ncap; i++)
			nt[i].pid = -1;
		for (size_t i = 0; i < t->task_cap; i++) {
			if (t->tasks[i].pid < 0)
				continue;
			h = mix((uint64_t)t->tasks[i].pid) & (ncap - 1);
			while (nt[h].pid >= 0)
				h = (h + 1) & (ncap - 1);
			nt[h] = t->tasks[i];
		}
		free(t->tasks);
		t->tasks = nt;
		t->task_cap = ncap;
	}
	h = mix((uint64_t)pid) & (t->task_cap - 1);
	while (t->tasks[h].pid >= 0) {
		if (t->tasks[h].pid == pid)
			return &t->tasks[h];
		h = (h + 1) & (t->task_cap - 1);
	}
	task_lookup(pid, &t->tasks[h]);
	t->task_n++;
	return &t->tasks[h];
}

/* Forget the task names when too many were kept (pids are reused in time). */
static void
task_trim(struct td_knames *t)
{
	if (t->task_n < TASK_MAX)
		return;
	for (size_t i = 0; i < t->task_cap; i++)
		t->tasks[i].pid = -1;
	t->task_n = 0;
}

/* The cache slot of callback fn (empty if not resolved yet); the table has room. */
static struct fnname *
fn_slot(struct td_knames *t, uint64_t fn)
{
	return slot64(t->fns, t->fn_cap, sizeof(*t->fns), fn);
}

/* Empty the callback name cache. */
static void
fn_clear(struct td_knames *t)
{
	for (size_t i = 0; i < t->fn_cap; i++) {
		free(t->fns[i].name);
		t->fns[i].name = NULL;
		t->fns[i].fn = 0;
	}
	t->fn_n = 0;
}

/* The cache entry of callback fn, named through kallsyms on first sight; NULL on ENOMEM. */
static struct fnname *
fn_get(struct td_knames *t, uint64_t fn)
{
	struct fnname *slot;
	const char *nm;

	if (fn == 0)
		return NULL;
	if ((t->fn_n + 1) * 2 > t->fn_cap) {
		size_t ncap = t->fn_cap ? t->fn_cap * 2 : 64;
		struct fnname *nf = rehash64(t->fns, t->fn_cap, ncap, sizeof(*nf));

		if (nf == NULL)
			return NULL;
		free(t->fns);
		t->fns = nf;
		t->fn_cap = ncap;
	}
	slot = fn_slot(t, fn);
	if (slot->fn == fn)
		return slot;
	slot->fn = fn;
	slot->tick = false;
	slot->name = NULL;
	t->fn_n++;
	if (t->ksyms != NULL && (nm = td_ksyms_name(t->ksyms, fn)) != NULL) {
		slot->name = strdup(nm);
		for (size_t i = 0; td_knames_tick_functions[i] != NULL; i++)
			slot->tick = slot->tick ||
			    strcmp(nm, td_knames_tick_functions[i]) == 0;
	}
	return slot;
}

/* The attribution's question: is fn the tick's own hrtimer callback? */
bool
td_knames_is_tick(void *ctx, uint64_t fn)
{
	const struct fnname *f = fn_get(ctx, fn);

	return f != NULL && f->tick;
}

/* The attribution's question: the name of callback fn, NULL when unknown. */
const char *
td_knames_function(void *ctx, uint64_t fn)
{
	const struct fnname *f = fn_get(ctx, fn);

	return f != NULL ? f->name : NULL;
}

/* The attribution's question: the comm, class and process of task pid. */
void
td_knames_task(void *ctx, int pid, struct td_task_info *ti)
{
	struct td_knames *t = ctx;
	struct task *tk = task_get(t, pid);

	if (tk == NULL)
		return;
	if (tk->comm[0] == '\0' && !tk->saved_tried) {
		/* Gone already: the name tracing saved for it, once. */
		if (ti->comm[0] != '\0')
			strlcpy(tk->comm, ti->comm, sizeof(tk->comm));
		else if (t->gone != NULL)
			t->gone(t->gone_ctx, pid, tk->comm, sizeof(tk->comm));
		tk->saved_tried = true;
	}
	if (tk->comm[0] != '\0')
		strlcpy(ti->comm, tk->comm, sizeof(ti->comm));
	if (tk->task != TD_TASK_UNKNOWN)
		ti->task = tk->task;
	else if (ti->comm[0] != '\0')
		ti->task = TD_TASK_USER;
	if (tk->tgid >= 0)
		ti->tgid = tk->tgid;
}

/* Load the kernel's text symbols (callbacks are named by address). */
static void
load_ksyms(struct td_knames *t)
{
	FILE *f;

	t->nsyms = 0;
	if ((f = fopen("/proc/kallsyms", "re")) == NULL)
		return;
	/* 5 MB or more: 64 KiB reads, not stdio's 1 KiB (procfs's blksize) */
	char *vb = malloc(KSYMS_READ);

	if (vb != NULL)
		setvbuf(f, vb, _IOFBF, KSYMS_READ);
	if (td_ksyms_load(f, &t->ksyms, NULL) == 0)
		t->nsyms = (int)td_ksyms_count(t->ksyms);
	fclose(f);
	free(vb);
}


/* Forget the cached names that grew past their bound. */
void
td_knames_trim(struct td_knames *t)
{
	if (t->fn_n > FN_MAX)
		fn_clear(t);
	task_trim(t);
}

/* Load the symbols, start empty caches. */
int
td_knames_new(void (*gone)(void *ctx, int pid, char *out, size_t len), void *gone_ctx,
    struct td_knames **out)
{
	struct td_knames *t;

	if ((*out = t = calloc(1, sizeof(*t))) == NULL)
		return -ENOMEM;
	t->gone = gone;
	t->gone_ctx = gone_ctx;
	load_ksyms(t);
	return 0;
}

/* Text symbols loaded. */
int
td_knames_nsyms(const struct td_knames *t)
{
	return t->nsyms;
}

/* The symbol table, NULL if none. */
struct td_ksyms *
td_knames_ksyms(struct td_knames *t)
{
	return t->ksyms;
}

/* Free the caches and the symbols; NULL is fine. */
void
td_knames_free(struct td_knames *t)
{
	if (t == NULL)
		return;
	if (t->fns != NULL)
		fn_clear(t);
	free(t->fns);
	td_ksyms_free(t->ksyms);
	free(t->tasks);
	free(t);
}
