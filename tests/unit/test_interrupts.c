/* Tests of the /proc/interrupts parser and its deltas: corpus, fixtures, live kernel, bad input. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "interrupts.h"
#include "test_hooks.h"
#include "source.h"
#include "inputs.h"
#include "tap.h"

/* Parse a file by path; NULL (and a diagnostic) on failure. */
static struct td_interrupts *
load(const char *dir, const char *abs)
{
	struct td_interrupts *s;
	struct td_error e = { 0 };
	char buf[600];

	if (td_interrupts_load(dir, abs, &s, &e) < 0) {
		diag("%s", td_error_str(&e, buf, sizeof(buf)));
		return NULL;
	}
	return s;
}

/* Parse a string; returns the error code and fills *out. */
static int
parse_str(const char *text, struct td_interrupts **out, struct td_error *e)
{
	return td_interrupts_parse(text, strlen(text), "test", out, e);
}

/* Per-capture checks of kmatrix/NAME: CPUs, local timer row, positive deltas. */
static void
check_kmatrix(const char *corpus, const char *name)
{
	struct td_interrupts *a, *b;
	struct td_interrupts_delta *d = NULL;
	const struct td_irq_delta_row *dr;
	char dir[1024];
	long cpus;
	int lt, i;
	bool arm = strncmp(name, "arm64", 5) == 0;

	snprintf(dir, sizeof(dir), "%s/kmatrix/%s", corpus, name);
	cpus = truth_int(dir, "cpus");
	a = load(dir, "/proc/interrupts");
	b = load(dir, "/after/proc/interrupts");
	if (!ok(a != NULL && b != NULL, "%s: proc and after interrupts parse", name))
		goto out;
	is_int(a->ncpus, cpus, "%s: CPU columns = truth.json cpus", name);
	is_int(b->ncpus, cpus, "%s: after/ CPU columns = truth.json cpus", name);
	lt = td_interrupts_local_timer(a);
	if (!ok(lt >= 0, "%s: local timer row found", name))
		goto out;
	if (arm) {
		is_str(a->rows[lt].actions, "arch_timer", "%s: arm64 uses the arch_timer row", name);
		is_str(a->rows[lt].trigger, "Level", "%s: arch_timer is Level", name);
		ok(a->rows[lt].has_hwirq && (a->rows[lt].hwirq == 27 ||
		    a->rows[lt].hwirq == 30), "%s: arch_timer hwirq 27 or 30", name);
	} else {
		is_str(a->rows[lt].label, "LOC", "%s: x86 uses LOC", name);
		is_str(a->rows[lt].desc, "Local timer interrupts", "%s: LOC description", name);
	}
	if (!ok(td_interrupts_delta(a, b, &d) == 0, "%s: delta computed", name))
		goto out;
	dr = td_interrupts_delta_find(d, a->rows[lt].label, a->rows[lt].desc);
	if (ok(dr != NULL && dr->state == TD_IRQ_KEPT, "%s: local timer row in the delta", name)) {
		int pos = 0;

		for (i = 0; i < d->ncpus; i++) {
			uint64_t v;

			if (td_interrupts_delta_cell(d, dr, d->cpus[i], &v) == 0 && v > 0)
				pos++;
		}
		is_int(pos, cpus, "%s: local timer delta > 0 on every CPU", name);
	}
	/* Every row of the earlier snapshot is found again in the delta by identity. */
	for (i = 0; i < (int)a->nrows; i++)
		if (td_interrupts_delta_find(d, a->rows[i].label, a->rows[i].desc) == NULL)
			break;
	is_int(i, (int)a->nrows, "%s: every row keyed in the delta", name);
out:
	td_interrupts_delta_free(d);
	td_interrupts_free(a);
	td_interrupts_free(b);
}

