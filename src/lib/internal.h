/* Cross-file helpers internal to libtimerdiag (not for the tools). */
#ifndef TD_INTERNAL_H
#define TD_INTERNAL_H

#include "error.h"
#include "numparse.h"

#define TD_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif
