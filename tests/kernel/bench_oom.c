/*
 * Commitment and OOM benchmarks (guest instructions under `qemu -icount shift=0`):
 *   commit.check_<mode>         vm_commit_check of one page, per mode (heuristic is the inline
 *                               fast path; never computes the limit with the space's reserve)
 *   commit.mmap_munmap_<mode>   vm_map + vm_unmap of one private writable page (the check
 *                               inside: the difference between the modes is its cost)
 *   oom.choose_100              the victim choice (every process's RSS, tables and adj, then
 *                               Linux's oom_badness) among 100 live processes
 */
#include "kernel/kbench.h"
#include "lib/console.h"
#include "mm/vm.h"
#include "sched/oom.h"
#include "sched/owner.h"
#include "sched/proc.h"
#include "sched/task.h"
#include "x86/cpu.h"

#define LOOPS      1000u
#define VICTIMS    100
#define CHOOSE_REP 100u
#define VA         0x40000000u

static const struct {
	enum overcommit_mode mode;
	const char *check, *map;
	uint64_t budget; /* of the check */
} modes[] = {
	{ OVERCOMMIT_GUESS, "check_heuristic", "mmap_munmap_heuristic", 40 },
	{ OVERCOMMIT_ALWAYS, "check_always", "mmap_munmap_always", 80 },
	{ OVERCOMMIT_NEVER, "check_never", "mmap_munmap_never", 300 },
};

KBENCH(commit)
{
	enum overcommit_mode mode0;
	uint32_t ratio0;
	struct owner *o = owner_create();
	struct vm_space *vm = o ? vm_create(o->id) : NULL;
	uint32_t ok = 0;

	if (!vm) {
		kprintf("bench: commit: no memory for a space\n");
		return;
	}
	vm_commit_get_policy(&mode0, &ratio0);
	for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		vm_commit_set_policy(modes[m].mode, ratio0);
		uint64_t t = kbench_start();
		for (unsigned i = 0; i < LOOPS; i++)
			ok += vm_commit_check(1, vm);
		kbench_report("commit", modes[m].check, kbench_per_op(kbench_end(t), LOOPS),
		              "insn/check", modes[m].budget);
		t = kbench_start();
		for (unsigned i = 0; i < LOOPS; i++) {
			vm_map(vm, VA, PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON);
			vm_unmap(vm, VA, PAGE_SIZE);
		}
		kbench_report("commit", modes[m].map, kbench_per_op(kbench_end(t), LOOPS),
		              "insn/pair", 0);
	}
	vm_commit_set_policy(mode0, ratio0);
	if (ok != LOOPS * 3)
		kprintf("bench: commit: %u of %u checks refused\n", LOOPS * 3 - ok, LOOPS * 3);
	vm_destroy(vm);
	owner_put(o);
}

KBENCH(oom)
{
	static int pids[VICTIMS];
	char *argv[] = { "/builtin/uhello", "pause", NULL };
	int n = 0, victim = 0;

	/* Spawned, not yet run (interrupts are off): each has its image and stack mapped. */
	for (; n < VICTIMS; n++) {
		pids[n] = proc_spawn(argv[0], argv, NULL, false);
		if (pids[n] < 0)
			break;
	}
	if (n < VICTIMS)
		kprintf("bench: oom: only %d processes could be started\n", n);
	uint64_t t = kbench_start();
	for (unsigned i = 0; i < CHOOSE_REP; i++)
		victim = oom_pick(NULL);
	kbench_report("oom", "choose_100", kbench_per_op(kbench_end(t), CHOOSE_REP), "insn/choice",
	              15000);
	if (!victim)
		kprintf("bench: oom: no victim chosen\n");
	/* Let them run to their pause, end them, collect them. */
	cpu_sti();
	for (int i = 0; i < n; i++)
		proc_kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++) {
		int status;
		proc_wait_kernel(pids[i], &status);
	}
	cpu_cli();
}
