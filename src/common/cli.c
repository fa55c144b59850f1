/* The tools' shared front end. */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"
#include "sampler.h"
#include "source.h"
#include "table.h"

const char *cli_prog = "timerdiag";

/*
 * Remember the program name.  The locale stays "C": numbers keep their decimal
 * point in text, JSON and Prometheus output, and loading one costs a third of
 * a millisecond, a fifth of what timerinfo does after exec.  wakeuptop alone
 * sets LC_CTYPE, for the wide characters on its screen.
 */
void
cli_init(int argc, char **argv)
{
	(void)argc;
	if (argv[0] != NULL) {
		char *s = strrchr(argv[0], '/');

		/* getopt names argv[0] in its messages: the name, not the path. */
		if (s != NULL)
			argv[0] = s + 1;
		cli_prog = argv[0];
	}
	setprogname(cli_prog);
}

/* Complain about the command line and exit 2. */
void
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", cli_prog);
	exit(CLI_EXIT_USAGE);
}

/* Print the version and exit. */
void
cli_version(void)
{
	printf("%s (%s) %s\n", cli_prog, PACKAGE_NAME, PACKAGE_VERSION);
	exit(CLI_EXIT_OK);
}

/* -h, -V, or an unknown option (getopt printed it). */
void
cli_common_option(int c, void (*usage)(void))
{
	if (c == 'h') {
		usage();
		exit(CLI_EXIT_OK);
	}
	if (c == 'V')
		cli_version();
	fprintf(stderr, "Try '%s --help' for more information.\n", cli_prog);
	exit(CLI_EXIT_USAGE);
}

/* No tool takes operands. */
void
cli_no_operands(int argc, char **argv)
{
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
}

/* Print a library error as one line. */
void
cli_warn_td(const struct td_error *e)
{
	char buf[768];

	fprintf(stderr, "%s: %s\n", cli_prog, td_error_str(e, buf, sizeof(buf)));
}

/* Print a library error and exit. */
void
cli_fail_td(const struct td_error *e, int code)
{
	cli_warn_td(e);
	exit(code);
}

/* The one way a tool ends its output: a write error is a failure, said once. */
int
cli_stdout_close(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "%s: write error: %s\n", cli_prog, strerror(errno ? errno : EIO));
	return CLI_EXIT_FAIL;
}

/* Before anything is written to stdout (cli.h). */
#define SAMPLE_BUFFER	((size_t)64 << 10)

void
cli_stdout_by_sample(void)
{
	/* glibc sizes a buffer it allocates by the file's block size, not ours. */
	static char buf[SAMPLE_BUFFER];

	if (!isatty(STDOUT_FILENO))
		(void)setvbuf(stdout, buf, _IOFBF, sizeof(buf));
}

/* A sysroot that is not a directory is a failure, the same in every tool. */
void
cli_sysroot_check(const char *dir)
{
	struct td_error e;

	if (td_sysroot_check(dir, &e) < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
}

/* A file the run will write is checked before the run, not after it. */
void
cli_writable_check(const char *path)
{
	struct td_error e;
	bool existed = access(path, F_OK) == 0;
	int fd;

	/* Non-blocking: a FIFO without a reader fails here rather than hanging. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666)) < 0) {
		td_error_set(&e, errno, path, 0, "%s", strerror(errno));
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	close(fd);
	if (!existed)
		(void)unlink(path);
}

/* A symbolic link that leaves the captured tree ends the run, before any report. */
void
cli_refused_check(void)
{
	struct td_error e;

	if (td_sysroot_refused(&e))
		cli_fail_td(&e, CLI_EXIT_FAIL);
}

/* Parse "250us", "2s", "1ns", "1.5ms". */
int
cli_parse_duration(const char *s, int64_t default_unit_ns, int64_t *out_ns)
{
	char *end;
	double v, unit;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v != v)
		return -EINVAL;
	if (*end == '\0')
		unit = (double)default_unit_ns;
	else if (strcmp(end, "ns") == 0)
		unit = 1;
	else if (strcmp(end, "us") == 0 || strcmp(end, "µs") == 0)
		unit = 1e3;
	else if (strcmp(end, "ms") == 0)
		unit = 1e6;
	else if (strcmp(end, "s") == 0)
		unit = 1e9;
	else
		return -EINVAL;
	v *= unit;
	if (v < -9.2e18 || v > 9.2e18)
		return -ERANGE;
	*out_ns = (int64_t)v;
	return 0;
}

/* Parse a bounded integer option value or exit 2. */
long long
cli_parse_num(const char *opt, const char *s, long long min, long long max)
{
	const char *errstr;
	long long v;

	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		cli_usage_error("%s: '%s' is %s (allowed %lld to %lld)", opt, s, errstr,
		    min, max);
	return v;
}

/* Colour only on a capable terminal and never with NO_COLOR. */
bool
cli_use_color(FILE *f)
{
	const char *term = getenv("TERM");
	const char *nc = getenv("NO_COLOR");

	if (nc != NULL && nc[0] != '\0')
		return false;
	if (term == NULL || strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f));
}

