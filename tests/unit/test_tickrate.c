/*
 * Tests of the measured tick rates: which interrupts carry each CPU's tick (its
 * local timer, or a global timer interrupt such as the IO-APIC timer of a periodic
 * HPET broadcast), on the corpus captures, a fixture sysroot and made-up inputs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "source.h"
#include "tap.h"
#include "tickrate.h"

/* The rates of one CPU, NULL when not measured. */
static const struct td_cpu_tickrate *
rates_of(const struct td_tickrates *r, int cpu)
{
	for (size_t i = 0; r != NULL && i < r->ncpus; i++)
		if (r->cpus[i].cpu == cpu)
			return &r->cpus[i];
	return NULL;
}

/* Rates between a sysroot's two snapshots, the sources set from its timer_list. */
static struct td_tickrates *
measure(const char *root, struct td_timer_list **tlp)
{
	struct td_interrupts *a = NULL, *b = NULL;
	struct td_tickrates *r = NULL;
	struct td_timer_list *tl = NULL, *tl2 = NULL;
	struct td_buf ba = { 0 }, bb = { 0 };
	struct td_error e;

	if (td_interrupts_load(root, "/proc/interrupts", &a, &e) < 0 ||
	    td_interrupts_load(root, "/after/proc/interrupts", &b, &e) < 0 ||
	    td_read_root(root, "/proc/timer_list", TD_READ_CAP_DEFAULT, &ba, &e) < 0 ||
	    td_read_root(root, "/after/proc/timer_list", TD_READ_CAP_DEFAULT, &bb, &e) < 0 ||
	    td_timer_list_parse(ba.data, ba.len, "timer_list", &tl, &e) < 0 ||
	    td_timer_list_parse(bb.data, bb.len, "after", &tl2, &e) < 0 ||
	    td_tickrates_compute(a, b, NULL, NULL, (double)(tl2->now_ns - tl->now_ns) / 1e9,
	    &r, &e) < 0) {
		diag("%s: %s", root, e.msg);
		td_timer_list_free(tl);
		tl = NULL;
	} else
		td_tickrates_set_sources(r, tl);
	td_timer_list_free(tl2);
	td_buf_free(&ba);
	td_buf_free(&bb);
	td_interrupts_free(a);
	td_interrupts_free(b);
	*tlp = tl;
	return r;
}

/* The one rule for global timer rows. */
static void
test_rule(void)
{
	ok(td_irq_is_global_timer(NULL, "timer"), "IRQ 0 \"timer\" (PIT, HPET legacy) is global");
	ok(td_irq_is_global_timer(NULL, "hpet") && td_irq_is_global_timer(NULL, "hpet2"),
	    "hpet and its channels are global");
	ok(td_irq_is_global_timer(NULL, "arch_mem_timer"), "ARM's memory-mapped timer is global");
	ok(td_irq_is_global_timer("Timer broadcast interrupts", NULL),
	    "ARM's broadcast tick IPIs are global");
	ok(td_irq_is_global_timer("Broadcast timer interrupts for timer event device", NULL),
	    "powerpc's BCT is global");
	ok(!td_irq_is_global_timer("Local timer interrupts", NULL) &&
	    !td_irq_is_global_timer(NULL, "arch_timer") &&
	    !td_irq_is_global_timer(NULL, "hpetx") && !td_irq_is_global_timer(NULL, "rtc0") &&
	    !td_irq_is_global_timer(NULL, NULL), "LOC, arch_timer, rtc0, hpetx are not");
}

/* Every kmatrix capture ticks from its own local timer: the tick rate is the local rate. */
static void
test_kmatrix(const char *corpus)
{
	struct corpus_walk k;
	int n = 0, bad = 0;

	if (corpus_walk_open(&k, corpus, "kmatrix") < 0) {
		ok(0, "opendir %s", k.dir);
		return;
	}
	while (corpus_walk_next(&k) != NULL) {
		struct td_timer_list *tl;
		struct td_tickrates *r;

		if ((r = measure(k.path, &tl)) == NULL)
			continue;
		for (size_t i = 0; i < r->ncpus; i++) {
			const struct td_cpu_tickrate *t = &r->cpus[i];

			if (t->source != TD_TICK_SOURCE_LOCAL || !t->has_tick ||
			    t->tick_per_s != t->local_per_s) {
				diag("%s CPU %d: source %d tick %.1f local %.1f", k.name,
				    t->cpu, (int)t->source, t->tick_per_s, t->local_per_s);
				bad++;
			}
		}
		n++;
		td_tickrates_free(r);
		td_timer_list_free(tl);
	}
	ok(n > 0 && bad == 0, "%d captures: every CPU ticks from its local timer row", n);
}

