/* File access under a root prefix (--sysroot): the live system is root "/" or NULL. */
#ifndef TD_SOURCE_H
#define TD_SOURCE_H

#include <dirent.h>
#include <stdbool.h>
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
 * Read a whole file (procfs reports size 0, so this reads until EOF); -EFBIG
 * past cap, at once for a regular file whose size says so.  Any kind of file:
 * a pipe or FIFO the user names is read to its end.
 */
int td_read_file(const char *path, size_t cap, struct td_buf *out, struct td_error *e);
/*
 * A file read as a stream of at most cap bytes, never whole in memory: a
 * regular file of known size is an ordinary FILE on fd (refused at once past
 * cap), anything else (procfs says size 0, a pipe) a stream that fails with
 * EFBIG once it goes past cap.  td_stream_open takes fd (closed on failure);
 * td_stream_close closes both and says -EFBIG when the cap was passed.
 */
struct td_stream {
	FILE	*f;
	int	 fd;
	bool	 sized;		/* a regular file: f owns fd */
	size_t	 left;
	bool	 over;
};

int td_stream_open(struct td_stream *s, int fd, const char *path, size_t cap,
    struct td_error *e);
int td_stream_close(struct td_stream *s, const char *path, size_t cap, struct td_error *e);
/*
 * td_open_root + read the whole file as td_read_file does; inside a captured
 * tree (sysroot not live) only regular files are read.
 */
int td_read_root(const char *sysroot, const char *abs, size_t cap, struct td_buf *out,
    struct td_error *e);
/* td_read_root, and the joined path in path (what parsers name in their errors). */
int td_read_root_at(const char *sysroot, const char *abs, size_t cap, struct td_buf *out,
    char *path, size_t pathlen, struct td_error *e);
/*
 * A parser of a whole text: the buffer, the path its errors name, and out, the
 * parser's own result pointer (a struct td_X **), filled on success.
 */
typedef int td_text_parse_fn(const char *buf, size_t len, const char *path, void *out,
    struct td_error *e);
/*
 * Read a file under the root (at most cap bytes, as td_read_root_at) and hand it
 * to parse, whose errors name the joined path; 0 or -errno with e filled.
 */
int td_load_text(const char *sysroot, const char *abs, size_t cap, td_text_parse_fn *parse,
    void *out, struct td_error *e);
/*
 * Define FN(sysroot, abs, TYPE **out, e), a parser's loader: the file under the
 * root read (at most TD_READ_CAP_DEFAULT bytes) and handed to PARSE; *out is
 * NULL on any failure.  The parsers whose loaders are nothing more use it.
 */
#define TD_DEFINE_TEXT_LOADER(fn, type, parse)					\
static int									\
fn##_parse_text(const char *buf, size_t len, const char *path, void *out,	\
    struct td_error *e)								\
{										\
	return parse(buf, len, path, out, e);					\
}										\
										\
int										\
fn(const char *sysroot, const char *abs, type **out, struct td_error *e)	\
{										\
	*out = NULL;								\
	return td_load_text(sysroot, abs, TD_READ_CAP_DEFAULT, fn##_parse_text,	\
	    out, e);								\
}
/* First line of a small file (sysfs attribute), trailing white space removed. */
int td_read_line_root(const char *sysroot, const char *abs, char *buf, size_t len,
    struct td_error *e);
/*
 * Open a file under the root with flags (O_RDONLY, O_DIRECTORY); the joined path
 * in path.  Under a sysroot the path is resolved inside the tree: a symbolic
 * link that leaves it (absolute, or ".." above DIR) is -EXDEV, links that loop
 * -ELOOP, e naming the link; the first such refusal is also kept for
 * td_sysroot_refused().  Under a sysroot a file (not O_DIRECTORY) is opened
 * without waiting and must be a regular one: a FIFO, device, socket or
 * directory is -EINVAL, "not a regular file (a FIFO)".  The descriptor, or
 * -errno with e filled.
 */
int td_open_root(const char *sysroot, const char *abs, int flags, char *path, size_t pathlen,
    struct td_error *e);
/*
 * 0 when a file under the root is there, inside the tree, and can be opened for
 * reading (without waiting: any kind of file, as access(2) says; the read
 * itself refuses what is not a regular file), else -errno with e filled.
 */
int td_root_readable(const char *sysroot, const char *abs, struct td_error *e);
/*
 * A file under the root opened for reading as a FILE, inside the tree, of any
 * kind (cpuinfo is read a piece at a time, and a FIFO stands in for a slow one
 * in the tests); NULL with e filled on failure.
 */
FILE *td_fopen_root(const char *sysroot, const char *abs, struct td_error *e);
/* A directory under the root opened for readdir; NULL with e filled on failure. */
DIR *td_opendir_root(const char *sysroot, const char *abs, char *path, size_t pathlen,
    struct td_error *e);
/* 0 when sysroot is live or a directory; -ENOENT, -ENOTDIR, ... with e filled. */
int td_sysroot_check(const char *sysroot, struct td_error *e);
/*
 * Whether a read under a sysroot refused a symbolic link since the program
 * started (readers that take a missing file as unknown say nothing of it);
 * e (if not NULL) gets the first refusal, naming the link.
 */
bool td_sysroot_refused(struct td_error *e);
/* True when sysroot names the live system. */
int td_root_is_live(const char *sysroot);

#endif
