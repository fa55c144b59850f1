/* The tools' shared front end: messages, exit codes, option helpers. */
#ifndef TD_CLI_H
#define TD_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>

#include "cpumask.h"
#include "error.h"

struct td_sampler_opts;

/* Exit codes shared by every tool (documented in each man page). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,	/* could not do what was asked (a file unreadable, a parse failure) */
	CLI_EXIT_USAGE = 2,	/* bad command line */
	CLI_EXIT_PROBLEMS = 3,	/* timerinfo --check: problems found */
};

/* Long options every tool takes; values above any short option character. */
enum {
	CLI_OPT_SYSROOT = 0x100,
	CLI_OPT_COLOR,
	CLI_OPT_LIST_COLUMNS,
	CLI_OPT_SOURCE,
	CLI_OPT_TRACE,
	CLI_OPT_RECORD,
	CLI_OPT_BPF_MAP_ENTRIES,
	CLI_OPT_FIRST_FREE = 0x120,	/* tools number their own long-only options from here */
};

/*
 * The long options every tool takes, ending its table: --sysroot (each tool
 * keeps the DIR and hands it to cli_sysroot_check()), --help and --version
 * (cli_common_option()).
 */
#define CLI_LONGOPTS_COMMON \
	{ "sysroot",	required_argument,	NULL, CLI_OPT_SYSROOT }, \
	{ "help",	no_argument,		NULL, 'h' }, \
	{ "version",	no_argument,		NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }
/* --color[=WHEN], for the tools that colour (cli_parse_color()). */
#define CLI_LONGOPT_COLOR \
	{ "color",	optional_argument,	NULL, CLI_OPT_COLOR }
/*
 * The column table's options, for the tools that print one: -H, -r and -P
 * (cli_table_option()) and --list-columns (each tool lists its own).
 */
#define CLI_LONGOPTS_TABLE \
	{ "noheadings",	no_argument,		NULL, 'H' }, \
	{ "raw",	no_argument,		NULL, 'r' }, \
	{ "pairs",	no_argument,		NULL, 'P' }, \
	{ "list-columns", no_argument,		NULL, CLI_OPT_LIST_COLUMNS }
/*
 * The sampling tools' source options: --source (each tool parses it) and
 * --trace, --record and --bpf-map-entries (cli_sampler_option()).
 */
#define CLI_LONGOPTS_SAMPLER \
	{ "source",	required_argument,	NULL, CLI_OPT_SOURCE }, \
	{ "trace",	required_argument,	NULL, CLI_OPT_TRACE }, \
	{ "record",	required_argument,	NULL, CLI_OPT_RECORD }, \
	{ "bpf-map-entries", required_argument,	NULL, CLI_OPT_BPF_MAP_ENTRIES }

extern const char *cli_prog;

/* Set the program name and the locale. */
void cli_init(int argc, char **argv);
/* "prog: message" and "Try 'prog --help' for more information.", exit 2. */
noreturn void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog (timerdiag) VERSION", exit 0. */
noreturn void cli_version(void);
/*
 * The cases every tool's option switch ends with: -h prints the help (usage)
 * and exits 0, -V the version; anything else (getopt has said what) the hint
 * to --help, exit 2.
 */
noreturn void cli_common_option(int c, void (*usage)(void));
/* Exit 2 when arguments are left after the options (no tool takes any). */
void cli_no_operands(int argc, char **argv);
/* "prog: path:line: message" on stderr. */
void cli_warn_td(const struct td_error *e);
/* cli_warn_td, then exit with code. */
noreturn void cli_fail_td(const struct td_error *e, int code);
/*
 * Flush stdout; on a write error say so in one line ("prog: write error: ...")
 * and return CLI_EXIT_FAIL, else rc.
 */
int cli_stdout_close(int rc);
/*
 * Output of samples, one after another, to a file or pipe: a buffer that
 * holds a whole sample, flushed after each (one write a sample, not one
 * every 4 KiB).  A terminal keeps its line buffering.
 */
void cli_stdout_by_sample(void);
/* --sysroot DIR: exit 1 with one line naming DIR unless it is a directory. */
void cli_sysroot_check(const char *dir);
/*
 * A file to be written later (timerprobe --trace-on-break): exit 1 with one
 * line naming it unless it can be created or written now.  A file this check
 * created is removed again.
 */
void cli_writable_check(const char *path);
/* Exit 1 with one line naming the link when a read under the sysroot refused one. */
void cli_refused_check(void);
/* Parse a duration with a unit suffix ns, us, ms or s (bare number: default_unit_ns). */
int cli_parse_duration(const char *s, int64_t default_unit_ns, int64_t *out_ns);
/* Parse an integer within [min, max]; on error exit 2 naming the option. */
long long cli_parse_num(const char *opt, const char *s, long long min, long long max);
/*
 * Exit 2 naming opt when a pid or tid (>= 0) does not exist on the live system
 * (a saved file or a captured tree is not checked: its tasks are not ours).
 */
void cli_check_task(const char *opt, int pid, const char *sysroot, bool from_file);
/* Exit 2 naming opt when a CPU of the set is not a possible CPU of the system or tree. */
void cli_check_cpus(const char *opt, const struct td_cpuset *cpus, const char *sysroot);
/*
 * The backend the sampling tools' file options choose: --timer-stats (when the
 * tool has it) and --trace read a file through their backend, --record writes
 * a live tracefs sample; a --source that contradicts them, two files, or
 * --record with a file or --sysroot exit 2.
 */
void cli_sampler_backend(struct td_sampler_opts *so, bool has_timer_stats);
/*
 * The options the sampling tools handle alike: --trace, --record, --sysroot
 * and --bpf-map-entries (16 to 4194304, else exit 2) into so.  False when c
 * is none of them.
 */
bool cli_sampler_option(int c, const char *arg, struct td_sampler_opts *so);
/* True when colour may be used on f: a terminal, TERM not dumb, NO_COLOR unset. */
bool cli_use_color(FILE *f);

/* --color=WHEN, as in util-linux. */
enum cli_color {
	CLI_COLOR_AUTO,		/* on a terminal, without NO_COLOR */
	CLI_COLOR_ALWAYS,
	CLI_COLOR_NEVER,
};
/* Parse WHEN (NULL: auto) or exit 2. */
enum cli_color cli_parse_color(const char *arg);
/* Whether to colour f for WHEN. */
bool cli_color_on(enum cli_color when, FILE *f);
/*
 * -H, -r or -P: its table flag (TD_TABLE_*) added to *flags, raw and pairs
 * excluding each other (the last one given wins).  False when c is none of
 * them.
 */
bool cli_table_option(int c, unsigned *flags);

#endif
