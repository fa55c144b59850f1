/* Errors the library hands back to the tools: errno, file, line, message. */
#ifndef TD_ERROR_H
#define TD_ERROR_H

#include <stddef.h>

struct td_error {
	int	code;		/* positive errno value, 0 when no error */
	char	path[256];	/* file the error is about, "" if none */
	long	line;		/* 1-based line in that file, 0 if none */
	char	msg[256];	/* one line, no trailing newline */
};

/* Fill e (if not NULL) and return -code, so callers can "return td_error_set(...)". */
int td_error_set(struct td_error *e, int code, const char *path, long line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void td_error_clear(struct td_error *e);
/* Format as "path:line: msg" (parts left out when empty) into buf. */
const char *td_error_str(const struct td_error *e, char *buf, size_t len);

#endif
