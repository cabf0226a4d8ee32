// SPDX-License-Identifier: GPL-2.0-only
/**
 * DOC: VCM behind dma-iommu
 *
 * VCM behind default IOMMU DMA domains.
 *
 * dma-iommu.c keeps its flush queues, page-table calls and policies (the
 * 32-bit-first rule, deferred attach, swiotlb bouncing) and asks this
 * file for IOVA. Each DMA domain gets one VCM context over it:
 *
 * - streaming and coherent mappings are plain ranges of the context's
 *   IOVA space, taken and given back through a per-CPU cache; they create
 *   no graph object;
 * - the reserved regions of every device of the domain's group (PCI host
 *   bridge windows, holes outside its dma-ranges, the IOMMU driver's
 *   reserved regions) are typed reservations of the context, owned by
 *   the device until the IOMMU core releases it;
 * - explicit users (IOVA windows of endpoint drivers) reserve and bind in
 *   the same context.
 *
 * Everything lives in one IOVA space, so no two of them can overlap. The
 * context and its ranges are shown in debugfs under vcm/dma<N>/.
 */

#include <kunit/visibility.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/iommu-dma.h>
#include <linux/slab.h>

#include "../dma-iommu.h"
#include "dma_internal.h"

/**
 * vcm_dma_create() - set up VCM for a DMA domain
 * @domain: the domain, of a DMA type, with its page sizes and aperture set
 * @base_pfn: lowest IOVA to hand out, in units of the domain's smallest
 *	page size; not 0, so that 0 stays an invalid DMA address
 *
 * The context spans from @base_pfn to the end of the domain's aperture
 * (or of the 64-bit space without an enforced aperture) and is active at
 * once: windows bound into it reach the domain's page table.
 *
 * Context: Process context; may sleep.
 * Return: the new state; ERR_PTR(-EINVAL) if @base_pfn is 0 or beyond the
 * aperture; the errors of vcm_iommu_create(), vcm_activate() and
 * vcm_iova_cache_create() (-EBUSY, or an error of CPU hotplug set-up);
 * ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_dma *vcm_dma_create(struct iommu_domain *domain,
			       unsigned long base_pfn)
{
	unsigned int shift = __ffs(domain->pgsize_bitmap);
	u64 granule = 1ULL << shift, start, last = U64_MAX;
	struct vcm_dma *vd;
	int ret;

	if (domain->geometry.force_aperture)
		last = domain->geometry.aperture_end;
	last = min_t(u64, last, ((u64)VCM_IOVA_MAX_PFN << shift) | (granule - 1));
	if ((last & (granule - 1)) != granule - 1)
		last = (last & ~(granule - 1)) - 1;
	start = (u64)base_pfn << shift;
	if (!base_pfn || start >> shift != base_pfn || start > last)
		return ERR_PTR(-EINVAL);

	vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return ERR_PTR(-ENOMEM);
	xa_init_flags(&vd->live, XA_FLAGS_LOCK_IRQ);
	mutex_init(&vd->lock);
	INIT_LIST_HEAD(&vd->devs);
	INIT_DELAYED_WORK(&vd->fill, vcm_dma_fill_work);
	vd->vcm = vcm_iommu_create(domain, start, last - start + 1);
	if (IS_ERR(vd->vcm)) {
		ret = PTR_ERR(vd->vcm);
		goto err_free;
	}
	ret = vcm_activate(vd->vcm);
	if (ret)
		goto err_destroy;
	vd->cache = vcm_iova_cache_create(&vd->vcm->space);
	if (IS_ERR(vd->cache)) {
		ret = PTR_ERR(vd->cache);
		goto err_deactivate;
	}
	vd->domain = domain;
	vcm_dma_debugfs_add(vd);
	mutex_lock(&vd->lock);
	vcm_dma_label(vd);
	mutex_unlock(&vd->lock);
	return vd;

err_deactivate:
	vcm_deactivate(vd->vcm);
err_destroy:
	vcm_destroy(vd->vcm);
err_free:
	mutex_destroy(&vd->lock);
	kfree(vd);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_create);

/**
 * vcm_dma_destroy() - tear down what vcm_dma_create() set up
 * @vd: the state, or NULL
 *
 * The caller has stopped every use of the domain's DMA API and emptied
 * its flush queues. Reserved regions go quietly. An IOVA range that a
 * driver still holds (alloc_iova_range(), a DMA window) is unmapped from
 * the domain and revoked (vcm_revoke()): mapping into it fails from now
 * on with -ENODEV, and unmapping and free_iova_range() still work; the
 * context is freed with the last such range.
 *
 * Context: Process context; may sleep.
 */
