/*
 * pager: what supplies the pages of a VM area that is not plain anonymous memory
 * (mm/pager.c). The fault handler (mm/vm.c) asks an area's object for the page at an offset;
 * the object's pager supplies it. Seed 003's interface: fault (get a page), supply (the
 * provider fills it), pin/unpin (references on the object and on the page). Anonymous
 * memory needs no object (the fault handler zero-fills); shared-memory objects and a swap
 * device are to be more providers behind the same operations.
 *
 * Four providers. PRIVATE ANONYMOUS memory has no object: its pages come from
 * pager_anon_page (a fresh page charged to the process, zeroed or for the caller to fill:
 * demand-zero, copy-on-write copies, private copies of file pages); a swap device would be
 * the provider that supplies such a page again after paging it out. SHARED ANONYMOUS objects
 * (MAP_SHARED|MAP_ANONYMOUS, SysV shared memory, memfd): zero-filled pages made on first fault and
 * kept by the object, so every mapping of it, in any process, maps the same pages writable; freed
 * with its last reference (vm_object_put). MEMORY-BACKED FILES: bytes already in kernel memory for
 * good (an initramfs file, a program embedded in the kernel image). One object per distinct byte
 * range, found again by its address (vm_object_memory), so every process mapping the same
 * program shares one page cache: a page is filled (copied from the bytes, the tail past the
 * end zeroed) the first time any process faults it, then mapped read-only into every space
 * that reads it (PTE_FILE, include/mm/vm.h), and copied on a write. The cache holds one
 * reference of its own on each page; vm_object_shrink drops the pages nobody maps. PINNED
 * objects (vm_object_pinned): kernel pages handed in whole, e.g. the vvar pages every process
 * maps read-only; never filled or dropped.
 *
 * Commitment: a shared object charges its size in pages once, however many areas map it
 * (vm_object_stats.committed), from its creation or resize until its release; the overcommit
 * policy may refuse it (vm_commit_check: creation NULL, a resize -ENOMEM).
 *
 * Lifetime: an object counts its references (each VM area mapping it, each SysV id or open
 * file naming it); a shared object is freed with its pages when the last goes, a memory
 * object lives as long as the kernel (the bytes it describes do). Object pages are
 * kernel-owned (charged to no process), counted in vm_object_stats.
 *
 * Locking: one CPU; the cache slots are filled with interrupts masked around the check and
 * the store, so two processes faulting the same page both end with the one cached page. A
 * reader that masks interrupts may read cache[] and take references directly (the fault
 * handler's fault-around does: a slot cannot empty while interrupts are masked).
 */
#ifndef STRATA_MM_PAGER_H
#define STRATA_MM_PAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "mm/page.h"

struct vm_object;

struct pager_ops {
	const char *name;
	/*
	 * Supply page @pgoff of @obj: *@out gets the page with one reference taken for the
	 * caller (who maps it, and drops it with put_page). Returns 0, -EFAULT (@pgoff past the
	 * object's end) or -ENOMEM.
	 */
	int (*get_page)(struct vm_object *obj, uint32_t pgoff, struct page **out);
	/* The last reference is gone: free what the object holds (NULL: it is permanent). */
	void (*release)(struct vm_object *obj);
};

struct vm_object {
	const struct pager_ops *ops;
	const uint8_t *data; /* memory provider: the bytes (borrowed, permanent) */
	uint32_t size;       /* bytes */
	uint32_t npages;     /* pages covering size */
	struct page **cache; /* npages slots, NULL until the page is first supplied */
	uint32_t cached;     /* non-NULL slots */
	uint32_t refs;       /* references (areas, ids, files); see Lifetime */
	/* Shared objects: called by the release of the last reference, before the pages go
	 * (a SysV segment leaves its id table); NULL: nothing to tell. @owner_data is its. */
	void (*on_release)(struct vm_object *obj);
	void *owner_data;
	struct list_head link; /* the registry of memory objects */
};

