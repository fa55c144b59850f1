/*
 * The tracefs backend: a private instance (instances/timerdiag-PID) with the
 * timer, IRQ, softirq, idle and scheduler tracepoints, read as binary per-CPU
 * sub-buffers (trace_pipe_raw) through libtracefs, decoded by trace_decode.c
 * and handed to the wakeup attribution (attribution.c), which knames.c
 * serves with the names of callbacks (/proc/kallsyms) and tasks (/proc).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <tracefs/tracefs.h>
#include <traceevent/event-parse.h>

#include "attribution.h"
#include "cpubudget.h"
#include "fdroom.h"
#include "internal.h"
#include "interrupts.h"
#include "knames.h"
#include "sampler_internal.h"
#include "source.h"
#include "trace_dat_write.h"
#include "trace_decode.h"

#define TRACING_DIR		"/sys/kernel/tracing"
#define TRACEFS_MAGIC_NR	0x74726163
#define MOUNT_STAMP		"/run/timerdiag-tracefs.mount"
#define HOLD_MAX		((size_t)2 << 20)	/* bytes of sub-buffers held, at most */
#define BUFFER_KB		8192			/* per-CPU buffer by default (buffer_kb) */
#define PIPE			8	/* events decoded ahead of the one attributed */

/* Per-CPU reader and decoding state. */
struct cpu_state {
	int			 fd;
	struct tracefs_cpu	*tcpu;
	bool			 pend;		/* a cancel waiting for the next event */
	uint64_t		 pend_ptr;
	uint64_t		 pend_ts;
	uint64_t		 base_lost;	/* overrun + dropped at the interval start */
};

struct tr_priv {
	bool			 mounted;	/* we mounted tracefs: unmount at the end */
	struct tracefs_instance	*inst;
	bool			 created;
	bool			 on;		/* tracing_on is 1 (turned off at creation) */
	bool			 started;	/* tracing was on once: its lost counts read */
	char			 name[64];
	struct tep_handle	*tep;
	struct td_trace_decoder	*dec;
	struct td_knames	*names;		/* callbacks and tasks */
	struct td_attr		*attr;
	struct td_interrupts	*irq;		/* /proc/interrupts at open: vector descriptions */
	bool			 idle_traced;	/* cpu_idle or sched_switch enabled: wakeups counted */
	int			 ncpus;
	struct cpu_state	*cpu;
	int			 epfd;
	void			*page;
	int			 page_size;
	uint64_t		 processed;
	/*
	 * Events decoded but not attributed yet: each one's table slots are
	 * asked for (td_attr_prefetch) PIPE events before it is attributed,
	 * so that at 10,000 sources their cache misses overlap.
	 */
	struct td_tev		 pipe[PIPE];
	unsigned		 pipe_at, pipe_n;
	char			*cmdlines;	/* saved_cmdlines, read at most once per collect */
	uint64_t		 missed;	/* kbuffer's lost-events marks (fallback) */
	/*
	 * Until the tick's callbacks are known (the attribution asks at event
	 * time), the sub-buffers read are held, not decoded: the first collect
	 * finds the tick and names the callbacks held in one kallsyms pass.
	 */
	unsigned char		*held;		/* nheld sub-buffers of page_size bytes */
	struct held_page {
		int		 cpu, len;
	}			*held_pg;
	size_t			 nheld, held_cap;
	bool			 missed_unknown;
	const struct td_sampler	*s;
	/* --record: every sub-buffer read goes to the recorder too. */
	struct td_trace_rec	*rec;
	char			 rec_names[48][64];	/* "SYS/NAME" enabled */
	const char		*rec_events[48];	/* pointers to them */
	size_t			 rec_n;
};

/* A tracepoint we enable: system, name, whether to filter out our own pid. */
struct tr_event {
	const char	*sys, *name;
	bool		 self;
	bool		 tick;		/* only with TD_SAMPLER_EV_TICK (at the end of the table) */
};

static void saved_comm(void *ctx, int pid, char *out, size_t len);

/* The attribution's questions, answered by knames.c. */
static bool
names_is_tick(void *ctx, uint64_t fn)
{
	return td_knames_is_tick(((struct tr_priv *)ctx)->names, fn);
}

static const char *
names_function(void *ctx, uint64_t fn)
{
	return td_knames_function(((struct tr_priv *)ctx)->names, fn);
}

