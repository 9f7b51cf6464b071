/*
 * sys_mem: the memory system calls with Linux 6.1's argument checks and errors — brk, mmap2,
 * munmap, mprotect, mremap, madvise, msync, mincore — over the process's address space
 * (include/mm/vm.h, which holds the policy: pages on first touch, areas split and merged).
 *
 * What is mapped: anonymous memory, private or shared (MAP_SHARED|MAP_ANONYMOUS: a new
 * shared object, include/mm/pager.h, that fork passes on); files through their memory
 * object — a regular initramfs file's bytes (page cache; private writes are copied) or a
 * file type's own object (memfd). A page of a file mapping past the file's end raises SIGBUS
 * (the rest of the page the end falls in reads as zeros), as Linux. Other files: -ENODEV. Linux's
 * own earlier checks come first (EINVAL for a bad type, EBADF for a negative fd). Flags Linux
 * ignores for private anonymous memory are ignored here too (unknown bits included, as
 * Linux's legacy mmap does); so are unknown prot bits, which Linux's mmap does not check
 * (mprotect does: EINVAL). Pages come on first touch (MAP_POPULATE, the eager policy: all now,
 * or ENOMEM now and no mapping; Linux's mm_populate would keep the mapping);
 * MAP_FIXED_NOREPLACE fails with EEXIST over any area; an address hint is used when the
 * range is free, else the mapping goes top-down below the stack's guard gap.
 */
#include "kernel/syscall.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "fs/file.h"
#include "fs/mode.h"
#include "fs/ramfs.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/uaccess.h"
#include "mm/vm.h"
#include "sched/proc.h"
#include "sys_file_internal.h"

/* Linux i386 numbers not in include/kernel/syscall.h. */
#define __NR_msync   144
#define __NR_mremap  163
#define __NR_mincore 218
#define __NR_madvise 219

#define TASK_SIZE KERNEL_BASE /* Linux's user address limit on i386 (3G/1G split) */

#define PROT_SEM       0x8u /* accepted by mprotect, meaningless here */
#define PROT_GROWSDOWN 0x01000000u
#define PROT_GROWSUP   0x02000000u

#define MAP_SHARED          0x01u
#define MAP_PRIVATE         0x02u
#define MAP_SHARED_VALIDATE 0x03u
#define MAP_TYPE            0x0Fu
#define MAP_FIXED           0x10u
#define MAP_ANONYMOUS       0x20u
#define MAP_NORESERVE       0x4000u
#define MAP_POPULATE        0x8000u
#define MAP_FIXED_NOREPLACE 0x100000u

#define MREMAP_MAYMOVE   1u
#define MREMAP_FIXED     2u
#define MREMAP_DONTUNMAP 4u

#define MS_ASYNC      1u
#define MS_INVALIDATE 2u
#define MS_SYNC       4u

#define MADV_NORMAL         0u
#define MADV_RANDOM         1u
#define MADV_SEQUENTIAL     2u
#define MADV_WILLNEED       3u
#define MADV_DONTNEED       4u
#define MADV_FREE           8u
#define MADV_DONTDUMP       16u
#define MADV_DODUMP         17u
#define MADV_COLD           20u
#define MADV_PAGEOUT        21u
#define MADV_POPULATE_READ  22u
#define MADV_POPULATE_WRITE 23u

#define MINCORE_CHUNK 64u /* vector bytes mincore copies out at a time */

/* The caller's address space (its limits given by proc_vm_limits when they change). */
static struct vm_space *vm_current(void)
{
	return proc_current()->vm;
}

/* brk(addr): the new break, or the old one when it cannot move (never -errno). */
SYSCALL_DEFINE(brk)
{
	return (long)vm_brk(vm_current(), a1);
}

/*
 * Where a mapping of @len bytes goes without MAP_FIXED: the hint @hint (rounded up to a page,
 * as Linux) when that range is free, inside user space and below the mmap limit, else
 * top-down. Returns the address, or 0 when there is no room.
 */
