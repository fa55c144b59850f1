/* Names of the live kernel's callbacks and tasks (knames.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armers.h"
#include "internal.h"
#include "knames.h"
#include "ksyms.h"
#include "tasks.h"

#define TASK_MAX		32768		/* tasks remembered at most (the least recent go) */
#define FN_MAX			16384		/* callback names remembered at most */
#define KSYMS_READ		((size_t)64 << 10)	/* read size for /proc/kallsyms */

/* A callback's name, resolved once through /proc/kallsyms. */
struct fnname {
	uint64_t	 fn;		/* 0 = empty slot */
	char		*name;		/* NULL: no symbol */
	bool		 tick;		/* the tick's own hrtimer callback */
};

struct td_knames {
	struct td_ksyms		*ksyms;		/* loaded at open (full table), else NULL */
	uint64_t		 tick_fn[3];	/* without the table: the tick's callbacks (0: none) */
	int			 nsyms;		/* text symbols loaded or seen */
	struct fnname		*fns;
	size_t			 fn_cap, fn_n;
	struct td_tasks		*tasks;
	void			(*gone)(void *ctx, int pid, char *out, size_t len);
	void			*gone_ctx;
};

const char *const td_knames_tick_functions[] = {
	"tick_sched_timer", "tick_nohz_handler", "tick_nohz_highres_handler", NULL,
};

