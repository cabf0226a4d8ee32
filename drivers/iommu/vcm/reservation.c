// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM reservations: ranges of a context's addresses, placed by the IOVA
 * allocator, at a fixed address, or reserved regions that are never bound.
 */

#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <trace/events/vcm.h>

#include "vcm_internal.h"

static struct kmem_cache *vcm_res_cache;

struct vcm_res *vcm_res_new(struct vcm *vcm, unsigned int flags)
{
	struct vcm_res *res;

	if (vcm_should_fail())
		return NULL;
	res = kmem_cache_zalloc(vcm_res_cache, GFP_KERNEL);
	if (!res)
		return NULL;
	res->vcm = vcm;
	res->bindings = RB_ROOT;
	res->flags = flags & VCM_RES_FLAGS;
	if (!(res->flags & VCM_ACCESS))
		res->flags |= VCM_ACCESS;
	return res;
}

/* Free a reservation from vcm_res_new() that was never linked. */
void vcm_res_discard(struct vcm_res *res)
{
	kmem_cache_free(vcm_res_cache, res);
}

void vcm_res_link(struct vcm *vcm, struct vcm_res *res)
{
	lockdep_assert_held(&vcm->lock);
	list_add_tail(&res->node, &vcm->reservations);
	vcm->nr_res++;
	trace_vcm_res_create(vcm->id, res->start, res->size, res->type);
}

/* Give back a reservation without bindings. */
void vcm_res_free(struct vcm_res *res)
{
	struct vcm *vcm = res->vcm;

	lockdep_assert_held(&vcm->lock);
	trace_vcm_res_destroy(vcm->id, res->start, res->size, res->type);
	WARN_ON_ONCE(vcm_iova_free(&vcm->space, res->start >> vcm_shift(vcm),
				   res->size >> vcm_shift(vcm)));
	list_del(&res->node);
	vcm->nr_res--;
	kmem_cache_free(vcm_res_cache, res);
}

/* Unbind everything from @res and free it, with owned memory. */
void vcm_res_destroy(struct vcm_res *res)
{
	struct vcm_phys *owned = NULL;
	struct rb_node *n;

	lockdep_assert_held(&res->vcm->lock);
	while ((n = rb_first(&res->bindings))) {
		struct vcm_binding *b = rb_entry(n, struct vcm_binding,
						 res_node);

		if (res->placed)
			res->vcm->driver->unplace(res->vcm, b->phys,
						  res->start);
		if (res->owns_phys)
			owned = b->phys;
		vcm_binding_destroy(b);
	}
	vcm_res_free(res);
	/*
	 * vcm_unmap() refuses memory that is bound elsewhere; only
	 * vcm_destroy() gets here with such memory. It stays valid for the
	 * other bindings: whoever bound it there frees it with vcm_free().
	 */
	if (owned && vcm_free(owned))
		pr_warn("vcm: memory of a destroyed binding is still bound elsewhere, not freed\n");
}

/*
 * Whether @res owns its memory (vcm_make_binding()) and that memory is
 * also bound outside @res: then @res cannot be destroyed without freeing
 * memory that is still in use, or leaking it.
 */
bool vcm_res_owned_shared(struct vcm_res *res)
{
	struct vcm_binding *b;
	struct rb_node *n;
	bool shared;

	lockdep_assert_held(&res->vcm->lock);
	if (!res->owns_phys)
		return false;
	n = rb_first(&res->bindings);
	if (!n)
		return false;
	b = rb_entry(n, struct vcm_binding, res_node);
	spin_lock_irq(&b->phys->lock);
	shared = b->phys->nr_bindings > 1;
	spin_unlock_irq(&b->phys->lock);
	return shared;
}

u64 vcm_best_align(const struct vcm *vcm, u64 size)
{
	unsigned long sizes = vcm->pgsize_bitmap;
	u64 align = vcm_granule(vcm);

	while (sizes) {
		unsigned long ps = 1UL << __ffs(sizes);

		if (ps > size)
			break;
		align = ps;
		sizes &= ~ps;
	}
	return align;
}

