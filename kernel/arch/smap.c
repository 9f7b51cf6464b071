/*
 * smap: turn on SMEP and SMAP when the CPU has them (contract in include/x86/smap.h).
 * CPUID leaf 7, subleaf 0: EBX bit 7 SMEP, bit 20 SMAP (Intel SDM vol. 2A, CPUID).
 */
#include "x86/smap.h"

#include "lib/printk.h"
#include "x86/cpu.h"

#define CPUID_EBX7_SMEP (1u << 7)
#define CPUID_EBX7_SMAP (1u << 20)

uint8_t x86_smap_enabled, x86_smep_enabled;

static void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
                        uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

void cpu_protect_init(void)
{
	uint32_t max, a, b, c, d;

	cpuid_count(0, 0, &max, &b, &c, &d);
	if (max < 7) {
		pr_info("cpu: no SMEP/SMAP (CPUID leaf 7 absent)\n");
		return;
	}
	cpuid_count(7, 0, &a, &b, &c, &d);
	uint32_t cr4 = read_cr4();
	if (b & CPUID_EBX7_SMEP)
		cr4 |= CR4_SMEP;
	if (b & CPUID_EBX7_SMAP)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
	x86_smep_enabled = (b & CPUID_EBX7_SMEP) != 0;
	x86_smap_enabled = (b & CPUID_EBX7_SMAP) != 0;
	pr_info("cpu: SMEP %s, SMAP %s\n", x86_smep_enabled ? "on" : "absent",
	        x86_smap_enabled ? "on" : "absent");
}
