/*
 * The BPF backend: the wakeup model of attribution.h run in the kernel by the
 * programs of src/bpf/tdg.bpf.c (libbpf, CO-RE, a skeleton generated at build
 * time), which count into per-CPU hash maps keyed like the attribution's
 * sources, and the common event into a per-CPU table of slots of the sources
 * those maps hold.  Nothing per event reaches user space: at each collect the
 * programs are switched to the other interval's map, list of slots and
 * slots' counters, and the ones they left are read (the slots listed, in
 * the table mapped), handed to the attribution (td_attr_add) for naming,
 * and the map emptied.
 *
 * Everything lives in file descriptors of this process (nothing pinned): the
 * kernel releases programs, links and maps when it exits, however it exits.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attribution.h"
#include "cpubudget.h"
#include "fdroom.h"
#include "internal.h"
#include "interrupts.h"
#include "knames.h"
#include "ksyms.h"
#include "sampler_internal.h"
#include "source.h"
#include "test_hooks.h"

#if defined(HAVE_BPF) && !defined(TD_NO_BPF)
#include <linux/capability.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/syscall.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tdg_shared.h"
/* The generated skeleton casts its embedded object's const away. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "tdg.skel.h"
#pragma GCC diagnostic pop

#define MAP_ENTRIES_DEFAULT	8192U	/* sources per interval map (fewer on a big machine) */
#define MAP_ENTRIES_ROOMY	16384U	/* where that fits the budget twice: 10,000 threads' */
/*
 * Where the roomy maps fit, the CPUs' tables of sources grow too, for a
 * machine of many threads: the common event is counted in a slot only if its
 * source found one on its CPU (else through the hash map: at 10,000 sources
 * an expiry took 1.8 us against 1.2 with the slots).  Two slots a thread
 * (the default 512 hold the kernel's own sources), up to SRC_ROOMY slots in
 * all shared out among the CPUs (16,384 a CPU on 2 CPUs, down to the default
 * 512 from 64 CPUs).  A CPU's table holds every source it counted in the
 * last two intervals: with 10,000 threads moving between 2 CPUs, 2,000 of
 * 80,000 starts and expiries an interval find their set full and take the
 * whole way (700 with 32,768 slots a CPU), but finding a slot in a table
 * twice the size cost 55-70 ns more at every expiry, as much again, and
 * twice the memory.  The tables take kernel memory, which user space maps
 * (6.8 MiB at 16,384 slots a CPU on 2 CPUs, tags and lists included).  So does
 * the timers' cache (a timer not in it takes the whole way too: at 10,000
 * timers in 8,192 slots, 20,000 of 80,000 events an interval; 3,700 in
 * 32,768): four slots a thread, up to PTR_ROOMY.  Only for a machine of
 * many threads: at 100 timers in 32,768 slots (sets spread over a
 * megabyte) an expiry took a median 852 ns against 709 in 8,192 (programs
 * 4.0 % of a CPU against 3.6 % at 20,000 expiries/s, 4 rounds of 4).
 */
#define SRC_ROOMY		32768U
#define SRC_ROOMY_CPU_MAX	16384U
#define PTR_ROOMY		32768U
#define HALVINGS		3	/* the per-CPU tables halved at most so often (cpubudget.h) */
#define BTF_PATH		"/sys/kernel/btf/vmlinux"
/*
 * After the switch to the other map, programs that began before it finish
 * before collect reads: each counts itself among its CPU's programs running
 * before it reads gen, and collect waits until it has seen each CPU's count
 * at 0 once (spent awake: a sleep was a second wakeup every interval).  It
 * reads the counts FLIP_GRACE_NS after the switch at the earliest, so that a
 * count written just before is seen (a CPU's stores reach the others in
 * well under a microsecond), and waits FLIP_WAIT_NS at most (a program whose
 * virtual CPU the hypervisor stopped).  Before the counts, collect always
 * waited FLIP_WAIT_NS: a fifth of its CPU at 10k events/s.
 */
#define FLIP_GRACE_NS		2000
#define FLIP_WAIT_NS		100000

/* The threads of the machine (/proc/loadavg's second number of the fourth field), 0 unknown. */
static unsigned
machine_threads(void)
{
	struct td_buf f = { NULL, 0 };
	struct td_error e;
	unsigned all = 0;

	if (td_read_file("/proc/loadavg", 256, &f, &e) == 0 &&
	    sscanf(f.data, "%*s %*s %*s %*u/%u", &all) != 1)
		all = 0;
	td_buf_free(&f);
	return all;
}

/* Per-CPU counters as last read (they only grow). */
struct bp_cpu {
	uint64_t	 exits[2], events;
	uint32_t	 dropped, whole;	/* tdg_cpu_stats', which wrap */
};

