/*
 * tests/vdso/test_vdso.c: the vDSO's code run for real — a static i386 program (run directly
 * on the x86 host, `make host-test` as $(BUILD)/host/test_vdso) that maps
 * $(BUILD)/vdso/vdso.img (VDSO_IMAGE_PATH) with two hand-filled vvar pages below it, finds
 * the functions with elf_dynsym_lookup and calls them.
 *
 * Every call is single-stepped (EFLAGS.TF, a SIGTRAP per instruction), which makes it exact
 * and deterministic: rdtsc is emulated from `fake_tsc`, so each clock value is known in
 * advance (checked against vclock_subtick_ns, include/lib/vclock.h); a hook run before a
 * given instruction plays the kernel's writer mid-read (the sequence-counter tests); and the
 * instructions executed inside the vDSO are counted (the budgets: clock_gettime64 of
 * MONOTONIC <= 35, memstatus <= 39, each plus the caller's call). The system-call fallbacks
 * reach the host kernel (Linux), and the sigreturn trampolines return from real signals.
 */
#define _GNU_SOURCE
#include "htest.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "lib/elf.h"
#include "lib/vclock.h"
#include "lib/vvar.h"
#include "uapi/strata/memstatus.h"

#define PAGE           4096u
#define EFLAGS_TF      0x100u
#define BUDGET_MONO    35 /* instructions inside __vdso_clock_gettime64(CLOCK_MONOTONIC) */
#define BUDGET_MEMSTAT 39 /* inside __vdso_strata_memstatus (40 with the caller's call) */

struct kts {
	int64_t tv_sec;
	int64_t tv_nsec;
};
struct ts32 {
	int32_t tv_sec;
	int32_t tv_nsec;
};
struct tv32 {
	int32_t tv_sec;
	int32_t tv_usec;
};
struct tz32 {
	int32_t minuteswest;
	int32_t dsttime;
};

typedef int gettime64_fn(int32_t clk, struct kts *ts);
typedef int gettime_fn(int32_t clk, struct ts32 *ts);
typedef int gettimeofday_fn(struct tv32 *tv, struct tz32 *tz);
typedef int32_t time_fn(int32_t *t);

/* htest.c clears the printk capture before each test (tests/host/stubs.c); nothing here
 * goes through printk, so there is nothing to clear. */
void ht_log_clear(void)
{
}

static uint8_t *image; /* the mapped image */
static uint32_t image_size;
static uint8_t *image_file;       /* the file's bytes (for elf_dynsym_lookup) */
static struct vclock *vc;         /* image - 2 pages */
static struct vvar_memstatus *vm; /* image - 1 page */

static volatile uint64_t fake_tsc; /* what rdtsc returns inside the vDSO */
static volatile int steps;         /* instructions executed inside the vDSO */
static volatile int stepping;
static void (*volatile hook)(int step); /* called before instruction number `step` */

/* SIGTRAP after each instruction: count, hook, emulate rdtsc; TF off once back outside. */
static void on_trap(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	uint8_t *eip = (uint8_t *)(uintptr_t)g[REG_EIP];

	(void)sig;
	(void)si;
	if (eip < image || eip >= image + image_size) {
		if (stepping) {
			g[REG_EFL] &= ~(greg_t)EFLAGS_TF;
			stepping = 0;
		}
		return;
	}
	stepping = 1;
	steps++;
	if (hook)
		hook(steps);
	if (eip[0] == 0x0f && eip[1] == 0x31) { /* rdtsc: emulated, and the next one runs */
		g[REG_EAX] = (greg_t)(uint32_t)fake_tsc;
		g[REG_EDX] = (greg_t)(uint32_t)(fake_tsc >> 32);
		g[REG_EIP] += 2;
		steps++;
	}
}

/* Single-step from here until the first return out of the vDSO. */
static void step_on(void (*fn)(int))
{
	steps = 0;
	stepping = 0;
	hook = fn;
	__asm__ __volatile__("pushfl\n\torl $0x100, (%%esp)\n\tpopfl" ::: "memory", "cc");
}

