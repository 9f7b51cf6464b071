/*
 * task_arch: the per-task CPU state of a user task that the context switch must carry
 * (kernel/arch/task_arch.c): the FPU/SSE image, the three TLS descriptors of
 * set_thread_area and the page directory to run on.
 *
 * The switch (task_arch_switch, called by the scheduler with interrupts off, before the
 * stack switch):
 *   prev is a user task   -> FXSAVE its registers into prev->fpu
 *   next is a user task   -> FXRSTOR next->fpu; copy next->tls[] into GDT entries 6..8
 *   CR3                   -> next->cr3 (a kernel task: the kernel's directory), written only
 *                            when it differs from the loaded one
 * The TSS esp0 is set by the scheduler to the next task's kernel stack top.
 * User %gs (and the other selectors) live in the user trap frame at the top of the task's
 * kernel stack: trap_common pushes them on every entry and trap_return pops them, so they are
 * saved and restored on every switch without being copied here.
 *
 * Lifetime: allocated (KM_KERNEL: never charged to a task, so the reaper cannot free it under
 * its process) when a task becomes a user task; freed by the process exit path after it has
 * detached it from the task with interrupts off (a switch must never see a freed image).
 */
#ifndef STRATA_X86_TASK_ARCH_H
#define STRATA_X86_TASK_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "x86/fpu.h"
#include "x86/gdt.h"

/* struct user_desc of set_thread_area(2) (asm/ldt.h): 16 bytes. */
struct user_desc {
	uint32_t entry_number;
	uint32_t base_addr;
	uint32_t limit;
	uint32_t flags; /* the bit fields below, in Linux's order */
};
#define UD_SEG_32BIT       (1u << 0)
#define UD_CONTENTS_SHIFT  1
#define UD_CONTENTS_MASK   (3u << UD_CONTENTS_SHIFT)
#define UD_READ_EXEC_ONLY  (1u << 3)
#define UD_LIMIT_IN_PAGES  (1u << 4)
#define UD_SEG_NOT_PRESENT (1u << 5)
#define UD_USEABLE         (1u << 6)
#define UD_ENTRY_ANY       0xFFFFFFFFu /* entry_number -1: pick a free slot */

struct task_arch {
	struct fpu_state fpu;        /* first: keeps the 16-byte alignment */
	uint64_t tls[GDT_TLS_SLOTS]; /* raw descriptors; 0 = empty slot */
	uint32_t cr3;                /* physical page directory; 0 = the kernel's */
};

/* A zeroed state with a fresh FPU image (KM_KERNEL). NULL when out of memory. */
struct task_arch *task_arch_alloc(void);

/* Free @a (NULL is a no-op). It must no longer be attached to any task. */
void task_arch_free(struct task_arch *a);

/* The switch described above. @prev and/or @next may be NULL (kernel tasks). */
void task_arch_switch(struct task_arch *prev, struct task_arch *next);

/*
 * fork: give @dst the TLS slots of @src and the FPU registers of the running task (whose
 * state @src describes; they are live in the CPU). Cannot fail.
 */
void task_arch_fork(struct task_arch *dst, const struct task_arch *src);

/* exec: empty TLS slots (also in the GDT if @a is running) and a fresh FPU state. */
void task_arch_exec_reset(struct task_arch *a, bool running);

/*
 * set_thread_area on @a (running: the GDT is updated at once). @u is a kernel copy of the
 * caller's struct; on success u->entry_number holds the GDT index used (for entry -1, the
 * first empty slot). Returns 0, -EINVAL (index outside 6..8, seg_not_present, contents > 1,
 * no seg_32bit) or -ESRCH (entry -1 and every slot in use).
 */
int tls_set_thread_area(struct task_arch *a, struct user_desc *u, bool running);

#endif
