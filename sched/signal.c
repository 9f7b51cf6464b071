/*
 * signal: sending, masks, actions, the alternate stack, sigsuspend/sigtimedwait and the
 * delivery loop at the return to user mode (contracts in include/sched/signal.h; the frames
 * themselves in sched/signal_frame.c).
 *
 * Data and its lock: the signal fields of struct proc (sig_pending*, sig_info*, sigmask,
 * sig_action, sas_*, saved_mask, sig_waitset) change with interrupts off (one CPU). Only the
 * process itself changes its mask, actions and alternate stack; anyone may make a signal
 * pending (signal_send).
 */
#include "sched/signal.h"

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "sched/proc.h"
#include "x86/cpu.h"
#include "x86/timer.h"

/* The system calls whose -EINTR Linux gives as -ERESTARTSYS: restarted under SA_RESTART. */
static const uint16_t restart_calls[] = {
	3,   /* read */
	4,   /* write */
	5,   /* open */
	7,   /* waitpid */
	54,  /* ioctl */
	114, /* wait4 */
	145, /* readv */
	146, /* writev */
	180, /* pread64 */
	181, /* pwrite64 */
	187, /* sendfile */
	239, /* sendfile64 */
	295, /* openat */
};
#define INT80_BYTES   2u /* cd 80: what a restart steps back over */
#define EFLAGS_TF     (1u << 8)
#define EFLAGS_DF     (1u << 10)
#define EFLAGS_RF     (1u << 16)
#define NSEC_PER_USEC 1000ull
#define WAIT_STEP_MS  1000u /* sigtimedwait sleeps at most this long between looks */
#define SIGNAL_CAUGHT 2u    /* handler values 0 and 1 are SIG_DFL and SIG_IGN */

static uint64_t sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

