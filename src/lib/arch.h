/*
 * The architecture a kernel was built for, in Debian's names (amd64, arm64,
 * i386, ...), from its config, its release string, uname -m or /proc/cpuinfo.
 */
#ifndef TD_ARCH_H
#define TD_ARCH_H

#include <stddef.h>

/* CONFIG_ symbols that name an architecture (td_kconfig.arch_syms bits). */
enum td_arch_sym {
	TD_ARCH_X86_64, TD_ARCH_X86_32, TD_ARCH_ARM64, TD_ARCH_ARM, TD_ARCH_PPC64,
	TD_ARCH_PPC32, TD_ARCH_LITTLE_ENDIAN, TD_ARCH_RISCV, TD_ARCH_64BIT, TD_ARCH_S390,
	TD_ARCH_MIPS, TD_ARCH_LOONGARCH, TD_ARCH_NSYMS
};

/* The bit of a CONFIG_ symbol ("X86_64", n bytes), 0 if it names no architecture. */
unsigned td_arch_sym_bit(const char *name, size_t n);
/* The architecture of a config's symbols, NULL if they name none. */
const char *td_arch_from_config(unsigned syms);
/* From a release ("6.1.0-56-amd64", "3.10.0-1160.el7.x86_64"), NULL if it does not say. */
const char *td_arch_from_release(const char *release);
/* From uname -m ("x86_64", "aarch64"), NULL if unknown. */
const char *td_arch_from_uname(const char *machine);
/* From /proc/cpuinfo text, NULL if it does not say. */
const char *td_arch_from_cpuinfo(const char *buf, size_t len);

#endif
