/* libtimerdiag: parsers and models of the Linux kernel's timer diagnostics. */
#ifndef TIMERDIAG_H
#define TIMERDIAG_H

/* The core: errors, files under a sysroot, safe text, JSON, numbers, CPU sets. */
#include "error.h"
#include "absence.h"
#include "textsafe.h"
#include "source.h"
#include "json.h"
#include "numparse.h"
#include "cpumask.h"

/* Parsers, one per kernel source; the per-CPU count tables' shared core. */
#include "count_table.h"
#include "timer_list.h"
#include "timer_stats.h"
#include "interrupts.h"
#include "softirqs.h"
#include "procstat.h"
#include "kmsg.h"
#include "kmsg_events.h"
#include "rtc.h"
#include "tsc.h"
#include "clocksource.h"
#include "kconfig.h"
#include "kernel.h"
#include "posix_clocks.h"

/* Models and verdicts. */
#include "tickmode.h"
#include "machine.h"
#include "tickrate.h"
#include "checks.h"
#include "latency.h"

/* The sampler shared by timerstat and wakeuptop, and its column table. */
#include "sampler.h"
#include "table.h"

#endif
