/*
 * timerinfo --check: verdicts on the timer setup, each with a severity, the
 * evidence it rests on and one line of advice.
 */
#ifndef TD_CHECKS_H
#define TD_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "kmsg_events.h"
#include "machine.h"
#include "tickrate.h"

enum td_severity {
	TD_SEV_OK,
	TD_SEV_INFO,
	TD_SEV_SKIPPED,		/* could not be checked; the message says why */
	TD_SEV_WARNING,		/* a problem: timerinfo --check exits 3 */
	TD_SEV_CRITICAL,	/* a problem */
};

struct td_check {
	const char		*id;		/* "highres", "clocksource", ... */
	enum td_severity	 sev;
	char			 message[256];
	char			 evidence[512];
	char			 advice[256];	/* "" when there is nothing to do */
	int			 cpu;		/* the CPU a tick verdict names, -1 none */
};

/* What the checks look at; anything but m may be NULL, with a reason. */
struct td_check_input {
	const struct td_machine		*m;
	const struct td_tickrates	*rates;
	const char			*rates_why;
	const struct td_kmsg_events	*events;
	const char			*events_source;	/* "/dev/kmsg" or a file */
	const char			*events_why;
	bool				 has_rtc;
	const char			*rtc_name;
	double				 rtc_drift_s;	/* RTC minus system clock */
	const char			*rtc_why;
};

struct td_checks {
	size_t			 n;
	struct td_check		*c;
	int			 problems;	/* checks at WARNING or worse */
};

#define TD_RTC_DRIFT_MAX_S	5.0
#define TD_NOHZ_FULL_MAX_RATE	3.0	/* local timer interrupts/s on a nohz_full CPU */

int td_checks_run(const struct td_check_input *in, struct td_checks **out, struct td_error *e);
void td_checks_free(struct td_checks *c);
/* "ok", "info", "skipped", "warning", "critical". */
const char *td_severity_name(enum td_severity s);

#endif
