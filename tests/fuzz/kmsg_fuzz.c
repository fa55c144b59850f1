/* libFuzzer target: the kernel log as /dev/kmsg records and as dmesg text, and its events. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kmsg.h"
#include "kmsg_events.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*/dmesg",
	"public/dmesg/*",
	"fixtures/kmsg/*",
	NULL
};

static volatile size_t sink;

/* Walk a log and its events so that ASan sees any bad pointer. */
static void
walk(const struct td_kmsg_log *log)
{
	struct td_kmsg_events *ev;
	size_t n = 0;

	for (size_t i = 0; i < log->n; i++) {
		const struct td_kmsg_record *r = &log->recs[i];

		if (r->text == NULL || r->text[r->text_len] != '\0')
			abort();
		n += r->text_len + strlen(r->caller);
		for (size_t k = 0; k < r->ndict; k++)
			n += strlen(r->dict[k]);
	}
	if (td_kmsg_events(log, &ev) < 0)
		return;
	for (size_t i = 0; i < ev->n; i++) {
		const struct td_kmsg_event *e = &ev->ev[i];

		if ((unsigned)e->kind >= TD_KEV_COUNT || e->text == NULL)
			abort();
		n += strlen(td_kmsg_event_kind_name(e->kind)) + e->text_len;
		n += e->name ? strlen(e->name) : 0;
		n += e->name2 ? strlen(e->name2) : 0;
	}
	td_kmsg_events_free(ev);
	sink = n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct td_kmsg_log *log;

	if (td_kmsg_parse_records(buf, size, "fuzz", &log, NULL) == 0) {
		walk(log);
		td_kmsg_log_free(log);
	}
	if (td_kmsg_parse_text(buf, size, "fuzz", &log, NULL) == 0) {
		walk(log);
		td_kmsg_log_free(log);
	}
	if (td_kmsg_parse(buf, size, "fuzz", &log, NULL) == 0) {
		walk(log);
		td_kmsg_log_free(log);
	}
	return 0;
}
