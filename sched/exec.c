/*
 * exec: execve for static ELF32 i386 programs, and the program source (contracts in
 * include/sched/proc.h; ELF rules in include/lib/elf.h).
 *
 * Steps, in Linux's order of errors:
 *   1. the path (EFAULT, ENAMETOOLONG), the file (ENOENT; EACCES unless a regular file with
 *      an x bit)
 *   2. argv and envp copied into one kernel buffer (EFAULT; E2BIG: a string of
 *      MAX_ARG_STRLEN bytes or more, or strings + pointers over ARG_MAX = stack limit / 4)
 *   3. the headers validated (ENOEXEC, kernel/lib/elf.c)
 *   4. a NEW address space built completely (ENOMEM): PT_LOAD segments with their
 *      permissions, file bytes copied, [filesz, memsz) left zero; the break at the page-
 *      aligned end of bss; [vvar] and [vdso] (include/sched/vdso.h: AT_SYSINFO_EHDR and
 *      AT_SYSINFO, glibc's first two auxv entries as Linux puts them); the 8 MiB stack area;
 *      the initial stack
 *   5. point of no return: the new space replaces the old (CR3 switched, old one freed), TLS
 *      slots cleared, FPU fresh, close-on-exec files closed, the frame rewritten.
 * Any failure before 5 frees the new space and leaves the caller exactly as it was.
 *
 * The initial stack (from the top of user space down; %esp 16-byte aligned at argc):
 *
 *   USER_STACK_TOP  | execfn string (AT_EXECFN)                          |
 *                   | argv strings, then envp strings                    |
 *                   | "i686" (AT_PLATFORM)                               |
 *                   | 16 random bytes (AT_RANDOM)                        |
 *                   | padding to 16                                      |
 *                   | AT_NULL 0 ... auxv pairs                           |
 *                   | NULL, envp[envc-1] .. envp[0]                      |
 *                   | NULL, argv[argc-1] .. argv[0]                      |
 *   %esp ---------> | argc                                               |
 *
 * Registers at entry: eip = e_entry, all general registers 0 (%edx = 0: no exit handler for
 * glibc's _start), EFLAGS IF=1 DF=0, %cs/%ss/%ds/%es/%fs the user selectors, %gs = 0.
 */
#include "sched/proc.h"
#include "sched/vdso.h"

#include "lib/elf.h"
#include "x86/random.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/uaccess.h"
#include "mm/vm.h"
#include "sched/owner.h"
#include "x86/cpu.h"
#include "x86/gdt.h"
#include "x86/task_arch.h"

#define PATH_MAX_LINUX  4096u
#define MAX_ARG_STRLEN  131072u              /* Linux: 32 pages per string */
#define ARG_MAX_BYTES   (USER_STACK_MAX / 4) /* strings + pointers: 1/4 of the stack limit */
#define EXEC_IMAGES_MAX 32
#define EXEC_CHUNK      PAGE_SIZE /* bounce buffer for segment bytes */
#define AT_RANDOM_BYTES 16
#define AT_PLATFORM_STR "i686"
#define EXEC_HWCAP      0u /* no CPUID bits advertised yet */
#define EXEC_CLKTCK     100u
#define EFLAGS_RESERVED (1u << 1) /* always 1 */

/* S_IFMT file types and permission bits (the values of Linux's stat.h). */
#define S_IFMT_MASK     0170000u
#define S_IFREG_BITS    0100000u
#define S_IXANY         0111u
#define EXEC_IMAGE_MODE (S_IFREG_BITS | 0755u)

/* auxv types (Linux's auxvec.h). */
enum {
	AT_NULL = 0,
	AT_PHDR = 3,
	AT_PHENT = 4,
	AT_PHNUM = 5,
	AT_PAGESZ = 6,
	AT_ENTRY = 9,
	AT_UID = 11,
	AT_EUID = 12,
	AT_GID = 13,
	AT_EGID = 14,
	AT_PLATFORM = 15,
	AT_HWCAP = 16,
	AT_CLKTCK = 17,
	AT_SECURE = 23,
	AT_RANDOM = 25,
	AT_EXECFN = 31,
	AT_SYSINFO = 32,
	AT_SYSINFO_EHDR = 33,
};
#define AUXV_PAIRS 18 /* the entries built below, AT_NULL included */

