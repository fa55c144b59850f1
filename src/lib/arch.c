/* The architecture of a kernel, in Debian's names. */
#include "config.h"

#include <string.h>

#include "arch.h"

static const char *const arch_syms[TD_ARCH_NSYMS] = {
	"X86_64", "X86_32", "ARM64", "ARM", "PPC64", "PPC32", "CPU_LITTLE_ENDIAN", "RISCV",
	"64BIT", "S390", "MIPS", "LOONGARCH",
};

/* The bit of an architecture symbol. */
unsigned
td_arch_sym_bit(const char *name, size_t n)
{
	for (int i = 0; i < TD_ARCH_NSYMS; i++)
		if (strlen(arch_syms[i]) == n && memcmp(arch_syms[i], name, n) == 0)
			return 1u << i;
	return 0;
}

/* The architecture a config's symbols name. */
const char *
td_arch_from_config(unsigned s)
{
#define HAS(x)	((s & (1u << (x))) != 0)
	if (HAS(TD_ARCH_X86_64))
		return "amd64";
	if (HAS(TD_ARCH_X86_32))
		return "i386";
	if (HAS(TD_ARCH_ARM64))
		return "arm64";
	if (HAS(TD_ARCH_ARM))
		return "arm";
	if (HAS(TD_ARCH_PPC64))
		return HAS(TD_ARCH_LITTLE_ENDIAN) ? "ppc64el" : "ppc64";
	if (HAS(TD_ARCH_PPC32))
		return "powerpc";
	if (HAS(TD_ARCH_RISCV))
		return HAS(TD_ARCH_64BIT) ? "riscv64" : "riscv32";
	if (HAS(TD_ARCH_S390))
		return "s390x";
	if (HAS(TD_ARCH_MIPS))
		return HAS(TD_ARCH_64BIT) ? "mips64" : "mips";
	if (HAS(TD_ARCH_LOONGARCH))
		return "loong64";
	return NULL;
#undef HAS
}

/* Map a uname -m or package suffix word to Debian's name. */
static const char *
arch_word(const char *w, size_t n)
{
	static const struct { const char *word, *arch; } words[] = {
		{ "x86_64", "amd64" }, { "amd64", "amd64" }, { "aarch64", "arm64" },
		{ "arm64", "arm64" }, { "i386", "i386" }, { "i486", "i386" }, { "i586", "i386" },
		{ "i686", "i386" }, { "686", "i386" }, { "686-pae", "i386" }, { "armmp", "arm" },
		{ "armmp-lpae", "arm" }, { "armv7l", "arm" }, { "armv6l", "arm" },
		{ "ppc64le", "ppc64el" }, { "powerpc64le", "ppc64el" }, { "ppc64", "ppc64" },
		{ "ppc", "powerpc" }, { "powerpc", "powerpc" }, { "s390x", "s390x" },
		{ "riscv64", "riscv64" }, { "loongarch64", "loong64" }, { "loong64", "loong64" },
		{ "mips", "mips" }, { "mips64", "mips64" },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == n && memcmp(words[i].word, w, n) == 0)
			return words[i].arch;
	return NULL;
}

/* The word after the last '-' or '.' of a release, or after the flavour's first '-'. */
const char *
td_arch_from_release(const char *release)
{
	const char *r;
	size_t n;

	if (release == NULL)
		return NULL;
	n = strlen(release);
	/* "6.1.0-56-amd64", "3.10.0-1160.el7.x86_64", "6.1.0-26-686-pae" */
	for (const char *p = release + n; p > release; p--) {
		if (p[-1] != '-' && p[-1] != '.')
			continue;
		if ((r = arch_word(p, (size_t)(release + n - p))) != NULL)
			return r;
	}
	return NULL;
}

/* uname -m to Debian's name. */
const char *
td_arch_from_uname(const char *machine)
{
	return machine != NULL ? arch_word(machine, strlen(machine)) : NULL;
}

/* Whether a line of cpuinfo starting with key holds word (blank-delimited). */
static int
cpuinfo_has(const char *buf, size_t len, const char *key, const char *word)
{
	const char *end = buf + len, *p = buf;
	size_t kn = strlen(key), wn = strlen(word);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;

		if ((size_t)(le - p) > kn && memcmp(p, key, kn) == 0) {
			for (const char *q = p + kn; q + wn <= le; q++)
				if (memcmp(q, word, wn) == 0 && (q[-1] == ' ' || q[-1] == '\t' ||
				    q[-1] == ':') && (q + wn == le || q[wn] == ' ' || q[wn] == '\t'))
					return 1;
		}
		p = le + 1;
	}
	return 0;
}

/*
 * From cpuinfo: x86 "flags" with "lm" (a 64-bit CPU; a 32-bit kernel on it is
 * rare today), arm64 "Features" with "asimd", RISC-V "isa" rv64, POWER "cpu".
 */
const char *
td_arch_from_cpuinfo(const char *buf, size_t len)
{
	if (buf == NULL)
		return NULL;
	if (cpuinfo_has(buf, len, "flags", "lm"))
		return "amd64";
	if (cpuinfo_has(buf, len, "flags", "fpu"))
		return "i386";
	if (cpuinfo_has(buf, len, "Features", "asimd"))
		return "arm64";
	if (cpuinfo_has(buf, len, "Features", "neon") || cpuinfo_has(buf, len, "Features", "vfp"))
		return "arm";
	if (memmem(buf, len, "\nisa\t\t: rv64", 12) != NULL)
		return "riscv64";
	return NULL;
}
