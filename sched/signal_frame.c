/*
 * signal_frame: Linux's i386 signal frames — building one on the user stack before a handler
 * runs, and sigreturn/rt_sigreturn reading it back (layout and rules in
 * include/sched/signal.h; Linux 6.1's arch/x86/kernel/signal.c and fpu/signal.c).
 *
 * Every frame is assembled in kernel memory and written with one copy per piece (frame, FPU
 * state); a piece that cannot be written fails the whole delivery (-EFAULT). sigreturn reads
 * the frame back into kernel memory and checks it before the trap frame is touched.
 */
#include "sched/signal.h"

#include <stddef.h>

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/vdso.h"
#include "x86/cpu.h"
#include "x86/fpu.h"
#include "x86/gdt.h"

/* struct sigcontext_32 (uapi asm/sigcontext.h): 88 bytes. */
struct sigcontext32 {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t trapno, err, eip, cs, eflags, esp_at_signal, ss;
	uint32_t fpstate; /* user address of the _fpstate_32, or 0 */
	uint32_t oldmask; /* mask bits 0..31 to restore */
	uint32_t cr2;
};

/* struct ucontext_ia32: 116 bytes (i386 aligns uint64_t to 4: no padding, asserted below). */
struct ucontext32 {
	uint32_t uc_flags;
	uint32_t uc_link;
	struct user_stack uc_stack;
	struct sigcontext32 uc_mcontext;
	uint64_t uc_sigmask;
};

#define FPSTATE32_SIZE 624u /* struct _fpstate_32: the legacy part + the FXSAVE image */
#define SIGINFO_SIZE   128u
#define RETCODE_SIZE   8u

/* struct sigframe_ia32: 732 bytes. */
struct sigframe32 {
	uint32_t pretcode;
	int32_t sig;
	struct sigcontext32 sc;
	uint8_t fpstate_unused[FPSTATE32_SIZE]; /* kept for the offset of extramask (Linux) */
	uint32_t extramask;                     /* mask bits 32..63 */
	uint8_t retcode[RETCODE_SIZE];
};

/* struct rt_sigframe_ia32: 268 bytes. */
struct rt_sigframe32 {
	uint32_t pretcode;
	int32_t sig;
	uint32_t pinfo;
	uint32_t puc;
	uint8_t info[SIGINFO_SIZE];
	struct ucontext32 uc;
	uint8_t retcode[RETCODE_SIZE];
};

_Static_assert(sizeof(struct sigcontext32) == 88, "sigcontext_32");
_Static_assert(sizeof(struct ucontext32) == 116, "ucontext_ia32");
_Static_assert(sizeof(struct sigframe32) == 732, "sigframe_ia32");
_Static_assert(sizeof(struct rt_sigframe32) == 268, "rt_sigframe_ia32");

/* popl %eax; movl $119, %eax; int $0x80 — and movl $173, %eax; int $0x80 (Linux's retcode,
 * which gdb recognises; the return address only without SA_RESTORER and without a vDSO). */
static const uint8_t retcode_sigreturn[RETCODE_SIZE] = { 0x58, 0xB8, 119, 0, 0, 0, 0xCD, 0x80 };
static const uint8_t retcode_rt[RETCODE_SIZE] = { 0xB8, 173, 0, 0, 0, 0xCD, 0x80, 0 };

#define FX_ALIGN        64u /* Linux rounds the math frame down to 64 bytes */
#define FRAME_ALIGN     16u /* esp + 4 is 16-aligned at handler entry */
#define SEL_MASK        0xFFFFu
#define SEL_TI          4u          /* a local descriptor table selector: Strata has no LDT */
#define FIX_EFLAGS      0x00050DD5u /* AC RF OF DF TF SF ZF AF PF CF: what sigreturn may set */
#define SIGINFO_ERRNO   4u
#define SIGINFO_CODE    8u
#define SIGINFO_PID     12u
#define SIGINFO_ADDR    12u
#define SIGINFO_STATUS  20u
#define EXTRAMASK_SHIFT 32
#define MASK_LOW        0xFFFFFFFFu