/* ---- program source: embedded images until the files layer registers the root fs ------- */

struct exec_image {
	const char *path;
	const void *data;
	uint32_t size;
};
static struct exec_image images[EXEC_IMAGES_MAX];
static unsigned nimages;
static const struct exec_source *source;

int exec_register_image(const char *path, const void *data, uint32_t size)
{
	for (unsigned i = 0; i < nimages; i++)
		if (strcmp(images[i].path, path) == 0)
			return -EEXIST;
	if (nimages == EXEC_IMAGES_MAX)
		return -ENOSPC;
	images[nimages++] = (struct exec_image){ path, data, size };
	return 0;
}

void exec_set_source(const struct exec_source *src)
{
	source = src;
}

static const struct exec_image *image_find(const char *path)
{
	for (unsigned i = 0; i < nimages; i++)
		if (strcmp(images[i].path, path) == 0)
			return &images[i];
	return NULL;
}

/* An executable as exec sees it: looked up once. */
struct exec_file {
	const char *path;
	uint32_t mode;
	uint64_t size;
	const void *data; /* its bytes in kernel memory for good (mapped, not read), or NULL */
};

/* Look @path up (the embedded images first, then the source) into *@f. 0 or -errno. */
static int src_open(const char *path, struct exec_file *f)
{
	const struct exec_image *im = image_find(path);

	f->path = path;
	f->data = NULL;
	if (im) {
		f->mode = EXEC_IMAGE_MODE;
		f->size = im->size;
		f->data = im->data;
		return 0;
	}
	if (!source)
		return -ENOENT;
	if (source->open)
		return source->open(path, &f->mode, &f->size, &f->data);
	return source->stat(path, &f->mode, &f->size);
}

/* Read exactly @len bytes at @off of @f. 0 or -errno (-ENOEXEC for a short read). */
static int src_read(const struct exec_file *f, uint64_t off, void *buf, uint32_t len)
{
	if (f->data) {
		if (off > f->size || len > f->size - off)
			return -ENOEXEC;
		memcpy(buf, (const uint8_t *)f->data + off, len);
		return 0;
	}
	if (!source)
		return -ENOENT;
	long n = source->read(f->path, off, buf, len);
	return n < 0 ? (int)n : (uint32_t)n == len ? 0 : -ENOEXEC;
}

/* ---- arguments ------------------------------------------------------------------------ */

/* argv strings then envp strings, each NUL-terminated, in one KM_KERNEL buffer. */
struct exec_args {
	char *buf;
	uint32_t len, cap;
	uint32_t argc, envc;
	uint32_t total; /* bytes counted against ARG_MAX_BYTES */
};

static void args_free(struct exec_args *a)
{
	kfree(a->buf);
	a->buf = NULL;
}

/* Append @len + 1 bytes (user @u or kernel @k). 0, -E2BIG, -EFAULT or -ENOMEM. */
static int args_add(struct exec_args *a, const char *u, const char *k)
{
	long len = u ? strnlen_user(u, MAX_ARG_STRLEN) : (long)strlen(k);

	if (len < 0)
		return (int)len;
	if ((uint32_t)len >= MAX_ARG_STRLEN)
		return -E2BIG;
	a->total += (uint32_t)len + 1 + sizeof(uint32_t);
	if (a->total > ARG_MAX_BYTES)
		return -E2BIG;
	if (a->len + (uint32_t)len + 1 > a->cap) {
		uint32_t cap = MAX(a->cap * 2, a->len + (uint32_t)len + 1);
		char *nb = krealloc(a->buf, cap, KM_KERNEL);
		if (!nb)
			return -ENOMEM;
		a->buf = nb;
		a->cap = cap;
	}
	if (u) {
		if (copy_from_user(a->buf + a->len, u, (size_t)len + 1) < 0 ||
		    a->buf[a->len + len] != '\0')
			return -EFAULT;
	} else {
		memcpy(a->buf + a->len, k, (size_t)len + 1);
	}
	a->len += (uint32_t)len + 1;
	return 0;
}

