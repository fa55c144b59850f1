/*
 * The structure of a trace.dat, walked with bounds before libtracecmd reads
 * it (trace-cmd.dat.v6(5), trace-cmd.dat.v7(5)).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "trace_dat_check.h"

#define MAX_SECTIONS	4096	/* v7 options sections followed at most */
#define MAX_SYSTEMS	4096
#define MAX_EVENTS	65536
#define MAX_NAME	256

/* A bounded reader over the file. */
struct walk {
	int			 fd;
	uint64_t		 size;
	uint64_t		 pos;
	const char		*name;
	struct td_error		*e;
	struct td_trace_dat_info *info;
};

/* Read len bytes at w->pos and move on; -EINVAL naming what when the file ends first. */
static int
get(struct walk *w, void *buf, size_t len, const char *what)
{
	ssize_t n;

	if (w->pos > w->size || len > w->size - w->pos)
		return td_error_set(w->e, EINVAL, w->name, 0,
		    "byte %" PRIu64 ": cut short in the %s (the file has %" PRIu64 " bytes)",
		    w->pos, what, w->size);
	n = pread(w->fd, buf, len, (off_t)w->pos);
	if (n < 0)
		return td_error_set(w->e, errno, w->name, 0, "byte %" PRIu64 ": %s", w->pos,
		    strerror(errno));
	if ((size_t)n != len)
		return td_error_set(w->e, EINVAL, w->name, 0,
		    "byte %" PRIu64 ": cut short in the %s", w->pos, what);
	w->pos += len;
	return 0;
}

static int
get16(struct walk *w, uint16_t *v, const char *what)
{
	return get(w, v, 2, what);
}

static int
get32(struct walk *w, uint32_t *v, const char *what)
{
	return get(w, v, 4, what);
}

static int
get64(struct walk *w, uint64_t *v, const char *what)
{
	return get(w, v, 8, what);
}

/* Step over n bytes of what, which must lie in the file and under max. */
static int
skip(struct walk *w, uint64_t n, uint64_t max, const char *what)
{
	if (n > max)
		return td_error_set(w->e, EFBIG, w->name, 0,
		    "byte %" PRIu64 ": %s of %" PRIu64 " bytes (more than %" PRIu64 ")",
		    w->pos, what, n, max);
	if (w->pos > w->size || n > w->size - w->pos)
		return td_error_set(w->e, EINVAL, w->name, 0,
		    "byte %" PRIu64 ": %s of %" PRIu64 " bytes runs past the end of the file "
		    "(%" PRIu64 " bytes): cut short", w->pos, what, n, w->size);
	w->pos += n;
	return 0;
}

/* A NUL-terminated string of at most max bytes into buf (max bytes). */
static int
get_str(struct walk *w, char *buf, size_t max, const char *what)
{
	uint64_t at = w->pos;

	for (size_t i = 0; i < max; i++) {
		int r = get(w, buf + i, 1, what);

		if (r < 0)
			return r;
		if (buf[i] == '\0')
			return 0;
	}
	return td_error_set(w->e, EINVAL, w->name, 0,
	    "byte %" PRIu64 ": %s longer than %zu bytes", at, what, max - 1);
}

/* The fixed string s (with its NUL) comes next. */
static int
expect(struct walk *w, const char *s, size_t len)
{
	char buf[16];
	uint64_t at = w->pos;
	int r;

	if ((r = get(w, buf, len, s)) < 0)
		return r;
	if (memcmp(buf, s, len) != 0)
		return td_error_set(w->e, EINVAL, w->name, 0,
		    "byte %" PRIu64 ": expected \"%s\", the file does not match its format", at, s);
	return 0;
}

/* Trace data of one CPU at off, len bytes: it must lie in the file. */
static int
cpu_data(struct walk *w, int cpu, uint64_t off, uint64_t len, uint64_t at)
{
	if (cpu < 0 || cpu >= TD_TRACE_DAT_MAX_CPUS)
		return td_error_set(w->e, EINVAL, w->name, 0,
		    "byte %" PRIu64 ": CPU %d out of range", at, cpu);
	if (len != 0 && (off > w->size || len > w->size - off))
		return td_error_set(w->e, EINVAL, w->name, 0,
		    "byte %" PRIu64 ": CPU %d's data (%" PRIu64 " bytes at byte %" PRIu64
		    ") runs past the end of the file (%" PRIu64 " bytes): cut short",
		    at, cpu, len, off, w->size);
	w->info->data_bytes += len;
	if (cpu + 1 > w->info->ncpus)
		w->info->ncpus = cpu + 1;
	return 0;
}

