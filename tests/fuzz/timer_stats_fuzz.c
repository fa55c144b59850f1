/* libFuzzer target: parse /proc/timer_stats, turn it into a sample, write it back and re-parse. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sampler.h"
#include "timer_stats.h"

const char *const td_fuzz_seeds[] = {
	"public/timer_stats/*",
	"fixtures/timer_stats/*.txt",
	NULL
};

static volatile size_t sink;

/* Parse, convert, write in the classic format, and parse that again. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_timer_stats *ts, *again;
	struct td_sample *p;
	struct td_error e;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	if (td_timer_stats_parse((const char *)data, size, "fuzz", &ts, &e) < 0)
		return 0;
	for (size_t i = 0; i < ts->n; i++)
		sink += strlen(ts->entries[i].comm) + strlen(ts->entries[i].start) +
		    strlen(ts->entries[i].expire);
	if (td_timer_stats_to_sample(ts, &p, &e) == 0) {
		if ((f = open_memstream(&out, &outlen)) != NULL) {
			td_timer_stats_write(f, p);
			fclose(f);
			/* What we write, we must read back. */
			if (td_timer_stats_parse(out, outlen, "written", &again, &e) < 0)
				abort();
			td_timer_stats_free(again);
			free(out);
		}
		td_sample_free(p);
	}
	td_timer_stats_free(ts);
	return 0;
}
