/*
 * libFuzzer target: the text trace reader.  The input is read twice through
 * fmemopen (at once, and stopping after every event); every event's fields
 * are read so ASan sees bad pointers, and the two must give the same events
 * and the same result, or it aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trace_text.h"
#include "test_hooks.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*-trace/trace-wakeup-events.txt",
	"kmatrix/*/trace-timer-events.txt",
	"fixtures/trace_text/*.txt",
	"fixtures/trace_text/*.bin",
	NULL
};

struct digest {
	struct td_trace_text	*r;
	uint64_t		 h, n;
	int			 stop;
};

static void
mix(struct digest *d, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		d->h = (d->h ^ b[i]) * 1099511628211ull;
}

/* Hash every field; check what must hold for any input. */
static void
on_event(const struct td_tev *ev, void *arg)
{
	struct digest *d = arg;
	const char *fn = td_trace_text_function_name(d->r, ev->function);
	uint64_t v[] = { ev->type, ev->ts, (uint64_t)ev->cpu, (uint64_t)ev->pid, ev->ctx, ev->ptr,
	    ev->flags, (uint64_t)ev->num, (uint64_t)ev->arg,
	    (uint64_t)td_trace_text_line(d->r), (uint64_t)td_trace_text_tgid(d->r) };

	if (ev->type >= TD_TEV_NTYPES || ev->cpu < 0 || ev->cpu >= TD_TRACE_TEXT_MAX_CPUS ||
	    (ev->ctx & ~(unsigned)(TD_TEV_CTX_HARDIRQ | TD_TEV_CTX_SOFTIRQ)) != 0 ||
	    (ev->namelen > 0 && ev->name == NULL) || (ev->commlen > 0 && ev->comm == NULL) ||
	    ev->namelen > TD_TRACE_TEXT_LINE_MAX || ev->commlen > TD_TRACE_TEXT_LINE_MAX ||
	    (ev->function != 0 && fn == NULL))
		abort();
	mix(d, v, sizeof(v));
	if (ev->namelen > 0)
		mix(d, ev->name, ev->namelen);
	if (ev->commlen > 0)
		mix(d, ev->comm, ev->commlen);
	if (fn != NULL)
		mix(d, fn, strlen(fn));
	d->n++;
	if (d->stop)
		td_trace_text_stop(d->r);
}

/* One way through the input (how 1: stopping after every event); the digest takes the result and the statistics too. */
static void
one(const uint8_t *data, size_t size, int how, struct digest *d)
{
	const struct td_trace_text_stats *st;
	struct td_error e;
	FILE *f;
	int rc;

	memset(d, 0, sizeof(*d));
	d->h = 14695981039346656037ull;
	d->stop = how == 1;
	if (td_trace_text_new("fuzz", &d->r, &e) < 0)
		abort();
	if ((f = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		abort();
	while ((rc = td_trace_text_read(d->r, f, on_event, d, &e)) == 1)
		if (!d->stop)
			abort();
	fclose(f);
	st = td_trace_text_stats(d->r);
	if (st->decoded != d->n || st->decoded > st->events || st->events > st->lines ||
	    (rc < 0 && e.msg[0] == '\0'))
		abort();
	mix(d, &rc, sizeof(rc));
	mix(d, st, sizeof(*st));
	td_trace_text_free(d->r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest a, c;

	if (size == 0)
		return 0;
	one(data, size, 0, &a);
	one(data, size, 1, &c);
	if (a.h != c.h)
		abort();
	return 0;
}