/* Every kmatrix capture, plus a few counts read off the files. */
static void
test_kmatrix(const char *corpus)
{
	char dir[1024];
	struct corpus_walk k;
	int n = 0;
	struct td_interrupts *s;
	const struct td_irq_row *r;
	uint64_t v;

	if (corpus_walk_open(&k, corpus, "kmatrix") < 0) {
		ok(0, "open %s", k.dir);
		return;
	}
	while (corpus_walk_next(&k) != NULL) {
		check_kmatrix(corpus, k.name);
		n++;
	}
	ok(n >= 10, "kmatrix: %d captures checked", n);

	snprintf(dir, sizeof(dir), "%s/kmatrix/amd64-6.1-generic-default", corpus);
	if ((s = load(dir, "/proc/interrupts")) != NULL) {
		r = td_interrupts_find(s, "LOC", NULL);
		ok(r && td_interrupts_count(s, r, 0, &v) == 0 && v == 1076, "amd64: LOC CPU0 1076");
		ok(r && td_interrupts_count(s, r, 1, &v) == 0 && v == 985, "amd64: LOC CPU1 985");
		ok(r && td_interrupts_count(s, r, 2, &v) == -ENOENT, "amd64: no CPU2: absent");
		r = td_interrupts_find(s, "4", NULL);
		ok(r && r->irq == 4 && r->counts[1] == 963, "amd64: IRQ 4 CPU1 963");
		is_str(r ? r->chip : NULL, "IO-APIC", "amd64: IRQ 4 chip");
		ok(r && r->has_hwirq && r->hwirq == 4, "amd64: IRQ 4 hwirq 4");
		is_str(r ? r->trigger : NULL, "edge", "amd64: IRQ 4 trigger");
		is_str(r ? r->actions : NULL, "ttyS0", "amd64: IRQ 4 action");
		r = td_interrupts_find(s, "ERR", NULL);
		ok(r && r->total_only && r->total == 0 && r->ncounts == 0, "amd64: ERR is a total");
		ok(r && td_interrupts_count(s, r, 0, &v) == -ENOENT, "amd64: ERR has no per-CPU count");
		td_interrupts_free(s);
	}
	snprintf(dir, sizeof(dir), "%s/kmatrix/arm64-6.1-generic-default", corpus);
	if ((s = load(dir, "/proc/interrupts")) != NULL) {
		r = td_interrupts_find(s, "11", NULL);
		ok(r && td_interrupts_count(s, r, 1, &v) == 0 && v == 1217, "arm64: IRQ 11 CPU1 1217");
		is_str(r ? r->chip : NULL, "GICv3", "arm64: IRQ 11 chip GICv3");
		r = td_interrupts_find(s, "IPI1", NULL);
		is_str(r ? r->desc : NULL, "Function call interrupts", "arm64: IPI1 description");
		ok(r && r->counts[0] == 209 && r->counts[1] == 180, "arm64: IPI1 counts 209 180");
		r = td_interrupts_find(s, "Err", NULL);
		ok(r && r->total_only, "arm64: Err is a total");
		td_interrupts_free(s);
	}
}