struct bp_priv {
	struct tdg		*skel;
	struct bpf_link		**links;
	size_t			 nlinks;
	struct td_knames	*names;
	struct td_attr		*attr;
	struct td_interrupts	*irq;
	int			 ncpus;
	uint32_t		 src_slots;	/* slots of a CPU's table of sources */
	struct bp_cpu		*last;
	const char		*cpus;		/* the CPUs' states, mapped read-only */
	size_t			 cpus_len;
	size_t			 cpu_size;	/* of struct wcpu, as the map says */
	const char		*slots;		/* the tables of sources, mapped read-only */
	size_t			 slots_len;
	size_t			 slot_size;	/* of struct tdg_slot, as the map says */
	const uint64_t		*tags;		/* the slots' tags, mapped read-only */
	size_t			 tags_len;
	const uint64_t		*taken;		/* the lists of slots taken, mapped read-only */
	size_t			 taken_len;
	uint32_t		 drain_gen;	/* the interval whose map is being read */
	uint32_t		 added;		/* the CPUs' tdg_cpu_stats.added summed, as last read */
	bool			 agg_held[2];	/* the aggregation maps may hold sources */
	uint64_t		 run_ns;	/* our programs' run time at the last collect */
	uint64_t		 switch_ns;	/* the sched_switch program's, then (run_time) */
	size_t			 nsrc;		/* keys of sources read at this collect */
	struct bp_task {
		int32_t		 pid;
		struct tdg_task	 t;
	}			*tasks;		/* the tasks' map read whole, by pid (names_batched) */
	size_t			 ntasks, tasks_cap;
	bool			 names_batched;	/* bp_task looks in tasks, not the map */
	bool			 tasks_missed;	/* a task was not in tasks: read them again */
	unsigned		 tasks_age;	/* collects since tasks was read */
	bool			 wakeups;	/* cpu_idle or sched_switch attached */
	bool			 attached;
};

/* The last thing libbpf wanted to say, for the error message. */
static char libbpf_last[160];

/* libbpf's messages: kept, never printed (the library does not print). */
static int
libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(libbpf_last)];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	if (line[0] != '\0')
		strlcpy(libbpf_last, line, sizeof(libbpf_last));
	return 0;
}

/* A bounded run shorter than this is sampled by tracefs when the backend is auto. */
#define SHORT_RUN_NS	1000000000ULL

/* Whether we may load tracing programs: CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON. */
static bool
may_trace(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	uint64_t eff;

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return geteuid() == 0;
	eff = (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
#define HAS(c)	((eff >> (c)) & 1)
	return HAS(21) || (HAS(39) && HAS(38));	/* SYS_ADMIN; BPF and PERFMON */
#undef HAS
}

/* The tracepoint a program attaches to ("tp_btf/NAME"), or NULL. */
static const char *
prog_tracepoint(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return strncmp(sec, "tp_btf/", 7) == 0 ? sec + 7 : NULL;
}

/* Leave out the programs whose tracepoint this kernel does not have; how many stay. */
static int
drop_missing(struct bp_priv *b, bool *wakeups)
{
	struct btf *vml = btf__load_vmlinux_btf();
	struct bpf_program *p;
	int n = 0;

	if (vml == NULL)
		return -ENOENT;
	*wakeups = false;
	bpf_object__for_each_program(p, b->skel->obj) {
		const char *tp = prog_tracepoint(p);
		char name[128];

		snprintf(name, sizeof(name), "btf_trace_%s", tp ? tp : "");
		if (tp == NULL || btf__find_by_name_kind(vml, name, BTF_KIND_TYPEDEF) < 0) {
			bpf_program__set_autoload(p, false);
			continue;
		}
		if (strcmp(tp, "cpu_idle") == 0 || strcmp(tp, "sched_switch") == 0)
			*wakeups = true;
		n++;
	}
	btf__free(vml);
	return n;
}

/* The timer API's own functions (prefixes of their names): the arming site is past them. */
static const char *const timer_api[] = {
	"hrtimer_start", "__hrtimer_start", "hrtimer_sleeper_start", "enqueue_hrtimer",
	"debug_activate", "debug_hrtimer_activate", "__mod_timer", "mod_timer",
	"add_timer", "__add_timer", "internal_add_timer", "enqueue_timer",
	"timer_reduce", "hrtimer_restart", "start_dl_timer", NULL,
};

/*
 * The names whose spans are asked for (the timer API's and the tick's
 * callbacks), into out (max entries, NULL-terminated): kept whole when the
 * symbols load, so that no pass over the compressed table looks for them
 * (two passes were a tenth of a short run).
 */
static void
span_names(const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; timer_api[i] != NULL && n + 1 < max; i++)
		out[n++] = timer_api[i];
	for (size_t i = 0; td_knames_tick_functions[i] != NULL && n + 1 < max; i++)
		out[n++] = td_knames_tick_functions[i];
	out[n] = NULL;
}

/*
 * Where the arming site is looked for: on the stack taken at a timer start,
 * the first frame past the timer API's own functions (the frames before them
 * are the tracing machinery's).
 */
static void
set_skips(struct bp_priv *b)
{
	struct td_ksym_span sp[TDG_SKIP_MAX];
	int n = td_ksyms_spans(td_knames_ksyms(b->names), timer_api, sp, TDG_SKIP_MAX);

	for (int i = 0; i < n; i++) {
		b->skel->rodata->skip_lo[i] = sp[i].start;
		b->skel->rodata->skip_hi[i] = sp[i].end;
	}
	b->skel->rodata->nskip = n > 0 ? (uint32_t)n : 0;
}

/* The addresses of the tick's own hrtimer callbacks. */
static void
set_ticks(struct bp_priv *b)
{
	struct td_ksym_span sp[8];
	struct td_ksyms *k = td_knames_ksyms(b->names);
	int n = td_ksyms_spans(k, td_knames_tick_functions, sp, TD_ARRAY_SIZE(sp)), m = 0;

	for (int i = 0; i < n && m < 4; i++) {
		const char *nm = td_ksyms_name(k, sp[i].start);

		for (size_t j = 0; nm != NULL && td_knames_tick_functions[j] != NULL; j++)
			if (strcmp(nm, td_knames_tick_functions[j]) == 0) {
				b->skel->rodata->tick_fn[m++] = sp[i].start;
				break;
			}
	}
}

/* The attribution's question about a callback or site: its symbol. */
static const char *
bp_function(void *ctx, uint64_t fn)
{
	const struct bp_priv *b = ctx;

	return td_knames_function(b->names, fn);
}