static uintptr_t place(struct vm_space *vm, uintptr_t hint, size_t len)
{
	hint = ALIGN_UP(hint, PAGE_SIZE);
	if (hint >= USER_BASE && hint <= vm->mmap_top && len <= vm->mmap_top - hint &&
	    vm_range_free(vm, hint, len))
		return hint;
	return vm_find_free(vm, len);
}

/*
 * The object mmap maps for descriptor @fd (a reference in *@obj; NULL for an empty file):
 * a file type's own (memfd), or a regular initramfs file's bytes. -EBADF, -EACCES (not open
 * for reading; a shared writable mapping of a file not open read-write), -EIO (a /proc file),
 * -ENODEV (a file that cannot be mapped), -ENOMEM.
 */
static int file_object(int fd, bool shared, uint32_t prot, struct vm_object **obj)
{
	struct file *f = fget(fd);
	int rc = 0;

	*obj = NULL;
	if (!f)
		return -EBADF;
	if ((f->flags & O_ACCMODE) == O_WRONLY ||
	    (shared && (prot & VM_WRITE) && (f->flags & O_ACCMODE) != O_RDWR))
		rc = -EACCES;
	else if (f->ops->mmap_object)
		rc = (*obj = f->ops->mmap_object(f)) ? 0 : -ENOMEM;
	else if (f->inode && f->inode->fops)
		rc = -EIO; /* a /proc file: Linux's proc_reg_mmap without a proc_mmap */
	else if (!f->inode || (f->inode->mode & S_IFMT) != S_IFREG)
		rc = -ENODEV;
	else if (f->inode->size && !(*obj = vm_object_memory(f->inode->data, f->inode->size)))
		rc = -ENOMEM;
	else if (*obj)
		vm_object_get(*obj);
	file_put(f);
	return rc;
}

/* The open flags of descriptor @fd (0 when it is not open). */
static int file_flags(int fd)
{
	struct file *f = fget(fd);
	int flags = f ? f->flags : 0;

	if (f)
		file_put(f);
	return flags;
}

/* mmap2(addr, len, prot, flags, fd, pgoff): the address, or -errno (Linux's order of checks). */
SYSCALL_DEFINE(mmap2)
{
	struct vm_space *vm = vm_current();
	uint32_t addr = a1, prot = a3 & VM_PROT_MASK, flags = a4, kind = VM_ANON;
	struct vm_object *obj = NULL;
	bool shared;
	uint32_t len;
	int rc = 0;

	if (!(flags & MAP_ANONYMOUS) && (int32_t)a5 < 0)
		return -EBADF;
	if (a2 == 0)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	len = ALIGN_UP(a2, PAGE_SIZE);
	if (len == 0)
		return -ENOMEM; /* wrapped */
	if (a6 + (len >> PAGE_SHIFT) < a6)
		return -EOVERFLOW;
	if (len > TASK_SIZE)
		return -ENOMEM;
	if (flags & MAP_FIXED) {
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		if (!IS_ALIGNED(addr, PAGE_SIZE))
			return -EINVAL;
		if (addr < USER_BASE)
			return -EPERM; /* below mmap_min_addr */
		if ((a4 & MAP_FIXED_NOREPLACE) && !vm_range_free(vm, addr, len))
			return -EEXIST;
	}
	if ((flags & MAP_TYPE) != MAP_PRIVATE && (flags & MAP_TYPE) != MAP_SHARED &&
	    ((flags & MAP_TYPE) != MAP_SHARED_VALIDATE || (flags & MAP_ANONYMOUS)))
		return -EINVAL;
	shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	if (!(flags & MAP_ANONYMOUS)) {
		if ((rc = file_object((int)a5, shared, prot, &obj)) < 0)
			return rc;
		kind = VM_FILE;
		if (shared && (file_flags((int)a5) & O_ACCMODE) != O_RDWR)
			kind |= VM_NOWRITE; /* mprotect(PROT_WRITE) later: EACCES, as Linux */
	} else if (shared && !(obj = vm_object_shared(len))) {
		return -ENOMEM;
	}
	if (shared)
		kind |= VM_SHARED;
	if (flags & MAP_NORESERVE)
		kind |= VM_NORESERVE; /* never charged to the commitment */
	if (flags & MAP_POPULATE)
		kind |= VM_MAP_POPULATE;
	if (flags & MAP_FIXED) {
		rc = vm_unmap(vm, addr, len);
	} else if (!(addr = place(vm, addr, len))) {
		rc = -ENOMEM;
	}
	if (rc == 0) {
		/* The object's byte at offset o is at addr - off + o; none past its end. */
		uint64_t off = (flags & MAP_ANONYMOUS) ? 0 : (uint64_t)a6 << PAGE_SHIFT;
		struct vma_backing b = { obj, addr - (uintptr_t)off, addr };
		if (obj && off < obj->size)
			b.end = addr + (uintptr_t)MIN((uint64_t)len, obj->size - off);
		rc = vm_map_backed(vm, addr, len, prot, kind, obj ? &b : NULL);
	}
	vm_object_put(obj); /* the area holds its own reference */
	return rc < 0 ? rc : (long)addr;
}

