/*
 * proc_files: the texts of /proc/PID/stat, statm, status, cmdline, comm, limits, oom_score and
 * oom_score_adj in Linux 6.1's formats for i386 (see include/sched/proc_files.h; maps and
 * smaps_rollup are sched/proc_maps.c). Each is one function over a struct proc and its
 * address space, called with interrupts off, writing into a seqbuf.
 *
 * Sizes come from struct vm_space as Linux's task_mem computes them from mm_struct: VmSize =
 * total_vm, VmRSS = rss_pages (RssFile the private file pages, RssShmem the shared objects',
 * RssAnon the rest), VmData = data_vm, VmStk = the stack as grown, VmExe = the text segment,
 * VmLib = executable areas beyond it, VmPTE = page tables, VmPeak/VmHWM the peaks.
 */
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/page_size.h"
#include "lib/string.h"
#include "mm/oom.h"
#include "mm/vm.h"
#include "sched/oom.h"
#include "sched/proc_files.h"
#include "sched/resource.h"
#include "x86/timer.h"

#define PROC_USER_HZ    100u /* clock_t units (USER_HZ) */
#define KB_PER_PAGE     (PAGE_SIZE / 1024u)
#define EXIT_SIGNAL     SIGCHLD
#define PRIO_NORMAL     20 /* stat's priority of a SCHED_OTHER task at nice 0 */
#define COMM_WRITE_MAX  (PROC_NAME_MAX - 1u)
#define OOM_ADJ_BUF_MAX 12u /* Linux's PROC_NUMBUF - 1 bytes of a write are parsed */

/* Ticks (HZ) in clock_t units. */
static unsigned long long clock_t_of(uint64_t ticks)
{
	return ticks * PROC_USER_HZ / HZ;
}

/* The stack's pages as grown. */
static uint32_t stack_pages(const struct vm_space *vm)
{
	return vm->stack_low < vm->stack_top
	           ? (uint32_t)((vm->stack_top - vm->stack_low) >> PAGE_SHIFT)
	           : 0;
}

/* The text segment's pages (Linux: PAGE_ALIGN(end_code) - (start_code & PAGE_MASK)). */
static uint32_t text_pages(const struct vm_space *vm)
{
	if (vm->end_code <= vm->start_code)
		return 0;
	return (
	    uint32_t)((ALIGN_UP(vm->end_code, PAGE_SIZE) - ALIGN_DOWN(vm->start_code, PAGE_SIZE)) >>
	              12);
}

/* Pages of executable, not writable areas but the stack (Linux's exec_vm). */
static uint32_t exec_pages(const struct vm_space *vm)
{
	const struct vm_area *a;
	uint32_t n = 0;

	list_for_each_entry(a, &vm->areas.head, link) if ((a->prot & VM_EXEC) &&
	                                                  !(a->prot & VM_WRITE) &&
	                                                  !(a->flags & VM_GROWSDOWN)) n +=
	    (uint32_t)((a->end - a->start) >> PAGE_SHIFT);
	return n;
}

/* The signals @p ignores (SIG_IGN) or catches (a handler), bit sig - 1. */
static void sig_sets(const struct proc *p, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		uint32_t h = p->sig_action[sig].handler;
		if (h == SIG_IGN_HANDLER)
			*ign |= 1ULL << (sig - 1);
		else if (h != SIG_DFL_HANDLER)
			*cgt |= 1ULL << (sig - 1);
	}
}

void proc_show_stat(struct seqbuf *s, struct proc *p)
{
	const struct vm_space *vm = p->vm;
	const struct proc_res *r = &p->res;
	uint64_t ign, cgt;
	char state = proc_state_char(p);

	sig_sets(p, &ign, &cgt);
	seq_printf(s, "%d (%s) %c %d %d %d 0 -1 0 %u 0 0 0 ", p->pid, p->comm, state,
	           proc_getppid(p), p->pgid, p->sid, vm ? vm->min_flt : 0u);
	seq_printf(s, "%llu %llu %llu %llu %d %d 1 0 %llu ", clock_t_of(r->utime),
	           clock_t_of(r->stime), clock_t_of(r->cutime), clock_t_of(r->cstime),
	           PRIO_NORMAL + r->nice, r->nice, clock_t_of(p->start_tick));
	seq_printf(s, "%llu %u %u ", vm ? (unsigned long long)vm_size_bytes(vm) : 0ULL,
	           vm ? vm->rss_pages : 0u, r->rlim[RLIMIT_RSS].cur);
	seq_printf(s, "%u %u %u 0 0 ", vm ? (unsigned)vm->start_code : 0u,
	           vm ? (unsigned)vm->end_code : 0u, vm ? (unsigned)vm->start_stack : 0u);
	seq_printf(s, "%u %u %u %u %d 0 0 %d 0 0 0 0 0 0 ", (uint32_t)p->sig_pending & 0x7fffffffu,
	           (uint32_t)p->sigmask & 0x7fffffffu, (uint32_t)ign & 0x7fffffffu,
	           (uint32_t)cgt & 0x7fffffffu, state == 'S', EXIT_SIGNAL);
	if (vm)
		seq_printf(s, "%u %u %u %u %u %u %u ", (unsigned)vm->start_data,
		           (unsigned)vm->end_data, (unsigned)vm->brk_start, (unsigned)vm->arg_start,
		           (unsigned)vm->arg_end, (unsigned)vm->env_start, (unsigned)vm->env_end);
	else
		seq_printf(s, "0 0 0 0 0 0 0 ");
	seq_printf(s, "%d\n", p->state == PROC_ZOMBIE ? p->wait_status : 0);
}

