/* t_vdso: the vDSO as glibc and programs use it. The image AT_SYSINFO_EHDR names is a well-formed
 * ELF (parsed here, user/vdso.h) exporting __vdso_clock_gettime(64), __vdso_gettimeofday,
 * __vdso_time, __vdso_clock_getres (LINUX_2.6) and __kernel_vsyscall (= AT_SYSINFO),
 * __kernel_sigreturn, __kernel_rt_sigreturn (LINUX_2.5); /proc/self/maps shows one [vdso] r-xp
 * and one [vvar] r--p ending where it starts; the clocks read through the vDSO and by system
 * call interleave without going back and agree, and MONOTONIC advances; a handler installed
 * without SA_RESTORER (raw rt_sigaction, and glibc's sigaction, which adds none when a vDSO
 * exists) returns through __kernel_(rt_)sigreturn; writes to the vDSO and [vvar] pages are
 * SIGSEGV; fork keeps the vDSO, exec maps a working one. Strata only: the clocks cost no system
 * call (/proc/self/syscalls does not move over 30,000 glibc calls) and the memory-status page
 * (__vdso_strata_memstatus) matches /proc and follows a 32 MiB allocation in another process
 * within two ticks. On a Linux x86_64 host the data pages are [vvar] + [vvar_vclock]. */
#define _GNU_SOURCE
#include "common.h"
#include "../../user/vdso.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strata/memstatus.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

#define NS      1000000000LL
#define TICK_NS (10 * 1000000LL) /* one tick at Linux's lowest HZ (100); Strata's is 1 ms */
#define ROUNDS  1000

/* The kernel's i386 time structures (glibc's default time_t here is 32-bit too, but these
 * name the width each vDSO function and system call really uses). */
struct ts32 {
	int32_t sec, nsec;
};
struct ts64 {
	int64_t sec, nsec;
};
struct tv32 {
	int32_t sec, usec;
};
typedef int cg32_fn(clockid_t, struct ts32 *);
typedef int cg64_fn(clockid_t, struct ts64 *);
typedef int gtod_fn(struct tv32 *, void *);
typedef int32_t time_fn(int32_t *);

static struct vdso_image vd;
static const char *vd_err;
static cg64_fn *v_cg64;
static cg32_fn *v_cg32, *v_getres;
static gtod_fn *v_gtod;
static time_fn *v_time;
static uintptr_t k_vsyscall, k_sigreturn, k_rt_sigreturn;
static strata_memstatus_fn *v_memstatus;

/* ---- the image and the maps ------------------------------------------------------------- */

/* Opens the image of this process's AT_SYSINFO_EHDR and looks up every function the test
 * calls (NULL when absent). */
static void load_vdso(void)
{
	vd_err = vdso_open(&vd, getauxval(AT_SYSINFO_EHDR));
	if (vd_err)
		return;
	v_cg64 = vdso_sym(&vd, "__vdso_clock_gettime64", "LINUX_2.6", NULL);
	v_cg32 = vdso_sym(&vd, "__vdso_clock_gettime", "LINUX_2.6", NULL);
	v_getres = vdso_sym(&vd, "__vdso_clock_getres", "LINUX_2.6", NULL);
	v_gtod = vdso_sym(&vd, "__vdso_gettimeofday", "LINUX_2.6", NULL);
	v_time = vdso_sym(&vd, "__vdso_time", "LINUX_2.6", NULL);
	v_memstatus = vdso_sym(&vd, "__vdso_strata_memstatus", "LINUX_2.6", NULL);
	k_vsyscall = (uintptr_t)vdso_sym(&vd, "__kernel_vsyscall", "LINUX_2.5", NULL);
	k_sigreturn = (uintptr_t)vdso_sym(&vd, "__kernel_sigreturn", "LINUX_2.5", NULL);
	k_rt_sigreturn = (uintptr_t)vdso_sym(&vd, "__kernel_rt_sigreturn", "LINUX_2.5", NULL);
}

struct vmaps {
	int n_vdso, n_vvar;
	unsigned long vdso_lo, vdso_hi, vvar_lo, vvar_hi;
	unsigned long data_hi; /* end of [vvar] and an adjacent [vvar_vclock] (newer Linux) */
	char vdso_perm[5], vvar_perm[5], vclock_perm[5];
};

