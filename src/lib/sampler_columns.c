/* The columns of a wakeup source table, shared by timerstat and wakeuptop. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "sampler.h"

/* Cast a row back to the source it is. */
static const struct td_wsource *
W(const void *row)
{
	return row;
}

/* wakeups: idle exits this source caused. */
static void
get_wakeups(const void *row, struct td_cell *c)
{
	c->known = (W(row)->known & TD_WS_WAKEUPS) != 0;
	c->u = W(row)->wakeups;
}

/* wakeup_rate: those per second. */
static void
get_wakeup_rate(const void *row, struct td_cell *c)
{
	c->known = (W(row)->known & (TD_WS_WAKEUPS | TD_WS_RATE)) ==
	    (TD_WS_WAKEUPS | TD_WS_RATE);
	c->d = W(row)->wakeup_rate;
}

/* tasks: how many tasks a grouped row folds. */
static void
get_tasks(const void *row, struct td_cell *c)
{
	if (W(row)->ntasks > 0) {
		c->known = true;
		c->u = W(row)->ntasks;
	}
}

/* count: events (expiries, interrupts) in the interval. */
static void
get_count(const void *row, struct td_cell *c)
{
	c->known = true;
	c->u = W(row)->count;
}

/* rate: events per second. */
static void
get_rate(const void *row, struct td_cell *c)
{
	c->known = (W(row)->known & TD_WS_RATE) != 0;
	c->d = W(row)->rate;
}

/* cpu: the CPU when every wakeup was on one CPU. */
static void
get_cpu(const void *row, struct td_cell *c)
{
	const struct td_wsource *w = W(row);
	int found = -1;

	if (!(w->known & TD_WS_CPU) || w->per_cpu == NULL)
		return;
	for (int i = 0; i < w->ncpus - w->cpu0; i++)
		if (w->per_cpu[i] != 0) {
			if (found >= 0)
				return;
			found = w->cpu0 + i;
		}
	if (found >= 0) {
		c->known = true;
		c->i = found;
	}
}

/*
 * Append sep (or nothing when 0) and v in decimal to buf at *pos, cut as
 * snprintf would (the cell's string ends where the room does).
 */
static void
put_cpu(char *buf, size_t len, size_t *pos, char sep, int v)
{
	char d[16], *p = d + sizeof(d);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (sep != '\0')
		*--p = sep;
	for (; p < d + sizeof(d); p++, (*pos)++)
		if (*pos + 1 < len) {
			buf[*pos] = *p;
			buf[*pos + 1] = '\0';
		}
}

/* cpus: the list of CPUs the wakeups happened on ("0-1"). */
static void
get_cpus(const void *row, struct td_cell *c)
{
	const struct td_wsource *w = W(row);
	size_t pos = 0;
	int i = 0, n = w->ncpus - w->cpu0;

	if (!(w->known & TD_WS_CPU) || w->per_cpu == NULL)
		return;
	c->buf[0] = '\0';
	while (i < n) {
		int j;

		if (w->per_cpu[i] == 0) {
			i++;
			continue;
		}
		for (j = i; j + 1 < n && w->per_cpu[j + 1] != 0; j++)
			;
		/* Without printf: a row of 10,000 asks for it each interval. */
		if (pos < sizeof(c->buf)) {
			put_cpu(c->buf, sizeof(c->buf), &pos, pos ? ',' : '\0', w->cpu0 + i);
			if (j != i)
				put_cpu(c->buf, sizeof(c->buf), &pos, '-', w->cpu0 + j);
		}
		i = j + 1;
	}
	c->known = true;
	c->s = c->buf;
}

/* pid: the task that armed the timer (the process, when grouped by process). */
static void
get_pid(const void *row, struct td_cell *c)
{
	const struct td_wsource *w = W(row);

	if ((w->known & TD_WS_PID) && w->pid >= 0) {
		c->known = true;
		c->i = w->pid;
	}
}

