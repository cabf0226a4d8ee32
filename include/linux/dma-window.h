/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Explicit IOVA windows for drivers that manage their own bus addresses,
 * such as a PCIe endpoint controller whose ATU exposes one or two fixed
 * windows.
 *
 * A window is a range of bus addresses in the device's default IOMMU DMA
 * domain, reserved in that domain's VCM context: streaming mappings,
 * reserved regions (MSI, unity maps, PCI windows) and other windows of
 * every device sharing the domain never overlap it. The driver maps
 * scatterlists, pages, physical memory or MMIO at offsets of the window,
 * unmaps them one by one, syncs parts, and frees the window.
 *
 * A window is memory of the driver's (struct dma_window, embedded in its
 * own state, as upstream's struct dma_iova_state is): after
 * dma_free_window(), or two racing ones, every call on it fails with
 * -EINVAL instead of touching freed memory. A window whose IOMMU domain
 * went away (its group switched type under a driver that manages its own
 * DMA ownership) is unmapped from that domain: mapping into it fails with
 * -ENODEV, while unmapping and freeing still work.
 *
 * Without an IOMMU, or in an identity domain, there is nothing to reserve:
 * dma_alloc_window() returns -EOPNOTSUPP, and the driver falls
 * back to the plain DMA API (dma_map_sg() and friends, whose addresses it
 * then programs into its ATU one mapping at a time) or to a bus address
 * range of its own (dma_map_resource() for MMIO).
 */
#ifndef _LINUX_DMA_WINDOW_H
#define _LINUX_DMA_WINDOW_H

#include <linux/dma-direction.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/iommu-dma.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/types.h>

struct device;
struct iommu_domain;
struct page;
struct scatterlist;
struct vcm_res;

/**
 * struct dma_window - an explicit IOVA window of a device
 * @iova: first bus address of the window: program the ATU with it
 * @size: length of the window in bytes
 * @dev: the device
 * @state: the window's IOVA range, from dma_iova_alloc_range();
 *	@state.__range is its reservation in the device's VCM context,
 *	NULL once freed
 * @lock: serializes the calls on this window and protects @state. Lock
 *	order: @lock, then the VCM context's lock (see <linux/vcm.h>).
 *
 * Drivers read @iova and @size only, and free the window in their remove
 * at the latest. @state is the window's: parts are mapped into a window
 * with the dma_window_*() calls, which record each part in the graph,
 * never with dma_iova_link().
 */
struct dma_window {
	dma_addr_t iova;
	size_t size;
	struct device *dev;
	struct dma_iova_state state;
	struct mutex lock; /* see above */
};

#ifdef CONFIG_DMA_WINDOW
int dma_iova_alloc_range(struct device *dev, struct dma_iova_state *state,
			 size_t size, size_t align, dma_addr_t addr, u64 limit);
int dma_alloc_window(struct device *dev, struct dma_window *win, size_t size,
		     size_t align, dma_addr_t addr, u64 limit);
int dma_free_window(struct dma_window *win);
int dma_window_map_sg(struct dma_window *win, size_t offset,
		      struct scatterlist *sgl, int nents,
		      enum dma_data_direction dir, unsigned long attrs);
int dma_window_map_pages(struct dma_window *win, size_t offset,
			 struct page **pages, unsigned int count,
			 enum dma_data_direction dir, unsigned long attrs);
int dma_window_map_phys(struct dma_window *win, size_t offset,
			phys_addr_t phys, size_t size,
			enum dma_data_direction dir, unsigned long attrs);
int dma_window_map_resource(struct dma_window *win, size_t offset,
			    phys_addr_t phys, size_t size,
			    enum dma_data_direction dir, unsigned long attrs);
int dma_window_unmap(struct dma_window *win, size_t offset, size_t size,
		     unsigned long attrs);
int dma_window_sync_for_cpu(struct dma_window *win, size_t offset,
			    size_t size, enum dma_data_direction dir);
int dma_window_sync_for_device(struct dma_window *win, size_t offset,
			       size_t size, enum dma_data_direction dir);
#if IS_ENABLED(CONFIG_KUNIT)
/* For KUnit only: the window of a range of a mock domain. */
void dma_window_wrap(struct device *dev, struct dma_window *win,
		     struct vcm_res *range);
#endif
#else
static inline int dma_iova_alloc_range(struct device *dev,
				       struct dma_iova_state *state,
				       size_t size, size_t align,
				       dma_addr_t addr, u64 limit)
{
	memset(state, 0, sizeof(*state));
	return -EOPNOTSUPP;
}

static inline int dma_alloc_window(struct device *dev,
				   struct dma_window *win, size_t size,
				   size_t align, dma_addr_t addr, u64 limit)
{
	return -EOPNOTSUPP;
}

static inline int dma_free_window(struct dma_window *win)
{
	return -EOPNOTSUPP;
}

static inline int dma_window_map_sg(struct dma_window *win, size_t offset,
				    struct scatterlist *sgl, int nents,
				    enum dma_data_direction dir,
				    unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline int dma_window_map_pages(struct dma_window *win, size_t offset,
				       struct page **pages, unsigned int count,
				       enum dma_data_direction dir,
				       unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline int dma_window_map_phys(struct dma_window *win, size_t offset,
				      phys_addr_t phys, size_t size,
				      enum dma_data_direction dir,
				      unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline int dma_window_map_resource(struct dma_window *win,
					  size_t offset, phys_addr_t phys,
					  size_t size,
					  enum dma_data_direction dir,
					  unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline int dma_window_unmap(struct dma_window *win, size_t offset,
				   size_t size, unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline int dma_window_sync_for_cpu(struct dma_window *win,
					  size_t offset, size_t size,
					  enum dma_data_direction dir)
{
	return -EOPNOTSUPP;
}

static inline int dma_window_sync_for_device(struct dma_window *win,
					     size_t offset, size_t size,
					     enum dma_data_direction dir)
{
	return -EOPNOTSUPP;
}
#endif

#endif /* _LINUX_DMA_WINDOW_H */
