/*
 * The tracefs backend: a private instance (instances/timerdiag-PID) with the
 * timer, IRQ and softirq tracepoints, read as binary per-CPU sub-buffers
 * (trace_pipe_raw) through libtracefs and decoded by trace_decode.c.  Each
 * expiry is attributed to the task and callback that armed the timer.
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

#include "internal.h"
#include "ksyms.h"
#include "sampler_internal.h"
#include "source.h"
#include "trace_decode.h"

#define TRACING_DIR		"/sys/kernel/tracing"
#define TRACEFS_MAGIC_NR	0x74726163
#define MOUNT_STAMP		"/run/timerdiag-tracefs.mount"
#define MAP_MAX			(1u << 20)	/* timer pointers remembered at most */
#define TASK_MAX		8192		/* task names remembered at most */
#define FN_MAX			16384		/* callback names remembered at most */
#define KSYMS_READ		((size_t)64 << 10)	/* read size for /proc/kallsyms */
#define HRTIMER_MODE_PINNED	0x02
#define PRELUDE_NS		3000	/* a cancel this close before a start is a re-arm */
#define PID_HARDIRQ		(-2)	/* armed in hard interrupt context */
#define PID_SOFTIRQ		(-3)	/* armed in softirq context */

/* A wakeup source being counted: identity, counters, per-CPU split. */
struct agg {
	bool		 used;
	enum td_kind	 kind;
	uint64_t	 fn;		/* callback address (timers) */
	int		 pid;		/* arming pid, -1 unknown */
	int		 num;		/* idle armer: its CPU; irq: number; softirq: vector */
	char		*name;		/* irq action (part of the identity) */
	const char	*label;		/* vector or softirq name (not the identity) */
	uint64_t	 count, arms, expiries, cancels;
	bool		 defer_known, deferrable, pinned_known, pinned;
	uint64_t	*per_cpu;
};

/* Who armed a timer, by its address. */
struct armer {
	uint64_t	 ptr;		/* 0 = empty slot */
	uint64_t	 fn;
	int		 pid;
	int		 cpu;		/* CPU it was armed on (names the idle task) */
	enum td_kind	 kind;
};

/* A task's name and class, looked up at first sight and kept across intervals. */
struct task {
	int		 pid;		/* -1 = empty slot */
	bool		 saved_tried;	/* saved_cmdlines consulted for it */
	char		 comm[32];
	enum td_task	 task;
};

/* A callback's name, resolved once through /proc/kallsyms. */
struct fnname {
	uint64_t	 fn;		/* 0 = empty slot */
	char		*name;		/* NULL: no symbol */
};

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
	char			 name[64];
	struct tep_handle	*tep;
	struct td_trace_decoder	*dec;
	struct td_ksyms		*ksyms;		/* loaded at the first callback to name */
	struct fnname		*fns;
	size_t			 fn_cap, fn_n;
	int			 nsyms;		/* text symbols in the last scan, -1 none yet */
	uint32_t		 defer_flag, pin_flag;
	int			 ncpus;
	struct cpu_state	*cpu;
	int			 epfd;
	void			*page;
	int			 page_size;
	struct agg		*agg;
	size_t			 agg_cap, agg_n;
	struct armer		*map;
	size_t			 map_cap, map_n;
	struct task		*tasks;
	size_t			 task_cap, task_n;
	uint64_t		 processed;
	char			*cmdlines;	/* saved_cmdlines, read at most once per collect */
	uint64_t		 missed;	/* kbuffer's lost-events marks (fallback) */
	bool			 missed_unknown;
	const struct td_sampler	*s;
};

/* A tracepoint we enable: system, name, whether to filter out our own pid. */
struct tr_event {
	const char	*sys, *name;
	bool		 self;
};

static const char *const softirq_names[] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
	"HRTIMER", "RCU",
};

/* Mix a 64-bit key into a hash. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * Open-addressed tables keyed by a uint64_t that is their entries' first
 * member (0: an empty slot); cap is a power of two.  The timer map and the
 * callback name cache are two of them.
 */

/* The slot holding key, or the empty slot where it would go (the table has one). */
static inline void *
slot64(void *tab, size_t cap, size_t size, uint64_t key)
{
	size_t h = mix(key) & (cap - 1);
	uint64_t k;

	for (;;) {
		char *e = (char *)tab + h * size;

		memcpy(&k, e, sizeof(k));
		if (k == 0 || k == key)
			return e;
		h = (h + 1) & (cap - 1);
	}
}

