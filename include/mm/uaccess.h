/*
 * uaccess: the only way kernel code touches user memory (mm/uaccess.c).
 *
 * Each helper first checks the whole range against the user half: a range that starts in
 * the NULL page (below USER_NULL_LIMIT), reaches KERNEL_BASE or wraps around 4 GiB is refused
 * with -EFAULT before any byte is read or written. The copy itself runs on the current
 * address space (CR3); a page that is absent is first offered to the page-fault policy
 * (demand-zero inside a VM area); if that fails, the faulting instruction is in the
 * exception table (include/x86/extable.h), so the copy stops and the helper returns -EFAULT
 * — never a panic. CR0.WP is set, so a write to a read-only user page faults the same way.
 * A copy that fails may have transferred a prefix of the bytes.
 *
 * Context: process context (may be called with interrupts on or off).
 */
#ifndef STRATA_MM_UACCESS_H
#define STRATA_MM_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USER_NULL_LIMIT 0x1000u /* the NULL page: never a valid user pointer */

/* True when [@uaddr, @uaddr + @n) lies in user space as defined above (@n 0: true). */
bool user_range_ok(uintptr_t uaddr, size_t n);

/* Copy @n bytes from user @usrc to kernel @dst. Returns 0 or -EFAULT. */
int copy_from_user(void *dst, const void *usrc, size_t n);

/* Copy @n bytes from kernel @src to user @udst. Returns 0 or -EFAULT. */
int copy_to_user(void *udst, const void *src, size_t n);

/* Zero @n bytes of user memory at @udst. Returns 0 or -EFAULT. */
int clear_user(void *udst, size_t n);

/*
 * Copy the NUL-terminated user string @usrc into @dst (at most @n bytes, NUL included).
 * Returns its length without the NUL (dst terminated), @n when no NUL was found in the
 * first @n bytes (dst then not terminated: the caller reports ENAMETOOLONG or E2BIG), or
 * -EFAULT. A string that ends just before an unmapped page or KERNEL_BASE is fine.
 */
long strncpy_from_user(char *dst, const char *usrc, size_t n);

/*
 * Length of the user string @usrc without its NUL, looking at most @max bytes: @max when no
 * NUL was found among them, or -EFAULT.
 */
long strnlen_user(const char *usrc, size_t max);

/* Read/write one 32-bit word of user memory. Return 0 or -EFAULT. */
int get_user_u32(uint32_t *val, const void *uaddr);
int put_user_u32(void *uaddr, uint32_t val);

#endif
