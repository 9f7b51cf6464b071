/*
 * vdso/layout.h: the offsets of struct vclock and struct vvar_memstatus fields (include/lib/
 * vclock.h, include/lib/vvar.h) and the constants the vDSO's assembly (vdso/fast.S) needs,
 * as plain #defines so the assembler can include them. vdso/vdso.c checks every offset
 * against the C structures with _Static_assert, so a change to a structure breaks the build
 * instead of the clocks.
 */
#ifndef STRATA_VDSO_LAYOUT_H
#define STRATA_VDSO_LAYOUT_H

/* struct vclock, at vdso_vvar_clock (the image's base - 2 pages) */
#define VC_SEQ       0
#define VC_MULT      4
#define VC_TSC_LO    8
#define VC_TSC_HI    12
#define VC_MONO_SEC  16
#define VC_MONO_NSEC 20
#define VC_WALL_SEC  24 /* 64 bits: low word here, high word at +4 */
#define VC_WALL_NSEC 32

/* struct vvar_memstatus, at vdso_vvar_memstatus (the image's base - 1 page) */
#define VM_SEQ    0
#define VM_STATUS 8

/* Must equal VCLOCK_SHIFT, VCLOCK_NSEC_PER_TICK and VCLOCK_NSEC_PER_SEC (checked in vdso.c). */
#define VL_SHIFT         24
#define VL_NSEC_PER_TICK 1000000
#define VL_NSEC_PER_SEC  1000000000

#define VL_CLOCK_MONOTONIC 1

#endif
