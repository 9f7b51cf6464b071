/*
 * sys_shm_internal: SysV shared memory below its system calls (kernel/sys_shm.c), for the
 * calls themselves and the guest tests (tests/kernel/test_shm.c). Every operation takes the
 * address space and the pid it acts for, and works on kernel copies of Linux's structures,
 * so a test can drive the segment table and the attachments of a space it built itself.
 *
 * Linux 6.1's i386 layouts (include/uapi/asm-generic/ipcbuf.h, shmbuf.h, linux/shm.h) and
 * constants; the caller is always root (every permission check passes; the mode is kept and
 * reported).
 */
#ifndef STRATA_KERNEL_SYS_SHM_INTERNAL_H
#define STRATA_KERNEL_SYS_SHM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct vm_space;

/* include/uapi/linux/ipc.h */
#define IPC_PRIVATE 0
#define IPC_CREAT   01000u
#define IPC_EXCL    02000u
#define IPC_RMID    0
#define IPC_SET     1
#define IPC_STAT    2
#define IPC_INFO    3
#define IPC_64      0x100 /* cmd flag: the 64-bit layouts (glibc always sets it) */

/* include/uapi/linux/shm.h */
#define SHM_LOCK     11
#define SHM_UNLOCK   12
#define SHM_STAT     13
#define SHM_INFO     14
#define SHM_STAT_ANY 15
#define SHM_HUGETLB  04000u   /* shmget */
#define SHM_RDONLY   010000u  /* shmat */
#define SHM_RND      020000u  /* shmat: round the address down to SHMLBA */
#define SHM_REMAP    040000u  /* shmat: replace what is mapped there */
#define SHM_EXEC     0100000u /* shmat */
#define SHM_DEST     01000u   /* mode: removed, destroyed at the last detach */
#define SHM_LOCKED   02000u   /* mode: SHM_LOCK */

/* Limits: Linux's defaults on i386 (ULONG_MAX - 2^24 bytes and pages; 4096 ids). */
#define SHMMIN 1u
#define SHMMAX 0xFEFFFFFFu
#define SHMALL 0xFEFFFFFFu
#define SHMMNI 4096u
#define SHMLBA 4096u /* PAGE_SIZE on x86 */

/* Ids: index + seq * 32768 (ipc/util.h without ipcmni_extend). */
#define IPC_IDX_BITS  15
#define IPC_IDX_MASK  0x7FFF
#define IPCMNI        32768u
#define IPC_SEQ_MAX   65535u /* INT_MAX >> 15: seq wraps to 0 here */
#define IPC_MIN_CYCLE 64u    /* ipc_min_cycle (RADIX_TREE_MAP_SIZE) */

struct ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint16_t mode;
	uint16_t pad1;
	uint16_t seq;
	uint16_t pad2;
	uint32_t unused1, unused2;
};

struct shmid64_ds {
	struct ipc64_perm shm_perm;
	uint32_t shm_segsz;
	uint32_t shm_atime, shm_atime_high;
	uint32_t shm_dtime, shm_dtime_high;
	uint32_t shm_ctime, shm_ctime_high;
	int32_t shm_cpid, shm_lpid;
	uint32_t shm_nattch;
	uint32_t unused4, unused5;
};

struct shminfo64 {
	uint32_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint32_t unused1, unused2, unused3, unused4;
};

struct shm_info {
	int32_t used_ids;
	uint32_t shm_tot; /* pages of all segments */
	uint32_t shm_rss; /* pages resident */
	uint32_t shm_swp;
	uint32_t swap_attempts, swap_successes;
};

_Static_assert(sizeof(struct ipc64_perm) == 36, "struct ipc64_perm is 36 bytes on i386");
_Static_assert(sizeof(struct shmid64_ds) == 84, "struct shmid64_ds is 84 bytes on i386");
_Static_assert(sizeof(struct shminfo64) == 36, "struct shminfo64 is 36 bytes on i386");
_Static_assert(sizeof(struct shm_info) == 24, "struct shm_info is 24 bytes on i386");

/*
 * shmget: the id of the segment with @key (IPC_PRIVATE: always a new one), made when absent
 * and @flags has IPC_CREAT (mode: @flags & 0777; creator @pid). Returns the id, or -ENOENT
 * (absent, no IPC_CREAT), -EEXIST (present, IPC_CREAT|IPC_EXCL), -EINVAL (present but smaller
 * than @size; new with @size 0 or above SHMMAX), -ENOSPC (SHMMNI segments, or SHMALL pages),
 * -ENOMEM.
 */
int shm_get(int32_t key, uint32_t size, uint32_t flags, int pid);

/*
 * shmat in @vm for @pid: attach segment @id at @addr (0: top-down like mmap; unaligned only
 * with SHM_RND, which rounds down), read-only with SHM_RDONLY; *@raddr gets the address.
 * Returns 0, -EINVAL (bad id, unaligned @addr, @addr overlapping a mapping without
 * SHM_REMAP, SHM_REMAP without @addr), -ENOMEM (no room), -EPERM (below USER_BASE).
 */
int shm_attach(struct vm_space *vm, int pid, int id, uintptr_t addr, uint32_t flags,
               uintptr_t *raddr);

/*
 * shmdt in @vm for @pid: detach the attachment made at @addr (every area of it, also the
 * fragments munmap or mprotect left). Returns 0, or -EINVAL (unaligned, nothing attached).
 */
int shm_detach(struct vm_space *vm, int pid, uintptr_t addr);

/*
 * IPC_STAT (@id an id), SHM_STAT and SHM_STAT_ANY (@id an index): fill *@out. Returns 0
 * (IPC_STAT) or the full id (SHM_STAT*), or -EINVAL (no such segment).
 */
int shm_stat(int id, int cmd, struct shmid64_ds *out);

/* IPC_SET: the uid, gid and mode bits 0777 from @in; ctime now. 0 or -EINVAL. */
int shm_set(int id, const struct ipc64_perm *in);

/*
 * IPC_RMID: destroy segment @id now if nothing is attached; otherwise mark it SHM_DEST and
 * drop its key (a new shmget of that key makes a new segment); it is destroyed, and its id
 * becomes invalid, at its last detach (shmdt, munmap, exit or exec). 0 or -EINVAL.
 */
int shm_remove(int id);

/* SHM_LOCK (@lock) / SHM_UNLOCK: set or clear SHM_LOCKED (nothing is swapped). 0, -EINVAL. */
int shm_lock(int id, bool lock);

/* IPC_INFO: the limits; returns the highest index in use (0 when none). */
int shm_ipc_info(struct shminfo64 *out);

/* SHM_INFO: the counts; returns the highest index in use (0 when none). */
int shm_get_info(struct shm_info *out);

/*
 * shmctl as Linux's ksys_shmctl: @cmd without IPC_64, @ubuf a user pointer, @ipc64 the
 * layout (false: Linux's old struct shmid_ds, ipc_perm and shminfo). Returns what the
 * command returns, or -EINVAL (negative @id or @cmd, unknown @cmd), -EFAULT.
 */
long shm_ctl(int id, int cmd, uintptr_t ubuf, bool ipc64);

/* Segments in the table (removed ones still attached included). */
uint32_t shm_segments(void);

#endif