void vcm_dma_destroy(struct vcm_dma *vd)
{
	if (!vd)
		return;
	vcm_dma_debugfs_remove(vd);
	cancel_delayed_work_sync(&vd->fill);
	vcm_iova_cache_destroy(vd->cache);
	vcm_dma_forget_devs(vd);
	vcm_release_regions(vd->vcm);
	/* IOVA ranges still held by their owners keep the context alive. */
	vcm_revoke(vd->vcm);
	xa_destroy(&vd->live);
	mutex_destroy(&vd->lock);
	kfree(vd);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_destroy);

/**
 * vcm_dma_context() - the VCM context of a DMA domain
 * @vd: the domain's VCM state
 *
 * Context: Any context.
 * Return: the context; it lives as long as @vd.
 */
struct vcm *vcm_dma_context(struct vcm_dma *vd)
{
	return vd->vcm;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_context);

/* ---- The hot path ------------------------------------------------------ */

/**
 * vcm_dma_alloc() - allocate IOVA for a streaming or coherent mapping
 * @vd: the domain's VCM state
 * @pages: number of granules, not 0
 * @limit_pfn: highest granule the range may cover
 * @drain: whether to drain every CPU's cache before failing
 *
 * The range is aligned to @pages rounded up to a power of two, as iova.c
 * aligns it, and never overlaps a reservation of the context. Sizes up to
 * %VCM_IOVA_CACHE_BYTES are rounded up to that power of two and come from
 * this CPU's cache without a shared lock; larger ones take exactly @pages.
 * dma-iommu's first, 32-bit-only attempt passes @drain false, as it passes
 * flush_rcache false to iova.c, so that a full 32-bit space sends it on to
 * its second attempt instead of making every CPU give its cache back.
 *
 * Context: Any context; does not sleep.
 * Return: the first granule of the range, or 0 if no range fits (or
 * @pages is 0, or memory for a tree node or, with CONFIG_DMA_API_DEBUG,
 * for the record of live ranges ran out).
 */
unsigned long vcm_dma_alloc(struct vcm_dma *vd, unsigned long pages,
			    unsigned long limit_pfn, bool drain)
{
	const gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN;
	unsigned long pfn, flags;
	void *old;

	if (drain ? vcm_iova_alloc_fast(vd->cache, pages, limit_pfn, gfp, &pfn) :
		    vcm_iova_try_alloc_fast(vd->cache, pages, limit_pfn, gfp,
					    &pfn))
		return 0;
	if (IS_ENABLED(CONFIG_DMA_API_DEBUG)) {
		xa_lock_irqsave(&vd->live, flags);
		old = vcm_should_fail() ? XA_ERROR(-ENOMEM) :
		      __xa_store(&vd->live, pfn, xa_mk_value(pages), gfp);
		xa_unlock_irqrestore(&vd->live, flags);
		if (xa_is_err(old)) {
			vcm_iova_free_fast(vd->cache, pfn, pages);
			return 0;
		}
	}
	return pfn;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_alloc);

/*
 * With CONFIG_DMA_API_DEBUG, forget the range @pfn of @pages in @vd->live;
 * false if vcm_dma_alloc() did not hand it out with that size.
 */
static bool vcm_dma_forget(struct vcm_dma *vd, unsigned long pfn,
			   unsigned long pages)
{
	unsigned long flags;
	void *old;

	if (!IS_ENABLED(CONFIG_DMA_API_DEBUG))
		return true;
	xa_lock_irqsave(&vd->live, flags);
	old = xa_load(&vd->live, pfn);
	if (old && xa_to_value(old) == pages)
		__xa_erase(&vd->live, pfn);
	xa_unlock_irqrestore(&vd->live, flags);
	if (old && xa_to_value(old) == pages)
		return true;
	pr_err_ratelimited("vcm: dma%d: free of IOVA pfn %#lx+%lu that is not allocated, ignored\n",
			   vd->id, pfn, pages);
	return false;
}