static const char *
tr_function_name(const struct td_sampler *s, uint64_t fn)
{
	const struct tr_priv *t = s->priv;

	return t->names != NULL ? td_knames_function(t->names, fn) : NULL;
}

static struct td_armers *
tr_armers(struct td_sampler *s)
{
	struct tr_priv *t = s->priv;

	return t->attr != NULL ? td_attr_armers(t->attr) : NULL;
}

/* A task's names, which the --record file also keeps (its comm list). */
static void
names_task(void *ctx, int pid, struct td_task_info *ti)
{
	struct tr_priv *t = ctx;

	td_knames_task(t->names, pid, ti);
	if (ti->comm[0] != '\0')
		td_trace_rec_comm(t->rec, pid, ti->comm);
}

/* Start loading the task cache's slot, or entry, of pid (the attribution asks ahead). */
static void
names_prefetch_task(void *ctx, int pid, bool entry)
{
	td_knames_prefetch_task(((struct tr_priv *)ctx)->names, pid, entry);
}

/* Hand a decoded event to the attribution, then to the caller's observer. */
static void
attribute(const struct tr_priv *t, const struct td_tev *ev)
{
	td_attr_event(t->attr, ev);
	if (t->s->opts.observe != NULL)
		t->s->opts.observe(ev, t->s->opts.observe_arg);
}

/* A decoded event: its table slots asked for now, itself attributed PIPE events later. */
static void
on_event(const struct td_tev *ev, void *arg)
{
	struct tr_priv *t = arg;

	td_attr_prefetch(t->attr, ev);
	if (t->pipe_n < PIPE) {
		t->pipe[(t->pipe_at + t->pipe_n++) % PIPE] = *ev;
		return;
	}
	attribute(t, &t->pipe[t->pipe_at]);
	t->pipe[t->pipe_at] = *ev;
	t->pipe_at = (t->pipe_at + 1) % PIPE;
	/* Halfway through the pipe, the slots are in: what they point to. */
	td_attr_prefetch_more(t->attr, &t->pipe[(t->pipe_at + PIPE / 2 - 1) % PIPE]);
}

/* Attribute the events left in the pipe, in order (their sub-buffer is about to go). */
static void
pipe_flush(struct tr_priv *t)
{
	for (; t->pipe_n > 0; t->pipe_n--) {
		attribute(t, &t->pipe[t->pipe_at]);
		t->pipe_at = (t->pipe_at + 1) % PIPE;
	}
	t->pipe_at = 0;
}

/* Overrun + dropped events of one CPU of the instance so far; false when unreadable. */
static bool
cpu_lost(struct tr_priv *t, int cpu, uint64_t *sum)
{
	char name[64], *text, *p;

	*sum = 0;
	snprintf(name, sizeof(name), "per_cpu/cpu%d/stats", cpu);
	if ((text = tracefs_instance_file_read(t->inst, name, NULL)) == NULL)
		return false;
	if ((p = strstr(text, "overrun:")) != NULL)
		*sum += strtoull(p + 8, NULL, 10);
	if ((p = strstr(text, "dropped events:")) != NULL)
		*sum += strtoull(p + 15, NULL, 10);
	free(text);
	return true;
}

/* Whether a path is a mounted tracefs. */
static bool
is_tracefs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == TRACEFS_MAGIC_NR;
}

/*
 * Write the mount's stamp: the pid whose duty it is to unmount tracefs, 0
 * for none (its mounter left while another run still used it: the last
 * run that used it unmounts).
 */
static void
stamp_mount(int pid)
{
	FILE *f = fopen(MOUNT_STAMP, "we");

	if (f != NULL) {
		fprintf(f, "%d\n", pid);
		fclose(f);
	}
}

/*
 * A mount left by a run that has exited (killed, or unable to unmount while
 * another run used it): take over the duty to unmount it.
 */
static bool
inherit_mount(void)
{
	FILE *f = fopen(MOUNT_STAMP, "re");
	int pid = 0;

	if (f == NULL)
		return false;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH))
		return false;	/* its owner still runs */
	return true;
}

