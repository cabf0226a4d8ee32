// SPDX-License-Identifier: GPL-2.0-only
/*
 * Explicit IOVA windows: the DMA-API face of alloc_iova_range().
 *
 * A window is a VCM reservation in the device's default DMA domain. Each
 * map call makes one binding of a vcm_phys that describes the caller's
 * memory (its pages stay the caller's); each unmap call removes one. The
 * device's access follows the direction of the map call, and memory is
 * mapped cache-coherent (IOMMU_CACHE) for a coherent device, as
 * dma-iommu maps it. For a non-coherent device the CPU caches are
 * maintained at map, unmap and sync time unless DMA_ATTR_SKIP_CPU_SYNC.
 */

#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-window.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/vcm.h>
#include <trace/events/vcm.h>

/*
 * Make @win the window of @range, a range of @dev's domain, or (@range
 * NULL) a window that was never made. Used by dma_alloc_window() and, on
 * a mock domain, by KUnit.
 */
VISIBLE_IF_KUNIT void dma_window_wrap(struct device *dev,
				      struct dma_window *win,
				      struct vcm_res *range)
{
	mutex_init(&win->lock);
	win->iova = range ? vcm_res_start(range) : 0;
	win->size = range ? vcm_res_size(range) : 0;
	win->dev = dev;
	win->state = (struct dma_iova_state){
		.addr = win->iova,
		.__size = win->size,
		.__range = range,
	};
}
EXPORT_SYMBOL_IF_KUNIT(dma_window_wrap);

/**
 * dma_iova_alloc_range() - allocate a two-step IOVA range with a fixed
 *	address, an alignment or a limit
 * @dev: the device, attached to its default IOMMU DMA domain
 * @state: the range to fill in, memory of the caller's
 * @size: length in bytes, rounded up to the IOMMU granule
 * @align: alignment of the range's start, a power of two; 0 for the
 *	IOMMU granule
 * @addr: the bus address the range must start at, or 0 to let the
 *	allocator choose
 * @limit: highest bus address the range may cover, at most the device's
 *	DMA mask; 0 for the DMA mask
 *
 * What dma_iova_try_alloc() does, for drivers whose hardware needs more
 * than any free IOVA: dma_iova_link(), dma_iova_sync(), dma_iova_unlink(),
 * dma_iova_destroy() and dma_iova_free() work on @state as on a range of
 * dma_iova_try_alloc(), except that dma_iova_destroy() and dma_iova_free()
 * may sleep: they give the reservation back. The range is a reservation of the domain's VCM
 * context, as a DMA window is: the domain's graph in debugfs shows it,
 * and no streaming mapping, reserved region or window of any device of
 * the domain overlaps it. If the domain goes away (the group switched
 * type under a driver that manages its own DMA ownership), linking into
 * the range fails with -ENODEV, and dma_iova_free() still works. While
 * the switch is under way the two-step calls, which take no lock, may
 * still reach the old domain's page table: a driver that manages its own
 * DMA ownership stops its DMA before it lets the group switch.
 *
 * On error @state is cleared and dma_use_iova() is false for it.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL if @dev is NULL; -EOPNOTSUPP if the
 * device has no IOMMU or is in an identity or non-default domain (use
 * dma_map_*() instead); -EPERM for an untrusted device, or a size that
 * kmalloc() memory would need bounced for @dev, as dma-iommu bounces
 * these through swiotlb; the errors of alloc_iova_range(): -EINVAL (size
 * 0, @align not a power of two, @addr not aligned), -ERANGE (@limit above
 * the DMA mask, a fixed range beyond @limit), -EADDRINUSE (a fixed range
 * overlapping a mapping, region or window), -ENOSPC, -ENOMEM.
 */
