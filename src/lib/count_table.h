/*
 * The core that /proc/interrupts and /proc/softirqs share: a table of
 * counters with one column per CPU.  Its "CPU0 CPU1 ..." header, the union of
 * two snapshots' CPUs, and the one rule for a counter that went back (a
 * 32-bit wrap, else a reset: unknown).  See doc/FORMATS.md section 3.
 */
#ifndef TD_COUNT_TABLE_H
#define TD_COUNT_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/*
 * Parse the header line [p, end): "CPU0 CPU1 ..." with ascending CPU numbers
 * (gaps are offline CPUs).  *cpus (freed by the caller) and *ncpus receive the
 * columns.  0, or -EINVAL / -ENOMEM with e naming path and lineno.
 */
int td_count_header_parse(const char *p, const char *end, int **cpus, int *ncpus,
    const char *path, long lineno, struct td_error *e);

/* The CPUs of two snapshots a and b, and where each sits in a and in b. */
struct td_count_union {
	int	 n;
	int	*cpus;		/* ascending */
	bool	*both;		/* cpus[i] has a column in a and in b */
	int	*col_a;		/* column of cpus[i] in a, -1 if none */
	int	*col_b;		/* column of cpus[i] in b, -1 if none */
};

/* The union of two ascending CPU lists.  0 or -ENOMEM (u freed then). */
int td_count_union(const int *a, int na, const int *b, int nb, struct td_count_union *u);
/* Hand the union's CPUs and both-flags over to a delta (u keeps its column maps). */
void td_count_union_keep(struct td_count_union *u, int **cpus, bool **both, int *n);
/* Free what td_count_union allocated and still holds. */
void td_count_union_free(struct td_count_union *u);

/*
 * The one rule for one counter going from a to b: b - a; when b is smaller, a
 * 32-bit wrap if that gives a delta under 2^31 (*wrapped set), else a reset
 * (the IRQ freed and allocated again, the CPU hot-plugged): unknown, -1.
 */
int td_count_delta(uint64_t a, uint64_t b, uint64_t *out, bool *wrapped);

/*
 * One row's change over the union's CPUs: counts ra (nra printed; NULL for a
 * row only in the later snapshot, which counts from 0) to rb (nrb printed).
 * Fills delta[i] and known[i] for u->cpus[i], adds the known cells to *total
 * and sets *wrapped on a 32-bit wrap.  True when any cell is known.
 */
bool td_count_row_delta(const struct td_count_union *u, const uint64_t *ra, int nra,
    const uint64_t *rb, int nrb, uint64_t *delta, bool *known, uint64_t *total,
    bool *wrapped);

#endif
