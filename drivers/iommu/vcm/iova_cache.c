// SPDX-License-Identifier: GPL-2.0-only
/**
 * DOC: The per-CPU cache
 *
 * VCM IOVA per-CPU cache.
 *
 * Freed ranges of power-of-two sizes up to at least 4 MiB are kept in
 * per-CPU magazines, one loaded and one spare magazine per size class,
 * and handed out again without touching the space's tree or any shared
 * lock. Full magazines move between CPUs through a depot per cache, so
 * that one CPU can free what others allocated.
 *
 * What the cache holds stays allocated in the tree; vcm_iova_find() and
 * vcm_iova_walk_ranges() report it.
 *
 * Bounds on IOVA held free by a cache. A magazine of order k holds up to
 * clamp(VCM_IOVA_MAG_BYTES / (granule << k), 1, VCM_IOVA_MAG_SIZE) ranges,
 * fewer where that is needed for the magazine to fill a power-of-two
 * kmalloc bucket exactly: 2, 6, 14, 30, 62 or 126 ranges (32 to 1024
 * bytes) on 64-bit, or 1. A CPU is charged for the ranges its magazines
 * hold, not for their capacity, and its charge stays within
 * VCM_IOVA_CPU_BYTES: a free that would go over hands the fuller of the
 * CPU's two magazines of its order to the depot if the depot has room
 * for its ranges, and goes back to the tree otherwise; a magazine from
 * the depot is taken only if its ranges fit, and otherwise an allocation
 * takes just its one range out of it, so that the depot's ranges are used
 * before the tree's and none sit idle there. Magazines reach the depot
 * full, or part full from a CPU over its budget: a CPU that only frees
 * (interrupts of other CPUs' mappings) passes everything on that way.
 * The ranges in the depot are at most VCM_IOVA_DEPOT_BYTES in all, or
 * VCM_IOVA_QUEUE_BYTES more for the ranges a flush queue hands back
 * (vcm_iova_free_queued()). So the free IOVA a cache holds is at most
 *
 *	VCM_IOVA_CPU_BYTES (16 MiB) per CPU,
 *	plus VCM_IOVA_DEPOT_BYTES (32 MiB) per space,
 *	plus VCM_IOVA_QUEUE_BYTES (256 MiB) per space, only in lazy mode,
 *
 * whatever the granule; iova.c's rcache can hold 64 MiB per CPU of 4 KiB
 * granules in its loaded and spare magazines alone, and its depot has no
 * bound. A magazine holds 126 ranges up to 64 KiB and 62 of 128 KiB, as
 * many as iova.c's, so that a flush queue handing back 256 ranges of up
 * to 64 KiB at once still lands in the CPU's magazines and the depot.
 * Larger ranges from a flush queue use the depot's extra room: a queue
 * hands back up to 256 ranges at once, which a moment before it held
 * itself, and the same CPU maps as many again right after. Without the
 * extra room, most of a burst of 1 MiB ranges would go through the tree,
 * each free and allocation costing twice what iova.c's do in that
 * pattern (its tree walk starts at a cached node, ours keeps every
 * ancestor's largest gap up to date). Other frees keep to 32 MiB, so the
 * steady mix of sizes is cached no more than before.
 * The tree node of each cached range is the only memory the ranges cost.
 * Charging contents rather than capacity lets a CPU keep magazines of
 * every order at once, so that mixed sizes do not make it free and
 * allocate magazines all the time; it keeps at most two per order, empty
 * or not (at most 2 KiB per order and CPU), and the idle reclaim frees
 * them.
 *
 * All of it goes back to the tree when a CPU or the depot stays idle
 * for VCM_IOVA_RECLAIM_DELAY, when a CPU goes offline, and before any
 * request on the space fails for lack of room.
 *
 * The hit path takes this CPU's lock, marks the CPU not idle and pushes or
 * pops one pfn; everything else is in out-of-line slow paths. A CPU that
 * holds no magazine of an order points to vcm_iova_mag_none, which is
 * empty and has no room, so the hit path needs no NULL checks.
 */

#include <linux/bitops.h>
#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>
#include <trace/events/vcm.h>

#include "iova_internal.h"
#include "vcm_iova.h"

/* Most ranges in one magazine: the magazine then takes 1 KiB on 64-bit. */
#define VCM_IOVA_MAG_SIZE	126
/* IOVA one magazine aims to hold; it holds at least one range. */
#define VCM_IOVA_MAG_BYTES	SZ_8M
/* IOVA held by one CPU's magazines. */
#define VCM_IOVA_CPU_BYTES	SZ_16M
/* IOVA held by the magazines of the depot. */
#define VCM_IOVA_DEPOT_BYTES	SZ_32M
/* More IOVA the depot may hold from ranges a flush queue hands back. */
#define VCM_IOVA_QUEUE_BYTES	SZ_256M
/* A CPU or depot unused for this long gives its ranges back. */
#define VCM_IOVA_RECLAIM_DELAY	HZ

/* struct vcm_iova_cache.flags */
#define VCM_IOVA_CACHE_ARMED	0

struct vcm_iova_mag {
	struct vcm_iova_mag *next;
	unsigned int size;
	unsigned int cap;
	unsigned long pfns[];
};

/* Stands for "no magazine": empty and full at once. Never written. */
static struct vcm_iova_mag vcm_iova_mag_none;

struct vcm_iova_mags {
	struct vcm_iova_mag *loaded;
	struct vcm_iova_mag *prev;
};

/**
 * struct vcm_iova_cpu - the part of a cache that belongs to one CPU
 * @lock: protects the fields below and the magazines in @mags. Taken by
 *	its CPU on every cached allocation and free, and by other CPUs to
 *	drain and to sum the counts. Lock order: @lock, then
 *	&vcm_iova_cache.depot_lock, then &vcm_iova_space.lock.
 * @idle: unused since the last reclaim pass; cleared rather than set on
 *	use, as a store of zero is one instruction less on some machines
 * @room: pfns this CPU may still cache: &vcm_iova_cache.cpu_max less
 *	the pfns of the ranges in @mags
 * @hits: cached-size allocations on this CPU that its magazines or the
 *	depot served
 * @misses: cached-size allocations on this CPU that neither its magazines
 *	nor the depot could serve, so that the tree did
 * @large: allocations on this CPU of sizes above the cached ones
 * @failures: allocations on this CPU that failed
 * @mags: the loaded and the spare magazine of each order, or
 *	&vcm_iova_mag_none
 */
