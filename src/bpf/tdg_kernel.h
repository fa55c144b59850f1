/*
 * The few kernel types and constants the BPF programs use, written by hand
 * instead of a vmlinux.h generated from one kernel: the build machine's kernel
 * is not the one the programs run on.  Structures carry only the members read,
 * and preserve_access_index makes libbpf relocate each member to where the
 * running kernel's BTF puts it (CO-RE).
 */
#ifndef TDG_KERNEL_H
#define TDG_KERNEL_H

typedef signed char		__s8;
typedef unsigned char		__u8;
typedef short			__s16;
typedef unsigned short		__u16;
typedef int			__s32;
typedef unsigned int		__u32;
typedef long long		__s64;
typedef unsigned long long	__u64;
typedef __u16			__be16;
typedef __u32			__be32;
typedef __u32			__wsum;
typedef _Bool			bool;
#define true			1
#define false			0

/* The map types and update flags used (uapi linux/bpf.h). */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
};
#define BPF_ANY			0
#define BPF_NOEXIST		1
/* A map flag: an array's values start on a page (and may be mapped). */
#define BPF_F_MMAPABLE		(1U << 10)

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

struct hrtimer {
	void			*function;
};

struct timer_list {
	void			*function;
	__u32			 flags;
};

struct irqaction {
	const char		*name;
};

struct task_struct {
	int			 pid;
	int			 tgid;
};

#pragma clang attribute pop

/* timer_list flags (include/linux/timer.h since 4.8). */
#define TIMER_DEFERRABLE	0x00080000
#define TIMER_PINNED		0x00100000
/* hrtimer_mode: the pinned bit. */
#define HRTIMER_MODE_PINNED	0x02
/* cpu_idle's state on an exit: PWR_EVENT_EXIT. */
#define PWR_EVENT_EXIT		4294967295U

#endif
