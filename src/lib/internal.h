/* Cross-file helpers internal to libtimerdiag (not for the tools). */
#ifndef TD_INTERNAL_H
#define TD_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "numparse.h"

struct td_timer_list;

/*
 * For tests and the benchmark: td_timer_list_parse with or without its fast
 * paths, and both parsers in two parts from split bytes on (0: whatever the
 * size, where a "cpu: N" line lies past the middle; SIZE_MAX: never).  *parts
 * (if not NULL) says whether the input was parsed in two parts.
 */
int td_timer_list_parse_with(const char *buf, size_t len, const char *name, bool fast,
    size_t split, struct td_timer_list **out, struct td_error *e, bool *parts);
int td_timer_list_parse_file_with(FILE *f, const char *name, size_t split,
    struct td_timer_list **out, struct td_error *e, bool *parts);

#define TD_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif
