/* Tests of the RTC reader (fixtures, live sysfs) and the TSC flags of /proc/cpuinfo. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <signal.h>
#include <time.h>

#include "rtc.h"
#include "tsc.h"
#include "source.h"
#include "tap.h"

/* Fixture sysroot path. */
static const char *
fix(const char *name)
{
	static char d[1024];
	const char *src = getenv("TD_SRCDIR");

	snprintf(d, sizeof(d), "%s/tests/fixtures/rtc/%s", src ? src : "..", name);
	return d;
}

/* RTCs of the fixture tree: values, derived epoch, drift, order, unreadable attribute. */
static void
test_fixture(void)
{
	struct td_rtcs *rs = NULL;
	struct td_error e = { 0 };
	int64_t now = 1795377463 + 5;

	if (!ok(td_rtc_read(fix("sysroot"), &now, &rs, &e) == 0, "fixture: read"))
		return;
	is_int(rs->n, 3, "fixture: three RTCs");
	if (rs->n != 3)
		goto out;
	ok(strcmp(rs->rtc[0].dev, "rtc0") == 0 && strcmp(rs->rtc[1].dev, "rtc1") == 0 &&
	    strcmp(rs->rtc[2].dev, "rtc10") == 0, "fixture: ordered rtc0 rtc1 rtc10");
	is_str(rs->rtc[0].name, "rtc_cmos", "rtc0: name");
	is_str(rs->rtc[0].date, "2026-11-22", "rtc0: date");
	is_str(rs->rtc[0].time, "19:57:43", "rtc0: time");
	ok(rs->rtc[0].has_since_epoch && rs->rtc[0].since_epoch == 1795377463 &&
	    !rs->rtc[0].since_epoch_derived, "rtc0: since_epoch from the file");
	is_int(rs->rtc[0].hctosys, 1, "rtc0: hctosys 1");
	ok(rs->rtc[0].has_drift && rs->rtc[0].drift_s == -5, "rtc0: 5 s behind the given now");
	is_str(rs->rtc[0].absent, "", "rtc0: nothing missing");
	ok(rs->rtc[1].has_since_epoch && rs->rtc[1].since_epoch_derived &&
	    rs->rtc[1].since_epoch == 1709251199, "rtc1: since_epoch derived from 2024-02-29 23:59:59");
	is_int(rs->rtc[1].hctosys, 0, "rtc1: hctosys 0");
	ok(rs->rtc[2].hctosys == -1 && !rs->rtc[2].has_since_epoch && !rs->rtc[2].has_drift &&
	    rs->rtc[2].date[0] == '\0', "rtc10: unknown values stay absent, not 0");
	ok(strstr(rs->rtc[2].absent, "date: ") != NULL, "rtc10: why date is missing: %s",
	    rs->rtc[2].absent);
out:
	td_rtcs_free(rs);
	rs = NULL;
	ok(td_rtc_read(fix("sysroot"), NULL, &rs, &e) == 0 && rs->n == 3 && !rs->rtc[0].has_drift,
	    "no now (a capture): no drift");
	td_rtcs_free(rs);
	ok(td_rtc_read(fix("norc"), NULL, &rs, &e) == 0 && rs->n == 0,
	    "no /sys/class/rtc: no RTC, no error");
	td_rtcs_free(rs);
	td_rtcs_free(NULL);
}

