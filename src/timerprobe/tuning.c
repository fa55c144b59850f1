/*
 * timerprobe: the process settings a run asks for (CPU, timer slack,
 * SCHED_FIFO, /dev/cpu_dma_latency), and the slack the kernel then applies.
 * Nothing outside this process is changed, except the PM QoS request that
 * /dev/cpu_dma_latency holds while it is open (--dma-latency only).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probe.h"

#define DMA_LATENCY_PATH	"/dev/cpu_dma_latency"
#define MAX_POLL_SLACK_NS	100000000	/* fs/select.c MAX_SLACK: 100 ms */

/* mlockall is the process's, done once: the first --fifo worker locks, the others wait. */
static pthread_mutex_t lock_mu = PTHREAD_MUTEX_INITIALIZER;
static bool locked;

/*
 * The slack poll(), ppoll(), epoll_wait() and select() get: fs/select.c
 * select_estimate_accuracy(), 0.1 % of the timeout (0.5 % when niced) up to
 * 100 ms, never less than the task's slack, none for real-time tasks.
 */
static int64_t
poll_slack(int64_t timeout_ns, int64_t task_slack, bool rt)
{
	int64_t s;
	int div = 1000;

	if (rt)
		return 0;
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) > 0 && errno == 0)
		div = 200;
	s = timeout_ns / div;
	if (s > MAX_POLL_SLACK_NS)
		s = MAX_POLL_SLACK_NS;
	return s < task_slack ? task_slack : s;
}

/* Hold a 0 us request on /dev/cpu_dma_latency (kept while the fd is open). */
static int
dma_latency_hold(struct probe_env *env, struct td_error *e)
{
	int32_t zero = 0;

	env->dma_fd = open(DMA_LATENCY_PATH, O_WRONLY | O_CLOEXEC);
	if (env->dma_fd < 0)
		return td_error_set(e, errno, DMA_LATENCY_PATH, 0, "%s%s", strerror(errno),
		    errno == EACCES || errno == EPERM ? " (--dma-latency needs root)" : "");
	if (write(env->dma_fd, &zero, sizeof(zero)) != (ssize_t)sizeof(zero)) {
		int err = errno ? errno : EIO;

		probe_env_release(env);
		return td_error_set(e, err, DMA_LATENCY_PATH, 0, "write: %s", strerror(err));
	}
	return 0;
}

/* Apply --cpu, --slack, --fifo and --dma-latency, then read back what holds. */
int
probe_env_setup(const struct probe_opts *o, struct probe_env *env, struct td_error *e)
{
	const struct mode_info *m = &probe_modes[o->mode];
	struct sched_param sp;
	cpu_set_t set;
	int r;

	memset(env, 0, sizeof(*env));
	env->dma_fd = -1;
	if (o->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(o->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			return td_error_set(e, errno, "", 0, "--cpu %d: %s", o->cpu,
			    errno == EINVAL ? "no such CPU online (or not allowed here)" :
			    strerror(errno));
	}
	/* prctl() takes 0 as "back to the default", so no slack is 1 ns. */
	if (o->has_slack && prctl(PR_SET_TIMERSLACK, (unsigned long)(o->slack_ns > 0 ?
	    o->slack_ns : 1), 0, 0, 0) < 0)
		return td_error_set(e, errno, "", 0, "--slack: prctl(PR_SET_TIMERSLACK): %s",
		    strerror(errno));
	if (o->fifo > 0) {
		memset(&sp, 0, sizeof(sp));
		sp.sched_priority = o->fifo;
		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			return td_error_set(e, errno, "", 0, "--fifo %d: %s%s", o->fifo,
			    strerror(errno), errno == EPERM ?
			    " (SCHED_FIFO needs root or CAP_SYS_NICE)" : "");
		env->rt = true;
		/*
		 * As cyclictest does: no page faults in the loop (best effort).
		 * Each call walks every mapping again, which with -S cost
		 * each more worker as much as the first.
		 */
		pthread_mutex_lock(&lock_mu);
		if (!locked)
			(void)mlockall(MCL_CURRENT | MCL_FUTURE);
		locked = true;
		pthread_mutex_unlock(&lock_mu);
	}
	if (o->dma_latency && (r = dma_latency_hold(env, e)) < 0)
		return r;
	r = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	env->slack_ns = r < 0 ? 0 : r;
	if (!m->uses_slack || o->meter)
		env->applied_slack_ns = 0;	/* timerfd arms its hrtimer without slack */
	else if (m->poll_slack)
		env->applied_slack_ns = poll_slack(o->interval_ns, env->slack_ns, env->rt);
	else
		env->applied_slack_ns = env->rt ? 0 : env->slack_ns;
	return 0;
}

/* Close /dev/cpu_dma_latency, which drops the request. */
void
probe_env_release(struct probe_env *env)
{
	if (env->dma_fd >= 0) {
		close(env->dma_fd);
		env->dma_fd = -1;
	}
}
