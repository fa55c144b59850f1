/*
 * Record arena for big snapshots: runs of records in large chunks of anonymous
 * memory, backed by transparent huge pages where the kernel allows and
 * prefaulted 2 MiB at a time, so half a million timers cost a few page faults
 * instead of ten thousand.  Internal to libtimerdiag.
 */
#ifndef TD_ARENA_H
#define TD_ARENA_H

#include <stddef.h>

struct td_arena_chunk;

struct td_arena {
	struct td_arena_chunk	*chunks;	/* newest first */
	char			*run;		/* start of the open run */
	char			*end;		/* end of the newest chunk */
	char			*ready;		/* prefaulted up to here (mapped chunks) */
	size_t			 next;		/* size of the next chunk */
	size_t			 bytes;		/* chunk bytes reserved */
};

void td_arena_init(struct td_arena *a);
void td_arena_fini(struct td_arena *a);
/* Expect about bytes of records: a big input starts on a mapped chunk. */
void td_arena_expect(struct td_arena *a, size_t bytes);
/*
 * Make the open run want bytes long, keeping its first keep bytes; it may move
 * to a new chunk.  Returns its start, or NULL when out of memory (the run and
 * everything before it stay valid).
 */
void *td_arena_grow(struct td_arena *a, size_t keep, size_t want);
/* Close the open run at len bytes; the next run starts after it. */
void td_arena_close(struct td_arena *a, size_t len);

#endif
