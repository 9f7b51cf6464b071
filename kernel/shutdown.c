/*
 * shutdown: init's power-off, after every process is gone, with the memory accounting line
 * (include/kernel/shutdown.h has the sequence and the line).
 */
#include "kernel/shutdown.h"

#include "kernel/qemu.h"
#include "lib/printk.h"
#include "mm/failinject.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "sched/owner.h"
#include "sched/proc.h"
#include "sched/stress.h"
#include "sched/task.h"
#include "sys_shm_internal.h"
#include "x86/cpu.h"

#define SHUTDOWN_POLL_MS 10u

static bool init_waited;   /* kmain is in proc_wait_kernel for init */
static bool init_poweroff; /* init asked for the power-off */

void shutdown_memory_line(const char *label)
{
	struct vm_object_stats vs;
	struct owner_totals ot;
	struct mm_meminfo mi;
	uint64_t free_bytes, objects;

	/* The shared zero page is made by the first address space and kept for good: have it
	 * before the baseline too, so that both lines count it. */
	struct vm_space *vm = vm_zero_frame() ? NULL : vm_create(0);

	if (vm)
		vm_destroy(vm);
	sched_quiesce(); /* zombies' stacks and owners back first: they may pin cache pages */
	vm_object_drop_unused();
	stress_snapshot(&free_bytes, &objects); /* reaped, empty slabs returned */
	mm_meminfo(&mi);
	owner_totals(&ot);
	vm_object_get_stats(&vs);
	pr_info("mm: %s: free %llu kB, slab objects %llu, committed %llu kB, ledger %u owners "
	        "%llu pages %llu bytes, page cache %u pages in %u objects, shm %u segments\n",
	        label, (unsigned long long)(free_bytes >> 10), (unsigned long long)objects,
	        (unsigned long long)(mi.committed >> 10), ot.owners, (unsigned long long)ot.pages,
	        (unsigned long long)ot.slab_bytes, vs.cached, vs.objects, shm_segments());
}

void shutdown_init_waited(bool waiting)
{
	init_waited = waiting;
}

bool shutdown_by_init(void)
{
	struct proc *p = proc_current();

	if (!init_waited || !p || p->pid != 1)
		return false;
	init_poweroff = true;
	return true;
}

/* Count the processes (any state) and send SIGKILL to those still running. */
static void kill_one_left(const struct proc *p, void *ctx)
{
	(*(unsigned *)ctx)++;
	if (p->state == PROC_RUNNING)
		proc_kill(p->pid, SIGKILL);
}

void shutdown_after_init(void)
{
	unsigned left = 0;
	char line[160];

	if (!init_poweroff)
		return;
	for (uint32_t waited = 0;; waited += SHUTDOWN_POLL_MS) {
		left = 0;
		proc_for_each(kill_one_left, &left);
		if (!left || waited >= SHUTDOWN_WAIT_MS)
			break;
		task_sleep(SHUTDOWN_POLL_MS); /* the killed ones run to their exits meanwhile */
	}
	if (left)
		pr_err("shutdown: %u processes did not end in %u ms\n", left, SHUTDOWN_WAIT_MS);
	shutdown_memory_line("at power-off");
	failinject_format(&fail_page_alloc_attr, line, sizeof(line));
	pr_info("failinject: %s\n", line);
	failinject_format(&failslab_attr, line, sizeof(line));
	pr_info("failinject: %s\n", line);
	machine_poweroff();
}
