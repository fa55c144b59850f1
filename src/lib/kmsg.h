/*
 * The kernel log: /dev/kmsg records (read non-blocking from an fd, or from a
 * buffer in record format) and saved dmesg text (with or without "[ time]",
 * caller ids, "<N>" levels, syslog prefixes, dmesg -H relative times), as
 * records.  The timer events in them are kmsg_events.h's.  See doc/FORMATS.md
 * section 4.
 */
#ifndef TD_KMSG_H
#define TD_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One log message, its prefix taken off. */
struct td_kmsg_record {
	long		 line;		/* 1-based line (or record number for an fd) */
	int		 level;		/* 0..7, -1 when not printed */
	int		 facility;	/* -1 when not printed */
	bool		 has_seq;
	uint64_t	 seq;		/* /dev/kmsg sequence number */
	bool		 has_ts;
	bool		 ts_relative;	/* dmesg -H/-d "[  +0.000003]": ts_ns is a delta */
	int64_t		 ts_ns;		/* printk clock (monotonic since boot) */
	char		 caller[12];	/* "T1", "C0"; "" when not printed */
	char		*text;		/* message, \xNN decoded; text[text_len] == 0 */
	size_t		 text_len;	/* may hold bytes 0x00..0x1f after decoding */
	size_t		 ndict;
	char		**dict;		/* continuation lines "KEY=value" (leading space off) */
};

/* A parsed log. */
struct td_kmsg_log {
	size_t		 n;
	struct td_kmsg_record *recs;
	uint64_t	 lost;		/* records overwritten while reading (EPIPE) */
	bool		 records;	/* came in /dev/kmsg record format */
};

/* Parse a buffer in /dev/kmsg record format ("pri,seq,usec,flags;msg" + " KEY=v"). */
int td_kmsg_parse_records(const char *buf, size_t len, const char *path,
    struct td_kmsg_log **out, struct td_error *e);
/* Parse saved dmesg / syslog / console text, one message per line. */
int td_kmsg_parse_text(const char *buf, size_t len, const char *path,
    struct td_kmsg_log **out, struct td_error *e);
/* Either of the two, told apart by the first non-empty line. */
int td_kmsg_parse(const char *buf, size_t len, const char *path,
    struct td_kmsg_log **out, struct td_error *e);
/*
 * Read every record from an fd open on /dev/kmsg (O_RDONLY|O_NONBLOCK): seek
 * to the start of the ring buffer, one record per read(), stop at EAGAIN,
 * count EPIPE (overwritten records) in lost.  path names the fd in errors.
 */
int td_kmsg_read_fd(int fd, const char *path, struct td_kmsg_log **out,
    struct td_error *e);
/* Open /dev/kmsg (live) and td_kmsg_read_fd() it; -EPERM etc. with the path. */
int td_kmsg_read_live(struct td_kmsg_log **out, struct td_error *e);
/* Read a saved log file (e.g. "/dmesg" of a capture) under sysroot and td_kmsg_parse() it. */
int td_kmsg_load(const char *sysroot, const char *abs, struct td_kmsg_log **out,
    struct td_error *e);
void td_kmsg_log_free(struct td_kmsg_log *log);

#endif
