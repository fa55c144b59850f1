/* timerstat: top wakeup sources over an interval, on every kernel. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "cpumask.h"
#include "source.h"
#include "timer_stats.h"
#include "timerstat.h"
#include "wait.h"

enum {
	OPT_FORMAT = CLI_OPT_FIRST_FREE,
	OPT_CPU,
	OPT_PID,
	OPT_TID,
	OPT_TOP,
	OPT_TIMER_STATS,
	OPT_BUFFER_SIZE,
};

static const struct option longopts[] = {
	{ "duration",		required_argument,	NULL, 'd' },
	{ "count",		required_argument,	NULL, 'n' },
	{ "cpu",		required_argument,	NULL, OPT_CPU },
	{ "pid",		required_argument,	NULL, OPT_PID },
	{ "tid",		required_argument,	NULL, OPT_TID },
	CLI_LONGOPTS_SAMPLER,
	{ "timer-stats",	required_argument,	NULL, OPT_TIMER_STATS },
	{ "buffer-size",	required_argument,	NULL, OPT_BUFFER_SIZE },
	{ "json",		no_argument,		NULL, 'J' },
	{ "format",		required_argument,	NULL, OPT_FORMAT },
	CLI_LONGOPTS_TABLE,
	{ "output",		required_argument,	NULL, 'o' },
	{ "sort",		required_argument,	NULL, 's' },
	{ "group",		required_argument,	NULL, 'g' },
	{ "top",		required_argument,	NULL, OPT_TOP },
	CLI_LONGOPT_COLOR,
	CLI_LONGOPTS_COMMON,
};

/* One run: what the command line asked for and what it has opened. */
struct run {
	struct td_sampler_opts	 so;
	struct ts_opts		 o;
	struct td_cpuset	 cpus;		/* --cpu, so.cpus points here */
	int64_t			 dur;		/* -d, nanoseconds */
	long long		 count;		/* -n, 0 = until Ctrl-C or the trace's end */
	bool			 dur_set;
	bool			 count_set;
	enum cli_color		 color;
	bool			 one_shot;	/* a file or a tree: read at once, no wait */
	int			 sigfd;
	struct cli_interval	 iv;
	struct td_table		*table;
	struct td_sampler	*s;
	struct td_json		 j;		/* --format=json: open over the samples */
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
	    "      --buffer-size KB    tracefs per-CPU buffer (default 8192; less past\n"
	    "                          32 CPUs: 256 MiB in all)\n"
	    "      --bpf-map-entries N bpf: sources kept per interval (default 16384;\n"
	    "                          fewer past 127 CPUs)\n"
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

/* --format FORMAT, or exit 2. */
static enum ts_format
parse_format(const char *arg)
{
	static const struct {
		const char	*name;
		enum ts_format	 format;
	} formats[] = {
		{ "text", TS_TEXT }, { "json", TS_JSON }, { "raw", TS_RAW },
		{ "pairs", TS_PAIRS }, { "timer_stats", TS_TIMER_STATS },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(arg, formats[i].name) == 0)
			return formats[i].format;
	cli_usage_error("--format: unknown format '%s' (text, json, raw, pairs, timer_stats)",
	    arg);
}

/* Take one option of the command line into r. */
static void
parse_option(struct run *r, int c)
{
	switch (c) {
	case 'd':
		if (cli_parse_duration(optarg, 1000000000LL, &r->dur) < 0 || r->dur <= 0 ||
		    r->dur > 86400LL * 1000000000LL)
			cli_usage_error("--duration: '%s' is not a duration between 1 ns and 1 day",
			    optarg);
		r->dur_set = true;
		break;
	case 'n':
		r->count = cli_parse_num("--count", optarg, 0, 1000000000);
		r->count_set = true;
		break;
	case 'J':
		r->o.format = TS_JSON;
		break;
	case OPT_FORMAT:
		r->o.format = parse_format(optarg);
		break;
	case 'o':
		r->o.columns = optarg;
		break;
	case 's':
		r->o.sort = optarg;
		r->o.sort_set = true;
		break;
	case OPT_CPU:
		if (td_cpuset_parse_list(&r->cpus, optarg) < 0 || td_cpuset_count(&r->cpus) == 0)
			cli_usage_error("--cpu: '%s' is not a CPU list such as 0,2-3", optarg);
		r->so.cpus = &r->cpus;
		break;
	case OPT_PID:
		r->so.pid = (int)cli_parse_num("--pid", optarg, 0, 1 << 30);
		break;
	case OPT_TID:
		r->so.tid = (int)cli_parse_num("--tid", optarg, 0, 1 << 30);
		break;
	case 'g':
		if (td_group_parse(optarg, &r->o.group) < 0)
			cli_usage_error("--group: unknown key '%s' (thread, process, comm)", optarg);
		break;
	case OPT_TOP:
		r->o.top = cli_parse_num("--top", optarg, 1, 1000000000);
		break;
	case CLI_OPT_SOURCE:
		if (td_backend_parse(optarg, &r->so.backend) < 0)
			cli_usage_error("--source: unknown source '%s' (auto, trace, timer_stats, "
			    "bpf, tracefs, interrupts)", optarg);
		break;
	case OPT_TIMER_STATS:
		r->so.timer_stats_file = optarg;
		break;
	case CLI_OPT_LIST_COLUMNS:
		list_columns();
		break;
	case 'r':
		r->o.format = TS_RAW;
		break;
	case 'P':
		r->o.format = TS_PAIRS;
		break;
	case 'H':
		r->o.noheadings = true;
		break;
	case CLI_OPT_COLOR:
		r->color = cli_parse_color(optarg);
		break;
	case OPT_BUFFER_SIZE:
		r->so.buffer_kb = (unsigned)cli_parse_num("--buffer-size", optarg, 64, 1 << 20);
		break;
	default:
		if (!cli_sampler_option(c, optarg, &r->so))
			cli_common_option(c, usage);
	}
}

/* Parse the command line into r; exit 2 on a bad one. */
static void
parse_args(struct run *r, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "d:n:Jo:s:g:rPHhV", longopts, NULL)) != -1)
		parse_option(r, c);
	cli_no_operands(argc, argv);
	cli_sysroot_check(r->so.sysroot);
	cli_sampler_backend(&r->so, true);
	cli_stdout_by_sample();
	r->o.color = r->o.format == TS_TEXT && cli_color_on(r->color, stdout);
	if (r->o.format == TS_TEXT && !r->o.noheadings && r->o.top == 0)
		r->o.fit = terminal_rows(&r->o.fit_cols);
	/* A trace read with -d or -n: samples of -d seconds of trace time, to its end. */
	if (r->so.trace_file != NULL && (r->dur_set || r->count_set))
		r->so.trace_step_ns = (uint64_t)r->dur;
	r->one_shot = r->so.timer_stats_file != NULL || r->so.trace_file != NULL ||
	    !td_root_is_live(r->so.sysroot);
	/* A saved file or a captured tree is read once, without waiting. */
	if (r->one_shot && r->so.trace_step_ns == 0)
		r->count = 1;
	else if (r->so.trace_step_ns > 0 && !r->count_set)
		r->count = 0;	/* to the end of the trace */
	r->so.run_ns = r->count > 0 ? (uint64_t)r->dur * (uint64_t)r->count : 0;
}

