/*
 * --output FILE: a report written to a temporary file in FILE's directory,
 * flushed to disk and renamed over FILE, so a reader (node_exporter's textfile
 * collector) sees the old file or the new one, never a part of one.
 */
#ifndef TD_OUTFILE_H
#define TD_OUTFILE_H

#include <stdio.h>

/*
 * Open the temporary file for path; on failure exit 1 with one line naming
 * path.  The temporary file is removed at exit unless cli_outfile_commit()
 * renamed it.
 */
FILE *cli_outfile_open(const char *path);
/*
 * Flush, fsync and close f, rename it to the path given to cli_outfile_open()
 * and fsync the directory.  On failure exit 1 with one line naming the path;
 * the old file is left as it was.
 */
void cli_outfile_commit(FILE *f);

#endif