/*
 * Naming the sources one lookup each is a system call a source every
 * interval (at 10,000 sources, a fifth of the process's CPU; at 30, a
 * fifteenth): past TASKS_BATCH_MIN sources the tasks' map (the armers
 * named) is read whole in batches of TASKS_BATCH and searched here.  Where
 * the kernel has no batches, one lookup each again.  The programs add a
 * task and never change it, so the copy is read again only when a task was
 * not in it but in the map (looked up alone), or after TASKS_KEEP intervals
 * (a task the map dropped and learnt anew).
 */
#define TASKS_BATCH_MIN	8
#define TASKS_BATCH	1024
#define TASKS_KEEP	8

static int
task_cmp(const void *va, const void *vb)
{
	const struct bp_task *a = va, *b = vb;

	return (a->pid > b->pid) - (a->pid < b->pid);
}

static const struct bp_task *
find_task(const struct bp_priv *b, int pid)
{
	struct bp_task key = { .pid = pid };

	if (b->ntasks == 0)
		return NULL;	/* (b->tasks may be NULL: bsearch takes none) */
	return bsearch(&key, b->tasks, b->ntasks, sizeof(key), task_cmp);
}

/* Read the tasks' map whole into b->tasks, sorted by pid; false where that cannot be. */
static bool
read_tasks(struct bp_priv *b)
{
	int fd = bpf_map__fd(b->skel->maps.tdg_tasks);
	int32_t keys[TASKS_BATCH];
	struct tdg_task vals[TASKS_BATCH];
	uint32_t token = 0, n;
	bool first = true, more = true;

	b->ntasks = 0;
	while (more) {
		n = TASKS_BATCH;
		if (bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &n,
		    NULL) < 0) {
			if (errno != ENOENT)
				return false;
			more = false;
		}
		first = false;
		if (b->ntasks + n > b->tasks_cap) {
			size_t cap = b->tasks_cap ? b->tasks_cap * 2 : 4096;
			struct bp_task *t;

			while (cap < b->ntasks + n)
				cap *= 2;
			if ((t = reallocarray(b->tasks, cap, sizeof(*t))) == NULL)
				return false;
			b->tasks = t;
			b->tasks_cap = cap;
		}
		for (uint32_t i = 0; i < n && i < TASKS_BATCH; i++)
			b->tasks[b->ntasks++] = (struct bp_task){ keys[i], vals[i] };
	}
	if (b->ntasks > 1)	/* (an empty map leaves b->tasks NULL: qsort takes none) */
		qsort(b->tasks, b->ntasks, sizeof(*b->tasks), task_cmp);
	return true;
}

/* The attribution's question about a task: /proc, else what the programs saw. */
static void
bp_task(void *ctx, int pid, struct td_task_info *ti)
{
	struct bp_priv *b = ctx;
	const struct bp_task *x;
	struct tdg_task t;
	bool seen;

	if (b->names_batched && (x = find_task(b, pid)) != NULL) {
		seen = true;
		t = x->t;
	} else {
		seen = bpf_map__lookup_elem(b->skel->maps.tdg_tasks, &pid, sizeof(pid), &t,
		    sizeof(t), 0) == 0;
		/* in the map, not in the copy: the copy is old */
		if (seen && b->names_batched)
			b->tasks_missed = true;
	}

	if (seen && ti->comm[0] == '\0') {
		memcpy(ti->comm, t.comm, sizeof(t.comm));
		ti->comm[sizeof(t.comm)] = '\0';
	}
	td_knames_task(b->names, pid, ti);
	if (seen && ti->tgid < 0)
		ti->tgid = t.tgid;
}

/* A map value's size as the kernel copies values out (per CPU, or in a batch): 8-aligned. */
static size_t
value_stride(size_t size)
{
	return (size + 7) & ~(size_t)7;
}

/*
 * Bytes a possible CPU takes in the maps: the two maps of an interval's
 * sources (entries per-CPU values each), its table of sources (src slots
 * each, and their tags) and its two lists of slots, and its share of the
 * timers' cache (ptrs slots).
 */
static uint64_t
per_cpu_bytes(const struct bp_priv *b, unsigned entries, unsigned src, unsigned ptrs)
{
	return 2 * (uint64_t)entries * value_stride(bpf_map__value_size(b->skel->maps.tdg_agg0)) +
	    (uint64_t)src * (bpf_map__value_size(b->skel->maps.tdg_src) + sizeof(uint64_t)) +
	    2 * ((uint64_t)src + 2) * sizeof(uint64_t) +
	    (uint64_t)ptrs * bpf_map__value_size(b->skel->maps.tdg_ptrs);
}

/*
 * Map an array the programs made mappable read-only, of values of stride
 * bytes (its length in *len); -errno.
 */
static int
map_read_only(const struct bpf_map *m, size_t stride, const void **at, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (page <= 0)
		return -EINVAL;
	*len = ((size_t)bpf_map__max_entries(m) * stride + (size_t)page - 1) &
	    ~((size_t)page - 1);
	p = mmap(NULL, *len, PROT_READ, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED)
		return -errno;
	*at = p;
	return 0;
}

/*
 * Map the CPUs' states, their tables of sources and the lists of the slots
 * taken read-only: collect reads the slots listed in place, not the whole
 * table (16,384 slots a CPU of 128 bytes, mostly free), and each CPU's
 * counters without a system call (a lookup each was two calls an interval
 * here, 4,096 on 4,096 CPUs).
 */
