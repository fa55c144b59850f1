/* Kernel text symbols (/proc/kallsyms) for naming timer callbacks by address. */
#ifndef TD_KSYMS_H
#define TD_KSYMS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "error.h"

struct td_ksyms;

void td_ksyms_free(struct td_ksyms *k);
/* Number of symbols kept. */
size_t td_ksyms_count(const struct td_ksyms *k);
/*
 * Load the text symbols of a kallsyms text read from f into a compact table
 * (32-bit offsets, names compressed in blocks) for td_ksyms_name; the names
 * starting with one of mark (NULL-terminated; NULL: none) are kept for
 * td_ksyms_spans.
 */
int td_ksyms_load(FILE *f, const char *const *mark, struct td_ksyms **out, struct td_error *e);
/* The symbol containing addr in a loaded table, or NULL; valid until the next call. */
const char *td_ksyms_name(struct td_ksyms *k, uint64_t addr);
/* The address span of a symbol: [start, end). */
struct td_ksym_span {
	uint64_t	 start, end;
};
/*
 * The spans of the symbols marked at load whose names start with one of
 * prefixes (NULL-terminated), at most max, in address order; how many, or
 * -errno.
 */
int td_ksyms_spans(struct td_ksyms *k, const char *const *prefixes, struct td_ksym_span *out,
    size_t max);
/*
 * One sequential pass over a kallsyms text read from f, without keeping the
 * table, that names n addresses (sorted, ascending: names[i] is a malloc'd
 * copy of the symbol containing addr[i], or NULL) and finds the addresses of
 * nwant function names of one source file (found[i], 0 when absent; want may
 * be NULL when nwant is 0).  The pass stops among the kernel's own (sorted)
 * symbols once past the last address and 256 KiB past the first name found.
 * Returns the number of text symbols with a non-zero address seen (0 under
 * kptr_restrict), or -errno.
 */
int td_ksyms_resolve(FILE *f, const uint64_t *addr, size_t n, char **names,
    const char *const *want, size_t nwant, uint64_t *found, struct td_error *e);

#endif
