/*
 * Test load: sleeps in clock_nanosleep at a fixed rate, pinned to one CPU.
 * sleep_load [-r HZ] [-c CPU] [-t THREADS] [-d SECONDS]: each thread wakes HZ
 * times a second (default 200) at absolute deadlines (TIMER_ABSTIME, so the
 * rate does not drift), all pinned with sched_setaffinity to CPU (default: not
 * pinned), until killed or SECONDS elapse.  Prints its pid first, then at the
 * end the wakeups of each thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long hz = 200;
static double seconds = 0;
static volatile sig_atomic_t done;
static uint64_t wakes[64];

/* Stop at SIGTERM or SIGINT. */
static void
on_signal(int sig)
{
	(void)sig;
	done = 1;
}

/* Sleep to each deadline in turn until told to stop or time is up. */
static void *
sleeper(void *arg)
{
	uint64_t *n = arg;
	int64_t period = 1000000000LL / hz, left = seconds > 0 ? (int64_t)(seconds * hz) : -1;
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	while (!done && left != 0) {
		t.tv_nsec += period;
		while (t.tv_nsec >= 1000000000L) {
			t.tv_nsec -= 1000000000L;
			t.tv_sec++;
		}
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == 0)
			(*n)++;
		if (left > 0)
			left--;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t th[64];
	long threads = 1, cpu = -1;
	int c;

	while ((c = getopt(argc, argv, "r:c:t:d:")) != -1) {
		switch (c) {
		case 'r':
			hz = strtol(optarg, NULL, 10);
			break;
		case 'c':
			cpu = strtol(optarg, NULL, 10);
			break;
		case 't':
			threads = strtol(optarg, NULL, 10);
			break;
		case 'd':
			seconds = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: sleep_load [-r HZ] [-c CPU] [-t THREADS] "
			    "[-d SECONDS]\n");
			return 2;
		}
	}
	if (hz < 1 || hz > 1000000 || threads < 1 || threads > 64 || cpu >= CPU_SETSIZE) {
		fprintf(stderr, "sleep_load: bad -r, -t or -c\n");
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((int)cpu, &set);
		/* Pid 0: this thread; the threads created below inherit it. */
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			perror("sleep_load: sched_setaffinity");
			return 1;
		}
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("%ld\n", (long)getpid());
	fflush(stdout);
	for (long i = 1; i < threads; i++)
		if ((errno = pthread_create(&th[i], NULL, sleeper, &wakes[i])) != 0) {
			perror("sleep_load: pthread_create");
			return 1;
		}
	sleeper(&wakes[0]);
	for (long i = 1; i < threads; i++)
		pthread_join(th[i], NULL);
	for (long i = 0; i < threads; i++)
		printf("thread %ld: %llu wakeups\n", i, (unsigned long long)wakes[i]);
	return 0;
}