/* The lowest signal in the non-empty set @set (no libgcc: two 32-bit halves). */
static int lowest_signal(uint64_t set)
{
	uint32_t lo = (uint32_t)set, hi = (uint32_t)(set >> 32);

	return lo ? __builtin_ctz(lo) + 1 : __builtin_ctz(hi) + 33;
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

/* Default action: does @sig end the process? (SIGCHLD & co. are ignored; stops too: no job
 * control, a stop signal is accepted and ignored.) */
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

bool signal_ignored(const struct proc *p, int sig)
{
	uint32_t h = p->sig_action[sig].handler;

	if (sig == SIGKILL)
		return false;
	if (h == SIG_IGN_HANDLER)
		return true;
	return h == SIG_DFL_HANDLER && !sig_default_fatal(sig);
}

/* Every signal pending for @p, the process's and the thread's. */
static uint64_t all_pending(const struct proc *p)
{
	return p->sig_pending;
}

uint64_t signal_deliverable(const struct proc *p)
{
	return all_pending(p) & ~(p->sigmask & ~SIG_UNBLOCKABLE_MASK);
}

/* Take pending @sig off @p (the thread's instance first) with its siginfo. Interrupts off. */
static struct ksiginfo dequeue(struct proc *p, int sig)
{
	struct ksiginfo info;

	if (p->sig_pending_thread & sig_bit(sig)) {
		p->sig_pending_thread &= ~sig_bit(sig);
		info = p->sig_info_thread[sig];
	} else {
		p->sig_pending_proc &= ~sig_bit(sig);
		info = p->sig_info[sig];
	}
	p->sig_pending = p->sig_pending_proc | p->sig_pending_thread;
	return info;
}

/* Forget every pending instance of @sig. Interrupts off. */
static void discard(struct proc *p, int sig)
{
	p->sig_pending &= ~sig_bit(sig);
	p->sig_pending_proc &= ~sig_bit(sig);
	p->sig_pending_thread &= ~sig_bit(sig);
}

/* signal_send into the set @pending with its siginfo array @infos. Interrupts off. */
static void queue(struct proc *p, int sig, const struct ksiginfo *info, uint64_t *pending,
                  struct ksiginfo *infos)
{
	static const struct ksiginfo kernel_info = { .code = SI_KERNEL };

	if (p->state != PROC_RUNNING)
		return;
	if (!(p->sigmask & sig_bit(sig) & ~SIG_UNBLOCKABLE_MASK) &&
	    !(p->sig_waitset & sig_bit(sig)) && signal_ignored(p, sig))
		return;
	if (!(*pending & sig_bit(sig))) /* merged: the first instance's info is kept */
		infos[sig] = info ? *info : kernel_info;
	*pending |= sig_bit(sig);
	p->sig_pending |= sig_bit(sig);
	if (((signal_deliverable(p) | p->sig_waitset) & sig_bit(sig)) && p->task != task_current())
		task_wake(p->task);
}

void signal_send(struct proc *p, int sig, const struct ksiginfo *info)
{
	queue(p, sig, info, &p->sig_pending_proc, p->sig_info);
}

void signal_send_thread(struct proc *p, int sig, const struct ksiginfo *info)
{
	queue(p, sig, info, &p->sig_pending_thread, p->sig_info_thread);
}

bool proc_signal_pending(void)
{
	struct proc *p = proc_current();

	return p && signal_deliverable(p);
}

int proc_sigmask(int how, const uint64_t *set, uint64_t *old)
{
	struct proc *p = proc_current();
	uint32_t flags = irq_save();
	uint64_t m = p->sigmask;

	if (old)
		*old = m;
	if (set) {
		if (how == SIG_BLOCK)
			m |= *set;
		else if (how == SIG_UNBLOCK)
			m &= ~*set;
		else if (how == SIG_SETMASK)
			m = *set;
		else {
			irq_restore(flags);
			return -EINVAL;
		}
		p->sigmask = m & ~SIG_UNBLOCKABLE_MASK;
	}
	irq_restore(flags);
	return 0;
}

uint64_t proc_sigpending(void)
{
	struct proc *p = proc_current();

	return all_pending(p) & p->sigmask;
}

int proc_sigaction(int sig, const struct sig_action *act, struct sig_action *old)
{
	struct proc *p = proc_current();
	uint32_t flags;

	if (sig < 1 || sig > NSIG_LINUX || (act && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	flags = irq_save();
	if (old)
		*old = p->sig_action[sig];
	if (act) {
		p->sig_action[sig] = *act;
		p->sig_action[sig].mask &= ~SIG_UNBLOCKABLE_MASK;
		/* POSIX: setting a pending signal's action to ignore discards it. */
		if (signal_ignored(p, sig))
			discard(p, sig);
	}
	irq_restore(flags);
	return 0;
}

int proc_pause(void)
{
	struct proc *p = proc_current();
	uint32_t flags = irq_save();

	while (!signal_deliverable(p))
		wait_queue_sleep(&p->signal_wq);
	irq_restore(flags);
	return -EINTR;
}

void signal_restore_mask_later(uint64_t old)
{
	struct proc *p = proc_current();
	uint32_t flags = irq_save();

	p->saved_mask = old & ~SIG_UNBLOCKABLE_MASK;
	p->restore_mask = true;
	irq_restore(flags);
}

int signal_suspend(uint64_t mask)
{
	struct proc *p = proc_current();
	uint32_t flags = irq_save();

	p->saved_mask = p->sigmask;
	p->restore_mask = true;
	p->sigmask = mask & ~SIG_UNBLOCKABLE_MASK;
	while (!signal_deliverable(p))
		wait_queue_sleep(&p->signal_wq);
	irq_restore(flags);
	return -EINTR;
}

int signal_timedwait(uint64_t set, struct ksiginfo *info, uint64_t timeout_ns)
{
	struct proc *p = proc_current();
	uint64_t start = timer_uptime_us();
	int rc;

	set &= ~SIG_UNBLOCKABLE_MASK;
	for (;;) {
		uint32_t flags = irq_save();
		uint64_t ready = all_pending(p) & set;

		if (ready) {
			int sig = lowest_signal(ready);
			*info = dequeue(p, sig);
			p->sig_waitset = 0;
			irq_restore(flags);
			return sig;
		}
		uint64_t waited_ns = (timer_uptime_us() - start) * NSEC_PER_USEC;
		if (signal_deliverable(p) || waited_ns >= timeout_ns) {
			rc = signal_deliverable(p) ? -EINTR : -EAGAIN;
			p->sig_waitset = 0;
			irq_restore(flags);
			return rc;
		}
		p->sig_waitset = set; /* signal_send wakes us for these, blocked or not */
		uint64_t left_ms = (timeout_ns - waited_ns + 999999u) / 1000000u;
		/* Still masked: a signal sent after the look above finds us asleep and wakes us. */
		task_sleep(left_ms < WAIT_STEP_MS ? (uint32_t)left_ms : WAIT_STEP_MS);
		irq_restore(flags);
	}
}

bool signal_on_altstack(const struct proc *p, uint32_t sp)
{
	if (p->sas_flags & SS_AUTODISARM)
		return false;
	return sp > p->sas_sp && sp - p->sas_sp <= p->sas_size;
}

int signal_altstack(const struct user_stack *ss, struct user_stack *old, uint32_t sp)
{
	struct proc *p = proc_current();

	if (old) {
		old->ss_sp = p->sas_sp;
		old->ss_size = p->sas_size;
		old->ss_flags = (int32_t)((!p->sas_size                ? SS_DISABLE
		                           : signal_on_altstack(p, sp) ? SS_ONSTACK
		                                                       : 0) |
		                          (p->sas_flags & SS_AUTODISARM));
	}
	if (ss) {
		uint32_t mode = (uint32_t)ss->ss_flags & ~SS_AUTODISARM;
		uint32_t base = ss->ss_sp, size = ss->ss_size;

		if (signal_on_altstack(p, sp))
			return -EPERM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			base = 0;
			size = 0;
		} else if (size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		p->sas_sp = base;
		p->sas_size = size;
		p->sas_flags = (uint32_t)ss->ss_flags;
	}
	return 0;
}

/* Was the system call in @tf (orig eax in tf->error) one Linux restarts under SA_RESTART? */
static bool restartable(const struct trap_frame *tf)
{
	for (unsigned i = 0; i < ARRAY_SIZE(restart_calls); i++)
		if (tf->error == restart_calls[i])
			return true;
	return false;
}

/* A handler with @flags is about to run after a system call that may have been interrupted:
 * restart it (SA_RESTART and a restartable call) or let it return -EINTR. */
static void syscall_interrupted(struct trap_frame *tf, uint32_t flags)
{
	if (tf->vector != T_SYSCALL || tf->eax != (uint32_t)-EINTR)
		return;
	if ((flags & SA_RESTART) && restartable(tf)) {
		tf->eax = tf->error;
		tf->eip -= INT80_BYTES;
	}
	tf->error = (uint32_t)-1; /* once: the frames stacked after this one see no call */
}

/* The frame for @sig could not be written: report, end the process with SIGSEGV. */
static __noreturn void frame_failed(struct proc *p, struct trap_frame *tf, int sig)
{
	pr_info("user: pid %d (%s): SIGSEGV ip 0x%08x (cannot write the frame for %s at esp "
	        "0x%08x)\n",
	        p->pid, p->comm, tf->eip, signal_name(sig), tf->user_esp);
	proc_exit(W_SIGNALED(SIGSEGV));
}

/*
 * Run @sig's handler: build the frame (the mask to restore is rt_sigsuspend's when it is
 * waiting), then block sa_mask and the signal itself (not with SA_NODEFER); SA_RESETHAND
 * makes the action SIG_DFL again.
 */
static void handle(struct proc *p, struct trap_frame *tf, int sig, const struct ksiginfo *info,
                   const struct sig_action *act)
{
	uint64_t oldmask = p->restore_mask ? p->saved_mask : p->sigmask;
	uint32_t flags;

	syscall_interrupted(tf, act->flags);
	if (sigframe_setup(p, tf, sig, info, act->handler, act->flags, act->restorer, oldmask) < 0)
		frame_failed(p, tf, sig);
	tf->eflags &= ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	flags = irq_save();
	if (p->restore_mask) {
		p->sigmask = p->saved_mask;
		p->restore_mask = false;
	}
	p->sigmask |= act->mask;
	if (!(act->flags & SA_NODEFER))
		p->sigmask |= sig_bit(sig);
	p->sigmask &= ~SIG_UNBLOCKABLE_MASK;
	if (act->flags & SA_RESETHAND)
		p->sig_action[sig] = (struct sig_action){ SIG_DFL_HANDLER, 0, 0, 0 };
	irq_restore(flags);
}

/* The delivery loop of signal_deliver, out of line: the fast path saves no registers. */
static __attribute__((noinline)) void deliver_pending(struct proc *p, struct trap_frame *tf)
{
	for (;;) {
		uint32_t flags = irq_save();
		uint64_t ready = signal_deliverable(p);
		struct ksiginfo info;
		struct sig_action act;

		if (!ready) {
			if (p->restore_mask) { /* nothing ran a handler: the old mask is back */
				p->sigmask = p->saved_mask;
				p->restore_mask = false;
			}
			irq_restore(flags);
			return;
		}
		int sig = lowest_signal(ready);
		info = dequeue(p, sig);
		act = p->sig_action[sig];
		irq_restore(flags);
		if (sig == SIGKILL || act.handler == SIG_DFL_HANDLER) {
			if (sig_default_fatal(sig))
				proc_exit(W_SIGNALED(sig));
			continue;
		}
		if (act.handler == SIG_IGN_HANDLER)
			continue;
		handle(p, tf, sig, &info, &act);
	}
}

void signal_deliver(struct trap_frame *tf)
{
	struct proc *p = task_current()->proc; /* proc_current(), one call fewer */

	/*
	 * The fast path of every system call: nothing pending, nothing to do. Read without
	 * masking interrupts: a signal sent after this test is acted on at the next return to
	 * user mode (the next system call or interrupt, within one tick), as a signal sent a
	 * moment later would be.
	 */
	if (likely(!p || !all_pending(p)))
		return;
	deliver_pending(p, tf);
}

bool signal_fault(struct trap_frame *tf, int sig, int code, uint32_t addr)
{
	struct proc *p = proc_current();
	struct ksiginfo info = { .code = code, .addr = addr };
	uint32_t flags = irq_save();
	uint32_t h = p->sig_action[sig].handler;
	bool caught = h >= SIGNAL_CAUGHT && !(p->sigmask & sig_bit(sig));

	/* Linux's force_sig: a blocked or ignored fault signal is not caught, it kills. */
	if (caught) {
		p->sig_info_thread[sig] = info; /* Linux's force_sig: the thread's own */
		p->sig_pending_thread |= sig_bit(sig);
		p->sig_pending |= sig_bit(sig);
		p->fault_trapno = tf->vector;
		p->fault_error = tf->error;
		p->fault_cr2 = tf->vector == T_PGFLT ? addr : 0;
	}
	irq_restore(flags);
	if (caught)
		signal_deliver(tf);
	return caught;
}
