/*
 * The kernel config reader: text, and config.gz inflated only as far as the
 * timer options (checked against a whole inflate of the same file).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "arch.h"
#include "kconfig.h"
#include "tap.h"

static char root[] = "/tmp/td-kconfig-XXXXXX";
static char gzpath[96];

/*
 * Write ROOT/proc/config.gz: head, about filler bytes of comment lines that do
 * not compress (so that the file is big), tail.
 */
static void
write_gz(const char *head, size_t filler, const char *tail)
{
	gzFile gz = gzopen(gzpath, "wb");
	uint32_t x = 12345;
	char line[82];

	gzputs(gz, head);
	for (size_t n = 0; n < filler; n += 81) {
		line[0] = '#';
		for (int i = 1; i < 80; i++) {
			x = x * 1103515245u + 12345u;
			line[i] = (char)('!' + (x >> 16) % 90);
		}
		line[80] = '\n';
		line[81] = '\0';
		gzputs(gz, line);
	}
	gzputs(gz, tail);
	gzclose(gz);
}

/* Read ROOT's config; returns td_kconfig_read's result. */
static int
read_root(struct td_kconfig *c, struct td_error *e)
{
	td_error_clear(e);
	return td_kconfig_read(root, NULL, c, e);
}

/* Inflate a whole gzip file (the independent reading). */
static char *
inflate_all(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *d = malloc(cap);
	int r;

	if (gz == NULL || d == NULL)
		return NULL;
	while ((r = gzread(gz, d + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)r;
		if (n == cap && (d = realloc(d, cap *= 2)) == NULL)
			return NULL;
	}
	gzclose(gz);
	*len = n;
	return d;
}

static void
test_text(void)
{
	static const char t[] = "CONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_NO_HZ_COMMON=y\n"
	    "# CONFIG_NO_HZ_FULL is not set\nCONFIG_HIGH_RES_TIMERS=y";
	struct td_kconfig c;

	td_kconfig_parse(t, sizeof(t) - 1, &c);
	ok(c.found && c.hz == 250 && c.no_hz == 1 && c.no_hz_full == 0 &&
	    c.high_res_timers == 1, "text: HZ, NO_HZ, NO_HZ_FULL, HIGH_RES_TIMERS (last line unended)");
	td_kconfig_parse("", 0, &c);
	ok(c.hz == -1 && c.no_hz == -1 && c.no_hz_full == -1 && c.high_res_timers == -1,
	    "text: nothing known in an empty config");
}

static void
test_gz(void)
{
	static const char opts[] = "CONFIG_HZ=1000\nCONFIG_NO_HZ_COMMON=y\n"
	    "CONFIG_NO_HZ_FULL=y\n# CONFIG_HIGH_RES_TIMERS is not set\n";
	struct td_kconfig c;
	struct td_error e;
	FILE *f;

	/* the options after 1 MiB of other lines: read across many chunks */
	write_gz("# Linux/x86 6.1.0 Kernel Configuration\n", 1 << 20, opts);
	ok(read_root(&c, &e) == 0 && c.found && c.hz == 1000 && c.no_hz == 1 &&
	    c.no_hz_full == 1 && c.high_res_timers == 0, "gz: options after 1 MiB found");
	ok(strstr(c.path, "/proc/config.gz") != NULL, "gz: the path read is named");

	/* a legacy NO_HZ=y late in the file still wins over NO_HZ_COMMON not set */
	write_gz("CONFIG_HZ=100\n# CONFIG_NO_HZ_COMMON is not set\n# CONFIG_NO_HZ_FULL is not set\n"
	    "CONFIG_HIGH_RES_TIMERS=y\n", 200000, "CONFIG_NO_HZ=y\n");
	ok(read_root(&c, &e) == 0 && c.hz == 100 && c.no_hz == 1,
	    "gz: a later CONFIG_NO_HZ=y is read when NO_HZ_COMMON is not set");

	/* the options first, then a damaged tail: the read stops before it */
	write_gz(opts, 300000, "");
	if ((f = fopen(gzpath, "r+b")) != NULL) {
		ok(fseek(f, -2000, SEEK_END) == 0 && ftell(f) > 100000, "gz: the file is big");
		fputs("not gzip any more", f);
		fclose(f);
	}
	ok(read_root(&c, &e) == 0 && c.hz == 1000 && c.no_hz_full == 1,
	    "gz: stops once every option is known, before a damaged tail");

	/* damage at the start is an error naming the file */
	if ((f = fopen(gzpath, "r+b")) != NULL) {
		fseek(f, 20, SEEK_SET);
		fputs("garbage garbage garbage garbage", f);
		fclose(f);
	}
	ok(read_root(&c, &e) == -EIO && strstr(e.path, "config.gz") != NULL,
	    "gz: damaged data is an error: %s", e.msg);

	ok(strncmp(e.msg, "corrupt gzip data: ", 19) == 0 && strstr(e.msg, "config.gz") == NULL,
	    "gz: the message says the data is damaged, without naming the file twice");

	/* cut short before the options: an error, not a guess */
	write_gz("# Linux/x86 6.1.0 Kernel Configuration\n", 300000, opts);
	ok(truncate(gzpath, 40000) == 0 && read_root(&c, &e) == -EIO &&
	    strstr(e.msg, "unexpected end of file") != NULL,
	    "gz: a file cut short is an error: %s", e.msg);

	/* two gzip members one after the other (as cat a.gz b.gz makes) */
	write_gz("CONFIG_HZ=300\n# CONFIG_NO_HZ_COMMON is not set\n", 0, "");
	{
		FILE *a = fopen(gzpath, "ab");
		gzFile gz = a != NULL ? gzdopen(dup(fileno(a)), "ab") : NULL;

		if (gz != NULL) {
			gzputs(gz, "# CONFIG_NO_HZ_FULL is not set\nCONFIG_HIGH_RES_TIMERS=y\n");
			gzclose(gz);
		}
		if (a != NULL)
			fclose(a);
	}
	ok(read_root(&c, &e) == 0 && c.hz == 300 && c.no_hz == 0 && c.no_hz_full == 0 &&
	    c.high_res_timers == 1, "gz: options in a second gzip member are read");

	/* plain text under the name config.gz (zcat'ed into a capture): read as text */
	if ((f = fopen(gzpath, "wb")) != NULL) {
		fputs("CONFIG_HZ=1000\nCONFIG_NO_HZ_COMMON=y\n# CONFIG_NO_HZ_FULL is not set\n"
		    "CONFIG_HIGH_RES_TIMERS=y\n", f);
		fclose(f);
	}
	ok(read_root(&c, &e) == 0 && c.hz == 1000 && c.no_hz == 1 && c.no_hz_full == 0 &&
	    c.high_res_timers == 1, "gz: a config.gz that is plain text is read as text");
	if ((f = fopen(gzpath, "wb")) != NULL)
		fclose(f);
	ok(read_root(&c, &e) == 0 && c.found && c.hz == -1, "gz: an empty config.gz: nothing known");

	/* a damaged config.gz is passed over for /boot/config-RELEASE, the damage still told */
	{
		char boot[160], conf[200];

		write_gz("CONFIG_HZ=1000\n", 300000, "");
		snprintf(boot, sizeof(boot), "%s/boot", root);
		snprintf(conf, sizeof(conf), "%s/config-6.1.0-test", boot);
		ok(truncate(gzpath, 2000) == 0 && mkdir(boot, 0700) == 0 &&
		    (f = fopen(conf, "w")) != NULL, "gz: a plain config beside a cut config.gz");
		if (f != NULL) {
			fputs("CONFIG_HZ=300\nCONFIG_NO_HZ_COMMON=y\n", f);
			fclose(f);
		}
		td_error_clear(&e);
		ok(td_kconfig_read(root, "6.1.0-test", &c, &e) == 0 && c.found && c.hz == 300 &&
		    strcmp(c.path, conf) == 0 && e.code == EIO && strstr(e.path, "config.gz") != NULL,
		    "gz: the plain config is read, e still names the damaged config.gz");
		td_error_clear(&e);
		ok(td_kconfig_read(root, "6.1.0-other", &c, &e) == -EIO && !c.found && c.hz == -1,
		    "gz: without a plain config for the release, the damage is the result");
		unlink(conf);
		rmdir(boot);
	}

	/* more than 16 MiB of inflated text is refused, not read for ever */
	write_gz("", 17 << 20, "");
	ok(read_root(&c, &e) == -EFBIG, "gz: a config inflating past 16 MiB is refused");
}

/* This machine's config.gz: the early stop gives what a whole read gives. */
static void
test_live(void)
{
	struct td_kconfig c, w;
	struct td_error e;
	size_t len;
	char *text;

	if (access("/proc/config.gz", R_OK) != 0) {
		ok(1, "# SKIP no /proc/config.gz here");
		return;
	}
	text = inflate_all("/proc/config.gz", &len);
	ok(text != NULL && td_kconfig_read(NULL, NULL, &c, &e) == 0, "live: config.gz read");
	if (text == NULL)
		return;
	td_kconfig_parse(text, len, &w);
	ok(c.hz == w.hz && c.no_hz == w.no_hz && c.no_hz_full == w.no_hz_full &&
	    c.high_res_timers == w.high_res_timers && c.hz > 0,
	    "live: the same options as a whole inflate (HZ %d)", c.hz);
	free(text);
}

/* The architecture from a config, a release, uname -m and cpuinfo. */
static void
test_arch(void)
{
	static const char cfg[] = "CONFIG_64BIT=y\nCONFIG_X86_64=y\nCONFIG_X86=y\n",
	    ppc[] = "CONFIG_PPC64=y\nCONFIG_CPU_LITTLE_ENDIAN=y\n# CONFIG_X86_64 is not set\n",
	    arm[] = "processor\t: 0\nFeatures\t: fp asimd evtstrm\n",
	    x86[] = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr lm constant_tsc\n";
	struct td_kconfig c;

	td_kconfig_parse(cfg, sizeof(cfg) - 1, &c);
	is_str(td_arch_from_config(c.arch_syms), "amd64", "arch: CONFIG_X86_64=y is amd64");
	td_kconfig_parse(ppc, sizeof(ppc) - 1, &c);
	is_str(td_arch_from_config(c.arch_syms), "ppc64el", "arch: little-endian PPC64 is ppc64el");
	is_str(td_arch_from_release("6.1.0-56-arm64"), "arm64", "arch: Debian release");
	is_str(td_arch_from_release("6.1.0-26-686-pae"), "i386", "arch: Debian 686-pae release");
	is_str(td_arch_from_release("3.10.0-1160.el7.x86_64"), "amd64", "arch: RHEL release");
	ok(td_arch_from_release("6.18.44-fc-v595") == NULL, "arch: a release that does not say");
	is_str(td_arch_from_uname("aarch64"), "arm64", "arch: uname aarch64");
	is_str(td_arch_from_cpuinfo(arm, sizeof(arm) - 1), "arm64", "arch: cpuinfo asimd");
	is_str(td_arch_from_cpuinfo(x86, sizeof(x86) - 1), "amd64", "arch: cpuinfo lm");
}

int
main(void)
{
	char dir[64];

	if (mkdtemp(root) == NULL)
		skip_all("no temporary directory");
	snprintf(dir, sizeof(dir), "%s/proc", root);
	mkdir(dir, 0755);
	snprintf(gzpath, sizeof(gzpath), "%s/config.gz", dir);
	test_text();
	test_arch();
	test_gz();
	test_live();
	unlink(gzpath);
	rmdir(dir);
	rmdir(root);
	return done_testing();
}
