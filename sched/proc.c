/*
 * proc: processes — spawn, fork, exit, wait4, kill, the user-fault report and the pending
 * signal check at the return to user mode (contracts and life cycle in include/sched/proc.h).
 *
 * Data and its lock (interrupts off, one CPU):
 *   procs            every process not yet collected (struct proc.all_link)
 *   p->children      a parent's children (struct proc.sibling); p->parent back
 *   p->state, p->wait_status, p->pending_signal
 *   init_proc        the init process (pid 1 when started by init=), NULL if none or gone
 *   kernel_wq        proc_wait_kernel callers
 *
 * The user fault report (one line, then the process dies with the signal in its status):
 *   user: pid 7 (cowtest): SIGSEGV at 0xc0000000 ip 0x0804a1b2 (kernel address)
 *   user: pid 8 (divzero): SIGFPE ip 0x08049000 (divide error)
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
#include "sched/owner.h"
#include "x86/cpu.h"
#include "x86/gdt.h"
#include "x86/mmu.h"
#include "x86/task_arch.h"

#define PID_FIRST_REUSED 2 /* after wrapping, pid 1 stays init's */

static struct list_head procs = LIST_HEAD_INIT(procs);
static struct wait_queue kernel_wq = WAIT_QUEUE_INIT(kernel_wq);
static struct proc *init_proc;
static int next_pid = 1;
static const struct proc_files_ops *files_ops;

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

struct proc *proc_lookup(int pid)
{
	struct proc *p;

	list_for_each_entry(p, &procs, all_link) if (p->pid == pid) return p;
	return NULL;
}

bool proc_signal_pending(void)
{
	struct proc *p = proc_current();

	return p && p->pending_signal;
}

