// SPDX-License-Identifier: GPL-2.0-only
/*
 * The maple-tree peer of the allocator benchmark: an IOVA allocator built
 * the way upstream's conversion of iova.c to the maple tree builds it, on
 * the kernel's own maple tree API, so that VCM is measured against it in
 * the same boot.
 *
 * - One tree with gap tracking (MT_FLAGS_ALLOC_RANGE) under its own
 *   spinlock, taken with interrupts off as iova.c's is. A live range is
 *   one entry over its pfns; no object per range.
 * - iova.c's size alignment, top-down: the highest gap below the limit
 *   that holds the size plus the alignment less one (mas_empty_area_rev(),
 *   as the mm places aligned mappings), else the highest aligned fit.
 * - iova.c's rcache in front: sizes below 32 pages rounded up to a power
 *   of two, orders 0 to 5 cached in per-CPU pairs of magazines of 127
 *   ranges and a depot of full magazines; on a miss the tree, and when
 *   the tree has no fit, every cache flushed into it and one more try.
 *   The depot's delayed trimming is left out: the benchmark's runs are
 *   shorter than its period.
 *
 * Entries are stored and erased with GFP_ATOMIC, which can fail; a failed
 * erase leaves the range allocated and is counted, not hidden.
 */

#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/maple_tree.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "maple_peer.h"

#define BM_CACHE_ORDERS		6
#define BM_MAG_SIZE		127
#define BM_MAX_HEIGHT		32

/* 1 KiB: the count, or the link while in the depot, and the pfns. */
struct bm_mag {
	union {
		unsigned long size;
		struct bm_mag *next;
	};
	unsigned long pfn[BM_MAG_SIZE];
};

/* Lock order: a CPU's @lock, then the depot's, then the tree's. */
struct bm_cpu {
	spinlock_t lock;	/* protects both magazines */
	struct bm_mag *loaded;
	struct bm_mag *prev;
};

struct bm_rcache {
	spinlock_t lock;	/* protects the depot */
	unsigned long depot_size;
	struct bm_mag *depot;
	struct bm_cpu __percpu *cpu;
};

struct bench_maple {
	struct maple_tree mt;
	unsigned long start_pfn;
	bool cached;
	unsigned long store_failures;
	struct bm_rcache rc[BM_CACHE_ORDERS];
};

/* The node behind an encoded node or parent pointer. */
static struct maple_node *bm_node(const void *enc)
{
	return (struct maple_node *)((unsigned long)enc & ~MAPLE_NODE_MASK);
}

/* Store @size pages at @lo. */
static bool bm_tree_store(struct ma_state *mas, unsigned long lo,
			  unsigned long size, unsigned long *pfn)
{
	mas_set_range(mas, lo, lo + size - 1);
	if (mas_store_gfp(mas, xa_mk_value(lo), GFP_ATOMIC | __GFP_NOWARN))
		return false;
	*pfn = lo;
	return true;
}

/*
 * Under the tree's lock: place @size pages below @limit, aligned to @size
 * rounded up to a power of two.
 * As the mm's top-down search for unmapped areas does, look for a gap of
 * @size + @align - 1 first, which holds an aligned fit wherever it is:
 * one search. Only when there is none, walk down the gaps of @size whose
 * tops have no aligned fit, so that the request fails only when no fit
 * exists, as iova.c's does.
 */
