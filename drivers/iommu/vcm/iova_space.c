// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM IOVA space allocator.
 *
 * The allocated ranges of a space sit in an rbtree sorted by address. Each
 * node also owns the free gap just below its range, and the anchor node
 * just above the space owns the topmost gap, so that every free pfn of the
 * space belongs to exactly one gap. Each node is augmented with two values
 * over its subtree:
 *
 *  - sub.gap: the longest gap, which answers requests with alignment 1;
 *  - sub.cap: the largest size-aligned request (alignment equal to the size
 *    rounded up to a power of two) that some gap can hold.
 *
 * Both are exact for their kind of request, so a top-down search never
 * enters a subtree in which it cannot succeed: allocation, reservation and
 * free are O(log n) in the worst case.
 *
 * The per-CPU cache lives in iova_cache.c. This file only uses the headers
 * that tools/testing/vcm stubs, so that it compiles in userspace unchanged.
 */

#include <linux/align.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rbtree_augmented.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <kunit/visibility.h>

#include "iova_internal.h"
#include "vcm_iova.h"

static struct kmem_cache *vcm_iova_node_cache;
static unsigned int vcm_iova_node_cache_users;
static DEFINE_MUTEX(vcm_iova_node_cache_mutex);

/* What a search looks for; see vcm_iova_alloc(). */
struct vcm_iova_req {
	unsigned long size;
	unsigned long align_mask;
	unsigned long limit;
	unsigned long need_gap;
	unsigned long need_cap;
};

static inline struct vcm_iova_node *vcm_iova_entry(struct rb_node *rb)
{
	return rb_entry_safe(rb, struct vcm_iova_node, rb);
}

/*
 * Largest size-aligned request that fits in the gap [lo, lo + len - 1].
 *
 * Let 2^m be the largest naturally aligned block inside the gap. Every
 * size-aligned request of at most 2^m granules fits. A request of order
 * m + 1 fits when it is not longer than the part of the gap above the
 * first multiple of 2^(m + 1). No request of a higher order fits, as it
 * would contain an aligned block of 2^(m + 1) granules. And a gap that
 * holds a request also holds every smaller one, which makes the result a
 * single exact threshold.
 */
static unsigned long vcm_iova_gap_cap(unsigned long lo, unsigned long len)
{
	unsigned long end = lo + len;
	unsigned long mid, left, right, block, up;
	unsigned int order;

	if (!len)
		return 0;

	/*
	 * lo and end agree above bit @order and differ in it: mid, end with
	 * the bits below @order cleared, splits the gap in two parts that
	 * are both shorter than 2^(order + 1), and no aligned block can
	 * cross mid. The largest block ends or starts at mid.
	 */
	order = __fls(lo ^ end);
	mid = end & ~((1UL << order) - 1);
	left = mid - lo;
	right = end - mid;
	order = __fls(left);
	if (right && __fls(right) > order)
		order = __fls(right);
	block = 1UL << order;

	up = ALIGN(lo, block << 1);
	if (up < end && end - up > block)
		return end - up;
	return block;
}

/*
 * Recompute the augmented values of @node; true if @exit and unchanged.
 * The gap's own cap is at most its length, so it is computed only when
 * the length exceeds the children's caps: rarely, for the ancestors that
 * a propagation after an insert or erase walks through.
 */
static inline bool vcm_iova_compute(struct vcm_iova_node *node, bool exit)
{
	unsigned long len = node->pfn_lo - node->gap_lo;
	unsigned long gap = len, cap = 0;
	struct vcm_iova_node *child;

	child = vcm_iova_entry(node->rb.rb_left);
	if (child) {
		gap = max(gap, child->sub.gap);
		cap = child->sub.cap;
	}
	child = vcm_iova_entry(node->rb.rb_right);
	if (child) {
		gap = max(gap, child->sub.gap);
		cap = max(cap, child->sub.cap);
	}
	if (len > cap)
		cap = max(cap, vcm_iova_gap_cap(node->gap_lo, len));
	if (exit && node->sub.gap == gap && node->sub.cap == cap)
		return true;
	node->sub.gap = gap;
	node->sub.cap = cap;
	return false;
}

