/*
 * /proc/stat: the per-CPU time lines ("cpuN user nice system idle iowait irq
 * softirq steal guest guest_nice", in USER_HZ ticks).  The other lines
 * (intr, ctxt, btime, ...) are not kept.  See doc/FORMATS.md section 3.1.
 */
#ifndef TD_PROCSTAT_H
#define TD_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One CPU's line. */
struct td_procstat_cpu {
	int		 cpu;
	uint64_t	 idle;		/* idle + iowait */
	uint64_t	 total;		/* the sum of the fields printed */
};

/* A whole /proc/stat's CPU lines. */
struct td_procstat {
	size_t			 ncpus;
	struct td_procstat_cpu	*cpus;	/* in file order (ascending CPU numbers) */
};

/*
 * Parse len bytes of /proc/stat; path (may be NULL) names it in errors.  A
 * "cpuN" line needs at least the four fields every kernel prints.  *out is a
 * new snapshot for td_procstat_free().  0, or -EINVAL (e names the line), -ENOMEM.
 */
int td_procstat_parse(const char *buf, size_t len, const char *path,
    struct td_procstat **out, struct td_error *e);
/* Read and parse "/proc/stat" under sysroot (NULL or "/" = live). */
int td_procstat_load(const char *sysroot, struct td_procstat **out, struct td_error *e);
void td_procstat_free(struct td_procstat *s);
/* The line of CPU number cpu, or NULL. */
const struct td_procstat_cpu *td_procstat_cpu(const struct td_procstat *s, int cpu);

#endif
