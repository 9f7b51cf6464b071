/*
 * Guest tests of SysV shared memory below its system calls (suite "shm", kernel/sys_shm.c
 * through kernel/sys_shm_internal.h), on address spaces built here (not loaded, charged to a
 * fresh owner): shmget's keys and errors; ids made cyclically as Linux makes them (index +
 * seq * 32768, the sequence number growing at each wrap of the 64-slot cycle) and SHM_STAT by
 * index; shmat's placement (top-down, fixed, SHM_RND, SHM_REMAP, SHM_RDONLY) and errors; two
 * attachments and a forked copy sharing the same pages; shm_nattch counting areas (fork,
 * mprotect splits, munmap) and shmdt detaching every fragment of an attachment; IPC_RMID's
 * lifetime (SHM_DEST and a private key while attached, the id invalid after the last detach,
 * immediate destruction when unattached); IPC_SET, SHM_LOCK, IPC_INFO, SHM_INFO; and free
 * memory back exactly at its baseline after each segment is gone.
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "sched/owner.h"
#include "x86/mmu.h"

#include "../../kernel/sys_shm_internal.h"

#define VA   0x40000000u /* a user-half address in an empty span */
#define PID  4242
#define PID2 4343
#define KEY  0x53544b31 /* "STK1" */

static uint64_t free_now(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	return mi.free;
}

/* A space charged to a new owner (*@o); NULL (and a failure) when none. */
static struct vm_space *space(struct ktest_ctx *t, struct owner **o)
{
	struct vm_space *vm;

	if (!(*o = owner_create())) {
		ktest_fail(t, __FILE__, __LINE__, "owner_create failed");
		return NULL;
	}
	if (!(vm = vm_create((*o)->id)))
		ktest_fail(t, __FILE__, __LINE__, "vm_create failed");
	return vm;
}

/* Destroy @vm and drop @o, expecting nothing left charged to it. */
static void space_end(struct ktest_ctx *t, struct vm_space *vm, struct owner *o)
{
	vm_destroy(vm);
	KEXPECT_EQ(t, o->page_count, 0);
	KEXPECT_EQ(t, owner_put(o), 0);
}

/* The segment's IPC_STAT (zeroed when the id is invalid); returns shm_stat's result. */
static int stat_of(int id, struct shmid64_ds *ds)
{
	return shm_stat(id, IPC_STAT, ds);
}

/* shm_nattch of @id, or ~0u when the id is invalid. */
static uint32_t nattch_of(int id)
{
	struct shmid64_ds ds;

	return stat_of(id, &ds) == 0 ? ds.shm_nattch : ~0u;
}

/* The byte at @off of @id's object page (the shared page itself), or -1 when not there. */
static int object_byte(struct vm_object *obj, uint32_t off)
{
	struct page *pg = vm_object_peek_page(obj, off >> PAGE_SHIFT);
	int b;

	if (!pg)
		return -1;
	b = ((uint8_t *)page_address(pg))[off & (PAGE_SIZE - 1)];
	put_page(pg);
	return b;
}

/*
 * Free memory once the segment table, the slab caches and the zero page are warm: one
 * segment made, attached, written, forked, detached and removed first, so a test's own count
 * sees only its own pages.
 */
static uint64_t settled_free(void)
{
	struct owner *o = owner_create(), *co = owner_create();
	struct vm_space *vm = o ? vm_create(o->id) : NULL;
	struct vm_space *child = co ? vm_create(co->id) : NULL;
	int id = shm_get(IPC_PRIVATE, PAGE_SIZE, IPC_CREAT | 0600, PID);
	uintptr_t addr;
	char c = 1;

	if (vm && child && id >= 0 && shm_attach(vm, PID, id, 0, 0, &addr) == 0) {
		vm_write(vm, addr, &c, 1);
		vm_protect(vm, addr, PAGE_SIZE, VM_READ);
		if (vm_fork(child, vm) == 0)
			shm_detach(child, PID2, addr);
		shm_detach(vm, PID, addr);
	}
	if (id >= 0)
		shm_remove(id);
	vm_destroy(child);
	vm_destroy(vm);
	if (co)
		owner_put(co);
	if (o)
		owner_put(o);
	return free_now();
}

