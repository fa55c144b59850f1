/*
 * The wait of the sampling tools (timerstat, wakeuptop): the signals that end
 * a run read through a signalfd, the interval's end on a timerfd, input on a
 * further descriptor (wakeuptop's keys), and the sampler's descriptor pumped
 * while they wait.  Nothing runs in a signal handler.
 */
#ifndef TD_CLI_WAIT_H
#define TD_CLI_WAIT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "sampler.h"

/*
 * SIGINT, SIGTERM and SIGHUP (and SIGWINCH when winch) through a signalfd,
 * their default actions restored (a shell starts background jobs with SIGINT
 * ignored) and SIGPIPE ignored (a closed pipe is an EPIPE, not a death).
 * block: the signals go to the signalfd only; else they keep their default
 * action, so a read that never ends (a FIFO) cannot make the tool unkillable.
 * Returns the signalfd, non-blocking, or exits 1 with one line.
 */
int cli_signals_open(bool block, bool winch);

/* Intervals on the monotonic clock, each ns long from the end of the last. */
struct cli_interval {
	int		 tfd;	/* timerfd armed at end */
	int64_t		 ns;
	struct timespec	 end;
};

/* The first interval ends ns from now.  0 or -errno. */
int cli_interval_open(struct cli_interval *iv, int64_t ns);
/* A new length: the current interval ends ns from now.  0 or -errno. */
int cli_interval_set(struct cli_interval *iv, int64_t ns);
void cli_interval_close(struct cli_interval *iv);

/* What ended a wait (bits). */
#define CLI_WOKE_INTERVAL	0x1	/* an interval ended; the next one is armed */
#define CLI_WOKE_SIGNAL		0x2	/* a signal came (*sig) */
#define CLI_WOKE_INPUT		0x4	/* the input can be read */
#define CLI_WOKE_HANGUP		0x8	/* the input hung up or failed */
#define CLI_WOKE_PUMP_FAILED	0x10	/* the sampler's pump failed (e says why) */

/*
 * Wait up to timeout_ms (-1: without end, 0: look only) for the interval's
 * end, a signal on sigfd or input on input (-1: none); the sampler s (NULL:
 * none) is pumped when its descriptor is ready.  Returns the CLI_WOKE_* bits
 * of what happened (0 on a timeout), or -errno when poll failed.
 */
int cli_wait(struct cli_interval *iv, int sigfd, int input, struct td_sampler *s,
    int timeout_ms, int *sig, struct td_error *e);

#endif