/* A new zeroed table of ncap slots holding the entries of tab; NULL without memory. */
static void *
rehash64(const void *tab, size_t cap, size_t ncap, size_t size)
{
	char *nt = calloc(ncap, size);
	uint64_t k;

	for (size_t i = 0; nt != NULL && i < cap; i++) {
		const char *e = (const char *)tab + i * size;

		memcpy(&k, e, sizeof(k));
		if (k != 0)
			memcpy(slot64(nt, ncap, size, k), e, size);
	}
	return nt;
}

/* Hash of a C string. */
static uint64_t
strhash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct task *task_get(struct tr_priv *t, int pid);

/* Hash of a source identity. */
static uint64_t
agg_hash(enum td_kind kind, uint64_t fn, int pid, int num, const char *name)
{
	return mix((uint64_t)kind * 31 + fn * 17 + (uint64_t)(uint32_t)pid * 7 +
	    (uint64_t)(uint32_t)num + strhash(name));
}

/* Whether slot a holds the identity asked for. */
static bool
agg_eq(const struct agg *a, enum td_kind kind, uint64_t fn, int pid, int num,
    const char *name)
{
	if (a->kind != kind || a->fn != fn || a->pid != pid || a->num != num)
		return false;
	if (a->name == NULL || name == NULL)
		return a->name == name;
	return strcmp(a->name, name) == 0;
}

/* Double the source table. */
static int
agg_grow(struct tr_priv *t)
{
	size_t ncap = t->agg_cap ? t->agg_cap * 2 : 256;
	struct agg *na = calloc(ncap, sizeof(*na));

	if (na == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->agg_cap; i++) {
		struct agg *a = &t->agg[i];
		size_t h;

		if (!a->used)
			continue;
		h = agg_hash(a->kind, a->fn, a->pid, a->num, a->name) & (ncap - 1);
		while (na[h].used)
			h = (h + 1) & (ncap - 1);
		na[h] = *a;
	}
	free(t->agg);
	t->agg = na;
	t->agg_cap = ncap;
	return 0;
}

/* Find or add the source with this identity; NULL on ENOMEM. */
static struct agg *
agg_get(struct tr_priv *t, enum td_kind kind, uint64_t fn, int pid, int num,
    const char *name, size_t namelen)
{
	char nbuf[128];
	struct agg *a;
	size_t h;

	if (name != NULL) {
		if (namelen >= sizeof(nbuf))
			namelen = sizeof(nbuf) - 1;
		memcpy(nbuf, name, namelen);
		nbuf[namelen] = '\0';
		name = nbuf;
	}
	if ((t->agg_n + 1) * 2 > t->agg_cap && agg_grow(t) < 0)
		return NULL;
	h = agg_hash(kind, fn, pid, num, name) & (t->agg_cap - 1);
	for (;;) {
		a = &t->agg[h];
		if (!a->used)
			break;
		if (agg_eq(a, kind, fn, pid, num, name))
			return a;
		h = (h + 1) & (t->agg_cap - 1);
	}
	memset(a, 0, sizeof(*a));
	if ((a->per_cpu = calloc((size_t)t->ncpus, sizeof(uint64_t))) == NULL)
		return NULL;
	if (name != NULL && (a->name = strdup(name)) == NULL) {
		free(a->per_cpu);
		return NULL;
	}
	a->used = true;
	a->kind = kind;
	a->fn = fn;
	a->pid = pid;
	a->num = num;
	t->agg_n++;
	/* A new armer: learn its name now, while it (probably) still runs. */
	if (pid > 0 && (kind == TD_KIND_TIMER || kind == TD_KIND_HRTIMER))
		(void)task_get(t, pid);
	return a;
}

/* Forget all sources (a new interval). */
static void
agg_clear(struct tr_priv *t)
{
	for (size_t i = 0; i < t->agg_cap; i++)
		if (t->agg[i].used) {
			free(t->agg[i].name);
			free(t->agg[i].per_cpu);
		}
	if (t->agg != NULL)
		memset(t->agg, 0, t->agg_cap * sizeof(*t->agg));
	t->agg_n = 0;
}

/* Double the timer map (or empty it when it grew past MAP_MAX). */
static int
map_grow(struct tr_priv *t)
{
	size_t ncap = t->map_cap ? t->map_cap * 2 : 4096;
	struct armer *nm;

	if (ncap > MAP_MAX * 2) {
		memset(t->map, 0, t->map_cap * sizeof(*t->map));
		t->map_n = 0;
		return 0;
	}
	if ((nm = rehash64(t->map, t->map_cap, ncap, sizeof(*nm))) == NULL)
		return -ENOMEM;
	free(t->map);
	t->map = nm;
	t->map_cap = ncap;
	return 0;
}

