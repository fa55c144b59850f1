/*
 * Benchmark of the /proc/interrupts, /proc/softirqs and kernel log parsers
 * against a baseline in the same process: a plain scan that touches every
 * byte and converts every number (interrupts) or splits lines (kernel log).
 * Prints medians and ratios; no pass/fail (see bench/irq.sh).
 * Usage: irq_bench CPUS IRQS LOGLINES REPS
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interrupts.h"
#include "kmsg.h"
#include "kmsg_events.h"
#include "softirqs.h"

/* A growing text buffer. */
struct text {
	char	*p;
	size_t	 len, cap;
};

/* Append formatted text. */
__attribute__((format(printf, 2, 3)))
static void
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 4096;
		if ((t->p = realloc(t->p, t->cap)) == NULL)
			exit(1);
	}
	t->len += (size_t)n;
}

/* A synthetic /proc/interrupts: ncpus columns, nirqs MSI rows, the x86 rows; skip one IRQ. */
static void
gen_interrupts(struct text *t, int ncpus, int nirqs, unsigned seed, int skip)
{
	static const char *const arch[] = { "NMI", "LOC", "SPU", "PMI", "IWI", "RTR", "RES",
		"CAL", "TLB", "TRM", "THR", "DFR", "MCE", "MCP" };
	int i, c;

	t->len = 0;
	add(t, "           ");
	for (c = 0; c < ncpus; c++)
		add(t, "CPU%-8d", c);
	add(t, "\n");
	for (i = 0; i < nirqs; i++) {
		if (i == skip)
			continue;
		add(t, "%4d:", 24 + i);
		for (c = 0; c < ncpus; c++)
			add(t, " %10u", (unsigned)(i * 7 + c * 13 + seed) % 100000);
		add(t, "  IR-PCI-MSIX-0000:%02x:00.0 %6d-edge      nvme0q%d, eth%d-TxRx-%d\n",
		    i % 256, i, i, i % 4, i);
	}
	for (i = 0; i < (int)(sizeof(arch) / sizeof(arch[0])); i++) {
		add(t, "%4s:", arch[i]);
		for (c = 0; c < ncpus; c++)
			add(t, " %10u", (unsigned)(c * 1000 + seed));
		add(t, "   Some interrupts\n");
	}
	add(t, " ERR:          0\n MIS:          0\n");
}

/* A synthetic dmesg: n lines, a timer message every 50. */
static void
gen_log(struct text *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i % 50 == 0)
			add(t, "[%5d.%06d] clocksource: Switched to clocksource tsc\n", i / 1000,
			    i % 1000000);
		else
			add(t, "[%5d.%06d] usb 1-%d: new high-speed USB device number %d using "
			    "xhci_hcd\n", i / 1000, i % 1000000, i % 8, i);
	}
}

/* Monotonic time in ns. */
static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The least work a parser must do: visit every byte, convert every number. */
static uint64_t
scan_numbers(const char *p, size_t len)
{
	const char *end = p + len;
	uint64_t sum = 0;

	while (p < end) {
		if (*p >= '0' && *p <= '9') {
			char *q;

			sum += strtoull(p, &q, 10);
			p = q;
		} else
			p++;
	}
	return sum;
}

/* Split lines only. */
static uint64_t
scan_lines(const char *p, size_t len)
{
	const char *end = p + len;
	uint64_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		n++;
		p = nl ? nl + 1 : end;
	}
	return n;
}

/* Compare int64 for qsort. */
static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of reps samples. */
static int64_t
median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp64);
	return v[n / 2];
}

static volatile uint64_t sink;

