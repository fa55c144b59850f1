/* timerinfo: a one-shot report on the kernel's timers, and checks. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "timerinfo.h"

enum {
	OPT_TIMER_LIST = CLI_OPT_FIRST_FREE,
};

static const struct option longopts[] = {
	{ "json",	no_argument,		NULL, 'J' },
	{ "sysroot",	required_argument,	NULL, CLI_OPT_SYSROOT },
	{ "timer-list",	required_argument,	NULL, OPT_TIMER_LIST },
	{ "timers",	no_argument,		NULL, 't' },
	{ "cpus",	no_argument,		NULL, 'c' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 },
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
	    "      --sysroot DIR      read a captured tree (DIR/proc/timer_list, DIR/sys/...)\n"
	    "      --timer-list FILE  read this timer_list instead of /proc/timer_list\n"
	    "  -h, --help             show this help\n"
	    "  -V, --version          show the version\n\n"
	    "Exit status: 0 report printed (unknown facts are marked, e.g. without root),\n"
	    "1 a named file could not be read or parsed, 2 bad usage.\n", cli_prog);
	exit(CLI_EXIT_OK);
}

int
main(int argc, char **argv)
{
	struct ti_opts o = { 0 };
	struct td_machine *m;
	struct td_error e;
	int c, r;

	cli_init(argc, argv);
	while ((c = getopt_long(argc, argv, "JtchV", longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
			o.json = true;
			break;
		case 't':
			o.timers = true;
			break;
		case 'c':
			o.cpus = true;
			break;
		case CLI_OPT_SYSROOT:
			o.sysroot = optarg;
			if (access(optarg, F_OK) != 0)
				cli_usage_error("--sysroot: %s: no such directory", optarg);
			break;
		case OPT_TIMER_LIST:
			o.timer_list = optarg;
			break;
		case 'h':
			usage();
			break;
		case 'V':
			cli_version();
			break;
		default:
			cli_usage_error("unknown option");
		}
	}
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	o.color = !o.json && cli_use_color(stdout);

	td_error_clear(&e);
	r = td_machine_read(o.sysroot, o.timer_list, &m, &e);
	if (r < 0)
		cli_fail_td(&e, CLI_EXIT_FAIL);
	if (m->tl == NULL) {
		char buf[768];

		fprintf(stderr, "%s: %s%s: tick mode, NOHZ, resolution and timers unknown\n",
		    cli_prog, td_error_str(&m->tl_err, buf, sizeof(buf)),
		    m->tl_needs_root ? " (needs root)" : "");
	} else if (m->tl->truncated) {
		fprintf(stderr, "%s: %s: truncated after line %ld; reporting what is there\n",
		    cli_prog, m->tl_path, m->tl->nlines);
	}
	if (o.json)
		r = ti_print_json(stdout, m, &o);
	else {
		ti_print_text(stdout, m, &o);
		r = fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
	}
	td_machine_free(m);
	if (r < 0) {
		fprintf(stderr, "%s: error writing the report\n", cli_prog);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
