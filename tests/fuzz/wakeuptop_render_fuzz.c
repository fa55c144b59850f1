/*
 * libFuzzer target: wakeuptop's render path on hostile sources.  The input is
 * cut into a screen size, CPUs, and sources whose names are arbitrary bytes; the
 * view is filtered, sorted and driven by keys, then rendered for the screen and
 * for batch mode.  Every line must be valid UTF-8 without control bytes and fit
 * the width (abort otherwise).
 */
#include "config.h"

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fuzz.h"
#include "sampler.h"
#include "table.h"
#include "facts.h"
#include "frame.h"
#include "keys.h"
#include "render.h"
#include "text.h"
#include "view.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*/proc/interrupts",
	"kmatrix/*/proc/softirqs",
	"public/timer_stats/*",
	NULL
};

struct in {
	const uint8_t	*p;
	size_t		 left;
};

/* Next byte, 0 when the input is used up. */
static unsigned
byte(struct in *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

/* A string of up to max bytes taken as they are (any bytes but NUL). */
static char *
str(struct in *in, size_t max)
{
	size_t n = byte(in) % (max + 1), i;
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++) {
		s[i] = (char)byte(in);
		if (s[i] == '\0')
			s[i] = 'x';
	}
	s[n] = '\0';
	return s;
}

/* True when s is valid UTF-8 with no control character. */
static bool
clean_utf8(const char *s)
{
	mbstate_t st;
	wchar_t wc;
	size_t n, left = strlen(s);

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		n = mbrtowc(&wc, s, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			return false;
		if (wc < 0x20 || wc == 0x7f || (wc >= 0x80 && wc < 0xa0))
			return false;
		s += n;
		left -= n;
	}
	return true;
}

/* Check every line of a frame. */
static void
check(const struct wt_frame *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (!clean_utf8(f->lines[i].text))
			abort();
		if (wt_text_width(f->lines[i].text) > f->width)
			abort();
	}
}