void siginfo_to_user_layout(uint8_t out[SIGINFO_SIZE], int sig, const struct ksiginfo *info)
{
	int32_t code = info->code, pid = info->pid;

	memset(out, 0, SIGINFO_SIZE);
	memcpy(out, &sig, sizeof(sig));
	memcpy(out + SIGINFO_CODE, &code, sizeof(code));
	if (sig == SIGCHLD && code > 0) {
		memcpy(out + SIGINFO_PID, &pid, sizeof(pid));
		memcpy(out + SIGINFO_STATUS, &info->status, sizeof(info->status));
	} else if (code > 0 && code != SI_KERNEL) { /* a fault: si_addr */
		memcpy(out + SIGINFO_ADDR, &info->addr, sizeof(info->addr));
	} else if (code <= 0) { /* SI_USER, SI_TKILL, SI_QUEUE...: the sender */
		memcpy(out + SIGINFO_PID, &pid, sizeof(pid)); /* si_uid stays 0 */
	}
}

/*
 * FXSAVE/FXRSTOR need a 16-byte aligned image and the kernel stack is only 4-byte aligned:
 * the images pass through this buffer, used with interrupts off only (one CPU), so no two
 * deliveries share it.
 */
static struct fpu_state fpu_scratch;

/* The live FPU registers (the interrupted program's) into @image. */
static void fpu_read_live(uint8_t image[FPU_STATE_SIZE])
{
	uint32_t flags = irq_save();

	memset(&fpu_scratch, 0, sizeof(fpu_scratch)); /* software-reserved bytes zero: no xstate */
	fpu_save(&fpu_scratch);
	if (!fpu_has_fxsr())
		fpu_restore(&fpu_scratch); /* FNSAVE reinitialised the unit */
	memcpy(image, fpu_scratch.image, FPU_STATE_SIZE);
	irq_restore(flags);
}

/* Load @image into the FPU registers (they are the running program's from now on). */
static void fpu_load_live(const uint8_t image[FPU_STATE_SIZE])
{
	uint32_t flags = irq_save();

	memcpy(fpu_scratch.image, image, FPU_STATE_SIZE);
	fpu_restore(&fpu_scratch);
	irq_restore(flags);
}

/*
 * The FPU state of the interrupted code into the math frame at @math (user), in Linux's
 * _fpstate_32 form: the legacy environment at @math and, with FXSR, the FXSAVE image at
 * @math + 112 (64-byte aligned). 0 or -EFAULT.
 */
static int save_fpu(uint32_t math)
{
	uint8_t image[FPU_STATE_SIZE];
	uint8_t env[FPU_LEGACY_SIZE];

	fpu_read_live(image);
	if (!fpu_has_fxsr()) {
		uint16_t swd, magic = FPU_MAGIC_FSAVE;
		memcpy(env, image, FPU_FNSAVE_SIZE);
		memcpy(&swd, image + 4, sizeof(swd));
		memcpy(env + FPU_FNSAVE_SIZE, &swd, sizeof(swd));
		memcpy(env + FPU_FNSAVE_SIZE + 2, &magic, sizeof(magic));
		return copy_to_user((void *)math, env, sizeof(env));
	}
	fpu_fxsr_to_legacy(image, env);
	if (copy_to_user((void *)math, env, sizeof(env)) < 0)
		return -EFAULT;
	return copy_to_user((void *)(math + FPU_LEGACY_SIZE), image, sizeof(image));
}

/* The handler starts with the state a new program has (Linux's fpu__clear_user_states). */
static void fresh_fpu(void)
{
	uint32_t flags = irq_save();

	fpu_state_fresh(&fpu_scratch);
	fpu_restore(&fpu_scratch);
	irq_restore(flags);
}

