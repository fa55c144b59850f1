/* clock_getres() of every POSIX clock. */
#include <strings.h>
#include <string.h>
#include <time.h>

#include "clocks.h"

static const struct {
	const char	*name;
	clockid_t	 id;
} clocks[TD_NCLOCKS] = {
	{ "CLOCK_REALTIME", CLOCK_REALTIME },
	{ "CLOCK_MONOTONIC", CLOCK_MONOTONIC },
	{ "CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW },
	{ "CLOCK_REALTIME_COARSE", CLOCK_REALTIME_COARSE },
	{ "CLOCK_MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE },
	{ "CLOCK_BOOTTIME", CLOCK_BOOTTIME },
	{ "CLOCK_TAI", CLOCK_TAI },
	{ "CLOCK_REALTIME_ALARM", CLOCK_REALTIME_ALARM },
	{ "CLOCK_BOOTTIME_ALARM", CLOCK_BOOTTIME_ALARM },
	{ "CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID },
	{ "CLOCK_THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID },
};

/* Ask the kernel for the resolution of each clock. */
void
td_clocks_getres(struct td_clock_res res[TD_NCLOCKS])
{
	for (int i = 0; i < TD_NCLOCKS; i++) {
		struct timespec ts;

		res[i].name = clocks[i].name;
		res[i].id = clocks[i].id;
		res[i].ok = clock_getres(clocks[i].id, &ts) == 0;
		res[i].res_ns = res[i].ok ? (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec : 0;
	}
}

/* Look a clock up by name, with or without the CLOCK_ prefix, any case. */
clockid_t
td_clock_by_name(const char *name)
{
	if (strncasecmp(name, "CLOCK_", 6) == 0)
		name += 6;
	for (int i = 0; i < TD_NCLOCKS; i++)
		if (strcasecmp(clocks[i].name + 6, name) == 0)
			return clocks[i].id;
	return (clockid_t)-1;
}
