/*
 * The trace.dat reader: version 6 and version 7 files through our own
 * flyrecord reader (trace_dat_fly.h), version 7 ones compressed with an
 * algorithm it lacks through libtracecmd when the build has it; either way
 * the records go through the raw decoder.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_dat.h"
#include "trace_dat_check.h"

#ifndef TD_NO_LIBTRACECMD
#include <traceevent/event-parse.h>

#include "trace_dat_fly.h"
#include "trace_dat_z.h"

#ifdef HAVE_LIBTRACECMD
#include <trace-cmd.h>

/* One CPU of one buffer read by libtracecmd: its next record. */
struct stream {
	struct tracecmd_input	*h;
	int			 cpu;
	struct tep_record	*rec;
};
#endif

struct td_trace_dat {
	char			 path[4096];
	int			 fd;		/* our own reader's, -1 otherwise */
	struct td_trace_dat_fly	*fly;
#ifdef HAVE_LIBTRACECMD
	struct tracecmd_input	*top;
	struct tracecmd_input	**inst;		/* buffer instances opened */
	int			 ninst;
	struct stream		*st;
	size_t			 nst;
	struct stream		*last;		/* whose record was handed out */
#endif
	struct tep_handle	*tep;
	struct td_trace_decoder	*dec;
	bool			 stop;
	struct td_trace_dat_stats stats;
	td_trace_dat_cb		 cb;		/* the caller's, during a read */
	void			*arg;
};

bool
td_trace_dat_supported(void)
{
	return true;
}

#ifdef HAVE_LIBTRACECMD
/* Add the streams of every CPU of h that has data. */
static int
add_streams(struct td_trace_dat *d, struct tracecmd_input *h)
{
	int n = tep_get_cpus(tracecmd_get_tep(h)), added = 0;

	if (n <= 0 || n > TD_TRACE_DAT_MAX_CPUS)
		return 0;
	for (int c = 0; c < n; c++) {
		struct tep_record *rec = tracecmd_read_data(h, c);
		struct stream *ns;

		if (rec == NULL)
			continue;
		if ((ns = realloc(d->st, (d->nst + 1) * sizeof(*ns))) == NULL) {
			tracecmd_free_record(rec);
			return -ENOMEM;
		}
		d->st = ns;
		d->st[d->nst++] = (struct stream){ h, c, rec };
		added++;
	}
	if (added > 0)
		d->stats.buffers++;
	if (n > d->stats.ncpus)
		d->stats.ncpus = n;
	return 0;
}