/* Bytes of FPU state below the frame, and where it starts for a stack ending at @sp. */
static uint32_t math_frame(uint32_t sp)
{
	if (fpu_has_fxsr())
		return ((sp - FPU_STATE_SIZE) & ~(FX_ALIGN - 1)) - FPU_LEGACY_SIZE;
	return (sp - FPU_LEGACY_SIZE) & ~(FX_ALIGN - 1);
}

static bool within_altstack(const struct proc *p, uint32_t sp)
{
	return sp > p->sas_sp && sp - p->sas_sp <= p->sas_size;
}

/*
 * Where the frame of @size bytes goes (Linux's get_sigframe): the user stack, or the top of
 * the alternate stack with SA_ONSTACK when it is set up and not in use; the FPU state above
 * the frame. 0 when the frame would overflow the alternate stack.
 */
static uint32_t frame_address(struct proc *p, uint32_t sp, uint32_t flags, uint32_t size,
                              uint32_t *math)
{
	bool nested = signal_on_altstack(p, sp), entering = false;

	if ((flags & SA_ONSTACK) && p->sas_size && !nested) {
		sp = p->sas_sp + p->sas_size;
		entering = true;
	}
	*math = math_frame(sp);
	sp = ((*math - size + 4) & ~(FRAME_ALIGN - 1)) - 4;
	if ((nested || entering) && !within_altstack(p, sp))
		return 0;
	return sp;
}

/*
 * sigcontext and the trap frame keep gs fs es ds, then edi esi ebp esp ebx edx ecx eax, in the
 * same order (the trap frame's esp slot is pusha's, unused by popa): copied as two runs.
 */
#define SEG_WORDS  4u
#define GREG_WORDS 8u
_Static_assert(offsetof(struct sigcontext32, edi) == SEG_WORDS * 4 &&
                   offsetof(struct trap_frame, edi) == SEG_WORDS * 4 &&
                   offsetof(struct sigcontext32, eax) == offsetof(struct trap_frame, eax),
               "sigcontext and trap frame register order");

/* Copy the selectors (16 bits each) and general registers from @src to @dst words. */
static void copy_regs(uint32_t *dst, const uint32_t *src)
{
	for (unsigned i = 0; i < SEG_WORDS; i++)
		dst[i] = src[i] & SEL_MASK;
	memcpy(dst + SEG_WORDS, src + SEG_WORDS, GREG_WORDS * sizeof(uint32_t));
}

static void sigcontext_fill(struct sigcontext32 *sc, const struct proc *p,
                            const struct trap_frame *tf, uint32_t math, uint64_t mask)
{
	copy_regs(&sc->gs, &tf->gs);
	sc->esp = tf->user_esp;
	sc->trapno = p->fault_trapno;
	sc->err = p->fault_error;
	sc->eip = tf->eip;
	sc->cs = tf->cs & SEL_MASK;
	sc->eflags = tf->eflags;
	sc->esp_at_signal = tf->user_esp;
	sc->ss = tf->user_ss & SEL_MASK;
	sc->fpstate = math;
	sc->oldmask = (uint32_t)(mask & MASK_LOW);
	sc->cr2 = p->fault_cr2;
}

/*
 * Where the handler returns (Linux's order): sa_restorer with SA_RESTORER, else the vDSO's
 * trampoline @sym while the process has its vDSO, else @retcode, the frame's own copy of it.
 */
static uint32_t return_address(struct proc *p, uint32_t flags, uint32_t restorer, enum vdso_sym sym,
                               uint32_t retcode)
{
	uint32_t va;

	if (flags & SA_RESTORER)
		return restorer;
	va = p->vm ? vdso_sym_addr(p->vm, sym) : 0;
	return va ? va : retcode;
}