KTEST(shm, layouts)
{
	KEXPECT_EQ(t, sizeof(struct shmid64_ds), 84);
	KEXPECT_EQ(t, __builtin_offsetof(struct shmid64_ds, shm_segsz), 36);
	KEXPECT_EQ(t, __builtin_offsetof(struct shmid64_ds, shm_cpid), 64);
	KEXPECT_EQ(t, __builtin_offsetof(struct shmid64_ds, shm_lpid), 68);
	KEXPECT_EQ(t, __builtin_offsetof(struct shmid64_ds, shm_nattch), 72);
	KEXPECT_EQ(t, __builtin_offsetof(struct ipc64_perm, mode), 20);
	KEXPECT_EQ(t, __builtin_offsetof(struct ipc64_perm, seq), 24);
}

KTEST(shm, get_keys_and_errors)
{
	uint64_t before = settled_free();
	uint32_t segs = shm_segments();
	struct shmid64_ds ds;

	KEXPECT_EQ(t, shm_get(KEY, PAGE_SIZE, 0600, PID), -ENOENT);
	int id = shm_get(KEY, 3 * PAGE_SIZE + 100, IPC_CREAT | IPC_EXCL | 0640, PID);
	KASSERT(t, id >= 0);
	KEXPECT_EQ(t, shm_segments(), segs + 1);
	KEXPECT_EQ(t, shm_get(KEY, PAGE_SIZE, IPC_CREAT | IPC_EXCL | 0600, PID), -EEXIST);
	KEXPECT_EQ(t, shm_get(KEY, 0, 0, PID2), id); /* size 0 finds an existing one */
	KEXPECT_EQ(t, shm_get(KEY, 3 * PAGE_SIZE + 100, IPC_CREAT, PID2), id);
	KEXPECT_EQ(t, shm_get(KEY, 3 * PAGE_SIZE + 101, 0, PID2), -EINVAL); /* bigger than it */
	KEXPECT_EQ(t, shm_get(KEY, 3 * PAGE_SIZE + 101, IPC_CREAT, PID2), -EINVAL);
	KEXPECT_EQ(t, shm_get(IPC_PRIVATE, 0, IPC_CREAT | 0600, PID), -EINVAL);
	KEXPECT_EQ(t, shm_get(KEY + 1, 0, IPC_CREAT | 0600, PID), -EINVAL);
	KEXPECT_EQ(t, shm_get(KEY + 1, SHMMAX + 1u, IPC_CREAT | 0600, PID), -EINVAL);
	KEXPECT_EQ(t, shm_get(KEY + 1, PAGE_SIZE, IPC_CREAT | SHM_HUGETLB | 0600, PID), -ENOMEM);

	/* IPC_PRIVATE always makes a new segment, with or without IPC_CREAT. */
	int p1 = shm_get(IPC_PRIVATE, PAGE_SIZE, 0600, PID);
	int p2 = shm_get(IPC_PRIVATE, PAGE_SIZE, IPC_CREAT | IPC_EXCL | 0600, PID);
	KEXPECT(t, p1 >= 0 && p2 >= 0 && p1 != p2 && p1 != id && p2 != id);

	KASSERT_EQ(t, stat_of(id, &ds), 0);
	KEXPECT_EQ(t, ds.shm_perm.key, KEY);
	KEXPECT_EQ(t, ds.shm_perm.mode, 0640);
	KEXPECT_EQ(t, ds.shm_perm.seq, (uint32_t)id >> IPC_IDX_BITS);
	KEXPECT_EQ(t, ds.shm_segsz, 3 * PAGE_SIZE + 100);
	KEXPECT_EQ(t, ds.shm_cpid, PID);
	KEXPECT_EQ(t, ds.shm_lpid, 0);
	KEXPECT_EQ(t, ds.shm_nattch, 0);
	KEXPECT_EQ(t, ds.shm_atime, 0);
	KEXPECT_EQ(t, ds.shm_dtime, 0);
	KEXPECT(t, ds.shm_ctime > 1600000000u); /* seconds of the realtime clock (after 2020) */

	KEXPECT_EQ(t, shm_remove(id), 0);
	KEXPECT_EQ(t, shm_remove(id), -EINVAL);
	KEXPECT_EQ(t, stat_of(id, &ds), -EINVAL);
	KEXPECT_EQ(t, shm_get(KEY, PAGE_SIZE, 0600, PID), -ENOENT);
	KEXPECT_EQ(t, shm_remove(p1), 0);
	KEXPECT_EQ(t, shm_remove(p2), 0);
	KEXPECT_EQ(t, shm_segments(), segs);
	KEXPECT_EQ(t, shm_remove(-1), -EINVAL);
	KEXPECT_EQ(t, free_now(), before);
}

