/*
 * timerprobe --break: what delayed the wake-up that broke the run.  As root
 * the library's sampler runs beside the measurement (a private tracefs
 * instance on the "mono" trace clock, so event times compare with
 * CLOCK_MONOTONIC); its observer keeps the last events of each measured CPU
 * in two rings: task switches and idle changes in one, interrupts and timer
 * expiries in the other, so that a storm of interrupts during a long stall
 * cannot push out the switch that started it.  After the break the buffers are drained up to the late
 * wake-up, and the events between the intended and the actual wake-up are
 * named: interrupts, vectors, softirqs, timer expiries, the task that was
 * running, the idle exit.  Nothing is pumped while the run goes on: the
 * instance's ring buffer overwrites its oldest events, the newest are what
 * matter.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "ksyms.h"
#include "probe.h"
#include "sampler.h"

#define RING		2048		/* events kept per CPU */
#define SHOWN		48		/* events listed in the report */
#define BUFFER_KB	2048		/* per-CPU trace buffer */
#define NAME_LEN	32

/* One kept event. */
struct cev {
	enum td_tev_type	 type;
	uint64_t		 ts;
	int			 pid;
	unsigned		 ctx;
	int			 num, arg;
	uint64_t		 ptr, function;
	char			 name[NAME_LEN];
};

/* One ring: the last RING events pushed; ev[n % RING] is next. */
struct ring1 {
	struct cev		*ev;
	size_t			 n;
};

/* A CPU's rings: its states (switches, idle) and its other events. */
struct cring {
	struct ring1		 st, ev;
};

/* A walk over both rings of a CPU in time order. */
struct cwalk {
	const struct cring	*r;
	size_t			 i, j;		/* next in st, in ev */
};

struct probe_cause {
	const struct probe_opts	*o;
	struct td_sampler	*s;
	char			 why[200];	/* why there is no cause; "" when there is */
	int			 ncpu;
	struct cring		*ring;
	uint64_t		 limit;		/* events after this time are dropped */
	struct td_ksyms		*ks;
	/* The analysis. */
	bool			 done;
	int			 cpu;
	uint64_t		 t0, t1;		/* intended and actual wake-up */
	struct cev		 win[SHOWN];
	size_t			 nwin, nall;
	bool			 cut;			/* the window's first events were overwritten */
	bool			 has_task;
	struct cev		 task;			/* the last switch before t0 */
	bool			 was_idle, has_exit;
	uint64_t		 idle_exit;		/* when the CPU left idle */
	int			 idle_state;
	bool			 has_own;
	uint64_t		 own_ts;		/* our timer's expiry */
	char			 cause[1024];
	char			 trace_err[256];
};

static const char *const softirq_names[] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
	"HRTIMER", "RCU",
};

/* The events a cause is made of: no timer starts or cancels. */
static bool
kept(enum td_tev_type t)
{
	switch (t) {
	case TD_TEV_TIMER_EXPIRE:
	case TD_TEV_HRTIMER_EXPIRE:
	case TD_TEV_VECTOR:
	case TD_TEV_IRQ:
	case TD_TEV_SOFTIRQ:
	case TD_TEV_IDLE:
	case TD_TEV_SCHED_SWITCH:
		return true;
	default:
		return false;
	}
}

/* The sampler's observer: keep the event in its CPU's ring. */
static void
observe(const struct td_tev *ev, void *arg)
{
	struct probe_cause *c = arg;
	struct ring1 *r;
	struct cev *x;
	size_t l;

	if (ev->cpu < 0 || ev->cpu >= c->ncpu || c->ring[ev->cpu].ev.ev == NULL ||
	    !kept(ev->type) || (c->limit != 0 && ev->ts > c->limit))
		return;
	r = ev->type == TD_TEV_SCHED_SWITCH || ev->type == TD_TEV_IDLE ?
	    &c->ring[ev->cpu].st : &c->ring[ev->cpu].ev;
	x = &r->ev[r->n++ % RING];
	x->type = ev->type;
	x->ts = ev->ts;
	x->pid = ev->pid;
	x->ctx = ev->ctx;
	x->num = ev->num;
	x->arg = ev->arg;
	x->ptr = ev->ptr;
	x->function = ev->function;
	l = ev->name != NULL ? ev->namelen : 0;
	if (l >= NAME_LEN)
		l = NAME_LEN - 1;
	memcpy(x->name, ev->name != NULL ? ev->name : "", l);
	x->name[l] = '\0';
}

