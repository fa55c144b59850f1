/* /proc/timer_stats parser (all versions). */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "timer_stats.h"

/* Parse a timer_stats text (not yet implemented). */
int
td_timer_stats_parse(const char *buf, size_t len, const char *path,
    struct td_timer_stats **out, struct td_error *e)
{
	(void)buf;
	(void)len;
	*out = NULL;
	return td_error_set(e, ENOSYS, path, 0, "not implemented yet");
}

/* Free a parsed file; NULL is fine. */
void
td_timer_stats_free(struct td_timer_stats *ts)
{
	free(ts);
}
