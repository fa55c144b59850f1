/* Names of the live kernel's callbacks and tasks (knames.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armers.h"
#include "internal.h"
#include "knames.h"
#include "ksyms.h"
#include "lru.h"
#include "tasks.h"
#include "test_hooks.h"

#define TASK_MAX		32768		/* tasks remembered at most (the least recent go) */
#define FN_MAX			16384		/* callback names remembered at most (the least recent go) */
#define KSYMS_READ		((size_t)64 << 10)	/* read size for /proc/kallsyms */

/* A callback's name, resolved once through /proc/kallsyms. */
struct fnname {
	char		*name;		/* NULL: no symbol */
	bool		 tick;		/* the tick's own hrtimer callback */
};

struct td_knames {
	struct td_ksyms		*ksyms;		/* loaded at open (full table), else NULL */
	uint64_t		 tick_fn[3];	/* without the table: the tick's callbacks (0: none) */
	bool			 tick_known;	/* tick_fn searched (or the table loaded) */
	bool			 tick_by_fn;	/* tick_fn searched: it answers, table or not */
	int			 nsyms;		/* text symbols loaded or seen; -1 not read yet */
	char			 why[128];	/* nsyms 0: why (td_knames_why_none) */
	struct td_lru		*fns;		/* struct fnname by address */
	struct td_tasks		*tasks;
	void			(*gone)(void *ctx, int pid, char *out, size_t len);
	void			*gone_ctx;
};

const char *const td_knames_tick_functions[] = {
	"tick_sched_timer", "tick_nohz_handler", "tick_nohz_highres_handler", NULL,
};

static const char *kallsyms_path = "/proc/kallsyms";

/* Read symbols from path instead of /proc/kallsyms (NULL: back to it). */
void
td_knames_kallsyms_path(const char *path)
{
	kallsyms_path = path != NULL ? path : "/proc/kallsyms";
}

/* Whether name is the tick's hrtimer callback. */
bool
td_knames_is_tick_name(const char *name)
{
	for (size_t i = 0; name != NULL && td_knames_tick_functions[i] != NULL; i++)
		if (strcmp(name, td_knames_tick_functions[i]) == 0)
			return true;
	return false;
}

/* Free what a cached name holds (td_lru's drop). */
static void
fn_drop(void *val)
{
	struct fnname *f = val;

	free(f->name);
	f->name = NULL;
}

/* Cache name (taken over, NULL: no symbol) for callback fn. */
static struct fnname *
fn_put(struct td_knames *t, uint64_t fn, char *name)
{
	bool fresh;
	struct fnname *f = td_lru_get(t->fns, fn, &fresh);

	free(f->name);
	f->name = name;
	f->tick = td_knames_is_tick_name(name);
	return f;
}

/*
 * The cache entry of callback fn, made the most recently used; with the
 * full table, named through it on first sight.  NULL on ENOMEM, or (without
 * the table) when not named yet.
 */
static struct fnname *
fn_get(struct td_knames *t, uint64_t fn)
{
	struct fnname *f;
	const char *nm;
	char *name = NULL;

	if (fn == 0)
		return NULL;
	if ((f = td_lru_use(t->fns, fn)) != NULL || t->ksyms == NULL)
		return f;
	if ((nm = td_ksyms_name(t->ksyms, fn)) != NULL && (name = strdup(nm)) == NULL)
		return NULL;
	return fn_put(t, fn, name);
}

/* The attribution's question at event time: is fn the tick's own hrtimer callback? */
bool
td_knames_is_tick(void *ctx, uint64_t fn)
{
	struct td_knames *t = ctx;
	const struct fnname *f;

	/*
	 * Its addresses, where a pass found them, also once the table is
	 * loaded: a look in the cache of names at every timer event was 5 % of
	 * timerstat's CPU at 10,000 sources.
	 */
	if (t->ksyms == NULL || t->tick_by_fn) {
		for (size_t i = 0; i < TD_ARRAY_SIZE(t->tick_fn); i++)
			if (fn != 0 && fn == t->tick_fn[i])
				return true;
		return false;
	}
	f = fn_get(t, fn);
	return f != NULL && f->tick;
}

/* The attribution's question: the name of callback fn, NULL when unknown. */
const char *
td_knames_function(void *ctx, uint64_t fn)
{
	const struct fnname *f = fn_get(ctx, fn);

	return f != NULL ? f->name : NULL;
}

