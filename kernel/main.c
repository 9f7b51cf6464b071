/*
 * main: kmain, the boot sequence, and the monitor's main loop.
 *
 * Order matters: the bottom layer's hooks and the console first (so every later failure can be
 * reported: panic and printk in kernel/lib know no hardware until they are registered), then the
 * loader's information is copied while the boot identity mapping still exists, then the CPU
 * tables, paging clean-up, interrupts, memory, and finally tests or the monitor.
 */
#include "kernel/builtin_progs.h"
#include "fs/exec_source.h"
#include "fs/fdtable.h"
#include "fs/initramfs.h"
#include "fs/procfs.h"
#include "fs/tty.h"
#include "kernel/backtrace.h"
#include "kernel/cmdline.h"
#include "kernel/kbench.h"
#include "kernel/ktest.h"
#include "kernel/monitor.h"
#include "kernel/multiboot.h"
#include "lib/format.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "kernel/qemu.h"
#include "kernel/serial.h"
#include "kernel/shutdown.h"
#include "kernel/syscall.h"
#include "x86/timer.h"
#include "mm/failinject.h"
#include "mm/fault.h"
#include "mm/heap.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "kernel/memstat.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "sched/proc.h"
#include "sched/vdso.h"
#include "sched/proc_vmcheck.h"
#include "mm/vm.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "x86/cpu.h"
#include "x86/fpu.h"
#include "x86/smap.h"
#include "x86/gdt.h"
#include "x86/pic.h"
#include "x86/trap.h"

void kmain(uint32_t magic, uint32_t info_phys); /* entered from boot/entry.asm */

static struct wait_queue console_wq = WAIT_QUEUE_INIT(console_wq);

/* The serial receive interrupt: wake the monitor. */
static void console_rx(void)
{
	wake_up(&console_wq);
}

/*
 * Gather what mm needs from the loader's information and the command line. The map is copied
 * into static storage (boot only: off the small boot stack). Never fails.
 */
static void mm_boot_params_fill(struct mm_boot_params *p, const struct boot_info *bi,
                                const struct boot_options *opts)
{
	static struct memmap_raw raw[MB_MMAP_MAX];

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		raw[i].base = bi->mmap[i].addr;
		raw[i].len = bi->mmap[i].len;
		raw[i].type = bi->mmap[i].type;
	}
	*p = (struct mm_boot_params){
		.map = raw,
		.map_count = bi->mmap_count,
		.info_start = bi->info_start,
		.info_end = bi->info_end,
		.mods_start = bi->mods_start,
		.mods_end = bi->mods_end,
		.mem_limit = opts->mem_limit,
		.debug_pagealloc = opts->debug_pagealloc,
		.init_on_alloc = opts->init_on_alloc,
		.slub_debug = opts->slub_debug,
	};
}

/* Drain received bytes into the monitor (the console hands over what a program left unread
 * first); block (other tasks run) until more arrive. */
static __noreturn void monitor_loop(void)
{
	tty_monitor_take(console_rx); /* before the prompt: what is typed at it is the monitor's */
	monitor_start();
	for (;;) {
		int c;
		while ((c = tty_monitor_getc()) >= 0)
			monitor_input(c);
		wait_event(&console_wq, tty_monitor_pending());
	}
}

/*
 * For fault injection: the pid of the process running now, 0 in a kernel task and while the
 * process's page fault is being resolved (as Linux's fail_page_alloc leaves user pages alone
 * by default, ignore-gfp-highmem: a fault has no caller to return an error to, and Strata
 * ends the process instead of retrying).
 */
static int failinject_current_pid(void)
{
	struct proc *p = proc_current();

	return p && !p->in_fault ? p->pid : 0;
}

/*
 * fail_page_alloc= and failslab= (validated by the command-line parser): turn them on and
 * say so. Never fails.
 */
