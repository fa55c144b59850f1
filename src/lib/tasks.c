/*
 * A bounded task cache (a least recently used cache, lru.h, keyed by pid)
 * and the /proc reads that fill its entries.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armers.h"
#include "internal.h"
#include "lru.h"
#include "tasks.h"
#include "test_hooks.h"

struct td_tasks {
	struct td_lru	*lru;		/* struct td_task_ent by pid */
};

/* A cache of at most max tasks; -EINVAL, -ENOMEM. */
int
td_tasks_new(size_t max, struct td_tasks **out)
{
	struct td_tasks *c;
	int r;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	if ((r = td_lru_new(max, sizeof(struct td_task_ent), NULL, &c->lru)) < 0) {
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

/* Free a cache; NULL is fine. */
void
td_tasks_free(struct td_tasks *c)
{
	if (c == NULL)
		return;
	td_lru_free(c->lru);
	free(c);
}

/* The entry of pid, made the most recently used; a new one replaces the oldest when full. */
struct td_task_ent *
td_tasks_get(struct td_tasks *c, int pid, bool *fresh)
{
	struct td_task_ent *e = td_lru_get(c->lru, (uint32_t)pid, fresh);

	if (*fresh) {
		e->pid = pid;
		e->task = TD_TASK_UNKNOWN;
		e->tgid = -1;
	}
	return e;
}

/* The entry of pid without making it recent, or NULL. */
const struct td_task_ent *
td_tasks_find(const struct td_tasks *c, int pid)
{
	return td_lru_find(c->lru, (uint32_t)pid);
}

/* Start loading what a find of pid reads first. */
void
td_tasks_prefetch(const struct td_tasks *c, int pid)
{
	td_lru_prefetch(c->lru, (uint32_t)pid);
}

/* Start loading pid's entry when it is kept. */
void
td_tasks_prefetch_entry(const struct td_tasks *c, int pid)
{
	td_lru_prefetch_value(c->lru, (uint32_t)pid);
}

/* Tasks kept. */
size_t
td_tasks_count(const struct td_tasks *c)
{
	return td_lru_count(c->lru);
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
