/* The trace.dat writer: version 6, little or big endian as this machine is. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "trace_dat_check.h"
#include "trace_dat_write.h"

#define COMMS_MAX	65536		/* task names kept for the command lines */
#define FORMAT_MAX	(1 << 20)

struct comm {
	int	 pid;
	char	 comm[64];
};

struct td_trace_rec {
	char		 path[4096];
	FILE		*out;
	int		 ncpus;
	size_t		 page_size;
	FILE		**cpu;		/* per-CPU temporary files */
	uint64_t	*bytes;
	unsigned char	*pad;		/* a zeroed page */
	int		 err;		/* first error while keeping pages */
	struct comm	*comms;
	size_t		 ncomms, capcomms;
	bool		 finished;
};

int
td_trace_rec_new(const char *path, int ncpus, size_t page_size, struct td_trace_rec **out,
    struct td_error *e)
{
	struct td_trace_rec *w;

	*out = NULL;
	if (ncpus <= 0 || ncpus > TD_TRACE_DAT_MAX_CPUS || page_size == 0)
		return td_error_set(e, EINVAL, path, 0, "bad CPU count or page size");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	strlcpy(w->path, path, sizeof(w->path));
	w->ncpus = ncpus;
	w->page_size = page_size;
	if ((w->out = fopen(path, "we")) == NULL) {
		int r = td_error_set(e, errno, path, 0, "%s", strerror(errno));

		free(w);
		return r;
	}
	w->cpu = calloc((size_t)ncpus, sizeof(*w->cpu));
	w->bytes = calloc((size_t)ncpus, sizeof(*w->bytes));
	w->pad = calloc(1, page_size);
	if (w->cpu == NULL || w->bytes == NULL || w->pad == NULL) {
		td_trace_rec_free(w);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	*out = w;
	return 0;
}

void
td_trace_rec_page(struct td_trace_rec *w, int cpu, const void *page, size_t len)
{
	if (w == NULL || w->err != 0 || cpu < 0 || cpu >= w->ncpus || len == 0)
		return;
	if (len > w->page_size)
		len = w->page_size;
	if (w->cpu[cpu] == NULL && (w->cpu[cpu] = tmpfile()) == NULL) {
		w->err = errno;
		return;
	}
	if (fwrite(page, 1, len, w->cpu[cpu]) != len ||
	    fwrite(w->pad, 1, w->page_size - len, w->cpu[cpu]) != w->page_size - len) {
		w->err = errno ? errno : EIO;
		return;
	}
	w->bytes[cpu] += w->page_size;
}

void
td_trace_rec_comm(struct td_trace_rec *w, int pid, const char *comm)
{
	struct comm *c;

	if (w == NULL || pid <= 0 || comm == NULL || comm[0] == '\0')
		return;
	if (w->ncomms > 0 && w->comms[w->ncomms - 1].pid == pid)
		c = &w->comms[w->ncomms - 1];
	else {
		if (w->ncomms == w->capcomms) {
			size_t ncap = w->capcomms ? w->capcomms * 2 : 256;

			if (ncap > COMMS_MAX ||
			    (c = reallocarray(w->comms, ncap, sizeof(*c))) == NULL)
				return;
			w->comms = c;
			w->capcomms = ncap;
		}
		c = &w->comms[w->ncomms++];
		c->pid = pid;
	}
	strlcpy(c->comm, comm, sizeof(c->comm));
}

/* Write helpers: any failure shows in ferror() at the end. */
static void
put(struct td_trace_rec *w, const void *p, size_t n)
{
	(void)fwrite(p, 1, n, w->out);
}

static void
put32(struct td_trace_rec *w, uint32_t v)
{
	put(w, &v, 4);
}

static void
put64(struct td_trace_rec *w, uint64_t v)
{
	put(w, &v, 8);
}

/* A file of the tracing dir, whole; -errno with e filled. */
static int
slurp(const char *dir, const char *rel, size_t cap, struct td_buf *b, struct td_error *e)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return td_read_file(path, cap, b, e);
}

/* The event formats, grouped by system in the order given. */
static int
put_events(struct td_trace_rec *w, const struct td_trace_rec_meta *m, struct td_error *e)
{
	char sys[64], rel[192];
	uint32_t nsys = 0;
	bool *done;
	int r = 0;

	if ((done = calloc(m->nevents + 1, 1)) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < m->nevents; i++) {
		size_t l = strcspn(m->events[i], "/");
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen = seen || (strncmp(m->events[j], m->events[i], l + 1) == 0);
		nsys += !seen;
	}
	put32(w, nsys);
	for (size_t i = 0; i < m->nevents && r == 0; i++) {
		size_t l = strcspn(m->events[i], "/");
		uint32_t n = 0;

		if (done[i])
			continue;
		snprintf(sys, sizeof(sys), "%.*s", (int)l, m->events[i]);
		for (size_t j = i; j < m->nevents; j++)
			n += strncmp(m->events[j], m->events[i], l + 1) == 0;
		put(w, sys, strlen(sys) + 1);
		put32(w, n);
		for (size_t j = i; j < m->nevents && r == 0; j++) {
			struct td_buf b;

			if (strncmp(m->events[j], m->events[i], l + 1) != 0)
				continue;
			done[j] = true;
			snprintf(rel, sizeof(rel), "events/%s/format", m->events[j]);
			if ((r = slurp(m->tracing_dir, rel, FORMAT_MAX, &b, e)) < 0)
				break;
			put64(w, b.len);
			put(w, b.data, b.len);
			td_buf_free(&b);
		}
	}
	free(done);
	return r;
}

