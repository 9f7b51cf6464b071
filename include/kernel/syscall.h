/*
 * syscall: the Linux i386 system-call interface (kernel/syscall.c and kernel/sys_*.c).
 *
 * Convention (int 0x80, as Linux i386): number in %eax; arguments in %ebx %ecx %edx %esi
 * %edi %ebp (a1..a6 below); the result in %eax, -errno on failure. Unknown numbers return
 * -ENOSYS. The handler runs on the task's kernel stack with interrupts enabled; its
 * struct trap_frame (include/x86/trap.h) is the user frame at the top of that stack, so
 * exec may rewrite it and fork copy it. Pointers from user space are used only through the
 * copy helpers (include/mm/uaccess.h).
 *
 * Adding a system call: in the kernel/sys_*.c file of its concern (sys_proc.c processes,
 * sys_mem.c memory, sys_time.c time, sys_info.c identity and system information,
 * sys_file.c files and descriptors), define its number below as __NR_name (Linux's value)
 * and write
 *
 *     SYSCALL_DEFINE(name)
 *     {
 *             int fd = (int)a1;  ...  return -EBADF;
 *     }
 *
 * which defines `static long sys_name(struct trap_frame *tf, uint32_t a1, ..., uint32_t a6)`
 * and registers it in the .syscalls section; syscall_init() builds the dispatch table from
 * it (a number registered twice panics at boot, naming both).
 */
#ifndef STRATA_KERNEL_SYSCALL_H
#define STRATA_KERNEL_SYSCALL_H

#include <stdint.h>

#include "x86/trap.h"

/* Linux i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
#define __NR_exit                   1
#define __NR_fork                   2
#define __NR_read                   3
#define __NR_write                  4
#define __NR_execve                 11
#define __NR_getpid                 20
#define __NR_getuid                 24
#define __NR_kill                   37
#define __NR_brk                    45
#define __NR_getgid                 47
#define __NR_geteuid                49
#define __NR_getegid                50
#define __NR_ioctl                  54
#define __NR_getppid                64
#define __NR_setrlimit              75
#define __NR_reboot                 88
#define __NR_munmap                 91
#define __NR_wait4                  114
#define __NR_sysinfo                116
#define __NR_clone                  120
#define __NR_uname                  122
#define __NR_mprotect               125
#define __NR_writev                 146
#define __NR_sched_yield            158
#define __NR_nanosleep              162
#define __NR_rt_sigaction           174
#define __NR_rt_sigprocmask         175
#define __NR_vfork                  190
#define __NR_ugetrlimit             191
#define __NR_mmap2                  192
#define __NR_getuid32               199
#define __NR_getgid32               200
#define __NR_geteuid32              201
#define __NR_getegid32              202
#define __NR_gettid                 224
#define __NR_tkill                  238
#define __NR_set_thread_area        243
#define __NR_exit_group             252
#define __NR_set_tid_address        258
#define __NR_clock_gettime          265
#define __NR_clock_nanosleep        267
#define __NR_tgkill                 270
#define __NR_set_robust_list        311
#define __NR_prlimit64              340
#define __NR_getrandom              355
#define __NR_rseq                   386
#define __NR_clock_gettime64        403
#define __NR_clock_nanosleep_time64 407
#define SYSCALL_MAX                 450 /* table size: numbers >= this are -ENOSYS */

typedef long (*syscall_fn)(struct trap_frame *tf, uint32_t a1, uint32_t a2, uint32_t a3,
                           uint32_t a4, uint32_t a5, uint32_t a6);

struct syscall_entry {
	uint32_t nr;
	const char *name;
	syscall_fn fn;
};

#define SYSCALL_DEFINE(name)                                                                       \
	static long sys_##name(struct trap_frame *tf, uint32_t a1, uint32_t a2, uint32_t a3,       \
	                       uint32_t a4, uint32_t a5, uint32_t a6);                             \
	static const struct syscall_entry syscall_entry_##name                                     \
	    __attribute__((used, section(".syscalls"), aligned(4))) = { __NR_##name, #name,        \
		                                                        sys_##name };              \
	static long sys_##name(                                                                    \
	    struct trap_frame *tf __attribute__((unused)), uint32_t a1 __attribute__((unused)),    \
	    uint32_t a2 __attribute__((unused)), uint32_t a3 __attribute__((unused)),              \
	    uint32_t a4 __attribute__((unused)), uint32_t a5 __attribute__((unused)),              \
	    uint32_t a6 __attribute__((unused)))

/*
 * The fast path's view (kernel/arch/user_entry.asm): the handler of every number below
 * syscall_nr_max (== SYSCALL_MAX), sys_ni_syscall where none is registered. Filled by
 * syscall_init, read-only afterwards.
 */
extern syscall_fn syscall_fn_table[SYSCALL_MAX];
extern const uint32_t syscall_nr_max;

/* The handler of unknown numbers: returns -ENOSYS. */
long sys_ni_syscall(struct trap_frame *tf, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
                    uint32_t a5, uint32_t a6);

/* Build the dispatch tables from the .syscalls section and start sys_time. Once, at boot,
 * after the timer. */
void syscall_init(void);

/* uname's names (kernel/sys_info.c), also in /proc/version. */
#define UTS_SYSNAME  "Strata"
#define UTS_NODENAME "strata"
#define UTS_RELEASE  "6.1.0-strata"
#define UTS_VERSION  "#1 Strata"

/* kernel/sys_time.c: read the wall clock, register the CPU-time tick hook (syscall_init). */
void sys_time_init(void);

/* The CPU's ticks (HZ) since boot by what it ran: a process in user mode, the kernel (a
 * process's system call or fault, a kernel task), the idle task. Changed by the tick
 * (interrupt context); read with interrupts off (/proc/stat, /proc/uptime). */
struct cpu_times {
	uint64_t user, system, idle;
};
extern struct cpu_times cpu_times;

/* The wall-clock time of boot, seconds since the epoch (/proc/stat btime). */
int64_t sys_boot_epoch(void);

/* The registered entry for @nr, or NULL (for tests and the monitor). */
const struct syscall_entry *syscall_lookup(uint32_t nr);

#endif
