/* The kernel's build configuration. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "arch.h"
#include "kconfig.h"
#include "numparse.h"
#include "source.h"

/* Inflate size of config.gz reads. */
#define KCONFIG_CHUNK	(16u * 1024u)
/* No kernel config is near this big. */
#define KCONFIG_MAX	((size_t)16 << 20)

static void
kconfig_init(struct td_kconfig *c)
{
	memset(c, 0, sizeof(*c));
	c->hz = -1;
	c->no_hz = c->no_hz_full = c->high_res_timers = -1;
}

/* Set the boolean option named in a line, if it is one we care about. */
static void
set_bool(struct td_kconfig *c, const char *name, size_t n, int v)
{
	static const struct { const char *name; size_t off; } opts[] = {
		{ "NO_HZ_COMMON", offsetof(struct td_kconfig, no_hz) },
		{ "NO_HZ", offsetof(struct td_kconfig, no_hz) },
		{ "NO_HZ_FULL", offsetof(struct td_kconfig, no_hz_full) },
		{ "HIGH_RES_TIMERS", offsetof(struct td_kconfig, high_res_timers) },
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		int *f;

		if (strlen(opts[i].name) != n || memcmp(opts[i].name, name, n) != 0)
			continue;
		f = (int *)(void *)((char *)c + opts[i].off);
		/* NO_HZ_COMMON and NO_HZ share a field: either being set means set. */
		if (*f != 1)
			*f = v;
	}
}

/* One line of config text, [p, le). */
static void
kconfig_line(struct td_kconfig *c, const char *p, const char *le)
{
	if (td_has_prefix(p, le, "CONFIG_")) {
		const char *name = p + 7, *eq = memchr(name, '=', (size_t)(le - name));

		if (eq != NULL) {
			size_t n = (size_t)(eq - name);
			const char *v = eq + 1;
			uint64_t hz;

			if (n == 2 && memcmp(name, "HZ", 2) == 0) {
				if (td_parse_u64(&v, le, &hz) == 0 && hz > 0 && hz < 100000)
					c->hz = (int)hz;
			} else if (le - v >= 1 && (*v == 'y' || *v == 'm')) {
				set_bool(c, name, n, 1);
				if (*v == 'y')
					c->arch_syms |= td_arch_sym_bit(name, n);
			}
		}
	} else if (td_has_prefix(p, le, "# CONFIG_")) {
		const char *name = p + 9, *sp = memchr(name, ' ', (size_t)(le - name));

		if (sp != NULL && td_has_prefix(sp, le, " is not set"))
			set_bool(c, name, (size_t)(sp - name), 0);
	}
}

/* The whole lines of [p, end); returns the start of the unfinished last one. */
static const char *
kconfig_lines(struct td_kconfig *c, const char *p, const char *end)
{
	const char *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		kconfig_line(c, p, nl);
		p = nl + 1;
	}
	return p;
}

/*
 * Whether nothing later in the file can change what is known: every option is
 * known, and NO_HZ set (a later legacy CONFIG_NO_HZ=y could still turn a 0 into 1).
 */
static bool
kconfig_enough(const struct td_kconfig *c)
{
	return c->hz > 0 && c->no_hz == 1 && c->no_hz_full >= 0 && c->high_res_timers >= 0;
}

/* Parse kernel config text. */
void
td_kconfig_parse(const char *buf, size_t len, struct td_kconfig *c)
{
	const char *p;

	kconfig_init(c);
	c->found = true;
	p = kconfig_lines(c, buf, buf + len);
	if (p < buf + len)
		kconfig_line(c, p, buf + len);
}

/*
 * Whether a gzread that returned 0 met an error: a file cut short ends with
 * Z_BUF_ERROR ("unexpected end of file"), which gzread does not report.
 */
static bool
gz_failed(gzFile gz)
{
	int zerr;

	gzerror(gz, &zerr);
	return zerr != Z_OK;
}