void proc_show_statm(struct seqbuf *s, struct proc *p)
{
	const struct vm_space *vm = p->vm;

	if (!vm) {
		seq_printf(s, "0 0 0 0 0 0 0\n");
		return;
	}
	seq_printf(s, "%u %u %u %u 0 %u 0\n", vm->total_vm, vm->rss_pages,
	           vm->rss_file + vm->rss_shmem, text_pages(vm), vm->data_vm + stack_pages(vm));
}

/* One "Name:\t%8u kB" line of status. */
static void kb_line(struct seqbuf *s, const char *name, uint32_t pages)
{
	seq_printf(s, "%s:\t%8u kB\n", name, pages * KB_PER_PAGE);
}

/* status's Vm and Rss lines (Linux's task_mem), for a process with an address space. */
static void status_mem(struct seqbuf *s, const struct vm_space *vm)
{
	uint32_t text = text_pages(vm), exec = exec_pages(vm);

	kb_line(s, "VmPeak", vm_peak_vm(vm));
	kb_line(s, "VmSize", vm->total_vm);
	kb_line(s, "VmLck", 0);
	kb_line(s, "VmPin", 0);
	kb_line(s, "VmHWM", vm_peak_rss(vm));
	kb_line(s, "VmRSS", vm->rss_pages);
	kb_line(s, "RssAnon", vm->rss_pages - vm->rss_file - vm->rss_shmem);
	kb_line(s, "RssFile", vm->rss_file);
	kb_line(s, "RssShmem", vm->rss_shmem);
	kb_line(s, "VmData", vm->data_vm);
	kb_line(s, "VmStk", stack_pages(vm));
	kb_line(s, "VmExe", text);
	kb_line(s, "VmLib", exec > text ? exec - text : 0);
	kb_line(s, "VmPTE", vm->pt_pages);
	kb_line(s, "VmSwap", 0);
	seq_printf(s, "HugetlbPages:\t%8u kB\nCoreDumping:\t0\nTHP_enabled:\t1\n", 0u);
}

static const char *state_name(char state)
{
	return state == 'Z' ? "Z (zombie)" : state == 'S' ? "S (sleeping)" : "R (running)";
}

