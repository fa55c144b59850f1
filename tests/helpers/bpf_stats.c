/*
 * Test helper: holds the kernel's BPF run-time statistics on (a
 * BPF_ENABLE_STATS fd, as kernel.bpf_stats_enabled=1 does) until it is
 * killed; they go back as they were when it exits, however it ends.
 * Prints "on" once they are.
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.enable_stats.type = BPF_STATS_RUN_TIME;
	if (syscall(__NR_bpf, BPF_ENABLE_STATS, &a, sizeof(a)) < 0) {
		perror("bpf_stats: BPF_ENABLE_STATS");
		return 1;
	}
	printf("on\n");
	fflush(stdout);
	for (;;)
		pause();
}
