/*
 * sys_shm: SysV shared memory with Linux 6.1's semantics — the ipc(2) multiplexer (117:
 * SHMGET, SHMAT, SHMDT, SHMCTL, what glibc 2.36 calls on i386) and the direct calls shmget,
 * shmctl, shmat, shmdt (395..398), sharing one implementation; the `shm` monitor command
 * (Linux's /proc/sysvipc/shm).
 *
 * A segment is a shared anonymous memory object (include/mm/pager.h) of its size rounded up
 * to pages, named by an id in the segment table. An attachment is a VM_SHARED area backed by
 * the object from its first byte at the attach address (backing.base), so every attachment,
 * in any process, maps the same pages; fork copies the areas (each takes a reference), exit,
 * exec and munmap drop them.
 *
 * References and lifetime (Linux's shm_nattch, do_shm_rmid, shm_destroy):
 *   obj->refs = (1 if the table holds one: the segment is not removed) + VM areas mapping it
 *   shm_nattch = obj->refs - that table reference (areas split by mprotect/munmap count once
 *                each, as Linux's vm_ops->open counts them)
 *   IPC_RMID, nothing attached .... the id leaves the table, the object is freed
 *   IPC_RMID, attached ............ SHM_DEST in the mode, the key becomes IPC_PRIVATE (a new
 *                                   shmget of the key makes a new segment), the table drops
 *                                   its reference; the id stays valid (IPC_STAT, shmat) until
 *                                   the last area goes: the object's on_release hook then
 *                                   takes the id out of the table (invalid: EINVAL)
 *
 * Ids (ipc/util.c ipc_idr_alloc): the index is taken cyclically (the lowest free index at or
 * after the one past the last allocation, wrapping) below max(in_use * 3/2, 64); the sequence
 * number grows each time the index does not move up; id = index + seq * 32768. At most
 * SHMMNI (4096) segments; the table of slots grows by doubling and is kept.
 *
 * shm_lpid and the times: shmat and shmdt set shm_lpid and shm_atime/shm_dtime (Linux also
 * sets them when fork copies, or exit and munmap drop, an attachment: those are not seen
 * here); shm_ctime at creation and IPC_SET. Seconds of the realtime clock.
 *
 * Locking: one CPU, preemptive kernel. Every look at the table and every change to it, and
 * the attach/detach that goes with it, runs with preemption disabled (nothing here or in the
 * VM layer sleeps); the release hook may run inside (a detach) or outside (exit) and takes
 * the same protection (it nests). User copies run outside it, on snapshots.
 */
#include "kernel/syscall.h"
#include "lib/command.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/preempt.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/uaccess.h"
#include "mm/vm.h"
#include "sched/proc.h"
#include "x86/rtc.h"
#include "x86/timer.h"
#include "sys_shm_internal.h"

/* Linux i386 numbers not in include/kernel/syscall.h. */
#define __NR_ipc    117
#define __NR_shmget 395
#define __NR_shmctl 396
#define __NR_shmat  397
#define __NR_shmdt  398

/* ipc(2) calls (include/uapi/linux/ipc.h). */
#define IPCCALL_SHMAT  21
#define IPCCALL_SHMDT  22
#define IPCCALL_SHMGET 23
#define IPCCALL_SHMCTL 24

#define TASK_SIZE  KERNEL_BASE /* Linux's user address limit on i386 */
#define S_IRWXUGO  0777u
#define INVALID_ID 0xFFFFFFFFu /* (uid_t)-1: not a valid uid or gid */

struct shm_seg {
	struct vm_object *obj;  /* the pages; obj->owner_data is this segment */
	struct ipc64_perm perm; /* key (IPC_PRIVATE once removed), ids, mode, seq */
	int id;                 /* index + seq * 32768 */
	uint32_t segsz;         /* bytes asked for */
	uint32_t npages;        /* pages of the object */
	int64_t atime, dtime, ctime;
	int cpid, lpid;
	bool table_ref; /* the table holds a reference to obj (until IPC_RMID) */
};

