/*
 * Writes a synthetic /proc/timer_list in the v0.10 format: NCPUS CPU blocks of
 * eight clock bases with TIMERS active timers each, then the tick devices.
 * Usage: timer_list_gen NCPUS TIMERS > FILE.  Deterministic (fixed seed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t seed = 0x2545f4914f6cdd1dull;

/* xorshift64: a fixed, portable sequence. */
static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static const char *const fns[] = {
	"hrtimer_wakeup", "tick_nohz_handler", "watchdog_timer_fn", "dl_task_timer",
	"sched_rt_period_timer", "it_real_fn", "posix_timer_fn", "pm_suspend_timer_fn",
	"rcu_sched_clock_irq", "timerfd_tmrproc", "perf_mux_hrtimer_handler",
	"inactive_task_timer",
};

/* One CPU block. */
static void
cpu_block(int cpu, int ntimers, uint64_t now)
{
	static const char *const gt[] = {
		"ktime_get", "ktime_get_real", "ktime_get_boottime", "ktime_get_clocktai",
	};

	printf("cpu: %d\n", cpu);
	for (int c = 0; c < 8; c++) {
		int n = c == 0 ? ntimers - ntimers / 8 : c == 1 ? ntimers / 8 : 0;

		printf(" clock %d:\n  .base:       %016llx\n  .index:      %d\n"
		    "  .resolution: 1 nsecs\n  .get_time:   %s\n  .offset:     %s nsecs\n"
		    "active timers:\n", c, (unsigned long long)(rnd() | 0xffff000000000000ull),
		    c, gt[c % 4], c % 2 ? "1795349911746476679" : "0");
		for (int i = 0; i < n; i++) {
			uint64_t soft = now + rnd() % 100000000000ull;
			uint64_t slack = rnd() % 4 ? rnd() % 1000000 : 0;

			printf(" #%d: <%016llx>, %s, S:01\n", i,
			    (unsigned long long)(rnd() & 0x00000000ffffffffull),
			    fns[rnd() % (sizeof(fns) / sizeof(fns[0]))]);
			printf(" # expires at %llu-%llu nsecs [in %lld to %lld nsecs]\n",
			    (unsigned long long)soft, (unsigned long long)(soft + slack),
			    (long long)(soft - now), (long long)(soft + slack - now));
		}
	}
	printf("  .expires_next   : %llu nsecs\n  .hres_active    : 1\n  .nr_events      : %llu\n"
	    "  .nr_retries     : 2\n  .nr_hangs       : 0\n  .max_hang_time  : 0\n"
	    "  .nohz           : 1\n  .highres        : 1\n  .last_tick      : %llu nsecs\n"
	    "  .tick_stopped   : %d\n  .idle_jiffies   : 4294894431\n  .idle_calls     : %llu\n"
	    "  .idle_sleeps    : 101\n  .idle_entrytime : %llu nsecs\n  .idle_waketime  : %llu nsecs\n"
	    "  .idle_exittime  : %llu nsecs\n  .idle_sleeptime : 4021904449 nsecs\n"
	    "  .iowait_sleeptime: 0 nsecs\n  .last_jiffies   : 4294894431\n"
	    "  .next_timer     : %llu\n  .idle_expires   : %llu nsecs\njiffies: 4294894431\n\n",
	    (unsigned long long)now + 4000000, (unsigned long long)(rnd() % 10000000),
	    (unsigned long long)now - 4000000, (int)(rnd() % 2),
	    (unsigned long long)(rnd() % 1000000), (unsigned long long)now - 1000,
	    (unsigned long long)now - 2000, (unsigned long long)now - 500,
	    (unsigned long long)now + 4000000, (unsigned long long)now + 4000000);
}

/* One per-CPU tick device block. */
static void
device(int cpu, uint64_t now)
{
	printf("Tick Device: mode:     1\nPer CPU device: %d\nClock Event Device: lapic-deadline\n"
	    " max_delta_ns:   1759219946619\n min_delta_ns:   1000\n mult:           10485752\n"
	    " shift:          25\n mode:           3\n next_event:     %llu nsecs\n"
	    " set_next_event: lapic_next_deadline\n shutdown:       lapic_timer_shutdown\n"
	    " periodic:       lapic_timer_set_periodic\n oneshot:        lapic_timer_set_oneshot\n"
	    " oneshot stopped: lapic_timer_shutdown\n event_handler:  hrtimer_interrupt\n\n"
	    " retries:        %llu\nWakeup Device: <NULL>\n\n", cpu,
	    (unsigned long long)now + 4000000, (unsigned long long)(rnd() % 100));
}

int
main(int argc, char **argv)
{
	int ncpus = argc > 1 ? atoi(argv[1]) : 1024;
	int ntimers = argc > 2 ? atoi(argv[2]) : 560;
	uint64_t now = 2064300247003ull;

	if (ncpus <= 0 || ntimers < 0) {
		fprintf(stderr, "usage: timer_list_gen NCPUS TIMERS\n");
		return 2;
	}
	printf("Timer List Version: v0.10\nHRTIMER_MAX_CLOCK_BASES: 8\nnow at %llu nsecs\n\n",
	    (unsigned long long)now);
	for (int c = 0; c < ncpus; c++)
		cpu_block(c, ntimers, now);
	printf("Tick Device: mode:     1\nBroadcast device\nClock Event Device: hpet\n"
	    " max_delta_ns:   21474836451\n min_delta_ns:   1920\n mult:           429496730\n"
	    " shift:          32\n mode:           1\n next_event:     9223372036854775807 nsecs\n"
	    " set_next_event: hpet_clkevt_set_next_event\n"
	    " shutdown:       hpet_clkevt_set_state_shutdown\n"
	    " periodic:       hpet_clkevt_set_state_periodic\n"
	    " oneshot:        hpet_clkevt_set_state_oneshot\n"
	    " resume:         hpet_clkevt_legacy_resume\n"
	    " event_handler:  tick_handle_oneshot_broadcast\n\n retries:        0\n\n");
	/* %*pb of 1024 CPUs: 32 groups of 8 hex digits */
	printf("tick_broadcast_mask: ");
	for (int g = 0; g < (ncpus + 31) / 32; g++)
		printf("%s00000000", g ? "," : "");
	printf("\ntick_broadcast_oneshot_mask: ");
	for (int g = 0; g < (ncpus + 31) / 32; g++)
		printf("%s00000000", g ? "," : "");
	printf("\n\n");
	for (int c = 0; c < ncpus; c++)
		device(c, now);
	return ferror(stdout) ? 1 : 0;
}