/* Reads /proc/self/maps into @m. Returns 0, or -1 when it cannot be read. */
static int read_maps(struct vmaps *m)
{
	static char buf[32768];
	unsigned long clk_lo = 0, clk_hi = 0;
	int fd = open("/proc/self/maps", O_RDONLY);
	long n = fd < 0 ? -1 : read_all(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	memset(m, 0, sizeof(*m));
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (char *line = buf, *next; line && *line; line = next) {
		unsigned long lo, hi;
		char perm[5] = "";
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perm) != 3)
			continue;
		const char *name = strrchr(line, ' ');
		name = name ? name + 1 : "";
		if (strcmp(name, "[vdso]") == 0) {
			m->n_vdso++, m->vdso_lo = lo, m->vdso_hi = hi;
			memcpy(m->vdso_perm, perm, 5);
		} else if (strcmp(name, "[vvar]") == 0) {
			m->n_vvar++, m->vvar_lo = lo, m->vvar_hi = hi;
			memcpy(m->vvar_perm, perm, 5);
		} else if (strcmp(name, "[vvar_vclock]") == 0) {
			clk_lo = lo, clk_hi = hi;
			memcpy(m->vclock_perm, perm, 5);
		}
	}
	m->data_hi = clk_lo && clk_lo == m->vvar_hi ? clk_hi : m->vvar_hi;
	return 0;
}

static void test_image(const struct vmaps *m)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	static const char *const v26[] = { "__vdso_clock_gettime", "__vdso_clock_gettime64",
		                           "__vdso_gettimeofday", "__vdso_time",
		                           "__vdso_clock_getres" };
	static const char *const v25[] = { "__kernel_vsyscall", "__kernel_sigreturn",
		                           "__kernel_rt_sigreturn" };

	check(base != 0, "AT_SYSINFO_EHDR is given (%#lx)", (unsigned long)base);
	if (!check(vd_err == NULL,
	           "it names a well-formed image: ELF32 i386 ET_DYN, one PT_LOAD, a PT_DYNAMIC, "
	           "no PT_TLS or DT_TEXTREL, tables inside the segment (%s)",
	           vd_err ? vd_err : "yes"))
		return;
	note("vDSO at %#lx, %lu bytes loaded, %u symbols, %s%s", (unsigned long)base,
	     (unsigned long)(vd.hi - vd.lo), vd.nsyms, vd.has_hash ? "DT_HASH " : "",
	     vd.has_gnu_hash ? "DT_GNU_HASH" : "");
	check(vd.versym != NULL, "the image has symbol versions (DT_VERSYM, DT_VERDEF)");
	for (unsigned i = 0; i < 5 + 3; i++) {
		const char *name = i < 5 ? v26[i] : v25[i - 5],
			   *ver = i < 5 ? "LINUX_2.6" : "LINUX_2.5";
		const Elf32_Sym *s = NULL;
		void *at = vdso_sym(&vd, name, ver, &s);
		check(at && ELF32_ST_TYPE(s->st_info) == STT_FUNC,
		      "%s@%s is a defined function in the image (%p)", name, ver, at);
	}
	uintptr_t sysinfo = getauxval(AT_SYSINFO);
	check(sysinfo && sysinfo == k_vsyscall,
	      "AT_SYSINFO (%#lx) is __kernel_vsyscall (%#lx), inside the image",
	      (unsigned long)sysinfo, (unsigned long)k_vsyscall);

	if (!check(m->n_vdso == 1 && m->n_vvar == 1,
	           "/proc/self/maps has exactly one [vdso] (%d) and one [vvar] (%d) line",
	           m->n_vdso, m->n_vvar))
		return;
	check(base >= m->vdso_lo && base < m->vdso_hi && vd.hi <= m->vdso_hi,
	      "[vdso] %#lx-%#lx holds AT_SYSINFO_EHDR and the whole loaded image", m->vdso_lo,
	      m->vdso_hi);
	if (m->data_hi != m->vvar_hi)
		note("[vvar] %#lx-%#lx is followed by [vvar_vclock] up to %#lx (Linux x86_64 host)",
		     m->vvar_lo, m->vvar_hi, m->data_hi);
	check(m->data_hi == m->vdso_lo, "the data pages ([vvar] %#lx-%#lx) end where [vdso] starts",
	      m->vvar_lo, m->vvar_hi);
	check(strcmp(m->vdso_perm, "r-xp") == 0 && strcmp(m->vvar_perm, "r--p") == 0,
	      "[vdso] is r-xp (%s), [vvar] r--p (%s)", m->vdso_perm, m->vvar_perm);
}

