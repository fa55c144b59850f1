/*
 * What the timer_list grammar (timer_list.c) and the code that feeds it
 * (timer_list_parts.c) share: the parser's state and the grammar's entry
 * points.  Internal to those two files.
 */
#ifndef TD_TIMER_LIST_PARSER_H
#define TD_TIMER_LIST_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "error.h"
#include "strpool.h"
#include "timer_list.h"

/* Lines longer than this are never timer_list text (a 8192-CPU mask is ~2.3 KB). */
#define TL_LINE_MAX		16384
/* The most CPUs one snapshot keeps (CONFIG_NR_CPUS at most). */
#define TL_MAX_CPUS		8192

/* Where a snapshot's strings and timers live; parts parsed apart chain theirs. */
struct td_tl_pool {
	struct td_strpool	 sp;		/* names */
	struct td_arena		 timers;	/* every base's timer array */
	struct td_tl_pool	*next;		/* the pools of parts parsed apart */
};

/* Parser state between lines. */
struct tl_parser {
	struct td_timer_list	*tl;
	const char		*name;
	int			 err;		/* first fatal error (ENOMEM, EILSEQ), 0 if none */
	long			 err_line;	/* EILSEQ: the line holding a NUL byte */
	long			 icpu;		/* current CPU block, -1 if none */
	long			 ibase;		/* open clock base of that CPU, -1 if none */
	size_t			 cpucap;
	size_t			 basecap;	/* capacity of the current CPU's bases */
	size_t			 timercap;	/* room of the open base's timer run */
	size_t			 extracap;	/* room of tl->extras */
	long			 idev;		/* current tick device, -1 if none */
	size_t			 devcap;
	long			 masks_dev;	/* device directly followed by the mask lines */
	bool			 any;		/* some line was timer_list text */
	long			 first_line;	/* first non-blank line */
	bool			 pending_devname; /* "Clock Event Device: " split by printk */
	bool			 fast;		/* fast paths on (off only for the tests' comparison) */
	bool			 header;	/* a header line (version, now, ...) was seen */
	size_t			 expect;	/* input bytes expected, 0 if unknown */
	bool			 counting;	/* timers counted, not kept (no TD_TL_TIMERS) */
	struct td_tl_timer	 scratch;	/* counting: the timer being read */
	struct td_tl_timer_extra xscratch;	/* counting: its extra fields */
	struct tl_icache {			/* recent short strings, by content */
		uint64_t	 w[3];
		size_t		 len;
		const char	*s;
	}			 icache[64];
};

/*
 * Set up an empty snapshot and its parser, for an input of about expect bytes
 * (0 if unknown), flags TD_TL_*.  0 or -ENOMEM (e filled).
 */
int td_tl_begin(struct tl_parser *p, const char *name, size_t expect, unsigned flags,
    struct td_error *e);
/* Handle the complete lines of [s, lim); returns the start of the unfinished rest. */
const char *td_tl_lines(struct tl_parser *p, const char *s, const char *lim);
/* Handle the one line [s, end) (without its newline). */
void td_tl_line(struct tl_parser *p, const char *s, const char *end);
/*
 * Finish the parse: *out is the snapshot (0), or the parse's error (-errno,
 * e filled, the snapshot freed).  final_newline: the input ended with one.
 */
int td_tl_end(struct tl_parser *p, bool final_newline, struct td_timer_list **out,
    struct td_error *e);
/* A NUL byte in line: the input is not text, and the parse fails there. */
void td_tl_nul(struct tl_parser *p, long line);
/* Out of memory: the parse fails. */
void td_tl_nomem(struct tl_parser *p);
/* Close the open clock base, and the open CPU block (complete: its end was seen). */
void td_tl_close_base(struct tl_parser *p);
void td_tl_close_cpu(struct tl_parser *p, bool complete);

#endif