/* Open a compressed file with libtracecmd, which takes fd over. */
static int
open_tracecmd(struct td_trace_dat *d, int fd, const struct td_trace_dat_info *info,
    struct td_error *e)
{
	int n;

	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	d->top = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS |
	    TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (d->top == NULL)
		return td_error_set(e, EINVAL, d->path, 0,
		    "libtracecmd cannot read this trace.dat (version %d%s%s)", info->version,
		    strcmp(info->compression, "none") != 0 ? ", compressed with " : "",
		    strcmp(info->compression, "none") != 0 ? info->compression : "");
	d->tep = tracecmd_get_tep(d->top);
	if (add_streams(d, d->top) < 0)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	n = tracecmd_buffer_instances(d->top);
	if (n > 0 && (d->inst = calloc((size_t)n, sizeof(*d->inst))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	for (int i = 0; i < n; i++) {
		struct tracecmd_input *h = tracecmd_buffer_instance_handle(d->top, i);

		if (h == NULL)
			continue;
		d->inst[d->ninst++] = h;
		if (add_streams(d, h) < 0)
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	return 0;
}

/* libtracecmd's next record of all streams: 1 and r filled, 0 at the end. */
static int
next_tracecmd(struct td_trace_dat *d, struct td_trace_dat_frec *r)
{
	struct stream *s = NULL;
	struct tep_record *rec;

	if (d->last != NULL) {
		tracecmd_free_record(d->last->rec);
		d->last->rec = tracecmd_read_data(d->last->h, d->last->cpu);
		d->last = NULL;
	}
	for (size_t i = 0; i < d->nst; i++)
		if (d->st[i].rec != NULL && (s == NULL || d->st[i].rec->ts < s->rec->ts))
			s = &d->st[i];
	if (s == NULL)
		return 0;
	d->last = s;
	rec = s->rec;
	*r = (struct td_trace_dat_frec){ rec->ts, rec->data,
	    rec->size > 0 ? (size_t)rec->size : 0, s->cpu, (uint64_t)rec->offset,
	    rec->missed_events };
	return 1;
}
#endif

int
td_trace_dat_open(int fd, const char *path, struct td_trace_dat **out, struct td_error *e)
{
	struct td_trace_dat_info info;
	struct td_trace_dat *d;
	struct stat sb;
	int r;

	*out = NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return td_error_set(e, EINVAL, path, 0, "a trace.dat must be a regular file");
	}
	if ((r = td_trace_dat_check(fd, (uint64_t)sb.st_size, path, &info, e)) < 0) {
		close(fd);
		return r;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		close(fd);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	strlcpy(d->path, path, sizeof(d->path));
	d->fd = fd;
	if (info.version == 6 || strcmp(info.compression, "none") == 0 ||
	    td_trace_dat_z_supported(info.compression)) {
		if ((r = td_trace_dat_fly_open(fd, d->path, &info, &d->fly, e)) < 0)
			goto fail;
		d->tep = td_trace_dat_fly_tep(d->fly);
		d->stats.ncpus = td_trace_dat_fly_cpus(d->fly);
		d->stats.buffers = td_trace_dat_fly_buffers(d->fly);
	} else {
#ifdef HAVE_LIBTRACECMD
		d->fd = -1;	/* libtracecmd's from here, failed or not */
		if ((r = open_tracecmd(d, fd, &info, e)) < 0)
			goto fail;
#else
		r = td_error_set(e, ENOTSUP, path, 0,
		    "byte 10: a trace.dat compressed with %s: read only through libtracecmd, "
		    "which this build lacks (uncompressed and zlib files are read without it)",
		    info.compression);
		goto fail;
#endif
	}
	if ((r = td_trace_decoder_new(d->tep, &d->dec, e)) < 0) {
		r = td_error_set(e, -r, path, 0,
		    "no timer, interrupt, idle or scheduler event format in the file");
		goto fail;
	}
	*out = d;
	return 0;
fail:
	td_trace_dat_free(d);
	return r;
}

void
td_trace_dat_free(struct td_trace_dat *d)
{
	if (d == NULL)
		return;
	td_trace_decoder_free(d->dec);
	td_trace_dat_fly_free(d->fly);
#ifdef HAVE_LIBTRACECMD
	for (size_t i = 0; i < d->nst; i++)
		if (d->st[i].rec != NULL)
			tracecmd_free_record(d->st[i].rec);
	free(d->st);
	for (int i = 0; i < d->ninst; i++)
		tracecmd_close(d->inst[i]);
	free(d->inst);
	if (d->top != NULL)
		tracecmd_close(d->top);
#endif
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

/* The next record of the file in time order: 1, 0 at the end, -errno with e. */
static int
next_record(struct td_trace_dat *d, struct td_trace_dat_frec *r, struct td_error *e)
{
#ifdef HAVE_LIBTRACECMD
	if (d->fly == NULL)
		return next_tracecmd(d, r);
#endif
	return td_trace_dat_fly_next(d->fly, r, e);
}

/* Count a decoded event and hand it on. */
static void
on_event(const struct td_tev *ev, void *arg)
{
	struct td_trace_dat *d = arg;

	if ((unsigned)ev->type < TD_TEV_NTYPES)
		d->stats.types[ev->type]++;
	d->stats.decoded++;
	d->cb(ev, d->arg);
}

int
td_trace_dat_read(struct td_trace_dat *d, td_trace_dat_cb cb, void *arg, struct td_error *e)
{
	d->stop = false;
	d->cb = cb;
	d->arg = arg;
	while (!d->stop) {
		struct td_trace_dat_frec rec;
		int r;

		if ((r = next_record(d, &rec, e)) <= 0)
			return r;
		if (d->stats.records++ == 0)
			d->stats.first_ts = rec.ts;
		if (rec.ts > d->stats.last_ts)
			d->stats.last_ts = rec.ts;
		if (rec.missed > 0)
			d->stats.lost += (uint64_t)rec.missed;
		else if (rec.missed < 0)
			d->stats.lost_unknown++;
		r = td_trace_decode_record(d->dec, rec.data, rec.size, rec.cpu, rec.ts, on_event, d);
		if (r < 0 && d->stats.malformed++ == 0)
			d->stats.first_malformed = rec.offset;
	}
	return 1;
}

const char *
td_trace_dat_function_name(const struct td_trace_dat *d, uint64_t fn)
{
	return tep_find_function(d->tep, fn);
}

const char *
td_trace_dat_comm(const struct td_trace_dat *d, int pid)
{
	if (pid <= 0 || !tep_is_pid_registered(d->tep, pid))
		return NULL;
	return tep_data_comm_from_pid(d->tep, pid);
}

uint32_t
td_trace_dat_deferrable_flag(const struct td_trace_dat *d)
{
	return td_trace_decoder_deferrable_flag(d->dec);
}

uint32_t
td_trace_dat_pinned_flag(const struct td_trace_dat *d)
{
	return td_trace_decoder_pinned_flag(d->dec);
}

#else	/* TD_NO_LIBTRACECMD: timerinfo, which reads no trace.dat */

struct td_trace_dat {
	struct td_trace_dat_stats stats;
};

bool
td_trace_dat_supported(void)
{
	return false;
}

int
td_trace_dat_open(int fd, const char *path, struct td_trace_dat **out, struct td_error *e)
{
	*out = NULL;
	close(fd);
	return td_error_set(e, ENOTSUP, path, 0,
	    "a trace.dat: trace.dat support is not built into this tool (timerstat and wakeuptop read it)");
}

void
td_trace_dat_free(struct td_trace_dat *d)
{
	free(d);
}

int
td_trace_dat_read(struct td_trace_dat *d, td_trace_dat_cb cb, void *arg, struct td_error *e)
{
	(void)d;
	(void)cb;
	(void)arg;
	return td_error_set(e, ENOTSUP, NULL, 0, "trace.dat support is not built into this tool");
}

const char *
td_trace_dat_function_name(const struct td_trace_dat *d, uint64_t fn)
{
	(void)d;
	(void)fn;
	return NULL;
}

const char *
td_trace_dat_comm(const struct td_trace_dat *d, int pid)
{
	(void)d;
	(void)pid;
	return NULL;
}

uint32_t
td_trace_dat_deferrable_flag(const struct td_trace_dat *d)
{
	(void)d;
	return 0;
}

uint32_t
td_trace_dat_pinned_flag(const struct td_trace_dat *d)
{
	(void)d;
	return 0;
}

#endif

void
td_trace_dat_stop(struct td_trace_dat *d)
{
#ifndef TD_NO_LIBTRACECMD
	d->stop = true;
#else
	(void)d;
#endif
}

const struct td_trace_dat_stats *
td_trace_dat_stats(const struct td_trace_dat *d)
{
	return &d->stats;
}