/* The armer of the timer at ptr, or NULL. */
static struct armer *
map_find(struct tr_priv *t, uint64_t ptr)
{
	struct armer *m;

	if (t->map_cap == 0 || ptr == 0)
		return NULL;
	m = slot64(t->map, t->map_cap, sizeof(*m), ptr);
	return m->ptr != 0 ? m : NULL;
}

/* Remember who armed the timer at ptr (m: its entry if known); the entry or NULL. */
static struct armer *
map_put(struct tr_priv *t, struct armer *m, uint64_t ptr, uint64_t fn, int pid, int cpu,
    enum td_kind kind)
{
	if (ptr == 0)
		return NULL;
	if (m == NULL) {
		if ((t->map_n + 1) * 2 > t->map_cap && map_grow(t) < 0)
			return NULL;
		m = slot64(t->map, t->map_cap, sizeof(*m), ptr);	/* empty: not known */
		t->map_n++;
	}
	m->ptr = ptr;
	m->fn = fn;
	m->pid = pid;
	m->cpu = cpu;
	m->kind = kind;
	return m;
}

/* Read /proc/PID/comm and whether PID is a kernel thread. */
static void
task_lookup(int pid, struct task *tk)
{
	char path[64], buf[512];
	FILE *f;

	tk->pid = pid;
	tk->saved_tried = false;
	tk->comm[0] = '\0';
	tk->task = TD_TASK_UNKNOWN;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(tk->comm, sizeof(tk->comm), f) != NULL)
		tk->comm[strcspn(tk->comm, "\n")] = '\0';
	fclose(f);
	tk->task = TD_TASK_USER;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		char *p = strrchr(buf, ')');
		unsigned long flags = 0;

		/* After the comm: state ppid pgrp session tty_nr tpgid flags. */
		if (p != NULL && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 &&
		    (flags & 0x00200000))	/* PF_KTHREAD */
			tk->task = TD_TASK_KTHREAD;
	}
	fclose(f);
}

/* The name of pid, looked up on first sight (kept across intervals). */
static struct task *
task_get(struct tr_priv *t, int pid)
{
	size_t h;

	if ((t->task_n + 1) * 2 > t->task_cap) {
		size_t ncap = t->task_cap ? t->task_cap * 2 : 256;
		struct task *nt = malloc(ncap * sizeof(*nt));

		if (nt == NULL)
			return NULL;
		for (size_t i = 0; i < ncap; i++)
			nt[i].pid = -1;
		for (size_t i = 0; i < t->task_cap; i++) {
			if (t->tasks[i].pid < 0)
				continue;
			h = mix((uint64_t)t->tasks[i].pid) & (ncap - 1);
			while (nt[h].pid >= 0)
				h = (h + 1) & (ncap - 1);
			nt[h] = t->tasks[i];
		}
		free(t->tasks);
		t->tasks = nt;
		t->task_cap = ncap;
	}
	h = mix((uint64_t)pid) & (t->task_cap - 1);
	while (t->tasks[h].pid >= 0) {
		if (t->tasks[h].pid == pid)
			return &t->tasks[h];
		h = (h + 1) & (t->task_cap - 1);
	}
	task_lookup(pid, &t->tasks[h]);
	t->task_n++;
	return &t->tasks[h];
}

/* Forget the task names when too many were kept (pids are reused in time). */
static void
task_trim(struct tr_priv *t)
{
	if (t->task_n < TASK_MAX)
		return;
	for (size_t i = 0; i < t->task_cap; i++)
		t->tasks[i].pid = -1;
	t->task_n = 0;
}

/* The source a timer event counts towards; learn the armer's name on first sight. */
static struct agg *
timer_agg(struct tr_priv *t, enum td_kind kind, uint64_t fn, int pid, int armcpu)
{
	/* The idle task is one per CPU (swapper/N): keep them apart. */
	int num = pid == 0 ? armcpu : -1;

	return agg_get(t, kind, fn, pid, num, NULL, 0);
}

/* Count a cancel that was not the prelude of an expiry or a re-arm. */
static void
commit_cancel(struct tr_priv *t, uint64_t ptr)
{
	struct armer *m = map_find(t, ptr);
	struct agg *a;

	if (m == NULL)
		return;
	if (t->s->opts.pid >= 0 && m->pid != t->s->opts.pid)
		return;
	if ((a = timer_agg(t, m->kind, m->fn, m->pid, m->cpu)) != NULL)
		a->cancels++;
}