/* comm: that task's name. */
static void
get_comm(const void *row, struct td_cell *c)
{
	const struct td_wsource *w = W(row);

	if ((w->known & TD_WS_PID) && w->comm[0] != '\0') {
		c->known = true;
		c->s = w->comm;
	}
}

/* task: user, kthread or idle. */
static void
get_task(const void *row, struct td_cell *c)
{
	const struct td_wsource *w = W(row);

	if (w->task != TD_TASK_UNKNOWN) {
		c->known = true;
		c->s = td_task_name(w->task);
	}
}

/* function: the callback, IRQ action, vector or softirq. */
static void
get_function(const void *row, struct td_cell *c)
{
	c->known = W(row)->function != NULL;
	c->s = W(row)->function;
}

/* desc: what /proc/interrupts says a vector is. */
static void
get_desc(const void *row, struct td_cell *c)
{
	c->known = W(row)->desc != NULL;
	c->s = W(row)->desc;
}

/* site: the function that armed the timer. */
static void
get_site(const void *row, struct td_cell *c)
{
	c->known = W(row)->site != NULL;
	c->s = W(row)->site;
}

/* kind: timer, hrtimer, irq, vector, softirq. */
static void
get_kind(const void *row, struct td_cell *c)
{
	c->known = true;
	c->s = td_kind_name(W(row)->kind);
}

/* irq: the IRQ number of an irq source. */
static void
get_irq(const void *row, struct td_cell *c)
{
	if (W(row)->irq >= 0) {
		c->known = true;
		c->i = W(row)->irq;
	}
}

/* flags: D deferrable, P pinned. */
static void
get_flags(const void *row, struct td_cell *c)
{
	const struct td_wsource *w = W(row);
	size_t n = 0;

	if (!(w->known & (TD_WS_DEFERRABLE | TD_WS_PINNED)))
		return;
	if ((w->known & TD_WS_DEFERRABLE) && w->deferrable)
		c->buf[n++] = 'D';
	if ((w->known & TD_WS_PINNED) && w->pinned)
		c->buf[n++] = 'P';
	c->buf[n] = '\0';
	c->known = true;
	c->s = c->buf;
}

/* arms: how often the timer was started. */
static void
get_arms(const void *row, struct td_cell *c)
{
	c->known = (W(row)->known & TD_WS_ARMS) != 0;
	c->u = W(row)->arms;
}

/* expiries: how often it fired. */
static void
get_expiries(const void *row, struct td_cell *c)
{
	c->known = (W(row)->known & TD_WS_EXPIRIES) != 0;
	c->u = W(row)->expiries;
}

/* cancels: how often it was removed before firing. */
static void
get_cancels(const void *row, struct td_cell *c)
{
	c->known = (W(row)->known & TD_WS_CANCELS) != 0;
	c->u = W(row)->cancels;
}

/* deferrable: the timer may be delayed until the CPU wakes anyway. */
static void
get_deferrable(const void *row, struct td_cell *c)
{
	c->known = (W(row)->known & TD_WS_DEFERRABLE) != 0;
	c->b = W(row)->deferrable;
}

/* pinned: the timer stays on the CPU that armed it. */
static void
get_pinned(const void *row, struct td_cell *c)
{
	c->known = (W(row)->known & TD_WS_PINNED) != 0;
	c->b = W(row)->pinned;
}

