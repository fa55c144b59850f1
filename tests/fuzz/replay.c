/*
 * Replays a fuzz target's seeds without libFuzzer: every seed whole, cut at
 * eight points, with bytes flipped, and a few synthetic inputs.  TAP output.
 * With --list-seeds it prints the seed paths (for tests/fuzz/run.sh).
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "fuzz.h"

static int n;

static void
feed(const char *what, const char *data, size_t len)
{
	/* Copy into an exact-size heap block so ASan sees overreads. */
	char *copy = malloc(len ? len : 1);

	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput((const uint8_t *)copy, len);
	free(copy);
	(void)what;
}

static void
replay_file(const char *path)
{
	struct td_buf b;
	char *m;

	if (td_read_file(path, 64 << 20, &b, NULL) < 0) {
		printf("not ok %d - read %s\n", ++n, path);
		return;
	}
	feed("whole", b.data, b.len);
	for (int k = 1; k < 8; k++)
		feed("cut", b.data, b.len * (size_t)k / 8);
	m = malloc(b.len + 1);
	memcpy(m, b.data, b.len);
	for (size_t i = 0; i < b.len; i += 97)
		m[i] ^= (char)(0x55 + i);
	feed("flipped", m, b.len);
	for (size_t i = 0; i < b.len; i++)
		if (m[i] == '\n')
			m[i] = ' ';
	feed("one line", m, b.len);
	free(m);
	td_buf_free(&b);
	printf("ok %d - %s\n", ++n, path);
}

static int
expand(const char *pattern, int list_only)
{
	const char *corpus = getenv("TD_CORPUS"), *src = getenv("TD_SRCDIR");
	char full[4096];
	glob_t g;
	int found = 0;

	if (strncmp(pattern, "fixtures/", 9) == 0)
		snprintf(full, sizeof(full), "%s/tests/%s", src ? src : ".", pattern);
	else if (corpus != NULL && corpus[0] != '\0')
		snprintf(full, sizeof(full), "%s/%s", corpus, pattern);
	else
		return 0;
	if (glob(full, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++, found++)
		if (list_only)
			puts(g.gl_pathv[i]);
		else
			replay_file(g.gl_pathv[i]);
	globfree(&g);
	return found;
}

int
main(int argc, char **argv)
{
	int list = argc > 1 && strcmp(argv[1], "--list-seeds") == 0;
	static const char *const synthetic[] = {
		"", "\n", "\n\n\n", "\0\0\0", "\xff\xfe\xfd", "-", "9999999999999999999999999",
	};
	int found = 0;

	for (int i = 0; td_fuzz_seeds[i] != NULL; i++)
		found += expand(td_fuzz_seeds[i], list);
	if (list)
		return 0;
	for (size_t i = 0; i < sizeof(synthetic) / sizeof(synthetic[0]); i++) {
		feed("synthetic", synthetic[i], strlen(synthetic[i]) + (i == 3 ? 3 : 0));
		printf("ok %d - synthetic input %zu\n", ++n, i);
	}
	if (found == 0)
		printf("ok %d - # SKIP no seed found (no corpus?)\n", ++n);
	printf("1..%d\n", n);
	return 0;
}