/* The segment table (ipc_ids). Changed only between table_enter and table_leave. */
static struct {
	struct shm_seg **slots; /* cap slots, NULL = free */
	uint32_t cap;
	uint32_t in_use;
	int max_idx;   /* highest index in use, -1 when none */
	int last_idx;  /* index of the last allocation, -1 before the first */
	uint32_t next; /* the cyclic search starts here (idr_next) */
	uint32_t seq;
	uint32_t tot; /* pages of all segments (shm_tot) */
} ids = { .max_idx = -1, .last_idx = -1 };

static void table_enter(void)
{
	preempt_disable();
}

static void table_leave(void)
{
	preempt_enable();
}

/* Seconds of the realtime clock: the CMOS clock read once, plus the uptime since. */
static int64_t now_seconds(void)
{
	static int64_t epoch;
	static bool have_epoch;
	int64_t up = (int64_t)(timer_uptime_us() / 1000000u);

	if (!have_epoch) {
		epoch = rtc_read_epoch() - up;
		have_epoch = true;
	}
	return epoch + up;
}

static void shm_released(struct vm_object *obj);

/* True when @obj is a SysV segment's object. */
static bool is_shm_object(const struct vm_object *obj)
{
	return obj && obj->on_release == shm_released;
}

/* Attachments of @seg (table held). */
static uint32_t nattch(const struct shm_seg *seg)
{
	return seg->obj->refs - (seg->table_ref ? 1u : 0u);
}

/* The segment in slot @idx, or NULL (table held). */
static struct shm_seg *slot(uint32_t idx)
{
	return idx < ids.cap ? ids.slots[idx] : NULL;
}

/* The segment with id @id (index and sequence both match), or NULL (table held). */
static struct shm_seg *lookup(int id)
{
	struct shm_seg *seg;

	if (id < 0)
		return NULL;
	seg = slot((uint32_t)id & IPC_IDX_MASK);
	return seg && seg->id == id ? seg : NULL;
}

/* The segment with @key (not IPC_PRIVATE), or NULL (table held). */
static struct shm_seg *find_key(int32_t key)
{
	for (int i = 0; i <= ids.max_idx; i++) {
		struct shm_seg *seg = ids.slots[i];
		if (seg && seg->perm.key == key)
			return seg;
	}
	return NULL;
}