/* Add fn (not 0, not the last one again) to a list of addresses to name. */
void
td_knames_list_add(struct td_knames_list *l, uint64_t fn)
{
	if (fn == 0 || (l->n > 0 && l->addr[l->n - 1] == fn))
		return;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		uint64_t *na = reallocarray(l->addr, nc, sizeof(*na));

		if (na == NULL) {
			l->nomem = true;
			return;
		}
		l->addr = na;
		l->cap = nc;
	}
	l->addr[l->n++] = fn;
}

/* td_attr_each_function: keep fn (td_knames_resolve_addrs leaves out those named). */
static void
fn_want(uint64_t fn, void *arg)
{
	td_knames_list_add(arg, fn);
}

/*
 * Open the symbols for one pass, read 64 KiB at a time into *vb (to be freed
 * after fclose): 5 MB or more, not stdio's 1 KiB (procfs's blksize).  NULL
 * when they cannot be opened.
 */
static FILE *
kallsyms_open(struct td_knames *t, char **vb)
{
	FILE *f = fopen(kallsyms_path, "re");

	*vb = NULL;
	if (f == NULL)
		snprintf(t->why, sizeof(t->why), "%s: %s", kallsyms_path, strerror(errno));
	else if ((*vb = malloc(KSYMS_READ)) != NULL)
		setvbuf(f, *vb, _IOFBF, KSYMS_READ);
	return f;
}

/* Why a pass over the symbols that returned r (td_ksyms_resolve, td_ksyms_count) named nothing. */
static void
why_none(struct td_knames *t, int r)
{
	if (r < 0)
		snprintf(t->why, sizeof(t->why), "%s: %s", kallsyms_path, strerror(-r));
	else
		snprintf(t->why, sizeof(t->why), "%s gives no address (kptr_restrict)",
		    kallsyms_path);
}

/*
 * The full table of /proc/kallsyms (the tick known through it), the names
 * starting with one of mark (NULL: none) kept whole; 0, or -1 when it could
 * not be had (nsyms and the tick left as they were).
 */
static int
load_ksyms(struct td_knames *t, const char *const *mark)
{
	FILE *f;
	char *vb;
	int r;

	if ((f = kallsyms_open(t, &vb)) == NULL)
		return -1;
	if ((r = td_ksyms_load(f, mark, &t->ksyms, NULL)) < 0)
		t->ksyms = NULL;
	fclose(f);
	free(vb);
	if (t->ksyms == NULL) {
		why_none(t, r < 0 ? r : -EIO);
		return -1;
	}
	t->nsyms = (int)td_ksyms_count(t->ksyms);
	if (t->nsyms == 0)
		why_none(t, 0);
	t->tick_known = true;
	return 0;
}

/* Order addresses. */
static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Without the full table: name the callbacks not named yet among n addresses
 * (any order, repeats allowed: sorted in place) and, the first time, find
 * the tick's callbacks, in one pass over /proc/kallsyms (none when all were
 * named and the tick is known, or when a pass saw no symbols).
 */
void
td_knames_resolve_addrs(struct td_knames *t, uint64_t *addr, size_t n)
{
	bool tick = !t->tick_known, opened = false;
	char **names = NULL;
	FILE *f = NULL;
	size_t k = 0;
	char *vb;
	int r = -1;

	if (t->ksyms != NULL)
		return;		/* named on first sight through the table */
	/* Sources share callbacks (10,000 threads, one function): each once. */
	qsort(addr, n, sizeof(*addr), u64_cmp);
	for (size_t i = 0; i < n; i++)
		if (addr[i] != 0 && (k == 0 || addr[i] != addr[k - 1]) &&
		    td_lru_use(t->fns, addr[i]) == NULL)
			addr[k++] = addr[i];
	n = k;
	if ((n == 0 && !tick) || t->nsyms == 0)
		return;
	if (!tick && load_ksyms(t, NULL) == 0) {
		/* A second pass: the whole table instead, once; no pass for later callbacks. */
		for (size_t i = 0; i < n; i++)
			(void)fn_get(t, addr[i]);
		return;
	}
	if (n > 0 && (names = calloc(n, sizeof(*names))) == NULL)
		return;
	if ((f = kallsyms_open(t, &vb)) != NULL) {
		opened = true;
		r = td_ksyms_resolve(f, addr, n, names, tick ? td_knames_tick_functions : NULL,
		    tick ? TD_ARRAY_SIZE(t->tick_fn) : 0, t->tick_fn, NULL);
		fclose(f);
	}
	free(vb);
	if (tick) {
		/* Once, found or not: without kallsyms no callback is the tick. */
		t->tick_known = true;
		t->tick_by_fn = true;
		t->nsyms = r > 0 ? r : 0;
		if (opened && r <= 0)	/* (not opened: kallsyms_open said why) */
			why_none(t, r);
	}
	for (size_t i = 0; i < n; i++)
		if (r < 0)
			free(names[i]);
		else
			(void)fn_put(t, addr[i], names[i]);
	free(names);
}