static bool bm_tree_alloc_locked(struct bench_maple *m, unsigned long size,
				 unsigned long limit, unsigned long *pfn)
{
	MA_STATE(mas, &m->mt, 0, 0);
	unsigned long align = roundup_pow_of_two(size), max = limit, lo;

	if (limit < m->start_pfn)
		return false;
	if (align > 1 && limit - m->start_pfn >= size + align - 2 &&
	    !mas_empty_area_rev(&mas, m->start_pfn, limit, size + align - 1))
		return bm_tree_store(&mas, ALIGN_DOWN(mas.last - size + 1, align),
				     size, pfn);

	while (max >= m->start_pfn && max - m->start_pfn >= size - 1) {
		mas_reset(&mas);
		if (mas_empty_area_rev(&mas, m->start_pfn, max, size))
			return false;
		lo = ALIGN_DOWN(mas.last - size + 1, align);
		if (lo < mas.index) {
			/* The free range around the top found: does lo fit? */
			mas_set(&mas, mas.last);
			mas_walk(&mas);
			if (lo < mas.index || lo < m->start_pfn) {
				if (mas.index <= m->start_pfn)
					return false;
				max = mas.index - 1;
				continue;
			}
		}
		return bm_tree_store(&mas, lo, size, pfn);
	}
	return false;
}

bool bench_maple_alloc(struct bench_maple *m, unsigned long size,
		       unsigned long limit, unsigned long *pfn)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&m->mt.ma_lock, flags);
	ok = bm_tree_alloc_locked(m, size, limit, pfn);
	spin_unlock_irqrestore(&m->mt.ma_lock, flags);
	return ok;
}

static void bm_tree_free_locked(struct bench_maple *m, unsigned long pfn)
{
	MA_STATE(mas, &m->mt, pfn, pfn);

	if (WARN_ON_ONCE(!mas_walk(&mas) || mas.index != pfn))
		return;
	if (mas_store_gfp(&mas, NULL, GFP_ATOMIC | __GFP_NOWARN))
		m->store_failures++;
}

void bench_maple_free(struct bench_maple *m, unsigned long pfn)
{
	unsigned long flags;

	spin_lock_irqsave(&m->mt.ma_lock, flags);
	bm_tree_free_locked(m, pfn);
	spin_unlock_irqrestore(&m->mt.ma_lock, flags);
}

/* Give the ranges in @mag back to the tree and empty it. */
static void bm_mag_drain(struct bench_maple *m, struct bm_mag *mag)
{
	unsigned long flags, i;

	spin_lock_irqsave(&m->mt.ma_lock, flags);
	for (i = 0; i < mag->size; i++)
		bm_tree_free_locked(m, mag->pfn[i]);
	spin_unlock_irqrestore(&m->mt.ma_lock, flags);
	mag->size = 0;
}

/* Take the highest cached range of @pages that ends at or below @limit. */
static bool bm_mag_pop(struct bm_mag *mag, unsigned long pages,
		       unsigned long limit, unsigned long *pfn)
{
	unsigned long i;

	for (i = mag->size; i--; ) {
		if (mag->pfn[i] + pages - 1 > limit)
			continue;
		*pfn = mag->pfn[i];
		mag->pfn[i] = mag->pfn[--mag->size];
		return true;
	}
	return false;
}

static bool bm_cache_get(struct bench_maple *m, unsigned int order,
			 unsigned long limit, unsigned long *pfn)
{
	struct bm_rcache *rc = &m->rc[order];
	struct bm_cpu *cpu;
	unsigned long flags;
	bool ok;

	cpu = raw_cpu_ptr(rc->cpu);
	spin_lock_irqsave(&cpu->lock, flags);
	if (!cpu->loaded->size) {
		if (cpu->prev->size) {
			swap(cpu->loaded, cpu->prev);
		} else {
			spin_lock(&rc->lock);
			if (rc->depot) {
				kfree(cpu->loaded);
				cpu->loaded = rc->depot;
				rc->depot = rc->depot->next;
				rc->depot_size--;
				cpu->loaded->size = BM_MAG_SIZE;
			}
			spin_unlock(&rc->lock);
		}
	}
	ok = bm_mag_pop(cpu->loaded, 1UL << order, limit, pfn);
	spin_unlock_irqrestore(&cpu->lock, flags);
	return ok;
}

