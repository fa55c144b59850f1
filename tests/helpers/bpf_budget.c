/*
 * Test helper: the bpf backend with the memory it holds for every CPU held
 * to a budget of almost nothing, as on a machine of thousands of CPUs
 * (cpubudget.h: its per-CPU tables halved as far as they go).  Samples
 * SECONDS, then prints our maps' sizes while they are loaded ("map NAME
 * MAX_ENTRIES"), the sample's lost events ("lost N") and note ("note TEXT"),
 * and each timer source ("source PID FUNCTION COUNT").  bpf_budget SECONDS
 * bykey|batch N [ENTRIES]: the maps read key by key
 * (td_bpf_drain_by_key_for_tests) or in batches, N samples of SECONDS, the
 * last one printed; the maps of ENTRIES sources (--bpf-map-entries).  Exit 0;
 * 1 with the error on stderr.
 */
#include "config.h"

#include <bpf/bpf.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sampler.h"
#include "test_hooks.h"

/* Print the size of every BPF map whose name starts with tdg_. */
static void
print_maps(void)
{
	__u32 id = 0;

	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    strncmp(info.name, "tdg_", 4) == 0)
			printf("map %s %u\n", info.name, info.max_entries);
		close(fd);
	}
}

int
main(int argc, char **argv)
{
	struct td_sampler_opts o;
	struct td_sampler *s = NULL;
	struct td_sample *p = NULL;
	struct td_error e;
	double secs = argc > 1 ? atof(argv[1]) : 1;
	int samples = argc > 3 ? atoi(argv[3]) : 1;
	unsigned entries = argc > 4 ? (unsigned)atoi(argv[4]) : 0;

	td_cpubudget_avail_for_tests(1);
	td_bpf_drain_by_key_for_tests(argc > 2 && strcmp(argv[2], "bykey") == 0);
	td_sampler_opts_init(&o);
	o.backend = TD_BACKEND_BPF;
	o.bpf_map_entries = entries;
	td_error_clear(&e);
	if (td_sampler_open(&s, &o, &e) < 0 || td_sampler_start(s, &e) < 0)
		goto fail;
	print_maps();
	for (int i = 0; i < samples; i++) {
		td_sample_free(p);
		usleep((useconds_t)(secs * 1e6));
		if (td_sampler_collect(s, &p, &e) < 0)
			goto fail;
	}
	printf("lost %llu\n", (unsigned long long)p->lost_events);
	printf("note %s\n", p->note);
	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].kind == TD_KIND_HRTIMER || p->src[i].kind == TD_KIND_TIMER)
			printf("source %d %s %llu\n", p->src[i].pid,
			    p->src[i].function != NULL ? p->src[i].function : "-",
			    (unsigned long long)p->src[i].count);
	td_sample_free(p);
	td_sampler_close(s);
	return 0;
fail:
	fprintf(stderr, "bpf_budget: %s\n", e.msg);
	td_sampler_close(s);
	return 1;
}
