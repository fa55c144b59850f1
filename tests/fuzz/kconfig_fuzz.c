/*
 * libFuzzer target: the kernel config reader.  The input is parsed as config
 * text, and read as SYSROOT/proc/config.gz (gzip, or plain text as it is):
 * values stay in range, and text that is not gzip reads as it parses.
 */
#define _GNU_SOURCE	/* memmem */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "kconfig.h"

const char *const td_fuzz_seeds[] = {
	"kmatrix/*/boot/config-*",
	"fixtures/kconfig/*",
	NULL
};

static char root[4096];
static char path[4200];

/* Remove the sysroot at exit. */
static void
remove_root(void)
{
	char dir[4200];

	unlink(path);
	snprintf(dir, sizeof(dir), "%s/proc", root);
	rmdir(dir);
	rmdir(root);
}

/*
 * A sysroot of our own in $TMPDIR, made once (left behind only when a crash
 * ends the run: it then holds the input).  Without one the reader would go
 * untested: that stops the run.
 */
static void
make_root(void)
{
	static bool made;
	const char *tmp = getenv("TMPDIR");

	if (made)
		return;
	snprintf(root, sizeof(root), "%s/td-kconfig-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(root) == NULL) {
		perror("kconfig_fuzz: mkdtemp");
		abort();
	}
	atexit(remove_root);
	snprintf(path, sizeof(path), "%s/proc", root);
	if (mkdir(path, 0700) != 0) {
		perror("kconfig_fuzz: mkdir");
		abort();
	}
	snprintf(path, sizeof(path), "%s/proc/config.gz", root);
	made = true;
}

/* Every field known or -1, and in range. */
static void
check(const struct td_kconfig *c)
{
	if ((c->hz != -1 && (c->hz <= 0 || c->hz >= 100000)) ||
	    c->no_hz < -1 || c->no_hz > 1 || c->no_hz_full < -1 || c->no_hz_full > 1 ||
	    c->high_res_timers < -1 || c->high_res_timers > 1)
		abort();
}

/* How many times s occurs in [d, d + n). */
static int
count(const uint8_t *d, size_t n, const char *s)
{
	size_t k = strlen(s);
	const uint8_t *p = d, *q;
	int c = 0;

	while ((q = memmem(p, (size_t)(d + n - p), s, k)) != NULL) {
		c++;
		p = q + 1;
	}
	return c;
}

/*
 * Each option at most once, as Kconfig writes them: otherwise the full parse
 * takes the last value and the reader, which stops early, the first.
 */
static bool
options_once(const uint8_t *d, size_t n)
{
	static const char *const opts[] = {
		"CONFIG_HZ=", "NO_HZ_COMMON", "NO_HZ_FULL", "HIGH_RES_TIMERS",
		"CONFIG_NO_HZ=", "CONFIG_NO_HZ ",
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (count(d, n, opts[i]) > 1)
			return false;
	return true;
}

/* No line of 16 KiB or more (the reader skips those, the parser does not). */
static bool
short_lines(const uint8_t *d, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		run = d[i] == '\n' ? 0 : run + 1;
		if (run >= 16 * 1024 - 1)
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_kconfig p, r;
	struct td_error e;
	int fd, rr;
	bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;

	td_kconfig_parse((const char *)data, size, &p);
	check(&p);
	make_root();
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    write(fd, data, size) != (ssize_t)size) {
		perror("kconfig_fuzz: writing the input");
		abort();
	}
	close(fd);
	rr = td_kconfig_read(root, NULL, &r, &e);
	check(&r);
	if (rr < 0 && (r.hz != -1 || r.no_hz != -1 || r.no_hz_full != -1 ||
	    r.high_res_timers != -1))
		abort();	/* nothing from a damaged file */
	/* text that is not gzip is read as it parses, early stop or not */
	if (!gz && size > 0 && short_lines(data, size) && options_once(data, size) &&
	    (rr != 0 || r.hz != p.hz || r.no_hz != p.no_hz || r.no_hz_full != p.no_hz_full ||
	    r.high_res_timers != p.high_res_timers))
		abort();
	return 0;
}