static bool bm_cache_put(struct bench_maple *m, unsigned int order,
			 unsigned long pfn)
{
	struct bm_rcache *rc = &m->rc[order];
	struct bm_mag *mag;
	struct bm_cpu *cpu;
	unsigned long flags;

	cpu = raw_cpu_ptr(rc->cpu);
	spin_lock_irqsave(&cpu->lock, flags);
	if (cpu->loaded->size == BM_MAG_SIZE) {
		if (cpu->prev->size < BM_MAG_SIZE) {
			swap(cpu->loaded, cpu->prev);
		} else {
			mag = kzalloc(sizeof(*mag), GFP_ATOMIC | __GFP_NOWARN);
			if (!mag) {
				spin_unlock_irqrestore(&cpu->lock, flags);
				return false;
			}
			spin_lock(&rc->lock);
			cpu->loaded->next = rc->depot;
			rc->depot = cpu->loaded;
			rc->depot_size++;
			spin_unlock(&rc->lock);
			cpu->loaded = mag;
		}
	}
	cpu->loaded->pfn[cpu->loaded->size++] = pfn;
	spin_unlock_irqrestore(&cpu->lock, flags);
	return true;
}

/* Every cached range back into the tree, as iova.c does before failing. */
static void bm_cache_flush(struct bench_maple *m)
{
	struct bm_rcache *rc;
	struct bm_mag *mag;
	struct bm_cpu *cpu;
	unsigned long flags;
	unsigned int order;
	int c;

	for (order = 0; order < BM_CACHE_ORDERS; order++) {
		rc = &m->rc[order];
		for_each_online_cpu(c) {
			cpu = per_cpu_ptr(rc->cpu, c);
			spin_lock_irqsave(&cpu->lock, flags);
			bm_mag_drain(m, cpu->loaded);
			bm_mag_drain(m, cpu->prev);
			spin_unlock_irqrestore(&cpu->lock, flags);
		}
		for (;;) {
			spin_lock_irqsave(&rc->lock, flags);
			mag = rc->depot;
			if (mag) {
				rc->depot = mag->next;
				rc->depot_size--;
			}
			spin_unlock_irqrestore(&rc->lock, flags);
			if (!mag)
				break;
			mag->size = BM_MAG_SIZE;
			bm_mag_drain(m, mag);
			kfree(mag);
		}
	}
}

bool bench_maple_alloc_fast(struct bench_maple *m, unsigned long size,
			    unsigned long limit, unsigned long *pfn)
{
	unsigned int order;

	if (size < 1UL << (BM_CACHE_ORDERS - 1))
		size = roundup_pow_of_two(size);
	order = order_base_2(size);
	if (m->cached && order < BM_CACHE_ORDERS &&
	    bm_cache_get(m, order, limit, pfn))
		return true;
	if (bench_maple_alloc(m, size, limit, pfn))
		return true;
	if (!m->cached)
		return false;
	bm_cache_flush(m);
	return bench_maple_alloc(m, size, limit, pfn);
}

void bench_maple_free_fast(struct bench_maple *m, unsigned long pfn,
			   unsigned long size)
{
	unsigned int order = order_base_2(size);

	if (m->cached && order < BM_CACHE_ORDERS && bm_cache_put(m, order, pfn))
		return;
	bench_maple_free(m, pfn);
}

/* Size and start of the range holding @pfn; 0 if none. */
unsigned long bench_maple_find(struct bench_maple *m, unsigned long pfn,
			       unsigned long *start)
{
	MA_STATE(mas, &m->mt, pfn, pfn);
	unsigned long flags, size = 0;

	spin_lock_irqsave(&m->mt.ma_lock, flags);
	if (mas_walk(&mas)) {
		size = mas.last - mas.index + 1;
		*start = mas.index;
	}
	spin_unlock_irqrestore(&m->mt.ma_lock, flags);
	return size;
}

