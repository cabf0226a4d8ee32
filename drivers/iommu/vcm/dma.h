/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VCM behind dma-iommu: what drivers/iommu/dma-iommu.c and the IOMMU
 * core's release path call. Nothing else may include this header.
 *
 * A default DMA domain's cookie holds a struct vcm_dma: a VCM context
 * over the domain, whose IOVA space serves the domain's streaming and
 * coherent mappings through a per-CPU cache, and whose reservations hold
 * the reserved regions of every device of the domain's group, owned by
 * that device until the IOMMU core's release path takes them out again
 * (vcm_dma_remove_device()). Without CONFIG_VCM_DMA the calls below
 * compile to nothing and dma-iommu uses its own IOVA allocator.
 */
#ifndef _VCM_DMA_H
#define _VCM_DMA_H

#include <linux/types.h>

struct device;
struct iommu_domain;
struct vcm;
struct vcm_dma;

#ifdef CONFIG_VCM_DMA
struct vcm_dma *vcm_dma_create(struct iommu_domain *domain,
			       unsigned long base_pfn);
void vcm_dma_destroy(struct vcm_dma *vd);
struct vcm *vcm_dma_context(struct vcm_dma *vd);
int vcm_dma_add_device(struct vcm_dma *vd, struct device *dev);
void vcm_dma_remove_device(struct vcm_dma *vd, struct device *dev);
unsigned long vcm_dma_alloc(struct vcm_dma *vd, unsigned long pages,
			    unsigned long limit_pfn, bool drain);
void vcm_dma_free(struct vcm_dma *vd, unsigned long pfn,
		  unsigned long pages);
void vcm_dma_free_queued(struct vcm_dma *vd, unsigned long pfn,
			 unsigned long pages);
size_t vcm_dma_opt_mapping_size(void);
#if IS_ENABLED(CONFIG_KUNIT)
enum vcm_region;
struct seq_file;
struct vcm_res;
int vcm_dma_show(struct seq_file *m, void *unused);
int vcm_dma_reserve_ranges(struct vcm_dma *vd, struct device *dev,
			   const u64 *start, const u64 *last,
			   const enum vcm_region *type, unsigned int nr);
bool vcm_dma_fill(struct vcm_dma *vd);
struct vcm_res *vcm_dma_alloc_range(struct vcm_dma *vd, struct device *dev,
				    size_t size, size_t align,
				    dma_addr_t addr, u64 limit);
#endif
#else
static inline struct vcm_dma *vcm_dma_create(struct iommu_domain *domain,
					     unsigned long base_pfn)
{
	return NULL;
}

static inline void vcm_dma_destroy(struct vcm_dma *vd)
{
}

static inline struct vcm *vcm_dma_context(struct vcm_dma *vd)
{
	return NULL;
}

static inline int vcm_dma_add_device(struct vcm_dma *vd, struct device *dev)
{
	return 0;
}

static inline void vcm_dma_remove_device(struct vcm_dma *vd,
					 struct device *dev)
{
}

static inline unsigned long vcm_dma_alloc(struct vcm_dma *vd,
					  unsigned long pages,
					  unsigned long limit_pfn, bool drain)
{
	return 0;
}

static inline void vcm_dma_free(struct vcm_dma *vd, unsigned long pfn,
				unsigned long pages)
{
}

static inline void vcm_dma_free_queued(struct vcm_dma *vd, unsigned long pfn,
				       unsigned long pages)
{
}

static inline size_t vcm_dma_opt_mapping_size(void)
{
	return 0;
}
#endif

#endif /* _VCM_DMA_H */
