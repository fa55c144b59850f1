/* /proc/softirqs: parser, lookups and deltas keyed by name and CPU number. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "count_table.h"
#include "cpumask.h"
#include "internal.h"
#include "softirqs.h"
#include "source.h"
#include "test_hooks.h"

/* The kernel has 10 softirqs; more rows than this is not a /proc/softirqs. */
#define TD_SOFTIRQS_MAX_ROWS	256

/* True for a blank, tab or carriage return. */
static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* True when [p, end) is one or more decimal digits. */
static int
all_digits(const char *p, const char *end)
{
	if (p >= end)
		return 0;
	for (; p < end; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* Free a snapshot (NULL is fine). */
void
td_softirqs_free(struct td_softirqs *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nrows; i++) {
		free(s->rows[i].name);
		free(s->rows[i].counts);
	}
	free(s->rows);
	free(s->cpus);
	free(s);
}

/* Parse one "NAME: count count ..." line [p, end) into r. */
static int
parse_row(const struct td_softirqs *s, struct td_softirq_row *r, const char *p,
    const char *end, const char *path, long lineno, struct td_error *e)
{
	const char *colon = memchr(p, ':', (size_t)(end - p)), *q;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (colon == NULL)
		return td_error_set(e, EINVAL, path, lineno, "no ':' after the softirq name");
	while (p < colon && is_blank(*p))
		p++;
	if (p == colon)
		return td_error_set(e, EINVAL, path, lineno, "empty softirq name");
	for (q = p; q < colon; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		    (*q >= '0' && *q <= '9') || *q == '_'))
			return td_error_set(e, EINVAL, path, lineno, "bad softirq name");
	if (s->nrows >= TD_SOFTIRQS_MAX_ROWS)
		return td_error_set(e, EINVAL, path, lineno,
		    "more than %d softirq rows", TD_SOFTIRQS_MAX_ROWS);
	for (i = 0; i < s->nrows; i++)
		if (strlen(s->rows[i].name) == (size_t)(colon - p) &&
		    memcmp(s->rows[i].name, p, (size_t)(colon - p)) == 0)
			return td_error_set(e, EINVAL, path, lineno,
			    "softirq %s listed twice", s->rows[i].name);
	if ((r->name = malloc((size_t)(colon - p) + 1)) == NULL ||
	    (r->counts = calloc((size_t)s->ncpus, sizeof(*r->counts))) == NULL)
		return td_error_set(e, ENOMEM, path, lineno, "out of memory");
	memcpy(r->name, p, (size_t)(colon - p));
	r->name[colon - p] = '\0';
	p = colon + 1;
	for (;;) {
		const char *t, *te;
		uint64_t v;

		while (p < end && is_blank(*p))
			p++;
		if (p >= end)
			break;
		for (te = p; te < end && !is_blank(*te); te++)
			;
		if (!all_digits(p, te))
			return td_error_set(e, EINVAL, path, lineno,
			    "%s: count expected", r->name);
		if (r->ncounts >= s->ncpus)
			return td_error_set(e, EINVAL, path, lineno,
			    "%s: more counts than CPUs in the header", r->name);
		t = p;
		if (td_parse_u64(&t, te, &v) < 0)
			return td_error_set(e, EINVAL, path, lineno,
			    "%s: count out of range", r->name);
		r->counts[r->ncounts++] = v;
		r->total += v;
		p = te;
	}
	if (r->ncounts == 0)
		return td_error_set(e, EINVAL, path, lineno, "%s: no counts", r->name);
	return 0;
}

/* Parse a /proc/softirqs text. */
int
td_softirqs_parse(const char *buf, size_t len, const char *path, struct td_softirqs **out,
    struct td_error *e)
{
	struct td_softirqs *s;
	const char *p = buf, *end = buf + len, *ls, *le;
	size_t cap = 0;
	long lineno = 0;
	int header = 0, r;

	*out = NULL;
	if ((s = td_parse_new(buf, len, path, sizeof(*s), &r, e)) == NULL)
		return r;
	while (td_next_line(&p, end, &ls, &le)) {
		const char *q;

		lineno++;
		if (memchr(ls, '\0', (size_t)(le - ls)) != NULL) {
			r = td_error_set(e, EINVAL, path, lineno, "NUL byte in line");
			goto fail;
		}
		for (q = ls; q < le && is_blank(*q); q++)
			;
		if (q == le)
			continue;
		if (!header) {
			if ((r = td_count_header_parse(ls, le, &s->cpus, &s->ncpus, path, lineno,
			    e)) < 0)
				goto fail;
			header = 1;
			continue;
		}
		if (td_grow(&s->rows, s->nrows, &cap, 16, sizeof(*s->rows)) < 0) {
			r = td_error_set(e, ENOMEM, path, lineno, "out of memory");
			goto fail;
		}
		r = parse_row(s, &s->rows[s->nrows], ls, le, path, lineno, e);
		s->nrows++;
		if (r < 0)
			goto fail;
	}
	if (!header) {
		r = td_error_set(e, EINVAL, path, lineno, "empty file, no CPU header");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	td_softirqs_free(s);
	return r;
}

/* Read and parse a file under a sysroot. */
TD_DEFINE_TEXT_LOADER(td_softirqs_load, struct td_softirqs, td_softirqs_parse)

/* Look up a row by name. */
const struct td_softirq_row *
td_softirqs_find(const struct td_softirqs *s, const char *name)
{
	size_t i;

	if (s == NULL || name == NULL)
		return NULL;
	for (i = 0; i < s->nrows; i++)
		if (strcmp(s->rows[i].name, name) == 0)
			return &s->rows[i];
	return NULL;
}

/* Count of one softirq on one CPU. */
int
td_softirqs_count(const struct td_softirqs *s, const char *name, int cpu, uint64_t *out)
{
	const struct td_softirq_row *r = td_softirqs_find(s, name);
	int c = s ? td_cpu_index(s->cpus, s->ncpus, cpu) : -1;

	if (r == NULL || c < 0 || c >= r->ncounts)
		return -ENOENT;
	*out = r->counts[c];
	return 0;
}

/* Free a delta (NULL is fine). */
void
td_softirqs_delta_free(struct td_softirqs_delta *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nrows; i++) {
		free(d->rows[i].name);
		free(d->rows[i].delta);
		free(d->rows[i].known);
	}
	free(d->rows);
	free(d->cpus);
	free(d->cpu_both);
	free(d);
}

