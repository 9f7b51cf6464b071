/*
 * signal: Linux i386 signals — sending, masks, actions, delivery to user handlers on Linux's
 * i386 signal frames, sigreturn/rt_sigreturn, sigaltstack (sched/signal.c: state, sending,
 * the delivery loop; sched/signal_frame.c: the frames and the FPU image in them).
 *
 * State (in struct proc, include/sched/proc.h; changed with interrupts off, one CPU):
 *   sig_pending    one bit per signal sent and not yet acted on (bit sig - 1): always
 *                  sig_pending_proc | sig_pending_thread (the return to user mode reads
 *                  this one word pair only)
 *   sig_pending_proc, sig_pending_thread  the signals sent to the process (kill) and to its
 *                  thread (tkill, tgkill, faults): as Linux's shared and private pending
 *                  sets, each merges a second instance (real-time ones too: no queue) but
 *                  not with the other, so raise() and kill() of one signal both run its
 *                  handler; the thread's instance is taken first
 *   sig_info[sig], sig_info_thread[sig]  the siginfo of each pending instance
 *   sigmask        blocked signals (never SIGKILL/SIGSTOP)
 *   sig_action[]   rt_sigaction's actions
 *   sas_*          the alternate signal stack (sigaltstack)
 *   saved_mask     rt_sigsuspend's mask to restore once a handler frame is built
 *
 * Delivery (signal_deliver, the return-to-user hook after every system call, interrupt and
 * resolved fault): the deliverable signals (pending and not blocked) are taken lowest number
 * first. SIG_IGN or a default of ignore: discarded. A default of terminate: the process ends
 * with that signal. A handler: a frame is built on the user stack (or the alternate stack with
 * SA_ONSTACK) and the trap frame is rewritten to enter the handler; the mask then gains
 * sa_mask and the signal itself (unless SA_NODEFER), and SA_RESETHAND resets the action.
 * Several deliverable signals stack several frames (the last one's handler runs first), as on
 * Linux. A frame that cannot be written ends the process with SIGSEGV and a report line.
 *
 * Frames, as Linux 6.1's ia32 ones (arch/x86/kernel/signal.c):
 *   without SA_SIGINFO  struct sigframe: pretcode, sig, sigcontext, an unused _fpstate,
 *                       extramask (mask bits 32..63), retcode (popl %eax; movl $119,%eax;
 *                       int $0x80); the handler gets eax = sig, edx = ecx = 0
 *   with SA_SIGINFO     struct rt_sigframe: pretcode, sig, pinfo, puc, siginfo (128 bytes),
 *                       ucontext (flags, link, uc_stack, uc_mcontext = sigcontext, uc_sigmask),
 *                       retcode (movl $173,%eax; int $0x80); eax = sig, edx = pinfo, ecx = puc
 *   above either        the FPU state: a 64-byte aligned 512-byte FXSAVE image with Linux's
 *                       112-byte legacy _fpstate header (env, st registers, status, magic
 *                       0x0000 = FXSR) just below it; sigcontext.fpstate points at the header
 *   the frame's start   esp such that esp + 4 is 16-byte aligned (as after a call)
 *   pretcode            sa_restorer with SA_RESTORER (glibc always sets it), else the frame's
 *                       own retcode (Strata has no vDSO; the stack is executable)
 * The handler starts with DF, TF and RF clear, the user code and data selectors, and a fresh
 * FPU state (control word 0x037f, MXCSR 0x1f80).
 *
 * sigreturn (119; esp - 8 is the frame) and rt_sigreturn (173; esp - 4): restore the mask,
 * every general register, the segment selectors, eflags' user bits only (AC OF DF TF SF ZF AF
 * PF CF RF), the FPU state (MXCSR's reserved bits cleared) and, for rt, the alternate stack.
 * A frame that cannot be read, or with a code/stack selector other than the user ones or a
 * data selector that is not null and not RPL 3: SIGSEGV (the process ends with it unless it
 * handles it), never a kernel fault.
 *
 * Interrupted system calls: a sleep ended by a signal returns -EINTR; when a handler is then
 * run, the calls Linux restarts with -ERESTARTSYS (read, write, readv, writev, wait4, waitpid,
 * ioctl, open, openat, pread64, pwrite64, sendfile) are restarted if the action has
 * SA_RESTART (eip back over the int 0x80, eax the call number again); every other one
 * (nanosleep, pause, rt_sigsuspend, poll, select, ...) returns -EINTR, as on Linux.
 */
#ifndef STRATA_SCHED_SIGNAL_H
#define STRATA_SCHED_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "x86/trap.h"

struct proc;

/* sigaction flags (Linux i386). */
#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO   0x00000004u
#define SA_RESTORER  0x04000000u
#define SA_ONSTACK   0x08000000u
#define SA_RESTART   0x10000000u
#define SA_NODEFER   0x40000000u
#define SA_RESETHAND 0x80000000u