/*
 * A noapictimer boot: both CPUs in tick_broadcast_mask of a periodic HPET on IRQ 0.
 * CPU 0 takes its tick from IRQ 0, CPU 1 from broadcast IPIs on LOC.
 */
static void
test_broadcast_fixture(void)
{
	const char *src = getenv("TD_SRCDIR");
	char root[4096];
	struct td_timer_list *tl;
	struct td_tickrates *r;
	const struct td_cpu_tickrate *c0, *c1;

	snprintf(root, sizeof(root), "%s/tests/fixtures/sysroots/amd64-6.1-noapictimer-periodic",
	    src ? src : ".");
	r = measure(root, &tl);
	if (!ok(r != NULL, "fixture: measured"))
		return;
	c0 = rates_of(r, 0);
	c1 = rates_of(r, 1);
	is_str(r->global_rows, "0 (timer)", "fixture: IRQ 0 is the global row");
	ok(c0 && c0->has_local && c0->local_per_s == 0, "fixture: CPU 0 takes no LOC");
	ok(c0 && c0->source == TD_TICK_SOURCE_GLOBAL && c0->has_tick &&
	    fabs(c0->tick_per_s - 657 / r->period_s) < 1e-6,
	    "fixture: CPU 0's tick is the IRQ 0 delta (%.1f/s)", c0 ? c0->tick_per_s : -1);
	is_str(c0 ? c0->source_device : NULL, "hpet", "fixture: CPU 0 fed by hpet");
	ok(c1 && c1->source == TD_TICK_SOURCE_GLOBAL && c1->has_tick &&
	    c1->tick_per_s == c1->local_per_s && c1->global_per_s == 0,
	    "fixture: CPU 1's tick is its broadcast IPIs on LOC (%.1f/s)", c1 ? c1->tick_per_s : -1);
	/* Without timer_list the device is unknown: both rows count. */
	td_tickrates_set_sources(r, NULL);
	ok(c0 && c0->source == TD_TICK_SOURCE_UNKNOWN && c0->has_tick &&
	    c0->tick_per_s == c0->global_per_s, "fixture without timer_list: IRQ 0 counted");
	td_tickrates_free(r);
	td_timer_list_free(tl);
}

/* A CPU whose own tick device is global, with and without a row for it. */
static void
test_global_percpu_device(void)
{
	static const char tl_text[] =
	    "Timer List Version: v0.5\n"
	    "HRTIMER_MAX_CLOCK_BASES: 2\n"
	    "now at 2000000000 nsecs\n\n"
	    "Tick Device: mode:     0\n"
	    "Per CPU device: 0\n"
	    "Clock Event Device: pit\n"
	    " event_handler:  tick_handle_periodic\n\n"
	    "Tick Device: mode:     0\n"
	    "Per CPU device: 1\n"
	    "Clock Event Device: lapic\n"
	    " event_handler:  tick_handle_periodic\n";
	static const char a_text[] =
	    "           CPU0       CPU1\n"
	    "  0:       1000          0   IO-APIC-edge      timer\n"
	    "LOC:          5       2000   Local timer interrupts\n";
	static const char b_text[] =
	    "           CPU0       CPU1\n"
	    "  0:       1500          0   IO-APIC-edge      timer\n"
	    "LOC:          5       2500   Local timer interrupts\n";
	static const char b_norow[] =
	    "           CPU0       CPU1\n"
	    "LOC:          5       2500   Local timer interrupts\n";
	struct td_interrupts *a = NULL, *b = NULL, *bn = NULL;
	struct td_timer_list *tl = NULL;
	struct td_tickrates *r = NULL;
	const struct td_cpu_tickrate *t;

	if (!ok(td_interrupts_parse(a_text, strlen(a_text), "a", &a, NULL) == 0 &&
	    td_interrupts_parse(b_text, strlen(b_text), "b", &b, NULL) == 0 &&
	    td_interrupts_parse(b_norow, strlen(b_norow), "bn", &bn, NULL) == 0 &&
	    td_timer_list_parse(tl_text, strlen(tl_text), "tl", &tl, NULL) == 0 &&
	    td_tickrates_compute(a, b, NULL, NULL, 2, &r, NULL) == 0, "pit: inputs parse"))
		goto out;
	td_tickrates_set_sources(r, tl);
	t = rates_of(r, 0);
	ok(t && t->source == TD_TICK_SOURCE_GLOBAL && t->has_tick && t->tick_per_s == 250 &&
	    t->local_per_s == 0, "pit on CPU 0: its tick is IRQ 0 (%.1f/s)", t ? t->tick_per_s : -1);
	t = rates_of(r, 1);
	ok(t && t->source == TD_TICK_SOURCE_LOCAL && t->tick_per_s == 250 &&
	    t->global_per_s == 0, "lapic on CPU 1: its LOC alone");
	td_tickrates_free(r);
	/* The same machine without the IRQ 0 row: CPU 0's tick cannot be told. */
	if (td_tickrates_compute(a, bn, NULL, NULL, 2, &r, NULL) < 0)
		goto out;
	td_tickrates_set_sources(r, tl);
	t = rates_of(r, 0);
	ok(t && t->source == TD_TICK_SOURCE_GLOBAL && !t->has_tick && t->has_local,
	    "pit on CPU 0 and no global row: tick rate unknown, not 0");
out:
	td_tickrates_free(r);
	td_timer_list_free(tl);
	td_interrupts_free(a);
	td_interrupts_free(b);
	td_interrupts_free(bn);
}