/* Start the sampler beside the run, or say why not. */
int
probe_cause_open(const struct probe_opts *o, struct probe_cause **out)
{
	struct probe_cause *c;
	struct td_sampler_opts so;
	struct td_error e;
	FILE *f;

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
	if (c->ncpu < 1 || (c->ring = calloc((size_t)c->ncpu, sizeof(*c->ring))) == NULL)
		return -ENOMEM;
	for (int i = 0; i < c->ncpu; i++) {
		bool mine = o->has_cpus ? td_cpuset_isset(&o->cpus, i) :
		    (o->cpu < 0 || o->cpu == i);

		if (mine && ((c->ring[i].st.ev = calloc(RING, sizeof(struct cev))) == NULL ||
		    (c->ring[i].ev.ev = calloc(RING, sizeof(struct cev))) == NULL))
			return -ENOMEM;
	}
	td_sampler_opts_init(&so);
	so.backend = TD_BACKEND_TRACEFS;
	so.cpus = o->has_cpus ? &o->cpus : NULL;
	so.buffer_kb = BUFFER_KB;
	so.observe = observe;
	so.observe_arg = c;
	so.trace_clock = "mono";
	td_error_clear(&e);
	if (td_sampler_open(&c->s, &so, &e) < 0 || td_sampler_start(c->s, &e) < 0) {
		snprintf(c->why, sizeof(c->why), "the sampler could not start: %.150s", e.msg);
		td_sampler_close(c->s);
		c->s = NULL;
		return 0;
	}
	if ((f = fopen("/proc/kallsyms", "re")) != NULL) {
		(void)td_ksyms_load(f, &c->ks, NULL);
		fclose(f);
	}
	return 0;
}

/* A callback's name, or its address. */
static const char *
fn_name(const struct probe_cause *c, uint64_t fn, char *buf, size_t len)
{
	const char *n = c->ks != NULL ? td_ksyms_name(c->ks, fn) : NULL;

	if (n != NULL) {
		snprintf(buf, len, "%s", n);
		return buf;
	}
	snprintf(buf, len, "0x%" PRIx64, fn);
	return buf;
}

/* Whether a timer callback is what wakes a timerprobe wait. */
static bool
own_timer(const char *fn)
{
	return strcmp(fn, "hrtimer_wakeup") == 0 || strcmp(fn, "timerfd_tmrproc") == 0;
}

/* Append one named source to the cause line. */
static void
cause_add(struct probe_cause *c, const char *what)
{
	if (strstr(c->cause, what) != NULL)
		return;
	if (c->cause[0] != '\0')
		strlcat(c->cause, "; ", sizeof(c->cause));
	strlcat(c->cause, what, sizeof(c->cause));
}

/* One event in words: "irq 24 virtio0-input", "softirq TIMER", "LOC". */
static const char *
ev_words(const struct probe_cause *c, const struct cev *x, char *buf, size_t len)
{
	char fn[128];

	switch (x->type) {
	case TD_TEV_VECTOR:
		snprintf(buf, len, "vector %s", x->name);
		break;
	case TD_TEV_IRQ:
		snprintf(buf, len, "irq %d %s", x->num, x->name);
		break;
	case TD_TEV_SOFTIRQ:
		snprintf(buf, len, "softirq %s", x->num >= 0 && x->num < 10 ?
		    softirq_names[x->num] : "?");
		break;
	case TD_TEV_TIMER_EXPIRE:
		snprintf(buf, len, "timer %s", fn_name(c, x->function, fn, sizeof(fn)));
		break;
	case TD_TEV_HRTIMER_EXPIRE:
		snprintf(buf, len, "hrtimer %s", fn_name(c, x->function, fn, sizeof(fn)));
		break;
	case TD_TEV_IDLE:
		if (x->num == TD_TEV_IDLE_EXIT)
			snprintf(buf, len, "%s", "idle exit");
		else
			snprintf(buf, len, "idle enter (state %d)", x->num);
		break;
	case TD_TEV_SCHED_SWITCH:
		snprintf(buf, len, "switch to %s (pid %d)", x->name, x->num);
		break;
	default:
		snprintf(buf, len, "%s", "event");
	}
	return buf;
}

/* The oldest event a ring still holds. */
static size_t
ring_first(const struct ring1 *r)
{
	return r->n > RING ? r->n - RING : 0;
}