struct vcm_res *__vcm_reserve(struct vcm *vcm, u64 size, u64 align,
			      dma_addr_t limit, unsigned int flags)
{
	unsigned long pfn, limit_pfn;
	struct vcm_res *res;
	int ret;

	lockdep_assert_held(&vcm->lock);
	if (!size || (flags & ~VCM_RES_FLAGS))
		return ERR_PTR(-EINVAL);
	if (vcm->revoked)
		return ERR_PTR(-ENODEV);
	if (!align)
		align = vcm_granule(vcm);
	if (!is_power_of_2(align) || !vcm_aligned(vcm, align) ||
	    !vcm_aligned(vcm, size))
		return ERR_PTR(-EINVAL);
	if (vcm->flags & VCM_CTX_PLACED)
		return ERR_PTR(-EOPNOTSUPP);
	/* The last granule wholly at or below @limit. */
	if ((u64)limit == U64_MAX) {
		limit_pfn = vcm->space.end_pfn;
	} else {
		u64 whole = ((u64)limit + 1) >> vcm_shift(vcm);

		/* Not even the first granule of the bus ends below @limit. */
		if (!whole)
			return ERR_PTR(-ERANGE);
		limit_pfn = min_t(u64, whole, vcm->space.end_pfn + 1) - 1;
	}
	if (limit < vcm->start || limit_pfn < vcm->space.start_pfn)
		return ERR_PTR(-ERANGE);
	if (size > vcm->size || align > vcm->size)
		return ERR_PTR(-ENOSPC);

	res = vcm_res_new(vcm, flags);
	if (!res)
		return ERR_PTR(-ENOMEM);
	ret = vcm_should_fail() ? -ENOMEM :
	      vcm_iova_alloc(&vcm->space, size >> vcm_shift(vcm),
			     align >> vcm_shift(vcm), limit_pfn, GFP_KERNEL, &pfn);
	if (ret) {
		kmem_cache_free(vcm_res_cache, res);
		return ERR_PTR(ret);
	}
	res->start = (dma_addr_t)pfn << vcm_shift(vcm);
	res->size = size;
	res->type = VCM_RES_DYNAMIC;
	vcm_res_link(vcm, res);
	return res;
}

/**
 * vcm_reserve() - reserve a range of addresses anywhere in a context
 * @vcm: the context
 * @size: length in bytes, a multiple of the granule
 * @align: alignment of the start, a power of two multiple of the granule,
 *	or 0 for the granule
 * @flags: VCM_READ, VCM_WRITE (neither means both), VCM_MMIO, VCM_CACHE
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the reservation; ERR_PTR(-EINVAL) if @vcm is NULL, @size is 0,
 * a value is not aligned or a flag is unknown; ERR_PTR(-EOPNOTSUPP) if
 * the backend places memory itself (use vcm_map()); ERR_PTR(-ENOSPC) if
 * no free range fits; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_res *vcm_reserve(struct vcm *vcm, u64 size, u64 align,
			    unsigned int flags)
{
	struct vcm_res *res;

	if (!vcm)
		return ERR_PTR(-EINVAL);
	vcm_lock(vcm);
	res = __vcm_reserve(vcm, size, align, (dma_addr_t)~0ULL, flags);
	mutex_unlock(&vcm->lock);
	return res;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_reserve);

/**
 * vcm_reserve_below() - reserve a range of addresses below a limit
 * @vcm: the context
 * @size: length in bytes, a multiple of the granule
 * @align: alignment of the start, a power of two multiple of the granule,
 *	or 0 for the granule
 * @limit: highest address the range may cover, such as a DMA mask
 * @flags: VCM_READ, VCM_WRITE (neither means both), VCM_MMIO, VCM_CACHE
 *
 * Like vcm_reserve(), with the range ending at or below @limit.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the reservation; ERR_PTR(-ERANGE) if @limit is below the
 * context; otherwise the errors of vcm_reserve().
 */
struct vcm_res *vcm_reserve_below(struct vcm *vcm, u64 size, u64 align,
				  dma_addr_t limit, unsigned int flags)
{
	struct vcm_res *res;

	if (!vcm)
		return ERR_PTR(-EINVAL);
	vcm_lock(vcm);
	res = __vcm_reserve(vcm, size, align, limit, flags);
	mutex_unlock(&vcm->lock);
	return res;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_reserve_below);

static struct vcm_res *__vcm_reserve_at(struct vcm *vcm, dma_addr_t addr,
					u64 size, unsigned int flags,
					enum vcm_region region)
{
	struct vcm_res *res;
	u64 last;
	int ret;

