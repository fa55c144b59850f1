/* cpuidle state usage per CPU (cpuidle.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpuidle.h"
#include "source.h"

/* The usage counter of one state, or -ENOENT when the state does not exist. */
static int
state_usage(const char *sysroot, int cpu, int state, uint64_t *out)
{
	char abs[96], line[64], *end;

	snprintf(abs, sizeof(abs), "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/usage", cpu,
	    state);
	if (td_read_line_root(sysroot, abs, line, sizeof(line), NULL) < 0)
		return -ENOENT;
	errno = 0;
	*out = strtoull(line, &end, 10);
	if (end == line || *end != '\0' || errno != 0)
		return -EINVAL;
	return 0;
}

/* Read every CPU's summed usage. */
int
td_cpuidle_read(const char *sysroot, int ncpus, struct td_cpuidle *out, struct td_error *e)
{
	int found = 0;

	out->ncpus = ncpus;
	if (ncpus < 1 || (out->usage = calloc((size_t)ncpus, sizeof(uint64_t))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	for (int c = 0; c < ncpus; c++) {
		uint64_t sum = 0, u;
		int k;

		for (k = 0; k < 64 && state_usage(sysroot, c, k, &u) == 0; k++)
			sum += u;
		out->usage[c] = k > 0 ? sum : UINT64_MAX;
		found += k > 0;
	}
	if (found == 0) {
		td_cpuidle_free(out);
		return td_error_set(e, ENOENT, "/sys/devices/system/cpu/cpu0/cpuidle", 0,
		    "no cpuidle states");
	}
	return 0;
}

/* Free what td_cpuidle_read allocated. */
void
td_cpuidle_free(struct td_cpuidle *c)
{
	free(c->usage);
	c->usage = NULL;
	c->ncpus = 0;
}
