/*
 * One ring-buffer page, as the kernel wrote it (kernel/trace/ring_buffer.c): a
 * trace.dat's flyrecord page, or a sub-buffer read live from tracefs
 * (trace_decode.c): a header (timestamp, commit word with the
 * missed-events flags) then records, each a 32-bit word of type_len (5 bits)
 * and time delta (27 bits).  The iterator steps over padding, time extends and
 * absolute time stamps and hands out the data records with their times;
 * every length is checked against the commit, and the commit against the page.
 */
#ifndef TD_TRACE_DAT_PAGE_H
#define TD_TRACE_DAT_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct td_trace_dat_page {
	const unsigned char	*buf;	/* the page */
	size_t			 len;	/* bytes of it read */
	size_t			 pos;	/* the next record's offset in buf */
	size_t			 end;	/* the end of the committed data */
	uint64_t		 ts;	/* the time of the last record */
	long			 missed;	/* events lost before the page: -1 some, 0 none */
};

/* One data record: its payload and time. */
struct td_trace_dat_rec {
	uint64_t	 ts;
	const void	*data;
	size_t		 size;
	size_t		 at;		/* its offset in the page */
};

/*
 * Start on the page buf of len bytes whose commit word has commit_size bytes
 * (4 or 8, the file's long size): 0, or -EINVAL when the commit does not fit
 * the page (a page size that is not the file's, or garbage).
 */
int td_trace_dat_page_init(struct td_trace_dat_page *p, const void *buf, size_t len,
    int commit_size);

/* Record types above the data lengths (type_len). */
#define TD_RB_PADDING		29
#define TD_RB_TIME_EXTEND	30
#define TD_RB_TIME_STAMP	31
/* The top bits of the time an absolute time stamp does not hold (libtraceevent's kbuffer). */
#define TD_RB_TS_MSB		(0xf8ULL << 56)

/* A native-endian u32 from an unaligned place. */
static inline uint32_t
td_trace_dat_page_get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * The next data record: 1 and rec filled, 0 at the end of the page.  Inline:
 * the live decoder steps through every event of every sub-buffer with it.
 */
static inline int
td_trace_dat_page_next(struct td_trace_dat_page *p, struct td_trace_dat_rec *rec)
{
	while (p->end - p->pos >= 4) {
		const unsigned char *q = p->buf + p->pos;
		uint32_t hdr = td_trace_dat_page_get32(q);
		uint32_t type_len = hdr & 0x1f, delta = hdr >> 5;
		size_t left = p->end - p->pos, step = 0, size = 0;

		if (type_len >= TD_RB_PADDING || type_len == 0) {
			if (left < 8)
				break;
			step = td_trace_dat_page_get32(q + 4);
		}
		switch (type_len) {
		case TD_RB_PADDING:
			/* A zero delta: the rest of the page is empty; else a discarded record. */
			if (delta == 0 || step > left - 4)
				goto done;
			p->ts += delta;
			p->pos += step + 4;
			continue;
		case TD_RB_TIME_EXTEND:
			p->ts += ((uint64_t)step << 27) | delta;
			p->pos += 8;
			continue;
		case TD_RB_TIME_STAMP:
			p->ts = ((uint64_t)step << 27 | delta) | (p->ts & TD_RB_TS_MSB);
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

#endif
