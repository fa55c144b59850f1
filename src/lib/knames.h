/*
 * Names of what the live kernel's events refer to, for the tracefs and BPF
 * backends: timer callbacks (and arming sites) by address through
 * /proc/kallsyms, tasks by pid through /proc/PID/comm and status.  Both are
 * cached across intervals: callback names are trimmed when they grow too
 * big, tasks kept in a bounded cache that forgets the least recently used.
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
 * backend: spans, arming sites named at once); without it, find only the
 * tick's callbacks and name the others at collect, those seen only
 * (td_knames_resolve).  gone, if not NULL, names a task that left /proc
 * before it was asked for (tracefs: saved_cmdlines).  -ENOMEM; an unreadable
 * kallsyms is no error (nsyms 0).
 */
int td_knames_new(bool table, void (*gone)(void *ctx, int pid, char *out, size_t len),
    void *gone_ctx, struct td_knames **out);
void td_knames_free(struct td_knames *n);
/* Text symbols loaded or seen (0: none, kptr_restrict or no /proc/kallsyms). */
int td_knames_nsyms(const struct td_knames *n);
/* The symbol table (NULL when none was loaded, or without table). */
struct td_ksyms *td_knames_ksyms(struct td_knames *n);
/* The attribution's questions (struct td_attr_names), ctx being the td_knames. */
bool td_knames_is_tick(void *ctx, uint64_t fn);
const char *td_knames_function(void *ctx, uint64_t fn);
void td_knames_task(void *ctx, int pid, struct td_task_info *ti);
/*
 * Before td_attr_collect, without the table: name in one pass over
 * /proc/kallsyms the callbacks counted in a that were never named.
 */
void td_knames_resolve(struct td_knames *n, const struct td_attr *a);
/* Between intervals: forget the callback names when they grew past their bound. */
void td_knames_trim(struct td_knames *n);
/* The names of the tick's own hrtimer callbacks (NULL-terminated). */
extern const char *const td_knames_tick_functions[];
/* Whether name is one of them (a text trace names its callbacks). */
bool td_knames_is_tick_name(const char *name);

#endif