/* The public samples: x86 old and new chip styles, arm32, arm64, powerpc. */
static void
test_public(const char *corpus)
{
	char dir[1024];
	struct td_interrupts *s;
	const struct td_irq_row *r;
	int lt;

	snprintf(dir, sizeof(dir), "%s/public/interrupts", corpus);
	if ((s = load(dir, "/x86-1cpu-2.6.3x-ioapic-edge-cnt-pnd-fedora-forum2010.txt"))) {
		is_int(s->ncpus, 1, "fedora: 1 CPU");
		r = td_interrupts_find(s, "16", NULL);
		is_str(r ? r->chip : NULL, "IO-APIC", "fedora: fused chip IO-APIC");
		is_str(r ? r->trigger : NULL, "fasteoi", "fedora: fused trigger fasteoi");
		ok(r && !r->has_hwirq, "fedora: fused style has no hwirq");
		is_str(r ? r->actions : NULL, "uhci_hcd:usb2, mga@pci:0000:01:00.0",
		    "fedora: two actions with a comma");
		r = td_interrupts_find(s, "17", NULL);
		is_str(r ? r->actions : NULL, "Intel 82801DB-ICH4", "fedora: action with spaces");
		r = td_interrupts_find(s, "3", NULL);
		ok(r && r->actions == NULL, "fedora: IRQ 3 without action");
		lt = td_interrupts_local_timer(s);
		ok(lt >= 0 && s->rows[lt].counts[0] == 9708460, "fedora: LOC 9708460");
		r = td_interrupts_find(s, "MIS", NULL);
		ok(r && r->total_only, "fedora: MIS total (1 CPU)");
		ok(td_interrupts_find(s, "CNT", NULL) != NULL, "fedora: CNT row (2.6.3x)");
		td_interrupts_free(s);
	}
	if ((s = load(dir, "/x86_64-12cpu-6.x-ir-pci-msix-per-device-domains.txt"))) {
		is_int(s->ncpus, 12, "12cpu: header without leading blanks, 12 CPUs");
		r = td_interrupts_find(s, "169", NULL);
		is_str(r ? r->chip : NULL, "IR-PCI-MSI-0000:03:00.0", "12cpu: per-device MSI chip");
		ok(r && r->counts[6] == 240623, "12cpu: IRQ 169 CPU6 240623");
		is_str(r ? r->actions : NULL, "amdgpu", "12cpu: action amdgpu");
		lt = td_interrupts_local_timer(s);
		ok(lt >= 0 && s->rows[lt].counts[11] == 118303, "12cpu: LOC CPU11 118303");
		ok(td_interrupts_find(s, "PIW", NULL) != NULL, "12cpu: PIW row");
		td_interrupts_free(s);
	}
	if ((s = load(dir, "/x86_64-4cpu-debian11-virtualbox.txt"))) {
		is_int(s->ncpus, 4, "vbox: 4 CPUs");
		r = td_interrupts_find(s, "21", NULL);
		is_str(r ? r->actions : NULL, "ahci[0000:00:0d.0], snd_intel8x0", "vbox: brackets");
		td_interrupts_free(s);
	}
	if ((s = load(dir, "/arm64-8cpu-apple-m-asahi-aic2.txt"))) {
		is_int(s->ncpus, 8, "asahi: 8 CPUs");
		lt = td_interrupts_local_timer(s);
		ok(lt >= 0 && s->rows[lt].irq == 35, "asahi: arch_timer is IRQ 35");
		is_str(lt >= 0 ? s->rows[lt].chip : NULL, "AIC-FIQ", "asahi: chip AIC-FIQ");
		r = td_interrupts_find(s, "104", NULL);
		is_str(r ? r->chip : NULL, "PCIe MSI", "asahi: chip with a space");
		ok(r && r->has_hwirq && r->hwirq == 526336, "asahi: hwirq 526336");
		r = td_interrupts_find(s, "52", NULL);
		is_str(r ? r->actions : NULL,
		    "apple-dart fault handler, apple-dart fault handler", "asahi: spaced actions");
		r = td_interrupts_find(s, "94", NULL);
		is_str(r ? r->chip : NULL, "dockchannel-irqc", "asahi: long chip name");
		td_interrupts_free(s);
	}
	if ((s = load(dir, "/arm64-4cpu-zynqmp-gicv2-yocto.txt"))) {
		lt = td_interrupts_local_timer(s);
		ok(lt >= 0 && s->rows[lt].counts[2] == 14979, "zynqmp: arch_timer CPU2 14979");
		r = td_interrupts_find(s, "55", NULL);
		is_str(r ? r->chip : NULL, "zynq-gpio", "zynqmp: zynq-gpio chip");
		td_interrupts_free(s);
	}
	if ((s = load(dir, "/arm32-keystone2-xen-dom0-1cpu-gic0-xen-dyn.txt"))) {
		r = td_interrupts_find(s, "21", NULL);
		is_str(r ? r->chip : NULL, "xen-dyn", "keystone: xen-dyn chip");
		ok(r && !r->has_hwirq, "keystone: xen-dyn has no hwirq");
		is_str(r ? r->actions : NULL, "xenbus", "keystone: handler name skipped");
		r = td_interrupts_find(s, "74", NULL);
		is_str(r ? r->actions : NULL, "PCIe PME, aerdrv", "keystone: two actions");
		r = td_interrupts_find(s, "25", NULL);
		ok(r && r->actions == NULL && r->has_hwirq && r->hwirq == 318,
		    "keystone: IRQ without action");
		lt = td_interrupts_local_timer(s);
		ok(lt >= 0 && s->rows[lt].counts[0] == 10380, "keystone: arch_timer 10380");
		td_interrupts_free(s);
	}
	if ((s = load(dir, "/ppc64le-power9-kvm-guest-xive-1cpu.txt"))) {
		const struct td_irq_row *r2;

		r = td_interrupts_find(s, "LOC", "Local timer interrupts for timer event device");
		r2 = td_interrupts_find(s, "LOC", "Local timer interrupts for others");
		ok(r && r2 && r != r2, "ppc: the two LOC rows are told apart by description");
		lt = td_interrupts_local_timer(s);
		ok(lt >= 0 && &s->rows[lt] == r, "ppc: local timer = LOC for timer event device");
		ok(r && r->counts[0] == 10508, "ppc: LOC 10508");
		r = td_interrupts_find(s, "257", NULL);
		is_str(r ? r->chip : NULL, "XIVE-IRQ", "ppc: chip XIVE-IRQ");
		td_interrupts_free(s);
	}
}

