/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VCM IOVA space allocator.
 *
 * An IOVA space is a range of page frame numbers [start_pfn, end_pfn] in
 * units of a granule (the smallest page size of the IOMMU domain). Ranges
 * are allocated top-down below a limit, reserved at fixed addresses and
 * freed again, each in O(log n) for n allocated ranges.
 *
 * A per-CPU cache (struct vcm_iova_cache) in front of a space makes the
 * common power-of-two sizes, up to 4 MiB, O(1) without a shared lock.
 * The free IOVA it holds is bounded: 16 MiB per CPU plus 32 MiB shared
 * by all CPUs of the space, and 256 MiB more shared for ranges handed
 * back by a lazy flush queue (vcm_iova_free_queued()). It goes back to the space when idle for a
 * second, when a CPU goes offline, and before a request fails for lack
 * of room.
 */
#ifndef _VCM_IOVA_H
#define _VCM_IOVA_H

#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/spinlock.h>

/*
 * Highest pfn an IOVA space can reach. Keeping two bits free lets the
 * allocator compute gap lengths and alignments without overflow.
 */
#define VCM_IOVA_MAX_PFN	(ULONG_MAX >> 2)

/* A cache holds every power-of-two size up to at least this many bytes. */
#define VCM_IOVA_CACHE_BYTES	SZ_4M

struct vcm_iova_node;

/**
 * struct vcm_iova_space - an IOVA space
 * @lock: protects the tree, its nodes, the pool and the counts; the
 *	bounds and the granule do not change after vcm_iova_space_init().
 *	Lock order: a &vcm_iova_cache per-CPU lock, then the cache's depot
 *	lock, then @lock. Nothing is called with @lock held.
 * @root: root of the B+ tree of allocated ranges and their free gaps
 * @height: number of levels above the leaves
 * @spare: nodes kept for the splits of the next insertions
 * @nr_spare: number of nodes in @spare
 * @nr_nodes: number of nodes in the tree
 * @start_pfn: lowest pfn of the space
 * @end_pfn: highest pfn of the space
 * @granule_shift: log2 of the granule in bytes
 * @nr_ranges: number of allocated ranges
 * @reclaim: optional callback that gives cached free ranges back to the
 *	space; called without locks held before a request fails
 * @reclaim_data: argument of @reclaim
 * @id: what trace events name the space by; 0 unless its owner sets it
 *
 * All fields are private but @id; use the functions below.
 */
struct vcm_iova_space {
	spinlock_t lock; /* see above */
	struct vcm_iova_node *root;
	unsigned int height;
	struct vcm_iova_node *spare;
	unsigned int nr_spare;
	unsigned long nr_nodes;
	unsigned long start_pfn;
	unsigned long end_pfn;
	unsigned int granule_shift;
	unsigned long nr_ranges;
	void (*reclaim)(void *data);
	void *reclaim_data;
	unsigned int id;
};

/**
 * vcm_iova_granule() - granule of an IOVA space
 * @space: the space
 *
 * Context: Any context.
 * Return: the granule in bytes.
 */
static inline unsigned long vcm_iova_granule(const struct vcm_iova_space *space)
{
	return 1UL << space->granule_shift;
}

/**
 * vcm_iova_shift() - log2 of the granule of an IOVA space
 * @space: the space
 *
 * Context: Any context.
 * Return: the shift that turns a pfn of @space into an address.
 */
static inline unsigned int vcm_iova_shift(const struct vcm_iova_space *space)
{
	return space->granule_shift;
}

/**
 * typedef vcm_iova_range_fn - callback of vcm_iova_walk_ranges()
 * @pfn: first pfn of an allocated range
 * @size: number of pfns of the range
 * @data: the argument passed to vcm_iova_walk_ranges()
 *
 * Return: 0 to go on, anything else to stop the walk.
 */
typedef int (*vcm_iova_range_fn)(unsigned long pfn, unsigned long size,
				 void *data);

int vcm_iova_space_init(struct vcm_iova_space *space, unsigned long granule,
			unsigned long start_pfn, unsigned long end_pfn);
void vcm_iova_space_destroy(struct vcm_iova_space *space);
int vcm_iova_alloc(struct vcm_iova_space *space, unsigned long size,
		   unsigned long align, unsigned long limit_pfn, gfp_t gfp,
		   unsigned long *pfn);
int vcm_iova_reserve(struct vcm_iova_space *space, unsigned long pfn,
		     unsigned long size, gfp_t gfp);
int vcm_iova_free(struct vcm_iova_space *space, unsigned long pfn,
		  unsigned long size);
int vcm_iova_find(struct vcm_iova_space *space, unsigned long pfn,
		  unsigned long *start, unsigned long *size);
bool vcm_iova_next_free(struct vcm_iova_space *space, unsigned long pfn,
			unsigned long last, unsigned long *lo,
			unsigned long *hi);
void vcm_iova_reclaim(struct vcm_iova_space *space);
int vcm_iova_walk_ranges(struct vcm_iova_space *space, vcm_iova_range_fn fn,
			 void *data);
unsigned long vcm_iova_nr_ranges(struct vcm_iova_space *space);
unsigned long vcm_iova_space_bytes(struct vcm_iova_space *space);
void vcm_iova_set_reclaim(struct vcm_iova_space *space,
			  void (*reclaim)(void *data), void *data);

struct vcm_iova_cache;

/**
 * struct vcm_iova_cache_stats - what a per-CPU cache has done and holds
 * @hits: cached-size allocations that a magazine or the depot served
 * @misses: cached-size allocations that the tree served
 * @large: allocations of sizes above the cached ones, all from the tree
 * @failures: allocations that failed
 * @drains: full drains, before a request on the space failed or on demand
 * @reclaims: idle reclaim passes that gave ranges back
 * @ranges: free ranges the cache holds
 * @pfns: pfns of those ranges
 *
 * The counts run from the cache's creation.
 */
struct vcm_iova_cache_stats {
	unsigned long hits;
	unsigned long misses;
	unsigned long large;
	unsigned long failures;
	unsigned long drains;
	unsigned long reclaims;
	unsigned long ranges;
	unsigned long pfns;
};

struct vcm_iova_cache *vcm_iova_cache_create(struct vcm_iova_space *space);
void vcm_iova_cache_destroy(struct vcm_iova_cache *cache);
unsigned int vcm_iova_cache_max_order(const struct vcm_iova_cache *cache);
int vcm_iova_alloc_fast(struct vcm_iova_cache *cache, unsigned long size,
			unsigned long limit_pfn, gfp_t gfp, unsigned long *pfn);
int vcm_iova_try_alloc_fast(struct vcm_iova_cache *cache, unsigned long size,
			    unsigned long limit_pfn, gfp_t gfp,
			    unsigned long *pfn);
void vcm_iova_free_fast(struct vcm_iova_cache *cache, unsigned long pfn,
			unsigned long size);
void vcm_iova_free_queued(struct vcm_iova_cache *cache, unsigned long pfn,
			  unsigned long size);
void vcm_iova_cache_drain(struct vcm_iova_cache *cache);
unsigned long vcm_iova_cache_count(struct vcm_iova_cache *cache);
unsigned long vcm_iova_cache_misses(struct vcm_iova_cache *cache);
void vcm_iova_cache_stats(struct vcm_iova_cache *cache,
			  struct vcm_iova_cache_stats *st);
void vcm_iova_cache_drain_cpu(struct vcm_iova_cache *cache, unsigned int cpu);

#endif /* _VCM_IOVA_H */
