/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VCM IOVA allocator: declarations shared inside drivers/iommu/vcm only.
 * Nothing outside this folder may include this header.
 */
#ifndef _VCM_IOVA_INTERNAL_H
#define _VCM_IOVA_INTERNAL_H

#include <linux/kconfig.h>
#include "vcm_iova.h"

/* Magazines of @order @cache has, and the size in bytes of one. */
unsigned long vcm_iova_cache_nr_mags(struct vcm_iova_cache *cache,
				     unsigned int order, size_t *bytes);

/* vcm_iova_alloc(); with @reclaim false, no cache is drained on -ENOSPC. */
int __vcm_iova_alloc_reclaim(struct vcm_iova_space *space, unsigned long size,
			     unsigned long align, unsigned long limit_pfn,
			     gfp_t gfp, bool reclaim, unsigned long *pfn);

#if IS_ENABLED(CONFIG_KUNIT)
/* Like vcm_iova_free() but silent: lets tests pass bad ranges on purpose. */
int vcm_iova_remove(struct vcm_iova_space *space, unsigned long pfn,
		    unsigned long size);
/* Check every invariant of the tree in O(n); 0 or -EINVAL. */
int vcm_iova_check(struct vcm_iova_space *space);
/* Run one pass of the idle reclaim work synchronously. */
void vcm_iova_cache_reclaim_now(struct vcm_iova_cache *cache);
/* Stop the timed idle reclaim, so that a slow test sees no surprise. */
void vcm_iova_cache_stop_idle_reclaim(struct vcm_iova_cache *cache);
/*
 * Check the cache's accounting in O(ranges cached): each CPU's magazines
 * hold at most its budget and match its room, the depot holds only
 * non-empty magazines, within its larger (flush-queue) bound; 0 or -EINVAL.
 */
int vcm_iova_cache_check(struct vcm_iova_cache *cache);
#endif

#endif /* _VCM_IOVA_INTERNAL_H */
