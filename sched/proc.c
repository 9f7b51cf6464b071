/*
 * proc: processes — spawn, fork, exit, wait4, kill and the user-fault report (contracts and
 * life cycle in include/sched/proc.h; signal state and delivery in sched/signal.c).
 *
 * Data and its lock (interrupts off, one CPU):
 *   procs            every process not yet collected (struct proc.all_link)
 *   p->children      a parent's children (struct proc.sibling); p->parent back
 *   p->state, p->wait_status (the signal fields: sched/signal.c)
 *   init_proc        the init process (pid 1 when started by init=), NULL if none or gone
 *   kernel_wq        proc_wait_kernel callers
 *
 * A user fault whose signal has a handler (not blocked) goes to it (signal_fault, with Linux's
 * si_code and si_addr); otherwise the report (one line, then the process dies with the signal
 * in its status):
 *   user: pid 7 (cowtest): SIGSEGV at 0xc0000000 ip 0x0804a1b2 (kernel address)
 *   user: pid 8 (divzero): SIGFPE ip 0x08049000 (divide error)
 *   user: pid 9 (hog): out of memory at 0xbf7fe000 ip 0x08049a10: nothing to kill (SIGKILL)
 * The last is a fault that could have been resolved (a page of an area) but found no memory
 * and the OOM killer (include/sched/oom.h) found no other process to kill. A fault that found
 * no memory otherwise retries after the killer freed some, or ends its process silently when
 * the killer chose it (the killer's own lines are its report, as at a cap).
 * Exceptions and the signals Linux sends for them:
 *   #DE #MF #XM -> SIGFPE      #DB #BP -> SIGTRAP      #UD -> SIGILL
 *   #NP #SS #AC -> SIGBUS      #PF #GP #OF #BR #TS and the rest -> SIGSEGV
 */
#include "sched/proc.h"

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/fault.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "mm/uaccess.h"
#include "mm/vm.h"
#include "sched/oom.h"
#include "sched/owner.h"
#include "sched/proc_vmcheck.h"
#include "x86/cpu.h"
#include "x86/gdt.h"
#include "x86/mmu.h"
#include "x86/task_arch.h"
#include "x86/timer.h"

#define PID_INIT  1 /* the init process's, and only its */
#define PID_FIRST 2 /* every other process counts from here, and wraps back to it */

static struct list_head procs = LIST_HEAD_INIT(procs);
static struct wait_queue kernel_wq = WAIT_QUEUE_INIT(kernel_wq);
static struct proc *init_proc;
static int next_pid = PID_FIRST;
static const struct proc_files_ops *files_ops;
/* Fault injection (proc_inject_limits): owner limits in bytes for new processes; 0 = none. */
static uint64_t inject_spawn_limit, inject_fork_limit;

void proc_inject_limits(uint64_t spawn, uint64_t fork)
{
	inject_spawn_limit = spawn;
	inject_fork_limit = fork;
}

void proc_set_files_ops(const struct proc_files_ops *ops)
{
	files_ops = ops;
}

void proc_files_exec(struct proc *p)
{
	if (files_ops && files_ops->exec)
		files_ops->exec(p);
}

const char *path_basename(const char *path)
{
	const char *base = path;

	for (const char *c = path; *c; c++)
		if (*c == '/' && c[1])
			base = c + 1;
	return base;
}

struct proc *proc_current(void)
{
	return task_current()->proc;
}

uint32_t proc_syscalls_pending;

uint64_t proc_syscall_count(const struct proc *p)
{
	uint32_t flags = irq_save();
	uint64_t n = p->nr_syscalls + (p == proc_current() ? proc_syscalls_pending : 0);
	irq_restore(flags);
	return n;
}

struct proc *proc_lookup(int pid)
{
	struct proc *p;

	list_for_each_entry(p, &procs, all_link) if (p->pid == pid) return p;
	return NULL;
}

/* ---- creation ------------------------------------------------------------------------- */

/* A pid not in use (interrupts off): PID_INIT for the init process, else PID_FIRST.. */
static uint64_t procs_created; /* processes made since boot (/proc/stat processes) */
static int last_pid;           /* the pid given last (/proc/loadavg) */

uint64_t proc_created_count(void)
{
	return procs_created;
}

int proc_last_pid(void)
{
	return last_pid;
}