int dma_iova_alloc_range(struct device *dev, struct dma_iova_state *state,
			 size_t size, size_t align, dma_addr_t addr, u64 limit)
{
	struct vcm_res *range;

	memset(state, 0, sizeof(*state));
	if (!dev)
		return -EINVAL;
	/* What dma-iommu would bounce through swiotlb cannot be linked. */
	if (dev_is_pci(dev) && to_pci_dev(dev)->untrusted)
		return -EPERM;
	if (IS_ENABLED(CONFIG_SWIOTLB) &&
	    dma_kmalloc_needs_bounce(dev, size, DMA_BIDIRECTIONAL))
		return -EPERM;
	range = alloc_iova_range(dev, size, align, addr, limit);
	if (IS_ERR(range))
		return PTR_ERR(range);
	state->addr = vcm_res_start(range);
	state->__size = vcm_res_size(range);
	state->__range = range;
	return 0;
}
EXPORT_SYMBOL_GPL(dma_iova_alloc_range);

/**
 * dma_alloc_window() - reserve an IOVA window for a device
 * @dev: the device, attached to its default IOMMU DMA domain
 * @win: the window to fill in, memory of the caller's (embed it in the
 *	driver's own state); it must not be a live window
 * @size: length in bytes, rounded up to the IOMMU granule
 * @align: alignment of the window's start, a power of two; 0 for the
 *	IOMMU granule
 * @addr: the bus address the window must start at (to match an ATU or
 *	dma-ranges set-up), or 0 to let the allocator choose
 * @limit: highest bus address the window may cover, at most the device's
 *	DMA mask; 0 for the DMA mask
 *
 * Nothing is mapped in the window yet: a DMA to it faults in the IOMMU.
 * Devices that may not be trusted with a fixed layout (untrusted PCI
 * devices, which dma-iommu bounces through swiotlb) are refused. On
 * error, @win is still made a window that every call refuses, so that a
 * driver that goes on using it gets errors rather than a crash.
 *
 * Context: Process context; may sleep. The caller is @dev's driver.
 * Return: 0 on success; -EINVAL if @dev or @win is NULL; -EOPNOTSUPP if
 * the device has no IOMMU or is in an identity or non-default domain
 * (fall back as <linux/dma-window.h> says); -EPERM for an untrusted
 * device or a size dma-iommu would bounce (see dma_iova_alloc_range());
 * otherwise the errors of alloc_iova_range(): -EINVAL (size 0, @align not
 * a power of two, @addr not aligned), -ERANGE (@limit above the DMA mask,
 * a fixed window beyond @limit), -EADDRINUSE (a fixed window overlapping a
 * mapping, region or window), -ENOSPC, -ENOMEM.
 */
int dma_alloc_window(struct device *dev, struct dma_window *win, size_t size,
		     size_t align, dma_addr_t addr, u64 limit)
{
	struct dma_iova_state state;
	int ret;

	if (!win)
		return -EINVAL;
	dma_window_wrap(dev, win, NULL);
	ret = dma_iova_alloc_range(dev, &state, size, align, addr, limit);
	if (ret)
		return ret;
	dma_window_wrap(dev, win, state.__range);
	return 0;
}
EXPORT_SYMBOL_GPL(dma_alloc_window);

/**
 * dma_free_window() - give a window back
 * @win: the window
 *
 * A window with parts still mapped is refused, not torn down: unmap each
 * part with dma_window_unmap() first, so that no DMA in flight loses its
 * mapping behind the driver's back. @win's memory stays the caller's; the
 * window is dead from now on, and every call on it fails with -EINVAL
 * until dma_alloc_window() makes it a window again.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL if @win is NULL or not a live window (a
 * second free, also one racing the first); -EBUSY if parts are still
 * mapped, and then nothing changes.
 */
