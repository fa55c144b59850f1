/*
 * timerprobe --break: what delayed the wake-up that broke the run.  As root
 * the library's sampler runs beside the measurement (a private tracefs
 * instance on the "mono" trace clock, so event times compare with
 * CLOCK_MONOTONIC); its observer keeps the last events of each measured CPU
 * (src/lib/wake_cause.c).  After the break the buffers are drained up to the
 * late wake-up and the library names what ran in between.  Nothing is pumped
 * while the run goes on: the instance's ring buffer overwrites its oldest
 * events, the newest are what matter.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpubudget.h"
#include "json.h"
#include "ksyms.h"
#include "probe.h"
#include "sampler.h"
#include "softirqs.h"
#include "textsafe.h"
#include "wake_cause.h"

#define BUFFER_KB	2048		/* per-CPU trace buffer (less on a big machine: cpubudget.h) */

struct probe_cause {
	const struct probe_opts	*o;
	struct td_sampler	*s;
	char			 why[200];	/* why there is no cause; "" when there is */
	int			 ncpu;
	struct td_wake_rings	*rings;
	struct td_ksyms		*ks;
	struct td_wake_names	 names;
	bool			 done;
	int			 tid;		/* the thread that broke the run */
	struct td_wake_cause	 c;
	char			 trace_err[256];
};

/* A callback's name from kallsyms, NULL when unknown. */
static const char *
ksym_name(void *ctx, uint64_t fn)
{
	struct td_ksyms *ks = ctx;

	return ks != NULL ? td_ksyms_name(ks, fn) : NULL;
}

/* Start the sampler beside the run, or say why not. */
int
probe_cause_open(const struct probe_opts *o, struct probe_cause **out)
{
	struct probe_cause *c;
	struct td_sampler_opts so;
	struct td_cpuset mine;
	struct td_error e;
	FILE *f;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	*out = c;
	c->o = o;
	if (geteuid() != 0) {
		snprintf(c->why, sizeof(c->why), "%s", "naming the cause needs root "
		    "(the sampler's tracefs instance)");
		return 0;
	}
	c->ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (o->has_cpus)
		mine = o->cpus;
	else {
		td_cpuset_zero(&mine);
		for (int i = 0; i < c->ncpu && i < TD_MAX_CPUS; i++)
			if (o->cpu < 0 || o->cpu == i)
				td_cpuset_set(&mine, i);
	}
	if ((r = td_wake_rings_new(c->ncpu, &mine, &c->rings)) < 0)
		return r;
	td_sampler_opts_init(&so);
	so.backend = TD_BACKEND_TRACEFS;
	so.cpus = o->has_cpus ? &o->cpus : NULL;
	so.buffer_kb = td_tracebuf_kb(BUFFER_KB);
	so.observe = td_wake_rings_observe;
	so.observe_arg = c->rings;
	so.trace_clock = "mono";
	td_error_clear(&e);
	if (td_sampler_open(&c->s, &so, &e) < 0 || td_sampler_start(c->s, &e) < 0) {
		snprintf(c->why, sizeof(c->why), "the sampler could not start: %.150s", e.msg);
		td_sampler_close(c->s);
		c->s = NULL;
		return 0;
	}
	if ((f = fopen("/proc/kallsyms", "re")) != NULL) {
		(void)td_ksyms_load(f, NULL, &c->ks, NULL);
		fclose(f);
	}
	c->names.function = ksym_name;
	c->names.ctx = c->ks;
	return 0;
}

/* The trace being written: the file and the comm of the task switched in last. */
struct trace_out {
	FILE			*f;
	const struct probe_cause *c;
	char			 comm[TD_WAKE_NAME_LEN];
	size_t			 n;
};

/* Count one event (for the header). */
static void
trace_count(const struct td_wake_event *e, void *arg)
{
	(void)e;
	((struct trace_out *)arg)->n++;
}

/* The tracefs event name of an x86 vector labelled as /proc/interrupts does. */
static const char *
vector_event(const char *label)
{
	static const char *const evs[] = { "local_timer_entry", "reschedule_entry",
	    "call_function_entry", "call_function_single_entry", "irq_work_entry",
	    "x86_platform_ipi_entry", "thermal_apic_entry", "threshold_apic_entry",
	    "deferred_error_apic_entry", "error_apic_entry", "spurious_apic_entry" };

	for (size_t k = 0; k < sizeof(evs) / sizeof(evs[0]); k++) {
		const char *l = td_trace_vector_label(evs[k], strlen(evs[k]));

		if (l != NULL && strcmp(l, label) == 0)
			return evs[k];
	}
	return "local_timer_entry";
}

