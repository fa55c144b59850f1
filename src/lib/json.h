/* A small streaming JSON writer: valid UTF-8 out, control bytes escaped. */
#ifndef TD_JSON_H
#define TD_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TD_JSON_MAX_DEPTH	32

#define TD_JSON_MAX_KEY		48

/* A reason an unknown value is null, by the path of its member ("cpus[].tick_mode"). */
struct td_json_unknown {
	char	*path;
	char	*why;
};

#define TD_JSON_MEMO		32	/* unknowns whose reason is known kept */
#define TD_JSON_FIXED		128	/* fixed keys kept as their member text */
#define TD_JSON_MEMO_WHY	96	/* longest reason kept there */

struct td_json {
	FILE	*f;
	int	 depth;
	bool	 pretty;
	bool	 first[TD_JSON_MAX_DEPTH];
	bool	 array[TD_JSON_MAX_DEPTH];		/* the container at this depth */
	char	 key[TD_JSON_MAX_DEPTH][TD_JSON_MAX_KEY];	/* its member name */
	/*
	 * The path to the container at each depth as a number: equal numbers,
	 * equal paths (the rows of an array share one), so that an unknown
	 * whose path and reason were kept already is found without its path.
	 */
	uint32_t stamp[TD_JSON_MAX_DEPTH];
	uint32_t parent[TD_JSON_MAX_DEPTH];		/* the stamp it was made under */
	uint32_t nstamps;
	struct {
		uint32_t stamp;
		char	 key[TD_JSON_MAX_KEY];
		char	 why[TD_JSON_MEMO_WHY];
	}	 memo[TD_JSON_MEMO];
	/*
	 * Keys whose text stays put until td_json_keys_forget (a table's
	 * column names): found by address, written as they were quoted once.
	 */
	struct {
		const char *key;
		size_t	 len;
		char	 text[TD_JSON_MAX_KEY + 4];	/* "key": */
	}	 fixed[TD_JSON_FIXED];
	struct td_json_unknown *unknown;		/* reasons collected so far */
	size_t	 nunknown;
	int	 err;		/* sticky: -EINVAL on misuse, -ENOMEM */
	/*
	 * Output held back and written in big pieces: 10,000 rows, a million
	 * small writes otherwise; 64 KiB, one write(2) each (with 8 KiB stdio
	 * wrote 4 KiB at a time: 1,700 system calls for the 6.7 MB of an interval).
	 */
	size_t	 nout;
	char	 out[65536];
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
/*
 * An unknown value: a null member, its reason kept under the member's path
 * (array elements as "[]", so one reason covers every row) for td_json_unknowns.
 */
void td_json_unknown(struct td_json *j, const char *key, const char *why);
/*
 * Promise that the string at key does not change until td_json_keys_forget:
 * its members are then written without looking at its bytes again.
 */
void td_json_key_fixed(struct td_json *j, const char *key);
void td_json_keys_forget(struct td_json *j);
/* Write the "unknown" object (path -> reason) gathered so far; call it last at the top. */
void td_json_unknowns(struct td_json *j);
/*
 * Hand what was written so far to the stream (the writer holds some back);
 * before the caller writes to the stream itself or flushes it.
 */
void td_json_flush(struct td_json *j);
/* Close the document; returns 0, or -EIO when writing failed, -EINVAL on misuse. */
int td_json_finish(struct td_json *j);

#endif