/* zlib's message, without the "<fd:N>: " it starts with. */
static const char *
gz_why(gzFile gz)
{
	int zerr;
	const char *msg = gzerror(gz, &zerr), *gt;

	if (strncmp(msg, "<fd:", 4) == 0 && (gt = strstr(msg, ">: ")) != NULL)
		msg = gt + 3;
	return msg;
}

/*
 * Parse a gzipped config (config.gz) as it is inflated, a chunk at a time, up
 * to where every option is known: the timer options sit in its first eighth.
 */
static int
read_gz(int fd, const char *path, struct td_kconfig *c, struct td_error *e)
{
	char buf[KCONFIG_CHUNK];
	size_t have = 0, total = 0;
	const char *rest;
	gzFile gz;

	kconfig_init(c);
	c->found = true;
	if ((gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return td_error_set(e, ENOMEM, path, 0, "out of memory");
	}
	while (!kconfig_enough(c)) {
		int r = gzread(gz, buf + have, (unsigned)(sizeof(buf) - have));

		if (r < 0 || (r == 0 && gz_failed(gz))) {
			td_error_set(e, EIO, path, 0, "corrupt gzip data: %s", gz_why(gz));
			gzclose(gz);
			return -EIO;
		}
		if (r == 0) {
			if (have > 0)
				kconfig_line(c, buf, buf + have);
			break;
		}
		if ((total += (size_t)r) > KCONFIG_MAX) {
			gzclose(gz);
			return td_error_set(e, EFBIG, path, 0, "config larger than 16 MiB");
		}
		have += (size_t)r;
		rest = kconfig_lines(c, buf, buf + have);
		have = (size_t)(buf + have - rest);
		if (have == sizeof(buf))
			have = 0;		/* a line longer than the buffer: no option */
		else
			memmove(buf, rest, have);
	}
	gzclose(gz);
	return 0;
}

/* Whether an open failed as for a file not there (a refused link is kept aside). */
static bool
not_there(int r)
{
	return r == -ENOENT || r == -ENOTDIR || r == -EACCES || r == -EXDEV || r == -ELOOP;
}

/* Find and read the kernel's config. */
int
td_kconfig_read(const char *sysroot, const char *release, struct td_kconfig *c,
    struct td_error *e)
{
	static const struct { const char *pre, *post; } plain[] = {
		{ "/boot/config-", "" }, { "/usr/lib/modules/", "/config" },
		{ "/lib/modules/", "/config" },
	};
	char rel[512], path[4096];
	struct td_buf b;
	int r, fd, damaged = 0;

	kconfig_init(c);
	/* config.gz is a regular file: a FIFO in a captured tree is refused, not waited on. */
	if ((fd = td_open_root(sysroot, "/proc/config.gz", O_RDONLY, path, sizeof(path),
	    e)) >= 0) {
		if ((damaged = read_gz(fd, path, c, e)) == 0) {
			strlcpy(c->path, path, sizeof(c->path));
			return 0;
		}
		kconfig_init(c);	/* nothing from a damaged file; e keeps why */
	} else if (not_there(fd))
		td_error_clear(e);
	else
		damaged = fd;		/* e says why */
	if (release == NULL || release[0] == '\0')
		return damaged;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		snprintf(rel, sizeof(rel), "%s%s%s", plain[i].pre, release, plain[i].post);
		r = td_read_root_at(sysroot, rel, KCONFIG_MAX, &b, path, sizeof(path),
		    damaged < 0 ? NULL : e);
		if (not_there(r)) {
			if (damaged == 0)
				td_error_clear(e);
			continue;	/* not there (a refused link is kept aside) */
		}
		if (r < 0)
			return damaged < 0 ? damaged : r;
		td_kconfig_parse(b.data, b.len, c);
		strlcpy(c->path, path, sizeof(c->path));
		td_buf_free(&b);
		return 0;	/* a damaged config.gz passed over: e still says so */
	}
	return damaged;
}