/* Fill one delta row from ra (may be NULL) and rb (may be NULL) over the union u. */
static int
fill_row(struct td_softirqs_delta *d, struct td_softirq_delta_row *dr,
    const struct td_softirq_row *ra, const struct td_softirq_row *rb,
    const struct td_count_union *u)
{
	dr->name = strdup(rb ? rb->name : ra->name);
	dr->delta = calloc((size_t)d->ncpus + 1, sizeof(*dr->delta));
	dr->known = calloc((size_t)d->ncpus + 1, sizeof(*dr->known));
	if (dr->name == NULL || dr->delta == NULL || dr->known == NULL)
		return -ENOMEM;
	dr->is_new = ra == NULL;
	dr->gone = rb == NULL;
	if (rb != NULL)
		td_count_row_delta(u, ra ? ra->counts : NULL, ra ? ra->ncounts : 0, rb->counts,
		    rb->ncounts, dr->delta, dr->known, &dr->total, &dr->wrapped);
	return 0;
}

/* b minus a, keyed by name and CPU number. */
int
td_softirqs_delta(const struct td_softirqs *a, const struct td_softirqs *b,
    struct td_softirqs_delta **out)
{
	struct td_softirqs_delta *d;
	struct td_count_union u;
	size_t k;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (a == NULL || b == NULL)
		return -EINVAL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	if (td_count_union(a->cpus, a->ncpus, b->cpus, b->ncpus, &u) < 0) {
		free(d);
		return -ENOMEM;
	}
	td_count_union_keep(&u, &d->cpus, &d->cpu_both, &d->ncpus);
	if ((d->rows = calloc(a->nrows + b->nrows + 1, sizeof(*d->rows))) == NULL)
		goto nomem;
	for (k = 0; k < b->nrows; k++)
		if (fill_row(d, &d->rows[d->nrows++], td_softirqs_find(a, b->rows[k].name),
		    &b->rows[k], &u) < 0)
			goto nomem;
	for (k = 0; k < a->nrows; k++)
		if (td_softirqs_find(b, a->rows[k].name) == NULL &&
		    fill_row(d, &d->rows[d->nrows++], &a->rows[k], NULL, &u) < 0)
			goto nomem;
	td_count_union_free(&u);
	*out = d;
	return 0;
nomem:
	td_count_union_free(&u);
	td_softirqs_delta_free(d);
	return -ENOMEM;
}

/* Look up a delta row by name. */
const struct td_softirq_delta_row *
td_softirqs_delta_find(const struct td_softirqs_delta *d, const char *name)
{
	size_t i;

	if (d == NULL || name == NULL)
		return NULL;
	for (i = 0; i < d->nrows; i++)
		if (strcmp(d->rows[i].name, name) == 0)
			return &d->rows[i];
	return NULL;
}

/* One cell of a delta. */
int
td_softirqs_delta_cell(const struct td_softirqs_delta *d, const char *name, int cpu,
    uint64_t *out)
{
	const struct td_softirq_delta_row *r = td_softirqs_delta_find(d, name);
	int c;

	if (r == NULL)
		return -ENOENT;
	c = td_cpu_index(d->cpus, d->ncpus, cpu);
	if (c < 0 || !r->known[c])
		return -ENOENT;
	*out = r->delta[c];
	return 0;
}

static const char *const softirq_names[] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
	"HRTIMER", "RCU",
};

/* The name of softirq vector vec. */
const char *
td_softirq_name(int vec)
{
	return vec >= 0 && (size_t)vec < TD_ARRAY_SIZE(softirq_names) ? softirq_names[vec] : NULL;
}

/* A pending-softirq mask as names. */
char *
td_softirq_mask_format(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (mask == 0) {
		strlcpy(buf, "none", len);
		return buf;
	}
	for (int b = 0; b < 64 && n < len; b++) {
		const char *nm = td_softirq_name(b);

		if (!(mask & (1ULL << b)))
			continue;
		if (nm != NULL)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", nm);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s#%d", n ? "|" : "", b);
	}
	return buf;
}
