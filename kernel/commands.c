/*
 * commands: the monitor commands that belong to the kernel itself — uptime, poweroff and
 * crash (deliberate failures that show and test the fault, double-fault, panic and
 * must-succeed out-of-memory reports).
 */
#include "lib/command.h"
#include "lib/panic.h"
#include "kernel/qemu.h"
#include "x86/timer.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/phys.h"

static int cmd_uptime(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint64_t us = timer_uptime_us();
	kprintf("up %u.%06u s (%u ticks at %u Hz)\n", (unsigned)(us / 1000000u),
	        (unsigned)(us % 1000000u), timer_ticks(), HZ);
	return 0;
}
MONITOR_COMMAND(uptime, "uptime", "time since boot", cmd_uptime);

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("Powering off.\n");
	machine_poweroff();
}
MONITOR_COMMAND(poweroff, "poweroff", "power the machine off (QEMU exits with 0)", cmd_poweroff);

/* Each crash_* function is its own symbol so the report names it. */
static volatile uintptr_t crash_null; /* 0, opaque to the optimizer */

__attribute__((noinline)) static void crash_pagefault(void)
{
	*(volatile uint32_t *)crash_null = 0xdead;
}

static volatile int crash_sink;

__attribute__((noinline)) static void crash_divide(volatile int zero)
{
	crash_sink = 100 / zero;
}

/* Recurse with a large frame until the stack runs into its guard page. */
__attribute__((noinline)) static unsigned crash_stack(volatile unsigned depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth == 0xFFFFFFFFu)
		return pad[0];
	return crash_stack(depth + 1) + pad[0];
}

/* Must-succeed allocations until memory runs out: the allocator panics, never halts silently. */
__attribute__((noinline)) static void crash_oom(void)
{
	for (;;)
		alloc_pages(0, GFP_HIGHUSER | __GFP_NOFAIL, 0);
}

static int cmd_crash(int argc, char **argv)
{
	if (argc != 2) {
		kprintf("usage: crash pagefault|divide|panic|stack|oom\n");
		return -EINVAL;
	}
	if (strcmp(argv[1], "pagefault") == 0)
		crash_pagefault();
	else if (strcmp(argv[1], "divide") == 0)
		crash_divide(0);
	else if (strcmp(argv[1], "panic") == 0)
		panic("crash: panic requested from the monitor");
	else if (strcmp(argv[1], "stack") == 0)
		crash_stack(0);
	else if (strcmp(argv[1], "oom") == 0)
		crash_oom();
	else {
		kprintf("crash: unknown kind '%s' (pagefault, divide, panic, stack or oom)\n",
		        argv[1]);
		return -EINVAL;
	}
	kprintf("crash: '%s' did not crash\n", argv[1]);
	return -EINVAL;
}
MONITOR_COMMAND(crash, "crash pagefault|divide|panic|stack|oom",
                "deliberately fail, to see the report", cmd_crash);
