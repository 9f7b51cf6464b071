/*
 * proc: user processes on the Linux i386 ABI (sched/proc.c, sched/exec.c).
 *
 * A process is one task (its kernel stack and scheduling) plus a struct proc: pid, parent
 * and children, name, the address space (include/mm/vm.h), the exit status, the recorded
 * signal state, and an opaque file table owned by the files layer. One task per process for
 * now: gettid() returns the pid (the task keeps its own tid for the scheduler, the owner
 * ledger and `ps`).
 *
 * Life cycle:
 *   proc_spawn (the kernel: init=, the monitor's run) or fork/clone/vfork (a process)
 *     -> RUNNING: the task runs in ring 3 and in the kernel on its behalf
 *     -> proc_exit (exit/exit_group, a fatal signal at the return to user mode, a user fault)
 *        closes the files, switches CR3 to the kernel's directory and frees the whole
 *        address space (pages, page tables, areas) right there, reparents its children to
 *        init (pid 1, if alive) or lets the kernel reap them, and becomes a ZOMBIE with the
 *        Linux wait status; its task exits and the reaper frees the kernel stack
 *     -> wait4 (the parent) / proc_wait_kernel (a kernel spawner) waits until the task is
 *        reaped too, so every byte the child held is back when it returns; it frees the
 *        struct proc. A process with no one to wait (orphan, no init) is freed by the kernel.
 *
 * Signals (include/sched/signal.h for the state, delivery, frames): kill/tkill/tgkill with
 * the default action of every signal: terminate for SIGHUP SIGINT SIGQUIT SIGILL SIGTRAP
 * SIGABRT SIGBUS SIGFPE SIGKILL SIGUSR1 SIGSEGV SIGUSR2 SIGPIPE SIGALRM SIGTERM and the rest up
 * to 31 and the real-time ones; ignore for SIGCHLD SIGCONT SIGURG SIGWINCH;
 * SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU are accepted and ignored (no job control). A handler runs on
 * Linux's i386 frame at the next return to user mode. A deliverable signal wakes the target
 * from an interruptible sleep (wait4, pause, read, nanosleep return early). init ignores
 * signals sent by processes unless it installed a handler (Linux's SIGNAL_UNKILLABLE); the
 * kernel (the monitor's kill) is obeyed. SIGCHLD to the parent is sent with si_pid and
 * si_status (and, by default, ignored).
 *
 * Parents: pid 1 is only ever the init process (init=). A process the kernel started (the
 * monitor's run, or init=) and an orphan have as parent "pid 1": init when it runs (wait4 in
 * init collects orphans), otherwise the kernel, which reaps orphans itself and, like an init
 * without handlers, takes every signal sent to pid 1 and ignores it. getppid says 1 for both
 * (0 only for init itself). Process groups and sessions: kernel-started processes are in
 * group and session 0 (as Linux's init), except those started with new_session (the
 * monitor's `run`: a session of their own, as after setsid); fork inherits;
 * setpgid/setsid/getpgid/getsid work as Linux's.
 *
 * Locking: the process list, parent/child links and states change with interrupts off (one
 * CPU). A struct proc is KM_KERNEL (never charged to a task: fork makes the child's in the
 * parent). Only the process itself touches its address space and file table.
 */
#ifndef STRATA_SCHED_PROC_H
#define STRATA_SCHED_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "sched/resource.h"
#include "sched/signal.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "x86/trap.h"

#define PROC_NAME_MAX TASK_NAME_MAX
#define PID_MAX       32768 /* pids wrap to 2 after this, as Linux's pid_max default */
#define NSIG_LINUX    64    /* signals 1..64 */

/* Signals (Linux i386 numbers). */
#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGILL   4
#define SIGTRAP  5
#define SIGABRT  6
#define SIGBUS   7
#define SIGFPE   8
#define SIGKILL  9
#define SIGUSR1  10
#define SIGSEGV  11
#define SIGUSR2  12
#define SIGPIPE  13
#define SIGALRM  14
#define SIGTERM  15
#define SIGCHLD  17
#define SIGCONT  18
#define SIGSTOP  19
#define SIGTSTP  20
#define SIGTTIN  21
#define SIGTTOU  22
#define SIGURG   23
#define SIGWINCH 28

