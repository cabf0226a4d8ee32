// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM physical memory: allocations of pages, and wrappers of memory
 * allocated elsewhere (sg tables, page arrays, MMIO ranges).
 */

#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "vcm_internal.h"

/*
 * Every vcm_alloc() allocation, for vcm_offline_range() to find the ones
 * in a physical range. Taken outside any vcm_phys's lock.
 */
LIST_HEAD(vcm_owned);
DEFINE_SPINLOCK(vcm_owned_lock);

/* Page sizes vcm_alloc() uses without a context. */
#define VCM_DEFAULT_PGSIZES	(PAGE_SIZE | SZ_64K | SZ_2M)

static struct vcm_phys *vcm_phys_new(struct vcm *vcm, unsigned int count)
{
	struct vcm_phys *phys;

	if (vcm_should_fail())
		return NULL;
	/* Thousands of parts when memory is fragmented: may need vmalloc. */
	phys = kvzalloc(struct_size(phys, parts, count),
			GFP_KERNEL | __GFP_NOWARN);
	if (!phys)
		return NULL;
	phys->count = count;
	spin_lock_init(&phys->lock);
	INIT_LIST_HEAD(&phys->bindings);
	INIT_LIST_HEAD(&phys->owned_node);
	vcm_count(&vcm_nr_phys, 1);
	return phys;
}

/* Free the pages of a part made by vcm_alloc(). */
void vcm_part_free_pages(const struct vcm_phys_part *part)
{
	unsigned long i;

	vcm_count(&vcm_nr_pages, -(long)(part->size >> PAGE_SHIFT));
	if (part->size == PAGE_SIZE << part->order) {
		__free_pages(part->page, part->order);
		return;
	}
	/* A contiguous part was split into order-0 pages. */
	for (i = 0; i < part->size >> PAGE_SHIFT; i++)
		__free_page(nth_page(part->page, i));
}

/* Allocate one contiguous, split part of @size bytes. */
static int vcm_alloc_contig(u64 size, gfp_t gfp, struct vcm_phys_part *part)
{
	unsigned int order = get_order(size);
	unsigned long i, nr = size >> PAGE_SHIFT;
	struct page *page;

	if (order > MAX_PAGE_ORDER)
		return -E2BIG;
	if (vcm_should_fail())
		return -ENOMEM;
	page = alloc_pages(gfp | __GFP_NOWARN, order);
	if (!page)
		return -ENOMEM;
	split_page(page, order);
	for (i = nr; i < 1UL << order; i++)
		__free_page(nth_page(page, i));
	part->page = page;
	part->start = page_to_phys(page);
	part->size = size;
	part->order = 0;
	vcm_count(&vcm_nr_pages, nr);
	return 0;
}

/*
 * Allocate memory of the same shape as @old, a part made by vcm_alloc():
 * one block of the same order, or the same number of contiguous split
 * pages, so that the IOMMU maps it with the same page sizes. Not zeroed:
 * vcm_phys_migrate() copies over it.
 */
int vcm_part_alloc_like(const struct vcm_phys_part *old,
			struct vcm_phys_part *part)
{
	struct page *page;

	if (old->size != PAGE_SIZE << old->order)
		return vcm_alloc_contig(old->size, GFP_KERNEL, part);
	if (vcm_should_fail())
		return -ENOMEM;
	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, old->order);
	if (!page)
		return -ENOMEM;
	part->page = page;
	part->start = page_to_phys(page);
	part->size = old->size;
	part->order = old->order;
	vcm_count(&vcm_nr_pages, 1L << old->order);
	return 0;
}

/*
 * Allocate @size bytes in blocks of the sizes in @sizes, largest first.
 * When a size fails, fall back to the next smaller one for the rest of
 * the call. Returns the parts in a kvmalloc'ed array, which can be large
 * when memory is fragmented.
 */
static int vcm_alloc_blocks(struct vcm *vcm, u64 size, unsigned long sizes,
			    struct vcm_phys_part **partsp, unsigned int *countp)
{
	unsigned int count = 0, cap = 16, i;
	struct vcm_phys_part *parts, *grown;
	u64 left = size;
	int ret = -ENOMEM;

	parts = vcm_should_fail() ? NULL :
		kvmalloc_array(cap, sizeof(*parts), GFP_KERNEL);
	if (!parts)
		return -ENOMEM;

