/* Number parsing for kernel text: strict, bounded, no locale, no errno games. */
#ifndef TD_NUMPARSE_H
#define TD_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parse a decimal integer at *p (optional '-' for the signed form), stopping at
 * the first non-digit; *p is advanced past it.  Returns 0, or -ERANGE on
 * overflow, -EINVAL when no digit is there.
 */
int td_parse_u64(const char **p, const char *end, uint64_t *out);
int td_parse_i64(const char **p, const char *end, int64_t *out);
/* Hexadecimal digits (an optional 0x is skipped). */
int td_parse_hex(const char **p, const char *end, uint64_t *out);
/* Skip spaces and tabs. */
const char *td_skip_ws(const char *p, const char *end);
/* True when [p, end) starts with the NUL-terminated prefix. */
bool td_has_prefix(const char *p, const char *end, const char *prefix);

#endif
