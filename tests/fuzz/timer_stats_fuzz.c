/*
 * libFuzzer target: parse /proc/timer_stats, turn it into a sample, write it
 * back and re-parse it; render the sample through the wakeup source columns as
 * text and as JSON, and check that the JSON parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/minijson.h"
#include "fuzz.h"
#include "json.h"
#include "sampler.h"
#include "table.h"
#include "timer_stats.h"

const char *const td_fuzz_seeds[] = {
	"public/timer_stats/*",
	"fixtures/timer_stats/*.txt",
	NULL
};

static volatile size_t sink;

/* Render the sources as text and JSON; the JSON must parse. */
static void
render(const struct td_sample *p)
{
	struct td_table *t;
	const void **rows;
	struct td_json j;
	struct mj doc;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	if (td_table_new(&t, td_wsource_columns, td_wsource_ncolumns, NULL) < 0)
		return;
	if ((rows = calloc(p->n + 1, sizeof(*rows))) == NULL) {
		td_table_free(t);
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		rows[i] = &p->src[i];
	if ((f = open_memstream(&out, &outlen)) != NULL) {
		td_table_render_text(t, f, rows, p->n, 0);
		td_table_render_text(t, f, rows, p->n, TD_TABLE_RAW);
		fclose(f);
		free(out);
	}
	out = NULL;
	if ((f = open_memstream(&out, &outlen)) != NULL) {
		td_json_init(&j, f, false);
		td_json_obj_begin(&j, NULL);
		td_table_render_json(t, &j, "sources", rows, p->n, false, NULL);
		td_json_obj_end(&j);
		td_json_finish(&j);
		fclose(f);
		if (!mj_parse(out, &doc))
			abort();
		mj_free(&doc);
		free(out);
	}
	free(rows);
	td_table_free(t);
}

/* Parse, convert, write in the classic format, and parse that again. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_timer_stats *ts, *again;
	struct td_sample *p;
	struct td_error e;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	if (td_timer_stats_parse((const char *)data, size, "fuzz", &ts, &e) < 0)
		return 0;
	for (size_t i = 0; i < ts->n; i++)
		sink += strlen(ts->entries[i].comm) + strlen(ts->entries[i].start) +
		    strlen(ts->entries[i].expire);
	if (td_timer_stats_to_sample(ts, &p, &e) == 0) {
		if ((f = open_memstream(&out, &outlen)) != NULL) {
			td_timer_stats_write(f, p, ts, NULL, 0);
			fclose(f);
			/* What we write, we must read back. */
			if (td_timer_stats_parse(out, outlen, "written", &again, &e) < 0)
				abort();
			td_timer_stats_free(again);
			free(out);
		}
		render(p);
		td_sample_free(p);
	}
	td_timer_stats_free(ts);
	return 0;
}