	if (!vcm || !size || (flags & ~(VCM_RES_FLAGS | VCM_REGION)))
		return ERR_PTR(-EINVAL);
	if (!vcm_aligned(vcm, addr) || !vcm_aligned(vcm, size))
		return ERR_PTR(-EINVAL);
	if (check_add_overflow((u64)addr, size - 1, &last))
		return ERR_PTR(-EOVERFLOW);
	if (addr < vcm->start || last > vcm->start + (vcm->size - 1))
		return ERR_PTR(-ERANGE);
	if ((vcm->flags & VCM_CTX_PLACED) && !(flags & VCM_REGION))
		return ERR_PTR(-EOPNOTSUPP);

	vcm_lock(vcm);
	res = vcm->revoked ? ERR_PTR(-ENODEV) : vcm_res_new(vcm, flags);
	if (IS_ERR_OR_NULL(res)) {
		res = res ?: ERR_PTR(-ENOMEM);
		goto out;
	}
	ret = vcm_should_fail() ? -ENOMEM :
	      vcm_iova_reserve(&vcm->space, addr >> vcm_shift(vcm),
			       size >> vcm_shift(vcm), GFP_KERNEL);
	if (ret) {
		kmem_cache_free(vcm_res_cache, res);
		res = ERR_PTR(ret);
		goto out;
	}
	res->start = addr;
	res->size = size;
	res->type = flags & VCM_REGION ? VCM_RES_REGION : VCM_RES_FIXED;
	res->region = region;
	vcm_res_link(vcm, res);
out:
	mutex_unlock(&vcm->lock);
	return res;
}

/**
 * vcm_reserve_at() - reserve a fixed range of addresses of a context
 * @vcm: the context
 * @addr: first address, aligned to the granule
 * @size: length in bytes, a multiple of the granule
 * @flags: VCM_READ, VCM_WRITE (neither means both), VCM_MMIO, and
 *	VCM_REGION for a reserved region that can never be bound
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the reservation; ERR_PTR(-EINVAL) if @vcm is NULL, @size is 0,
 * a value is not aligned or a flag is unknown; ERR_PTR(-EOVERFLOW) if
 * @addr + @size overflows; ERR_PTR(-ERANGE) if the range is not inside
 * the context; ERR_PTR(-EOPNOTSUPP) for a range that is not a reserved
 * region in a context whose backend places memory itself;
 * ERR_PTR(-EADDRINUSE) if the range overlaps a reservation or another
 * allocated range of the context's IOVA space; ERR_PTR(-ENOMEM) if memory
 * ran out.
 */
struct vcm_res *vcm_reserve_at(struct vcm *vcm, dma_addr_t addr, u64 size,
			       unsigned int flags)
{
	return __vcm_reserve_at(vcm, addr, size, flags,
				flags & VCM_REGION ? VCM_REGION_RESERVED :
						     VCM_REGION_NONE);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_reserve_at);

/**
 * vcm_reserve_region() - reserve a typed region of a context
 * @vcm: the context
 * @addr: first address, aligned to the granule
 * @size: length in bytes, a multiple of the granule
 * @region: what the region is for, not %VCM_REGION_NONE
 *
 * Like vcm_reserve_at() with %VCM_REGION: the range is never handed out
 * and nothing can be bound into it. @region tells people reading the
 * graph why the range is taken.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the reservation; ERR_PTR(-EINVAL) if @region is unknown or
 * %VCM_REGION_NONE; otherwise the errors of vcm_reserve_at().
 */
struct vcm_res *vcm_reserve_region(struct vcm *vcm, dma_addr_t addr,
				   u64 size, enum vcm_region region)
{
	if (region <= VCM_REGION_NONE || region > VCM_REGION_DMA_HOLE)
		return ERR_PTR(-EINVAL);
	return __vcm_reserve_at(vcm, addr, size, VCM_REGION, region);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_reserve_region);

/* Count in @rep the bytes of [@first, @last] that reservations hold. */
static void vcm_count_taken(struct vcm *vcm, u64 first, u64 last,
			    struct vcm_free_report *rep)
{
	struct vcm_res *res;
	u64 lo, hi;

	lockdep_assert_held(&vcm->lock);
	list_for_each_entry(res, &vcm->reservations, node) {
		lo = max_t(u64, res->start, first);
		hi = min_t(u64, res->start + (res->size - 1), last);
		if (lo > hi)
			continue;
		if (res->type == VCM_RES_REGION)
			rep->regions += hi - lo + 1;
		else
			rep->others += hi - lo + 1;
	}
}

/* Give back the regions of the list @parts, of a context locked here. */
static void vcm_free_parts(struct list_head *parts)
{
	struct vcm_res *res, *tmp;

	list_for_each_entry_safe(res, tmp, parts, part) {
		list_del(&res->part);
		vcm_res_free(res);
	}
}

