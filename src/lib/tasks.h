/*
 * Task names and classes for the live samplers: a cache of bounded memory
 * that forgets the least recently used task when full (never all at once),
 * and the /proc reads that fill an entry.
 */
#ifndef TD_TASKS_H
#define TD_TASKS_H

#include <stdbool.h>
#include <stddef.h>

#include "sampler.h"

/* What is known of one task. */
struct td_task_ent {
	int		 pid;
	char		 comm[32];	/* "" unknown */
	enum td_task	 task;		/* TD_TASK_USER, TD_TASK_KTHREAD or UNKNOWN */
	int		 tgid;		/* -1 unknown */
	bool		 saved_tried;	/* the caller's fallback for gone tasks was tried */
};

struct td_tasks;

/* A cache of at most max tasks (max >= 1); -ENOMEM. */
int td_tasks_new(size_t max, struct td_tasks **out);
void td_tasks_free(struct td_tasks *c);
/*
 * The entry of pid, made the most recently used.  A new entry (*fresh set)
 * has only pid set (comm "", task unknown, tgid -1): the caller fills it;
 * when the cache is full it takes the place of the least recently used.
 */
struct td_task_ent *td_tasks_get(struct td_tasks *c, int pid, bool *fresh);
/* The entry of pid without making it recent, or NULL. */
const struct td_task_ent *td_tasks_find(const struct td_tasks *c, int pid);
/* Start loading what a find of pid reads first (td_lru_prefetch), then its entry. */
void td_tasks_prefetch(const struct td_tasks *c, int pid);
void td_tasks_prefetch_entry(const struct td_tasks *c, int pid);
/*
 * Fill e from /proc/PID/status (process and kernel-thread flag: status, unlike
 * stat, does not sum the CPU times of every thread of the group), and comm
 * from /proc/PID/comm when with_comm.  A task that is gone stays unknown.
 */
void td_task_read_proc(int pid, struct td_task_ent *e, bool with_comm);

#endif