/* wait status encoding (Linux): exit code in bits 8..15, or the signal in bits 0..6. */
#define W_CODE_SHIFT     8
#define W_CODE_MASK      0xFF
#define W_SIGNAL_MASK    0x7F
#define W_EXITCODE(code) (((code)&W_CODE_MASK) << W_CODE_SHIFT)
#define W_SIGNALED(sig)  ((sig)&W_SIGNAL_MASK)
#define WNOHANG          1u

#define SIG_DFL_HANDLER 0u
#define SIG_IGN_HANDLER 1u

/* rt_sigprocmask's @how; the signals no mask can hold (bit sig - 1). */
#define SIG_BLOCK            0
#define SIG_UNBLOCK          1
#define SIG_SETMASK          2
#define SIG_UNBLOCKABLE_MASK ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

enum proc_state {
	PROC_RUNNING, /* alive (running, runnable or blocked) */
	PROC_ZOMBIE,  /* exited; wait_status valid; address space gone */
};

struct vm_space;
struct proc;

/* A signal's action as rt_sigaction takes it on i386 (struct sigaction, 20 bytes). */
struct sig_action {
	uint32_t handler; /* SIG_DFL_HANDLER, SIG_IGN_HANDLER or a user address */
	uint32_t flags;   /* SA_* (recorded) */
	uint32_t restorer;
	uint64_t mask;
} __attribute__((packed));

/*
 * The file table hook for the files layer (include/fs/fdtable.h): a per-process opaque table
 * in struct proc.files, managed through these operations, which kernel/fs/fdtable.c
 * registers at boot (files_init).
 */
struct proc_files_ops {
	/* fork: give @child a table duplicating @parent's (file_get each). 0 or -ENOMEM. */
	int (*fork)(struct proc *child, const struct proc *parent);
	/* exec (after the point of no return): close the O_CLOEXEC descriptors. */
	void (*exec)(struct proc *p);
	/* exit: close every descriptor (file_put each) and free the table. */
	void (*exit)(struct proc *p);
};
void proc_set_files_ops(const struct proc_files_ops *ops);

/* exec's call into the files hook (close O_CLOEXEC descriptors); no-op without ops. */
void proc_files_exec(struct proc *p);

struct proc {
	int pid;
	enum proc_state state;
	char comm[PROC_NAME_MAX];  /* the program's base name (truncated) */
	struct proc *parent;       /* NULL: spawned by the kernel, or orphaned with no init */
	bool kernel_child;         /* spawned by the kernel: proc_wait_kernel collects it */
	struct list_head children; /* its children, through .sibling */
	struct list_head sibling;
	struct list_head all_link; /* the process list */
	struct task *task;         /* its one task */
	struct task_arch *arch;    /* FPU/TLS/CR3 of that task */
	struct vm_space *vm;       /* NULL once it has exited */
	int wait_status;           /* ZOMBIE: Linux wait status */
	int pgid, sid;   /* process group and session (0: the kernel's, as Linux's init) */
	bool did_exec;   /* has called execve since fork (setpgid's EACCES) */
	bool vm_busy;    /* exec is building a new space, or exit freeing the old one: frames are
	                  * mapped by a space p->vm does not name (the auditor waits) */
	bool fault_oom;  /* its last #PF found no memory (the fault report says so) */
	bool fault_bus;  /* its last #PF was past the end of a mapped file (SIGBUS) */
	bool in_fault;   /* resolving a #PF now (fault injection leaves it alone) */
	bool oom_victim; /* the OOM killer sent it SIGKILL (include/sched/oom.h) */
	int16_t oom_score_adj; /* -1000..1000 (include/mm/oom.h); inherited by fork, kept by exec */
	/* Signal state (include/sched/signal.h; interrupts off to change). */
	uint64_t sig_pending;        /* every signal sent and not yet acted on (bit sig - 1) */
	uint64_t sig_pending_proc;   /* of those, sent to the process (kill) */
	uint64_t sig_pending_thread; /* sent to its thread (tkill, tgkill, faults) */
	uint64_t sigmask;            /* blocked signals (never SIGKILL/SIGSTOP) */
	uint64_t saved_mask;         /* rt_sigsuspend: the mask to restore (when restore_mask) */
	uint64_t sig_waitset;        /* rt_sigtimedwait: signals that wake it even when blocked */
	bool restore_mask;
	struct sig_action sig_action[NSIG_LINUX + 1];  /* rt_sigaction ([0] unused) */
	uint32_t sas_sp, sas_size, sas_flags;          /* sigaltstack (size 0: none) */
	uint32_t fault_trapno, fault_error, fault_cr2; /* last caught fault, for sigcontext */
	struct wait_queue signal_wq; /* pause(), rt_sigsuspend: sleep until deliverable */
	uint32_t clear_child_tid;    /* set_tid_address / CLONE_CHILD_CLEARTID: 0 written at exit */
	struct proc_res res;         /* limits, CPU times, nice (include/sched/resource.h) */
	struct wait_queue child_wq;  /* its wait4 callers sleep here */
	void *files;                 /* the files layer's table (proc_files_ops), or NULL */
	uint32_t start_tick;         /* timer_ticks() when made (/proc/PID/stat starttime) */
	uint64_t nr_syscalls;        /* system calls made, up to its last switch out (see
	                              * proc_syscalls_pending); /proc/PID/syscalls */
	struct trap_frame entry_frame; /* the registers the task first enters user mode with */
	/*
	 * Last, and not zeroed by proc_alloc (read only where a pending bit says an instance
	 * was stored): the siginfo of each pending instance, the process's and the thread's.
	 */
	struct ksiginfo sig_info[NSIG_LINUX + 1];
	struct ksiginfo sig_info_thread[NSIG_LINUX + 1];
};

