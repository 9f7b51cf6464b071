/*
 * memmap: sanitize the boot loader's physical memory map and carve named reservations.
 *
 * Design. Firmware maps can be unsorted, overlapping, contain zero-length or wrapping
 * entries and describe memory above 4 GiB. Rather than sorting and patching entries, the
 * sanitizer sweeps the address line: each entry is first normalized (wrap -> ends at 4 GiB,
 * clipped at 4 GiB, usable RAM clipped at the mem= limit, unknown type -> reserved), then,
 * starting at address 0, the sweep finds the next boundary (any entry's base or end above the
 * cursor) and the winning type of the piece [cursor, boundary) — the highest type code among
 * the entries covering it, so every reserved kind beats usable RAM. Pieces are appended in
 * address order, merging with the previous piece when they touch and have the same type.
 * With n <= 64 entries that is at most 2n pieces and O(n^2) work, needs no scratch storage
 * (so no big stack frame), and the output is sorted and non-overlapping by construction.
 *
 * Reservations (memmap_reserve) split the usable ranges they overlap into up to three pieces
 * in place, then a merge pass joins touching ranges of equal type and name.
 *
 * All address arithmetic is 64-bit and checked for overflow; every end is <= 4 GiB after
 * normalization, so sums of a range end and a page size cannot overflow.
 */
#include "mm/memmap.h"

#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/page.h"

#define KIB_SHIFT   10
#define NO_BOUNDARY UINT64_MAX /* sweep: no boundary above the cursor */

/* A boot loader entry after normalization: [base, end) below 4 GiB, known type. */
struct norm_entry {
	uint64_t base;
	uint64_t end;
	uint32_t type;
};

/* What normalizing an entry had to cut, for the one-line reports. */
struct norm_cuts {
	uint32_t above_4g; /* entries with a part at or above 4 GiB */
	uint32_t limited;  /* usable entries with a part at or above the mem= limit */
};

/*
 * Normalize @e into *@out. Returns false when nothing of it remains (zero length, entirely at
 * or above 4 GiB, or usable RAM entirely above @limit). Counts what was cut in *@cuts if
 * @cuts is not NULL.
 */
static bool normalize(const struct memmap_raw *e, uint64_t limit, struct norm_entry *out,
                      struct norm_cuts *cuts)
{
	uint64_t base = e->base;
	uint64_t end;

	if (e->len == 0)
		return false;
	/* A wrapping entry claims the rest of the address space; that ends at 4 GiB here. */
	end = e->len > UINT64_MAX - base ? UINT64_MAX : base + e->len;
	if (end > PHYS_LIMIT) {
		if (cuts)
			cuts->above_4g++;
		end = PHYS_LIMIT;
	}
	if (base >= end)
		return false;
	out->type = (e->type >= MEMMAP_USABLE && e->type <= MEMMAP_BAD) ? e->type : MEMMAP_RESERVED;
	if (out->type == MEMMAP_USABLE && limit != 0 && end > limit) {
		if (cuts)
			cuts->limited++;
		end = limit;
		if (base >= end)
			return false;
	}
	out->base = base;
	out->end = end;
	return true;
}

static bool names_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* True when ranges @a and @b (a before b) touch and can be one range. */
static bool mergeable(const struct memmap_range *a, const struct memmap_range *b)
{
	return a->end == b->base && a->type == b->type && names_equal(a->name, b->name);
}

/* Append [base, end) of @type to @map, merging with the last range. Capacity is guaranteed
 * by the caller (the sweep makes at most 2 * MEMMAP_MAX_RAW - 1 pieces). */
static void append_range(struct memmap *map, uint64_t base, uint64_t end, uint32_t type)
{
	struct memmap_range *last = map->count ? &map->ranges[map->count - 1] : NULL;

	if (last && last->end == base && last->type == type && last->name == NULL) {
		last->end = end;
		return;
	}
	BUG_ON(map->count >= MEMMAP_MAX_RANGES);
	map->ranges[map->count].base = base;
	map->ranges[map->count].end = end;
	map->ranges[map->count].type = type;
	map->ranges[map->count].name = NULL;
	map->count++;
}

