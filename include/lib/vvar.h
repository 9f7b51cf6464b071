/*
 * vvar: the layout of the kernel's read-only data pages mapped into every process just below
 * the vDSO's text ([vvar] in /proc/PID/maps), shared by the kernel (sched/vdso.c fills them)
 * and the vDSO (vdso/, which finds them at fixed negative offsets from its own first byte).
 * Pure definitions; an ABI inside one build, not for user programs.
 *
 *   vdso_base - 2 pages   struct vclock          (include/lib/vclock.h), written every tick
 *   vdso_base - 1 page    struct vvar_memstatus  below, written every tick and context switch
 *   vdso_base             the vDSO image (ELF, linux-gate.so.1)
 */
#ifndef STRATA_LIB_VVAR_H
#define STRATA_LIB_VVAR_H

#include <stdint.h>

#include "lib/vclock.h"
#include "uapi/strata/memstatus.h"

#define VVAR_PAGES            2u
#define VVAR_CLOCK_OFFSET     (-2 * 4096) /* from the vDSO's base */
#define VVAR_MEMSTATUS_OFFSET (-1 * 4096)
/* Words of struct strata_memstatus that version 1 fills (the vDSO copies these). */
#define VVAR_MEMSTATUS_WORDS 13u

/* Writer protocol as struct vclock's: seq odd while the kernel writes. */
struct vvar_memstatus {
	volatile uint32_t seq;
	uint32_t pad;
	struct strata_memstatus status;
};

#endif
