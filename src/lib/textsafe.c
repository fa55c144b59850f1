/* Text from outside made safe to print: control bytes and invalid UTF-8 escaped. */
#include <stdint.h>
#include <string.h>

#include "test_hooks.h"
#include "textsafe.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
size_t
td_utf8_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * The next piece of s: its length in bytes, and whether it prints as it is
 * (false: every byte of it is escaped).  A C1 control is valid UTF-8 but a
 * terminal may act on it.
 */
static size_t
piece(const char *s, size_t n, bool *keep)
{
	unsigned char c = (unsigned char)s[0];
	size_t l;

	if (c < 0x20 || c == 0x7f) {
		*keep = false;
		return 1;
	}
	l = td_utf8_len(s, n);
	if (l == 0) {
		*keep = false;
		return 1;
	}
	*keep = !(l == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0);
	return l;
}

/* Escape n bytes at s into out, cut (with "...") at a piece boundary when it is too small. */
size_t
td_text_escape(char *out, size_t outlen, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i, l, need = 0;
	bool keep;

	if (outlen == 0)
		return 0;
	for (i = 0; i < n && need < outlen; i += l) {
		l = piece(s + i, n - i, &keep);
		need += keep ? l : 4 * l;
	}
	for (i = 0; i < n; i += l) {
		l = piece(s + i, n - i, &keep);
		/* What does not fit whole is cut with room for "...". */
		if (need >= outlen && o + (keep ? l : 4 * l) + 3 >= outlen) {
			if (o + 3 < outlen) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (keep) {
			memcpy(out + o, s + i, l);
			o += l;
		} else
			for (size_t k = 0; k < l; k++) {
				unsigned char c = (unsigned char)s[i + k];

				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[c >> 4];
				out[o++] = hex[c & 15];
			}
	}
	out[o] = '\0';
	return o;
}

/* Escape the string s into buf. */
const char *
td_text_safe(char *buf, size_t len, const char *s)
{
	if (len == 0)
		return "";
	if (s == NULL)
		s = "";
	td_text_escape(buf, len, s, strlen(s));
	return buf;
}

/*
 * Write n bytes at s to f, escaped as \xNN; for a Prometheus label value
 * (prom) also \\, \" and \n, and the backslash of \xNN doubled so that the
 * value holds the same "\xNN" text a terminal shows.
 */
static void
write_escaped(FILE *f, const char *s, size_t n, bool prom)
{
	size_t i = 0, l;
	bool keep;

	while (i < n) {
		l = piece(s + i, n - i, &keep);
		if (prom && (s[i] == '\\' || s[i] == '"'))
			fprintf(f, "\\%c", s[i]);
		else if (prom && s[i] == '\n')
			fputs("\\n", f);
		else if (keep)
			fwrite(s + i, 1, l, f);
		else
			for (size_t k = 0; k < l; k++)
				fprintf(f, "%s%02x", prom ? "\\\\x" : "\\x",
				    (unsigned char)s[i + k]);
		i += l;
	}
}

/* Write n bytes at s to f, escaped. */
void
td_text_write(FILE *f, const char *s, size_t n)
{
	write_escaped(f, s, n, false);
}

/* Write the string s to f, escaped. */
void
td_text_puts(FILE *f, const char *s)
{
	if (s != NULL)
		td_text_write(f, s, strlen(s));
}

/* Write s as a Prometheus label value. */
void
td_prom_label(FILE *f, const char *s)
{
	if (s != NULL)
		write_escaped(f, s, strlen(s), true);
}

/* Whether n bytes at s are valid UTF-8 without control bytes (newline and tab with lines). */
bool
td_text_is_clean(const char *s, size_t n, bool lines)
{
	size_t i = 0, l;
	bool keep;

	while (i < n) {
		l = piece(s + i, n - i, &keep);
		if (!keep && !(lines && (s[i] == '\n' || s[i] == '\t')))
			return false;
		i += l;
	}
	return true;
}
