/* The kernel's build configuration: CONFIG_HZ, NO_HZ, HIGH_RES_TIMERS, TIMER_STATS. */
#ifndef TD_KCONFIG_H
#define TD_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Tri-state values: -1 unknown (no config found), 0 not set, 1 set. */
struct td_kconfig {
	bool	found;
	char	path[512];		/* the file read (under the sysroot) */
	int	hz;			/* CONFIG_HZ, -1 unknown */
	int	no_hz;			/* CONFIG_NO_HZ_COMMON or CONFIG_NO_HZ, -1 unknown */
	int	no_hz_full;
	int	high_res_timers;
	unsigned arch_syms;		/* CONFIG_X86_64=y ...: see td_arch_from_config() */
};

/* Parse config text ("CONFIG_HZ=250", "# CONFIG_NO_HZ_FULL is not set"). */
void td_kconfig_parse(const char *buf, size_t len, struct td_kconfig *out);
/*
 * Find and read the config: /proc/config.gz, /boot/config-RELEASE,
 * /usr/lib/modules/RELEASE/config, /lib/modules/RELEASE/config (release may be NULL).
 * Returns 0 with out->found false when there is none; -errno on a corrupt file,
 * out then knowing nothing.  A damaged config.gz is passed over for a plain
 * config when there is one: 0, with e (if not NULL) still describing the damage.
 */
int td_kconfig_read(const char *sysroot, const char *release, struct td_kconfig *out,
    struct td_error *e);

#endif
