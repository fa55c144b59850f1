/* wakeuptop: what wakes the machine, live, top-style; -b for batch mode. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "source.h"
#include "keys.h"
#include "source.h"
#include "screen.h"
#include "app.h"

enum {
	OPT_CPU = CLI_OPT_FIRST_FREE,
	OPT_SHOW,
	OPT_FILTER,
	OPT_WIDTH,
	OPT_TID,
	OPT_VIEW,
};

static struct wt_app app;
/* --view tick: the tick view from the start. */
static bool tick_view;
/* Whether -d was given (a batch replay steps through the trace only then, or with -n). */
static bool delay_set;

/* Print the usage and exit 0. */
static void
usage(void)
{
	printf("Usage: %s [options]\n"
	    "Show what wakes the machine, live, top-style: each CPU's idle exits\n"
	    "(wakeups) attributed to the interrupt, timer and task that caused them, and\n"
	    "apart from them the events (timer expiries, interrupts) of each source.\n"
	    "\n"
	    "Options:\n"
	    "  -b, --batch            print to standard output instead of the screen\n"
	    "  -n, --iterations N     stop after N intervals (batch: default 1)\n"
	    "  -d, --delay SECONDS    interval (default 2 s; units ms, s)\n"
	    "  -J, --json             one JSON object per line (JSON Lines); implies -b\n"
	    "  -H, --noheadings       batch: only the table's rows; implies -b\n"
	    "  -r, --raw              rows with space separated fields, \\x20 for a space;\n"
	    "                         implies -b\n"
	    "  -P, --pairs            rows as NAME=\"value\" pairs; implies -b\n"
	    "      --list-columns     list the columns and exit\n"
	    "      --color[=WHEN]     auto (default), always or never\n"
	    "      --sysroot DIR      read /proc and /sys under DIR (a captured tree)\n"
	    "      --source NAME      sampler backend: auto, trace, timer_stats, bpf, tracefs,\n"
	    "                         interrupts\n"
	    "      --trace FILE       replay a trace (trace.dat, tracefs trace text, trace-cmd\n"
	    "                         report) by its own time, one interval (-d) per refresh\n"
	    "      --record FILE      also write what the live sample saw as a trace.dat\n"
	    "      --bpf-map-entries N  bpf: sources kept per interval (default 16384;\n"
	    "                           fewer past 127 CPUs)\n"
	    "  -s, --sort COLUMN      sort by this column (default wakeup_rate where\n"
	    "                         sources count wakeups, else rate)\n"
	    "  -o, --output LIST      columns to show (timerstat's names; +LIST adds)\n"
	    "  -g, --group KEY        one row per thread, process or comm (default comm)\n"
	    "      --cpu LIST         only wakeups and events on these CPUs (0-3,8)\n"
	    "  -p, --pid PID          only sources armed by this process (all its threads)\n"
	    "      --tid TID          only sources armed by this thread\n"
	    "      --filter TEXT      only sources whose function, comm or site contain TEXT\n"
	    "      --show WHAT        timers, interrupts or all (default all)\n"
	    "      --width N          batch: cut text lines at N columns (default: terminal or 200)\n"
	    "      --view NAME        sources (default) or tick: why each CPU's tick keeps\n"
	    "                         running (needs tracefs as root, or a capture's trace)\n"
	    "  -h, --help             show this help and exit\n"
	    "  -V, --version          show the version and exit\n"
	    "\n"
	    "Keys: q quit, h help, space pause, < > s sort, Enter expand, g group,\n"
	    "t i a kinds, c CPU filter, p process filter, / name filter, f fields,\n"
	    "+ - interval, v tick view.\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error.\n", cli_prog);
	exit(CLI_EXIT_OK);
}

/* Last-chance cleanup on exit(): terminal and tracefs instance. */
static void
cleanup(void)
{
	wt_screen_close();
	if (app.sampler != NULL) {
		td_sampler_cleanup(app.sampler);
		app.sampler = NULL;
	}
}

