/* A small streaming JSON writer: valid UTF-8 out, control bytes escaped. */
#ifndef TD_JSON_H
#define TD_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TD_JSON_MAX_DEPTH	32

struct td_json {
	FILE	*f;
	int	 depth;
	bool	 pretty;
	bool	 first[TD_JSON_MAX_DEPTH];
	int	 err;		/* sticky: -EINVAL on misuse */
};

/* pretty: indent by two spaces and end the document with a newline; else one line. */
void td_json_init(struct td_json *j, FILE *f, bool pretty);
/* key is the member name inside an object, NULL inside an array or at the top. */
void td_json_obj_begin(struct td_json *j, const char *key);
void td_json_obj_end(struct td_json *j);
void td_json_arr_begin(struct td_json *j, const char *key);
void td_json_arr_end(struct td_json *j);
void td_json_str(struct td_json *j, const char *key, const char *s);	/* NULL -> null */
void td_json_strn(struct td_json *j, const char *key, const char *s, size_t len);
void td_json_int(struct td_json *j, const char *key, int64_t v);
void td_json_uint(struct td_json *j, const char *key, uint64_t v);
void td_json_double(struct td_json *j, const char *key, double v, int decimals);
void td_json_bool(struct td_json *j, const char *key, bool v);
void td_json_null(struct td_json *j, const char *key);
/* Close the document; returns 0, or -EIO when writing failed, -EINVAL on misuse. */
int td_json_finish(struct td_json *j);
/* Write s as a JSON string literal (quotes included). */
void td_json_write_string(FILE *f, const char *s, size_t len);

#endif
