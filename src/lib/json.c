/* A small streaming JSON writer. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json.h"
#include "textsafe.h"

/*
 * A document is written by one thread: the stream's lock is not taken a
 * call (10,000 rows make a million small writes).
 */
static void
put_c(int c, FILE *f)
{
	putc_unlocked(c, f);
}

static void
put_n(const void *s, size_t n, FILE *f)
{
	fwrite_unlocked(s, 1, n, f);
}

static void
put_s(const char *s, FILE *f)
{
	fputs_unlocked(s, f);
}

/* Write v in decimal, a minus sign first when neg. */
static void
put_dec(FILE *f, uint64_t v, bool neg)
{
	char buf[24], *p = buf + sizeof(buf);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (neg)
		*--p = '-';
	put_n(p, (size_t)(buf + sizeof(buf) - p), f);
}

/* Start a document written to f. */
void
td_json_init(struct td_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
	j->first[0] = true;
}

static void
indent(struct td_json *j)
{
	if (!j->pretty)
		return;
	static const char spaces[] = "                                ";
	size_t n = 2 * (size_t)j->depth;

	put_c('\n', j->f);
	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		put_n(spaces, sizeof(spaces) - 1, j->f);
	put_n(spaces, n, j->f);
}

/*
 * Write a string literal; control characters (C0, DEL and C1) are escaped,
 * invalid UTF-8 bytes become U+FFFD.
 */
void
td_json_write_string(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	put_c('"', f);
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		/* A run of printable ASCII that needs no escape: one write (10,000 rows). */
		for (l = 0; i + l < n && s[i + l] >= 0x20 && s[i + l] < 0x7f &&
		    s[i + l] != '"' && s[i + l] != '\\'; l++)
			;
		if (l > 0) {
			put_n(s + i, l, f);
			i += l;
			continue;
		}
		switch (c) {
		case '"':  put_s("\\\"", f); i++; continue;
		case '\\': put_s("\\\\", f); i++; continue;
		case '\n': put_s("\\n", f); i++; continue;
		case '\r': put_s("\\r", f); i++; continue;
		case '\t': put_s("\\t", f); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		l = td_utf8_len(str + i, n - i);
		if (l == 0) {
			put_s("\\ufffd", f);
			i++;
			continue;
		}
		if (l == 2 && c == 0xc2 && s[i + 1] < 0xa0) {
			fprintf(f, "\\u%04x", s[i + 1]);
			i += 2;
			continue;
		}
		put_n(s + i, l, f);
		i += l;
	}
	put_c('"', f);
}

/* Separator, indentation and key before a value. */
static void
member(struct td_json *j, const char *key)
{
	if (!j->first[j->depth])
		put_c(',', j->f);
	j->first[j->depth] = false;
	if (j->depth > 0)
		indent(j);
	if (key != NULL) {
		td_json_write_string(j->f, key, strlen(key));
		put_s(j->pretty ? ": " : ":", j->f);
	}
}

