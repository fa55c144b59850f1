/*
 * The running kernel as it booted: its release, machine and host name, its
 * command line, and its CPU sets (possible, online, nohz_full, isolated).
 */
#ifndef TD_KERNEL_H
#define TD_KERNEL_H

#include <stdbool.h>

#include "cpumask.h"
#include "error.h"

struct td_sysinfo {
	bool		 live;			/* read from the running system */
	bool		 has_release;
	char		 release[128];		/* "6.1.0-56-amd64" */
	char		 machine[64];		/* uname -m when live, else "" */
	char		 hostname[128];		/* live only, else "" */
	bool		 has_cmdline;
	char		 cmdline[1024];
	bool		 has_possible, has_online, has_nohz_full, has_isolated;
	struct td_cpuset possible, online, nohz_full, isolated;
};

/*
 * Read /proc/version (or uname when live), /proc/cmdline and
 * /sys/devices/system/cpu/{possible,online,nohz_full,isolated}.  Missing files leave
 * the has_* flags false; only -ENOMEM is an error.
 */
int td_sysinfo_read(const char *sysroot, struct td_sysinfo *out, struct td_error *e);
/* The release from a /proc/version line ("Linux version 6.1.0-56-amd64 (...)"). */
bool td_release_from_version(const char *version, char *out, size_t len);

#endif