/* Parse the command line into app and the view. */
static void
parse_args(int argc, char **argv, const char **sort, const char **output,
    const char **cpus, struct td_sampler_opts *so, const char **filter, enum wt_show *show,
    enum td_group *group, int64_t *delay, enum cli_color *color)
{
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "width", required_argument, NULL, OPT_WIDTH },
		CLI_LONGOPTS_SAMPLER,
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, OPT_TID },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "show", required_argument, NULL, OPT_SHOW },
		CLI_LONGOPTS_TABLE,
		{ "json", no_argument, NULL, 'J' },
		{ "sort", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "group", required_argument, NULL, 'g' },
		{ "view", required_argument, NULL, OPT_VIEW },
		CLI_LONGOPT_COLOR,
		CLI_LONGOPTS_COMMON,
	};
	int c;

	while ((c = getopt_long(argc, argv, "bn:d:JHrPs:o:g:p:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			app.batch = true;
			break;
		case 'n':
			app.iterations = (long)cli_parse_num("--iterations", optarg, 1, LONG_MAX);
			break;
		case 'd':
			if (cli_parse_duration(optarg, 1000000000LL, delay) < 0 ||
			    *delay < WT_INTERVAL_MIN_NS || *delay > WT_INTERVAL_MAX_NS)
				cli_usage_error("--delay: '%s' is not a duration from 0.1 s to 60 s",
				    optarg);
			delay_set = true;
			break;
		case 'J':
			app.json = true;
			break;
		case CLI_OPT_LIST_COLUMNS:
			if (td_table_list_columns(td_wsource_columns, td_wsource_ncolumns,
			    stdout) < 0 || fflush(stdout) != 0)
				exit(CLI_EXIT_FAIL);
			exit(CLI_EXIT_OK);
		case CLI_OPT_COLOR:
			*color = cli_parse_color(optarg);
			break;
		case CLI_OPT_SOURCE:
			if (td_backend_parse(optarg, &so->backend) < 0)
				cli_usage_error("--source: unknown backend '%s' (auto, trace, "
				    "timer_stats, bpf, tracefs, interrupts)", optarg);
			break;
		case 's':
			*sort = optarg;
			break;
		case 'o':
			*output = optarg;
			break;
		case OPT_CPU:
			*cpus = optarg;
			break;
		case 'g':
			if (td_group_parse(optarg, group) < 0)
				cli_usage_error("--group: unknown key '%s' (thread, process, comm)",
				    optarg);
			break;
		case 'p':
			so->pid = (int)cli_parse_num("--pid", optarg, 0, INT_MAX);
			break;
		case OPT_TID:
			so->tid = (int)cli_parse_num("--tid", optarg, 0, INT_MAX);
			break;
		case OPT_FILTER:
			*filter = optarg;
			break;
		case OPT_SHOW:
			if (strcmp(optarg, "all") == 0)
				*show = WT_SHOW_ALL;
			else if (strcmp(optarg, "timers") == 0)
				*show = WT_SHOW_TIMERS;
			else if (strcmp(optarg, "interrupts") == 0 || strcmp(optarg, "irqs") == 0)
				*show = WT_SHOW_IRQS;
			else
				cli_usage_error("--show: '%s' is not timers, interrupts or all",
				    optarg);
			break;
		case OPT_VIEW:
			if (strcmp(optarg, "tick") == 0)
				tick_view = true;
			else if (strcmp(optarg, "sources") == 0)
				tick_view = false;
			else
				cli_usage_error("--view: '%s' is not sources or tick", optarg);
			break;
		case OPT_WIDTH:
			app.width = (int)cli_parse_num("--width", optarg, 20, 4096);
			break;
		default:
			if (!cli_table_option(c, &app.table_flags) &&
			    !cli_sampler_option(c, optarg, so))
				cli_common_option(c, usage);
		}
	}
	cli_no_operands(argc, argv);
	cli_sysroot_check(so->sysroot);
	app.sysroot = so->sysroot;
	/* Output for scripts is batch output. */
	app.rows_only = app.table_flags != 0;
	if (app.json && app.rows_only)
		cli_usage_error("-J/--json and -H, -r or -P: one output at a time");
	if (app.json || app.rows_only)
		app.batch = true;
	if (app.width != 0 && !app.batch)
		cli_usage_error("--width is for -b/--batch");
	cli_sampler_backend(so, false);
	app.backend = so->backend;
	app.trace = so->trace_file;
	app.record = so->record_file;
}

/* The width of batch text: --width, the terminal, or 200. */
static int
batch_width(void)
{
	struct winsize ws;

	if (app.width > 0)
		return app.width;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	return 200;
}

/* The tick view names callbacks through the sampler. */
static const char *
sampler_name(void *ctx, uint64_t fn)
{
	return td_sampler_function_name(ctx, fn);
}

/* CPUs of the tick view: the machine's (the live system's configured ones at least). */
static int
tick_ncpus(void)
{
	int n = wt_app_ncpus(&app);
	long conf = sysconf(_SC_NPROCESSORS_CONF);

	if (td_root_is_live(app.sysroot) && conf > n)
		n = (int)conf;
	return n > TD_MAX_CPUS ? TD_MAX_CPUS : n;
}

