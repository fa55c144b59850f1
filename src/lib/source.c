/*
 * File access under a root prefix, so captured trees read like the live system.
 * Under a sysroot every path is resolved inside the tree: openat2(2) with
 * RESOLVE_BENEATH where the kernel has it, a walk of our own that checks each
 * component otherwise.  A symbolic link that leaves the tree (an absolute one,
 * or ".." above the root) or that loops is refused, never followed.  A tree
 * holds regular files: a FIFO, device, socket or directory there is refused
 * when opened (without waiting on it), not read; the one exception is
 * td_fopen_root(), which takes any kind of file.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "internal.h"
#include "source.h"
#include "test_hooks.h"

/* Links one path may pass through, as in the kernel; directories deep at most. */
#define LINKS_MAX	40
#define DEPTH_MAX	128

static bool walk_only;			/* tests: never use openat2 */
static bool have_refusal;		/* a link under a sysroot was refused */
static struct td_error refusal;		/* the first one */

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

/* Check that a sysroot names a directory. */
int
td_sysroot_check(const char *sysroot, struct td_error *e)
{
	struct stat st;

	if (td_root_is_live(sysroot))
		return 0;
	if (stat(sysroot, &st) < 0)
		return td_error_set(e, errno, sysroot, 0, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return td_error_set(e, ENOTDIR, sysroot, 0, "not a directory");
	return 0;
}

/* Whether a link under a sysroot was refused since the start, and which. */
bool
td_sysroot_refused(struct td_error *e)
{
	if (have_refusal && e != NULL)
		*e = refusal;
	return have_refusal;
}

/* Tests: resolve with the walk alone (on) or openat2 where it works (off). */
void
td_source_walk_only(bool on)
{
	walk_only = on;
}

/* Append "/name" (n bytes) to the path from the root in done. */
static void
done_push(char *done, size_t len, const char *name, size_t n)
{
	size_t l = strlen(done);

	if (l + 1 + n < len) {
		done[l] = '/';
		memcpy(done + l + 1, name, n);
		done[l + 1 + n] = '\0';
	}
}

/*
 * Resolve rel under the directory root one component at a time, as
 * RESOLVE_BENEATH does, and open it with flags.  Each component is opened with
 * O_NOFOLLOW; a symbolic link is read and its target resolved here, relative
 * to the directory holding it.  An absolute target or a ".." above the root
 * is -EXDEV, more than LINKS_MAX links -ELOOP; link (from the root) then names
 * the link at fault.  Returns the descriptor or -errno.
 */
static int
walk_beneath(int root, const char *rel, int flags, char *link, size_t linklen)
{
	char pending[8192], rest[8192], tmp[8192], target[4096], done[4096] = "";
	size_t donelen[DEPTH_MAX];
	int fds[DEPTH_MAX], depth = 0, nlinks = 0, r;
	const char *p;

	link[0] = '\0';
	if (strlen(rel) >= sizeof(pending))
		return -ENAMETOOLONG;
	strlcpy(pending, rel, sizeof(pending));
	fds[0] = root;
	donelen[0] = 0;
	p = pending;
	for (;;) {
		const char *name, *next;
		struct stat st;
		size_t n;
		bool last;
		int fd;

		while (*p == '/')
			p++;
		name = p;
		n = strcspn(name, "/");
		next = name + n;
		while (*next == '/')
			next++;
		last = *next == '\0';
		if (n == 0 || (n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' &&
		    name[1] == '.')) {
			if (n == 2) {		/* ".." */
				if (depth == 0) {
					if (link[0] == '\0')
						strlcpy(link, done[0] ? done : "/", linklen);
					r = -EXDEV;
					goto out;
				}
				close(fds[depth--]);
				done[donelen[depth + 1]] = '\0';
			}
			if (last) {
				r = openat(fds[depth], ".", flags | O_CLOEXEC);
				r = r < 0 ? -errno : r;
				goto out;
			}
			p = next;
			continue;
		}
		if (n >= sizeof(target)) {
			r = -ENAMETOOLONG;
			goto out;
		}
		memcpy(target, name, n);
		target[n] = '\0';
		if ((fd = openat(fds[depth], target, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		    fstat(fd, &st) < 0) {
			r = -errno;
			if (fd >= 0)
				close(fd);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t tl = readlinkat(fd, "", tmp, sizeof(tmp) - 1);

			close(fd);
			strlcpy(link, done, linklen);
			done_push(link, linklen, target, n);
			if (tl < 0) {
				r = -errno;
				goto out;
			}
			tmp[tl] = '\0';
			if (++nlinks > LINKS_MAX) {
				r = -ELOOP;
				goto out;
			}
			if (tmp[0] == '/') {
				r = -EXDEV;
				goto out;
			}
			/* The target, then what was left after the link. */
			strlcpy(rest, next, sizeof(rest));
			if ((size_t)snprintf(pending, sizeof(pending), "%s/%s", tmp, rest) >=
			    sizeof(pending)) {
				r = -ENAMETOOLONG;
				goto out;
			}
			p = pending;
			continue;
		}
		if (last) {
			close(fd);
			r = openat(fds[depth], target, flags | O_NOFOLLOW | O_CLOEXEC);
			if (r < 0) {
				r = -errno;
				if (r == -ELOOP) {	/* a link put there since */
					strlcpy(link, done, linklen);
					done_push(link, linklen, target, n);
				}
			}
			goto out;
		}
		if (!S_ISDIR(st.st_mode) || depth + 1 >= DEPTH_MAX) {
			close(fd);
			r = S_ISDIR(st.st_mode) ? -ENAMETOOLONG : -ENOTDIR;
			goto out;
		}
		fds[++depth] = fd;
		donelen[depth] = strlen(done);
		done_push(done, sizeof(done), target, n);
		p = next;
	}
out:
	while (depth > 0)
		close(fds[depth--]);
	return r;
}

/* Open rel beneath root: openat2 where the kernel has it, else the walk. */
static int
open_beneath(int root, const char *rel, int flags, char *link, size_t linklen)
{
#ifdef SYS_openat2
	static bool no_openat2;
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	for (int tries = 0; !walk_only && !no_openat2 && tries < 4; tries++) {
		long fd = syscall(SYS_openat2, root, rel, &how, sizeof(how));

		if (fd >= 0)
			return (int)fd;
		if (errno == EAGAIN)		/* a rename raced a "..": again */
			continue;
		if (errno == ENOSYS)
			no_openat2 = true;
		else if (errno == EXDEV || errno == ELOOP)
			break;			/* the walk says which link */
		else if (errno != EINVAL && errno != EPERM)
			return -errno;
		break;
	}
#endif
	return walk_beneath(root, rel, flags, link, linklen);
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

/*
 * Keep fd (opened with O_NONBLOCK) when it is a regular file, and make its
 * reads blocking again; otherwise close it: -EINVAL, "not a regular file (a FIFO)".
 */
static int
regular_only(int fd, const char *path, struct td_error *e)
{
	struct stat st;
	int err;

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

/*
 * Open abs under the root prefix with flags; path gets the joined path.  Under
 * a sysroot the path never leaves the tree, and when regular is set the file
 * is opened without waiting (a FIFO with no writer) and must be a regular one.
 */
static int
open_root(const char *sysroot, const char *abs, int flags, bool regular, char *path,
    size_t pathlen, struct td_error *e)
{
	char link[4096], where[4096];
	const char *rel, *why;
	int root, fd;

	if (td_path(sysroot, abs, path, pathlen) < 0)
		return td_error_set(e, ENAMETOOLONG, abs, 0, "path too long");
	if (td_root_is_live(sysroot)) {
		if ((fd = open(path, flags | O_CLOEXEC)) < 0)
			return td_error_set(e, errno, path, 0, "%s", strerror(errno));
		return fd;
	}
	if ((root = open(sysroot, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return td_error_set(e, errno, path, 0, "%s", strerror(errno));
	for (rel = abs; *rel == '/'; rel++)
		;
	if (regular)
		flags |= O_NONBLOCK | O_NOCTTY;
	fd = open_beneath(root, *rel ? rel : ".", flags, link, sizeof(link));
	close(root);
	if (fd >= 0)
		return regular ? regular_only(fd, path, e) : fd;
	if (fd != -EXDEV && fd != -ELOOP)
		return td_error_set(e, -fd, path, 0, "%s", strerror(-fd));
	if (link[0] == '\0' || td_path(sysroot, link, where, sizeof(where)) < 0)
		strlcpy(where, path, sizeof(where));
	why = fd == -EXDEV ? "symbolic link leaves the tree; refused" :
	    "symbolic links loop or nest too deep; refused";
	td_error_set(e, -fd, where, 0, "%s", why);
	if (!have_refusal) {
		have_refusal = true;
		td_error_set(&refusal, -fd, where, 0, "%s", why);
	}
	return fd;
}

/*
 * Open abs under the root prefix with flags (O_RDONLY, O_DIRECTORY); path gets
 * the joined path.  Under a sysroot the path never leaves the tree, and a file
 * (not O_DIRECTORY) must be a regular one, opened without waiting.
 */
int
td_open_root(const char *sysroot, const char *abs, int flags, char *path, size_t pathlen,
    struct td_error *e)
{
	return open_root(sysroot, abs, flags, (flags & O_DIRECTORY) == 0, path, pathlen, e);
}

/* A file past the cap: its size when known (size >= 0), else that it goes on past it. */
static int
too_big(struct td_error *e, const char *path, long long size, size_t cap)
{
	if (size >= 0)
		return td_error_set(e, EFBIG, path, 0, "file of %lld bytes, larger than %zu",
		    size, cap);
	return td_error_set(e, EFBIG, path, 0, "file larger than %zu bytes", cap);
}

/* The capped stream's read: EFBIG once a byte past the cap is there. */
static ssize_t
stream_read(void *cookie, char *buf, size_t len)
{
	struct td_stream *c = cookie;
	ssize_t r;

	if (c->left == 0) {
		/* one byte more says whether the file goes on past the cap */
		char x;

		while ((r = read(c->fd, &x, 1)) < 0 && errno == EINTR)
			;
		if (r > 0) {
			c->over = true;
			errno = EFBIG;
			return -1;
		}
		return r;
	}
	if (len > c->left)
		len = c->left;
	while ((r = read(c->fd, buf, len)) < 0 && errno == EINTR)
		;
	if (r > 0)
		c->left -= (size_t)r;
	return r;
}

/* Open fd as a stream of at most cap bytes (td_stream in source.h). */
int
td_stream_open(struct td_stream *s, int fd, const char *path, size_t cap, struct td_error *e)
{
	cookie_io_functions_t io = { .read = stream_read };
	struct stat st;
	int r;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->left = cap;
	s->sized = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
	if (s->sized && (uint64_t)st.st_size > cap) {
		close(fd);
		return too_big(e, path, (long long)st.st_size, cap);
	}
	s->f = s->sized ? fdopen(fd, "r") : fopencookie(s, "r", io);
	if (s->f == NULL) {
		r = errno;
		close(fd);
		return td_error_set(e, r, path, 0, "%s", strerror(r));
	}
	return 0;
}

/* Close the stream and its fd; -EFBIG with e filled when the file went past the cap. */
int
td_stream_close(struct td_stream *s, const char *path, size_t cap, struct td_error *e)
{
	fclose(s->f);
	if (!s->sized)
		close(s->fd);	/* the cookie stream does not own it */
	s->f = NULL;
	return s->over ? too_big(e, path, -1, cap) : 0;
}

/* Read the whole of fd, up to cap bytes; a regular file's size is checked first. */
static int
read_fd(int fd, const char *path, size_t cap, struct td_buf *out, struct td_error *e)
{
	size_t size = 0, alloc = 65536;
	struct stat st;
	char *data;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap)
		return too_big(e, path, (long long)st.st_size, cap);
	if ((data = malloc(alloc + 1)) == NULL)
		return td_error_set(e, ENOMEM, path, 0, "out of memory");
	for (;;) {
		ssize_t r;

		if (size == alloc) {
			char *n;

			if (alloc >= cap) {
				free(data);
				return too_big(e, path, -1, cap);
			}
			alloc = alloc * 2 > cap ? cap : alloc * 2;
			if ((n = realloc(data, alloc + 1)) == NULL) {
				free(data);
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
			return td_error_set(e, err, path, 0, "%s", strerror(err));
		}
		if (r == 0)
			break;
		size += (size_t)r;
	}
	data[size] = '\0';
	out->data = data;
	out->len = size;
	return 0;
}

/* Read a whole file into memory, up to cap bytes. */
int
td_read_file(const char *path, size_t cap, struct td_buf *out, struct td_error *e)
{
	int fd, r;

	out->data = NULL;
	out->len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return td_error_set(e, errno, path, 0, "%s", strerror(errno));
	r = read_fd(fd, path, cap, out, e);
	close(fd);
	return r;
}

/* Read a whole file under the root prefix. */
int
td_read_root(const char *sysroot, const char *abs, size_t cap, struct td_buf *out,
    struct td_error *e)
{
	char path[4096];

	return td_read_root_at(sysroot, abs, cap, out, path, sizeof(path), e);
}

/* Read a whole file under the root prefix and say which path that was. */
int
td_read_root_at(const char *sysroot, const char *abs, size_t cap, struct td_buf *out,
    char *path, size_t pathlen, struct td_error *e)
{
	int fd, r;

	out->data = NULL;
	out->len = 0;
	if ((fd = td_open_root(sysroot, abs, O_RDONLY, path, pathlen, e)) < 0)
		return fd;
	r = read_fd(fd, path, cap, out, e);
	close(fd);
	return r;
}

/* Read a whole file under the root prefix and parse it. */
int
td_load_text(const char *sysroot, const char *abs, size_t cap, td_text_parse_fn *parse,
    void *out, struct td_error *e)
{
	struct td_buf b;
	char path[4096];
	int r;

	if ((r = td_read_root_at(sysroot, abs, cap, &b, path, sizeof(path), e)) < 0)
		return r;
	r = parse(b.data, b.len, path, out, e);
	td_buf_free(&b);
	return r;
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

/* Whether a file under the root prefix can be opened for reading. */
int
td_root_readable(const char *sysroot, const char *abs, struct td_error *e)
{
	char path[4096];
	int fd;

	/* Any kind of file, opened without waiting: the read checks it is a regular one. */
	if ((fd = open_root(sysroot, abs, O_RDONLY | O_NONBLOCK | O_NOCTTY, false, path,
	    sizeof(path), e)) < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * fopen() a file under the root prefix, for reading: any kind of file (cpuinfo
 * is read a piece at a time, and a FIFO stands in for a slow one in the tests).
 */
FILE *
td_fopen_root(const char *sysroot, const char *abs, struct td_error *e)
{
	char path[4096];
	FILE *f;
	int fd;

	if ((fd = open_root(sysroot, abs, O_RDONLY, false, path, sizeof(path), e)) < 0)
		return NULL;
	if ((f = fdopen(fd, "r")) == NULL) {
		td_error_set(e, errno, path, 0, "%s", strerror(errno));
		close(fd);
	}
	return f;
}

/* opendir() a directory under the root prefix; path gets the joined path. */
DIR *
td_opendir_root(const char *sysroot, const char *abs, char *path, size_t pathlen,
    struct td_error *e)
{
	DIR *dp;
	int fd;

	if ((fd = td_open_root(sysroot, abs, O_RDONLY | O_DIRECTORY, path, pathlen, e)) < 0)
		return NULL;
	if ((dp = fdopendir(fd)) == NULL) {
		td_error_set(e, errno, path, 0, "%s", strerror(errno));
		close(fd);
	}
	return dp;
}
