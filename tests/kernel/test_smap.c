/*
 * Guest tests of SMEP and SMAP (include/x86/smap.h): when CPUID has them they are on in CR4;
 * with SMAP the copy helpers still reach a user page, while a plain kernel load from the same
 * page (here through an exception-table probe, so the fault is survivable) faults and is not
 * resolved. `make test` runs the guest suite once under `-cpu qemu32,+smep,+smap`; on a CPU
 * without them the tests check they stay off.
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "mm/layout.h"
#include "mm/uaccess.h"
#include "mm/vm.h"
#include "sched/owner.h"
#include "x86/cpu.h"
#include "x86/extable.h"
#include "x86/smap.h"

#define VA 0x40000000u

/* Load a word at user address @p WITHOUT opening user access (stac): -EFAULT when it faults. */
static int raw_load(const uint32_t *p, uint32_t *out)
{
	int err = 0;
	uint32_t v = 0;

	__asm__ volatile("1: movl (%2), %1\n"
	                 "2:\n\t"
	                 ".pushsection .text.fixup, \"ax\"\n"
	                 "3: movl %3, %0\n\t"
	                 "jmp 2b\n\t"
	                 ".popsection\n\t" EXTABLE_ENTRY(1b, 3b)
	                 : "+r"(err), "+r"(v)
	                 : "r"(p), "i"(-EFAULT));
	*out = v;
	return err;
}

static void cpuid7(uint32_t *ebx)
{
	uint32_t a, c, d, max;

	__asm__ volatile("cpuid" : "=a"(max), "=b"(*ebx), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	*ebx = 0;
	if (max >= 7)
		__asm__ volatile("cpuid" : "=a"(a), "=b"(*ebx), "=c"(c), "=d"(d) : "a"(7), "c"(0));
}

KTEST(smap, cr4_follows_cpuid)
{
	uint32_t ebx, cr4 = read_cr4();

	cpuid7(&ebx);
	KEXPECT_EQ(t, !!(cr4 & CR4_SMEP), !!(ebx & (1u << 7)));
	KEXPECT_EQ(t, !!(cr4 & CR4_SMAP), !!(ebx & (1u << 20)));
	KEXPECT_EQ(t, x86_smep_enabled, !!(ebx & (1u << 7)));
	KEXPECT_EQ(t, x86_smap_enabled, !!(ebx & (1u << 20)));
}

KTEST(smap, only_the_copy_helpers_reach_user_pages)
{
	struct owner *o = owner_create();
	struct vm_space *vm = o ? vm_create(o->id) : NULL;
	uint32_t magic = 0x5a5aa5a5u, got = 0, raw = 0;

	KASSERT(t, vm != NULL);
	KASSERT_EQ(t, vm_map(vm, VA, PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON | VM_MAP_POPULATE), 0);
	KASSERT_EQ(t, vm_write(vm, VA, &magic, sizeof(magic)), 0);

	uint32_t flags = irq_save(); /* the space is this task's only while interrupts are off */
	uint32_t cr3 = read_cr3();
	write_cr3(virt_to_phys(vm->pgdir));
	int helper = copy_from_user(&got, (const void *)VA, sizeof(got));
	int plain = raw_load((const uint32_t *)VA, &raw);
	write_cr3(cr3);
	irq_restore(flags);

	KEXPECT_EQ(t, helper, 0);
	KEXPECT_EQ(t, got, magic);
	if (x86_smap_enabled) {
		KEXPECT_EQ(t, plain, -EFAULT); /* SMAP stopped it, and nothing resolved it */
	} else {
		KEXPECT_EQ(t, plain, 0);
		KEXPECT_EQ(t, raw, magic);
	}
	vm_destroy(vm);
	owner_put(o);
}