/* Hand-made shapes in tests/fixtures/interrupts. */
static void
test_fixtures(void)
{
	struct td_interrupts *s, *a, *b;
	struct td_interrupts_delta *d;
	const struct td_irq_row *r;
	const struct td_irq_delta_row *dr;
	uint64_t v;
	int lt, i, bad;

	if ((s = load(fixture_path("interrupts"), "/x86-1cpu.txt"))) {
		is_int(s->ncpus, 1, "1cpu: one CPU");
		r = td_interrupts_find(s, "ERR", NULL);
		ok(r && r->total_only && r->total == 7, "1cpu: ERR total 7");
		r = td_interrupts_find(s, "MIS", NULL);
		ok(r && r->total_only && r->total == 3, "1cpu: MIS total 3");
		lt = td_interrupts_local_timer(s);
		ok(lt >= 0 && td_interrupts_count(s, &s->rows[lt], 0, &v) == 0 && v == 123456,
		    "1cpu: LOC 123456");
		td_interrupts_free(s);
	}
	if ((s = load(fixture_path("interrupts"), "/x86-256cpu.txt"))) {
		is_int(s->ncpus, 256, "256cpu: 256 CPUs");
		lt = td_interrupts_local_timer(s);
		for (i = 0, bad = 0; lt >= 0 && i < 256; i++)
			if (td_interrupts_count(s, &s->rows[lt], i, &v) < 0 || v != 1000u + i)
				bad++;
		ok(lt >= 0 && bad == 0, "256cpu: LOC of CPU n is 1000+n");
		r = td_interrupts_find(s, "120", NULL);
		ok(r && td_interrupts_count(s, r, 255, &v) == 0 && v == 765, "256cpu: IRQ 120 CPU255");
		is_str(r ? r->actions : NULL, "nvme0q0, nvme0q1", "256cpu: actions");
		td_interrupts_free(s);
	}
	if ((s = load(fixture_path("interrupts"), "/x86-offline-cpu1.txt"))) {
		is_int(s->ncpus, 3, "offline: three columns");
		ok(s->cpus[0] == 0 && s->cpus[1] == 2 && s->cpus[2] == 3, "offline: CPUs 0 2 3");
		r = td_interrupts_find(s, "16", NULL);
		ok(r && td_interrupts_count(s, r, 2, &v) == 0 && v == 3993,
		    "offline: column 2 is CPU2");
		ok(r && td_interrupts_count(s, r, 1, &v) == -ENOENT, "offline: CPU1 absent");
		td_interrupts_free(s);
	}
	if ((s = load(fixture_path("interrupts"), "/arm64-spaces.txt"))) {
		r = td_interrupts_find(s, "IPI0", NULL);
		ok(r && r->ncounts == 4 && r->counts[0] == 2768808080u &&
		    r->counts[3] == 4294967295u, "arm64: 10-digit counts touching the label");
		is_str(r ? r->desc : NULL, "Rescheduling interrupts", "arm64: IPI0 description");
		r = td_interrupts_find(s, "IPI2", NULL);
		is_str(r ? r->desc : NULL, "CPU stop (for crash dump) interrupts",
		    "arm64: description with spaces and brackets");
		r = td_interrupts_find(s, "100", NULL);
		is_str(r ? r->chip : NULL, "PCIe MSI", "arm64: chip PCIe MSI");
		is_str(r ? r->actions : NULL, "PCIe PME, aerdrv", "arm64: actions PCIe PME, aerdrv");
		r = td_interrupts_find(s, "25", NULL);
		ok(r && r->actions == NULL, "arm64: no action, trailing blanks");
		lt = td_interrupts_local_timer(s);
		ok(lt >= 0 && s->rows[lt].irq == 11, "arm64: arch_timer, not kvm vtimer");
		td_interrupts_free(s);
	}

	/* An IRQ appears between two snapshots: the other rows keep their deltas. */
	a = load(fixture_path("interrupts"), "/snap-a.txt");
	b = load(fixture_path("interrupts"), "/snap-b-irq24-new.txt");
	if (ok(a && b && td_interrupts_delta(a, b, &d) == 0, "appear: delta")) {
		dr = td_interrupts_delta_find(d, "24", NULL);
		ok(dr && dr->state == TD_IRQ_NEW, "appear: IRQ 24 flagged new");
		ok(dr && td_interrupts_delta_cell(d, dr, 0, &v) == 0 && v == 11,
		    "appear: new IRQ counts from 0");
		dr = td_interrupts_delta_find(d, "19", NULL);
		ok(dr && dr->state == TD_IRQ_KEPT && td_interrupts_delta_cell(d, dr, 2, &v) == 0 &&
		    v == 27, "appear: IRQ 19 CPU2 +27 (not shifted)");
		dr = td_interrupts_delta_find(d, "LOC", NULL);
		ok(dr && td_interrupts_delta_cell(d, dr, 0, &v) == 0 && v == 33 &&
		    td_interrupts_delta_cell(d, dr, 3, &v) == 0 && v == 57,
		    "appear: LOC CPU0 +33, CPU3 +57");
		dr = td_interrupts_delta_find(d, "RES", NULL);
		ok(dr && dr->total_known && dr->total == 0, "appear: RES unchanged");
		dr = td_interrupts_delta_find(d, "ERR", NULL);
		ok(dr && dr->total_only && dr->total_known && dr->total == 0, "appear: ERR +0");
		td_interrupts_delta_free(d);
	}
	td_interrupts_free(b);

	/* A CPU goes offline, an IRQ appears and another vanishes. */
	b = load(fixture_path("interrupts"), "/snap-b-cpu1-offline-irq24-new.txt");
	if (ok(a && b && td_interrupts_delta(a, b, &d) == 0, "offline: delta")) {
		is_int(d->ncpus, 4, "offline: union of CPUs");
		ok(d->ncpus == 4 && d->cpu_both[0] && !d->cpu_both[1] && d->cpu_both[2],
		    "offline: CPU1 not in both");
		dr = td_interrupts_delta_find(d, "LOC", NULL);
		ok(dr && td_interrupts_delta_cell(d, dr, 1, &v) == -ENOENT,
		    "offline: CPU1 delta unknown, not 0");
		ok(dr && td_interrupts_delta_cell(d, dr, 2, &v) == 0 && v == 1000,
		    "offline: LOC CPU2 +1000 (by CPU number, not column)");
		ok(dr && td_interrupts_delta_cell(d, dr, 3, &v) == 0 && v == 100,
		    "offline: LOC CPU3 +100");
		dr = td_interrupts_delta_find(d, "16", NULL);
		ok(dr && td_interrupts_delta_cell(d, dr, 3, &v) == 0 && v == 8,
		    "offline: IRQ 16 CPU3 +8");
		dr = td_interrupts_delta_find(d, "18", NULL);
		ok(dr && dr->state == TD_IRQ_GONE && !dr->total_known, "offline: IRQ 18 gone");
		dr = td_interrupts_delta_find(d, "24", NULL);
		ok(dr && dr->state == TD_IRQ_NEW && td_interrupts_delta_cell(d, dr, 3, &v) == 0 &&
		    v == 3, "offline: IRQ 24 new, CPU3 3");
		dr = td_interrupts_delta_find(d, "ERR", NULL);
		ok(dr && dr->total_known && dr->total == 3, "offline: ERR +3");
		td_interrupts_delta_free(d);
	}
	/* Backwards: the CPU comes online again, counters that shrank are not invented. */
	if (ok(a && b && td_interrupts_delta(b, a, &d) == 0, "reverse: delta")) {
		dr = td_interrupts_delta_find(d, "18", NULL);
		ok(dr && dr->state == TD_IRQ_NEW, "reverse: IRQ 18 new");
		dr = td_interrupts_delta_find(d, "LOC", NULL);
		ok(dr && td_interrupts_delta_cell(d, dr, 1, &v) == -ENOENT,
		    "reverse: CPU1 unknown");
		ok(dr && td_interrupts_delta_cell(d, dr, 0, &v) == -ENOENT && !dr->wrapped,
		    "reverse: a count that went back by 1000 is unknown, not a wrap");
		td_interrupts_delta_free(d);
	}
	td_interrupts_free(a);
	td_interrupts_free(b);

	/* A 32-bit counter wraps; an IRQ number given to another device starts again. */
	a = b = NULL;
	d = NULL;
	ok(parse_str("CPU0 CPU1\n 30: 4294967000 5 PCI-MSI 1-edge eth0\n"
	    " 31: 900 900 PCI-MSI 2-edge nvme0q1\n", &a, NULL) == 0 &&
	    parse_str("CPU0 CPU1\n 30: 100 6 PCI-MSI 1-edge eth0\n"
	    " 31: 3 0 PCI-MSI 7-edge xhci_hcd\n", &b, NULL) == 0 &&
	    td_interrupts_delta(a, b, &d) == 0, "wrap: delta");
	if (d != NULL) {
		dr = td_interrupts_delta_find(d, "30", NULL);
		ok(dr && dr->wrapped && td_interrupts_delta_cell(d, dr, 0, &v) == 0 && v == 396 &&
		    td_interrupts_delta_cell(d, dr, 1, &v) == 0 && v == 1, "wrap: CPU0 +396");
		ok(d->nrows == 3, "reuse: IRQ 31 on another hwirq is a new row and a gone row");
		for (i = 0, bad = 0; i < (int)d->nrows; i++)
			if (strcmp(d->rows[i].label, "31") == 0)
				bad |= d->rows[i].state == TD_IRQ_NEW ? 1 :
				    d->rows[i].state == TD_IRQ_GONE ? 2 : 4;
		ok(bad == 3, "reuse: IRQ 31 flagged new and gone, never a negative delta");
		td_interrupts_delta_free(d);
	}
	td_interrupts_free(a);
	td_interrupts_free(b);
}