/* Build a sample and a screen from the input, drive the keys, render, check. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	static const wint_t keys[] = { L'>', L'<', L's', L'r', L't', L'i', L'a', L' ',
	    L'\r', L'+', L'-', L'h', L'x', L'/', L'c', L'p', L'1', L'0', 21, 27, L'\r', L'g' };
	struct in in = { data, size };
	struct td_table *t;
	struct td_sample *p;
	struct wt_view v;
	struct wt_facts fa;
	struct wt_frame f = { 0 };
	struct wt_status st = { .backend = "tracefs", .note = "", .batch = false, .iteration = 1 };
	char *s, *trace = NULL;
	int width, height, ncpus, i, nsrc, c, renders = 0;

	if (!init) {
		setlocale(LC_ALL, "C.UTF-8");
		init = true;
	}
	if (td_table_new(&t, td_wsource_columns, td_wsource_ncolumns, NULL) < 0)
		return 0;
	width = 1 + (int)(byte(&in) * 2 % 300);
	height = (int)(byte(&in) % 90);
	ncpus = 1 + (int)(byte(&in) % 200) * (int)(byte(&in) % 3);
	memset(&fa, 0, sizeof(fa));
	fa.hz = byte(&in) % 2 ? 250 : -1;
	s = str(&in, 40);
	strlcpy(fa.host, s, sizeof(fa.host));
	free(s);
	s = str(&in, 40);
	strlcpy(fa.release, s, sizeof(fa.release));
	strlcpy(fa.tick, s, sizeof(fa.tick));
	fa.tick_known = byte(&in) % 2;
	free(s);

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		abort();
	p->period_ns = (uint64_t)byte(&in) * 10000000ULL;
	p->lost_known = byte(&in) % 2;
	p->lost_events = byte(&in);
	s = str(&in, 60);
	strlcpy(p->note, s, sizeof(p->note));
	st.note = p->note;
	free(s);
	/* A replayed trace: its name, the window, maybe at its end. */
	if (byte(&in) % 3 == 0) {
		trace = str(&in, 60);
		st.trace = trace;
		p->backend = TD_BACKEND_TRACE;
		st.trace_step_ns = (uint64_t)byte(&in) * 100000000ULL;
		st.trace_window = (long)byte(&in) - 1;
		st.trace_end = byte(&in) % 2;
	}
	/* Wakeups: unknown, or per CPU counted one way or another. */
	if (byte(&in) % 2) {
		p->wakeups_known = true;
		p->ncpus = ncpus;
		p->cpu_wakeups = calloc((size_t)ncpus, sizeof(uint64_t));
		p->cpu_wake_method = calloc((size_t)ncpus, 1);
		if (p->cpu_wakeups == NULL || p->cpu_wake_method == NULL)
			abort();
		for (c = 0; c < ncpus; c++) {
			p->cpu_wake_method[c] = (unsigned char)(byte(&in) % 4);
			p->cpu_wakeups[c] = byte(&in);
			p->total_wakeups += p->cpu_wakeups[c];
		}
	}
	nsrc = (int)(byte(&in) % 64);
	for (i = 0; i < nsrc && in.left > 0; i++) {
		struct td_wsource *w = td_sample_add(p);

		if (w == NULL)
			abort();
		w->kind = (enum td_kind)(byte(&in) % 6);
		s = str(&in, 80);
		w->function = td_sample_str(p, s);
		free(s);
		if (byte(&in) % 2) {
			s = str(&in, 40);
			w->site = td_sample_str(p, s);
			free(s);
		}
		s = str(&in, 31);
		strlcpy(w->comm, s, sizeof(w->comm));
		free(s);
		w->pid = (int)byte(&in) - 2;
		w->tgid = (int)byte(&in) % 8 - 2;
		w->irq = -1;
		w->known = byte(&in) | (byte(&in) << 8);
		w->task = (enum td_task)(byte(&in) % 6);
		w->count = byte(&in) * byte(&in);
		w->arms = byte(&in);
		w->rate = p->period_ns ? (double)w->count / ((double)p->period_ns / 1e9) : 0;
		if (w->known & TD_WS_CPU) {
			/* CPUs cpu0 to ncpus - 1, as a source of a big machine holds them */
			w->ncpus = 1 + (int)(byte(&in) % (unsigned)ncpus);
			w->cpu0 = (int)(byte(&in) % (unsigned)w->ncpus);
			w->per_cpu = calloc((size_t)(w->ncpus - w->cpu0), sizeof(uint64_t));
			if (w->per_cpu == NULL)
				abort();
			for (c = 0; c < w->ncpus - w->cpu0; c++)
				w->per_cpu[c] = byte(&in) % 3 ? 0 : byte(&in);
		}
		if ((w->known & TD_WS_WAKEUPS) && w->ncpus > w->cpu0) {
			w->wakeups_per_cpu = calloc((size_t)(w->ncpus - w->cpu0), sizeof(uint64_t));
			if (w->wakeups_per_cpu == NULL)
				abort();
			for (c = 0; c < w->ncpus - w->cpu0; c++) {
				w->wakeups_per_cpu[c] = byte(&in) % 2 ? 0 : byte(&in);
				w->wakeups += w->wakeups_per_cpu[c];
			}
			w->wakeup_rate = p->period_ns ? (double)w->wakeups /
			    ((double)p->period_ns / 1e9) : 0;
		}
		p->total_events += w->count;
	}

	wt_view_init(&v, t, NULL);
	v.replay = st.trace != NULL;
	wt_view_set_sample(&v, p);
	wt_view_strip(&v, ncpus, NULL, NULL);
	while (in.left > 0) {
		unsigned k = byte(&in);

		if (k >= 200)
			(void)wt_key(&v, 0x100 + k % 12, true, height);	/* KEY_* codes */
		else
			(void)wt_key(&v, keys[k % (sizeof(keys) / sizeof(keys[0]))], false,
			    height);
		if (k % 16 == 0 && renders++ < 32) {
			wt_frame_reset(&f, width);
			wt_render(&f, &v, &fa, &st, height);
			check(&f);
		}
	}
	v.help = false;
	v.prompt = 0;
	wt_frame_reset(&f, width);
	wt_render(&f, &v, &fa, &st, height);
	check(&f);
	if (height > 0 && f.n != (size_t)height && height > 12)
		abort();
	st.batch = true;
	wt_frame_reset(&f, width);
	f.nopad = 1;
	wt_render(&f, &v, &fa, &st, 0);
	check(&f);
	wt_frame_free(&f);
	wt_view_free(&v);
	td_table_free(t);
	free(trace);
	return 0;
}