/* The table of wakeup sources with -o and -s checked; exit 2 on a bad column. */
static void
open_table(struct run *r)
{
	struct td_error e;

	td_error_clear(&e);
	if (td_table_new(&r->table, td_wsource_columns, td_wsource_ncolumns, &e) < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
	if (r->o.columns != NULL && td_table_select(r->table, r->o.columns, &e) < 0)
		cli_usage_error("--output: %s", e.msg);
	if (td_table_find(r->table, r->o.sort) == NULL)
		cli_usage_error("--sort: unknown column '%s' (see --list-columns)", r->o.sort);
}

/* Exit 2 when --pid, --tid or --cpu names a task or CPU the system does not have. */
static void
check_filters(const struct run *r)
{
	/* A saved file or a trace may come from another machine: its tasks and CPUs. */
	bool from_file = r->so.timer_stats_file != NULL || r->so.trace_file != NULL;

	cli_check_task("--pid", r->so.pid, r->so.sysroot, from_file);
	cli_check_task("--tid", r->so.tid, r->so.sysroot, from_file);
	if (r->so.cpus != NULL && r->so.trace_file == NULL)
		cli_check_cpus("--cpu", r->so.cpus, r->so.sysroot);
}

/*
 * Set up the signals, open the sampler and start it; exit 1 with one line
 * when it cannot run.  Signals arrive through a signalfd, so cleanup runs on
 * the normal path; a saved file or a captured tree leaves nothing to clean
 * up: there they keep their default action, so a pipe or FIFO that never
 * ends cannot make timerstat unkillable.
 */
static void
open_sampler(struct run *r)
{
	struct td_error e;
	int err;

	td_error_clear(&e);
	r->sigfd = cli_signals_open(!r->one_shot, false);
	if (td_sampler_open(&r->s, &r->so, &e) < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
	if ((r->o.format == TS_TIMER_STATS && ts_timer_stats_unwritable(r->s, &e)) ||
	    td_sampler_start(r->s, &e) < 0) {
		td_sampler_close(r->s);
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	r->iv.tfd = -1;
	if (!r->one_shot && (err = cli_interval_open(&r->iv, r->dur)) < 0) {
		td_sampler_close(r->s);
		td_error_set(&e, -err, NULL, 0, "timerfd: %s", strerror(-err));
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
}

/*
 * Wait for the end of the interval while the sampler's events are read.
 * Returns the signal that ended the wait early, or 0; *failed on a failure
 * (said on stderr when the sampler failed).
 */
static int
wait_interval(struct run *r, bool *failed)
{
	struct td_error e;
	int woke, sig = 0;

	*failed = false;
	do {
		td_error_clear(&e);
		if ((woke = cli_wait(&r->iv, r->sigfd, -1, r->s, -1, &sig, &e)) < 0) {
			*failed = true;
			return 0;
		}
		if (woke & CLI_WOKE_SIGNAL)
			return sig;
		if (woke & CLI_WOKE_PUMP_FAILED) {
			cli_warn_td(&e);
			*failed = true;
			return 0;
		}
	} while (!(woke & CLI_WOKE_INTERVAL));
	return 0;
}

/* --format=json: the document's head, up to the samples array. */
static void
json_begin(struct run *r)
{
	td_json_init(&r->j, stdout, true);
	td_json_obj_begin(&r->j, NULL);
	td_json_str(&r->j, "tool", "timerstat");
	td_json_int(&r->j, "version", TS_JSON_VERSION);
	td_json_arr_begin(&r->j, "samples");
}

/* --format=json: the document's end, after the samples; CLI_EXIT_FAIL if it failed. */
static int
json_end(struct run *r, int rc)
{
	td_json_arr_end(&r->j);
	td_json_unknowns(&r->j);
	td_json_obj_end(&r->j);
	if (td_json_finish(&r->j) < 0 && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_FAIL;
	return rc;
}

/* Print sample number i in the chosen format. */
static void
print_sample(struct run *r, struct td_sample *p, long long i)
{
	if (r->o.format != TS_TIMER_STATS)	/* the classic file is per task */
		(void)td_sample_group(p, r->o.group);
	if (r->o.format == TS_JSON) {
		ts_print_json(&r->j, r->table, &r->o, p, td_sampler_note(r->s));
		td_json_flush(&r->j);	/* each sample seen when it is written */
	}
	else if (r->o.format == TS_TIMER_STATS)
		print_timer_stats(&r->o, r->table, p, r->s);
	else
		ts_print_text(stdout, r->table, &r->o, p, td_sampler_note(r->s), (int)i,
		    (int)r->count);
	fflush(stdout);
}

/*
 * Sample -n times (0: until Ctrl-C, or the trace's end): wait for each
 * interval's end, collect, print.  Returns the exit code; *sig is the signal
 * that ended the run, or 0.
 */
static int
sample(struct run *r, int *sig)
{
	struct td_error e;
	struct td_sample *p;
	bool failed = false;

	*sig = 0;
	for (long long i = 1; r->count == 0 || i <= r->count; i++) {
		if (!r->one_shot) {
			progress(true, r->dur, (int)i, (int)r->count);
			*sig = wait_interval(r, &failed);
			progress(false, r->dur, (int)i, (int)r->count);
		}
		if (failed)
			return CLI_EXIT_FAIL;
		if (*sig == SIGTERM || *sig == SIGHUP)
			break;
		td_error_clear(&e);
		if (td_sampler_collect(r->s, &p, &e) < 0) {
			cli_warn_td(&e);
			return CLI_EXIT_FAIL;
		}
		p->interrupted = *sig == SIGINT;
		print_sample(r, p, i);
		td_sample_free(p);
		if (*sig == SIGINT || (r->so.trace_step_ns > 0 && td_sampler_done(r->s)))
			break;
	}
	return CLI_EXIT_OK;
}

/* Finish a --record file and close the sampler; CLI_EXIT_FAIL if the file failed. */
static int
close_sampler(struct run *r, int rc)
{
	struct td_error e;

	td_error_clear(&e);
	if (td_sampler_finish_record(r->s, &e) < 0) {
		cli_warn_td(&e);
		rc = CLI_EXIT_FAIL;
	}
	td_sampler_close(r->s);
	cli_interval_close(&r->iv);
	close(r->sigfd);
	return rc;
}

/* Parse the command line, sample, print. */
int
main(int argc, char **argv)
{
	struct run r = {
		.o = { .format = TS_TEXT, .sort = "count", .group = TD_GROUP_COMM },
		.dur = 5000000000LL,
		.count = 1,
		.color = CLI_COLOR_AUTO,
	};
	int rc, sig;

	cli_init(argc, argv);
	setlocale(LC_CTYPE, "");	/* only the character type: columns padded by display width */
	td_sampler_opts_init(&r.so);
	parse_args(&r, argc, argv);
	open_table(&r);
	check_filters(&r);
	open_sampler(&r);
	if (r.o.format == TS_JSON)
		json_begin(&r);
	rc = sample(&r, &sig);
	rc = close_sampler(&r, rc);
	if (r.o.format == TS_JSON)
		rc = json_end(&r, rc);
	rc = cli_stdout_close(rc);
	td_table_free(r.table);
	if (sig == SIGTERM || sig == SIGHUP)
		return 128 + sig;
	return rc;
}
