/*
 * timerprobe --interval-meter: a periodic timerfd with a tiny interval (1 ns)
 * does not storm the machine; read() returns how many intervals elapsed.  Each
 * count is set against the clock's own delta between two reads.  The reads
 * come at a modest cadence (--read-every, 10 ms by default) from an absolute
 * clock_nanosleep, or, when the interval is that long or longer, from blocking
 * reads of the meter itself: never a busy loop.  The timer interrupts of the
 * meter's CPU (the LOC row of /proc/interrupts) over the reads are reported:
 * each read() of a periodic timerfd re-arms it, so a 1 ns meter costs the
 * paced wake-up plus one expiry per read, not one per nanosecond.
 *
 * Two interrupts per read is the floor for a meter shorter than the cadence.
 * The kernel hands out a periodic timerfd's count only through read() and
 * timerfd_gettime(), and both forward and restart an expired timer
 * (fs/timerfd.c: hrtimer_forward_now(), hrtimer_restart()); a 1 ns timer
 * restarted is due at once, so the clock event device is programmed at its
 * minimum delta and one interrupt follows the read.  timerfd_settime() cannot
 * read and disarm: timerfd_setup() zeroes the count, and arming at an
 * absolute time in the past fires at once too.  The paced wake-up is due a
 * cadence later, so the two never share an interrupt.  A meter at least as
 * long as the cadence paces itself: one interrupt per read.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "interrupts.h"
#include "probe.h"

/* Read the clock in nanoseconds. */
static inline int64_t
meter_now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Read one expiration count, retrying after signals that do not stop us. */
static int
meter_read(int fd, uint64_t *n)
{
	for (;;) {
		if (read(fd, n, sizeof(*n)) == (ssize_t)sizeof(*n))
			return 0;
		if (errno != EINTR)
			return -errno;
		if (probe_stop_flag)
			return -EINTR;
	}
}

/* The local timer interrupts of cpu so far; false when /proc/interrupts does not say. */
static bool
meter_loc(int cpu, uint64_t *out)
{
	struct td_interrupts *s = NULL;
	bool ok = false;
	int k;

	if (cpu < 0 || td_interrupts_load(NULL, "/proc/interrupts", &s, NULL) < 0)
		return false;
	if ((k = td_interrupts_local_timer(s)) >= 0)
		ok = td_interrupts_count(s, &s->rows[k], cpu, out) == 0;
	td_interrupts_free(s);
	return ok;
}

/* Sleep until the next read is due (paced reads only); 0 or -EINTR when stopped. */
static int
meter_pace(const struct probe_opts *o, bool paced, int64_t *next)
{
	struct timespec ts;
	int r;

	if (!paced)
		return 0;
	*next += o->read_every_ns;
	ts.tv_sec = (time_t)(*next / 1000000000);
	ts.tv_nsec = (long)(*next % 1000000000);
	while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
		if (probe_stop_flag)
			return -EINTR;
	return -r;
}

/* Count expirations per read against the clock's delta between reads. */
int
probe_meter(const struct probe_opts *o, struct probe_result *r, struct td_error *e)
{
	struct itimerspec its;
	int64_t t_first, t_first_pre, t_prev, t, t_pre, t_after, next;
	uint64_t n, loc0 = 0, loc1 = 0;
	size_t reserve;
	bool paced = o->interval_ns < o->read_every_ns;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	/* A read returns every interval that went by: none is missed, so no overruns. */
	r->has_overruns = false;
	r->meter_paced = paced;
	r->meter_cpu = r->cpu = sched_getcpu();
	r->tid = gettid();
	reserve = o->count > 0 ? (size_t)o->count : 100000;
	rc = td_latency_init(&r->lat, reserve, PROBE_SAMPLE_LIMIT);
	if (rc < 0)
		return td_error_set(e, -rc, "", 0, "cannot reserve memory for the samples");
	fd = timerfd_create(o->clock, TFD_CLOEXEC);
	if (fd < 0)
		return td_error_set(e, errno, "", 0, "timerfd_create(%s): %s",
		    probe_clock_macro(o->clock), strerror(errno));
	its.it_interval.tv_sec = its.it_value.tv_sec = (time_t)(o->interval_ns / 1000000000);
	its.it_interval.tv_nsec = its.it_value.tv_nsec = (long)(o->interval_ns % 1000000000);
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		rc = td_error_set(e, errno, "", 0, "timerfd_settime: %s", strerror(errno));
		goto out;
	}
	/* The first read only starts the count: its share began before we looked. */
	next = meter_now(CLOCK_MONOTONIC);
	if ((rc = meter_pace(o, paced, &next)) < 0)
		goto stopped;
	r->has_loc = meter_loc(r->meter_cpu, &loc0);
	t_first_pre = meter_now(o->clock);
	if ((rc = meter_read(fd, &n)) < 0)
		goto stopped;
	t_first = t_prev = t_after = meter_now(o->clock);
	r->exp_min = UINT64_MAX;
	r->stop = STOP_COUNT;
	for (;;) {
		if (probe_stop_flag) {
			r->stop = STOP_SIGNAL;
			break;
		}
		if ((rc = meter_pace(o, paced, &next)) < 0)
			goto stopped;
		t_pre = meter_now(o->clock);
		if (!paced) {
			r->overhead_sum_ns += t_pre - t_after;
			r->overhead_n++;
		}
		if ((rc = meter_read(fd, &n)) < 0)
			goto stopped;
		t = t_after = meter_now(o->clock);
		if (paced) {
			/* The read itself: from before it to after it. */
			r->overhead_sum_ns += meter_now(o->clock) - t_pre;
			r->overhead_n++;
		}
		r->expirations += n;
		if (n < r->exp_min)
			r->exp_min = n;
		if (n > r->exp_max)
			r->exp_max = n;
		/* How far the clock and the timer disagree about this read's share. */
		if (td_latency_add(&r->lat, (t - t_prev) - (int64_t)n * o->interval_ns) < 0) {
			r->expirations -= n;
			r->stop = STOP_LIMIT;
			break;
		}
		t_prev = t;
		r->clock_delta_ns = t - t_first;
		/*
		 * The kernel moved the count on at some instant inside each read, so
		 * the timer's span lies between these two (a delay right after the
		 * first read, before the clock is read, widens the bracket only).
		 */
		r->clock_delta_min_ns = t_pre - t_first;
		r->clock_delta_max_ns = t - t_first_pre;
		if (o->count > 0 && r->lat.n >= (size_t)o->count)
			break;
		if (o->duration_ns > 0 && t - t_first >= o->duration_ns) {
			r->stop = STOP_DURATION;
			break;
		}
	}
	rc = 0;
	if (r->has_loc)
		r->has_loc = meter_loc(r->meter_cpu, &loc1) && loc1 >= loc0;
	r->loc_delta = loc1 - loc0;
	goto out;
stopped:
	r->has_loc = false;
	if (rc == -EINTR) {
		r->stop = STOP_SIGNAL;
		rc = 0;
	} else
		td_error_set(e, -rc, "", 0, "timerfd read(): %s", strerror(-rc));
out:
	r->elapsed_ns = r->clock_delta_ns;
	if (r->lat.n == 0)
		r->exp_min = 0;
	close(fd);
	return rc;
}
