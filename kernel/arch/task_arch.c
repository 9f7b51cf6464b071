/*
 * task_arch: per-task FPU state, TLS descriptors and CR3, and the part of the context switch
 * that moves them (design in include/x86/task_arch.h).
 *
 * TLS descriptor encoding (Linux's fill_ldt, Intel SDM vol. 3, 3.4.5):
 *   low  = base[15:0] << 16 | limit[15:0]
 *   high = base[31:24] | base[23:16] >> 16 | limit[19:16] | type (read_exec_only, contents)
 *          << 9 | S | DPL 3 | present | AVL (useable) | D (seg_32bit) | G (limit_in_pages)
 */
#include "x86/task_arch.h"

#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "x86/cpu.h"

#define DESC_BASE_LO_MASK  0x0000FFFFu
#define DESC_BASE_MID_MASK 0x00FF0000u
#define DESC_BASE_HI_MASK  0xFF000000u
#define DESC_LIMIT_LO_MASK 0x0000FFFFu
#define DESC_LIMIT_HI_MASK 0x000F0000u
#define DESC_TYPE_WRITABLE (1u << 9)  /* data: writable (code: readable) */
#define DESC_TYPE_SHIFT    10         /* contents: expand-down data / code */
#define DESC_S             (1u << 12) /* code or data, not system */
#define DESC_DPL3          (3u << 13)
#define DESC_PRESENT       (1u << 15)
#define DESC_AVL           (1u << 20)
#define DESC_DB            (1u << 22) /* 32-bit */
#define DESC_G             (1u << 23) /* limit in 4 KiB units */
#define UD_CONTENTS_MAX    1u         /* data or expand-down data; code is refused */

struct task_arch *task_arch_alloc(void)
{
	struct task_arch *a = kmalloc_aligned(sizeof(*a), FPU_STATE_ALIGN, KM_KERNEL | KM_ZERO);

	if (a)
		fpu_state_fresh(&a->fpu);
	return a;
}

void task_arch_free(struct task_arch *a)
{
	kfree(a);
}

static void tls_load(const struct task_arch *a)
{
	for (unsigned i = 0; i < GDT_TLS_SLOTS; i++)
		gdt_set_tls(i, a->tls[i]);
}

void task_arch_switch(struct task_arch *prev, struct task_arch *next)
{
	uint32_t cr3 = virt_to_phys(kernel_pgdir);

	if (prev)
		fpu_save(&prev->fpu);
	if (next) {
		fpu_restore(&next->fpu);
		tls_load(next);
		if (next->cr3)
			cr3 = next->cr3;
	}
	if ((read_cr3() & PTE_ADDR_MASK) != cr3)
		write_cr3(cr3);
}

void task_arch_fork(struct task_arch *dst, const struct task_arch *src)
{
	memcpy(dst->tls, src->tls, sizeof(dst->tls));
	fpu_save(&dst->fpu); /* the parent's registers, live in the CPU */
}

void task_arch_exec_reset(struct task_arch *a, bool running)
{
	memset(a->tls, 0, sizeof(a->tls));
	fpu_state_fresh(&a->fpu);
	if (running) {
		uint32_t flags = irq_save();
		tls_load(a);
		fpu_restore(&a->fpu);
		irq_restore(flags);
	}
}

/* Linux's LDT_empty/LDT_zero: a request that clears the slot. */
static bool user_desc_clears(const struct user_desc *u)
{
	const uint32_t old_empty = UD_READ_EXEC_ONLY | UD_SEG_NOT_PRESENT;

	if (u->base_addr == 0 && u->limit == 0)
		return u->flags == 0 || u->flags == old_empty;
	return false;
}

static uint64_t encode(const struct user_desc *u)
{
	uint32_t base = u->base_addr, limit = u->limit, f = u->flags;
	uint32_t lo = ((base & DESC_BASE_LO_MASK) << 16) | (limit & DESC_LIMIT_LO_MASK);
	uint32_t hi = (base & DESC_BASE_HI_MASK) | ((base & DESC_BASE_MID_MASK) >> 16) |
	              (limit & DESC_LIMIT_HI_MASK) | DESC_S | DESC_DPL3 | DESC_PRESENT |
	              (((f & UD_CONTENTS_MASK) >> UD_CONTENTS_SHIFT) << DESC_TYPE_SHIFT);

	if (!(f & UD_READ_EXEC_ONLY))
		hi |= DESC_TYPE_WRITABLE;
	if (f & UD_USEABLE)
		hi |= DESC_AVL;
	if (f & UD_SEG_32BIT)
		hi |= DESC_DB;
	if (f & UD_LIMIT_IN_PAGES)
		hi |= DESC_G;
	return ((uint64_t)hi << 32) | lo;
}

int tls_set_thread_area(struct task_arch *a, struct user_desc *u, bool running)
{
	uint32_t idx = u->entry_number;
	bool clear = user_desc_clears(u);

	if (idx == UD_ENTRY_ANY) {
		for (idx = 0; idx < GDT_TLS_SLOTS && a->tls[idx]; idx++)
			;
		if (idx == GDT_TLS_SLOTS)
			return -ESRCH;
		idx += GDT_TLS_MIN;
	}
	if (idx < GDT_TLS_MIN || idx >= GDT_TLS_MIN + GDT_TLS_SLOTS)
		return -EINVAL;
	if (!clear && ((u->flags & UD_SEG_NOT_PRESENT) || !(u->flags & UD_SEG_32BIT) ||
	               ((u->flags & UD_CONTENTS_MASK) >> UD_CONTENTS_SHIFT) > UD_CONTENTS_MAX))
		return -EINVAL;
	uint32_t flags = irq_save();
	a->tls[idx - GDT_TLS_MIN] = clear ? 0 : encode(u);
	if (running)
		gdt_set_tls(idx - GDT_TLS_MIN, a->tls[idx - GDT_TLS_MIN]);
	irq_restore(flags);
	u->entry_number = idx;
	return 0;
}