/*
 * A 32-bit counter that wraps between the snapshots (an arm32 kernel's per-CPU
 * unsigned int): CPU 1's arch_timer count and its TIMER softirq go past 2^32.
 * The rate is the wrapped change, not a CPU dropped from the table.
 */
static void
test_wrap(void)
{
	static const char a_text[] =
	    "           CPU0       CPU1       \n"
	    " 18:     120000 4294967000     GIC-0  27 Level     arch_timer\n"
	    "IPI1:          0          0  Timer broadcast interrupts\n"
	    "Err:          0\n";
	static const char b_text[] =
	    "           CPU0       CPU1       \n"
	    " 18:     120500        204     GIC-0  27 Level     arch_timer\n"
	    "IPI1:          0          0  Timer broadcast interrupts\n"
	    "Err:          0\n";
	static const char sa_text[] =
	    "                    CPU0       CPU1\n"
	    "          HI:          0          0\n"
	    "       TIMER:       9000 4294967200\n"
	    "     HRTIMER:         10 4294967295\n";
	static const char sb_text[] =
	    "                    CPU0       CPU1\n"
	    "          HI:          0          0\n"
	    "       TIMER:       9400        100\n"
	    "     HRTIMER:         10         19\n";
	static const char stat_a[] =
	    "cpu  300 0 100 1600 0 0 0 0 0 0\n"
	    "cpu0 150 0 50 800 0 0 0 0 0 0\n"
	    "cpu1 150 0 50 790 10 0 0 0 0 0\n"
	    "intr 12345 0 1 2\n";
	static const char stat_b[] =
	    "cpu  400 0 100 1900 0 0 0 0 0 0\n"
	    "cpu0 200 0 50 950 0 0 0 0 0 0\n"
	    "cpu1 200 0 50 940 10 0 0 0 0 0\n"
	    "intr 12400 0 1 2\n";
	struct td_interrupts *a = NULL, *b = NULL;
	struct td_softirqs *sa = NULL, *sb = NULL;
	struct td_procstat *pa = NULL, *pb = NULL;
	struct td_tickrates *r = NULL;
	const struct td_cpu_tickrate *t;

	if (!ok(td_interrupts_parse(a_text, strlen(a_text), "a", &a, NULL) == 0 &&
	    td_interrupts_parse(b_text, strlen(b_text), "b", &b, NULL) == 0 &&
	    td_softirqs_parse(sa_text, strlen(sa_text), "sa", &sa, NULL) == 0 &&
	    td_softirqs_parse(sb_text, strlen(sb_text), "sb", &sb, NULL) == 0 &&
	    td_procstat_parse(stat_a, strlen(stat_a), "stat a", &pa, NULL) == 0 &&
	    td_procstat_parse(stat_b, strlen(stat_b), "stat b", &pb, NULL) == 0 &&
	    td_tickrates_compute(a, b, sa, sb, 2, &r, NULL) == 0, "wrap: inputs parse"))
		goto out;
	td_tickrates_add_idle(r, pa, pb);
	is_str(r->local_row, "18 (arch_timer)", "wrap: the arch_timer row is the local timer");
	t = rates_of(r, 0);
	ok(t && t->has_local && t->local_per_s == 250, "wrap: CPU 0 250/s as before");
	t = rates_of(r, 1);
	ok(t && t->has_local && t->local_per_s == 250,
	    "wrap: CPU 1's count wrapped past 2^32 and is 250/s, not dropped (%.1f)",
	    t && t->has_local ? t->local_per_s : -1);
	ok(t && t->has_timer && t->timer_softirq_per_s == 98,
	    "wrap: CPU 1's TIMER softirq wrapped, 196 in 2 s (%.1f/s)",
	    t && t->has_timer ? t->timer_softirq_per_s : -1);
	ok(t && t->has_hrtimer && t->hrtimer_softirq_per_s == 10,
	    "wrap: CPU 1's HRTIMER softirq wrapped from 2^32 - 1, 20 in 2 s");
	ok(t && t->has_idle && fabs(t->idle_share - 150.0 / 200) < 1e-9,
	    "wrap: CPU 1's idle share from /proc/stat (%.3f)", t && t->has_idle ?
	    t->idle_share : -1);
out:
	td_tickrates_free(r);
	td_interrupts_free(a);
	td_interrupts_free(b);
	td_softirqs_free(sa);
	td_softirqs_free(sb);
	td_procstat_free(pa);
	td_procstat_free(pb);
}

