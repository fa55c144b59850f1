/*
 * timerprobe --interval-meter: a periodic timerfd with a tiny interval (1 ns)
 * does not storm the machine; read() returns how many intervals elapsed.  Each
 * count is set against the clock's own delta between two reads.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

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

/* Count expirations per read against the clock's delta between reads. */
int
probe_meter(const struct probe_opts *o, struct probe_result *r, struct td_error *e)
{
	struct itimerspec its;
	int64_t t_first, t_first_pre, t_prev, t, t_pre, t_after;
	uint64_t n;
	size_t reserve;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	r->has_overruns = true;
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
		t_pre = meter_now(o->clock);
		r->overhead_sum_ns += t_pre - t_after;
		r->overhead_n++;
		if ((rc = meter_read(fd, &n)) < 0)
			goto stopped;
		t = t_after = meter_now(o->clock);
		r->expirations += n;
		if (n > 1)
			r->overruns += n - 1;
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
	goto out;
stopped:
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
