/* Shared helpers for the user-space tests in tests/user/: each t_*.c is built as a static
 * i386 Linux binary together with common.c, runs as /test/t_NAME under Strata (and, for
 * reference, natively on any Linux), prints its checks indented by four spaces in KTAP
 * subtest style ("    ok N desc" / "    not ok N desc") and exits with its number of
 * failures. */
#ifndef STRATA_USER_COMMON_H
#define STRATA_USER_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KERNEL_ADDR                                                                                \
	((void *)0xC0000000UL) /* first byte of Strata's (and Linux i386's) kernel half */
#define KERNEL_TOP ((void *)0xFFFFF000UL) /* last page of the address space */

/* Records one check; prints "    ok N fmt" or "    not ok N fmt". Returns cond (0 or 1). */
int check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records a skipped check: "    ok N fmt # SKIP" (the reason is part of fmt after '#'). */
void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A diagnostic line: "    # fmt". */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Checks that a raw syscall result r failed with errno err (r == -1, errno == err). */
int check_err(long r, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints the plan summary and returns the number of failures, the exit code of the test. */
int done(void);

/* uname().sysname is "Strata". */
int is_strata(void);
/* uname().machine is "x86_64" (an i386 binary running on a 64-bit Linux kernel). */
int is_x86_64_host(void);
/* sysinfo free RAM in bytes (freeram * mem_unit). */
unsigned long long free_ram_bytes(void);
/*
 * Free RAM in bytes after dropping the caches (writing 3 to /proc/sys/vm/drop_caches, when it
 * can): what a first run made for good in the kernel's slab and page caches is then no longer
 * counted, so a scenario that ran out of memory (the OOM path shrinks the caches itself) can
 * be compared exactly. Falls back to free_ram_bytes() without /proc.
 */
unsigned long long settled_free_ram(void);

/*
 * Check that free RAM is exactly @base now (after @what), on Strata; elsewhere print a SKIP:
 * only Strata promises an exact count (Linux's caches move it). Returns check()'s value.
 */
int check_free_ram_back(unsigned long long base, const char *what);
/*
 * Map every page of the program's own image (reads: file pages from the page cache, the zero
 * page for .bss) and grow the stack by 64 KiB, so that code first run after a baseline (a
 * check's formatting, strsignal's table) is not counted as memory the scenario kept.
 */
void prefault_image(void);

/* As check_free_ram_back, reading free RAM with settled_free_ram (the base must be one too). */
int check_settled_ram_back(unsigned long long base, const char *what);

/* Forks; the child runs fn(arg) then _exit(0). Returns the wait status (or -1 if fork/wait
 * failed). stdout is flushed first so the child cannot repeat buffered output. */
int run_child_arg(void (*fn)(void *), void *arg);
int run_child(void (*fn)(void));

/* Reads one byte from @fd, blocking until one comes (or EOF): a pipe used as a semaphore. */
void recv1(int fd);
/* waitpid(@pid, 0) retried on EINTR; the wait status, or -1. */
int wait_pid(pid_t pid);
/* True when wait status @st (from wait_pid or run_child) is exit 0. */
int clean(int st);

/* Human-readable wait status, e.g. "exit 3" or "signal 11 (Segmentation fault)". */
const char *status_str(int status);

/* Where the test binaries live (default /test; $STRATA_TEST_DIR overrides for host runs) and
 * the test data (default <test dir>/data; $STRATA_TEST_DATA overrides). */
const char *test_dir(void);
const char *data_dir(void);
/* <test dir>/name and <data dir>/name in a static buffer (one of 8 rotating buffers). */
const char *test_path(const char *name);
const char *data_path(const char *name);

/* The known content of <data>/hello.txt (see README). */
#define HELLO_TEXT "Hello from the Strata test data.\n"

/*
 * Make /proc available: mount it when it is not (Linux booted with rdinit= leaves that to
 * init). True when /proc/meminfo can be read. proc_unmount() undoes a mount made here (a
 * check line says so), so later tests find the system as it was.
 */
int proc_mount(void);
void proc_unmount(void);

/* The integer in the sysctl file @path (/proc/sys/...), or -1. */
int sysctl_get(const char *path);
/* Write @text to the sysctl file @path: the write's result (-1 with errno on failure). */
long sysctl_put(const char *path, const char *text);

/* Reads an entire fd into buf (at most cap bytes); returns the count or -1. */
long read_all(int fd, char *buf, size_t cap);

/* The number after @field at the start of a line of the file @path (e.g. "MemTotal:" in
 * /proc/meminfo, "oom_kill " in /proc/vmstat), or -1 when the file or the line is missing. */
long proc_number(const char *path, const char *field);

#endif