/* Copy the user array @uvec (NULL: empty) into @a; *@count strings. 0 or -errno. */
static int args_from_user(struct exec_args *a, uint32_t uvec, uint32_t *count)
{
	for (uint32_t i = 0; uvec; i++) {
		uint32_t ptr;
		if (get_user_u32(&ptr, (const void *)(uvec + i * sizeof(uint32_t))) < 0)
			return -EFAULT;
		if (!ptr)
			break;
		int rc = args_add(a, (const char *)ptr, NULL);
		if (rc < 0)
			return rc;
		(*count)++;
	}
	return 0;
}

static int args_from_kernel(struct exec_args *a, char *const vec[], uint32_t *count)
{
	for (uint32_t i = 0; vec && vec[i]; i++) {
		int rc = args_add(a, NULL, vec[i]);
		if (rc < 0)
			return rc;
		(*count)++;
	}
	return 0;
}

/* ---- building the new image ----------------------------------------------------------- */

struct exec_result {
	struct vm_space *vm;
	struct trap_frame frame;
};

static uint32_t seg_prot(uint32_t p_flags)
{
	return ((p_flags & ELF_PF_R) ? VM_READ : 0) | ((p_flags & ELF_PF_W) ? VM_WRITE : 0) |
	       ((p_flags & ELF_PF_X) ? VM_EXEC : 0);
}

/*
 * Map one PT_LOAD. A segment whose pages are all new and whose file bytes lie in memory
 * (@obj) is mapped from the object: its pages come on first touch from the shared page cache
 * (copied on write; with a bss, the page the file part ends in and the bss are private and
 * zeroed past p_filesz). Otherwise (pages shared with an earlier segment get the union of rights)
 * the bytes are copied in now through *@bounce (allocated on first use; the caller frees it),
 * and the rest of the page they end in is zeroed up to p_memsz.
 */
static int load_segment(struct vm_space *vm, const struct exec_file *f, const struct elf32_phdr *ph,
                        struct vm_object *obj, uint8_t **bounce)
{
	uintptr_t start = ALIGN_DOWN(ph->p_vaddr, PAGE_SIZE);
	uintptr_t end = ALIGN_UP((uintptr_t)ph->p_vaddr + ph->p_memsz, PAGE_SIZE);
	uint32_t prot = seg_prot(ph->p_flags);
	int rc = 0;

	if (obj && ph->p_filesz && vm_range_free(vm, start, end - start)) {
		uintptr_t base = ph->p_vaddr - ph->p_offset, fend = ph->p_vaddr + ph->p_filesz;
		/* As Linux maps whole file pages: a segment without bss shows the file's bytes to
		 * the end of its last page (the page cache's page, not a private copy); only a bss
		 * zeroes the rest of the page its file bytes end in. */
		if (ph->p_memsz == ph->p_filesz)
			fend = MIN(ALIGN_UP(fend, PAGE_SIZE), base + (uintptr_t)f->size);
		struct vma_backing b = { obj, base, fend };
		rc = vm_map_backed(vm, start, end - start, prot, VM_ELF, &b);
		return rc == -EEXIST ? -ENOEXEC : rc;
	}
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		struct vm_area *a = vm_find(vm, va);
		if (!a) {
			uintptr_t run = va;
			while (run < end && !vm_find(vm, run))
				run += PAGE_SIZE;
			rc = vm_map(vm, va, run - va, prot, VM_ELF);
			if (rc < 0)
				return rc == -EEXIST ? -ENOEXEC : rc;
			va = run - PAGE_SIZE;
		} else if ((a->prot | prot) != a->prot) {
			rc = vm_protect(vm, va, PAGE_SIZE, a->prot | prot);
			if (rc < 0)
				return rc;
		}
	}
	for (uint32_t done = 0; done < ph->p_filesz;) {
		uint32_t n = MIN(ph->p_filesz - done, EXEC_CHUNK);
		if (!*bounce && !(*bounce = kmalloc(EXEC_CHUNK, KM_KERNEL)))
			return -ENOMEM;
		rc = src_read(f, (uint64_t)ph->p_offset + done, *bounce, n);
		if (rc < 0)
			return rc;
		rc = vm_write(vm, ph->p_vaddr + done, *bounce, n);
		if (rc < 0)
			return rc;
		done += n;
	}
	/* Linux's padzero: the bss part of the page the file bytes end in is zero, also when
	 * that page belongs to an earlier segment's area (which shows its file's bytes there). */
	uintptr_t fend = ph->p_vaddr + ph->p_filesz;
	uint32_t pad =
	    (uint32_t)(MIN(ALIGN_UP(fend, PAGE_SIZE), (uintptr_t)ph->p_vaddr + ph->p_memsz) -
	               MIN(fend, (uintptr_t)ph->p_vaddr + ph->p_memsz));
	if (pad) {
		if (!*bounce && !(*bounce = kmalloc(EXEC_CHUNK, KM_KERNEL)))
			return -ENOMEM;
		memset(*bounce, 0, pad);
		rc = vm_write(vm, fend, *bounce, pad);
	}
	return rc;
}

