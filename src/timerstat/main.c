/* timerstat: top wakeup sources over an interval, on every kernel. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cpumask.h"
#include "source.h"
#include "timer_stats.h"
#include "timerstat.h"

enum {
	OPT_FORMAT = CLI_OPT_FIRST_FREE,
	OPT_CPU,
	OPT_PID,
	OPT_TID,
	OPT_TOP,
	OPT_SOURCE,
	OPT_TIMER_STATS,
	OPT_TRACE,
	OPT_RECORD,
	OPT_LIST_COLUMNS,
	OPT_BUFFER_SIZE,
	OPT_BPF_MAP_ENTRIES,
};

static const struct option longopts[] = {
	{ "duration",		required_argument,	NULL, 'd' },
	{ "count",		required_argument,	NULL, 'n' },
	{ "json",		no_argument,		NULL, 'J' },
	{ "format",		required_argument,	NULL, OPT_FORMAT },
	{ "output",		required_argument,	NULL, 'o' },
	{ "sort",		required_argument,	NULL, 's' },
	{ "group",		required_argument,	NULL, 'g' },
	{ "cpu",		required_argument,	NULL, OPT_CPU },
	{ "pid",		required_argument,	NULL, OPT_PID },
	{ "tid",		required_argument,	NULL, OPT_TID },
	{ "top",		required_argument,	NULL, OPT_TOP },
	{ "source",		required_argument,	NULL, OPT_SOURCE },
	{ "timer-stats",	required_argument,	NULL, OPT_TIMER_STATS },
	{ "trace",		required_argument,	NULL, OPT_TRACE },
	{ "record",		required_argument,	NULL, OPT_RECORD },
	{ "sysroot",		required_argument,	NULL, CLI_OPT_SYSROOT },
	{ "list-columns",	no_argument,		NULL, OPT_LIST_COLUMNS },
	{ "raw",		no_argument,		NULL, 'r' },
	{ "pairs",		no_argument,		NULL, 'P' },
	{ "noheadings",		no_argument,		NULL, 'H' },
	{ "color",		optional_argument,	NULL, CLI_OPT_COLOR },
	{ "buffer-size",	required_argument,	NULL, OPT_BUFFER_SIZE },
	{ "bpf-map-entries",	required_argument,	NULL, OPT_BPF_MAP_ENTRIES },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Print the help text and exit 0. */
static void
usage(void)
{
	printf("Usage: %s [options]\n\n"
	    "Count what wakes the machine over an interval: each CPU's idle exits\n"
	    "(wakeups) attributed to the interrupt, timer and task that caused them, and\n"
	    "apart from them the events (timer expiries, interrupts, softirqs) of each\n"
	    "source.  The sorted successor of `cat /proc/timer_stats`, on every kernel.\n\n"
	    "Options:\n"
	    "  -d, --duration SECONDS  length of each sample (default 5; units ms, s)\n"
	    "  -n, --count COUNT       number of samples (default 1, 0 = until Ctrl-C)\n"
	    "  -J, --json              print JSON for scripts\n"
	    "      --format FORMAT     text (default), json, raw, pairs, or timer_stats (the\n"
	    "                          classic /proc/timer_stats text, for old scripts)\n"
	    "  -o, --output LIST       columns to show (comma separated; +LIST adds)\n"
	    "      --list-columns      list the columns and exit\n"
	    "  -s, --sort COLUMN       sort by this column (default wakeups, else count)\n"
	    "  -g, --group KEY         one row per thread, process or comm (default comm)\n"
	    "      --top N             show only the first N sources\n"
	    "      --cpu LIST          count only wakeups on these CPUs (e.g. 0,2-3)\n"
	    "      --pid PID           only timers armed by this process (all its threads)\n"
	    "      --tid TID           only timers armed by this thread\n"
	    "      --source SOURCE     auto (default), trace, timer_stats, bpf, tracefs or\n"
	    "                          interrupts\n"
	    "      --timer-stats FILE  read a saved copy of /proc/timer_stats\n"
	    "      --trace FILE        read a trace: trace.dat (trace-cmd record), tracefs\n"
	    "                          trace text, trace-cmd report; with -d/-n, step\n"
	    "                          through it by trace time\n"
	    "      --record FILE       also write what the live sample saw as a trace.dat\n"
	    "      --sysroot DIR       read a captured tree (DIR/proc/...)\n"
	    "  -r, --raw               space separated fields, no units, \\x20 for a space\n"
	    "  -P, --pairs             NAME=\"value\" pairs, one row a line\n"
	    "  -H, --noheadings        only the rows: no header lines, no table header\n"
	    "      --color[=WHEN]      bold headers: auto (default), always or never\n"
	    "      --buffer-size KB    tracefs per-CPU buffer (default 8192)\n"
	    "      --bpf-map-entries N bpf: sources kept per interval (default 8192)\n"
	    "  -h, --help              show this help\n"
	    "  -V, --version           show the version\n\n"
	    "Ctrl-C ends a sample early and prints what it has.\n"
	    "Exit status: 0 ok, 1 failure (nothing could be sampled, a file unreadable),\n"
	    "2 bad usage, 128+N killed by signal N (SIGTERM, SIGHUP) after cleaning up.\n",
	    cli_prog);
	exit(CLI_EXIT_OK);
}

