/* Per-CPU count tables: the header, the CPU union and the one wrap/reset rule. */
#include <errno.h>
#include <stdlib.h>

#include "count_table.h"
#include "cpumask.h"
#include "numparse.h"

/* True for a blank, tab or carriage return. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Parse the "CPU0 CPU1 ..." header. */
int
td_count_header_parse(const char *p, const char *end, int **cpus, int *ncpus,
    const char *path, long lineno, struct td_error *e)
{
	size_t cap = 0;

	for (;;) {
		uint64_t v;
		int *n;

		while (p < end && is_blank(*p))
			p++;
		if (p >= end)
			break;
		if (!td_has_prefix(p, end, "CPU"))
			return td_error_set(e, EINVAL, path, lineno,
			    "expected a CPU header (\"CPU0 CPU1 ...\")");
		p += 3;
		if (td_parse_u64(&p, end, &v) < 0 || v >= TD_MAX_CPUS ||
		    (p < end && !is_blank(*p)))
			return td_error_set(e, EINVAL, path, lineno, "bad CPU name in the header");
		if (*ncpus > 0 && (int)v <= (*cpus)[*ncpus - 1])
			return td_error_set(e, EINVAL, path, lineno,
			    "CPU%d after CPU%d in the header", (int)v, (*cpus)[*ncpus - 1]);
		if ((size_t)*ncpus == cap) {
			cap = cap ? cap * 2 : 16;
			if ((n = reallocarray(*cpus, cap, sizeof(*n))) == NULL)
				return td_error_set(e, ENOMEM, path, lineno, "out of memory");
			*cpus = n;
		}
		(*cpus)[(*ncpus)++] = (int)v;
	}
	if (*ncpus == 0)
		return td_error_set(e, EINVAL, path, lineno, "CPU header names no CPU");
	return 0;
}

/* Free the union's arrays. */
void
td_count_union_free(struct td_count_union *u)
{
	free(u->cpus);
	free(u->both);
	free(u->col_a);
	free(u->col_b);
	u->cpus = u->col_a = u->col_b = NULL;
	u->both = NULL;
	u->n = 0;
}

/* Hand the CPUs over. */
void
td_count_union_keep(struct td_count_union *u, int **cpus, bool **both, int *n)
{
	*cpus = u->cpus;
	*both = u->both;
	*n = u->n;
	u->cpus = NULL;
	u->both = NULL;
}

/* Union of two ascending CPU lists, with each CPU's column in both. */
int
td_count_union(const int *a, int na, const int *b, int nb, struct td_count_union *u)
{
	size_t cap = (size_t)na + (size_t)nb + 1;
	int i = 0, j = 0, n = 0;

	u->n = 0;
	u->cpus = calloc(cap, sizeof(*u->cpus));
	u->both = calloc(cap, sizeof(*u->both));
	u->col_a = calloc(cap, sizeof(*u->col_a));
	u->col_b = calloc(cap, sizeof(*u->col_b));
	if (u->cpus == NULL || u->both == NULL || u->col_a == NULL || u->col_b == NULL) {
		td_count_union_free(u);
		return -ENOMEM;
	}
	while (i < na || j < nb) {
		u->col_a[n] = u->col_b[n] = -1;
		if (j >= nb || (i < na && a[i] < b[j])) {
			u->col_a[n] = i;
			u->cpus[n++] = a[i++];
		} else if (i >= na || b[j] < a[i]) {
			u->col_b[n] = j;
			u->cpus[n++] = b[j++];
		} else {
			u->both[n] = true;
			u->col_a[n] = i++;
			u->col_b[n] = j;
			u->cpus[n++] = b[j++];
		}
	}
	u->n = n;
	return 0;
}

/* One counter's delta: the wrap/reset rule. */
int
td_count_delta(uint64_t a, uint64_t b, uint64_t *out, bool *wrapped)
{
	uint64_t d;

	if (b >= a) {
		*out = b - a;
		return 0;
	}
	if (a > UINT32_MAX)
		return -1;
	d = b + ((uint64_t)1 << 32) - a;
	if (d >= ((uint64_t)1 << 31))
		return -1;
	*out = d;
	*wrapped = true;
	return 0;
}

/* One row's cells over the union. */
bool
td_count_row_delta(const struct td_count_union *u, const uint64_t *ra, int nra,
    const uint64_t *rb, int nrb, uint64_t *delta, bool *known, uint64_t *total,
    bool *wrapped)
{
	bool any = false;

	for (int i = 0; i < u->n; i++) {
		int ca = u->col_a[i], cb = u->col_b[i];

		known[i] = false;
		if (rb == NULL || cb < 0 || cb >= nrb)
			continue;
		if (ra == NULL) {
			delta[i] = rb[cb];
			known[i] = true;
		} else if (ca >= 0 && ca < nra)
			known[i] = td_count_delta(ra[ca], rb[cb], &delta[i], wrapped) == 0;
		if (known[i]) {
			*total += delta[i];
			any = true;
		}
	}
	return any;
}
