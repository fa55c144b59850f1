/*
 * Memory the tracing backends hold for every CPU, held to one budget for the
 * whole machine.  The kernel gives every online CPU a trace buffer of the
 * size written to an instance's buffer_size_kb, and a BPF per-CPU map a value
 * for every possible CPU: 8 MiB a CPU is 16 MiB on 2 CPUs but 32 GiB on 4,096.
 * What the user did not ask for is held to the budget.
 */
#ifndef TD_CPUBUDGET_H
#define TD_CPUBUDGET_H

#include <stdint.h>

#define TD_CPUBUDGET_TOTAL	(256ULL << 20)	/* all CPUs together: 256 MiB */
#define TD_CPUBUDGET_MEM_SHARE	16		/* and at most this part of the available memory */

/*
 * Bytes a CPU: want, or less so that ncpus of it take no more than the budget
 * (TD_CPUBUDGET_TOTAL, and a TD_CPUBUDGET_MEM_SHARE-th of avail_kb KiB when
 * known, not 0); never less than floor (nor more than want).
 */
uint64_t td_cpubudget_fit(uint64_t want, uint64_t floor, unsigned ncpus, uint64_t avail_kb);

/*
 * How many times (up to max) tables of want bytes a CPU are halved to fit
 * ncpus of them in the budget (avail_kb as for td_cpubudget_fit); max when
 * even that does not fit.
 */
unsigned td_cpubudget_halvings(uint64_t want, unsigned max, unsigned ncpus, uint64_t avail_kb);

/* This machine's available memory (MemAvailable) in KiB, 0 when unknown. */
uint64_t td_mem_available_kb(void);

#define TD_TRACEBUF_MIN_KB	128	/* a CPU's trace buffer never smaller */

/* A per-CPU trace buffer of want_kb KiB, or less, for this machine's online CPUs. */
unsigned td_tracebuf_kb(unsigned want_kb);

#endif