static int
map_tables(struct bp_priv *b)
{
	const void *p;
	int r;

	b->slot_size = value_stride(bpf_map__value_size(b->skel->maps.tdg_src));
	b->cpu_size = value_stride(bpf_map__value_size(b->skel->maps.tdg_cpu));
	if (b->slot_size < sizeof(struct tdg_slot) || b->cpu_size < sizeof(struct tdg_cpu_stats) ||
	    bpf_map__value_size(b->skel->maps.tdg_taken) != sizeof(uint64_t) ||
	    bpf_map__value_size(b->skel->maps.tdg_tags) != sizeof(uint64_t))
		return -EINVAL;
	if ((r = map_read_only(b->skel->maps.tdg_cpu, b->cpu_size, &p, &b->cpus_len)) < 0)
		return r;
	b->cpus = p;
	if ((r = map_read_only(b->skel->maps.tdg_src, b->slot_size, &p, &b->slots_len)) < 0)
		return r;
	b->slots = p;
	if ((r = map_read_only(b->skel->maps.tdg_tags, sizeof(uint64_t), &p, &b->tags_len)) < 0)
		return r;
	b->tags = p;
	if ((r = map_read_only(b->skel->maps.tdg_taken, sizeof(uint64_t), &p,
	    &b->taken_len)) < 0)
		return r;
	b->taken = p;
	return 0;
}

