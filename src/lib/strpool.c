/* Interned strings in arena chunks with an open-addressing hash table. */
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

#define STRPOOL_CHUNK	(64u * 1024u)

struct td_strpool_chunk {
	struct td_strpool_chunk	*next;
	char			 data[];
};

/* Start an empty pool. */
void
td_strpool_init(struct td_strpool *sp)
{
	memset(sp, 0, sizeof(*sp));
}

/* Release every string of the pool. */
void
td_strpool_fini(struct td_strpool *sp)
{
	struct td_strpool_chunk *c, *next;

	if (sp == NULL)
		return;
	for (c = sp->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(sp->slots);
	memset(sp, 0, sizeof(*sp));
}

/* Hash len bytes, eight at a time. */
static uint32_t
strpool_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)len;
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
		s += 8;
		len -= 8;
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	h ^= h >> 32;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/* Copy s into the arena, NUL-terminated. */
char *
td_strpool_dup(struct td_strpool *sp, const char *s, size_t len)
{
	struct td_strpool_chunk *c;
	size_t need = len + 1, size;
	char *d;

	if (need > sp->avail) {
		size = need > STRPOOL_CHUNK / 4 ? need : STRPOOL_CHUNK;
		c = malloc(sizeof(*c) + size);
		if (c == NULL)
			return NULL;
		sp->bytes += size;
		if (size == need && sp->chunks != NULL) {
			/* A big string gets its own chunk; keep filling the current one. */
			c->next = sp->chunks->next;
			sp->chunks->next = c;
			d = c->data;
			goto copy;
		}
		c->next = sp->chunks;
		sp->chunks = c;
		sp->cur = c->data;
		sp->avail = size;
	}
	d = sp->cur;
	sp->cur += need;
	sp->avail -= need;
copy:
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* Double the hash table. */
static int
strpool_grow(struct td_strpool *sp)
{
	size_t n = sp->nslots ? sp->nslots * 2 : 256, i, j;
	struct td_strpool_slot *t;

	t = calloc(n, sizeof(*t));
	if (t == NULL)
		return -1;
	for (i = 0; i < sp->nslots; i++) {
		if (sp->slots[i].s == NULL)
			continue;
		for (j = sp->slots[i].hash & (n - 1); t[j].s != NULL; j = (j + 1) & (n - 1))
			;
		t[j] = sp->slots[i];
	}
	free(sp->slots);
	sp->slots = t;
	sp->nslots = n;
	return 0;
}

/* Find or store s[0..len). */
const char *
td_strpool_intern(struct td_strpool *sp, const char *s, size_t len)
{
	struct td_strpool_slot *slot;
	uint32_t h;
	size_t i;
	char *d;

	if (len > UINT32_MAX)
		return NULL;
	if ((sp->nused + 1) * 2 > sp->nslots && strpool_grow(sp) < 0)
		return NULL;
	h = strpool_hash(s, len);
	for (i = h & (sp->nslots - 1);; i = (i + 1) & (sp->nslots - 1)) {
		slot = &sp->slots[i];
		if (slot->s == NULL)
			break;
		if (slot->hash == h && slot->len == len && memcmp(slot->s, s, len) == 0)
			return slot->s;
	}
	d = td_strpool_dup(sp, s, len);
	if (d == NULL)
		return NULL;
	slot->s = d;
	slot->hash = h;
	slot->len = (uint32_t)len;
	sp->nused++;
	return d;
}