/* Record segment @ph's bounds as Linux 6.1's load_elf_binary (start/end_code over the
 * executable segments, start/end_data over all: /proc/PID/stat and statm). */
static void note_segment(struct vm_space *vm, const struct elf32_phdr *ph)
{
	uintptr_t lo = ph->p_vaddr, hi = ph->p_vaddr + ph->p_filesz;

	vm->start_data = MAX(vm->start_data, lo);
	if (ph->p_flags & ELF_PF_X) {
		vm->start_code = MIN(vm->start_code, lo);
		vm->end_code = MAX(vm->end_code, hi);
	}
	vm->end_data = MAX(vm->end_data, hi);
}

/* Write the initial stack (see the top) into @vm; its %esp in *@sp. 0 or -errno. */
static int build_stack(struct vm_space *vm, const struct exec_args *a, const char *execfn,
                       const struct elf_info *info, uint32_t *sp)
{
	uint32_t p = USER_STACK_TOP, execfn_at, strings_at, platform_at, random_at;
	uint8_t rnd[AT_RANDOM_BYTES];
	uint32_t fnlen = (uint32_t)strlen(execfn) + 1;
	int rc;

	rc = vm_map(vm, USER_STACK_TOP - USER_STACK_MAX, USER_STACK_MAX, VM_READ | VM_WRITE,
	            VM_GROWSDOWN);
	if (rc < 0)
		return rc;
	p -= fnlen;
	execfn_at = p;
	p -= a->len;
	strings_at = p;
	p -= sizeof(AT_PLATFORM_STR);
	platform_at = p;
	p -= AT_RANDOM_BYTES;
	random_at = p;
	get_random_bytes(rnd, sizeof(rnd));
	if ((rc = vm_write(vm, execfn_at, execfn, fnlen)) < 0 ||
	    (a->len && (rc = vm_write(vm, strings_at, a->buf, a->len)) < 0) ||
	    (rc = vm_write(vm, platform_at, AT_PLATFORM_STR, sizeof(AT_PLATFORM_STR))) < 0 ||
	    (rc = vm_write(vm, random_at, rnd, sizeof(rnd))) < 0)
		return rc;

	const uint32_t auxv[AUXV_PAIRS][2] = {
		{ AT_SYSINFO, vdso_sym_addr(vm, VDSO_SYM_VSYSCALL) },
		{ AT_SYSINFO_EHDR, vm->vdso_base },
		{ AT_PHDR, info->phdr_vaddr },
		{ AT_PHENT, info->phent },
		{ AT_PHNUM, info->phnum },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_ENTRY, info->entry },
		{ AT_UID, 0 },
		{ AT_EUID, 0 },
		{ AT_GID, 0 },
		{ AT_EGID, 0 },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, random_at },
		{ AT_EXECFN, execfn_at },
		{ AT_PLATFORM, platform_at },
		{ AT_HWCAP, EXEC_HWCAP },
		{ AT_CLKTCK, EXEC_CLKTCK },
		{ AT_NULL, 0 },
	};
	uint32_t words = 1 + a->argc + 1 + a->envc + 1 + 2 * AUXV_PAIRS;
	uint32_t w = ALIGN_DOWN(ALIGN_DOWN(p, 16u) - words * sizeof(uint32_t), 16u);
	*sp = w;
	vm->start_stack = w;
	vm->arg_start = vm->arg_end = strings_at; /* /proc/PID/cmdline: argv's strings */
	for (uint32_t i = 0; i < a->argc; i++)
		vm->arg_end += (uint32_t)strlen(a->buf + (vm->arg_end - strings_at)) + 1;
	vm->env_start = vm->arg_end;
	vm->env_end = strings_at + a->len;

	/* The pointer block (argc, argv, envp, auxv) built in a kernel buffer, then one write. */
	uint32_t *blk = kmalloc(words * sizeof(uint32_t), KM_KERNEL), n = 0, s = strings_at;
	if (!blk)
		return -ENOMEM;
	blk[n++] = a->argc;
	for (uint32_t i = 0; i < a->argc + a->envc; i++) {
		if (i == a->argc)
			blk[n++] = 0; /* end of argv */
		blk[n++] = s;
		s += (uint32_t)strlen(a->buf + (s - strings_at)) + 1;
	}
	if (a->envc == 0)
		blk[n++] = 0; /* end of argv (the loop did not reach envp) */
	blk[n++] = 0;         /* end of envp */
	for (unsigned i = 0; i < AUXV_PAIRS; i++) {
		if ((auxv[i][0] == AT_SYSINFO || auxv[i][0] == AT_SYSINFO_EHDR) && !vm->vdso_base)
			continue; /* no vDSO (vdso=0): no entries, as Linux */
		blk[n++] = auxv[i][0];
		blk[n++] = auxv[i][1];
	}
	rc = vm_write(vm, w, blk, n * sizeof(uint32_t));
	kfree(blk);
	return rc;
}