/* Account one decoded event. */
static void
on_event(const struct td_tev *ev, void *arg)
{
	struct tr_priv *t = arg;
	const struct td_sampler *s = t->s;
	struct cpu_state *cs;
	bool wanted = !s->have_cpus || td_sampler_cpu_wanted(s, ev->cpu);
	enum td_kind kind;
	struct armer *m;
	struct agg *a;
	int pid;

	if (ev->cpu < 0 || ev->cpu >= t->ncpus)
		return;
	cs = &t->cpu[ev->cpu];

	/*
	 * The kernel traces a cancel when it takes a timer off its queue to run
	 * it or to re-arm it; only a cancel followed by neither is a real one.
	 */
	if (cs->pend) {
		/*
		 * A cancel right before the same timer's expiry is the expiry's own
		 * dequeue (no start can come between a real cancel and an expiry).
		 * A re-arm dequeues and enqueues under the base lock: the start
		 * follows within a few microseconds, unlike a new arming of the
		 * same (on-stack) timer by a loop.
		 */
		bool same = cs->pend_ptr == ev->ptr;
		bool prelude = same && (ev->type == TD_TEV_TIMER_EXPIRE ||
		    ev->type == TD_TEV_HRTIMER_EXPIRE ||
		    ((ev->type == TD_TEV_TIMER_START || ev->type == TD_TEV_HRTIMER_START) &&
		    ev->ts - cs->pend_ts < PRELUDE_NS));

		cs->pend = false;
		if (!prelude && wanted)
			commit_cancel(t, cs->pend_ptr);
	}
	switch (ev->type) {
	case TD_TEV_TIMER_START:
	case TD_TEV_HRTIMER_START:
		kind = ev->type == TD_TEV_TIMER_START ? TD_KIND_TIMER : TD_KIND_HRTIMER;
		pid = ev->pid;
		m = map_find(t, ev->ptr);
		if (ev->ctx & (TD_TEV_CTX_HARDIRQ | TD_TEV_CTX_SOFTIRQ)) {
			/*
			 * Armed in interrupt context: re-armed by its own callback
			 * keeps its first armer; else no task armed it (the one
			 * running was merely interrupted).
			 */
			if (m != NULL && m->fn == ev->function)
				pid = m->pid;
			else
				pid = (ev->ctx & TD_TEV_CTX_HARDIRQ) ? PID_HARDIRQ : PID_SOFTIRQ;
		}
		m = map_put(t, m, ev->ptr, ev->function, pid, m != NULL && pid == m->pid &&
		    pid == 0 ? m->cpu : ev->cpu, kind);
		if (!wanted || (s->opts.pid >= 0 && pid != s->opts.pid))
			break;
		if ((a = timer_agg(t, kind, ev->function, pid, m ? m->cpu : ev->cpu)) == NULL)
			break;
		a->arms++;
		if (kind == TD_KIND_TIMER) {
			if (t->defer_flag != 0) {
				a->defer_known = true;
				a->deferrable = a->deferrable || (ev->flags & t->defer_flag);
			}
			if (t->pin_flag != 0) {
				a->pinned_known = true;
				a->pinned = a->pinned || (ev->flags & t->pin_flag);
			}
		} else {
			a->defer_known = true;
			a->pinned_known = true;
			a->pinned = a->pinned || (ev->flags & HRTIMER_MODE_PINNED);
		}
		break;
	case TD_TEV_TIMER_EXPIRE:
	case TD_TEV_HRTIMER_EXPIRE:
		kind = ev->type == TD_TEV_TIMER_EXPIRE ? TD_KIND_TIMER : TD_KIND_HRTIMER;
		m = map_find(t, ev->ptr);
		pid = m != NULL && m->fn == ev->function ? m->pid : -1;
		if (!wanted || (s->opts.pid >= 0 && pid != s->opts.pid))
			break;
		if ((a = timer_agg(t, kind, ev->function, pid, m ? m->cpu : ev->cpu)) == NULL)
			break;
		a->count++;
		a->expiries++;
		a->per_cpu[ev->cpu]++;
		break;
	case TD_TEV_TIMER_CANCEL:
	case TD_TEV_HRTIMER_CANCEL:
		cs->pend = true;
		cs->pend_ptr = ev->ptr;
		cs->pend_ts = ev->ts;
		break;
	case TD_TEV_VECTOR:
	case TD_TEV_IRQ:
	case TD_TEV_SOFTIRQ:
		if (!wanted || s->opts.pid >= 0)
			break;
		if (ev->type == TD_TEV_VECTOR) {
			/* The label is a constant of the decoder: its address is the key. */
			a = agg_get(t, TD_KIND_VECTOR, (uint64_t)(uintptr_t)ev->name, -1, -1,
			    NULL, 0);
			if (a != NULL)
				a->label = ev->name;
		} else if (ev->type == TD_TEV_IRQ) {
			a = agg_get(t, TD_KIND_IRQ, 0, -1, ev->num, ev->name, ev->namelen);
		} else {
			a = agg_get(t, TD_KIND_SOFTIRQ, 0, -1, ev->num, NULL, 0);
			if (a != NULL)
				a->label = ev->num >= 0 &&
				    (size_t)ev->num < TD_ARRAY_SIZE(softirq_names) ?
				    softirq_names[ev->num] : "?";
		}
		if (a == NULL)
			break;
		a->count++;
		a->per_cpu[ev->cpu]++;
		break;
	case TD_TEV_NTYPES:
		break;
	}
}