KTEST(shm, ids_cycle_as_linux)
{
	uint32_t segs = shm_segments();
	int prev = shm_get(IPC_PRIVATE, PAGE_SIZE, IPC_CREAT | 0600, PID);
	unsigned wraps = 0;

	KASSERT(t, prev >= 0);
	KASSERT_EQ(t, segs, 0); /* the 64-slot cycle below assumes an empty table */
	KEXPECT_EQ(t, shm_remove(prev), 0);
	/* Each new segment takes the next index of the 64-slot cycle (in use: fewer than 43);
	 * the sequence number grows exactly when the index wraps. */
	for (int i = 0; i < 130; i++) {
		int id = shm_get(IPC_PRIVATE, PAGE_SIZE, IPC_CREAT | 0600, PID);
		KASSERT(t, id >= 0);
		uint32_t idx = (uint32_t)id & IPC_IDX_MASK, pidx = (uint32_t)prev & IPC_IDX_MASK;
		uint32_t seq = (uint32_t)id >> IPC_IDX_BITS, pseq = (uint32_t)prev >> IPC_IDX_BITS;
		KEXPECT_EQ(t, idx, (pidx + 1) % IPC_MIN_CYCLE);
		KEXPECT_EQ(t, seq, idx == 0 ? pseq + 1 : pseq);
		wraps += idx == 0;

		/* SHM_STAT takes the index and returns the full id; IPC_STAT wants the id. */
		struct shmid64_ds ds;
		KEXPECT_EQ(t, shm_stat((int)idx, SHM_STAT, &ds), id);
		KEXPECT_EQ(t, shm_stat((int)idx, SHM_STAT_ANY, &ds), id);
		if (seq)
			KEXPECT_EQ(t, shm_stat((int)idx, IPC_STAT, &ds), -EINVAL);
		KEXPECT_EQ(t, shm_stat(id + (1 << IPC_IDX_BITS), IPC_STAT, &ds), -EINVAL);
		KEXPECT_EQ(t, shm_stat(id, IPC_STAT, &ds), 0);
		KEXPECT_EQ(t, shm_remove(id), 0);
		KEXPECT_EQ(t, shm_stat((int)idx, SHM_STAT, &ds), -EINVAL);
		prev = id;
	}
	KEXPECT_EQ(t, wraps, 2);
	KEXPECT_EQ(t, shm_segments(), 0);

	/* A live segment's index is skipped by the cycle. */
	int a = shm_get(IPC_PRIVATE, PAGE_SIZE, IPC_CREAT | 0600, PID);
	int b = shm_get(IPC_PRIVATE, PAGE_SIZE, IPC_CREAT | 0600, PID);
	KASSERT(t, a >= 0 && b >= 0);
	KEXPECT_EQ(t, (b & IPC_IDX_MASK), ((a & IPC_IDX_MASK) + 1) % IPC_MIN_CYCLE);
	struct shminfo64 si;
	struct shm_info info;
	KEXPECT_EQ(t, shm_ipc_info(&si), MAX(a & IPC_IDX_MASK, b & IPC_IDX_MASK));
	KEXPECT_EQ(t, si.shmmni, SHMMNI);
	KEXPECT_EQ(t, si.shmmax, SHMMAX);
	KEXPECT_EQ(t, si.shmmin, 1);
	KEXPECT_EQ(t, shm_get_info(&info), MAX(a & IPC_IDX_MASK, b & IPC_IDX_MASK));
	KEXPECT_EQ(t, info.used_ids, 2);
	KEXPECT_EQ(t, info.shm_tot, 2);
	KEXPECT_EQ(t, shm_remove(a), 0);
	KEXPECT_EQ(t, shm_remove(b), 0);
	KEXPECT_EQ(t, shm_get_info(&info), 0);
	KEXPECT_EQ(t, info.used_ids, 0);
	KEXPECT_EQ(t, info.shm_tot, 0);
}

