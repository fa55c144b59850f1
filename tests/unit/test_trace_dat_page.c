/*
 * The ring-buffer page of a trace.dat, built by hand as the kernel lays it
 * out: padding, time extends, absolute time stamps, long records, the
 * missed-events flags of the commit word, and a commit larger than the page.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "trace_dat_page.h"

#define PAGE	4096

static unsigned char page[PAGE];
static size_t at;

/* A 32-bit word at the end of the page being built. */
static void
word(uint32_t v)
{
	memcpy(page + at, &v, 4);
	at += 4;
}

/* A record header: type_len and time delta. */
static void
hdr(uint32_t type_len, uint32_t delta)
{
	word(type_len | delta << 5);
}

/* Start a page at time ts; the commit is set by finish(). */
static void
start(uint64_t ts)
{
	memset(page, 0, sizeof(page));
	memcpy(page, &ts, 8);
	at = 16;
}

/* Set the commit word: the data written so far and the flags. */
static void
finish(uint64_t flags)
{
	uint64_t commit = (at - 16) | flags;

	memcpy(page + 8, &commit, 8);
}

/* Set the commit word and start on the page (an 8-byte commit), as what says. */
static void
finish_read(struct td_trace_dat_page *p, uint64_t flags, const char *what)
{
	finish(flags);
	is_int(td_trace_dat_page_init(p, page, PAGE, 8), 0, "%s", what);
}

int
main(void)
{
	struct td_trace_dat_page p;
	struct td_trace_dat_rec r;

	/* A short record, a time extend, a discarded one, a long one, the end. */
	start(1000);
	hdr(2, 5);			/* 8 bytes of data at 1005 */
	word(0x11111111);
	word(0x22222222);
	hdr(30, 3);			/* time extend: + (1 << 27 | 3) */
	word(1);
	hdr(29, 7);			/* a discarded record of 8 bytes, + 7 */
	word(8);
	word(0);
	hdr(0, 10);			/* a long record: 200 bytes of data */
	word(204);
	memset(page + at, 0x33, 200);
	at += 200;
	hdr(31, 0x10);			/* an absolute time stamp */
	word(2);
	hdr(1, 1);
	word(0x44444444);
	finish_read(&p, 0, "a good page starts");
	is_int(p.missed, 0, "no missed events");
	is_int(td_trace_dat_page_next(&p, &r), 1, "first record");
	is_int(r.ts, 1005, "its time: the page's plus its delta");
	is_int(r.size, 8, "its size: type_len words");
	is_int(r.at, 16, "its place: the record header after the page header");
	ok(memcmp(r.data, page + 20, 8) == 0, "its data");
	is_int(td_trace_dat_page_next(&p, &r), 1, "the long record, past the extend and padding");
	is_int(r.ts, 1005 + ((1ULL << 27) | 3) + 7 + 10, "its time counts the extend and the padding");
	is_int(r.size, 200, "its size from its length word");
	is_int(td_trace_dat_page_next(&p, &r), 1, "the record after the time stamp");
	is_int(r.ts, (2ULL << 27 | 0x10) + 1, "its time from the absolute stamp");
	is_int(r.at, 16 + 12 + 8 + 12 + 208 + 8, "its place past the long record");
	is_int(td_trace_dat_page_next(&p, &r), 0, "then the end of the commit");
	is_int(td_trace_dat_page_next(&p, &r), 0, "and it stays at the end");

	/* Null padding (delta 0) ends the page before the commit does. */
	start(50);
	hdr(1, 1);
	word(7);
	hdr(29, 0);
	word(0);
	hdr(1, 1);
	word(8);
	finish_read(&p, 0, "a page with null padding");
	is_int(td_trace_dat_page_next(&p, &r), 1, "the record before the padding");
	is_int(td_trace_dat_page_next(&p, &r), 0, "null padding: the rest of the page is empty");

	/* Missed events: a stored count after the data, or only the flag. */
	start(1);
	hdr(1, 1);
	word(9);
	finish(1ULL << 31 | 1ULL << 30);
	{
		uint64_t lost = 42;

		memcpy(page + at, &lost, 8);
	}
	is_int(td_trace_dat_page_init(&p, page, PAGE, 8), 0, "a page after lost events");
	is_int(p.missed, 42, "the stored count of events lost before it");
	finish_read(&p, 1ULL << 31, "lost events, no count");
	is_int(p.missed, -1, "some lost, how many unknown");
	is_int(td_trace_dat_page_next(&p, &r), 1, "the page's record is still read");

	/* A 32-bit kernel's page: a 4-byte commit. */
	memset(page, 0, sizeof(page));
	{
		uint64_t ts = 77;
		uint32_t commit = 8;

		memcpy(page, &ts, 8);
		memcpy(page + 8, &commit, 4);
		at = 12;
		hdr(1, 3);
		word(5);
	}
	is_int(td_trace_dat_page_init(&p, page, PAGE, 4), 0, "a page with a 4-byte commit");
	is_int(td_trace_dat_page_next(&p, &r), 1, "its record");
	is_int(r.ts, 80, "its time");

	/* Records that do not fit the commit, and a commit past the page. */
	start(1);
	hdr(0, 1);
	word(5000);
	finish_read(&p, 0, "a page whose record overruns");
	is_int(td_trace_dat_page_next(&p, &r), 0, "the record past the commit is not handed out");
	start(1);
	at = 16 + 4096;
	finish(0);
	at = 16;
	is_int(td_trace_dat_page_init(&p, page, PAGE, 8), -EINVAL,
	    "a commit larger than the page: a page size not the file's, or garbage");
	is_int(td_trace_dat_page_init(&p, page, 10, 8), -EINVAL, "a page shorter than its header");
	return done_testing();
}
