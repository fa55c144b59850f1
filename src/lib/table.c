/* The column table: one description of the columns drives text and JSON. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"
#include "table.h"
#include "textsafe.h"

static int text_width(const char *s);

#define TD_TABLE_MAXSEL	64

struct td_table {
	const struct td_column	*cols;
	size_t			 ncols;
	size_t			 nsel;
	size_t			 sel[TD_TABLE_MAXSEL];
	int			 width[TD_TABLE_MAXSEL];
};

/* Select the default columns of t. */
static void
select_defaults(struct td_table *t)
{
	t->nsel = 0;
	for (size_t i = 0; i < t->ncols && t->nsel < TD_TABLE_MAXSEL; i++)
		if (t->cols[i].deflt)
			t->sel[t->nsel++] = i;
}

/* Reset the widths of the selected columns to their hints and headers. */
static void
reset_widths(struct td_table *t)
{
	for (size_t i = 0; i < t->nsel; i++) {
		const struct td_column *c = &t->cols[t->sel[i]];
		int w = text_width(c->header);

		t->width[i] = c->width > w ? c->width : w;
	}
}

/* Create a table over a static column array with the default columns selected. */
int
td_table_new(struct td_table **out, const struct td_column *cols, size_t ncols,
    struct td_error *e)
{
	struct td_table *t;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	t->cols = cols;
	t->ncols = ncols;
	select_defaults(t);
	reset_widths(t);
	*out = t;
	return 0;
}

/* Free a table; NULL is fine. */
void
td_table_free(struct td_table *t)
{
	free(t);
}