static int pid_alloc(bool init)
{
	if (init && !proc_lookup(PID_INIT))
		return PID_INIT;
	for (;;) {
		int pid = next_pid;
		next_pid = next_pid >= PID_MAX ? PID_FIRST : next_pid + 1;
		if (!proc_lookup(pid))
			return pid;
	}
}

/* proc_alloc zeroes everything before sig_info: a field added after the siginfo slots would
 * be left uninitialised. */
_Static_assert(offsetof(struct proc, sig_info_thread) +
                       sizeof(((struct proc *)0)->sig_info_thread) ==
                   sizeof(struct proc),
               "the siginfo slots are the last fields of struct proc");

/* A zeroed proc (but its siginfo slots) with its task_arch; not linked anywhere. NULL when
 * out of memory. */
static struct proc *proc_alloc(void)
{
	struct proc *p = kmalloc(sizeof(*p), KM_KERNEL);

	if (!p)
		return NULL;
	/* The siginfo slots are written before they are read (proc.h): zeroing them too would
	 * cost each fork a kilobyte of stores. */
	memset(p, 0, offsetof(struct proc, sig_info));
	p->arch = task_arch_alloc();
	if (!p->arch) {
		kfree(p);
		return NULL;
	}
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->all_link);
	wait_queue_init(&p->child_wq);
	wait_queue_init(&p->signal_wq);
	proc_res_init(&p->res);
	p->start_tick = timer_ticks();
	return p;
}

static void (*free_hook)(struct proc *p); /* proc_set_free_hook */

void proc_set_free_hook(void (*fn)(struct proc *p))
{
	free_hook = fn;
}

/* Free a proc that is linked nowhere and attached to no running task. */
static void proc_free(struct proc *p)
{
	if (free_hook)
		free_hook(p);
	task_arch_free(p->arch);
	kfree(p);
}

/* The first code of a user task: enter ring 3 with the prepared registers. */
static __noreturn void user_task_entry(void *arg)
{
	struct proc *p = arg;

	user_enter(&p->entry_frame, task_current()->stack.top);
}

/* Dispose of a suspended task that never ran (a failed spawn or fork): freed before the
 * failure returns, so a refused fork leaves free memory exactly as it was. */
static void task_discard(int tid)
{
	if (task_discard_new(tid) < 0) {
		task_kill(tid);
		task_detach(tid);
	}
}

/*
 * Give @p its pid and link it (@init: as the init process), attached to its task, which stays
 * suspended: the caller finishes what must be in place before the process can run (fork's
 * CLONE_*_SETTID writes into the child) and then starts it with task_start_new. Interrupts
 * are masked inside.
 */
static void proc_publish(struct proc *p, struct proc *parent, bool init)
{
	uint32_t flags = irq_save();

	p->pid = last_pid = pid_alloc(init);
	procs_created++;
	if (init)
		init_proc = p;
	p->parent = parent;
	if (parent)
		list_add_tail(&p->sibling, &parent->children);
	list_add_tail(&p->all_link, &procs);
	p->task->proc = p;
	p->task->arch = p->arch;
	irq_restore(flags);
}

int proc_spawn(const char *path, char *const argv[], char *const envp[], bool init)
{
	const struct spawn_opts o = { .init = init };

	return proc_spawn_opts(path, argv, envp, &o);
}

int proc_spawn_opts(const char *path, char *const argv[], char *const envp[],
                    const struct spawn_opts *o)
{
	bool init = o->init;
	struct proc *p = proc_alloc();
	int tid, rc;

	if (!p)
		return -ENOMEM;
	kstrlcpy(p->comm, path_basename(path), sizeof(p->comm));
	tid = task_create_suspended(user_task_entry, p, p->comm);
	if (tid < 0) {
		proc_free(p);
		return tid;
	}
	p->task = task_lookup(tid);
	if (inject_spawn_limit)
		task_set_limit(tid, inject_spawn_limit);
	rc = exec_kernel(p, path, argv, envp);
	if (rc < 0) {
		task_discard(tid);
		proc_free(p);
		return rc;
	}
	p->kernel_child = true;
	proc_publish(p, NULL, init && !init_proc);
	if (o->new_session)
		p->pgid = p->sid = p->pid; /* not running yet: no one can see it between */
	if (o->before_start)
		o->before_start(p, o->ctx);
	task_start_new((int)p->task->tid);
	return p->pid;
}

