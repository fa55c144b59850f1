/* /proc/interrupts: parser, lookups, local timer row and identity-keyed deltas. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "interrupts.h"
#include "count_table.h"
#include "cpumask.h"
#include "internal.h"
#include "source.h"
#include "test_hooks.h"

/* A line of the input: [p, end). */
struct span {
	const char	*p;
	const char	*end;
};

/* Copy [p, p + n) into a new NUL-terminated string. */
static char *
dupn(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* True for a blank or tab. */
static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim blanks at both ends of s. */
static struct span
trim(struct span s)
{
	while (s.p < s.end && is_blank(*s.p))
		s.p++;
	while (s.end > s.p && is_blank(s.end[-1]))
		s.end--;
	return s;
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

/* Token [p, end) equals the NUL-terminated word w. */
static int
tok_is(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - p) == n && memcmp(p, w, n) == 0;
}

/* Free the strings and counts of one row. */
static void
row_clear(struct td_irq_row *r)
{
	free(r->label);
	free(r->counts);
	free(r->chip);
	free(r->trigger);
	free(r->actions);
	free(r->desc);
}

/* Free a snapshot (NULL is fine). */
void
td_interrupts_free(struct td_interrupts *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nrows; i++)
		row_clear(&s->rows[i]);
	free(s->rows);
	free(s->cpus);
	free(s);
}

/* Token positions of a line tail, for the chip/trigger/action split. */
struct toks {
	size_t		 n;
	struct span	 t[64];
};

/* Split [p, end) into up to 64 blank-separated tokens. */
static void
tokenize(struct toks *tk, const char *p, const char *end)
{
	tk->n = 0;
	while (tk->n < TD_ARRAY_SIZE(tk->t)) {
		p = td_skip_ws(p, end);
		while (p < end && *p == '\r')
			p++;
		if (p >= end)
			break;
		tk->t[tk->n].p = p;
		while (p < end && !is_blank(*p))
			p++;
		tk->t[tk->n].end = p;
		tk->n++;
	}
}

/* Set *dst to a copy of s trimmed, or NULL when it is empty. 0 or -ENOMEM. */
static int
set_str(char **dst, struct span s)
{
	s = trim(s);
	if (s.p >= s.end) {
		*dst = NULL;
		return 0;
	}
	*dst = dupn(s.p, (size_t)(s.end - s.p));
	return *dst ? 0 : -ENOMEM;
}

/* Handler names printed after the chip in the fused 2.6.x style ("IO-APIC-edge"). */
static const char *const fused_flows[] = {
	"edge", "level", "fasteoi", "simple", "percpu", "bad", "XT-PIC",
};

/*
 * Split what follows the counts of a numbered IRQ into chip, hwirq, trigger
 * and actions; the three historical chip-column styles are told apart by
 * where the trigger token is ("2-edge", "Level"/"Edge", or "IO-APIC-edge").
 */