/* Find the index of a column by name, or -1. */
static int
find_index(const struct td_table *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strlen(t->cols[i].name) == len &&
		    strncmp(t->cols[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* Select columns from a comma-separated list; a leading '+' appends to the defaults. */
int
td_table_select(struct td_table *t, const char *list, struct td_error *e)
{
	size_t sel[TD_TABLE_MAXSEL], nsel = 0;
	const char *p = list;

	if (*p == '+') {
		select_defaults(t);
		memcpy(sel, t->sel, t->nsel * sizeof(sel[0]));
		nsel = t->nsel;
		p++;
	}
	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int idx;

		if (len == 0)
			return td_error_set(e, EINVAL, NULL, 0, "empty column name in '%s'", list);
		if ((idx = find_index(t, p, len)) < 0)
			return td_error_set(e, EINVAL, NULL, 0, "unknown column '%.*s'",
			    (int)len, p);
		if (nsel == TD_TABLE_MAXSEL)
			return td_error_set(e, EINVAL, NULL, 0, "too many columns");
		sel[nsel++] = (size_t)idx;
		p += len;
		if (*p == ',')
			p++;
	}
	if (nsel == 0)
		return td_error_set(e, EINVAL, NULL, 0, "no columns selected");
	memcpy(t->sel, sel, nsel * sizeof(sel[0]));
	t->nsel = nsel;
	reset_widths(t);
	return 0;
}

/* Number of selected columns. */
size_t
td_table_nselected(const struct td_table *t)
{
	return t->nsel;
}

/* The i-th selected column. */
const struct td_column *
td_table_selected(const struct td_table *t, size_t i)
{
	return i < t->nsel ? &t->cols[t->sel[i]] : NULL;
}

/* A column by name, or NULL. */
const struct td_column *
td_table_find(const struct td_table *t, const char *name)
{
	int idx = find_index(t, name, strlen(name));

	return idx < 0 ? NULL : &t->cols[idx];
}

/* Number of columns in all. */
size_t
td_table_ncolumns(const struct td_table *t)
{
	return t->ncols;
}

/* The i-th column of all. */
const struct td_column *
td_table_column(const struct td_table *t, size_t i)
{
	return i < t->ncols ? &t->cols[i] : NULL;
}

/* Get one cell through the column's getter. */
void
td_table_cell(const struct td_column *col, const void *row, struct td_cell *c)
{
	memset(c, 0, sizeof(*c));
	c->type = col->jtype;
	col->get(row, c);
}

/* Format a cell as text: "-" when unknown, unit appended unless raw. */
const char *
td_table_format_cell(const struct td_column *col, const struct td_cell *c, bool raw,
    char *buf, size_t len)
{
	const char *unit = (!raw && col->unit != NULL) ? col->unit : "";

	if (!c->known) {
		snprintf(buf, len, "-");
		return buf;
	}
	switch (col->jtype) {
	case TD_JT_STRING:
		/* Names come from outside: control bytes and invalid UTF-8 escaped. */
		td_text_safe(buf, len, c->s);
		break;
	case TD_JT_INT:
		snprintf(buf, len, "%" PRId64 "%s", c->i, unit);
		break;
	case TD_JT_UINT:
		snprintf(buf, len, "%" PRIu64 "%s", c->u, unit);
		break;
	case TD_JT_DOUBLE:
		snprintf(buf, len, "%.*f%s", col->decimals, c->d, unit);
		break;
	case TD_JT_BOOL:
		snprintf(buf, len, "%s", c->b ? "yes" : "no");
		break;
	}
	return buf;
}

/* Compare two cells of a column; unknown values sort after known ones. */
static int
cell_cmp(const struct td_column *col, const struct td_cell *ca, const struct td_cell *cb)
{
	if (!ca->known || !cb->known)
		return (int)cb->known - (int)ca->known;
	switch (col->jtype) {
	case TD_JT_STRING:
		return strcmp(ca->s ? ca->s : "", cb->s ? cb->s : "");
	case TD_JT_INT:
		return (ca->i > cb->i) - (ca->i < cb->i);
	case TD_JT_UINT:
		return (ca->u > cb->u) - (ca->u < cb->u);
	case TD_JT_DOUBLE:
		return (ca->d > cb->d) - (ca->d < cb->d);
	case TD_JT_BOOL:
		return (int)ca->b - (int)cb->b;
	}
	return 0;
}

/*
 * Sort rows by column name, stable with respect to the original order: each
 * row's cell read once (10,000 rows: not four getters a comparison), then a
 * merge sort of their places.
 */
int
td_table_sort(const struct td_table *t, const char *name, bool desc, const void **rows,
    size_t n, struct td_error *e)
{
	const struct td_column *col = td_table_find(t, name);
	struct td_cell *cell;
	const void **sorted;
	size_t *at, *tmp;

	if (col == NULL)
		return td_error_set(e, EINVAL, NULL, 0, "unknown sort column '%s'", name);
	/* Insertion sort on pointers would be quadratic; merge sort keeps it stable. */
	if (n < 2)
		return 0;
	cell = reallocarray(NULL, n, sizeof(*cell));
	at = reallocarray(NULL, n, sizeof(*at));
	tmp = reallocarray(NULL, n, sizeof(*tmp));
	if (cell == NULL || at == NULL || tmp == NULL) {
		free(cell);
		free(at);
		free(tmp);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		td_table_cell(col, rows[i], &cell[i]);
		at[i] = i;
	}
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi) {
				const struct td_cell *x = &cell[at[i]], *y = &cell[at[j]];
				int c = cell_cmp(col, x, y);

				/* Unknown stays last when descending too. */
				if (desc && x->known && y->known)
					c = -c;
				tmp[k++] = c <= 0 ? at[i++] : at[j++];
			}
			while (i < mid)
				tmp[k++] = at[i++];
			while (j < hi)
				tmp[k++] = at[j++];
		}
		memcpy(at, tmp, n * sizeof(*at));
	}
	free(cell);
	free(tmp);
	/* The rows in their new order. */
	if ((sorted = reallocarray(NULL, n, sizeof(*sorted))) == NULL) {
		free(at);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = rows[at[i]];
	memcpy(rows, sorted, n * sizeof(*rows));
	free(sorted);
	free(at);
	return 0;
}

/*
 * The columns text takes on a terminal: wcwidth in the program's locale; a
 * character the locale cannot decode (the C locale and UTF-8) counts one
 * column per UTF-8 character, not one per byte.
 */
static int
text_width(const char *s)
{
	size_t left = strlen(s), n;
	mbstate_t st;
	wchar_t wc;
	int w = 0, cw;

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		/* ASCII: a column a byte (a control byte counts one too), no mbrtowc. */
		if ((unsigned char)*s < 0x80) {
			w++;
			s++;
			left--;
			continue;
		}
		n = mbrtowc(&wc, s, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			w += ((unsigned char)*s & 0xc0) != 0x80;
			memset(&st, 0, sizeof(st));
			n = 1;
		} else {
			cw = wcwidth(wc);
			w += cw < 0 ? 1 : cw;
		}
		s += n;
		left -= n;
	}
	return w;
}

