/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to VCM behind dma-iommu: dma.c (set-up and the hot path),
 * resv.c (reserved regions) and dma_debugfs.c.
 */
#ifndef _VCM_DMA_INTERNAL_H
#define _VCM_DMA_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "dma.h"
#include "vcm_internal.h"

struct dentry;
struct vcm_iova_cache;

/**
 * struct vcm_dma - VCM state of one DMA domain
 * @vcm: the context over the domain; its IOVA space serves every mapping
 * @domain: the domain
 * @cache: per-CPU cache of free ranges of @vcm's space, for the hot path
 * @lock: protects @devs
 * @devs: the devices whose reserved regions are in @vcm (struct
 *	vcm_dma_dev)
 * @fill: reserves later what of the devices' regions a mapping or a
 *	window held when they joined (vcm_dma_fill()); queued only while
 *	some of it is missing
 * @fill_delay: the delay before the next @fill, doubled each time up to
 *	a minute; under @lock
 * @id: number of the debugfs directory
 * @dir: the debugfs directory, or NULL without debugfs
 * @live: with CONFIG_DMA_API_DEBUG, the size of every range handed out,
 *	indexed by first granule, so that a bad free is refused rather
 *	than corrupting the cache
 *
 * vcm_dma_create() and vcm_dma_destroy() are serialized by dma-iommu (its
 * cookie mutex, or the domain's lifetime); vcm_dma_add_device() and
 * vcm_dma_remove_device() run under the IOMMU group's mutex, and take
 * @lock; vcm_dma_alloc() and vcm_dma_free() run in any context; explicit
 * ranges (alloc_iova_range()) are serialized with the rest by @vcm's
 * lock. Lock order: the group's mutex, the cookie mutex, @lock, @vcm's
 * lock, the cache's locks, the space lock.
 */
struct vcm_dma {
	struct vcm *vcm;
	struct iommu_domain *domain;
	struct vcm_iova_cache *cache;
	struct mutex lock; /* see above */
	struct list_head devs;
	struct delayed_work fill;
	unsigned long fill_delay;
	int id;
	struct dentry *dir;
	struct xarray live;
};

/* A range [lo, hi], of pfns (or of bus addresses in vcm_dma_holes()). */
struct vcm_dma_rgn {
	u64 lo;
	u64 hi;
	enum vcm_region type;
};

struct vcm_dma_rgns {
	struct vcm_dma_rgn *v;
	unsigned int nr;
	unsigned int cap;
};

/**
 * struct vcm_dma_dev - a device of a DMA domain and the regions it owns
 * @node: link in &vcm_dma.devs
 * @dev: the device; it leaves @node before it is freed
 * @want: the regions @dev needs kept out of the allocator, in granules
 * @owned: the regions made for @dev (struct vcm_res, by their @part). When
 *	@dev leaves, each goes to another device of the domain that wants
 *	part of it, or is given back.
 */
struct vcm_dma_dev {
	struct list_head node;
	struct device *dev;
	struct vcm_dma_rgns want;
	struct list_head owned;
};

/* resv.c */
int vcm_dma_rgn_cmp(const void *a, const void *b);
int vcm_dma_taken(struct vcm_dma_rgns *t, struct vcm *vcm);
void vcm_dma_forget_devs(struct vcm_dma *vd);
void vcm_dma_fill_work(struct work_struct *work);

/* dma_debugfs.c */
void vcm_dma_debugfs_add(struct vcm_dma *vd);
void vcm_dma_label(struct vcm_dma *vd);
void vcm_dma_debugfs_remove(struct vcm_dma *vd);

#endif /* _VCM_DMA_INTERNAL_H */