static void
walk_begin(struct cwalk *w, const struct cring *r)
{
	w->r = r;
	w->i = ring_first(&r->st);
	w->j = ring_first(&r->ev);
}

/* The next event of the CPU in time order, NULL at the end. */
static const struct cev *
walk_next(struct cwalk *w)
{
	const struct cev *a = w->i < w->r->st.n ? &w->r->st.ev[w->i % RING] : NULL;
	const struct cev *b = w->j < w->r->ev.n ? &w->r->ev.ev[w->j % RING] : NULL;

	if (a != NULL && (b == NULL || a->ts <= b->ts)) {
		w->i++;
		return a;
	}
	if (b != NULL)
		w->j++;
	return b;
}

/* Name a task known by pid from a kept switch to it; the idle task is "swapper". */
static void
task_name(const struct probe_cause *c, struct cev *t)
{
	const struct ring1 *r = &c->ring[c->cpu].st;

	if (t->num == 0) {
		snprintf(t->name, sizeof(t->name), "%s", "swapper");
		return;
	}
	for (size_t i = ring_first(r); i < r->n; i++) {
		const struct cev *e = &r->ev[i % RING];

		if (e->type == TD_TEV_SCHED_SWITCH && e->num == t->num)
			snprintf(t->name, sizeof(t->name), "%s", e->name);
	}
}

/* Look at the rings of the breaking CPU between the intended and the actual wake-up. */
static void
analyse(struct probe_cause *c, const struct probe_result *b)
{
	char w[160], x[64], later[400] = "", tasks[400] = "";
	const struct cev *e;
	struct cwalk wk;
	bool switched = false;

	walk_begin(&wk, &c->ring[c->cpu]);
	while ((e = walk_next(&wk)) != NULL) {
		if (e->ts < c->t0) {
			if (e->type == TD_TEV_SCHED_SWITCH) {
				c->task = *e;
				c->has_task = true;
			} else if (e->type == TD_TEV_IDLE) {
				c->was_idle = e->num != TD_TEV_IDLE_EXIT;
				c->idle_state = e->num;
			}
			continue;
		}
		if (e->ts > c->t1)
			break;
		if (c->nwin < SHOWN)
			c->win[c->nwin++] = *e;
		c->nall++;
		/*
		 * Until the first switch in the window, an event's common pid is
		 * the task that held the CPU at the due time: the witness when
		 * that task's own switch-in is no longer kept.
		 */
		if (!switched && e->type != TD_TEV_SCHED_SWITCH && e->type != TD_TEV_IDLE &&
		    (!c->has_task || c->task.num != e->pid)) {
			c->task.num = e->pid;
			c->task.name[0] = '\0';
			c->has_task = true;
			c->was_idle = e->pid == 0 && c->was_idle;
		}
		if (e->type == TD_TEV_SCHED_SWITCH)
			switched = true;
		if (e->type == TD_TEV_IDLE && e->num == TD_TEV_IDLE_EXIT && !c->has_exit) {
			c->has_exit = true;
			c->idle_exit = e->ts;
		}
		if (e->type == TD_TEV_HRTIMER_EXPIRE && !c->has_own &&
		    own_timer(fn_name(c, e->function, x, sizeof(x)))) {
			c->has_own = true;
			c->own_ts = e->ts;
			continue;
		}
		if (e->type == TD_TEV_IDLE)
			continue;
		if (e->type == TD_TEV_SCHED_SWITCH) {
			/* Tasks that ran in between, but for the idle task and us. */
			if (e->num == 0 || e->num == b->tid)
				continue;
			snprintf(w, sizeof(w), "task %s (pid %d) ran", e->name, e->num);
			if (strstr(tasks, w) == NULL) {
				strlcat(tasks, tasks[0] ? "; " : "", sizeof(tasks));
				strlcat(tasks, w, sizeof(tasks));
			}
			continue;
		}
		if (strstr(later, ev_words(c, e, w, sizeof(w))) == NULL) {
			strlcat(later, later[0] ? "; " : "", sizeof(later));
			strlcat(later, w, sizeof(later));
		}
	}
	{
		const struct ring1 *r = &c->ring[c->cpu].ev;

		c->cut = r->n > RING && r->ev[ring_first(r) % RING].ts > c->t0;
	}
	/* First the task on the CPU when the wake-up was due, unless idle or our own. */
	if (c->has_task && c->task.name[0] == '\0')
		task_name(c, &c->task);
	if (c->has_task && c->task.num != 0 && c->task.num != b->tid) {
		if (c->task.name[0] != '\0')
			snprintf(w, sizeof(w), "task %s (pid %d) was running", c->task.name,
			    c->task.num);
		else
			snprintf(w, sizeof(w), "task pid %d was running", c->task.num);
		cause_add(c, w);
	}
	/* Then the tasks that ran in between, then the interrupts and timers. */
	if (tasks[0] != '\0')
		cause_add(c, tasks);
	if (later[0] != '\0')
		cause_add(c, later);
	if (c->was_idle && c->has_exit) {
		snprintf(w, sizeof(w), "idle exit from state %d after %s", c->idle_state,
		    probe_fmt_ns(x, sizeof(x), (int64_t)(c->idle_exit - c->t0)));
		cause_add(c, w);
	}
	if (c->cause[0] == '\0')
		snprintf(c->cause, sizeof(c->cause), "%s", c->nall ? "nothing traced but "
		    "our own wake-up (a delay outside the kernel's view: the hypervisor?)" :
		    "no event traced on that CPU in between");
}