	while (left) {
		unsigned long ps = 1UL << __fls(sizes);
		unsigned int order = ilog2(ps) - PAGE_SHIFT;
		bool last = ps == 1UL << __ffs(sizes);
		gfp_t gfp = GFP_KERNEL | __GFP_ZERO;
		struct page *page;

		if (ps > left) {
			sizes &= ~ps;
			continue;
		}
		if (count == cap) {
			size_t bytes;

			/*
			 * kvrealloc() has no _array variant: check by hand.
			 * A huge request fails with -ENOMEM here rather than
			 * with a warning of kvmalloc() (above INT_MAX).
			 */
			if (cap > UINT_MAX / 2 ||
			    check_mul_overflow((size_t)cap * 2, sizeof(*parts),
					       &bytes))
				goto err;
			grown = vcm_should_fail() ? NULL :
				kvrealloc(parts, bytes,
					  GFP_KERNEL | __GFP_NOWARN);
			if (!grown)
				goto err;
			parts = grown;
			cap *= 2;
		}
		if (!last)
			gfp |= __GFP_NORETRY | __GFP_NOWARN;
		page = vcm_should_fail() ? NULL : alloc_pages(gfp, order);
		if (!page) {
			if (last)
				goto err;
			sizes &= ~ps;
			continue;
		}
		parts[count].page = page;
		parts[count].start = page_to_phys(page);
		parts[count].size = ps;
		parts[count].order = order;
		vcm_count(&vcm_nr_pages, 1L << order);
		count++;
		left -= ps;
		/* Thousands of blocks under fragmentation; GFP_KERNEL sleeps. */
		cond_resched();
	}
	*partsp = parts;
	*countp = count;
	return 0;

err:
	for (i = 0; i < count; i++) {
		vcm_part_free_pages(&parts[i]);
		cond_resched();
	}
	kvfree(parts);
	return ret;
}

/**
 * vcm_alloc() - allocate physical memory for a context
 * @vcm: the context the memory is for, or NULL
 * @size: length in bytes, a multiple of PAGE_SIZE and of the granule
 * @flags: VCM_ALLOC_CONTIG for one physically contiguous part;
 *	VCM_ALLOC_MOVABLE to let vcm_offline_range() move it
 *
 * The memory is zeroed. It comes in blocks of the context's page sizes
 * (without a context: PAGE_SIZE, 64 KiB and 2 MiB), largest first, so that
 * an IOMMU can map it with block entries; when a size is not available,
 * smaller ones are used. Contexts that need contiguous memory (one-to-one)
 * always get one part.
 *
 * Context: Process context; may sleep. Takes no lock.
 * Return: the allocation; ERR_PTR(-EINVAL) if @size is 0 or not aligned
 * or a flag is unknown; ERR_PTR(-E2BIG) if a contiguous part, or every
 * page size of @vcm, is larger than the page allocator's largest block;
 * ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_phys *vcm_alloc(struct vcm *vcm, u64 size, unsigned int flags)
{
	unsigned long sizes = vcm ? vcm->pgsize_bitmap : VCM_DEFAULT_PGSIZES;
	struct vcm_phys_part *parts, one;
	struct vcm_phys *phys;
	unsigned int count;
	int ret;

	if (!size || !PAGE_ALIGNED(size) ||
	    (flags & ~(VCM_ALLOC_CONTIG | VCM_ALLOC_MOVABLE)))
		return ERR_PTR(-EINVAL);
	if (vcm && !vcm_aligned(vcm, size))
		return ERR_PTR(-EINVAL);
	if (vcm && (vcm->flags & VCM_CTX_CONTIG))
		flags |= VCM_ALLOC_CONTIG;

	if (flags & VCM_ALLOC_CONTIG) {
		ret = vcm_alloc_contig(size, GFP_KERNEL | __GFP_ZERO, &one);
		parts = &one;
		count = 1;
	} else {
		/* Only whole pages, up to the page allocator's largest. */
		sizes &= GENMASK(PAGE_SHIFT + MAX_PAGE_ORDER, PAGE_SHIFT);
		sizes |= PAGE_SIZE;
		if (vcm)
			sizes &= ~(vcm_granule(vcm) - 1);
		if (!sizes)
			return ERR_PTR(-E2BIG);
		ret = vcm_alloc_blocks(vcm, size, sizes, &parts, &count);
	}
	if (ret)
		return ERR_PTR(ret);

	phys = vcm_phys_new(vcm, count);
	if (phys) {
		memcpy(phys->parts, parts, count * sizeof(*parts));
		phys->size = size;
		phys->owned = true;
		phys->movable = flags & VCM_ALLOC_MOVABLE;
		spin_lock(&vcm_owned_lock);
		list_add_tail(&phys->owned_node, &vcm_owned);
		spin_unlock(&vcm_owned_lock);
	} else {
		unsigned int i;

		for (i = 0; i < count; i++) {
			vcm_part_free_pages(&parts[i]);
			cond_resched();
		}
		phys = ERR_PTR(-ENOMEM);
	}
	if (parts != &one)
		kvfree(parts);
	return phys;
}
EXPORT_SYMBOL_GPL(vcm_alloc);