struct vcm_iova_cpu {
	spinlock_t lock; /* see above */
	bool idle;
	unsigned long room;
	unsigned long hits;
	unsigned long misses;
	unsigned long large;
	unsigned long failures;
	struct vcm_iova_mags mags[];
};

/**
 * struct vcm_iova_depot - magazines of one order, shared by all CPUs
 * @mags: list of non-empty magazines, linked by &vcm_iova_mag.next
 * @active: used since the last reclaim pass
 * @cap: capacity of magazines of this order (constant)
 */
struct vcm_iova_depot {
	struct vcm_iova_mag *mags;
	bool active;
	unsigned int cap;
};

/**
 * struct vcm_iova_cache - per-CPU cache in front of an IOVA space
 * @space: the space
 * @max_size: largest cached size in pfns, 2^(@nr_orders - 1)
 * @nr_orders: number of cached orders: sizes 1 to @max_size
 * @cpus: per-CPU magazines
 * @cpu_max: most pfns cached by one CPU (constant)
 * @depot_max: most pfns in the depot after vcm_iova_free_fast() (constant)
 * @queue_max: most pfns in the depot after vcm_iova_free_queued(),
 *	more than @depot_max (constant)
 * @depot_lock: protects @depot_held and every @depot entry but @cap;
 *	nests inside the per-CPU locks and outside
 *	&vcm_iova_space.lock
 * @depot_held: pfns in the depot's magazines, at most @queue_max
 * @drains: full drains (vcm_iova_cache_drain()), under @depot_lock
 * @reclaims: idle reclaim passes that gave ranges back, under @depot_lock
 * @flags: %VCM_IOVA_CACHE_ARMED while @reclaim_work is scheduled or runs
 * @reclaim_work: gives back ranges of idle CPUs and idle depot orders
 * @cpuhp_node: instance of the CPU hotplug state that drains dead CPUs
 * @depot: one depot per order
 */
struct vcm_iova_cache {
	struct vcm_iova_space *space;
	unsigned long max_size;
	unsigned int nr_orders;
	struct vcm_iova_cpu __percpu *cpus;
	unsigned long cpu_max;
	unsigned long depot_max;
	unsigned long queue_max;
	spinlock_t depot_lock; /* see above */
	unsigned long depot_held;
	unsigned long drains;
	unsigned long reclaims;
	unsigned long flags;
	struct delayed_work reclaim_work;
	struct hlist_node cpuhp_node;
	struct vcm_iova_depot depot[];
};

static enum cpuhp_state vcm_iova_cpuhp_state;
static unsigned int vcm_iova_cpuhp_users;
static DEFINE_MUTEX(vcm_iova_cpuhp_mutex);

/* Ranges in a magazine of @order: fills a power-of-two kmalloc bucket. */
static unsigned int vcm_iova_mag_cap(unsigned int shift, unsigned int order)
{
	unsigned long cap = (VCM_IOVA_MAG_BYTES >> shift) >> order;
	size_t bytes;

	cap = clamp(cap, 1UL, (unsigned long)VCM_IOVA_MAG_SIZE);
	bytes = struct_size_t(struct vcm_iova_mag, pfns, cap);
	if (cap > 1 && !is_power_of_2(bytes))
		cap = (rounddown_pow_of_two(bytes) -
		       offsetof(struct vcm_iova_mag, pfns)) / sizeof(long);
	return max(cap, 1UL);
}

static bool vcm_iova_mag_real(const struct vcm_iova_mag *mag)
{
	return mag != &vcm_iova_mag_none;
}

/* Give every range of @mag back to the tree and free @mag; how many. */
static unsigned int vcm_iova_mag_release(struct vcm_iova_cache *cache,
					 struct vcm_iova_mag *mag,
					 unsigned int order)
{
	unsigned int i, n;

	if (!mag || !vcm_iova_mag_real(mag))
		return 0;
	n = mag->size;
	for (i = 0; i < n; i++)
		vcm_iova_free(cache->space, mag->pfns[i], 1UL << order);
	kfree(mag);
	return n;
}

/* Take the highest-placed usable pfn not above @max_pfn off @mag. */
static bool vcm_iova_mag_pop(struct vcm_iova_mag *mag, unsigned long max_pfn,
			     unsigned long *pfn)
{
	unsigned int i;

	for (i = mag->size; i--; ) {
		if (mag->pfns[i] <= max_pfn) {
			*pfn = mag->pfns[i];
			mag->pfns[i] = mag->pfns[--mag->size];
			return true;
		}
	}
	return false;
}

static void vcm_iova_cache_arm(struct vcm_iova_cache *cache)
{
	if (!test_bit(VCM_IOVA_CACHE_ARMED, &cache->flags) &&
	    !test_and_set_bit(VCM_IOVA_CACHE_ARMED, &cache->flags))
		schedule_delayed_work(&cache->reclaim_work,
				      VCM_IOVA_RECLAIM_DELAY);
}

/*
 * Slow path of vcm_iova_cache_get(): search the loaded magazine, or refill
 * it from the spare or the depot first if it is empty. A magazine of the
 * depot is taken only if its ranges fit in this CPU's room; otherwise the
 * one range asked for is taken out of it, so that what the depot holds is
 * used before the tree, as with a CPU that has room.
 */
