/* /proc/stat: the per-CPU time lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpumask.h"
#include "internal.h"
#include "numparse.h"
#include "procstat.h"
#include "source.h"

/* Fields of a cpu line: user nice system idle iowait irq softirq steal guest guest_nice. */
#define STAT_FIELDS_MIN	4
#define STAT_FIELDS_MAX	10

/* Parse the fields of "cpuN ..." after its name into c. */
static int
parse_cpu_line(const char *p, const char *end, struct td_procstat_cpu *c, const char *path,
    long lineno, struct td_error *e)
{
	int f;

	c->idle = c->total = 0;
	for (f = 0; f < STAT_FIELDS_MAX; f++) {
		uint64_t v;

		p = td_skip_ws(p, end);
		if (p >= end)
			break;
		if (td_parse_u64(&p, end, &v) < 0 || (p < end && *p != ' ' && *p != '\t'))
			return td_error_set(e, EINVAL, path, lineno, "cpu%d: bad time field %d",
			    c->cpu, f + 1);
		if (c->total + v < c->total)
			return td_error_set(e, EINVAL, path, lineno, "cpu%d: times overflow",
			    c->cpu);
		c->total += v;
		if (f == 3 || f == 4)	/* idle and iowait */
			c->idle += v;
	}
	if (f < STAT_FIELDS_MIN)
		return td_error_set(e, EINVAL, path, lineno, "cpu%d: %d time fields, at least %d "
		    "expected", c->cpu, f, STAT_FIELDS_MIN);
	return 0;
}

/* Free a snapshot (NULL is fine). */
void
td_procstat_free(struct td_procstat *s)
{
	if (s == NULL)
		return;
	free(s->cpus);
	free(s);
}

/* Parse the cpuN lines of a /proc/stat text. */
int
td_procstat_parse(const char *buf, size_t len, const char *path, struct td_procstat **out,
    struct td_error *e)
{
	struct td_procstat *s;
	const char *p = buf, *end = buf + len, *ls, *le;
	size_t cap = 0;
	long lineno = 0;
	int r;

	*out = NULL;
	if ((s = td_parse_new(buf, len, path, sizeof(*s), &r, e)) == NULL)
		return r;
	while (td_next_line(&p, end, &ls, &le)) {
		struct td_procstat_cpu c;
		uint64_t v;

		lineno++;
		/* "cpu " is the sum over the CPUs; only "cpuN" lines are kept. */
		if (!td_has_prefix(ls, le, "cpu") || le - ls < 4 || ls[3] < '0' || ls[3] > '9')
			continue;
		ls += 3;
		if (td_parse_u64(&ls, le, &v) < 0 || v >= TD_MAX_CPUS) {
			r = td_error_set(e, EINVAL, path, lineno, "bad CPU number");
			goto fail;
		}
		c.cpu = (int)v;
		if (s->ncpus > 0 && c.cpu <= s->cpus[s->ncpus - 1].cpu) {
			r = td_error_set(e, EINVAL, path, lineno, "cpu%d after cpu%d", c.cpu,
			    s->cpus[s->ncpus - 1].cpu);
			goto fail;
		}
		if ((r = parse_cpu_line(ls, le, &c, path, lineno, e)) < 0)
			goto fail;
		if (td_grow(&s->cpus, s->ncpus, &cap, 16, sizeof(*s->cpus)) < 0) {
			r = td_error_set(e, ENOMEM, path, lineno, "out of memory");
			goto fail;
		}
		s->cpus[s->ncpus++] = c;
	}
	*out = s;
	return 0;
fail:
	td_procstat_free(s);
	return r;
}

/* td_procstat_parse as td_load_text calls it. */
static int
load_parse(const char *buf, size_t len, const char *path, void *out, struct td_error *e)
{
	return td_procstat_parse(buf, len, path, out, e);
}

/* Read and parse /proc/stat under a sysroot. */
int
td_procstat_load(const char *sysroot, struct td_procstat **out, struct td_error *e)
{
	*out = NULL;
	return td_load_text(sysroot, "/proc/stat", 1 << 22, load_parse, out, e);
}

/* The line of one CPU. */
const struct td_procstat_cpu *
td_procstat_cpu(const struct td_procstat *s, int cpu)
{
	for (size_t i = 0; s != NULL && i < s->ncpus; i++)
		if (s->cpus[i].cpu == cpu)
			return &s->cpus[i];
	return NULL;
}
