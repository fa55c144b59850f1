/* The sampling tools' wait: signals, the interval and the sampler, polled together. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "cli.h"
#include "wait.h"

#define NS_PER_S	1000000000LL

/* The signals that end a run, through a signalfd. */
int
cli_signals_open(bool block, bool winch)
{
	struct td_error e;
	sigset_t sigs;
	int fd;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	if (winch)
		sigaddset(&sigs, SIGWINCH);
	if (block)
		sigprocmask(SIG_BLOCK, &sigs, NULL);
	/* A shell starts background jobs with SIGINT ignored: take it back. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if ((fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		td_error_set(&e, errno, NULL, 0, "signalfd: %s", strerror(errno));
		cli_fail_td(&e, CLI_EXIT_FAIL);
	}
	return fd;
}

/* A monotonic time in nanoseconds. */
static int64_t
ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * NS_PER_S + t->tv_nsec;
}

/* Arm the timerfd at the interval's end. */
static int
arm(struct cli_interval *iv, int64_t end_ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (end_ns < 1)
		end_ns = 1;
	iv->end.tv_sec = end_ns / NS_PER_S;
	iv->end.tv_nsec = end_ns % NS_PER_S;
	its.it_value = iv->end;
	return timerfd_settime(iv->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ? -errno : 0;
}

/* The current interval ends ns from now. */
int
cli_interval_set(struct cli_interval *iv, int64_t ns)
{
	struct timespec now;

	iv->ns = ns;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return arm(iv, ts_ns(&now) + ns);
}

/* A timerfd whose first interval ends ns from now. */
int
cli_interval_open(struct cli_interval *iv, int64_t ns)
{
	if ((iv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) < 0)
		return -errno;
	return cli_interval_set(iv, ns);
}

/* Close the timerfd; safe twice. */
void
cli_interval_close(struct cli_interval *iv)
{
	if (iv->tfd >= 0)
		close(iv->tfd);
	iv->tfd = -1;
}

/*
 * An interval ended: the next one ends an interval after it, so the intervals
 * last what was asked however long a collect and its output took; behind by
 * more than half an interval, the next one starts now.
 */
static int
next_interval(struct cli_interval *iv)
{
	struct timespec now;
	uint64_t n;
	int64_t next = ts_ns(&iv->end) + iv->ns;

	if (read(iv->tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (next < ts_ns(&now) + iv->ns / 2)
		next = ts_ns(&now) + iv->ns;
	return arm(iv, next);
}

/* Poll the interval, the signals, the input and the sampler once. */
int
cli_wait(struct cli_interval *iv, int sigfd, int input, struct td_sampler *s,
    int timeout_ms, int *sig, struct td_error *e)
{
	struct pollfd pfd[4];
	struct signalfd_siginfo si;
	int n = 0, in_i = -1, s_i = -1, woke = 0;

	pfd[n++] = (struct pollfd){ .fd = iv->tfd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	if (input >= 0) {
		in_i = n;
		pfd[n++] = (struct pollfd){ .fd = input, .events = POLLIN };
	}
	if (s != NULL && td_sampler_fd(s) >= 0) {
		s_i = n;
		pfd[n++] = (struct pollfd){ .fd = td_sampler_fd(s), .events = POLLIN };
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	if (s_i >= 0 && (pfd[s_i].revents & (POLLIN | POLLERR | POLLHUP)) &&
	    td_sampler_pump(s, e) < 0)
		woke |= CLI_WOKE_PUMP_FAILED;
	if ((pfd[1].revents & POLLIN) && read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		*sig = (int)si.ssi_signo;
		woke |= CLI_WOKE_SIGNAL;
	}
	if (in_i >= 0 && (pfd[in_i].revents & (POLLHUP | POLLERR | POLLNVAL)))
		woke |= CLI_WOKE_HANGUP;
	if (in_i >= 0 && (pfd[in_i].revents & POLLIN))
		woke |= CLI_WOKE_INPUT;
	if (pfd[0].revents & POLLIN) {
		int r = next_interval(iv);

		if (r < 0)
			return r;
		woke |= CLI_WOKE_INTERVAL;
	}
	return woke;
}
