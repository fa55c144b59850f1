/*
 * For bench/timer_list.sh.
 *   timer_list_bench file|file1|buffer FILE
 *                                        one parse; prints "parse_ns=N cpu_ns=N
 *                                        maxrss_kb=N cpus=N timers=N" (file mode
 *                                        includes reading; file1 is the same on
 *                                        one thread, in one part; buffer mode is
 *                                        the parse of a buffer read beforehand;
 *                                        buffer2 times a second parse of it, on
 *                                        one thread: the parser alone, its
 *                                        input's pages already touched)
 *   timer_list_bench touch BYTES        writes BYTES of fresh memory as the
 *                                        parser's arena gets it (huge pages, 2 MiB
 *                                        steps): what storing the records costs
 *                                        before any parsing
 *   timer_list_bench exec CMD ARGS...   runs CMD (output discarded) and prints
 *                                        "wall_ns=N cpu_ns=N user_ns=N maxrss_kb=N
 *                                        minflt=N" (page faults),
 *                                        so wc -l and the parser are timed alike
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "timer_list.h"

/* Read a regular file with one allocation of its size. */
static char *
read_all(const char *path, size_t *len)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;
	char *d;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0 || (d = malloc((size_t)st.st_size + 1)) == NULL)
		return NULL;
	while (n < (size_t)st.st_size && (r = read(fd, d + n, (size_t)st.st_size - n)) > 0)
		n += (size_t)r;
	close(fd);
	*len = n;
	return d;
}

/* Monotonic time in ns. */
static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* User + system time of a rusage in ns. */
static long long
cpu_ns(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000000LL +
	    (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000LL;
}

/* Run a command with stdout on /dev/null; report its wall and CPU time. */
static int
run(char **argv)
{
	struct rusage ru;
	long long t0 = now_ns(), t1;
	int status, fd;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, 1);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 1;
	}
	t1 = now_ns();
	printf("wall_ns=%lld cpu_ns=%lld user_ns=%lld maxrss_kb=%ld minflt=%ld\n", t1 - t0,
	    cpu_ns(&ru), ru.ru_utime.tv_sec * 1000000000LL + ru.ru_utime.tv_usec * 1000LL,
	    ru.ru_maxrss, ru.ru_minflt);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Write n bytes of fresh memory the way the record arena does. */
static int
touch(size_t n)
{
	size_t step = (size_t)2 << 20, len = (n + step - 1) / step * step;
	char *p;

	if (len == 0)
		return 0;	/* the baseline: a process that writes nothing */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE);
#endif
	for (size_t off = 0; off < len; off += step) {
#ifdef MADV_POPULATE_WRITE
		madvise(p + off, step, MADV_POPULATE_WRITE);
#endif
		memset(p + off, 0, step);
	}
	munmap(p, len);
	return 0;
}

int
main(int argc, char **argv)
{
	struct td_timer_list *tl = NULL;
	struct td_error e;
	struct rusage ru;
	size_t len;
	char *data;
	size_t timers = 0;
	long long t0, t1;
	char msg[600];
	struct rusage r0;
	int r;

	if (argc > 2 && strcmp(argv[1], "exec") == 0)
		return run(argv + 2);
	if (argc == 3 && strcmp(argv[1], "touch") == 0)
		return touch(strtoull(argv[2], NULL, 10));
	if (argc != 3 || (strcmp(argv[1], "file") != 0 && strcmp(argv[1], "file1") != 0 &&
	    strcmp(argv[1], "buffer") != 0 && strcmp(argv[1], "buffer2") != 0)) {
		fprintf(stderr, "usage: timer_list_bench file|file1|buffer|buffer2 FILE | "
		    "exec CMD ARGS...\n");
		return 2;
	}
	getrusage(RUSAGE_SELF, &r0);
	t0 = now_ns();
	if (strncmp(argv[1], "file", 4) == 0) {
		FILE *f = fopen(argv[2], "r");

		if (f == NULL) {
			perror(argv[2]);
			return 1;
		}
		if (strcmp(argv[1], "file1") == 0)
			r = td_timer_list_parse_file_with(f, argv[2], TD_TL_TIMERS, SIZE_MAX, &tl, &e,
			    NULL);
		else
			r = td_timer_list_parse_file(f, argv[2], TD_TL_TIMERS, &tl, &e);
		fclose(f);
	} else {
		if ((data = read_all(argv[2], &len)) == NULL) {
			perror(argv[2]);
			return 1;
		}
		if (strcmp(argv[1], "buffer2") == 0) {
			/* the first parse touches the input's pages; the second is timed */
			if (td_timer_list_parse_with(data, len, argv[2], true, SIZE_MAX, &tl, &e,
			    NULL) == 0)
				td_timer_list_free(tl);
			tl = NULL;
		}
		getrusage(RUSAGE_SELF, &r0);
		t0 = now_ns();
		if (strcmp(argv[1], "buffer2") == 0)
			r = td_timer_list_parse_with(data, len, argv[2], true, SIZE_MAX, &tl, &e, NULL);
		else
			r = td_timer_list_parse(data, len, argv[2], &tl, &e);
		t1 = now_ns();
		free(data);
		goto done;
	}
	t1 = now_ns();
done:
	if (r < 0) {
		fprintf(stderr, "timer_list_bench: %s\n", td_error_str(&e, msg, sizeof(msg)));
		return 1;
	}
	for (size_t i = 0; i < tl->ncpus; i++)
		timers += td_tl_cpu_ntimers(&tl->cpus[i]);
	getrusage(RUSAGE_SELF, &ru);
	printf("parse_ns=%lld cpu_ns=%lld maxrss_kb=%ld cpus=%zu timers=%zu record_bytes=%zu\n",
	    t1 - t0, cpu_ns(&ru) - cpu_ns(&r0), ru.ru_maxrss, tl->ncpus, timers,
	    timers * sizeof(struct td_tl_timer));
	td_timer_list_free(tl);
	return 0;
}
