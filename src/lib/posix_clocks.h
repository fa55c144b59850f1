/* clock_getres() of every POSIX clock, as programs on this machine see it. */
#ifndef TD_POSIX_CLOCKS_H
#define TD_POSIX_CLOCKS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct td_clock_res {
	const char	*name;		/* "CLOCK_MONOTONIC" */
	clockid_t	 id;
	bool		 ok;		/* false: the kernel does not have this clock */
	int64_t		 res_ns;
};

#define TD_NCLOCKS	11

/* Fill res[TD_NCLOCKS] for the running kernel. */
void td_clocks_getres(struct td_clock_res res[TD_NCLOCKS]);

#endif
