/*
 * strata/memstatus.h: the memory-status snapshot every Strata process can read without a system
 * call (user ABI; plain C, for user programs and the kernel alike).
 *
 *   #include <strata/memstatus.h>            (user programs: -I include/uapi)
 *   struct strata_memstatus st;
 *   strata_memstatus_fn *get = ...;          (the vDSO's __vdso_strata_memstatus, LINUX_2.6,
 *   get(&st);                                 looked up in the image AT_SYSINFO_EHDR names)
 *
 * __vdso_strata_memstatus(out) copies one consistent snapshot (taken under a sequence counter)
 * of the kernel's read-only memory-status page into *out and returns 0. It makes no system
 * call. @out must be writable memory (the vDSO cannot return -EFAULT: a bad pointer faults in
 * the caller, SIGSEGV, as with the vDSO's clock functions on Linux).
 *
 * ABI rules: the layout below is fixed. `version` is the first field forever; a later version
 * only adds fields, in what is `reserved` here, and raises `version`. The vDSO writes the
 * fields of the version it implements and leaves the rest of *out as it was, so a program
 * built against a later header must check `version` before it reads a later field.
 *
 * Freshness: the system figures are refreshed on every timer tick (1/1000 s), so they show an
 * allocation made anywhere within one tick; the process's own figures are the reader's own
 * (the page shows the running process's), refreshed on every tick and whenever it is
 * scheduled in. All sizes are kB (meminfo's unit); a limit with no value is
 * STRATA_MEMSTATUS_UNLIMITED.
 *
 * Pressure levels: the same thresholds and hysteresis as the kernel's serial lines ("mm:
 * memory pressure WARNING: ..."): WARNING from 80% of RAM in use, CRITICAL from 95%; back to
 * WARNING below 90%, to NORMAL below 75%. `level_changes` counts every transition since boot.
 */
#ifndef STRATA_UAPI_MEMSTATUS_H
#define STRATA_UAPI_MEMSTATUS_H

#include <stdint.h>

#define STRATA_MEMSTATUS_VERSION   1u
#define STRATA_MEMSTATUS_UNLIMITED 0xFFFFFFFFu

enum strata_pressure {
	STRATA_PRESSURE_NORMAL = 0,
	STRATA_PRESSURE_WARNING = 1,
	STRATA_PRESSURE_CRITICAL = 2,
};

struct strata_memstatus {
	uint32_t version; /* STRATA_MEMSTATUS_VERSION of the kernel that filled it */
	uint32_t ticks;   /* the tick of this snapshot's system figures (1/1000 s since boot) */
	/* the system */
	uint32_t total_kb;        /* MemTotal */
	uint32_t free_kb;         /* MemFree */
	uint32_t available_kb;    /* MemAvailable */
	uint32_t committed_kb;    /* Committed_AS */
	uint32_t commit_limit_kb; /* CommitLimit (enforced in overcommit mode 2 only) */
	uint32_t level;           /* enum strata_pressure */
	uint32_t level_changes;   /* pressure transitions since boot */
	/* the reading process */
	uint32_t rss_kb;            /* VmRSS */
	uint32_t proc_committed_kb; /* what it has charged to Committed_AS */
	uint32_t as_limit_kb;       /* RLIMIT_AS (soft), or UNLIMITED */
	uint32_t cap_kb;            /* the monitor's memory cap (`limit PID SIZE`), or UNLIMITED */
	uint32_t reserved[19];      /* for later versions; 128 bytes in all */
};

/* The vDSO function's type. */
typedef int strata_memstatus_fn(struct strata_memstatus *out);

#endif
