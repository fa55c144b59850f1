/*
 * What delayed a late wake-up: the events of its CPU between the time it was
 * due and the time it came (interrupts, softirqs, timer expiries, the tasks
 * that held the CPU and for how long, the idle exit), from the sampler's
 * decoded events.  The events are kept per CPU in two rings (task switches
 * and idle changes in one, the rest in the other), so that a storm of
 * interrupts during a long stall cannot push out the switch that started it.
 */
#ifndef TD_WAKE_CAUSE_H
#define TD_WAKE_CAUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpumask.h"
#include "trace_decode.h"

#define TD_WAKE_RING		2048	/* events kept per CPU in each ring */
#define TD_WAKE_SHOWN		48	/* events of the window kept for a report */
#define TD_WAKE_TASKS		16	/* tasks of the window listed */
#define TD_WAKE_NAME_LEN	32

/* One kept event: a copy of the decoded one, its name cut to fit. */
struct td_wake_event {
	enum td_tev_type	 type;
	uint64_t		 ts;
	int			 pid;		/* common_pid: the task running */
	unsigned		 ctx;
	int			 num, arg;
	uint64_t		 ptr, function;
	char			 name[TD_WAKE_NAME_LEN];
};

/* A task that held the CPU in the window, and for how long. */
struct td_wake_task {
	int			 pid;		/* 0: the idle task */
	char			 comm[TD_WAKE_NAME_LEN];	/* "" when no switch to it was kept */
	uint64_t		 on_cpu_ns;
};

/* The names of timer callbacks: NULL when unknown (the address is shown). */
struct td_wake_names {
	const char		*(*function)(void *ctx, uint64_t fn);
	void			*ctx;
};

/* What delayed one wake-up. */
struct td_wake_cause {
	int			 cpu;
	uint64_t		 t0, t1;	/* intended and actual wake-up, trace clock */
	char			 cause[1024];	/* the sources named, the task at the due time first */
	struct td_wake_event	 win[TD_WAKE_SHOWN];	/* the window's first events */
	size_t			 nwin, nall;	/* events listed, events in the window */
	bool			 cut;		/* the window's first events were overwritten */
	bool			 has_task;	/* the task on the CPU at the due time is known */
	int			 task_pid;
	char			 task_comm[TD_WAKE_NAME_LEN];	/* "" when unknown */
	bool			 was_idle, has_exit;
	uint64_t		 idle_exit;	/* when the CPU left idle */
	int			 idle_state;
	bool			 has_own;
	uint64_t		 own_ts;	/* the waiting task's own timer expiry */
	struct td_wake_task	 tasks[TD_WAKE_TASKS];	/* in order of first time on the CPU */
	size_t			 ntasks;
	bool			 tasks_cut;	/* more tasks ran than listed */
};

struct td_wake_rings;

/* Rings for the CPUs of cpus (NULL: every CPU below ncpu): 0 or -ENOMEM. */
int td_wake_rings_new(int ncpu, const struct td_cpuset *cpus, struct td_wake_rings **out);
void td_wake_rings_free(struct td_wake_rings *r);
/* The sampler's observer (arg: the rings): keep the event in its CPU's rings. */
void td_wake_rings_observe(const struct td_tev *ev, void *arg);
/* From now on drop the events later than ts (0: keep them all). */
void td_wake_rings_limit(struct td_wake_rings *r, uint64_t ts);
/* Whether the events of cpu are kept. */
bool td_wake_rings_has(const struct td_wake_rings *r, int cpu);
/* Call fn for each kept event of cpu up to until, in time order. */
void td_wake_rings_walk(const struct td_wake_rings *r, int cpu, uint64_t until,
    void (*fn)(const struct td_wake_event *ev, void *arg), void *arg);
/*
 * Name what delayed the wake-up of thread tid on cpu, due at t0 and come at
 * t1 (trace clock): 0, or -ENOENT when the events of cpu are not kept.
 */
int td_wake_cause_analyse(const struct td_wake_rings *r, const struct td_wake_names *names,
    int cpu, uint64_t t0, uint64_t t1, int tid, struct td_wake_cause *out);
/* One event in words: "irq 24 virtio0-input", "softirq TIMER", "vector LOC". */
const char *td_wake_event_words(const struct td_wake_event *ev,
    const struct td_wake_names *names, char *buf, size_t len);
/* A callback's name, or its address in hex. */
const char *td_wake_function(const struct td_wake_names *names, uint64_t fn, char *buf,
    size_t len);

#endif