/**
 * vcm_dma_free() - free IOVA from vcm_dma_alloc()
 * @vd: the domain's VCM state
 * @pfn: what vcm_dma_alloc() returned
 * @pages: the @pages passed to vcm_dma_alloc()
 *
 * The caller has unmapped the range and flushed the IOTLB for it. With
 * CONFIG_DMA_API_DEBUG, a range that vcm_dma_alloc() did not hand out
 * with this size (a driver unmapping twice, or an address it never
 * mapped) is reported and not freed, so that the allocator stays sound
 * while DMA-API debug names the driver. Without it, such a free corrupts
 * the cache, as it corrupts iova.c's.
 *
 * Context: Any context; does not sleep.
 */
void vcm_dma_free(struct vcm_dma *vd, unsigned long pfn, unsigned long pages)
{
	if (vcm_dma_forget(vd, pfn, pages))
		vcm_iova_free_fast(vd->cache, pfn, pages);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_free);

/**
 * vcm_dma_free_queued() - free IOVA that the flush queue hands back
 * @vd: the domain's VCM state
 * @pfn: what vcm_dma_alloc() returned
 * @pages: the @pages passed to vcm_dma_alloc()
 *
 * Like vcm_dma_free(), for the ranges of a flush queue after its IOTLB
 * flush: the cache keeps more of them (see vcm_iova_free_queued()), as
 * the queue hands them back in bursts.
 *
 * Context: Any context; does not sleep.
 */
void vcm_dma_free_queued(struct vcm_dma *vd, unsigned long pfn,
			 unsigned long pages)
{
	if (vcm_dma_forget(vd, pfn, pages))
		vcm_iova_free_queued(vd->cache, pfn, pages);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_free_queued);

/**
 * vcm_dma_opt_mapping_size() - largest mapping the hot path serves fast
 *
 * Context: Any context.
 * Return: %VCM_IOVA_CACHE_BYTES: every power-of-two size up to it comes
 * from the per-CPU cache.
 */
size_t vcm_dma_opt_mapping_size(void)
{
	return VCM_IOVA_CACHE_BYTES;
}

/* ---- Explicit IOVA ranges (windows) ------------------------------------ */

/**
 * alloc_iova_range() - reserve an IOVA range in a device's DMA domain
 * @dev: the device; its default DMA domain must be in use
 * @size: length in bytes, rounded up to the domain's granule
 * @align: alignment of the start, a power of two; 0 for the granule
 * @addr: the first address the range must have, aligned to @align and
 *	the granule, or 0 to let the allocator choose
 * @limit: highest address the range may cover; 0 for the device's DMA
 *	mask (and bus limit)
 *
 * The range is a reservation of the domain's VCM context: no streaming
 * mapping, reserved region or other range of that domain overlaps it, for
 * every device sharing the domain, until free_iova_range(). Nothing is
 * mapped in it; bind memory into it with the VCM binding calls, or use
 * the DMA window API (<linux/dma-window.h>) on top of this.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the range (see vcm_res_start() and vcm_res_size());
 * ERR_PTR(-EINVAL) if @dev is NULL, @size is 0, @align is not a power of
 * two or @addr is not aligned;
 * ERR_PTR(-EOPNOTSUPP) if @dev is not attached to a VCM DMA domain (no
 * IOMMU, an identity or blocked domain, or another owner's domain);
 * ERR_PTR(-ERANGE) if @limit is above the DMA mask or below the domain,
 * or the fixed range goes beyond @limit or the domain; ERR_PTR(-EADDRINUSE) if the fixed
 * range overlaps a mapping, region or range; ERR_PTR(-ENOSPC) if no free
 * range fits; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_res *alloc_iova_range(struct device *dev, size_t size,
				 size_t align, dma_addr_t addr, u64 limit)
{
	struct iommu_domain *domain;
	struct vcm_dma *vd;

	if (!dev)
		return ERR_PTR(-EINVAL);
	/* As dma-iommu finds its cookie: the default domain, if in use. */
	if (!use_dma_iommu(dev))
		return ERR_PTR(-EOPNOTSUPP);
	domain = iommu_get_dma_domain(dev);
	vd = iommu_dma_vcm(domain);
	if (!vd || iommu_get_domain_for_dev(dev) != domain)
		return ERR_PTR(-EOPNOTSUPP);
	return vcm_dma_alloc_range(vd, dev, size, align, addr, limit);
}
EXPORT_SYMBOL_IF_KUNIT(alloc_iova_range);

