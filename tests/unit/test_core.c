/* Unit tests of the library core: errors, paths, safe text, numbers, CPU sets, JSON, arena. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "internal.h"
#include "timerdiag.h"
#include "tap.h"
#include "test_hooks.h"

static void
test_error(void)
{
	struct td_error e;
	char buf[512];

	td_error_clear(&e);
	is_int(td_error_set(&e, ENOENT, "/proc/x", 57, "unexpected line '%s'", "foo"),
	    -ENOENT, "td_error_set returns -errno");
	is_str(td_error_str(&e, buf, sizeof(buf)), "/proc/x:57: unexpected line 'foo'",
	    "error formats as path:line: msg");
	td_error_set(&e, EACCES, "/proc/timer_list", 0, "Permission denied");
	is_str(td_error_str(&e, buf, sizeof(buf)), "/proc/timer_list: Permission denied",
	    "error without a line leaves it out");
}

static void
test_path(void)
{
	char p[64];

	td_path(NULL, "/proc/timer_list", p, sizeof(p));
	is_str(p, "/proc/timer_list", "live root keeps the path");
	td_path("/tmp/root/", "/proc/timer_list", p, sizeof(p));
	is_str(p, "/tmp/root/proc/timer_list", "sysroot is prefixed once");
	is_int(td_path("/x", "/a/very/long/path/that/does/not/fit/in/sixteen", p, 16),
	    -ENAMETOOLONG, "too long path is refused");
}

static void
test_read(void)
{
	struct td_buf b;
	struct td_error e;
	char tmpl[] = "/tmp/td-test-XXXXXX";
	int fd = mkstemp(tmpl);
	char big[100000];

	memset(big, 'x', sizeof(big));
	ok(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big), "write temp file");
	close(fd);
	is_int(td_read_file(tmpl, 1 << 20, &b, &e), 0, "read 100000 bytes");
	is_int(b.len, 100000, "length is right");
	is_int(b.data[b.len], 0, "buffer is NUL-terminated");
	td_buf_free(&b);
	is_int(td_read_file(tmpl, 1000, &b, &e), -EFBIG, "cap enforced");
	is_int(td_read_file("/nonexistent/x", 1000, &b, &e), -ENOENT, "missing file");
	is_str(e.path, "/nonexistent/x", "error names the file");
	unlink(tmpl);
	if (access("/proc/self/stat", R_OK) == 0) {
		is_int(td_read_file("/proc/self/stat", 1 << 20, &b, &e), 0,
		    "procfs file (size 0) is read to EOF");
		ok(b.len > 10, "procfs content is there");
		td_buf_free(&b);
	}
}

/* Peak resident memory of this process, in KiB. */
static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A regular file's size is checked before it is read: a 2 GiB file costs nothing. */
static void
test_read_size_first(void)
{
	char tmpl[] = "/tmp/td-test-big-XXXXXX";
	struct td_buf b;
	struct td_error e;
	long before;
	int fd = mkstemp(tmpl);

	ok(fd >= 0 && ftruncate(fd, (off_t)2 << 30) == 0, "sparse 2 GiB file made");
	close(fd);
	before = maxrss_kb();
	is_int(td_read_file(tmpl, TD_READ_CAP_DEFAULT, &b, &e), -EFBIG,
	    "2 GiB file refused");
	ok(b.data == NULL, "nothing handed back");
	ok(strstr(e.msg, "2147483648 bytes") != NULL, "the message gives the size: %s", e.msg);
	ok(maxrss_kb() - before < 16 * 1024, "refused before reading (peak RSS grew %ld KiB)",
	    maxrss_kb() - before);
	unlink(tmpl);
}

