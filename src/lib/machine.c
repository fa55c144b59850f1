/* Everything known about one machine's timers, gathered from all sources. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "machine.h"
#include "source.h"

/*
 * Parse timer_list from fd as a stream (td_stream), never the whole file in
 * memory: a 4,096-CPU machine's is tens of MiB.  flags: TD_TL_*.  Closes fd.
 */
static int
parse_timer_list_fd(struct td_machine *m, int fd, unsigned flags)
{
	struct td_stream st;
	int r;

	if ((r = td_stream_open(&st, fd, m->tl_path, TD_READ_CAP_DEFAULT, &m->tl_err)) < 0)
		return r;
	r = td_timer_list_parse_file(st.f, m->tl_path, flags, &m->tl, &m->tl_err);
	if (td_stream_close(&st, m->tl_path, TD_READ_CAP_DEFAULT, &m->tl_err) < 0) {
		td_timer_list_free(m->tl);
		m->tl = NULL;
		return -EFBIG;
	}
	return r;
}

/*
 * Whether a /proc file is masked: container runtimes (Docker, podman) bind
 * /dev/null over /proc/timer_list, a character device where a proc file is.
 */
static bool
is_masked(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode);
}

/* Read and parse timer_list (flags: TD_TL_*); remember why when it cannot be read. */
static int
read_timer_list(struct td_machine *m, const char *explicit_path, unsigned flags,
    struct td_error *e)
{
	int fd, r;

	if (explicit_path != NULL) {
		strlcpy(m->tl_path, explicit_path, sizeof(m->tl_path));
		if ((fd = open(m->tl_path, O_RDONLY | O_CLOEXEC)) < 0)
			fd = td_error_set(&m->tl_err, errno, m->tl_path, 0, "%s",
			    strerror(errno));
	} else
		fd = td_open_root(m->sysroot, "/proc/timer_list", O_RDONLY, m->tl_path,
		    sizeof(m->tl_path), &m->tl_err);
	if (fd >= 0 && explicit_path == NULL && m->live && is_masked(fd)) {
		close(fd);
		m->tl_masked = true;
		td_error_set(&m->tl_err, ENODATA, m->tl_path, 0, "%s",
		    td_absence_why(TD_ABSENT_MASKED));
		return 0;
	}
	if (fd < 0) {
		m->tl_needs_root = (fd == -EACCES || fd == -EPERM) && geteuid() != 0;
		if (explicit_path != NULL) {
			*e = m->tl_err;
			return fd;
		}
		return 0;
	}
	if ((r = parse_timer_list_fd(m, fd, flags)) < 0) {
		*e = m->tl_err;
		return r;
	}
	return 0;
}

