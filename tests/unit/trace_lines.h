/* Helpers for the tests that count events in a trace text on their own. */
#ifndef TD_TRACE_LINES_H
#define TD_TRACE_LINES_H

#include <stdlib.h>
#include <string.h>

/* The value after "key=" in a line, as a string of at most len - 1 bytes ("" if none). */
static inline void
field(const char *line, const char *key, char *out, size_t len)
{
	const char *p = strstr(line, key);
	size_t n = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(key);
	while (p[n] != '\0' && p[n] != ' ' && p[n] != '\n' && n + 1 < len)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The CPU column "[000]" of a line, -1 if none. */
static inline int
line_cpu(const char *line)
{
	const char *p = strstr(line, "] ");

	while (p != NULL && p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return p != NULL && p > line && p[-1] == '[' ? atoi(p) : -1;
}

/* The comm of a line: the text before "-PID [". */
static inline void
line_comm(const char *line, char *out, size_t len)
{
	const char *b = strstr(line, " [");
	const char *s = line, *d;
	size_t n;

	out[0] = '\0';
	if (b == NULL)
		return;
	while (*s == ' ')
		s++;
	for (d = b; d > s && d[-1] != '-'; d--)
		;
	if (d <= s)
		return;
	n = (size_t)(d - 1 - s);
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

#endif
