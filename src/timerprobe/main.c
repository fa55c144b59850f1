/*
 * timerprobe: timer precision as programs see it.  Waits the way a program
 * would (timerfd, clock_nanosleep, nanosleep, poll, ppoll, epoll_wait, select),
 * measures how late each wake-up comes, and sets it beside what the kernel
 * advertises.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "probe.h"

#define MAX_INTERVAL_NS		(60LL * 1000000000)	/* one minute */
#define MAX_DURATION_NS		(86400LL * 1000000000)	/* one day */
#define MAX_SLACK_NS		1000000000LL		/* one second */
#define DEFAULT_INTERVAL_NS	1000000			/* 1 ms */
#define DEFAULT_COUNT		1000
#define DEFAULT_METER_COUNT	200
#define DEFAULT_READ_EVERY_NS	10000000		/* 10 ms */

enum {
	OPT_SLACK = CLI_OPT_FIRST_FREE,
	OPT_FIFO,
	OPT_CPU,
	OPT_DMA_LATENCY,
	OPT_INTERVAL_METER,
	OPT_CPUS,
	OPT_BREAK,
	OPT_TRACE_ON_BREAK,
	OPT_READ_EVERY,
	OPT_SAMPLES,
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
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "smp", no_argument, NULL, 'S' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "break", required_argument, NULL, OPT_BREAK },
	{ "trace-on-break", required_argument, NULL, OPT_TRACE_ON_BREAK },
	{ "read-every", required_argument, NULL, OPT_READ_EVERY },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "dma-latency", no_argument, NULL, OPT_DMA_LATENCY },
	{ "interval-meter", no_argument, NULL, OPT_INTERVAL_METER },
	{ "json", no_argument, NULL, 'J' },
	CLI_LONGOPTS_COMMON,
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
	    "      --cpus LIST        one measuring thread pinned to each CPU of LIST\n"
	    "                         (\"0-3,6\" or \"all\"); results per CPU and in all\n"
	    "  -S, --smp              the same as --cpus all\n"
	    "  -q, --quiet            no live lines on a terminal, only the report\n"
	    "      --break DUR        stop at the first wake-up later than DUR (a bare\n"
	    "                         number is us); as root, name what delayed it\n"
	    "      --trace-on-break FILE  save the events around that wake-up (text trace)\n"
	    "      --dma-latency      hold /dev/cpu_dma_latency at 0 during the run (root)\n"
	    "      --interval-meter   count timerfd expirations per read against the clock\n"
	    "                         (interval 1ns unless -i says otherwise)\n"
	    "      --read-every DUR   the meter's read cadence (default 10ms)\n"
	    "      --samples FILE     write every sample to FILE: CPU, number, latency ns\n"
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

/* --cpus LIST, or exit 2. */
static void
parse_cpus(struct probe_opts *o, const char *s)
{
	int r = probe_parse_cpus(s, &o->cpus, &o->ncpus);

	if (r == -ENXIO || r == -ERANGE)
		cli_usage_error("--cpus: '%s' names a CPU that is not online or not allowed "
		    "here", s);
	if (r < 0)
		cli_usage_error("--cpus: '%s' is not a CPU list (\"0-3,6\" or \"all\")", s);
	o->has_cpus = true;
}

