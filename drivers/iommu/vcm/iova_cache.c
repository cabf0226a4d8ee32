// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM IOVA per-CPU cache.
 *
 * Freed ranges of power-of-two sizes up to at least 4 MiB are kept in
 * per-CPU magazines, one loaded and one spare magazine per size class,
 * and handed out again without touching the space's tree or any shared
 * lock. Full magazines move between CPUs through a small depot per cache,
 * so that one CPU can free what others allocated.
 *
 * What the cache holds stays allocated in the tree; vcm_iova_find() and
 * vcm_iova_walk_ranges() report it.
 *
 * Bounds on IOVA held free by a cache: a magazine of order k holds
 * clamp(VCM_IOVA_MAG_BYTES / (granule << k), 2, VCM_IOVA_MAG_SIZE)
 * ranges, so at most max(VCM_IOVA_MAG_BYTES, 2 * granule << k) bytes of
 * IOVA. Each CPU holds at most 2 magazines per order and the depot at most
 * VCM_IOVA_DEPOT_MAX per order: with a 4 KiB granule (orders 0 to 10)
 * that is at most 127 MiB per CPU and 254 MiB in the depot, with a 64 KiB
 * granule (orders 0 to 6) 112 MiB and 224 MiB. All of it goes back to the
 * tree when a CPU or the depot stays idle for VCM_IOVA_RECLAIM_DELAY, when
 * a CPU goes offline, and before any request on the space fails for lack
 * of room.
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
#include <linux/vcm_iova.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "iova_internal.h"

/* Most ranges in one magazine: the magazine then takes 1 KiB on 64-bit. */
#define VCM_IOVA_MAG_SIZE	127
/* IOVA held by one magazine, unless it can hold only two ranges. */
#define VCM_IOVA_MAG_BYTES	SZ_8M
/* The largest cached size is at least this. */
#define VCM_IOVA_CACHE_BYTES	SZ_4M
/* Full magazines kept per order in the depot. */
#define VCM_IOVA_DEPOT_MAX	4
/* A CPU or depot unused for this long gives its ranges back. */
#define VCM_IOVA_RECLAIM_DELAY	HZ

/* struct vcm_iova_cache.flags */
#define VCM_IOVA_CACHE_ARMED	0

struct vcm_iova_mag {
	struct vcm_iova_mag *next;
	unsigned int size;
	unsigned long pfns[];
};

struct vcm_iova_mags {
	struct vcm_iova_mag *loaded;
	struct vcm_iova_mag *prev;
};

/**
 * struct vcm_iova_cpu - the part of a cache that belongs to one CPU
 * @lock: protects @active and @mags. Taken by its CPU on every cached
 *	allocation and free, and by other CPUs only to drain. Lock order:
 *	@lock, then &vcm_iova_cache.depot_lock, then &vcm_iova_space.lock.
 * @active: used since the last reclaim pass
 * @mags: the loaded and the spare magazine of each order, NULL if none
 */
struct vcm_iova_cpu {
	spinlock_t lock; /* see above */
	bool active;
	struct vcm_iova_mags mags[];
};

/**
 * struct vcm_iova_depot - full magazines of one order, shared by all CPUs
 * @full: list of full magazines, linked by &vcm_iova_mag.next
 * @nr: number of magazines on @full, at most %VCM_IOVA_DEPOT_MAX
 * @active: used since the last reclaim pass
 * @cap: capacity of magazines of this order (constant)
 */
struct vcm_iova_depot {
	struct vcm_iova_mag *full;
	unsigned int nr;
	bool active;
	unsigned int cap;
};

/**
 * struct vcm_iova_cache - per-CPU cache in front of an IOVA space
 * @space: the space
 * @nr_orders: number of cached orders: sizes 1 to 2^(@nr_orders - 1)
 * @cpus: per-CPU magazines
 * @depot_lock: protects every @depot entry but @cap; nests inside the
 *	per-CPU locks and outside &vcm_iova_space.lock
 * @flags: %VCM_IOVA_CACHE_ARMED while @reclaim_work is scheduled or runs
 * @reclaim_work: gives back ranges of idle CPUs and idle depot orders
 * @cpuhp_node: instance of the CPU hotplug state that drains dead CPUs
 * @depot: one depot per order
 */
