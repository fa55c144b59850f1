/* The running kernel as it booted: release, command line, CPU sets. */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "source.h"
#include "kernel.h"

/* Extract the release word after "Linux version ". */
bool
td_release_from_version(const char *version, char *out, size_t len)
{
	const char *p = strstr(version, "version ");
	size_t n;

	if (p == NULL)
		return false;
	p += 8;
	n = strcspn(p, " \t\n");
	if (n == 0 || n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* Read one CPU list file into set; true when it was there and valid. */
static bool
read_mask(const char *sysroot, const char *file, struct td_cpuset *set)
{
	char buf[4096];

	if (td_read_line_root(sysroot, file, buf, sizeof(buf), NULL) < 0)
		return false;
	return td_cpuset_parse_list(set, buf) == 0;
}

/* Read the machine facts. */
int
td_sysinfo_read(const char *sysroot, struct td_sysinfo *si, struct td_error *e)
{
	char line[1024];
	struct utsname u;

	(void)e;
	memset(si, 0, sizeof(*si));
	si->live = td_root_is_live(sysroot);
	if (td_read_line_root(sysroot, "/proc/version", line, sizeof(line), NULL) == 0)
		si->has_release = td_release_from_version(line, si->release, sizeof(si->release));
	if (si->live && uname(&u) == 0) {
		if (!si->has_release) {
			strlcpy(si->release, u.release, sizeof(si->release));
			si->has_release = true;
		}
		strlcpy(si->machine, u.machine, sizeof(si->machine));
		strlcpy(si->hostname, u.nodename, sizeof(si->hostname));
	}
	if (td_read_line_root(sysroot, "/proc/cmdline", si->cmdline, sizeof(si->cmdline),
	    NULL) == 0)
		si->has_cmdline = true;
	si->has_possible = read_mask(sysroot, "/sys/devices/system/cpu/possible", &si->possible);
	si->has_online = read_mask(sysroot, "/sys/devices/system/cpu/online", &si->online);
	si->has_nohz_full = read_mask(sysroot, "/sys/devices/system/cpu/nohz_full",
	    &si->nohz_full);
	si->has_isolated = read_mask(sysroot, "/sys/devices/system/cpu/isolated", &si->isolated);
	return 0;
}