static void
open_container(struct td_json *j, const char *key, char c)
{
	member(j, key);
	put_c(c, j->f);
	if (j->depth + 1 >= TD_JSON_MAX_DEPTH) {
		j->err = -EINVAL;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
	j->array[j->depth] = c == '[';
	strlcpy(j->key[j->depth], key != NULL ? key : "", sizeof(j->key[j->depth]));
}

static void
close_container(struct td_json *j, char c)
{
	bool empty;

	if (j->depth == 0) {
		j->err = -EINVAL;
		return;
	}
	empty = j->first[j->depth];
	j->depth--;
	if (!empty)
		indent(j);
	put_c(c, j->f);
}

/* Open an object. */
void td_json_obj_begin(struct td_json *j, const char *key) { open_container(j, key, '{'); }
/* Close an object. */
void td_json_obj_end(struct td_json *j) { close_container(j, '}'); }
/* Open an array. */
void td_json_arr_begin(struct td_json *j, const char *key) { open_container(j, key, '['); }
/* Close an array. */
void td_json_arr_end(struct td_json *j) { close_container(j, ']'); }

/* A string member, or null for NULL. */
void
td_json_str(struct td_json *j, const char *key, const char *s)
{
	if (s == NULL) {
		td_json_null(j, key);
		return;
	}
	td_json_strn(j, key, s, strlen(s));
}

/* A string member of known length (may hold any bytes). */
void
td_json_strn(struct td_json *j, const char *key, const char *s, size_t len)
{
	member(j, key);
	td_json_write_string(j->f, s, len);
}

/* A signed integer member. */
void
td_json_int(struct td_json *j, const char *key, int64_t v)
{
	member(j, key);
	put_dec(j->f, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
}

/* An unsigned integer member. */
void
td_json_uint(struct td_json *j, const char *key, uint64_t v)
{
	member(j, key);
	put_dec(j->f, v, false);
}

/* A number with a fixed count of decimals; NaN and infinities become null. */
void
td_json_double(struct td_json *j, const char *key, double v, int decimals)
{
	member(j, key);
	if (isnan(v) || isinf(v))
		put_s("null", j->f);
	else
		fprintf(j->f, "%.*f", decimals, v);
}

/* A boolean member. */
void
td_json_bool(struct td_json *j, const char *key, bool v)
{
	member(j, key);
	put_s(v ? "true" : "false", j->f);
}

/* A null member. */
void
td_json_null(struct td_json *j, const char *key)
{
	member(j, key);
	put_s("null", j->f);
}

/* Append s to the path in buf (n bytes so far, len in all); the new length. */
static size_t
path_add(char *buf, size_t n, size_t len, const char *s)
{
	size_t l = strlen(s);

	if (n + l >= len)
		l = n + 1 < len ? len - n - 1 : 0;
	memcpy(buf + n, s, l);
	buf[n + l] = '\0';
	return n + l;
}

/* The path of member key in the open container: "a.b[].key" ("[]" for an element). */
static void
path_of(const struct td_json *j, const char *key, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	/* Depth 1 is the document's own object: paths start at its members. */
	for (int d = 2; d <= j->depth + 1; d++) {
		const char *k = d <= j->depth ? j->key[d] : key != NULL ? key : "";

		if (j->array[d - 1]) {
			n = path_add(buf, n, len, "[]");
			continue;
		}
		if (n > 0)
			n = path_add(buf, n, len, ".");
		n = path_add(buf, n, len, k);
	}
}

/* Keep why under path; a second, different reason for the same path is added after "; ". */
static void
keep_reason(struct td_json *j, const char *path, const char *why)
{
	struct td_json_unknown *u;
	char *s;

	for (size_t i = 0; i < j->nunknown; i++) {
		u = &j->unknown[i];
		if (strcmp(u->path, path) != 0)
			continue;
		if (strcmp(u->why, why) == 0 || strstr(u->why, why) != NULL ||
		    strlen(u->why) > 1024)
			return;
		if ((s = malloc(strlen(u->why) + strlen(why) + 3)) == NULL) {
			j->err = -ENOMEM;
			return;
		}
		sprintf(s, "%s; %s", u->why, why);
		free(u->why);
		u->why = s;
		return;
	}
	if ((u = realloc(j->unknown, (j->nunknown + 1) * sizeof(*u))) == NULL) {
		j->err = -ENOMEM;
		return;
	}
	j->unknown = u;
	u = &j->unknown[j->nunknown];
	u->path = strdup(path);
	u->why = strdup(why);
	if (u->path == NULL || u->why == NULL) {
		free(u->path);
		free(u->why);
		j->err = -ENOMEM;
		return;
	}
	j->nunknown++;
}

/* A null member whose reason goes into the document's "unknown" object. */
void
td_json_unknown(struct td_json *j, const char *key, const char *why)
{
	char path[TD_JSON_MAX_DEPTH * (TD_JSON_MAX_KEY + 1)];

	td_json_null(j, key);
	path_of(j, key, path, sizeof(path));
	keep_reason(j, path, why != NULL && why[0] != '\0' ? why : "not known");
}

/* The "unknown" object: every reason kept, by path. */
void
td_json_unknowns(struct td_json *j)
{
	td_json_obj_begin(j, "unknown");
	for (size_t i = 0; i < j->nunknown; i++)
		td_json_str(j, j->unknown[i].path, j->unknown[i].why);
	td_json_obj_end(j);
}

/* Finish the document and report write errors. */
int
td_json_finish(struct td_json *j)
{
	for (size_t i = 0; i < j->nunknown; i++) {
		free(j->unknown[i].path);
		free(j->unknown[i].why);
	}
	free(j->unknown);
	j->unknown = NULL;
	j->nunknown = 0;
	if (j->depth != 0 && j->err == 0)
		j->err = -EINVAL;
	put_c('\n', j->f);
	if (fflush(j->f) != 0 || ferror(j->f))
		return -EIO;
	return j->err;
}
