/*
 * A tiny JSON reader for the tests (truth.json files): parses a whole document
 * into a tree of nodes.  Strings keep \uXXXX escapes below 0x80 only; that is
 * all truth.json needs.  Not for the library.
 */
#ifndef TD_MINIJSON_H
#define TD_MINIJSON_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mj_type { MJ_NULL, MJ_BOOL, MJ_NUM, MJ_STR, MJ_ARR, MJ_OBJ };

struct mj {
	enum mj_type	 type;
	bool		 b;
	double		 num;
	char		*str;		/* MJ_STR value, or the key of an object member */
	char		*key;
	struct mj	*kids;		/* MJ_ARR / MJ_OBJ members */
	size_t		 nkids;
};

static const char *mj_value(const char *p, struct mj *out);

/* Skip white space. */
static inline const char *
mj_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Parse a string literal at p (which points at the quote) into a new buffer. */
static inline const char *
mj_string(const char *p, char **out)
{
	size_t n = 0;
	char *s = malloc(strlen(p) + 1);

	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\') {
			p++;
			switch (*p) {
			case 'n': s[n++] = '\n'; break;
			case 't': s[n++] = '\t'; break;
			case 'u': s[n++] = (char)strtol((char[5]){ p[1], p[2], p[3], p[4], 0 }, NULL, 16); p += 4; break;
			case '\0': free(s); return NULL;
			default: s[n++] = *p; break;
			}
		} else
			s[n++] = *p;
	}
	if (*p != '"') {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	*out = s;
	return p + 1;
}

/* Parse an array or object body. */
static inline const char *
mj_list(const char *p, struct mj *out, char close)
{
	p = mj_ws(p + 1);
	while (p != NULL && *p != close) {
		struct mj kid;
		char *key = NULL;

		memset(&kid, 0, sizeof(kid));
		if (close == '}') {
			if (*p != '"' || (p = mj_string(p, &key)) == NULL)
				return NULL;
			p = mj_ws(p);
			if (*p != ':') {
				free(key);
				return NULL;
			}
			p = mj_ws(p + 1);
		}
		p = mj_value(p, &kid);
		if (p == NULL) {
			free(key);
			return NULL;
		}
		kid.key = key;
		out->kids = realloc(out->kids, (out->nkids + 1) * sizeof(*out->kids));
		out->kids[out->nkids++] = kid;
		p = mj_ws(p);
		if (*p == ',')
			p = mj_ws(p + 1);
		else if (*p != close)
			return NULL;
	}
	return p ? p + 1 : NULL;
}

/* Parse one value. */
static const char *
mj_value(const char *p, struct mj *out)
{
	char *end;

	p = mj_ws(p);
	if (*p == '{') {
		out->type = MJ_OBJ;
		return mj_list(p, out, '}');
	}
	if (*p == '[') {
		out->type = MJ_ARR;
		return mj_list(p, out, ']');
	}
	if (*p == '"') {
		out->type = MJ_STR;
		return mj_string(p, &out->str);
	}
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
		out->type = MJ_BOOL;
		out->b = *p == 't';
		return p + (out->b ? 4 : 5);
	}
	if (strncmp(p, "null", 4) == 0) {
		out->type = MJ_NULL;
		return p + 4;
	}
	out->type = MJ_NUM;
	out->num = strtod(p, &end);
	return end == p ? NULL : end;
}

/* Free the members of a node (not the node itself). */
static inline void
mj_free(struct mj *j)
{
	for (size_t i = 0; i < j->nkids; i++)
		mj_free(&j->kids[i]);
	free(j->kids);
	free(j->str);
	free(j->key);
	memset(j, 0, sizeof(*j));
}

/* Parse a NUL-terminated document; false on a syntax error. */
static inline bool
mj_parse(const char *text, struct mj *out)
{
	const char *p;

	memset(out, 0, sizeof(*out));
	p = mj_value(text, out);
	if (p == NULL || *mj_ws(p) != '\0') {
		mj_free(out);
		return false;
	}
	return true;
}

/* Member of an object by key, or NULL. */
static inline const struct mj *
mj_get(const struct mj *j, const char *key)
{
	for (size_t i = 0; j != NULL && j->type == MJ_OBJ && i < j->nkids; i++)
		if (strcmp(j->kids[i].key, key) == 0)
			return &j->kids[i];
	return NULL;
}

/* A count in truth.json's {"cpu": n} object, -1 when absent. */
static inline long
truth_cpu(const struct mj *t, const char *field, int cpu)
{
	char k[16];
	const struct mj *o = mj_get(t, field), *v;

	snprintf(k, sizeof(k), "%d", cpu);
	v = mj_get(o, k);
	return v != NULL && v->type == MJ_NUM ? (long)v->num : -1;
}

#endif
