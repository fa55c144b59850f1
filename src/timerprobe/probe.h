/* timerprobe: what the files of the tool share (options, a run's results). */
#ifndef TIMERPROBE_PROBE_H
#define TIMERPROBE_PROBE_H

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cpumask.h"
#include "error.h"
#include "latency.h"

struct probe_cause;
struct td_json;

/* How the program under test waits. */
enum probe_mode {
	MODE_TIMERFD,
	MODE_CLOCK_NANOSLEEP,
	MODE_NANOSLEEP,
	MODE_POLL,
	MODE_PPOLL,
	MODE_EPOLL,
	MODE_SELECT,
	MODE_COUNT
};

/* What each mode can do. */
struct mode_info {
	const char	*name;
	const char	*call;		/* the system call, for the text output */
	bool		 has_abs;	/* can wait for an absolute time */
	bool		 has_clock;	/* can use another clock than CLOCK_MONOTONIC */
	bool		 poll_slack;	/* the kernel adds select_estimate_accuracy() slack */
	bool		 uses_slack;	/* the task's timer slack applies at all */
	int64_t		 unit_ns;	/* the timeout's unit (1 ms for poll) */
};

extern const struct mode_info probe_modes[MODE_COUNT];

/* The command line. */
struct probe_opts {
	enum probe_mode	 mode;
	clockid_t	 clock;
	bool		 absolute;
	int64_t		 interval_ns;
	long long	 count;		/* 0: none asked */
	int64_t		 duration_ns;	/* 0: none asked */
	bool		 has_slack;
	int64_t		 slack_ns;
	int		 fifo;		/* 0: not asked */
	int		 cpu;		/* -1: not asked */
	bool		 has_cpus;	/* --cpus: one thread per CPU of cpus */
	struct td_cpuset cpus;
	int		 ncpus;		/* CPUs in cpus */
	bool		 dma_latency;
	bool		 meter;
	int64_t		 read_every_ns;	/* --interval-meter: the read cadence */
	bool		 json;
	bool		 quiet;		/* no live lines */
	int64_t		 break_ns;	/* --break: 0 not asked */
	const char	*trace_on_break;	/* --trace-on-break FILE, or NULL */
	const char	*samples;	/* --samples FILE, or NULL */
	const char	*sysroot;
};

/* Why a run stopped. */
enum probe_stop {
	STOP_COUNT,
	STOP_DURATION,
	STOP_LIMIT,
	STOP_SIGNAL,
	STOP_BREAK,		/* --break: a wake-up later than the limit (here or on another CPU) */
};

/* What a worker shows the live display while it runs (under mu). */
struct probe_live {
	pthread_mutex_t		 mu;
	int64_t			 cur, min, max;
	struct td_latency_live	 hist;
};

/* The results of one run. */
struct probe_result {
	struct td_latency	 lat;		/* latency per wake-up; meter: clock delta - expired */
	uint64_t		 overruns;	/* periods that passed unseen (timerfd counts above 1) */
	bool			 has_overruns;	/* false for relative sleeps: nothing to overrun */
	int64_t			 elapsed_ns;
	int64_t			 overhead_sum_ns;	/* wake-up return to the next wait, summed */
	uint64_t		 overhead_n;
	enum probe_stop		 stop;
	/* --interval-meter only. */
	uint64_t		 expirations;	/* sum of what read() returned */
	int64_t			 clock_delta_ns;	/* clock at the last read minus at the first */
	int64_t			 clock_delta_min_ns;	/* before the last read - after the first */
	int64_t			 clock_delta_max_ns;	/* after the last read - before the first */
	uint64_t		 exp_min, exp_max;	/* per read, after the first */
	bool			 meter_paced;	/* reads paced by a sleep, not by the meter */
	bool			 has_loc;	/* timer interrupts of the meter's CPU known */
	int			 meter_cpu;	/* the CPU the meter ran on */
	uint64_t		 loc_delta;	/* its LOC count over the reads */
	/* --break: the wake-up that broke the run (this worker's own). */
	bool			 broke;
	int			 cpu;		/* the CPU it ran on */
	int			 tid;		/* the measuring thread */
	int64_t			 cpu_time_ns;	/* the thread's CPU time over the run; -1 unknown */
	int64_t			 break_latency_ns;
	int64_t			 break_intended_mono;	/* CLOCK_MONOTONIC ns */
	int64_t			 break_actual_mono;
};

/* One measuring thread. */
struct probe_worker {
	const struct probe_opts	*o;
	int			 cpu;		/* pinned here, -1: anywhere */
	struct probe_env	*env;		/* filled by the thread's own setup */
	struct probe_result	 res;
	struct probe_live	*live;		/* NULL: no live display */
	struct td_error		 err;
	int			 rc;
	pthread_t		 th;
};