int
main(int argc, char **argv)
{
	struct text a = { 0 }, b = { 0 }, log = { 0 }, soft = { 0 };
	int ncpus = argc > 1 ? atoi(argv[1]) : 64;
	int nirqs = argc > 2 ? atoi(argv[2]) : 1000;
	int nlog = argc > 3 ? atoi(argv[3]) : 200000;
	int reps = argc > 4 ? atoi(argv[4]) : 7, r, c;
	int64_t *ts = calloc((size_t)reps, sizeof(*ts)), *tp = calloc((size_t)reps, sizeof(*tp));
	int64_t *td = calloc((size_t)reps, sizeof(*td)), *tl = calloc((size_t)reps, sizeof(*tl));
	int64_t *tk = calloc((size_t)reps, sizeof(*tk)), *tq = calloc((size_t)reps, sizeof(*tq));
	int64_t ms, mp, md, ml, mk, mq;

	if (ncpus < 1 || nirqs < 1 || nlog < 1 || reps < 1 || !ts || !tp || !td || !tl || !tk ||
	    !tq)
		return 2;
	gen_interrupts(&a, ncpus, nirqs, 1, -1);
	gen_interrupts(&b, ncpus, nirqs, 2, nirqs / 2);
	gen_log(&log, nlog);
	add(&soft, "          ");
	for (c = 0; c < ncpus; c++)
		add(&soft, " CPU%-7d", c);
	add(&soft, "\n");
	for (r = 0; r < 10; r++) {
		add(&soft, "%12s:", (const char *[]){ "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK",
		    "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU" }[r]);
		for (c = 0; c < ncpus; c++)
			add(&soft, " %10d", c * 31 + r);
		add(&soft, "\n");
	}
	for (r = 0; r < reps; r++) {
		struct td_interrupts *sa, *sb;
		struct td_interrupts_delta *d;
		struct td_kmsg_log *l;
		struct td_kmsg_events *ev;
		struct td_softirqs *s1;
		int64_t t0;

		t0 = now_ns();
		sink += scan_numbers(a.p, a.len);
		ts[r] = now_ns() - t0;
		t0 = now_ns();
		if (td_interrupts_parse(a.p, a.len, "a", &sa, NULL) < 0)
			return 1;
		tp[r] = now_ns() - t0;
		if (td_interrupts_parse(b.p, b.len, "b", &sb, NULL) < 0)
			return 1;
		t0 = now_ns();
		if (td_interrupts_delta(sa, sb, &d) < 0)
			return 1;
		td[r] = now_ns() - t0;
		td_interrupts_delta_free(d);
		td_interrupts_free(sa);
		td_interrupts_free(sb);
		t0 = now_ns();
		if (td_softirqs_parse(soft.p, soft.len, "s", &s1, NULL) < 0)
			return 1;
		tq[r] = now_ns() - t0;
		td_softirqs_free(s1);
		t0 = now_ns();
		sink += scan_lines(log.p, log.len);
		tl[r] = now_ns() - t0;
		t0 = now_ns();
		if (td_kmsg_parse(log.p, log.len, "log", &l, NULL) < 0 ||
		    td_kmsg_events(l, &ev) < 0)
			return 1;
		tk[r] = now_ns() - t0;
		sink += ev->n;
		td_kmsg_events_free(ev);
		td_kmsg_log_free(l);
	}
	ms = median(ts, reps);
	mp = median(tp, reps);
	md = median(td, reps);
	ml = median(tl, reps);
	mk = median(tk, reps);
	mq = median(tq, reps);
	printf("interrupts: %d CPUs x %d IRQs, %zu bytes; median of %d runs\n", ncpus, nirqs,
	    a.len, reps);
	printf("  number scan (baseline): %.3f ms\n", ms / 1e6);
	printf("  td_interrupts_parse:    %.3f ms, ratio %.2f to the scan\n", mp / 1e6,
	    (double)mp / (double)ms);
	printf("  td_interrupts_delta:    %.3f ms, ratio %.2f to one parse (IRQ moved rows)\n",
	    md / 1e6, (double)md / (double)mp);
	printf("softirqs: %d CPUs: td_softirqs_parse %.3f ms\n", ncpus, mq / 1e6);
	printf("kernel log: %d lines, %zu bytes\n", nlog, log.len);
	printf("  line split (baseline):  %.3f ms\n", ml / 1e6);
	printf("  parse + timer events:   %.3f ms, ratio %.2f to the split, %.1f MB/s\n",
	    mk / 1e6, (double)mk / (double)ml, (double)log.len / (double)mk * 1e3);
	free(a.p);
	free(b.p);
	free(log.p);
	free(soft.p);
	free(ts);
	free(tp);
	free(td);
	free(tl);
	free(tk);
	free(tq);
	return 0;
}
