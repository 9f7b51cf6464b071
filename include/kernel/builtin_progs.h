/*
 * builtin_progs: the test programs embedded in the kernel image, registered with exec as
 * /builtin/tiny_exit, /builtin/tiny_fault, /builtin/tiny_fork and /builtin/uhello (sources
 * in tests/kernel/uprog/). Transitional, until the initramfs provides /bin and /test.
 */
#ifndef STRATA_KERNEL_BUILTIN_PROGS_H
#define STRATA_KERNEL_BUILTIN_PROGS_H

/* Register them (boot, once). Failures are logged, not fatal. */
void builtin_progs_register(void);

#endif
