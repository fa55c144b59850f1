/*
 * cpuidle state usage (/sys/devices/system/cpu/cpuN/cpuidle/stateK/usage,
 * readable by anyone): how often each CPU entered an idle state.  Deltas of
 * the per-CPU sum count idle periods, so wakeups per CPU without tracing.
 */
#ifndef TD_CPUIDLE_H
#define TD_CPUIDLE_H

#include <stdint.h>

#include "error.h"

/* Usage summed over the idle states of each CPU; a CPU without cpuidle is UINT64_MAX. */
struct td_cpuidle {
	int		 ncpus;
	uint64_t	*usage;
};

/*
 * Read the usage of CPUs 0..ncpus-1 under sysroot.  -ENOENT (e filled with the
 * reason) when no CPU has cpuidle states (no cpuidle driver, or a captured
 * tree without them).
 */
int td_cpuidle_read(const char *sysroot, int ncpus, struct td_cpuidle *out, struct td_error *e);
void td_cpuidle_free(struct td_cpuidle *c);

#endif