/* Grow the selected columns' widths to fit every row. */
void
td_table_measure(struct td_table *t, const void *const *rows, size_t n)
{
	char buf[512];
	struct td_cell c;

	reset_widths(t);
	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < t->nsel; i++) {
			const struct td_column *col = &t->cols[t->sel[i]];
			int w;

			td_table_cell(col, rows[r], &c);
			w = text_width(td_table_format_cell(col, &c, false, buf, sizeof(buf)));
			if (w > t->width[i])
				t->width[i] = w;
		}
}

/* Append one padded field to a line buffer, padded by display width. */
static void
put_field(char *buf, size_t len, size_t *pos, const char *s, int width, enum td_align al,
    bool last)
{
	int n, pad = width - text_width(s);

	if (*pos >= len)
		return;
	if (pad < 0 || (last && al == TD_ALIGN_LEFT))
		pad = 0;
	if (al == TD_ALIGN_LEFT)
		n = snprintf(buf + *pos, len - *pos, "%s%*s", s, pad, "");
	else
		n = snprintf(buf + *pos, len - *pos, "%*s%s", pad, "", s);
	if (n > 0)
		*pos += (size_t)n;
	if (*pos >= len)
		*pos = len - 1;
}

/* The header line of the selected columns. */
const char *
td_table_header_line(const struct td_table *t, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->nsel; i++) {
		const struct td_column *col = &t->cols[t->sel[i]];

		if (i > 0)
			put_field(buf, len, &pos, " ", 0, TD_ALIGN_LEFT, false);
		put_field(buf, len, &pos, col->header, t->width[i], col->align,
		    i + 1 == t->nsel);
	}
	return buf;
}

/* One row as an aligned text line. */
const char *
td_table_row_line(const struct td_table *t, const void *row, char *buf, size_t len)
{
	char cell[512];
	struct td_cell c;
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->nsel; i++) {
		const struct td_column *col = &t->cols[t->sel[i]];

		td_table_cell(col, row, &c);
		td_table_format_cell(col, &c, false, cell, sizeof(cell));
		if (i > 0)
			put_field(buf, len, &pos, " ", 0, TD_ALIGN_LEFT, false);
		put_field(buf, len, &pos, cell, t->width[i], col->align, i + 1 == t->nsel);
	}
	return buf;
}

/*
 * Write s escaped as util-linux does (lsblk -r and -P): bytes outside printable
 * ASCII and the backslash become \xHH; raw fields also escape blanks, pairs
 * the characters a shell expands inside double quotes (" $ `).  printf %b
 * gives the original bytes back.
 */
static void
put_escaped(FILE *f, const char *s, bool pairs)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch >= 0x7f || ch == '\\' ||
		    (pairs ? ch == '"' || ch == '$' || ch == '`' : ch == ' '))
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

/* One cell of a raw or pairs line: "-" when unknown, no units, escaped. */
static void
put_plain_cell(FILE *f, const struct td_column *col, const void *row, bool pairs)
{
	char buf[128];
	struct td_cell c;

	td_table_cell(col, row, &c);
	if (!c.known)
		fputs("-", f);
	else if (col->jtype != TD_JT_STRING)
		fputs(td_table_format_cell(col, &c, true, buf, sizeof(buf)), f);
	else if (!pairs && (c.s == NULL || c.s[0] == '\0'))
		fputs("\"\"", f);	/* a raw field is never empty: the fields stay countable */
	else
		put_escaped(f, c.s ? c.s : "", pairs);
}

/* Print the rows as raw fields or NAME="value" pairs. */
static void
render_plain(const struct td_table *t, FILE *f, const void *const *rows, size_t n,
    unsigned flags)
{
	bool pairs = flags & TD_TABLE_PAIRS;

	if (!pairs && !(flags & TD_TABLE_NOHEADINGS)) {
		for (size_t i = 0; i < t->nsel; i++)
			fprintf(f, "%s%s", i ? " " : "", t->cols[t->sel[i]].name);
		fputc('\n', f);
	}
	for (size_t r = 0; r < n; r++) {
		for (size_t i = 0; i < t->nsel; i++) {
			const struct td_column *col = &t->cols[t->sel[i]];

			if (i > 0)
				fputc(' ', f);
			if (pairs) {
				/* The name as a shell variable: upper case. */
				for (const char *q = col->name; *q != '\0'; q++)
					fputc(*q >= 'a' && *q <= 'z' ? *q - 'a' + 'A' : *q, f);
				fputs("=\"", f);
			}
			put_plain_cell(f, col, rows[r], pairs);
			if (pairs)
				fputc('"', f);
		}
		fputc('\n', f);
	}
}

