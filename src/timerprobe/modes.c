/* timerprobe: the wait loops, one per way a program can wait for time to pass. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

volatile sig_atomic_t probe_stop_flag;
/* Set once, by the first worker whose wake-up breaks the --break limit. */
static int break_claimed;

const struct mode_info probe_modes[MODE_COUNT] = {
	[MODE_TIMERFD] = { "timerfd", "timerfd read()", true, true, false, false, 1 },
	[MODE_CLOCK_NANOSLEEP] = { "clock_nanosleep", "clock_nanosleep()", true, true, false,
	    true, 1 },
	[MODE_NANOSLEEP] = { "nanosleep", "nanosleep()", false, false, false, true, 1 },
	[MODE_POLL] = { "poll", "poll() timeout", false, false, true, true, 1000000 },
	[MODE_PPOLL] = { "ppoll", "ppoll() timeout", false, false, true, true, 1 },
	[MODE_EPOLL] = { "epoll", "epoll_wait() timeout", false, false, true, true, 1000000 },
	[MODE_SELECT] = { "select", "select() timeout", false, false, true, true, 1000 },
};

/* Absolute waits: the loop's own time is measured on the 2nd sample and every 64th after. */
#define OVERHEAD_EVERY	64

/* One run's waiting state. */
struct wctx {
	const struct probe_opts	*o;
	int			 fd;		/* the timerfd or the epoll instance */
	int64_t			 t0;		/* when the timer was armed */
	int64_t			 next;		/* absolute sleeps: the last target */
	uint64_t		 total;		/* timerfd: expirations so far */
};

/* Read the probed clock in nanoseconds. */
static inline int64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Nanoseconds to a timespec. */
static struct timespec
ns_ts(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	return ts;
}

/* Create and arm the periodic timerfd. */
static int
timerfd_setup(struct wctx *w, struct td_error *e)
{
	const struct probe_opts *o = w->o;
	struct itimerspec its;

	w->fd = timerfd_create(o->clock, TFD_CLOEXEC);
	if (w->fd < 0)
		return td_error_set(e, errno, "", 0, "timerfd_create(%s): %s",
		    probe_clock_macro(o->clock), strerror(errno));
	w->t0 = clock_ns(o->clock);
	its.it_interval = ns_ts(o->interval_ns);
	its.it_value = ns_ts(o->absolute ? w->t0 + o->interval_ns : o->interval_ns);
	if (timerfd_settime(w->fd, o->absolute ? TFD_TIMER_ABSTIME : 0, &its, NULL) < 0)
		return td_error_set(e, errno, "", 0, "timerfd_settime: %s", strerror(errno));
	return 0;
}