/* Write one event as a line of tracefs `trace` text. */
static void
trace_line(const struct td_wake_event *e, void *arg)
{
	struct trace_out *t = arg;
	const struct td_wake_names *nm = &t->c->names;
	FILE *f = t->f;
	int cpu = t->c->c.cpu;
	char fn[128];
	const char *sn;
	char flags = (e->ctx & TD_TEV_CTX_HARDIRQ) ? ((e->ctx & TD_TEV_CTX_SOFTIRQ) ?
	    'H' : 'h') : (e->ctx & TD_TEV_CTX_SOFTIRQ) ? 's' : '.';

	fprintf(f, "%16s-%-7d [%03d] d.%c.. %5" PRIu64 ".%09" PRIu64 ": ",
	    e->pid == 0 ? "<idle>" : t->comm, e->pid, cpu, flags,
	    e->ts / 1000000000, e->ts % 1000000000);
	switch (e->type) {
	case TD_TEV_VECTOR:
		fprintf(f, "%s: vector=%d\n", vector_event(e->name), e->num);
		break;
	case TD_TEV_IRQ:
		fprintf(f, "irq_handler_entry: irq=%d name=%s\n", e->num, e->name);
		break;
	case TD_TEV_SOFTIRQ:
		sn = td_softirq_name(e->num);
		fprintf(f, "softirq_entry: vec=%d [action=%s]\n", e->num, sn ? sn : "?");
		break;
	case TD_TEV_TIMER_EXPIRE:
		fprintf(f, "timer_expire_entry: timer=%016" PRIx64 " function=%s now=0 "
		    "baseclk=0\n", e->ptr, td_wake_function(nm, e->function, fn, sizeof(fn)));
		break;
	case TD_TEV_HRTIMER_EXPIRE:
		fprintf(f, "hrtimer_expire_entry: hrtimer=%016" PRIx64 " function=%s "
		    "now=%" PRIu64 "\n", e->ptr, td_wake_function(nm, e->function, fn,
		    sizeof(fn)), e->ts);
		break;
	case TD_TEV_IDLE:
		fprintf(f, "cpu_idle: state=%u cpu_id=%d\n", (unsigned)e->num, cpu);
		break;
	case TD_TEV_SCHED_SWITCH:
		fprintf(f, "sched_switch: prev_comm=%s prev_pid=%d prev_prio=120 "
		    "prev_state=R ==> next_comm=%s next_pid=%d next_prio=120\n",
		    t->comm, e->arg, e->name, e->num);
		snprintf(t->comm, sizeof(t->comm), "%s", e->name);
		break;
	default:
		fputc('\n', f);
	}
}

/* Write the kept events of the breaking CPU as a tracefs `trace` text. */
static int
write_trace(struct probe_cause *c, const char *path)
{
	struct trace_out t = { .c = c, .comm = "<...>" };

	if ((t.f = fopen(path, "we")) == NULL)
		return -errno;
	td_wake_rings_walk(c->rings, c->c.cpu, c->c.t1, trace_count, &t);
	fprintf(t.f, "# tracer: nop\n#\n# entries-in-buffer/entries-written: %zu/%zu   #P:%d\n"
	    "#\n#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
	    "#              | |         |   |||||     |         |\n", t.n, t.n, c->ncpu);
	td_wake_rings_walk(c->rings, c->c.cpu, c->c.t1, trace_line, &t);
	if (fclose(t.f) != 0)
		return -errno;
	return 0;
}

/* Drain the sampler up to the late wake-up and name what ran in between. */
void
probe_cause_finish(struct probe_cause *c, const struct probe_result *b)
{
	struct td_sample *p = NULL;
	struct td_error e;
	int r;

	if (c == NULL || c->s == NULL || b == NULL)
		return;
	c->tid = b->tid;
	td_wake_rings_limit(c->rings, (uint64_t)b->break_actual_mono);
	td_sampler_stop(c->s);
	td_error_clear(&e);
	if (td_sampler_collect(c->s, &p, &e) < 0) {
		snprintf(c->why, sizeof(c->why), "the sampler failed: %.150s", e.msg);
		return;
	}
	td_sample_free(p);
	if (td_wake_cause_analyse(c->rings, &c->names, b->cpu,
	    (uint64_t)b->break_intended_mono, (uint64_t)b->break_actual_mono, b->tid,
	    &c->c) < 0) {
		snprintf(c->why, sizeof(c->why), "CPU %d was not traced", b->cpu);
		return;
	}
	c->done = true;
	if (c->o->trace_on_break != NULL && (r = write_trace(c, c->o->trace_on_break)) < 0)
		snprintf(c->trace_err, sizeof(c->trace_err), "%s: %s",
		    c->o->trace_on_break, strerror(-r));
}

