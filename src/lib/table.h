/*
 * The column table: each column of a view is described once (name, header,
 * width hint, alignment, JSON type, getter) and the same description renders
 * rows as aligned text, as JSON, and (in wakeuptop) as curses lines.
 */
#ifndef TD_TABLE_H
#define TD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "json.h"

enum td_align {
	TD_ALIGN_LEFT,
	TD_ALIGN_RIGHT,
};

enum td_jtype {
	TD_JT_STRING,
	TD_JT_INT,		/* int64_t */
	TD_JT_UINT,		/* uint64_t */
	TD_JT_DOUBLE,		/* double, printed with column's decimals */
	TD_JT_BOOL,
};

/*
 * One cell as a getter hands it back.  known == false means the kernel did not
 * say (absent, never zero): text shows "-", JSON leaves the member out.
 * A string cell may point into the row (rows outlive rendering) or into buf.
 */
struct td_cell {
	bool		 known;
	enum td_jtype	 type;
	const char	*s;
	int64_t		 i;
	uint64_t	 u;
	double		 d;
	bool		 b;
	char		 buf[64];	/* scratch for getters that build a string */
};

struct td_column {
	const char	*name;		/* -o name and JSON key (snake_case) */
	const char	*header;	/* text header */
	int		 width;		/* width hint in columns (minimum width in text) */
	enum td_align	 align;
	enum td_jtype	 jtype;
	int		 decimals;	/* TD_JT_DOUBLE: digits after the point */
	const char	*unit;		/* text suffix such as "/s", or NULL */
	bool		 deflt;		/* shown when no -o is given */
	const char	*help;		/* one line for --help / --list-columns */
	/* Fill c from row; leave c->known false when the value is unknown. */
	void		(*get)(const void *row, struct td_cell *c);
	const char	*json;		/* JSON key when it differs from name (rates: *_per_s) */
	const char	*why;		/* why a cell can be unknown, for JSON's "unknown" */
};

/* Flags for td_table_render_text(). */
#define TD_TABLE_NOHEADINGS	0x1	/* no header line */
#define TD_TABLE_RAW		0x2	/* single-space separated, no padding, no units,
					   util-linux escapes (a space is \x20) */
#define TD_TABLE_PAIRS		0x4	/* NAME="value" pairs, util-linux escapes */
#define TD_TABLE_COLOR		0x8	/* the header line in bold (ANSI) */

struct td_table;

/* Create a table over a static column array; all default columns selected. */
int td_table_new(struct td_table **out, const struct td_column *cols, size_t ncols,
    struct td_error *e);
void td_table_free(struct td_table *t);
/*
 * Select the columns to show from a comma-separated list of names ("count,rate,comm");
 * a list starting with '+' appends to the defaults.  -EINVAL naming the bad column in e.
 */
int td_table_select(struct td_table *t, const char *list, struct td_error *e);
/* Number of selected columns and the i-th selected column. */
size_t td_table_nselected(const struct td_table *t);
const struct td_column *td_table_selected(const struct td_table *t, size_t i);
/* Look up a column by name among all columns; NULL if none. */
const struct td_column *td_table_find(const struct td_table *t, const char *name);
/* All columns (for --list-columns and help). */
size_t td_table_ncolumns(const struct td_table *t);
const struct td_column *td_table_column(const struct td_table *t, size_t i);

/* Get the cell of column col for row. */
void td_table_cell(const struct td_column *col, const void *row, struct td_cell *c);
/* Format a cell as text ("-" when unknown); units appended unless raw. Returns buf. */
const char *td_table_format_cell(const struct td_column *col, const struct td_cell *c,
    bool raw, char *buf, size_t len);
/* Sort rows (an array of row pointers) by column name; desc for largest first. -EINVAL if unknown name. */
int td_table_sort(const struct td_table *t, const char *name, bool desc, const void **rows,
    size_t n, struct td_error *e);

/*
 * Compute the text widths of the selected columns over rows (header, hints and
 * contents); td_table_header_line()/td_table_row_line() then use them.  A caller
 * with a fixed screen (curses) may skip this and get the width hints.
 */
void td_table_measure(struct td_table *t, const void *const *rows, size_t n);
/* The header line of the selected columns into buf (no newline). Returns buf. */
const char *td_table_header_line(const struct td_table *t, char *buf, size_t len);
/* One row as an aligned text line into buf (no newline). Returns buf. */
const char *td_table_row_line(const struct td_table *t, const void *row, char *buf, size_t len);
/* One line per column: name, width hint, description (for --list-columns). -EIO on write error. */
int td_table_list_columns(const struct td_column *cols, size_t ncols, FILE *f);
/* Measure, then print header (unless NOHEADINGS) and rows to f. -EIO on write error. */
int td_table_render_text(struct td_table *t, FILE *f, const void *const *rows, size_t n,
    unsigned flags);
/* Members a view adds to a row's JSON object after its columns (what no column holds). */
typedef void td_table_json_extra(struct td_json *j, const void *row);
/*
 * Emit rows as a JSON array named key (NULL inside an array) of objects: every
 * column when all is true, else the selected ones; then extra's members (NULL:
 * none).
 */
void td_table_render_json(const struct td_table *t, struct td_json *j, const char *key,
    const void *const *rows, size_t n, bool all, td_table_json_extra *extra);
/* Emit one cell as a JSON member named after the column; nothing when unknown. */
void td_table_cell_json(struct td_json *j, const struct td_column *col, const struct td_cell *c);
/* Emit one row as a JSON object (all columns when all is true, else the selected ones). */
void td_table_row_json(const struct td_table *t, struct td_json *j, const char *key,
    const void *row, bool all);

#endif