/* Reserve the free pfns [@lo, @hi] as a region, linked into @parts. */
static int vcm_reserve_part(struct vcm *vcm, unsigned long lo,
			    unsigned long hi, enum vcm_region region,
			    struct list_head *parts)
{
	struct vcm_res *res;
	int ret;

	res = vcm_res_new(vcm, 0);
	if (!res)
		return -ENOMEM;
	ret = vcm_should_fail() ? -ENOMEM :
	      vcm_iova_reserve(&vcm->space, lo, hi - lo + 1, GFP_KERNEL);
	if (ret) {
		vcm_res_discard(res);
		return ret;
	}
	res->start = (dma_addr_t)lo << vcm_shift(vcm);
	res->size = (u64)(hi - lo + 1) << vcm_shift(vcm);
	res->type = VCM_RES_REGION;
	res->region = region;
	vcm_res_link(vcm, res);
	list_add_tail(&res->part, parts);
	return 0;
}

/**
 * vcm_reserve_free() - reserve the free parts of a range as one region
 * @vcm: the context
 * @addr: first address, aligned to the granule
 * @size: length in bytes, a multiple of the granule
 * @region: what the region is for, not %VCM_REGION_NONE
 * @parts: list the reservations made are added to, through their @part
 * @report: filled with what the range held; may be NULL
 *
 * Reserves, as regions of type @region, every part of the range that
 * nothing else holds: ranges a per-CPU cache of the context's space keeps
 * free are given back to the space first. What other reservations hold
 * stays theirs, and what streaming mappings hold stays allocated; @report
 * says how much of each there was. The reservations made are given back
 * together with vcm_unreserve_parts(). Each free run is found in
 * O(log n), so this takes O(k log n) for k parts.
 *
 * Context: Process context; may sleep. Takes the context's lock, and
 * the cache's and the space's.
 * Return: 0 on success, also when nothing was free; -EINVAL if @region
 * is unknown or %VCM_REGION_NONE, or a value is not aligned; -ERANGE if
 * the range is not inside the context; -ENODEV if the context was
 * revoked; -ENOMEM if memory ran out. On error nothing changed.
 */
int vcm_reserve_free(struct vcm *vcm, dma_addr_t addr, u64 size,
		     enum vcm_region region, struct list_head *parts,
		     struct vcm_free_report *report)
{
	unsigned int shift = vcm_shift(vcm);
	unsigned long pfn, last, lo, hi;
	struct vcm_free_report rep = {};
	LIST_HEAD(made);
	int ret = 0;

	if (region <= VCM_REGION_NONE || region > VCM_REGION_DMA_HOLE ||
	    !size || !vcm_aligned(vcm, addr) || !vcm_aligned(vcm, size))
		return -EINVAL;
	if (addr < vcm->start || size > vcm->size ||
	    addr - vcm->start > vcm->size - size)
		return -ERANGE;