/* The registers a new program starts with. */
static void entry_frame(struct trap_frame *tf, uint32_t eip, uint32_t esp)
{
	memset(tf, 0, sizeof(*tf));
	tf->gs = 0;
	tf->fs = tf->es = tf->ds = SEL_UDATA;
	tf->eip = eip;
	tf->cs = SEL_UCODE;
	tf->eflags = EFLAGS_IF | EFLAGS_RESERVED;
	tf->user_esp = esp;
	tf->user_ss = SEL_UDATA;
}

/* Steps 1-4 for @f with @a (argc/envc filled): the new space and registers in @res. */
static int exec_build(const struct exec_file *f, struct exec_args *a, uint32_t owner,
                      struct exec_result *res)
{
	struct elf32_ehdr eh;
	struct elf32_phdr *ph = NULL;
	struct elf_info info;
	uint8_t *bounce = NULL;
	uint32_t sp;
	struct vm_object *obj;
	int rc;

	rc = src_read(f, 0, &eh, sizeof(eh));
	if (rc == 0)
		rc = elf_check_header(&eh, f->size);
	if (rc < 0)
		return rc == -ENOEXEC || rc == -ENOENT ? -ENOEXEC : rc;
	ph = kmalloc((size_t)eh.e_phnum * sizeof(*ph), KM_KERNEL);
	res->vm = vm_create(owner);
	rc = -ENOMEM;
	if (!ph || !res->vm)
		goto out;
	rc = src_read(f, eh.e_phoff, ph, (uint32_t)eh.e_phnum * sizeof(*ph));
	if (rc < 0)
		goto out;
	rc = elf_check_phdrs(&eh, ph, f->size, USER_BASE, USER_MMAP_TOP, &info);
	if (rc < 0)
		goto out;
	obj =
	    f->data && f->size <= UINT32_MAX ? vm_object_memory(f->data, (uint32_t)f->size) : NULL;
	res->vm->start_code = UINT32_MAX;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if ((rc = load_segment(res->vm, f, &ph[i], obj, &bounce)) < 0)
			goto out;
		note_segment(res->vm, &ph[i]);
	}
	res->vm->brk_start = res->vm->brk = info.brk_start;
	if ((rc = vdso_map(res->vm)) < 0)
		goto out;
	rc = build_stack(res->vm, a, f->path, &info, &sp);
	if (rc < 0)
		goto out;
	entry_frame(&res->frame, info.entry, sp);