/* The command lines: the names we learnt, then what tracing saved. */
static void
put_cmdlines(struct td_trace_rec *w, const struct td_trace_rec_meta *m)
{
	struct td_buf b = { NULL, 0 };
	char line[96];
	uint64_t len;

	(void)slurp(m->tracing_dir, "saved_cmdlines", 64 << 20, &b, NULL);
	len = b.len;
	for (size_t i = 0; i < w->ncomms; i++)
		len += (uint64_t)snprintf(line, sizeof(line), "%d %s\n", w->comms[i].pid,
		    w->comms[i].comm);
	put64(w, len);
	/* A reader keeps the first name of a pid: ours first. */
	for (size_t i = 0; i < w->ncomms; i++) {
		int n = snprintf(line, sizeof(line), "%d %s\n", w->comms[i].pid, w->comms[i].comm);

		put(w, line, (size_t)n);
	}
	if (b.len > 0)
		put(w, b.data, b.len);
	td_buf_free(&b);
}

/* Copy a CPU's kept pages to the output. */
static int
copy_cpu(struct td_trace_rec *w, int c)
{
	unsigned char buf[65536];
	size_t n;

	if (w->cpu[c] == NULL)
		return 0;
	rewind(w->cpu[c]);
	while ((n = fread(buf, 1, sizeof(buf), w->cpu[c])) > 0)
		put(w, buf, n);
	return ferror(w->cpu[c]) ? -EIO : 0;
}

int
td_trace_rec_finish(struct td_trace_rec *w, const struct td_trace_rec_meta *m,
    struct td_error *e)
{
	static const unsigned char endian_long[2] = {
		__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__, sizeof(long),
	};
	const char *clock = m->clock != NULL ? m->clock : "[local]";
	struct td_buf b;
	uint64_t pos;
	int r;

	if (w->err != 0)
		return td_error_set(e, w->err, w->path, 0, "keeping the trace: %s",
		    strerror(w->err));
	put(w, TD_TRACE_DAT_MAGIC, TD_TRACE_DAT_MAGIC_LEN);
	put(w, "6", 2);
	put(w, endian_long, 2);
	put32(w, (uint32_t)w->page_size);
	if ((r = slurp(m->tracing_dir, "events/header_page", FORMAT_MAX, &b, e)) < 0)
		return r;
	put(w, "header_page", 12);
	put64(w, b.len);
	put(w, b.data, b.len);
	td_buf_free(&b);
	if ((r = slurp(m->tracing_dir, "events/header_event", FORMAT_MAX, &b, e)) < 0)
		return r;
	put(w, "header_event", 13);
	put64(w, b.len);
	put(w, b.data, b.len);
	td_buf_free(&b);
	put32(w, 0);		/* no ftrace formats */
	if ((r = put_events(w, m, e)) < 0)
		return r;
	b.data = NULL;
	b.len = 0;
	if (m->kallsyms != NULL && td_read_file(m->kallsyms, TD_TRACE_DAT_MAX_META, &b, NULL) < 0)
		b.len = 0;
	put32(w, (uint32_t)b.len);
	put(w, b.data, b.len);
	td_buf_free(&b);
	put32(w, 0);		/* no trace_printk formats */
	put_cmdlines(w, m);
	put32(w, (uint32_t)w->ncpus);
	put(w, "flyrecord", 10);
	/* CPU data offsets: after them the clock, then each CPU page-aligned. */
	pos = (uint64_t)ftell(w->out) + 16 * (uint64_t)w->ncpus + 8 + strlen(clock);
	for (int c = 0; c < w->ncpus; c++) {
		pos = (pos + w->page_size - 1) / w->page_size * w->page_size;
		put64(w, pos);
		put64(w, w->bytes[c]);
		pos += w->bytes[c];
	}
	put64(w, strlen(clock));
	put(w, clock, strlen(clock));
	for (int c = 0; c < w->ncpus; c++) {
		long at = ftell(w->out);
		size_t pad = (size_t)((w->page_size - (uint64_t)at % w->page_size) % w->page_size);

		put(w, w->pad, pad);
		if (copy_cpu(w, c) < 0)
			return td_error_set(e, EIO, w->path, 0, "reading back CPU %d's pages", c);
	}
	r = fflush(w->out) != 0 || ferror(w->out);
	if (fclose(w->out) != 0)
		r = 1;
	w->out = NULL;
	if (r)
		return td_error_set(e, errno ? errno : EIO, w->path, 0, "write error: %s",
		    strerror(errno ? errno : EIO));
	w->finished = true;
	return 0;
}

void
td_trace_rec_free(struct td_trace_rec *w)
{
	if (w == NULL)
		return;
	if (w->out != NULL)
		fclose(w->out);
	if (!w->finished)
		unlink(w->path);
	for (int c = 0; w->cpu != NULL && c < w->ncpus; c++)
		if (w->cpu[c] != NULL)
			fclose(w->cpu[c]);
	free(w->cpu);
	free(w->bytes);
	free(w->pad);
	free(w->comms);
	free(w);
}
