/* Who armed each timer, and the task names seen in events (the model: armers.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "armers.h"
#include "internal.h"
#include "tasks.h"

#define MAP_MAX			(1u << 20)	/* timer addresses remembered at most */
#define COMM_MAX		(1u << 16)	/* task names learnt from events, at most */


/* The armer slot of ptr (empty when not known); the table has a free slot. */
static struct td_armer *
map_slot(struct td_armer *tab, size_t cap, uint64_t ptr)
{
	size_t h = td_hash64(ptr) & (cap - 1);

	while (tab[h].ptr != 0 && tab[h].ptr != ptr)
		h = (h + 1) & (cap - 1);
	return &tab[h];
}

/* Double the timer map (or empty it when it grew past MAP_MAX). */
static int
map_grow(struct td_armers *a)
{
	size_t ncap = a->map_cap ? a->map_cap * 2 : 4096;
	struct td_armer *nm;

	if (ncap > MAP_MAX * 2) {
		memset(a->map, 0, a->map_cap * sizeof(*a->map));
		a->map_n = 0;
		return 0;
	}
	if ((nm = calloc(ncap, sizeof(*nm))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < a->map_cap; i++)
		if (a->map[i].ptr != 0)
			*map_slot(nm, ncap, a->map[i].ptr) = a->map[i];
	free(a->map);
	a->map = nm;
	a->map_cap = ncap;
	return 0;
}

/* The armer of the timer at ptr, or NULL. */
struct td_armer *
td_armers_find(struct td_armers *a, uint64_t ptr)
{
	struct td_armer *m;

	if (a->map_cap == 0 || ptr == 0)
		return NULL;
	m = map_slot(a->map, a->map_cap, ptr);
	return m->ptr != 0 ? m : NULL;
}

/* Remember who armed the timer at ptr (m: its entry if known); the entry or NULL. */
struct td_armer *
td_armers_put(struct td_armers *a, struct td_armer *m, uint64_t ptr, uint64_t fn, int pid, int cpu,
    enum td_kind kind)
{
	if (ptr == 0)
		return NULL;
	if (m == NULL) {
		if ((a->map_n + 1) * 2 > a->map_cap && map_grow(a) < 0)
			return NULL;
		m = map_slot(a->map, a->map_cap, ptr);
		a->map_n++;
	}
	if (m->ptr != ptr || m->fn != fn)
		m->src = 0;
	m->ptr = ptr;
	m->fn = fn;
	m->pid = pid;
	m->cpu = cpu;
	m->kind = kind;
	return m;
}

/*
 * Learn the comm of pid from an event.  Bounded: past COMM_MAX tasks the least
 * recently learnt or renamed one goes (never all at once); the newest name
 * wins.  A name known already is only looked at (each context switch names
 * a task: the recency list is not rewritten for each).
 */
void
td_armers_learn(struct td_armers *a, int pid, const char *name, size_t len)
{
	const struct td_task_ent *k;
	struct td_task_ent *c;
	bool fresh;

	if (pid <= 0 || name == NULL || len == 0)
		return;
	if (a->comms == NULL && td_tasks_new(COMM_MAX, &a->comms) < 0)
		return;
	if (len >= sizeof(c->comm))
		len = sizeof(c->comm) - 1;
	if ((k = td_tasks_find(a->comms, pid)) != NULL && memcmp(k->comm, name, len) == 0 &&
	    k->comm[len] == '\0')
		return;
	c = td_tasks_get(a->comms, pid, &fresh);
	memcpy(c->comm, name, len);
	c->comm[len] = '\0';
}

/* The comm learnt for pid, or NULL. */
const char *
td_armers_comm(const struct td_armers *a, int pid)
{
	const struct td_task_ent *c;

	if (a->comms == NULL || pid <= 0)
		return NULL;
	c = td_tasks_find(a->comms, pid);
	return c != NULL && c->comm[0] != '\0' ? c->comm : NULL;
}

/* Start loading the table slots event ev will look up. */
void
td_armers_prefetch(const struct td_armers *a, const struct td_tev *ev)
{
	switch (ev->type) {
	case TD_TEV_TIMER_START:
	case TD_TEV_HRTIMER_START:
	case TD_TEV_TIMER_EXPIRE:
	case TD_TEV_HRTIMER_EXPIRE:
	case TD_TEV_TIMER_CANCEL:
	case TD_TEV_HRTIMER_CANCEL:
		if (a->map_cap > 0 && ev->ptr != 0)
			__builtin_prefetch(&a->map[td_hash64(ev->ptr) & (a->map_cap - 1)]);
		break;
	case TD_TEV_SCHED_SWITCH:
	case TD_TEV_SCHED_WAKEUP:
		if (a->comms != NULL && ev->num > 0)
			td_tasks_prefetch(a->comms, ev->num);
		break;
	default:
		break;
	}
}

/* Start loading the entry of the task a switch or wakeup names. */
void
td_armers_prefetch_comm(const struct td_armers *a, const struct td_tev *ev)
{
	if ((ev->type == TD_TEV_SCHED_SWITCH || ev->type == TD_TEV_SCHED_WAKEUP) &&
	    a->comms != NULL && ev->num > 0)
		td_tasks_prefetch_entry(a->comms, ev->num);
}

/* Start loading what td_armers_comm of pid reads: its slot, or (entry) its entry. */
void
td_armers_prefetch_pid(const struct td_armers *a, int pid, bool entry)
{
	if (a->comms == NULL || pid <= 0)
		return;
	if (entry)
		td_tasks_prefetch_entry(a->comms, pid);
	else
		td_tasks_prefetch(a->comms, pid);
}

/* A timer start: the interrupt-context rule, then remember the armer. */
int
td_armers_start(struct td_armers *a, const struct td_tev *ev, struct td_armer **out)
{
	enum td_kind kind = ev->type == TD_TEV_TIMER_START ? TD_KIND_TIMER : TD_KIND_HRTIMER;
	struct td_armer *m = td_armers_find(a, ev->ptr);
	int pid = ev->pid;

	if (ev->ctx & (TD_TEV_CTX_HARDIRQ | TD_TEV_CTX_SOFTIRQ)) {
		/*
		 * Armed in interrupt context: re-armed by its own callback keeps
		 * its first armer; else no task armed it (the one running was
		 * merely interrupted).
		 */
		if (m != NULL && m->fn == ev->function)
			pid = m->pid;
		else
			pid = (ev->ctx & TD_TEV_CTX_HARDIRQ) ? TD_ARMER_HARDIRQ : TD_ARMER_SOFTIRQ;
	}
	*out = td_armers_put(a, m, ev->ptr, ev->function, pid,
	    m != NULL && pid == m->pid && pid == 0 ? m->cpu : ev->cpu, kind);
	if (*out != NULL) {
		(*out)->armed_on = ev->cpu;
		(*out)->flags = ev->flags;
	}
	return pid;
}

/* Free the tables. */
void
td_armers_free(struct td_armers *a)
{
	free(a->map);
	td_tasks_free(a->comms);
	memset(a, 0, sizeof(*a));
}