/* Does @map hold at least one whole usable frame? */
static bool has_usable_frame(const struct memmap *map)
{
	uint32_t cursor = 0, start, end;

	return memmap_next_usable(map, &cursor, &start, &end);
}

int memmap_sanitize(struct memmap *map, const struct memmap_raw *raw, uint32_t count,
                    uint64_t mem_limit)
{
	struct norm_cuts cuts = { 0, 0 };
	struct norm_entry n;
	uint32_t used = count;
	uint64_t cur = 0;

	if (map == NULL || (raw == NULL && count > 0))
		return -EINVAL;
	if (used > MEMMAP_MAX_RAW) {
		pr_warn("mm: memory map has %u entries; ignoring all but the first %u\n", count,
		        MEMMAP_MAX_RAW);
		used = MEMMAP_MAX_RAW;
	}
	map->count = 0;
	map->mem_limit = mem_limit;

	for (uint32_t i = 0; i < used; i++)
		normalize(&raw[i], mem_limit, &n, &cuts);
	if (cuts.above_4g)
		pr_info("mm: ignoring memory at or above 4 GiB (%u map entries cut)\n",
		        cuts.above_4g);
	if (cuts.limited)
		pr_info("mm: mem= limit: ignoring usable RAM at or above 0x%llx\n",
		        (unsigned long long)mem_limit);

	/* The sweep: each step classifies [cur, next boundary above cur). */
	for (;;) {
		uint64_t next = NO_BOUNDARY;
		uint32_t best = 0;

		for (uint32_t i = 0; i < used; i++) {
			if (!normalize(&raw[i], mem_limit, &n, NULL))
				continue;
			if (n.base > cur) {
				next = MIN(next, n.base);
			} else if (n.end > cur) {
				next = MIN(next, n.end);
				best = MAX(best, n.type);
			}
		}
		if (next == NO_BOUNDARY)
			break;
		if (best != 0)
			append_range(map, cur, next, best);
		cur = next;
	}

	if (!has_usable_frame(map)) {
		pr_err("mm: memory map has no usable RAM\n");
		return -ENOMEM;
	}
	return 0;
}

/* Join every pair of touching ranges with equal type and name. */
static void merge_pass(struct memmap *map)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < map->count; i++) {
		if (out > 0 && mergeable(&map->ranges[out - 1], &map->ranges[i]))
			map->ranges[out - 1].end = map->ranges[i].end;
		else
			map->ranges[out++] = map->ranges[i];
	}
	map->count = out;
}

int memmap_reserve(struct memmap *map, uint64_t base, uint64_t len, const char *name)
{
	uint64_t end;
	uint32_t need = 0;

	if (map == NULL || name == NULL || len == 0 || len > UINT64_MAX - base)
		return -EINVAL;
	if (base >= PHYS_LIMIT)
		return 0; /* nothing of it is in the map */
	end = MIN(base + len, PHYS_LIMIT);

	/* Count the extra pieces first, so a failure leaves the map unchanged. */
	for (uint32_t i = 0; i < map->count; i++) {
		const struct memmap_range *r = &map->ranges[i];

		if (r->type != MEMMAP_USABLE || r->end <= base || r->base >= end)
			continue;
		need += (r->base < base) + (r->end > end);
	}
	if (map->count + need > MEMMAP_MAX_RANGES) {
		pr_err("mm: memory map full: cannot reserve %s\n", name);
		return -ENOSPC;
	}

	for (uint32_t i = 0; i < map->count; i++) {
		struct memmap_range r = map->ranges[i];
		struct memmap_range piece[3];
		uint32_t pieces = 0;

		if (r.type != MEMMAP_USABLE || r.end <= base || r.base >= end)
			continue;
		if (r.base < base)
			piece[pieces++] =
			    (struct memmap_range){ r.base, base, MEMMAP_USABLE, NULL };
		piece[pieces++] = (struct memmap_range){ MAX(r.base, base), MIN(r.end, end),
			                                 MEMMAP_KERNEL, name };
		if (r.end > end)
			piece[pieces++] = (struct memmap_range){ end, r.end, MEMMAP_USABLE, NULL };
		memmove(&map->ranges[i + pieces], &map->ranges[i + 1],
		        (map->count - i - 1) * sizeof(map->ranges[0]));
		memcpy(&map->ranges[i], piece, pieces * sizeof(piece[0]));
		map->count += pieces - 1;
		i += pieces - 1;
	}
	merge_pass(map);
	return 0;
}