/* Bad input: an error naming the line, never a crash. */
static void
test_bad(void)
{
	static const struct {
		const char *text;
		long line;
		const char *what;
	} bad[] = {
		{ "", 0, "empty" },
		{ "\n\n", 2, "blank only" },
		{ "hello world\n", 1, "no header" },
		{ "   CPU0 CPU0\n", 1, "duplicate CPU" },
		{ "   CPU1 CPU0\n", 1, "descending CPUs" },
		{ "   CPU0x\n", 1, "bad CPU token" },
		{ "   CPU99999999999999999999\n", 1, "huge CPU" },
		{ "   CPU0\n  0:   1  IO-APIC 2-edge timer\nbroken line\n", 3, "no colon" },
		{ "   CPU0\n  0:  99999999999999999999999  x\n", 2, "count overflow" },
		{ "   CPU0\n  0:  IO-APIC 2-edge timer\n", 2, "no counts" },
		{ "   CPU0\n :  1\n", 2, "empty label" },
		{ "   CPU0\n  0:  1 x\0y\n", 2, "NUL byte" },
	};
	struct td_interrupts *s;
	struct td_error e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].text);
		int r;

		if (strcmp(bad[i].what, "NUL byte") == 0)
			len = 20;
		memset(&e, 0, sizeof(e));
		r = td_interrupts_parse(bad[i].text, len, "bad.txt", &s, &e);
		ok(r == -EINVAL && s == NULL && e.line == bad[i].line &&
		    strcmp(e.path, "bad.txt") == 0 && e.msg[0] != '\0',
		    "bad input (%s): -EINVAL at line %ld: %s", bad[i].what, e.line, e.msg);
	}
	ok(parse_str("CPU0 CPU1 CPU2\nLOC: 1 2 Local timer\n", &s, &e) == 0 &&
	    s->rows[0].ncounts == 2 &&
	    !s->rows[0].total_only, "a row with fewer counts than CPUs is kept as is");
	td_interrupts_free(s);
	td_interrupts_free(NULL);
	td_interrupts_delta_free(NULL);
	ok(td_interrupts_local_timer(NULL) == -ENOENT, "no snapshot: no local timer row");
	memset(&e, 0, sizeof(e));
	ok(td_interrupts_load("/nonexistent-root", "/proc/interrupts", &s, &e) == -ENOENT &&
	    e.path[0] != '\0', "missing file: -ENOENT with the path");
}