/* TSC flags: fixtures, every kmatrix capture, the live machine. */
static void
test_tsc(const char *corpus)
{
	struct td_tsc_flags f;
	struct td_error e = { 0 };
	char dir[1024];
	static const char *const amd[] = {
		"amd64-6.1-generic-default", "amd64-6.12-generic-default", "amd64-7.2-generic-default",
	};
	size_t i;

	ok(td_tsc_flags_read(fix("sysroot"), &f, &e) == 0 && f.known, "fixture: flags line found");
	ok(f.tsc && f.constant_tsc && f.tsc_known_freq && !f.nonstop_tsc && !f.tsc_reliable,
	    "fixture: first flags line only, whole words only");
	ok(td_tsc_flags_read(fix("norc"), &f, &e) == 0 && !f.known && !f.tsc,
	    "arm64 cpuinfo: flags absent");
	memset(&e, 0, sizeof(e));
	ok(td_tsc_flags_read("/nonexistent-root", &f, &e) == -ENOENT && strstr(e.path, "cpuinfo"),
	    "missing cpuinfo: -ENOENT naming the file");
	ok(td_tsc_flags_parse("flags : tsc", 11, &f) == 0 && f.known && f.tsc,
	    "flags line without a newline");
	if (corpus != NULL) {
		for (i = 0; i < sizeof(amd) / sizeof(amd[0]); i++) {
			snprintf(dir, sizeof(dir), "%s/kmatrix/%s", corpus, amd[i]);
			ok(td_tsc_flags_read(dir, &f, &e) == 0 && f.known && f.tsc && f.rdtscp &&
			    !f.constant_tsc && !f.nonstop_tsc, "%s: tsc without constant_tsc (TCG)",
			    amd[i]);
		}
		snprintf(dir, sizeof(dir), "%s/kmatrix/host-6.18-kvm-guest", corpus);
		ok(td_tsc_flags_read(dir, &f, &e) == 0 && f.tsc && f.constant_tsc && f.nonstop_tsc &&
		    f.tsc_known_freq && !f.tsc_reliable && f.tsc_deadline_timer,
		    "host-6.18: constant, nonstop, known freq, not reliable");
		snprintf(dir, sizeof(dir), "%s/kmatrix/arm64-6.1-generic-default", corpus);
		ok(td_tsc_flags_read(dir, &f, &e) == 0 && !f.known, "arm64 capture: no TSC flags");
	}
#if defined(__x86_64__) || defined(__i386__)
	ok(td_tsc_flags_read(NULL, &f, &e) == 0 && f.known && f.tsc, "live x86: tsc flag");
#else
	ok(td_tsc_flags_read(NULL, &f, &e) == 0 && !f.known, "live non-x86: no flags line");
#endif
}

/* The live sysfs: whatever RTCs exist are read, with a drift against now. */
static void
test_live(void)
{
	struct td_rtcs *rs = NULL;
	struct td_error e = { 0 };
	int64_t now = (int64_t)time(NULL);
	size_t i, bad = 0;

	if (!ok(td_rtc_read(NULL, &now, &rs, &e) == 0, "live: /sys/class/rtc read"))
		return;
	for (i = 0; i < rs->n; i++)
		if (rs->rtc[i].has_since_epoch != rs->rtc[i].has_drift)
			bad++;
	ok(bad == 0, "live: %zu RTCs, a drift for each one with a time", rs->n);
	td_rtcs_free(rs);
}

/*
 * A big machine's cpuinfo is read only as far as the first flags line: from a
 * pipe that never ends (a hang would be an alarm), from a 4,096-CPU file whose
 * later CPUs have other flags, and a file without flags larger than the cap.
 */
static void
test_tsc_big(void)
{
	char root[] = "/tmp/td-cpuinfo-XXXXXX", dir[64], path[96];
	struct td_tsc_flags f;
	struct td_error e = { 0 };
	pid_t pid = -1;
	FILE *w;

	if (!ok(mkdtemp(root) != NULL, "cpuinfo: temporary root"))
		return;
	snprintf(dir, sizeof(dir), "%s/proc", root);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/cpuinfo", dir);
	if (mkfifo(path, 0600) == 0 && (pid = fork()) == 0) {
		if ((w = fopen(path, "w")) != NULL) {
			fputs("processor\t: 0\nvendor_id\t: AuthenticAMD\n"
			    "flags\t\t: fpu tsc constant_tsc nonstop_tsc\nbogomips\t: 4000\n\n", w);
			fflush(w);
			sleep(10);	/* the rest of a big machine, never written */
		}
		_exit(0);
	}
	alarm(5);
	ok(td_tsc_flags_read(root, &f, &e) == 0 && f.tsc && f.constant_tsc && f.nonstop_tsc,
	    "cpuinfo: the read stops at the first flags line");
	alarm(0);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	unlink(path);
	if ((w = fopen(path, "w")) != NULL) {
		for (int c = 0; c < 4096; c++)
			fprintf(w, "processor\t: %d\nmodel name\t: a long model name to fill the file\n"
			    "flags\t\t: fpu %s\n\n", c, c == 0 ? "tsc rdtscp" : "constant_tsc");
		fclose(w);
	}
	ok(td_tsc_flags_read(root, &f, &e) == 0 && f.tsc && f.rdtscp && !f.constant_tsc,
	    "cpuinfo: 4,096 CPUs, the first CPU's flags");
	if ((w = fopen(path, "w")) != NULL) {
		for (int c = 0; c < 40000; c++)
			fprintf(w, "processor\t: %d\nFeatures\t: fp asimd evtstrm aes pmull\n\n", c);
		fclose(w);
	}
	ok(td_tsc_flags_read(root, &f, &e) == 0 && !f.known,
	    "cpuinfo: 2 MB without a flags line, no flags and no error");
	unlink(path);
	rmdir(dir);
	rmdir(root);
}

int
main(void)
{
	test_fixture();
	test_tsc(corpus_dir());
	test_tsc_big();
	test_live();
	return done_testing();
}
