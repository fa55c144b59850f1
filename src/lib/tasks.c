/*
 * A bounded task cache: up to max entries in one array (grown by doubling as
 * tasks come), a linear-probing index of twice as many slots, and a recency
 * list through the entries; a new task past max replaces the least recently
 * used one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armers.h"
#include "internal.h"
#include "tasks.h"
#include "test_hooks.h"

#define FIRST_CAP	1024		/* entries allocated at first */

struct td_tasks {
	struct td_task_ent	*ent;
	size_t			 max, cap, n;
	int			*idx;		/* entry index per slot, -1 empty */
	size_t			 mask;		/* slots - 1 */
	int			 head, tail;	/* most and least recently used */
};

/* Index slots for cap entries: a power of two, at least twice cap. */
static size_t
slots_for(size_t cap)
{
	size_t slots = 2;

	while (slots < cap * 2)
		slots *= 2;
	return slots;
}

/* A cache of at most max tasks; -ENOMEM. */
int
td_tasks_new(size_t max, struct td_tasks **out)
{
	struct td_tasks *c;
	size_t slots;

	*out = NULL;
	if (max == 0 || max > INT32_MAX / 4)
		return -EINVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	c->cap = max < FIRST_CAP ? max : FIRST_CAP;
	slots = slots_for(c->cap);
	c->ent = calloc(c->cap, sizeof(*c->ent));
	c->idx = malloc(slots * sizeof(*c->idx));
	if (c->ent == NULL || c->idx == NULL) {
		td_tasks_free(c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < slots; i++)
		c->idx[i] = -1;
	c->max = max;
	c->mask = slots - 1;
	c->head = c->tail = -1;
	*out = c;
	return 0;
}

/* Free a cache; NULL is fine. */
void
td_tasks_free(struct td_tasks *c)
{
	if (c == NULL)
		return;
	free(c->ent);
	free(c->idx);
	free(c);
}

/* The home slot of pid. */
static size_t
home(const struct td_tasks *c, int pid)
{
	return td_hash64((uint64_t)(uint32_t)pid) & c->mask;
}

/* The slot holding pid, or the empty slot that ends its probe. */
static size_t
slot_of(const struct td_tasks *c, int pid)
{
	size_t h = home(c, pid);

	while (c->idx[h] >= 0 && c->ent[c->idx[h]].pid != pid)
		h = (h + 1) & c->mask;
	return h;
}

/* Empty slot i, moving back the entries whose probe ran through it. */
static void
slot_remove(struct td_tasks *c, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & c->mask;
		if (c->idx[j] < 0)
			break;
		k = home(c, c->ent[c->idx[j]].pid);
		/* The entry at j may move to i when i lies on its probe from k. */
		if ((i <= j) ? (k <= i || k > j) : (k <= i && k > j)) {
			c->idx[i] = c->idx[j];
			i = j;
		}
	}
	c->idx[i] = -1;
}

/* Take entry i out of the recency list. */
static void
unlink_ent(struct td_tasks *c, int i)
{
	struct td_task_ent *e = &c->ent[i];

	if (e->prev >= 0)
		c->ent[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next >= 0)
		c->ent[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

/* Put entry i first in the recency list. */
static void
push_front(struct td_tasks *c, int i)
{
	c->ent[i].prev = -1;
	c->ent[i].next = c->head;
	if (c->head >= 0)
		c->ent[c->head].prev = i;
	c->head = i;
	if (c->tail < 0)
		c->tail = i;
}

/* Double the entries (up to max) and rebuild the index; -ENOMEM leaves c as it was. */
static int
grow(struct td_tasks *c)
{
	size_t cap = c->cap * 2 > c->max ? c->max : c->cap * 2, slots = slots_for(cap);
	struct td_task_ent *ent;
	int *idx;

	if ((idx = malloc(slots * sizeof(*idx))) == NULL)
		return -ENOMEM;
	if ((ent = reallocarray(c->ent, cap, sizeof(*ent))) == NULL) {
		free(idx);
		return -ENOMEM;
	}
	c->ent = ent;
	c->cap = cap;
	free(c->idx);
	c->idx = idx;
	c->mask = slots - 1;
	for (size_t i = 0; i < slots; i++)
		idx[i] = -1;
	for (size_t i = 0; i < c->n; i++)
		idx[slot_of(c, c->ent[i].pid)] = (int)i;
	return 0;
}

/* The entry of pid, made the most recently used; a new one replaces the oldest when full. */
struct td_task_ent *
td_tasks_get(struct td_tasks *c, int pid, bool *fresh)
{
	size_t h = slot_of(c, pid);
	int i = c->idx[h];

	*fresh = false;
	if (i >= 0) {
		if (c->head != i) {
			unlink_ent(c, i);
			push_front(c, i);
		}
		return &c->ent[i];
	}
	if (c->n == c->cap && c->cap < c->max && grow(c) == 0)
		h = slot_of(c, pid);	/* a new index */
	if (c->n < c->cap) {
		i = (int)c->n++;
	} else {
		i = c->tail;
		unlink_ent(c, i);
		slot_remove(c, slot_of(c, c->ent[i].pid));
		h = slot_of(c, pid);	/* the removal may have moved the probe's end */
	}
	c->idx[h] = i;
	memset(&c->ent[i], 0, sizeof(c->ent[i]));
	c->ent[i].pid = pid;
	c->ent[i].task = TD_TASK_UNKNOWN;
	c->ent[i].tgid = -1;
	push_front(c, i);
	*fresh = true;
	return &c->ent[i];
}

/* The entry of pid without making it recent, or NULL. */
const struct td_task_ent *
td_tasks_find(const struct td_tasks *c, int pid)
{
	int i = c->idx[slot_of(c, pid)];

	return i >= 0 ? &c->ent[i] : NULL;
}

/* Tasks kept. */
size_t
td_tasks_count(const struct td_tasks *c)
{
	return c->n;
}

/* Fill e from /proc/PID/status, and comm from /proc/PID/comm when with_comm. */
void
td_task_read_proc(int pid, struct td_task_ent *e, bool with_comm)
{
	char path[64], line[256];
	bool kline = false;
	int ppid = -1;
	FILE *f;

	if (with_comm) {
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if ((f = fopen(path, "re")) == NULL)
			return;
		if (fgets(e->comm, sizeof(e->comm), f) != NULL)
			e->comm[strcspn(e->comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	e->task = TD_TASK_USER;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Tgid:", 5) == 0)
			e->tgid = atoi(line + 5);
		else if (strncmp(line, "PPid:", 5) == 0)
			ppid = atoi(line + 5);
		else if (strncmp(line, "Kthread:", 8) == 0) {
			kline = true;
			if (atoi(line + 8) == 1)
				e->task = TD_TASK_KTHREAD;
			break;
		}
	}
	fclose(f);
	/* Kernels without the Kthread line: kthreadd and its children. */
	if (!kline && (pid == 2 || ppid == 2))
		e->task = TD_TASK_KTHREAD;
}
