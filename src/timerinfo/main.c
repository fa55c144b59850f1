/* timerinfo: a one-shot report on the kernel's timers, and checks. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "outfile.h"
#include "table.h"
#include "timerinfo.h"

enum {
	OPT_TIMER_LIST = CLI_OPT_FIRST_FREE,
	OPT_TICKS,
	OPT_EVENTS,
	OPT_KMSG_FILE,
	OPT_CHECK,
	OPT_FORMAT,
	OPT_LIVE,
	OPT_EXPLAIN,
	OPT_OUTPUT,
};

#define TICKS_DEFAULT_S		3.0	/* --ticks without a value */
#define TICKS_CHECK_S		1.0	/* --check and prometheus measure this long */
#define EXPLAIN_DEFAULT_S	2.0	/* --explain-tick without a value */
#define EXPLAIN_CHECK_S		1.0	/* --check samples a failing tick check's CPU this long */

static const struct option longopts[] = {
	{ "json",	no_argument,		NULL, 'J' },
	{ "timers",	no_argument,		NULL, 't' },
	{ "cpus",	no_argument,		NULL, 'c' },
	{ "format",	required_argument,	NULL, OPT_FORMAT },
	{ "output",	required_argument,	NULL, OPT_OUTPUT },
	CLI_LONGOPTS_TABLE,
	{ "ticks",	optional_argument,	NULL, OPT_TICKS },
	{ "events",	no_argument,		NULL, OPT_EVENTS },
	{ "check",	no_argument,		NULL, OPT_CHECK },
	{ "explain-tick", optional_argument,	NULL, OPT_EXPLAIN },
	CLI_LONGOPT_COLOR,
	{ "timer-list",	required_argument,	NULL, OPT_TIMER_LIST },
	{ "kmsg-file",	required_argument,	NULL, OPT_KMSG_FILE },
	{ "live",	no_argument,		NULL, OPT_LIVE },
	CLI_LONGOPTS_COMMON,
};

static void
usage(void)
{
	printf("Usage: %s [options]\n\n"
	    "Report how the kernel's timers run: tick mode per CPU (high resolution,\n"
	    "tickless low resolution or periodic), NOHZ, HZ, resolutions, clock source\n"
	    "and clock event devices, and the active timers.\n\n"
	    "Options:\n"
	    "  -J, --json             print JSON for scripts\n"
	    "  -t, --timers           list the active timers (function, CPU, clock, expiry)\n"
	    "  -c, --cpus             one line per CPU instead of folding identical CPUs\n"
	    "      --ticks[=SECONDS]  measure local timer interrupts and TIMER/HRTIMER\n"
	    "                         softirqs per second per CPU (default 3 s)\n"
	    "      --events           timeline of timer events in the kernel log\n"
	    "      --kmsg-file FILE   read the kernel log from a saved dmesg or kmsg file\n"
	    "      --check            verdicts with evidence and advice; exit 3 on problems\n"
	    "      --explain-tick[=S] why each CPU's tick keeps running: trace S seconds\n"
	    "                         (default 2, root), or a capture's wakeup trace\n"
	    "      --format FORMAT    text (default), json, or prometheus\n"
	    "      --output FILE      write the report to FILE atomically (a temporary\n"
	    "                         file beside it renamed over it), e.g. for\n"
	    "                         node_exporter's textfile collector\n"
	    "      --sysroot DIR      read a captured tree (DIR/proc/timer_list, DIR/sys/...)\n"
	    "      --timer-list FILE  read this timer_list instead of /proc/timer_list\n"
	    "      --live             with --timer-list or --kmsg-file: the other facts\n"
	    "                         from the running system (else: not in this file)\n"
	    "  -n, -H, --noheadings   only the rows of the CPU table (-t: the timer table)\n"
	    "  -r, --raw              that table's rows, space separated, \\x20 for a space\n"
	    "  -P, --pairs            that table's rows as NAME=\"value\" pairs\n"
	    "      --list-columns     list that table's columns and exit\n"
	    "      --color[=WHEN]     auto (default), always or never\n"
	    "  -h, --help             show this help\n"
	    "  -V, --version          show the version\n\n"
	    "Exit status: 0 report printed (unknown facts are marked, e.g. without root),\n"
	    "1 a named file could not be read or parsed, 2 bad usage, 3 --check found\n"
	    "a problem.\n", cli_prog);
	exit(CLI_EXIT_OK);
}