/* A count that went back by more than a wrap can explain is a reset: unknown, not 0. */
static void
test_reset(void)
{
	static const char a_text[] =
	    "           CPU0       CPU1\n"
	    "LOC:     900000     900000   Local timer interrupts\n";
	static const char b_text[] =
	    "           CPU0       CPU1\n"
	    "LOC:     900500         30   Local timer interrupts\n";
	struct td_interrupts *a = NULL, *b = NULL;
	struct td_tickrates *r = NULL;
	const struct td_cpu_tickrate *t;

	if (!ok(td_interrupts_parse(a_text, strlen(a_text), "a", &a, NULL) == 0 &&
	    td_interrupts_parse(b_text, strlen(b_text), "b", &b, NULL) == 0 &&
	    td_tickrates_compute(a, b, NULL, NULL, 2, &r, NULL) == 0, "reset: inputs parse"))
		goto out;
	t = rates_of(r, 1);
	ok(t == NULL || !t->has_local, "reset: CPU 1's LOC went back 899970: unknown");
	t = rates_of(r, 0);
	ok(t && t->has_local && t->local_per_s == 250, "reset: CPU 0 still 250/s");
out:
	td_tickrates_free(r);
	td_interrupts_free(a);
	td_interrupts_free(b);
}

/* /proc/stat: the cpuN lines; a damaged one is an error naming its line. */
static void
test_procstat(void)
{
	static const char old[] = "cpu  10 0 5 100\ncpu0 10 0 5 100\npage 1 2\n";
	static const char bad[] = "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 2 x 4\n";
	static const char few[] = "cpu0 1 2 3\n";
	struct td_procstat *s = NULL;
	struct td_error e;

	ok(td_procstat_parse(old, strlen(old), "stat", &s, NULL) == 0 && s->ncpus == 1 &&
	    td_procstat_cpu(s, 0) != NULL && td_procstat_cpu(s, 0)->total == 115 &&
	    td_procstat_cpu(s, 0)->idle == 100 && td_procstat_cpu(s, 1) == NULL,
	    "procstat: a 2.4-era line of four fields");
	td_procstat_free(s);
	td_error_clear(&e);
	ok(td_procstat_parse(bad, strlen(bad), "stat", &s, &e) == -EINVAL && e.line == 3 &&
	    s == NULL, "procstat: a bad field is an error on its line (%ld: %s)", e.line, e.msg);
	td_error_clear(&e);
	ok(td_procstat_parse(few, strlen(few), "stat", &s, &e) == -EINVAL && e.line == 1,
	    "procstat: three fields are too few (%s)", e.msg);
}

int
main(void)
{
	test_rule();
	corpus_tests(test_kmatrix, NULL);
	test_broadcast_fixture();
	test_global_percpu_device();
	test_wrap();
	test_reset();
	test_procstat();
	return done_testing();
}
