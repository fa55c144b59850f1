/*
 * --samples FILE: every wake-up's latency, in the order they were measured,
 * for plotting or for pooling runs (cyclictest -v gives the same).  One line
 * per sample: the CPU of the measuring thread ("-" when it was not pinned),
 * the sample's number on that thread from 0, and the latency in ns (with
 * --interval-meter: the clock's delta minus the expired intervals, per read).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "probe.h"

/* Write the samples of the nw threads to path: 0 or -errno. */
int
probe_samples_write(const char *path, const struct probe_worker *w, size_t nw)
{
	FILE *f = fopen(path, "we");
	int err = 0;

	if (f == NULL)
		return -errno;
	for (size_t i = 0; i < nw; i++) {
		char cpu[16];

		if (w[i].cpu >= 0)
			snprintf(cpu, sizeof(cpu), "%d", w[i].cpu);
		else
			snprintf(cpu, sizeof(cpu), "-");
		for (size_t k = 0; k < w[i].res.lat.n; k++)
			if (fprintf(f, "%s %zu %" PRId64 "\n", cpu, k, w[i].res.lat.v[k]) < 0) {
				err = errno != 0 ? errno : EIO;
				break;
			}
	}
	if (fclose(f) != 0 && err == 0)
		err = errno;
	return -err;
}
