/*
 * memmap: the physical memory map, sanitized from the boot loader's (multiboot / e820-style)
 * entries, plus the named reservations the kernel carves out of it (mm/memmap.c).
 *
 * The sanitized map is a sorted list of non-overlapping, non-empty ranges below 4 GiB, each
 * with a type and, for the kernel's own reservations, a name. Adjacent ranges of the same
 * type and name are merged; where the boot loader's entries overlap, a reserved kind wins
 * over usable RAM (and among reserved kinds the higher type number wins: bad > ACPI NVS >
 * ACPI data > reserved). Ranges are byte-exact, as the firmware reported them; the frame
 * allocators use only the whole frames inside usable ranges (memmap_next_usable()).
 *
 * Storage is bounded: MEMMAP_MAX_RAW input entries are read (more are ignored with one log
 * line) and the map holds MEMMAP_MAX_RANGES ranges. 64 entries make at most 127 ranges, so
 * sanitizing never overflows; a reservation that might overflow fails with -ENOSPC and
 * leaves the map unchanged.
 *
 * Locking: none. The map is built and changed only during single-threaded boot; afterwards
 * it is read-only.
 */
#ifndef STRATA_MM_MEMMAP_H
#define STRATA_MM_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEMMAP_MAX_RAW    64  /* boot loader entries read */
#define MEMMAP_MAX_RANGES 128 /* ranges the sanitized map can hold */

/* Range types. 1..5 are the multiboot/ACPI codes; any other code reads as RESERVED. */
enum memmap_type {
	MEMMAP_USABLE = 1,       /* RAM the kernel may use */
	MEMMAP_RESERVED = 2,     /* firmware-reserved (also: any unknown type code) */
	MEMMAP_ACPI_RECLAIM = 3, /* ACPI tables ("ACPI data") */
	MEMMAP_ACPI_NVS = 4,     /* ACPI non-volatile storage */
	MEMMAP_BAD = 5,          /* defective RAM ("unusable") */
	MEMMAP_KERNEL = 6,       /* RAM the kernel reserved with memmap_reserve(); has a name */
};

/* One boot loader entry, as multiboot reports it (base and length in bytes). */
struct memmap_raw {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

/* One sanitized range: [base, end), end <= 4 GiB, base < end. */
struct memmap_range {
	uint64_t base;
	uint64_t end;     /* exclusive */
	uint32_t type;    /* enum memmap_type */
	const char *name; /* MEMMAP_KERNEL: the reservation's name (a string literal); else NULL */
};

/* Invariant: ranges[0..count) sorted by base, non-overlapping, no two mergeable neighbours. */
struct memmap {
	uint32_t count;
	uint64_t mem_limit; /* the mem= limit applied (0 = none) */
	struct memmap_range ranges[MEMMAP_MAX_RANGES];
};

/*
 * Build @map from the @count boot loader entries @raw (in any order, possibly overlapping).
 * Zero-length entries are dropped; an entry whose base + len wraps ends at 4 GiB; everything
 * at or above 4 GiB is ignored (one log line says how many entries were cut). @mem_limit,
 * from `mem=` (0 = none), works as Linux's: usable RAM at or above that physical address is
 * dropped (reserved ranges stay). Entries beyond MEMMAP_MAX_RAW are ignored with one log line.
 * Returns 0; -EINVAL when @map is NULL or @raw is NULL with @count > 0 (map untouched);
 * -ENOMEM when the result holds no whole usable frame (the map is still filled, to print).
 */
int memmap_sanitize(struct memmap *map, const struct memmap_raw *raw, uint32_t count,
                    uint64_t mem_limit);

/*
 * Reserve [@base, @base + @len) under @name (a string literal, e.g. "kernel image"): the usable
 * parts of the range become MEMMAP_KERNEL ranges; parts that are already reserved or not in the
 * map are left as they are. The range is clipped at 4 GiB.
 * Returns 0; -EINVAL for @len 0, a wrapping range, or a NULL @map/@name; -ENOSPC when the map
 * might run out of ranges (then it is unchanged).
 */
int memmap_reserve(struct memmap *map, uint64_t base, uint64_t len, const char *name);

/*
 * Find the lowest @size bytes of usable RAM aligned to @align (a power of two) inside
 * [@min_addr, @max_addr), reserve them under @name and store their address in *@base.
 * For the allocators' own metadata (the frame bitmap, the struct page array).
 * Returns 0; -EINVAL for size 0 or a bad alignment; -ENOMEM when nothing fits;
 * -ENOSPC as memmap_reserve().
 */
int memmap_alloc(struct memmap *map, uint64_t size, uint64_t align, uint64_t min_addr,
                 uint64_t max_addr, const char *name, uint64_t *base);

/*
 * Iterate over the usable RAM as whole frames: start with *@cursor = 0; each call stores the
 * next non-empty frame range [*@start_pfn, *@end_pfn) and returns true, false when done.
 */
bool memmap_next_usable(const struct memmap *map, uint32_t *cursor, uint32_t *start_pfn,
                        uint32_t *end_pfn);

/* Bytes of usable RAM in @map (byte-exact sum of the usable ranges). */
uint64_t memmap_usable_bytes(const struct memmap *map);

/* One past the highest whole usable frame: the number of frames the allocators must cover. */
uint32_t memmap_end_pfn(const struct memmap *map);

/* Linux's name for a range type: "usable", "reserved", "ACPI data", "ACPI NVS", "unusable". */
const char *memmap_type_name(uint32_t type);

/*
 * Print the map at LOG_INFO, one line per range, then the total:
 *   mm: [mem 0x0000000000000000-0x000000000009fbff] usable
 *   mm: [mem 0x0000000000100000-0x00000000001fffff] reserved (kernel image)
 *   mm: usable RAM: 130559 kB in 3 ranges
 */
void memmap_print(const struct memmap *map);

/*
 * Format one range as its memmap_print line without the "mm: " tag, e.g.
 * "[mem 0x0000000000100000-0x00000000001fffff] reserved (kernel image)".
 * Returns the length as ksnprintf does; MEMMAP_LINE_MAX always suffices.
 */
#define MEMMAP_LINE_MAX 96
int memmap_format_range(const struct memmap_range *r, char *buf, size_t size);

#endif