/* munmap(addr, len): 0, or -EINVAL (unaligned, zero length, beyond user space), -ENOMEM. */
SYSCALL_DEFINE(munmap)
{
	uint32_t len;

	if (!IS_ALIGNED(a1, PAGE_SIZE) || a1 > TASK_SIZE || a2 > TASK_SIZE - a1)
		return -EINVAL;
	len = ALIGN_UP(a2, PAGE_SIZE);
	if (len == 0)
		return -EINVAL;
	if (a1 + len <= USER_BASE)
		return 0; /* nothing can be mapped there */
	if (a1 < USER_BASE) {
		len -= USER_BASE - a1;
		a1 = USER_BASE;
	}
	if (a1 >= TASK_SIZE || len > TASK_SIZE - a1)
		len = TASK_SIZE - a1;
	return len ? vm_unmap(vm_current(), a1, len) : 0;
}

/* mprotect(addr, len, prot): 0, -EINVAL (unaligned, bad prot), -ENOMEM (not all mapped). */
SYSCALL_DEFINE(mprotect)
{
	struct vm_space *vm = vm_current();
	uint32_t grows = a3 & (PROT_GROWSDOWN | PROT_GROWSUP);
	uint32_t prot = a3 & ~grows, start = a1, len;

	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (!IS_ALIGNED(start, PAGE_SIZE))
		return -EINVAL;
	if (a2 == 0)
		return 0;
	len = ALIGN_UP(a2, PAGE_SIZE);
	if (len == 0 || start + len <= start)
		return -ENOMEM;
	if (prot & ~(VM_PROT_MASK | PROT_SEM))
		return -EINVAL;
	if (grows & PROT_GROWSUP)
		return -EINVAL;       /* no VM_GROWSUP areas on x86 */
	if (grows & PROT_GROWSDOWN) { /* extend down to the start of the growing area */
		struct vm_area *a = vm_find(vm, start);
		if (!a)
			return -ENOMEM;
		if (!(a->flags & VM_GROWSDOWN))
			return -EINVAL;
		len += start - a->start;
		start = a->start;
	}
	if (start < USER_BASE || start >= TASK_SIZE || len > TASK_SIZE - start)
		return -ENOMEM;
	return vm_protect(vm, start, len, prot & VM_PROT_MASK);
}

/* mremap(old, old_len, new_len, flags, new_addr): the new address or -errno. */
SYSCALL_DEFINE(mremap)
{
	uint32_t old = a1, flags = a4, fixed = 0;
	uint32_t old_len = ALIGN_UP(a2, PAGE_SIZE), new_len = ALIGN_UP(a3, PAGE_SIZE);

	if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || a2 != a3))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* keeps the old range mapped: private anonymous copies, later */
	if (!IS_ALIGNED(old, PAGE_SIZE))
		return -EINVAL;
	if ((a2 && !old_len) || !new_len)
		return -EINVAL; /* wrapped, or a zero new length */
	if (old < USER_BASE || old >= TASK_SIZE || old_len > TASK_SIZE - old || new_len > TASK_SIZE)
		return old_len <= new_len ? -EFAULT : -EINVAL;
	if (flags & MREMAP_FIXED) {
		fixed = a5;
		if (!IS_ALIGNED(fixed, PAGE_SIZE))
			return -EINVAL;
		if (fixed < USER_BASE || fixed > TASK_SIZE - new_len)
			return -EINVAL;
	}
	return vm_remap(vm_current(), old, old_len, new_len, flags & MREMAP_MAYMOVE, fixed);
}