/*
 * From verdict to culprit: when a tick check failed on a CPU, explain that
 * CPU's tick (live as root: a short trace, said in the evidence; a capture:
 * its wakeup trace) and name the top cause in the evidence and the advice.
 */
static void
culprit(const struct ti_opts *o, const struct td_machine *m, struct ti_extra *x)
{
	char what[512], adv[256];

	for (size_t i = 0; x->checks != NULL && i < x->checks->n; i++) {
		struct td_check *c = &x->checks->c[i];
		size_t n;

		if (c->sev < TD_SEV_WARNING || c->cpu < 0)
			continue;
		if (x->explain == NULL) {
			if ((x->explain = calloc(1, sizeof(*x->explain))) == NULL)
				return;
			(void)ti_explain_run(o, m, EXPLAIN_CHECK_S, x->explain);
		}
		if (!x->explain->done)
			return;
		n = strlen(c->evidence);
		if (ti_explain_cause(x->explain, c->cpu, what, sizeof(what), adv, sizeof(adv))) {
			snprintf(c->evidence + n, sizeof(c->evidence) - n, "; %s (%s)", what,
			    x->explain->source);
			if (adv[0])
				snprintf(c->advice, sizeof(c->advice), "%s", adv);
		} else {
			snprintf(c->evidence + n, sizeof(c->evidence) - n,
			    "; %s traced no cause on CPU %d", x->explain->source, c->cpu);
		}
	}
}