/* List the columns (name, width hint, description) and exit 0. */
static void
list_columns(void)
{
	if (td_table_list_columns(td_wsource_columns, td_wsource_ncolumns, stdout) < 0 ||
	    fflush(stdout) != 0)
		exit(CLI_EXIT_FAIL);
	exit(CLI_EXIT_OK);
}

/*
 * Wait until the monotonic time *end, then move *end on by ns: the intervals
 * last what was asked however long a collect and its output took (behind by
 * more than an interval, the next one starts now).  Returns the signal that
 * ended the wait early, or 0.
 */
static int
wait_interval(struct td_sampler *s, int sigfd, struct timespec *end, int64_t ns, bool *failed)
{
	struct timespec now;
	int64_t next;
	struct itimerspec its;
	struct pollfd pfd[3];
	struct td_error e;
	int tfd, sig = 0;

	*failed = false;
	if ((tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0) {
		*failed = true;
		return 0;
	}
	memset(&its, 0, sizeof(its));
	its.it_value = *end;
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
	clock_gettime(CLOCK_MONOTONIC, &now);
	next = (int64_t)end->tv_sec * 1000000000 + end->tv_nsec + ns;
	if (next < (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + ns / 2)
		next = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + ns;
	end->tv_sec = next / 1000000000;
	end->tv_nsec = next % 1000000000;
	for (;;) {
		pfd[0] = (struct pollfd){ .fd = tfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = td_sampler_fd(s), .events = POLLIN };
		if (poll(pfd, pfd[2].fd >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			*failed = true;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				sig = (int)si.ssi_signo;
				break;
			}
		}
		if (pfd[0].revents & POLLIN)
			break;
		if (pfd[2].revents & POLLIN) {
			td_error_clear(&e);
			if (td_sampler_pump(s, &e) < 0) {
				cli_warn_td(&e);
				*failed = true;
				break;
			}
		}
	}
	close(tfd);
	return sig;
}

/*
 * On a terminal, say on stderr what the silence is while an interval is
 * sampled, and take the line away after it (on: show it; else clear it).
 */
static void
progress(bool on, int64_t ns, int index, int count)
{
	static int tty = -1;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	if (!on) {
		fputs("\r\033[K", stderr);
	} else if (count == 1) {
		fprintf(stderr, "%s: sampling for %.1f s (Ctrl-C ends it early)...", cli_prog,
		    (double)ns / 1e9);
	} else {
		fprintf(stderr, "%s: sampling interval %d%s%.0d of %.1f s (Ctrl-C ends it early)...",
		    cli_prog, index, count > 0 ? " of " : "", count > 0 ? count : 0,
		    (double)ns / 1e9);
	}
	fflush(stderr);
}

/* The source rows that fit on the terminal stdout is (0: not one, all rows), and its width. */
static int
terminal_rows(int *cols)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 ||
	    ws.ws_row == 0)
		return 0;
	*cols = ws.ws_col;
	/* The verdict, the totals, up to three notes, a blank line, the header, "more". */
	return ws.ws_row > 17 ? ws.ws_row - 12 : 5;
}