static bool vcm_iova_cache_get_slow(struct vcm_iova_cache *cache,
				    unsigned int order, unsigned long max_pfn,
				    unsigned long *pfn)
{
	struct vcm_iova_depot *depot = &cache->depot[order];
	struct vcm_iova_mag *old = NULL;
	struct vcm_iova_cpu *cpu;
	struct vcm_iova_mags *mags;
	bool hit = false, from_depot = false;
	unsigned long flags;

	cpu = raw_cpu_ptr(cache->cpus);
	spin_lock_irqsave(&cpu->lock, flags);
	cpu->idle = false;
	mags = &cpu->mags[order];
	if (mags->loaded->size)
		goto pop;

	/* The loaded magazine is empty: refill it from the spare or depot. */
	if (mags->prev->size || !vcm_iova_mag_real(mags->loaded))
		swap(mags->loaded, mags->prev);
	if (!mags->loaded->size && READ_ONCE(depot->mags)) {
		struct vcm_iova_mag *mag;
		unsigned long held;

		spin_lock(&cache->depot_lock);
		mag = depot->mags;
		held = mag ? (unsigned long)mag->size << order : 0;
		if (mag && held <= cpu->room) {
			old = mags->loaded;
			mags->loaded = mag;
			depot->mags = mag->next;
			cache->depot_held -= held;
			cpu->room -= held;
			depot->active = true;
			from_depot = true;
		} else if (mag && vcm_iova_mag_pop(mag, max_pfn, pfn)) {
			/* Not this CPU's: its room does not change. */
			cache->depot_held -= 1UL << order;
			depot->active = true;
			if (!mag->size) {
				depot->mags = mag->next;
				old = mag;
			}
			from_depot = true;
			hit = true;
		}
		spin_unlock(&cache->depot_lock);
		/* Keep the empty one as the spare if there is none. */
		if (old && !vcm_iova_mag_real(mags->prev)) {
			mags->prev = old;
			old = NULL;
		}
		if (hit)
			goto out;
	}
pop:
	hit = vcm_iova_mag_pop(mags->loaded, max_pfn, pfn);
	if (hit)
		cpu->room += 1UL << order;
	else
		cpu->misses++;
out:
	cpu->hits += hit;
	spin_unlock_irqrestore(&cpu->lock, flags);

	/* The empty magazine the depot's one replaced, or the depot's own. */
	if (old && vcm_iova_mag_real(old))
		kfree(old);
	if (from_depot)
		vcm_iova_cache_arm(cache);
	return hit;
}

/*
 * Take a range of @order that ends at or below @limit_pfn from the top of
 * the loaded magazine; false on a miss, which the caller answers out of
 * line. The range's end is computed here, after the lock, so that the
 * caller keeps nothing but @limit_pfn live across it: no cached pfn is
 * above VCM_IOVA_MAX_PFN, so the sum cannot wrap.
 */
static __always_inline bool vcm_iova_cache_get(struct vcm_iova_cache *cache,
					       unsigned int order,
					       unsigned long limit_pfn,
					       unsigned long *pfn)
{
	struct vcm_iova_cpu *cpu = raw_cpu_ptr(cache->cpus);
	struct vcm_iova_mag *mag;
	unsigned long flags, room, top;
	unsigned int i;

	spin_lock_irqsave(&cpu->lock, flags);
	cpu->idle = false;
	mag = cpu->mags[order].loaded;
	/* Loads first: the compiler cannot tell the stores apart from them. */
	room = cpu->room;
	i = mag->size;
	/* Most often the last range freed fits: take it. */
	if (likely(i)) {
		top = mag->pfns[i - 1];
		if (likely(top + ((1UL << order) - 1) <= limit_pfn)) {
			mag->size = i - 1;
			cpu->room = room + (1UL << order);
			cpu->hits++;
			*pfn = top;
			spin_unlock_irqrestore(&cpu->lock, flags);
			return true;
		}
	}
	spin_unlock_irqrestore(&cpu->lock, flags);
	return false;
}

/*
 * Hand @mag, not empty, to the depot of @order; false if the depot would
 * then hold more than @max pfns. The caller holds a CPU lock (lock order),
 * and gives back to its CPU the @held pfns of @mag on success.
 */
static bool vcm_iova_depot_put(struct vcm_iova_cache *cache,
			       unsigned int order, struct vcm_iova_mag *mag,
			       unsigned long held, unsigned long max)
{
	struct vcm_iova_depot *depot = &cache->depot[order];
	bool done = false;

	if (READ_ONCE(cache->depot_held) + held > max)
		return false;
	spin_lock(&cache->depot_lock);
	if (cache->depot_held + held <= max) {
		mag->next = depot->mags;
		depot->mags = mag;
		cache->depot_held += held;
		depot->active = true;
		done = true;
	}
	spin_unlock(&cache->depot_lock);
	return done;
}

/*
 * Slow path of vcm_iova_cache_put(): the CPU has no room left, or both
 * magazines of @order are full or missing. Over budget, the fuller
 * magazine of @order moves to the depot, which gives its room back. When
 * both are full, a new magazine replaces the spare, which moves to the
 * depot. When the depot has no room (up to @max pfns), the range goes
 * back to the tree instead (false), so that no magazine is allocated only
 * to be emptied into the tree.
 */
static bool vcm_iova_cache_put_slow(struct vcm_iova_cache *cache,
				    unsigned int order, unsigned long pfn,
				    unsigned long max)
{
	struct vcm_iova_depot *depot = &cache->depot[order];
	struct vcm_iova_mag *new;
	struct vcm_iova_cpu *cpu;
	struct vcm_iova_mags *mags;
	unsigned long flags, held;

	cpu = raw_cpu_ptr(cache->cpus);
	spin_lock_irqsave(&cpu->lock, flags);
	cpu->idle = false;
	mags = &cpu->mags[order];
	if (cpu->room < 1UL << order) {
		if (mags->loaded->size > mags->prev->size)
			swap(mags->loaded, mags->prev);
		/* Not empty: at least this range's pfns come free. */
		held = (unsigned long)mags->prev->size << order;
		if (!held ||
		    !vcm_iova_depot_put(cache, order, mags->prev, held, max))
			goto fail;
		cpu->room += held;
		mags->prev = &vcm_iova_mag_none;
	}
	if (mags->loaded->size < mags->loaded->cap)
		goto push;
	if (mags->prev->size < mags->prev->cap) {
		swap(mags->loaded, mags->prev);
		goto push;
	}

	/*
	 * Both are full or missing: a new magazine becomes the loaded one and
	 * a full spare goes to the depot. Look at the depot's room first, so
	 * as not to allocate a magazine only to free it again.
	 */
	held = (unsigned long)mags->prev->size << order;
	if (READ_ONCE(cache->depot_held) + held > max)
		goto fail;
	new = kmalloc(struct_size(new, pfns, depot->cap),
		      GFP_ATOMIC | __GFP_NOWARN);
	if (!new)
		goto fail;
	if (vcm_iova_mag_real(mags->prev)) {
		if (!vcm_iova_depot_put(cache, order, mags->prev, held, max)) {
			kfree(new);
			goto fail;
		}
		cpu->room += held;
	}
	new->size = 0;
	new->cap = depot->cap;
	mags->prev = mags->loaded;
	mags->loaded = new;
push:
	mags->loaded->pfns[mags->loaded->size++] = pfn;
	cpu->room -= 1UL << order;
	spin_unlock_irqrestore(&cpu->lock, flags);
	vcm_iova_cache_arm(cache);
	return true;

fail:
	spin_unlock_irqrestore(&cpu->lock, flags);
	return false;
}

