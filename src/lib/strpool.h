/*
 * Interned strings for parsed snapshots: each distinct string is stored once
 * in large arena chunks, so a snapshot of a million timers does not allocate a
 * million strings.  Internal to libtimerdiag.
 */
#ifndef TD_STRPOOL_H
#define TD_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

struct td_strpool_chunk;

struct td_strpool_slot {
	const char	*s;		/* NULL when the slot is free */
	uint32_t	 hash;
	uint32_t	 len;
};

struct td_strpool {
	struct td_strpool_chunk	*chunks;	/* arena, newest first */
	char			*cur;		/* free space in the newest chunk */
	size_t			 avail;
	struct td_strpool_slot	*slots;		/* open addressing, power of two */
	size_t			 nslots;
	size_t			 nused;
	size_t			 bytes;		/* arena bytes allocated */
};

void td_strpool_init(struct td_strpool *sp);
void td_strpool_fini(struct td_strpool *sp);
/* The one stored copy of s[0..len) (NUL-terminated); NULL when out of memory. */
const char *td_strpool_intern(struct td_strpool *sp, const char *s, size_t len);
/* A private NUL-terminated copy of s[0..len) in the arena (not interned). */
char *td_strpool_dup(struct td_strpool *sp, const char *s, size_t len);

#endif
