/*
 * random: the kernel's non-cryptographic random bytes (kernel/arch/random.c) for AT_RANDOM and
 * getrandom(2): a xorshift64* generator stirred with the time-stamp counter on every call.
 * Good enough for stack canaries in a test kernel; not for keys.
 */
#ifndef STRATA_X86_RANDOM_H
#define STRATA_X86_RANDOM_H

#include <stddef.h>

/* Fill @buf with @len random bytes. Cannot fail. */
void get_random_bytes(void *buf, size_t len);

#endif
