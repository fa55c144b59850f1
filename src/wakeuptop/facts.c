/*
 * The machine facts of the header, from the library's machine model (the one
 * timerinfo reports), so wakeuptop and timerinfo give the same HZ, tick mode
 * and clock source, and word an unknown one alike.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "absence.h"
#include "machine.h"
#include "source.h"
#include "facts.h"

#define MAX_MODES	8

/* Parse /proc/timer_list; NULL with why filled when it cannot be read or parsed. */
static struct td_timer_list *
load_timer_list(const char *sysroot, char *why, size_t len)
{
	struct td_timer_list *tl = NULL;
	struct td_error e;
	struct td_buf b = { NULL, 0 };
	char msg[600];

	td_error_clear(&e);
	if (td_read_root(sysroot, "/proc/timer_list", TD_READ_CAP_DEFAULT, &b, &e) < 0 ||
	    td_timer_list_parse(b.data, b.len, "/proc/timer_list", &tl, &e) < 0) {
		if (e.code == EACCES || e.code == EPERM)
			snprintf(why, len, "%s", td_absence_why(TD_ABSENT_NEEDS_ROOT));
		else
			snprintf(why, len, "%s", td_error_str(&e, msg, sizeof(msg)));
		tl = NULL;
	}
	td_buf_free(&b);
	return tl;
}

/* Summarise the tick modes of all CPUs: "highres, nohz on all 2 CPUs". */
static void
tick_summary(const struct td_timer_list *tl, char *out, size_t len, char *mode, size_t mlen)
{
	enum td_tick_mode first = TD_TICK_UNKNOWN;
	bool mixed = false;
	char names[MAX_MODES][48];
	int counts[MAX_MODES], nmodes = 0, i;
	size_t c;
	char one[48];
	int pos;

	for (c = 0; c < tl->ncpus; c++) {
		const struct td_tl_cpu *cpu = &tl->cpus[c];
		enum td_tick_mode m = td_cpu_tick_mode(tl, cpu, NULL);
		int nohz = td_cpu_nohz_active(cpu);

		if (c == 0)
			first = m;
		else if (m != first)
			mixed = true;

		snprintf(one, sizeof(one), "%s%s", td_tick_mode_name(m),
		    nohz == 1 ? " + nohz" : nohz == 0 ? ", nohz off" : "");
		for (i = 0; i < nmodes && strcmp(names[i], one) != 0; i++)
			;
		if (i == nmodes) {
			if (nmodes == MAX_MODES)
				continue;
			strlcpy(names[i], one, sizeof(names[i]));
			counts[i] = 0;
			nmodes++;
		}
		counts[i]++;
	}
	snprintf(mode, mlen, "%s", mixed ? "mixed" : td_tick_mode_name(first));
	if (nmodes == 0) {
		snprintf(out, len, "unknown (no CPU in /proc/timer_list)");
		return;
	}
	if (nmodes == 1) {
		snprintf(out, len, "%s on all %zu CPUs", names[0], tl->ncpus);
		return;
	}
	out[0] = '\0';
	pos = 0;
	for (i = 0; i < nmodes && (size_t)pos < len; i++)
		pos += snprintf(out + pos, len - (size_t)pos, "%s%s on %d", i ? ", " : "",
		    names[i], counts[i]);
	if ((size_t)pos < len)
		snprintf(out + pos, len - (size_t)pos, " of %zu CPUs", tl->ncpus);
}

/* Keep each CPU's tick_stopped from a parsed timer_list. */
static void
keep_ticks(struct wt_facts *f, const struct td_timer_list *tl)
{
	size_t c;
	int *cpu, *st;

	cpu = reallocarray(f->cpu, tl->ncpus ? tl->ncpus : 1, sizeof(int));
	if (cpu == NULL)
		return;
	f->cpu = cpu;
	st = reallocarray(f->tick_stopped, tl->ncpus ? tl->ncpus : 1, sizeof(int));
	if (st == NULL)
		return;
	f->tick_stopped = st;
	f->ncpus = tl->ncpus;
	for (c = 0; c < tl->ncpus; c++) {
		int64_t v;

		f->cpu[c] = tl->cpus[c].cpu;
		if (td_tl_cpu_field(&tl->cpus[c], TD_TLC_TICK_STOPPED, &v))
			f->tick_stopped[c] = v != 0;
		else
			f->tick_stopped[c] = -1;
	}
	f->ticks_why[0] = '\0';
}

/* A capture's host, when its tree does not name one: "capture DIR". */
static void
capture_host(const char *sysroot, struct wt_facts *f)
{
	char dir[256];
	const char *p;
	size_t l;

	if (f->host[0] != '\0' || td_root_is_live(sysroot))
		return;
	strlcpy(dir, sysroot, sizeof(dir));
	l = strlen(dir);
	while (l > 1 && dir[l - 1] == '/')
		dir[--l] = '\0';
	p = strrchr(dir, '/');
	snprintf(f->host, sizeof(f->host), "capture %s", p != NULL ? p + 1 : dir);
}