/* Write the kept events of the breaking CPU as a tracefs `trace` text. */
static int
write_trace(struct probe_cause *c, const char *path)
{
	char comm[NAME_LEN] = "<...>", fn[128];
	const struct cev *e;
	struct cwalk wk;
	size_t n = 0;
	FILE *f;

	if ((f = fopen(path, "we")) == NULL)
		return -errno;
	walk_begin(&wk, &c->ring[c->cpu]);
	while ((e = walk_next(&wk)) != NULL)
		n += e->ts <= c->t1;
	fprintf(f, "# tracer: nop\n#\n# entries-in-buffer/entries-written: %zu/%zu   #P:%d\n"
	    "#\n#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
	    "#              | |         |   |||||     |         |\n", n, n, c->ncpu);
	walk_begin(&wk, &c->ring[c->cpu]);
	while ((e = walk_next(&wk)) != NULL) {
		char flags = (e->ctx & TD_TEV_CTX_HARDIRQ) ? ((e->ctx & TD_TEV_CTX_SOFTIRQ) ?
		    'H' : 'h') : (e->ctx & TD_TEV_CTX_SOFTIRQ) ? 's' : '.';
		const char *vec = NULL;

		if (e->ts > c->t1)
			break;
		fprintf(f, "%16s-%-7d [%03d] d.%c.. %5" PRIu64 ".%09" PRIu64 ": ",
		    e->pid == 0 ? "<idle>" : comm, e->pid, c->cpu, flags,
		    e->ts / 1000000000, e->ts % 1000000000);
		switch (e->type) {
		case TD_TEV_VECTOR: {
			static const char *const evs[] = { "local_timer_entry",
			    "reschedule_entry", "call_function_entry",
			    "call_function_single_entry", "irq_work_entry",
			    "x86_platform_ipi_entry", "thermal_apic_entry",
			    "threshold_apic_entry", "deferred_error_apic_entry",
			    "error_apic_entry", "spurious_apic_entry" };

			for (size_t k = 0; k < sizeof(evs) / sizeof(evs[0]) && !vec; k++) {
				const char *l = td_trace_vector_label(evs[k], strlen(evs[k]));

				if (l != NULL && strcmp(l, e->name) == 0)
					vec = evs[k];
			}
			fprintf(f, "%s: vector=%d\n", vec ? vec : "local_timer_entry", e->num);
			break;
		}
		case TD_TEV_IRQ:
			fprintf(f, "irq_handler_entry: irq=%d name=%s\n", e->num, e->name);
			break;
		case TD_TEV_SOFTIRQ:
			fprintf(f, "softirq_entry: vec=%d [action=%s]\n", e->num,
			    e->num >= 0 && e->num < 10 ? softirq_names[e->num] : "?");
			break;
		case TD_TEV_TIMER_EXPIRE:
			fprintf(f, "timer_expire_entry: timer=%016" PRIx64 " function=%s now=0 "
			    "baseclk=0\n", e->ptr, fn_name(c, e->function, fn, sizeof(fn)));
			break;
		case TD_TEV_HRTIMER_EXPIRE:
			fprintf(f, "hrtimer_expire_entry: hrtimer=%016" PRIx64 " function=%s "
			    "now=%" PRIu64 "\n", e->ptr, fn_name(c, e->function, fn, sizeof(fn)),
			    e->ts);
			break;
		case TD_TEV_IDLE:
			fprintf(f, "cpu_idle: state=%u cpu_id=%d\n", (unsigned)e->num, c->cpu);
			break;
		case TD_TEV_SCHED_SWITCH:
			fprintf(f, "sched_switch: prev_comm=%s prev_pid=%d prev_prio=120 "
			    "prev_state=R ==> next_comm=%s next_pid=%d next_prio=120\n",
			    comm, e->arg, e->name, e->num);
			snprintf(comm, sizeof(comm), "%s", e->name);
			break;
		default:
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0)
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
	c->cpu = b->cpu;
	c->t0 = (uint64_t)b->break_intended_mono;
	c->t1 = (uint64_t)b->break_actual_mono;
	c->limit = c->t1;
	td_sampler_stop(c->s);
	td_error_clear(&e);
	if (td_sampler_collect(c->s, &p, &e) < 0) {
		snprintf(c->why, sizeof(c->why), "the sampler failed: %.150s", e.msg);
		return;
	}
	td_sample_free(p);
	if (c->cpu < 0 || c->cpu >= c->ncpu || c->ring[c->cpu].ev.ev == NULL) {
		snprintf(c->why, sizeof(c->why), "CPU %d was not traced", c->cpu);
		return;
	}
	analyse(c, b);
	c->done = true;
	if (c->o->trace_on_break != NULL && (r = write_trace(c, c->o->trace_on_break)) < 0)
		snprintf(c->trace_err, sizeof(c->trace_err), "%s: %s",
		    c->o->trace_on_break, strerror(-r));
}

/* The cause as text, after the break line. */
void
probe_cause_text(const struct probe_cause *c)
{
	char a[32], buf[160];

	if (c == NULL)
		return;
	if (!c->done) {
		printf("cause:      unknown: %s\n", c->why[0] ? c->why : "no break");
		return;
	}
	printf("cause:      %s\n", c->cause);
	if (c->has_own)
		printf("            our timer fired %s after the intended time\n",
		    probe_fmt_ns(a, sizeof(a), (int64_t)(c->own_ts - c->t0)));
	printf("events:     %zu on CPU %d between the intended and the actual wake-up%s\n",
	    c->nall, c->cpu, c->cut ? " (more before them were overwritten; the "
	    "first kept shown)" : c->nall > c->nwin ? " (the first ones shown)" : "");
	for (size_t i = 0; i < c->nwin; i++)
		printf("  +%-9s %s\n", probe_fmt_ns(a, sizeof(a),
		    (int64_t)(c->win[i].ts - c->t0)),
		    ev_words(c, &c->win[i], buf, sizeof(buf)));
	if (c->o->trace_on_break != NULL)
		printf("trace:      %s\n", c->trace_err[0] ? c->trace_err : c->o->trace_on_break);
}

/* The cause as JSON members of a "break" object. */
void
probe_cause_json(const struct probe_cause *c, struct td_json *j)
{
	char buf[160];

	if (c == NULL)
		return;
	if (!c->done) {
		td_json_unknown(j, "cause", c->why[0] ? c->why : "no break");
		return;
	}
	td_json_str(j, "cause", c->cause);
	if (c->has_task) {
		td_json_str(j, "task_comm", c->task.name);
		td_json_int(j, "task_pid", c->task.num);
	} else {
		td_json_unknown(j, "task_comm", "no task ran between the timer and the wake-up");
		td_json_unknown(j, "task_pid", "no task ran between the timer and the wake-up");
	}
	if (c->has_own)
		td_json_int(j, "own_timer_delay_ns", (int64_t)(c->own_ts - c->t0));
	else
		td_json_unknown(j, "own_timer_delay_ns", "the probe's own timer expiry was not "
		    "traced");
	td_json_uint(j, "events_between", c->nall);
	td_json_bool(j, "events_cut", c->cut);
	td_json_arr_begin(j, "events");
	for (size_t i = 0; i < c->nwin; i++) {
		td_json_obj_begin(j, NULL);
		td_json_int(j, "offset_ns", (int64_t)(c->win[i].ts - c->t0));
		td_json_str(j, "what", ev_words(c, &c->win[i], buf,
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
	for (int i = 0; c->ring != NULL && i < c->ncpu; i++) {
		free(c->ring[i].st.ev);
		free(c->ring[i].ev.ev);
	}
	free(c->ring);
	td_ksyms_free(c->ks);
	free(c);
}