/* v6: sections in a fixed order. */
static int
walk_v6(struct walk *w)
{
	uint64_t v64, at, save;
	uint32_t n, m;
	uint16_t id;
	char name[MAX_NAME], tag[10];
	int r, cpus;

	if ((r = expect(w, "header_page", 12)) < 0 || (r = get64(w, &v64, "header page")) < 0 ||
	    (r = skip(w, v64, 1 << 20, "header page format")) < 0)
		return r;
	if ((r = expect(w, "header_event", 13)) < 0 || (r = get64(w, &v64, "header event")) < 0 ||
	    (r = skip(w, v64, 1 << 20, "header event format")) < 0)
		return r;
	if ((r = get32(w, &n, "ftrace formats")) < 0)
		return r;
	if (n > MAX_EVENTS)
		return td_error_set(w->e, EFBIG, w->name, 0, "byte %" PRIu64 ": %u ftrace formats",
		    w->pos - 4, n);
	for (uint32_t i = 0; i < n; i++)
		if ((r = get64(w, &v64, "ftrace format")) < 0 ||
		    (r = skip(w, v64, 1 << 20, "ftrace format")) < 0)
			return r;
	if ((r = get32(w, &n, "event systems")) < 0)
		return r;
	if (n > MAX_SYSTEMS)
		return td_error_set(w->e, EFBIG, w->name, 0, "byte %" PRIu64 ": %u event systems",
		    w->pos - 4, n);
	for (uint32_t i = 0; i < n; i++) {
		if ((r = get_str(w, name, sizeof(name), "event system name")) < 0 ||
		    (r = get32(w, &m, "event count")) < 0)
			return r;
		if (m > MAX_EVENTS)
			return td_error_set(w->e, EFBIG, w->name, 0,
			    "byte %" PRIu64 ": %u events in a system", w->pos - 4, m);
		for (uint32_t j = 0; j < m; j++)
			if ((r = get64(w, &v64, "event format")) < 0 ||
			    (r = skip(w, v64, 1 << 20, "event format")) < 0)
				return r;
	}
	if ((r = get32(w, &n, "kallsyms")) < 0 ||
	    (r = skip(w, n, TD_TRACE_DAT_MAX_META, "kallsyms")) < 0)
		return r;
	if ((r = get32(w, &n, "printk formats")) < 0 ||
	    (r = skip(w, n, TD_TRACE_DAT_MAX_META, "printk formats")) < 0)
		return r;
	if ((r = get64(w, &v64, "command lines")) < 0 ||
	    (r = skip(w, v64, TD_TRACE_DAT_MAX_META, "command lines")) < 0)
		return r;
	at = w->pos;
	if ((r = get32(w, &n, "CPU count")) < 0)
		return r;
	if (n == 0 || n > TD_TRACE_DAT_MAX_CPUS)
		return td_error_set(w->e, EINVAL, w->name, 0, "byte %" PRIu64 ": %u CPUs", at, n);
	cpus = (int)n;
	for (;;) {
		at = w->pos;
		if ((r = get(w, tag, sizeof(tag), "data section")) < 0)
			return r;
		if (memcmp(tag, "options  ", 10) != 0)
			break;
		for (int k = 0; ; k++) {
			if (k > MAX_SECTIONS)
				return td_error_set(w->e, EFBIG, w->name, 0,
				    "byte %" PRIu64 ": more than %d options", w->pos, MAX_SECTIONS);
			if ((r = get16(w, &id, "option")) < 0)
				return r;
			if (id == 0)
				break;
			if ((r = get32(w, &n, "option size")) < 0)
				return r;
			save = w->pos;
			if ((r = skip(w, n, TD_TRACE_DAT_MAX_META, "option")) < 0)
				return r;
			if (id != 3)
				continue;
			/*
			 * A buffer (instance): at its offset, a "flyrecord" tag
			 * (trace-cmd writes one) and cpus (offset, size) pairs.
			 */
			w->pos = save;
			if (n < 9 || (r = get64(w, &v64, "buffer option")) < 0)
				return r < 0 ? r : td_error_set(w->e, EINVAL, w->name, 0,
				    "byte %" PRIu64 ": buffer option of %u bytes", save, n);
			w->pos = v64;
			if ((r = get(w, tag, sizeof(tag), "buffer data")) < 0)
				return r;
			if (memcmp(tag, "flyrecord", 10) != 0)
				w->pos = v64;
			for (int c = 0; c < cpus; c++) {
				uint64_t off, len;

				at = w->pos;
				if ((r = get64(w, &off, "buffer CPU data")) < 0 ||
				    (r = get64(w, &len, "buffer CPU data")) < 0 ||
				    (r = cpu_data(w, c, off, len, at)) < 0)
					return r;
			}
			w->info->buffers++;
			w->pos = save + n;
		}
	}
	if (memcmp(tag, "latency  ", 10) == 0)
		return td_error_set(w->e, ENOTSUP, w->name, 0,
		    "byte %" PRIu64 ": a latency trace (text, no events): not supported", at);
	if (memcmp(tag, "flyrecord", 10) != 0)
		return td_error_set(w->e, EINVAL, w->name, 0,
		    "byte %" PRIu64 ": expected \"flyrecord\", the file does not match its format",
		    at);
	for (int c = 0; c < cpus; c++) {
		uint64_t off, len;

		at = w->pos;
		if ((r = get64(w, &off, "CPU data offsets")) < 0 ||
		    (r = get64(w, &len, "CPU data offsets")) < 0 ||
		    (r = cpu_data(w, c, off, len, at)) < 0)
			return r;
	}
	w->info->buffers++;
	if (w->info->ncpus < cpus)
		w->info->ncpus = cpus;
	return 0;
}