/* The live kernel: this machine's /proc/interrupts, twice. */
static void
test_live(void)
{
	struct td_interrupts *a = NULL, *b = NULL;
	struct td_interrupts_delta *d = NULL;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int lt;

	if (access("/proc/interrupts", R_OK) != 0) {
		ok(1, "# SKIP no /proc/interrupts");
		return;
	}
	a = load("/", "/proc/interrupts");
	nanosleep(&ts, NULL);
	b = load("/", "/proc/interrupts");
	if (!ok(a && b, "live: /proc/interrupts parses"))
		goto out;
	is_int(a->ncpus, online, "live: one column per online CPU");
	lt = td_interrupts_local_timer(a);
	ok(lt >= 0, "live: local timer row found (%s)", lt >= 0 ? a->rows[lt].label : "-");
	if (lt >= 0 && td_interrupts_delta(a, b, &d) == 0) {
		const struct td_irq_delta_row *dr = td_interrupts_delta_find(d,
		    a->rows[lt].label, a->rows[lt].desc);

		ok(dr && dr->state == TD_IRQ_KEPT && dr->total_known,
		    "live: local timer delta known over 100 ms (%llu)",
		    dr ? (unsigned long long)dr->total : 0ULL);
	}
out:
	td_interrupts_delta_free(d);
	td_interrupts_free(a);
	td_interrupts_free(b);
}

