/*
 * Guest tests of the memfd file type (include/fs/memfd.h) through the file layer: a write
 * grows the file and reads back, a hole reads as zeros without costing a page, fstat's
 * attributes, ftruncate's zeroed tail, the seals, and lifetime (a mapping's reference keeps
 * the object and its pages after the file is gone; the last reference frees them). Each test
 * ends with exactly the free memory and live slab objects it started with. The system-call
 * side (memfd_create's checks, pread/pwrite, mmap across fork and exec) is tested from user
 * space by tests/user/t_shm.c.
 */
#include "fs/file.h"
#include "fs/memfd.h"
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/page_size.h"
#include "lib/string.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "sched/stress.h"

#define BLOCKS_PER_PAGE (PAGE_SIZE / FILE_BLOCK_SIZE)

static uint32_t shmem_pages(void)
{
	struct vm_object_stats s;

	vm_object_get_stats(&s);
	return s.shmem;
}

KTEST(memfd, write_grows_holes_read_zero)
{
	uint64_t free0, objs0, free1, objs1;
	struct strata_stat st;
	struct file *f;
	char buf[16];

	stress_snapshot(&free0, &objs0);
	uint32_t shmem0 = shmem_pages();
	KASSERT_EQ(t, memfd_open("test", 0, &f), 0);
	KEXPECT(t, memfd_is(f));
	KEXPECT_EQ(t, f->flags, O_RDWR | O_LARGEFILE);
	KEXPECT_EQ(t, file_fstat(f, &st), 0);
	KEXPECT_EQ(t, st.mode, S_IFREG | 0777u);
	KEXPECT_EQ(t, st.nlink, 0u);
	KEXPECT_EQ(t, st.size, 0u);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0);

	KEXPECT_EQ(t, file_llseek(f, 2 * PAGE_SIZE + 10, SEEK_SET), 2 * PAGE_SIZE + 10);
	KEXPECT_EQ(t, file_write(f, "hello", 5), 5);
	KEXPECT_EQ(t, file_fstat(f, &st), 0);
	KEXPECT_EQ(t, st.size, 2 * PAGE_SIZE + 15);
	KEXPECT_EQ(t, st.blocks, BLOCKS_PER_PAGE); /* pages 0 and 1 are holes */
	KEXPECT_EQ(t, shmem_pages(), shmem0 + 1);

	KEXPECT_EQ(t, file_llseek(f, PAGE_SIZE - 4, SEEK_SET), PAGE_SIZE - 4);
	memset(buf, 0x55, sizeof(buf));
	KEXPECT_EQ(t, file_read(f, buf, 8), 8);
	KEXPECT(t, memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
	KEXPECT_EQ(t, shmem_pages(), shmem0 + 1); /* reading the holes allocated nothing */
	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_DATA), 2 * PAGE_SIZE);
	KEXPECT_EQ(t, file_llseek(f, 2 * PAGE_SIZE, SEEK_HOLE), 2 * PAGE_SIZE + 15);
	KEXPECT_EQ(t, file_llseek(f, -5, SEEK_END), 2 * PAGE_SIZE + 10);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 5);
	KEXPECT(t, memcmp(buf, "hello", 5) == 0);
	KEXPECT_EQ(t, file_llseek(f, -1, SEEK_SET), -EINVAL);

	f->flags |= O_APPEND; /* F_SETFL: writes go to the end wherever the position is */
	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_SET), 0);
	KEXPECT_EQ(t, file_write(f, "!", 1), 1);
	KEXPECT_EQ(t, f->pos, 2 * PAGE_SIZE + 16);
	file_put(f);
	KEXPECT_EQ(t, shmem_pages(), shmem0);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(memfd, truncate_zeroes_the_tail_and_seals_hold)
{
	uint64_t free0, objs0, free1, objs1;
	struct strata_stat st;
	struct file *f;
	char buf[8];

	stress_snapshot(&free0, &objs0);
	KASSERT_EQ(t, memfd_open("seals", MFD_ALLOW_SEALING, &f), 0);
	KEXPECT_EQ(t, memfd_fcntl(f, F_GET_SEALS, 0), 0);
	KEXPECT_EQ(t, file_write(f, "abcdefgh", 8), 8);
	KEXPECT_EQ(t, memfd_truncate(f, 3), 0);
	KEXPECT_EQ(t, memfd_truncate(f, 3 * PAGE_SIZE), 0);
	KEXPECT_EQ(t, file_fstat(f, &st), 0);
	KEXPECT_EQ(t, st.size, 3 * PAGE_SIZE);
	KEXPECT_EQ(t, st.blocks, BLOCKS_PER_PAGE);
	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_SET), 0);
	KEXPECT_EQ(t, file_read(f, buf, 8), 8);
	KEXPECT(t, memcmp(buf, "abc\0\0\0\0\0", 8) == 0); /* the shrink zeroed the tail */
	KEXPECT_EQ(t, memfd_truncate(f, 0), 0);
	KEXPECT_EQ(t, file_fstat(f, &st), 0);
	KEXPECT_EQ(t, st.blocks, 0u);
	KEXPECT_EQ(t, memfd_truncate(f, MEMFD_MAX_SIZE + 1), -EFBIG);

	KEXPECT_EQ(t, memfd_truncate(f, 100), 0);
	KEXPECT_EQ(t, memfd_fcntl(f, F_ADD_SEALS, 0x40), -EINVAL);
	KEXPECT_EQ(t, memfd_fcntl(f, F_ADD_SEALS, F_SEAL_WRITE), -EINVAL); /* unsupported */
	KEXPECT_EQ(t, memfd_fcntl(f, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK), 0);
	KEXPECT_EQ(t, memfd_truncate(f, 101), -EPERM);
	KEXPECT_EQ(t, memfd_truncate(f, 99), -EPERM);
	KEXPECT_EQ(t, memfd_truncate(f, 100), 0);
	KEXPECT_EQ(t, file_llseek(f, 98, SEEK_SET), 98);
	KEXPECT_EQ(t, file_write(f, "xy", 2), 2);
	KEXPECT_EQ(t, file_write(f, "z", 1), -EPERM); /* would grow */
	KEXPECT_EQ(t, memfd_fcntl(f, F_ADD_SEALS, F_SEAL_SEAL), 0);
	KEXPECT_EQ(t, memfd_fcntl(f, F_ADD_SEALS, 0), -EPERM);
	KEXPECT_EQ(t, memfd_fcntl(f, F_GET_SEALS, 0), F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK);
	file_put(f);

	KASSERT_EQ(t, memfd_open("unsealable", 0, &f), 0);
	KEXPECT_EQ(t, memfd_fcntl(f, F_GET_SEALS, 0), F_SEAL_SEAL);
	KEXPECT_EQ(t, memfd_fcntl(f, F_ADD_SEALS, F_SEAL_GROW), -EPERM);
	file_put(f);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(memfd, a_mapping_keeps_the_object)
{
	uint64_t free0, objs0, free1, objs1;
	struct file *f;
	struct page *pg;
	char name[MFD_NAME_MAX + 2];

	memset(name, 'n', sizeof(name));
	name[MFD_NAME_MAX + 1] = '\0';
	KEXPECT_EQ(t, memfd_open(name, 0, &f), -EINVAL);
	name[MFD_NAME_MAX] = '\0';
	stress_snapshot(&free0, &objs0);
	uint32_t shmem0 = shmem_pages();
	KASSERT_EQ(t, memfd_open(name, 0, &f), 0);
	KEXPECT_EQ(t, file_write(f, "data", 4), 4);
	struct vm_object *obj = f->ops->mmap_object(f);
	KASSERT(t, obj != NULL);
	KEXPECT(t, vm_object_is_shared(obj));
	file_put(f); /* the mapping's reference keeps the object and its page */
	KEXPECT_EQ(t, shmem_pages(), shmem0 + 1);
	KASSERT_EQ(t, vm_object_get_page(obj, 0, &pg), 0);
	KEXPECT(t, memcmp(page_address(pg), "data", 4) == 0);
	put_page(pg);
	vm_object_put(obj);
	KEXPECT_EQ(t, shmem_pages(), shmem0);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}
