/*
 * Names of what the live kernel's events refer to, for the tracefs and BPF
 * backends: timer callbacks (and arming sites) by address through
 * /proc/kallsyms, tasks by pid through /proc/PID/comm and status.  Both are
 * cached across intervals in caches of bounded memory that forget the least
 * recently used (lru.h), never all at once.
 */
#ifndef TD_KNAMES_H
#define TD_KNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attribution.h"

struct td_knames;
struct td_ksyms;

/*
 * Start empty caches.  With table, load the kernel's text symbols (the BPF
 * backend: arming sites named at once), and keep the names starting with one
 * of mark (NULL: none) for td_ksyms_spans; without it, read nothing yet:
 * the first td_knames_resolve_addrs or td_knames_resolve finds the tick's
 * callbacks in the pass that names the callbacks seen.  gone, if not NULL,
 * names a task that left /proc before it was asked for (tracefs:
 * saved_cmdlines).  -ENOMEM; an unreadable kallsyms is no error (nsyms 0).
 */
int td_knames_new(bool table, const char *const *mark,
    void (*gone)(void *ctx, int pid, char *out, size_t len), void *gone_ctx,
    struct td_knames **out);
void td_knames_free(struct td_knames *n);
/*
 * Text symbols loaded or seen (0: none, kptr_restrict or no /proc/kallsyms;
 * -1: not read yet).
 */
int td_knames_nsyms(const struct td_knames *n);
/* Why none were (nsyms 0): "/proc/kallsyms: No such file ...", or kptr_restrict. */
const char *td_knames_why_none(const struct td_knames *n);
/* The symbol table (NULL when none was loaded, or without table). */
struct td_ksyms *td_knames_ksyms(struct td_knames *n);
/* The attribution's questions (struct td_attr_names), ctx being the td_knames. */
bool td_knames_is_tick(void *ctx, uint64_t fn);
const char *td_knames_function(void *ctx, uint64_t fn);
void td_knames_task(void *ctx, int pid, struct td_task_info *ti);
void td_knames_prefetch_task(void *ctx, int pid, bool entry);
/*
 * Without the table: name n callback addresses (any order, repeats allowed;
 * sorted in place) that were never named and, the first time, find the
 * tick's callbacks, in one pass over /proc/kallsyms (none when there is
 * nothing to do).  Until then td_knames_is_tick answers false.
 */
void td_knames_resolve_addrs(struct td_knames *n, uint64_t *addr, size_t naddr);
/* A list of callback addresses to name; start it zeroed, free addr. */
struct td_knames_list {
	uint64_t	*addr;
	size_t		 n, cap;
	bool		 nomem;		/* some were left out */
};
/* Add fn (0 and a repeat of the last one are left out). */
void td_knames_list_add(struct td_knames_list *l, uint64_t fn);
/* Before td_attr_collect: the same for the callbacks counted in a. */
void td_knames_resolve(struct td_knames *n, const struct td_attr *a);
/* Whether the tick's callbacks were searched (with the table: always). */
bool td_knames_tick_known(const struct td_knames *n);
/* The names of the tick's own hrtimer callbacks (NULL-terminated). */
extern const char *const td_knames_tick_functions[];
/* Whether name is one of them (a text trace names its callbacks). */
bool td_knames_is_tick_name(const char *name);

#endif
