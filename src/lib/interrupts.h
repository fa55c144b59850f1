/*
 * /proc/interrupts: the CPU header, numbered IRQ rows, architecture rows
 * (x86 NMI/LOC/..., ARM IPIn, powerpc LOC twice, ERR/MIS totals), snapshots
 * that own their memory, and deltas keyed by identity and CPU number.
 * See doc/FORMATS.md section 3.
 */
#ifndef TD_INTERRUPTS_H
#define TD_INTERRUPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One row of /proc/interrupts. */
struct td_irq_row {
	char		*label;		/* "0", "257", "LOC", "IPI0", "ERR" (no colon) */
	int		 irq;		/* IRQ number, or -1 for an architecture row */
	bool		 total_only;	/* ERR/MIS/Err: one number, not one per CPU */
	uint64_t	 total;		/* sum of the counts, or the single number */
	int		 ncounts;	/* counts printed; may be fewer than ncpus */
	uint64_t	*counts;	/* counts[i] belongs to the CPU in cpus[i] */
	char		*chip;		/* "IO-APIC", "PCIe MSI", "GICv3"; NULL if not printed */
	bool		 has_hwirq;
	uint64_t	 hwirq;		/* 2 of "IO-APIC   2-edge", 27 of "GICv3  27 Level" */
	char		*trigger;	/* "edge", "fasteoi", "Level", "Edge"; NULL if none */
	char		*actions;	/* "eth0, eth0", "HDA Intel"; NULL when no action */
	char		*desc;		/* architecture rows: "Local timer interrupts"; else NULL */
	bool		 local_timer;	/* the local timer row, marked by the parser */
};

/* A whole /proc/interrupts. */
struct td_interrupts {
	int		 ncpus;		/* columns of the header */
	int		*cpus;		/* CPU number of each column (gaps = offline CPUs) */
	size_t		 nrows;
	struct td_irq_row *rows;	/* in file order */
};

/*
 * Parse a /proc/interrupts text of len bytes.  path names the source in
 * errors (may be NULL).  On success *out is a new snapshot for
 * td_interrupts_free().  Returns 0 or -errno (-EINVAL: bad input, e names the
 * line; -ENOMEM).
 */
int td_interrupts_parse(const char *buf, size_t len, const char *path,
    struct td_interrupts **out, struct td_error *e);
/* Read and parse a file, e.g. "/proc/interrupts", under sysroot (NULL or "/" = live). */
int td_interrupts_load(const char *sysroot, const char *abs,
    struct td_interrupts **out, struct td_error *e);
void td_interrupts_free(struct td_interrupts *s);

/* Count of row r on CPU number cpu: 0, or -ENOENT when not printed (absent, not zero). */
int td_interrupts_count(const struct td_interrupts *s, const struct td_irq_row *r,
    int cpu, uint64_t *out);
/*
 * The row counting local timer interrupts, which the parser marks (local_timer)
 * so that every tool takes the same one: x86 "LOC" (the first one; powerpc
 * "... for timer event device"), else the ARM "arch_timer" row (the busiest one
 * if several, as arm32 kernels register the secure and non-secure timer under
 * one name; "twd" on older Cortex-A9), or a RISC-V "riscv-timer" row.  Index
 * into s->rows, or -ENOENT when this architecture shows none.
 */
int td_interrupts_local_timer(const struct td_interrupts *s);
/*
 * The one rule for "this row (or sampled source) is the local timer": label
 * "LOC" unless its description says "for others" (powerpc prints LOC twice),
 * a trace vector "local_timer"/"local_timer_entry", or an IRQ whose action is
 * "arch_timer", "riscv-timer" or "twd".  desc and actions may be NULL.
 */