/* The address of dynamic symbol @name in the mapped image (the test fails if absent). */
static void *vsym(const char *name)
{
	uint32_t v;

	if (elf_dynsym_lookup(image_file, image_size, name, &v) != 0) {
		fprintf(stderr, "vdso: no symbol %s\n", name);
		exit(1);
	}
	return image + v;
}

/* Map the image with its two vvar pages below (once, before the first test). */
__attribute__((constructor(101))) static void map_vdso(void)
{
	FILE *f = fopen(VDSO_IMAGE_PATH, "rb");
	struct sigaction sa;
	long size;
	uint8_t *area;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0) {
		fprintf(stderr, "vdso: cannot read %s\n", VDSO_IMAGE_PATH);
		exit(1);
	}
	rewind(f);
	image_size = (uint32_t)size;
	image_file = malloc(image_size);
	if (fread(image_file, 1, image_size, f) != image_size)
		exit(1);
	fclose(f);
	uint32_t pages = (image_size + PAGE - 1) / PAGE;
	area = mmap(NULL, (VVAR_PAGES + pages) * PAGE, PROT_READ | PROT_WRITE,
	            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		exit(1);
	vc = (struct vclock *)area;
	vm = (struct vvar_memstatus *)(area + PAGE);
	image = area + VVAR_PAGES * PAGE;
	memcpy(image, image_file, image_size);
	if (mprotect(image, pages * PAGE, PROT_READ | PROT_EXEC))
		exit(1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);
}

/* A clock page: seq 2, the given bases, tsc_base 1000, mult @mult. */
static void set_clock(uint32_t mult, uint32_t mono_sec, uint32_t mono_nsec, int64_t wall_sec,
                      uint32_t wall_nsec)
{
	memset(vc, 0, sizeof(*vc));
	vc->seq = 2;
	vc->mult = mult;
	vc->tsc_base = 1000;
	vc->mono_sec = mono_sec;
	vc->mono_nsec = mono_nsec;
	vc->wall_sec = wall_sec;
	vc->wall_nsec = wall_nsec;
}

/* What the clock @base reads at fake_tsc (vclock_subtick_ns is the reference). */
static void expected(enum vclock_base base, int64_t *sec, uint32_t *nsec)
{
	uint32_t ns = base == VCLOCK_MONO ? vc->mono_nsec : vc->wall_nsec;

	*sec = base == VCLOCK_MONO ? (int64_t)vc->mono_sec : vc->wall_sec;
	ns += vclock_subtick_ns(fake_tsc - vc->tsc_base, vc->mult);
	if (ns >= VCLOCK_NSEC_PER_SEC) {
		ns -= VCLOCK_NSEC_PER_SEC;
		++*sec;
	}
	*nsec = ns;
}

/* __vdso_clock_gettime64(@clk) single-stepped; the count in `steps`. */
static int gettime64(int32_t clk, struct kts *ts, void (*fn)(int))
{
	gettime64_fn *f = (gettime64_fn *)vsym("__vdso_clock_gettime64");

	memset(ts, 0x5a, sizeof(*ts));
	step_on(fn);
	return f(clk, ts);
}

HT_TEST(tick_base_exactly_when_mult_is_zero)
{
	static const int32_t mono[] = { 1, 4, 7, 6 }, wall[] = { 0, 11, 5 };
	struct kts ts;

	set_clock(0, 1234, 567890, 0x123456789LL, 999999999);
	fake_tsc = 1000 + (1ull << 40); /* far past the tick: still no sub-tick part */
	for (unsigned i = 0; i < sizeof(mono) / sizeof(mono[0]); i++) {
		HT_EXPECT_EQ(gettime64(mono[i], &ts, NULL), 0);
		HT_EXPECT_EQ(ts.tv_sec, 1234);
		HT_EXPECT_EQ(ts.tv_nsec, 567890); /* the high word too: 0 */
	}
	for (unsigned i = 0; i < sizeof(wall) / sizeof(wall[0]); i++) {
		HT_EXPECT_EQ(gettime64(wall[i], &ts, NULL), 0);
		HT_EXPECT_EQ(ts.tv_sec, 0x123456789LL);
		HT_EXPECT_EQ(ts.tv_nsec, 999999999);
	}
}