/*
 * Without the full table: name the callbacks the attribution counted that
 * were never named (td_knames_resolve_addrs).
 */
void
td_knames_resolve(struct td_knames *t, const struct td_attr *a)
{
	struct td_knames_list l = { NULL, 0, 0, false };

	if (t->ksyms != NULL)
		return;		/* named on first sight through the table */
	td_attr_each_function(a, fn_want, &l);
	if (!l.nomem)
		td_knames_resolve_addrs(t, l.addr, l.n);
	free(l.addr);
}

/* Whether the tick's callbacks are known (td_knames_is_tick can answer). */
bool
td_knames_tick_known(const struct td_knames *t)
{
	return t->tick_known;
}

/*
 * The attribution's question: the comm, class and process of task pid.  The
 * comm learnt from events (given in ti) wins; /proc is read once per task
 * for its class and process (and its comm when no event named it), again
 * when the events show another comm (the pid reused, or an exec).
 */
void
td_knames_task(void *ctx, int pid, struct td_task_info *ti)
{
	struct td_knames *t = ctx;
	struct td_task_ent *tk;
	bool fresh;

	if (t->tasks == NULL || (tk = td_tasks_get(t->tasks, pid, &fresh)) == NULL)
		return;
	if (!fresh && ti->comm[0] != '\0' && strcmp(tk->comm, ti->comm) != 0) {
		tk->task = TD_TASK_UNKNOWN;
		tk->tgid = -1;
		tk->saved_tried = false;
		fresh = true;
	}
	if (fresh) {
		strlcpy(tk->comm, ti->comm, sizeof(tk->comm));
		td_task_read_proc(pid, tk, tk->comm[0] == '\0');
	}
	if (tk->comm[0] == '\0' && !tk->saved_tried) {
		/* Gone already: the name tracing saved for it, once. */
		if (t->gone != NULL)
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

/* Start loading what td_knames_task of pid reads: its index slot, or (entry) its entry. */
void
td_knames_prefetch_task(void *ctx, int pid, bool entry)
{
	struct td_knames *t = ctx;

	if (t->tasks == NULL)
		return;
	if (entry)
		td_tasks_prefetch_entry(t->tasks, pid);
	else
		td_tasks_prefetch(t->tasks, pid);
}

/* Start empty caches; with table, read the symbols. */
int
td_knames_new(bool table, const char *const *mark,
    void (*gone)(void *ctx, int pid, char *out, size_t len), void *gone_ctx,
    struct td_knames **out)
{
	struct td_knames *t;

	if ((*out = t = calloc(1, sizeof(*t))) == NULL)
		return -ENOMEM;
	t->gone = gone;
	t->gone_ctx = gone_ctx;
	if (td_tasks_new(TASK_MAX, &t->tasks) < 0 ||
	    td_lru_new(FN_MAX, sizeof(struct fnname), fn_drop, &t->fns) < 0) {
		td_knames_free(t);
		*out = NULL;
		return -ENOMEM;
	}
	t->nsyms = -1;		/* not read yet */
	if (table && load_ksyms(t, mark) < 0) {
		/* Without symbols no callback is the tick. */
		t->nsyms = 0;
		t->tick_known = true;
	}
	return 0;
}

/* Text symbols loaded or seen. */
int
td_knames_nsyms(const struct td_knames *t)
{
	return t->nsyms;
}

/* Why no symbols were seen (td_knames_nsyms 0): the file and its error, or kptr_restrict. */
const char *
td_knames_why_none(const struct td_knames *t)
{
	return t->why[0] != '\0' ? t->why : "none read";
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
	td_lru_free(t->fns);
	td_ksyms_free(t->ksyms);
	td_tasks_free(t->tasks);
	free(t);
}