/* Remove instances timerdiag-PID whose PID is dead; returns how many. */
int
td_sampler_remove_stale(const char *tracing_dir, struct td_error *e)
{
	char dir[4096], path[4400];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/instances", tracing_dir ? tracing_dir : TRACING_DIR);
	if ((d = opendir(dir)) == NULL)
		return td_error_set(e, errno, dir, 0, "%s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		const char *errstr = NULL;
		long long pid;

		if (strncmp(de->d_name, "timerdiag-", 10) != 0)
			continue;
		pid = strtonum(de->d_name + 10, 1, 1 << 30, &errstr);
		if (errstr != NULL || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (rmdir(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/*
 * Enable the events this kernel has (their formats parsed) through one open
 * of the instance's set_event, a name a write (the kernel takes one a write),
 * each filtered first when asked (our own pid's arms and cancels left out);
 * the ones enabled are kept for --record.  Returns how many.
 */
static int
enable_events(struct tr_priv *t, const struct tr_event *events, size_t nev)
{
	char flt[64], tok[128];
	int fd, n = 0;

	snprintf(flt, sizeof(flt), "common_pid != %d", (int)getpid());
	/* No O_TRUNC: that would disable every event of the instance first. */
	if ((fd = tracefs_instance_file_open(t->inst, "set_event", O_WRONLY | O_CLOEXEC)) < 0)
		return 0;
	for (size_t i = 0; i < nev && t->rec_n < TD_ARRAY_SIZE(t->rec_names); i++) {
		int len;

		if (tep_find_event_by_name(t->tep, events[i].sys, events[i].name) == NULL ||
		    (events[i].self && tracefs_event_file_write(t->inst, events[i].sys,
		    events[i].name, "filter", flt) < 0))
			continue;
		len = snprintf(tok, sizeof(tok), "%s:%s\n", events[i].sys, events[i].name);
		if (write(fd, tok, (size_t)len) != len)
			continue;
		n++;
		snprintf(t->rec_names[t->rec_n], sizeof(t->rec_names[0]), "%s/%s",
		    events[i].sys, events[i].name);
		t->rec_events[t->rec_n] = t->rec_names[t->rec_n];
		t->rec_n++;
	}
	close(fd);
	return n;
}

/*
 * A tep knowing only the header page and the formats of our events (no
 * kallsyms, printk formats or saved_cmdlines: they cost megabytes).
 */
static int
build_tep(struct tr_priv *t, const struct tr_event *events, size_t n, struct td_error *e)
{
	struct td_buf hb;
	int r, nparsed = 0;

	if ((t->tep = tep_alloc()) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	tep_set_file_bigendian(t->tep, tep_is_local_bigendian(t->tep) ?
	    TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_long_size(t->tep, (int)sizeof(long));
	tep_set_page_size(t->tep, getpagesize());
	if ((r = td_read_file(TRACING_DIR "/events/header_page", 1 << 16, &hb, e)) < 0)
		return r;
	r = tep_parse_header_page(t->tep, hb.data, (unsigned long)hb.len, (int)sizeof(long));
	td_buf_free(&hb);
	if (r < 0)
		return td_error_set(e, EIO, TRACING_DIR "/events/header_page", 0,
		    "cannot parse the sub-buffer header format");
	for (size_t i = 0; i < n; i++) {
		char *fmt;
		int size = 0;

		fmt = tracefs_event_file_read(NULL, events[i].sys, events[i].name, "format",
		    &size);
		if (fmt == NULL)
			continue;	/* not in this kernel */
		size = td_trace_format_trim(fmt, size);
		if (tep_parse_event(t->tep, fmt, (unsigned long)size, events[i].sys) == 0)
			nparsed++;
		free(fmt);
	}
	if (nparsed == 0)
		return td_error_set(e, EIO, TRACING_DIR "/events", 0, "cannot read event formats");
	return 0;
}

/*
 * The per-CPU buffer size to set, in KiB, or 0 to keep the one the kernel
 * gave the new instance: the size asked for; else BUFFER_KB, which holds
 * about a second of a heavy load, held to the machine's budget for all CPUs
 * (cpubudget.h: 8 MiB a CPU would be 32 GiB on 4,096 CPUs), or a run's share
 * of it when the whole run is shorter (timerstat -d 10ms -n 1 allocates and
 * frees no 16 MiB), never less than the kernel's own size (0 then: nothing
 * to write).
 */
static int
buffer_kb(struct tr_priv *t, const struct td_sampler_opts *o)
{
	uint64_t full, want;
	char *cur;
	long have;

	if (o->buffer_kb != 0)
		return (int)o->buffer_kb;
	full = td_tracebuf_kb(BUFFER_KB);
	if (o->run_ns == 0 || o->run_ns >= 1000000000ULL)
		return (int)full;
	want = (full * o->run_ns + 999999999ULL) / 1000000000ULL;
	if ((cur = tracefs_instance_file_read(t->inst, "buffer_size_kb", NULL)) == NULL)
		return (int)full;
	have = strtol(cur, NULL, 10);
	free(cur);
	return have > 0 && (uint64_t)have >= want ? 0 : (int)want;
}

#define TMIGR(name)	{ "timer_migration", name, false, true }
/* Mount tracefs if needed, clean stale instances, create and arm ours. */
static int
tr_open(struct td_sampler *s, struct td_error *e)
{
	static char tdir[] = TRACING_DIR;
	static const struct tr_event events[] = {
		{ "timer", "timer_start", true, false },
		{ "timer", "hrtimer_start", true, false },
		{ "timer", "timer_expire_entry", false, false },
		{ "timer", "hrtimer_expire_entry", false, false },
		{ "timer", "timer_cancel", true, false },
		{ "timer", "hrtimer_cancel", true, false },
		{ "irq", "irq_handler_entry", false, false },
		{ "irq", "softirq_entry", false, false },
		{ "irq_vectors", "local_timer_entry", false, false },
		{ "irq_vectors", "reschedule_entry", false, false },
		{ "irq_vectors", "call_function_entry", false, false },
		{ "irq_vectors", "call_function_single_entry", false, false },
		{ "irq_vectors", "irq_work_entry", false, false },
		{ "irq_vectors", "x86_platform_ipi_entry", false, false },
		{ "irq_vectors", "thermal_apic_entry", false, false },
		{ "irq_vectors", "threshold_apic_entry", false, false },
		{ "irq_vectors", "deferred_error_apic_entry", false, false },
		{ "irq_vectors", "error_apic_entry", false, false },
		{ "irq_vectors", "spurious_apic_entry", false, false },
		{ "power", "cpu_idle", false, false },
		{ "power", "cpu_idle_miss", false, false },
		{ "sched", "sched_switch", false, false },
		/* TD_SAMPLER_EV_TICK only, from here on: the tick explanation's. */
		{ "timer", "tick_stop", false, true },
		{ "timer", "timer_base_idle", false, true },
		{ "irq", "softirq_raise", false, true },
		TMIGR("tmigr_cpu_active"), TMIGR("tmigr_cpu_idle"),
		TMIGR("tmigr_cpu_new_timer"), TMIGR("tmigr_cpu_new_timer_idle"),
		TMIGR("tmigr_handle_remote_cpu"), TMIGR("tmigr_handle_remote"),
		TMIGR("tmigr_cpu_online"), TMIGR("tmigr_cpu_offline"),
		TMIGR("tmigr_cpu_available"), TMIGR("tmigr_cpu_unavailable"),
		TMIGR("tmigr_group_set_cpu_active"), TMIGR("tmigr_group_set_cpu_inactive"),
	};
	size_t nbase = 0, nev;
	struct tr_priv *t;
	struct epoll_event ee;
	int r, nenabled = 0;
	unsigned long limit;
	char kb[16];

	/* The events every sample needs come first; the tick explanation's follow. */
	while (nbase < TD_ARRAY_SIZE(events) && !events[nbase].tick)
		nbase++;
	nev = (s->opts.extra_events & TD_SAMPLER_EV_TICK) ? TD_ARRAY_SIZE(events) : nbase;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	s->priv = t;
	t->s = s;
	t->epfd = -1;
	if (!s->live)
		return td_error_set(e, ENOTSUP, NULL, 0, "tracefs: only on the live system");
	if (geteuid() != 0)
		return td_error_set(e, EACCES, TRACING_DIR, 0, TRACING_DIR " needs root");
	if (!is_tracefs(TRACING_DIR)) {
		if (mount("nodev", TRACING_DIR, "tracefs", 0, NULL) < 0)
			return td_error_set(e, errno, TRACING_DIR, 0, "cannot mount tracefs: %s",
			    strerror(errno));
		t->mounted = true;
	} else if (inherit_mount()) {
		t->mounted = true;
	}
	if (t->mounted)
		stamp_mount((int)getpid());
	tracefs_set_tracing_dir(tdir);
	(void)td_sampler_remove_stale(TRACING_DIR, NULL);
	snprintf(t->name, sizeof(t->name), "timerdiag-%d", (int)getpid());
	/*
	 * Ours alone: an instance of this name left by a killed run whose pid
	 * we now have holds its events; libtracefs would hand it back as it is.
	 */
	if (tracefs_instance_exists(t->name)) {
		char path[128];

		snprintf(path, sizeof(path), TRACING_DIR "/instances/%s", t->name);
		if (rmdir(path) < 0)
			return td_error_set(e, errno, path, 0,
			    "an instance of our name exists and cannot be removed: %s",
			    strerror(errno));
	}
	if ((t->inst = tracefs_instance_create(t->name)) == NULL)
		return td_error_set(e, errno ? errno : EIO, TRACING_DIR "/instances", 0,
		    "cannot create instance %s", t->name);
	t->created = true;
	tracefs_trace_off(t->inst);
	/*
	 * The per-CPU buffer is sized before tracing starts: the kernel drops
	 * events while it resizes a buffer, without counting them as lost, so a
	 * resize during the sample (tried: at the first pump) loses the first
	 * interval's events silently.
	 */
	if ((r = buffer_kb(t, &s->opts)) > 0) {
		snprintf(kb, sizeof(kb), "%d", r);
		tracefs_instance_file_write(t->inst, "buffer_size_kb", kb);
	}
	/*
	 * Wake the reader only when half a per-CPU buffer is filled: a quiet
	 * machine is drained once per interval by collect (the caller's own
	 * tick), a busy one by pump long before the other half fills.
	 */
	tracefs_instance_file_write(t->inst, "buffer_percent", "50");
	if (s->opts.trace_clock != NULL &&
	    tracefs_instance_file_write(t->inst, "trace_clock", s->opts.trace_clock) < 0)
		return td_error_set(e, errno ? errno : EINVAL, "trace_clock", 0,
		    "cannot set the instance's trace clock to %s", s->opts.trace_clock);
	if ((r = build_tep(t, events, nev, e)) < 0)
		return r;
	if ((r = td_trace_decoder_new(t->tep, &t->dec, e)) < 0)
		return r;
	if (!td_trace_decoder_has(t->dec, TD_TEV_TIMER_START) &&
	    !td_trace_decoder_has(t->dec, TD_TEV_HRTIMER_START))
		return td_error_set(e, ENOENT, TRACING_DIR "/events/timer", 0,
		    "no timer tracepoints in this kernel");
	nenabled = enable_events(t, events, nev);
	if (nenabled == 0)
		return td_error_set(e, EIO, TRACING_DIR, 0, "cannot enable any timer event");
	t->ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (t->ncpus < 1)
		t->ncpus = 1;
	t->idle_traced = td_trace_decoder_has(t->dec, TD_TEV_IDLE) ||
	    td_trace_decoder_has(t->dec, TD_TEV_SCHED_SWITCH);
	if (td_knames_new(false, NULL, saved_comm, t, &t->names) < 0)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	(void)td_interrupts_load(NULL, "/proc/interrupts", &t->irq, NULL);
	{
		struct td_attr_opts ao = {
			.ncpus = t->ncpus,
			.cpus = s->have_cpus ? &s->cpus : NULL,
			.defer_flag = td_trace_decoder_deferrable_flag(t->dec),
			.pin_flag = td_trace_decoder_pinned_flag(t->dec),
			.wakeups = t->idle_traced,
			.idle_misses = td_trace_decoder_has(t->dec, TD_TEV_IDLE_MISS),
			.names = { .is_tick = names_is_tick, .function = names_function,
			    .task = names_task, .ctx = t, .prefetch_task = names_prefetch_task },
		};

		if ((r = td_attr_new(&ao, &t->attr, e)) < 0)
			return r;
	}
	if ((t->cpu = calloc((size_t)t->ncpus, sizeof(*t->cpu))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	for (int c = 0; c < t->ncpus; c++)
		t->cpu[c].fd = -1;	/* tr_close closes what is not: none is stdin */
	t->page_size = getpagesize();
	if ((t->page = malloc((size_t)t->page_size)) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	if ((t->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return td_error_set(e, errno, NULL, 0, "epoll: %s", strerror(errno));
	/* a file per CPU: past 1,000 CPUs more than the usual soft limit */
	limit = td_fd_room((unsigned long)t->ncpus + TD_FD_SPARE);
	for (int c = 0; c < t->ncpus; c++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "per_cpu/cpu%d/trace_pipe_raw", c);
		t->cpu[c].fd = tracefs_instance_file_open(t->inst, rel, O_RDONLY | O_NONBLOCK);
		if (t->cpu[c].fd < 0 && errno == ENOENT)
			continue;	/* not a possible CPU */
		if (t->cpu[c].fd < 0) {
			int err = errno;
			char path[192];

			snprintf(path, sizeof(path), TRACING_DIR "/instances/%s/%s", t->name, rel);
			if (err == EMFILE || err == ENFILE)
				return td_error_set(e, err, path, 0, "%s (a file for each of %d "
				    "CPUs; open files limited to %lu: ulimit -n)", strerror(err),
				    t->ncpus, limit);
			return td_error_set(e, err, path, 0, "%s", strerror(err));
		}
		t->cpu[c].tcpu = tracefs_cpu_alloc_fd(t->cpu[c].fd, t->page_size, true);
		memset(&ee, 0, sizeof(ee));
		ee.events = EPOLLIN;
		ee.data.u32 = (uint32_t)c;
		(void)epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->cpu[c].fd, &ee);
	}
	if (s->opts.record_file != NULL)
		return td_trace_rec_new(s->opts.record_file, t->ncpus, (size_t)t->page_size,
		    &t->rec, e);
	return 0;
}

/* Turn tracing on in our instance. */
static int
tr_start(struct td_sampler *s, struct td_error *e)
{
	struct tr_priv *t = s->priv;

	/*
	 * The instance is ours and traced nothing before its first start: its
	 * lost counts are 0 then, not read (a file per CPU).
	 */
	for (int c = 0; t->started && c < t->ncpus; c++)
		if (t->cpu[c].fd >= 0)		/* a CPU that is not possible has no stats */
			(void)cpu_lost(t, c, &t->cpu[c].base_lost);
	if (tracefs_trace_on(t->inst) < 0)
		return td_error_set(e, errno ? errno : EIO, t->name, 0, "cannot turn tracing on");
	t->on = t->started = true;
	return 0;
}

/* The epoll fd over the per-CPU buffers. */
static int
tr_fd(const struct td_sampler *s)
{
	const struct tr_priv *t = s->priv;

	return t->epfd;
}

/* Decode one sub-buffer of a CPU into the attribution. */
static int
decode_page(struct tr_priv *t, int cpu, const void *page, size_t len)
{
	long missed = 0;
	int n = td_trace_decode(t->dec, page, len, cpu, on_event, t, &missed);

	pipe_flush(t);
	if (n > 0)
		t->processed += (uint64_t)n;
	if (missed > 0)
		t->missed += (uint64_t)missed;
	else if (missed < 0)
		t->missed_unknown = true;
	return n;
}

/* td_trace_decode: keep the callback of a timer event. */
static void
want_fn(const struct td_tev *ev, void *arg)
{
	if (ev->type == TD_TEV_TIMER_START || ev->type == TD_TEV_HRTIMER_START ||
	    ev->type == TD_TEV_TIMER_EXPIRE || ev->type == TD_TEV_HRTIMER_EXPIRE)
		td_knames_list_add(arg, ev->function);
}

/*
 * Find the tick's callbacks and name the callbacks of the held sub-buffers
 * in one kallsyms pass, then decode them into the attribution.
 */
static void
release(struct tr_priv *t)
{
	struct td_knames_list l = { NULL, 0, 0, false };
	long missed;

	for (size_t i = 0; i < t->nheld; i++)
		(void)td_trace_decode(t->dec, t->held + i * (size_t)t->page_size,
		    (size_t)t->held_pg[i].len, t->held_pg[i].cpu, want_fn, &l, &missed);
	/* Those left out (no memory) are named at collect, in a pass of their own. */
	td_knames_resolve_addrs(t->names, l.addr, l.n);
	free(l.addr);
	for (size_t i = 0; i < t->nheld; i++)
		(void)decode_page(t, t->held_pg[i].cpu, t->held + i * (size_t)t->page_size,
		    (size_t)t->held_pg[i].len);
	free(t->held);
	free(t->held_pg);
	t->held = NULL;
	t->held_pg = NULL;
	t->nheld = t->held_cap = 0;
}

/* Hold the sub-buffer just read while the tick is unknown; false: decode it now. */
static bool
hold(struct tr_priv *t, int cpu, int len)
{
	if (td_knames_tick_known(t->names))
		return false;
	if (t->nheld == t->held_cap) {
		size_t nc = t->held_cap ? t->held_cap * 2 : 16;
		struct held_page *np;
		unsigned char *nh;

		if (nc * (size_t)t->page_size > HOLD_MAX ||
		    (nh = reallocarray(t->held, nc, (size_t)t->page_size)) == NULL) {
			release(t);	/* too much to hold: the tick found alone */
			return false;
		}
		t->held = nh;
		if ((np = reallocarray(t->held_pg, nc, sizeof(*np))) == NULL) {
			release(t);
			return false;
		}
		t->held_pg = np;
		t->held_cap = nc;
	}
	memcpy(t->held + t->nheld * (size_t)t->page_size, t->page, (size_t)len);
	t->held_pg[t->nheld].cpu = cpu;
	t->held_pg[t->nheld].len = len;
	t->nheld++;
	return true;
}

/* Read and decode (or hold) up to max_pages sub-buffers of each CPU's buffer. */
static void
drain(struct tr_priv *t, int max_pages)
{
	for (int c = 0; c < t->ncpus; c++) {
		struct cpu_state *cs = &t->cpu[c];

		if (cs->tcpu == NULL)
			continue;
		for (int pages = 0; pages < max_pages; pages++) {
			int got = tracefs_cpu_read(cs->tcpu, t->page, true), n = 0;

			if (got <= 0)
				break;
			td_trace_rec_page(t->rec, c, t->page, (size_t)got);
			if (!hold(t, c, got))
				n = decode_page(t, c, t->page, (size_t)got);
			/* A part page: caught up with the writer; poll again. */
			if (n >= 0 && got < t->page_size)
				break;
		}
	}
}

/*
 * Drain a bounded amount (4 MiB per CPU), so that the caller's interval timer
 * is served on time even when the writers keep ahead; poll says if more waits.
 */
static int
tr_pump(struct td_sampler *s, struct td_error *e)
{
	(void)e;
	drain(s->priv, 1024);
	return 0;
}

/* The comm tracefs saved for pid (saved_cmdlines), "" if none. */
static void
saved_comm(void *ctx, int pid, char *out, size_t len)
{
	struct tr_priv *t = ctx;
	const char *p;

	out[0] = '\0';
	if (t->cmdlines == NULL) {
		t->cmdlines = tracefs_instance_file_read(NULL, "saved_cmdlines", NULL);
		if (t->cmdlines == NULL)
			return;
	}
	for (p = t->cmdlines; p != NULL && *p != '\0'; ) {
		char *end;
		long v = strtol(p, &end, 10);
		const char *nl = strchr(p, '\n');

		if (end != p && v == pid && *end == ' ') {
			size_t n = nl ? (size_t)(nl - end - 1) : strlen(end + 1);

			if (n >= len)
				n = len - 1;
			memcpy(out, end + 1, n);
			out[n] = '\0';
			return;
		}
		p = nl ? nl + 1 : NULL;
	}
}

/* Drain, turn the counted sources into the sample, and reset for the next interval. */
static int
tr_collect(struct td_sampler *s, struct td_sample *p, struct td_error *e)
{
	struct tr_priv *t = s->priv;
	uint64_t lost = 0;
	int r;

	drain(t, 1 << 20);
	if (!td_knames_tick_known(t->names))
		release(t);	/* the first collect: decode what was held */
	p->lost_known = true;
	for (int c = 0; c < t->ncpus; c++) {
		uint64_t now;

		if (t->cpu[c].fd < 0)
			continue;	/* not a possible CPU */
		if (!cpu_lost(t, c, &now)) {
			p->lost_known = false;	/* unknown, not 0 */
			continue;
		}
		lost += now >= t->cpu[c].base_lost ? now - t->cpu[c].base_lost : now;
		t->cpu[c].base_lost = now;
	}
	p->lost_events = lost > t->missed ? lost : t->missed;
	p->processed = t->processed;
	t->processed = 0;
	t->missed = 0;
	td_knames_resolve(t->names, t->attr);
	p->note[0] = '\0';
	if (td_knames_nsyms(t->names) == 0)
		snprintf(p->note, sizeof(p->note),
		    "tracefs: no kernel symbols (%s): callbacks shown as addresses",
		    td_knames_why_none(t->names));
	else if (!t->idle_traced)
		snprintf(p->note, sizeof(p->note),
		    "tracefs: no power:cpu_idle or sched_switch in this kernel: wakeups unknown");
	r = td_attr_collect(t->attr, p, e);
	if (r == 0 && td_sampler_describe_vectors(p, t->irq) < 0)
		r = td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	free(t->cmdlines);
	t->cmdlines = NULL;
	return r;
}

/* Write the --record file: the pages kept, the formats of our events, kallsyms. */
static int
tr_finish_record(struct td_sampler *s, struct td_error *e)
{
	struct tr_priv *t = s->priv;
	struct td_trace_rec_meta m = { TRACING_DIR, t->rec_events, t->rec_n, "/proc/kallsyms",
	    NULL };
	char *clock;
	int r;

	if (t->rec == NULL)
		return 0;
	clock = tracefs_instance_file_read(t->inst, "trace_clock", NULL);
	if (clock != NULL)
		clock[strcspn(clock, "\n")] = '\0';
	m.clock = clock;
	r = td_trace_rec_finish(t->rec, &m, e);
	free(clock);
	td_trace_rec_free(t->rec);
	t->rec = NULL;
	return r;
}

/* Turn tracing off in our instance. */
static void
tr_stop(struct td_sampler *s)
{
	struct tr_priv *t = s->priv;

	if (t != NULL && t->inst != NULL && t->on) {
		tracefs_trace_off(t->inst);
		t->on = false;
	}
}

/* Close the readers, remove the instance, unmount what we mounted. */
static void
tr_close(struct td_sampler *s)
{
	struct tr_priv *t = s->priv;

	if (t == NULL)
		return;
	if (t->cpu != NULL)
		for (int c = 0; c < t->ncpus; c++) {
			if (t->cpu[c].tcpu != NULL)
				tracefs_cpu_free_fd(t->cpu[c].tcpu);
			if (t->cpu[c].fd >= 0)
				close(t->cpu[c].fd);
		}
	free(t->cpu);
	if (t->epfd >= 0)
		close(t->epfd);
	if (t->inst != NULL) {
		tr_stop(s);	/* when not stopped yet (an emergency's cleanup) */
		if (t->created)
			tracefs_instance_destroy(t->inst);
		tracefs_instance_free(t->inst);
	}
	/* Ours to unmount, or left to us by a mounter that has exited since. */
	if (t->mounted || (t->created && inherit_mount())) {
		if (umount2(TRACING_DIR, 0) == 0 || !is_tracefs(TRACING_DIR))
			unlink(MOUNT_STAMP);
		else
			/*
			 * Busy: another run uses it.  Handed over now, not
			 * at our exit: that run may end before our pid is
			 * gone (a zombie not reaped yet still answers kill).
			 */
			stamp_mount(0);
	}
	free(t->cmdlines);
	free(t->held);
	free(t->held_pg);
	td_trace_rec_free(t->rec);
	td_trace_decoder_free(t->dec);
	if (t->tep != NULL)
		tep_free(t->tep);
	td_attr_free(t->attr);
	td_interrupts_free(t->irq);
	td_knames_free(t->names);
	free(t->page);
	free(t);
	s->priv = NULL;
}

const struct td_sampler_ops td_sampler_tracefs_ops = {
	.backend = TD_BACKEND_TRACEFS,
	.open = tr_open,
	.start = tr_start,
	.fd = tr_fd,
	.pump = tr_pump,
	.collect = tr_collect,
	.stop = tr_stop,
	.finish_record = tr_finish_record,
	.function_name = tr_function_name,
	.armers = tr_armers,
	.close = tr_close,
};
