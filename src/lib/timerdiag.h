/* libtimerdiag: parsers and models of the Linux kernel's timer diagnostics. */
#ifndef TIMERDIAG_H
#define TIMERDIAG_H

#include "error.h"
#include "source.h"
#include "json.h"
#include "numparse.h"
#include "cpumask.h"
#include "timer_list.h"
#include "clocksource.h"
#include "kconfig.h"
#include "sysinfo.h"
#include "clocks.h"
#include "diagnose.h"
#include "machine.h"

#endif
