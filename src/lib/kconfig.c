/* The kernel's build configuration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "kconfig.h"
#include "numparse.h"
#include "source.h"

static void
kconfig_init(struct td_kconfig *c)
{
	memset(c, 0, sizeof(*c));
	c->hz = -1;
	c->no_hz = c->no_hz_idle = c->no_hz_full = c->hz_periodic = -1;
	c->high_res_timers = c->timer_stats = -1;
}

/* Set the boolean option named in a line, if it is one we care about. */
static void
set_bool(struct td_kconfig *c, const char *name, size_t n, int v)
{
	static const struct { const char *name; size_t off; } opts[] = {
		{ "NO_HZ_COMMON", offsetof(struct td_kconfig, no_hz) },
		{ "NO_HZ", offsetof(struct td_kconfig, no_hz) },
		{ "NO_HZ_IDLE", offsetof(struct td_kconfig, no_hz_idle) },
		{ "NO_HZ_FULL", offsetof(struct td_kconfig, no_hz_full) },
		{ "HZ_PERIODIC", offsetof(struct td_kconfig, hz_periodic) },
		{ "HIGH_RES_TIMERS", offsetof(struct td_kconfig, high_res_timers) },
		{ "TIMER_STATS", offsetof(struct td_kconfig, timer_stats) },
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

/* Parse kernel config text. */
void
td_kconfig_parse(const char *buf, size_t len, struct td_kconfig *c)
{
	const char *p = buf, *end = buf + len;

	kconfig_init(c);
	c->found = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (td_has_prefix(p, le, "CONFIG_")) {
			const char *name = p + 7, *eq = memchr(name, '=', (size_t)(le - name));

			if (eq != NULL) {
				size_t n = (size_t)(eq - name);
				const char *v = eq + 1;
				uint64_t hz;

				if (n == 2 && memcmp(name, "HZ", 2) == 0) {
					if (td_parse_u64(&v, le, &hz) == 0 && hz > 0 && hz < 100000)
						c->hz = (int)hz;
				} else if (le - v >= 1 && (*v == 'y' || *v == 'm'))
					set_bool(c, name, n, 1);
			}
		} else if (td_has_prefix(p, le, "# CONFIG_")) {
			const char *name = p + 9, *sp = memchr(name, ' ', (size_t)(le - name));

			if (sp != NULL && td_has_prefix(sp, le, " is not set"))
				set_bool(c, name, (size_t)(sp - name), 0);
		}
		p = le + 1;
	}
}

/* Read a gzip file whole (config.gz). */
static int
read_gz(const char *path, struct td_buf *out, struct td_error *e)
{
	size_t alloc = 1 << 16, len = 0;
	char *data = malloc(alloc + 1);
	gzFile gz;

	if (data == NULL)
		return td_error_set(e, ENOMEM, path, 0, "out of memory");
	gz = gzopen(path, "rb");
	if (gz == NULL) {
		free(data);
		return td_error_set(e, errno ? errno : EIO, path, 0, "%s",
		    strerror(errno ? errno : EIO));
	}
	for (;;) {
		int r;

		if (len == alloc) {
			char *n;

			if (alloc >= (16u << 20)) {
				gzclose(gz);
				free(data);
				return td_error_set(e, EFBIG, path, 0, "config larger than 16 MiB");
			}
			alloc *= 2;
			n = realloc(data, alloc + 1);
			if (n == NULL) {
				gzclose(gz);
				free(data);
				return td_error_set(e, ENOMEM, path, 0, "out of memory");
			}
			data = n;
		}
		r = gzread(gz, data + len, (unsigned)(alloc - len));
		if (r < 0) {
			int zerr;
			const char *msg = gzerror(gz, &zerr);

			td_error_set(e, EIO, path, 0, "corrupt gzip data: %s", msg);
			gzclose(gz);
			free(data);
			return -EIO;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	gzclose(gz);
	data[len] = '\0';
	out->data = data;
	out->len = len;
	return 0;
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
	int r;

	kconfig_init(c);
	if (td_path(sysroot, "/proc/config.gz", path, sizeof(path)) == 0 &&
	    access(path, R_OK) == 0) {
		r = read_gz(path, &b, e);
		if (r < 0)
			return r;
		td_kconfig_parse(b.data, b.len, c);
		strlcpy(c->path, path, sizeof(c->path));
		td_buf_free(&b);
		return 0;
	}
	if (release == NULL || release[0] == '\0')
		return 0;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		snprintf(rel, sizeof(rel), "%s%s%s", plain[i].pre, release, plain[i].post);
		if (td_path(sysroot, rel, path, sizeof(path)) < 0 || access(path, R_OK) != 0)
			continue;
		r = td_read_file(path, 16u << 20, &b, e);
		if (r < 0)
			return r;
		td_kconfig_parse(b.data, b.len, c);
		strlcpy(c->path, path, sizeof(c->path));
		td_buf_free(&b);
		return 0;
	}
	return 0;
}
