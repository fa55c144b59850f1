/* clock_getres() of every POSIX clock. */
#include <time.h>

#include "posix_clocks.h"

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
