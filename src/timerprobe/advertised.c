/*
 * timerprobe: what the kernel advertises about the probed clock: clock_getres()
 * of the running kernel, and the hrtimer .resolution of /proc/timer_list (read
 * under --sysroot, so a capture can be set beside the measurement).
 *
 * On the running kernel timer_list is opened but not read: its .resolution
 * is hrtimer_resolution (kernel/time/timer_list.c, print_base()), the number
 * clock_getres() returns for every hrtimer clock (posix-timers.c,
 * posix_get_hrtimer_res(); before Linux 4.2 both printed the clock base's
 * resolution, the same number), and reading it would have the kernel format
 * its header and first CPU block, every timer with a symbol lookup, for that
 * number: about a tenth of a short run's start-up.  Opening it still tells
 * whether it can be read (root, not masked).  Under --sysroot only its first
 * CPU block is read: it prints every clock base, and the rest (every CPU's
 * timers, then the tick devices) is of no use here.  When that part does not
 * answer (a file that cannot be opened, a masked one, a copy with no CPU
 * line), the library's machine model, the one timerinfo reports, says what it
 * does and why not.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "machine.h"
#include "probe.h"
#include "source.h"

#define TL_READ		4096		/* one read: the kernel fills about this much */
#define TL_PART_MAX	(16 * 1024 * 1024)	/* a first CPU block larger: the whole model */

/* Whether line (of len bytes, from a line start) ends the first CPU block. */
static bool
ends_first_cpu(const char *line, size_t len, bool *seen_cpu)
{
	if (len >= 5 && memcmp(line, "cpu: ", 5) == 0) {
		if (*seen_cpu)
			return true;
		*seen_cpu = true;
		return false;
	}
	return *seen_cpu && len >= 11 && memcmp(line, "Tick Device", 11) == 0;
}

/*
 * Read timer_list from fd up to the end of its first CPU block (complete lines
 * only) into a malloc'd *out of *len bytes; -errno, -ENOENT when the block does
 * not end within TL_PART_MAX.
 */
static int
read_first_cpu(int fd, char **out, size_t *len)
{
	char *buf = NULL, *nb;
	size_t n = 0, cap = 0, line = 0;
	bool seen_cpu = false;
	ssize_t got;

	for (;;) {
		if (cap - n < TL_READ) {
			size_t ncap = cap ? cap * 2 : 4 * TL_READ;

			if (ncap > TL_PART_MAX || (nb = realloc(buf, ncap)) == NULL)
				break;
			buf = nb;
			cap = ncap;
		}
		if ((got = read(fd, buf + n, TL_READ)) <= 0)
			break;
		n += (size_t)got;
		for (char *nl; (nl = memchr(buf + line, '\n', n - line)) != NULL;
		    line = (size_t)(nl - buf) + 1) {
			if (ends_first_cpu(buf + line, (size_t)(nl - buf) - line, &seen_cpu)) {
				*out = buf;
				*len = line;
				return 0;
			}
		}
	}
	free(buf);
	return -ENOENT;
}

/*
 * timer_list's resolution for o->clock: on the running kernel getres_ns (see
 * above) once the file opens, else from its first CPU block; 0 or -errno.
 */
static int
first_cpu_resolution(const struct probe_opts *o, int64_t getres_ns, int64_t *res_ns)
{
	struct td_timer_list *tl = NULL;
	struct td_error e;
	struct stat st;
	char path[4096], *buf;
	size_t len;
	int fd, r;

	td_error_clear(&e);
	fd = td_open_root(o->sysroot, "/proc/timer_list", O_RDONLY, path, sizeof(path), &e);
	if (fd < 0)
		return fd;
	/* A container's /dev/null over it: the machine model names that. */
	if (fstat(fd, &st) < 0 || S_ISCHR(st.st_mode)) {
		close(fd);
		return -ENODATA;
	}
	if (td_root_is_live(o->sysroot) && getres_ns > 0) {
		close(fd);
		*res_ns = getres_ns;
		return 0;
	}
	r = read_first_cpu(fd, &buf, &len);
	close(fd);
	if (r < 0)
		return r;
	r = td_timer_list_parse(buf, len, path, &tl, &e);
	free(buf);
	if (r == 0)
		r = td_tl_clock_resolution(tl, o->clock, res_ns);
	td_timer_list_free(tl);
	return r;
}

/* Fill a with clock_getres() and, when readable, timer_list's resolution. */
void
probe_advert_read(const struct probe_opts *o, struct probe_advert *a)
{
	struct td_machine *m = NULL;
	struct td_error e;
	struct timespec ts;
	const char *why = NULL;
	char buf[600];

	memset(a, 0, sizeof(*a));
	a->getres_ns = -1;
	a->tl_live = td_root_is_live(o->sysroot);
	if (clock_getres(o->clock, &ts) == 0)
		a->getres_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (first_cpu_resolution(o, a->getres_ns, &a->tl_res_ns) == 0) {
		a->has_tl_res = true;
		return;
	}
	td_error_clear(&e);
	if (td_machine_read(o->sysroot, NULL, 0, &m, &e) < 0)
		why = td_error_str(&e, buf, sizeof(buf));
	else
		a->has_tl_res = td_machine_clock_resolution(m, o->clock, &a->tl_res_ns, &why,
		    buf, sizeof(buf)) == 0;
	if (!a->has_tl_res)
		snprintf(a->tl_absent, sizeof(a->tl_absent), "%.120s", why);
	td_machine_free(m);
}