struct vm_object_stats {
	uint32_t objects;   /* objects alive */
	uint32_t shmem;     /* pages held by shared anonymous objects (meminfo Shmem) */
	uint32_t committed; /* pages the shared objects' sizes charge (part of Committed_AS) */
	uint32_t cached;    /* pages in memory objects' caches */
	uint64_t fills;     /* pages filled from the bytes */
	uint64_t hits;      /* pages found in a cache */
	uint64_t shrunk;    /* pages dropped by vm_object_shrink */
};

/*
 * The object for the @size bytes at @data (kernel memory that is never freed), made on first
 * use and found again by @data and @size afterwards. NULL when out of memory or @size is 0.
 */
struct vm_object *vm_object_memory(const void *data, uint32_t size);

/*
 * The anonymous provider: a new private page charged to @owner, zeroed when @zero (else its
 * content is undefined: the caller fills it). NULL when out of memory or the owner's limit
 * refuses it.
 */
struct page *pager_anon_page(uint32_t owner, bool zero);

/*
 * A new shared anonymous object of @size bytes (pages zero-filled on first use; 0 is fine:
 * a memfd starts empty), with one reference for the caller. NULL when out of memory or
 * @size is more than 4 GiB.
 */
struct vm_object *vm_object_shared(uint64_t size);

/* Take one more reference to @obj. */
void vm_object_get(struct vm_object *obj);

/* Drop one reference to @obj; the last one releases it. NULL is a no-op. */
void vm_object_put(struct vm_object *obj);

/*
 * Resize the shared object @obj to @size bytes (ftruncate): growing adds zero pages to come,
 * shrinking drops the object's pages past the end (pages still mapped live until unmapped;
 * their addresses past the end fault as outside the object). 0, -ENOMEM, -EINVAL (not a
 * shared object).
 */
int vm_object_resize(struct vm_object *obj, uint64_t size);

/*
 * A permanent object over the @n kernel pages @pages (the vvar pages: data the kernel keeps
 * writing, which processes map read-only with VM_SHARED). Its cache holds the pages with the
 * reference each already has (the kernel's allocation): they are never filled, shrunk or
 * freed, and count in no page-cache or shmem figure. NULL when out of memory or @n is 0.
 */
struct vm_object *vm_object_pinned(struct page *const pages[], uint32_t n);

/* True for a shared anonymous object. */
bool vm_object_is_shared(const struct vm_object *obj);

/* Supply page @pgoff of @obj through its pager (contract of pager_ops.get_page). */
int vm_object_get_page(struct vm_object *obj, uint32_t pgoff, struct page **out);

/*
 * Page @pgoff of @obj if it is in the cache already, with one reference taken for the caller;
 * NULL otherwise (nothing is filled). For fault-around.
 */
struct page *vm_object_peek_page(struct vm_object *obj, uint32_t pgoff);

/*
 * Fill the page at @page (page-aligned, the direct map) with the @len bytes (0..PAGE_SIZE) at
 * object offset @off of memory object @obj (within it), and zeros after them. Cannot fail.
 */
void vm_object_read_page(const struct vm_object *obj, uint32_t off, void *page, uint32_t len);

/*
 * Drop the cached pages no space maps (only the cache's reference left), in every object.
 * Returns the number of pages freed.
 */
uint32_t vm_object_shrink(void);

/*
 * vm_object_shrink, then free every memory object only the registry references and whose
 * cache is empty (Linux's drop_caches: the next vm_object_memory makes it again). Only when
 * no process can hold an object it has not referenced yet (between vm_object_memory and its
 * area's reference): the power-off accounting calls it with no process left. Returns the
 * objects freed.
 */
uint32_t vm_object_drop_unused(void);

/* Pages in objects' caches that some page table maps (a reference beyond the object's). */
uint32_t vm_object_mapped_pages(void);

/* Current figures. */
void vm_object_get_stats(struct vm_object_stats *out);

#endif
