/* --output FILE: write to a temporary file beside FILE, then rename it over FILE. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "outfile.h"

/* The one output of a run: its final name and its temporary name. */
static char out_path[4096];
static char out_tmp[2 * 4096 + 16];
static char out_dir[4096];

/* Remove a temporary file that was never renamed (an error exit, a failed write). */
static void
remove_tmp(void)
{
	if (out_tmp[0] != '\0')
		(void)unlink(out_tmp);
	out_tmp[0] = '\0';
}

/* A signal that ends the run removes the temporary file first (unlink is async-signal-safe). */
static void
on_signal(int sig)
{
	if (out_tmp[0] != '\0')
		(void)unlink(out_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line naming the file and the reason, the temporary file removed, exit 1. */
static noreturn void
fail(int err, const char *what)
{
	remove_tmp();
	fprintf(stderr, "%s: %s: %s%s\n", cli_prog, out_path, what, strerror(err));
	exit(CLI_EXIT_FAIL);
}

/* Open the temporary file: ".NAME.XXXXXX" in NAME's directory. */
FILE *
cli_outfile_open(const char *path)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	const char *slash, *base;
	mode_t mask;
	FILE *f;
	int fd;

	if (strlcpy(out_path, path, sizeof(out_path)) >= sizeof(out_path))
		fail(ENAMETOOLONG, "");
	slash = strrchr(out_path, '/');
	base = slash != NULL ? slash + 1 : out_path;
	if (*base == '\0')
		fail(EISDIR, "");
	if (slash == NULL)
		strlcpy(out_dir, ".", sizeof(out_dir));
	else if (slash == out_path)
		strlcpy(out_dir, "/", sizeof(out_dir));
	else
		snprintf(out_dir, sizeof(out_dir), "%.*s", (int)(slash - out_path), out_path);
	/* A hidden name without the .prom ending: the textfile collector skips it. */
	snprintf(out_tmp, sizeof(out_tmp), "%s/.%s.XXXXXX", out_dir, base);
	if (atexit(remove_tmp) != 0)
		fail(ENOMEM, "");
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa = { .sa_handler = on_signal };

		sigemptyset(&sa.sa_mask);
		(void)sigaction(sigs[i], &sa, NULL);
	}
	fd = mkstemp(out_tmp);
	if (fd < 0) {
		int err = errno;

		out_tmp[0] = '\0';
		fail(err, "cannot create a file beside it: ");
	}
	/* The mode a new file gets from the shell (0644 under umask 022), not mkstemp's 0600. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || (f = fdopen(fd, "w")) == NULL) {
		int err = errno;

		close(fd);
		fail(err, "");
	}
	return f;
}

/* Make the temporary file the output. */
void
cli_outfile_commit(FILE *f)
{
	int fd = fileno(f), dfd;

	if (fflush(f) != 0 || ferror(f) || fsync(fd) < 0) {
		int err = errno != 0 ? errno : EIO;

		fclose(f);
		fail(err, "cannot write: ");
	}
	if (fclose(f) != 0)
		fail(errno, "cannot write: ");
	if (rename(out_tmp, out_path) < 0)
		fail(errno, "cannot rename the new file over it: ");
	out_tmp[0] = '\0';
	/* The rename itself reaches the disk with the directory. */
	dfd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}
