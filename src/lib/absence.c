/* The one wording of why a value is unknown. */
#include "absence.h"

/* The words for a reason. */
const char *
td_absence_why(enum td_absence a)
{
	switch (a) {
	case TD_ABSENT_NEEDS_ROOT:	return "needs root";
	case TD_ABSENT_NOT_IN_KERNEL:	return "not in this kernel";
	case TD_ABSENT_MASKED:		return "masked in this container";
	case TD_ABSENT_NOT_IN_CAPTURE:	return "not in this capture";
	case TD_ABSENT_NOT_IN_FILE:	return "not in this file";
	case TD_ABSENT_NOT_IN_TRACE:	return "not in the trace";
	}
	return "unknown";
}
