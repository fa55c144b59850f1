/*
 * The sampling tools' wait (src/common/wait.c): an interval ends on time
 * however long the work after the last one took, a wait that falls behind by
 * more than half an interval starts the next one then, a new length starts
 * now, and a signal ends the wait early with its number.
 */
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "wait.h"

#define MS	1000000LL

/* The monotonic time in nanoseconds. */
static int64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The end of the interval in nanoseconds. */
static int64_t
end_ns(const struct cli_interval *iv)
{
	return (int64_t)iv->end.tv_sec * 1000000000LL + iv->end.tv_nsec;
}

/* Wait for the interval's end (no signal, no input, no sampler); the bits. */
static int
wait_end(struct cli_interval *iv, int sigfd)
{
	struct td_error e;
	int sig = 0;

	td_error_clear(&e);
	return cli_wait(iv, sigfd, -1, NULL, 5000, &sig, &e);
}

int
main(void)
{
	struct cli_interval iv;
	struct td_error e;
	int64_t start, end, t;
	int sigfd, sig = 0, woke;

	sigfd = cli_signals_open(true, false);
	start = now_ns();
	is_int(cli_interval_open(&iv, 200 * MS), 0, "an interval of 200 ms opens");
	ok(end_ns(&iv) >= start + 200 * MS && end_ns(&iv) < start + 300 * MS,
	    "the first interval ends 200 ms from now");
	end = end_ns(&iv);
	woke = wait_end(&iv, sigfd);
	t = now_ns();
	is_int(woke, CLI_WOKE_INTERVAL, "the wait ends with the interval");
	ok(t >= end, "not before its end");
	is_int(end_ns(&iv) - end, 200 * MS, "the next interval ends one interval after the last");

	/* Work that takes less than half an interval does not move the next end. */
	end = end_ns(&iv);
	usleep(60 * 1000);
	woke = wait_end(&iv, sigfd);
	is_int(woke, CLI_WOKE_INTERVAL, "after 60 ms of work the wait ends with the interval");
	is_int(end_ns(&iv) - end, 200 * MS, "and the intervals keep their pace");

	/* Behind by more than half an interval: the next one starts when it is seen. */
	usleep(550 * 1000);
	woke = wait_end(&iv, sigfd);
	t = now_ns();
	is_int(woke, CLI_WOKE_INTERVAL, "behind by 350 ms, the wait ends at once");
	ok(end_ns(&iv) >= t + 100 * MS && end_ns(&iv) <= t + 200 * MS,
	    "and the next interval is a whole one from then, not a catch-up");

	/* A new length: the interval ends that long from now. */
	start = now_ns();
	is_int(cli_interval_set(&iv, 1000 * MS), 0, "the length changes to 1 s");
	ok(end_ns(&iv) >= start + 1000 * MS && end_ns(&iv) < start + 1100 * MS,
	    "the interval ends 1 s from now");

	/* A signal ends the wait early and says which. */
	raise(SIGHUP);
	td_error_clear(&e);
	woke = cli_wait(&iv, sigfd, -1, NULL, 5000, &sig, &e);
	ok(woke & CLI_WOKE_SIGNAL, "a signal ends the wait");
	is_int(sig, SIGHUP, "and it is SIGHUP");
	ok(!(woke & CLI_WOKE_INTERVAL), "before the interval's end");

	/* Input on a descriptor wakes the wait; a closed writer hangs it up. */
	{
		int p[2];

		if (pipe(p) == 0) {
			ok(write(p[1], "k", 1) == 1, "a key is written");
			woke = cli_wait(&iv, sigfd, p[0], NULL, 5000, &sig, &e);
			ok(woke & CLI_WOKE_INPUT, "input wakes the wait");
			close(p[1]);
			woke = cli_wait(&iv, sigfd, p[0], NULL, 5000, &sig, &e);
			ok(woke & CLI_WOKE_HANGUP, "a hang-up of the input is said");
			close(p[0]);
		}
	}
	cli_interval_close(&iv);
	cli_interval_close(&iv);
	is_int(iv.tfd, -1, "closing twice is safe");
	close(sigfd);
	return done_testing();
}