/* The highest online CPU + 1, 0 unknown. */
static int
online_cpus(const struct td_sysinfo *si)
{
	for (int c = TD_MAX_CPUS - 1; si->has_online && c >= 0; c--)
		if (td_cpuset_isset(&si->online, c))
			return c + 1;
	return 0;
}

/* Read the facts once, through the machine model. */
void
wt_facts_read(const char *sysroot, struct wt_facts *f)
{
	struct td_machine *m = NULL;
	struct td_error e;
	char msg[600];
	const char *why;

	memset(f, 0, sizeof(*f));
	f->hz = -1;
	td_error_clear(&e);
	if (td_machine_read(sysroot, NULL, 0, &m, &e) < 0) {
		/* Nothing known: each fact says why. */
		why = td_error_str(&e, msg, sizeof(msg));
		snprintf(f->tick, sizeof(f->tick), "%s", why);
		snprintf(f->tick_mode, sizeof(f->tick_mode), "unknown");
		snprintf(f->hz_why, sizeof(f->hz_why), "%s", why);
		snprintf(f->cs_why, sizeof(f->cs_why), "%s", why);
		snprintf(f->ticks_why, sizeof(f->ticks_why), "%s", why);
		capture_host(sysroot, f);
		return;
	}
	strlcpy(f->host, m->si.hostname, sizeof(f->host));
	if (m->si.has_release)
		strlcpy(f->release, m->si.release, sizeof(f->release));
	f->has_nohz_full = m->si.has_nohz_full;
	if (m->si.has_nohz_full)
		f->nohz_full = m->si.nohz_full;
	f->ncpus_online = online_cpus(&m->si);
	capture_host(sysroot, f);

	if (m->cs.has_current)
		strlcpy(f->clocksource, m->cs.current, sizeof(f->clocksource));
	else
		strlcpy(f->cs_why, m->cs.why_missing[0] ? m->cs.why_missing :
		    "no current_clocksource in sysfs", sizeof(f->cs_why));

	f->hz = m->hz > 0 ? m->hz : -1;
	snprintf(f->hz_why, sizeof(f->hz_why), "%s", m->hz > 0 ?
	    td_hz_source_name(m->hz_source) : td_machine_hz_why(m));

	if (m->tl != NULL) {
		tick_summary(m->tl, f->tick, sizeof(f->tick), f->tick_mode, sizeof(f->tick_mode));
		f->tick_known = true;
		keep_ticks(f, m->tl);
	} else {
		why = td_machine_tl_why(m, msg, sizeof(msg));
		snprintf(f->tick, sizeof(f->tick), "%s", why);
		snprintf(f->tick_mode, sizeof(f->tick_mode), "unknown");
		strlcpy(f->ticks_why, f->tick, sizeof(f->ticks_why));
	}
	td_machine_free(m);
}

/* The facts of a trace: none of this machine's. */
void
wt_facts_trace(const char *file, struct wt_facts *f)
{
	const char *base = strrchr(file, '/');
	const char *why = td_absence_why(TD_ABSENT_NOT_IN_TRACE);

	memset(f, 0, sizeof(*f));
	f->hz = -1;
	snprintf(f->host, sizeof(f->host), "trace %s", base != NULL && base[1] != '\0' ?
	    base + 1 : file);
	snprintf(f->tick, sizeof(f->tick), "%s", why);
	snprintf(f->tick_mode, sizeof(f->tick_mode), "unknown");
	snprintf(f->hz_why, sizeof(f->hz_why), "%s", why);
	snprintf(f->cs_why, sizeof(f->cs_why), "%s", why);
	snprintf(f->ticks_why, sizeof(f->ticks_why), "%s", why);
}

/* Refresh the per-CPU tick state from the live timer_list. */
void
wt_facts_ticks(const char *sysroot, struct wt_facts *f)
{
	struct td_timer_list *tl;

	if (!td_root_is_live(sysroot) || !f->tick_known)
		return;
	tl = load_timer_list(sysroot, f->ticks_why, sizeof(f->ticks_why));
	if (tl == NULL) {
		f->ncpus = 0;
		return;
	}
	keep_ticks(f, tl);
	td_timer_list_free(tl);
}

/* Tick state of one CPU. */
int
wt_facts_tick_stopped(const struct wt_facts *f, int cpu)
{
	size_t i;

	for (i = 0; i < f->ncpus; i++)
		if (f->cpu[i] == cpu)
			return f->tick_stopped[i];
	return -1;
}

/* Free the per-CPU arrays. */
void
wt_facts_free(struct wt_facts *f)
{
	if (f == NULL)
		return;
	free(f->cpu);
	free(f->tick_stopped);
	f->cpu = NULL;
	f->tick_stopped = NULL;
	f->ncpus = 0;
}
