/*
 * /proc/softirqs: one row per softirq (HI TIMER NET_TX NET_RX BLOCK IRQ_POLL
 * TASKLET SCHED HRTIMER RCU), one column per online CPU, and deltas keyed by
 * softirq name and CPU number.
 */
#ifndef TD_SOFTIRQS_H
#define TD_SOFTIRQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One row: "TIMER:" and its per-CPU counts. */
struct td_softirq_row {
	char		*name;		/* "TIMER", "HRTIMER", "BLOCK_IOPOLL" (old kernels) */
	int		 ncounts;	/* may be fewer than ncpus */
	uint64_t	*counts;	/* counts[i] belongs to the CPU in cpus[i] */
	uint64_t	 total;
};

/* A whole /proc/softirqs. */
struct td_softirqs {
	int		 ncpus;
	int		*cpus;		/* CPU number of each column */
	size_t		 nrows;
	struct td_softirq_row *rows;
};

/* Parse len bytes; path (may be NULL) names the source in errors.  0 or -errno. */
int td_softirqs_parse(const char *buf, size_t len, const char *path,
    struct td_softirqs **out, struct td_error *e);
/* Read and parse a file, e.g. "/proc/softirqs", under sysroot (NULL or "/" = live). */
int td_softirqs_load(const char *sysroot, const char *abs, struct td_softirqs **out,
    struct td_error *e);
void td_softirqs_free(struct td_softirqs *s);

/* Row by name ("TIMER"), NULL if absent. */
const struct td_softirq_row *td_softirqs_find(const struct td_softirqs *s, const char *name);

/* One row of a delta; cells are per CPU of td_softirqs_delta.cpus. */
struct td_softirq_delta_row {
	char		*name;
	bool		 is_new;	/* only in the later snapshot: counted from 0 */
	bool		 gone;		/* only in the earlier snapshot: no cells known */
	uint64_t	*delta;		/* valid when known[i] */
	bool		*known;
	uint64_t	 total;		/* sum of the known cells */
	bool		 wrapped;	/* a 32-bit counter wrapped (delta corrected) */
};

/* The change from snapshot a to snapshot b. */
struct td_softirqs_delta {
	int		 ncpus;		/* union of both snapshots' CPUs, ascending */
	int		*cpus;
	bool		*cpu_both;	/* cpus[i] online in a and in b */
	size_t		 nrows;
	struct td_softirq_delta_row *rows;
};

/* b minus a, keyed by name and CPU number.  0 or -ENOMEM (-EINVAL on NULL). */
int td_softirqs_delta(const struct td_softirqs *a, const struct td_softirqs *b,
    struct td_softirqs_delta **out);
void td_softirqs_delta_free(struct td_softirqs_delta *d);
const struct td_softirq_delta_row *td_softirqs_delta_find(const struct td_softirqs_delta *d,
    const char *name);
/* Delta of softirq name on CPU number cpu: 0, or -ENOENT when unknown. */
int td_softirqs_delta_cell(const struct td_softirqs_delta *d, const char *name, int cpu,
    uint64_t *out);

/* The name of softirq vector vec in the kernel's order ("HI", "TIMER", ... "RCU"), NULL past it. */
const char *td_softirq_name(int vec);
/*
 * A pending-softirq mask (as the "NOHZ tick-stop error" line prints it) as
 * names joined by '|' ("NET_RX|TIMER"; an unknown bit as "#N"); "none" for 0.
 */
char *td_softirq_mask_format(uint64_t mask, char *buf, size_t len);

#endif
