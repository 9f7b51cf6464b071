/*
 * proc_sys: the system-wide /proc files that belong to no memory subsystem — stat, uptime,
 * loadavg, version, cmdline — in Linux 6.1's formats (include/lib/procfile.h's table).
 *
 * stat: the cpu and cpu0 lines from the tick's CPU-time accounting (kernel/sys_time.c:
 * user, system, idle ticks in USER_HZ; nice, iowait, irq, softirq, steal, guest 0), intr (the
 * total, then IRQ 0: the timer's ticks, the only interrupt counted), ctxt (task switches),
 * btime, processes (made since boot), procs_running (processes runnable or running),
 * procs_blocked (0: Strata has no uninterruptible I/O sleep), softirq (0s). uptime: seconds
 * since boot and idle seconds, to 1/100. loadavg: 0.00 three times (Strata keeps no load
 * average), running processes / all tasks, the last pid given. version: uname's names.
 * cmdline: the kernel's command line.
 */
#include "kernel/multiboot.h"
#include "kernel/syscall.h"
#include "lib/compiler.h"
#include "lib/procfile.h"
#include "sched/proc.h"
#include "sched/proc_files.h"
#include "sched/task.h"
#include "x86/cpu.h"
#include "x86/timer.h"

#define USER_HZ_RATE  100u /* clock_t units */
#define LEGACY_IRQS   16u  /* intr's per-IRQ columns */
#define SOFTIRQ_KINDS 10u

/* Ticks (HZ) in USER_HZ units. */
static unsigned long long user_hz(uint64_t ticks)
{
	return (unsigned long long)(ticks * USER_HZ_RATE / HZ);
}

static void count_running(const struct proc *p, void *ctx)
{
	if (p->state == PROC_RUNNING && proc_state_char(p) == 'R')
		++*(unsigned *)ctx;
}

/* Processes runnable or running now. */
static unsigned running_procs(void)
{
	unsigned n = 0;

	proc_for_each(count_running, &n);
	return n;
}

static void stat_show(struct seqbuf *s, const struct proc_file *pf)
{
	uint32_t flags = irq_save();
	struct cpu_times t = cpu_times;
	irq_restore(flags);
	struct sched_stats st;
	uint32_t ticks = timer_ticks();

	(void)pf;
	sched_stats(&st);
	for (int cpu = -1; cpu < 1; cpu++)
		seq_printf(s, "cpu%s %llu 0 %llu %llu 0 0 0 0 0 0\n", cpu < 0 ? " " : "0",
		           user_hz(t.user), user_hz(t.system), user_hz(t.idle));
	seq_printf(s, "intr %u %u", ticks, ticks);
	for (unsigned i = 1; i < LEGACY_IRQS; i++)
		seq_printf(s, " 0");
	seq_printf(s,
	           "\nctxt %llu\nbtime %lld\nprocesses %llu\nprocs_running %u\nprocs_blocked 0\n",
	           (unsigned long long)st.switches, (long long)sys_boot_epoch(),
	           (unsigned long long)proc_created_count(), running_procs());
	seq_printf(s, "softirq 0");
	for (unsigned i = 0; i < SOFTIRQ_KINDS; i++)
		seq_printf(s, " 0");
	seq_printf(s, "\n");
}
PROC_FILE(stat, "stat", 0444, PROC_SEQ, stat_show, NULL, NULL);

static void uptime_show(struct seqbuf *s, const struct proc_file *pf)
{
	uint64_t us = timer_uptime_us();
	uint32_t flags = irq_save();
	uint64_t idle = cpu_times.idle;
	irq_restore(flags);
	unsigned long long idle_cs = user_hz(idle), up_cs = us / 10000u;

	(void)pf;
	seq_printf(s, "%llu.%02llu %llu.%02llu\n", up_cs / 100, up_cs % 100, idle_cs / 100,
	           idle_cs % 100);
}
PROC_FILE(uptime, "uptime", 0444, PROC_SEQ, uptime_show, NULL, NULL);

static void loadavg_show(struct seqbuf *s, const struct proc_file *pf)
{
	struct sched_stats st;

	(void)pf;
	sched_stats(&st);
	seq_printf(s, "0.00 0.00 0.00 %u/%u %d\n", running_procs(), st.live, proc_last_pid());
}
PROC_FILE(loadavg, "loadavg", 0444, PROC_SEQ, loadavg_show, NULL, NULL);

static void version_show(struct seqbuf *s, const struct proc_file *pf)
{
	(void)pf;
	seq_printf(s, "%s version %s (root@%s) (gcc version %s) %s\n", UTS_SYSNAME, UTS_RELEASE,
	           UTS_NODENAME, __VERSION__, UTS_VERSION);
}
PROC_FILE(version, "version", 0444, PROC_SEQ, version_show, NULL, NULL);

static void cmdline_show(struct seqbuf *s, const struct proc_file *pf)
{
	(void)pf;
	seq_printf(s, "%s\n", boot_info.cmdline);
}
PROC_FILE(cmdline, "cmdline", 0444, PROC_SEQ, cmdline_show, NULL, NULL);