static const char *const sig_names[] = {
	[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",     [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP",   [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",     [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV",   [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",   [SIGTERM] = "SIGTERM",
	[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",   [SIGSTOP] = "SIGSTOP",
	[SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",   [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",   [SIGWINCH] = "SIGWINCH",
};

const char *signal_name(int sig)
{
	if (sig > 0 && (unsigned)sig < ARRAY_SIZE(sig_names) && sig_names[sig])
		return sig_names[sig];
	return "SIG?";
}

/* Default action: does @sig end the process? (SIGCHLD & co. are ignored; stops too.) */
static bool sig_default_fatal(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return false;
	default:
		return true;
	}
}

/* ---- creation ------------------------------------------------------------------------- */

/* A pid not in use (interrupts off). */
static int pid_alloc(void)
{
	for (;;) {
		int pid = next_pid;
		next_pid = next_pid >= PID_MAX ? PID_FIRST_REUSED : next_pid + 1;
		if (!proc_lookup(pid))
			return pid;
	}
}

/* A zeroed proc with its task_arch; not linked anywhere. NULL when out of memory. */
static struct proc *proc_alloc(void)
{
	struct proc *p = kzalloc(sizeof(*p), KM_KERNEL);

	if (!p)
		return NULL;
	p->arch = task_arch_alloc();
	if (!p->arch) {
		kfree(p);
		return NULL;
	}
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->all_link);
	wait_queue_init(&p->child_wq);
	proc_res_init(&p->res);
	return p;
}

/* Free a proc that is linked nowhere and attached to no running task. */
static void proc_free(struct proc *p)
{
	task_arch_free(p->arch);
	kfree(p);
}

/* The first code of a user task: enter ring 3 with the prepared registers. */
static __noreturn void user_task_entry(void *arg)
{
	struct proc *p = arg;

	user_enter(&p->entry_frame, task_current()->stack.top);
}

/* Dispose of a suspended task that never ran (a failed spawn or fork). */
static void task_discard(int tid)
{
	task_kill(tid);
	task_detach(tid);
}

/* Attach @p to its suspended task, link it, start it. Interrupts are masked inside. */
static void proc_start(struct proc *p, struct proc *parent)
{
	uint32_t flags = irq_save();

	p->pid = pid_alloc();
	p->parent = parent;
	if (parent)
		list_add_tail(&p->sibling, &parent->children);
	list_add_tail(&p->all_link, &procs);
	p->task->proc = p;
	p->task->arch = p->arch;
	irq_restore(flags);
	task_start_new((int)p->task->tid);
}

int proc_spawn(const char *path, char *const argv[], char *const envp[], bool init)
{
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
	rc = exec_kernel(p, path, argv, envp);
	if (rc < 0) {
		task_discard(tid);
		proc_free(p);
		return rc;
	}
	p->kernel_child = true;
	proc_start(p, NULL);
	if (init)
		init_proc = p;
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
	memcpy(c->sig_handler, parent->sig_handler, sizeof(c->sig_handler));
	proc_res_fork(&c->res, &parent->res);
	if (clone_flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = child_tidptr;
	proc_start(c, parent);
	/* The pid is known now; the child has not run yet (it was only made runnable). */
	if (clone_flags & CLONE_CHILD_SETTID)
		vm_write(c->vm, child_tidptr, &c->pid, sizeof(c->pid));
	if (clone_flags & CLONE_PARENT_SETTID) {
		put_user_u32((void *)parent_tidptr, (uint32_t)c->pid);
		vm_write(c->vm, parent_tidptr, &c->pid, sizeof(c->pid));
	}
	return c->pid;
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
	/* Leave the address space before freeing it: the kernel's directory from now on. */
	flags = irq_save();
	p->arch->cr3 = 0;
	write_cr3(virt_to_phys(kernel_pgdir));
	irq_restore(flags);
	vm_destroy(p->vm);
	p->vm = NULL;

	cpu_cli();
	if (p == init_proc)
		init_proc = NULL;
	reparent_children(p);
	p->state = PROC_ZOMBIE;
	p->wait_status = status;
	t->arch = NULL; /* the switch must not save into the image freed below */
	t->proc = NULL;
	task_arch_free(p->arch);
	p->arch = NULL;
	if (p->parent)
		wake_up(&p->parent->child_wq);
	else if (p->kernel_child)
		wake_up(&kernel_wq);
	else
		autoreap(p);
	task_exit(0);
}

/* Does @c match wait4's @pid? */
static bool wait_matches(const struct proc *c, int pid)
{
	return pid <= 0 || c->pid == pid;
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
			if (!wait_matches(c, pid))
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
		if (!any || (options & WNOHANG) || p->pending_signal) {
			irq_restore(flags);
			return !any ? -ECHILD : (options & WNOHANG) ? 0 : -EINTR;
		}
		wait_queue_sleep(&p->child_wq);
		irq_restore(flags);
	}
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
	bool ignored = sig != SIGKILL && sig != SIGSTOP && p->sig_handler[sig] == SIG_IGN_HANDLER;
	if (sig && p->state == PROC_RUNNING && !ignored && sig_default_fatal(sig) &&
	    !p->pending_signal) {
		p->pending_signal = sig;
		if (p->task != task_current())
			task_wake(p->task);
	}
	irq_restore(flags);
	return 0;
}

/* Before returning to ring 3: act on a pending fatal signal. */
static void user_return(struct trap_frame *tf)
{
	struct proc *p = proc_current();

	(void)tf;
	if (p && p->pending_signal)
		proc_exit(W_SIGNALED(p->pending_signal));
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
	if (error & PF_P)
		return (error & PF_W) ? "write to read-only memory" : "protection violation";
	if (p->vm && vm_find(p->vm, addr))
		return (error & PF_W) ? "write to read-only memory" : "access not allowed";
	return "unmapped address";
}

/* An exception from ring 3 nothing resolved: report in one line, kill the process. */
static void user_fault(struct trap_frame *tf)
{
	struct proc *p = proc_current();
	int sig = fault_signal(tf->vector);

	if (!p)
		trap_fatal(tf, "user-mode exception outside a process");
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

	if (!p || !p->vm)
		return -EFAULT;
	return vm_fault(p->vm, addr, error);
}

void proc_init(void)
{
	static const struct trap_user_hooks hooks = { user_fault, user_return };

	trap_set_user_hooks(&hooks);
	fault_set_user_resolver(resolve_user_fault);
}

void proc_for_each(void (*fn)(const struct proc *p, void *ctx), void *ctx)
{
	uint32_t flags = irq_save();
	struct proc *p;

	list_for_each_entry(p, &procs, all_link) fn(p, ctx);
	irq_restore(flags);
}