struct vcm_iova_cache {
	struct vcm_iova_space *space;
	unsigned int nr_orders;
	struct vcm_iova_cpu __percpu *cpus;
	spinlock_t depot_lock; /* see above */
	unsigned long flags;
	struct delayed_work reclaim_work;
	struct hlist_node cpuhp_node;
	struct vcm_iova_depot depot[];
};

static enum cpuhp_state vcm_iova_cpuhp_state;
static unsigned int vcm_iova_cpuhp_users;
static DEFINE_MUTEX(vcm_iova_cpuhp_mutex);

static struct vcm_iova_mag *vcm_iova_mag_alloc(unsigned int cap, gfp_t gfp)
{
	struct vcm_iova_mag *mag;

	mag = kmalloc(struct_size(mag, pfns, cap), gfp);
	if (mag)
		mag->size = 0;
	return mag;
}

/* Give every range of @mag back to the tree and free @mag. */
static void vcm_iova_mag_release(struct vcm_iova_cache *cache,
				 struct vcm_iova_mag *mag, unsigned int order)
{
	unsigned int i;

	if (!mag)
		return;
	for (i = 0; i < mag->size; i++)
		vcm_iova_free(cache->space, mag->pfns[i], 1UL << order);
	kfree(mag);
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
	if (!test_and_set_bit(VCM_IOVA_CACHE_ARMED, &cache->flags))
		schedule_delayed_work(&cache->reclaim_work,
				      VCM_IOVA_RECLAIM_DELAY);
}

/* Try to take a cached range of @order that ends at or below @limit. */
static bool vcm_iova_cache_get(struct vcm_iova_cache *cache,
			       unsigned int order, unsigned long limit,
			       unsigned long *pfn)
{
	struct vcm_iova_depot *depot = &cache->depot[order];
	struct vcm_iova_mag *old = NULL;
	struct vcm_iova_cpu *cpu;
	struct vcm_iova_mags *mags;
	unsigned long flags, max_pfn;
	bool hit = false;

	if (limit < (1UL << order) - 1)
		return false;
	max_pfn = limit - ((1UL << order) - 1);

	cpu = raw_cpu_ptr(cache->cpus);
	spin_lock_irqsave(&cpu->lock, flags);
	cpu->active = true;
	mags = &cpu->mags[order];
	if (mags->loaded && mags->loaded->size) {
		hit = vcm_iova_mag_pop(mags->loaded, max_pfn, pfn);
		spin_unlock_irqrestore(&cpu->lock, flags);
		return hit;
	}

	/* The loaded magazine is empty: refill it from the spare or depot. */
	if (mags->prev && mags->prev->size) {
		swap(mags->loaded, mags->prev);
	} else if (READ_ONCE(depot->full)) {
		spin_lock(&cache->depot_lock);
		if (depot->full) {
			old = mags->loaded;
			mags->loaded = depot->full;
			depot->full = depot->full->next;
			depot->nr--;
			depot->active = true;
		}
		spin_unlock(&cache->depot_lock);
	}
	if (mags->loaded)
		hit = vcm_iova_mag_pop(mags->loaded, max_pfn, pfn);
	spin_unlock_irqrestore(&cpu->lock, flags);

	/* The empty magazine the depot's full one replaced. */
	kfree(old);
	return hit;
}

