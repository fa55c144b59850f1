/*
 * The caches of the live samplers: tasks and callback names in bounded
 * memory that forgets the least recently used, never all of them, and the
 * /proc reads that fill the task cache.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "armers.h"
#include "attribution.h"
#include "knames.h"
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

#define NFN		20000		/* callbacks of the test's kallsyms */
#define FN_BOUND	16384		/* callback names knames.c keeps at most */
#define FN_BASE		0xffffffff81000000ULL

/* The address of the test's callback i (fn_NNNNN in its kallsyms). */
static uint64_t
fn_addr(int i)
{
	return FN_BASE + (uint64_t)i * 0x40;
}

/*
 * One interval in which callbacks lo..hi expire once each (hrtimers of no
 * known armer): how many of its sources are named fn_NNNNN after their own.
 */
static int
interval(struct td_knames *k, struct td_attr *a, int lo, int hi)
{
	struct td_sample *p = calloc(1, sizeof(*p));
	struct td_error e;
	int named = 0;

	for (int i = lo; i <= hi; i++) {
		struct td_tev ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = TD_TEV_HRTIMER_EXPIRE;
		ev.ts = 1000 + (uint64_t)i;
		ev.pid = 1;
		ev.ptr = 0xffff888000000000ULL + (uint64_t)i * 64;
		ev.function = fn_addr(i);
		td_attr_event(a, &ev);
	}
	td_knames_resolve(k, a);
	if (p == NULL || td_attr_collect(a, p, &e) < 0) {
		td_sample_free(p);
		return -1;
	}
	for (size_t j = 0; j < p->n; j++) {
		const struct td_wsource *w = &p->src[j];
		int i, end = 0;

		if (w->count == 1 && w->function != NULL &&
		    sscanf(w->function, "fn_%5d%n", &i, &end) == 1 && w->function[end] == '\0' &&
		    i >= lo && i <= hi)
			named++;
	}
	td_sample_free(p);
	return named;
}

/*
 * 20,000 callbacks named in two intervals: the first by one pass over
 * /proc/kallsyms that keeps no table (a short run's cost), the second, new
 * ones again, by the whole table loaded once; with /proc/kallsyms gone
 * from then on every callback is still named, those the bound of 16,384
 * names let go and those never seen before, without another pass.
 */
static void
test_callback_names(void)
{
	char path[] = "/tmp/test_tasks_kallsyms.XXXXXX";
	struct td_knames *k = NULL;
	struct td_attr *a = NULL;
	struct td_error e;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!ok(f != NULL, "a kallsyms of %d functions", NFN))
		return;
	for (int i = 0; i < NFN; i++)
		fprintf(f, "%016llx T fn_%05d\n", (unsigned long long)fn_addr(i), i);
	fprintf(f, "%016llx T tick_sched_timer\n", (unsigned long long)fn_addr(NFN));
	fprintf(f, "%016llx T _etext\n", (unsigned long long)fn_addr(NFN + 1));
	fclose(f);
	td_knames_kallsyms_path(path);
	if (!ok(td_knames_new(false, NULL, NULL, NULL, &k) == 0, "knames without the table"))
		goto out;
	{
		struct td_attr_opts o = {
			.ncpus = 1,
			.names = { .is_tick = td_knames_is_tick, .function = td_knames_function,
			    .task = td_knames_task, .ctx = k, .prefetch_task = td_knames_prefetch_task },
		};

		if (!ok(td_attr_new(&o, &a, &e) == 0, "an attribution named by knames"))
			goto out;
	}
	is_int(interval(k, a, 0, 9999), 10000, "10,000 callbacks named");
	ok(td_knames_nsyms(k) > 0 && td_knames_tick_known(k) && td_knames_is_tick(k, fn_addr(NFN)),
	    "the tick's callback found in the same pass");
	ok(td_knames_ksyms(k) == NULL, "the first pass keeps no table");
	is_int(interval(k, a, 10000, NFN - 2), NFN - 1 - 10000, "9,999 more named");
	ok(td_knames_ksyms(k) != NULL && td_knames_nsyms(k) == NFN + 2,
	    "the second pass loads the whole table (%d symbols)", td_knames_nsyms(k));
	ok(td_knames_is_tick(k, fn_addr(NFN)) && !td_knames_is_tick(k, fn_addr(1)),
	    "the tick's callback known through the table");
	/* From here on no kallsyms: the table names. */
	td_knames_kallsyms_path("/nonexistent/kallsyms");
	is_int(interval(k, a, NFN - 1, NFN - 1), 1,
	    "a callback never seen before is named without another pass");
	is_int(interval(k, a, 10000, NFN - 1), 10000,
	    "the last interval's 10,000 are still named without kallsyms");
	is_int(interval(k, a, 0, 9999), 10000,
	    "the first interval's 10,000, past the bound of %d names kept, too", FN_BOUND);
out:
	td_knames_kallsyms_path(NULL);
	td_attr_free(a);
	td_knames_free(k);
	unlink(path);
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

/*
 * No kernel symbols: the note says why, the file and its error or an
 * address-less kallsyms (kptr_restrict), for the pass that keeps no table
 * and for the whole table alike.
 */
static void
test_no_symbols(void)
{
	char path[] = "/tmp/test_tasks_kallsyms0.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	uint64_t addr[1] = { 0xffffffff81000100ULL };
	struct td_knames *k = NULL;

	if (!ok(f != NULL, "a kallsyms as kptr_restrict prints it"))
		return;
	fprintf(f, "0000000000000000 T _text\n0000000000000000 T tick_sched_timer\n");
	fclose(f);
	for (int table = 0; table < 2; table++) {
		td_knames_kallsyms_path("/nonexistent/kallsyms");
		if (td_knames_new(table, NULL, NULL, NULL, &k) < 0)
			break;
		td_knames_resolve_addrs(k, addr, 1);
		is_int(td_knames_nsyms(k), 0, "no kallsyms (table %d): no symbols", table);
		is_str(td_knames_why_none(k), "/nonexistent/kallsyms: No such file or directory",
		    "no kallsyms (table %d): the file and its error", table);
		td_knames_free(k);
		td_knames_kallsyms_path(path);
		if (td_knames_new(table, NULL, NULL, NULL, &k) < 0)
			break;
		addr[0] = 0xffffffff81000100ULL;
		td_knames_resolve_addrs(k, addr, 1);
		is_int(td_knames_nsyms(k), 0, "addresses all 0 (table %d): no symbols", table);
		ok(strstr(td_knames_why_none(k), "gives no address (kptr_restrict)") != NULL,
		    "addresses all 0 (table %d): kptr_restrict said (%s)", table,
		    td_knames_why_none(k));
		td_knames_free(k);
		k = NULL;
	}
	td_knames_kallsyms_path(NULL);
	unlink(path);
}

int
main(void)
{
	test_no_cliff();
	test_learnt_names();
	test_churn();
	test_callback_names();
	test_no_symbols();
	test_proc();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
