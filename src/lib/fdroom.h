/*
 * Room for open files: a backend that holds a file per CPU (the tracefs
 * buffers) needs more than the usual soft limit of 1,024 on a big machine.
 */
#ifndef TD_FDROOM_H
#define TD_FDROOM_H

#include <stddef.h>

/* Spare descriptors beside a file per CPU: stdio, epoll, kallsyms, /proc reads. */
#define TD_FD_SPARE	64

/*
 * Raise the process's soft RLIMIT_NOFILE to need (as far as the hard limit
 * allows) when it is lower.  The limit after it, or 0 when it cannot be read.
 */
unsigned long td_fd_room(unsigned long need);

#endif