/* Print the classic timer_stats text, sorted like the table. */
static void
print_timer_stats(const struct ts_opts *o, struct td_table *t, const struct td_sample *p,
    const struct td_sampler *s)
{
	struct td_error e;
	const void **rows;
	size_t n;

	td_error_clear(&e);
	if ((rows = ts_rows(t, o, p, &n, &e)) == NULL) {
		cli_warn_td(&e);
		return;
	}
	td_timer_stats_write(stdout, p, td_sampler_timer_stats_file(s),
	    (const struct td_wsource *const *)rows, n);
	free(rows);
}

/* Parse the command line, sample, print. */
int
main(int argc, char **argv)
{
	struct td_sampler_opts so;
	struct ts_opts o = { .format = TS_TEXT, .sort = "count", .group = TD_GROUP_COMM };
	struct td_cpuset cpus;
	struct td_table *table;
	struct td_sampler *s;
	struct td_error e;
	struct td_json j;
	struct timespec end;
	sigset_t sigs;
	int64_t dur = 5000000000LL;
	long long count = 1;
	int c, sigfd, sig = 0, rc = CLI_EXIT_OK;
	bool one_shot, dur_set = false, count_set = false;
	enum cli_color color = CLI_COLOR_AUTO;

	cli_init(argc, argv);
	setlocale(LC_CTYPE, "");	/* only the character type: columns padded by display width */
	td_sampler_opts_init(&so);
	while ((c = getopt_long(argc, argv, "d:n:Jo:s:g:rPHhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_duration(optarg, 1000000000LL, &dur) < 0 || dur <= 0 ||
			    dur > 86400LL * 1000000000LL)
				cli_usage_error("--duration: '%s' is not a duration between 1 ns "
				    "and 1 day", optarg);
			dur_set = true;
			break;
		case 'n':
			count = cli_parse_num("--count", optarg, 0, 1000000000);
			count_set = true;
			break;
		case 'J':
			o.format = TS_JSON;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o.format = TS_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o.format = TS_JSON;
			else if (strcmp(optarg, "raw") == 0)
				o.format = TS_RAW;
			else if (strcmp(optarg, "pairs") == 0)
				o.format = TS_PAIRS;
			else if (strcmp(optarg, "timer_stats") == 0)
				o.format = TS_TIMER_STATS;
			else
				cli_usage_error("--format: unknown format '%s' (text, json, raw, "
				    "pairs, timer_stats)", optarg);
			break;
		case 'o':
			o.columns = optarg;
			break;
		case 's':
			o.sort = optarg;
			o.sort_set = true;
			break;
		case OPT_CPU:
			if (td_cpuset_parse_list(&cpus, optarg) < 0 || td_cpuset_count(&cpus) == 0)
				cli_usage_error("--cpu: '%s' is not a CPU list such as 0,2-3", optarg);
			so.cpus = &cpus;
			break;
		case OPT_PID:
			so.pid = (int)cli_parse_num("--pid", optarg, 0, 1 << 30);
			break;
		case OPT_TID:
			so.tid = (int)cli_parse_num("--tid", optarg, 0, 1 << 30);
			break;
		case 'g':
			if (td_group_parse(optarg, &o.group) < 0)
				cli_usage_error("--group: unknown key '%s' (thread, process, comm)",
				    optarg);
			break;
		case OPT_TOP:
			o.top = cli_parse_num("--top", optarg, 1, 1000000000);
			break;
		case OPT_SOURCE:
			if (td_backend_parse(optarg, &so.backend) < 0)
				cli_usage_error("--source: unknown source '%s' (auto, trace, timer_stats, "
				    "bpf, tracefs, interrupts)", optarg);
			break;
		case OPT_TIMER_STATS:
			so.timer_stats_file = optarg;
			break;
		case OPT_TRACE:
			so.trace_file = optarg;
			break;
		case OPT_RECORD:
			so.record_file = optarg;
			break;
		case CLI_OPT_SYSROOT:
			so.sysroot = optarg;
			break;
		case OPT_LIST_COLUMNS:
			list_columns();
			break;
		case 'r':
			o.format = TS_RAW;
			break;
		case 'P':
			o.format = TS_PAIRS;
			break;
		case 'H':
			o.noheadings = true;
			break;
		case CLI_OPT_COLOR:
			color = cli_parse_color(optarg);
			break;
		case OPT_BUFFER_SIZE:
			so.buffer_kb = (unsigned)cli_parse_num("--buffer-size", optarg, 64,
			    1 << 20);
			break;
		case OPT_BPF_MAP_ENTRIES:
			so.bpf_map_entries = (unsigned)cli_parse_num("--bpf-map-entries", optarg,
			    16, 1 << 22);
			break;
		default:
			cli_common_option(c, usage);
		}
	}
	cli_no_operands(argc, argv);
	cli_sysroot_check(so.sysroot);
	o.color = o.format == TS_TEXT && cli_color_on(color, stdout);
	if (o.format == TS_TEXT && !o.noheadings && o.top == 0)
		o.fit = terminal_rows(&o.fit_cols);
	if (so.timer_stats_file != NULL && so.backend != TD_BACKEND_AUTO &&
	    so.backend != TD_BACKEND_TIMER_STATS)
		cli_usage_error("--timer-stats needs --source timer_stats (or none)");
	if (so.timer_stats_file != NULL)
		so.backend = TD_BACKEND_TIMER_STATS;
	if (so.trace_file != NULL && so.timer_stats_file != NULL)
		cli_usage_error("--trace and --timer-stats: one file at a time");
	if (so.trace_file != NULL && so.backend != TD_BACKEND_AUTO && so.backend != TD_BACKEND_TRACE)
		cli_usage_error("--trace needs --source trace (or none)");
	if (so.trace_file != NULL)
		so.backend = TD_BACKEND_TRACE;
	if (so.record_file != NULL) {
		if (so.trace_file != NULL || so.timer_stats_file != NULL ||
		    !td_root_is_live(so.sysroot))
			cli_usage_error("--record writes a live sample: not with --trace, "
			    "--timer-stats or --sysroot");
		if (so.backend != TD_BACKEND_AUTO && so.backend != TD_BACKEND_TRACEFS)
			cli_usage_error("--record needs --source tracefs (or none)");
		so.backend = TD_BACKEND_TRACEFS;
	}
	/* A trace read with -d or -n: samples of -d seconds of trace time, to its end. */
	if (so.trace_file != NULL && (dur_set || count_set))
		so.trace_step_ns = (uint64_t)dur;
	td_error_clear(&e);
	if (td_table_new(&table, td_wsource_columns, td_wsource_ncolumns, &e) < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
	if (o.columns != NULL && td_table_select(table, o.columns, &e) < 0)
		cli_usage_error("--output: %s", e.msg);
	if (td_table_find(table, o.sort) == NULL)
		cli_usage_error("--sort: unknown column '%s' (see --list-columns)", o.sort);
	/* A saved file or a trace may come from another machine: its tasks and CPUs. */
	cli_check_task("--pid", so.pid, so.sysroot, so.timer_stats_file != NULL ||
	    so.trace_file != NULL);
	cli_check_task("--tid", so.tid, so.sysroot, so.timer_stats_file != NULL ||
	    so.trace_file != NULL);
	if (so.cpus != NULL && so.trace_file == NULL)
		cli_check_cpus("--cpu", so.cpus, so.sysroot);

	/*
	 * Signals arrive through a signalfd, so cleanup runs on the normal path.
	 * A saved file or a captured tree is read once and leaves nothing to
	 * clean up: there they keep their default action, so a pipe or FIFO that
	 * never ends cannot make timerstat unkillable.
	 */
	one_shot = so.timer_stats_file != NULL || so.trace_file != NULL ||
	    !td_root_is_live(so.sysroot);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	if (!one_shot)
		sigprocmask(SIG_BLOCK, &sigs, NULL);
	/* A shell starts background jobs with SIGINT ignored: take it back. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0) {
		td_error_set(&e, errno, NULL, 0, "signalfd: %s", strerror(errno));
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	if (td_sampler_open(&s, &so, &e) < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
	if (o.format == TS_TIMER_STATS && ts_timer_stats_unwritable(s, &e)) {
		td_sampler_close(s);
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	/* A saved file or a captured tree is read once, without waiting. */
	if (one_shot && so.trace_step_ns == 0)
		count = 1;
	else if (so.trace_step_ns > 0 && !count_set)
		count = 0;	/* to the end of the trace */
	if (td_sampler_start(s, &e) < 0) {
		td_sampler_close(s);
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	if (o.format == TS_JSON) {
		td_json_init(&j, stdout, true);
		td_json_obj_begin(&j, NULL);
		td_json_str(&j, "tool", "timerstat");
		td_json_int(&j, "version", TS_JSON_VERSION);
		td_json_arr_begin(&j, "samples");
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += dur / 1000000000;
	end.tv_nsec += dur % 1000000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	for (long long i = 1; count == 0 || i <= count; i++) {
		struct td_sample *p;
		bool failed = false;

		if (!one_shot) {
			progress(true, dur, (int)i, (int)count);
			sig = wait_interval(s, sigfd, &end, dur, &failed);
			progress(false, dur, (int)i, (int)count);
		}
		if (failed) {
			rc = CLI_EXIT_FAIL;
			break;
		}
		if (sig == SIGTERM || sig == SIGHUP)
			break;
		if (td_sampler_collect(s, &p, &e) < 0) {
			cli_warn_td(&e);
			rc = CLI_EXIT_FAIL;
			break;
		}
		p->interrupted = sig == SIGINT;
		if (o.format != TS_TIMER_STATS)	/* the classic file is per task */
			(void)td_sample_group(p, o.group);
		if (o.format == TS_JSON)
			ts_print_json(&j, table, &o, p, td_sampler_note(s));
		else if (o.format == TS_TIMER_STATS)
			print_timer_stats(&o, table, p, s);
		else
			ts_print_text(stdout, table, &o, p, td_sampler_note(s), (int)i,
			    (int)count);
		td_sample_free(p);
		fflush(stdout);
		if (sig == SIGINT || (so.trace_step_ns > 0 && td_sampler_done(s)))
			break;
	}
	if (td_sampler_finish_record(s, &e) < 0) {
		cli_warn_td(&e);
		rc = CLI_EXIT_FAIL;
	}
	td_sampler_close(s);
	if (o.format == TS_JSON) {
		td_json_arr_end(&j);
		td_json_unknowns(&j);
		td_json_obj_end(&j);
		if (td_json_finish(&j) < 0 && rc == CLI_EXIT_OK)
			rc = CLI_EXIT_FAIL;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", cli_prog, strerror(errno));
		rc = CLI_EXIT_FAIL;
	}
	td_table_free(table);
	if (sig == SIGTERM || sig == SIGHUP)
		return 128 + sig;
	return rc;
}
