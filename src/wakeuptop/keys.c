/* Keys: what each key does to the view. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "keys.h"

static const long long steps[] = {
	100000000LL, 250000000LL, 500000000LL, 1000000000LL, 2000000000LL, 3000000000LL,
	5000000000LL, 10000000000LL, 30000000000LL, 60000000000LL
};

/* The next step up or down from ns. */
long long
wt_interval_step(long long ns, int dir)
{
	size_t i, n = sizeof(steps) / sizeof(steps[0]);

	if (dir > 0) {
		for (i = 0; i < n; i++)
			if (steps[i] > ns)
				return steps[i];
		return steps[n - 1];
	}
	for (i = n; i-- > 0;)
		if (steps[i] < ns)
			return steps[i];
	return steps[0];
}

/*
 * The field chooser: the columns typed (a comma list of -o names, "+a,b" the
 * defaults and these, empty the defaults) replace the shown ones; the sort
 * stays on its column when still shown, else moves to the first.
 */
static void
choose_columns(struct wt_view *v)
{
	const struct td_column *sc = wt_view_sort_column(v);
	char sort[64] = "";
	struct td_error e;

	if (sc != NULL)
		strlcpy(sort, sc->name, sizeof(sort));
	td_error_clear(&e);
	if (td_table_select(v->table, v->input[0] != '\0' ? v->input : "+", &e) < 0) {
		snprintf(v->message, sizeof(v->message), "columns unchanged: %.120s", e.msg);
		return;
	}
	memset(v->colw, 0, sizeof(v->colw));
	if (sort[0] == '\0' || wt_view_sort_by(v, sort) < 0) {
		v->sort_col = 0;
		snprintf(v->message, sizeof(v->message), "sorted by %s now (%s is not shown)",
		    td_table_selected(v->table, 0)->name, sort);
	}
}

/* Apply what was typed at a prompt. */
static void
prompt_done(struct wt_view *v)
{
	const char *errstr;
	long long pid;

	switch (v->prompt) {
	case 'c':
		if (wt_view_set_cpus(v, v->input) < 0)
			snprintf(v->message, sizeof(v->message), "not a CPU list: %.100s", v->input);
		break;
	case 'p':
		if (v->input[0] == '\0') {
			v->pid = -1;
			break;
		}
		pid = strtonum(v->input, 0, INT_MAX, &errstr);
		if (errstr != NULL)
			snprintf(v->message, sizeof(v->message), "not a pid: %.100s", v->input);
		else
			v->pid = (int)pid;
		break;
	case '/':
		wt_view_set_name(v, v->input);
		break;
	case 'f':
		choose_columns(v);
		break;
	}
	v->prompt = 0;
	v->input[0] = '\0';
	(void)wt_view_rebuild(v);
}

/* Remove the last character (not byte) of the input. */
static void
input_backspace(char *s)
{
	size_t l = strlen(s);

	while (l > 0) {
		l--;
		if (((unsigned char)s[l] & 0xc0) != 0x80)
			break;
	}
	s[l] = '\0';
}

/* A key while a prompt is open. */
static enum wt_action
prompt_key(struct wt_view *v, wint_t ch, bool fn)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t n, l;

	if (fn) {
		if (ch == KEY_BACKSPACE)
			input_backspace(v->input);
		else if (ch == KEY_ENTER)
			prompt_done(v);
		return WT_ACT_REDRAW;
	}
	switch (ch) {
	case L'\n':
	case L'\r':
		prompt_done(v);
		return WT_ACT_REDRAW;
	case 27:	/* Escape */
	case 7:		/* ^G */
		v->prompt = 0;
		v->input[0] = '\0';
		return WT_ACT_REDRAW;
	case 8:
	case 127:
		input_backspace(v->input);
		return WT_ACT_REDRAW;
	case 21:	/* ^U */
		v->input[0] = '\0';
		return WT_ACT_REDRAW;
	}
	if (ch < 32)
		return WT_ACT_NONE;
	memset(&st, 0, sizeof(st));
	n = wcrtomb(mb, (wchar_t)ch, &st);
	if (n == (size_t)-1)
		return WT_ACT_NONE;
	l = strlen(v->input);
	if (l + n < sizeof(v->input)) {
		memcpy(v->input + l, mb, n);
		v->input[l + n] = '\0';
	}
	return WT_ACT_REDRAW;
}

/* Open a prompt, pre-filled with the current value. */
static enum wt_action
prompt_open(struct wt_view *v, int which)
{
	v->prompt = which;
	v->message[0] = '\0';
	if (which == 'c')
		strlcpy(v->input, v->cpus_text, sizeof(v->input));
	else if (which == 'p' && v->pid >= 0)
		snprintf(v->input, sizeof(v->input), "%d", v->pid);
	else if (which == '/')
		strlcpy(v->input, v->name, sizeof(v->input));
	else if (which == 'f') {
		v->input[0] = '\0';
		for (size_t i = 0; i < td_table_nselected(v->table); i++) {
			if (i > 0)
				strlcat(v->input, ",", sizeof(v->input));
			strlcat(v->input, td_table_selected(v->table, i)->name, sizeof(v->input));
		}
	} else
		v->input[0] = '\0';
	return WT_ACT_REDRAW;
}