/* Read overrun + dropped events of one CPU of the instance. */
static uint64_t
cpu_lost(struct tr_priv *t, int cpu)
{
	char name[64], *text, *p;
	uint64_t sum = 0;

	snprintf(name, sizeof(name), "per_cpu/cpu%d/stats", cpu);
	if ((text = tracefs_instance_file_read(t->inst, name, NULL)) == NULL)
		return 0;
	if ((p = strstr(text, "overrun:")) != NULL)
		sum += strtoull(p + 8, NULL, 10);
	if ((p = strstr(text, "dropped events:")) != NULL)
		sum += strtoull(p + 15, NULL, 10);
	free(text);
	return sum;
}

/* Whether a path is a mounted tracefs. */
static bool
is_tracefs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == TRACEFS_MAGIC_NR;
}

/* A mount left by a run that was killed: take over the duty to unmount it. */
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

/* Enable one event in the instance; the own-pid filter on start and cancel. */
static int
enable_event(struct tr_priv *t, const char *sys, const char *name, bool filter_self)
{
	char flt[64];

	if (tep_find_event_by_name(t->tep, sys, name) == NULL)
		return -ENOENT;
	if (filter_self) {
		snprintf(flt, sizeof(flt), "common_pid != %d", (int)getpid());
		if (tracefs_event_file_write(t->inst, sys, name, "filter", flt) < 0)
			return -errno;
	}
	/* its enable file: tracefs_event_enable() takes regexes and stats every system */
	if (tracefs_event_file_write(t->inst, sys, name, "enable", "1") < 0)
		return -ENOENT;
	return 0;
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
		if (tep_parse_event(t->tep, fmt, (unsigned long)size, events[i].sys) == 0)
			nparsed++;
		free(fmt);
	}
	if (nparsed == 0)
		return td_error_set(e, EIO, TRACING_DIR "/events", 0, "cannot read event formats");
	return 0;
}