int memmap_alloc(struct memmap *map, uint64_t size, uint64_t align, uint64_t min_addr,
                 uint64_t max_addr, const char *name, uint64_t *base)
{
	if (map == NULL || base == NULL || size == 0 || align == 0 || (align & (align - 1)))
		return -EINVAL;
	for (uint32_t i = 0; i < map->count; i++) {
		const struct memmap_range *r = &map->ranges[i];
		uint64_t lo = MAX(r->base, min_addr);
		uint64_t hi = MIN(r->end, max_addr);

		if (r->type != MEMMAP_USABLE || lo > UINT64_MAX - (align - 1))
			continue;
		lo = ALIGN_UP(lo, align);
		if (lo >= hi || hi - lo < size)
			continue;
		int err = memmap_reserve(map, lo, size, name);
		if (err)
			return err;
		*base = lo;
		return 0;
	}
	return -ENOMEM;
}

bool memmap_next_usable(const struct memmap *map, uint32_t *cursor, uint32_t *start_pfn,
                        uint32_t *end_pfn)
{
	for (uint32_t i = *cursor; i < map->count; i++) {
		const struct memmap_range *r = &map->ranges[i];
		uint32_t s = PFN_UP(r->base);
		uint32_t e = PFN_DOWN(r->end);

		if (r->type != MEMMAP_USABLE || s >= e)
			continue;
		*cursor = i + 1;
		*start_pfn = s;
		*end_pfn = e;
		return true;
	}
	*cursor = map->count;
	return false;
}

uint64_t memmap_usable_bytes(const struct memmap *map)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < map->count; i++)
		if (map->ranges[i].type == MEMMAP_USABLE)
			total += map->ranges[i].end - map->ranges[i].base;
	return total; /* <= 4 GiB: ranges are disjoint and below 4 GiB */
}

uint32_t memmap_end_pfn(const struct memmap *map)
{
	uint32_t cursor = 0, start, end, last = 0;

	while (memmap_next_usable(map, &cursor, &start, &end))
		last = end;
	return last;
}

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case MEMMAP_USABLE:
		return "usable";
	case MEMMAP_ACPI_RECLAIM:
		return "ACPI data";
	case MEMMAP_ACPI_NVS:
		return "ACPI NVS";
	case MEMMAP_BAD:
		return "unusable";
	default:
		return "reserved"; /* MEMMAP_RESERVED, MEMMAP_KERNEL */
	}
}

int memmap_format_range(const struct memmap_range *r, char *buf, size_t size)
{
	if (r->name)
		return ksnprintf(buf, size, "[mem 0x%016llx-0x%016llx] %s (%s)",
		                 (unsigned long long)r->base, (unsigned long long)(r->end - 1),
		                 memmap_type_name(r->type), r->name);
	return ksnprintf(buf, size, "[mem 0x%016llx-0x%016llx] %s", (unsigned long long)r->base,
	                 (unsigned long long)(r->end - 1), memmap_type_name(r->type));
}

void memmap_print(const struct memmap *map)
{
	uint32_t usable = 0;
	char line[MEMMAP_LINE_MAX];

	for (uint32_t i = 0; i < map->count; i++) {
		memmap_format_range(&map->ranges[i], line, sizeof(line));
		pr_info("mm: %s\n", line);
		usable += map->ranges[i].type == MEMMAP_USABLE;
	}
	pr_info("mm: usable RAM: %llu kB in %u ranges\n",
	        (unsigned long long)(memmap_usable_bytes(map) >> KIB_SHIFT), usable);
}