/* Make room for @need slots. 0 or -ENOMEM (table held). */
static int grow(uint32_t need)
{
	uint32_t cap = ids.cap ? ids.cap : IPC_MIN_CYCLE;
	struct shm_seg **slots;

	if (need <= ids.cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (!(slots = kzalloc(cap * sizeof(*slots), KM_KERNEL)))
		return -ENOMEM;
	if (ids.cap)
		memcpy(slots, ids.slots, ids.cap * sizeof(*slots));
	kfree(ids.slots);
	ids.slots = slots;
	ids.cap = cap;
	return 0;
}

/* The lowest free index in [@from, @end), or -1 (table held). */
static int free_index(uint32_t from, uint32_t end)
{
	for (uint32_t i = from; i < end; i++)
		if (!ids.slots[i])
			return (int)i;
	return -1;
}

/*
 * Give @seg an index and its id as ipc_idr_alloc does (see the top). Returns the index, or
 * -ENOSPC (SHMMNI segments), -ENOMEM (table held).
 */
static int add_id(struct shm_seg *seg)
{
	uint32_t end = MAX(ids.in_use * 3 / 2, IPC_MIN_CYCLE);
	int idx;

	if (ids.in_use >= SHMMNI)
		return -ENOSPC;
	end = MIN(end, IPCMNI);
	if (grow(end) < 0)
		return -ENOMEM;
	idx = free_index(ids.next, end);
	if (idx < 0 && ids.next > 0)
		idx = free_index(0, end);
	if (idx < 0)
		return -ENOSPC;
	ids.next = (uint32_t)idx + 1;
	if (idx <= ids.last_idx && ++ids.seq >= IPC_SEQ_MAX)
		ids.seq = 0;
	ids.last_idx = idx;
	seg->perm.seq = (uint16_t)ids.seq;
	seg->id = (int)((ids.seq << IPC_IDX_BITS) + (uint32_t)idx);
	ids.slots[idx] = seg;
	ids.in_use++;
	ids.max_idx = MAX(ids.max_idx, idx);
	ids.tot += seg->npages;
	return idx;
}

/* Take @seg out of the table (its id becomes invalid) (table held). */
static void remove_id(struct shm_seg *seg)
{
	uint32_t idx = (uint32_t)seg->id & IPC_IDX_MASK;

	ids.slots[idx] = NULL;
	ids.in_use--;
	ids.tot -= seg->npages;
	if ((int)idx == ids.max_idx)
		while (ids.max_idx >= 0 && !ids.slots[ids.max_idx])
			ids.max_idx--;
	if (ids.in_use == 0) {
		/* The last segment took the table with it (the sequence and the search position
		 * stay): SysV memory keeps nothing once no segment exists, which the power-off
		 * accounting (include/kernel/shutdown.h) checks to the byte. */
		kfree(ids.slots);
		ids.slots = NULL;
		ids.cap = 0;
	}
}

/*
 * The object's last reference is gone (the last detach of a removed segment, or the destroy
 * of an unattached one): the id leaves the table if still there; the segment is freed.
 * Called by the pager before the pages go.
 */
static void shm_released(struct vm_object *obj)
{
	struct shm_seg *seg = obj->owner_data;

	table_enter();
	if (lookup(seg->id) == seg)
		remove_id(seg);
	table_leave();
	kfree(seg);
}

/* A new segment for shm_get (table held). The id, or -errno. */
static int newseg(int32_t key, uint32_t size, uint32_t flags, int pid)
{
	struct shm_seg *seg;
	uint32_t npages;
	int rc;

	if (size < SHMMIN || size > SHMMAX)
		return -EINVAL;
	npages = (uint32_t)(((uint64_t)size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	if ((uint64_t)ids.tot + npages > SHMALL)
		return -ENOSPC;
	if (flags & SHM_HUGETLB)
		return -ENOMEM; /* no huge pages reserved (Linux's answer with none) */
	if (ids.in_use >= SHMMNI)
		return -ENOSPC;
	if (!(seg = kzalloc(sizeof(*seg), KM_KERNEL)))
		return -ENOMEM;
	if (!(seg->obj = vm_object_shared((uint64_t)npages << PAGE_SHIFT))) {
		kfree(seg);
		return -ENOMEM;
	}
	seg->obj->owner_data = seg;
	seg->perm.key = key;
	seg->perm.mode = (uint16_t)(flags & S_IRWXUGO);
	seg->segsz = size;
	seg->npages = npages;
	seg->ctime = now_seconds();
	seg->cpid = pid;
	seg->table_ref = true;
	if ((rc = add_id(seg)) < 0) {
		vm_object_put(seg->obj); /* no hook yet: frees the object alone */
		kfree(seg);
		return rc;
	}
	seg->obj->on_release = shm_released;
	return seg->id;
}

int shm_get(int32_t key, uint32_t size, uint32_t flags, int pid)
{
	struct shm_seg *seg;
	int rc;

	table_enter();
	if (key != IPC_PRIVATE && (seg = find_key(key))) {
		if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
			rc = -EEXIST;
		else if (seg->segsz < size)
			rc = -EINVAL;
		else
			rc = seg->id; /* root: ipcperms passes */
	} else if (key != IPC_PRIVATE && !(flags & IPC_CREAT)) {
		rc = -ENOENT;
	} else {
		rc = newseg(key, size, flags, pid);
	}
	table_leave();
	return rc;
}

int shm_attach(struct vm_space *vm, int pid, int id, uintptr_t addr, uint32_t flags,
               uintptr_t *raddr)
{
	uint32_t prot = (flags & SHM_RDONLY) ? VM_READ : VM_READ | VM_WRITE;
	bool fixed = false;
	struct shm_seg *seg;
	uint32_t len;
	int rc = 0;

	if (id < 0)
		return -EINVAL;
	if (addr) {
		if (!IS_ALIGNED(addr, SHMLBA)) {
			if (!(flags & SHM_RND))
				return -EINVAL;
			addr = ALIGN_DOWN(addr, SHMLBA);
			if (!addr && (flags & SHM_REMAP))
				return -EINVAL;
		}
		fixed = true;
	} else if (flags & SHM_REMAP) {
		return -EINVAL;
	}
	if (flags & SHM_EXEC)
		prot |= VM_EXEC;

	table_enter();
	if (!(seg = lookup(id))) {
		rc = -EINVAL;
		goto out;
	}
	len = seg->npages << PAGE_SHIFT;
	if (addr && !(flags & SHM_REMAP)) {
		if ((uint64_t)addr + seg->segsz > UINT32_MAX || !vm_range_free(vm, addr, len)) {
			rc = -EINVAL;
			goto out;
		}
	}
	if (fixed) {
		if (len > TASK_SIZE || addr > TASK_SIZE - len)
			rc = -ENOMEM;
		else if (addr < USER_BASE)
			rc = -EPERM; /* below mmap_min_addr, as mmap2 */
		else
			rc = vm_unmap(vm, addr, len); /* SHM_REMAP: replace what is there */
	} else if (!(addr = vm_find_free(vm, len))) {
		rc = -ENOMEM;
	}
	if (rc == 0) {
		struct vma_backing b = { seg->obj, addr, addr + len };
		rc = vm_map_backed(vm, addr, len, prot,
		                   VM_SHARED | ((flags & SHM_RDONLY) ? VM_NOWRITE : 0), &b);
	}
	if (rc == 0) {
		seg->atime = now_seconds();
		seg->lpid = pid;
		*raddr = addr;
	}
out:
	table_leave();
	return rc;
}

/*
 * The next area at or above @from that belongs to the attachment made at @addr: a segment's
 * area whose backing starts at @addr (of object @obj unless NULL), ending within @limit bytes
 * of @addr unless @limit is 0. NULL when none.
 */
static struct vm_area *next_piece(struct vm_space *vm, uintptr_t from, uintptr_t addr,
                                  const struct vm_object *obj, uint32_t limit)
{
	for (struct vm_area *a = vma_find_from(&vm->areas, from); a; a = vma_next(&vm->areas, a)) {
		if (limit && a->end - addr > limit)
			return NULL;
		if (a->start >= addr && a->backing.base == addr && is_shm_object(a->backing.obj) &&
		    (!obj || a->backing.obj == obj))
			return a;
	}
	return NULL;
}

int shm_detach(struct vm_space *vm, int pid, uintptr_t addr)
{
	struct vm_object *obj;
	struct shm_seg *seg;
	struct vm_area *a;
	uint32_t size;
	uintptr_t end;

	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	table_enter();
	/* Linux's ksys_shmdt: the first piece at or above @addr fixes the segment and its
	 * size; then the pieces of that segment within the size. */
	if (!(a = next_piece(vm, addr, addr, NULL, 0))) {
		table_leave();
		return -EINVAL;
	}
	obj = a->backing.obj;
	vm_object_get(obj); /* the segment outlives the loop */
	seg = obj->owner_data;
	size = seg->npages << PAGE_SHIFT;
	seg->lpid = pid;
	seg->dtime = now_seconds();
	do {
		end = a->end;
		vm_unmap(vm, a->start, a->end - a->start); /* whole areas: cannot fail */
	} while ((a = next_piece(vm, end, addr, obj, size)));
	vm_object_put(obj); /* the last reference of a removed segment: released here */
	table_leave();
	return 0;
}

/* Fill @out from @seg (table held). */
static void fill_stat(const struct shm_seg *seg, struct shmid64_ds *out)
{
	memset(out, 0, sizeof(*out));
	out->shm_perm = seg->perm;
	out->shm_segsz = seg->segsz;
	out->shm_atime = (uint32_t)seg->atime;
	out->shm_atime_high = (uint32_t)((uint64_t)seg->atime >> 32);
	out->shm_dtime = (uint32_t)seg->dtime;
	out->shm_dtime_high = (uint32_t)((uint64_t)seg->dtime >> 32);
	out->shm_ctime = (uint32_t)seg->ctime;
	out->shm_ctime_high = (uint32_t)((uint64_t)seg->ctime >> 32);
	out->shm_cpid = seg->cpid;
	out->shm_lpid = seg->lpid;
	out->shm_nattch = nattch(seg);
}

int shm_stat(int id, int cmd, struct shmid64_ds *out)
{
	struct shm_seg *seg;
	int rc;

	memset(out, 0, sizeof(*out));
	table_enter();
	if (cmd == SHM_STAT || cmd == SHM_STAT_ANY)
		seg = id < 0 ? NULL : slot((uint32_t)id & IPC_IDX_MASK);
	else
		seg = lookup(id);
	if (seg) {
		fill_stat(seg, out);
		rc = cmd == IPC_STAT ? 0 : seg->id;
	} else {
		rc = -EINVAL;
	}
	table_leave();
	return rc;
}

int shm_set(int id, const struct ipc64_perm *in)
{
	struct shm_seg *seg;
	int rc = 0;

	table_enter();
	if (!(seg = lookup(id))) {
		rc = -EINVAL;
	} else if (in->uid == INVALID_ID || in->gid == INVALID_ID) {
		rc = -EINVAL;
	} else {
		seg->perm.uid = in->uid;
		seg->perm.gid = in->gid;
		seg->perm.mode = (uint16_t)((seg->perm.mode & ~S_IRWXUGO) | (in->mode & S_IRWXUGO));
		seg->ctime = now_seconds();
	}
	table_leave();
	return rc;
}

int shm_remove(int id)
{
	struct vm_object *obj = NULL;
	struct shm_seg *seg;
	int rc = 0;

	table_enter();
	if (!(seg = lookup(id))) {
		rc = -EINVAL;
	} else if (seg->table_ref) {
		obj = seg->obj;
		seg->table_ref = false;
		seg->perm.key = IPC_PRIVATE;
		if (obj->refs > 1)
			seg->perm.mode |= SHM_DEST; /* attached: lives until the last detach */
		else
			remove_id(seg); /* the put below releases the object and the segment */
	}
	vm_object_put(obj);
	table_leave();
	return rc;
}

int shm_lock(int id, bool lock)
{
	struct shm_seg *seg;
	int rc = 0;

	table_enter();
	if (!(seg = lookup(id)))
		rc = -EINVAL;
	else if (lock)
		seg->perm.mode |= SHM_LOCKED;
	else
		seg->perm.mode &= (uint16_t)~SHM_LOCKED;
	table_leave();
	return rc;
}

int shm_ipc_info(struct shminfo64 *out)
{
	memset(out, 0, sizeof(*out));
	out->shmmax = SHMMAX;
	out->shmmin = SHMMIN;
	out->shmmni = out->shmseg = SHMMNI;
	out->shmall = SHMALL;
	table_enter();
	int rc = MAX(ids.max_idx, 0);
	table_leave();
	return rc;
}

int shm_get_info(struct shm_info *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	table_enter();
	out->used_ids = (int32_t)ids.in_use;
	out->shm_tot = ids.tot;
	for (int i = 0; i <= ids.max_idx; i++)
		if (ids.slots[i])
			out->shm_rss += ids.slots[i]->obj->cached;
	rc = MAX(ids.max_idx, 0);
	table_leave();
	return rc;
}

uint32_t shm_segments(void)
{
	return ids.in_use;
}

/* ---- Linux's old (non-IPC_64) layouts ------------------------------------------------- */

struct ipc_perm_old {
	int32_t key;
	uint16_t uid, gid, cuid, cgid, mode, seq;
};

struct shmid_ds_old {
	struct ipc_perm_old shm_perm;
	int32_t shm_segsz;
	int32_t shm_atime, shm_dtime, shm_ctime;
	uint16_t shm_cpid, shm_lpid, shm_nattch, shm_unused;
	uint32_t shm_unused2, shm_unused3;
};

struct shminfo_old {
	int32_t shmmax, shmmin, shmmni, shmseg, shmall;
};

_Static_assert(sizeof(struct shmid_ds_old) == 48, "struct shmid_ds is 48 bytes on i386");

/* A 32-bit id as the old 16-bit field shows it (Linux's SET_UID: 65534 when too big). */
static uint16_t low16(uint32_t v)
{
	return v > 0xFFFFu ? 65534 : (uint16_t)v;
}

/* Copy @ds to user @ubuf in the layout asked for. 0 or -EFAULT. */
static int put_shmid(uintptr_t ubuf, const struct shmid64_ds *ds, bool ipc64)
{
	struct shmid_ds_old o;

	if (ipc64)
		return copy_to_user((void *)ubuf, ds, sizeof(*ds));
	memset(&o, 0, sizeof(o));
	o.shm_perm.key = ds->shm_perm.key;
	o.shm_perm.uid = low16(ds->shm_perm.uid);
	o.shm_perm.gid = low16(ds->shm_perm.gid);
	o.shm_perm.cuid = low16(ds->shm_perm.cuid);
	o.shm_perm.cgid = low16(ds->shm_perm.cgid);
	o.shm_perm.mode = ds->shm_perm.mode;
	o.shm_perm.seq = ds->shm_perm.seq;
	o.shm_segsz = (int32_t)ds->shm_segsz;
	o.shm_atime = (int32_t)ds->shm_atime;
	o.shm_dtime = (int32_t)ds->shm_dtime;
	o.shm_ctime = (int32_t)ds->shm_ctime;
	o.shm_cpid = (uint16_t)ds->shm_cpid;
	o.shm_lpid = (uint16_t)ds->shm_lpid;
	o.shm_nattch = (uint16_t)ds->shm_nattch;
	return copy_to_user((void *)ubuf, &o, sizeof(o));
}

/* IPC_SET's input from user @ubuf in the layout asked for into @perm. 0 or -EFAULT. */
static int get_perm(uintptr_t ubuf, struct ipc64_perm *perm, bool ipc64)
{
	struct shmid64_ds ds;
	struct shmid_ds_old o;

	memset(perm, 0, sizeof(*perm));
	if (ipc64) {
		if (copy_from_user(&ds, (const void *)ubuf, sizeof(ds)) < 0)
			return -EFAULT;
		*perm = ds.shm_perm;
		return 0;
	}
	if (copy_from_user(&o, (const void *)ubuf, sizeof(o)) < 0)
		return -EFAULT;
	perm->uid = o.shm_perm.uid;
	perm->gid = o.shm_perm.gid;
	perm->mode = o.shm_perm.mode;
	return 0;
}

long shm_ctl(int id, int cmd, uintptr_t ubuf, bool ipc64)
{
	struct shmid64_ds ds;
	struct ipc64_perm perm;
	int rc;

	if (cmd < 0 || id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO: {
		struct shminfo64 si;
		rc = shm_ipc_info(&si);
		if (ipc64) {
			if (copy_to_user((void *)ubuf, &si, sizeof(si)) < 0)
				return -EFAULT;
		} else {
			struct shminfo_old o = { (int32_t)MIN(si.shmmax, (uint32_t)INT32_MAX),
				                 (int32_t)si.shmmin, (int32_t)si.shmmni,
				                 (int32_t)si.shmseg, (int32_t)si.shmall };
			if (copy_to_user((void *)ubuf, &o, sizeof(o)) < 0)
				return -EFAULT;
		}
		return rc;
	}
	case SHM_INFO: {
		struct shm_info info;
		rc = shm_get_info(&info);
		return copy_to_user((void *)ubuf, &info, sizeof(info)) < 0 ? -EFAULT : rc;
	}
	case SHM_STAT:
	case SHM_STAT_ANY:
	case IPC_STAT:
		if ((rc = shm_stat(id, cmd, &ds)) < 0)
			return rc;
		return put_shmid(ubuf, &ds, ipc64) < 0 ? -EFAULT : rc;
	case IPC_SET:
		if (get_perm(ubuf, &perm, ipc64) < 0)
			return -EFAULT;
		return shm_set(id, &perm);
	case IPC_RMID:
		return shm_remove(id);
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shm_lock(id, cmd == SHM_LOCK);
	default:
		return -EINVAL;
	}
}

/* ---- the system calls ----------------------------------------------------------------- */

/* shmat for the current process: 0 with the address in *@raddr, or -errno. */
static int do_shmat(int id, uintptr_t addr, uint32_t flags, uintptr_t *raddr)
{
	struct proc *p = proc_current();

	return shm_attach(p->vm, p->pid, id, addr, flags, raddr);
}

/* shmget(key, size, shmflg): the id or -errno. */
SYSCALL_DEFINE(shmget)
{
	return shm_get((int32_t)a1, a2, a3, proc_current()->pid);
}

/* shmat(shmid, shmaddr, shmflg): the address (a long: above 2 GiB it looks negative; errors
 * are -4095..-1), or -errno. */
SYSCALL_DEFINE(shmat)
{
	uintptr_t raddr;
	int rc = do_shmat((int)a1, a2, a3, &raddr);

	return rc < 0 ? rc : (long)raddr;
}

/* shmdt(shmaddr): 0 or -EINVAL. */
SYSCALL_DEFINE(shmdt)
{
	struct proc *p = proc_current();

	return shm_detach(p->vm, p->pid, a1);
}

/* shmctl(shmid, cmd, buf): always the 64-bit layouts (an IPC_64 bit in cmd is -EINVAL). */
SYSCALL_DEFINE(shmctl)
{
	return shm_ctl((int)a1, (int)a2, a3, true);
}

/*
 * ipc(call, first, second, third, ptr, fifth): Linux's ksys_ipc for shared memory; the
 * version in call's high half (SHMAT version 1, iBCS2's, is -EINVAL). SHMAT stores the
 * address at *third and returns 0; SHMCTL's cmd chooses the layout with IPC_64. Semaphores
 * and message queues: -ENOSYS.
 */
SYSCALL_DEFINE(ipc)
{
	uint32_t version = a1 >> 16, call = a1 & 0xFFFFu;

	switch (call) {
	case IPCCALL_SHMAT: {
		uintptr_t raddr;
		int rc;
		if (version == 1)
			return -EINVAL;
		if ((rc = do_shmat((int)a2, a5, a3, &raddr)) < 0)
			return rc;
		return put_user_u32((void *)a4, raddr) < 0 ? -EFAULT : 0;
	}
	case IPCCALL_SHMDT:
		return shm_detach(proc_current()->vm, proc_current()->pid, a5);
	case IPCCALL_SHMGET:
		return shm_get((int32_t)a2, a3, a4, proc_current()->pid);
	case IPCCALL_SHMCTL: {
		int cmd = (int)a3;
		bool ipc64 = cmd & IPC_64;
		return shm_ctl((int)a2, ipc64 ? cmd ^ IPC_64 : cmd, a5, ipc64);
	}
	default:
		return -ENOSYS;
	}
}

/* ---- monitor -------------------------------------------------------------------------- */

/* `shm`: the segments as Linux's /proc/sysvipc/shm prints them (32-bit widths). */
static int cmd_shm(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		kprintf("usage: shm\n");
		return -EINVAL;
	}
	kprintf("       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid"
	        "      atime      dtime      ctime        rss       swap\n");
	for (int i = 0;; i++) {
		struct shmid64_ds ds;
		uint32_t rss;
		int id;

		table_enter();
		if (i > ids.max_idx) {
			table_leave();
			break;
		}
		struct shm_seg *seg = ids.slots[i];
		if (seg) {
			fill_stat(seg, &ds);
			id = seg->id;
			rss = seg->obj->cached;
		}
		table_leave();
		if (!seg)
			continue;
		kprintf(
		    "%10d %10d  %4o %10u %5d %5d  %5u %5u %5u %5u %5u %10llu %10llu %10llu "
		    "%10u %10u\n",
		    ds.shm_perm.key, id, ds.shm_perm.mode, ds.shm_segsz, ds.shm_cpid, ds.shm_lpid,
		    ds.shm_nattch, ds.shm_perm.uid, ds.shm_perm.gid, ds.shm_perm.cuid,
		    ds.shm_perm.cgid,
		    (unsigned long long)ds.shm_atime | (unsigned long long)ds.shm_atime_high << 32,
		    (unsigned long long)ds.shm_dtime | (unsigned long long)ds.shm_dtime_high << 32,
		    (unsigned long long)ds.shm_ctime | (unsigned long long)ds.shm_ctime_high << 32,
		    rss * PAGE_SIZE, 0u);
	}
	return 0;
}
MONITOR_COMMAND(shm, "shm", "SysV shared memory segments (/proc/sysvipc/shm)", cmd_shm);