/* The cause as text, after the break line. */
void
probe_cause_text(const struct probe_cause *c)
{
	const struct td_wake_cause *w = c != NULL ? &c->c : NULL;
	char a[32], buf[160];

	if (c == NULL)
		return;
	if (!c->done) {
		printf("cause:      unknown: %s\n", c->why[0] ? c->why : "no break");
		return;
	}
	/* Task, interrupt and function names come from outside: escaped. */
	printf("cause:      %s\n", TD_SAFE(w->cause));
	if (w->has_own)
		printf("            our timer fired %s after the intended time\n",
		    probe_fmt_ns(a, sizeof(a), (int64_t)(w->own_ts - w->t0)));
	printf("tasks:      ");
	for (size_t i = 0; i < w->ntasks; i++)
		printf("%s%s (pid %d%s) %s", i ? ", " : "", w->tasks[i].comm[0] ?
		    TD_SAFE(w->tasks[i].comm) : "?", w->tasks[i].pid, w->tasks[i].pid == c->tid ?
		    ", this probe" : "", probe_fmt_ns(a, sizeof(a),
		    (int64_t)w->tasks[i].on_cpu_ns));
	printf("%s\n", w->ntasks == 0 ? "unknown (no task seen on the CPU in between)" :
	    w->tasks_cut ? ", more not listed" : "");
	printf("events:     %zu on CPU %d between the intended and the actual wake-up%s\n",
	    w->nall, w->cpu, w->cut ? " (more before them were overwritten; the "
	    "first kept shown)" : w->nall > w->nwin ? " (the first ones shown)" : "");
	for (size_t i = 0; i < w->nwin; i++)
		printf("  +%-9s %s\n", probe_fmt_ns(a, sizeof(a),
		    (int64_t)(w->win[i].ts - w->t0)),
		    TD_SAFE(td_wake_event_words(&w->win[i], &c->names, buf, sizeof(buf))));
	if (c->o->trace_on_break != NULL)
		printf("trace:      %s\n", TD_SAFE(c->trace_err[0] ? c->trace_err :
		    c->o->trace_on_break));
}

/* "tasks": who held the CPU in the window and for how long. */
static void
cause_tasks_json(const struct td_wake_cause *w, struct td_json *j)
{
	td_json_arr_begin(j, "tasks");
	for (size_t i = 0; i < w->ntasks; i++) {
		td_json_obj_begin(j, NULL);
		td_json_int(j, "pid", w->tasks[i].pid);
		if (w->tasks[i].comm[0] != '\0')
			td_json_str(j, "comm", w->tasks[i].comm);
		else
			td_json_unknown(j, "comm", "no switch to the task was kept (it held "
			    "the CPU from before the kept events)");
		td_json_int(j, "on_cpu_ns", (int64_t)w->tasks[i].on_cpu_ns);
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
	td_json_bool(j, "tasks_cut", w->tasks_cut);
}

/* The cause as JSON members of a "break" object. */
void
probe_cause_json(const struct probe_cause *c, struct td_json *j)
{
	const struct td_wake_cause *w = c != NULL ? &c->c : NULL;
	char buf[160];

	if (c == NULL)
		return;
	if (!c->done) {
		td_json_unknown(j, "cause", c->why[0] ? c->why : "no break");
		return;
	}
	td_json_str(j, "cause", w->cause);
	if (w->has_task) {
		if (w->task_comm[0] != '\0')
			td_json_str(j, "task_comm", w->task_comm);
		else
			td_json_unknown(j, "task_comm", "no switch to the task was kept");
		td_json_int(j, "task_pid", w->task_pid);
	} else {
		td_json_unknown(j, "task_comm", "no task ran between the timer and the wake-up");
		td_json_unknown(j, "task_pid", "no task ran between the timer and the wake-up");
	}
	if (w->has_own)
		td_json_int(j, "own_timer_delay_ns", (int64_t)(w->own_ts - w->t0));
	else
		td_json_unknown(j, "own_timer_delay_ns", "the probe's own timer expiry was not "
		    "traced");
	cause_tasks_json(w, j);
	td_json_uint(j, "events_between", w->nall);
	td_json_bool(j, "events_cut", w->cut);
	td_json_arr_begin(j, "events");
	for (size_t i = 0; i < w->nwin; i++) {
		td_json_obj_begin(j, NULL);
		td_json_int(j, "offset_ns", (int64_t)(w->win[i].ts - w->t0));
		td_json_str(j, "what", td_wake_event_words(&w->win[i], &c->names, buf,
		    sizeof(buf)));
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
	if (c->o->trace_on_break != NULL)
		td_json_str(j, "trace_file_error", c->trace_err[0] ? c->trace_err : "");
}

/* Stop the sampler (removing its instance) and free. */
void
probe_cause_close(struct probe_cause *c)
{
	if (c == NULL)
		return;
	td_sampler_close(c->s);
	td_wake_rings_free(c->rings);
	td_ksyms_free(c->ks);
	free(c);
}