static void failinject_boot(const struct boot_options *opts)
{
	struct {
		const char *spec;
		struct fault_attr *attr;
	} set[] = { { opts->fail_page_alloc, &fail_page_alloc_attr },
		    { opts->failslab, &failslab_attr } };
	char line[160];

	failinject_set_pid_hook(failinject_current_pid);
	for (unsigned i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		if (!set[i].spec[0] || failinject_parse(set[i].attr, set[i].spec))
			continue;
		failinject_format(set[i].attr, line, sizeof(line));
		pr_info("failinject: %s\n", line);
	}
	kmalloc_failslab_sync();
}

/*
 * init=PATH: start it as pid 1 with the command-line words after "--" as argv[1..], wait for
 * it, log how it ended; the monitor follows.
 */
static void run_init(const struct boot_options *opts)
{
	static char *const envp[] = { "HOME=/", "PATH=/bin:/sbin:/usr/bin", "TERM=vt100", NULL };
	static char *argv[CMDLINE_INIT_ARGS + 2]; /* path, the arguments, NULL */
	char who[CMDLINE_INIT_MAX + sizeof("init: ")];
	const char *arg = opts->init_args;
	int status, pid, argc = 0;

	argv[argc++] = (char *)opts->init_path;
	for (int i = 0; i < opts->init_argc; i++, arg += strlen(arg) + 1)
		argv[argc++] = (char *)arg;
	argv[argc] = NULL;
	shutdown_memory_line("before init"); /* the baseline of the line at power-off */
	pid = proc_spawn(opts->init_path, argv, envp, true);
	if (pid < 0) {
		pr_err("init: cannot run %s: error %d\n", opts->init_path, pid);
		return;
	}
	shutdown_init_waited(true);
	proc_wait_kernel(pid, &status);
	shutdown_init_waited(false);
	ksnprintf(who, sizeof(who), "init: %s", opts->init_path);
	proc_print_status(who, status);
	shutdown_after_init(); /* init's reboot(2): every process gone, then power off */
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	struct mm_boot_params mm_params;

	backtrace_init();
	serial_init();
	cmdline_defaults(&boot_opts);
	pr_info("boot: Strata (x86, higher half at %#x)\n", KERNEL_BASE);
	if (multiboot_copy(magic, info_phys, &boot_info) < 0) {
		pr_emerg("boot: cannot continue; halted\n");
		machine_halt();
	}
	cmdline_parse(boot_info.cmdline, &boot_opts);
	printk_set_loglevel(boot_opts.loglevel);
	panic_set_exit(boot_opts.panic_action == PANIC_EXIT || boot_opts.test);
	pr_info("boot: command line '%s'\n", boot_info.cmdline);

	gdt_init();
	fpu_init();
	cpu_protect_init();
	idt_init();
	pic_init();
	paging_init_early();
	timer_init();
	printk_set_clock(timer_uptime_us);
	cpu_sti();
	serial_enable_rx_irq();
	fault_init();
	mm_boot_params_fill(&mm_params, &boot_info, &boot_opts);
	mm_init(&mm_params);
	heap_init(mm_params.slub_debug);
	sched_init();
	syscall_init();
	proc_init();
	vdso_init(boot_opts.vdso); /* after the timer and mm: the clock moves to [vvar] */
	proc_vmcheck_enable(boot_opts.vmcheck);
	struct mm_meminfo mi;
	mm_meminfo(&mi);
	vm_commit_init(mi.total / PAGE_SIZE, mi.free / PAGE_SIZE);
	vm_commit_set_policy((enum overcommit_mode)boot_opts.overcommit,
	                     boot_opts.overcommit_ratio);
	builtin_progs_register();
	exec_fs_init();
	files_init(); /* descriptor tables: the files hook of the process layer */
	tty_init();   /* the console takes the serial input until the monitor starts */
	memstat_init();
	initramfs_init(&boot_info); /* the root file system (after kmalloc) */
	procfs_init();              /* /proc on it */
	failinject_boot(&boot_opts);
	pr_info("boot: kernel image %p-%p, text %p-%p\n", (void *)__kernel_start,
	        (void *)__kernel_end, (void *)__text_start, (void *)__text_end);

	if (boot_opts.test)
		ktest_run_all(boot_opts.test_glob);
	if (boot_opts.bench)
		kbench_run_all();
	if (boot_opts.init_path[0])
		run_init(&boot_opts);
	monitor_loop();
}
