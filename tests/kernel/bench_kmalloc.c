/*
 * kmalloc and scheduler benchmarks (guest instructions under `qemu -icount shift=0`):
 *   kmalloc.hot_<size>       kmalloc+kfree of one size, reusing the same object (budget 40)
 *   kmalloc.batch_<size>     1024 kmallocs then 1024 kfrees, per pair
 *   sched.switch             one context switch (two tasks yielding to each other)
 *   sched.create_exit_reap   task_create + the task's exit + reaping + task_wait
 */
#include "kernel/kbench.h"
#include "mm/kmalloc.h"
#include "sched/task.h"

#define LOOPS 1000u
#define BATCH 1024u

static void *objs[BATCH];

static const struct {
	const char *hot, *batch;
	size_t size;
} classes[] = {
	{ "hot_16", "batch_16", 16 },       { "hot_32", "batch_32", 32 },
	{ "hot_64", "batch_64", 64 },       { "hot_128", "batch_128", 128 },
	{ "hot_256", "batch_256", 256 },    { "hot_512", "batch_512", 512 },
	{ "hot_1024", "batch_1024", 1024 }, { "hot_2048", "batch_2048", 2048 },
};

KBENCH(kmalloc)
{
	for (unsigned c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		size_t size = classes[c].size;
		kfree(kmalloc(size, KM_NORMAL)); /* warm: the magazine holds an object */
		uint64_t t = kbench_start();
		for (unsigned i = 0; i < LOOPS; i++)
			kfree(kmalloc(size, KM_NORMAL));
		kbench_report("kmalloc", classes[c].hot, kbench_per_op(kbench_end(t), LOOPS),
		              "insn/pair", 40);

		t = kbench_start();
		for (unsigned i = 0; i < BATCH; i++)
			objs[i] = kmalloc(size, KM_NORMAL);
		for (unsigned i = 0; i < BATCH; i++)
			kfree(objs[i]);
		kbench_report("kmalloc", classes[c].batch, kbench_per_op(kbench_end(t), BATCH),
		              "insn/pair", 0);
	}
}

static volatile uint32_t pings;

static void yielder(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < LOOPS; i++) {
		pings++;
		task_yield();
	}
}

static void nothing(void *arg)
{
	(void)arg;
}

KBENCH(sched)
{
	/* The runner masks interrupts; tasks need the scheduler, so unmask for this one. */
	cpu_sti();
	sched_quiesce();
	int a = task_create(yielder, 0, "ping");
	int b = task_create(yielder, 0, "pong");
	uint64_t t = kbench_start();
	task_wait(a, 0);
	task_wait(b, 0);
	uint64_t cost = kbench_end(t);
	/* 2 * LOOPS yields, each a switch to the other task (plus the few to and from kmain) */
	kbench_report("sched", "switch", cost / (2 * LOOPS), "insn/switch", 0);

	t = kbench_start();
	for (unsigned i = 0; i < LOOPS; i++)
		task_wait(task_create(nothing, 0, "cycle"), 0);
	kbench_report("sched", "create_exit_reap", kbench_per_op(kbench_end(t), LOOPS),
	              "insn/cycle", 0);
	cpu_cli();
}