int sigframe_setup(struct proc *p, struct trap_frame *tf, int sig, const struct ksiginfo *info,
                   uint32_t handler, uint32_t flags, uint32_t restorer, uint64_t oldmask)
{
	bool rt = flags & SA_SIGINFO;
	uint32_t math, frame;
	uint32_t sp = tf->user_esp;

	frame = frame_address(p, sp, flags,
	                      rt ? sizeof(struct rt_sigframe32) : sizeof(struct sigframe32), &math);
	if (!frame || save_fpu(math) < 0)
		return -EFAULT;
	if (rt) {
		struct rt_sigframe32 f;
		memset(&f, 0, sizeof(f));
		f.sig = sig;
		f.pinfo = frame + offsetof(struct rt_sigframe32, info);
		f.puc = frame + offsetof(struct rt_sigframe32, uc);
		siginfo_to_user_layout(f.info, sig, info);
		f.uc.uc_stack.ss_sp = p->sas_sp;
		f.uc.uc_stack.ss_size = p->sas_size;
		f.uc.uc_stack.ss_flags = (int32_t)((!p->sas_size                ? SS_DISABLE
		                                    : signal_on_altstack(p, sp) ? SS_ONSTACK
		                                                                : 0) |
		                                   (p->sas_flags & SS_AUTODISARM));
		sigcontext_fill(&f.uc.uc_mcontext, p, tf, math, oldmask);
		f.uc.uc_sigmask = oldmask;
		memcpy(f.retcode, retcode_rt, sizeof(f.retcode));
		f.pretcode = return_address(p, flags, restorer, VDSO_SYM_RT_SIGRETURN,
		                            frame + offsetof(struct rt_sigframe32, retcode));
		if (copy_to_user((void *)frame, &f, sizeof(f)) < 0)
			return -EFAULT;
		tf->edx = f.pinfo;
		tf->ecx = f.puc;
		if (p->sas_flags & SS_AUTODISARM) { /* Linux's sas_ss_reset */
			p->sas_sp = 0;
			p->sas_size = 0;
			p->sas_flags = SS_DISABLE;
		}
	} else {
		struct sigframe32 f;
		memset(&f, 0, sizeof(f));
		f.sig = sig;
		sigcontext_fill(&f.sc, p, tf, math, oldmask);
		f.extramask = (uint32_t)(oldmask >> EXTRAMASK_SHIFT);
		memcpy(f.retcode, retcode_sigreturn, sizeof(f.retcode));
		f.pretcode = return_address(p, flags, restorer, VDSO_SYM_SIGRETURN,
		                            frame + offsetof(struct sigframe32, retcode));
		if (copy_to_user((void *)frame, &f, sizeof(f)) < 0)
			return -EFAULT;
		tf->edx = 0;
		tf->ecx = 0;
	}
	fresh_fpu();
	tf->user_esp = frame;
	tf->eip = handler;
	tf->eax = (uint32_t)sig;
	tf->ds = tf->es = tf->user_ss = SEL_UDATA;
	tf->cs = SEL_UCODE;
	return 0;
}

/* A data selector sigreturn may load: null, or an RPL 3 selector into the GDT (one that is not
 * usable is replaced by null when it is loaded: kernel/arch/isr.asm). */
static bool data_selector_ok(uint32_t sel)
{
	sel &= SEL_MASK;
	return sel <= SEL_RPL3 || ((sel & SEL_RPL3) == SEL_RPL3 && !(sel & SEL_TI));
}