const struct td_column td_wsource_columns[] = {
	{ "wakeups", "WAKEUPS", 7, TD_ALIGN_RIGHT, TD_JT_UINT, 0, NULL, true,
	    "idle exits it caused (a CPU leaving idle)",
	    get_wakeups, NULL,
	    "idle exits are not attributed to sources by this backend" },
	{ "wakeup_rate", "WAKE/S", 6, TD_ALIGN_RIGHT, TD_JT_DOUBLE, 1, NULL, true,
	    "those per second",
	    get_wakeup_rate, "wakeups_per_s",
	    "idle exits are not attributed to sources by this backend, or the period is unknown" },
	{ "count", "EVENTS", 6, TD_ALIGN_RIGHT, TD_JT_UINT, 0, NULL, true,
	    "events: its expiries or interrupts, busy or idle", get_count, NULL, NULL },
	{ "rate", "EVENT/S", 7, TD_ALIGN_RIGHT, TD_JT_DOUBLE, 1, NULL, true,
	    "events per second",
	    get_rate, "events_per_s",
	    "the period is unknown (a capture that does not say how long it lasted)" },
	{ "cpus", "CPU", 3, TD_ALIGN_RIGHT, TD_JT_STRING, 0, NULL, true,
	    "CPUs the events happened on",
	    get_cpus, NULL,
	    "this backend does not record the CPU" },
	{ "cpu", "CPU#", 4, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, false,
	    "the CPU, when all events were on one",
	    get_cpu, NULL,
	    "the events were on several CPUs, or the CPU is not recorded" },
	{ "pid", "PID", 5, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, true,
	    "task that armed the timer",
	    get_pid, NULL,
	    "the arming task is not traced by this backend, or the timer was armed before the sample began" },
	{ "comm", "COMM", 16, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "name of that task",
	    get_comm, NULL,
	    "the arming task is not traced by this backend, or the timer was armed before the sample began" },
	{ "tasks", "TASKS", 5, TD_ALIGN_RIGHT, TD_JT_UINT, 0, NULL, false,
	    "tasks folded into the row (--group process or comm)",
	    get_tasks, NULL,
	    "not a grouped row (--group process or comm)" },
	{ "kind", "KIND", 7, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "timer, hrtimer, irq, vector, softirq, or unknown (a wakeup with no traced cause)",
	    get_kind, NULL, NULL },
	{ "flags", "F", 1, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "D deferrable, P pinned",
	    get_flags, NULL,
	    "this backend does not see the timer's flags" },
	{ "arms", "ARMS", 6, TD_ALIGN_RIGHT, TD_JT_UINT, 0, NULL, true,
	    "times the timer was started",
	    get_arms, NULL,
	    "this backend does not trace timer starts" },
	{ "expiries", "EXPIRIES", 8, TD_ALIGN_RIGHT, TD_JT_UINT, 0, NULL, true,
	    "times it fired",
	    get_expiries, NULL,
	    "this backend does not trace timer expiries" },
	{ "cancels", "CANCELS", 7, TD_ALIGN_RIGHT, TD_JT_UINT, 0, NULL, true,
	    "times it was removed before firing",
	    get_cancels, NULL,
	    "this backend does not trace timer cancels" },
	{ "function", "FUNCTION", 20, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "callback, IRQ action, vector or softirq",
	    get_function, NULL,
	    "no callback, action or vector was recorded" },
	{ "site", "SITE", 16, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, true,
	    "function that armed the timer",
	    get_site, NULL,
	    "the arming site is not traced by this backend, or the timer was armed before the sample began" },
	{ "irq", "IRQ", 3, TD_ALIGN_RIGHT, TD_JT_INT, 0, NULL, false,
	    "IRQ number",
	    get_irq, NULL,
	    "not an interrupt line" },
	{ "desc", "DESCRIPTION", 24, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, false,
	    "what /proc/interrupts says a vector is",
	    get_desc, NULL,
	    "/proc/interrupts describes only vectors" },
	{ "task", "TASK", 7, TD_ALIGN_LEFT, TD_JT_STRING, 0, NULL, false,
	    "user, kthread, idle, irq or tick",
	    get_task, NULL,
	    "the task that armed it is not known" },
	{ "deferrable", "DEFER", 5, TD_ALIGN_LEFT, TD_JT_BOOL, 0, NULL, false,
	    "deferrable timer",
	    get_deferrable, NULL,
	    "this backend does not see the timer's flags" },
	{ "pinned", "PINNED", 6, TD_ALIGN_LEFT, TD_JT_BOOL, 0, NULL, false,
	    "pinned to its CPU",
	    get_pinned, NULL,
	    "this backend does not see the timer's flags" },
};

const size_t td_wsource_ncolumns = TD_ARRAY_SIZE(td_wsource_columns);