KTEST(shm, attach_places_and_shares)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);
	struct shmid64_ds ds;
	uintptr_t a1 = 0, a2 = 0, a3 = 0;
	struct vm_area *area;
	char x = 'x', y = 'y';

	KASSERT(t, vm != NULL);
	int id = shm_get(IPC_PRIVATE, 3 * PAGE_SIZE + 100, IPC_CREAT | 0600, PID);
	KASSERT(t, id >= 0);
	KEXPECT_EQ(t, shm_attach(vm, PID, id + (1 << IPC_IDX_BITS), 0, 0, &a1), -EINVAL);
	KEXPECT_EQ(t, shm_attach(vm, PID, -1, 0, 0, &a1), -EINVAL);
	KEXPECT_EQ(t, shm_attach(vm, PID, id, 0, SHM_REMAP, &a1), -EINVAL);

	/* Top-down like mmap: the highest free range, the segment's pages rounded up. */
	uintptr_t expect = vm_find_free(vm, 4 * PAGE_SIZE);
	KASSERT_EQ(t, shm_attach(vm, PID, id, 0, 0, &a1), 0);
	KEXPECT_EQ(t, a1, expect);
	KASSERT(t, (area = vm_find(vm, a1)) != NULL);
	KEXPECT_EQ(t, area->start, a1);
	KEXPECT_EQ(t, area->end, a1 + 4 * PAGE_SIZE);
	KEXPECT(t, area->flags & VM_SHARED);
	KEXPECT_EQ(t, area->prot, VM_READ | VM_WRITE);
	struct vm_object *obj = area->backing.obj;
	KASSERT_EQ(t, stat_of(id, &ds), 0);
	KEXPECT_EQ(t, ds.shm_nattch, 1);
	KEXPECT_EQ(t, ds.shm_lpid, PID);
	KEXPECT(t, ds.shm_atime >= ds.shm_ctime && ds.shm_atime > 0);

	/* Fixed addresses: page-aligned, or rounded with SHM_RND; no overlap unless SHM_REMAP. */
	KEXPECT_EQ(t, shm_attach(vm, PID2, id, VA + 1, 0, &a2), -EINVAL);
	KASSERT_EQ(t, shm_attach(vm, PID2, id, VA + 1, SHM_RND, &a2), 0);
	KEXPECT_EQ(t, a2, VA);
	KEXPECT_EQ(t, nattch_of(id), 2);
	KASSERT_EQ(t, stat_of(id, &ds), 0);
	KEXPECT_EQ(t, ds.shm_lpid, PID2);
	KEXPECT_EQ(t, shm_attach(vm, PID, id, VA + PAGE_SIZE, 0, &a3), -EINVAL);
	KEXPECT_EQ(t, shm_attach(vm, PID, id, VA - PAGE_SIZE, 0, &a3), -EINVAL);
	KEXPECT_EQ(t, shm_attach(vm, PID, id, PAGE_SIZE, 0, &a3), -EPERM);
	KEXPECT_EQ(t, shm_attach(vm, PID, id, KERNEL_BASE - PAGE_SIZE, 0, &a3), -ENOMEM);

	/* Both attachments map the segment's own pages. */
	KEXPECT_EQ(t, vm_write(vm, a1 + 5000, &x, 1), 0);
	KEXPECT_EQ(t, object_byte(obj, 5000), 'x');
	KEXPECT_EQ(t, vm_write(vm, VA + 5001, &y, 1), 0);
	KEXPECT_EQ(t, object_byte(obj, 5001), 'y');

	/* SHM_REMAP replaces the second attachment by a read-only one. */
	KASSERT_EQ(t, shm_attach(vm, PID, id, VA, SHM_REMAP | SHM_RDONLY, &a3), 0);
	KEXPECT_EQ(t, a3, VA);
	KEXPECT_EQ(t, nattch_of(id), 2);
	KASSERT(t, (area = vm_find(vm, VA)) != NULL);
	KEXPECT_EQ(t, area->prot, VM_READ);
	KEXPECT_EQ(t, vm_fault(vm, VA + 5000, PF_W | PF_U), -EFAULT);
	KEXPECT_EQ(t, vm_fault(vm, VA + 5000, PF_U), 0);

	/* shmdt: the address an attachment starts at, nothing else. */
	KEXPECT_EQ(t, shm_detach(vm, PID, VA + 1), -EINVAL);
	KEXPECT_EQ(t, shm_detach(vm, PID, VA + PAGE_SIZE), -EINVAL);
	KEXPECT_EQ(t, shm_detach(vm, PID2, VA), 0);
	KEXPECT(t, vm_find(vm, VA) == NULL);
	KEXPECT_EQ(t, shm_detach(vm, PID, VA), -EINVAL);
	KASSERT_EQ(t, stat_of(id, &ds), 0);
	KEXPECT_EQ(t, ds.shm_nattch, 1);
	KEXPECT_EQ(t, ds.shm_lpid, PID2);
	KEXPECT(t, ds.shm_dtime > 0);
	KEXPECT_EQ(t, object_byte(obj, 5000), 'x'); /* the segment keeps its pages */

	KEXPECT_EQ(t, shm_detach(vm, PID, a1), 0);
	KEXPECT_EQ(t, nattch_of(id), 0);
	KEXPECT_EQ(t, object_byte(obj, 5001), 'y'); /* unattached, not removed: kept */
	KEXPECT_EQ(t, shm_remove(id), 0);
	space_end(t, vm, o);
	KEXPECT_EQ(t, free_now(), before);
}