/*
 * Put the free range at @pfn of @order into the loaded magazine; false
 * when that needs more, which the caller does out of line.
 */
static __always_inline bool vcm_iova_cache_put(struct vcm_iova_cache *cache,
					       unsigned int order,
					       unsigned long pfn)
{
	struct vcm_iova_cpu *cpu = raw_cpu_ptr(cache->cpus);
	struct vcm_iova_mag *mag;
	unsigned long flags, room;
	unsigned int i;

	spin_lock_irqsave(&cpu->lock, flags);
	cpu->idle = false;
	mag = cpu->mags[order].loaded;
	/* Loads first: the compiler cannot tell the stores apart from them. */
	room = cpu->room;
	i = mag->size;
	if (likely(i < mag->cap && room >= 1UL << order)) {
		mag->pfns[i] = pfn;
		mag->size = i + 1;
		cpu->room = room - (1UL << order);
		spin_unlock_irqrestore(&cpu->lock, flags);
		return true;
	}
	spin_unlock_irqrestore(&cpu->lock, flags);
	return false;
}

/*
 * Count a large allocation, or a failed one. A failed cached-size one was
 * counted as a miss, which the tree did not serve after all: take it
 * back. The counts are summed over CPUs, so any CPU's may take it; a sum
 * taken meanwhile may see the decrement without the increment, which
 * vcm_iova_cache_stats() clamps.
 */
static void vcm_iova_cache_count_slow(struct vcm_iova_cache *cache,
				      bool missed, int ret)
{
	struct vcm_iova_cpu *cpu = raw_cpu_ptr(cache->cpus);
	unsigned long flags;

	spin_lock_irqsave(&cpu->lock, flags);
	if (!ret) {
		cpu->large++;
	} else {
		cpu->failures++;
		cpu->misses -= missed;
	}
	spin_unlock_irqrestore(&cpu->lock, flags);
}

/*
 * Everything vcm_iova_alloc_fast() does after a miss of the loaded
 * magazine: the spare and the depot, then checks and the tree.
 */
static noinline int vcm_iova_alloc_miss(struct vcm_iova_cache *cache,
					unsigned long size,
					unsigned long limit_pfn, gfp_t gfp,
					bool drain, unsigned long *pfn)
{
	struct vcm_iova_space *space = cache->space;
	unsigned long mask = size - 1;
	bool large = mask >= cache->max_size, missed = false;
	unsigned int order;
	int ret;

	if (!size) {
		ret = -EINVAL;
		goto out;
	}
	if (!large) {
		order = fls_long(mask);
		mask = (1UL << order) - 1;
		if (mask <= limit_pfn) {
			/* vcm_iova_cache_get_slow() counts the hit or miss. */
			if (vcm_iova_cache_get_slow(cache, order,
						    limit_pfn - mask, pfn)) {
				trace_vcm_iova_alloc(space->id, *pfn, mask + 1,
						     true);
				return 0;
			}
			missed = true;
		}
	}
	if (limit_pfn < space->start_pfn) {
		ret = -ERANGE;
	} else if (size > VCM_IOVA_MAX_PFN) {
		ret = -ENOSPC;
	} else {
		/* Cached sizes come rounded up; others are allocated exactly. */
		ret = __vcm_iova_alloc_reclaim(space, size,
					       roundup_pow_of_two(size),
					       limit_pfn, gfp, drain, pfn);
	}
out:
	if (large || ret)
		vcm_iova_cache_count_slow(cache, missed, ret);
	if (!ret)
		trace_vcm_iova_alloc(space->id, *pfn, size, false);
	return ret;
}

static __always_inline int __vcm_iova_alloc_fast(struct vcm_iova_cache *cache,
						 unsigned long size,
						 unsigned long limit_pfn,
						 gfp_t gfp, bool drain,
						 unsigned long *pfn)
{
	unsigned long mask = size - 1;
	unsigned int order;

	/*
	 * One test rejects size 0 (mask wraps) and uncached sizes. A cached
	 * range fits when it ends at or below limit_pfn; when none does, for
	 * instance because limit_pfn is below the start of the space, the
	 * slow path answers. It is passed the size rounded up, which it would
	 * use anyway, so that @size need not be kept across the lock.
	 */
	if (!mask) {
		/* Single granules, the most common size: no bit scan. */
		if (vcm_iova_cache_get(cache, 0, limit_pfn, pfn)) {
			trace_vcm_iova_alloc(cache->space->id, *pfn, 1, true);
			return 0;
		}
	} else if (likely(mask < cache->max_size)) {
		order = fls_long(mask);
		if (vcm_iova_cache_get(cache, order, limit_pfn, pfn)) {
			trace_vcm_iova_alloc(cache->space->id, *pfn,
					     1UL << order, true);
			return 0;
		}
		size = 1UL << order;
	}
	return vcm_iova_alloc_miss(cache, size, limit_pfn, gfp, drain, pfn);
}

