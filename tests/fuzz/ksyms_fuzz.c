/* Fuzz target: kallsyms text through the compact table and the one-pass scan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ksyms.h"

const char *const td_fuzz_seeds[] = { "fixtures/ksyms/*", NULL };

/* Order addresses. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Load the input, name addresses taken from its bytes both ways. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t addr[8];
	char *names[8];
	struct td_ksyms *k = NULL;
	FILE *f;

	if (size == 0)
		return 0;
	for (size_t i = 0; i < 8; i++) {
		addr[i] = 0xffffffff81000000ULL;
		if (size >= 8 * (i + 1))
			memcpy(&addr[i], data + 8 * i, 8);
		addr[i] ^= (uint64_t)i << 12;
	}
	if ((f = fmemopen((void *)(uintptr_t)data, size, "r")) != NULL) {
		static const char *const pre[] = { "a", "hrtimer_", "_", NULL };

		if (td_ksyms_load(f, pre, &k, NULL) == 0) {
			for (size_t i = 0; i < 8; i++) {
				const char *n = td_ksyms_name(k, addr[i]);

				if (n != NULL && strlen(n) > 511)
					abort();
			}
			{
				struct td_ksym_span sp[16];
				int n = td_ksyms_spans(k, pre, sp, 16);

				for (int i = 0; i < n; i++)
					if (sp[i].end <= sp[i].start)
						abort();
			}
			td_ksyms_free(k);
		}
		fclose(f);
	}
	if ((f = fmemopen((void *)(uintptr_t)data, size, "r")) != NULL) {
		static const char *const want[] = { "tick_nohz_handler", "a", "" };
		uint64_t found[3];

		(void)td_ksyms_resolve(f, NULL, 0, NULL, want, 3, found, NULL);
		fclose(f);
	}
	qsort(addr, 8, sizeof(addr[0]), cmp_u64);
	if ((f = fmemopen((void *)(uintptr_t)data, size, "r")) != NULL) {
		if (td_ksyms_resolve(f, addr, 8, names, NULL, 0, NULL, NULL) >= 0)
			for (size_t i = 0; i < 8; i++)
				free(names[i]);
		fclose(f);
	}
	/* Both at once: names for the addresses and addresses for the names. */
	if ((f = fmemopen((void *)(uintptr_t)data, size, "r")) != NULL) {
		static const char *const want[] = { "tick_nohz_handler", "tick_sched_timer" };
		uint64_t found[2];

		if (td_ksyms_resolve(f, addr, 8, names, want, 2, found, NULL) >= 0)
			for (size_t i = 0; i < 8; i++)
				free(names[i]);
		fclose(f);
	}
	return 0;
}