/* Parse the options, open the sampler, run the screen or batch loop, clean up. */
int
main(int argc, char **argv)
{
	const char *sort = NULL, *output = NULL, *cpus = NULL, *filter = NULL;
	struct td_sampler_opts so;
	struct td_error e;
	enum wt_show show = WT_SHOW_ALL;
	enum td_group group = TD_GROUP_COMM;
	enum cli_color color = CLI_COLOR_AUTO;
	int64_t delay = 2000000000LL;
	int code;
	bool tick_wanted;

	cli_init(argc, argv);
	setlocale(LC_CTYPE, "");	/* only the character type: wide characters on screen */
	app.backend = TD_BACKEND_AUTO;
	app.iv.tfd = app.sfd = -1;
	td_sampler_opts_init(&so);
	parse_args(argc, argv, &sort, &output, &cpus, &so, &filter, &show, &group, &delay, &color);
	/*
	 * A trace on the screen is replayed one interval of its own time per
	 * refresh; in batch mode too with -d or -n (to its end without -n), and
	 * read whole as one sample without either, as timerstat does.
	 */
	if (app.trace != NULL && (!app.batch || delay_set || app.iterations > 0))
		so.trace_step_ns = (uint64_t)delay;
	if (app.batch && app.iterations == 0 && (app.trace == NULL || so.trace_step_ns == 0))
		app.iterations = 1;
	/* A batch run's length, as timerstat's: auto passes bpf over for one under 1 s. */
	if (app.batch && app.trace == NULL)
		so.run_ns = (uint64_t)delay * (uint64_t)app.iterations;
	if (!app.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "%s: the screen needs a terminal; use -b for batch mode\n",
		    cli_prog);
		return CLI_EXIT_FAIL;
	}

	td_error_clear(&e);
	if (td_table_new(&app.table, td_wsource_columns, td_wsource_ncolumns, &e) < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
	if (output != NULL && td_table_select(app.table, output, &e) < 0)
		cli_usage_error("--output: %s", e.msg);
	wt_view_init(&app.view, app.table, &e);
	app.view.interval_ns = delay;
	app.view.show = show;
	app.view.tickview = tick_view;
	app.view.group = group;
	app.view.sampled_pid = so.pid;
	app.view.sampled_tid = so.tid;
	app.view.replay = app.trace != NULL;
	if (sort != NULL && wt_view_sort_by(&app.view, sort) < 0)
		cli_usage_error("--sort: '%s' is not a shown column", sort);
	if (sort != NULL) {
		app.view.sort_set = true;
		app.view.desc = wt_view_sort_column(&app.view)->jtype != TD_JT_STRING;
	}
	if (cpus != NULL && wt_view_set_cpus(&app.view, cpus) < 0)
		cli_usage_error("--cpu: '%s' is not a CPU list", cpus);
	/* A trace may come from another machine: its CPUs and tasks are not ours. */
	if (cpus != NULL && app.trace == NULL)
		cli_check_cpus("--cpu", &app.view.cpus, app.sysroot);
	cli_check_task("--pid", so.pid, app.sysroot, app.trace != NULL);
	cli_check_task("--tid", so.tid, app.sysroot, app.trace != NULL);
	if (filter != NULL)
		wt_view_set_name(&app.view, filter);

	/* Signals go to the loop's signalfd; a closed pipe is an EPIPE, not a death. */
	app.sfd = cli_signals_open(true, true);

	/* A trace's machine is not this one: its facts are a tree's, or unknown. */
	if (app.trace != NULL && td_root_is_live(app.sysroot))
		wt_facts_trace(app.trace, &app.facts);
	else
		wt_facts_read(app.sysroot, &app.facts);
	so.sysroot = app.sysroot;
	so.backend = app.backend;
	/*
	 * The tick view: on screen (the v key) or when asked for.  A batch
	 * without it never shows one, so it neither opens nor is fed (a quarter
	 * of its CPU went there).
	 */
	tick_wanted = !app.batch || app.view.tickview;
	if (tick_wanted) {
		so.observe = wt_tick_observe;
		so.observe_arg = &app.tick;
		so.extra_events = TD_SAMPLER_EV_TICK;
	}
	so.trace_file = app.trace;
	so.record_file = app.record;
	if (td_sampler_open(&app.sampler, &so, &e) < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
	atexit(cleanup);
	if (tick_wanted && wt_tick_open(&app.tick, app.sysroot, app.sampler, tick_ncpus(),
	    app.facts.hz, app.facts.has_nohz_full ? &app.facts.nohz_full : NULL) < 0) {
		td_error_set(&e, ENOMEM, NULL, 0, "out of memory");
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	app.tick.name = sampler_name;
	app.tick.name_ctx = app.sampler;
	app.view.tick = &app.tick;
	app.status.backend = td_backend_name(td_sampler_backend(app.sampler));
	app.status.note = td_sampler_note(app.sampler);
	app.status.batch = app.batch;
	app.status.trace = app.trace;
	app.status.capture = !td_root_is_live(app.sysroot);
	app.status.trace_step_ns = so.trace_step_ns;

	app.color = cli_color_on(color, stdout);
	if (app.batch) {
		cli_stdout_by_sample();
		app.width = batch_width();
	}
	else if (wt_screen_open(app.color) < 0) {
		fprintf(stderr, "%s: cannot set up the terminal (TERM=%s)\n", cli_prog,
		    getenv("TERM") ? getenv("TERM") : "");
		return CLI_EXIT_FAIL;
	}
	code = wt_loop_run(&app);
	wt_screen_close();
	if (td_sampler_finish_record(app.sampler, &e) < 0) {
		cli_warn_td(&e);
		code = CLI_EXIT_FAIL;
	}
	td_sampler_close(app.sampler);
	app.sampler = NULL;
	wt_view_free(&app.view);
	wt_frame_free(&app.frame);
	wt_facts_free(&app.facts);
	wt_tick_free(&app.tick);
	td_table_free(app.table);
	close(app.sfd);
	return app.batch ? cli_stdout_close(code) : code;
}
