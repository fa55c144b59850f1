/* libFuzzer target: parse /proc/stat's CPU lines and look each CPU up. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "procstat.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*/proc/stat",
	"fixtures/sysroots/*/proc/stat",
	NULL
};

static volatile size_t sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_procstat *s = NULL;

	if (td_procstat_parse((const char *)data, size, "fuzz", &s, NULL) == 0) {
		for (size_t i = 0; i < s->ncpus; i++) {
			const struct td_procstat_cpu *c = td_procstat_cpu(s, s->cpus[i].cpu);

			/* Idle is a part of the total; a CPU is found where it was parsed. */
			if (c != &s->cpus[i] || c->idle > c->total)
				abort();
			sink += (size_t)c->total;
		}
	}
	td_procstat_free(s);
	return 0;
}