/* Wait for the next wake-up of o->mode; the time it was meant for in *intended. */
static int
wait_once(struct wctx *w, int64_t t_pre, int64_t *intended, uint64_t *exps)
{
	const struct probe_opts *o = w->o;
	int64_t iv = o->interval_ns;
	struct timespec ts;
	struct timeval tv;
	struct epoll_event ev;
	uint64_t n;
	int r;

	*exps = 1;
	switch (o->mode) {
	case MODE_TIMERFD:
		if (read(w->fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
			return errno ? -errno : -EIO;
		w->total += n;
		*exps = n;
		*intended = w->t0 + (int64_t)w->total * iv;
		return 0;
	case MODE_CLOCK_NANOSLEEP:
		if (!o->absolute) {
			ts = ns_ts(iv);
			*intended = t_pre + iv;
			r = clock_nanosleep(o->clock, 0, &ts, NULL);
			return -r;
		}
		w->next += iv;
		if (t_pre > w->next + iv) {
			/* Whole periods went by unseen: count them and aim at the current one. */
			uint64_t missed = (uint64_t)((t_pre - w->next) / iv);

			w->next += (int64_t)missed * iv;
			*exps += missed;
		}
		ts = ns_ts(w->next);
		*intended = w->next;
		r = clock_nanosleep(o->clock, TIMER_ABSTIME, &ts, NULL);
		if (r == EINTR)
			w->next -= iv;	/* sleep for the same target again */
		return -r;
	case MODE_NANOSLEEP:
		ts = ns_ts(iv);
		*intended = t_pre + iv;
		return nanosleep(&ts, NULL) < 0 ? -errno : 0;
	case MODE_POLL:
		*intended = t_pre + iv;
		return poll(NULL, 0, (int)(iv / 1000000)) < 0 ? -errno : 0;
	case MODE_PPOLL:
		ts = ns_ts(iv);
		*intended = t_pre + iv;
		return ppoll(NULL, 0, &ts, NULL) < 0 ? -errno : 0;
	case MODE_EPOLL:
		*intended = t_pre + iv;
		return epoll_wait(w->fd, &ev, 1, (int)(iv / 1000000)) < 0 ? -errno : 0;
	case MODE_SELECT:
		tv.tv_sec = (time_t)(iv / 1000000000);
		tv.tv_usec = (suseconds_t)(iv % 1000000000 / 1000);
		*intended = t_pre + iv;
		return select(0, NULL, NULL, NULL, &tv) < 0 ? -errno : 0;
	case MODE_COUNT:
		break;
	}
	return -EINVAL;
}

/* How many samples to reserve before the loop starts. */
static size_t
probe_reserve(const struct probe_opts *o)
{
	int64_t want;

	if (o->count > 0)
		return (size_t)o->count;
	want = o->duration_ns / o->interval_ns + 16;
	return want > 1000000 ? 1000000 : (size_t)want;
}

/*
 * Whether a wake-up lat ns late (seen at t_after on the probed clock) breaks
 * the run: the first worker to see one claims the break and records when, on
 * CLOCK_MONOTONIC (the trace clock), it was meant to come and came; every
 * worker then stops.
 */
bool
probe_break_check(const struct probe_opts *o, struct probe_result *r, int64_t lat,
    int64_t t_after)
{
	int64_t mono;
	int unclaimed = 0;

	if (o->break_ns <= 0 || lat <= o->break_ns)
		return false;
	mono = o->clock == CLOCK_MONOTONIC ? t_after : clock_ns(CLOCK_MONOTONIC);
	if (__atomic_compare_exchange_n(&break_claimed, &unclaimed, 1, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		r->broke = true;
		r->break_latency_ns = lat;
		r->break_actual_mono = mono;
		r->break_intended_mono = mono - lat;
		r->cpu = sched_getcpu();
	}
	probe_stop_flag = 1;
	return true;
}

/* Show the live display this sample. */
static void
live_add(struct probe_live *live, int64_t lat)
{
	pthread_mutex_lock(&live->mu);
	if (live->hist.n == 0 || lat < live->min)
		live->min = lat;
	if (live->hist.n == 0 || lat > live->max)
		live->max = lat;
	live->cur = lat;
	td_latency_live_add(&live->hist, lat);
	pthread_mutex_unlock(&live->mu);
}

/* Run the wait loop until the count, the duration, the sample limit or a signal. */
int
probe_run(const struct probe_opts *o, struct probe_result *r, struct probe_live *live,
    struct td_error *e)
{
	struct wctx w = { .o = o, .fd = -1 };
	int64_t t_start, t_pre, t_after = 0, intended = 0;
	uint64_t exps;
	bool timed;
	int rc;

	memset(r, 0, sizeof(*r));
	r->cpu = sched_getcpu();
	r->tid = gettid();
	r->has_overruns = o->mode == MODE_TIMERFD || o->absolute;
	rc = td_latency_init(&r->lat, probe_reserve(o), PROBE_SAMPLE_LIMIT);
	if (rc < 0)
		return td_error_set(e, -rc, "", 0, "cannot reserve memory for the samples");
	if (o->mode == MODE_EPOLL) {
		w.fd = epoll_create1(EPOLL_CLOEXEC);
		if (w.fd < 0)
			return td_error_set(e, errno, "", 0, "epoll_create1: %s",
			    strerror(errno));
	}
	t_start = clock_ns(o->clock);
	w.next = t_start;
	if (o->mode == MODE_TIMERFD && (rc = timerfd_setup(&w, e)) < 0)
		goto out;
	if (o->mode == MODE_TIMERFD)
		t_start = w.t0;
	timed = o->mode == MODE_TIMERFD || o->absolute;
	t_pre = t_start;
	r->stop = STOP_COUNT;
	for (;;) {
		if (probe_stop_flag) {
			r->stop = break_claimed ? STOP_BREAK : STOP_SIGNAL;
			break;
		}
		/*
		 * A relative wait starts from a clock read; an absolute one
		 * needs none, so one read per sample does (cyclictest's), and
		 * the loop's own time is measured every OVERHEAD_EVERY samples.
		 */
		if (!timed || r->lat.n % OVERHEAD_EVERY == 1) {
			t_pre = clock_ns(o->clock);
			if (t_after != 0) {
				r->overhead_sum_ns += t_pre - t_after;
				r->overhead_n++;
			}
		} else if (t_after != 0) {
			t_pre = t_after;
		}
		rc = wait_once(&w, t_pre, &intended, &exps);
		if (rc == -EINTR)
			continue;
		if (rc < 0) {
			td_error_set(e, -rc, "", 0, "%s: %s", probe_modes[o->mode].call,
			    strerror(-rc));
			goto out;
		}
		t_after = clock_ns(o->clock);
		if (exps > 1)
			r->overruns += exps - 1;
		if (td_latency_add(&r->lat, t_after - intended) < 0) {
			r->stop = STOP_LIMIT;
			break;
		}
		if (live != NULL)
			live_add(live, t_after - intended);
		/* A late wake-up is late for the first period it missed, not the last. */
		if (probe_break_check(o, r, t_after - intended +
		    (int64_t)(exps - 1) * o->interval_ns, t_after)) {
			r->stop = STOP_BREAK;
			break;
		}
		if (o->count > 0 && r->lat.n >= (size_t)o->count) {
			r->stop = STOP_COUNT;
			break;
		}
		if (o->duration_ns > 0 && t_after - t_start >= o->duration_ns) {
			r->stop = STOP_DURATION;
			break;
		}
	}
	rc = 0;
	r->elapsed_ns = (t_after ? t_after : clock_ns(o->clock)) - t_start;
out:
	if (w.fd >= 0)
		close(w.fd);
	return rc;
}
