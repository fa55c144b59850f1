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