/* ---- clocks ------------------------------------------------------------------------------ */

static int64_t ns64(struct ts64 t)
{
	return t.sec * NS + t.nsec;
}

static int64_t ns32(struct ts32 t)
{
	return (int64_t)t.sec * NS + t.nsec;
}

/* The clock by system call (clock_gettime64, or the 32-bit clock_gettime when @old): ns. */
static int64_t sys_clock(clockid_t c, int old)
{
	struct ts64 t64 = { 0, 0 };
	struct ts32 t32 = { 0, 0 };

	if (old) {
		syscall(SYS_clock_gettime, c, &t32);
		return ns32(t32);
	}
	syscall(SYS_clock_gettime64, c, &t64);
	return ns64(t64);
}

/* The clock through the vDSO (__vdso_clock_gettime64, or __vdso_clock_gettime when @old): ns,
 * or -1 when the call fails. */
static int64_t vdso_clock(clockid_t c, int old)
{
	struct ts64 t64 = { 0, 0 };
	struct ts32 t32 = { 0, 0 };

	if (old)
		return v_cg32(c, &t32) == 0 ? ns32(t32) : -1;
	return v_cg64(c, &t64) == 0 ? ns64(t64) : -1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void test_clock_pair(clockid_t c, const char *name)
{
	static int64_t diff[2 * ROUNDS];
	int64_t prev = INT64_MIN, back_at = 0, back_by = 0;
	int backs = 0;

	for (int i = 0; i < ROUNDS; i++) {
		int64_t t[4] = { vdso_clock(c, 0), sys_clock(c, 0), vdso_clock(c, 1),
			         sys_clock(c, 1) };
		for (int k = 0; k < 4; k++) {
			if (t[k] < prev && backs++ == 0)
				back_at = i * 4 + k, back_by = prev - t[k];
			prev = t[k];
		}
		diff[2 * i] = llabs(t[1] - t[0]);
		diff[2 * i + 1] = llabs(t[3] - t[2]);
	}
	qsort(diff, 2 * ROUNDS, sizeof(diff[0]), cmp_i64);
	check(backs == 0,
	      "%s: %d readings alternating vDSO clock_gettime64, syscall clock_gettime64, vDSO "
	      "clock_gettime, syscall clock_gettime never go back (%d backs; first at %lld by %lld "
	      "ns)",
	      name, 4 * ROUNDS, backs, (long long)back_at, (long long)back_by);
	check(diff[ROUNDS] <= TICK_NS,
	      "%s: vDSO and system call agree within a tick (median |difference| %lld ns, "
	      "largest %lld ns)",
	      name, (long long)diff[ROUNDS], (long long)diff[2 * ROUNDS - 1]);
}

static void test_clocks(void)
{
	if (!check(v_cg64 && v_cg32 && v_gtod && v_time && v_getres,
	           "the vDSO clock functions can be called"))
		return;
	test_clock_pair(CLOCK_REALTIME, "CLOCK_REALTIME");
	test_clock_pair(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
	test_clock_pair(CLOCK_BOOTTIME, "CLOCK_BOOTTIME");

	/* gettimeofday and time between two readings of CLOCK_REALTIME. time may lag by a tick
	 * (Linux's vDSO returns the seconds of the last tick). */
	struct tv32 tv;
	struct timeval gtv;
	int64_t r1 = sys_clock(CLOCK_REALTIME, 0);
	int gr = v_gtod(&tv, NULL);
	gettimeofday(&gtv, NULL);
	int32_t vt = v_time(NULL);
	time_t gt = time(NULL);
	int64_t r2 = sys_clock(CLOCK_REALTIME, 0);
	int64_t g_ns = (int64_t)tv.sec * NS + tv.usec * 1000LL;
	int64_t gl_ns = (int64_t)gtv.tv_sec * NS + gtv.tv_usec * 1000LL;
	int64_t r1_us = r1 / 1000 * 1000;
	check(gr == 0 && g_ns >= r1_us && g_ns <= r2 && gl_ns >= g_ns && gl_ns <= r2,
	      "__vdso_gettimeofday and glibc's gettimeofday lie between two CLOCK_REALTIME "
	      "readings (%lld <= %lld <= %lld <= %lld ns)",
	      (long long)r1_us, (long long)g_ns, (long long)gl_ns, (long long)r2);
	check(vt >= (r1 - TICK_NS) / NS && vt <= r2 / NS && gt >= vt && gt <= r2 / NS,
	      "__vdso_time (%d) and glibc's time (%lld) are CLOCK_REALTIME's seconds (%lld..%lld)",
	      (int)vt, (long long)gt, (long long)((r1 - TICK_NS) / NS), (long long)(r2 / NS));

	struct ts32 res_v = { -1, -1 }, res_s = { -2, -2 };
	int rv = v_getres(CLOCK_MONOTONIC, &res_v);
	syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res_s);
	check(rv == 0 && res_v.sec == res_s.sec && res_v.nsec == res_s.nsec,
	      "__vdso_clock_getres(CLOCK_MONOTONIC) = the system call's (%d.%09d s)",
	      (int)res_v.sec, (int)res_v.nsec);
	struct ts64 junk;
	check(v_cg64(999, &junk) == -EINVAL,
	      "__vdso_clock_gettime64 of a clock that does not exist returns -EINVAL");
	struct ts64 cpu = { -1, -1 };
	int rc = v_cg64(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	check(rc == 0 && cpu.sec >= 0 && cpu.nsec >= 0 && cpu.nsec < NS,
	      "__vdso_clock_gettime64(CLOCK_PROCESS_CPUTIME_ID), which it hands to the kernel, "
	      "works (%lld.%09lld s)",
	      (long long)cpu.sec, (long long)cpu.nsec);

	/* MONOTONIC moves: spin until the system call's clock has moved 2 ms. */
	int64_t v0 = vdso_clock(CLOCK_MONOTONIC, 0), s0 = sys_clock(CLOCK_MONOTONIC, 0), s1;
	unsigned long spins = 0;
	do
		spins++;
	while ((s1 = sys_clock(CLOCK_MONOTONIC, 0)) - s0 < 2000000);
	int64_t v1 = vdso_clock(CLOCK_MONOTONIC, 0);
	check(v1 - v0 >= 2000000,
	      "the vDSO's CLOCK_MONOTONIC advances with the kernel's: +%lld ns while the system "
	      "call's moved +%lld ns (%lu readings)",
	      (long long)(v1 - v0), (long long)(s1 - s0), spins);
}

/* ---- no system calls (Strata: /proc/self/syscalls) --------------------------------------- */

/* This process's system call count from /proc/self/syscalls, read by raw open/read/close
 * (nothing else: a fixed cost per reading); -1 when the file cannot be read. */
static long syscall_count(void)
{
	char buf[32];
	long fd = syscall(SYS_open, "/proc/self/syscalls", O_RDONLY);

	if (fd < 0)
		return -1;
	long n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	syscall(SYS_close, fd);
	if (n <= 0 || buf[n - 1] != '\n')
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static void test_no_syscalls(void)
{
	if (!is_strata()) {
		skip("clock_gettime/gettimeofday make no system call # SKIP the system call count "
		     "(/proc/PID/syscalls) is Strata-only");
		return;
	}
	long c0 = syscall_count(), c1 = syscall_count();
	if (!check(c0 >= 0 && c1 > c0, "/proc/self/syscalls reads as a count that moves (%ld, %ld)",
	           c0, c1))
		return;
	long cost = c1 - c0;
	long a = syscall_count();
	for (int i = 0; i < 100; i++)
		getppid();
	long b = syscall_count();
	check(b - a == cost + 100, "100 getppid() move it by 100 (+%ld, a reading costs %ld)",
	      b - a, cost);

	struct timespec ts;
	struct timeval tv;
	a = syscall_count();
	for (int i = 0; i < 10000; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	for (int i = 0; i < 10000; i++)
		gettimeofday(&tv, NULL);
	for (int i = 0; i < 10000; i++)
		clock_gettime(CLOCK_REALTIME, &ts);
	b = syscall_count();
	check(b - a == cost,
	      "10,000 each of glibc's clock_gettime(MONOTONIC), gettimeofday, "
	      "clock_gettime(REALTIME) make no system call (%ld calls)",
	      b - a - cost);
	if (v_memstatus) {
		struct strata_memstatus st;
		a = syscall_count();
		for (int i = 0; i < 10000; i++)
			v_memstatus(&st);
		b = syscall_count();
		check(b - a == cost, "10,000 __vdso_strata_memstatus make no system call (%ld)",
		      b - a - cost);
	}
}

/* ---- signal handlers return through the vDSO --------------------------------------------- */

struct ksigaction { /* the kernel's struct sigaction for rt_sigaction */
	void *handler;
	unsigned long flags;
	void *restorer;
	uint32_t mask[2];
};

struct sig_result {
	uintptr_t ret; /* the handler's return address */
	int ran, after;
	unsigned long k_flags; /* the kernel's view of the action: flags, restorer */
	uintptr_t k_restorer;
};
static volatile struct sig_result *sres;

static void ret_plain(int sig)
{
	(void)sig;
	sres->ret = (uintptr_t)__builtin_return_address(0);
	sres->ran++;
}

static void ret_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	sres->ret = (uintptr_t)__builtin_return_address(0);
	sres->ran++;
}

#define SIG_RAW  1 /* installed by the raw rt_sigaction, no SA_RESTORER */
#define SIG_INFO 2 /* SA_SIGINFO */

/* In a child: install the handler as @mode says, raise SIGUSR1, note that it got back. */
static void sig_child(void *arg)
{
	int mode = (int)(intptr_t)arg;
	struct ksigaction k = { 0 }, old = { 0 };

	if (mode & SIG_RAW) {
		k.handler = mode & SIG_INFO ? (void *)ret_info : (void *)ret_plain;
		k.flags = mode & SIG_INFO ? SA_SIGINFO : 0;
		if (syscall(SYS_rt_sigaction, SIGUSR1, &k, NULL, 8) != 0)
			_exit(2);
	} else {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		if (mode & SIG_INFO)
			sa.sa_sigaction = ret_info, sa.sa_flags = SA_SIGINFO;
		else
			sa.sa_handler = ret_plain;
		if (sigaction(SIGUSR1, &sa, NULL) != 0)
			_exit(2);
	}
	if (syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8) != 0)
		_exit(3);
	sres->k_flags = old.flags;
	sres->k_restorer = (uintptr_t)old.restorer;
	raise(SIGUSR1);
	sres->after = 1;
	_exit(0);
}

static void test_sigreturn(const struct vmaps *m)
{
	static const char *const what[] = { "glibc sigaction, no SA_SIGINFO",
		                            "raw rt_sigaction without SA_RESTORER, no SA_SIGINFO",
		                            "glibc sigaction, SA_SIGINFO",
		                            "raw rt_sigaction without SA_RESTORER, SA_SIGINFO" };
	sres = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!check(sres != MAP_FAILED, "a shared page for the children's findings"))
		return;
	for (int mode = 0; mode < 4; mode++) {
		memset((void *)sres, 0, sizeof(*sres));
		int st = run_child_arg(sig_child, (void *)(intptr_t)mode);
		uintptr_t want = mode & SIG_INFO ? k_rt_sigreturn : k_sigreturn;
		const char *wname =
		    mode & SIG_INFO ? "__kernel_rt_sigreturn" : "__kernel_sigreturn";
		check(clean(st) && sres->ran == 1 && sres->after == 1,
		      "%s: the handler runs and the program goes on after raise() (%s)", what[mode],
		      status_str(st));
		check(want && sres->ret == want && sres->ret >= m->vdso_lo &&
		          sres->ret < m->vdso_hi,
		      "%s: the handler returns to %s in [vdso] (%#lx; %s at %#lx)", what[mode],
		      wname, (unsigned long)sres->ret, wname, (unsigned long)want);
		if (!(mode & SIG_RAW))
			check(!(sres->k_flags & SA_RESTORER) && sres->k_restorer == 0,
			      "%s: with a vDSO glibc sets no SA_RESTORER (kernel flags %#lx, "
			      "restorer %#lx)",
			      what[mode], sres->k_flags, (unsigned long)sres->k_restorer);
	}
	munmap((void *)sres, 4096);
}

/* ---- writes to the vDSO and [vvar] fault --------------------------------------------------- */

static sigjmp_buf jump;
static volatile siginfo_t fault;

static void jumper(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault = *si;
	siglongjmp(jump, sig);
}

/* Writes one byte at @p (the byte found there, when it can be read). The signal it raised
 * (with its siginfo in `fault`), or 0 when the write went through. */
static int try_write(volatile char *p)
{
	volatile char v = 0;

	if (sigsetjmp(jump, 1) == 0)
		v = *p; /* some Linux [vvar] pages fault even on read (SIGBUS): then write 0 */
	memset((void *)&fault, 0, sizeof(fault));
	int sig = sigsetjmp(jump, 1);
	if (sig == 0)
		*p = v;
	return sig;
}

static void test_write_faults(const struct vmaps *m)
{
	struct sigaction sa, old_segv, old_bus;

	if (!check(m->n_vdso == 1 && m->n_vvar == 1, "[vdso] and [vvar] found for the writes"))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = jumper;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	for (unsigned long pg = m->vvar_lo; pg < m->vdso_hi; pg += 4096) {
		int in_vdso = pg >= m->vdso_lo;
		if (!in_vdso && pg >= m->data_hi)
			continue;
		volatile char *p = (volatile char *)(pg + 8);
		int sig = try_write(p);
		int code_ok = fault.si_code == SEGV_ACCERR;
		check(sig == SIGSEGV && fault.si_addr == (void *)p && code_ok,
		      "a write to the %s page at %#lx: SIGSEGV (%d), si_addr %p, SEGV_ACCERR (%d)",
		      in_vdso ? "[vdso]" : (pg < m->vvar_hi ? "[vvar]" : "[vvar_vclock]"), pg, sig,
		      fault.si_addr, fault.si_code);
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
}

/* ---- fork and exec ----------------------------------------------------------------------- */

/* The checks an exec'd copy runs on its own vDSO: a bit per failure (0 = all hold). */
static int exec_child_checks(void)
{
	struct vmaps m;
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	int bad = 0;

	load_vdso();
	if (!base)
		return 1;
	if (vd_err || !v_cg64)
		bad |= 2;
	if (read_maps(&m) != 0 || m.n_vdso != 1 || base < m.vdso_lo || base >= m.vdso_hi)
		bad |= 4;
	else if (m.n_vvar != 1 || m.data_hi != m.vdso_lo)
		bad |= 8;
	if (!(bad & 2)) {
		int64_t s0 = sys_clock(CLOCK_MONOTONIC, 0), v = vdso_clock(CLOCK_MONOTONIC, 0),
			s1 = sys_clock(CLOCK_MONOTONIC, 0);
		if (!(s0 <= v && v <= s1))
			bad |= 16;
	}
	if (getauxval(AT_SYSINFO) != k_vsyscall || !k_vsyscall)
		bad |= 32;
	return bad;
}

struct fork_result {
	uintptr_t ehdr;
	unsigned long vdso_lo;
	int64_t s0, v, s1;
};

static void fork_child(void *arg)
{
	volatile struct fork_result *r = arg;
	struct vmaps m;

	r->ehdr = getauxval(AT_SYSINFO_EHDR);
	r->vdso_lo = read_maps(&m) == 0 && m.n_vdso == 1 ? m.vdso_lo : 0;
	if (v_cg64) {
		r->s0 = sys_clock(CLOCK_MONOTONIC, 0);
		r->v = vdso_clock(CLOCK_MONOTONIC, 0);
		r->s1 = sys_clock(CLOCK_MONOTONIC, 0);
	}
}

static void test_fork_exec(const struct vmaps *m)
{
	struct fork_result *r =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!check(r != MAP_FAILED, "a shared page for the fork child"))
		return;
	memset(r, 0, sizeof(*r));
	int st = run_child_arg(fork_child, r);
	check(clean(st) && r->ehdr == getauxval(AT_SYSINFO_EHDR) && r->vdso_lo == m->vdso_lo &&
	          m->vdso_lo != 0,
	      "a forked child has the parent's AT_SYSINFO_EHDR (%#lx) and [vdso] (%#lx)",
	      (unsigned long)r->ehdr, r->vdso_lo);
	check(v_cg64 && r->s0 <= r->v && r->v <= r->s1,
	      "the vDSO's CLOCK_MONOTONIC works in the child (%lld between %lld and %lld)",
	      (long long)r->v, (long long)r->s0, (long long)r->s1);
	munmap(r, 4096);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char *const argv[] = { "t_vdso", "--exec-child", NULL };
		execv(test_path("t_vdso"), argv);
		_exit(127);
	}
	st = wait_pid(pid);
	int bad = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	check(bad == 0,
	      "an exec'd program gets a working vDSO: AT_SYSINFO_EHDR%s, a well-formed image%s, "
	      "[vdso] holding it%s, [vvar] below it%s, the clock%s, AT_SYSINFO%s (%s)",
	      bad > 0 && bad & 1 ? " (MISSING)" : "", bad > 0 && bad & 2 ? " (NOT)" : "",
	      bad > 0 && bad & 4 ? " (NOT)" : "", bad > 0 && bad & 8 ? " (NOT)" : "",
	      bad > 0 && bad & 16 ? " (WRONG)" : "", bad > 0 && bad & 32 ? " (WRONG)" : "",
	      status_str(st));
}

