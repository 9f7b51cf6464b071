/*
 * cmdline: the multiboot command line, parsed into the kernel's documented options.
 *
 *   loglevel=N          console loglevel 0..7 (default 6)
 *   test[=GLOB]         run the in-kernel tests matching GLOB ("*" when bare), then exit QEMU
 *   mem=SIZE[K|M|G]     use at most SIZE bytes of RAM (enforced by the memory map)
 *   memstat=SECONDS     print a one-line memory statistics record every SECONDS (0 = off)
 *   panic=halt|exit     what a panic does at the end: halt the CPU (default) or exit QEMU
 *                       through isa-debug-exit with the failure code
 *   debug_pagealloc     poison freed pages and check the poison on allocation
 *   init_on_alloc       zero every page when it is allocated
 *   slub_debug          slab red zones, poisoning and caller tracking
 *   vmcheck             audit every address space (include/mm/vmcheck.h) after each process
 *                       exit ("vmcheck: FAIL ..." lines) and after each in-kernel test (fails it)
 *   overcommit=MODE     the overcommit policy: heuristic (0, default), always (1), never (2)
 *                       (include/mm/commit.h, as Linux's vm.overcommit_memory)
 *   overcommit_ratio=N  CommitLimit's percentage of RAM in mode never (default 50, at most
 *                       CMDLINE_RATIO_MAX)
 *   fail_page_alloc=SPEC  fault injection into alloc_pages, as Linux's fail_page_alloc:
 *   failslab=SPEC         ... and into slab objects and kmalloc, as Linux's failslab. SPEC
 *                       (include/mm/failinject.h): "N" fails every Nth allocation made for a
 *                       user process, "P%" each with probability P; then ",seed=S",
 *                       ",times=N", ",pid=N" (e.g. "97", "5%,seed=42,pid=3"); never a
 *                       must-succeed allocation, never a kernel task's, not init's unless
 *                       named by pid=
 *   vdso=0|1            map the vDSO and [vvar] into every process (1, default) or not (0:
 *                       no AT_SYSINFO/AT_SYSINFO_EHDR; glibc then makes real system calls),
 *                       as Linux's vdso=/vdso32= on i386
 *   bench               run the in-kernel benchmarks (meant for `qemu -icount shift=0`), exit
 *   init=PATH           start PATH as the first process (pid 1) after boot; the monitor comes
 *                       up when it exits (an absolute path, 1..CMDLINE_INIT_MAX-1 chars)
 *   -- WORD...          every word after "--" is an argument for init, argv[1..] in order
 *                       (as Linux); not parsed as options. At most CMDLINE_INIT_ARGS words,
 *                       CMDLINE_MAX bytes in all (NULs included); each one past that is
 *                       ignored with one warning line.
 *
 * Unknown or malformed options produce one warning line each and are otherwise ignored.
 * Pure code: builds for the host tests.
 */
#ifndef STRATA_KERNEL_CMDLINE_H
#define STRATA_KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/failinject.h"

#define CMDLINE_MAX       256 /* bytes kept of the command line, NUL included */
#define CMDLINE_GLOB_MAX  64
#define CMDLINE_INIT_MAX  128
#define CMDLINE_INIT_ARGS 32 /* words after "--" kept for init */
#define CMDLINE_ARGS_SEP  "--"
#define CMDLINE_RATIO_MAX 1000u /* overcommit_ratio=: percent */

enum panic_action { PANIC_HALT, PANIC_EXIT };

struct boot_options {
	int loglevel; /* 0..7 */
	bool test;    /* run tests */
	char test_glob[CMDLINE_GLOB_MAX];
	uint64_t mem_limit;       /* bytes; 0 = no limit */
	uint32_t memstat_seconds; /* 0 = off */
	enum panic_action panic_action;
	bool debug_pagealloc;
	bool init_on_alloc;
	bool slub_debug;
	bool vmcheck;              /* run the auditor after each exit and each in-kernel test */
	int overcommit;            /* enum overcommit_mode (include/mm/commit.h) */
	uint32_t overcommit_ratio; /* percent */
	char fail_page_alloc[FAULT_SPEC_MAX]; /* fail_page_alloc=SPEC; "" = off */
	char failslab[FAULT_SPEC_MAX];        /* failslab=SPEC; "" = off */
	bool bench;                           /* run the benchmarks */
	bool vdso;                            /* vdso=: map the vDSO (default true) */
	char init_path[CMDLINE_INIT_MAX];     /* init=PATH; "" = none */
	int init_argc;                        /* words after "--": init's argv[1..init_argc] */
	char init_args[CMDLINE_MAX];          /* ... one after the other, each ending with a NUL */
};

/* Fill @opts with the defaults (what an empty command line means). */
void cmdline_defaults(struct boot_options *opts);

/*
 * Parse @cmdline (space-separated words; may be NULL) into @opts, which must hold the
 * defaults or an earlier parse. Each unknown or malformed word prints
 * "cmdline: ignoring ..." through printk and leaves @opts unchanged for that word.
 * Returns the number of words ignored.
 */
int cmdline_parse(const char *cmdline, struct boot_options *opts);

/*
 * Parse a size "SIZE[K|M|G]" (decimal, optional suffix, case-insensitive) into *@out bytes.
 * Returns 0, or -1 on an empty string, a non-digit, a bad suffix or overflow of 64 bits.
 */
int parse_size(const char *s, uint64_t *out);

/* Glob match with '*' (any run) and '?' (one char). */
bool glob_match(const char *pattern, const char *text);

/* The options in force, set once at boot by kmain. */
extern struct boot_options boot_opts;

#endif