/**
 * vcm_iova_alloc_fast() - allocate a size-aligned range through the cache
 * @cache: the cache
 * @size: number of pfns, not 0
 * @limit_pfn: highest pfn the range may cover
 * @gfp: allocation flags for a tree node, GFP_ATOMIC in atomic context
 * @pfn: on success, the first pfn of the range
 *
 * The range starts at a multiple of roundup_pow_of_two(@size). Sizes up to
 * 2^vcm_iova_cache_max_order() are rounded up to that power of two and
 * come from this CPU's cache in O(1) without a shared lock when it holds
 * a range below @limit_pfn; larger sizes are allocated exactly. Misses
 * and large sizes go to vcm_iova_alloc() and its guarantees. Pass the
 * same @size to vcm_iova_free_fast(). Before failing with -ENOSPC, all
 * CPUs' caches and the depot are drained and the tree searched again.
 *
 * Context: Any context; takes this CPU's cache lock and possibly the
 * space lock with interrupts disabled. Never sleeps unless @gfp allows it.
 * Return: 0 on success, -EINVAL if @size is 0, -ERANGE if @limit_pfn is
 * below the start of the space, -ENOMEM if no tree node could be
 * allocated, -ENOSPC if no fitting range exists.
 */
int vcm_iova_alloc_fast(struct vcm_iova_cache *cache, unsigned long size,
			unsigned long limit_pfn, gfp_t gfp, unsigned long *pfn)
{
	return __vcm_iova_alloc_fast(cache, size, limit_pfn, gfp, true, pfn);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_alloc_fast);

/**
 * vcm_iova_try_alloc_fast() - allocate through the cache, without draining
 * @cache: the cache
 * @size: number of pfns, not 0
 * @limit_pfn: highest pfn the range may cover
 * @gfp: allocation flags for a tree node, GFP_ATOMIC in atomic context
 * @pfn: on success, the first pfn of the range
 *
 * Like vcm_iova_alloc_fast(), but when neither this CPU's cache, the depot
 * nor the tree has a fitting range, fails at once instead of draining
 * every CPU's cache: for a first attempt below a lower limit that a
 * caller follows with a wider one.
 *
 * Context: Any context; takes this CPU's cache lock and possibly the depot
 * and space locks with interrupts disabled. Never sleeps unless @gfp
 * allows it.
 * Return: 0 on success, -EINVAL if @size is 0, -ERANGE if @limit_pfn is
 * below the start of the space, -ENOMEM if no tree node could be
 * allocated, -ENOSPC if no fitting range is free.
 */
int vcm_iova_try_alloc_fast(struct vcm_iova_cache *cache, unsigned long size,
			    unsigned long limit_pfn, gfp_t gfp,
			    unsigned long *pfn)
{
	return __vcm_iova_alloc_fast(cache, size, limit_pfn, gfp, false, pfn);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_try_alloc_fast);

/*
 * Everything vcm_iova_free_fast() does when the loaded magazine cannot
 * take the range: the spare, a new magazine or the depot (up to @max
 * pfns), else the tree.
 */
static noinline void vcm_iova_free_miss(struct vcm_iova_cache *cache,
					unsigned long pfn, unsigned long size,
					unsigned long max)
{
	unsigned long mask = size - 1;

	if (size && mask < cache->max_size) {
		/* vcm_iova_alloc_fast() rounded a cached size up. */
		size = roundup_pow_of_two(size);
		if (vcm_iova_cache_put_slow(cache, fls_long(mask), pfn, max)) {
			trace_vcm_iova_free(cache->space->id, pfn, size, true);
			return;
		}
	}
	trace_vcm_iova_free(cache->space->id, pfn, size, false);
	vcm_iova_free(cache->space, pfn, size);
}

/* vcm_iova_free_fast() and vcm_iova_free_queued(): the depot's bound differs. */
static __always_inline void __vcm_iova_free(struct vcm_iova_cache *cache,
					    unsigned long pfn,
					    unsigned long size, bool queued)
{
	unsigned long mask = size - 1;

	if (!mask) {
		/* Single granules: no bit scan. */
		if (vcm_iova_cache_put(cache, 0, pfn)) {
			trace_vcm_iova_free(cache->space->id, pfn, 1, true);
			return;
		}
	} else if (likely(mask < cache->max_size) &&
		   vcm_iova_cache_put(cache, fls_long(mask), pfn)) {
		trace_vcm_iova_free(cache->space->id, pfn,
				    roundup_pow_of_two(size), true);
		return;
	}
	vcm_iova_free_miss(cache, pfn, size,
			   queued ? cache->queue_max : cache->depot_max);
}

/**
 * vcm_iova_free_fast() - free a range allocated by vcm_iova_alloc_fast()
 * @cache: the cache
 * @pfn: first pfn of the range
 * @size: the size passed to vcm_iova_alloc_fast()
 *
 * Cacheable sizes go to this CPU's cache without a shared lock; when its
 * magazines of the size are full, or the CPU holds its budget, one of
 * them moves to the depot. If the depot has no room, the range goes back
 * to the tree instead. Other sizes, and ranges that cannot
 * be cached for lack of memory or within the cache's bounds, go back to
 * the tree by vcm_iova_free(). The cache does not check that the range is
 * allocated: freeing a range twice hands it out twice.
 *
 * Context: Any context; takes this CPU's cache lock and possibly the depot
 * and space locks with interrupts disabled. Never sleeps.
 */
void vcm_iova_free_fast(struct vcm_iova_cache *cache, unsigned long pfn,
			unsigned long size)
{
	__vcm_iova_free(cache, pfn, size, false);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_free_fast);

/**
 * vcm_iova_free_queued() - free a range that a flush queue hands back
 * @cache: the cache
 * @pfn: first pfn of the range
 * @size: the size passed to vcm_iova_alloc_fast()
 *
 * Like vcm_iova_free_fast(), but the depot may hold up to 256 MiB more of
 * such ranges, so that a lazy flush queue, which hands back up to 256
 * ranges at once, finds them in the cache when it maps as many again.
 * What the depot holds goes back to the tree after a second unused, and
 * before any request on the space fails.
 *
 * Context: Any context; takes this CPU's cache lock and possibly the depot
 * and space locks with interrupts disabled. Never sleeps.
 */