/*
 * Round [@start, @start + @len) to pages for madvise/msync/mincore-style calls: 0 with
 * *@end set (the range may be empty), -EINVAL (unaligned start, wrap) or -ENOMEM (beyond
 * user space).
 */
static int page_range(uint32_t start, uint32_t len, uint32_t *end)
{
	uint32_t alen = ALIGN_UP(len, PAGE_SIZE);

	if (!IS_ALIGNED(start, PAGE_SIZE) || (len && !alen) || start + alen < start)
		return -EINVAL;
	*end = start + alen;
	if (alen && (start < USER_BASE || *end > TASK_SIZE))
		return -ENOMEM;
	return 0;
}

/*
 * madvise(addr, len, advice): 0, -EINVAL (bad advice or range), -ENOMEM (not all mapped).
 * MADV_POPULATE_READ/WRITE fault the range in now (vm_populate, the explicit commit policy):
 * -EINVAL for an area without the access (PROT_NONE; not writable for WRITE), -EFAULT where
 * the fault would signal (past a file's end), -ENOMEM when memory cannot be had.
 */
SYSCALL_DEFINE(madvise)
{
	struct vm_space *vm = vm_current();
	uint32_t end;
	int rc;

	switch (a3) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		break;
	default:
		return -EINVAL;
	}
	if ((rc = page_range(a1, a2, &end)) < 0 || end == a1)
		return rc;
	if (a3 == MADV_DONTNEED || a3 == MADV_FREE) /* FREE may drop at once: zeros next */
		return vm_discard(vm, a1, end - a1);
	if (a3 == MADV_POPULATE_READ || a3 == MADV_POPULATE_WRITE)
		return vm_populate(vm, a1, end - a1,
		                   a3 == MADV_POPULATE_WRITE ? VM_POPULATE_WRITE
		                                             : VM_POPULATE_READ);
	return vm_range_mapped(vm, a1, end - a1) ? 0 : -ENOMEM;
}

/* msync(addr, len, flags): 0 for a mapped range (nothing to write back), -EINVAL, -ENOMEM. */
SYSCALL_DEFINE(msync)
{
	uint32_t end;
	int rc;

	if (a3 & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if ((a3 & MS_ASYNC) && (a3 & MS_SYNC))
		return -EINVAL;
	if ((rc = page_range(a1, a2, &end)) < 0 || end == a1)
		return rc;
	return vm_range_mapped(vm_current(), a1, end - a1) ? 0 : -ENOMEM;
}

/* mincore(addr, len, vec): one byte per page (1 = has a frame); -EINVAL, -ENOMEM, -EFAULT. */
SYSCALL_DEFINE(mincore)
{
	struct vm_space *vm = vm_current();
	uint8_t chunk[MINCORE_CHUNK];
	uint32_t end, pages;
	int rc;

	if ((rc = page_range(a1, a2, &end)) < 0)
		return rc == -EINVAL && IS_ALIGNED(a1, PAGE_SIZE) ? -ENOMEM : rc;
	pages = (end - a1) >> PAGE_SHIFT;
	if (!user_range_ok(a3, pages))
		return -EFAULT;
	if (!vm_range_mapped(vm, a1, end - a1))
		return -ENOMEM;
	for (uint32_t done = 0; done < pages;) {
		uint32_t n = MIN(pages - done, MINCORE_CHUNK);
		for (uint32_t i = 0; i < n; i++)
			chunk[i] = vm_page_resident(vm, a1 + ((done + i) << PAGE_SHIFT));
		if (copy_to_user((uint8_t *)a3 + done, chunk, n) < 0)
			return -EFAULT;
		done += n;
	}
	return 0;
}
