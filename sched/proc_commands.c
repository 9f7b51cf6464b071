/*
 * proc commands: the status line of the monitor's `run` (the command itself is in
 * kernel/run_command.c: it hands the console over), the process half of `ps` (after the
 * task table: PID, PPID, STATE as Linux's letters R/S/Z, NAME, VSZ and RSS in kB) and
 * `pmap PID` (a process's areas in the columns of Linux's pmap -x).
 */
#include "lib/console.h"
#include "lib/command.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/vm.h"
#include "sched/proc.h"
#include "sched/proc_files.h"

#define KB_SHIFT          10
#define PROC_RUN_LINE_MAX 160 /* "run: " and the path */
#define PS_LINE_MAX       96  /* one process line of ps */

void proc_status_str(char *buf, unsigned size, const char *who, int status)
{
	int sig = status & W_SIGNAL_MASK;

	if (sig)
		ksnprintf(buf, size, "%s killed by signal %d (%s)", who, sig, signal_name(sig));
	else
		ksnprintf(buf, size, "%s exited with status %d", who,
		          (status >> W_CODE_SHIFT) & W_CODE_MASK);
}

void proc_print_status(const char *who, int status)
{
	char line[PROC_RUN_LINE_MAX + sizeof(" killed by signal NN (SIGWINCH)")];

	proc_status_str(line, sizeof(line), who, status);
	kprintf("%s\n", line);
}

/* ps's state letter, as Linux's: R running or runnable, S sleeping, Z zombie. */
char proc_state_char(const struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	return p->task && p->task->state == TASK_BLOCKED ? 'S' : 'R';
}

void proc_ps_line(char *buf, unsigned size, const struct proc *p)
{
	ksnprintf(buf, size, "%5d %5d %c     %-15s %8llu %8u", p->pid, proc_getppid(p),
	          proc_state_char(p), p->comm,
	          p->vm ? (unsigned long long)(vm_size_bytes(p->vm) >> KB_SHIFT) : 0ULL,
	          p->vm ? p->vm->rss_pages * (PAGE_SIZE >> KB_SHIFT) : 0u);
}

static void ps_proc_line(const struct proc *p, void *ctx)
{
	char line[PS_LINE_MAX];

	(void)ctx;
	proc_ps_line(line, sizeof(line), p);
	kprintf("%s\n", line);
}

void proc_ps_print(void)
{
	kprintf("\n%5s %5s %-5s %-15s %8s %8s\n", "PID", "PPID", "STATE", "NAME", "VSZ(kB)",
	        "RSS(kB)");
	proc_for_each(ps_proc_line, 0);
}

/* pmap's mode column: r w x, s for shared, - otherwise (5 characters, as Linux's pmap). */
static void pmap_mode(char out[6], const struct vm_area *a)
{
	out[0] = (a->prot & VM_READ) ? 'r' : '-';
	out[1] = (a->prot & VM_WRITE) ? 'w' : '-';
	out[2] = (a->prot & VM_EXEC) ? 'x' : '-';
	out[3] = (a->flags & VM_SHARED) ? 's' : '-';
	out[4] = '-';
	out[5] = '\0';
}

/* pmap's mapping column: the program for its segments, [ stack ], [ anon ], [ shmem ]... */
static const char *pmap_name(const struct proc *p, const struct vm_area *a)
{
	if (a->flags & VM_ELF)
		return p->comm;
	if (a->flags & VM_GROWSDOWN)
		return "[ stack ]";
	if (a->flags & VM_SHARED)
		return (a->flags & VM_FILE) ? "[ shared file ]" : "[ shmem ]";
	if (a->flags & VM_FILE)
		return "[ file ]";
	return "[ anon ]";
}

void proc_pmap(const struct proc *p, void (*out)(const char *line, void *ctx), void *ctx)
{
	uint64_t kb = 0, rss_kb = 0, dirty_kb = 0;
	const struct vm_area *a;
	char line[PMAP_LINE_MAX];

	ksnprintf(line, sizeof(line), "%d:   %s", p->pid, p->comm);
	out(line, ctx);
	out("Address   Kbytes     RSS   Dirty Mode  Mapping", ctx);
	list_for_each_entry(a, &p->vm->areas.head, link)
	{
		uint32_t rss, dirty, size_kb = (uint32_t)((a->end - a->start) >> KB_SHIFT);
		char mode[6];
		vm_range_stats(p->vm, a->start, a->end, &rss, &dirty);
		pmap_mode(mode, a);
		ksnprintf(line, sizeof(line), "%08x %7u %7u %7u %s %s", (unsigned)a->start, size_kb,
		          rss * (PAGE_SIZE >> KB_SHIFT), dirty * (PAGE_SIZE >> KB_SHIFT), mode,
		          pmap_name(p, a));
		out(line, ctx);
		kb += size_kb;
		rss_kb += rss * (PAGE_SIZE >> KB_SHIFT);
		dirty_kb += dirty * (PAGE_SIZE >> KB_SHIFT);
	}
	out("-------- ------- ------- -------", ctx);
	ksnprintf(line, sizeof(line), "total kB %7llu %7llu %7llu", (unsigned long long)kb,
	          (unsigned long long)rss_kb, (unsigned long long)dirty_kb);
	out(line, ctx);
}

static void print_line(const char *line, void *ctx)
{
	(void)ctx;
	kprintf("%s\n", line);
}

static int cmd_pmap(int argc, char **argv)
{
	uint32_t pid;
	struct proc *p;

	if (argc != 2 || !parse_decimal(argv[1], INT32_MAX, &pid)) {
		kprintf("usage: pmap PID\n");
		return -EINVAL;
	}
	p = proc_lookup((int)pid);
	if (!p || !p->vm) {
		kprintf("pmap: no process %u with an address space\n", pid);
		return -ESRCH;
	}
	proc_pmap(p, print_line, NULL);
	return 0;
}
MONITOR_COMMAND(pmap, "pmap PID", "a process's mappings in the layout of Linux's pmap -x",
                cmd_pmap);