KTEST(shm, nattch_counts_areas_and_shmdt_takes_fragments)
{
	uint64_t before = settled_free();
	struct owner *o, *co;
	struct vm_space *vm = space(t, &o), *child = space(t, &co);
	uintptr_t addr;
	char c = 'c';

	KASSERT(t, vm != NULL && child != NULL);
	int id = shm_get(IPC_PRIVATE, 4 * PAGE_SIZE, IPC_CREAT | 0600, PID);
	KASSERT(t, id >= 0);
	KASSERT_EQ(t, shm_attach(vm, PID, id, VA, 0, &addr), 0);
	for (uintptr_t va = VA; va < VA + 4 * PAGE_SIZE; va += PAGE_SIZE)
		KASSERT_EQ(t, vm_write(vm, va, &c, 1), 0);

	/* fork copies the attachment: one more; the child's end drops it. */
	KASSERT_EQ(t, vm_fork(child, vm), 0);
	KEXPECT_EQ(t, nattch_of(id), 2);
	vm_destroy(child);
	child = NULL;
	KEXPECT_EQ(t, nattch_of(id), 1);
	KEXPECT_EQ(t, co->page_count, 0);
	KEXPECT_EQ(t, owner_put(co), 0);

	/* mprotect splits the area: each piece counts (as Linux's vm_ops->open does). */
	KASSERT_EQ(t, vm_protect(vm, VA + PAGE_SIZE, PAGE_SIZE, VM_READ), 0);
	KEXPECT_EQ(t, nattch_of(id), 3);
	/* munmap of the first page leaves two fragments that still start the attachment. */
	KASSERT_EQ(t, vm_unmap(vm, VA, PAGE_SIZE), 0);
	KEXPECT_EQ(t, nattch_of(id), 2);
	KEXPECT_EQ(t, shm_detach(vm, PID, VA + PAGE_SIZE), -EINVAL);
	KEXPECT_EQ(t, shm_detach(vm, PID, VA), 0);
	KEXPECT(t, vm_range_free(vm, VA, 4 * PAGE_SIZE));
	KEXPECT_EQ(t, nattch_of(id), 0);
	KEXPECT_EQ(t, vm->areas.count, 0);

	/* munmap of a whole attachment detaches it too. */
	KASSERT_EQ(t, shm_attach(vm, PID, id, 0, 0, &addr), 0);
	KEXPECT_EQ(t, nattch_of(id), 1);
	KASSERT_EQ(t, vm_unmap(vm, addr, 4 * PAGE_SIZE), 0);
	KEXPECT_EQ(t, nattch_of(id), 0);
	KEXPECT_EQ(t, shm_detach(vm, PID, addr), -EINVAL);

	KEXPECT_EQ(t, shm_remove(id), 0);
	space_end(t, vm, o);
	KEXPECT_EQ(t, free_now(), before);
}