/* Make a file holding text. */
static void
put(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((f = fopen(p, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* Make a symbolic link dir/name -> target. */
static void
link_to(const char *dir, const char *name, const char *target)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (symlink(target, p) != 0)
		fprintf(stderr, "# symlink %s: %s\n", p, strerror(errno));
}

/* Read abs under root; its first line in out ("" on error), the result returned. */
static int
read_in(const char *root, const char *abs, char *out, size_t len, struct td_error *e)
{
	td_error_clear(e);
	out[0] = '\0';
	return td_read_line_root(root, abs, out, len, e);
}

/* The error e names root's file rel, as what says. */
static void
names(const struct td_error *e, const char *root, const char *rel, const char *what,
    const char *how)
{
	char want[512];

	snprintf(want, sizeof(want), "%s%s", root, rel);
	is_str(e->path, want, "%s: %s", how, what);
}

/* Every read under a sysroot stays in the tree, through openat2 or the walk. */
static void
test_sysroot_confined(const char *top, bool walk)
{
	char root[256], want[512], line[64], p[512];
	const char *how = walk ? "walk" : "openat2";
	struct td_error e;
	struct dirent *d;
	DIR *dp;
	int n = 0;

	td_source_walk_only(walk);
	snprintf(root, sizeof(root), "%s/root", top);

	is_int(read_in(root, "/proc/real", line, sizeof(line), &e), 0, "%s: plain file", how);
	is_str(line, "inside", "%s: plain file read", how);
	is_int(read_in(root, "/proc/inrel", line, sizeof(line), &e), 0,
	    "%s: relative link in the tree followed", how);
	is_str(line, "inside", "%s: its target read", how);
	is_int(read_in(root, "/proc/updown", line, sizeof(line), &e), 0,
	    "%s: link through .. that stays inside followed", how);
	is_str(line, "inside", "%s: its target read", how);
	is_int(read_in(root, "/class/dev/proc/real", line, sizeof(line), &e), 0,
	    "%s: a directory link in the tree (sysfs class style) followed", how);

	is_int(read_in(root, "/proc/abs", line, sizeof(line), &e), -EXDEV,
	    "%s: absolute link refused", how);
	is_str(line, "", "%s: nothing read through it", how);
	names(&e, root, "/proc/abs", "the error names the link", how);
	ok(strstr(e.msg, "leaves the tree") != NULL, "%s: and says why: %s", how, e.msg);
	is_int(read_in(root, "/proc/rel", line, sizeof(line), &e), -EXDEV,
	    "%s: ../../ link out refused", how);
	is_int(read_in(root, "/proc/deep", line, sizeof(line), &e), -EXDEV,
	    "%s: ../../../../ link far out refused", how);
	is_int(read_in(root, "/proc/loop1", line, sizeof(line), &e), -ELOOP,
	    "%s: link loop refused", how);
	snprintf(want, sizeof(want), "%s/proc/loop", root);
	ok(strncmp(e.path, want, strlen(want)) == 0, "%s: the error names a link of the loop: %s",
	    how, e.path);
	is_int(read_in(root, "/sys/x", line, sizeof(line), &e), -EXDEV,
	    "%s: absolute directory link out refused", how);
	names(&e, root, "/sys", "the error names the directory link", how);
	is_int(read_in(root, "/sysrel/x", line, sizeof(line), &e), -EXDEV,
	    "%s: relative directory link out refused", how);
	is_str(line, "", "%s: nothing read through it", how);
	is_int(read_in(root, "/proc/missing", line, sizeof(line), &e), -ENOENT,
	    "%s: a missing file is ENOENT", how);
	names(&e, root, "/proc/missing", "naming the joined path", how);
	is_int(read_in(root, "/proc/real/x", line, sizeof(line), &e), -ENOTDIR,
	    "%s: a file used as a directory is ENOTDIR", how);

	/* Only regular files are read in the tree, opened without waiting (alarm: no hang). */
	alarm(10);
	is_int(read_in(root, "/proc/fifo", line, sizeof(line), &e), -EINVAL,
	    "%s: a FIFO with no writer refused at once", how);
	names(&e, root, "/proc/fifo", "the error names the FIFO", how);
	is_str(e.msg, "not a regular file (a FIFO)", "%s: and says what it is", how);
	is_int(read_in(root, "/proc/fifolink", line, sizeof(line), &e), -EINVAL,
	    "%s: a FIFO reached through a link in the tree refused too", how);
	is_int(read_in(root, "/dir", line, sizeof(line), &e), -EINVAL,
	    "%s: a directory read as a file refused", how);
	is_str(e.msg, "not a regular file (a directory)", "%s: saying so", how);
	is_int(td_root_readable(root, "/proc/fifo", &e), 0,
	    "%s: a FIFO is there (readable), found without waiting", how);
	is_int(td_root_readable(root, "/proc/abs", &e), -EXDEV,
	    "%s: a link out is not readable", how);
	alarm(0);

	if ((dp = td_opendir_root(root, "/dirlink", p, sizeof(p), &e)) != NULL) {
		while ((d = readdir(dp)) != NULL)
			n += d->d_name[0] != '.';
		closedir(dp);
	}
	is_int(n, 2, "%s: a directory listed through a link in the tree", how);
	ok(td_opendir_root(root, "/sys", p, sizeof(p), &e) == NULL && e.code == EXDEV,
	    "%s: a directory link out is not listed", how);
	td_source_walk_only(false);
}

/* The tree the confinement tests read. */
static void
make_tree(const char *top)
{
	char root[256], d[512];

	snprintf(root, sizeof(root), "%s/root", top);
	put(top, "secret", "SECRET\n");
	snprintf(d, sizeof(d), "%s/out", top);
	mkdir(d, 0755);
	put(d, "x", "SECRET\n");
	mkdir(root, 0755);
	snprintf(d, sizeof(d), "%s/proc", root);
	mkdir(d, 0755);
	put(d, "real", "inside\n");
	snprintf(d, sizeof(d), "%s/secret", top);
	link_to(root, "proc/abs", d);
	link_to(root, "proc/rel", "../../secret");
	link_to(root, "proc/deep", "../../../../../../../../secret");
	link_to(root, "proc/inrel", "real");
	link_to(root, "proc/updown", "../proc/./real");
	link_to(root, "proc/loop1", "loop2");
	link_to(root, "proc/loop2", "loop1");
	snprintf(d, sizeof(d), "%s/out", top);
	link_to(root, "sys", d);
	link_to(root, "sysrel", "../out");
	snprintf(d, sizeof(d), "%s/class", root);
	mkdir(d, 0755);
	link_to(root, "class/dev", "..");
	snprintf(d, sizeof(d), "%s/dir", root);
	mkdir(d, 0755);
	put(d, "a", "a\n");
	put(d, "b", "b\n");
	link_to(root, "dirlink", "dir");
	snprintf(d, sizeof(d), "%s/proc/fifo", root);
	if (mkfifo(d, 0644) != 0)
		fprintf(stderr, "# mkfifo %s: %s\n", d, strerror(errno));
	link_to(root, "proc/fifolink", "fifo");
}

static void
test_sysroot(void)
{
	char top[] = "/tmp/td-test-root-XXXXXX", p[512];
	struct td_error e;
	struct td_buf b;

	if (mkdtemp(top) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	make_tree(top);
	ok(!td_sysroot_refused(NULL), "no refusal before any read");
	test_sysroot_confined(top, false);
	test_sysroot_confined(top, true);
	ok(td_sysroot_refused(&e) && e.code != 0, "the refusal is kept: %s", e.path);
	snprintf(p, sizeof(p), "%s/secret", top);
	is_int(td_read_root(NULL, p, 1 << 20, &b, &e), 0, "the live system reads as before");
	td_buf_free(&b);
	is_int(td_sysroot_check(NULL, &e), 0, "no sysroot is fine");
	is_int(td_sysroot_check(top, &e), 0, "a directory is fine");
	is_int(td_sysroot_check(p, &e), -ENOTDIR, "a regular file is not a sysroot");
	is_str(e.path, p, "the error names it");
	is_int(td_sysroot_check("/nonexistent/x", &e), -ENOENT, "a missing sysroot is ENOENT");
	snprintf(p, sizeof(p), "rm -rf '%s'", top);
	if (system(p) != 0)
		diag("could not remove %s", top);
}

static void
test_numbers(void)
{
	const char *s = "18446744073709551615 18446744073709551616 -9223372036854775808 abc";
	const char *p = s, *end = s + strlen(s);
	uint64_t u;
	int64_t i;

	is_int(td_parse_u64(&p, end, &u), 0, "u64 max parses");
	ok(u == UINT64_MAX, "u64 max value");
	p = td_skip_ws(p, end);
	is_int(td_parse_u64(&p, end, &u), -ERANGE, "u64 overflow is -ERANGE");
	p = strchr(p, ' ');
	p = td_skip_ws(p, end);
	is_int(td_parse_i64(&p, end, &i), 0, "i64 min parses");
	ok(i == INT64_MIN, "i64 min value");
	p = td_skip_ws(p, end);
	is_int(td_parse_i64(&p, end, &i), -EINVAL, "letters are not a number");
	p = "ffffffff81000000x";
	is_int(td_parse_hex(&p, p + 17, &u), 0, "hex parses");
	ok(u == 0xffffffff81000000ull && *p == 'x', "hex value and end");
}

static void
test_cpuset(void)
{
	struct td_cpuset s;
	char buf[64];

	is_int(td_cpuset_parse_list(&s, "0-3,8,10-11\n"), 0, "cpu list parses");
	is_int(td_cpuset_count(&s), 7, "cpu list count");
	is_str(td_cpuset_format(&s, buf, sizeof(buf)), "0-3,8,10-11", "cpu list round trip");
	is_int(td_cpuset_parse_list(&s, "(null)\n"), 0, "(null) is the empty set");
	is_int(td_cpuset_count(&s), 0, "(null) count");
	is_int(td_cpuset_parse_list(&s, "3-1"), -ERANGE, "reversed range refused");
	is_int(td_cpuset_parse_list(&s, "1,x"), -EINVAL, "garbage refused");
	is_int(td_cpuset_parse_mask(&s, "00000001,00000003"), 0, "bitmap with groups");
	is_str(td_cpuset_format(&s, buf, sizeof(buf)), "0-1,32", "bitmap decoded");
	is_int(td_cpuset_parse_mask(&s, "b4"), 0, "bitmap b4");
	is_str(td_cpuset_format(&s, buf, sizeof(buf)), "2,4-5,7", "bitmap b4 decoded");
}

/* Text from outside: control bytes, C1 and invalid UTF-8 escaped, good UTF-8 kept. */
static void
test_textsafe(void)
{
	static const char hostile[] = "\x1b]0;OWNED\x07\x1b[2J";
	char buf[128], again[128], small[12];
	char *out = NULL;
	size_t outlen = 0;
	struct td_error e;
	FILE *f;

	is_str(td_text_safe(buf, sizeof(buf), hostile), "\\x1b]0;OWNED\\x07\\x1b[2J",
	    "a PR_SET_NAME terminal escape is printed escaped");
	is_str(td_text_safe(buf, sizeof(buf), "caf\xc3\xa9 \xff\xc3 a\\b\tc\n"),
	    "caf\xc3\xa9 \\xff\\xc3 a\\b\\x09c\\x0a",
	    "good UTF-8 and backslashes kept, bad bytes, tab and newline escaped");
	is_str(td_text_safe(buf, sizeof(buf), "\xc2\x9b" "1m\x7f\xc2\xa0"),
	    "\\xc2\\x9b1m\\x7f\xc2\xa0", "C1 controls and DEL escaped, U+00A0 kept");
	is_str(td_text_safe(buf, sizeof(buf), "\xed\xa0\x80\xf4\x90\x80\x80\xe0\x80\xaf"),
	    "\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xe0\\x80\\xaf",
	    "surrogates, beyond U+10FFFF and overlong forms are invalid");
	td_text_safe(buf, sizeof(buf), hostile);
	is_str(td_text_safe(again, sizeof(again), buf), buf, "escaping twice changes nothing");
	is_str(td_text_safe(buf, sizeof(buf), NULL), "", "NULL is empty");
	is_str(td_text_safe(small, sizeof(small), "abcdefghijklmnop"), "abcdefgh...",
	    "a cut result ends in ...");
	is_str(td_text_safe(small, sizeof(small), "abcdef\x1bxyz"), "abcdef...",
	    "an escape is never cut");
	is_str(td_text_safe(small, sizeof(small), "abcdefgh..."), "abcdefgh...",
	    "a cut result escaped again stays the same");
	ok(td_text_is_clean(buf, strlen(buf), false), "escaped text is clean");
	ok(!td_text_is_clean(hostile, strlen(hostile), false), "raw escapes are not clean");
	ok(td_text_is_clean("a\tb\n", 4, true) && !td_text_is_clean("a\tb\n", 4, false),
	    "newline and tab allowed only in whole lines");
	ok(!td_text_is_clean("\xc3", 1, true), "a cut character is not clean");

	f = open_memstream(&out, &outlen);
	td_text_write(f, "a\0b\xfe", 4);
	fputc('|', f);
	td_prom_label(f, "q\"\\\n\x1b\xff\xc3\xa9");
	fclose(f);
	is_str(out, "a\\x00b\\xfe|q\\\"\\\\\\n\\\\x1b\\\\xff\xc3\xa9",
	    "stream escape keeps NUL visible; Prometheus label escapes its own way, "
	    "bad bytes as literal \\xNN");
	free(out);

	td_error_set(&e, EINVAL, "/x/\x1b", 3, "unexpected line '%s'", "\x1b[2J\xff");
	is_str(e.msg, "unexpected line '\\x1b[2J\\xff'", "error messages quote files safely");
	is_str(e.path, "/x/\\x1b", "error paths are safe too");
}

/* Rows written with and without fixed keys (a key buffer rewritten after forgetting). */
static char *
json_rows(bool pretty, bool fixed)
{
	static const char *const keys[] = { "count", "a\"quote", "long_key_of_forty_nine_bytes_abcdefghijklmnopqrs",
	    "" };
	char *out = NULL, buf[8];
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	struct td_json j;

	td_json_init(&j, f, pretty);
	td_json_obj_begin(&j, NULL);
	strcpy(buf, "cpu");
	for (size_t i = 0; fixed && i < TD_ARRAY_SIZE(keys); i++)
		td_json_key_fixed(&j, keys[i]);
	if (fixed)
		td_json_key_fixed(&j, buf);
	td_json_arr_begin(&j, "rows");
	for (int r = 0; r < 3; r++) {
		td_json_obj_begin(&j, NULL);
		for (size_t i = 0; i < TD_ARRAY_SIZE(keys); i++)
			td_json_uint(&j, keys[i], (uint64_t)r * 10 + i);
		td_json_unknown(&j, buf, "not traced");
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	td_json_keys_forget(&j);
	strcpy(buf, "tid");
	td_json_int(&j, buf, -1);
	td_json_unknowns(&j);
	td_json_obj_end(&j);
	td_json_finish(&j);
	fclose(f);
	return out;
}

/* Fixed keys change nothing in the output, compact or pretty. */
static void
test_json_fixed_keys(void)
{
	for (int pretty = 0; pretty < 2; pretty++) {
		char *a = json_rows(pretty, false), *b = json_rows(pretty, true);

		ok(a != NULL && b != NULL && strcmp(a, b) == 0 && strstr(b, "\"tid\"") != NULL &&
		    strstr(b, "\"a\\\"quote\"") != NULL,
		    "json: fixed keys write the same bytes (%s), a forgotten key's new text is written",
		    pretty ? "pretty" : "compact");
		free(a);
		free(b);
	}
}

static void
test_json(void)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	struct td_json j;

	td_json_init(&j, f, false);
	td_json_obj_begin(&j, NULL);
	td_json_str(&j, "comm", "a\"b\\c\n\x01\xff\xc3\xa9");
	td_json_int(&j, "n", -5);
	td_json_arr_begin(&j, "list");
	td_json_uint(&j, NULL, 1);
	td_json_null(&j, NULL);
	td_json_arr_end(&j);
	td_json_obj_begin(&j, "empty");
	td_json_obj_end(&j);
	td_json_double(&j, "rate", 12.345, 2);
	td_json_obj_end(&j);
	is_int(td_json_finish(&j), 0, "json document finishes");
	fclose(f);
	is_str(out, "{\"comm\":\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\",\"n\":-5,"
	    "\"list\":[1,null],\"empty\":{},\"rate\":12.35}\n",
	    "json escapes control bytes and bad UTF-8, keeps good UTF-8");
	free(out);

	f = open_memstream(&out, &outlen);
	td_json_init(&j, f, false);
	td_json_str(&j, NULL, "\x1b\xc2\x9b\x7f\xc2\xa0");
	is_int(td_json_finish(&j), 0, "a lone string is a document");
	fclose(f);
	is_str(out, "\"\\u001b\\u009b\\u007f\xc2\xa0\"\n", "json escapes C1 controls too");
	free(out);

	/* Unknown values: null, their reasons by path in one "unknown" object. */
	f = open_memstream(&out, &outlen);
	td_json_init(&j, f, false);
	td_json_obj_begin(&j, NULL);
	td_json_unknown(&j, "hz", "no config");
	td_json_arr_begin(&j, "per_cpu");
	for (int i = 0; i < 3; i++) {
		td_json_obj_begin(&j, NULL);
		td_json_unknown(&j, "pid", i == 2 ? "armed early" : "not traced");
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	td_json_obj_begin(&j, "tick");
	td_json_unknown(&j, "period_ns", NULL);
	td_json_obj_end(&j);
	td_json_unknowns(&j);
	td_json_obj_end(&j);
	is_int(td_json_finish(&j), 0, "json with unknowns finishes");
	fclose(f);
	is_str(out, "{\"hz\":null,\"per_cpu\":[{\"pid\":null},{\"pid\":null},{\"pid\":null}],"
	    "\"tick\":{\"period_ns\":null},\"unknown\":{\"hz\":\"no config\","
	    "\"per_cpu[].pid\":\"not traced; armed early\",\"tick.period_ns\":\"not known\"}}\n",
	    "unknown: null members, one reason per path, rows as [], reasons joined");
	free(out);

	/* Numbers with decimals exactly as printf writes them, ties and signs too. */
	{
		static const double vs[] = { 0, -0.0, 0.5, 1.5, 2.5, 0.125, 0.375, 2.675, 1.005,
		    -0.0001, -1.5, 12.345, 5000, 0.05, 0.15, 0.25, 0.35, 1e15 + 0.5, 9.995,
		    123456789.987654321, 4503599627370495.5, 9007199254740993.0, 1e300, 3e-320 };
		char want[400], *got = NULL;
		size_t glen = 0;
		int bad = 0;

		for (int k = 0; k < 20000 + (int)TD_ARRAY_SIZE(vs); k++) {
			double v = k < (int)TD_ARRAY_SIZE(vs) ? vs[k] :
			    (double)(k * 7919 % 100003) / (double)(1 + k % 1000) *
			    (k % 3 == 0 ? -1 : 1);

			for (int d = 0; d <= 10; d++) {
				f = open_memstream(&got, &glen);
				td_json_init(&j, f, false);
				td_json_double(&j, NULL, v, d);
				td_json_finish(&j);
				fclose(f);
				snprintf(want, sizeof(want), "%.*f\n", d, v);
				if (strcmp(got, want) != 0 && bad++ < 3)
					diag("%.17g with %d decimals: %s, printf %s", v, d, got, want);
				free(got);
				got = NULL;
			}
		}
		is_int(bad, 0, "json numbers with decimals are printf's, digit for digit");
	}

	/*
	 * Many rows: a reason is kept once per path however the key and the
	 * reason are handed over (a buffer rewritten between calls too), and
	 * containers of the same key under different parents are other paths.
	 */
	f = open_memstream(&out, &outlen);
	td_json_init(&j, f, false);
	td_json_obj_begin(&j, NULL);
	td_json_arr_begin(&j, "rows");
	for (int i = 0; i < 300; i++) {
		char key[8], why[16];

		td_json_obj_begin(&j, NULL);
		snprintf(key, sizeof(key), "k%d", i % 3);
		snprintf(why, sizeof(why), "why %d", i % 2);
		td_json_unknown(&j, key, why);
		snprintf(key, sizeof(key), "k%d", (i + 1) % 3);
		td_json_unknown(&j, key, "same");
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	td_json_obj_begin(&j, "a");
	td_json_obj_begin(&j, "in");
	td_json_unknown(&j, "k", "under a");
	td_json_obj_end(&j);
	td_json_obj_end(&j);
	td_json_obj_begin(&j, "b");
	td_json_obj_begin(&j, "in");
	td_json_unknown(&j, "k", "under b");
	td_json_obj_end(&j);
	td_json_obj_end(&j);
	td_json_unknowns(&j);
	td_json_obj_end(&j);
	is_int(td_json_finish(&j), 0, "json with many unknown rows finishes");
	fclose(f);
	ok(out != NULL && strstr(out, ",\"unknown\":{\"rows[].k0\":\"why 0; same; why 1\","
	    "\"rows[].k1\":\"same; why 1; why 0\",\"rows[].k2\":\"same; why 0; why 1\","
	    "\"a.in.k\":\"under a\",\"b.in.k\":\"under b\"}}\n") != NULL,
	    "unknown rows: each path's reasons once, whatever buffers hold key and reason");
	free(out);

	test_json_fixed_keys();

	f = open_memstream(&out, &outlen);
	td_json_init(&j, f, false);
	td_json_obj_begin(&j, NULL);
	is_int(td_json_finish(&j), -EINVAL, "unclosed object is reported");
	fclose(f);
	free(out);
}

/*
 * The record arena: small inputs start small; an expected big input starts on
 * one mapped chunk of about its size; a run that outgrows its chunk moves with
 * its contents.
 */
static void
test_arena(void)
{
	struct td_arena a, b, c;
	char *r, *s;
	bool same = true;
	size_t n;

	td_arena_init(&a);
	td_arena_expect(&a, 1000);
	r = td_arena_grow(&a, 0, 100);
	ok(r != NULL && a.bytes == 16 * 1024, "arena: a small input gets a small chunk (%zu)",
	    a.bytes);
	td_arena_fini(&a);

	td_arena_init(&b);
	td_arena_expect(&b, (size_t)5 << 20);
	r = td_arena_grow(&b, 0, 4096);
	ok(r != NULL && b.bytes == (size_t)6 << 20 && ((uintptr_t)r & 15) == 0,
	    "arena: 5 MiB expected, one 6 MiB chunk (%zu)", b.bytes);
	if (r != NULL) {
		memset(r, 'a', 4096);
		td_arena_close(&b, 4096);
		r = td_arena_grow(&b, 0, (size_t)6 << 20);	/* more than is left */
	}
	if (r != NULL) {
		memset(r, 'b', 1000);
		s = td_arena_grow(&b, 1000, (size_t)13 << 20);	/* moves, keeping 1000 */
		for (size_t i = 0; s != NULL && i < 1000; i++)
			same &= s[i] == 'b';
		ok(s != NULL && s != r && same && b.bytes > (size_t)18 << 20,
		    "arena: a run that outgrows its chunk moves with its contents");
	} else
		ok(0, "arena: grow");
	n = b.next;
	td_arena_expect(&b, (size_t)64 << 20);		/* too late: ignored */
	ok(b.next == n && n < (size_t)64 << 20, "arena: expectation after the first chunk ignored");
	td_arena_fini(&b);

	td_arena_init(&c);
	td_arena_expect(&c, (size_t)1 << 40);
	r = td_arena_grow(&c, 0, 64);
	ok(r != NULL && c.bytes == (size_t)64 << 20, "arena: expectation capped at 64 MiB (%zu)",
	    c.bytes);
	td_arena_fini(&c);
}

int
main(void)
{
	test_error();
	test_path();
	test_read();
	test_read_size_first();
	test_sysroot();
	test_numbers();
	test_cpuset();
	test_textsafe();
	test_json();
	test_arena();
	return done_testing();
}
