/*
 * The TSC flags of the first "flags" line of /proc/cpuinfo (absent on
 * non-x86): whether the TSC is there, constant, nonstop, reliable and of known
 * frequency, and whether the TSC-deadline timer and rdtscp are.
 */
#ifndef TD_TSC_H
#define TD_TSC_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* TSC flags of the first "flags" line of /proc/cpuinfo. */
struct td_tsc_flags {
	bool		 known;		/* a "flags" line was found (x86); else all absent */
	bool		 tsc;
	bool		 constant_tsc;
	bool		 nonstop_tsc;
	bool		 tsc_reliable;
	bool		 tsc_known_freq;
	bool		 tsc_deadline_timer;
	bool		 rdtscp;
};

/* Parse a /proc/cpuinfo text.  Always 0 (a missing flags line leaves known false). */
int td_tsc_flags_parse(const char *buf, size_t len, struct td_tsc_flags *out);
/* Read /proc/cpuinfo under sysroot and parse it.  0 or -errno (e names the file). */
int td_tsc_flags_read(const char *sysroot, struct td_tsc_flags *out, struct td_error *e);

#endif