/*
 * v7: the section an option points to lies in the file.  A compressed header
 * section is one block (its compressed and uncompressed sizes first, the
 * latter bounded); a compressed buffer section is not: its flag says that
 * each CPU's data in it is chunked, and the data starts at the next page
 * (trace-cmd's trace-output.c), so what follows its header is padding or the
 * first CPU's chunk count.
 */
static int
section_at(struct walk *w, uint64_t off, bool one_block, const char *what)
{
	uint64_t save = w->pos, size;
	uint32_t strid, csize, usize;
	uint16_t id, flags;
	int r;

	w->pos = off;
	if ((r = get16(w, &id, what)) < 0 || (r = get16(w, &flags, what)) < 0 ||
	    (r = get32(w, &strid, what)) < 0 || (r = get64(w, &size, what)) < 0)
		return r;
	off = w->pos;
	if ((flags & 1) && one_block) {
		if ((r = get32(w, &csize, what)) < 0 || (r = get32(w, &usize, what)) < 0)
			return r;
		if (usize > TD_TRACE_DAT_MAX_META)
			return td_error_set(w->e, EFBIG, w->name, 0,
			    "byte %" PRIu64 ": compressed %s of %u bytes (more than %" PRIu64 ")",
			    off, what, usize, TD_TRACE_DAT_MAX_META);
		w->pos = off;
	}
	if ((r = skip(w, size, UINT64_MAX, what)) < 0)
		return r;
	w->pos = save;
	return 0;
}

/* v7: a buffer option (an instance's flyrecord data, per CPU). */
static int
buffer_v7(struct walk *w, uint64_t end)
{
	char name[MAX_NAME];
	uint64_t off, len, at = w->pos;
	uint32_t psize, n, cpu;
	int r;

	if ((r = get64(w, &off, "buffer option")) < 0 ||
	    (r = section_at(w, off, false, "buffer section")) < 0 ||
	    (r = get_str(w, name, sizeof(name), "buffer name")) < 0 ||
	    (r = get_str(w, name, sizeof(name), "buffer clock")) < 0 ||
	    (r = get32(w, &psize, "buffer page size")) < 0 ||
	    (r = get32(w, &n, "buffer CPU count")) < 0)
		return r;
	if (n > TD_TRACE_DAT_MAX_CPUS)
		return td_error_set(w->e, EINVAL, w->name, 0, "byte %" PRIu64 ": %u CPUs",
		    w->pos - 4, n);
	for (uint32_t i = 0; i < n; i++) {
		at = w->pos;
		if ((r = get32(w, &cpu, "buffer CPU")) < 0 ||
		    (r = get64(w, &off, "buffer CPU data")) < 0 ||
		    (r = get64(w, &len, "buffer CPU data")) < 0 ||
		    (r = cpu_data(w, cpu > INT32_MAX ? -1 : (int)cpu, off, len, at)) < 0)
			return r;
	}
	if (w->pos > end)
		return td_error_set(w->e, EINVAL, w->name, 0,
		    "byte %" PRIu64 ": buffer option longer than its size", at);
	w->info->buffers++;
	return 0;
}