/* The process's settings during the run, as read back from the kernel. */
struct probe_env {
	int64_t		 slack_ns;	/* PR_GET_TIMERSLACK */
	int64_t		 applied_slack_ns;	/* what this mode's waits get from the kernel */
	bool		 rt;		/* SCHED_FIFO in effect */
	int		 dma_fd;	/* /dev/cpu_dma_latency, -1 when not held */
};

/* What the kernel advertises. */
struct probe_advert {
	int64_t		 getres_ns;		/* clock_getres of the probed clock */
	bool		 has_tl_res;
	int64_t		 tl_res_ns;		/* /proc/timer_list .resolution */
	bool		 tl_live;		/* read from the running kernel, not --sysroot */
	char		 tl_absent[128];	/* why not, when !has_tl_res */
};

extern volatile sig_atomic_t probe_stop_flag;

/* modes.c: run the wait loop of o->mode; 0 or -errno with e filled. */
int probe_run(const struct probe_opts *o, struct probe_result *r, struct probe_live *live,
    struct td_error *e);
/* modes.c: whether this wake-up breaks the run (--break); the first one claims it. */
bool probe_break_check(const struct probe_opts *o, struct probe_result *r, int64_t lat,
    int64_t t_after);
/* threads.c: run a worker per CPU (or one), the live lines meanwhile; 0 or -errno. */
int probe_run_all(const struct probe_opts *o, struct probe_worker *w, size_t n, bool live);
/* threads.c: the CPUs of a --cpus list ("all": every CPU we may run on); -errno. */
int probe_parse_cpus(const char *text, struct td_cpuset *set, int *n);
/* meter.c: the 1 ns timerfd experiment. */
int probe_meter(const struct probe_opts *o, struct probe_result *r, struct td_error *e);
/* tuning.c: slack, CPU, SCHED_FIFO and /dev/cpu_dma_latency; 0 or -errno with e. */
int probe_env_setup(const struct probe_opts *o, struct probe_env *env, struct td_error *e);
/* Let /dev/cpu_dma_latency go. */
void probe_env_release(struct probe_env *env);
/* advertised.c: clock_getres and timer_list's resolution. */
void probe_advert_read(const struct probe_opts *o, struct probe_advert *a);
/* verdict.c: one line, "effective granularity about 55 us; slack of 50 us dominates". */
void probe_verdict(const struct probe_opts *o, const struct probe_env *env,
    const struct probe_advert *a, const struct probe_result *r,
    const struct td_latency_summary *s, char *buf, size_t len);
/* report.c: text and JSON. */
void probe_report_text(const struct probe_opts *o, const struct probe_env *env,
    const struct probe_advert *a, const struct probe_result *r,
    const struct td_latency_summary *s, const char *verdict);
int probe_report_json(const struct probe_opts *o, const struct probe_env *env,
    const struct probe_advert *a, const struct probe_result *r,
    const struct td_latency_summary *s, const char *verdict,
    struct probe_worker *w, size_t nw, const struct probe_cause *cause);
/* report.c: the per-CPU table and "cpus" JSON array (--cpus). */
void probe_report_cpus_text(struct probe_worker *w, size_t n);
/* samples.c: every sample of the nw threads, in time order, to path (--samples); 0 or -errno. */
int probe_samples_write(const char *path, const struct probe_worker *w, size_t nw);
/* report.c: the break line and its cause (--break), nothing otherwise. */
void probe_report_break_text(const struct probe_opts *o, const struct probe_worker *w,
    size_t n, const struct probe_cause *c);
/* cause.c: the sampler beside a --break run. */
int probe_cause_open(const struct probe_opts *o, struct probe_cause **out);
/* After the run: what delayed the breaking wake-up, as text or JSON members. */
void probe_cause_finish(struct probe_cause *c, const struct probe_result *broke);
void probe_cause_text(const struct probe_cause *c);
void probe_cause_json(const struct probe_cause *c, struct td_json *j);
void probe_cause_close(struct probe_cause *c);
/* Clock names: "monotonic", "CLOCK_MONOTONIC". */
const char *probe_clock_name(clockid_t c);
const char *probe_clock_macro(clockid_t c);
/* A duration with its unit, 3 significant digits: "55.2 us". */
const char *probe_fmt_ns(char *buf, size_t len, int64_t ns);
/* The sample limit (memory: 8 bytes each). */
#define PROBE_SAMPLE_LIMIT	10000000

#endif