HT_TEST(sub_tick_part_follows_vclock)
{
	/* fake TSC - tsc_base, mult: the fast path, the high-word path (unclamped and clamped),
	 * 2^32 cycles or more, a TSC behind the tick, a carry into the seconds */
	static const struct {
		uint64_t cycles;
		uint32_t mult;
		uint32_t nsec; /* mono_nsec and wall_nsec */
	} cases[] = {
		{ 2500, 3u << 23, 10 },          /* 1.5 ns per cycle: 3750 ns */
		{ 999950, 1u << 24, 0 },         /* high word 0xF42, 999,950 ns: kept */
		{ 999999, 1u << 24, 0 },         /* the last kept value */
		{ 1000000, 1u << 24, 0 },        /* a whole tick: clamped */
		{ 1u << 20, 0xffffffffu, 5 },    /* a product >= 2^56: clamped */
		{ 1ull << 32, 1u << 24, 5 },     /* 2^32 cycles: clamped */
		{ (uint64_t)-5, 1u << 24, 5 },   /* the TSC behind the tick: clamped */
		{ 300000, 1u << 24, 999900000 }, /* carry: 999,900,000 + 300,000 */
	};
	gettime_fn *g32 = (gettime_fn *)vsym("__vdso_clock_gettime");
	gettimeofday_fn *gtod = (gettimeofday_fn *)vsym("__vdso_gettimeofday");
	struct kts ts;
	struct ts32 t32;
	struct tv32 tv;
	int64_t sec;
	uint32_t nsec;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_clock(cases[i].mult, 77, cases[i].nsec, 0xffffffffLL, cases[i].nsec);
		fake_tsc = vc->tsc_base + cases[i].cycles;
		expected(VCLOCK_MONO, &sec, &nsec);
		HT_EXPECT_EQ(gettime64(1, &ts, NULL), 0); /* assembly */
		HT_EXPECT_EQ(ts.tv_sec, sec);
		HT_EXPECT_EQ(ts.tv_nsec, nsec);
		HT_EXPECT_EQ(gettime64(7, &ts, NULL), 0); /* BOOTTIME: C, vclock_read */
		HT_EXPECT_EQ(ts.tv_sec, sec);
		HT_EXPECT_EQ(ts.tv_nsec, nsec);
		expected(VCLOCK_WALL, &sec, &nsec);
		HT_EXPECT_EQ(gettime64(0, &ts, NULL), 0); /* REALTIME: assembly, 64-bit seconds */
		HT_EXPECT_EQ(ts.tv_sec, sec);
		HT_EXPECT_EQ(ts.tv_nsec, nsec);
		step_on(NULL);
		HT_EXPECT_EQ(g32(11, &t32), 0); /* TAI through the 32-bit call */
		HT_EXPECT_EQ(t32.tv_sec, (int32_t)sec);
		HT_EXPECT_EQ(t32.tv_nsec, (int32_t)nsec);
		step_on(NULL);
		HT_EXPECT_EQ(gtod(&tv, NULL), 0);
		HT_EXPECT_EQ(tv.tv_sec, (int32_t)sec);
		HT_EXPECT_EQ(tv.tv_usec, (int32_t)(nsec / 1000));
	}
}

HT_TEST(clock_gettime64_within_budget)
{
	struct kts ts;

	set_clock(1u << 24, 5, 0, 5, 0);
	fake_tsc = vc->tsc_base + 1234;
	HT_EXPECT_EQ(gettime64(1, &ts, NULL), 0);
	printf("# __vdso_clock_gettime64(CLOCK_MONOTONIC): %d instructions\n", steps);
	HT_EXPECT(steps <= BUDGET_MONO);
	HT_EXPECT_EQ(gettime64(0, &ts, NULL), 0);
	printf("# __vdso_clock_gettime64(CLOCK_REALTIME): %d instructions\n", steps);
	HT_EXPECT(steps <= BUDGET_MONO + 4);
}