bool td_irq_is_local_timer(const char *label, const char *desc, const char *actions);
/*
 * The one rule for "this row carries ticks from a global or broadcast clock
 * event device" rather than the CPU's own local timer: an IRQ whose action is
 * "timer" (x86 IRQ 0: the PIT or the HPET in legacy mode), "hpet" or "hpetN"
 * (HPET channels) or "arch_mem_timer" (ARM's memory-mapped timer), or an
 * architecture row of broadcast tick IPIs by its description (ARM "Timer
 * broadcast interrupts", powerpc BCT "Broadcast timer interrupts ...").  x86
 * broadcast IPIs arrive on LOC, as local-timer counts.  desc and actions may be NULL.
 */
bool td_irq_is_global_timer(const char *desc, const char *actions);
/* How the local timer choice sees one row or sampled source. */
struct td_irq_candidate {
	bool		 is_irq;	/* a numbered IRQ; else an architecture row or vector */
	const char	*label;		/* "LOC", "IPI0", "24" */
	const char	*desc;		/* "Local timer interrupts"; NULL if none */
	const char	*actions;	/* an IRQ's action names ("arch_timer"); NULL if none */
	uint64_t	 total;		/* its count */
};
/* Candidate i of ctx into *c; false when it cannot be the local timer at all. */
typedef bool (*td_irq_candidate_fn)(const void *ctx, size_t i, struct td_irq_candidate *c);
/*
 * The one choice of the local timer among n candidates, which the parser makes
 * for a snapshot's rows and the samplers for sources of a trace without one:
 * the first architecture row or vector td_irq_is_local_timer takes, else the
 * busiest IRQ whose action it takes.  Index, or -ENOENT.
 */
int td_irq_choose_local_timer(size_t n, td_irq_candidate_fn get, const void *ctx);
/* powerpc's second LOC row ("Local timer interrupts for others") as a source name. */
#define TD_IRQ_LOC_OTHERS	"LOC-others"

/* What happened to a row between two snapshots. */
enum td_irq_delta_state {
	TD_IRQ_KEPT,		/* in both */
	TD_IRQ_NEW,		/* only in the later one: counted from 0 */
	TD_IRQ_GONE,		/* only in the earlier one: no delta */
};

/* One row of a delta; cells are per CPU of td_interrupts_delta.cpus. */
struct td_irq_delta_row {
	char		*label;
	int		 irq;
	char		*desc;		/* NULL unless an architecture row */
	char		*actions;	/* from the later snapshot when there */
	bool		 total_only;
	enum td_irq_delta_state state;
	uint64_t	*delta;		/* delta[i] for cpus[i], valid when known[i] */
	bool		*known;		/* false: CPU or count absent in one snapshot */
	uint64_t	 total;		/* sum of the known cells, or the ERR/MIS delta */
	bool		 total_known;
	bool		 wrapped;	/* a 32-bit counter wrapped (delta corrected) */
};

/* The change from snapshot a to snapshot b. */
struct td_interrupts_delta {
	int		 ncpus;		/* union of both snapshots' CPUs, ascending */
	int		*cpus;
	bool		*cpu_both;	/* cpu_both[i]: cpus[i] online in a and in b */
	size_t		 nrows;
	struct td_irq_delta_row *rows;	/* b's order, then rows gone from a */
};

/*
 * b minus a, keyed by row identity (IRQ number on the same chip and hwirq, or
 * label + description) and CPU number.  A count that went back is a 32-bit
 * wrap when that gives a delta under 2^31, else unknown.  0 or -ENOMEM
 * (-EINVAL on NULL).
 */
int td_interrupts_delta(const struct td_interrupts *a, const struct td_interrupts *b,
    struct td_interrupts_delta **out);
void td_interrupts_delta_free(struct td_interrupts_delta *d);
/* Delta row by identity (as td_interrupts_find), NULL if absent. */
const struct td_irq_delta_row *td_interrupts_delta_find(const struct td_interrupts_delta *d,
    const char *label, const char *desc);
/* Cell of row r for CPU number cpu: 0, or -ENOENT when unknown. */
int td_interrupts_delta_cell(const struct td_interrupts_delta *d,
    const struct td_irq_delta_row *r, int cpu, uint64_t *out);

#endif
