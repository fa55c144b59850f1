/* Errors the library hands back to the tools. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include "error.h"
#include "textsafe.h"

/* Record an error and return its negative errno. */
int
td_error_set(struct td_error *e, int code, const char *path, long line,
    const char *fmt, ...)
{
	char raw[sizeof(e->msg)];
	va_list ap;

	if (code <= 0)
		code = EINVAL;
	if (e == NULL)
		return -code;
	e->code = code;
	e->line = line;
	/* Messages quote file contents: whoever prints them gets safe text. */
	td_text_safe(e->path, sizeof(e->path), path);
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	td_text_safe(e->msg, sizeof(e->msg), raw);
	return -code;
}

/* Forget any recorded error. */
void
td_error_clear(struct td_error *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

/* Format an error as "path:line: message". */
const char *
td_error_str(const struct td_error *e, char *buf, size_t len)
{
	if (e->path[0] != '\0' && e->line > 0)
		snprintf(buf, len, "%s:%ld: %s", e->path, e->line, e->msg);
	else if (e->path[0] != '\0')
		snprintf(buf, len, "%s: %s", e->path, e->msg);
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}