/**
 * vcm_dma_alloc_range() - alloc_iova_range() once the domain is known
 * @vd: the DMA domain's VCM state
 * @dev: the device, for its DMA mask and bus limit
 * @size: as alloc_iova_range()
 * @align: as alloc_iova_range()
 * @addr: as alloc_iova_range()
 * @limit: as alloc_iova_range()
 *
 * KUnit calls it on a mock domain, which no device is attached to.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: as alloc_iova_range(), except -EOPNOTSUPP.
 */
VISIBLE_IF_KUNIT struct vcm_res *vcm_dma_alloc_range(struct vcm_dma *vd,
						     struct device *dev,
						     size_t size, size_t align,
						     dma_addr_t addr, u64 limit)
{
	const unsigned int flags = VCM_READ | VCM_WRITE;
	struct vcm *vcm = vd->vcm;
	u64 granule, mask, last;
	struct vcm_res *res;

	granule = vcm_granule(vcm);
	if (!size || size > U64_MAX - granule ||
	    (align && !is_power_of_2(align)))
		return ERR_PTR(-EINVAL);
	size = round_up(size, granule);
	align = max_t(u64, align, granule);
	if (!IS_ALIGNED(addr, align))
		return ERR_PTR(-EINVAL);
	mask = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	if (!limit)
		limit = mask;
	if (limit > mask)
		return ERR_PTR(-ERANGE);

	if (addr) {
		if (check_add_overflow((u64)addr, (u64)size - 1, &last) ||
		    last > limit)
			return ERR_PTR(-ERANGE);
		res = vcm_reserve_at(vcm, addr, size, flags);
		if (PTR_ERR_OR_ZERO(res) == -EADDRINUSE) {
			/* Free IOVA held by the cache is not in use. */
			vcm_iova_cache_drain(vd->cache);
			res = vcm_reserve_at(vcm, addr, size, flags);
		}
	} else {
		res = vcm_reserve_below(vcm, size, align, limit, flags);
		if (PTR_ERR_OR_ZERO(res) == -ENOSPC) {
			vcm_iova_cache_drain(vd->cache);
			res = vcm_reserve_below(vcm, size, align, limit, flags);
		}
	}
	return res;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_alloc_range);

/**
 * free_iova_range() - give back a range from alloc_iova_range()
 * @range: the range
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 on success; -EINVAL if @range is NULL; -EPERM if @range is a
 * reserved region; -EBUSY if memory is still bound into @range (unbind
 * it first), and then nothing changes.
 */
int free_iova_range(struct vcm_res *range)
{
	if (!range)
		return -EINVAL;
	if (range->type == VCM_RES_REGION)
		return -EPERM;
	return vcm_unreserve(range);
}
EXPORT_SYMBOL_IF_KUNIT(free_iova_range);

/**
 * iova_range_live() - whether a range from alloc_iova_range() still
 *	belongs to an IOMMU domain
 * @range: the range
 *
 * A range outlives its DMA domain when the device's group switches domain
 * under a driver that manages its own DMA ownership: the range is then
 * revoked, and nothing may be mapped into it any more.
 *
 * Context: Any context; does not sleep. Unless the caller keeps the
 * device's domain from changing, the answer may change right after.
 * Return: true while @range's domain exists; false once it went away.
 */
bool iova_range_live(struct vcm_res *range)
{
	return !READ_ONCE(range->vcm->revoked);
}
EXPORT_SYMBOL_IF_KUNIT(iova_range_live);

/**
 * iova_range_in_domain() - whether a range from alloc_iova_range() is in
 *	a domain
 * @range: the range
 * @domain: the domain a device now uses for DMA, or NULL
 *
 * While a group switches domains, the device's domain is already the new
 * one before the old one is destroyed and its ranges revoked.
 *
 * Context: Any context; does not sleep. The caller keeps @domain alive.
 * Return: true if @range is live and a range of @domain's VCM context;
 * false otherwise.
 */
bool iova_range_in_domain(struct vcm_res *range, struct iommu_domain *domain)
{
	struct vcm_dma *vd = iommu_dma_vcm(domain);

	return vd && vd->vcm == range->vcm && iova_range_live(range);
}
