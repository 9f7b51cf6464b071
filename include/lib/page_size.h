/*
 * page_size: the 4 KiB page, the one unit every layer shares — the mm cores count frames in
 * it, the x86 MMU maps it. It lives in the bottom layer so that both include/mm/page.h and
 * include/x86/mmu.h take it from here: the hardware-independent cores never include an x86
 * header, and include/x86 never reaches up into mm.
 */
#ifndef STRATA_LIB_PAGE_SIZE_H
#define STRATA_LIB_PAGE_SIZE_H

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1u << PAGE_SHIFT) /* 4 KiB */

#endif