/* Is @p the init process (never the OOM killer's victim, as Linux's global init)? */
bool proc_is_init(const struct proc *p);

/* The running task's process, or NULL in a kernel task. */
struct proc *proc_current(void);

/*
 * System calls entered since the last switch (the int 0x80 entry counts them with one
 * increment, kernel/arch/user_entry.asm); the scheduler adds them to the process switched out.
 */
extern uint32_t proc_syscalls_pending;

/* The system calls @p has made since it was created (fork: from 0; exec keeps counting). */
uint64_t proc_syscall_count(const struct proc *p);

/* The live or zombie process @pid (> 0), or NULL. Interrupts off while using the result. */
struct proc *proc_lookup(int pid);

/* Register the trap hooks and the fault resolver. Called once by kmain after sched_init. */
void proc_init(void);

/*
 * Start @path as a new process (a kernel child) with @argv and @envp (NULL-terminated kernel
 * arrays; NULL means empty). @init: make it the init process (orphans go to it).
 * Returns its pid, or -errno from exec (ENOENT, EACCES, ENOEXEC, E2BIG, ENOMEM) or -EAGAIN.
 * Nothing is left behind on failure.
 */
int proc_spawn(const char *path, char *const argv[], char *const envp[], bool init);

/* proc_spawn with options: @new_session makes the process the leader of a new session and
 * process group (as after setsid), @before_start (if set) is called with it published (its
 * pid known) and not yet running, e.g. to give it a controlling terminal. */
struct spawn_opts {
	bool init;
	bool new_session;
	void (*before_start)(struct proc *p, void *ctx);
	void *ctx;
};
int proc_spawn_opts(const char *path, char *const argv[], char *const envp[],
                    const struct spawn_opts *o);

/*
 * Let the kernel child @pid run on its own (the monitor's `run ... &`): nobody waits for it,
 * and it is freed when it ends (at once if it already has). Returns 0 or -ECHILD.
 */
int proc_detach_kernel(int pid);

/*
 * Wait for the kernel child @pid to end; its wait status in *@status. Returns 0 or -ECHILD
 * (no such kernel child). Sleeps; kernel tasks only.
 */
int proc_wait_kernel(int pid, int *status);