/* Mount tracefs if needed, clean stale instances, create and arm ours. */
static int
tr_open(struct td_sampler *s, struct td_error *e)
{
	static char tdir[] = TRACING_DIR;
	static const struct tr_event events[] = {
		{ "timer", "timer_start", true },
		{ "timer", "hrtimer_start", true },
		{ "timer", "timer_expire_entry", false },
		{ "timer", "hrtimer_expire_entry", false },
		{ "timer", "timer_cancel", true },
		{ "timer", "hrtimer_cancel", true },
		{ "irq", "irq_handler_entry", false },
		{ "irq", "softirq_entry", false },
		{ "irq_vectors", "local_timer_entry", false },
		{ "irq_vectors", "reschedule_entry", false },
		{ "irq_vectors", "call_function_entry", false },
		{ "irq_vectors", "call_function_single_entry", false },
		{ "irq_vectors", "irq_work_entry", false },
		{ "irq_vectors", "x86_platform_ipi_entry", false },
		{ "irq_vectors", "thermal_apic_entry", false },
		{ "irq_vectors", "threshold_apic_entry", false },
		{ "irq_vectors", "deferred_error_apic_entry", false },
		{ "irq_vectors", "error_apic_entry", false },
		{ "irq_vectors", "spurious_apic_entry", false },
	};
	struct tr_priv *t;
	struct epoll_event ee;
	char kbs[32];
	int r, nenabled = 0;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	s->priv = t;
	t->s = s;
	t->epfd = -1;
	t->nsyms = -1;
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
	if (t->mounted) {
		FILE *f = fopen(MOUNT_STAMP, "we");

		if (f != NULL) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	}
	tracefs_set_tracing_dir(tdir);
	(void)td_sampler_remove_stale(TRACING_DIR, NULL);
	snprintf(t->name, sizeof(t->name), "timerdiag-%d", (int)getpid());
	if ((t->inst = tracefs_instance_create(t->name)) == NULL)
		return td_error_set(e, errno ? errno : EIO, TRACING_DIR "/instances", 0,
		    "cannot create instance %s", t->name);
	t->created = true;
	tracefs_trace_off(t->inst);
	snprintf(kbs, sizeof(kbs), "%u", s->opts.buffer_kb ? s->opts.buffer_kb : 8192);
	tracefs_instance_file_write(t->inst, "buffer_size_kb", kbs);
	/*
	 * Wake the reader only when half a per-CPU buffer is filled: a quiet
	 * machine is drained once per interval by collect (the caller's own
	 * tick), a busy one by pump long before the other half fills.
	 */
	tracefs_instance_file_write(t->inst, "buffer_percent", "50");
	if ((r = build_tep(t, events, TD_ARRAY_SIZE(events), e)) < 0)
		return r;
	if ((r = td_trace_decoder_new(t->tep, &t->dec, e)) < 0)
		return r;
	t->defer_flag = td_trace_decoder_deferrable_flag(t->dec);
	t->pin_flag = td_trace_decoder_pinned_flag(t->dec);
	if (!td_trace_decoder_has(t->dec, TD_TEV_TIMER_START) &&
	    !td_trace_decoder_has(t->dec, TD_TEV_HRTIMER_START))
		return td_error_set(e, ENOENT, TRACING_DIR "/events/timer", 0,
		    "no timer tracepoints in this kernel");
	for (size_t i = 0; i < TD_ARRAY_SIZE(events); i++)
		if (enable_event(t, events[i].sys, events[i].name, events[i].self) == 0)
			nenabled++;
	if (nenabled == 0)
		return td_error_set(e, EIO, TRACING_DIR, 0, "cannot enable any timer event");
	t->ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (t->ncpus < 1)
		t->ncpus = 1;
	if ((t->cpu = calloc((size_t)t->ncpus, sizeof(*t->cpu))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	t->page_size = getpagesize();
	if ((t->page = malloc((size_t)t->page_size)) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	if ((t->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return td_error_set(e, errno, NULL, 0, "epoll: %s", strerror(errno));
	for (int c = 0; c < t->ncpus; c++) {
		char rel[64];

		t->cpu[c].fd = -1;
		snprintf(rel, sizeof(rel), "per_cpu/cpu%d/trace_pipe_raw", c);
		t->cpu[c].fd = tracefs_instance_file_open(t->inst, rel, O_RDONLY | O_NONBLOCK);
		if (t->cpu[c].fd < 0)
			continue;	/* not a possible CPU */
		t->cpu[c].tcpu = tracefs_cpu_alloc_fd(t->cpu[c].fd, t->page_size, true);
		memset(&ee, 0, sizeof(ee));
		ee.events = EPOLLIN;
		ee.data.u32 = (uint32_t)c;
		(void)epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->cpu[c].fd, &ee);
	}
	return 0;
}

/* Turn tracing on in our instance. */
static int
tr_start(struct td_sampler *s, struct td_error *e)
{
	struct tr_priv *t = s->priv;

	for (int c = 0; c < t->ncpus; c++)
		t->cpu[c].base_lost = cpu_lost(t, c);
	if (tracefs_trace_on(t->inst) < 0)
		return td_error_set(e, errno ? errno : EIO, t->name, 0, "cannot turn tracing on");
	return 0;
}

/* The epoll fd over the per-CPU buffers. */
static int
tr_fd(const struct td_sampler *s)
{
	const struct tr_priv *t = s->priv;

	return t->epfd;
}

/* Read and decode up to max_pages sub-buffers of each CPU's buffer. */
static void
drain(struct tr_priv *t, int max_pages)
{
	for (int c = 0; c < t->ncpus; c++) {
		struct cpu_state *cs = &t->cpu[c];

		if (cs->tcpu == NULL)
			continue;
		for (int pages = 0; pages < max_pages; pages++) {
			long missed = 0;
			int got = tracefs_cpu_read(cs->tcpu, t->page, true), n;

			if (got <= 0)
				break;
			n = td_trace_decode(t->dec, t->page, (size_t)got, c, on_event, t, &missed);
			if (n > 0)
				t->processed += (uint64_t)n;
			if (missed > 0)
				t->missed += (uint64_t)missed;
			else if (missed < 0)
				t->missed_unknown = true;
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
saved_comm(struct tr_priv *t, int pid, char *out, size_t len)
{
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

/* The cache slot of callback fn (empty if not resolved yet). */
static struct fnname *
fn_slot(struct tr_priv *t, uint64_t fn)
{
	return slot64(t->fns, t->fn_cap, sizeof(*t->fns), fn);
}

/* Empty the callback name cache. */
static void
fn_clear(struct tr_priv *t)
{
	for (size_t i = 0; i < t->fn_cap; i++) {
		free(t->fns[i].name);
		t->fns[i].name = NULL;
		t->fns[i].fn = 0;
	}
	t->fn_n = 0;
}

/* Order addresses. */
static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Name the callbacks of this interval not named before; the compact symbol
 * table is loaded from /proc/kallsyms once, at the first callback to name.
 */
static int
fn_resolve(struct tr_priv *t)
{
	uint64_t *want;
	char **names;
	size_t n = 0, need = 0;
	FILE *f;
	int r;

	for (size_t i = 0; i < t->agg_cap; i++)
		if (t->agg[i].used && (t->agg[i].kind == TD_KIND_TIMER ||
		    t->agg[i].kind == TD_KIND_HRTIMER) && t->agg[i].fn != 0)
			need++;
	if (need == 0)
		return 0;
	if (t->fn_n + need > FN_MAX)
		fn_clear(t);
	if ((t->fn_n + need) * 2 > t->fn_cap) {
		size_t ncap = t->fn_cap ? t->fn_cap : 64;
		struct fnname *nf;

		while ((t->fn_n + need) * 2 > ncap)
			ncap *= 2;
		if ((nf = rehash64(t->fns, t->fn_cap, ncap, sizeof(*nf))) == NULL)
			return -ENOMEM;
		free(t->fns);
		t->fns = nf;
		t->fn_cap = ncap;
	}
	if ((want = calloc(need, sizeof(*want))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->agg_cap; i++) {
		const struct agg *a = &t->agg[i];

		if (!a->used || (a->kind != TD_KIND_TIMER && a->kind != TD_KIND_HRTIMER) ||
		    a->fn == 0 || fn_slot(t, a->fn)->fn != 0)
			continue;
		want[n++] = a->fn;
	}
	if (n > 1)
		qsort(want, n, sizeof(*want), u64_cmp);
	if (n == 0 || (names = calloc(n, sizeof(*names))) == NULL) {
		free(want);
		return n == 0 ? 0 : -ENOMEM;
	}
	if (t->nsyms < 0) {
		t->nsyms = 0;
		if ((f = fopen("/proc/kallsyms", "re")) != NULL) {
			/* 5 MB or more: 64 KiB reads, not stdio's 1 KiB (procfs's blksize) */
			char *vb = malloc(KSYMS_READ);

			if (vb != NULL)
				setvbuf(f, vb, _IOFBF, KSYMS_READ);
			if ((r = td_ksyms_load(f, &t->ksyms, NULL)) == 0)
				t->nsyms = (int)td_ksyms_count(t->ksyms);
			fclose(f);
			free(vb);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *nm = td_ksyms_name(t->ksyms, want[i]);

		if (nm != NULL && (names[i] = strdup(nm)) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(names[j]);
			free(names);
			free(want);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct fnname *slot;

		if (i > 0 && want[i] == want[i - 1]) {
			free(names[i]);
			continue;
		}
		slot = fn_slot(t, want[i]);
		slot->fn = want[i];
		slot->name = names[i];
		t->fn_n++;
	}
	free(names);
	free(want);
	return 0;
}

/* Resolve a callback address to a name ("<0x...>" when no symbol). */
static char *
fn_name(struct tr_priv *t, uint64_t fn)
{
	const struct fnname *slot = t->fn_cap && fn != 0 ? fn_slot(t, fn) : NULL;
	char buf[40];

	if (slot != NULL && slot->fn == fn && slot->name != NULL)
		return strdup(slot->name);
	snprintf(buf, sizeof(buf), "<%#llx>", (unsigned long long)fn);
	return strdup(buf);
}

/* Drain, turn the counted sources into the sample, and reset for the next interval. */
static int
tr_collect(struct td_sampler *s, struct td_sample *p, struct td_error *e)
{
	struct tr_priv *t = s->priv;
	uint64_t lost = 0;

	drain(t, 1 << 20);
	for (int c = 0; c < t->ncpus; c++) {
		uint64_t now = cpu_lost(t, c);

		lost += now >= t->cpu[c].base_lost ? now - t->cpu[c].base_lost : now;
		t->cpu[c].base_lost = now;
	}
	p->lost_known = true;
	p->lost_events = lost > t->missed ? lost : t->missed;
	p->processed = t->processed;
	t->processed = 0;
	t->missed = 0;
	p->note[0] = '\0';
	if (fn_resolve(t) < 0)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	if (t->nsyms == 0)
		snprintf(p->note, sizeof(p->note),
		    "tracefs: no kernel symbols (kptr_restrict?): callbacks shown as addresses");
	for (size_t i = 0; i < t->agg_cap; i++) {
		struct agg *a = &t->agg[i];
		struct td_wsource *w;

		if (!a->used)
			continue;
		if ((w = td_sample_add(p)) == NULL)
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
		w->kind = a->kind;
		w->count = a->count;
		w->per_cpu = a->per_cpu;
		w->ncpus = t->ncpus;
		a->per_cpu = NULL;
		w->known = TD_WS_CPU;
		if (a->kind == TD_KIND_TIMER || a->kind == TD_KIND_HRTIMER) {
			w->function = fn_name(t, a->fn);
			w->arms = a->arms;
			w->expiries = a->expiries;
			w->cancels = a->cancels;
			w->known |= TD_WS_ARMS | TD_WS_EXPIRIES | TD_WS_CANCELS;
			if (a->defer_known) {
				w->known |= TD_WS_DEFERRABLE;
				w->deferrable = a->deferrable;
			}
			if (a->pinned_known) {
				w->known |= TD_WS_PINNED;
				w->pinned = a->pinned;
			}
			if (a->pid == 0) {
				w->pid = 0;
				w->task = TD_TASK_IDLE;
				snprintf(w->comm, sizeof(w->comm), "swapper/%d", a->num);
				w->known |= TD_WS_PID;
			} else if (a->pid == PID_HARDIRQ || a->pid == PID_SOFTIRQ) {
				w->pid = -1;
				w->task = TD_TASK_IRQ;
				strlcpy(w->comm, a->pid == PID_HARDIRQ ? "[hardirq]" : "[softirq]",
				    sizeof(w->comm));
				w->known |= TD_WS_PID;
			} else if (a->pid > 0) {
				struct task *tk = task_get(t, a->pid);

				w->pid = a->pid;
				w->known |= TD_WS_PID;
				if (tk != NULL && tk->comm[0] == '\0' && !tk->saved_tried) {
					/* Gone already: the name tracing saved for it, once. */
					saved_comm(t, a->pid, tk->comm, sizeof(tk->comm));
					tk->saved_tried = true;
				}
				if (tk != NULL && tk->comm[0] != '\0') {
					strlcpy(w->comm, tk->comm, sizeof(w->comm));
					w->task = tk->task;
				}
			}
		} else {
			w->function = strdup(a->name ? a->name : a->label ? a->label : "?");
			if (a->kind == TD_KIND_IRQ)
				w->irq = a->num;
		}
		if (w->function == NULL)
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	agg_clear(t);
	task_trim(t);
	free(t->cmdlines);
	t->cmdlines = NULL;
	td_sample_finish(p);
	return 0;
}

/* Turn tracing off in our instance. */
static void
tr_stop(struct td_sampler *s)
{
	struct tr_priv *t = s->priv;

	if (t != NULL && t->inst != NULL)
		tracefs_trace_off(t->inst);
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
		tracefs_trace_off(t->inst);
		if (t->created)
			tracefs_instance_destroy(t->inst);
		tracefs_instance_free(t->inst);
	}
	/* Ours to unmount, or left to us by a mounter that has exited since. */
	if (t->mounted || (t->created && inherit_mount())) {
		if (umount2(TRACING_DIR, 0) == 0 || !is_tracefs(TRACING_DIR))
			unlink(MOUNT_STAMP);
	}
	free(t->cmdlines);
	td_trace_decoder_free(t->dec);
	if (t->tep != NULL)
		tep_free(t->tep);
	if (t->fns != NULL)
		fn_clear(t);
	free(t->fns);
	td_ksyms_free(t->ksyms);
	agg_clear(t);
	free(t->agg);
	free(t->map);
	free(t->tasks);
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
	.close = tr_close,
};
