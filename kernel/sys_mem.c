/*
 * sys_mem: memory system calls — brk, mmap2 (anonymous private), munmap, mprotect — over the
 * process's address space (include/mm/vm.h). Eager: mapped pages are allocated at once.
 */
#include "kernel/syscall.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "mm/layout.h"
#include "mm/vm.h"
#include "sched/proc.h"

#define PROT_GROWSDOWN 0x01000000u
#define PROT_GROWSUP   0x02000000u
#define MAP_SHARED     0x01u
#define MAP_PRIVATE    0x02u
#define MAP_TYPE       0x0Fu
#define MAP_FIXED      0x10u
#define MAP_ANONYMOUS  0x20u
/* Accepted and meaningless here: GROWSDOWN DENYWRITE EXECUTABLE LOCKED NORESERVE POPULATE
 * NONBLOCK STACK HUGETLB FIXED_NOREPLACE is not accepted. */
#define MAP_IGNORED                                                                                \
	(0x0100u | 0x0800u | 0x1000u | 0x2000u | 0x4000u | 0x8000u | 0x10000u | 0x20000u | 0x40000u)

static struct vm_space *vm_current(void)
{
	return proc_current()->vm;
}

/* brk(addr): the new break, or the old one when it cannot move (never -errno). */
SYSCALL_DEFINE(brk)
{
	return (long)vm_brk(vm_current(), a1);
}

/* mmap2(addr, len, prot, flags, fd, pgoff) */
SYSCALL_DEFINE(mmap2)
{
	struct vm_space *vm = vm_current();
	uint32_t addr = a1, prot = a3, flags = a4;
	uint32_t len;
	int rc;

	if (a2 == 0 || (prot & ~VM_PROT_MASK) ||
	    (flags & ~(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_IGNORED)))
		return -EINVAL;
	if ((flags & MAP_TYPE) != MAP_PRIVATE && (flags & MAP_TYPE) != MAP_SHARED)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) || (flags & MAP_TYPE) != MAP_PRIVATE)
		return -ENODEV; /* file and shared mappings come with later issues */
	if (a2 > KERNEL_BASE)
		return -ENOMEM;
	len = ALIGN_UP(a2, PAGE_SIZE);
	if (flags & MAP_FIXED) {
		if (!IS_ALIGNED(addr, PAGE_SIZE))
			return -EINVAL;
		if (addr < USER_BASE || addr >= KERNEL_BASE || len > KERNEL_BASE - addr)
			return -ENOMEM;
		rc = vm_unmap(vm, addr, len);
		if (rc == 0)
			rc = vm_map(vm, addr, len, prot, VM_ANON);
		return rc < 0 ? rc : (long)addr;
	}
	addr = ALIGN_DOWN(addr, PAGE_SIZE);
	if (!addr || addr < USER_BASE || addr >= KERNEL_BASE || len > KERNEL_BASE - addr ||
	    !vm_range_free(vm, addr, len))
		addr = vm_find_free(vm, len);
	if (!addr)
		return -ENOMEM;
	rc = vm_map(vm, addr, len, prot, VM_ANON);
	return rc < 0 ? rc : (long)addr;
}

SYSCALL_DEFINE(munmap)
{
	if (!IS_ALIGNED(a1, PAGE_SIZE) || a2 == 0 || a1 < USER_BASE || a1 >= KERNEL_BASE ||
	    a2 > KERNEL_BASE - a1)
		return -EINVAL;
	return vm_unmap(vm_current(), a1, ALIGN_UP(a2, PAGE_SIZE));
}

SYSCALL_DEFINE(mprotect)
{
	uint32_t prot = a3 & ~(PROT_GROWSDOWN | PROT_GROWSUP);

	if (!IS_ALIGNED(a1, PAGE_SIZE) || (prot & ~VM_PROT_MASK) ||
	    (a3 & PROT_GROWSDOWN && a3 & PROT_GROWSUP))
		return -EINVAL;
	if (a2 > KERNEL_BASE)
		return -ENOMEM;
	return vm_protect(vm_current(), a1, ALIGN_UP(a2, PAGE_SIZE), prot);
}
