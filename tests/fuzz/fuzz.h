/*
 * Each fuzz target defines LLVMFuzzerTestOneInput() and td_fuzz_seeds[]: globs,
 * relative to the corpus directory ($TD_CORPUS) or, when they start with
 * "fixtures/", to tests/.  replay.c runs the seeds (and mangled copies) through
 * the target in `make check`; tests/fuzz/run.sh hands them to libFuzzer.
 */
#ifndef TD_FUZZ_H
#define TD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char *const td_fuzz_seeds[];

/* Length of a string a parser handed back, 0 for NULL (reading it all for ASan). */
static inline size_t
fuzz_slen(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

#endif
