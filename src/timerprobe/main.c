/*
 * timerprobe: timer precision as programs see it.  Waits the way a program
 * would (timerfd, clock_nanosleep, nanosleep, poll, ppoll, epoll_wait, select),
 * measures how late each wake-up comes, and sets it beside what the kernel
 * advertises.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "probe.h"

#define MAX_INTERVAL_NS		(60LL * 1000000000)	/* one minute */
#define MAX_DURATION_NS		(86400LL * 1000000000)	/* one day */
#define MAX_SLACK_NS		1000000000LL		/* one second */
#define DEFAULT_INTERVAL_NS	1000000			/* 1 ms */
#define DEFAULT_COUNT		1000
#define DEFAULT_METER_COUNT	10000

enum {
	OPT_SLACK = CLI_OPT_FIRST_FREE,
	OPT_FIFO,
	OPT_CPU,
	OPT_DMA_LATENCY,
	OPT_INTERVAL_METER,
};

static const struct option longopts[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "clock", required_argument, NULL, 'c' },
	{ "abs", no_argument, NULL, 'a' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 'D' },
	{ "slack", required_argument, NULL, OPT_SLACK },
	{ "fifo", required_argument, NULL, OPT_FIFO },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "dma-latency", no_argument, NULL, OPT_DMA_LATENCY },
	{ "interval-meter", no_argument, NULL, OPT_INTERVAL_METER },
	{ "json", no_argument, NULL, 'J' },
	{ "sysroot", required_argument, NULL, CLI_OPT_SYSROOT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Print the help text and exit 0. */
static void
usage(void)
{
	printf("Usage: %s [options]\n"
	    "Measure how late timers and sleeps wake a program, and compare with what\n"
	    "the kernel advertises.\n\n"
	    "  -m, --mode MODE        timerfd (default), clock_nanosleep, nanosleep, poll,\n"
	    "                         ppoll, epoll or select\n"
	    "  -c, --clock CLOCK      monotonic (default), realtime or boottime\n"
	    "                         (timerfd and clock_nanosleep)\n"
	    "  -a, --abs              absolute wake-up times (timerfd, clock_nanosleep)\n"
	    "  -i, --interval DUR     time between wake-ups, with ns, us, ms or s\n"
	    "                         (a bare number is us; default 1ms)\n"
	    "  -n, --count N          wake-ups to measure (default %d)\n"
	    "  -D, --duration DUR     measure for this long (a bare number is s)\n"
	    "      --slack DUR        set the timer slack (prctl PR_SET_TIMERSLACK)\n"
	    "      --fifo PRIO        run as SCHED_FIFO at PRIO 1-99 (root)\n"
	    "      --cpu N            run on CPU N only\n"
	    "      --dma-latency      hold /dev/cpu_dma_latency at 0 during the run (root)\n"
	    "      --interval-meter   count timerfd expirations per read against the clock\n"
	    "                         (interval 1ns unless -i says otherwise)\n"
	    "  -J, --json             JSON output\n"
	    "      --sysroot DIR      read /proc/timer_list under DIR\n"
	    "  -h, --help             this help\n"
	    "  -V, --version          version\n",
	    cli_prog, DEFAULT_COUNT);
	exit(CLI_EXIT_OK);
}

/* A duration option within (0, max], or exit 2. */
static int64_t
parse_duration(const char *opt, const char *s, int64_t unit, int64_t min, int64_t max)
{
	int64_t v;

	if (cli_parse_duration(s, unit, &v) < 0)
		cli_usage_error("%s: '%s' is not a duration (a number with ns, us, ms or s)",
		    opt, s);
	if (v < min)
		cli_usage_error("%s: '%s' must be %s", opt, s,
		    min > 0 ? "positive" : "zero or more");
	if (v > max)
		cli_usage_error("%s: '%s' is too large (at most %lld s)", opt, s,
		    (long long)(max / 1000000000));
	return v;
}

/* The mode named s, or exit 2. */
static enum probe_mode
parse_mode(const char *s)
{
	for (int m = 0; m < MODE_COUNT; m++)
		if (strcmp(s, probe_modes[m].name) == 0)
			return (enum probe_mode)m;
	if (strcmp(s, "clock-nanosleep") == 0)
		return MODE_CLOCK_NANOSLEEP;
	if (strcmp(s, "epoll_wait") == 0)
		return MODE_EPOLL;
	cli_usage_error("--mode: unknown mode '%s' (timerfd, clock_nanosleep, nanosleep, "
	    "poll, ppoll, epoll, select)", s);
}

/* The clock named s ("monotonic" or "CLOCK_MONOTONIC"), or exit 2. */
static clockid_t
parse_clock(const char *s)
{
	const char *n = strncasecmp(s, "CLOCK_", 6) == 0 ? s + 6 : s;

	if (strcasecmp(n, "monotonic") == 0)
		return CLOCK_MONOTONIC;
	if (strcasecmp(n, "realtime") == 0)
		return CLOCK_REALTIME;
	if (strcasecmp(n, "boottime") == 0)
		return CLOCK_BOOTTIME;
	cli_usage_error("--clock: unknown clock '%s' (monotonic, realtime, boottime)", s);
}

/* Options that do not fit together, or a CPU we cannot run on: exit 2. */
static void
check_options(struct probe_opts *o, bool mode_set, bool clock_set, bool interval_set)
{
	const struct mode_info *m = &probe_modes[o->mode];
	cpu_set_t set;

	if (o->meter) {
		if (mode_set && o->mode != MODE_TIMERFD)
			cli_usage_error("--interval-meter uses a timerfd; drop --mode %s",
			    m->name);
		if (o->absolute)
			cli_usage_error("--interval-meter arms a relative timerfd; drop --abs");
		if (!interval_set)
			o->interval_ns = 1;
	}
	if (o->absolute && !m->has_abs)
		cli_usage_error("--abs: mode %s only waits for a relative timeout", m->name);
	if (clock_set && !m->has_clock)
		cli_usage_error("--clock: mode %s always waits on CLOCK_MONOTONIC", m->name);
	if (o->interval_ns % m->unit_ns != 0)
		cli_usage_error("--interval: %s takes whole %s; use --mode %s for finer",
		    m->call, m->unit_ns == 1000 ? "microseconds" : "milliseconds",
		    "ppoll");
	if (o->count == 0 && o->duration_ns == 0)
		o->count = o->meter ? DEFAULT_METER_COUNT : DEFAULT_COUNT;
	if (o->cpu >= 0) {
		if (sched_getaffinity(0, sizeof(set), &set) == 0 && !CPU_ISSET(o->cpu, &set))
			cli_usage_error("--cpu: CPU %d is not online or not allowed here",
			    o->cpu);
	}
}

/* Ask the loop to stop; the report is still printed. */
static void
on_signal(int sig)
{
	(void)sig;
	probe_stop_flag = 1;
}

/* Catch SIGINT and SIGTERM without restarting the interrupted wait. */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Parse the options, set the process up, run, report. */
int
main(int argc, char **argv)
{
	struct probe_opts o = {
		.mode = MODE_TIMERFD, .clock = CLOCK_MONOTONIC,
		.interval_ns = DEFAULT_INTERVAL_NS, .cpu = -1,
	};
	bool mode_set = false, clock_set = false, interval_set = false;
	struct probe_env env;
	struct probe_advert adv;
	struct probe_result res;
	struct td_latency_summary sum;
	struct td_error e;
	char verdict[512];
	int c, rc;

	cli_init(argc, argv);
	while ((c = getopt_long(argc, argv, "m:c:ai:n:D:JhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o.mode = parse_mode(optarg);
			mode_set = true;
			break;
		case 'c':
			o.clock = parse_clock(optarg);
			clock_set = true;
			break;
		case 'a':
			o.absolute = true;
			break;
		case 'i':
			o.interval_ns = parse_duration("--interval", optarg, 1000, 1,
			    MAX_INTERVAL_NS);
			interval_set = true;
			break;
		case 'n':
			o.count = cli_parse_num("--count", optarg, 1, PROBE_SAMPLE_LIMIT);
			break;
		case 'D':
			o.duration_ns = parse_duration("--duration", optarg, 1000000000, 1,
			    MAX_DURATION_NS);
			break;
		case OPT_SLACK:
			o.slack_ns = parse_duration("--slack", optarg, 1000, 0, MAX_SLACK_NS);
			o.has_slack = true;
			break;
		case OPT_FIFO:
			o.fifo = (int)cli_parse_num("--fifo", optarg, 1, 99);
			break;
		case OPT_CPU:
			o.cpu = (int)cli_parse_num("--cpu", optarg, 0, CPU_SETSIZE - 1);
			break;
		case OPT_DMA_LATENCY:
			o.dma_latency = true;
			break;
		case OPT_INTERVAL_METER:
			o.meter = true;
			break;
		case 'J':
			o.json = true;
			break;
		case CLI_OPT_SYSROOT:
			o.sysroot = optarg;
			break;
		default:
			cli_common_option(c, usage);
		}
	}
	cli_no_operands(argc, argv);
	cli_sysroot_check(o.sysroot);
	check_options(&o, mode_set, clock_set, interval_set);

	probe_advert_read(&o, &adv);
	cli_refused_check();
	catch_signals();
	td_error_clear(&e);
	if (probe_env_setup(&o, &env, &e) < 0) {
		probe_env_release(&env);
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	rc = o.meter ? probe_meter(&o, &res, &e) : probe_run(&o, &res, &e);
	probe_env_release(&env);
	if (rc < 0) {
		td_latency_free(&res.lat);
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	td_latency_summarize(&res.lat, &sum);
	probe_verdict(&o, &env, &adv, &res, &sum, verdict, sizeof(verdict));
	if (o.json)
		rc = probe_report_json(&o, &env, &adv, &res, &sum, verdict);
	else {
		probe_report_text(&o, &env, &adv, &res, &sum, verdict);
		rc = fflush(stdout) == 0 ? 0 : -1;
	}
	td_latency_free(&res.lat);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot write the report\n", cli_prog);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
