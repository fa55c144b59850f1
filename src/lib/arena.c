/* Record arena: big chunks, huge pages where possible, prefaulted in 2 MiB steps. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"

#define ARENA_FIRST	(16u * 1024u)		/* first chunk: small inputs stay small */
#define ARENA_MAP	((size_t)2 << 20)	/* from here on chunks are mapped */
#define ARENA_MAX	((size_t)64 << 20)	/* largest chunk (virtual) */
#define ARENA_STEP	((size_t)2 << 20)	/* prefault step, one huge page */
#define ARENA_ALIGN	16u

struct td_arena_chunk {
	struct td_arena_chunk	*next;
	size_t			 size;		/* bytes, header included */
	int			 mapped;	/* from mmap (else malloc) */
};

/* Header size, rounded so runs start aligned. */
#define ARENA_HDR	((sizeof(struct td_arena_chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

/* Start an empty arena. */
void
td_arena_init(struct td_arena *a)
{
	memset(a, 0, sizeof(*a));
	a->next = ARENA_FIRST;
}

/*
 * Expect about bytes of records.  From ARENA_MAP bytes on the first chunk is
 * mapped at once at that size (rounded up to a huge page): no climb through
 * malloc'd chunks whose pages fault in one by one.  Only virtual memory: the
 * chunk is still prefaulted a step at a time.
 */
void
td_arena_expect(struct td_arena *a, size_t bytes)
{
	if (a->chunks != NULL || bytes < ARENA_MAP)
		return;
	if (bytes > ARENA_MAX)
		bytes = ARENA_MAX;
	a->next = (bytes + ARENA_STEP - 1) & ~(ARENA_STEP - 1);
}

/* Release every chunk. */
void
td_arena_fini(struct td_arena *a)
{
	struct td_arena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		if (c->mapped)
			munmap(c, c->size);
		else
			free(c);
	}
	memset(a, 0, sizeof(*a));
}

/* Map size bytes aligned to a huge page, and ask for huge pages. */
static void *
arena_map(size_t size)
{
	size_t len = size + ARENA_STEP;
	char *p, *q;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	q = (char *)(((uintptr_t)p + ARENA_STEP - 1) & ~(uintptr_t)(ARENA_STEP - 1));
	if (q > p)
		munmap(p, (size_t)(q - p));
	if (q + size < p + len)
		munmap(q + size, (size_t)(p + len - (q + size)));
#ifdef MADV_HUGEPAGE
	madvise(q, size, MADV_HUGEPAGE);	/* advice only: fine if refused */
#endif
	return q;
}

/* Prefault the mapped chunk up to at least upto, a step at a time. */
static void
arena_prefault(struct td_arena *a, const char *upto)
{
#ifdef MADV_POPULATE_WRITE
	while (a->ready != NULL && a->ready < upto && a->ready < a->end) {
		size_t n = ARENA_STEP;

		if ((size_t)(a->end - a->ready) < n)
			n = (size_t)(a->end - a->ready);
		/* one call instead of 512 page faults; older kernels say EINVAL */
		if (madvise(a->ready, n, MADV_POPULATE_WRITE) != 0) {
			a->ready = NULL;
			return;
		}
		a->ready += n;
	}
#else
	(void)a;
	(void)upto;
#endif
}

/* Grow the open run, moving it to a new chunk when it does not fit. */
void *
td_arena_grow(struct td_arena *a, size_t keep, size_t want)
{
	struct td_arena_chunk *c;
	size_t size;
	char *run;

	if (a->run != NULL && want <= (size_t)(a->end - a->run)) {
		arena_prefault(a, a->run + want);
		return a->run;
	}
	size = a->next;
	while (size < want + ARENA_HDR)
		size *= 2;
	if (size >= ARENA_MAP) {
		size = (size + ARENA_STEP - 1) & ~(ARENA_STEP - 1);
		c = arena_map(size);
	} else
		c = malloc(size);
	if (c == NULL)
		return NULL;
	c->size = size;
	c->mapped = size >= ARENA_MAP;
	c->next = a->chunks;
	a->chunks = c;
	a->bytes += size;
	if (a->next < ARENA_MAX)
		a->next = size * 2 > ARENA_MAX ? ARENA_MAX : size * 2;
	run = (char *)c + ARENA_HDR;
	a->end = (char *)c + size;
	a->ready = c->mapped ? (char *)c : NULL;
	arena_prefault(a, run + want);
	if (keep > 0 && a->run != NULL)
		memcpy(run, a->run, keep);
	a->run = run;
	return run;
}

/* Close the open run; the next one starts after it, aligned. */
void
td_arena_close(struct td_arena *a, size_t len)
{
	if (a->run == NULL)
		return;
	len = (len + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (len > (size_t)(a->end - a->run))
		len = (size_t)(a->end - a->run);
	a->run += len;
}