	pfn = addr >> shift;
	last = pfn + (size >> shift) - 1;
	vcm_lock(vcm);
	if (vcm->revoked) {
		ret = -ENODEV;
		goto out;
	}
	vcm_count_taken(vcm, addr, addr + (size - 1), &rep);
	vcm_iova_reclaim(&vcm->space);
	while (pfn <= last && vcm_iova_next_free(&vcm->space, pfn, last,
						 &lo, &hi)) {
		ret = vcm_reserve_part(vcm, lo, hi, region, &made);
		/* A streaming allocation took part of the run: look again. */
		if (ret == -EADDRINUSE) {
			pfn = lo;
			continue;
		}
		if (ret)
			break;
		rep.reserved += (u64)(hi - lo + 1) << shift;
		pfn = hi + 1;
	}
	if (ret) {
		vcm_free_parts(&made);
		goto out;
	}
	list_splice_tail(&made, parts);
	rep.mapped = size - rep.reserved - rep.regions - rep.others;
	if (report)
		*report = rep;
out:
	mutex_unlock(&vcm->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_reserve_free);

/**
 * vcm_region_name() - short name of a region type, for logs and debugfs
 * @region: the type
 *
 * Context: Any context.
 * Return: a constant string; "?" for a value out of range.
 */
const char *vcm_region_name(enum vcm_region region)
{
	static const char * const names[] = {
		[VCM_REGION_NONE] = "none",
		[VCM_REGION_RESERVED] = "reserved",
		[VCM_REGION_DIRECT] = "direct",
		[VCM_REGION_MSI] = "msi",
		[VCM_REGION_SW_MSI] = "sw-msi",
		[VCM_REGION_PCI_WINDOW] = "pci-window",
		[VCM_REGION_DMA_HOLE] = "dma-hole",
	};

	return (unsigned int)region < ARRAY_SIZE(names) ? names[region] : "?";
}
EXPORT_SYMBOL_IF_KUNIT(vcm_region_name);

/**
 * vcm_unreserve() - give back a reservation without bindings
 * @res: the reservation, from vcm_reserve() or vcm_reserve_at()
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 on success; -EINVAL if @res is NULL; -EBUSY if memory is
 * still bound into @res (vcm_unbind() it, or vcm_unmap() a reservation
 * made by vcm_map()), and then nothing changes.
 */
int vcm_unreserve(struct vcm_res *res)
{
	struct vcm *vcm;
	int ret = 0;

	if (!res)
		return -EINVAL;
	vcm = res->vcm;
	vcm_lock(vcm);
	if (res->nr_bindings)
		ret = -EBUSY;
	else
		vcm_res_free(res);
	vcm_unlock_reap(vcm);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_unreserve);

/**
 * vcm_unreserve_parts() - give back the regions of vcm_reserve_free()
 * @parts: the list vcm_reserve_free() added them to; emptied
 *
 * The reservations may be of several contexts.
 *
 * Context: Process context; may sleep. Takes each context's lock.
 */
void vcm_unreserve_parts(struct list_head *parts)
{
	struct vcm_res *res, *tmp;
	struct vcm *vcm;

	list_for_each_entry_safe(res, tmp, parts, part) {
		vcm = res->vcm;
		list_del(&res->part);
		vcm_lock(vcm);
		vcm_res_free(res);
		vcm_unlock_reap(vcm);
	}
}
EXPORT_SYMBOL_IF_KUNIT(vcm_unreserve_parts);

/*
 * Give back every reserved region of @vcm, for a backend tearing its
 * context down; other reservations stay, so that vcm_destroy() reports
 * them.
 */
void vcm_release_regions(struct vcm *vcm)
{
	struct vcm_res *res, *tmp;

	vcm_lock(vcm);
	list_for_each_entry_safe(res, tmp, &vcm->reservations, node)
		if (res->type == VCM_RES_REGION)
			vcm_res_free(res);
	mutex_unlock(&vcm->lock);
}

/**
 * vcm_res_start() - first address of a reservation
 * @res: the reservation
 *
 * Context: Any context.
 * Return: the address, as the context's bus master sees it.
 */
dma_addr_t vcm_res_start(const struct vcm_res *res)
{
	return res->start;
}
EXPORT_SYMBOL_GPL(vcm_res_start);

/**
 * vcm_res_size() - length of a reservation
 * @res: the reservation
 *
 * Context: Any context.
 * Return: the length in bytes, a multiple of the context's granule.
 */
u64 vcm_res_size(const struct vcm_res *res)
{
	return res->size;
}
EXPORT_SYMBOL_GPL(vcm_res_size);

/**
 * vcm_res_type() - how a reservation was placed
 * @res: the reservation
 *
 * Context: Any context.
 * Return: the type, see &enum vcm_res_type.
 */
enum vcm_res_type vcm_res_type(const struct vcm_res *res)
{
	return res->type;
}
EXPORT_SYMBOL_GPL(vcm_res_type);

/**
 * vcm_res_region() - what a reserved region is for
 * @res: the reservation
 *
 * Context: Any context.
 * Return: the region's kind, or %VCM_REGION_NONE for a reservation that
 * is not a region.
 */
enum vcm_region vcm_res_region(const struct vcm_res *res)
{
	return res->region;
}

/**
 * vcm_res_ctx_id() - id of a reservation's context
 * @res: the reservation
 *
 * Context: Any context.
 * Return: the number by which trace events and debugfs name the context
 * of @res.
 */
unsigned int vcm_res_ctx_id(const struct vcm_res *res)
{
	return res->vcm->id;
}
EXPORT_SYMBOL_GPL(vcm_res_ctx_id);

static int __init vcm_reservation_init(void)
{
	vcm_res_cache = KMEM_CACHE(vcm_res, 0);
	return vcm_res_cache ? 0 : -ENOMEM;
}
core_initcall(vcm_reservation_init);