/* Print the rows as aligned text, raw fields or pairs. */
int
td_table_render_text(struct td_table *t, FILE *f, const void *const *rows, size_t n,
    unsigned flags)
{
	char line[4096];

	if (flags & (TD_TABLE_RAW | TD_TABLE_PAIRS)) {
		render_plain(t, f, rows, n, flags);
		return ferror(f) ? -EIO : 0;
	}
	td_table_measure(t, rows, n);
	if (!(flags & TD_TABLE_NOHEADINGS))
		fprintf(f, "%s%s%s\n", flags & TD_TABLE_COLOR ? "\033[1m" : "",
		    td_table_header_line(t, line, sizeof(line)),
		    flags & TD_TABLE_COLOR ? "\033[0m" : "");
	for (size_t r = 0; r < n; r++)
		fprintf(f, "%s\n", td_table_row_line(t, rows[r], line, sizeof(line)));
	return ferror(f) ? -EIO : 0;
}

/* One line per column: name, width hint and description. */
int
td_table_list_columns(const struct td_column *cols, size_t ncols, FILE *f)
{
	int w = 0;

	for (size_t i = 0; i < ncols; i++)
		if ((int)strlen(cols[i].name) > w)
			w = (int)strlen(cols[i].name);
	for (size_t i = 0; i < ncols; i++)
		fprintf(f, "%-*s %3d  %s%s\n", w, cols[i].name, cols[i].width, cols[i].help,
		    cols[i].deflt ? "" : " (not shown by default)");
	return ferror(f) ? -EIO : 0;
}

/* Emit one cell as a JSON member; an unknown cell is null, its reason kept by the writer. */
void
td_table_cell_json(struct td_json *j, const struct td_column *col, const struct td_cell *c)
{
	const char *key = col->json != NULL ? col->json : col->name;

	if (!c->known) {
		td_json_unknown(j, key, col->why != NULL ? col->why : "not known for this row");
		return;
	}
	switch (col->jtype) {
	case TD_JT_STRING:
		td_json_str(j, key, c->s ? c->s : "");
		break;
	case TD_JT_INT:
		td_json_int(j, key, c->i);
		break;
	case TD_JT_UINT:
		td_json_uint(j, key, c->u);
		break;
	case TD_JT_DOUBLE:
		td_json_double(j, key, c->d, col->decimals);
		break;
	case TD_JT_BOOL:
		td_json_bool(j, key, c->b);
		break;
	}
}

/* Emit one row as a JSON object, then the members extra adds (NULL: none). */
static void
row_json(const struct td_table *t, struct td_json *j, const char *key, const void *row,
    bool all, td_table_json_extra *extra)
{
	struct td_cell c;
	size_t n = all ? t->ncols : t->nsel;

	td_json_obj_begin(j, key);
	for (size_t i = 0; i < n; i++) {
		const struct td_column *col = all ? &t->cols[i] : &t->cols[t->sel[i]];

		td_table_cell(col, row, &c);
		td_table_cell_json(j, col, &c);
	}
	if (extra != NULL)
		extra(j, row);
	td_json_obj_end(j);
}

/* Emit one row as a JSON object. */
void
td_table_row_json(const struct td_table *t, struct td_json *j, const char *key,
    const void *row, bool all)
{
	row_json(t, j, key, row, all, NULL);
}

/* Emit rows as a JSON array of objects. */
void
td_table_render_json(const struct td_table *t, struct td_json *j, const char *key,
    const void *const *rows, size_t n, bool all, td_table_json_extra *extra)
{
	/* The columns' names are the keys of every row: quoted once. */
	for (size_t i = 0; i < t->ncols; i++)
		td_json_key_fixed(j, t->cols[i].json != NULL ? t->cols[i].json : t->cols[i].name);
	td_json_arr_begin(j, key);
	for (size_t r = 0; r < n; r++)
		row_json(t, j, NULL, rows[r], all, extra);
	td_json_arr_end(j);
	td_json_keys_forget(j);
}
