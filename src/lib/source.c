/* File access under a root prefix, so captured trees read like the live system. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"

/* Free a buffer filled by td_read_file(); NULL-safe. */
void
td_buf_free(struct td_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/* True when sysroot means the running system. */
int
td_root_is_live(const char *sysroot)
{
	return sysroot == NULL || sysroot[0] == '\0' || strcmp(sysroot, "/") == 0;
}

/* Join sysroot and abs into out. */
int
td_path(const char *sysroot, const char *abs, char *out, size_t outlen)
{
	int n;

	if (td_root_is_live(sysroot))
		n = snprintf(out, outlen, "%s", abs);
	else {
		size_t rl = strlen(sysroot);

		while (rl > 1 && sysroot[rl - 1] == '/')
			rl--;
		n = snprintf(out, outlen, "%.*s%s%s", (int)rl, sysroot,
		    abs[0] == '/' ? "" : "/", abs);
	}
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

/* Read fd to its end into out, up to cap bytes, and close it. */
static int
read_fd(int fd, const char *path, size_t cap, struct td_buf *out, struct td_error *e)
{
	size_t size = 0, alloc = 65536;
	char *data;

	data = malloc(alloc + 1);
	if (data == NULL) {
		close(fd);
		return td_error_set(e, ENOMEM, path, 0, "out of memory");
	}
	for (;;) {
		ssize_t r;

		if (size == alloc) {
			char *n;

			if (alloc >= cap) {
				free(data);
				close(fd);
				return td_error_set(e, EFBIG, path, 0,
				    "file larger than %zu bytes", cap);
			}
			alloc = alloc * 2 > cap ? cap : alloc * 2;
			n = realloc(data, alloc + 1);
			if (n == NULL) {
				free(data);
				close(fd);
				return td_error_set(e, ENOMEM, path, 0, "out of memory");
			}
			data = n;
		}
		r = read(fd, data + size, alloc - size);
		if (r < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			free(data);
			close(fd);
			return td_error_set(e, err, path, 0, "%s", strerror(err));
		}
		if (r == 0)
			break;
		size += (size_t)r;
	}
	close(fd);
	data[size] = '\0';
	out->data = data;
	out->len = size;
	return 0;
}

/* Read a whole file into memory, up to cap bytes. */
int
td_read_file(const char *path, size_t cap, struct td_buf *out, struct td_error *e)
{
	int fd;

	out->data = NULL;
	out->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return td_error_set(e, errno, path, 0, "%s", strerror(errno));
	return read_fd(fd, path, cap, out, e);
}

/* What kind of file a mode is, for the refusal of anything but a regular one. */
static const char *
kind_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a plain file";
}

/* Open a file that must be a regular one, without ever waiting on it. */
int
td_open_regular(const char *path, struct td_error *e)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: opening a FIFO with no writer returns at once. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return td_error_set(e, errno, path, 0, "%s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return td_error_set(e, err, path, 0, "%s", strerror(err));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return td_error_set(e, EINVAL, path, 0, "not a regular file (%s)",
		    kind_name(st.st_mode));
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* Read a whole regular file into memory, up to cap bytes. */
int
td_read_regular(const char *path, size_t cap, struct td_buf *out, struct td_error *e)
{
	int fd;

	out->data = NULL;
	out->len = 0;
	if ((fd = td_open_regular(path, e)) < 0)
		return fd;
	return read_fd(fd, path, cap, out, e);
}

/* Read a file the tools name themselves: regular only inside a captured tree. */
static int
read_in_root(const char *sysroot, const char *path, size_t cap, struct td_buf *out,
    struct td_error *e)
{
	if (td_root_is_live(sysroot))
		return td_read_file(path, cap, out, e);
	return td_read_regular(path, cap, out, e);
}

/* Read a whole file under the root prefix. */
int
td_read_root(const char *sysroot, const char *abs, size_t cap, struct td_buf *out,
    struct td_error *e)
{
	char path[4096];

	if (td_path(sysroot, abs, path, sizeof(path)) < 0)
		return td_error_set(e, ENAMETOOLONG, abs, 0, "path too long");
	return read_in_root(sysroot, path, cap, out, e);
}

/* Read a whole file under the root prefix and say which path that was. */
int
td_read_root_at(const char *sysroot, const char *abs, size_t cap, struct td_buf *out,
    char *path, size_t pathlen, struct td_error *e)
{
	if (td_path(sysroot, abs, path, pathlen) < 0) {
		out->data = NULL;
		out->len = 0;
		return td_error_set(e, ENAMETOOLONG, abs, 0, "path too long");
	}
	return read_in_root(sysroot, path, cap, out, e);
}

/* Read the first line of a small file under the root prefix. */
int
td_read_line_root(const char *sysroot, const char *abs, char *buf, size_t len,
    struct td_error *e)
{
	struct td_buf b;
	size_t n;
	int r;

	r = td_read_root(sysroot, abs, 1 << 20, &b, e);
	if (r < 0)
		return r;
	n = strcspn(b.data, "\n");
	while (n > 0 && (b.data[n - 1] == ' ' || b.data[n - 1] == '\t' ||
	    b.data[n - 1] == '\r'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, b.data, n);
	buf[n] = '\0';
	td_buf_free(&b);
	return 0;
}

/* fopen() a file under the root prefix. */
FILE *
td_fopen_root(const char *sysroot, const char *abs, const char *mode, struct td_error *e)
{
	char path[4096];
	FILE *f;

	if (td_path(sysroot, abs, path, sizeof(path)) < 0) {
		td_error_set(e, ENAMETOOLONG, abs, 0, "path too long");
		return NULL;
	}
	f = fopen(path, mode);
	if (f == NULL)
		td_error_set(e, errno, path, 0, "%s", strerror(errno));
	return f;
}
