/*
 * A bounded cache (lru.h): up to max values in one array (grown by doubling
 * as keys come), a linear-probing index of at least twice as many slots that
 * keeps the keys (a probe reads the index alone), and a recency list through
 * the entries; a new key past max replaces the least recently used one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lru.h"

#define FIRST_CAP	1024		/* entries allocated at first */

/* The key of an entry and its place in the recency list. */
struct node {
	uint64_t	 key;
	int		 prev, next;	/* indices, -1 at the ends */
};

struct td_lru {
	struct node	*node;
	char		*val;		/* cap values of size bytes */
	size_t		 size, max, cap, n;
	struct lslot {
		uint64_t key;		/* the entry's key, kept here: a probe reads only the index */
		int	 at;		/* entry index, -1 empty */
	}		*idx;
	size_t		 mask;		/* slots - 1 */
	int		 head, tail;	/* most and least recently used */
	void		(*drop)(void *val);
};

/* Mix a 64-bit key into a hash. */
uint64_t
td_hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Index slots for cap entries: a power of two, at least twice cap. */
static size_t
slots_for(size_t cap)
{
	size_t slots = 2;

	while (slots < cap * 2)
		slots *= 2;
	return slots;
}

/* The value of entry i. */
static void *
val_of(const struct td_lru *l, int i)
{
	return l->val + (size_t)i * l->size;
}

/* A cache of at most max values of size bytes; -EINVAL, -ENOMEM. */
int
td_lru_new(size_t max, size_t size, void (*drop)(void *val), struct td_lru **out)
{
	struct td_lru *l;
	size_t slots;

	*out = NULL;
	if (max == 0 || max > INT32_MAX / 4 || size == 0)
		return -EINVAL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -ENOMEM;
	l->cap = max < FIRST_CAP ? max : FIRST_CAP;
	slots = slots_for(l->cap);
	l->node = calloc(l->cap, sizeof(*l->node));
	l->val = calloc(l->cap, size);
	l->idx = malloc(slots * sizeof(*l->idx));
	if (l->node == NULL || l->val == NULL || l->idx == NULL) {
		td_lru_free(l);
		return -ENOMEM;
	}
	for (size_t i = 0; i < slots; i++)
		l->idx[i].at = -1;
	l->size = size;
	l->max = max;
	l->mask = slots - 1;
	l->head = l->tail = -1;
	l->drop = drop;
	*out = l;
	return 0;
}

/* Free a cache and drop its values; NULL is fine. */
void
td_lru_free(struct td_lru *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; l->drop != NULL && i < l->n; i++)
		l->drop(val_of(l, (int)i));
	free(l->node);
	free(l->val);
	free(l->idx);
	free(l);
}

/* The home slot of key. */
static size_t
home(const struct td_lru *l, uint64_t key)
{
	return td_hash64(key) & l->mask;
}

/* The slot holding key, or the empty slot that ends its probe. */
static size_t
slot_of(const struct td_lru *l, uint64_t key)
{
	size_t h = home(l, key);

	while (l->idx[h].at >= 0 && l->idx[h].key != key)
		h = (h + 1) & l->mask;
	return h;
}

/* Empty slot i, moving back the entries whose probe ran through it. */
static void
slot_remove(struct td_lru *l, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & l->mask;
		if (l->idx[j].at < 0)
			break;
		k = home(l, l->idx[j].key);
		/* The entry at j may move to i when i lies on its probe from k. */
		if ((i <= j) ? (k <= i || k > j) : (k <= i && k > j)) {
			l->idx[i] = l->idx[j];
			i = j;
		}
	}
	l->idx[i].at = -1;
}

/* Take entry i out of the recency list. */
static void
unlink_ent(struct td_lru *l, int i)
{
	struct node *e = &l->node[i];

	if (e->prev >= 0)
		l->node[e->prev].next = e->next;
	else
		l->head = e->next;
	if (e->next >= 0)
		l->node[e->next].prev = e->prev;
	else
		l->tail = e->prev;
}

/* Put entry i first in the recency list. */
static void
push_front(struct td_lru *l, int i)
{
	l->node[i].prev = -1;
	l->node[i].next = l->head;
	if (l->head >= 0)
		l->node[l->head].prev = i;
	l->head = i;
	if (l->tail < 0)
		l->tail = i;
}

/* Double the entries (up to max) and rebuild the index; -ENOMEM leaves l as it was. */
static int
grow(struct td_lru *l)
{
	size_t cap = l->cap * 2 > l->max ? l->max : l->cap * 2, slots = slots_for(cap);
	struct node *node;
	char *val;
	struct lslot *idx;

	if ((idx = malloc(slots * sizeof(*idx))) == NULL)
		return -ENOMEM;
	if ((node = reallocarray(l->node, cap, sizeof(*node))) == NULL) {
		free(idx);
		return -ENOMEM;
	}
	l->node = node;
	if ((val = reallocarray(l->val, cap, l->size)) == NULL) {
		free(idx);
		return -ENOMEM;		/* the nodes' array is bigger, which is harmless */
	}
	l->val = val;
	l->cap = cap;
	free(l->idx);
	l->idx = idx;
	l->mask = slots - 1;
	for (size_t i = 0; i < slots; i++)
		idx[i].at = -1;
	for (size_t i = 0; i < l->n; i++)
		idx[slot_of(l, l->node[i].key)] = (struct lslot){ l->node[i].key, (int)i };
	return 0;
}

/* The value of key made the most recently used, or NULL. */
void *
td_lru_use(struct td_lru *l, uint64_t key)
{
	int i = l->idx[slot_of(l, key)].at;

	if (i < 0)
		return NULL;
	if (l->head != i) {
		unlink_ent(l, i);
		push_front(l, i);
	}
	return val_of(l, i);
}

/* The value of key, made the most recently used; a new one replaces the oldest when full. */
void *
td_lru_get(struct td_lru *l, uint64_t key, bool *fresh)
{
	void *v = td_lru_use(l, key);
	size_t h;
	int i;

	*fresh = false;
	if (v != NULL)
		return v;
	h = slot_of(l, key);
	if (l->n == l->cap && l->cap < l->max && grow(l) == 0)
		h = slot_of(l, key);	/* a new index */
	if (l->n < l->cap) {
		i = (int)l->n++;
	} else {
		i = l->tail;
		unlink_ent(l, i);
		slot_remove(l, slot_of(l, l->node[i].key));
		h = slot_of(l, key);	/* the removal may have moved the probe's end */
		if (l->drop != NULL)
			l->drop(val_of(l, i));
	}
	l->idx[h] = (struct lslot){ key, i };
	l->node[i].key = key;
	memset(val_of(l, i), 0, l->size);
	push_front(l, i);
	*fresh = true;
	return val_of(l, i);
}

/* The value of key as it is, or NULL. */
const void *
td_lru_find(const struct td_lru *l, uint64_t key)
{
	int i = l->idx[slot_of(l, key)].at;

	return i >= 0 ? val_of(l, i) : NULL;
}

/* Values kept. */
size_t
td_lru_count(const struct td_lru *l)
{
	return l->n;
}

/* Start loading the index slot where key's probe begins. */
void
td_lru_prefetch(const struct td_lru *l, uint64_t key)
{
	__builtin_prefetch(&l->idx[home(l, key)]);
}

/* Start loading key's value, and its place in the recency list, when it is kept. */
void
td_lru_prefetch_value(const struct td_lru *l, uint64_t key)
{
	int i = l->idx[slot_of(l, key)].at;

	if (i >= 0) {
		__builtin_prefetch(val_of(l, i));
		__builtin_prefetch(&l->node[i]);
	}
}
