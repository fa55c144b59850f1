/* CPU sets in list and bitmap form. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cpumask.h"
#include "numparse.h"

/* Empty the set. */
void td_cpuset_zero(struct td_cpuset *s) { memset(s, 0, sizeof(*s)); }

/* Add a CPU (out-of-range numbers are ignored). */
void
td_cpuset_set(struct td_cpuset *s, int cpu)
{
	if (cpu >= 0 && cpu < TD_MAX_CPUS)
		s->bits[cpu / 64] |= (uint64_t)1 << (cpu % 64);
}

/* Membership test. */
bool
td_cpuset_isset(const struct td_cpuset *s, int cpu)
{
	return cpu >= 0 && cpu < TD_MAX_CPUS &&
	    (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

/* Number of CPUs in the set. */
int
td_cpuset_count(const struct td_cpuset *s)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(s->bits) / sizeof(s->bits[0]); i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

/* Parse the list form. */
int
td_cpuset_parse_list(struct td_cpuset *s, const char *text)
{
	const char *p = text, *end = text + strlen(text);

	td_cpuset_zero(s);
	p = td_skip_ws(p, end);
	if (p == end || *p == '\n' || strncmp(p, "(null)", 6) == 0)
		return 0;
	while (p < end && *p != '\n') {
		uint64_t a, b;

		if (td_parse_u64(&p, end, &a) < 0)
			return -EINVAL;
		b = a;
		if (p < end && *p == '-') {
			p++;
			if (td_parse_u64(&p, end, &b) < 0)
				return -EINVAL;
		}
		if (b < a || b >= TD_MAX_CPUS)
			return -ERANGE;
		for (uint64_t c = a; c <= b; c++)
			td_cpuset_set(s, (int)c);
		if (p < end && *p == ',')
			p++;
		else
			break;
	}
	p = td_skip_ws(p, end);
	if (p < end && *p != '\n')
		return -EINVAL;
	return 0;
}

/* Parse the hex bitmap form. */
int
td_cpuset_parse_mask(struct td_cpuset *s, const char *text)
{
	size_t n = strcspn(text, " \t\n");
	int bit = 0;

	td_cpuset_zero(s);
	if (n == 0)
		return -EINVAL;
	for (size_t i = n; i-- > 0;) {
		char c = text[i];
		unsigned d;

		if (c == ',')
			continue;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		for (int k = 0; k < 4; k++)
			if (d & (1u << k)) {
				if (bit + k >= TD_MAX_CPUS)
					return -ERANGE;
				td_cpuset_set(s, bit + k);
			}
		bit += 4;
	}
	return 0;
}

/* Format as a list. */
char *
td_cpuset_format(const struct td_cpuset *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int c = 0; c < TD_MAX_CPUS; c++) {
		int e;

		if (!td_cpuset_isset(s, c))
			continue;
		for (e = c; e + 1 < TD_MAX_CPUS && td_cpuset_isset(s, e + 1); e++)
			;
		int w = e == c ? snprintf(buf + off, len - off, "%s%d", off ? "," : "", c) :
		    snprintf(buf + off, len - off, "%s%d-%d", off ? "," : "", c, e);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
		c = e;
	}
	return buf;
}

/* Binary search of a CPU number in an ascending array. */
int
td_cpu_index(const int *cpus, int n, int cpu)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (cpus[mid] == cpu)
			return mid;
		if (cpus[mid] < cpu)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}