int dma_free_window(struct dma_window *win)
{
	int ret = -EINVAL;

	if (!win)
		return -EINVAL;
	mutex_lock(&win->lock);
	if (win->state.__range)
		ret = free_iova_range(win->state.__range);
	if (!ret)
		memset(&win->state, 0, sizeof(win->state));
	mutex_unlock(&win->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(dma_free_window);

/* The VCM access flags of a mapping in direction @dir. */
static int dma_window_flags(struct dma_window *win,
			    enum dma_data_direction dir)
{
	unsigned int flags = dev_is_dma_coherent(win->dev) ? VCM_CACHE : 0;

	switch (dir) {
	case DMA_BIDIRECTIONAL:
		return flags | VCM_READ | VCM_WRITE;
	case DMA_TO_DEVICE:
		return flags | VCM_READ;
	case DMA_FROM_DEVICE:
		return flags | VCM_WRITE;
	default:
		return -EINVAL;
	}
}

/* Check a part [offset, offset + size) of @win, whose lock is held. */
static int dma_window_check(struct dma_window *win, size_t offset,
			    size_t size)
{
	size_t end;

	lockdep_assert_held(&win->lock);
	if (!win->state.__range || !size)
		return -EINVAL;
	if (check_add_overflow(offset, size, &end) || end > win->size)
		return -ERANGE;
	return 0;
}

/* CPU cache maintenance for [phys_offset, +size) of memory with pages. */
static void dma_window_sync(struct dma_window *win, struct vcm_phys *phys,
			    u64 phys_offset, u64 size,
			    enum dma_data_direction dir, bool for_device)
{
	phys_addr_t pa;
	u64 len;

	if (dev_is_dma_coherent(win->dev) || vcm_phys_is_mmio(phys))
		return;
	while (size && !vcm_phys_addr_at(phys, phys_offset, &pa, &len)) {
		len = min(len, size);
		/* Only memory in the linear map, as dma-direct syncs it. */
		if (!pfn_valid(PHYS_PFN(pa)))
			;
		else if (for_device)
			arch_sync_dma_for_device(pa, len, dir);
		else
			arch_sync_dma_for_cpu(pa, len, dir);
		phys_offset += len;
		size -= len;
	}
	if (!for_device)
		arch_sync_dma_for_cpu_all();
}

/* Bind @phys at @offset of @win; on error @phys is freed. */
static int dma_window_bind(struct dma_window *win, size_t offset,
			   struct vcm_phys *phys, enum dma_data_direction dir,
			   unsigned long attrs)
{
	int flags, ret;

	mutex_lock(&win->lock);
	ret = dma_window_check(win, offset, vcm_phys_size(phys));
	if (ret)
		goto out;
	flags = dma_window_flags(win, dir);
	if (flags < 0) {
		ret = flags;
		goto out;
	}
	/* Device memory is never cached, as dma_map_resource() maps it. */
	if (vcm_phys_is_mmio(phys))
		flags &= ~VCM_CACHE;
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		dma_window_sync(win, phys, 0, vcm_phys_size(phys), dir, true);
	ret = vcm_bind_at_flags(win->state.__range, offset, phys, 0,
				vcm_phys_size(phys), flags);
out:
	if (win->state.__range && trace_vcm_window_enabled())
		trace_vcm_window(vcm_res_ctx_id(win->state.__range), "map",
				 win->iova, offset, vcm_phys_size(phys), ret);
	mutex_unlock(&win->lock);
	if (ret)
		vcm_free(phys);
	return ret;
}

/**
 * dma_window_map_sg() - map a scatterlist at an offset of a window
 * @win: the window
 * @offset: where in the window, a multiple of the IOMMU granule
 * @sgl: the scatterlist; every entry starts and ends on a granule
 * @nents: number of entries
 * @dir: direction of the DMA; the device gets read or write access, or
 *	both, accordingly
 * @attrs: DMA_ATTR_SKIP_CPU_SYNC skips cache maintenance; others are
 *	ignored
 *
 * The entries are mapped one after the other, contiguously from
 * @win->iova + @offset; each entry's DMA address and length are set, as
 * dma_map_sg() sets them. The part is unmapped as a whole by
 * dma_window_unmap(@win, @offset, total length).
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL if @win is not a live window, @nents is
 * not positive, @dir is DMA_NONE, or an entry, @offset or the length is
 * not aligned to the granule; -ERANGE if the part does not fit in the
 * window; -EADDRINUSE if it overlaps a mapped part; -ENODEV if the
 * window's IOMMU domain went away; -ENOMEM, or an error of the IOMMU
 * driver. On error nothing is mapped.
 */
int dma_window_map_sg(struct dma_window *win, size_t offset,
		      struct scatterlist *sgl, int nents,
		      enum dma_data_direction dir, unsigned long attrs)
{
	struct sg_table sgt = { .sgl = sgl, .nents = nents,
				.orig_nents = nents };
	struct vcm_phys *phys;
	struct scatterlist *sg;
	dma_addr_t addr;
	int i, ret;

	if (!win || !sgl || nents <= 0)
		return -EINVAL;
	phys = vcm_phys_from_sgt(&sgt);
	if (IS_ERR(phys))
		return PTR_ERR(phys);
	ret = dma_window_bind(win, offset, phys, dir, attrs);
	if (ret)
		return ret;
	addr = win->iova + offset;
	for_each_sg(sgl, sg, nents, i) {
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = sg->length;
		addr += sg->length;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(dma_window_map_sg);

/**
 * dma_window_map_pages() - map pages at an offset of a window
 * @win: the window
 * @offset: where in the window, a multiple of the IOMMU granule
 * @pages: the pages, mapped one after the other
 * @count: number of pages
 * @dir: direction of the DMA
 * @attrs: DMA_ATTR_SKIP_CPU_SYNC skips cache maintenance
 *
 * Context: Process context; may sleep.
 * Return: as dma_window_map_sg(); -EINVAL also if @pages is NULL or
 * @count is 0.
 */
int dma_window_map_pages(struct dma_window *win, size_t offset,
			 struct page **pages, unsigned int count,
			 enum dma_data_direction dir, unsigned long attrs)
{
	struct vcm_phys *phys;

	if (!win)
		return -EINVAL;
	phys = vcm_phys_from_pages(pages, count);
	if (IS_ERR(phys))
		return PTR_ERR(phys);
	return dma_window_bind(win, offset, phys, dir, attrs);
}
EXPORT_SYMBOL_GPL(dma_window_map_pages);

static int dma_window_map_range(struct dma_window *win, size_t offset,
				phys_addr_t phys_addr, size_t size,
				unsigned int vflags,
				enum dma_data_direction dir,
				unsigned long attrs)
{
	struct vcm_phys *phys;

	if (!win)
		return -EINVAL;
	phys = vcm_phys_from_range(phys_addr, size, vflags);
	if (IS_ERR(phys))
		return PTR_ERR(phys);
	return dma_window_bind(win, offset, phys, dir, attrs);
}

/**
 * dma_window_map_phys() - map physical memory at an offset of a window
 * @win: the window
 * @offset: where in the window, a multiple of the IOMMU granule
 * @phys: physical address of RAM, aligned to the granule
 * @size: length in bytes, a multiple of the granule
 * @dir: direction of the DMA
 * @attrs: DMA_ATTR_SKIP_CPU_SYNC skips cache maintenance
 *
 * Context: Process context; may sleep.
 * Return: as dma_window_map_sg(); -EOVERFLOW if @phys + @size overflows.
 */
int dma_window_map_phys(struct dma_window *win, size_t offset,
			phys_addr_t phys, size_t size,
			enum dma_data_direction dir, unsigned long attrs)
{
	return dma_window_map_range(win, offset, phys, size, 0, dir, attrs);
}
EXPORT_SYMBOL_GPL(dma_window_map_phys);

/**
 * dma_window_map_resource() - map MMIO at an offset of a window
 * @win: the window
 * @offset: where in the window, a multiple of the IOMMU granule
 * @phys: physical address of the MMIO range (a doorbell, an
 *	interrupt-generation register), aligned to the granule
 * @size: length in bytes, a multiple of the granule
 * @dir: direction of the DMA
 * @attrs: ignored
 *
 * The range is mapped as device memory (IOMMU_MMIO), with no cache
 * maintenance, as dma_map_resource() maps it.
 *
 * Context: Process context; may sleep.
 * Return: as dma_window_map_phys().
 */
int dma_window_map_resource(struct dma_window *win, size_t offset,
			    phys_addr_t phys, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	return dma_window_map_range(win, offset, phys, size, VCM_MMIO, dir,
				    attrs);
}
EXPORT_SYMBOL_GPL(dma_window_map_resource);

/* The direction a part was mapped with, from its VCM access flags. */
static enum dma_data_direction dma_window_dir(unsigned int flags)
{
	if ((flags & (VCM_READ | VCM_WRITE)) == (VCM_READ | VCM_WRITE))
		return DMA_BIDIRECTIONAL;
	return flags & VCM_WRITE ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
}

/**
 * dma_window_unmap() - unmap one mapped part of a window
 * @win: the window
 * @offset: the offset the part was mapped at
 * @size: the length it was mapped with
 * @attrs: DMA_ATTR_SKIP_CPU_SYNC skips cache maintenance
 *
 * The part is gone from the IOMMU (and its IOTLB) when this returns: a
 * DMA to it faults. The caller's memory stays the caller's.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL if @win is not a live window, or @size
 * is not the part's length (a part is unmapped whole); -ERANGE if the
 * range is outside the window; -ENOENT if no part was mapped at @offset.
 */
int dma_window_unmap(struct dma_window *win, size_t offset, size_t size,
		     unsigned long attrs)
{
	struct vcm_binding_info info;
	int ret;

	if (!win)
		return -EINVAL;
	mutex_lock(&win->lock);
	ret = dma_window_check(win, offset, size);
	if (!ret)
		ret = vcm_res_find_binding(win->state.__range, offset, &info);
	if (!ret && info.offset != offset)
		ret = -ENOENT;
	if (!ret && info.size != size)
		ret = -EINVAL;
	if (!ret)
		ret = vcm_unbind_at(win->state.__range, offset);
	if (win->state.__range && trace_vcm_window_enabled())
		trace_vcm_window(vcm_res_ctx_id(win->state.__range), "unmap",
				 win->iova, offset, size, ret);
	mutex_unlock(&win->lock);
	if (ret)
		return ret;
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC) && (info.flags & VCM_WRITE))
		dma_window_sync(win, info.phys, info.phys_offset, info.size,
				dma_window_dir(info.flags), false);
	vcm_free(info.phys);
	return 0;
}
EXPORT_SYMBOL_GPL(dma_window_unmap);

static int dma_window_sync_range(struct dma_window *win, size_t offset,
				 size_t size, enum dma_data_direction dir,
				 bool for_device)
{
	struct vcm_binding_info info;
	u64 skip, len;
	int ret;

	if (!win || !valid_dma_direction(dir))
		return -EINVAL;
	mutex_lock(&win->lock);
	ret = dma_window_check(win, offset, size);
	while (!ret && size) {
		ret = vcm_res_find_binding(win->state.__range, offset, &info);
		if (ret)
			break;
		skip = offset - info.offset;
		len = min_t(u64, info.size - skip, size);
		dma_window_sync(win, info.phys, info.phys_offset + skip, len,
				dir, for_device);
		offset += len;
		size -= len;
	}
	mutex_unlock(&win->lock);
	return ret;
}

/**
 * dma_window_sync_for_cpu() - make a part of a window visible to the CPU
 * @win: the window
 * @offset: start of the part; any offset, not only a mapping's start
 * @size: length; the range may span several mapped parts
 * @dir: direction of the DMA that ran
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL for a bad window, size 0 or DMA_NONE;
 * -ERANGE if the range is outside the window; -ENOENT if part of it is
 * not mapped (what comes before the hole is synced).
 */
int dma_window_sync_for_cpu(struct dma_window *win, size_t offset,
			    size_t size, enum dma_data_direction dir)
{
	return dma_window_sync_range(win, offset, size, dir, false);
}
EXPORT_SYMBOL_GPL(dma_window_sync_for_cpu);

/**
 * dma_window_sync_for_device() - hand a part of a window to the device
 * @win: the window
 * @offset: start of the part
 * @size: length; the range may span several mapped parts
 * @dir: direction of the DMA to come
 *
 * Context: Process context; may sleep.
 * Return: as dma_window_sync_for_cpu().
 */
int dma_window_sync_for_device(struct dma_window *win, size_t offset,
			       size_t size, enum dma_data_direction dir)
{
	return dma_window_sync_range(win, offset, size, dir, true);
}
EXPORT_SYMBOL_GPL(dma_window_sync_for_device);