/*
 * Two rows named arch_timer (arm32's secure and non-secure timer PPIs): the
 * parser marks the busiest one, and only that one.
 */
static void
test_two_arch_timers(void)
{
	const char *src = getenv("TD_SRCDIR");
	char root[4096];
	struct td_interrupts *a, *b;
	struct td_interrupts_delta *d = NULL;
	const struct td_irq_delta_row *r18, *r19;
	int lt, marked = 0;

	snprintf(root, sizeof(root), "%s/tests/fixtures/sysroots/arm32-two-arch-timer",
	    src ? src : "..");
	a = load(root, "/proc/interrupts");
	b = load(root, "/after/proc/interrupts");
	if (!ok(a != NULL && b != NULL, "two arch_timers: both snapshots parse"))
		goto out;
	lt = td_interrupts_local_timer(b);
	for (size_t i = 0; i < b->nrows; i++)
		marked += b->rows[i].local_timer;
	ok(lt >= 0 && b->rows[lt].irq == 19 && b->rows[lt].local_timer && marked == 1,
	    "two arch_timers: the parser marks the busiest row, IRQ 19, alone");
	if (!ok(td_interrupts_delta(a, b, &d) == 0, "two arch_timers: delta"))
		goto out;
	r18 = td_interrupts_delta_find(d, "18", NULL);
	r19 = td_interrupts_delta_find(d, "19", NULL);
	ok(r18 && r18->total == 402 && r19 && r19->total == 406,
	    "two arch_timers: both rows moved (402 and 406)");
out:
	td_interrupts_delta_free(d);
	td_interrupts_free(a);
	td_interrupts_free(b);
}

int
main(void)
{
	corpus_tests(test_kmatrix, test_public);
	test_fixtures();
	test_two_arch_timers();
	test_bad();
	test_live();
	return done_testing();
}