void proc_show_status(struct seqbuf *s, struct proc *p)
{
	uint64_t ign, cgt;

	sig_sets(p, &ign, &cgt);
	seq_printf(s, "Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n",
	           p->comm, state_name(proc_state_char(p)), p->pid, p->pid);
	seq_printf(s, "PPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
	           proc_getppid(p));
	seq_printf(s, "FDSize:\t%d\nGroups:\t \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
	           p->state == PROC_ZOMBIE ? 0 : 32, p->pid, p->pid, p->pgid, p->sid);
	if (p->vm)
		status_mem(s, p->vm);
	seq_printf(s, "Threads:\t1\nSigQ:\t0/%u\n", p->res.rlim[RLIMIT_SIGPENDING].cur);
	seq_printf(s, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n",
	           (unsigned long long)p->sig_pending, 0ULL, (unsigned long long)p->sigmask);
	seq_printf(s, "SigIgn:\t%016llx\nSigCgt:\t%016llx\n", (unsigned long long)ign,
	           (unsigned long long)cgt);
	seq_printf(s, "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
	              "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
	              "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
	              "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tvulnerable\n"
	              "SpeculationIndirectBranch:\talways enabled\nCpus_allowed:\t1\n"
	              "Cpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
	seq_printf(s, "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t0\n",
	           p->state == PROC_RUNNING && p->task ? (unsigned long long)p->task->switches
	                                               : 0ULL);
}

void proc_show_cmdline(struct seqbuf *s, struct proc *p)
{
	const struct vm_space *vm = p->vm;
	char chunk[128];

	if (!vm)
		return;
	for (uintptr_t at = vm->arg_start; at < vm->arg_end;) {
		size_t want = MIN(sizeof(chunk), (size_t)(vm->arg_end - at));
		size_t got = vm_read(vm, at, chunk, want);
		seq_write(s, chunk, got);
		if (got < want)
			break;
		at += got;
	}
}

void proc_show_comm(struct seqbuf *s, struct proc *p)
{
	seq_printf(s, "%s\n", p->comm);
}

long proc_write_comm(struct proc *p, const char *buf, size_t len)
{
	if (p != proc_current())
		return -EINVAL;
	size_t n = MIN(len, (size_t)COMM_WRITE_MAX);
	memcpy(p->comm, buf, n);
	p->comm[n] = '\0';
	if (p->task)
		kstrlcpy(p->task->name, p->comm, sizeof(p->task->name));
	return (long)len;
}

/* Linux's names and units of the limits, in RLIMIT_* order. */
static const struct {
	const char *name, *unit;
} limit_names[RLIM_NLIMITS] = {
	{ "Max cpu time", "seconds" },     { "Max file size", "bytes" },
	{ "Max data size", "bytes" },      { "Max stack size", "bytes" },
	{ "Max core file size", "bytes" }, { "Max resident set", "bytes" },
	{ "Max processes", "processes" },  { "Max open files", "files" },
	{ "Max locked memory", "bytes" },  { "Max address space", "bytes" },
	{ "Max file locks", "locks" },     { "Max pending signals", "signals" },
	{ "Max msgqueue size", "bytes" },  { "Max nice priority", NULL },
	{ "Max realtime priority", NULL }, { "Max realtime timeout", "us" },
};

/* One limit value of the table, as "%-20s " (unlimited) or "%-20lu ". */
static void limit_value(struct seqbuf *s, uint32_t v)
{
	if (v == RLIM_INFINITY)
		seq_printf(s, "%-20s ", "unlimited");
	else
		seq_printf(s, "%-20u ", v);
}

void proc_show_limits(struct seqbuf *s, struct proc *p)
{
	seq_printf(s, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		seq_printf(s, "%-25s ", limit_names[i].name);
		limit_value(s, p->res.rlim[i].cur);
		limit_value(s, p->res.rlim[i].max);
		if (limit_names[i].unit)
			seq_printf(s, "%-10s\n", limit_names[i].unit);
		else
			seq_write(s, "\n", 1);
	}
}

void proc_show_oom_score(struct seqbuf *s, struct proc *p)
{
	uint64_t total = oom_total_pages();
	struct oom_candidate c = {
		.rss_pages = p->vm ? p->vm->rss_pages : 0,
		.pt_pages = p->vm ? p->vm->pt_pages : 0,
		.adj = p->oom_score_adj,
		.unkillable = proc_is_init(p) || p->oom_victim || !p->vm,
	};

	seq_printf(s, "%u\n", oom_score_scaled(oom_badness(&c, total), total));
}

void proc_show_oom_score_adj(struct seqbuf *s, struct proc *p)
{
	seq_printf(s, "%d\n", p->oom_score_adj);
}

/* Parse @buf as kstrtoint(strstrip(buf), 0) does (decimal, 0x hex, 0 octal; a sign). */
static bool parse_int(const char *buf, int *out)
{
	const char *e = buf + strlen(buf);
	bool neg = false;
	unsigned base = 10;
	uint64_t v = 0;

	while (*buf == ' ' || (*buf >= '\t' && *buf <= '\r'))
		buf++;
	while (e > buf && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r')))
		e--;
	if (buf < e && (*buf == '-' || *buf == '+'))
		neg = *buf++ == '-';
	if (e - buf > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		base = 16;
		buf += 2;
	} else if (e - buf > 1 && buf[0] == '0') {
		base = 8;
	}
	if (buf == e)
		return false;
	for (; buf < e; buf++) {
		unsigned d = (*buf >= '0' && *buf <= '9')   ? (unsigned)(*buf - '0')
		             : (*buf >= 'a' && *buf <= 'f') ? (unsigned)(*buf - 'a' + 10)
		             : (*buf >= 'A' && *buf <= 'F') ? (unsigned)(*buf - 'A' + 10)
		                                            : 99u;
		if (d >= base || (v = v * base + d) > 0x80000000ULL)
			return false;
	}
	if (!neg && v > 0x7fffffffULL)
		return false;
	*out = neg ? (int)(0 - v) : (int)v;
	return true;
}

long proc_write_oom_score_adj(struct proc *p, const char *buf, size_t len)
{
	char tmp[OOM_ADJ_BUF_MAX + 1];
	size_t n = MIN(len, (size_t)OOM_ADJ_BUF_MAX);
	int v;

	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	if (!parse_int(tmp, &v) || v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	p->oom_score_adj = (int16_t)v;
	return (long)len;
}