/* Call @fn on every range in the tree, live or cached, in address order. */
void bench_maple_walk(struct bench_maple *m,
		      int (*fn)(unsigned long pfn, unsigned long size,
				void *data),
		      void *data)
{
	MA_STATE(mas, &m->mt, 0, 0);
	unsigned long flags;
	void *entry;

	spin_lock_irqsave(&m->mt.ma_lock, flags);
	mas_for_each(&mas, entry, ULONG_MAX) {
		if (fn(mas.index, mas.last - mas.index + 1, data))
			break;
	}
	spin_unlock_irqrestore(&m->mt.ma_lock, flags);
}

/*
 * Nodes of the tree, counted: every leaf met by a walk over all its ranges,
 * gaps included, and each leaf's ancestors up to the root. Leaves are met
 * in order, so a node at a given height is new when it differs from the
 * last one seen at that height.
 */
unsigned long bench_maple_nodes(struct bench_maple *m)
{
	MA_STATE(mas, &m->mt, 0, 0);
	struct maple_node *last[BM_MAX_HEIGHT] = {}, *node, *root;
	unsigned long flags, nodes = 0;
	unsigned int h;
	void *top;

	spin_lock_irqsave(&m->mt.ma_lock, flags);
	top = rcu_dereference_protected(m->mt.ma_root,
					lockdep_is_held(&m->mt.ma_lock));
	root = bm_node(top);
	for (;;) {
		mas_find_range(&mas, ULONG_MAX);
		if (mas.status != ma_active)
			break;
		node = bm_node(mas.node);
		for (h = 0; h < BM_MAX_HEIGHT && node != last[h]; h++) {
			last[h] = node;
			nodes++;
			if (node == root)
				break;
			node = bm_node(node->parent);
		}
		if (mas.last == ULONG_MAX)
			break;
	}
	spin_unlock_irqrestore(&m->mt.ma_lock, flags);
	return nodes;
}

unsigned long bench_maple_store_failures(struct bench_maple *m)
{
	return m->store_failures;
}

void bench_maple_destroy(struct bench_maple *m)
{
	struct bm_rcache *rc;
	struct bm_mag *mag;
	unsigned int order;
	int c;

	for (order = 0; m->cached && order < BM_CACHE_ORDERS; order++) {
		rc = &m->rc[order];
		if (!rc->cpu)
			continue;
		for_each_possible_cpu(c) {
			kfree(per_cpu_ptr(rc->cpu, c)->loaded);
			kfree(per_cpu_ptr(rc->cpu, c)->prev);
		}
		free_percpu(rc->cpu);
		while ((mag = rc->depot)) {
			rc->depot = mag->next;
			kfree(mag);
		}
	}
	mtree_destroy(&m->mt);
	kfree(m);
}

/* A range space from @start_pfn up, with iova.c's cache if @cached. */
struct bench_maple *bench_maple_create(unsigned long start_pfn, bool cached)
{
	struct bench_maple *m;
	struct bm_rcache *rc;
	struct bm_cpu *cpu;
	unsigned int order;
	int c;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	mt_init_flags(&m->mt, MT_FLAGS_ALLOC_RANGE);
	m->start_pfn = max(start_pfn, 1UL);
	m->cached = cached;
	for (order = 0; cached && order < BM_CACHE_ORDERS; order++) {
		rc = &m->rc[order];
		spin_lock_init(&rc->lock);
		rc->cpu = alloc_percpu(struct bm_cpu);
		if (!rc->cpu)
			goto fail;
		for_each_possible_cpu(c) {
			cpu = per_cpu_ptr(rc->cpu, c);
			spin_lock_init(&cpu->lock);
			cpu->loaded = kzalloc(sizeof(*cpu->loaded), GFP_KERNEL);
			cpu->prev = kzalloc(sizeof(*cpu->prev), GFP_KERNEL);
			if (!cpu->loaded || !cpu->prev)
				goto fail;
		}
	}
	return m;
fail:
	bench_maple_destroy(m);
	return ERR_PTR(-ENOMEM);
}