static int
cmp_cpu(const void *a, const void *b)
{
	const struct td_cpu_state *x = a, *y = b;

	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

static int64_t
field_or(const struct td_tl_cpu *c, enum td_tl_cpu_field f)
{
	int64_t v;

	return td_tl_cpu_field(c, f, &v) ? v : -1;
}

/* One CPU from its timer_list block. */
static void
cpu_from_tl(struct td_machine *m, const struct td_tl_cpu *c, struct td_cpu_state *s)
{
	const struct td_tl_tickdev *d = td_tl_cpu_device(m->tl, c->cpu);
	int64_t v;

	s->tl = c;
	s->mode = td_cpu_tick_mode(m->tl, c, &s->mode_evidence);
	s->nohz = td_cpu_nohz_active(c);
	s->highres = td_cpu_highres_active(c);
	s->tick_stopped = td_tl_cpu_field(c, TD_TLC_TICK_STOPPED, &v) ? v != 0 : -1;
	s->idle_calls = field_or(c, TD_TLC_IDLE_CALLS);
	s->idle_sleeps = field_or(c, TD_TLC_IDLE_SLEEPS);
	s->nr_events = field_or(c, TD_TLC_NR_EVENTS);
	s->nr_retries = field_or(c, TD_TLC_NR_RETRIES);
	s->nr_hangs = field_or(c, TD_TLC_NR_HANGS);
	s->max_hang_time_ns = field_or(c, TD_TLC_MAX_HANG_TIME);
	if (d != NULL && d->has_device) {
		s->device = d->device;
		s->handler = d->fn[TD_TLD_EVENT_HANDLER];
	}
	for (size_t i = 0; i < c->nbases; i++) {
		const struct td_tl_base *b = &c->bases[i];

		if (b->present & TD_TLB_RESOLUTION) {
			if (s->res_min_ns < 0 || b->resolution_ns < s->res_min_ns)
				s->res_min_ns = b->resolution_ns;
			if (b->resolution_ns > s->res_max_ns)
				s->res_max_ns = b->resolution_ns;
		}
	}
	s->ntimers = td_tl_cpu_ntimers(c);
}

static void
cpu_init(struct td_cpu_state *s, int cpu)
{
	memset(s, 0, sizeof(*s));
	s->cpu = cpu;
	s->nohz = s->highres = s->tick_stopped = -1;
	s->idle_calls = s->idle_sleeps = -1;
	s->nr_events = s->nr_retries = s->nr_hangs = s->max_hang_time_ns = -1;
	s->res_min_ns = s->res_max_ns = -1;
}

/* A CPU known only from its tick device (a fragment without its CPU block). */
static void
cpu_from_dev(struct td_cpu_state *s, const struct td_tl_tickdev *d)
{
	s->device = d->has_device ? d->device : NULL;
	s->handler = d->fn[TD_TLD_EVENT_HANDLER];
	s->mode = td_tick_mode_from_handler(s->handler);
	if (s->mode != TD_TICK_UNKNOWN)
		s->mode_evidence = "tick device event_handler";
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Whether cpu has a block in timer_list: in blocks (n sorted CPUs), else by a walk. */
static bool
has_block(const struct td_timer_list *tl, const int *blocks, size_t n, int cpu)
{
	if (blocks != NULL)
		return bsearch(&cpu, blocks, n, sizeof(*blocks), int_cmp) != NULL;
	for (size_t k = 0; k < tl->ncpus; k++)
		if (tl->cpus[k].cpu == cpu)
			return true;
	return false;
}

/*
 * The CPUs of timer_list's blocks, sorted, for has_block; NULL when there are
 * none or no memory (has_block walks the blocks then).
 */
static int *
sorted_blocks(const struct td_timer_list *tl)
{
	int *blocks = NULL;

	if (tl != NULL && tl->ncpus > 0 && tl->ndevs > 0 &&
	    (blocks = calloc(tl->ncpus, sizeof(*blocks))) != NULL) {
		for (size_t k = 0; k < tl->ncpus; k++)
			blocks[k] = tl->cpus[k].cpu;
		qsort(blocks, tl->ncpus, sizeof(*blocks), int_cmp);
	}
	return blocks;
}

/* Per-CPU tick devices of CPUs that have no CPU block in timer_list (blocks: sorted_blocks). */
static size_t
devs_without_block(const struct td_timer_list *tl, const int *blocks,
    const struct td_tl_tickdev **out)
{
	size_t n = 0;

	for (size_t i = 0; tl != NULL && i < tl->ndevs; i++) {
		const struct td_tl_tickdev *d = &tl->devs[i];
		bool dup = d->kind != TD_TLD_KIND_PERCPU || d->cpu < 0 ||
		    td_tl_cpu_device(tl, d->cpu) != d || has_block(tl, blocks, tl->ncpus, d->cpu);

		if (!dup) {
			if (out != NULL)
				out[n] = d;
			n++;
		}
	}
	return n;
}

/*
 * Build the CPU list from timer_list (its CPU blocks and the per-CPU tick
 * devices of CPUs whose block it lacks), else from the online mask.
 */
static int
build_cpus(struct td_machine *m, struct td_error *e)
{
	size_t n = 0, nblocks = m->tl != NULL ? m->tl->ncpus : 0;
	int *blocks = sorted_blocks(m->tl);
	size_t ndevs = devs_without_block(m->tl, blocks, NULL);
	const struct td_tl_tickdev **devs = calloc(ndevs + 1, sizeof(*devs));

	if (devs != NULL)
		devs_without_block(m->tl, blocks, devs);
	free(blocks);
	if (devs == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	if (nblocks + ndevs > 0)
		n = nblocks + ndevs;
	else if (m->si.has_online)
		n = (size_t)td_cpuset_count(&m->si.online);
	if (n == 0 || (m->cpus = calloc(n, sizeof(*m->cpus))) == NULL) {
		free(devs);
		return n == 0 ? 0 : td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	if (nblocks + ndevs > 0) {
		for (size_t i = 0; i < nblocks; i++) {
			cpu_init(&m->cpus[i], m->tl->cpus[i].cpu);
			cpu_from_tl(m, &m->tl->cpus[i], &m->cpus[i]);
		}
		for (size_t i = 0; i < ndevs; i++) {
			cpu_init(&m->cpus[nblocks + i], devs[i]->cpu);
			cpu_from_dev(&m->cpus[nblocks + i], devs[i]);
		}
	} else {
		for (int c = 0, i = 0; c < TD_MAX_CPUS && (size_t)i < n; c++)
			if (td_cpuset_isset(&m->si.online, c))
				cpu_init(&m->cpus[i++], c);
	}
	free(devs);
	m->ncpus = n;
	qsort(m->cpus, n, sizeof(*m->cpus), cmp_cpu);
	for (size_t i = 0; i < n; i++) {
		struct td_cpu_state *s = &m->cpus[i];

		s->nohz_full = m->si.has_nohz_full && td_cpuset_isset(&m->si.nohz_full, s->cpu);
		s->isolated = m->si.has_isolated && td_cpuset_isset(&m->si.isolated, s->cpu);
		if (s->device == NULL)	/* sysfs knows the device even without root */
			for (size_t k = 0; k < m->cs.nevents; k++)
				if (m->cs.events[k].index == s->cpu)
					s->device = m->cs.events[k].device;
	}
	return 0;
}

/* Machine-wide summaries from the CPUs. */
static void
summarize(struct td_machine *m)
{
	bool first = true;
	int nohz_on = 0, nohz_off = 0;

	m->mode = TD_TICK_UNKNOWN;
	m->nohz = -1;
	m->res_min_ns = m->res_max_ns = -1;
	for (size_t i = 0; i < m->ncpus; i++) {
		const struct td_cpu_state *s = &m->cpus[i];

		if (first)
			m->mode = s->mode;
		else if (s->mode != m->mode)
			m->mode_mixed = true;
		first = false;
		if (s->nohz == 1)
			nohz_on++;
		else if (s->nohz == 0)
			nohz_off++;
		if (s->res_min_ns >= 0 && (m->res_min_ns < 0 || s->res_min_ns < m->res_min_ns))
			m->res_min_ns = s->res_min_ns;
		if (s->res_max_ns > m->res_max_ns)
			m->res_max_ns = s->res_max_ns;
		m->ntimers += s->ntimers;
		m->ntimers_cpus += s->tl != NULL;
	}
	if (m->mode_mixed)
		m->mode = TD_TICK_UNKNOWN;
	if (nohz_on > 0 && nohz_off > 0)
		m->nohz = 2;
	else if (nohz_on > 0)
		m->nohz = 1;
	else if (nohz_off > 0)
		m->nohz = 0;
}

/* HZ from every source we have; the kernel config wins. */
static void
find_hz(struct td_machine *m)
{
	m->hz_config = m->kc.found ? m->kc.hz : -1;
	m->hz_jiffies = m->tl != NULL ? td_infer_hz(m->tl) : -1;
	m->hz_coarse = -1;
	m->hz_tickres = -1;
	if (m->has_clocks)
		for (int i = 0; i < TD_NCLOCKS; i++)
			if (m->clocks[i].id == CLOCK_MONOTONIC_COARSE && m->clocks[i].ok)
				m->hz_coarse = td_hz_from_tick_ns(m->clocks[i].res_ns);
	if (m->res_min_ns > 1)	/* low resolution: .resolution is one jiffy */
		m->hz_tickres = td_hz_from_tick_ns(m->res_min_ns);
	m->hz = -1;
	m->hz_source = TD_HZ_UNKNOWN;
	if (m->hz_config > 0)
		m->hz = m->hz_config, m->hz_source = TD_HZ_CONFIG;
	else if (m->hz_jiffies > 0)
		m->hz = m->hz_jiffies, m->hz_source = TD_HZ_JIFFIES;
	else if (m->hz_coarse > 0)
		m->hz = m->hz_coarse, m->hz_source = TD_HZ_COARSE;
	else if (m->hz_tickres > 0)
		m->hz = m->hz_tickres, m->hz_source = TD_HZ_TICK_RESOLUTION;
}

/* The architecture: the config says it best, then the release, uname, cpuinfo. */
static void
find_arch(struct td_machine *m)
{
	struct td_error e;
	struct td_buf b;

	if (m->kc.found && (m->arch = td_arch_from_config(m->kc.arch_syms)) != NULL)
		m->arch_source = "config";
	else if (m->si.has_release && (m->arch = td_arch_from_release(m->si.release)) != NULL)
		m->arch_source = "release";
	else if ((m->arch = td_arch_from_uname(m->si.machine[0] ? m->si.machine : NULL)) != NULL)
		m->arch_source = "uname";
	else if (td_read_root(m->sysroot, "/proc/cpuinfo", 1 << 20, &b, &e) == 0) {
		if ((m->arch = td_arch_from_cpuinfo(b.data, b.len)) != NULL)
			m->arch_source = "cpuinfo";
		td_buf_free(&b);
	}
}

/*
 * The facts beside timer_list: from the system (live or a sysroot), or none at
 * all for a file read alone (each unknown, TD_ABSENT_NOT_IN_FILE).
 */
static int
read_system(struct td_machine *m, bool file_alone, struct td_error *e)
{
	int r;

	td_error_clear(&m->kc_err);
	if (file_alone) {
		m->absent = td_absence_why(TD_ABSENT_NOT_IN_FILE);
		strlcpy(m->cs.why_missing, m->absent, sizeof(m->cs.why_missing));
		m->kc.hz = m->kc.no_hz = m->kc.no_hz_full = m->kc.high_res_timers = -1;
		return 0;
	}
	if ((r = td_sysinfo_read(m->sysroot, &m->si, e)) < 0 ||
	    (r = td_clocksources_read(m->sysroot, &m->cs, e)) < 0)
		return r;
	td_kconfig_read(m->sysroot, m->si.has_release ? m->si.release : NULL, &m->kc,
	    &m->kc_err);
	td_tsc_flags_read(m->sysroot, &m->tsc, NULL);
	find_arch(m);
	if (m->live) {
		m->has_clocks = true;
		td_clocks_getres(m->clocks);
	}
	return 0;
}

/* Gather the machine: from the system, or from a timer_list file alone. */
static int
machine_read(const char *sysroot, const char *timer_list, unsigned flags, bool file_alone,
    struct td_machine **out, struct td_error *e)
{
	struct td_machine *m;
	int r;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	m->live = !file_alone && td_root_is_live(sysroot);
	m->sysroot = file_alone || m->live ? NULL : sysroot;
	if ((r = read_system(m, file_alone, e)) < 0) {
		td_machine_free(m);
		return r;
	}
	if (file_alone && timer_list == NULL)
		td_error_set(&m->tl_err, ENOENT, NULL, 0, "%s", m->absent);
	else if ((r = read_timer_list(m, timer_list, flags, e)) < 0) {
		td_machine_free(m);
		return r;
	}
	if ((r = build_cpus(m, e)) < 0) {
		td_machine_free(m);
		return r;
	}
	summarize(m);
	find_hz(m);
	*out = m;
	return 0;
}

/* Gather everything about the machine. */
int
td_machine_read(const char *sysroot, const char *timer_list, unsigned flags,
    struct td_machine **out, struct td_error *e)
{
	return machine_read(sysroot, timer_list, flags, false, out, e);
}

/* Gather what a timer_list file alone says. */
int
td_machine_read_file(const char *timer_list, unsigned flags, struct td_machine **out,
    struct td_error *e)
{
	return machine_read(NULL, timer_list, flags, true, out, e);
}

/* Free a machine; NULL-safe. */
void
td_machine_free(struct td_machine *m)
{
	if (m == NULL)
		return;
	td_timer_list_free(m->tl);
	td_clocksources_free(&m->cs);
	free(m->cpus);
	free(m);
}

/* Short name of where HZ came from. */
const char *
td_hz_source_name(enum td_hz_source s)
{
	switch (s) {
	case TD_HZ_CONFIG:		return "config";
	case TD_HZ_JIFFIES:		return "jiffies";
	case TD_HZ_COARSE:		return "coarse_clock";
	case TD_HZ_TICK_RESOLUTION:	return "tick_resolution";
	default:			return "unknown";
	}
}

/* Why timer_list's facts are unknown. */
const char *
td_machine_tl_why(const struct td_machine *m, char *buf, size_t len)
{
	if (m->tl != NULL)
		return NULL;
	if (m->tl_needs_root)
		return td_absence_why(TD_ABSENT_NEEDS_ROOT);
	if (m->tl_masked)
		return td_absence_why(TD_ABSENT_MASKED);
	return td_error_str(&m->tl_err, buf, len);
}

/* Why HZ is unknown. */
const char *
td_machine_hz_why(const struct td_machine *m)
{
	return m->absent != NULL ? "no jiffies or tick length in this file" :
	    "no kernel config and no readable timer_list";
}

/* The .get_time callback of each clock's hrtimer base, on kernels that print it. */
static const char *
clock_get_time_symbol(clockid_t c)
{
	switch (c) {
	case CLOCK_REALTIME:
		return "ktime_get_real";
	case CLOCK_BOOTTIME:
		return "ktime_get_boottime";
	default:
		return "ktime_get";
	}
}

/*
 * The resolution of a clock's base in a timer_list: the base whose .get_time
 * is the clock's, else the first base that prints one; -ENOENT when none does.
 */
int
td_tl_clock_resolution(const struct td_timer_list *tl, clockid_t clk, int64_t *res_ns)
{
	const struct td_tl_base *fallback = NULL;
	const char *sym = clock_get_time_symbol(clk);

	for (size_t i = 0; i < tl->ncpus; i++) {
		for (size_t k = 0; k < tl->cpus[i].nbases; k++) {
			const struct td_tl_base *b = &tl->cpus[i].bases[k];

			if (!(b->present & TD_TLB_RESOLUTION))
				continue;
			if (b->get_time != NULL && strcmp(b->get_time, sym) == 0) {
				*res_ns = b->resolution_ns;
				return 0;
			}
			if (fallback == NULL)
				fallback = b;
		}
	}
	if (fallback == NULL)
		return -ENOENT;
	*res_ns = fallback->resolution_ns;
	return 0;
}

/* The resolution of a clock's base in timer_list. */
int
td_machine_clock_resolution(const struct td_machine *m, clockid_t clk, int64_t *res_ns,
    const char **why, char *buf, size_t len)
{
	*why = td_machine_tl_why(m, buf, len);
	if (m->tl == NULL)
		return -ENOENT;
	if (td_tl_clock_resolution(m->tl, clk, res_ns) < 0) {
		*why = "no .resolution in this timer_list";
		return -ENOENT;
	}
	return 0;
}