/* The writer, mid-read: at instruction 12 a tick begins (seq odd, new fields, as if the reader
 * interrupted it), at 150 it ends (other fields, seq even). The reader must return the last. */
static void clock_writer(int step)
{
	if (step == 12) {
		vc->seq = 3;
		vc->mono_sec = vc->wall_sec = 100; /* what an unfinished write shows */
	} else if (step == 150) {
		vc->mono_sec = vc->wall_sec = 200;
		vc->mono_nsec = vc->wall_nsec = 42;
		vc->seq = 4;
	}
}

/* A tick completes between the reader's two seq reads. */
static void clock_tick(int step)
{
	if (step == 12) {
		vc->mono_sec = vc->wall_sec = 300;
		vc->seq = 4;
	}
}

HT_TEST(clock_retries_under_the_sequence_counter)
{
	static const int32_t clocks[] = { 1, 0, 4, 11, 6 }; /* assembly, C and coarse */
	struct kts ts;

	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		set_clock(0, 5, 7, 5, 7);
		fake_tsc = vc->tsc_base;
		HT_EXPECT_EQ(gettime64(clocks[i], &ts, clock_writer), 0);
		HT_EXPECT_EQ(ts.tv_sec, 200); /* not 100, read while seq was odd */
		HT_EXPECT_EQ(ts.tv_nsec, 42);
		HT_EXPECT(steps > 150);
		set_clock(0, 5, 7, 5, 7);
		HT_EXPECT_EQ(gettime64(clocks[i], &ts, clock_tick), 0);
		HT_EXPECT_EQ(ts.tv_sec, 300);
		HT_EXPECT_EQ(ts.tv_nsec, 7);
	}
}

HT_TEST(gettimeofday_and_time)
{
	gettimeofday_fn *gtod = (gettimeofday_fn *)vsym("__vdso_gettimeofday");
	time_fn *tm = (time_fn *)vsym("__vdso_time");
	struct tv32 tv;
	struct tz32 tz = { 0x55, 0x55 };
	int32_t t = 0;

	set_clock(0, 1, 2, 0x1abcdef01LL, 123456789);
	fake_tsc = vc->tsc_base;
	step_on(NULL);
	HT_EXPECT_EQ(gtod(&tv, &tz), 0);
	HT_EXPECT_EQ(tv.tv_sec, (int32_t)0xabcdef01);
	HT_EXPECT_EQ(tv.tv_usec, 123456);
	HT_EXPECT_EQ(tz.minuteswest, 0);
	HT_EXPECT_EQ(tz.dsttime, 0);
	HT_EXPECT_EQ(gtod(NULL, NULL), 0);
	step_on(NULL);
	HT_EXPECT_EQ(tm(NULL), (int32_t)0xabcdef01);
	step_on(clock_tick); /* a tick mid-read: the new second */
	HT_EXPECT_EQ(tm(&t), 300);
	HT_EXPECT_EQ(t, 300);
}

