/* One ring-buffer page: its header (the records: trace_dat_page.h). */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "trace_dat_page.h"

/* The commit word's flags. */
#define RB_MISSED_EVENTS	(1ULL << 31)
#define RB_MISSED_STORED	(1ULL << 30)
#define RB_COMMIT_MASK		((1ULL << 30) - 1)

/* A u32 or u64 (size 4 or 8) from an unaligned place. */
static uint64_t
get_long(const unsigned char *p, int size)
{
	uint64_t v;

	if (size == 4)
		return td_trace_dat_page_get32(p);
	memcpy(&v, p, 8);
	return v;
}

int
td_trace_dat_page_init(struct td_trace_dat_page *p, const void *buf, size_t len, int commit_size)
{
	size_t head = 8 + (size_t)commit_size;
	uint64_t commit, size;

	memset(p, 0, sizeof(*p));
	if ((commit_size != 4 && commit_size != 8) || len < head)
		return -EINVAL;
	p->buf = buf;
	p->len = len;
	p->ts = get_long(p->buf, 8);
	commit = get_long(p->buf + 8, commit_size);
	size = commit & RB_COMMIT_MASK;
	if (size > len - head)
		return -EINVAL;
	p->pos = head;
	p->end = head + size;
	if (commit & RB_MISSED_EVENTS) {
		p->missed = -1;
		/* The count, when the kernel stored it, follows the data. */
		if ((commit & RB_MISSED_STORED) && p->end + (size_t)commit_size <= len) {
			uint64_t m = get_long(p->buf + p->end, commit_size);

			p->missed = m > (uint64_t)LONG_MAX ? -1 : (long)m;
		}
	}
	return 0;
}