void vcm_iova_free_queued(struct vcm_iova_cache *cache, unsigned long pfn,
			  unsigned long size)
{
	__vcm_iova_free(cache, pfn, size, true);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_free_queued);

/* vcm_iova_cache_drain_cpu(): how many ranges it gave back. */
static unsigned long __vcm_iova_cache_drain_cpu(struct vcm_iova_cache *cache,
						unsigned int cpu)
{
	struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);
	struct vcm_iova_mag *loaded, *prev;
	unsigned long flags, n = 0;
	unsigned int order;

	for (order = 0; order < cache->nr_orders; order++) {
		spin_lock_irqsave(&c->lock, flags);
		loaded = c->mags[order].loaded;
		prev = c->mags[order].prev;
		c->room += (unsigned long)(loaded->size + prev->size) << order;
		c->mags[order].loaded = &vcm_iova_mag_none;
		c->mags[order].prev = &vcm_iova_mag_none;
		spin_unlock_irqrestore(&c->lock, flags);

		n += vcm_iova_mag_release(cache, loaded, order);
		n += vcm_iova_mag_release(cache, prev, order);
	}
	return n;
}

/**
 * vcm_iova_cache_drain_cpu() - give back everything one CPU caches
 * @cache: the cache
 * @cpu: the CPU, which need not be online nor the current one
 *
 * Called when @cpu goes offline; the magazines are freed too.
 *
 * Context: Any context; takes the CPU's cache lock and the space lock
 * with interrupts disabled.
 */
void vcm_iova_cache_drain_cpu(struct vcm_iova_cache *cache, unsigned int cpu)
{
	unsigned long n = __vcm_iova_cache_drain_cpu(cache, cpu);

	if (n)
		trace_vcm_iova_cache_drain(cache->space->id, false, n);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_drain_cpu);

/*
 * Give back the depot of @order; only if it was idle when @idle_only.
 * Adds the number of ranges given back to *@n.
 */
static bool vcm_iova_depot_drain(struct vcm_iova_cache *cache,
				 unsigned int order, bool idle_only,
				 unsigned long *n)
{
	struct vcm_iova_depot *depot = &cache->depot[order];
	struct vcm_iova_mag *list = NULL, *next;
	unsigned long flags;
	bool busy = false;

	spin_lock_irqsave(&cache->depot_lock, flags);
	if (idle_only && depot->active) {
		busy = depot->mags;
	} else {
		list = depot->mags;
		depot->mags = NULL;
		for (next = list; next; next = next->next)
			cache->depot_held -= (unsigned long)next->size << order;
	}
	depot->active = false;
	spin_unlock_irqrestore(&cache->depot_lock, flags);

	for (; list; list = next) {
		next = list->next;
		*n += vcm_iova_mag_release(cache, list, order);
	}
	return busy;
}

/**
 * vcm_iova_cache_drain() - give back everything a cache holds
 * @cache: the cache
 *
 * Drains the caches of all possible CPUs and the depot. Space requests
 * call this by themselves before they fail for lack of room.
 *
 * Context: Any context; takes the cache and space locks with interrupts
 * disabled, one at a time.
 */
void vcm_iova_cache_drain(struct vcm_iova_cache *cache)
{
	unsigned int cpu, order;
	unsigned long flags, n = 0;

	for_each_possible_cpu(cpu)
		n += __vcm_iova_cache_drain_cpu(cache, cpu);
	for (order = 0; order < cache->nr_orders; order++)
		vcm_iova_depot_drain(cache, order, false, &n);
	spin_lock_irqsave(&cache->depot_lock, flags);
	cache->drains++;
	spin_unlock_irqrestore(&cache->depot_lock, flags);
	trace_vcm_iova_cache_drain(cache->space->id, false, n);
}

static void vcm_iova_cache_reclaim_cb(void *data)
{
	vcm_iova_cache_drain(data);
}

/* Drain CPUs and depot orders idle since the last pass; true if any wasn't. */
static bool vcm_iova_cache_reclaim_pass(struct vcm_iova_cache *cache)
{
	unsigned int cpu, order;
	unsigned long flags, n = 0;
	bool busy = false;

	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);
		bool idle;

		spin_lock_irqsave(&c->lock, flags);
		idle = c->idle;
		c->idle = true;
		spin_unlock_irqrestore(&c->lock, flags);

		if (idle)
			n += __vcm_iova_cache_drain_cpu(cache, cpu);
		else
			busy = true;
	}
	for (order = 0; order < cache->nr_orders; order++)
		busy |= vcm_iova_depot_drain(cache, order, true, &n);
	if (n) {
		spin_lock_irqsave(&cache->depot_lock, flags);
		cache->reclaims++;
		spin_unlock_irqrestore(&cache->depot_lock, flags);
		trace_vcm_iova_cache_drain(cache->space->id, true, n);
	}
	return busy;
}

static void vcm_iova_cache_reclaim_work(struct work_struct *work)
{
	struct vcm_iova_cache *cache =
		container_of(to_delayed_work(work), struct vcm_iova_cache,
			     reclaim_work);

	clear_bit(VCM_IOVA_CACHE_ARMED, &cache->flags);
	/*
	 * Disarm before looking at the CPUs: a free that caches a range
	 * after this pass looked at its CPU sees the flag clear and arms
	 * the work again.
	 */
	smp_mb__after_atomic();
	if (vcm_iova_cache_reclaim_pass(cache))
		vcm_iova_cache_arm(cache);
}

#if IS_ENABLED(CONFIG_KUNIT)
VISIBLE_IF_KUNIT void vcm_iova_cache_reclaim_now(struct vcm_iova_cache *cache)
{
	vcm_iova_cache_reclaim_pass(cache);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_reclaim_now);

