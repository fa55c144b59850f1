/*
 * Run a command N times; print the median, min and max wall time in ms, the
 * largest peak RSS in KiB of the runs, and the median and min CPU time in us
 * (user + system of the command and its threads, from wait4: the scheduler's
 * run time, which `time` and top show).  Usage: runstat [-o FILE] N command
 * [args...]  The command's output goes to /dev/null, or its standard output
 * to FILE (the last run's).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	const char *out = NULL;
	long n, maxrss = 0;
	double *t, *c;

	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		out = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) < 1) {
		fprintf(stderr, "usage: runstat [-o FILE] N command [args...]\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	c = calloc((size_t)n, sizeof(*c));
	if (t == NULL || c == NULL)
		return 1;
	for (long i = 0; i < n; i++) {
		struct timespec a, b;
		struct rusage ru;
		int status;
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &a);
		pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			int fo = out != NULL ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : fd;

			dup2(fo, 1);
			dup2(fd, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (wait4(pid, &status, 0, &ru) < 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		c[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	qsort(c, (size_t)n, sizeof(*c), cmp);
	printf("median_ms %.3f min_ms %.3f max_ms %.3f maxrss_kib %ld runs %ld "
	    "median_cpu_us %.0f min_cpu_us %.0f\n", t[n / 2], t[0], t[n - 1], maxrss, n,
	    c[n / 2], c[0]);
	free(t);
	free(c);
	return 0;
}
