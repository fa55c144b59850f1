#!/bin/sh
# Interrupts, softirqs and kernel log parser benchmark (make bench): synthetic
# inputs generated in-process, each parser timed against a plain scan of the
# same buffer in the same run (medians, ratios).  Figures, not a pass/fail.
# Environment: TD_BUILDDIR (build dir), IRQ_BENCH_ARGS ("CPUS IRQS LOGLINES REPS").
set -eu
b=${TD_BUILDDIR:-.}
bench=$b/bench/irq_bench
[ -x "$bench" ] || make -C "$b" -s bench/irq_bench
# shellcheck disable=SC2086
"$bench" ${IRQ_BENCH_ARGS:-256 2000 200000 7}