/* ---- the memory-status page (Strata) ----------------------------------------------------- */

/* A snapshot taken once the page's tick has advanced @n ticks past the current one (an
 * event: the kernel's next update). Returns 0, or -1 when it did not advance within 5 s of
 * the system call's clock (a hang guard, not a measure). */
static int snapshot_after(unsigned n, struct strata_memstatus *st)
{
	v_memstatus(st);
	uint32_t t0 = st->ticks;
	int64_t deadline = sys_clock(CLOCK_MONOTONIC, 0) + 5 * NS;
	while (st->ticks - t0 < n) {
		if (sys_clock(CLOCK_MONOTONIC, 0) > deadline)
			return -1;
		v_memstatus(st);
	}
	return 0;
}

/* The child of the allocation check: writes 32 MiB, says so on @ready, waits for @go. */
static void touch_child(int ready, int go)
{
	size_t size = 32u << 20;
	volatile char *p =
	    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(2);
	for (size_t i = 0; i < size; i += 4096)
		p[i] = 1;
	if (write(ready, "r", 1) != 1)
		_exit(3);
	recv1(go);
	_exit(0);
}

static void test_memstatus(void)
{
	struct strata_memstatus st, st1, st2;

	if (!is_strata()) {
		skip("the memory-status page # SKIP __vdso_strata_memstatus is Strata-only%s",
		     v_memstatus ? " (yet this vDSO has it)" : "");
		return;
	}
	if (!check(v_memstatus != NULL, "__vdso_strata_memstatus@LINUX_2.6 is in the vDSO"))
		return;
	memset(&st, 0xAB, sizeof(st));
	int r = v_memstatus(&st);
	check(r == 0 && st.version == STRATA_MEMSTATUS_VERSION && st.reserved[0] == 0xABABABABu &&
	          st.reserved[18] == 0xABABABABu,
	      "it returns 0, version %u, and leaves the reserved words alone", st.version);
	long total = proc_number("/proc/meminfo", "MemTotal:");
	check((long)st.total_kb == total, "total_kb %u = MemTotal %ld", st.total_kb, total);
	check(st.free_kb <= st.total_kb && st.available_kb <= st.total_kb && st.free_kb > 0,
	      "free %u and available %u kB are within the total", st.free_kb, st.available_kb);
	check(st.level <= STRATA_PRESSURE_CRITICAL, "level %u is normal, warning or critical",
	      st.level);

	prefault_image();
	for (int pass = 0; pass < 2; pass++) { /* the first pass maps what the second uses */
		long rss = proc_number("/proc/self/status", "VmRSS:");
		if (snapshot_after(1, &st1) != 0)
			check(0, "the page's tick advances (stuck at %u)", st1.ticks);
		else if (pass == 1)
			check((long)st1.rss_kb == rss, "rss_kb %u = VmRSS %ld after the next tick",
			      st1.rss_kb, rss);
	}

	struct rlimit old, lim;
	getrlimit(RLIMIT_AS, &old);
	uint32_t want = old.rlim_cur == RLIM_INFINITY ? STRATA_MEMSTATUS_UNLIMITED
	                                              : (uint32_t)(old.rlim_cur / 1024);
	snapshot_after(1, &st1);
	check(st1.as_limit_kb == want, "as_limit_kb %#x is RLIMIT_AS (%#x)", st1.as_limit_kb, want);
	lim = old;
	lim.rlim_cur = 1u << 30;
	setrlimit(RLIMIT_AS, &lim);
	snapshot_after(1, &st1);
	setrlimit(RLIMIT_AS, &old);
	snapshot_after(1, &st2);
	check(st1.as_limit_kb == 1u << 20 && st2.as_limit_kb == want,
	      "as_limit_kb follows setrlimit(RLIMIT_AS) by the next tick: 1 GiB -> %u kB, back "
	      "-> %#x",
	      st1.as_limit_kb, st2.as_limit_kb);

	/* Another process takes 32 MiB: seen within two ticks, and gone after it exits. */
	const uint32_t mb32 = 32 * 1024, slack = 1024; /* kB; slack: caches the kernel may shed */
	int fds[4];
	if (pipe(fds) != 0 || pipe(fds + 2) != 0) {
		check(0, "pipes: %s", strerror(errno));
		return;
	}
	struct strata_memstatus b;
	snapshot_after(1, &b);
	if (!check(b.free_kb > 2 * mb32, "free memory %u kB leaves room for 32 MiB", b.free_kb))
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]), close(fds[3]);
		touch_child(fds[1], fds[2]);
	}
	close(fds[1]), close(fds[2]);
	recv1(fds[0]);
	snapshot_after(2, &st1);
	check(b.free_kb - st1.free_kb >= mb32 - slack,
	      "a child's 32 MiB written: free_kb fell by %d kB (>= %u) within two ticks",
	      (int)(b.free_kb - st1.free_kb), mb32 - slack);
	check(st1.committed_kb - b.committed_kb >= mb32, "committed_kb rose by %d kB (>= %u)",
	      (int)(st1.committed_kb - b.committed_kb), mb32);
	if (write(fds[3], "g", 1) != 1)
		note("release write: %s", strerror(errno));
	int wst = wait_pid(pid);
	close(fds[0]), close(fds[3]);
	snapshot_after(2, &st2);
	check(clean(wst) && st2.free_kb + 512 >= b.free_kb,
	      "after the child is reaped free_kb is back within 512 kB (%u, was %u; child %s)",
	      st2.free_kb, b.free_kb, status_str(wst));
}

