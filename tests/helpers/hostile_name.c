/*
 * Test load with a hostile name: what any local user can do to root's
 * terminal.  hostile_name [-r HZ] [-d SECONDS] [NAME]: names itself NAME
 * (default: an OSC title sequence and a clear-screen sequence) with
 * prctl(PR_SET_NAME), then sleeps HZ times a second (default 1000) with
 * clock_nanosleep for SECONDS (default 5).  Prints its pid first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *name = "\x1b]0;OWNED\x07\x1b[2J";
	struct timespec next, end;
	long hz = 1000, period;
	double seconds = 5;
	int c;

	while ((c = getopt(argc, argv, "r:d:")) != -1) {
		switch (c) {
		case 'r':
			hz = strtol(optarg, NULL, 10);
			break;
		case 'd':
			seconds = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: hostile_name [-r HZ] [-d SECONDS] [NAME]\n");
			return 2;
		}
	}
	if (optind < argc)
		name = argv[optind];
	if (hz < 1 || hz > 1000000 || seconds <= 0) {
		fprintf(stderr, "hostile_name: bad rate or duration\n");
		return 2;
	}
	if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0) {
		perror("hostile_name: prctl");
		return 1;
	}
	printf("%d\n", (int)getpid());
	fflush(stdout);
	period = 1000000000L / hz;
	clock_gettime(CLOCK_MONOTONIC, &next);
	end = next;
	end.tv_sec += (time_t)seconds;
	end.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		next.tv_nsec += period;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		if (next.tv_sec > end.tv_sec ||
		    (next.tv_sec == end.tv_sec && next.tv_nsec >= end.tv_nsec))
			break;
		while ((c = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL)) == EINTR)
			;
		if (c != 0) {
			fprintf(stderr, "hostile_name: clock_nanosleep: %d\n", c);
			return 1;
		}
	}
	return 0;
}
