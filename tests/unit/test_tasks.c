/*
 * The task cache of the live samplers: bounded memory that forgets the least
 * recently used task, never all of them, and the /proc reads that fill it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "armers.h"
#include "tasks.h"
#include "tap.h"
#include "test_hooks.h"

/* Ask for pids lo..hi in order; returns how many were new (a /proc read each). */
static int
ask(struct td_tasks *c, int lo, int hi)
{
	int nfresh = 0;
	bool fresh;

	for (int pid = lo; pid <= hi; pid++) {
		struct td_task_ent *e = td_tasks_get(c, pid, &fresh);

		if (e == NULL || e->pid != pid)
			return -1;
		if (fresh) {
			snprintf(e->comm, sizeof(e->comm), "t%d", pid);
			nfresh++;
		}
	}
	return nfresh;
}

/* 20,000 pids through 8,192 places: the newest stay, no cliff, memory bounded. */
static void
test_no_cliff(void)
{
	struct td_tasks *c;
	const struct td_task_ent *e;
	int missing = 0, wrong = 0;
	bool fresh;

	if (!ok(td_tasks_new(8192, &c) == 0, "a cache of 8,192 tasks"))
		return;
	is_int(ask(c, 1, 20000), 20000, "20,000 new pids: one lookup each");
	is_int(td_tasks_count(c), 8192, "memory bounded: 8,192 kept");
	for (int pid = 20000 - 8191; pid <= 20000; pid++) {
		e = td_tasks_find(c, pid);
		if (e == NULL)
			missing++;
		else if (e->pid != pid || strcmp(e->comm, "t0") == 0)
			wrong++;
	}
	is_int(missing, 0, "the 8,192 most recent pids are all kept");
	is_int(wrong, 0, "each with its own entry");
	ok(td_tasks_find(c, 1) == NULL && td_tasks_find(c, 20000 - 8192) == NULL,
	    "the older ones are forgotten");
	/* An interval that asks again for the newest 8,000: no lookup at all. */
	is_int(ask(c, 20000 - 7999, 20000), 0, "the next interval re-reads nothing");
	/* Recently used survives newer arrivals; the least recent goes first. */
	(void)td_tasks_get(c, 20000 - 8191, &fresh);
	is_int(ask(c, 30001, 30001), 1, "one new pid");
	ok(td_tasks_find(c, 20000 - 8191) != NULL, "the pid just asked for stays");
	ok(td_tasks_find(c, 20000 - 8190) == NULL, "the least recently used went");
	is_int(td_tasks_count(c), 8192, "still 8,192");
	/* Every pid kept is found after all the moves of the index. */
	missing = 0;
	for (int pid = 20000 - 7999; pid <= 20000; pid++)
		missing += td_tasks_find(c, pid) == NULL;
	is_int(missing, 0, "every kept pid is still found");
	td_tasks_free(c);
}

/* A churn of pids hashing anywhere: the index stays consistent. */
static void
test_churn(void)
{
	struct td_tasks *c;
	int bad = 0;
	bool fresh;

	if (!ok(td_tasks_new(100, &c) == 0, "a cache of 100 tasks"))
		return;
	for (int i = 0; i < 100000; i++) {
		int pid = (int)((i * 2654435761u) % 4000000u) + 1;
		struct td_task_ent *e = td_tasks_get(c, pid, &fresh);

		if (e->pid != pid || td_tasks_find(c, pid) != e || td_tasks_count(c) > 100)
			bad++;
	}
	is_int(bad, 0, "100,000 pids through 100 places, each found after its insertion");
	td_tasks_free(c);
}

/* Our own task from /proc: a user task of our process. */
static void
test_proc(void)
{
	struct td_task_ent e;

	memset(&e, 0, sizeof(e));
	e.tgid = -1;
	td_task_read_proc((int)getpid(), &e, true);
	is_str(e.comm, "test_tasks", "comm from /proc/PID/comm");
	is_int(e.task, TD_TASK_USER, "a user task");
	is_int(e.tgid, getpid(), "its process");
	memset(&e, 0, sizeof(e));
	td_task_read_proc(2, &e, false);
	is_int(e.task, TD_TASK_KTHREAD, "kthreadd: a kernel thread");
	is_str(e.comm, "", "comm not read when the events gave it");
}

/*
 * The names learnt from events (armers.h): 70,000 pids named once each
 * through a bound of 65,536; the newest keep their names, only the oldest
 * went, a renamed task shows its new name.
 */
static void
test_learnt_names(void)
{
	struct td_armers a;
	char name[32];
	int kept = 0, wrong = 0;

	memset(&a, 0, sizeof(a));
	ok(td_armers_comm(&a, 1) == NULL, "nothing learnt: no name");
	for (int pid = 1; pid <= 70000; pid++) {
		snprintf(name, sizeof(name), "n%d", pid);
		td_armers_learn(&a, pid, name, strlen(name));
	}
	for (int pid = 70000 - 65535; pid <= 70000; pid++) {
		const char *c = td_armers_comm(&a, pid);

		snprintf(name, sizeof(name), "n%d", pid);
		if (c != NULL && strcmp(c, name) == 0)
			kept++;
		else
			wrong++;
	}
	is_int(kept, 65536, "the newest 65,536 names kept (no cliff at the bound)");
	is_int(wrong, 0, "none lost or wrong among them");
	ok(td_armers_comm(&a, 1) == NULL && td_armers_comm(&a, 70000 - 65536) == NULL,
	    "the oldest names went");
	td_armers_learn(&a, 70000, "renamed", 7);
	is_str(td_armers_comm(&a, 70000), "renamed", "the newest name wins");
	td_armers_free(&a);
}

int
main(void)
{
	test_no_cliff();
	test_learnt_names();
	test_churn();
	test_proc();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
