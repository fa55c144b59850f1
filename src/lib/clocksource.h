/* sysfs clock sources and clock event devices. */
#ifndef TD_CLOCKSOURCE_H
#define TD_CLOCKSOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define TD_CS_NAME_MAX	64
#define TD_CS_MAX_AVAIL	16

struct td_clockevent {
	int	 index;				/* N of clockeventN (the CPU number) */
	char	 device[TD_CS_NAME_MAX];	/* current_device */
};

struct td_clocksources {
	bool			 has_current;
	char			 current[TD_CS_NAME_MAX];
	bool			 has_available;
	int			 navailable;
	char			 available[TD_CS_MAX_AVAIL][TD_CS_NAME_MAX];
	bool			 has_broadcast;
	char			 broadcast[TD_CS_NAME_MAX];	/* "" when the kernel prints nothing */
	size_t			 nevents;
	struct td_clockevent	*events;			/* sorted by index */
	char			 why_missing[600];		/* reason when has_current is false */
};

/*
 * Read /sys/devices/system/clocksource/clocksource0/{current,available}_clocksource and
 * /sys/devices/system/clockevents/{clockevent*,broadcast}/current_device under sysroot.
 * Missing files are not errors (the fields stay absent); returns -ENOMEM only.
 */
int td_clocksources_read(const char *sysroot, struct td_clocksources *out, struct td_error *e);
void td_clocksources_free(struct td_clocksources *cs);
/* Quality rank of a clock source name: higher is better (tsc, arch_sys_counter, kvm-clock ...). */
int td_clocksource_rank(const char *name);

#endif