VISIBLE_IF_KUNIT void vcm_iova_cache_stop_idle_reclaim(struct vcm_iova_cache *cache)
{
	/* Armed for good: vcm_iova_cache_arm() never schedules again. */
	set_bit(VCM_IOVA_CACHE_ARMED, &cache->flags);
	cancel_delayed_work_sync(&cache->reclaim_work);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_stop_idle_reclaim);

/* Whether @mag of @order is consistent; adds the pfns it holds to @held. */
static bool vcm_iova_mag_ok(const struct vcm_iova_cache *cache,
			    const struct vcm_iova_mag *mag, unsigned int order,
			    unsigned long *held)
{
	*held += (unsigned long)mag->size << order;
	return mag->size <= mag->cap &&
	       (!vcm_iova_mag_real(mag) || mag->cap == cache->depot[order].cap);
}

VISIBLE_IF_KUNIT int vcm_iova_cache_check(struct vcm_iova_cache *cache)
{
	unsigned long flags, held;
	struct vcm_iova_mag *mag;
	unsigned int cpu, order;
	bool ok = true;

	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);

		held = 0;
		spin_lock_irqsave(&c->lock, flags);
		for (order = 0; order < cache->nr_orders; order++) {
			ok &= vcm_iova_mag_ok(cache, c->mags[order].loaded,
					      order, &held);
			ok &= vcm_iova_mag_ok(cache, c->mags[order].prev,
					      order, &held);
		}
		ok &= held <= cache->cpu_max && c->room == cache->cpu_max - held;
		spin_unlock_irqrestore(&c->lock, flags);
	}
	held = 0;
	spin_lock_irqsave(&cache->depot_lock, flags);
	for (order = 0; order < cache->nr_orders; order++) {
		for (mag = cache->depot[order].mags; mag; mag = mag->next) {
			ok &= vcm_iova_mag_ok(cache, mag, order, &held);
			ok &= mag->size > 0;
		}
	}
	ok &= held == cache->depot_held && held <= cache->queue_max;
	spin_unlock_irqrestore(&cache->depot_lock, flags);
	return ok ? 0 : -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_check);
#endif

/**
 * vcm_iova_cache_count() - number of free ranges a cache holds
 * @cache: the cache
 *
 * The ranges are allocated in the space but free for the cache's users;
 * vcm_iova_nr_ranges() minus this count is what is really in use. The
 * count is a snapshot: other CPUs may change it at once.
 *
 * Context: Any context; takes each CPU's cache lock and the depot lock
 * with interrupts disabled, one at a time.
 * Return: the number of cached ranges.
 */
unsigned long vcm_iova_cache_count(struct vcm_iova_cache *cache)
{
	unsigned long flags, count = 0;
	struct vcm_iova_mag *mag;
	unsigned int cpu, order;

	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);

		spin_lock_irqsave(&c->lock, flags);
		for (order = 0; order < cache->nr_orders; order++) {
			count += c->mags[order].loaded->size;
			count += c->mags[order].prev->size;
		}
		spin_unlock_irqrestore(&c->lock, flags);
	}
	spin_lock_irqsave(&cache->depot_lock, flags);
	for (order = 0; order < cache->nr_orders; order++)
		for (mag = cache->depot[order].mags; mag; mag = mag->next)
			count += mag->size;
	spin_unlock_irqrestore(&cache->depot_lock, flags);
	return count;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_count);

/**
 * vcm_iova_cache_misses() - cached-size allocations the cache did not serve
 * @cache: the cache
 *
 * Counts the allocations of sizes the cache holds that found no range in
 * the CPU's magazines or the depot and went to the tree, since @cache was
 * created. Larger sizes, which always go to the tree, are not counted.
 *
 * Context: Any context; takes each CPU's cache lock with interrupts
 * disabled, one at a time.
 * Return: the number of such allocations.
 */
unsigned long vcm_iova_cache_misses(struct vcm_iova_cache *cache)
{
	unsigned long flags, misses = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);

		spin_lock_irqsave(&c->lock, flags);
		misses += c->misses;
		spin_unlock_irqrestore(&c->lock, flags);
	}
	/* See vcm_iova_cache_stats(). */
	return (long)misses < 0 ? 0 : misses;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_misses);

/**
 * vcm_iova_cache_stats() - what a cache has done and holds
 * @cache: the cache
 * @st: filled in; see &struct vcm_iova_cache_stats
 *
 * A snapshot: other CPUs may change the figures while they are summed.
 *
 * Context: Any context; takes each CPU's cache lock and the depot lock
 * with interrupts disabled, one at a time.
 */
void vcm_iova_cache_stats(struct vcm_iova_cache *cache,
			  struct vcm_iova_cache_stats *st)
{
	struct vcm_iova_mag *mag;
	unsigned int cpu, order;
	unsigned long flags, n;

	*st = (struct vcm_iova_cache_stats){};
	/* Summed modulo 2^BITS_PER_LONG: one CPU's count may have wrapped. */
	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);

		spin_lock_irqsave(&c->lock, flags);
		st->hits += c->hits;
		st->misses += c->misses;
		st->large += c->large;
		st->failures += c->failures;
		for (order = 0; order < cache->nr_orders; order++) {
			n = c->mags[order].loaded->size +
			    c->mags[order].prev->size;
			st->ranges += n;
			st->pfns += n << order;
		}
		spin_unlock_irqrestore(&c->lock, flags);
	}
	if ((long)st->misses < 0)
		st->misses = 0;
	spin_lock_irqsave(&cache->depot_lock, flags);
	st->drains = cache->drains;
	st->reclaims = cache->reclaims;
	for (order = 0; order < cache->nr_orders; order++) {
		for (mag = cache->depot[order].mags; mag; mag = mag->next) {
			st->ranges += mag->size;
			st->pfns += (unsigned long)mag->size << order;
		}
	}
	spin_unlock_irqrestore(&cache->depot_lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_stats);

/*
 * Magazines of @order a cache has allocated, empty or not, and the size
 * of one in *@bytes; for the benchmark's memory figures.
 */