KTEST(shm, rmid_lives_until_the_last_detach)
{
	uint64_t before = settled_free();
	uint32_t segs = shm_segments();
	struct owner *o, *co;
	struct vm_space *vm = space(t, &o), *child = space(t, &co);
	struct shmid64_ds ds;
	uintptr_t addr, addr2;
	char c = 'r';

	KASSERT(t, vm != NULL && child != NULL);
	int id = shm_get(KEY, 2 * PAGE_SIZE, IPC_CREAT | IPC_EXCL | 0600, PID);
	KASSERT(t, id >= 0);
	KASSERT_EQ(t, shm_attach(vm, PID, id, 0, 0, &addr), 0);
	KASSERT_EQ(t, vm_write(vm, addr + PAGE_SIZE, &c, 1), 0);
	struct vm_object *obj = vm_find(vm, addr)->backing.obj;
	KASSERT_EQ(t, vm_fork(child, vm), 0);

	/* Removed while attached twice: SHM_DEST, the key gone, the id still good. */
	KEXPECT_EQ(t, shm_remove(id), 0);
	KASSERT_EQ(t, stat_of(id, &ds), 0);
	KEXPECT_EQ(t, ds.shm_perm.mode, SHM_DEST | 0600);
	KEXPECT_EQ(t, ds.shm_perm.key, IPC_PRIVATE);
	KEXPECT_EQ(t, ds.shm_nattch, 2);
	KEXPECT_EQ(t, shm_remove(id), 0); /* again: nothing changes */
	KEXPECT_EQ(t, nattch_of(id), 2);
	KEXPECT_EQ(t, shm_get(KEY, PAGE_SIZE, 0600, PID), -ENOENT);
	int id2 = shm_get(KEY, PAGE_SIZE, IPC_CREAT | IPC_EXCL | 0600, PID);
	KEXPECT(t, id2 >= 0 && id2 != id);
	KEXPECT_EQ(t, shm_segments(), segs + 2);

	/* Linux lets a removed segment be attached again while it lives. */
	KASSERT_EQ(t, shm_attach(vm, PID, id, 0, 0, &addr2), 0);
	KEXPECT_EQ(t, nattch_of(id), 3);
	KEXPECT_EQ(t, shm_detach(vm, PID, addr2), 0);
	KEXPECT_EQ(t, shm_detach(vm, PID, addr), 0);
	KEXPECT_EQ(t, nattch_of(id), 1);
	KEXPECT_EQ(t, object_byte(obj, PAGE_SIZE), 'r'); /* the child's attachment keeps it */

	/* The last detach is the child's end: the id goes with the segment. */
	vm_destroy(child);
	KEXPECT_EQ(t, stat_of(id, &ds), -EINVAL);
	KEXPECT_EQ(t, shm_attach(vm, PID, id, 0, 0, &addr2), -EINVAL);
	KEXPECT_EQ(t, shm_remove(id), -EINVAL);
	KEXPECT_EQ(t, shm_segments(), segs + 1);
	KEXPECT_EQ(t, co->page_count, 0);
	KEXPECT_EQ(t, owner_put(co), 0);

	/* Unattached, IPC_RMID destroys at once. */
	KEXPECT_EQ(t, shm_remove(id2), 0);
	KEXPECT_EQ(t, stat_of(id2, &ds), -EINVAL);
	KEXPECT_EQ(t, shm_segments(), segs);
	space_end(t, vm, o);
	KEXPECT_EQ(t, free_now(), before);
}

