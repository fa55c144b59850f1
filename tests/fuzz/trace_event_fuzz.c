/*
 * libFuzzer target: the raw event decoder.  The input is a run of tracefs
 * sub-buffers (4096 bytes each, as trace_pipe_raw gives them), decoded with
 * the event formats saved in tests/fixtures/trace/events, trimmed as the
 * sampler trims them (td_trace_format_trim).
 */
#include <stdint.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "fuzz.h"
#include "source.h"
#include "trace_decode.h"

const char *const td_fuzz_seeds[] = {
	"fixtures/trace/raw/*.bin",
	NULL
};

static struct td_trace_decoder *dec;
static struct tep_handle *the_tep;	/* kept for the process lifetime */
/* One decoder per corpus -trace capture, from all its kernel's event formats. */
#define MAXCAP	16
static struct td_trace_decoder *cap_dec[MAXCAP];
static struct tep_handle *cap_tep[MAXCAP];
static size_t ncap;
static volatile size_t sink;

/* The fixtures directory: $TD_SRCDIR/tests/fixtures/trace/events or beside this file. */
static void
events_dir(char *buf, size_t len)
{
	const char *src = getenv("TD_SRCDIR");
	const char *slash;

	if (src != NULL) {
		snprintf(buf, len, "%s/tests/fixtures/trace/events", src);
		return;
	}
	slash = strrchr(__FILE__, '/');
	snprintf(buf, len, "%.*s/../fixtures/trace/events",
	    slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
}

/* Load one saved format into tep. */
static void
load_format(struct tep_handle *tep, const char *dir, const char *sys, const char *name)
{
	char path[4096];
	struct td_buf b;

	snprintf(path, sizeof(path), "%s/%s/%s/format", dir, sys, name);
	if (td_read_file(path, 1 << 20, &b, NULL) < 0) {
		fprintf(stderr, "trace_event_fuzz: cannot read %s\n", path);
		exit(1);
	}
	tep_parse_event(tep, b.data, (unsigned long)td_trace_format_trim(b.data, (int)b.len),
	    sys);
	td_buf_free(&b);
}

/* Free the decoder and the formats at exit (no leak reports). */
static void
teardown(void)
{
	td_trace_decoder_free(dec);
	tep_free(the_tep);
	for (size_t i = 0; i < ncap; i++) {
		td_trace_decoder_free(cap_dec[i]);
		tep_free(cap_tep[i]);
	}
}

/*
 * The decoders of every corpus -trace capture: the kernel's own format files
 * (tick_stop, timer_base_idle, timer_migration:* and the rest) with the
 * fixtures' header page.
 */
static void
setup_captures(const char *hdr, size_t hdrlen)
{
	const char *corpus = getenv("TD_CORPUS");
	char pat[4096];
	glob_t caps, fmts;

	if (corpus == NULL || corpus[0] == '\0')
		return;
	snprintf(pat, sizeof(pat), "%s/kmatrix/*-trace/sys/kernel/tracing/events", corpus);
	if (glob(pat, 0, NULL, &caps) != 0)
		return;
	for (size_t c = 0; c < caps.gl_pathc && ncap < MAXCAP; c++) {
		struct tep_handle *tep = tep_alloc();

		snprintf(pat, sizeof(pat), "%s/*/*/format", caps.gl_pathv[c]);
		if (tep == NULL || glob(pat, 0, NULL, &fmts) != 0) {
			tep_free(tep);
			continue;
		}
		tep_parse_header_page(tep, (char *)(uintptr_t)hdr, hdrlen, 8);
		for (size_t i = 0; i < fmts.gl_pathc; i++) {
			struct td_buf b;
			char *sys = fmts.gl_pathv[i] + strlen(caps.gl_pathv[c]) + 1;
			char *sl = strchr(sys, '/');

			if (sl == NULL || td_read_file(fmts.gl_pathv[i], 1 << 20, &b, NULL) < 0)
				continue;
			*sl = '\0';
			tep_parse_event(tep, b.data,
			    (unsigned long)td_trace_format_trim(b.data, (int)b.len), sys);
			*sl = '/';
			td_buf_free(&b);
		}
		globfree(&fmts);
		if (td_trace_decoder_new(tep, &cap_dec[ncap], NULL) < 0) {
			tep_free(tep);
			continue;
		}
		cap_tep[ncap++] = tep;
	}
	globfree(&caps);
}

/* Build the decoder once from the saved formats. */
static void
setup(void)
{
	static const char *const ev[][2] = {
		{ "timer", "timer_start" }, { "timer", "hrtimer_start" },
		{ "timer", "timer_expire_entry" }, { "timer", "hrtimer_expire_entry" },
		{ "timer", "timer_cancel" }, { "timer", "hrtimer_cancel" },
		{ "irq", "irq_handler_entry" }, { "irq", "softirq_entry" },
		{ "irq", "softirq_raise" },
		{ "irq_vectors", "local_timer_entry" }, { "irq_vectors", "reschedule_entry" },
		{ "irq_vectors", "call_function_entry" },
		{ "irq_vectors", "call_function_single_entry" },
		{ "irq_vectors", "irq_work_entry" },
	};
	char dir[4000], path[4096];
	struct td_buf b;
	struct tep_handle *tep = the_tep = tep_alloc();

	events_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/header_page", dir);
	if (tep == NULL || td_read_file(path, 1 << 20, &b, NULL) < 0) {
		fprintf(stderr, "trace_event_fuzz: cannot read %s\n", path);
		exit(1);
	}
	tep_parse_header_page(tep, b.data, b.len, 8);
	setup_captures(b.data, b.len);
	td_buf_free(&b);
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		load_format(tep, dir, ev[i][0], ev[i][1]);
	if (td_trace_decoder_new(tep, &dec, NULL) < 0)
		exit(1);
	atexit(teardown);
}

/* Look at every field of an event so ASan sees bad pointers. */
static void
on_event(const struct td_tev *ev, void *arg)
{
	(void)arg;
	sink += ev->ptr + ev->function + (size_t)ev->num + (size_t)ev->arg + (size_t)ev->sub +
	    ev->flags + ev->namelen;
	for (size_t i = 0; i < ev->namelen; i++)
		sink += (unsigned char)ev->name[i];
}

/* Decode each 4096-byte sub-buffer of the input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (dec == NULL)
		setup();
	for (size_t off = 0; off < size; off += 4096) {
		size_t len = size - off < 4096 ? size - off : 4096;
		long missed;

		td_trace_decode(dec, data + off, len, 0, on_event, NULL, &missed);
		for (size_t i = 0; i < ncap; i++)
			td_trace_decode(cap_dec[i], data + off, len, 0, on_event, NULL, &missed);
	}
	return 0;
}