/*
 * fork/clone/vfork of the current process from its syscall frame @tf: a copy of the address
 * space, TLS slots, FPU state, files; the child returns 0 (with %esp = @newsp if non-zero).
 * @child_tidptr: CLONE_CHILD_SETTID writes the child's pid there in the child's memory,
 * CLONE_CHILD_CLEARTID records it. Returns the child's pid, -ENOMEM (nothing left behind),
 * -EAGAIN (no task slot).
 */
int proc_fork(struct trap_frame *tf, uint32_t clone_flags, uint32_t newsp, uint32_t parent_tidptr,
              uint32_t child_tidptr);
#define CLONE_VM             0x00000100u
#define CLONE_VFORK          0x00004000u
#define CLONE_PARENT_SETTID  0x00100000u
#define CLONE_CHILD_CLEARTID 0x00200000u
#define CLONE_CHILD_SETTID   0x01000000u
#define CLONE_EXIT_SIGNAL    0x000000FFu /* low byte: the signal sent to the parent at exit */

/* End the current process with Linux wait status @status. Never returns. */
__attribute__((noreturn)) void proc_exit(int status);

/*
 * wait4 for the current process: @pid -1 (or 0, < -1: no process groups yet: any child) or a
 * child's pid. Returns the pid collected (status in *@status), 0 with WNOHANG when no child
 * has ended, -ECHILD when there is no such child, -EINTR when a fatal signal arrived.
 */
int proc_wait4(int pid, int *status, uint32_t options);

/*
 * Send @sig (0..64; 0 only checks) to process @pid (0: the caller). Returns 0, -EINVAL (bad
 * signal), -ESRCH (no such process).
 */
int proc_kill(int pid, int sig);

/* True when the current process has a deliverable signal pending (sleeps check it). */
bool proc_signal_pending(void);

/*
 * kill(2) from the current process: @pid > 0 one process, 0 the caller's process group, -1
 * every process but init and the caller, < -1 the group -@pid; the siginfo says SI_USER and
 * the caller's pid (0 from a kernel task or an interrupt, where @pid 0 is -ESRCH). Returns 0,
 * -EINVAL (bad signal), -ESRCH (nobody matched). init is spared signals it has no handler for.
 * proc_tkill_user: the same for tkill/tgkill (SI_TKILL).
 */
int proc_kill_user(int pid, int sig);
int proc_tkill_user(int pid, int sig);

/*
 * The kernel sends @sig to every process of group @pgrp (> 0), as Linux's kill_pgrp from a
 * tty's ISIG characters: siginfo SI_KERNEL; init spared unless it handles @sig. Any context
 * (the serial receive interrupt too). Returns 0, -EINVAL, -ESRCH (no such group).
 */
int proc_kill_pgrp(int pgrp, int sig);

/* rt_sigprocmask: the old mask in *@old (if non-NULL); apply *@set with @how (SIG_BLOCK,
 * SIG_UNBLOCK, SIG_SETMASK) if non-NULL. Returns 0 or -EINVAL (bad @how; nothing changed). */
int proc_sigmask(int how, const uint64_t *set, uint64_t *old);

/* rt_sigpending: the pending signals that are blocked. */
uint64_t proc_sigpending(void);

/* rt_sigaction's recording: old action in *@old, new one from *@act (either NULL).
 * Returns 0 or -EINVAL (bad signal; SIGKILL/SIGSTOP may not be changed; nothing changed). */
int proc_sigaction(int sig, const struct sig_action *act, struct sig_action *old);

/* pause(): sleep until a signal is deliverable. Returns -EINTR. */
int proc_pause(void);

/* getppid of @p: its parent's pid; 1 (init, or the kernel) for kernel children and orphans;
 * 0 for init itself. */
int proc_getppid(const struct proc *p);

/* Hand @p's RLIMIT_STACK, RLIMIT_AS and RLIMIT_DATA to its address space (include/mm/vm.h,
 * Limits), once whenever either changes: fork, exec, prlimit. Cannot fail. */
void proc_vm_limits(struct proc *p);

/* Process groups and sessions (Linux's rules and errors). */
int proc_getpgid(int pid);           /* -ESRCH */
int proc_getsid(int pid);            /* -ESRCH */
int proc_setpgid(int pid, int pgid); /* -EINVAL -ESRCH -EPERM -EACCES */
int proc_setsid(void);               /* -EPERM (already a group leader) */

