/*
 * A cache of bounded memory keyed by 64-bit numbers: it keeps at most max
 * values of one size and, when full, a new key takes the place of the least
 * recently used one (never all at once).  The task cache (tasks.c) and the
 * callback names (knames.c) are two of them.
 */
#ifndef TD_LRU_H
#define TD_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct td_lru;

/* Mix a 64-bit key into a hash (the caches' and the library's other tables'). */
uint64_t td_hash64(uint64_t x);

/*
 * A cache of at most max values of size bytes (max >= 1); drop, if not NULL,
 * releases what a value holds when it is evicted or the cache freed.
 * -EINVAL, -ENOMEM.
 */
int td_lru_new(size_t max, size_t size, void (*drop)(void *val), struct td_lru **out);
/* Free a cache and drop its values; NULL is fine. */
void td_lru_free(struct td_lru *l);
/*
 * The value of key, made the most recently used.  A new one (*fresh set) is
 * zeroed; when the cache is full it takes the place of the least recently
 * used, dropped first.  Never NULL.  Values move when the cache grows: a
 * pointer is valid until the next td_lru_get.
 */
void *td_lru_get(struct td_lru *l, uint64_t key, bool *fresh);
/* The value of key made the most recently used, or NULL when not kept. */
void *td_lru_use(struct td_lru *l, uint64_t key);
/* The value of key as it is (not made recent), or NULL when not kept. */
const void *td_lru_find(const struct td_lru *l, uint64_t key);
/* Values kept. */
size_t td_lru_count(const struct td_lru *l);
/* Start loading the index slot where key's probe begins (a find of key follows soon). */
void td_lru_prefetch(const struct td_lru *l, uint64_t key);
/*
 * Start loading key's value and its place in the recency list when it is kept
 * (its index slot loaded already, best).
 */
void td_lru_prefetch_value(const struct td_lru *l, uint64_t key);

#endif