/* Run the measurements the options ask for. */
static void
gather(struct ti_opts *o, const struct td_machine *m, struct ti_extra *x)
{
	memset(x, 0, sizeof(*x));
	if (o->format == TI_PROMETHEUS || o->check) {
		if (!o->ticks)
			o->ticks_s = TICKS_CHECK_S;
		o->ticks = o->ticks || o->format == TI_PROMETHEUS;
		o->events = o->events || o->check;
		ti_gather_rates(o, m, x);
		if (o->format == TI_PROMETHEUS)
			ti_gather_counts(o, x);
		ti_gather_events(o, x);
		ti_gather_rtc(o, x);
	} else {
		if (o->ticks)
			ti_gather_rates(o, m, x);
		if (o->events)
			ti_gather_events(o, x);
	}
	if (o->check || o->format == TI_PROMETHEUS) {
		struct td_check_input in = {
			.m = m,
			.rates = x->rates, .rates_why = x->rates_why,
			.events = x->events, .events_source = x->events_source,
			.events_why = x->events_why,
			.has_rtc = x->has_rtc, .rtc_name = x->rtc_name,
			.rtc_drift_s = x->rtc_drift_s, .rtc_why = x->rtc_why,
		};
		struct td_error e;

		if (td_checks_run(&in, &x->checks, &e) < 0)
			cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	if (o->explain) {
		if ((x->explain = calloc(1, sizeof(*x->explain))) == NULL) {
			struct td_error e;

			td_error_set(&e, ENOMEM, NULL, 0, "out of memory");
			cli_fail_td(&e, CLI_EXIT_FAIL);
		}
		(void)ti_explain_run(o, m, o->explain_s, x->explain);
	} else if (o->check) {
		culprit(o, m, x);
	}
}

/* The text sections the options ask for. */
static void
print_text(FILE *f, const struct td_machine *m, const struct ti_extra *x,
    const struct ti_opts *o)
{
	bool first = true;

	if (o->report) {
		ti_print_text(f, m, o);
		first = false;
	}
	if (o->ticks) {
		fprintf(f, "%s", first ? "" : "\n");
		ti_print_ticks(f, m, x, o);
		first = false;
	}
	if (o->events && !o->check) {
		fprintf(f, "%s", first ? "" : "\n");
		ti_print_events(f, x, o);
		first = false;
	}
	if (o->check) {
		fprintf(f, "%s", first ? "" : "\n");
		ti_print_checks(f, x, o);
		first = false;
	}
	if (o->explain) {
		fprintf(f, "%s", first ? "" : "\n");
		ti_print_explain(f, x->explain, o);
	}
}

int
main(int argc, char **argv)
{
	struct ti_opts o = { 0 };
	const char *output = NULL;
	FILE *out = stdout;
	struct td_machine *m;
	struct ti_extra x;
	struct td_error e;
	int c, r, problems;
	unsigned tl_flags;
	enum cli_color color = CLI_COLOR_AUTO;
	bool list = false;

	cli_init(argc, argv);
	while ((c = getopt_long(argc, argv, "JtcnHrPhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
			o.format = TI_JSON;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o.format = TI_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o.format = TI_JSON;
			else if (strcmp(optarg, "prometheus") == 0)
				o.format = TI_PROMETHEUS;
			else
				cli_usage_error("--format: '%s' is not text, json or prometheus",
				    optarg);
			break;
		case OPT_TICKS: {
			int64_t ns;

			o.ticks = true;
			o.ticks_s = TICKS_DEFAULT_S;
			if (optarg == NULL)
				break;
			if (cli_parse_duration(optarg, 1000000000, &ns) < 0 ||
			    ns < 100000000 || ns > 3600 * (int64_t)1000000000)
				cli_usage_error("--ticks: '%s' is not a duration from 0.1 s to 1 h",
				    optarg);
			o.ticks_s = (double)ns / 1e9;
			break;
		}
		case OPT_EVENTS:
			o.events = true;
			break;
		case OPT_KMSG_FILE:
			o.kmsg_file = optarg;
			break;
		case OPT_CHECK:
			o.check = true;
			break;
		case OPT_EXPLAIN: {
			int64_t ns;

			o.explain = true;
			o.explain_s = EXPLAIN_DEFAULT_S;
			if (optarg == NULL)
				break;
			if (cli_parse_duration(optarg, 1000000000, &ns) < 0 ||
			    ns < 100000000 || ns > 60 * (int64_t)1000000000)
				cli_usage_error("--explain-tick: '%s' is not a duration from 0.1 s "
				    "to 60 s", optarg);
			o.explain_s = (double)ns / 1e9;
			break;
		}
		case 't':
			o.timers = true;
			break;
		case 'c':
			o.cpus = true;
			break;
		case CLI_OPT_SYSROOT:
			o.sysroot = optarg;
			break;
		case OPT_TIMER_LIST:
			o.timer_list = optarg;
			break;
		case OPT_LIVE:
			o.live = true;
			break;
		case OPT_OUTPUT:
			output = optarg;
			break;
		case 'n':
			(void)cli_table_option('H', &o.table_flags);
			break;
		case CLI_OPT_LIST_COLUMNS:
			list = true;
			break;
		case CLI_OPT_COLOR:
			color = cli_parse_color(optarg);
			break;
		default:
			if (!cli_table_option(c, &o.table_flags))
				cli_common_option(c, usage);
		}
	}
	cli_no_operands(argc, argv);
	if (list)
		exit(ti_list_columns(stdout, &o) < 0 || fflush(stdout) != 0 ?
		    CLI_EXIT_FAIL : CLI_EXIT_OK);
	o.rows_only = o.table_flags != 0;
	if (o.rows_only && (o.format != TI_TEXT || o.ticks || o.events || o.check ||
	    o.explain || o.kmsg_file != NULL))
		cli_usage_error("-n, -r and -P print a table alone: not with JSON, Prometheus, "
		    "--ticks, --events, --kmsg-file, --check or --explain-tick");
	if (o.live && o.sysroot != NULL)
		cli_usage_error("--live and --sysroot name two different systems");
	cli_sysroot_check(o.sysroot);
	/* A file named alone is reported as itself: nothing of this machine is mixed in. */
	o.file_alone = (o.timer_list != NULL || o.kmsg_file != NULL) && o.sysroot == NULL &&
	    !o.live;
	o.json = o.format == TI_JSON;
	o.color = o.format == TI_TEXT && output == NULL && cli_color_on(color, stdout);
	o.report = !(o.ticks || o.events || o.check || o.explain) || o.format != TI_TEXT;
	if (o.kmsg_file != NULL && !o.events && !o.check)
		o.events = true;

	/* An output that cannot be made fails now, before any measuring. */
	if (output != NULL)
		out = cli_outfile_open(output);
	td_error_clear(&e);
	/* Each timer kept only to be listed: a 4,096-CPU machine has millions. */
	tl_flags = o.timers ? TD_TL_TIMERS : 0;
	if (o.file_alone)
		r = td_machine_read_file(o.timer_list, tl_flags, &m, &e);
	else
		r = td_machine_read(o.sysroot, o.timer_list, tl_flags, &m, &e);
	if (r < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
	cli_refused_check();
	if (m->tl == NULL && o.file_alone && o.timer_list == NULL) {
		/* --kmsg-file alone: no timer_list asked for, none to warn about */
	} else if (m->tl == NULL && o.rows_only && o.timers) {
		/* ti_print_table says why the timers are unknown, in one line. */
	} else if (m->tl == NULL) {
		char buf[768];

		fprintf(stderr, "%s: %s%s: tick mode, NOHZ, resolution and timers unknown\n",
		    cli_prog, td_error_str(&m->tl_err, buf, sizeof(buf)),
		    m->tl_needs_root ? " (needs root)" : "");
	} else if (m->tl->truncated) {
		fprintf(stderr, "%s: %s: truncated after line %ld; reporting what is there\n",
		    cli_prog, TD_SAFE(m->tl_path), m->tl->nlines);
	}
	if (m->tl != NULL && m->tl->nelided > 0)
		fprintf(stderr, "%s: %s: %ld line%s elided with \"...\"; counts are lower bounds\n",
		    cli_prog, m->tl_path, m->tl->nelided, m->tl->nelided > 1 ? "s" : "");
	if (m->kc_err.code != 0) {
		char buf[768];

		if (m->kc.found)
			fprintf(stderr, "%s: %s: read %s instead\n", cli_prog,
			    td_error_str(&m->kc_err, buf, sizeof(buf)), TD_SAFE(m->kc.path));
		else
			fprintf(stderr, "%s: %s: HZ taken from elsewhere\n", cli_prog,
			    td_error_str(&m->kc_err, buf, sizeof(buf)));
	}
	if (o.rows_only) {
		r = ti_print_table(out, m, &o, o.table_flags);
		td_machine_free(m);
		if (r == 0 && (fflush(out) != 0 || ferror(out)))
			r = -1;
		if (output != NULL && r == 0)
			cli_outfile_commit(out);
		return r < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	}
	gather(&o, m, &x);
	cli_refused_check();
	if (o.format == TI_JSON)
		r = ti_print_json(out, m, &x, &o);
	else if (o.format == TI_PROMETHEUS)
		r = ti_print_prometheus(out, m, &x);
	else {
		print_text(out, m, &x, &o);
		r = fflush(out) == 0 && !ferror(out) ? 0 : -1;
	}
	if (output != NULL && r == 0)
		cli_outfile_commit(out);	/* exits 1 on failure, the old file intact */
	problems = x.checks != NULL ? x.checks->problems : 0;
	ti_extra_free(&x);
	td_machine_free(m);
	if (r < 0) {
		fprintf(stderr, "%s: error writing the report\n", cli_prog);
		return CLI_EXIT_FAIL;
	}
	return o.check && problems > 0 ? CLI_EXIT_PROBLEMS : CLI_EXIT_OK;
}
