/*
 * Test and benchmark load: arms a periodic timerfd and reads every expiry.
 * timerfd_load [-r HZ] [-t THREADS] [-d SECONDS] [-p] [-c] [-s] [-m]: HZ expiries per second
 * in each thread (default 1000, one thread), until killed or SECONDS elapse.
 * With -p each read is preceded by poll() with a 100 ms timeout, a timeout that
 * is armed and cancelled every period without ever firing.  With -n FDS each
 * thread serves FDS timerfds through epoll (the cheap way to make 100,000
 * expiries per second on two CPUs: no context switch per expiry), their
 * first expiries spread evenly over one period on a grid from the start, which
 * the period keeps: a load whose phases followed each arm's time was a
 * different load under each tool (one that makes first arms slower spread
 * them otherwise, and a saturated load's rate moved with that, not with the
 * tool's cost per event).  With -c
 * thread i runs on CPU i modulo the CPUs it may use (a benchmark's load then
 * falls on the CPUs alike in every run).  With -s the threads' timers (one
 * each; -n spreads a thread's own) are spread evenly over the period (thread
 * i expires at i/THREADS of it), so that loads of few and of many threads at
 * one total rate expire alike.  With -m a thread moves to the next CPU it
 * may use after each read (its timer's events fall on each CPU in turn).
 * Prints its pid first, then at the end the ticks counted and the expiries
 * (reads: the timer is re-armed by each read, so one read is one expiry).
 */
#define _GNU_SOURCE	/* sched_getaffinity, pthread_setaffinity_np */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long hz = 1000;
static double seconds = 0;
static int use_poll;
static long fds_per_thread = 1;
static int pin;
static int spread;
static int move;
static long threads = 1;
static struct timespec base;	/* with -s or -n: the grid the timers' expiries keep */
static volatile sig_atomic_t done;
static uint64_t *total, *reads;	/* per thread */

/* Stop at SIGTERM or SIGINT. */
static void
on_signal(int sig)
{
	(void)sig;
	done = 1;
}

/* Whether the -d time is up. */
static int
time_up(const struct timespec *t0)
{
	struct timespec now;

	if (seconds <= 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9 >=
	    seconds;
}

static cpu_set_t allowed;	/* the CPUs the process may use, at its start */

/*
 * With -c: run thread idx on the idx-th of the CPUs allowed (modulo their
 * number); with -m, on the next at each read.
 */
static void
pin_thread(long idx)
{
	cpu_set_t one;
	long k = 0, want;

	if (CPU_COUNT(&allowed) == 0)
		return;
	want = idx % CPU_COUNT(&allowed);
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed) && k++ == want) {
			CPU_SET(c, &one);
			break;
		}
	(void)pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
}

/*
 * The point k/of of a period after base, as an absolute first expiry: one
 * already past fires at once, and the period keeps the grid's phase.
 */
static struct timespec
on_grid(long period_ns, long k, long of)
{
	long long ns = base.tv_nsec + (long long)period_ns * k / of;
	struct timespec t = { .tv_sec = base.tv_sec + ns / 1000000000L,
	    .tv_nsec = ns % 1000000000L };

	return t;
}

/* One thread with many timerfds at hz each, served through epoll. */
static void *
run_many(void *arg)
{
	long idx = (long)arg;
	struct epoll_event ev[64];
	struct itimerspec its;
	struct timespec t0;
	uint64_t n;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (pin)
		pin_thread(idx);
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_nsec = 1000000000L / hz;
	/* The first expiries spread over one period on the grid, not from each arm's own time. */
	for (long i = 0; i < fds_per_thread; i++) {
		int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };

		if (fd < 0 || ep < 0) {
			perror("timerfd_load");
			exit(1);
		}
		its.it_value = on_grid(its.it_interval.tv_nsec, i + 1, fds_per_thread);
		timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done && !time_up(&t0)) {
		int k = epoll_wait(ep, ev, 64, 100);

		for (int i = 0; i < k; i++)
			if (read(ev[i].data.fd, &n, sizeof(n)) == (ssize_t)sizeof(n)) {
				total[idx] += n;
				reads[idx]++;
				if (move)
					pin_thread(idx + (long)reads[idx]);
			}
	}
	return NULL;
}

