/*
 * One ring-buffer page of a trace.dat's flyrecord data, as the kernel wrote it
 * (kernel/trace/ring_buffer.c): a header (timestamp, commit word with the
 * missed-events flags) then records, each a 32-bit word of type_len (5 bits)
 * and time delta (27 bits).  The iterator steps over padding, time extends and
 * absolute time stamps and hands out the data records with their times;
 * every length is checked against the commit, and the commit against the page.
 */
#ifndef TD_TRACE_DAT_PAGE_H
#define TD_TRACE_DAT_PAGE_H

#include <stddef.h>
#include <stdint.h>

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
/* The next data record: 1 and rec filled, 0 at the end of the page. */
int td_trace_dat_page_next(struct td_trace_dat_page *p, struct td_trace_dat_rec *rec);

#endif
