/*
 * vdso.c: the C half of Strata's vDSO (linux-gate.so.1), the ELF image the kernel maps into
 * every process so the clocks and the memory status are read without a system call. Built
 * freestanding and position-independent with the user cross compiler and linked by
 * vdso/vdso.lds (Makefile: $(BUILD)/vdso/vdso.so). In assembly: the entry and signal-return
 * trampolines (vdso/entry.S) and the two budgeted readers, __vdso_clock_gettime64 for
 * MONOTONIC and REALTIME and __vdso_strata_memstatus (vdso/fast.S).
 *
 * The data: the two vvar pages the kernel maps just below the image (include/lib/vvar.h):
 * struct vclock at base - 2 pages, struct vvar_memstatus at base - 1 page. They are reached
 * PC-relatively (vvar_clock() below, and in vdso/fast.S), so the image has no relocation at all and
 * loads at any page-aligned address.
 *
 * The ABI is Linux's i386 vDSO's (glibc looks these names up with version LINUX_2.6): each
 * clock function returns 0 or, for a clock it does not serve from the page, whatever the
 * real system call returns (a negative errno). Served from struct vclock: CLOCK_REALTIME and
 * CLOCK_TAI (the wall clock, TAI offset 0 as on Linux by default), CLOCK_MONOTONIC,
 * MONOTONIC_RAW and BOOTTIME (the monotonic clock: nothing is ever suspended), and the two
 * COARSE clocks at tick resolution (the tick's base, as the kernel answers them).
 */
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "lib/vclock.h"
#include "lib/vvar.h"
#include "uapi/strata/memstatus.h"

/* vdso/fast.S's view of the structures and constants. */
_Static_assert(offsetof(struct vclock, seq) == VC_SEQ, "VC_SEQ");
_Static_assert(offsetof(struct vclock, mult) == VC_MULT, "VC_MULT");
_Static_assert(offsetof(struct vclock, tsc_base) == VC_TSC_LO, "VC_TSC_LO");
_Static_assert(VC_TSC_HI == VC_TSC_LO + 4, "VC_TSC_HI");
_Static_assert(offsetof(struct vclock, mono_sec) == VC_MONO_SEC, "VC_MONO_SEC");
_Static_assert(offsetof(struct vclock, mono_nsec) == VC_MONO_NSEC, "VC_MONO_NSEC");
_Static_assert(offsetof(struct vclock, wall_sec) == VC_WALL_SEC, "VC_WALL_SEC");
_Static_assert(offsetof(struct vclock, wall_nsec) == VC_WALL_NSEC, "VC_WALL_NSEC");
_Static_assert(offsetof(struct vvar_memstatus, seq) == VM_SEQ, "VM_SEQ");
_Static_assert(offsetof(struct vvar_memstatus, status) == VM_STATUS, "VM_STATUS");
_Static_assert(VL_SHIFT == VCLOCK_SHIFT && VL_NSEC_PER_TICK == VCLOCK_NSEC_PER_TICK &&
                   VL_NSEC_PER_SEC == VCLOCK_NSEC_PER_SEC,
               "vdso/layout.h's clock constants");
_Static_assert(VVAR_MEMSTATUS_WORDS == 13, "vdso/fast.S copies 13 words");
_Static_assert(VVAR_CLOCK_OFFSET == -2 * 4096 && VVAR_MEMSTATUS_OFFSET == -4096,
               "vdso/vdso.lds places the vvar pages");

#define CLOCK_REALTIME         0
#define CLOCK_MONOTONIC        1
#define CLOCK_MONOTONIC_RAW    4
#define CLOCK_REALTIME_COARSE  5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME         7
#define CLOCK_TAI              11
#define __NR_clock_gettime     265
#define __NR_clock_getres      266
#define __NR_clock_gettime64   403
#define NSEC_PER_USEC          1000u

/* The clocks read with vclock_read, as a bit mask of ids, per base. */
#define MONO_CLOCKS   (1u << CLOCK_MONOTONIC | 1u << CLOCK_MONOTONIC_RAW | 1u << CLOCK_BOOTTIME)
#define WALL_CLOCKS   (1u << CLOCK_REALTIME | 1u << CLOCK_TAI)
#define COARSE_CLOCKS (1u << CLOCK_REALTIME_COARSE | 1u << CLOCK_MONOTONIC_COARSE)

/* The user ABI's structures (Linux's i386 layouts). */
struct kernel_timespec { /* struct __kernel_timespec: clock_gettime64 */
	int64_t tv_sec;
	int64_t tv_nsec;
};
struct old_timespec32 {
	int32_t tv_sec;
	int32_t tv_nsec;
};
struct old_timeval32 {
	int32_t tv_sec;
	int32_t tv_usec;
};
struct timezone {
	int32_t tz_minuteswest;
	int32_t tz_dsttime;
};

/*
 * struct vclock in the vvar page (vdso_vvar_clock: vdso/vdso.lds). Its address comes from a
 * call to the next instruction, whose return address is popped, plus a link-time constant:
 * three instructions and no relocation, where GCC's PIC sequence (a thunk and the GOT) takes
 * four and ties up %ebx. Never fails.
 */
__asm__(".hidden vdso_vvar_clock"); /* resolved at link time, never preemptible */