/* One thread: a timerfd at hz, read until told to stop. */
static void *
run(void *arg)
{
	long idx = (long)arg;
	struct itimerspec its;
	struct timespec t0, now;
	uint64_t n;
	int fd;

	if (pin)
		pin_thread(idx);
	if ((fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0) {
		perror("timerfd_create");
		exit(1);
	}
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_nsec = 1000000000L / hz;
	its.it_value = its.it_interval;
	if (spread)
		its.it_value = on_grid(its.it_interval.tv_nsec, idx, threads);
	if (timerfd_settime(fd, spread ? TFD_TIMER_ABSTIME : 0, &its, NULL) < 0) {
		perror("timerfd_settime");
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done) {
		if (use_poll) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			(void)poll(&p, 1, 100);
		}
		if (read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n)) {
			total[idx] += n;
			reads[idx]++;	/* one expiry each: the timer re-arms on read */
			if (move)
				pin_thread(idx + (long)reads[idx]);
		}
		else if (errno != EINTR)
			break;
		if (seconds > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((double)(now.tv_sec - t0.tv_sec) +
			    (double)(now.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
				break;
		}
	}
	close(fd);
	return NULL;
}

/* Parse options, start the threads, wait, report. */
int
main(int argc, char **argv)
{
	pthread_t *th;
	pthread_attr_t attr;
	struct sigaction sa;
	uint64_t sum = 0, nreads = 0;
	int c;

	while ((c = getopt(argc, argv, "r:t:d:pn:csm")) != -1) {
		switch (c) {
		case 'r':
			hz = strtol(optarg, NULL, 10);
			break;
		case 't':
			threads = strtol(optarg, NULL, 10);
			break;
		case 'd':
			seconds = strtod(optarg, NULL);
			break;
		case 'p':
			use_poll = 1;
			break;
		case 'n':
			fds_per_thread = strtol(optarg, NULL, 10);
			break;
		case 'c':
			pin = 1;
			break;
		case 's':
			spread = 1;
			break;
		case 'm':
			move = 1;
			break;
		default:
			fprintf(stderr, "usage: timerfd_load [-r HZ] [-t THREADS] [-n FDS] [-d SECONDS] [-p] [-c] [-s] [-m]\n");
			return 2;
		}
	}
	if (hz < 1 || hz > 1000000 || threads < 1 || threads > 10000 || fds_per_thread < 1 ||
	    fds_per_thread > 10000) {
		fprintf(stderr, "timerfd_load: -r 1..1000000, -t 1..10000, -n 1..10000\n");
		return 2;
	}
	th = calloc((size_t)threads, sizeof(*th));
	total = calloc((size_t)threads, sizeof(*total));
	reads = calloc((size_t)threads, sizeof(*reads));
	if (th == NULL || total == NULL || reads == NULL) {
		perror("timerfd_load");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &base);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		CPU_ZERO(&allowed);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	/* One thread runs in the main thread, so the timer's armer is the pid. */
	if (threads == 1 && fds_per_thread > 1) {
		run_many((void *)0);
		sum = total[0];
		nreads = reads[0];
	} else if (threads == 1) {
		run((void *)0);
		sum = total[0];
		nreads = reads[0];
	} else {
		/* Small stacks: 10,000 threads of a few frames each. */
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 << 10);
		for (long i = 0; i < threads; i++)
			if (pthread_create(&th[i], &attr, fds_per_thread > 1 ? run_many : run,
			    (void *)i) != 0) {
				fprintf(stderr, "timerfd_load: cannot start thread %ld\n", i + 1);
				exit(1);
			}
		for (long i = 0; i < threads; i++) {
			pthread_join(th[i], NULL);
			sum += total[i];
			nreads += reads[i];
		}
	}
	printf("ticks %llu expiries %llu\n", (unsigned long long)sum,
	    (unsigned long long)nreads);
	free(th);
	free(total);
	free(reads);
	return 0;
}