RB_DECLARE_CALLBACKS(static, vcm_iova_augment, struct vcm_iova_node, rb,
		     sub, vcm_iova_compute);

/* The node whose range contains @pfn, or NULL. */
static struct vcm_iova_node *vcm_iova_lookup(struct vcm_iova_space *space,
					     unsigned long pfn)
{
	struct rb_node *rb = space->root.rb_node;

	lockdep_assert_held(&space->lock);

	while (rb) {
		struct vcm_iova_node *node = vcm_iova_entry(rb);

		if (pfn < node->pfn_lo)
			rb = rb->rb_left;
		else if (pfn > node->pfn_hi)
			rb = rb->rb_right;
		else
			return node;
	}
	return NULL;
}

/* The first node that starts above @pfn; never NULL for @pfn <= end_pfn. */
static struct vcm_iova_node *vcm_iova_upper(struct vcm_iova_space *space,
					    unsigned long pfn)
{
	struct rb_node *rb = space->root.rb_node;
	struct vcm_iova_node *best = NULL;

	lockdep_assert_held(&space->lock);

	while (rb) {
		struct vcm_iova_node *node = vcm_iova_entry(rb);

		if (pfn < node->pfn_lo) {
			best = node;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

/*
 * Insert @node, whose range lies in the gap of @succ, just before @succ,
 * and split that gap in two.
 */
static void vcm_iova_insert_before(struct vcm_iova_space *space,
				   struct vcm_iova_node *node,
				   struct vcm_iova_node *succ)
{
	struct rb_node *parent, **link;

	lockdep_assert_held(&space->lock);

	if (!succ->rb.rb_left) {
		parent = &succ->rb;
		link = &succ->rb.rb_left;
	} else {
		parent = succ->rb.rb_left;
		while (parent->rb_right)
			parent = parent->rb_right;
		link = &parent->rb_right;
	}

	node->gap_lo = succ->gap_lo;
	node->sub.gap = node->pfn_lo - node->gap_lo;
	node->sub.cap = vcm_iova_gap_cap(node->gap_lo, node->sub.gap);
	rb_link_node(&node->rb, parent, link);
	/* Ancestors now cover the new leaf; rotations need that. */
	vcm_iova_augment_propagate(parent, NULL);
	rb_insert_augmented(&node->rb, &space->root, &vcm_iova_augment);

	/* The gap of @succ shrinks to what is left above @node. */
	succ->gap_lo = node->pfn_hi + 1;
	vcm_iova_augment_propagate(&succ->rb, NULL);
	space->nr_ranges++;
}

/* Remove @node and merge its gap and range into the gap of its successor. */
static void vcm_iova_erase(struct vcm_iova_space *space,
			   struct vcm_iova_node *node)
{
	struct vcm_iova_node *succ = vcm_iova_entry(rb_next(&node->rb));
	unsigned long gap_lo = node->gap_lo;

	lockdep_assert_held(&space->lock);

	rb_erase_augmented(&node->rb, &space->root, &vcm_iova_augment);
	succ->gap_lo = gap_lo;
	vcm_iova_augment_propagate(&succ->rb, NULL);
	space->nr_ranges--;
}

/* Might the subtree of @node hold @req? Exact for the exact kinds. */
static bool vcm_iova_sub_ok(const struct vcm_iova_node *node,
			    const struct vcm_iova_req *req)
{
	return node && (node->sub.gap >= req->need_gap ||
			node->sub.cap >= req->need_cap);
}

/* Highest pfn at which @req fits in the gap of @node, below the limit. */
static bool vcm_iova_gap_fit(const struct vcm_iova_node *node,
			     const struct vcm_iova_req *req,
			     unsigned long *pfn)
{
	unsigned long hi, start;

	if (node->gap_lo == node->pfn_lo || node->gap_lo > req->limit)
		return false;
	hi = min(node->pfn_lo - 1, req->limit);
	if (hi - node->gap_lo + 1 < req->size)
		return false;
	start = (hi - req->size + 1) & ~req->align_mask;
	if (start < node->gap_lo)
		return false;
	*pfn = start;
	return true;
}

/*
 * Rightmost fit inside the subtree of @node, all of whose gaps lie below
 * the limit and which vcm_iova_sub_ok() accepted: each step goes to a
 * child that is known to hold a fit, so this ends in O(log n).
 */
static struct vcm_iova_node *vcm_iova_descend(struct vcm_iova_node *node,
					      const struct vcm_iova_req *req,
					      unsigned long *pfn)
{
	while (node) {
		struct vcm_iova_node *right = vcm_iova_entry(node->rb.rb_right);

		if (vcm_iova_sub_ok(right, req)) {
			node = right;
			continue;
		}
		if (vcm_iova_gap_fit(node, req, pfn))
			return node;
		node = vcm_iova_entry(node->rb.rb_left);
	}
	/* The augmented values lied: the tree is corrupt. */
	WARN_ON_ONCE(1);
	return NULL;
}

/*
 * Find the highest fit for @req and return the node whose gap holds it.
 *
 * The nodes whose gap starts at or below the limit form a prefix of the
 * tree. Its last node L is the last one where a descent by gap_lo goes
 * right. Walking up from L, every ancestor entered from its right child
 * is in the prefix too, and its left subtree lies wholly below the limit.
 * Trying, from the top down, the gap of each such node (exactly, with the
 * limit) and then its left subtree (by the augmented values) visits the
 * candidates in address order, so the first success is the highest fit.
 */
static struct vcm_iova_node *vcm_iova_search(struct vcm_iova_space *space,
					     const struct vcm_iova_req *req,
					     unsigned long *pfn)
{
	struct rb_node *rb = space->root.rb_node, *last = NULL;

	lockdep_assert_held(&space->lock);

	while (rb) {
		if (vcm_iova_entry(rb)->gap_lo <= req->limit) {
			last = rb;
			rb = rb->rb_right;
		} else {
			rb = rb->rb_left;
		}
	}

	rb = last;
	while (rb) {
		struct vcm_iova_node *node = vcm_iova_entry(rb);
		struct vcm_iova_node *left = vcm_iova_entry(rb->rb_left);
		struct rb_node *parent;

		if (vcm_iova_gap_fit(node, req, pfn))
			return node;
		if (vcm_iova_sub_ok(left, req))
			return vcm_iova_descend(left, req, pfn);

		/* Up to the closest ancestor below this node. */
		for (;;) {
			parent = rb_parent(rb);
			if (!parent || parent->rb_right == rb)
				break;
			rb = parent;
		}
		rb = parent;
	}
	return NULL;
}

static struct vcm_iova_node *vcm_iova_node_alloc(gfp_t gfp)
{
	return kmem_cache_alloc(vcm_iova_node_cache, gfp);
}

static void vcm_iova_node_free(struct vcm_iova_node *node)
{
	kmem_cache_free(vcm_iova_node_cache, node);
}

static int vcm_iova_node_cache_get(void)
{
	int ret = 0;

	mutex_lock(&vcm_iova_node_cache_mutex);
	if (!vcm_iova_node_cache_users) {
		vcm_iova_node_cache = KMEM_CACHE(vcm_iova_node, 0);
		if (!vcm_iova_node_cache)
			ret = -ENOMEM;
	}
	if (!ret)
		vcm_iova_node_cache_users++;
	mutex_unlock(&vcm_iova_node_cache_mutex);
	return ret;
}

static void vcm_iova_node_cache_put(void)
{
	mutex_lock(&vcm_iova_node_cache_mutex);
	if (!--vcm_iova_node_cache_users) {
		kmem_cache_destroy(vcm_iova_node_cache);
		vcm_iova_node_cache = NULL;
	}
	mutex_unlock(&vcm_iova_node_cache_mutex);
}

/**
 * vcm_iova_reclaim() - have a space's cache give its free ranges back
 * @space: the space
 *
 * Calls the callback set with vcm_iova_set_reclaim(), if any, so that
 * ranges a per-CPU cache holds free become free in the space itself.
 * The allocator does this on its own before a request fails; a caller
 * that needs cached ranges seen as free (vcm_reserve_free()) calls it.
 *
 * Context: Process context or any context the callback allows; takes
 * no lock of its own across the callback.
 */
void vcm_iova_reclaim(struct vcm_iova_space *space)
{
	void (*reclaim)(void *data);
	unsigned long flags;
	void *data;

	spin_lock_irqsave(&space->lock, flags);
	reclaim = space->reclaim;
	data = space->reclaim_data;
	spin_unlock_irqrestore(&space->lock, flags);

	if (reclaim)
		reclaim(data);
}

/**
 * vcm_iova_space_init() - initialise an empty IOVA space
 * @space: the space to initialise
 * @granule: size in bytes of one pfn of the space, a power of two
 * @start_pfn: lowest pfn that may be allocated
 * @end_pfn: highest pfn that may be allocated
 *
 * Context: Process context; may sleep.
 * Return: 0 on success, -EINVAL if @granule is not a power of two, if
 * @start_pfn > @end_pfn or if @end_pfn > %VCM_IOVA_MAX_PFN, -ENOMEM if the
 * node cache cannot be created. On error @space is left untouched.
 */
int vcm_iova_space_init(struct vcm_iova_space *space, unsigned long granule,
			unsigned long start_pfn, unsigned long end_pfn)
{
	struct vcm_iova_node *anchor = &space->anchor;
	int ret;

	if (!is_power_of_2(granule) || start_pfn > end_pfn ||
	    end_pfn > VCM_IOVA_MAX_PFN)
		return -EINVAL;

	ret = vcm_iova_node_cache_get();
	if (ret)
		return ret;

	spin_lock_init(&space->lock);
	space->root = RB_ROOT;
	space->start_pfn = start_pfn;
	space->end_pfn = end_pfn;
	space->granule_shift = __ffs(granule);
	space->nr_ranges = 0;
	space->reclaim = NULL;
	space->reclaim_data = NULL;

	/* An empty range just above the space: it owns the topmost gap. */
	anchor->pfn_lo = end_pfn + 1;
	anchor->pfn_hi = end_pfn;
	anchor->gap_lo = start_pfn;
	anchor->sub.gap = anchor->pfn_lo - anchor->gap_lo;
	anchor->sub.cap = vcm_iova_gap_cap(anchor->gap_lo, anchor->sub.gap);
	rb_link_node(&anchor->rb, NULL, &space->root.rb_node);
	rb_insert_color(&anchor->rb, &space->root);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_space_init);

/**
 * vcm_iova_space_destroy() - free every range of an IOVA space
 * @space: the space, initialised by vcm_iova_space_init()
 *
 * Ranges still allocated are freed silently. A cache created on @space
 * must have been destroyed first.
 *
 * Context: Process context; may sleep. Nobody may use @space concurrently
 * or afterwards.
 */
void vcm_iova_space_destroy(struct vcm_iova_space *space)
{
	struct vcm_iova_node *node, *next;

	rbtree_postorder_for_each_entry_safe(node, next, &space->root, rb)
		if (node != &space->anchor)
			vcm_iova_node_free(node);
	space->root = RB_ROOT;
	space->nr_ranges = 0;
	vcm_iova_node_cache_put();
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_space_destroy);

static int __vcm_iova_alloc(struct vcm_iova_space *space,
			    const struct vcm_iova_req *req,
			    struct vcm_iova_node *new, unsigned long *pfn)
{
	struct vcm_iova_node *succ;
	unsigned long flags, start;

	spin_lock_irqsave(&space->lock, flags);
	succ = vcm_iova_search(space, req, &start);
	if (succ) {
		new->pfn_lo = start;
		new->pfn_hi = start + req->size - 1;
		vcm_iova_insert_before(space, new, succ);
	}
	spin_unlock_irqrestore(&space->lock, flags);

	if (!succ)
		return -ENOSPC;
	*pfn = start;
	return 0;
}

/**
 * vcm_iova_alloc() - allocate a range top-down
 * @space: the space
 * @size: number of pfns, not 0
 * @align: alignment of the first pfn, in pfns; a power of two
 * @limit_pfn: highest pfn the range may cover; values above the end of the
 *	space mean the end of the space
 * @gfp: allocation flags for the tree node, GFP_ATOMIC in atomic context
 * @pfn: on success, the first pfn of the range
 *
 * The range [*@pfn, *@pfn + @size - 1] is free, lies inside the space and
 * below @limit_pfn, and *@pfn is a multiple of @align. The search takes
 * O(log n) time in the worst case for n allocated ranges.
 *
 * For @align == 1 and for size-aligned requests (@align ==
 * roundup_pow_of_two(@size), which includes any power-of-two @size aligned
 * to itself) the result is the highest such range, and the call fails with
 * -ENOSPC only if no such range exists.
 *
 * For other alignments the result still fits, and the call succeeds at
 * least when some free range below @limit_pfn is @size + @align - 1 pfns
 * long or can hold a size-aligned request of @size pfns (@align smaller
 * than the rounded-up size) or of @align / 2 + 1 pfns (@align larger than
 * it). Among the free ranges meeting that condition the highest is used,
 * but a higher one that only fits because of where it happens to start
 * may be missed, and so may the only fitting one.
 *
 * Before failing with -ENOSPC, the call gives back ranges held by a
 * per-CPU cache of @space (see vcm_iova_cache_create()) and tries again.
 *
 * Context: Any context; takes the space lock with interrupts disabled.
 * Sleeps only if @gfp allows it.
 * Return: 0 on success, -EINVAL if @size is 0 or @align is not a power of
 * two, -ERANGE if @limit_pfn is below the start of the space, -ENOMEM if
 * no tree node could be allocated, -ENOSPC if no fitting range was found.
 * On error the space is unchanged.
 */
int vcm_iova_alloc(struct vcm_iova_space *space, unsigned long size,
		   unsigned long align, unsigned long limit_pfn, gfp_t gfp,
		   unsigned long *pfn)
{
	return __vcm_iova_alloc_reclaim(space, size, align, limit_pfn, gfp,
					true, pfn);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_alloc);

int __vcm_iova_alloc_reclaim(struct vcm_iova_space *space, unsigned long size,
			     unsigned long align, unsigned long limit_pfn,
			     gfp_t gfp, bool reclaim, unsigned long *pfn)
{
	struct vcm_iova_req req;
	struct vcm_iova_node *new;
	unsigned long rsize;
	int ret;

	if (!size || !is_power_of_2(align))
		return -EINVAL;
	if (limit_pfn < space->start_pfn)
		return -ERANGE;
	if (size > space->end_pfn - space->start_pfn + 1)
		return -ENOSPC;

	req.size = size;
	req.align_mask = align - 1;
	req.limit = min(limit_pfn, space->end_pfn);
	if (align == 1) {
		req.need_gap = size;
		req.need_cap = ULONG_MAX;
	} else {
		if (check_add_overflow(size, align - 1, &req.need_gap))
			req.need_gap = ULONG_MAX;
		rsize = roundup_pow_of_two(size);
		req.need_cap = align > rsize ? align / 2 + 1 : size;
	}

	new = vcm_iova_node_alloc(gfp);
	if (!new)
		return -ENOMEM;

	ret = __vcm_iova_alloc(space, &req, new, pfn);
	if (ret == -ENOSPC && reclaim && READ_ONCE(space->reclaim)) {
		vcm_iova_reclaim(space);
		ret = __vcm_iova_alloc(space, &req, new, pfn);
	}
	if (ret)
		vcm_iova_node_free(new);
	return ret;
}

static int __vcm_iova_reserve(struct vcm_iova_space *space,
			      struct vcm_iova_node *new)
{
	struct vcm_iova_node *succ;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&space->lock, flags);
	succ = vcm_iova_upper(space, new->pfn_lo);
	if (succ->gap_lo > new->pfn_lo || succ->pfn_lo <= new->pfn_hi)
		ret = -EADDRINUSE;
	else
		vcm_iova_insert_before(space, new, succ);
	spin_unlock_irqrestore(&space->lock, flags);
	return ret;
}

/**
 * vcm_iova_reserve() - allocate a range at a fixed address
 * @space: the space
 * @pfn: first pfn of the range
 * @size: number of pfns, not 0
 * @gfp: allocation flags for the tree node
 *
 * The range is then allocated like one from vcm_iova_alloc() and is given
 * back with vcm_iova_free(). Runs in O(log n). If the range overlaps ranges
 * held by a per-CPU cache of @space, the cache is drained and the call
 * tried again.
 *
 * Context: Any context; takes the space lock with interrupts disabled.
 * Sleeps only if @gfp allows it.
 * Return: 0 on success, -EINVAL if @size is 0, -ERANGE if the range does
 * not lie inside the space, -EADDRINUSE if it overlaps an allocated range,
 * -ENOMEM if no tree node could be allocated. On error the space is
 * unchanged.
 */
int vcm_iova_reserve(struct vcm_iova_space *space, unsigned long pfn,
		     unsigned long size, gfp_t gfp)
{
	struct vcm_iova_node *new;
	unsigned long last;
	int ret;

	if (!size)
		return -EINVAL;
	if (check_add_overflow(pfn, size - 1, &last) ||
	    pfn < space->start_pfn || last > space->end_pfn)
		return -ERANGE;

	new = vcm_iova_node_alloc(gfp);
	if (!new)
		return -ENOMEM;
	new->pfn_lo = pfn;
	new->pfn_hi = last;

	ret = __vcm_iova_reserve(space, new);
	if (ret == -EADDRINUSE && READ_ONCE(space->reclaim)) {
		vcm_iova_reclaim(space);
		ret = __vcm_iova_reserve(space, new);
	}
	if (ret)
		vcm_iova_node_free(new);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_reserve);

/*
 * Free [@pfn, @pfn + @size - 1] if it is exactly an allocated range.
 * Returns 0, -EINVAL for @size 0, or -ENOENT, and then changes nothing.
 */
VISIBLE_IF_KUNIT int vcm_iova_remove(struct vcm_iova_space *space,
				     unsigned long pfn, unsigned long size)
{
	struct vcm_iova_node *node;
	unsigned long flags;

	if (!size)
		return -EINVAL;

	spin_lock_irqsave(&space->lock, flags);
	node = vcm_iova_lookup(space, pfn);
	if (!node || node->pfn_lo != pfn ||
	    node->pfn_hi - node->pfn_lo != size - 1) {
		spin_unlock_irqrestore(&space->lock, flags);
		return -ENOENT;
	}
	vcm_iova_erase(space, node);
	spin_unlock_irqrestore(&space->lock, flags);

	vcm_iova_node_free(node);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_remove);

/**
 * vcm_iova_free() - free an allocated range
 * @space: the space
 * @pfn: first pfn of the range, as returned by vcm_iova_alloc() or passed
 *	to vcm_iova_reserve()
 * @size: number of pfns, as passed when the range was allocated
 *
 * Runs in O(log n). Freeing anything but exactly an allocated range, for
 * instance freeing a range twice, is a bug of the caller: it is reported
 * once with a warning and changes nothing.
 *
 * Context: Any context; takes the space lock with interrupts disabled.
 * Return: 0 on success, -EINVAL if @size is 0, -ENOENT if the range is not
 * allocated.
 */
int vcm_iova_free(struct vcm_iova_space *space, unsigned long pfn,
		  unsigned long size)
{
	int ret = vcm_iova_remove(space, pfn, size);

	WARN_ONCE(ret, "vcm_iova: bad free of %#lx+%#lx: %d\n", pfn, size, ret);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_free);

/**
 * vcm_iova_find() - find the allocated range that contains a pfn
 * @space: the space
 * @pfn: the pfn to look up
 * @start: on success, the first pfn of the range
 * @size: on success, the number of pfns of the range
 *
 * Ranges held by a per-CPU cache count as allocated.
 *
 * Context: Any context; takes the space lock with interrupts disabled.
 * Return: 0 on success, -ENOENT if @pfn is free or outside the space.
 */
int vcm_iova_find(struct vcm_iova_space *space, unsigned long pfn,
		  unsigned long *start, unsigned long *size)
{
	struct vcm_iova_node *node;
	unsigned long flags;

	spin_lock_irqsave(&space->lock, flags);
	node = vcm_iova_lookup(space, pfn);
	if (node) {
		*start = node->pfn_lo;
		*size = node->pfn_hi - node->pfn_lo + 1;
	}
	spin_unlock_irqrestore(&space->lock, flags);
	return node ? 0 : -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_find);

/* The leftmost node under @rb with a free gap; the subtree has one. */
static struct vcm_iova_node *vcm_iova_first_gap(struct rb_node *rb)
{
	for (;;) {
		struct vcm_iova_node *node = vcm_iova_entry(rb);
		struct vcm_iova_node *left = vcm_iova_entry(rb->rb_left);

		if (left && left->sub.gap) {
			rb = rb->rb_left;
			continue;
		}
		if (node->pfn_lo > node->gap_lo)
			return node;
		rb = rb->rb_right;
	}
}

/*
 * The first node after @node in address order that has a free gap, or
 * NULL: the subtree gaps let this skip every run of adjacent ranges, so
 * it takes O(log n) however many ranges it passes.
 */
static struct vcm_iova_node *vcm_iova_next_gap(struct vcm_iova_node *node)
{
	struct rb_node *rb = &node->rb, *parent;
	struct vcm_iova_node *right = vcm_iova_entry(rb->rb_right);

	if (right && right->sub.gap)
		return vcm_iova_first_gap(rb->rb_right);
	while ((parent = rb_parent(rb))) {
		if (parent->rb_left == rb) {
			node = vcm_iova_entry(parent);
			if (node->pfn_lo > node->gap_lo)
				return node;
			right = vcm_iova_entry(parent->rb_right);
			if (right && right->sub.gap)
				return vcm_iova_first_gap(parent->rb_right);
		}
		rb = parent;
	}
	return NULL;
}

/**
 * vcm_iova_next_free() - find the first free run of pfns in a range
 * @space: the space
 * @pfn: first pfn to look at
 * @last: last pfn to look at
 * @lo: on success, the first pfn of the run
 * @hi: on success, the last pfn of the run, at most @last
 *
 * The run is the lowest one of free pfns in [@pfn, @last], as long as it
 * goes in that range. Ranges held by a per-CPU cache count as allocated
 * (see vcm_iova_reclaim()). Runs in O(log n), however many allocated
 * ranges lie in the way.
 *
 * Context: Any context; takes the space lock with interrupts disabled.
 * Return: true if a free run was found, false if every pfn of [@pfn,
 * @last] inside the space is allocated, or the range is empty.
 */
bool vcm_iova_next_free(struct vcm_iova_space *space, unsigned long pfn,
			unsigned long last, unsigned long *lo,
			unsigned long *hi)
{
	struct vcm_iova_node *node;
	unsigned long flags;
	bool found = false;

	pfn = max(pfn, space->start_pfn);
	last = min(last, space->end_pfn);
	if (pfn > last)
		return false;

	spin_lock_irqsave(&space->lock, flags);
	node = vcm_iova_upper(space, pfn);
	if (node->pfn_lo == node->gap_lo)
		node = vcm_iova_next_gap(node);
	if (node && node->gap_lo <= last) {
		*lo = max(pfn, node->gap_lo);
		*hi = min(node->pfn_lo - 1, last);
		found = true;
	}
	spin_unlock_irqrestore(&space->lock, flags);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_next_free);

/**
 * vcm_iova_walk_ranges() - call a function for each allocated range
 * @space: the space
 * @fn: called for each range in address order with its first pfn, its
 *	size and @data; must not sleep nor call into @space; a non-zero
 *	return value stops the walk
 * @data: passed to @fn
 *
 * For debugfs and introspection: this takes O(n) time with the space lock
 * held. Ranges held by a per-CPU cache count as allocated.
 *
 * Context: Any context; takes the space lock with interrupts disabled.
 * Return: 0 after all ranges, or the first non-zero value returned by @fn.
 */
int vcm_iova_walk_ranges(struct vcm_iova_space *space, vcm_iova_range_fn fn,
			 void *data)
{
	struct rb_node *rb;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&space->lock, flags);
	for (rb = rb_first(&space->root); rb; rb = rb_next(rb)) {
		struct vcm_iova_node *node = vcm_iova_entry(rb);

		if (node == &space->anchor)
			break;
		ret = fn(node->pfn_lo, node->pfn_hi - node->pfn_lo + 1, data);
		if (ret)
			break;
	}
	spin_unlock_irqrestore(&space->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_walk_ranges);

/**
 * vcm_iova_nr_ranges() - number of allocated ranges
 * @space: the space
 *
 * Ranges held by a per-CPU cache count as allocated.
 *
 * Context: Any context. The value may be stale by the time it is used.
 * Return: the number of allocated ranges.
 */
unsigned long vcm_iova_nr_ranges(struct vcm_iova_space *space)
{
	return READ_ONCE(space->nr_ranges);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_nr_ranges);

/**
 * vcm_iova_set_reclaim() - set the callback that gives cached ranges back
 * @space: the space
 * @reclaim: called without locks held, in any context, before an
 *	allocation or reservation fails for lack of room; NULL for none
 * @data: passed to @reclaim
 *
 * Used by the per-CPU cache (vcm_iova_cache_create()).
 *
 * Context: Any context; takes the space lock with interrupts disabled.
 */
void vcm_iova_set_reclaim(struct vcm_iova_space *space,
			  void (*reclaim)(void *data), void *data)
{
	unsigned long flags;

	spin_lock_irqsave(&space->lock, flags);
	WRITE_ONCE(space->reclaim, reclaim);
	space->reclaim_data = data;
	spin_unlock_irqrestore(&space->lock, flags);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Check order, gap chain and augmented values of every node. */
VISIBLE_IF_KUNIT int vcm_iova_check(struct vcm_iova_space *space)
{
	unsigned long flags, next_gap_lo, count = 0;
	struct rb_node *rb;
	int ret = 0;

	spin_lock_irqsave(&space->lock, flags);
	next_gap_lo = space->start_pfn;
	for (rb = rb_first(&space->root); rb; rb = rb_next(rb)) {
		struct vcm_iova_node *node = vcm_iova_entry(rb);
		struct vcm_iova_node copy = *node;

		if (node->gap_lo != next_gap_lo || node->gap_lo > node->pfn_lo ||
		    (node != &space->anchor && node->pfn_hi < node->pfn_lo) ||
		    (node == &space->anchor && rb_next(rb)) ||
		    !vcm_iova_compute(&copy, true)) {
			ret = -EINVAL;
			break;
		}
		next_gap_lo = node->pfn_hi + 1;
		count++;
	}
	if (count != space->nr_ranges + 1 || next_gap_lo != space->end_pfn + 1)
		ret = -EINVAL;
	spin_unlock_irqrestore(&space->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_check);
#endif