HT_TEST(other_clocks_make_the_system_call)
{
	gettime_fn *g32 = (gettime_fn *)vsym("__vdso_clock_gettime");
	gettime_fn *res = (gettime_fn *)vsym("__vdso_clock_getres");
	struct kts ts;
	struct ts32 t32;

	HT_EXPECT_EQ(gettime64(2, &ts, NULL), 0); /* CLOCK_PROCESS_CPUTIME_ID: the host's */
	HT_EXPECT(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	HT_EXPECT_EQ(gettime64(100, &ts, NULL), -EINVAL);
	HT_EXPECT_EQ(gettime64(-1, &ts, NULL), -EINVAL); /* CPU clock of pid 0, PROF + 3: bad */
	HT_EXPECT_EQ(g32(100, &t32), -EINVAL);
	HT_EXPECT_EQ(g32(3, &t32), 0); /* CLOCK_THREAD_CPUTIME_ID */
	t32.tv_sec = -1;
	HT_EXPECT_EQ(res(1, &t32), 0);
	HT_EXPECT_EQ(t32.tv_sec, 0);
	HT_EXPECT_EQ(res(1, NULL), 0);
	HT_EXPECT_EQ(res(100, &t32), -EINVAL);
}

/* ---- memory status -------------------------------------------------------------------- */

static void fill_status(uint32_t first)
{
	uint32_t *w = (uint32_t *)&vm->status;

	for (unsigned i = 0; i < sizeof(vm->status) / 4; i++)
		w[i] = first + i;
}

static void status_writer(int step)
{
	if (step == 8) {
		vm->seq = 3;
		fill_status(5000);
	} else if (step == 150) {
		fill_status(9000);
		vm->seq = 4;
	}
}

static void status_tick(int step)
{
	if (step == 8) {
		fill_status(7000);
		vm->seq = 4;
	}
}

/* __vdso_strata_memstatus single-stepped into @out (filled with 0xee first). */
static int memstatus(struct strata_memstatus *out, void (*fn)(int))
{
	strata_memstatus_fn *f = (strata_memstatus_fn *)vsym("__vdso_strata_memstatus");

	memset(out, 0xee, sizeof(*out));
	step_on(fn);
	return f(out);
}

/* *@out holds words @first, @first + 1, ... for version 1's 13 words, the rest untouched. */
static void check_status(const struct strata_memstatus *out, uint32_t first)
{
	const uint32_t *w = (const uint32_t *)out;

	for (unsigned i = 0; i < VVAR_MEMSTATUS_WORDS; i++)
		HT_EXPECT_EQ(w[i], first + i);
	for (unsigned i = VVAR_MEMSTATUS_WORDS; i < sizeof(*out) / 4; i++)
		HT_EXPECT_EQ(w[i], 0xeeeeeeeeu);
}

HT_TEST(memstatus_copies_version_1)
{
	struct strata_memstatus st;

	vm->seq = 2;
	fill_status(1000);
	HT_EXPECT_EQ(memstatus(&st, NULL), 0);
	check_status(&st, 1000);
	printf("# __vdso_strata_memstatus: %d instructions\n", steps);
	HT_EXPECT(steps <= BUDGET_MEMSTAT);
	HT_EXPECT_EQ(memstatus(&st, status_writer), 0);
	check_status(&st, 9000); /* not 5000, copied while seq was odd */
	HT_EXPECT(steps > 150);
	vm->seq = 2;
	HT_EXPECT_EQ(memstatus(&st, status_tick), 0);
	check_status(&st, 7000);
}

/* ---- the signal-return trampolines, on the host kernel -------------------------------- */

struct kernel_sigaction32 {
	void *handler;
	uint32_t flags;
	void *restorer;
	uint32_t mask[2];
};
#define K_SA_SIGINFO  0x4u
#define K_SA_RESTORER 0x04000000u

static volatile int handled;

static void on_usr1(int sig)
{
	handled = sig;
}

/* Install on_usr1 for SIGUSR1 returning through @restorer, raise it, and see it return. */
static void signal_returns_through(const char *restorer, uint32_t flags)
{
	struct kernel_sigaction32 ka = {
		(void *)on_usr1, flags | K_SA_RESTORER, vsym(restorer), { 0, 0 }
	};
	int32_t marker = 0x1234;

	HT_ASSERT(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8) == 0);
	handled = 0;
	HT_ASSERT(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1) == 0);
	HT_EXPECT_EQ(handled, SIGUSR1);
	HT_EXPECT_EQ(marker, 0x1234); /* back, with the frame it left */
	signal(SIGUSR1, SIG_DFL);
}

HT_TEST(sigreturn_trampolines_return_from_handlers)
{
	signal_returns_through("__kernel_sigreturn", 0);
	signal_returns_through("__kernel_rt_sigreturn", K_SA_SIGINFO);
}