static inline __attribute__((always_inline)) const struct vclock *vvar_clock(void)
{
	const struct vclock *p;

	__asm__("call 1f\n1:\tpopl %0\n\taddl $vdso_vvar_clock - 1b, %0" : "=r"(p));
	return p;
}

/* System call @nr with two arguments through int $0x80; returns what the kernel returns. */
static inline long vdso_syscall2(long nr, long a1, long a2)
{
	long ret;

	__asm__ __volatile__("int $0x80" : "=a"(ret) : "0"(nr), "b"(a1), "c"(a2) : "memory");
	return ret;
}

/*
 * The tick's base of clock @wall (a COARSE clock: no TSC part) from @vc, under the sequence
 * counter, in *@sec and *@nsec. Never fails.
 */
static inline __attribute__((always_inline)) void
vclock_read_coarse(const struct vclock *vc, int wall, int64_t *sec, uint32_t *nsec)
{
	const volatile struct vclock *v = vc;
	uint32_t seq, ns;
	int64_t s;

	do {
		seq = v->seq;
		vclock_barrier();
		s = wall ? v->wall_sec : (int64_t)v->mono_sec;
		ns = wall ? v->wall_nsec : v->mono_nsec;
		vclock_barrier();
	} while ((seq & 1) || seq != v->seq);
	*sec = s;
	*nsec = ns;
}

/*
 * Clock @clk now from the vvar page into *@sec / *@nsec: 0, or -1 for a clock the page
 * does not serve (the caller then makes the system call).
 */
static inline __attribute__((always_inline)) int vdso_read(uint32_t clk, int64_t *sec,
                                                           uint32_t *nsec)
{
	if (clk == CLOCK_MONOTONIC) { /* the common case first */
		vclock_read(vvar_clock(), VCLOCK_MONO, sec, nsec);
		return 0;
	}
	if (clk >= 32)
		return -1;
	if ((1u << clk) & WALL_CLOCKS)
		vclock_read(vvar_clock(), VCLOCK_WALL, sec, nsec);
	else if ((1u << clk) & MONO_CLOCKS)
		vclock_read(vvar_clock(), VCLOCK_MONO, sec, nsec);
	else if ((1u << clk) & COARSE_CLOCKS)
		vclock_read_coarse(vvar_clock(), clk == CLOCK_REALTIME_COARSE, sec, nsec);
	else
		return -1;
	return 0;
}

/*
 * __vdso_clock_gettime64 for the clocks vdso/fast.S does not read itself (everything but
 * MONOTONIC and REALTIME, which it also serves, the same way): 0 with *@ts set, or the
 * clock_gettime64 system call's result.
 */
int vdso_clock_gettime64_other(int32_t clk, struct kernel_timespec *ts)
    __attribute__((visibility("hidden")));
int vdso_clock_gettime64_other(int32_t clk, struct kernel_timespec *ts)
{
	int64_t sec;
	uint32_t nsec;

	if (vdso_read((uint32_t)clk, &sec, &nsec))
		return vdso_syscall2(__NR_clock_gettime64, clk, (long)ts);
	ts->tv_sec = sec;
	ts->tv_nsec = nsec;
	return 0;
}

/* The 32-bit clock_gettime: seconds truncated to 32 bits; else as __vdso_clock_gettime64. */
int __vdso_clock_gettime(int32_t clk, struct old_timespec32 *ts);
int __vdso_clock_gettime(int32_t clk, struct old_timespec32 *ts)
{
	int64_t sec;
	uint32_t nsec;

	if (vdso_read((uint32_t)clk, &sec, &nsec))
		return vdso_syscall2(__NR_clock_gettime, clk, (long)ts);
	ts->tv_sec = (int32_t)sec;
	ts->tv_nsec = (int32_t)nsec;
	return 0;
}

/*
 * gettimeofday: the wall clock in *@tv (may be NULL) in microseconds; *@tz (may be NULL) is
 * zeros, Linux's default time zone. Returns 0.
 */
int __vdso_gettimeofday(struct old_timeval32 *tv, struct timezone *tz);
int __vdso_gettimeofday(struct old_timeval32 *tv, struct timezone *tz)
{
	if (tv) {
		int64_t sec;
		uint32_t nsec;

		vclock_read(vvar_clock(), VCLOCK_WALL, &sec, &nsec);
		tv->tv_sec = (int32_t)sec;
		tv->tv_usec = (int32_t)(nsec / NSEC_PER_USEC);
	}
	if (tz) {
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return 0;
}

/* time: the wall clock's seconds (truncated to 32 bits), also stored in *@t when @t is set. */
int32_t __vdso_time(int32_t *t);
int32_t __vdso_time(int32_t *t)
{
	const volatile struct vclock *v = vvar_clock();
	int32_t sec;
	uint32_t seq;

	do {
		seq = v->seq;
		vclock_barrier();
		sec = (int32_t)v->wall_sec;
		vclock_barrier();
	} while ((seq & 1) || seq != v->seq);
	if (t)
		*t = sec;
	return sec;
}

/*
 * clock_getres: the system call's answer (the resolution is the kernel's to state, and no
 * program calls it in a loop). @res may be NULL.
 */
int __vdso_clock_getres(int32_t clk, struct old_timespec32 *res);
int __vdso_clock_getres(int32_t clk, struct old_timespec32 *res)
{
	return vdso_syscall2(__NR_clock_getres, clk, (long)res);
}
