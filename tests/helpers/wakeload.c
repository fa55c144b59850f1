/*
 * Test load for the wakeup tests: threads pinned to one CPU that either sleep
 * or spin.
 *   wakeload -c CPU -r HZ [-t THREADS] [-d SECONDS] [-s]
 * Default: each thread sleeps in clock_nanosleep (absolute, CLOCK_MONOTONIC)
 * HZ times a second, so the CPU wakes for it HZ times a second when nothing
 * else runs there.  -s: each thread spins and reads a timerfd of HZ without
 * blocking, so the timer expires HZ times a second on a CPU that never idles.
 * Prints its pid first, then runs until killed or SECONDS elapse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long hz = 200;
static int cpu = -1;
static int spin;
static double seconds;

/* Seconds on the monotonic clock. */
static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One thread: pin, then sleep or spin until the end. */
static void *
run(void *arg)
{
	long period = 1000000000L / hz;
	double end = seconds > 0 ? mono() + seconds : 0;
	struct timespec next;
	cpu_set_t set;

	(void)arg;
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
			fprintf(stderr, "wakeload: cannot pin to CPU %d\n", cpu);
			exit(1);
		}
	}
	if (spin) {
		struct itimerspec its = { { 0, period }, { 0, period } };
		int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		uint64_t n;

		if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0) {
			perror("wakeload: timerfd");
			exit(1);
		}
		while (end == 0 || mono() < end)
			if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
				break;
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (end == 0 || mono() < end) {
		next.tv_nsec += period;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t th[64];
	int c, nthreads = 1;

	while ((c = getopt(argc, argv, "c:r:t:d:s")) != -1) {
		switch (c) {
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'r':
			hz = atol(optarg);
			break;
		case 't':
			nthreads = atoi(optarg);
			break;
		case 'd':
			seconds = atof(optarg);
			break;
		case 's':
			spin = 1;
			break;
		default:
			fprintf(stderr, "usage: wakeload -c CPU -r HZ [-t THREADS] [-d SECONDS] [-s]\n");
			return 2;
		}
	}
	if (hz < 1 || hz > 1000000 || nthreads < 1 || nthreads > 64) {
		fprintf(stderr, "wakeload: bad rate or thread count\n");
		return 2;
	}
	printf("%d\n", (int)getpid());
	fflush(stdout);
	for (int i = 1; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, run, NULL) != 0) {
			fprintf(stderr, "wakeload: cannot start a thread\n");
			return 1;
		}
	run(NULL);
	for (int i = 1; i < nthreads; i++)
		pthread_join(th[i], NULL);
	return 0;
}