out:
	kfree(bounce);
	kfree(ph);
	if (rc < 0) {
		vm_destroy(res->vm);
		res->vm = NULL;
	}
	return rc;
}

/* Step 1: look @path up into *@f and check it is a regular file with an execute bit. */
static int exec_check_file(const char *path, struct exec_file *f)
{
	int rc = src_open(path, f);

	if (rc < 0)
		return rc;
	if ((f->mode & S_IFMT_MASK) != S_IFREG_BITS || !(f->mode & S_IXANY))
		return -EACCES;
	return 0;
}

/* Step 5 for @p (running: @p is the current process). */
static void exec_commit(struct proc *p, struct exec_result *res, const char *path, bool running)
{
	struct vm_space *old = p->vm;
	uint32_t flags = irq_save();

	p->vm = res->vm;
	p->arch->cr3 = virt_to_phys(res->vm->pgdir);
	if (running)
		write_cr3(p->arch->cr3);
	irq_restore(flags);
	proc_vm_limits(p);
	vm_destroy(old);
	task_arch_exec_reset(p->arch, running);
	kstrlcpy(p->comm, path_basename(path), sizeof(p->comm));
	if (running)
		kstrlcpy(p->task->name, p->comm, sizeof(p->task->name));
	p->clear_child_tid = 0;
	p->did_exec = true;
	for (unsigned s = 0; s <= NSIG_LINUX; s++) /* handlers reset; SIG_IGN stays (Linux) */
		if (p->sig_action[s].handler != SIG_IGN_HANDLER)
			p->sig_action[s] = (struct sig_action){ SIG_DFL_HANDLER, 0, 0, 0 };
	p->sas_sp = p->sas_size = 0; /* no alternate stack survives exec (POSIX) */
	p->sas_flags = SS_DISABLE;
}

int exec_kernel(struct proc *p, const char *path, char *const argv[], char *const envp[])
{
	struct exec_args a = { 0 };
	struct exec_result res;
	struct exec_file f;
	int rc = exec_check_file(path, &f);

	if (rc == 0)
		rc = args_from_kernel(&a, argv, &a.argc);
	if (rc == 0)
		rc = args_from_kernel(&a, envp, &a.envc);
	p->vm_busy = true;
	if (rc == 0)
		rc = exec_build(&f, &a, p->task->owner->id, &res);
	args_free(&a);
	if (rc == 0)
		exec_commit(p, &res, path, false);
	p->vm_busy = false;
	if (rc < 0)
		return rc;
	p->entry_frame = res.frame;
	return 0;
}

int proc_execve(struct trap_frame *tf, uint32_t upath, uint32_t uargv, uint32_t uenvp)
{
	struct proc *p = proc_current();
	struct exec_args a = { 0 };
	struct exec_result res;
	struct exec_file f;
	char *path = kmalloc(PATH_MAX_LINUX, KM_KERNEL);
	long len;
	int rc;

	if (!path)
		return -ENOMEM;
	len = strncpy_from_user(path, (const char *)upath, PATH_MAX_LINUX);
	rc = len < 0 ? (int)len : len == PATH_MAX_LINUX ? -ENAMETOOLONG : len == 0 ? -ENOENT : 0;
	if (rc == 0)
		rc = exec_check_file(path, &f);
	if (rc == 0)
		rc = args_from_user(&a, uargv, &a.argc);
	if (rc == 0)
		rc = args_from_user(&a, uenvp, &a.envc);
	p->vm_busy = true; /* the new space maps shared pages before p->vm names it */
	if (rc == 0)
		rc = exec_build(&f, &a, p->task->owner->id, &res);
	args_free(&a);
	if (rc == 0) {
		exec_commit(p, &res, path, true);
		proc_files_exec(p);
		*tf = res.frame;
	}
	p->vm_busy = false;
	kfree(path);
	return rc;
}
