/*
 * timerprobe: one measuring thread per CPU (--cpus), each pinned and set up
 * on its own (slack, SCHED_FIFO are per thread), and the live lines on a
 * terminal meanwhile: current, min, p50, p99, max and count per CPU, about
 * once a second, cleared at the end.
 */
#include "config.h"

#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fdroom.h"
#include "probe.h"

/*
 * A worker's stack.  --fifo locks all memory (mlockall, as cyclictest does),
 * which fills every page of every thread's stack at once: with glibc's
 * default of 8 MiB a two-CPU -S --fifo run spent about 7 ms of CPU before its
 * first sample (2.3 ms with 256 KiB), as much as 500 samples cost.  The loop
 * needs a few KiB; the deepest path, the meter reading /proc/interrupts, about
 * 50 KiB (the library's path resolution under a root keeps a 38 KiB frame):
 * it crashed with 48 KiB.  128 KiB leaves room for that to grow; cyclictest
 * gives its threads 32 KiB.  AddressSanitizer's frames are larger, and its
 * runs are not timed.
 */
#if defined(__SANITIZE_ADDRESS__)
#define WORKER_STACK	(256 * 1024)
#else
#define WORKER_STACK	(128 * 1024)
#endif

/* Posted by each worker as it ends, so the display wakes at once. */
static sem_t done_sem;

/* The CPUs of a --cpus list; "all" is every CPU this process may run on. */
int
probe_parse_cpus(const char *text, struct td_cpuset *set, int *n)
{
	cpu_set_t allowed;
	int r;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -errno;
	if (strcmp(text, "all") == 0) {
		td_cpuset_zero(set);
		for (int c = 0; c < CPU_SETSIZE && c < TD_MAX_CPUS; c++)
			if (CPU_ISSET(c, &allowed))
				td_cpuset_set(set, c);
	} else if ((r = td_cpuset_parse_list(set, text)) < 0) {
		return r;
	}
	*n = td_cpuset_count(set);
	if (*n == 0)
		return -EINVAL;
	for (int c = 0; c < TD_MAX_CPUS; c++)
		if (td_cpuset_isset(set, c) && (c >= CPU_SETSIZE || !CPU_ISSET(c, &allowed)))
			return -ENXIO;
	return 0;
}

/* The CPU time of the calling thread, ns; -1 when unknown. */
static int64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A worker: set up its own thread (pin, slack, FIFO), then measure. */
static void *
worker_main(void *arg)
{
	struct probe_worker *w = arg;
	struct probe_opts o = *w->o;

	o.cpu = w->cpu;
	td_error_clear(&w->err);
	w->rc = probe_env_setup(&o, w->env, &w->err);
	if (w->rc == 0) {
		int64_t t0 = thread_cpu_ns();

		w->rc = o.meter ? probe_meter(&o, &w->res, &w->err) :
		    probe_run(&o, &w->res, w->live, &w->err);
		w->res.cpu_time_ns = t0 < 0 ? -1 : thread_cpu_ns() - t0;
	}
	if (w->rc < 0)
		probe_stop_flag = 1;	/* one failed: the others stop too */
	sem_post(&done_sem);
	return NULL;
}

/* A latency for the live line, "-" before the first sample. */
static const char *
live_fmt(char *buf, size_t len, int64_t ns, uint64_t n)
{
	if (n == 0)
		return "-";
	return probe_fmt_ns(buf, len, ns);
}

/* Print (or reprint over the last) one line per worker on stderr. */
static void
live_show(struct probe_worker *w, size_t n, bool again)
{
	char b[6][32];

	if (again)
		fprintf(stderr, "\033[%zuA", n);
	for (size_t i = 0; i < n; i++) {
		struct probe_live *l = w[i].live;
		int64_t cur, min, max, p50, p99;
		uint64_t cnt;

		pthread_mutex_lock(&l->mu);
		cur = l->cur;
		min = l->min;
		max = l->max;
		cnt = l->hist.n;
		p50 = td_latency_live_percentile(&l->hist, 50);
		p99 = td_latency_live_percentile(&l->hist, 99);
		pthread_mutex_unlock(&l->mu);
		/* A percentile among samples below zero: the minimum says more. */
		if (p50 < 0)
			p50 = min;
		if (p99 < 0)
			p99 = min;
		if (w[i].cpu >= 0)
			snprintf(b[5], sizeof(b[5]), "cpu %3d", w[i].cpu);
		else
			snprintf(b[5], sizeof(b[5]), "%s", "cpu any");
		fprintf(stderr, "\r\033[K%s: cur %9s  min %9s  p50 %9s  p99 %9s  max %9s  "
		    "n %llu\n", b[5], live_fmt(b[0], 32, cur, cnt), live_fmt(b[1], 32, min, cnt),
		    live_fmt(b[2], 32, p50, cnt), live_fmt(b[3], 32, p99, cnt),
		    live_fmt(b[4], 32, max, cnt), (unsigned long long)cnt);
	}
	fflush(stderr);
}

/*
 * Wait for a worker to end, up to a second when the live lines need
 * refreshing (without them the waiting thread wakes only when one ends);
 * true when one did.
 */
static bool
wait_done(bool live)
{
	struct timespec ts;

	if (!live) {
		/* It cannot fail otherwise; the join waits for the worker anyway. */
		while (sem_wait(&done_sem) < 0 && errno == EINTR)
			continue;
		return true;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	while (sem_timedwait(&done_sem, &ts) < 0)
		if (errno != EINTR)
			return false;
	return true;
}

/* Start every worker, show the live lines until all end, join them. */
int
probe_run_all(const struct probe_opts *o, struct probe_worker *w, size_t n, bool live)
{
	pthread_attr_t attr;
	size_t started = 0, ended = 0;
	int r = 0;

	if (sem_init(&done_sem, 0, 0) < 0)
		return -errno;
	(void)td_fd_room((unsigned long)n + TD_FD_SPARE);	/* a timer file each */
	if ((r = -pthread_attr_init(&attr)) < 0 ||
	    (r = -pthread_attr_setstacksize(&attr, WORKER_STACK)) < 0) {
		sem_destroy(&done_sem);
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		w[i].o = o;
		if (live) {
			if ((w[i].live = calloc(1, sizeof(*w[i].live))) == NULL) {
				r = -ENOMEM;
				break;
			}
			pthread_mutex_init(&w[i].live->mu, NULL);
		}
		if ((r = -pthread_create(&w[i].th, &attr, worker_main, &w[i])) < 0)
			break;
		started++;
	}
	pthread_attr_destroy(&attr);
	if (r < 0)
		probe_stop_flag = 1;
	if (live && r == 0)
		live_show(w, n, false);
	while (ended < started) {
		if (wait_done(live && r == 0))
			ended++;
		else if (live && r == 0)
			live_show(w, n, true);
	}
	/* Cleared at the end: the report follows where the lines were. */
	if (live && r == 0) {
		fprintf(stderr, "\033[%zuA\r\033[J", n);
		fflush(stderr);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(w[i].th, NULL);
	for (size_t i = 0; i < n; i++) {
		if (w[i].live != NULL) {
			pthread_mutex_destroy(&w[i].live->mu);
			free(w[i].live);
			w[i].live = NULL;
		}
	}
	sem_destroy(&done_sem);
	return r;
}
