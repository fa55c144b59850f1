/*
 * /proc/timer_stats (Linux 2.6.21 - 4.10): every version, sorted copies too.
 * See doc/FORMATS.md section 2.
 */
#ifndef TD_TIMER_STATS_H
#define TD_TIMER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

struct td_sample;
struct td_wsource;

enum td_ts_version {
	TD_TS_UNKNOWN = 0,	/* no version line (e.g. a fragment) */
	TD_TS_PROTO,		/* "Timerstats sample period:" (2.6.19/20 -mm prototype) */
	TD_TS_V01,
	TD_TS_V02,
	TD_TS_V03,
	TD_TS_VOTHER,		/* "Timer Stats Version: vX" we do not know */
};

/* One entry line: "count[D], pid comm start (expire)". */
struct td_ts_entry {
	uint64_t	 count;
	bool		 deferrable;	/* the D mark */
	int		 pid;
	char		 comm[32];	/* may contain spaces ("IRQ 218") */
	char		*start;		/* arming function, or "<ffff...>" */
	char		*expire;	/* callback */
	long		 line;		/* line number in the input */
};

struct td_timer_stats {
	enum td_ts_version	 version;
	char			 version_str[16];	/* "v0.2" as printed, "" if none */
	bool			 have_period;
	uint64_t		 period_ns;
	bool			 have_overflow;
	uint64_t		 overflow;		/* "Overflow: N entries" */
	int			 collection;		/* v0.3: 1 active, 0 inactive, -1 absent */
	bool			 have_total;
	uint64_t		 total_events;		/* "N total events" */
	bool			 have_rate;
	double			 events_per_sec;	/* trailer, as printed (v0.1's is buggy) */
	bool			 elided;		/* a "..." line was skipped */
	size_t			 n;
	struct td_ts_entry	*entries;		/* in file order */
};

/*
 * Parse a timer_stats text (any version, possibly sorted, possibly elided).
 * path is only used for error messages.  Unknown lines fail with -EINVAL and
 * the line number in e.
 */
int td_timer_stats_parse(const char *buf, size_t len, const char *path,
    struct td_timer_stats **out, struct td_error *e);
void td_timer_stats_free(struct td_timer_stats *ts);
/*
 * Turn a parsed file into a sample (kind timer or hrtimer guessed from the
 * callback, site = start function, pid/comm known, no per-CPU split).
 */
int td_timer_stats_to_sample(const struct td_timer_stats *ts, struct td_sample **out,
    struct td_error *e);
/*
 * Write sample sources in the classic timer_stats text, so old scripts keep
 * working; sources it cannot express (irq, softirq) are left out.  file is the
 * saved copy the sample was read from (td_sampler_timer_stats_file), or NULL:
 * then the header is v0.3's, "Collection: active".  A saved copy's header lines
 * are written as it had them (none it lacked, an unknown period left out) and
 * its total is kept: it counts elided and overflowed entries as well.  rows
 * (n of them) lists the sources in the order to write; NULL writes p's all.
 * -EIO on error.
 */
int td_timer_stats_write(FILE *f, const struct td_sample *p, const struct td_timer_stats *file,
    const struct td_wsource *const *rows, size_t n);

struct td_sampler;
/*
 * The header of the saved copy (--timer-stats FILE or a captured tree) the
 * timer_stats backend read last (entries not kept: n 0); NULL for any other
 * backend or a live /proc/timer_stats.
 */
const struct td_timer_stats *td_sampler_timer_stats_file(const struct td_sampler *s);

#endif