/**
 * vcm_phys_from_sgt() - describe a scatter-gather table as a vcm_phys
 * @sgt: the table; each CPU entry (sg_phys(), length) becomes a part
 *
 * The memory stays the caller's; vcm_free() frees only the description,
 * and the table must outlive it.
 *
 * Context: Process context; may sleep. Takes no lock.
 * Return: the description; ERR_PTR(-EINVAL) if @sgt is NULL or empty or
 * has an empty entry; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_phys *vcm_phys_from_sgt(struct sg_table *sgt)
{
	struct scatterlist *sg;
	struct vcm_phys *phys;
	unsigned int i;

	if (!sgt || !sgt->orig_nents)
		return ERR_PTR(-EINVAL);
	for_each_sgtable_sg(sgt, sg, i)
		if (!sg->length)
			return ERR_PTR(-EINVAL);

	phys = vcm_phys_new(NULL, sgt->orig_nents);
	if (!phys)
		return ERR_PTR(-ENOMEM);
	for_each_sgtable_sg(sgt, sg, i) {
		phys->parts[i].start = sg_phys(sg);
		phys->parts[i].size = sg->length;
		phys->parts[i].page = sg_page(sg);
		phys->size += sg->length;
	}
	return phys;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_phys_from_sgt);

/**
 * vcm_phys_from_pages() - describe an array of pages as a vcm_phys
 * @pages: the pages; runs of physically adjacent pages become one part
 * @count: number of pages
 *
 * The pages stay the caller's; vcm_free() frees only the description.
 *
 * Context: Process context; may sleep. Takes no lock.
 * Return: the description; ERR_PTR(-EINVAL) if @pages is NULL, holds a
 * NULL entry, or @count is 0; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_phys *vcm_phys_from_pages(struct page **pages, unsigned int count)
{
	struct vcm_phys_part *part;
	struct vcm_phys *phys;
	unsigned int i, nr = 1;

	if (!pages || !count || !pages[0])
		return ERR_PTR(-EINVAL);
	for (i = 1; i < count; i++) {
		if (!pages[i])
			return ERR_PTR(-EINVAL);
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			nr++;
	}

	phys = vcm_phys_new(NULL, nr);
	if (!phys)
		return ERR_PTR(-ENOMEM);
	part = phys->parts;
	part->page = pages[0];
	part->start = page_to_phys(pages[0]);
	part->size = PAGE_SIZE;
	for (i = 1; i < count; i++) {
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1) {
			part++;
			part->page = pages[i];
			part->start = page_to_phys(pages[i]);
		}
		part->size += PAGE_SIZE;
	}
	phys->size = (u64)count << PAGE_SHIFT;
	return phys;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_phys_from_pages);

/*
 * Whether every pfn of [@pfn, @last] has a struct page. Memory maps come
 * and go in whole sections: one pfn of each section tells.
 */
static bool vcm_pfns_valid(unsigned long pfn, unsigned long last)
{
	if (!pfn_valid(pfn) || !pfn_valid(last))
		return false;
#ifdef CONFIG_SPARSEMEM
	for (pfn = ALIGN(pfn + 1, PAGES_PER_SECTION); pfn < last;
	     pfn += PAGES_PER_SECTION) {
		if (!pfn_valid(pfn))
			return false;
		cond_resched();
	}
#endif
	return true;
}

/**
 * vcm_phys_from_range() - describe a physical or MMIO range as a vcm_phys
 * @start: physical address
 * @size: length in bytes
 * @flags: VCM_MMIO for device memory (a doorbell or an interrupt
 *	generation register), mapped uncached and never given to the CPU
 *	context
 *
 * Context: Process context; may sleep. Takes no lock.
 * Return: the description; ERR_PTR(-EINVAL) if @size is 0 or a flag is
 * unknown; ERR_PTR(-EOVERFLOW) if @start + @size overflows;
 * ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_phys *vcm_phys_from_range(phys_addr_t start, u64 size,
				     unsigned int flags)
{
	struct vcm_phys *phys;
	u64 last;

	if (!size || (flags & ~VCM_MMIO))
		return ERR_PTR(-EINVAL);
	if (check_add_overflow((u64)start, size - 1, &last) ||
	    last != (phys_addr_t)last)
		return ERR_PTR(-EOVERFLOW);

	phys = vcm_phys_new(NULL, 1);
	if (!phys)
		return ERR_PTR(-ENOMEM);
	phys->flags = flags;
	phys->size = size;
	phys->parts[0].start = start;
	phys->parts[0].size = size;
	if (!(flags & VCM_MMIO) &&
	    vcm_pfns_valid(PHYS_PFN(start), PHYS_PFN(last)))
		phys->parts[0].page = pfn_to_page(PHYS_PFN(start));
	return phys;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_phys_from_range);

/**
 * vcm_free() - free an unbound physical allocation or description
 * @phys: from vcm_alloc() or a vcm_phys_from_*() call
 *
 * Context: Process context; may sleep. Takes @phys->lock; waits for a
 * vcm_offline_range() that is moving @phys.
 * Return: 0 on success; -EINVAL if @phys is NULL; -EBUSY if @phys is still
 * bound somewhere or the caller's own vcm_phys_migrate() runs on it, and
 * then nothing changes.
 */