int proc_fork(struct trap_frame *tf, uint32_t clone_flags, uint32_t newsp, uint32_t parent_tidptr,
              uint32_t child_tidptr)
{
	struct proc *parent = proc_current();
	struct proc *c = proc_alloc();
	int tid, rc = -ENOMEM;

	if (!c)
		return -ENOMEM;
	memcpy(c->comm, parent->comm, sizeof(c->comm));
	tid = task_create_suspended(user_task_entry, c, c->comm);
	if (tid < 0) {
		proc_free(c);
		return tid;
	}
	c->task = task_lookup(tid);
	if (inject_fork_limit)
		task_set_limit(tid, inject_fork_limit);
	c->vm = vm_create(c->task->owner->id);
	if (!c->vm || vm_fork(c->vm, parent->vm) < 0)
		goto fail;
	if (files_ops && files_ops->fork && files_ops->fork(c, parent) < 0)
		goto fail;
	task_arch_fork(c->arch, parent->arch);
	c->arch->cr3 = virt_to_phys(c->vm->pgdir);
	c->entry_frame = *tf;
	c->entry_frame.eax = 0;
	if (newsp)
		c->entry_frame.user_esp = newsp;
	c->sigmask = parent->sigmask;
	c->pgid = parent->pgid;
	c->sid = parent->sid;
	c->oom_score_adj = parent->oom_score_adj;
	memcpy(c->sig_action, parent->sig_action, sizeof(c->sig_action));
	c->sas_sp = parent->sas_sp; /* fork inherits the alternate stack */
	c->sas_size = parent->sas_size;
	c->sas_flags = parent->sas_flags;
	proc_res_fork(&c->res, &parent->res);
	proc_vm_limits(c);
	if (clone_flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = child_tidptr;
	proc_publish(c, parent, false);
	/*
	 * The pid is known now and the child cannot run yet: write its tid into its memory
	 * before it starts (once started it may exec or exit, and its address space go, before
	 * this parent runs again).
	 */
	int pid = c->pid;
	if (clone_flags & CLONE_CHILD_SETTID)
		vm_write(c->vm, child_tidptr, &c->pid, sizeof(c->pid));
	if (clone_flags & CLONE_PARENT_SETTID)
		vm_write(c->vm, parent_tidptr, &c->pid, sizeof(c->pid));
	task_start_new((int)c->task->tid);
	if (clone_flags & CLONE_PARENT_SETTID)
		put_user_u32((void *)parent_tidptr, (uint32_t)pid);
	return pid;
fail:
	vm_destroy(c->vm);
	task_discard(tid);
	proc_free(c);
	return rc;
}

/* ---- exit and wait -------------------------------------------------------------------- */

/* Free a zombie nobody will wait for (interrupts off): the reaper frees its task slot. */
static void autoreap(struct proc *z)
{
	list_del(&z->all_link);
	list_del(&z->sibling);
	task_detach((int)z->task->tid);
	proc_free(z);
}

/* Give @p's children to init (or to nobody: the kernel reaps them). Interrupts off. */
static void reparent_children(struct proc *p)
{
	struct proc *c, *n;
	struct proc *heir =
	    (init_proc && init_proc != p && init_proc->state == PROC_RUNNING) ? init_proc : NULL;

	list_for_each_entry_safe(c, n, &p->children, sibling)
	{
		list_del(&c->sibling);
		c->parent = heir;
		if (heir) {
			list_add_tail(&c->sibling, &heir->children);
			if (c->state == PROC_ZOMBIE)
				wake_up(&heir->child_wq);
		} else if (c->state == PROC_ZOMBIE) {
			autoreap(c);
		}
	}
}

void proc_exit(int status)
{
	struct proc *p = proc_current();
	struct task *t = task_current();
	uint32_t flags;

	if (p->clear_child_tid)
		put_user_u32((void *)p->clear_child_tid, 0);
	if (files_ops && files_ops->exit)
		files_ops->exit(p);
	/* Leave the address space before freeing it: the kernel's directory from now on, and
	 * no p->vm for the tick's readers (the vDSO's status page) while it is freed. */
	flags = irq_save();
	struct vm_space *vm = p->vm;
	p->arch->cr3 = 0;
	p->vm = NULL;
	p->vm_busy = true; /* the auditor waits until the space is gone */
	write_cr3(virt_to_phys(kernel_pgdir));
	irq_restore(flags);
	vm_destroy(vm);
	p->vm_busy = false;
	oom_exited(p);          /* an OOM victim: its memory is back, the waiting faults retry */
	proc_vmcheck_on_exit(); /* the `vmcheck` boot option: audit every space left */

	cpu_cli();
	if (p == init_proc)
		init_proc = NULL;
	reparent_children(p);
	p->state = PROC_ZOMBIE;
	p->wait_status = status;
	t->arch = NULL; /* the switch must not save into the image freed below */
	t->proc = NULL;
	p->nr_syscalls += proc_syscalls_pending; /* the switch no longer sees it as a process */
	proc_syscalls_pending = 0;
	task_arch_free(p->arch);
	p->arch = NULL;
	if (p->parent && (p->parent->sig_action[SIGCHLD].handler == SIG_IGN_HANDLER ||
	                  (p->parent->sig_action[SIGCHLD].flags & SA_NOCLDWAIT))) {
		/* POSIX: a parent ignoring SIGCHLD (or with SA_NOCLDWAIT) leaves no zombies; its
		 * wait4 sees ECHILD. */
		wake_up(&p->parent->child_wq);
		autoreap(p);
	} else if (p->parent) {
		struct ksiginfo info = {
			.code = (status & W_SIGNAL_MASK) ? CLD_KILLED : CLD_EXITED,
			.pid = p->pid,
			.status = (status & W_SIGNAL_MASK) ? (status & W_SIGNAL_MASK)
			                                   : (status >> W_CODE_SHIFT) & W_CODE_MASK,
		};
		signal_send(p->parent, SIGCHLD, &info);
		wake_up(&p->parent->child_wq);
	} else if (p->kernel_child)
		wake_up(&kernel_wq);
	else
		autoreap(p);
	task_exit(0);
}

/* Does child @c of @p match wait4's @pid (-1 any, > 0 that one, 0 @p's group, < -1 group)? */
static bool wait_matches(const struct proc *p, const struct proc *c, int pid)
{
	if (pid == -1)
		return true;
	if (pid > 0)
		return c->pid == pid;
	return c->pgid == (pid == 0 ? p->pgid : -pid);
}

/*
 * Collect zombie @z (unlinked here, interrupts off on entry, restored to @flags): wait for its
 * task to be reaped, free it. Returns its pid; its status in *@status.
 */
static int collect(struct proc *z, int *status, uint32_t flags)
{
	int pid = z->pid;

	list_del(&z->all_link);
	list_del(&z->sibling);
	irq_restore(flags);
	task_wait((int)z->task->tid, NULL); /* the kernel stack is back too */
	if (status)
		*status = z->wait_status;
	z->arch = NULL;
	proc_free(z);
	return pid;
}

int proc_wait4(int pid, int *status, uint32_t options)
{
	struct proc *p = proc_current();

	for (;;) {
		uint32_t flags = irq_save();
		struct proc *c, *zombie = NULL;
		bool any = false;

		list_for_each_entry(c, &p->children, sibling)
		{
			if (!wait_matches(p, c, pid))
				continue;
			any = true;
			if (c->state == PROC_ZOMBIE) {
				zombie = c;
				break;
			}
		}
		if (zombie) {
			proc_res_reap(&p->res, &zombie->res);
			return collect(zombie, status, flags);
		}
		if (!any || (options & WNOHANG) || signal_deliverable(p)) {
			irq_restore(flags);
			return !any ? -ECHILD : (options & WNOHANG) ? 0 : -EINTR;
		}
		wait_queue_sleep(&p->child_wq);
		irq_restore(flags);
	}
}

int proc_detach_kernel(int pid)
{
	uint32_t flags = irq_save();
	struct proc *p = proc_lookup(pid);
	int rc = -ECHILD;

	if (p && p->kernel_child && !p->parent) {
		p->kernel_child = false;
		if (p->state == PROC_ZOMBIE)
			autoreap(p);
		rc = 0;
	}
	irq_restore(flags);
	return rc;
}

int proc_wait_kernel(int pid, int *status)
{
	for (;;) {
		uint32_t flags = irq_save();
		struct proc *z = proc_lookup(pid);

		if (!z || !z->kernel_child || z->parent) {
			irq_restore(flags);
			return -ECHILD;
		}
		if (z->state == PROC_ZOMBIE) {
			collect(z, status, flags);
			return 0;
		}
		wait_queue_sleep(&kernel_wq);
		irq_restore(flags);
	}
}

/* ---- signals -------------------------------------------------------------------------- */

bool proc_is_init(const struct proc *p)
{
	return p == init_proc;
}

int proc_kill(int pid, int sig)
{
	uint32_t flags;
	struct proc *p;

	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	flags = irq_save();
	p = pid == 0 ? proc_current() : pid > 0 ? proc_lookup(pid) : NULL;
	if (!p) {
		irq_restore(flags);
		return -ESRCH;
	}
	if (sig)
		signal_send(p, sig, NULL); /* the kernel's: SI_KERNEL */
	irq_restore(flags);
	return 0;
}

/*
 * Is @p protected from @sig sent by a process? Linux's SIGNAL_UNKILLABLE: init gets only the
 * signals it installed a handler for (SIGKILL and SIGSTOP included in the refusal).
 */
static bool init_refuses(const struct proc *p, int sig)
{
	return p == init_proc && p->sig_action[sig].handler == SIG_DFL_HANDLER;
}

/* Send @sig with @info to @p, the process (SI_USER, SI_KERNEL) or its thread (SI_TKILL); a
 * permission check would go here. */
static void kill_one(struct proc *p, int sig, const struct ksiginfo *info)
{
	if (!sig || init_refuses(p, sig))
		return;
	if (info->code == SI_TKILL)
		signal_send_thread(p, sig, info);
	else
		signal_send(p, sig, info);
}

/*
 * kill(2)'s targets for @pid (see proc_kill_user) get @sig with @info; @self is the sender
 * (NULL: the kernel, which is in no group and is nobody's "caller").
 */
static int kill_targets(struct proc *self, int pid, int sig, const struct ksiginfo *info)
{
	struct proc *p;
	uint32_t flags;
	int found = 0;

	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	if (pid == 0 && !self)
		return -ESRCH;
	flags = irq_save();
	if (pid > 0) {
		p = proc_lookup(pid);
		if (p)
			kill_one(p, sig, info);
		/* No init process: pid 1 is the kernel, which takes and ignores every signal. */
		found = p || pid == PID_INIT;
	} else if (pid == -1) { /* every process but init and the caller */
		list_for_each_entry(p, &procs, all_link)
		{
			if (p == self || p == init_proc || p->state != PROC_RUNNING)
				continue;
			kill_one(p, sig, info);
			found = 1;
		}
	} else { /* 0: the caller's process group; < -1: group -pid (INT_MIN: none) */
		int pgid = pid == 0 ? self->pgid : pid == INT32_MIN ? -1 : -pid;
		list_for_each_entry(p, &procs, all_link)
		{
			if (p->pgid != pgid || p->state != PROC_RUNNING)
				continue;
			kill_one(p, sig, info);
			found = 1;
		}
	}
	irq_restore(flags);
	return found ? 0 : -ESRCH;
}

int proc_kill_user(int pid, int sig)
{
	struct proc *self = proc_current();
	struct ksiginfo info = { .code = SI_USER, .pid = self ? self->pid : 0 };

	return kill_targets(self, pid, sig, &info);
}

int proc_tkill_user(int pid, int sig)
{
	struct proc *self = proc_current();
	struct ksiginfo info = { .code = SI_TKILL, .pid = self ? self->pid : 0 };

	return kill_targets(self, pid, sig, &info);
}

int proc_kill_pgrp(int pgrp, int sig)
{
	struct ksiginfo info = { .code = SI_KERNEL };

	if (pgrp <= 0)
		return -ESRCH;
	return kill_targets(NULL, -pgrp, sig, &info);
}

/* ---- user faults ---------------------------------------------------------------------- */

static int fault_signal(unsigned vector)
{
	switch (vector) {
	case T_DIVIDE:
	case T_FPERR:
	case T_SIMD:
		return SIGFPE;
	case T_DEBUG:
	case T_BRKPT:
		return SIGTRAP;
	case T_ILLOP:
		return SIGILL;
	case T_SEGNP:
	case T_STACK:
	case T_ALIGN:
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

/* Why a user #PF at @addr with @error could not be resolved, in words. */
static const char *pf_reason(struct proc *p, uint32_t addr, uint32_t error)
{
	if (addr < USER_NULL_LIMIT)
		return "NULL pointer";
	if (addr >= KERNEL_BASE)
		return "kernel address";
	if (p->fault_bus)
		return "past the end of the mapped file";
	if (error & PF_P)
		return (error & PF_W) ? "write to read-only memory" : "protection violation";
	if (p->vm && vm_find(p->vm, addr))
		return (error & PF_W) ? "write to read-only memory" : "access not allowed";
	return "unmapped address";
}

/*
 * The si_code Linux gives @p's fault of @vector at @addr (a #PF: SEGV_ACCERR inside an area
 * that does not allow the access, SEGV_MAPERR outside every area; BUS_ADRERR past the end
 * of a mapped file).
 */
static int fault_code(const struct proc *p, unsigned vector, uint32_t addr)
{
	switch (vector) {
	case T_PGFLT:
		if (p->fault_bus)
			return BUS_ADRERR;
		return p->vm && vm_find(p->vm, addr) ? SEGV_ACCERR : SEGV_MAPERR;
	case T_DIVIDE:
		return FPE_INTDIV;
	case T_ILLOP:
		return ILL_ILLOPN;
	case T_ALIGN:
		return BUS_ADRALN;
	case T_FPERR:
	case T_SIMD:
		return FPE_FLTINV;
	default:
		return SI_KERNEL; /* #GP, #BP (int3), #SS, #NP...: force_sig */
	}
}

/*
 * An exception from ring 3 nothing resolved: delivered to the process's handler for its
 * signal when there is one and the signal is not blocked; otherwise report in one line and
 * kill the process.
 */
static void user_fault(struct trap_frame *tf)
{
	struct proc *p = proc_current();
	int sig = fault_signal(tf->vector);

	if (!p)
		trap_fatal(tf, "user-mode exception outside a process");
	if (tf->vector == T_PGFLT && p->fault_oom) {
		/* The page exists in an area but no memory could be had: the OOM killer chose this
		 * process (and said so), or there was nothing else to kill. */
		if (!p->oom_victim)
			pr_err("user: pid %d (%s): out of memory at 0x%08x ip 0x%08x: nothing to "
			       "kill (SIGKILL)\n",
			       p->pid, p->comm, read_cr2(), tf->eip);
		proc_exit(W_SIGNALED(SIGKILL));
	}
	if (tf->vector == T_PGFLT && p->fault_bus)
		sig = SIGBUS;
	{
		uint32_t cr2 = tf->vector == T_PGFLT ? read_cr2() : 0;
		int code = fault_code(p, tf->vector, cr2);
		uint32_t addr = tf->vector == T_PGFLT ? cr2
		                : code == SI_KERNEL
		                    ? 0
		                    : tf->eip; /* #DE #UD #AC #MF: the instruction */
		if (signal_fault(tf, sig, code, addr))
			return;
	}
	if (tf->vector == T_PGFLT) {
		uint32_t addr = read_cr2();
		pr_info("user: pid %d (%s): %s at 0x%08x ip 0x%08x (%s)\n", p->pid, p->comm,
		        signal_name(sig), addr, tf->eip, pf_reason(p, addr, tf->error));
	} else {
		pr_info("user: pid %d (%s): %s ip 0x%08x (%s)\n", p->pid, p->comm, signal_name(sig),
		        tf->eip, trap_name(tf->vector));
	}
	proc_exit(W_SIGNALED(sig));
}

/* The #PF resolver for user addresses: demand-zero in the running process's areas. */
static int resolve_user_fault(uint32_t addr, uint32_t error)
{
	struct proc *p = proc_current();

	int rc;

	if (!p || !p->vm)
		return -EFAULT;
	p->in_fault = true; /* fault injection spares the fault path (include/mm/failinject.h) */
	rc = vm_fault(p->vm, addr, error);
	p->in_fault = false;
	if (unlikely(rc == -ENOMEM) && oom_out_of_memory(p, 0, error & PF_U) == OOM_RETRY)
		return 0; /* memory was freed for it: the access faults again and gets it */
	p->fault_oom = rc == -ENOMEM;
	p->fault_bus = rc == -EIO;
	return rc;
}

/* An rlimit in pages for the VM layer: 0 for none, at least 1 for a finite limit. */
static uint32_t limit_pages(uint32_t bytes)
{
	return bytes == RLIM_INFINITY ? 0 : (bytes >> PAGE_SHIFT) | !(bytes >> PAGE_SHIFT);
}

void proc_vm_limits(struct proc *p)
{
	uint32_t flags = irq_save();

	if (p->vm) {
		p->vm->stack_limit = p->res.rlim[RLIMIT_STACK].cur;
		p->vm->as_limit = limit_pages(p->res.rlim[RLIMIT_AS].cur);
		p->vm->data_limit = limit_pages(p->res.rlim[RLIMIT_DATA].cur);
	}
	irq_restore(flags);
}

/* The commitment's refusal line names the process asking: the current one (0, "kernel"
 * from a kernel task). */
static void commit_label(int *pid, const char **comm)
{
	struct proc *p = proc_current();

	if (p) {
		*pid = p->pid;
		*comm = p->comm;
	}
}

void proc_init(void)
{
	static const struct trap_user_hooks hooks = { user_fault, signal_deliver };

	trap_set_user_hooks(&hooks);
	fault_set_user_resolver(resolve_user_fault);
	vm_commit_set_label(commit_label);
	oom_demo_init();
}

int proc_getppid(const struct proc *p)
{
	if (p->parent)
		return p->parent->pid;
	return p == init_proc ? 0 : PID_INIT;
}

/* ---- process groups and sessions -------------------------------------------------------- */

/* The process @pid (0: the caller), or NULL. Interrupts off. */
static struct proc *proc_or_self(int pid)
{
	struct proc *p = pid == 0 ? proc_current() : proc_lookup(pid);

	return p && p->state == PROC_RUNNING ? p : NULL;
}

int proc_getpgid(int pid)
{
	uint32_t flags = irq_save();
	struct proc *p = pid < 0 ? NULL : proc_or_self(pid);
	int rc = p ? p->pgid : -ESRCH;

	irq_restore(flags);
	return rc;
}

int proc_getsid(int pid)
{
	uint32_t flags = irq_save();
	struct proc *p = pid < 0 ? NULL : proc_or_self(pid);
	int rc = p ? p->sid : -ESRCH;

	irq_restore(flags);
	return rc;
}

/*
 * Is there a process in group @pgid of session @sid? A zombie counts: as on Linux, a group
 * lives until its last member is reaped (a pipeline's later commands join the group of its
 * first, which may have exited already). Interrupts off.
 */
static bool group_exists(int pgid, int sid)
{
	struct proc *q;

	list_for_each_entry(q, &procs, all_link) if (q->pgid == pgid && q->sid == sid) return true;
	return false;
}

int proc_setpgid(int pid, int pgid)
{
	struct proc *self = proc_current(), *p;
	uint32_t flags;
	int rc = 0;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	flags = irq_save();
	p = proc_or_self(pid);
	if (!p || (p != self && p->parent != self))
		rc = -ESRCH;
	else if (p != self && p->did_exec)
		rc = -EACCES;
	else if (p->sid == p->pid || p->sid != self->sid)
		rc = -EPERM; /* a session leader, or a child in another session */
	else {
		if (!pgid)
			pgid = p->pid;
		if (pgid != p->pid && !group_exists(pgid, self->sid))
			rc = -EPERM;
		else
			p->pgid = pgid;
	}
	irq_restore(flags);
	return rc;
}

int proc_setsid(void)
{
	struct proc *self = proc_current(), *q;
	uint32_t flags = irq_save();
	int rc = self->pid;

	list_for_each_entry(q, &procs, all_link) if (q->state == PROC_RUNNING &&
	                                             q->pgid == self->pid) rc = -EPERM;
	if (rc > 0)
		self->pgid = self->sid = self->pid;
	irq_restore(flags);
	return rc;
}

void proc_for_each(void (*fn)(const struct proc *p, void *ctx), void *ctx)
{
	uint32_t flags = irq_save();
	struct proc *p;

	list_for_each_entry(p, &procs, all_link) fn(p, ctx);
	irq_restore(flags);
}