/* True when the kernel command line (/proc/cmdline) has the word @w. */
static int proc_cmdline_has(const char *w)
{
	char buf[1024];
	int fd = open("/proc/cmdline", O_RDONLY);
	long n = fd < 0 ? -1 : read_all(fd, buf, sizeof(buf) - 1);
	size_t len = strlen(w);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (char *p = strstr(buf, w); p; p = strstr(p + 1, w))
		if ((p == buf || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return 1;
	return 0;
}

static volatile sig_atomic_t novdso_caught;
static void novdso_handler(int sig)
{
	novdso_caught = sig;
}

/* Booted with vdso=0 (Strata; Linux's vdso32=0): no vDSO at all, and glibc still works. */
static int test_no_vdso(const struct vmaps *m)
{
	struct timespec a, b;
	struct sigaction sa = { .sa_handler = novdso_handler };

	check(getauxval(AT_SYSINFO_EHDR) == 0 && getauxval(AT_SYSINFO) == 0,
	      "vdso=0: no AT_SYSINFO_EHDR and no AT_SYSINFO");
	check(m->n_vdso == 0 && m->n_vvar == 0, "vdso=0: no [vdso] and no [vvar] in maps (%d, %d)",
	      m->n_vdso, m->n_vvar);
	long before = proc_number("/proc/self/syscalls", "");
	int ok = clock_gettime(CLOCK_MONOTONIC, &a) == 0 && clock_gettime(CLOCK_MONOTONIC, &b) == 0;
	long after = proc_number("/proc/self/syscalls", "");
	check(ok && (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec)),
	      "vdso=0: glibc's clock_gettime works and does not go back");
	check(before >= 0 && after > before + 2,
	      "vdso=0: those clock_gettime calls are system calls (%ld -> %ld)", before, after);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	check(novdso_caught == SIGUSR1, "vdso=0: a glibc sigaction handler runs and returns");
	return done();
}

int main(int argc, char **argv)
{
	struct vmaps m;

	if (argc == 2 && strcmp(argv[1], "--exec-child") == 0)
		return exec_child_checks();
	setvbuf(stdout, NULL, _IOLBF, 0);
	int mounted = proc_mount();
	if (is_strata() && !getauxval(AT_SYSINFO_EHDR) && proc_cmdline_has("vdso=0")) {
		read_maps(&m);
		int rc = test_no_vdso(&m);
		proc_unmount();
		return rc;
	}
	load_vdso();
	if (read_maps(&m) != 0)
		check(0, "/proc/self/maps can be read (%s)", mounted ? "mounted" : "no /proc");
	test_image(&m);
	test_clocks();
	test_no_syscalls();
	test_sigreturn(&m);
	test_write_faults(&m);
	test_fork_exec(&m);
	test_memstatus();
	proc_unmount();
	return done();
}
