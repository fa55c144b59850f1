/* File access under a root prefix (--sysroot): the live system is root "/" or NULL. */
#ifndef TD_SOURCE_H
#define TD_SOURCE_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* A whole file read into memory; data is NUL-terminated (data[len] == 0). */
struct td_buf {
	char	*data;
	size_t	 len;
};

#define TD_READ_CAP_DEFAULT	((size_t)256 << 20)	/* 256 MiB */

void td_buf_free(struct td_buf *b);
/* Join sysroot and an absolute path such as "/proc/timer_list". -ENAMETOOLONG if it does not fit. */
int td_path(const char *sysroot, const char *abs, char *out, size_t outlen);
/*
 * Read a whole file (procfs reports size 0, so this reads until EOF); -EFBIG past
 * cap.  Any kind of file: a pipe or FIFO the user names is read to its end.
 */
int td_read_file(const char *path, size_t cap, struct td_buf *out, struct td_error *e);
/*
 * Open for reading a file that must be a regular one (anything inside a captured
 * tree), without waiting on it: a FIFO, device, socket or directory is refused
 * with -EINVAL, "not a regular file (a FIFO)".  Returns the fd or -errno.
 */
int td_open_regular(const char *path, struct td_error *e);
/* td_open_regular, then read the whole file as td_read_file does. */
int td_read_regular(const char *path, size_t cap, struct td_buf *out, struct td_error *e);
/*
 * td_path + td_read_file; inside a captured tree (sysroot not live) only regular
 * files are read (td_read_regular).  The same holds for the two functions below.
 */
int td_read_root(const char *sysroot, const char *abs, size_t cap, struct td_buf *out,
    struct td_error *e);
/* td_read_root, and the joined path in path (what parsers name in their errors). */
int td_read_root_at(const char *sysroot, const char *abs, size_t cap, struct td_buf *out,
    char *path, size_t pathlen, struct td_error *e);
/* First line of a small file (sysfs attribute), trailing white space removed. */
int td_read_line_root(const char *sysroot, const char *abs, char *buf, size_t len,
    struct td_error *e);
/*
 * fopen() under the root, of any kind of file (cpuinfo is read a piece at a
 * time, and a FIFO stands in for a slow one in the tests); NULL with e filled.
 */
FILE *td_fopen_root(const char *sysroot, const char *abs, const char *mode, struct td_error *e);
/* True when sysroot names the live system. */
int td_root_is_live(const char *sysroot);

#endif