/* Check, open and load the programs (attached at start). */
static int
bp_open(struct td_sampler *s, struct td_error *e)
{
	struct bp_priv *b;
	const char *marks[TD_ARRAY_SIZE(timer_api) + 8];
	unsigned entries, src, ptrs = 1, ptr_want, h;
	uint64_t avail;
	int r, n;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	s->priv = b;
	if (!s->live)
		return td_error_set(e, ENOTSUP, NULL, 0, "BPF: only on the live system");
	if (!may_trace() && geteuid() == 0)
		return td_error_set(e, EPERM, NULL, 0,
		    "BPF needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN), "
		    "which this root process lacks");
	if (!may_trace())
		return td_error_set(e, EPERM, NULL, 0, "BPF needs root or CAP_BPF and CAP_PERFMON");
	if (access(BTF_PATH, R_OK) != 0)
		return td_error_set(e, ENOENT, BTF_PATH, 0, "BPF: no kernel BTF (%s)",
		    strerror(errno));
	/*
	 * Loading and checking the programs costs about a quarter of a second
	 * of CPU (the verifier, kallsyms, the maps): a bounded run shorter
	 * than SHORT_RUN_NS is cheaper in all on tracefs, whose start-up is a
	 * tenth of that.  Asked for by name, it is used all the same.
	 */
	if (s->opts.backend == TD_BACKEND_AUTO && s->opts.run_ns > 0 &&
	    s->opts.run_ns < SHORT_RUN_NS)
		return td_error_set(e, ECANCELED, NULL, 0,
		    "BPF: its start-up pays off from a run of %.0f s, not %.0f ms "
		    "(--source bpf uses it, with arming sites)",
		    SHORT_RUN_NS / 1e9, (double)s->opts.run_ns / 1e6);
	libbpf_set_print(libbpf_quiet);
	libbpf_last[0] = '\0';
	if ((b->ncpus = libbpf_num_possible_cpus()) < 1)
		return td_error_set(e, EIO, NULL, 0, "BPF: cannot count the possible CPUs");
	if ((b->last = calloc((size_t)b->ncpus, sizeof(*b->last))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	span_names(marks, TD_ARRAY_SIZE(marks));
	if (td_knames_new(true, marks, NULL, NULL, &b->names) < 0)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	if ((b->skel = tdg__open()) == NULL)
		return td_error_set(e, errno ? errno : EIO, NULL, 0, "BPF: cannot open the programs: %s",
		    libbpf_last[0] ? libbpf_last : strerror(errno));
	/* a descriptor for each program, its link and each map */
	(void)td_fd_room((unsigned long)(2 * b->skel->skeleton->prog_cnt +
	    b->skel->skeleton->map_cnt) + TD_FD_SPARE);
	if ((n = drop_missing(b, &b->wakeups)) < 0)
		return td_error_set(e, ENOENT, BTF_PATH, 0, "BPF: cannot read the kernel's BTF");
	if (n == 0 || !bpf_program__autoload(b->skel->progs.tdg_hrt_expire))
		return td_error_set(e, ENOENT, BTF_PATH, 0, "BPF: no timer tracepoints in this kernel");
	b->skel->rodata->own_tgid = (uint32_t)getpid();
	set_ticks(b);
	set_skips(b);
	/*
	 * The maps' tables for every possible CPU (the sources of an interval,
	 * twice, in per-CPU values; the CPUs' tables of sources, twice; the
	 * timers' cache) halved together until they fit the machine's budget
	 * (1.2 MB a CPU is 4.9 GB on 4,096 CPUs); the number of sources asked
	 * for is kept.
	 */
	avail = td_mem_available_kb();
	h = td_cpubudget_halvings(per_cpu_bytes(b, MAP_ENTRIES_DEFAULT, TDG_SRC_SLOTS,
	    TDG_PTR_SLOTS), HALVINGS, (unsigned)b->ncpus, avail);
	entries = MAP_ENTRIES_DEFAULT >> h;
	src = TDG_SRC_SLOTS >> h;
	ptr_want = (unsigned)b->ncpus * (TDG_PTR_SLOTS >> h);
	if (h == 0 && td_cpubudget_halvings(per_cpu_bytes(b, MAP_ENTRIES_ROOMY, src,
	    TDG_PTR_SLOTS), HALVINGS, (unsigned)b->ncpus, avail) == 0) {
		unsigned threads = machine_threads(), roomy = TDG_SRC_SLOTS;
		unsigned ptr_roomy = threads < PTR_ROOMY / 4 ? 4 * threads : PTR_ROOMY;

		entries = MAP_ENTRIES_ROOMY;
		while (roomy < 2 * threads && roomy < SRC_ROOMY_CPU_MAX &&
		    roomy * 2 <= SRC_ROOMY / (unsigned)b->ncpus)
			roomy *= 2;
		if (ptr_roomy < ptr_want)
			ptr_roomy = ptr_want;
		if (td_cpubudget_halvings(per_cpu_bytes(b, entries, roomy,
		    ptr_roomy / (unsigned)b->ncpus), HALVINGS, (unsigned)b->ncpus, avail) == 0) {
			src = roomy;
			ptr_want = ptr_roomy;
		}
	}
	if (s->opts.bpf_map_entries)
		entries = s->opts.bpf_map_entries;
	b->src_slots = src;
	/* The timers' cache, shared by the CPUs: ptr_want slots rounded up to a power of 2. */
	while (ptrs < ptr_want && ptrs < (1U << 30))
		ptrs <<= 1;
	b->skel->rodata->ptr_mask = ptrs - 1;
	b->skel->rodata->ncpus = (uint32_t)b->ncpus;
	b->skel->rodata->src_slots = b->src_slots;
	if (bpf_map__set_max_entries(b->skel->maps.tdg_agg0, entries) < 0 ||
	    bpf_map__set_max_entries(b->skel->maps.tdg_agg1, entries) < 0 ||
	    bpf_map__set_max_entries(b->skel->maps.tdg_src, (unsigned)b->ncpus * b->src_slots) < 0 ||
	    bpf_map__set_max_entries(b->skel->maps.tdg_tags, (unsigned)b->ncpus * b->src_slots) < 0 ||
	    bpf_map__set_max_entries(b->skel->maps.tdg_taken,
	    2 * (unsigned)b->ncpus * (b->src_slots + 2)) < 0 ||
	    bpf_map__set_max_entries(b->skel->maps.tdg_ptrs, ptrs) < 0 ||
	    bpf_map__set_max_entries(b->skel->maps.tdg_cpu, (unsigned)b->ncpus) < 0)
		return td_error_set(e, EINVAL, NULL, 0, "BPF: cannot size the maps");
	if ((r = tdg__load(b->skel)) < 0)
		return td_error_set(e, -r, NULL, 0, "BPF: cannot load the programs: %s",
		    libbpf_last[0] ? libbpf_last : strerror(-r));
	if ((r = map_tables(b)) < 0)
		return td_error_set(e, -r, NULL, 0, "BPF: cannot map the CPUs' tables: %s",
		    strerror(-r));
	(void)td_interrupts_load(NULL, "/proc/interrupts", &b->irq, NULL);
	{
		struct td_attr_opts ao = {
			.ncpus = b->ncpus,
			.cpus = s->have_cpus ? &s->cpus : NULL,
			.wakeups = b->wakeups,
			/* the programs key the tick already: no is_tick */
			.names = { .function = bp_function, .task = bp_task },
		};

		ao.names.ctx = b;
		if ((r = td_attr_new(&ao, &b->attr, e)) < 0)
			return r;
	}
#ifdef __GLIBC__
	/*
	 * Loading read the kernel's BTF (5 MB, twice) and freed it; glibc then
	 * serves big blocks from the heap, whose freed middle stays resident
	 * (10 MB of an idle timerstat's 26): give it back.
	 */
	(void)malloc_trim(0);
#endif
	return 0;
}

/* One program's run time (0 when the kernel's statistics were never on). */
static uint64_t
prog_run_ns(const struct bpf_program *p)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd = bpf_program__fd(p);

	memset(&info, 0, sizeof(info));
	return fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.run_time_ns : 0;
}

/*
 * Our programs' run time, counted only while the kernel's BPF statistics
 * are on.  The sched_switch program runs at least once an interval (our own
 * process is switched in to collect), so while its run time stands still
 * the statistics are off and the others are not asked (one system call an
 * interval, not one a program: a seventh of an idle collect).
 */
static uint64_t
run_time(struct bp_priv *b)
{
	const struct bpf_program *sw = b->skel->progs.tdg_switch;
	struct bpf_program *p;
	uint64_t sum = 0, ns;

	if (bpf_program__fd(sw) >= 0) {
		if ((ns = prog_run_ns(sw)) == b->switch_ns)
			return b->run_ns;
		b->switch_ns = ns;
	}
	bpf_object__for_each_program(p, b->skel->obj)
		sum += prog_run_ns(p);
	return sum;
}

/* Attach the programs: counting begins. */
static int
bp_start(struct td_sampler *s, struct td_error *e)
{
	struct bp_priv *b = s->priv;
	struct bpf_program *p;
	size_t n = 0;

	bpf_object__for_each_program(p, b->skel->obj)
		n++;
	if ((b->links = calloc(n, sizeof(*b->links))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	/*
	 * The programs' run time is counted only while the kernel's BPF
	 * statistics are on (kernel.bpf_stats_enabled, or a BPF_ENABLE_STATS
	 * fd): turning them on would add two clock reads to every run of every
	 * BPF program on the machine, ours included (some 20 ns a run, as much
	 * as a cached expiry costs), so we leave them as they are.
	 */
	/*
	 * The exits first: an interrupt entered before its entry program is
	 * attached must not leave its exit uncounted.
	 */
	bpf_object__for_each_program(p, b->skel->obj) {
		const char *tp = prog_tracepoint(p);

		if (!bpf_program__autoload(p) || tp == NULL || strstr(tp, "_exit") == NULL)
			continue;
		if ((b->links[b->nlinks] = bpf_program__attach(p)) == NULL)
			return td_error_set(e, errno ? errno : EIO, NULL, 0,
			    "BPF: cannot attach %s: %s", bpf_program__name(p), strerror(errno));
		b->nlinks++;
	}
	bpf_object__for_each_program(p, b->skel->obj) {
		const char *tp = prog_tracepoint(p);

		if (!bpf_program__autoload(p) || tp == NULL || strstr(tp, "_exit") != NULL)
			continue;
		if ((b->links[b->nlinks] = bpf_program__attach(p)) == NULL)
			return td_error_set(e, errno ? errno : EIO, NULL, 0,
			    "BPF: cannot attach %s: %s", bpf_program__name(p), strerror(errno));
		b->nlinks++;
	}
	b->attached = true;
	b->run_ns = run_time(b);
	return 0;
}

/* Whether a source's counters on a CPU are all 0 (nothing counted there). */
static bool
val_none(const struct tdg_val *x)
{
	return x->count == 0 && x->arms == 0 && x->cancels == 0 && x->wakeups[0] == 0 &&
	    x->wakeups[1] == 0;
}

/* Hand a source's counters on CPU c to the attribution. */
static int
add_count(struct bp_priv *b, const struct tdg_key *k, const struct tdg_val *x, int c)
{
	char name[TDG_NAME_LEN + 1];
	struct td_attr_count ac = {
		.kind = (enum td_kind)k->kind,
		.fn = k->fn,
		.site = k->site,
		.pid = k->pid,
		.num = k->num,
		.name = NULL,
		.cpu = c,
		.count = x->count,
		.arms = x->arms,
		.expiries = x->expiries,
		.cancels = x->cancels,
		.wakeups = { x->wakeups[0], x->wakeups[1] },
		.deferrable = (x->flags & TDG_F_DEFERRABLE) != 0,
		.pinned = (x->flags & TDG_F_PINNED) != 0,
	};

	if (val_none(x))
		return 0;
	memcpy(name, k->name, TDG_NAME_LEN);
	name[TDG_NAME_LEN] = '\0';
	if (name[0] != '\0')
		ac.name = name;
	return td_attr_add(b->attr, &ac) < 0 ? -ENOMEM : 0;
}

/* Slot i of the tables of sources. */
static const struct tdg_slot *
slot_at(const struct bp_priv *b, size_t i)
{
	return (const struct tdg_slot *)(const void *)(b->slots + i * b->slot_size);
}

/*
 * Count the slots with an event in this interval (a source's first event on
 * a CPU in an interval lists its slot): each CPU's list of them, of this
 * interval, and each slot's counters of this interval.  Each is copied and
 * checked whole (tagged by its own key's hash before and after the copy,
 * and its counters opened for this interval by that key).
 * The slots lie where their hashes put them: at 10,000 sources
 * each is two cache misses, so a slot is asked for SLOT_AHEAD slots before
 * it is read (they were a sixth of the process's CPU).
 */
#define SLOT_AHEAD	8

/* Whether the slot listed at list[i] (its index in *j) is in the table that starts at slot lo. */
static bool
listed(const struct bp_priv *b, const uint64_t *list, uint32_t i, uint32_t lo, uint64_t *j)
{
	*j = __atomic_load_n(&list[i], __ATOMIC_RELAXED);
	return *j >= lo && *j - lo < b->src_slots;
}

static int
add_taken(struct bp_priv *b)
{
	uint32_t g = b->drain_gen;

	for (int c = 0; c < b->ncpus; c++) {
		uint32_t at = tdg_taken_index(g, (uint32_t)b->ncpus, (uint32_t)c, b->src_slots);
		uint32_t lo = tdg_slot_index((uint32_t)c, b->src_slots, 0, 0);
		uint64_t n = __atomic_load_n(&b->taken[at + 1], __ATOMIC_ACQUIRE);
		const uint64_t *list = &b->taken[at + 2];

		if (__atomic_load_n(&b->taken[at], __ATOMIC_ACQUIRE) != g)
			continue;
		if (n > b->src_slots)
			n = b->src_slots;
		for (uint32_t i = 0; i < n; i++) {
			struct tdg_slot x;
			uint64_t tag, h, j;

			if (i + SLOT_AHEAD < n && listed(b, list, i + SLOT_AHEAD, lo, &j)) {
				__builtin_prefetch(&slot_at(b, j)->c[g & 1]);
				__builtin_prefetch(&slot_at(b, j)->key);
				__builtin_prefetch(&b->tags[j]);
			}
			if (!listed(b, list, i, lo, &j))
				continue;
			tag = __atomic_load_n(&b->tags[j], __ATOMIC_ACQUIRE);
			memcpy(&x, slot_at(b, j), sizeof(x));
			h = tdg_key_hash(&x.key);
			/* Its key's, before and after; its counters opened in this interval. */
			if (tag == 0 || !TDG_TAG_OF(tag, h) ||
			    !TDG_TAG_OF(__atomic_load_n(&b->tags[j], __ATOMIC_ACQUIRE), h) ||
			    x.c[g & 1].tag != TDG_TAG(h, g))
				continue;
			b->nsrc++;
			if (add_count(b, &x.key, &x.c[g & 1].val, c) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Hand one source's per-CPU counters in the map to the attribution (its
 * slots, where it had some: add_taken).
 */
static int
add_source(struct bp_priv *b, const struct tdg_key *k, const struct tdg_val *v)
{
	for (int c = 0; c < b->ncpus; c++) {
		const struct tdg_val *x = (const struct tdg_val *)(const void *)
		    ((const char *)v + (size_t)c * value_stride(sizeof(*v)));

		if (add_count(b, k, x, c) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Read a map the programs left, hand it to the attribution, and empty it: in
 * batches of up to DRAIN_BATCH sources and DRAIN_BYTES of their values (a
 * value per possible CPU each), each read and deleted in one call.  Where
 * the kernel has no batches for hash maps (before 5.6), key by key: each key
 * deleted once the next one is known, so that the walk goes on from it (a
 * walk from the first key again for each deletion is quadratic: at 10,000
 * sources it took most of the process's CPU).
 */
#define DRAIN_BATCH	1024
#define DRAIN_BYTES	(4U << 20)

static bool drain_by_key;	/* td_bpf_drain_by_key_for_tests */

void
td_bpf_drain_by_key_for_tests(bool on)
{
	drain_by_key = on;
}

static int
drain_map(struct bp_priv *b, struct bpf_map *m)
{
	int fd = bpf_map__fd(m), r = 0;
	size_t vsz = value_stride(sizeof(struct tdg_val)) * (size_t)b->ncpus;
	struct tdg_key *keys, k, next;
	char *vals;
	uint32_t token = 0, n, batch = vsz < DRAIN_BYTES / DRAIN_BATCH ? DRAIN_BATCH :
	    vsz < DRAIN_BYTES ? (uint32_t)(DRAIN_BYTES / vsz) : 1;
	bool first = true, batched = !drain_by_key, more = true;
	void *prev = NULL;

	keys = malloc(batch * sizeof(*keys));
	vals = malloc(batch * vsz);
	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	while (r == 0 && batched && more) {
		n = batch;
		if (bpf_map_lookup_and_delete_batch(fd, first ? NULL : &token, &token, keys, vals,
		    &n, NULL) < 0) {
			more = false;
			/* ENOENT: the last batch; else none read (no batches, or a bucket too big) */
			batched = errno == ENOENT;
			if (!batched)
				n = 0;
		}
		first = false;
		b->nsrc += n;
		for (uint32_t i = 0; i < n && i < batch && r == 0; i++)
			r = add_source(b, &keys[i], (const struct tdg_val *)(const void *)
			    (vals + (size_t)i * vsz));
	}
	while (r == 0 && !batched && bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (prev != NULL)
			(void)bpf_map_delete_elem(fd, &k);
		k = next;
		prev = &k;
		b->nsrc++;
		if (bpf_map_lookup_elem(fd, &k, vals) == 0)
			r = add_source(b, &k, (const struct tdg_val *)(const void *)vals);
	}
	if (prev != NULL)
		(void)bpf_map_delete_elem(fd, &k);
	free(keys);
	free(vals);
	return r;
}

/* The member at offset off of CPU c's counters, in their mapping. */
static const void *
cpu_stat(const struct bp_priv *b, int c, size_t off)
{
	return b->cpus + (size_t)c * b->cpu_size + off;
}

/*
 * Whether the aggregation map of parity cur may hold sources, given the
 * CPUs' counts of sources added (summed after the wait, when the interval's
 * programs are done): the programs added some since the last collect, or
 * added some that were not read yet.  Either map may have them: from the
 * switch on, the next interval's programs add to the other map, and a
 * program of the interval before that outlived the last wait added to its
 * map after collect read it.
 */
static bool
map_held(struct bp_priv *b, uint32_t cur, uint32_t added)
{
	if (added != b->added)
		b->agg_held[0] = b->agg_held[1] = true;
	b->added = added;
	return b->agg_held[cur];
}

/* Nanoseconds since t0 (CLOCK_MONOTONIC). */
static long long
ns_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000000LL + (t.tv_nsec - t0->tv_nsec);
}

/*
 * Wait until no program that began before the switch at t0 runs
 * (FLIP_WAIT_NS at most); the CPUs' counts of sources added, summed as each
 * CPU's programs are done (map_held), in the same pass over the CPUs.
 */
static uint32_t
flip_wait(const struct bp_priv *b, const struct timespec *t0)
{
	uint32_t added = 0;

	while (ns_since(t0) < FLIP_GRACE_NS)
		;
	for (int c = 0; c < b->ncpus; c++) {
		const uint16_t *running = cpu_stat(b, c, offsetof(struct tdg_cpu_stats, running));

		while (__atomic_load_n(running, __ATOMIC_ACQUIRE) != 0 &&
		    ns_since(t0) < FLIP_WAIT_NS)
			;
		added += __atomic_load_n((const uint32_t *)cpu_stat(b, c,
		    offsetof(struct tdg_cpu_stats, added)), __ATOMIC_ACQUIRE);
	}
	return added;
}

/* Switch the programs to the other map, read the one left, and make the sample. */
static int
bp_collect(struct td_sampler *s, struct td_sample *p, struct td_error *e)
{
	struct bp_priv *b = s->priv;
	struct timespec t0;
	uint32_t g = b->skel->bss->gen, cur = g & 1;
	uint64_t dropped = 0, events = 0, all = 0, whole = 0, run;
	uint32_t added;
	int r, n;

	/* The interval's number: the slots of the tables are the interval's by it. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	__atomic_store_n(&b->skel->bss->gen, g + 1, __ATOMIC_SEQ_CST);
	/*
	 * The CPUs' counters at the switch, each CPU's copied once from its
	 * mapping (the programs go on writing it); meanwhile, the programs'
	 * run time.
	 */
	for (int c = 0; c < b->ncpus; c++) {
		struct tdg_cpu_stats st;
		struct bp_cpu *l = &b->last[c];
		uint64_t ex[2];

		memcpy(&st, cpu_stat(b, c, 0), sizeof(st));
		ex[0] = st.exits[0] - l->exits[0];
		ex[1] = st.exits[1] - l->exits[1];
		td_attr_add_exits(b->attr, c, ex, st.idle_seen, st.task_seen);
		all += st.events - l->events;
		whole += (uint32_t)(st.whole - l->whole);
		if (td_sampler_cpu_wanted(s, c)) {
			dropped += (uint32_t)(st.dropped - l->dropped);
			events += st.events - l->events;
		}
		l->exits[0] = st.exits[0];
		l->exits[1] = st.exits[1];
		l->dropped = st.dropped;
		l->events = st.events;
		l->whole = st.whole;
	}
	run = run_time(b);
	added = flip_wait(b, &t0);
	b->drain_gen = g;
	if (map_held(b, cur, added)) {
		if (drain_map(b, cur ? b->skel->maps.tdg_agg1 : b->skel->maps.tdg_agg0) < 0)
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
		b->agg_held[cur] = false;
	}
	if (add_taken(b) < 0)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	p->lost_known = true;
	p->lost_events = dropped;
	p->processed = events;
	p->note[0] = '\0';
	if (td_knames_nsyms(b->names) == 0)
		snprintf(p->note, sizeof(p->note),
		    "bpf: no kernel symbols (%s): callbacks shown as addresses",
		    td_knames_why_none(b->names));
	else if (!b->wakeups)
		snprintf(p->note, sizeof(p->note),
		    "bpf: no power:cpu_idle or sched_switch in this kernel: wakeups unknown");
	else if (dropped > 0)
		snprintf(p->note, sizeof(p->note),
		    "bpf: %llu events of sources that fit neither their CPU's table nor the map "
		    "(--bpf-map-entries)",
		    (unsigned long long)dropped);
	else if (p->period_ns > 0) {
		/*
		 * The timers' starts and expiries that found no source in the
		 * cache by timer address took the whole way: the first of each
		 * timer, a source's first on a CPU where no CPU has a slot for
		 * it, and those of sources whose set was
		 * full; many more say the tables are too small for the machine's
		 * timers.
		 */
		n = snprintf(p->note, sizeof(p->note),
		    "bpf: %llu timer events not cached", (unsigned long long)whole);
		if (run > b->run_ns && n > 0 && (size_t)n < sizeof(p->note))
			snprintf(p->note + n, sizeof(p->note) - (size_t)n,
			    "; programs ran %.3f ms in the kernel (%.3f %% of one CPU, "
			    "%.0f ns per event)", (double)(run - b->run_ns) / 1e6,
			    100.0 * (double)(run - b->run_ns) / (double)p->period_ns,
			    all > 0 ? (double)(run - b->run_ns) / (double)all : 0.0);
	}
	b->run_ns = run;
	b->names_batched = false;
	if (b->nsrc > TASKS_BATCH_MIN) {
		if (b->ntasks == 0 || b->tasks_missed || ++b->tasks_age >= TASKS_KEEP) {
			b->ntasks = 0;
			b->tasks_age = 0;
			b->tasks_missed = false;
			b->names_batched = read_tasks(b);
		} else {
			b->names_batched = true;
		}
	}
	b->nsrc = 0;
	r = td_attr_collect(b->attr, p, e);
	b->names_batched = false;
	if (r == 0 && td_sampler_describe_vectors(p, b->irq) < 0)
		r = td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	return r;
}

/* Detach the programs: counting stops (the maps stay for collect). */
static void
bp_stop(struct td_sampler *s)
{
	struct bp_priv *b = s->priv;

	if (b == NULL || b->links == NULL)
		return;
	for (size_t i = 0; i < b->nlinks; i++)
		bpf_link__destroy(b->links[i]);
	b->nlinks = 0;
}

/* Release programs, links and maps (their fds), and the names. */
static void
bp_close(struct td_sampler *s)
{
	struct bp_priv *b = s->priv;

	if (b == NULL)
		return;
	bp_stop(s);
	free(b->links);
	tdg__destroy(b->skel);
	td_attr_free(b->attr);
	td_interrupts_free(b->irq);
	td_knames_free(b->names);
	free(b->last);
	if (b->cpus != NULL)
		munmap((void *)(uintptr_t)b->cpus, b->cpus_len);
	if (b->slots != NULL)
		munmap((void *)(uintptr_t)b->slots, b->slots_len);
	if (b->tags != NULL)
		munmap((void *)(uintptr_t)b->tags, b->tags_len);
	if (b->taken != NULL)
		munmap((void *)(uintptr_t)b->taken, b->taken_len);
	free(b->tasks);
	free(b);
	s->priv = NULL;
}

#else	/* !HAVE_BPF */

/* Built without libbpf, bpftool or a clang for BPF. */
static int
bp_open(struct td_sampler *s, struct td_error *e)
{
	(void)s;
	return td_error_set(e, ENOTSUP, NULL, 0,
	    "BPF backend not built (configure found no libbpf, bpftool or clang for BPF)");
}

static int
bp_start(struct td_sampler *s, struct td_error *e)
{
	(void)s;
	return td_error_set(e, ENOTSUP, NULL, 0, "BPF backend not built");
}

static int
bp_collect(struct td_sampler *s, struct td_sample *p, struct td_error *e)
{
	(void)s;
	(void)p;
	return td_error_set(e, ENOTSUP, NULL, 0, "BPF backend not built");
}

static void
bp_stop(struct td_sampler *s)
{
	(void)s;
}

static void
bp_close(struct td_sampler *s)
{
	(void)s;
}

#endif

const struct td_sampler_ops td_sampler_bpf_ops = {
	.backend = TD_BACKEND_BPF,
	.open = bp_open,
	.start = bp_start,
	.fd = NULL,
	.pump = NULL,
	.collect = bp_collect,
	.stop = bp_stop,
	.close = bp_close,
};
