/* Memory held for every CPU, held to one budget (cpubudget.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpubudget.h"
#include "source.h"
#include "test_hooks.h"

static uint64_t avail_for_tests;	/* td_cpubudget_avail_for_tests: 0 none */

void
td_cpubudget_avail_for_tests(uint64_t kb)
{
	avail_for_tests = kb;
}

uint64_t
td_cpubudget_fit(uint64_t want, uint64_t floor, unsigned ncpus, uint64_t avail_kb)
{
	uint64_t budget = TD_CPUBUDGET_TOTAL, per;

	if (avail_kb != 0 && avail_kb / TD_CPUBUDGET_MEM_SHARE < budget / 1024)
		budget = avail_kb / TD_CPUBUDGET_MEM_SHARE * 1024;
	if (ncpus == 0 || want <= budget / ncpus)
		return want;
	per = budget / ncpus;
	if (per < floor)
		per = floor;
	return per < want ? per : want;
}

unsigned
td_cpubudget_halvings(uint64_t want, unsigned max, unsigned ncpus, uint64_t avail_kb)
{
	uint64_t fits = td_cpubudget_fit(want, 0, ncpus, avail_kb);
	unsigned h = 0;

	while (h < max && want >> h > fits)
		h++;
	return h;
}

uint64_t
td_mem_available_kb(void)
{
	struct td_buf b = { NULL, 0 };
	struct td_error e;
	unsigned long long kb = 0;
	const char *at;

	if (avail_for_tests != 0)
		return avail_for_tests;
	if (td_read_file("/proc/meminfo", 1 << 16, &b, &e) == 0 &&
	    (at = strstr(b.data, "\nMemAvailable:")) != NULL)
		(void)sscanf(at, "\nMemAvailable: %llu kB", &kb);
	td_buf_free(&b);
	return kb;
}

unsigned
td_tracebuf_kb(unsigned want_kb)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return (unsigned)(td_cpubudget_fit((uint64_t)want_kb << 10, (uint64_t)TD_TRACEBUF_MIN_KB << 10,
	    n > 0 ? (unsigned)n : 1, td_mem_available_kb()) >> 10);
}