unsigned long vcm_iova_cache_nr_mags(struct vcm_iova_cache *cache,
				     unsigned int order, size_t *bytes)
{
	unsigned long flags, nr = 0;
	struct vcm_iova_mag *mag;
	unsigned int cpu;

	*bytes = struct_size_t(struct vcm_iova_mag, pfns,
			       cache->depot[order].cap);
	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);

		spin_lock_irqsave(&c->lock, flags);
		nr += vcm_iova_mag_real(c->mags[order].loaded);
		nr += vcm_iova_mag_real(c->mags[order].prev);
		spin_unlock_irqrestore(&c->lock, flags);
	}
	spin_lock_irqsave(&cache->depot_lock, flags);
	for (mag = cache->depot[order].mags; mag; mag = mag->next)
		nr++;
	spin_unlock_irqrestore(&cache->depot_lock, flags);
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_nr_mags);

static int vcm_iova_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct vcm_iova_cache *cache;

	cache = hlist_entry_safe(node, struct vcm_iova_cache, cpuhp_node);
	vcm_iova_cache_drain_cpu(cache, cpu);
	return 0;
}

static int vcm_iova_cpuhp_get(void)
{
	int ret = 0;

	mutex_lock(&vcm_iova_cpuhp_mutex);
	if (!vcm_iova_cpuhp_users) {
		ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN,
					      "iommu/vcm_iova:dead", NULL,
					      vcm_iova_cpu_dead);
		if (ret > 0) {
			vcm_iova_cpuhp_state = ret;
			ret = 0;
		}
	}
	if (!ret)
		vcm_iova_cpuhp_users++;
	mutex_unlock(&vcm_iova_cpuhp_mutex);
	return ret;
}

static void vcm_iova_cpuhp_put(void)
{
	mutex_lock(&vcm_iova_cpuhp_mutex);
	if (!--vcm_iova_cpuhp_users)
		cpuhp_remove_multi_state(vcm_iova_cpuhp_state);
	mutex_unlock(&vcm_iova_cpuhp_mutex);
}

/**
 * vcm_iova_cache_max_order() - largest order a cache holds
 * @cache: the cache
 *
 * Context: Any context.
 * Return: k such that sizes up to 2^k pfns are cached; 2^k granules are at
 * least 4 MiB.
 */
unsigned int vcm_iova_cache_max_order(const struct vcm_iova_cache *cache)
{
	return cache->nr_orders - 1;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_max_order);

/**
 * vcm_iova_cache_create() - put a per-CPU cache in front of a space
 * @space: the space, which must not have a cache yet
 *
 * The cache registers with @space so that a request that would fail for
 * lack of room drains it first, and with CPU hotplug so that the cache of
 * a CPU going offline is drained.
 *
 * Context: Process context; may sleep.
 * Return: the cache, ERR_PTR(-EBUSY) if @space already has one, or
 * ERR_PTR(-ENOMEM) or another error from CPU hotplug setup.
 */
struct vcm_iova_cache *vcm_iova_cache_create(struct vcm_iova_space *space)
{
	unsigned int shift = vcm_iova_shift(space);
	unsigned int nr_orders, order, cpu;
	struct vcm_iova_cache *cache;
	int ret;

	if (READ_ONCE(space->reclaim))
		return ERR_PTR(-EBUSY);

	nr_orders = order_base_2(VCM_IOVA_CACHE_BYTES);
	nr_orders = (shift < nr_orders ? nr_orders - shift : 0) + 1;
	cache = kzalloc(struct_size(cache, depot, nr_orders), GFP_KERNEL);
	if (!cache)
		return ERR_PTR(-ENOMEM);
	cache->cpus = __alloc_percpu(struct_size_t(struct vcm_iova_cpu, mags,
						   nr_orders),
				     cache_line_size());
	if (!cache->cpus) {
		ret = -ENOMEM;
		goto err_free;
	}

	cache->space = space;
	cache->nr_orders = nr_orders;
	cache->max_size = 1UL << (nr_orders - 1);
	for (order = 0; order < nr_orders; order++)
		cache->depot[order].cap = vcm_iova_mag_cap(shift, order);
	cache->cpu_max = VCM_IOVA_CPU_BYTES >> shift;
	cache->depot_max = VCM_IOVA_DEPOT_BYTES >> shift;
	cache->queue_max = cache->depot_max + (VCM_IOVA_QUEUE_BYTES >> shift);
	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);

		spin_lock_init(&c->lock);
		c->idle = true;
		c->room = cache->cpu_max;
		for (order = 0; order < nr_orders; order++) {
			c->mags[order].loaded = &vcm_iova_mag_none;
			c->mags[order].prev = &vcm_iova_mag_none;
		}
	}
	spin_lock_init(&cache->depot_lock);
	INIT_DELAYED_WORK(&cache->reclaim_work, vcm_iova_cache_reclaim_work);

	ret = vcm_iova_cpuhp_get();
	if (ret)
		goto err_percpu;
	ret = cpuhp_state_add_instance_nocalls(vcm_iova_cpuhp_state,
					       &cache->cpuhp_node);
	if (ret)
		goto err_cpuhp;

	vcm_iova_set_reclaim(space, vcm_iova_cache_reclaim_cb, cache);
	return cache;

err_cpuhp:
	vcm_iova_cpuhp_put();
err_percpu:
	free_percpu(cache->cpus);
err_free:
	kfree(cache);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_create);

/**
 * vcm_iova_cache_destroy() - give back everything and free a cache
 * @cache: the cache, from vcm_iova_cache_create()
 *
 * Every cached range goes back to the space, which stays usable.
 *
 * Context: Process context; may sleep. Nobody may use @cache concurrently
 * or afterwards.
 */
void vcm_iova_cache_destroy(struct vcm_iova_cache *cache)
{
	vcm_iova_set_reclaim(cache->space, NULL, NULL);
	cpuhp_state_remove_instance_nocalls(vcm_iova_cpuhp_state,
					    &cache->cpuhp_node);
	cancel_delayed_work_sync(&cache->reclaim_work);
	vcm_iova_cache_drain(cache);
	vcm_iova_cpuhp_put();
	free_percpu(cache->cpus);
	kfree(cache);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_destroy);