KTEST(shm, set_lock_and_ctl_checks)
{
	uint64_t before = settled_free();
	struct shmid64_ds ds;
	struct ipc64_perm in;
	struct shm_info info;

	int id = shm_get(IPC_PRIVATE, PAGE_SIZE, IPC_CREAT | 0600, PID);
	KASSERT(t, id >= 0);
	memset(&in, 0, sizeof(in));
	in.uid = 5;
	in.gid = 6;
	in.mode = 0xF000 | 0640; /* only the permission bits are taken */
	KEXPECT_EQ(t, shm_set(id, &in), 0);
	KASSERT_EQ(t, stat_of(id, &ds), 0);
	KEXPECT_EQ(t, ds.shm_perm.mode, 0640);
	KEXPECT_EQ(t, ds.shm_perm.uid, 5);
	KEXPECT_EQ(t, ds.shm_perm.gid, 6);
	KEXPECT_EQ(t, ds.shm_perm.cuid, 0);
	in.uid = 0xFFFFFFFFu;
	KEXPECT_EQ(t, shm_set(id, &in), -EINVAL);
	KEXPECT_EQ(t, shm_set(id + (1 << IPC_IDX_BITS), &in), -EINVAL);

	KEXPECT_EQ(t, shm_lock(id, true), 0);
	KASSERT_EQ(t, stat_of(id, &ds), 0);
	KEXPECT_EQ(t, ds.shm_perm.mode, SHM_LOCKED | 0640);
	KEXPECT_EQ(t, shm_lock(id, false), 0);
	KASSERT_EQ(t, stat_of(id, &ds), 0);
	KEXPECT_EQ(t, ds.shm_perm.mode, 0640);
	KEXPECT_EQ(t, shm_lock(-5, true), -EINVAL);

	/* shm_ctl's own checks come before any user copy. */
	KEXPECT_EQ(t, shm_ctl(-1, IPC_STAT, 0, true), -EINVAL);
	KEXPECT_EQ(t, shm_ctl(id, -1, 0, true), -EINVAL);
	KEXPECT_EQ(t, shm_ctl(id, 99, 0, true), -EINVAL);
	KEXPECT_EQ(t, shm_ctl(id, IPC_STAT | IPC_64, 0, true), -EINVAL);
	KEXPECT_EQ(t, shm_ctl(id + (1 << IPC_IDX_BITS), IPC_STAT, 0, true), -EINVAL);
	KEXPECT_EQ(t, shm_ctl(id, IPC_STAT, 0, true), -EFAULT);
	KEXPECT_EQ(t, shm_ctl(id, IPC_SET, 0, true), -EFAULT);
	KEXPECT_EQ(t, shm_ctl(id, SHM_INFO, 0, true), -EFAULT);
	KEXPECT_EQ(t, shm_get_info(&info), id & IPC_IDX_MASK);
	KEXPECT_EQ(t, info.used_ids, 1);
	KEXPECT_EQ(t, info.shm_rss, 0);
	KEXPECT_EQ(t, shm_ctl(id, IPC_RMID, 0, true), 0);
	KEXPECT_EQ(t, shm_ctl(id, IPC_RMID, 0, false), -EINVAL);
	KEXPECT_EQ(t, free_now(), before);
}
