/* A small streaming JSON writer. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json.h"
#include "lru.h"
#include "textsafe.h"

/*
 * The output goes through the writer's own buffer, written to the stream when
 * full, at td_json_flush and at the end: a row of 10,000 makes some thirty
 * small writes, each a stdio call otherwise.
 */
void
td_json_flush(struct td_json *j)
{
	if (j->nout > 0)
		fwrite_unlocked(j->out, 1, j->nout, j->f);
	j->nout = 0;
}

static void
put_n(struct td_json *j, const void *s, size_t n)
{
	if (n > sizeof(j->out) - j->nout) {
		td_json_flush(j);
		if (n > sizeof(j->out)) {
			fwrite_unlocked(s, 1, n, j->f);
			return;
		}
	}
	memcpy(j->out + j->nout, s, n);
	j->nout += n;
}

static void
put_c(struct td_json *j, char c)
{
	if (j->nout == sizeof(j->out))
		td_json_flush(j);
	j->out[j->nout++] = c;
}

static void
put_s(struct td_json *j, const char *s)
{
	put_n(j, s, strlen(s));
}

/* Write v in decimal, a minus sign first when neg: its digits counted, then put in place. */
static void
put_dec(struct td_json *j, uint64_t v, bool neg)
{
	size_t n = 1 + neg;
	char *o;

	for (uint64_t t = v; t >= 10; t /= 10)
		n++;
	if (sizeof(j->out) - j->nout < n)
		td_json_flush(j);
	o = j->out + j->nout + n;
	j->nout += n;
	do
		*--o = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (neg)
		*--o = '-';
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

	put_c(j, '\n');
	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		put_n(j, spaces, sizeof(spaces) - 1);
	put_n(j, spaces, n);
}

/* Whether byte c goes into a string literal as it is. */
static bool
plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * Write a string literal; control characters (C0, DEL and C1) are escaped,
 * invalid UTF-8 bytes become U+FFFD.
 */
static void
write_string(struct td_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[8];
	size_t i = 0;

	/* Plain text that fits (most names): one copy between the quotes. */
	while (i < n && plain(s[i]))
		i++;
	if (i == n && sizeof(j->out) - j->nout >= n + 2) {
		char *o = j->out + j->nout;

		*o++ = '"';
		memcpy(o, s, n);
		o[n] = '"';
		j->nout += n + 2;
		return;
	}
	i = 0;
	put_c(j, '"');
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		/* A run of printable ASCII that needs no escape: one write (10,000 rows). */
		for (l = 0; i + l < n && plain(s[i + l]); l++)
			;
		if (l > 0) {
			put_n(j, s + i, l);
			i += l;
			continue;
		}
		switch (c) {
		case '"':  put_s(j, "\\\""); i++; continue;
		case '\\': put_s(j, "\\\\"); i++; continue;
		case '\n': put_s(j, "\\n"); i++; continue;
		case '\r': put_s(j, "\\r"); i++; continue;
		case '\t': put_s(j, "\\t"); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put_s(j, esc);
			i++;
			continue;
		}
		l = td_utf8_len(str + i, n - i);
		if (l == 0) {
			put_s(j, "\\ufffd");
			i++;
			continue;
		}
		if (l == 2 && c == 0xc2 && s[i + 1] < 0xa0) {
			snprintf(esc, sizeof(esc), "\\u%04x", s[i + 1]);
			put_s(j, esc);
			i += 2;
			continue;
		}
		put_n(j, s + i, l);
		i += l;
	}
	put_c(j, '"');
}