/* Move the sort column by dir among the shown columns. */
static enum wt_action
sort_move(struct wt_view *v, int dir)
{
	size_t n = td_table_nselected(v->table);

	if (n == 0)
		return WT_ACT_NONE;
	v->sort_col = (v->sort_col + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
	v->sort_set = true;
	/* Numbers read best largest first, names alphabetically. */
	v->desc = td_table_selected(v->table, v->sort_col)->jtype != TD_JT_STRING;
	(void)wt_view_rebuild(v);
	snprintf(v->message, sizeof(v->message), "sorted by %s",
	    td_table_selected(v->table, v->sort_col)->name);
	return WT_ACT_REDRAW;
}

/* Flip a flag of the view and say what it is now. */
static enum wt_action
toggle(struct wt_view *v, bool *flag, const char *on, const char *off)
{
	*flag = !*flag;
	snprintf(v->message, sizeof(v->message), "%s", *flag ? on : off);
	return WT_ACT_REDRAW;
}

/* Feedback for a key that does nothing: the key as typed, or its code. */
static void
unknown_key(struct wt_view *v, wint_t ch)
{
	if (iswprint(ch))
		snprintf(v->message, sizeof(v->message), "unknown key '%lc': h for help",
		    (wint_t)ch);
	else if (ch < 32)
		snprintf(v->message, sizeof(v->message), "unknown key ^%c: h for help",
		    (char)(ch + 64));
	else
		snprintf(v->message, sizeof(v->message), "unknown key (code %u): h for help",
		    (unsigned)ch);
}

/* Apply one key. */
enum wt_action
wt_key(struct wt_view *v, wint_t ch, bool fn, int page)
{
	long long ns;

	if (v->prompt != 0)
		return prompt_key(v, ch, fn);
	v->message[0] = '\0';
	if (v->help) {
		/* Any key closes the help; q still quits. */
		v->help = false;
		if (!fn && (ch == L'q' || ch == L'Q'))
			return WT_ACT_QUIT;
		return WT_ACT_REDRAW;
	}
	if (page < 1)
		page = 1;
	if (fn) {
		switch (ch) {
		case KEY_UP:
			wt_view_move(v, -1);
			return WT_ACT_REDRAW;
		case KEY_DOWN:
			wt_view_move(v, 1);
			return WT_ACT_REDRAW;
		case KEY_PPAGE:
			wt_view_move(v, -page);
			return WT_ACT_REDRAW;
		case KEY_NPAGE:
			wt_view_move(v, page);
			return WT_ACT_REDRAW;
		case KEY_HOME:
			wt_view_move(v, -(long)v->nrows);
			return WT_ACT_REDRAW;
		case KEY_END:
			wt_view_move(v, (long)v->nrows);
			return WT_ACT_REDRAW;
		case KEY_ENTER:
			wt_view_toggle_expand(v);
			return WT_ACT_REDRAW;
		case KEY_LEFT:
			return sort_move(v, -1);
		case KEY_RIGHT:
			return sort_move(v, 1);
		case KEY_F(1):
			v->help = true;
			return WT_ACT_REDRAW;
		}
		snprintf(v->message, sizeof(v->message),
		    "unknown key (function key %u): h for help", (unsigned)ch);
		return WT_ACT_REDRAW;
	}
	switch (ch) {
	case L'q':
	case L'Q':
		return WT_ACT_QUIT;
	case L'h':
	case L'?':
		v->help = true;
		return WT_ACT_REDRAW;
	case L' ':
		return toggle(v, &v->paused, v->replay ?
		    "paused: the replay holds its place in the trace (space resumes)" :
		    "paused: the display is frozen, sampling goes on (space resumes)", "resumed");
	case L'<':
		return sort_move(v, -1);
	case L'>':
	case L's':
		return sort_move(v, 1);
	case L'r':
		v->desc = !v->desc;
		(void)wt_view_rebuild(v);
		return WT_ACT_REDRAW;
	case L'\n':
	case L'\r':
		wt_view_toggle_expand(v);
		return WT_ACT_REDRAW;
	case L'g':
		wt_view_next_group(v);
		snprintf(v->message, sizeof(v->message), "grouped by %s", td_group_name(v->group));
		return WT_ACT_REDRAW;
	case L't':
	case L'i':
	case L'a':
		v->show = ch == L't' ? WT_SHOW_TIMERS : ch == L'i' ? WT_SHOW_IRQS : WT_SHOW_ALL;
		(void)wt_view_rebuild(v);
		return WT_ACT_REDRAW;
	case L'v':
		return toggle(v, &v->tickview,
		    "tick view: why each CPU's tick keeps running (v: back to the sources)",
		    "sources view");
	case L'T':
		snprintf(v->message, sizeof(v->message), "tick state re-read from /proc/timer_list");
		return WT_ACT_TICKS;
	case L'c':
	case L'p':
	case L'/':
	case L'f':
		return prompt_open(v, (int)ch);
	case L'+':
	case L'=':
	case L'-':
		ns = wt_interval_step(v->interval_ns, ch == L'-' ? -1 : 1);
		if (ns == v->interval_ns) {
			snprintf(v->message, sizeof(v->message), "interval %.2g s is the %s",
			    (double)ns / 1e9, ch == L'-' ? "shortest" : "longest");
			return WT_ACT_REDRAW;
		}
		v->interval_ns = ns;
		snprintf(v->message, sizeof(v->message), "interval %.2g s", (double)ns / 1e9);
		return WT_ACT_INTERVAL;
	case L'k':
		wt_view_move(v, -1);
		return WT_ACT_REDRAW;
	case L'j':
		wt_view_move(v, 1);
		return WT_ACT_REDRAW;
	case 12:	/* ^L */
		return WT_ACT_REDRAW;
	}
	unknown_key(v, ch);
	return WT_ACT_REDRAW;
}