/* Try to cache the free range at @pfn of @order; false if it cannot. */
static bool vcm_iova_cache_put(struct vcm_iova_cache *cache,
			       unsigned int order, unsigned long pfn)
{
	struct vcm_iova_depot *depot = &cache->depot[order];
	struct vcm_iova_mag *new, *spill = NULL;
	struct vcm_iova_cpu *cpu;
	struct vcm_iova_mags *mags;
	unsigned long flags;

	cpu = raw_cpu_ptr(cache->cpus);
	spin_lock_irqsave(&cpu->lock, flags);
	cpu->active = true;
	mags = &cpu->mags[order];
	if (mags->loaded && mags->loaded->size < depot->cap)
		goto push;
	if (mags->prev && mags->prev->size < depot->cap) {
		swap(mags->loaded, mags->prev);
		goto push;
	}

	new = vcm_iova_mag_alloc(depot->cap, GFP_ATOMIC | __GFP_NOWARN);
	if (!new) {
		spin_unlock_irqrestore(&cpu->lock, flags);
		return false;
	}
	if (mags->loaded && !mags->prev) {
		mags->prev = mags->loaded;
	} else if (mags->loaded) {
		/* Both are full: the spare goes to the depot. */
		spill = mags->prev;
		mags->prev = mags->loaded;
		spin_lock(&cache->depot_lock);
		if (depot->nr < VCM_IOVA_DEPOT_MAX) {
			spill->next = depot->full;
			depot->full = spill;
			depot->nr++;
			depot->active = true;
			spill = NULL;
		}
		spin_unlock(&cache->depot_lock);
	}
	mags->loaded = new;
push:
	mags->loaded->pfns[mags->loaded->size++] = pfn;
	spin_unlock_irqrestore(&cpu->lock, flags);

	/* The depot is full: give this magazine back to the tree. */
	vcm_iova_mag_release(cache, spill, order);
	if (!test_bit(VCM_IOVA_CACHE_ARMED, &cache->flags))
		vcm_iova_cache_arm(cache);
	return true;
}

/**
 * vcm_iova_alloc_fast() - allocate a size-aligned range through the cache
 * @cache: the cache
 * @size: number of pfns, not 0
 * @limit_pfn: highest pfn the range may cover
 * @gfp: allocation flags for a tree node, GFP_ATOMIC in atomic context
 * @pfn: on success, the first pfn of the range
 *
 * Allocates roundup_pow_of_two(@size) pfns aligned to that size. Sizes up
 * to 2^vcm_iova_cache_max_order() come from this CPU's cache in O(1)
 * without a shared lock when it holds a range below @limit_pfn; other
 * requests go to vcm_iova_alloc() and its guarantees. Pass the same @size
 * to vcm_iova_free_fast(). Before failing with -ENOSPC, all CPUs' caches
 * and the depot are drained and the tree searched again.
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
	struct vcm_iova_space *space = cache->space;
	unsigned int order;

	if (!size)
		return -EINVAL;
	if (limit_pfn < space->start_pfn)
		return -ERANGE;
	if (size > VCM_IOVA_MAX_PFN)
		return -ENOSPC;

	order = order_base_2(size);
	if (order < cache->nr_orders &&
	    vcm_iova_cache_get(cache, order, limit_pfn, pfn))
		return 0;
	return vcm_iova_alloc(space, 1UL << order, 1UL << order, limit_pfn,
			      gfp, pfn);
}
EXPORT_SYMBOL_GPL(vcm_iova_alloc_fast);

/**
 * vcm_iova_free_fast() - free a range allocated by vcm_iova_alloc_fast()
 * @cache: the cache
 * @pfn: first pfn of the range
 * @size: the size passed to vcm_iova_alloc_fast()
 *
 * Cacheable sizes go to this CPU's cache without a shared lock; when its
 * magazines are full, one full magazine moves to the depot, or back to
 * the tree if the depot is full too. Other sizes, and ranges that cannot
 * be cached for lack of memory, go back to the tree by vcm_iova_free().
 * The cache does not check that the range is allocated: freeing a range
 * twice hands it out twice.
 *
 * Context: Any context; takes this CPU's cache lock and possibly the depot
 * and space locks with interrupts disabled. Never sleeps.
 */
void vcm_iova_free_fast(struct vcm_iova_cache *cache, unsigned long pfn,
			unsigned long size)
{
	unsigned int order;

	if (!size || size > VCM_IOVA_MAX_PFN) {
		/* Not something vcm_iova_alloc_fast() handed out. */
		vcm_iova_free(cache->space, pfn, size);
		return;
	}
	order = order_base_2(size);
	if (order < cache->nr_orders && vcm_iova_cache_put(cache, order, pfn))
		return;
	vcm_iova_free(cache->space, pfn, 1UL << order);
}
EXPORT_SYMBOL_GPL(vcm_iova_free_fast);

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
	struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);
	struct vcm_iova_mag *loaded, *prev;
	unsigned long flags;
	unsigned int order;

	for (order = 0; order < cache->nr_orders; order++) {
		spin_lock_irqsave(&c->lock, flags);
		loaded = c->mags[order].loaded;
		prev = c->mags[order].prev;
		c->mags[order].loaded = NULL;
		c->mags[order].prev = NULL;
		spin_unlock_irqrestore(&c->lock, flags);

		vcm_iova_mag_release(cache, loaded, order);
		vcm_iova_mag_release(cache, prev, order);
	}
}
EXPORT_SYMBOL_GPL(vcm_iova_cache_drain_cpu);