/* --color[=WHEN]: auto when WHEN is left out, as in util-linux. */
enum cli_color
cli_parse_color(const char *arg)
{
	if (arg == NULL || strcmp(arg, "auto") == 0)
		return CLI_COLOR_AUTO;
	if (strcmp(arg, "always") == 0)
		return CLI_COLOR_ALWAYS;
	if (strcmp(arg, "never") == 0)
		return CLI_COLOR_NEVER;
	cli_usage_error("--color: '%s' is not auto, always or never", arg);
}

/* Whether to colour f for --color=WHEN. */
bool
cli_color_on(enum cli_color when, FILE *f)
{
	if (when == CLI_COLOR_AUTO)
		return cli_use_color(f);
	return when == CLI_COLOR_ALWAYS;
}

/* Add -H, -r or -P to the table flags; the last of -r and -P wins. */
bool
cli_table_option(int c, unsigned *flags)
{
	unsigned flag;

	if (c == 'H')
		flag = TD_TABLE_NOHEADINGS;
	else if (c == 'r')
		flag = TD_TABLE_RAW;
	else if (c == 'P')
		flag = TD_TABLE_PAIRS;
	else
		return false;
	if (flag != TD_TABLE_NOHEADINGS)
		*flags &= ~(unsigned)(TD_TABLE_RAW | TD_TABLE_PAIRS);
	*flags |= flag;
	return true;
}

/* The sampling tools' file options, --sysroot and the BPF map size. */
bool
cli_sampler_option(int c, const char *arg, struct td_sampler_opts *so)
{
	switch (c) {
	case CLI_OPT_TRACE:
		so->trace_file = arg;
		return true;
	case CLI_OPT_RECORD:
		so->record_file = arg;
		return true;
	case CLI_OPT_SYSROOT:
		so->sysroot = arg;
		return true;
	case CLI_OPT_BPF_MAP_ENTRIES:
		so->bpf_map_entries = (unsigned)cli_parse_num("--bpf-map-entries", arg, 16,
		    1 << 22);
		return true;
	default:
		return false;
	}
}

/* The backend --timer-stats, --trace and --record choose, or exit 2. */
void
cli_sampler_backend(struct td_sampler_opts *so, bool has_timer_stats)
{
	if (so->timer_stats_file != NULL && so->backend != TD_BACKEND_AUTO &&
	    so->backend != TD_BACKEND_TIMER_STATS)
		cli_usage_error("--timer-stats needs --source timer_stats (or none)");
	if (so->timer_stats_file != NULL)
		so->backend = TD_BACKEND_TIMER_STATS;
	if (so->trace_file != NULL && so->timer_stats_file != NULL)
		cli_usage_error("--trace and --timer-stats: one file at a time");
	if (so->trace_file != NULL && so->backend != TD_BACKEND_AUTO &&
	    so->backend != TD_BACKEND_TRACE)
		cli_usage_error("--trace needs --source trace (or none)");
	if (so->trace_file != NULL)
		so->backend = TD_BACKEND_TRACE;
	if (so->record_file == NULL)
		return;
	if (so->trace_file != NULL || so->timer_stats_file != NULL ||
	    !td_root_is_live(so->sysroot))
		cli_usage_error("--record writes a live sample: not with --trace%s or --sysroot",
		    has_timer_stats ? ", --timer-stats" : "");
	if (so->backend != TD_BACKEND_AUTO && so->backend != TD_BACKEND_TRACEFS)
		cli_usage_error("--record needs --source tracefs (or none)");
	so->backend = TD_BACKEND_TRACEFS;
}

/* Exit 2 when the task asked for does not exist here. */
void
cli_check_task(const char *opt, int pid, const char *sysroot, bool from_file)
{
	char path[64];

	if (pid < 0 || from_file || !td_root_is_live(sysroot))
		return;
	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (access(path, F_OK) < 0)
		cli_usage_error("%s: no task %d on this system", opt, pid);
}

/* Exit 2 when a CPU asked for is not a possible CPU. */
void
cli_check_cpus(const char *opt, const struct td_cpuset *cpus, const char *sysroot)
{
	struct td_cpuset possible;
	char line[4096], buf[64];

	if (td_read_line_root(sysroot, "/sys/devices/system/cpu/possible", line, sizeof(line),
	    NULL) < 0 || td_cpuset_parse_list(&possible, line) < 0)
		return;		/* cannot tell: let the sample say what it finds */
	for (int c = 0; c < TD_MAX_CPUS; c++)
		if (td_cpuset_isset(cpus, c) && !td_cpuset_isset(&possible, c))
			cli_usage_error("%s: no CPU %d here (possible CPUs: %s)", opt, c,
			    td_cpuset_format(&possible, buf, sizeof(buf)));
}