/* Merge the workers' results into one: every sample, summed counters. */
static int
merge_results(const struct probe_worker *w, size_t n, struct probe_result *all)
{
	size_t total = 0;
	int r;

	memset(all, 0, sizeof(*all));
	for (size_t i = 0; i < n; i++)
		total += w[i].res.lat.n;
	if ((r = td_latency_init(&all->lat, total, PROBE_SAMPLE_LIMIT * n)) < 0)
		return r;
	all->has_overruns = w[0].res.has_overruns;
	all->stop = w[0].res.stop;
	all->cpu_time_ns = 0;
	for (size_t i = 0; i < n; i++) {
		const struct probe_result *x = &w[i].res;

		for (size_t k = 0; k < x->lat.n; k++)
			(void)td_latency_add(&all->lat, x->lat.v[k]);
		all->overruns += x->overruns;
		all->overhead_sum_ns += x->overhead_sum_ns;
		all->overhead_n += x->overhead_n;
		if (x->elapsed_ns > all->elapsed_ns)
			all->elapsed_ns = x->elapsed_ns;
		if (x->stop == STOP_BREAK || x->stop == STOP_SIGNAL)
			all->stop = x->stop;
		if (all->cpu_time_ns >= 0)
			all->cpu_time_ns = x->cpu_time_ns < 0 ? -1 :
			    all->cpu_time_ns + x->cpu_time_ns;
	}
	return 0;
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
	if (o->meter && o->has_cpus)
		cli_usage_error("--interval-meter measures one CPU; use --cpu N, not --cpus");
	if (o->meter && o->break_ns > 0)
		cli_usage_error("--break watches wake-ups; --interval-meter has none");
	if (o->trace_on_break != NULL && o->break_ns == 0)
		cli_usage_error("--trace-on-break needs --break");
	if (o->has_cpus && o->cpu >= 0)
		cli_usage_error("--cpu and --cpus: give one of them");
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
		.read_every_ns = DEFAULT_READ_EVERY_NS,
	};
	bool mode_set = false, clock_set = false, interval_set = false;
	struct probe_env *env;
	struct probe_advert adv;
	struct probe_result res, *rp;
	struct probe_worker *w;
	struct probe_cause *cause = NULL;
	struct td_latency_summary sum;
	char verdict[512];
	size_t nw;
	int c, rc;

	cli_init(argc, argv);
	/*
	 * One malloc arena for every thread: a worker's first allocation (its
	 * samples) would otherwise map an arena of its own, whose first 132 KiB
	 * --fifo's mlockall fills at once, for a few KiB of samples.
	 */
	(void)mallopt(M_ARENA_MAX, 1);
	while ((c = getopt_long(argc, argv, "m:c:ai:n:D:SqJhV", longopts, NULL)) != -1) {
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
		case OPT_CPUS:
			parse_cpus(&o, optarg);
			break;
		case 'S':
			parse_cpus(&o, "all");
			break;
		case 'q':
			o.quiet = true;
			break;
		case OPT_BREAK:
			o.break_ns = parse_duration("--break", optarg, 1000, 1, MAX_INTERVAL_NS);
			break;
		case OPT_TRACE_ON_BREAK:
			o.trace_on_break = optarg;
			break;
		case OPT_SAMPLES:
			o.samples = optarg;
			break;
		case OPT_READ_EVERY:
			o.read_every_ns = parse_duration("--read-every", optarg, 1000, 1000,
			    MAX_INTERVAL_NS);
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
	if (o.trace_on_break != NULL)
		cli_writable_check(o.trace_on_break);
	if (o.samples != NULL)
		cli_writable_check(o.samples);
	/* The meter's CPU must hold still for its interrupt count: the one it starts on. */
	if (o.meter && o.cpu < 0)
		o.cpu = sched_getcpu();

	probe_advert_read(&o, &adv);
	cli_refused_check();
	catch_signals();
	nw = o.has_cpus ? (size_t)o.ncpus : 1;
	w = calloc(nw, sizeof(*w));
	env = calloc(nw, sizeof(*env));
	if (w == NULL || env == NULL) {
		fprintf(stderr, "%s: out of memory\n", cli_prog);
		return CLI_EXIT_FAIL;
	}
	for (size_t i = 0, cpu = 0; i < nw; i++) {
		if (o.has_cpus) {
			while (!td_cpuset_isset(&o.cpus, (int)cpu))
				cpu++;
			w[i].cpu = (int)cpu++;
		} else {
			w[i].cpu = o.cpu;
		}
		w[i].env = &env[i];
		env[i].dma_fd = -1;
	}
	if (o.break_ns > 0 && (rc = probe_cause_open(&o, &cause)) < 0) {
		fprintf(stderr, "%s: out of memory\n", cli_prog);
		return CLI_EXIT_FAIL;
	}
	rc = probe_run_all(&o, w, nw, !o.quiet && !o.json && isatty(STDERR_FILENO));
	for (size_t i = 0; i < nw; i++)
		probe_env_release(&env[i]);
	for (size_t i = 0; i < nw && rc == 0; i++) {
		if (w[i].rc < 0) {
			probe_cause_close(cause);
			cli_fail_td(&w[i].err, CLI_EXIT_FAIL);
		}
	}
	if (rc < 0) {
		probe_cause_close(cause);
		fprintf(stderr, "%s: cannot start the measuring threads: %s\n", cli_prog,
		    strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	if (o.samples != NULL && (rc = probe_samples_write(o.samples, w, nw)) < 0) {
		probe_cause_close(cause);
		fprintf(stderr, "%s: cannot write %s: %s\n", cli_prog, o.samples, strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	if (nw == 1) {
		rp = &w[0].res;
	} else {
		if (merge_results(w, nw, &res) < 0) {
			fprintf(stderr, "%s: out of memory\n", cli_prog);
			return CLI_EXIT_FAIL;
		}
		rp = &res;
	}
	for (size_t i = 0; i < nw && cause != NULL; i++)
		if (w[i].res.broke)
			probe_cause_finish(cause, &w[i].res);
	td_latency_summarize(&rp->lat, &sum);
	probe_verdict(&o, &env[0], &adv, rp, &sum, verdict, sizeof(verdict));
	if (o.json)
		rc = probe_report_json(&o, &env[0], &adv, rp, &sum, verdict, w, nw, cause);
	else {
		probe_report_text(&o, &env[0], &adv, rp, &sum, verdict);
		if (o.has_cpus)
			probe_report_cpus_text(w, nw);
		probe_report_break_text(&o, w, nw, cause);
	}
	probe_cause_close(cause);
	for (size_t i = 0; i < nw; i++)
		td_latency_free(&w[i].res.lat);
	if (rp == &res)
		td_latency_free(&res.lat);
	free(w);
	free(env);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot write the report\n", cli_prog);
		return CLI_EXIT_FAIL;
	}
	return cli_stdout_close(CLI_EXIT_OK);
}
