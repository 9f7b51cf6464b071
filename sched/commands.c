/*
 * sched commands: `ps`, `kill TID` and `stress tasks N`, and the stress workload they and the
 * tests share (include/sched/stress.h).
 */
#include "lib/command.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/slab.h"
#include "sched/proc.h"
#include "sched/owner.h"
#include "sched/stress.h"
#include "sched/task.h"

#define STRESS_MAX        100000u
#define STRESS_LEAK_SIZES 3

static const char *const state_names[] = {
	[TASK_FREE] = "free",       [TASK_RUNNABLE] = "runnable", [TASK_RUNNING] = "running",
	[TASK_BLOCKED] = "blocked", [TASK_ZOMBIE] = "zombie",     [TASK_EXITED] = "exited",
};

/* One `ps` line: the task and its owner's ledger (a task without one: the kernel, "-"). */
static void ps_line(const struct task *t, void *ctx)
{
	(void)ctx;
	const struct owner *o = t->owner;
	char limit[24], owner[12];
	if (o && o->limit)
		ksnprintf(limit, sizeof(limit), "%llu", (unsigned long long)(o->limit >> 10));
	else
		kstrlcpy(limit, "-", sizeof(limit));
	if (o)
		ksnprintf(owner, sizeof(owner), "%u", o->id);
	else
		kstrlcpy(owner, "-", sizeof(owner));
	kprintf("%5u  %-15s %-9s %6u %10llu %9s %10s\n", t->tid, t->name, state_names[t->state],
	        o ? o->page_count : 0, (unsigned long long)(o ? o->slab_bytes : 0), limit, owner);
}

static int cmd_ps(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		kprintf("usage: ps\n");
		return -EINVAL;
	}
	kprintf("%5s  %-15s %-9s %6s %10s %9s %10s\n", "TID", "NAME", "STATE", "PAGES", "SLAB(B)",
	        "LIMIT(kB)", "OWNER");
	task_for_each(ps_line, 0);
	proc_ps_print();
	return 0;
}
MONITOR_COMMAND(ps, "ps",
                "tasks (tid, name, state, pages, slab bytes, limit, owner), then processes",
                cmd_ps);

/* Parse a decimal number in [1, max]; false when @s is not one. */
static bool parse_count(const char *s, uint32_t max, uint32_t *out)
{
	return parse_decimal(s, max, out) && *out > 0;
}

static int cmd_kill(int argc, char **argv)
{
	uint32_t tid;
	if (argc != 2 || !parse_count(argv[1], TASK_TID_MAX, &tid)) {
		kprintf("usage: kill TID (a task number from ps)\n");
		return -EINVAL;
	}
	int rc = task_kill((int)tid);
	if (rc == -ESRCH)
		kprintf("kill: no live task %u\n", tid);
	else if (rc == -EPERM)
		kprintf("kill: task %u is a system task\n", tid);
	else
		kprintf("kill: task %u killed\n", tid);
	return rc;
}
MONITOR_COMMAND(kill, "kill TID", "end a task; the reaper frees its memory", cmd_kill);

/* ---- stress ------------------------------------------------------------------------------ */

static struct wait_queue never_woken = WAIT_QUEUE_INIT(never_woken);

/* Allocate a little of everything and keep it (the reaper must free it). */
static void leak_some(void)
{
	static const size_t sizes[STRESS_LEAK_SIZES] = { 24, 200, 3000 };
	for (unsigned i = 0; i < STRESS_LEAK_SIZES; i++)
		kmalloc(sizes[i], KM_NORMAL);
	alloc_pages(1, GFP_KERNEL, 0);
}

static void stress_fn(void *arg)
{
	enum stress_end end = (enum stress_end)(uintptr_t)arg;
	leak_some();
	if (end == STRESS_SELF_EXIT)
		return;
	if (end == STRESS_KILLED_BLOCKED)
		wait_event(&never_woken, false);
	for (;;)
		task_yield();
}

static void add_active(struct kmem_cache *c, void *ctx)
{
	struct kmem_cache_info info;
	kmem_cache_get_info(c, &info);
	*(uint64_t *)ctx += info.active_objs;
}

/* Live objects in every cache (the allocator's own included). */
static uint64_t live_objects(void)
{
	uint64_t n = 0;
	kmem_for_each_cache(add_active, &n);
	return n;
}

void stress_snapshot(uint64_t *free_bytes, uint64_t *slab_objects)
{
	struct mm_meminfo mi;
	sched_quiesce();
	kmem_shrink_all();
	mm_meminfo(&mi);
	*free_bytes = mi.free;
	*slab_objects = live_objects();
}

void stress_tasks(uint32_t n, struct stress_result *res)
{
	memset(res, 0, sizeof(*res));
	stress_snapshot(&res->free_before, &res->objs_before);
	for (uint32_t i = 0; i < n; i++) {
		enum stress_end end = (enum stress_end)(i % STRESS_ENDS);
		int tid = task_create(stress_fn, (void *)(uintptr_t)end, "stress");
		if (tid < 0) {
			res->failed++;
			continue;
		}
		res->created++;
		if (end != STRESS_SELF_EXIT) {
			task_yield(); /* let it run (and block) before it is killed */
			task_kill(tid);
		}
		task_wait(tid, 0);
	}
	stress_snapshot(&res->free_after, &res->objs_after);
}

static int cmd_stress(int argc, char **argv)
{
	uint32_t n;
	if (argc != 3 || strcmp(argv[1], "tasks") != 0 || !parse_count(argv[2], STRESS_MAX, &n)) {
		kprintf("usage: stress tasks N (1..%u)\n", STRESS_MAX);
		return -EINVAL;
	}
	struct stress_result r;
	stress_tasks(n, &r);
	kprintf("stress: %u tasks created and ended (%u could not be created)\n", r.created,
	        r.failed);
	kprintf("stress: MemFree before %llu kB, after %llu kB\n",
	        (unsigned long long)(r.free_before >> 10),
	        (unsigned long long)(r.free_after >> 10));
	kprintf("stress: slab objects before %llu, after %llu\n", (unsigned long long)r.objs_before,
	        (unsigned long long)r.objs_after);
	kprintf("stress: %s\n", r.free_before == r.free_after && r.objs_before == r.objs_after
	                            ? "no leak: every byte came back"
	                            : "LEAK");
	return 0;
}
MONITOR_COMMAND(stress, "stress tasks N", "create and end N leaking tasks, compare memory",
                cmd_stress);
