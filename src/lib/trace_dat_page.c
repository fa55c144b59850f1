/* One ring-buffer page of a trace.dat: its header and records. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "trace_dat_page.h"

/* Record types above the data lengths (type_len), and the commit word's flags. */
#define RB_PADDING		29
#define RB_TIME_EXTEND		30
#define RB_TIME_STAMP		31
#define RB_MISSED_EVENTS	(1ULL << 31)
#define RB_MISSED_STORED	(1ULL << 30)
#define RB_COMMIT_MASK		((1ULL << 30) - 1)
/* The top bits of the time an absolute time stamp does not hold (libtraceevent's kbuffer). */
#define TS_MSB			(0xf8ULL << 56)

/* A native-endian u32 from an unaligned place. */
static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* A u32 or u64 (size 4 or 8) from an unaligned place. */
static uint64_t
get_long(const unsigned char *p, int size)
{
	uint64_t v;

	if (size == 4)
		return get32(p);
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

int
td_trace_dat_page_next(struct td_trace_dat_page *p, struct td_trace_dat_rec *rec)
{
	while (p->end - p->pos >= 4) {
		const unsigned char *q = p->buf + p->pos;
		uint32_t hdr = get32(q), type_len = hdr & 0x1f, delta = hdr >> 5;
		size_t left = p->end - p->pos, step = 0, size = 0;

		if (type_len >= RB_PADDING || type_len == 0) {
			if (left < 8)
				break;
			step = get32(q + 4);
		}
		switch (type_len) {
		case RB_PADDING:
			/* A zero delta: the rest of the page is empty; else a discarded record. */
			if (delta == 0 || step > left - 4)
				goto done;
			p->ts += delta;
			p->pos += step + 4;
			continue;
		case RB_TIME_EXTEND:
			p->ts += ((uint64_t)step << 27) | delta;
			p->pos += 8;
			continue;
		case RB_TIME_STAMP:
			p->ts = ((uint64_t)step << 27 | delta) | (p->ts & TS_MSB);
			p->pos += 8;
			continue;
		case 0:
			/* A long record: its length (that word included) in the next word. */
			if (step < 4)
				goto done;
			size = (step - 4 + 3) & ~(size_t)3;
			if (size > left - 8)
				goto done;
			rec->data = q + 8;
			step = size + 8;
			break;
		default:
			size = (size_t)type_len * 4;
			if (size > left - 4)
				goto done;
			rec->data = q + 4;
			step = size + 4;
			break;
		}
		p->ts += delta;
		rec->ts = p->ts;
		rec->size = size;
		rec->at = p->pos;
		p->pos += step;
		return 1;
	}
done:
	p->pos = p->end;
	return 0;
}