int vcm_free(struct vcm_phys *phys)
{
	unsigned int i;
	bool bound;

	if (!phys)
		return -EINVAL;
	spin_lock_irq(&phys->lock);
	bound = phys->nr_bindings;
	spin_unlock_irq(&phys->lock);
	if (bound)
		return -EBUSY;
	if (phys->owned) {
		/*
		 * Out of vcm_offline_range()'s sight; let it finish with it.
		 * What is left migrating then is the caller's own migration.
		 */
		spin_lock(&vcm_owned_lock);
		list_del_init(&phys->owned_node);
		spin_unlock(&vcm_owned_lock);
		wait_var_event(&phys->pins, !atomic_read(&phys->pins));
	}
	spin_lock_irq(&phys->lock);
	bound = phys->nr_bindings || phys->migrating;
	spin_unlock_irq(&phys->lock);
	if (bound) {
		if (phys->owned) {
			spin_lock(&vcm_owned_lock);
			list_add_tail(&phys->owned_node, &vcm_owned);
			spin_unlock(&vcm_owned_lock);
		}
		return -EBUSY;
	}
	if (phys->owned)
		for (i = 0; i < phys->count; i++) {
			vcm_part_free_pages(&phys->parts[i]);
			/* Process context, see above; thousands of parts. */
			cond_resched();
		}
	kvfree(phys);
	vcm_count(&vcm_nr_phys, -1);
	return 0;
}
EXPORT_SYMBOL_GPL(vcm_free);

/**
 * vcm_phys_addr_at() - physical address at an offset of a vcm_phys
 * @phys: the physical memory
 * @offset: offset in bytes
 * @addr: on success, the physical address of byte @offset
 * @len: on success (if not NULL), how many bytes from there on are
 *	physically contiguous in the same part
 *
 * Walks the parts, like vcm_phys_next_part().
 *
 * Context: Any context; takes no lock.
 * Return: 0 on success; -EINVAL if @phys or @addr is NULL; -ERANGE if
 * @offset is not below @phys->size.
 */
int vcm_phys_addr_at(const struct vcm_phys *phys, u64 offset,
		     phys_addr_t *addr, u64 *len)
{
	const struct vcm_phys_part *part;

	if (!phys || !addr)
		return -EINVAL;
	for (part = __vcm_phys_next_part(phys, NULL); part;
	     part = __vcm_phys_next_part(phys, part)) {
		if (offset < part->size) {
			*addr = part->start + offset;
			if (len)
				*len = part->size - offset;
			return 0;
		}
		offset -= part->size;
	}
	return -ERANGE;
}
EXPORT_SYMBOL_GPL(vcm_phys_addr_at);

/**
 * vcm_phys_size() - length of physical memory
 * @phys: the memory
 *
 * Context: Any context.
 * Return: the total length of its parts in bytes.
 */
u64 vcm_phys_size(const struct vcm_phys *phys)
{
	return phys->size;
}
EXPORT_SYMBOL_GPL(vcm_phys_size);

/**
 * vcm_phys_count() - number of physically contiguous parts
 * @phys: the memory
 *
 * Context: Any context.
 * Return: the number of parts, at least 1.
 */
unsigned int vcm_phys_count(const struct vcm_phys *phys)
{
	return phys->count;
}
EXPORT_SYMBOL_GPL(vcm_phys_count);

/**
 * vcm_phys_is_mmio() - whether physical memory is MMIO
 * @phys: the memory
 *
 * Context: Any context.
 * Return: true for a range from vcm_phys_from_range() with %VCM_MMIO,
 * which has no struct pages and is mapped as device memory.
 */
bool vcm_phys_is_mmio(const struct vcm_phys *phys)
{
	return phys->flags & VCM_MMIO;
}

/**
 * vcm_phys_next_part() - walk the parts of a physical allocation
 * @phys: the allocation
 * @part: the part returned by the previous call, or NULL to start
 *
 * for (p = vcm_phys_next_part(phys, NULL); p; p = vcm_phys_next_part(phys, p))
 * visits every part in order.
 *
 * Context: Any context.
 * Return: the next part, or NULL after the last one.
 */
const struct vcm_phys_part *
vcm_phys_next_part(const struct vcm_phys *phys,
		   const struct vcm_phys_part *part)
{
	return __vcm_phys_next_part(phys, part);
}
EXPORT_SYMBOL_GPL(vcm_phys_next_part);