/* Whether name is the tick's hrtimer callback. */
bool
td_knames_is_tick_name(const char *name)
{
	for (size_t i = 0; name != NULL && td_knames_tick_functions[i] != NULL; i++)
		if (strcmp(name, td_knames_tick_functions[i]) == 0)
			return true;
	return false;
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
	size_t h = td_hash64(key) & (cap - 1);
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

/* Room in the callback name cache for one more; -ENOMEM. */
static int
fn_room(struct td_knames *t)
{
	size_t ncap = t->fn_cap ? t->fn_cap * 2 : 64;
	struct fnname *nf;

	if ((t->fn_n + 1) * 2 <= t->fn_cap)
		return 0;
	if ((nf = rehash64(t->fns, t->fn_cap, ncap, sizeof(*nf))) == NULL)
		return -ENOMEM;
	free(t->fns);
	t->fns = nf;
	t->fn_cap = ncap;
	return 0;
}

/*
 * The cache entry of callback fn; with the full table, named through it on
 * first sight.  NULL on ENOMEM, or (without the table) when not named yet.
 */
static struct fnname *
fn_get(struct td_knames *t, uint64_t fn)
{
	struct fnname *slot;
	const char *nm;

	if (fn == 0 || (t->fn_cap == 0 && t->ksyms == NULL))
		return NULL;
	slot = t->fn_cap > 0 ? fn_slot(t, fn) : NULL;
	if (slot != NULL && slot->fn == fn)
		return slot;
	if (t->ksyms == NULL || fn_room(t) < 0)
		return NULL;
	slot = fn_slot(t, fn);
	slot->fn = fn;
	slot->tick = false;
	slot->name = NULL;
	t->fn_n++;
	if ((nm = td_ksyms_name(t->ksyms, fn)) != NULL) {
		slot->name = strdup(nm);
		for (size_t i = 0; td_knames_tick_functions[i] != NULL; i++)
			slot->tick = slot->tick ||
			    strcmp(nm, td_knames_tick_functions[i]) == 0;
	}
	return slot;
}

/* The attribution's question at event time: is fn the tick's own hrtimer callback? */
bool
td_knames_is_tick(void *ctx, uint64_t fn)
{
	struct td_knames *t = ctx;
	const struct fnname *f;

	if (t->ksyms == NULL) {
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

/* A growing list of callback addresses not named yet. */
struct fn_list {
	struct td_knames	*t;
	uint64_t		*addr;
	size_t			 n, cap;
	bool			 nomem;
};

/* td_attr_each_function: keep fn when it is not named yet. */
static void
fn_want(uint64_t fn, void *arg)
{
	struct fn_list *l = arg;

	if (fn == 0 || (l->t->fn_cap > 0 && fn_slot(l->t, fn)->fn == fn))
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

/* Order addresses. */
static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Without the full table: name the callbacks the attribution counted that
 * were never named, in one pass over /proc/kallsyms (none when all were).
 */
void
td_knames_resolve(struct td_knames *t, const struct td_attr *a)
{
	struct fn_list l = { t, NULL, 0, 0, false };
	char **names;
	FILE *f = NULL;
	size_t k = 0;
	char *vb;
	int n = -1;

	if (t->ksyms != NULL)
		return;		/* named on first sight through the table */
	td_attr_each_function(a, fn_want, &l);
	if (l.n == 0 || l.nomem || (names = calloc(l.n, sizeof(*names))) == NULL) {
		free(l.addr);
		return;
	}
	/* Sources share callbacks (10,000 threads, one function): each once. */
	qsort(l.addr, l.n, sizeof(*l.addr), u64_cmp);
	for (size_t i = 0; i < l.n; i++)
		if (k == 0 || l.addr[i] != l.addr[k - 1])
			l.addr[k++] = l.addr[i];
	l.n = k;
	/* 5 MB or more: 64 KiB reads, not stdio's 1 KiB (procfs's blksize) */
	vb = t->nsyms != 0 ? malloc(KSYMS_READ) : NULL;
	if (vb != NULL && (f = fopen("/proc/kallsyms", "re")) != NULL) {
		setvbuf(f, vb, _IOFBF, KSYMS_READ);
		n = td_ksyms_resolve(f, l.addr, l.n, names, NULL);
		fclose(f);
	}
	free(vb);
	for (size_t i = 0; i < l.n; i++) {
		struct fnname *slot;

		if (n < 0 || fn_room(t) < 0) {
			free(names[i]);
			continue;
		}
		slot = fn_slot(t, l.addr[i]);
		if (slot->fn == l.addr[i]) {
			free(names[i]);
			continue;
		}
		slot->fn = l.addr[i];
		slot->name = names[i];
		slot->tick = false;
		t->fn_n++;
	}
	free(names);
	free(l.addr);
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

/*
 * Read /proc/kallsyms: the whole table when asked, else only the addresses
 * of the tick's callbacks (one pass that ends soon after them).
 */
static void
load_ksyms(struct td_knames *t, bool table)
{
	FILE *f;
	char *vb;

	t->nsyms = 0;
	if ((f = fopen("/proc/kallsyms", "re")) == NULL)
		return;
	/* 5 MB or more: 64 KiB reads, not stdio's 1 KiB (procfs's blksize) */
	if ((vb = malloc(KSYMS_READ)) != NULL)
		setvbuf(f, vb, _IOFBF, KSYMS_READ);
	if (!table)
		t->nsyms = td_ksyms_find(f, td_knames_tick_functions,
		    TD_ARRAY_SIZE(t->tick_fn), t->tick_fn);
	else if (td_ksyms_load(f, &t->ksyms, NULL) == 0)
		t->nsyms = (int)td_ksyms_count(t->ksyms);
	fclose(f);
	free(vb);
}

/* Forget the callback names that grew past their bound (tasks go one by one). */
void
td_knames_trim(struct td_knames *t)
{
	if (t->fn_n > FN_MAX)
		fn_clear(t);
}

/* Read the symbols, start empty caches. */
int
td_knames_new(bool table, void (*gone)(void *ctx, int pid, char *out, size_t len),
    void *gone_ctx, struct td_knames **out)
{
	struct td_knames *t;

	if ((*out = t = calloc(1, sizeof(*t))) == NULL)
		return -ENOMEM;
	t->gone = gone;
	t->gone_ctx = gone_ctx;
	if (td_tasks_new(TASK_MAX, &t->tasks) < 0) {
		free(t);
		*out = NULL;
		return -ENOMEM;
	}
	load_ksyms(t, table);
	return 0;
}

/* Text symbols loaded or seen. */
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
	td_tasks_free(t->tasks);
	free(t);
}