/* The first of the two slots a fixed key may take, by its address. */
static size_t
fixed_slot(const char *key)
{
	return (size_t)(((uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ULL) >> 32) % TD_JSON_FIXED;
}

/* The slot holding key, or -1. */
static int
fixed_find(const struct td_json *j, const char *key)
{
	size_t s = fixed_slot(key);

	if (j->fixed[s].key == key)
		return (int)s;
	s = (s + 1) % TD_JSON_FIXED;
	return j->fixed[s].key == key ? (int)s : -1;
}

/* Keep key's member text (when it is short plain text) until td_json_keys_forget. */
void
td_json_key_fixed(struct td_json *j, const char *key)
{
	size_t s = fixed_slot(key), kl = strlen(key), n = 0;

	if (kl >= TD_JSON_MAX_KEY || fixed_find(j, key) >= 0)
		return;
	for (size_t i = 0; i < kl; i++)
		if (!plain((unsigned char)key[i]))
			return;
	/* The first slot, else the next one; else the key is written as any other. */
	if (j->fixed[s].key != NULL)
		s = (s + 1) % TD_JSON_FIXED;
	if (j->fixed[s].key != NULL)
		return;
	j->fixed[s].text[n++] = '"';
	memcpy(j->fixed[s].text + n, key, kl);
	n += kl;
	j->fixed[s].text[n++] = '"';
	j->fixed[s].text[n++] = ':';
	if (j->pretty)
		j->fixed[s].text[n++] = ' ';
	j->fixed[s].len = n;
	j->fixed[s].key = key;
}

/* Forget the fixed keys (their strings may change or go now). */
void
td_json_keys_forget(struct td_json *j)
{
	for (size_t i = 0; i < TD_JSON_FIXED; i++)
		j->fixed[i].key = NULL;
}

/*
 * Separator, indentation and key before a value: written straight into the
 * buffer when the key is short plain text and there is room (thirty times a
 * row of 10,000), a fixed key's text in one copy, else a piece at a time.
 */
static void
member(struct td_json *j, const char *key)
{
	/* A newline and the indentation of 32 levels (TD_JSON_MAX_DEPTH). */
	static const char nl_ind[] = "\n                                "
	    "                                ";
	size_t ind = j->pretty && j->depth > 0 ? 1 + 2 * (size_t)j->depth : 0;

	if (ind < sizeof(nl_ind) &&
	    sizeof(j->out) - j->nout >= 1 + sizeof(nl_ind) + TD_JSON_MAX_KEY + 4) {
		char *o = j->out + j->nout + !j->first[j->depth];
		int s = key != NULL ? fixed_find(j, key) : -1;

		/* Whole copies of known size, the lengths counted after. */
		memcpy(o, nl_ind, sizeof(nl_ind));
		o += ind;
		if (s >= 0) {
			memcpy(o, j->fixed[s].text, sizeof(j->fixed[s].text));
			o += j->fixed[s].len;
		} else if (key != NULL) {
			size_t kl = 0;

			/* Copied while it is short plain text; else written a piece at a time. */
			*o++ = '"';
			for (; key[kl] != '\0' && kl < TD_JSON_MAX_KEY; kl++) {
				if (!plain((unsigned char)key[kl]))
					break;
				o[kl] = key[kl];
			}
			if (key[kl] != '\0')
				goto slow;
			o += kl;
			*o++ = '"';
			*o++ = ':';
			if (j->pretty)
				*o++ = ' ';
		}
		if (!j->first[j->depth])
			j->out[j->nout] = ',';
		j->first[j->depth] = false;
		j->nout = (size_t)(o - j->out);
		return;
	}
slow:
	if (!j->first[j->depth])
		put_c(j, ',');
	j->first[j->depth] = false;
	if (j->depth > 0)
		indent(j);
	if (key != NULL) {
		write_string(j, key, strlen(key));
		put_s(j, j->pretty ? ": " : ":");
	}
}

static void
open_container(struct td_json *j, const char *key, char c)
{
	const char *k = key != NULL ? key : "";
	int d = j->depth + 1;
	size_t kl;

	member(j, key);
	put_c(j, c);
	if (d >= TD_JSON_MAX_DEPTH) {
		j->err = -EINVAL;
		return;
	}
	j->depth = d;
	j->first[d] = true;
	/* The path (key as kept: cut to its room) as the last one here: its stamp again. */
	if (j->stamp[d] != 0 && j->parent[d] == j->stamp[d - 1] && j->array[d] == (c == '[') &&
	    strncmp(j->key[d], k, sizeof(j->key[d]) - 1) == 0)
		return;
	j->array[d] = c == '[';
	kl = strnlen(k, sizeof(j->key[d]) - 1);	/* cut to its room, as strlcpy would */
	memcpy(j->key[d], k, kl);
	j->key[d][kl] = '\0';
	j->parent[d] = j->stamp[d - 1];
	j->stamp[d] = ++j->nstamps;
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
	put_c(j, c);
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
	write_string(j, s, len);
}

/* A signed integer member. */
void
td_json_int(struct td_json *j, const char *key, int64_t v)
{
	member(j, key);
	put_dec(j, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
}

/* An unsigned integer member. */
void
td_json_uint(struct td_json *j, const char *key, uint64_t v)
{
	member(j, key);
	put_dec(j, v, false);
}

/*
 * v with 0 to 9 decimals as printf's "%.*f" writes it, into buf (32 bytes),
 * for the common case: below 2^53 once scaled, and not so near a tie
 * between two last digits that the scaling's rounding could decide it
 * (printf rounds the exact value).  The length, or 0: use printf.
 */
static size_t
fixed(char *buf, double v, int decimals)
{
	static const double scale[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
	static const uint64_t iscale[] = { 1, 10, 100, 1000, 10000, 100000, 1000000,
	    10000000, 100000000, 1000000000 };
	char *p = buf + 32;
	double x, fl;
	uint64_t r, ip, fp;

	if (decimals < 0 || decimals > 9)
		return 0;
	x = fabs(v) * scale[decimals];	/* one rounding: within x * 2^-53 of the exact product */
	if (!(x < 9007199254740992.0))
		return 0;
	fl = floor(x);
	if (fabs(x - fl - 0.5) <= x * 4.5e-16)
		return 0;
	r = (uint64_t)fl + (x - fl > 0.5);
	ip = r / iscale[decimals];
	fp = r % iscale[decimals];
	for (int d = 0; d < decimals; d++, fp /= 10)
		*--p = (char)('0' + fp % 10);
	if (decimals > 0)
		*--p = '.';
	do
		*--p = (char)('0' + ip % 10);
	while ((ip /= 10) != 0);
	if (signbit(v))
		*--p = '-';
	memmove(buf, p, (size_t)(buf + 32 - p));
	return (size_t)(buf + 32 - p);
}

/* A number with a fixed count of decimals; NaN and infinities become null. */
void
td_json_double(struct td_json *j, const char *key, double v, int decimals)
{
	char buf[352];
	size_t n;
	int w;

	member(j, key);
	if (isnan(v) || isinf(v)) {
		put_s(j, "null");
		return;
	}
	if ((n = fixed(buf, v, decimals)) > 0) {
		put_n(j, buf, n);
		return;
	}
	w = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	if (w < 0 || (size_t)w >= sizeof(buf))
		put_s(j, "null");
	else
		put_n(j, buf, (size_t)w);
}

/* A boolean member. */
void
td_json_bool(struct td_json *j, const char *key, bool v)
{
	member(j, key);
	put_s(j, v ? "true" : "false");
}

/* A null member. */
void
td_json_null(struct td_json *j, const char *key)
{
	member(j, key);
	put_s(j, "null");
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

/*
 * The memo slot of member k in the open container: by where the key is (a
 * column's name is the same string every row; the content is compared).
 */
static size_t
memo_slot(const struct td_json *j, const char *k)
{
	return (size_t)(td_hash64((uint64_t)(uintptr_t)k + j->stamp[j->depth]) % TD_JSON_MEMO);
}

/* A null member whose reason goes into the document's "unknown" object. */
void
td_json_unknown(struct td_json *j, const char *key, const char *why)
{
	char path[TD_JSON_MAX_DEPTH * (TD_JSON_MAX_KEY + 1)];
	const char *k = key != NULL ? key : "";
	size_t m = memo_slot(j, k);

	td_json_null(j, key);
	if (why == NULL || why[0] == '\0')
		why = "not known";
	/* The same member of the next row, for the same reason: kept already. */
	if (j->memo[m].stamp == j->stamp[j->depth] && j->memo[m].stamp != 0 &&
	    strcmp(j->memo[m].key, k) == 0 && strcmp(j->memo[m].why, why) == 0)
		return;
	path_of(j, key, path, sizeof(path));
	keep_reason(j, path, why);
	if (j->err == 0 && strlen(k) < sizeof(j->memo[m].key) &&
	    strlen(why) < sizeof(j->memo[m].why) && j->stamp[j->depth] != 0) {
		j->memo[m].stamp = j->stamp[j->depth];
		strcpy(j->memo[m].key, k);
		strcpy(j->memo[m].why, why);
	}
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
	memset(j->memo, 0, sizeof(j->memo));
	if (j->depth != 0 && j->err == 0)
		j->err = -EINVAL;
	put_c(j, '\n');
	td_json_flush(j);
	if (fflush(j->f) != 0 || ferror(j->f))
		return -EIO;
	return j->err;
}