/* si_code values. */
#define SI_USER     0
#define SI_KERNEL   0x80
#define SI_TKILL    (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN  1
#define BUS_ADRERR  2
#define FPE_INTDIV  1
#define FPE_FLTDIV  3
#define FPE_FLTINV  7
#define ILL_ILLOPN  2
#define TRAP_BRKPT  1
#define CLD_EXITED  1
#define CLD_KILLED  2
#define CLD_DUMPED  3

/* sigaltstack. */
#define SS_ONSTACK    1u
#define SS_DISABLE    2u
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048u

/* What the kernel keeps of a pending signal's siginfo (the user's is 128 bytes; si_uid is
 * always 0: Strata has one user). */
struct ksiginfo {
	int16_t code; /* si_code: SI_USER, SI_TKILL, SI_KERNEL, SEGV_*, CLD_*, ... */
	uint16_t pid; /* sender (SI_USER, SI_TKILL) or child (SIGCHLD): < PID_MAX */
	union {
		uint32_t addr;  /* faults: si_addr */
		int32_t status; /* SIGCHLD: exit code or signal */
	};
};
_Static_assert(sizeof(struct ksiginfo) == 8, "two arrays of them in struct proc");

/* stack_t on i386 (sigaltstack, uc_stack): 12 bytes. */
struct user_stack {
	uint32_t ss_sp;
	int32_t ss_flags;
	uint32_t ss_size;
};

/*
 * Make @sig (1..64) pending for the live process @p with @info (NULL: SI_KERNEL), as Linux's
 * send_signal: an ignored signal that is not blocked is discarded; a blocked one is kept (its
 * action is looked at when it is unblocked). A deliverable signal wakes @p from an
 * interruptible sleep. Interrupts off.
 */
void signal_send(struct proc *p, int sig, const struct ksiginfo *info);

/* As signal_send, to the thread's own pending set (tkill, tgkill). */
void signal_send_thread(struct proc *p, int sig, const struct ksiginfo *info);

/* Pending signals @p would act on now (not blocked). Interrupts off. */
uint64_t signal_deliverable(const struct proc *p);

/* Is @sig ignored by @p now (SIG_IGN, or SIG_DFL whose default is to ignore)? */
bool signal_ignored(const struct proc *p, int sig);

/* The return-to-user hook: act on the deliverable signals (see above). May not return. */
void signal_deliver(struct trap_frame *tf);

/*
 * A user exception (@sig with @code and @addr) the process may handle: when @sig has a handler
 * and is not blocked, it is delivered now (the trap frame enters the handler) and true is
 * returned; otherwise false (the caller kills the process with its report). Records the
 * trap number, error code and CR2 for the sigcontext.
 */
bool signal_fault(struct trap_frame *tf, int sig, int code, uint32_t addr);

/*
 * ppoll/pselect6 ended by a signal (-EINTR) with a temporary mask in place: keep it until the
 * handler's frame is built, then restore @old (as rt_sigsuspend's saved mask; Linux's
 * restore_saved_sigmask_unless). With no handler to run, @old comes back at the return to
 * user mode. Never fails.
 */
void signal_restore_mask_later(uint64_t old);

/* rt_sigsuspend: block @mask instead (SIGKILL/SIGSTOP never) until a signal is delivered;
 * the old mask comes back when the handler's frame is built. Returns -EINTR. */
int signal_suspend(uint64_t mask);

/*
 * rt_sigtimedwait: take a pending signal of @set (blocked or not), waiting up to @timeout_ns
 * (UINT64_MAX: for ever). Returns the signal with its siginfo in *@info, -EAGAIN at the
 * timeout, -EINTR when another signal is deliverable first.
 */
int signal_timedwait(uint64_t set, struct ksiginfo *info, uint64_t timeout_ns);

/* sigaltstack for the current process at user esp @sp: see Linux's do_sigaltstack.
 * Returns 0, -EPERM (on the alternate stack now), -EINVAL (flags), -ENOMEM (too small). */
int signal_altstack(const struct user_stack *ss, struct user_stack *old, uint32_t sp);

/* Is user esp @sp on @p's alternate stack (Linux's on_sig_stack; never with SS_AUTODISARM)? */
bool signal_on_altstack(const struct proc *p, uint32_t sp);

/* ---- sched/signal_frame.c ------------------------------------------------------------- */

/*
 * Build @sig's frame for the current process @p on its user stack and point @tf at the
 * handler of @act; @oldmask is the mask to restore at the return. 0, or -EFAULT (nothing
 * could be written: the caller ends the process).
 */
int sigframe_setup(struct proc *p, struct trap_frame *tf, int sig, const struct ksiginfo *info,
                   uint32_t handler, uint32_t flags, uint32_t restorer, uint64_t oldmask);

/* sigreturn (@rt false) / rt_sigreturn (@rt true) from the syscall frame @tf: restore what
 * the frame saved. Returns the restored eax, or -EFAULT after SIGSEGV was sent (bad frame). */
long sigframe_return(struct trap_frame *tf, bool rt);

/* Fill the user's 128-byte siginfo @out for @sig from @info. */
void siginfo_to_user_layout(uint8_t out[128], int sig, const struct ksiginfo *info);

#endif