/*
 * Fault injection for the tests (tests/kernel/test_proc.c): from now on the memory owner of
 * each process made by proc_spawn gets the limit @spawn, and of each one made by fork the
 * limit @fork (bytes; 0: none), so that building its image or copying the parent's runs out
 * part way (the user pages count; kernel metadata does not). 0, 0 turns it off.
 */
void proc_inject_limits(uint64_t spawn, uint64_t fork);

/*
 * Call @fn (NULL: none) for every struct proc just before it is freed (interrupts may be off;
 * @fn must not sleep): /proc forgets the process's directory (kernel/fs/procfs_pid.c).
 */
void proc_set_free_hook(void (*fn)(struct proc *p));

/* Processes made since boot (spawned or forked), and the pid given last (/proc/stat,
 * /proc/loadavg). */
uint64_t proc_created_count(void);
int proc_last_pid(void);

/* Iterate over processes (for `ps`): @fn is called with interrupts off. */
void proc_for_each(void (*fn)(const struct proc *p, void *ctx), void *ctx);

/* The last component of @path ("/bin/sh" -> "sh"); @path itself when it has no '/'. */
const char *path_basename(const char *path);

/*
 * Monitor helpers (sched/proc_commands.c): print (or format into @buf) "WHO exited with
 * status N" or "WHO killed by signal N (SIGX)"; print the process table, one line per
 * process formatted by proc_ps_line: pid, ppid, state (R, S, Z), name, VSZ and RSS in kB.
 */
void proc_print_status(const char *who, int status);
void proc_status_str(char *buf, unsigned size, const char *who, int status);
void proc_ps_print(void);
void proc_ps_line(char *buf, unsigned size, const struct proc *p);

/*
 * pmap: @p's areas in the columns of Linux's `pmap -x` (a header, one line per area with
 * address, Kbytes, RSS, Dirty, mode and mapping, a total), each line handed to @out without
 * its newline. @p must have an address space. Cannot fail.
 */
#define PMAP_LINE_MAX 96
void proc_pmap(const struct proc *p, void (*out)(const char *line, void *ctx), void *ctx);

/* Name of signal @sig ("SIGSEGV"), "SIG?" when unknown. */
const char *signal_name(int sig);

/* ---- exec (sched/exec.c) ------------------------------------------------------------------ */

/*
 * Where exec reads programs: the files layer registers a source for the root file system;
 * until then, images registered with exec_register_image (embedded in the kernel).
 *   stat: 0 with *@mode (S_IF* | permission bits) and *@size, or -ENOENT/-ENOTDIR/...
 *   read: bytes read at @off into @buf (short only at the end), or -errno
 *   open: stat in one lookup, and the file's bytes in *@data where they lie in kernel
 *         memory for good (an initramfs file: exec maps them through the page cache and
 *         reads headers from them), else NULL in *@data (exec then uses read); may be NULL
 */
struct exec_source {
	int (*stat)(const char *path, uint32_t *mode, uint64_t *size);
	long (*read)(const char *path, uint64_t off, void *buf, uint32_t len);
	int (*open)(const char *path, uint32_t *mode, uint64_t *size, const void **data);
};
void exec_set_source(const struct exec_source *src);

/* Make @path an executable regular file with the @size bytes at @data (kept, not copied). */
int exec_register_image(const char *path, const void *data, uint32_t size);

/*
 * execve for the current process from its syscall frame @tf with user pointers. Returns
 * -errno with the old image intact (ENOENT, EACCES, ENOEXEC, E2BIG, EFAULT, ENOMEM,
 * ENAMETOOLONG); on success rewrites @tf and returns 0 (the new program starts at the
 * return to user mode).
 */
int proc_execve(struct trap_frame *tf, uint32_t upath, uint32_t uargv, uint32_t uenvp);

/* The kernel-side exec used by proc_spawn: build @p's image (p->vm NULL). 0 or -errno. */
int exec_kernel(struct proc *p, const char *path, char *const argv[], char *const envp[]);

#endif