static int
parse_irq_tail(struct td_irq_row *r, struct span tail)
{
	struct toks tk;
	struct span chip = { tail.p, tail.p }, act = { tail.end, tail.end };
	const char *trig = NULL, *trig_end = NULL;
	size_t i, j;

	tokenize(&tk, tail.p, tail.end);
	if (tk.n == 0)
		return 0;
	for (i = 0; i < tk.n; i++) {
		const char *p = tk.t[i].p, *end = tk.t[i].end, *dash;

		if (tok_is(p, end, "Level") || tok_is(p, end, "Edge")) {
			/* GENERIC_IRQ_SHOW_LEVEL: chip [hwirq] Level|Edge [-handler]. */
			trig = p;
			trig_end = end;
			chip.end = p;
			if (i > 0 && all_digits(tk.t[i - 1].p, tk.t[i - 1].end) && i > 1) {
				uint64_t v;
				const char *q = tk.t[i - 1].p;

				if (td_parse_u64(&q, tk.t[i - 1].end, &v) == 0) {
					r->has_hwirq = true;
					r->hwirq = v;
					chip.end = tk.t[i - 1].p;
				}
			}
			j = i + 1;
			if (j < tk.n && tk.t[j].p[0] == '-')
				j++;
			act.p = j < tk.n ? tk.t[j].p : tail.end;
			break;
		}
		dash = memchr(p, '-', (size_t)(end - p));
		if (dash != NULL && dash > p && all_digits(p, dash) && dash + 1 < end) {
			/* x86 >= 4.2: chip hwirq-handler. */
			uint64_t v;
			const char *q = p;

			if (td_parse_u64(&q, dash, &v) == 0) {
				r->has_hwirq = true;
				r->hwirq = v;
			}
			chip.end = p;
			trig = dash + 1;
			trig_end = end;
			act.p = i + 1 < tk.n ? tk.t[i + 1].p : tail.end;
			break;
		}
	}
	if (trig == NULL) {
		/* Fused "IO-APIC-edge" (2.6.x - 4.1), or a chip alone. */
		const char *p = tk.t[0].p, *end = tk.t[0].end;

		chip.end = end;
		act.p = tk.n > 1 ? tk.t[1].p : tail.end;
		for (j = 0; j < TD_ARRAY_SIZE(fused_flows); j++) {
			size_t n = strlen(fused_flows[j]);

			if ((size_t)(end - p) > n + 1 && end[-(long)n - 1] == '-' &&
			    memcmp(end - n, fused_flows[j], n) == 0) {
				chip.end = end - n - 1;
				trig = end - n;
				trig_end = end;
				break;
			}
		}
	}
	if (set_str(&r->chip, chip) < 0)
		return -ENOMEM;
	if (trig != NULL) {
		r->trigger = dupn(trig, (size_t)(trig_end - trig));
		if (r->trigger == NULL)
			return -ENOMEM;
	}
	if (act.p < tail.end) {
		/* Keep actions whole: they may hold spaces and commas. */
		if (set_str(&r->actions, (struct span){ act.p, tail.end }) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Labels whose row holds one total instead of per-CPU counts. */
static int
is_total_label(const char *l)
{
	return strcmp(l, "ERR") == 0 || strcmp(l, "MIS") == 0 || strcmp(l, "Err") == 0;
}

/* Parse one row line into r. */
static int
parse_row(struct td_interrupts *s, struct td_irq_row *r, struct span l, uint64_t *scratch,
    const char *path, long lineno, struct td_error *e)
{
	const char *p, *colon, *q;
	struct span lab;
	int ncpus = s->ncpus;

	memset(r, 0, sizeof(*r));
	r->irq = -1;
	colon = memchr(l.p, ':', (size_t)(l.end - l.p));
	if (colon == NULL)
		return td_error_set(e, EINVAL, path, lineno, "no ':' after the row label");
	lab = trim((struct span){ l.p, colon });
	if (lab.p >= lab.end)
		return td_error_set(e, EINVAL, path, lineno, "empty row label");
	for (q = lab.p; q < lab.end; q++)
		if (is_blank(*q) || (unsigned char)*q < 0x20)
			return td_error_set(e, EINVAL, path, lineno,
			    "row label with a blank or control byte");
	if ((r->label = dupn(lab.p, (size_t)(lab.end - lab.p))) == NULL)
		goto nomem;
	if (all_digits(lab.p, lab.end)) {
		uint64_t v;

		q = lab.p;
		if (td_parse_u64(&q, lab.end, &v) < 0 || v > INT32_MAX)
			return td_error_set(e, EINVAL, path, lineno, "IRQ number too large");
		r->irq = (int)v;
	}
	p = colon + 1;
	while (r->ncounts < ncpus) {
		const char *t = td_skip_ws(p, l.end), *te = t;
		uint64_t v;

		while (te < l.end && !is_blank(*te))
			te++;
		if (!all_digits(t, te))
			break;
		if (td_parse_u64(&t, te, &v) < 0)
			return td_error_set(e, EINVAL, path, lineno, "count out of range");
		scratch[r->ncounts++] = v;
		r->total += v;
		p = te;
	}
	/* Keep only the counts printed, so memory follows the input size. */
	if (r->ncounts > 0) {
		if ((r->counts = reallocarray(NULL, (size_t)r->ncounts,
		    sizeof(*r->counts))) == NULL)
			goto nomem;
		memcpy(r->counts, scratch, (size_t)r->ncounts * sizeof(*r->counts));
	}
	if (r->irq < 0) {
		if (set_str(&r->desc, (struct span){ p, l.end }) < 0)
			goto nomem;
		if (is_total_label(r->label) ||
		    (r->desc == NULL && r->ncounts == 1 && ncpus > 1)) {
			r->total_only = true;
			r->ncounts = 0;
			free(r->counts);
			r->counts = NULL;
		}
	} else if (parse_irq_tail(r, (struct span){ p, l.end }) < 0)
		goto nomem;
	if (r->ncounts == 0 && !r->total_only)
		return td_error_set(e, EINVAL, path, lineno, "row '%s' has no counts",
		    r->label);
	return 0;
nomem:
	return td_error_set(e, ENOMEM, path, lineno, "out of memory");
}

static bool row_candidate(const void *ctx, size_t i, struct td_irq_candidate *c);

/* Parse a /proc/interrupts text. */
int
td_interrupts_parse(const char *buf, size_t len, const char *path,
    struct td_interrupts **out, struct td_error *e)
{
	struct td_interrupts *s;
	const char *p = buf, *end = buf + len;
	struct span l;
	uint64_t *scratch = NULL;
	size_t cap = 0;
	long lineno = 0;
	int header = 0, r;

	*out = NULL;
	if ((s = td_parse_new(buf, len, path, sizeof(*s), &r, e)) == NULL)
		return r;
	while (td_next_line(&p, end, &l.p, &l.end)) {
		lineno++;
		if (memchr(l.p, '\0', (size_t)(l.end - l.p)) != NULL) {
			r = td_error_set(e, EINVAL, path, lineno, "NUL byte in line");
			goto fail;
		}
		if (trim(l).p == trim(l).end)
			continue;
		if (!header) {
			if ((r = td_count_header_parse(l.p, l.end, &s->cpus, &s->ncpus, path,
			    lineno, e)) < 0)
				goto fail;
			header = 1;
			continue;
		}
		if (td_grow(&s->rows, s->nrows, &cap, 64, sizeof(*s->rows)) < 0) {
			r = td_error_set(e, ENOMEM, path, lineno, "out of memory");
			goto fail;
		}
		if (scratch == NULL &&
		    (scratch = calloc((size_t)s->ncpus, sizeof(*scratch))) == NULL) {
			r = td_error_set(e, ENOMEM, path, lineno, "out of memory");
			goto fail;
		}
		r = parse_row(s, &s->rows[s->nrows], l, scratch, path, lineno, e);
		s->nrows++;
		if (r < 0)
			goto fail;
	}
	if (!header) {
		r = td_error_set(e, EINVAL, path, lineno, "empty file, no CPU header");
		goto fail;
	}
	free(scratch);
	/* The parser marks the local timer row, so every user takes the same one. */
	if ((r = td_irq_choose_local_timer(s->nrows, row_candidate, s)) >= 0)
		s->rows[r].local_timer = true;
	*out = s;
	return 0;
fail:
	free(scratch);
	td_interrupts_free(s);
	return r;
}

/* Read and parse a file under a sysroot. */
TD_DEFINE_TEXT_LOADER(td_interrupts_load, struct td_interrupts, td_interrupts_parse)

/* Same string, NULL matching only NULL. */
static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Row identity: an IRQ number on the same chip and hwirq (a number freed and
 * given to another device starts counting again), else label and description.
 */
static int
same_identity(const struct td_irq_row *a, const struct td_irq_row *b)
{
	if (a->irq >= 0 || b->irq >= 0) {
		if (a->irq != b->irq)
			return 0;
		if (a->chip != NULL && b->chip != NULL && strcmp(a->chip, b->chip) != 0)
			return 0;
		return !(a->has_hwirq && b->has_hwirq && a->hwirq != b->hwirq);
	}
	return strcmp(a->label, b->label) == 0 && same_str(a->desc, b->desc);
}

/* Look up a row by label (and description when given). */
const struct td_irq_row *
td_interrupts_find(const struct td_interrupts *s, const char *label, const char *desc)
{
	size_t i;

	if (s == NULL || label == NULL)
		return NULL;
	for (i = 0; i < s->nrows; i++) {
		const struct td_irq_row *r = &s->rows[i];

		if (strcmp(r->label, label) == 0 && (desc == NULL || same_str(r->desc, desc)))
			return r;
	}
	return NULL;
}

/* Count of a row on one CPU. */
int
td_interrupts_count(const struct td_interrupts *s, const struct td_irq_row *r, int cpu,
    uint64_t *out)
{
	int c;

	if (s == NULL || r == NULL || r->total_only)
		return -ENOENT;
	c = td_cpu_index(s->cpus, s->ncpus, cpu);
	if (c < 0 || c >= r->ncounts)
		return -ENOENT;
	*out = r->counts[c];
	return 0;
}

/* Whether a row or source is the local timer interrupt: the one rule. */
bool
td_irq_is_local_timer(const char *label, const char *desc, const char *actions)
{
	static const char *const vectors[] = { "LOC", "local_timer", "local_timer_entry" };
	static const char *const irqs[] = { "arch_timer", "riscv-timer", "twd" };

	for (size_t i = 0; label != NULL && i < sizeof(vectors) / sizeof(vectors[0]); i++)
		if (strcasecmp(label, vectors[i]) == 0)
			/* powerpc's second LOC row counts "others", not the tick */
			return desc == NULL || strstr(desc, "for others") == NULL;
	for (size_t i = 0; i < sizeof(irqs) / sizeof(irqs[0]); i++)
		if ((actions != NULL && strcmp(actions, irqs[i]) == 0) ||
		    (actions == NULL && label != NULL && strcmp(label, irqs[i]) == 0))
			return true;
	return false;
}

/* Whether an action name is "hpet" or an HPET channel's "hpetN". */
static bool
is_hpet(const char *a)
{
	if (strncmp(a, "hpet", 4) != 0)
		return false;
	for (a += 4; *a >= '0' && *a <= '9'; a++)
		continue;
	return *a == '\0';
}

/* Whether a row carries ticks from a global or broadcast device: the one rule. */
bool
td_irq_is_global_timer(const char *desc, const char *actions)
{
	static const char *const irqs[] = { "timer", "arch_mem_timer" };

	if (desc != NULL && (strcmp(desc, "Timer broadcast interrupts") == 0 ||
	    strncmp(desc, "Broadcast timer interrupts", 26) == 0))
		return true;
	if (actions == NULL)
		return false;
	for (size_t i = 0; i < sizeof(irqs) / sizeof(irqs[0]); i++)
		if (strcmp(actions, irqs[i]) == 0)
			return true;
	return is_hpet(actions);
}

/* The one choice of the local timer: the first such vector, else the busiest such IRQ. */
int
td_irq_choose_local_timer(size_t n, td_irq_candidate_fn get, const void *ctx)
{
	struct td_irq_candidate c;
	uint64_t most = 0;
	int best = -1;

	for (size_t i = 0; i < n; i++)
		if (get(ctx, i, &c) && !c.is_irq && td_irq_is_local_timer(c.label, c.desc, NULL))
			return (int)i;
	for (size_t i = 0; i < n; i++) {
		if (!get(ctx, i, &c) || !c.is_irq || c.actions == NULL ||
		    !td_irq_is_local_timer(NULL, NULL, c.actions))
			continue;
		if (best < 0 || c.total > most) {
			best = (int)i;
			most = c.total;
		}
	}
	return best >= 0 ? best : -ENOENT;
}

/* Row i of a snapshot as a local timer candidate; rows of one total are none. */
static bool
row_candidate(const void *ctx, size_t i, struct td_irq_candidate *c)
{
	const struct td_irq_row *r = &((const struct td_interrupts *)ctx)->rows[i];

	c->is_irq = r->irq >= 0;
	c->label = r->label;
	c->desc = r->desc;
	c->actions = r->actions;
	c->total = r->total;
	return !r->total_only;
}

/* The row the parser marked as the local timer. */
int
td_interrupts_local_timer(const struct td_interrupts *s)
{
	for (size_t i = 0; s != NULL && i < s->nrows; i++)
		if (s->rows[i].local_timer)
			return (int)i;
	return -ENOENT;
}

/* Free a delta (NULL is fine). */
void
td_interrupts_delta_free(struct td_interrupts_delta *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nrows; i++) {
		struct td_irq_delta_row *r = &d->rows[i];

		free(r->label);
		free(r->desc);
		free(r->actions);
		free(r->delta);
		free(r->known);
	}
	free(d->rows);
	free(d->cpus);
	free(d->cpu_both);
	free(d);
}

/* Fill one delta row from rows ra and rb (either may be NULL) over the union u. */
static int
fill_delta_row(struct td_interrupts_delta *d, struct td_irq_delta_row *dr,
    const struct td_irq_row *ra, const struct td_irq_row *rb,
    const struct td_count_union *u)
{
	const struct td_irq_row *id = rb ? rb : ra;

	dr->irq = id->irq;
	dr->total_only = id->total_only;
	dr->state = ra && rb ? TD_IRQ_KEPT : rb ? TD_IRQ_NEW : TD_IRQ_GONE;
	dr->label = strdup(id->label);
	dr->desc = id->desc ? strdup(id->desc) : NULL;
	dr->actions = id->actions ? strdup(id->actions) : NULL;
	dr->delta = calloc((size_t)d->ncpus + 1, sizeof(*dr->delta));
	dr->known = calloc((size_t)d->ncpus + 1, sizeof(*dr->known));
	if (dr->label == NULL || (id->desc && dr->desc == NULL) ||
	    (id->actions && dr->actions == NULL) || dr->delta == NULL || dr->known == NULL)
		return -ENOMEM;
	if (dr->total_only) {
		if (ra && rb)
			dr->total_known = td_count_delta(ra->total, rb->total, &dr->total,
			    &dr->wrapped) == 0;
		else if (rb) {
			dr->total = rb->total;
			dr->total_known = true;
		}
		return 0;
	}
	dr->total_known = td_count_row_delta(u, ra ? ra->counts : NULL, ra ? ra->ncounts : 0,
	    rb ? rb->counts : NULL, rb ? rb->ncounts : 0, dr->delta, dr->known, &dr->total,
	    &dr->wrapped);
	return 0;
}

/* b minus a, keyed by identity and CPU number. */
int
td_interrupts_delta(const struct td_interrupts *a, const struct td_interrupts *b,
    struct td_interrupts_delta **out)
{
	struct td_interrupts_delta *d;
	struct td_count_union u;
	bool *used = NULL;
	size_t i, j;

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
	used = calloc(a->nrows + 1, sizeof(*used));
	d->rows = calloc(a->nrows + b->nrows + 1, sizeof(*d->rows));
	if (used == NULL || d->rows == NULL)
		goto nomem;
	for (j = 0; j < b->nrows; j++) {
		const struct td_irq_row *rb = &b->rows[j], *ra = NULL;

		/* Same place first, else the first unused row of a with the same identity. */
		if (j < a->nrows && !used[j] && same_identity(&a->rows[j], rb)) {
			used[j] = true;
			ra = &a->rows[j];
		}
		for (i = 0; ra == NULL && i < a->nrows; i++) {
			const struct td_irq_row *c = &a->rows[i];

			if (!used[i] && same_identity(c, rb)) {
				used[i] = true;
				ra = c;
				break;
			}
		}
		if (fill_delta_row(d, &d->rows[d->nrows++], ra, rb, &u) < 0)
			goto nomem;
	}
	for (i = 0; i < a->nrows; i++)
		if (!used[i] && fill_delta_row(d, &d->rows[d->nrows++], &a->rows[i], NULL,
		    &u) < 0)
			goto nomem;
	free(used);
	td_count_union_free(&u);
	*out = d;
	return 0;
nomem:
	free(used);
	td_count_union_free(&u);
	td_interrupts_delta_free(d);
	return -ENOMEM;
}

/* Look up a delta row by identity. */
const struct td_irq_delta_row *
td_interrupts_delta_find(const struct td_interrupts_delta *d, const char *label,
    const char *desc)
{
	size_t i;

	if (d == NULL || label == NULL)
		return NULL;
	for (i = 0; i < d->nrows; i++) {
		const struct td_irq_delta_row *r = &d->rows[i];

		if (strcmp(r->label, label) == 0 && (desc == NULL || same_str(r->desc, desc)))
			return r;
	}
	return NULL;
}

/* One cell of a delta. */
int
td_interrupts_delta_cell(const struct td_interrupts_delta *d,
    const struct td_irq_delta_row *r, int cpu, uint64_t *out)
{
	int c;

	if (d == NULL || r == NULL)
		return -ENOENT;
	c = td_cpu_index(d->cpus, d->ncpus, cpu);
	if (c < 0 || !r->known[c])
		return -ENOENT;
	*out = r->delta[c];
	return 0;
}
