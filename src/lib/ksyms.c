/* Kernel text symbols from /proc/kallsyms, looked up by address. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ksyms.h"

struct ksym {
	uint64_t	 addr;
	const char	*name;		/* into names */
};

struct td_ksyms {
	struct ksym	*sym;
	size_t		 n;
	char		*names;		/* all names, NUL separated */
};

/* Order symbols by address. */
static int
ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* Parse a kallsyms text, keeping text symbols (t, T, w, W). */
int
td_ksyms_parse(const char *buf, size_t len, struct td_ksyms **out, struct td_error *e)
{
	struct td_ksyms *k;
	const char *s = buf, *end = buf + len;
	size_t cap = 0, npos = 0;
	long line = 0;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL || (k->names = malloc(len + 1)) == NULL) {
		free(k);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end, *q = s, *name;
		uint64_t addr;
		char type;

		line++;
		s = nl ? nl + 1 : end;
		if (td_parse_hex(&q, le, &addr) < 0 || q >= le || *q != ' ')
			continue;
		q++;
		if (q >= le)
			continue;
		type = *q++;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (q >= le || *q != ' ' || addr == 0)
			continue;
		name = ++q;
		while (q < le && *q != ' ' && *q != '\t')
			q++;
		if (q == name)
			continue;
		if (k->n == cap) {
			size_t nc = cap ? cap * 2 : 4096;
			struct ksym *ns = reallocarray(k->sym, nc, sizeof(*ns));

			if (ns == NULL) {
				td_ksyms_free(k);
				return td_error_set(e, ENOMEM, NULL, line, "out of memory");
			}
			k->sym = ns;
			cap = nc;
		}
		memcpy(k->names + npos, name, (size_t)(q - name));
		k->sym[k->n].addr = addr;
		k->sym[k->n].name = (const char *)(uintptr_t)npos;	/* fixed up below */
		k->n++;
		npos += (size_t)(q - name);
		k->names[npos++] = '\0';
	}
	for (size_t i = 0; i < k->n; i++)
		k->sym[i].name = k->names + (uintptr_t)k->sym[i].name;
	if (k->n > 1)
		qsort(k->sym, k->n, sizeof(k->sym[0]), ksym_cmp);
	*out = k;
	return 0;
}

/* Free a symbol table; NULL is fine. */
void
td_ksyms_free(struct td_ksyms *k)
{
	if (k == NULL)
		return;
	free(k->sym);
	free(k->names);
	free(k);
}

/* Number of symbols kept. */
size_t
td_ksyms_count(const struct td_ksyms *k)
{
	return k ? k->n : 0;
}

/* The symbol containing addr: the last one at or below it. */
const char *
td_ksyms_lookup(const struct td_ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi;

	if (k == NULL || k->n == 0 || addr < k->sym[0].addr)
		return NULL;
	hi = k->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->sym[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* Past the last symbol by more than 1 MiB: not in the kernel's text. */
	if (lo == k->n - 1 && addr - k->sym[lo].addr > (1u << 20))
		return NULL;
	return k->sym[lo].name;
}

#define RESOLVE_NAME	256		/* longest name kept by td_ksyms_resolve */

/* Index of the first of the n sorted addresses at or above a. */
static size_t
lower_bound(const uint64_t *addr, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Name n addresses (sorted, ascending) in one pass over a kallsyms text read
 * from f: names[i] is a malloc'd copy of the text symbol containing addr[i],
 * or NULL.  Returns the number of text symbols seen with a non-zero address.
 * Bucket i holds the highest symbol in (addr[i-1], addr[i]]; the symbol of
 * addr[j] is then that of the last non-empty bucket at or before j.
 */
int
td_ksyms_resolve(FILE *f, const uint64_t *addr, size_t n, char **names,
    struct td_error *e)
{
	uint64_t *best, top = 0;
	char *bname, line[640];
	int nsyms = 0;
	size_t last;

	for (size_t i = 0; i < n; i++)
		names[i] = NULL;
	if (n == 0)
		return 0;
	best = calloc(n, sizeof(*best));
	bname = malloc(n * RESOLVE_NAME);
	if (best == NULL || bname == NULL) {
		free(best);
		free(bname);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *q = line, *le = line + strcspn(line, "\n"), *name;
		uint64_t a;
		size_t i, nl;
		char type;

		if (td_parse_hex(&q, le, &a) < 0 || q + 3 >= le || *q != ' ')
			continue;
		type = q[1];
		if ((type != 't' && type != 'T' && type != 'w' && type != 'W') ||
		    q[2] != ' ' || a == 0)
			continue;
		nsyms++;
		if (a > top)
			top = a;
		name = q + 3;
		nl = strcspn(name, " \t\n");
		if (nl == 0 || (i = lower_bound(addr, n, a)) == n || a <= best[i])
			continue;
		if (nl >= RESOLVE_NAME)
			nl = RESOLVE_NAME - 1;
		best[i] = a;
		memcpy(bname + i * RESOLVE_NAME, name, nl);
		bname[i * RESOLVE_NAME + nl] = '\0';
	}
	for (size_t j = 0, k = n; j < n; j++) {
		if (best[j] != 0)
			k = j;
		last = k;
		/* Past the last symbol by more than 1 MiB: not in the kernel's text. */
		if (last == n || (addr[j] >= top && addr[j] - best[last] > (1u << 20)))
			continue;
		if ((names[j] = strdup(bname + last * RESOLVE_NAME)) == NULL) {
			for (size_t x = 0; x < j; x++)
				free(names[x]), names[x] = NULL;
			free(best);
			free(bname);
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
		}
	}
	free(best);
	free(bname);
	return nsyms;
}