/* v7: options sections, each naming the next, pointing to the others. */
static int
walk_v7(struct walk *w)
{
	char name[32], version[32];
	uint64_t next, size, end, off;
	uint32_t strid, n;
	uint16_t id, flags;
	int r;

	if ((r = get_str(w, name, sizeof(name), "compression name")) < 0 ||
	    (r = get_str(w, version, sizeof(version), "compression version")) < 0 ||
	    (r = get64(w, &next, "options offset")) < 0)
		return r;
	strlcpy(w->info->compression, name, sizeof(w->info->compression));
	for (int k = 0; next != 0; k++) {
		if (k > MAX_SECTIONS)
			return td_error_set(w->e, EFBIG, w->name, 0,
			    "more than %d options sections (a loop?)", MAX_SECTIONS);
		w->pos = next;
		next = 0;
		if ((r = get16(w, &id, "options section")) < 0 ||
		    (r = get16(w, &flags, "options section")) < 0 ||
		    (r = get32(w, &strid, "options section")) < 0 ||
		    (r = get64(w, &size, "options section")) < 0)
			return r;
		if (id != 0)
			return td_error_set(w->e, EINVAL, w->name, 0,
			    "byte %" PRIu64 ": section %u where options were expected",
			    w->pos - 16, id);
		end = w->pos;
		if ((r = skip(w, size, TD_TRACE_DAT_MAX_META, "options section")) < 0)
			return r;
		end = w->pos;
		w->pos -= size;
		if (flags & 1)
			return 0;	/* compressed: the reader checks them */
		while (w->pos < end) {
			uint64_t at = w->pos, oend;

			if ((r = get16(w, &id, "option")) < 0 || (r = get32(w, &n, "option")) < 0)
				return r;
			oend = w->pos + n;
			if (oend > end)
				return td_error_set(w->e, EINVAL, w->name, 0,
				    "byte %" PRIu64 ": option %u of %u bytes runs past its section",
				    at, id, n);
			if (id == 0) {
				if (n < 8 || (r = get64(w, &next, "options offset")) < 0)
					return r < 0 ? r : td_error_set(w->e, EINVAL, w->name, 0,
					    "byte %" PRIu64 ": short end of options", at);
				break;
			}
			if (id == 3 && (r = buffer_v7(w, oend)) < 0)
				return r;
			if (id >= 16 && id <= 21) {
				if (n < 8 || (r = get64(w, &off, "section offset")) < 0)
					return r < 0 ? r : td_error_set(w->e, EINVAL, w->name, 0,
					    "byte %" PRIu64 ": short section option", at);
				if ((r = section_at(w, off, true, "section")) < 0)
					return r;
			}
			w->pos = oend;
		}
	}
	return 0;
}

bool
td_trace_dat_magic(const void *buf, size_t len)
{
	return len >= TD_TRACE_DAT_MAGIC_LEN &&
	    memcmp(buf, TD_TRACE_DAT_MAGIC, TD_TRACE_DAT_MAGIC_LEN) == 0;
}

int
td_trace_dat_check(int fd, uint64_t size, const char *name, struct td_trace_dat_info *info,
    struct td_error *e)
{
	struct walk w = { fd, size, 0, name, e, info };
	unsigned char magic[TD_TRACE_DAT_MAGIC_LEN], b[2];
	char version[16];
	uint32_t psize;
	int r;

	memset(info, 0, sizeof(*info));
	if ((r = get(&w, magic, sizeof(magic), "magic")) < 0)
		return r;
	if (!td_trace_dat_magic(magic, sizeof(magic)))
		return td_error_set(e, EINVAL, name, 0, "byte 0: not a trace.dat (no magic)");
	if ((r = get_str(&w, version, sizeof(version), "version")) < 0 ||
	    (r = get(&w, b, 2, "byte order")) < 0 || (r = get32(&w, &psize, "page size")) < 0)
		return r;
	if (strcmp(version, "6") != 0 && strcmp(version, "7") != 0)
		return td_error_set(e, ENOTSUP, name, 0,
		    "byte 10: trace.dat version \"%.8s\": only 6 and 7 are read", version);
	info->version = version[0] - '0';
	info->big_endian = b[0] != 0;
	info->long_size = b[1];
	info->page_size = psize;
	if (b[0] > 1 || (b[1] != 4 && b[1] != 8))
		return td_error_set(e, EINVAL, name, 0,
		    "byte %" PRIu64 ": byte order %u, long size %u: the file does not match its format",
		    w.pos - 6, b[0], b[1]);
	if (info->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
		return td_error_set(e, ENOTSUP, name, 0,
		    "byte %" PRIu64 ": a trace of a machine of the other byte order: not supported",
		    w.pos - 6);
	if (psize < 1024 || psize > (1U << 24) || (psize & (psize - 1)) != 0)
		return td_error_set(e, EINVAL, name, 0,
		    "byte %" PRIu64 ": page size %u: the file does not match its format",
		    w.pos - 4, psize);
	return info->version == 6 ? walk_v6(&w) : walk_v7(&w);
}