/* Restore the FPU state from the user's _fpstate_32 at @fp (0: a fresh state). 0/-EFAULT. */
static int restore_fpu(uint32_t fp)
{
	uint8_t image[FPU_STATE_SIZE];
	uint8_t env[FPU_LEGACY_SIZE];
	uint32_t mxcsr;

	if (!fp) {
		fresh_fpu();
		return 0;
	}
	memset(image, 0, sizeof(image));
	if (!fpu_has_fxsr()) {
		if (copy_from_user(image, (const void *)fp, FPU_FNSAVE_SIZE) < 0)
			return -EFAULT;
	} else {
		if (copy_from_user(env, (const void *)fp, sizeof(env)) < 0 ||
		    copy_from_user(image, (const void *)(fp + FPU_LEGACY_SIZE), sizeof(image)) < 0)
			return -EFAULT;
		fpu_legacy_to_fxsr(env, image); /* the legacy part wins, as on Linux */
		memcpy(&mxcsr, image + FX_MXCSR_OFFSET, sizeof(mxcsr));
		mxcsr &= fpu_mxcsr_mask(); /* reserved bits would make FXRSTOR fault */
		memcpy(image + FX_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
	}
	fpu_load_live(image);
	return 0;
}

/* Load sigcontext @sc into @tf after checking its selectors. 0, or -EFAULT (bad frame). */
static int restore_sigcontext(struct trap_frame *tf, const struct sigcontext32 *sc)
{
	if (((sc->cs | SEL_RPL3) & SEL_MASK) != SEL_UCODE ||
	    ((sc->ss | SEL_RPL3) & SEL_MASK) != SEL_UDATA || !data_selector_ok(sc->ds) ||
	    !data_selector_ok(sc->es) || !data_selector_ok(sc->fs) || !data_selector_ok(sc->gs))
		return -EFAULT;
	if (restore_fpu(sc->fpstate) < 0)
		return -EFAULT;
	copy_regs(&tf->gs, &sc->gs); /* the esp slot is popa's, ignored */
	tf->user_esp = sc->esp;
	tf->eip = sc->eip;
	tf->cs = SEL_UCODE;
	tf->user_ss = SEL_UDATA;
	tf->eflags = (tf->eflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	tf->error = (uint32_t)-1; /* no system call to restart */
	return 0;
}

/* Set the mask sigreturn found (SIGKILL/SIGSTOP never blocked). */
static void set_mask(struct proc *p, uint64_t mask)
{
	uint32_t flags = irq_save();

	p->sigmask = mask & ~SIG_UNBLOCKABLE_MASK;
	irq_restore(flags);
}

/* A frame sigreturn could not use: SIGSEGV (to the handler, if one can take it). */
static long bad_frame(struct proc *p, struct trap_frame *tf, uint32_t frame, bool rt)
{
	if (!signal_fault(tf, SIGSEGV, SI_KERNEL, 0)) {
		pr_info("user: pid %d (%s): SIGSEGV ip 0x%08x (bad %s frame at 0x%08x)\n", p->pid,
		        p->comm, tf->eip, rt ? "rt_sigreturn" : "sigreturn", frame);
		proc_exit(W_SIGNALED(SIGSEGV));
	}
	return (long)tf->eax; /* the handler's entry registers */
}

long sigframe_return(struct trap_frame *tf, bool rt)
{
	struct proc *p = proc_current();

	if (rt) {
		struct rt_sigframe32 f;
		uint32_t frame = tf->user_esp - 4; /* the handler's ret popped pretcode */
		if (copy_from_user(&f, (const void *)frame, sizeof(f)) < 0)
			return bad_frame(p, tf, frame, rt);
		set_mask(p, f.uc.uc_sigmask);
		if (restore_sigcontext(tf, &f.uc.uc_mcontext) < 0)
			return bad_frame(p, tf, frame, rt);
		(void)signal_altstack(&f.uc.uc_stack, NULL,
		                      tf->user_esp); /* Linux: errors ignored */
	} else {
		struct sigframe32 f;
		uint32_t frame =
		    tf->user_esp - 8; /* ret popped pretcode, the restorer popped sig */
		if (copy_from_user(&f, (const void *)frame, sizeof(f)) < 0)
			return bad_frame(p, tf, frame, rt);
		set_mask(p, ((uint64_t)f.extramask << EXTRAMASK_SHIFT) | f.sc.oldmask);
		if (restore_sigcontext(tf, &f.sc) < 0)
			return bad_frame(p, tf, frame, rt);
	}
	return (long)tf->eax;
}
