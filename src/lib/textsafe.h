/*
 * Text that came from outside (comm, function, device, clocksource and IRQ
 * names, kernel log lines, file contents) made safe to print: control bytes
 * (C0, DEL, the C1 range U+0080..U+009F) and bytes that are not valid UTF-8
 * are written as "\xNN", one escape per byte; valid UTF-8 is kept as it is.
 * The result is valid UTF-8 without a control byte, whatever the input, and
 * escaping it again changes nothing.  A backslash is kept as it is.
 */
#ifndef TD_TEXTSAFE_H
#define TD_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Room for a name made safe with TD_SAFE(); longer results end in "...". */
#define TD_SAFE_LEN	1024

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if it is not one. */
size_t td_utf8_len(const char *s, size_t n);
/*
 * Escape n bytes at s into out (size outlen, NUL-terminated), never cutting an
 * escape or a character; a cut result ends in "...".  Returns the bytes written.
 */
size_t td_text_escape(char *out, size_t outlen, const char *s, size_t n);
/* Escape the string s into buf and return buf ("" for NULL). */
const char *td_text_safe(char *buf, size_t len, const char *s);
/* The string s made safe, in a buffer that lives until the end of the enclosing block. */
#define TD_SAFE(s)	td_text_safe((char[TD_SAFE_LEN]){ 0 }, TD_SAFE_LEN, (s))
/* Write n bytes at s to f escaped, however long. */
void td_text_write(FILE *f, const char *s, size_t n);
/* Write the string s to f escaped. */
void td_text_puts(FILE *f, const char *s);
/*
 * Write the string s as a Prometheus label value (without the quotes): "\",
 * '"' and newline escaped the exposition format's way, control bytes and
 * invalid UTF-8 as a literal "\xNN" text, so the value is always valid UTF-8.
 */
void td_prom_label(FILE *f, const char *s);

#endif
