/* CPU sets: the list form of sysfs ("0-3,8") and the hex bitmap form ("ff,00000001"). */
#ifndef TD_CPUMASK_H
#define TD_CPUMASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TD_MAX_CPUS	8192

struct td_cpuset {
	uint64_t bits[TD_MAX_CPUS / 64];
};

void td_cpuset_zero(struct td_cpuset *s);
void td_cpuset_set(struct td_cpuset *s, int cpu);
bool td_cpuset_isset(const struct td_cpuset *s, int cpu);
int td_cpuset_count(const struct td_cpuset *s);
/* Parse "0-3,5" (also "" and "(null)", which give the empty set). -EINVAL, -ERANGE. */
int td_cpuset_parse_list(struct td_cpuset *s, const char *text);
/* Parse a hex bitmap with optional comma-separated 32-bit groups ("00000000,00000003"). */
int td_cpuset_parse_mask(struct td_cpuset *s, const char *text);
/* Index of cpu in an ascending array of CPU numbers (a header's columns), or -1. */
int td_cpu_index(const int *cpus, int n, int cpu);
/* Format as a list, "0-3,5"; "" for the empty set. */
char *td_cpuset_format(const struct td_cpuset *s, char *buf, size_t len);

#endif