/* Give back the depot of @order; only if it was idle when @idle_only. */
static bool vcm_iova_depot_drain(struct vcm_iova_cache *cache,
				 unsigned int order, bool idle_only)
{
	struct vcm_iova_depot *depot = &cache->depot[order];
	struct vcm_iova_mag *list = NULL, *next;
	unsigned long flags;
	bool busy = false;

	spin_lock_irqsave(&cache->depot_lock, flags);
	if (idle_only && depot->active) {
		busy = depot->nr;
	} else {
		list = depot->full;
		depot->full = NULL;
		depot->nr = 0;
	}
	depot->active = false;
	spin_unlock_irqrestore(&cache->depot_lock, flags);

	for (; list; list = next) {
		next = list->next;
		vcm_iova_mag_release(cache, list, order);
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

	for_each_possible_cpu(cpu)
		vcm_iova_cache_drain_cpu(cache, cpu);
	for (order = 0; order < cache->nr_orders; order++)
		vcm_iova_depot_drain(cache, order, false);
}
EXPORT_SYMBOL_GPL(vcm_iova_cache_drain);

static void vcm_iova_cache_reclaim_cb(void *data)
{
	vcm_iova_cache_drain(data);
}

/* Drain CPUs and depot orders idle since the last pass; true if any wasn't. */
static bool vcm_iova_cache_reclaim_pass(struct vcm_iova_cache *cache)
{
	unsigned int cpu, order;
	unsigned long flags;
	bool busy = false;

	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);
		bool idle;

		spin_lock_irqsave(&c->lock, flags);
		idle = !c->active;
		c->active = false;
		spin_unlock_irqrestore(&c->lock, flags);

		if (idle)
			vcm_iova_cache_drain_cpu(cache, cpu);
		else
			busy = true;
	}
	for (order = 0; order < cache->nr_orders; order++)
		busy |= vcm_iova_depot_drain(cache, order, true);
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

VISIBLE_IF_KUNIT unsigned long vcm_iova_cache_count(struct vcm_iova_cache *cache)
{
	unsigned long flags, count = 0;
	struct vcm_iova_mag *mag;
	unsigned int cpu, order;

	for_each_possible_cpu(cpu) {
		struct vcm_iova_cpu *c = per_cpu_ptr(cache->cpus, cpu);

		spin_lock_irqsave(&c->lock, flags);
		for (order = 0; order < cache->nr_orders; order++) {
			if (c->mags[order].loaded)
				count += c->mags[order].loaded->size;
			if (c->mags[order].prev)
				count += c->mags[order].prev->size;
		}
		spin_unlock_irqrestore(&c->lock, flags);
	}
	spin_lock_irqsave(&cache->depot_lock, flags);
	for (order = 0; order < cache->nr_orders; order++)
		for (mag = cache->depot[order].full; mag; mag = mag->next)
			count += mag->size;
	spin_unlock_irqrestore(&cache->depot_lock, flags);
	return count;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_cache_count);
#endif

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
EXPORT_SYMBOL_GPL(vcm_iova_cache_max_order);

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
	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(cache->cpus, cpu)->lock);

	cache->space = space;
	cache->nr_orders = nr_orders;
	spin_lock_init(&cache->depot_lock);
	for (order = 0; order < nr_orders; order++) {
		unsigned long per_mag = (VCM_IOVA_MAG_BYTES >> shift) >> order;

		cache->depot[order].cap = clamp(per_mag, 2UL,
						(unsigned long)VCM_IOVA_MAG_SIZE);
	}
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
EXPORT_SYMBOL_GPL(vcm_iova_cache_create);

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
EXPORT_SYMBOL_GPL(vcm_iova_cache_destroy);
