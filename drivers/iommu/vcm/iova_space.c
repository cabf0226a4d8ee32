// SPDX-License-Identifier: GPL-2.0-only
/**
 * DOC: The IOVA space
 *
 * VCM IOVA space allocator.
 *
 * The allocated ranges of a space sit, sorted by address, in the leaves of
 * a B+ tree. Each range also owns the free gap just below it, and an empty
 * anchor range just above the space owns the topmost gap, so that every
 * pfn of the space lies in exactly one range or gap. A leaf keeps only the
 * first and last pfn of its ranges: the gap of a range starts after the
 * range before it, and the gap of a leaf's first range starts after the
 * last pfn covered by the leaf before it.
 *
 * An inner node keeps, for each child, the last pfn the child covers (its
 * key) and two values over the gaps of the child's subtree:
 *
 *  - gap: the longest gap, which answers requests with alignment 1;
 *  - cap: the largest size-aligned request (alignment equal to the size
 *    rounded up to a power of two) that some gap can hold.
 *
 * Both are exact for their kind of request, so a top-down search never
 * enters a subtree in which it cannot succeed: allocation, reservation and
 * free are O(log n) in the worst case. Keeping them in the parent, next to
 * the keys, lets a search decide where to go without touching the
 * children it skips. Nodes are large (512 bytes, 31 ranges or 15 children)
 * so that the tree is shallow and the memory per range small.
 *
 * Every operation walks down from the root and keeps the path it took;
 * nodes have no parent pointers. The nodes an insertion may need for
 * splits are allocated before the space lock is taken and kept in a small
 * per-space pool, so that nothing is allocated under the lock.
 *
 * The per-CPU cache lives in iova_cache.c. This file only uses the headers
 * that tools/testing/vcm stubs, so that it compiles in userspace unchanged.
 */

#include <linux/align.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "iova_internal.h"
#include "vcm_iova.h"

#define VCM_IOVA_LEAF_SLOTS	31
#define VCM_IOVA_INNER_SLOTS	15
/* Fewest slots of a node other than the root; halves of a split have more. */
#define VCM_IOVA_LEAF_MIN	10
#define VCM_IOVA_INNER_MIN	5
/* Enough for more ranges than memory can hold: each level multiplies by 5. */
#define VCM_IOVA_MAX_HEIGHT	16
/* Nodes freed by merges that a space keeps for its next splits. */
#define VCM_IOVA_SPARE_KEEP	4

/*
 * struct vcm_iova_node - a node of the tree
 * @nr: number of slots in use
 * @leaf: whether the node is a leaf
 * @lo: first pfn of each range of a leaf
 * @hi: last pfn of each range of a leaf; the anchor has @hi = @lo - 1
 * @key: last pfn covered by each child of an inner node
 * @gap: longest gap in each child's subtree
 * @cap: largest size-aligned request a gap of each child's subtree holds
 * @child: the children of an inner node
 * @next: link of a node in the space's pool of spare nodes
 */
struct vcm_iova_node {
	unsigned short nr;
	bool leaf;
	union {
		struct {
			unsigned long lo[VCM_IOVA_LEAF_SLOTS];
			unsigned long hi[VCM_IOVA_LEAF_SLOTS];
		};
		struct {
			unsigned long key[VCM_IOVA_INNER_SLOTS];
			unsigned long gap[VCM_IOVA_INNER_SLOTS];
			unsigned long cap[VCM_IOVA_INNER_SLOTS];
			struct vcm_iova_node *child[VCM_IOVA_INNER_SLOTS];
		};
		struct vcm_iova_node *next;
	};
};

/*
 * A walk from the root: at each level the node, the slot taken in it and
 * the first pfn the node covers. Level 0 is the root, level
 * space->height the leaf, whose slot is a range.
 */
struct vcm_iova_path {
	struct vcm_iova_node *node[VCM_IOVA_MAX_HEIGHT];
	unsigned int slot[VCM_IOVA_MAX_HEIGHT];
	unsigned long lb[VCM_IOVA_MAX_HEIGHT];
};

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

/* First pfn of the gap of range @i of @leaf, which covers from @lb. */
static inline unsigned long vcm_iova_gap_lo(const struct vcm_iova_node *leaf,
					    unsigned int i, unsigned long lb)
{
	return i ? leaf->hi[i - 1] + 1 : lb;
}

/*
 * First slot of @a whose value is at least @pfn, which the last slot in
 * use must be. Slots past the last in use hold ULONG_MAX, so that fixed
 * steps over 2 * @step - 1 slots (@step 8 or 16) need no branch on the
 * data.
 */
static __always_inline unsigned int vcm_iova_slot(const unsigned long *a,
						  unsigned int step,
						  unsigned long pfn)
{
	unsigned int i = 0;

	if (step == 16)
		i += a[15] < pfn ? 16 : 0;
	i += a[i + 7] < pfn ? 8 : 0;
	i += a[i + 3] < pfn ? 4 : 0;
	i += a[i + 1] < pfn ? 2 : 0;
	i += a[i] < pfn ? 1 : 0;
	return i;
}

/* First child of an inner node whose key is at least @pfn. */
static inline unsigned int vcm_iova_inner_slot(const struct vcm_iova_node *n,
					       unsigned long pfn)
{
	BUILD_BUG_ON(VCM_IOVA_INNER_SLOTS != 2 * 8 - 1);
	return vcm_iova_slot(n->key, 8, pfn);
}

/* First range of a leaf whose last pfn is at least @pfn. */
static inline unsigned int vcm_iova_leaf_slot(const struct vcm_iova_node *n,
					      unsigned long pfn)
{
	BUILD_BUG_ON(VCM_IOVA_LEAF_SLOTS != 2 * 16 - 1);
	return vcm_iova_slot(n->hi, 16, pfn);
}

/* Set the slots of @node in use to @nr; those past it read ULONG_MAX. */
static void vcm_iova_set_nr(struct vcm_iova_node *node, unsigned int nr)
{
	unsigned long *a = node->leaf ? node->hi : node->key;
	unsigned int i;

	for (i = nr; i < node->nr; i++)
		a[i] = ULONG_MAX;
	node->nr = nr;
}

/* Extend @p from level @l down through child @s of its node; return it. */
static inline struct vcm_iova_node *vcm_iova_step(struct vcm_iova_path *p,
						  unsigned int l,
						  unsigned int s)
{
	struct vcm_iova_node *node = p->node[l];

	p->slot[l] = s;
	p->lb[l + 1] = s ? node->key[s - 1] + 1 : p->lb[l];
	p->node[l + 1] = node->child[s];
	return node->child[s];
}

/*
 * Walk down to the range whose gap or range holds @pfn, which must lie in
 * the space, and record the path.
 */
static void vcm_iova_walk_down(struct vcm_iova_space *space,
			       unsigned long pfn, struct vcm_iova_path *p)
{
	struct vcm_iova_node *node = space->root;
	unsigned int l;

	lockdep_assert_held(&space->lock);

	p->node[0] = node;
	p->lb[0] = space->start_pfn;
	for (l = 0; l < space->height; l++)
		node = vcm_iova_step(p, l, vcm_iova_inner_slot(node, pfn));
	p->slot[l] = vcm_iova_leaf_slot(node, pfn);
}

/* The leaf whose ranges or gaps hold @pfn, and the slot; no path kept. */
static struct vcm_iova_node *vcm_iova_lookup(struct vcm_iova_space *space,
					     unsigned long pfn,
					     unsigned int *slot)
{
	struct vcm_iova_node *node = space->root;
	unsigned int l;

	lockdep_assert_held(&space->lock);

	for (l = 0; l < space->height; l++)
		node = node->child[vcm_iova_inner_slot(node, pfn)];
	*slot = vcm_iova_leaf_slot(node, pfn);
	return node;
}

/* Longest gap and largest size-aligned fit of a leaf that covers from @lb. */
static void vcm_iova_leaf_sum(const struct vcm_iova_node *leaf,
			      unsigned long lb, unsigned long *gap,
			      unsigned long *cap)
{
	unsigned long g = 0, c = 0, lo = lb, len;
	unsigned int i;

	for (i = 0; i < leaf->nr; i++) {
		len = leaf->lo[i] - lo;
		if (len > g)
			g = len;
		/* A gap holds no request longer than itself. */
		if (len > c)
			c = max(c, vcm_iova_gap_cap(lo, len));
		lo = leaf->hi[i] + 1;
	}
	*gap = g;
	*cap = c;
}

/*
 * Recompute what inner node @p, which covers from @lb, keeps of its child
 * @i. Returns true if anything changed.
 */
static bool vcm_iova_fix_child(struct vcm_iova_node *p, unsigned long lb,
			       unsigned int i)
{
	struct vcm_iova_node *c = p->child[i];
	unsigned long key, gap = 0, cap = 0;
	unsigned int j;

	if (c->leaf) {
		vcm_iova_leaf_sum(c, i ? p->key[i - 1] + 1 : lb, &gap, &cap);
		key = c->hi[c->nr - 1];
	} else {
		for (j = 0; j < c->nr; j++) {
			gap = max(gap, c->gap[j]);
			cap = max(cap, c->cap[j]);
		}
		key = c->key[c->nr - 1];
	}
	if (p->key[i] == key && p->gap[i] == gap && p->cap[i] == cap)
		return false;
	p->key[i] = key;
	p->gap[i] = gap;
	p->cap[i] = cap;
	return true;
}

/* Recompute the path above level @l, up to the root or until unchanged. */
static void vcm_iova_fix_up(struct vcm_iova_path *p, int l, bool all)
{
	for (; l >= 0; l--)
		if (!vcm_iova_fix_child(p->node[l], p->lb[l], p->slot[l]) &&
		    !all)
			break;
}

/*
 * Recompute every node on the way to @pfn. The keys on that way must
 * already be right below @pfn: only a key that is too high, of the node
 * that holds @pfn or of one of its ancestors, is allowed.
 */
static void vcm_iova_fix_path(struct vcm_iova_space *space, unsigned long pfn)
{
	struct vcm_iova_path p;

	vcm_iova_walk_down(space, pfn, &p);
	vcm_iova_fix_up(&p, (int)space->height - 1, true);
}

/* Copy @n slots of @src from @si to @dst at @di; they may overlap. */
static void vcm_iova_copy(struct vcm_iova_node *dst, unsigned int di,
			  const struct vcm_iova_node *src, unsigned int si,
			  unsigned int n)
{
	if (src->leaf) {
		memmove(&dst->lo[di], &src->lo[si], n * sizeof(dst->lo[0]));
		memmove(&dst->hi[di], &src->hi[si], n * sizeof(dst->hi[0]));
		return;
	}
	memmove(&dst->key[di], &src->key[si], n * sizeof(dst->key[0]));
	memmove(&dst->gap[di], &src->gap[si], n * sizeof(dst->gap[0]));
	memmove(&dst->cap[di], &src->cap[si], n * sizeof(dst->cap[0]));
	memmove(&dst->child[di], &src->child[si], n * sizeof(dst->child[0]));
}

static inline unsigned int vcm_iova_slots(const struct vcm_iova_node *node)
{
	return node->leaf ? VCM_IOVA_LEAF_SLOTS : VCM_IOVA_INNER_SLOTS;
}

static inline unsigned int vcm_iova_min(const struct vcm_iova_node *node)
{
	return node->leaf ? VCM_IOVA_LEAF_MIN : VCM_IOVA_INNER_MIN;
}

/* Take a node from the pool, which the caller made sure is not empty. */
static struct vcm_iova_node *vcm_iova_spare_get(struct vcm_iova_space *space,
						bool leaf)
{
	struct vcm_iova_node *node = space->spare;

	space->spare = node->next;
	space->nr_spare--;
	space->nr_nodes++;
	node->leaf = leaf;
	node->nr = vcm_iova_slots(node);
	vcm_iova_set_nr(node, 0);
	return node;
}

/* Give a node taken out of the tree back to the pool, or free it. */
static void vcm_iova_spare_put(struct vcm_iova_space *space,
			       struct vcm_iova_node *node)
{
	space->nr_nodes--;
	if (space->nr_spare >= VCM_IOVA_SPARE_KEEP) {
		kmem_cache_free(vcm_iova_node_cache, node);
		return;
	}
	node->next = space->spare;
	space->spare = node;
	space->nr_spare++;
}

/*
 * Split the full child @i of inner node @p, which covers from @lb, in two;
 * the upper half becomes child @i + 1. @p must have a free slot.
 */
static void vcm_iova_split_child(struct vcm_iova_space *space,
				 struct vcm_iova_node *p, unsigned long lb,
				 unsigned int i)
{
	struct vcm_iova_node *c = p->child[i];
	struct vcm_iova_node *r = vcm_iova_spare_get(space, c->leaf);
	unsigned int keep = (c->nr + 1) / 2;

	vcm_iova_copy(r, 0, c, keep, c->nr - keep);
	r->nr = c->nr - keep;
	vcm_iova_set_nr(c, keep);

	vcm_iova_copy(p, i + 2, p, i + 1, p->nr - i - 1);
	p->child[i + 1] = r;
	p->nr++;
	vcm_iova_fix_child(p, lb, i);
	vcm_iova_fix_child(p, lb, i + 1);
}

/*
 * Make room in the full child @i of inner node @p, which covers from @lb,
 * by moving slots to a sibling that has room for more than one, keeping a
 * free slot there. Returns the child that now covers @pfn, or -1 if no
 * sibling had room.
 *
 * Sequential insertions, such as a space filled top-down, always hit the
 * same end of one node; a split leaves half-full nodes behind them, this
 * fills the neighbour first.
 */
static int vcm_iova_share_child(struct vcm_iova_node *p, unsigned long lb,
				unsigned int i, unsigned long pfn)
{
	struct vcm_iova_node *c = p->child[i], *sib;
	unsigned int move;

	if (i + 1 < p->nr && p->child[i + 1]->nr + 2 <= vcm_iova_slots(c)) {
		sib = p->child[i + 1];
		move = vcm_iova_slots(c) - sib->nr - 1;
		vcm_iova_copy(sib, move, sib, 0, sib->nr);
		vcm_iova_copy(sib, 0, c, c->nr - move, move);
		sib->nr += move;
		vcm_iova_set_nr(c, c->nr - move);
		vcm_iova_fix_child(p, lb, i);
		vcm_iova_fix_child(p, lb, i + 1);
		return pfn > p->key[i] ? i + 1 : i;
	}
	if (i && p->child[i - 1]->nr + 2 <= vcm_iova_slots(c)) {
		sib = p->child[i - 1];
		move = vcm_iova_slots(c) - sib->nr - 1;
		vcm_iova_copy(sib, sib->nr, c, 0, move);
		vcm_iova_copy(c, 0, c, move, c->nr - move);
		sib->nr += move;
		vcm_iova_set_nr(c, c->nr - move);
		vcm_iova_fix_child(p, lb, i - 1);
		vcm_iova_fix_child(p, lb, i);
		return pfn > p->key[i - 1] ? i : i - 1;
	}
	return -1;
}

/* Spare nodes an insertion below path @p needs: one per full node, and a root. */
static unsigned int vcm_iova_need(struct vcm_iova_space *space,
				  const struct vcm_iova_path *p)
{
	unsigned int l, need = 0;

	if (p->node[space->height]->nr < VCM_IOVA_LEAF_SLOTS)
		return 0;
	for (l = 0; l <= space->height; l++)
		if (p->node[l]->nr == vcm_iova_slots(p->node[l]))
			need++;
	/* A full root gets a new root above it. */
	if (space->root->nr == vcm_iova_slots(space->root))
		need++;
	return need;
}

/*
 * Insert [@lo, @hi], which lies in the gap of a range, making room in
 * each full node on the way down so that the leaf has room. The pool
 * holds vcm_iova_need() nodes.
 */
static void vcm_iova_insert_split(struct vcm_iova_space *space,
				  unsigned long lo, unsigned long hi)
{
	struct vcm_iova_node *node = space->root;
	struct vcm_iova_path p;
	unsigned int l, i;
	int moved;

	if (node->nr == vcm_iova_slots(node)) {
		node = vcm_iova_spare_get(space, false);
		node->child[0] = space->root;
		node->nr = 1;
		vcm_iova_fix_child(node, space->start_pfn, 0);
		space->root = node;
		space->height++;
	}

	p.node[0] = node;
	p.lb[0] = space->start_pfn;
	for (l = 0; l < space->height; l++) {
		i = vcm_iova_inner_slot(node, lo);
		if (node->child[i]->nr == vcm_iova_slots(node->child[i])) {
			moved = vcm_iova_share_child(node, p.lb[l], i, lo);
			if (moved < 0) {
				vcm_iova_split_child(space, node, p.lb[l], i);
				moved = lo > node->key[i] ? i + 1 : i;
			}
			i = moved;
		}
		node = vcm_iova_step(&p, l, i);
	}

	i = vcm_iova_leaf_slot(node, lo);
	vcm_iova_copy(node, i + 1, node, i, node->nr - i);
	node->lo[i] = lo;
	node->hi[i] = hi;
	node->nr++;
	vcm_iova_fix_up(&p, (int)space->height - 1, true);
}

/*
 * Insert [@lo, @hi], which lies in the gap of the range that @p ends at,
 * before that range. Returns -EAGAIN, changing nothing, if the pool lacks
 * the nodes vcm_iova_need() asks for, or -ENOMEM if the tree is as high
 * as a path can go.
 */
static int vcm_iova_insert(struct vcm_iova_space *space,
			   struct vcm_iova_path *p, unsigned long lo,
			   unsigned long hi)
{
	unsigned int h = space->height, i = p->slot[h];
	struct vcm_iova_node *leaf = p->node[h], *parent;
	unsigned long gap_lo, len, gs;

	if (leaf->nr == VCM_IOVA_LEAF_SLOTS) {
		/* Unreachable: that many ranges do not fit in memory. */
		if (space->height == VCM_IOVA_MAX_HEIGHT - 1 &&
		    space->root->nr == vcm_iova_slots(space->root))
			return -ENOMEM;
		if (space->nr_spare < vcm_iova_need(space, p))
			return -EAGAIN;
		vcm_iova_insert_split(space, lo, hi);
		space->nr_ranges++;
		return 0;
	}

	gap_lo = vcm_iova_gap_lo(leaf, i, p->lb[h]);
	len = leaf->lo[i] - gap_lo;
	vcm_iova_copy(leaf, i + 1, leaf, i, leaf->nr - i);
	leaf->lo[i] = lo;
	leaf->hi[i] = hi;
	leaf->nr++;
	space->nr_ranges++;

	/*
	 * The gap split in two. Unless it was the longest or the one with
	 * the largest fit of the leaf, nothing above changes.
	 */
	if (!h)
		return 0;
	parent = p->node[h - 1];
	gs = p->slot[h - 1];
	if (len < parent->gap[gs] &&
	    (len < parent->cap[gs] ||
	     vcm_iova_gap_cap(gap_lo, len) < parent->cap[gs]))
		return 0;
	vcm_iova_fix_up(p, h - 1, false);
	return 0;
}

/*
 * Merge or even out node @l of path @p with a sibling while it has fewer
 * slots than allowed, from the leaf up; then drop roots with one child.
 * What each parent keeps of the nodes changed is recomputed, but not what
 * the ancestors above the last parent keep.
 */
static void vcm_iova_rebalance(struct vcm_iova_space *space,
			       struct vcm_iova_path *p)
{
	struct vcm_iova_node *node, *parent, *left, *right;
	unsigned int l, s, move;

	for (l = space->height; l > 0; l--) {
		node = p->node[l];
		if (node->nr >= vcm_iova_min(node))
			break;
		parent = p->node[l - 1];
		s = p->slot[l - 1];
		if (s + 1 < parent->nr) {
			left = node;
			right = parent->child[s + 1];
		} else {
			s--;
			left = parent->child[s];
			right = node;
		}

		if (left->nr + right->nr <= vcm_iova_slots(node)) {
			vcm_iova_copy(left, left->nr, right, 0, right->nr);
			left->nr += right->nr;
			vcm_iova_copy(parent, s + 1, parent, s + 2,
				      parent->nr - s - 2);
			vcm_iova_set_nr(parent, parent->nr - 1);
			vcm_iova_spare_put(space, right);
			vcm_iova_fix_child(parent, p->lb[l - 1], s);
			p->slot[l - 1] = s;
			continue;
		}

		if (left->nr < right->nr) {
			move = (right->nr - left->nr) / 2;
			vcm_iova_copy(left, left->nr, right, 0, move);
			vcm_iova_copy(right, 0, right, move, right->nr - move);
			left->nr += move;
			vcm_iova_set_nr(right, right->nr - move);
		} else {
			move = (left->nr - right->nr) / 2;
			vcm_iova_copy(right, move, right, 0, right->nr);
			vcm_iova_copy(right, 0, left, left->nr - move, move);
			vcm_iova_set_nr(left, left->nr - move);
			right->nr += move;
		}
		vcm_iova_fix_child(parent, p->lb[l - 1], s);
		vcm_iova_fix_child(parent, p->lb[l - 1], s + 1);
		break;
	}

	while (space->height && space->root->nr == 1) {
		node = space->root;
		space->root = node->child[0];
		space->height--;
		vcm_iova_spare_put(space, node);
	}
}

/* Remove the range that @p ends at; it must not be the anchor. */
static void vcm_iova_erase(struct vcm_iova_space *space,
			   struct vcm_iova_path *p)
{
	unsigned int h = space->height, i = p->slot[h], l;
	struct vcm_iova_node *leaf = p->node[h], *node;
	unsigned long gap_lo, lo, len, cap = 0;

	lockdep_assert_held(&space->lock);

	gap_lo = vcm_iova_gap_lo(leaf, i, p->lb[h]);
	lo = leaf->lo[i];
	vcm_iova_copy(leaf, i, leaf, i + 1, leaf->nr - i - 1);
	vcm_iova_set_nr(leaf, leaf->nr - 1);
	space->nr_ranges--;

	if (i < leaf->nr && (!h || leaf->nr >= VCM_IOVA_LEAF_MIN)) {
		/*
		 * The next range of the leaf takes the freed range and its
		 * gap. Gaps only grew: the maximums above grow to it.
		 */
		len = leaf->lo[i] - gap_lo;
		for (l = h; l-- > 0;) {
			node = p->node[l];
			if (len <= node->gap[p->slot[l]] &&
			    len <= node->cap[p->slot[l]])
				break;
			node->gap[p->slot[l]] = max(node->gap[p->slot[l]], len);
			if (!cap)
				cap = vcm_iova_gap_cap(gap_lo, len);
			node->cap[p->slot[l]] = max(node->cap[p->slot[l]], cap);
		}
		return;
	}

	/*
	 * The leaf lost its last range, whose successor is in the next leaf,
	 * or became too small. Rebalance, then fix the way to the range
	 * before the freed one, whose keys may be too high, and the way to
	 * the range after it, whose gap grew.
	 */
	vcm_iova_rebalance(space, p);
	if (gap_lo > space->start_pfn)
		vcm_iova_fix_path(space, gap_lo - 1);
	vcm_iova_fix_path(space, lo);
}

/* Might child @i of inner node @node hold @req? Exact for the exact kinds. */
static inline bool vcm_iova_sub_ok(const struct vcm_iova_node *node,
				   unsigned int i,
				   const struct vcm_iova_req *req)
{
	return node->gap[i] >= req->need_gap || node->cap[i] >= req->need_cap;
}

/* Highest pfn at which @req fits in the gap of range @i, below the limit. */
static bool vcm_iova_gap_fit(const struct vcm_iova_node *leaf, unsigned int i,
			     unsigned long lb, const struct vcm_iova_req *req,
			     unsigned long *pfn)
{
	unsigned long gap_lo = vcm_iova_gap_lo(leaf, i, lb), hi, start;

	if (gap_lo == leaf->lo[i] || gap_lo > req->limit)
		return false;
	hi = min(leaf->lo[i] - 1, req->limit);
	if (hi - gap_lo + 1 < req->size)
		return false;
	start = (hi - req->size + 1) & ~req->align_mask;
	if (start < gap_lo)
		return false;
	*pfn = start;
	return true;
}

/* Highest fit in the leaf of @p at or below its slot; sets the slot. */
static bool vcm_iova_leaf_fit(struct vcm_iova_space *space,
			      struct vcm_iova_path *p, unsigned int i,
			      const struct vcm_iova_req *req,
			      unsigned long *pfn)
{
	unsigned int h = space->height;

	for (; i-- > 0;) {
		if (vcm_iova_gap_fit(p->node[h], i, p->lb[h], req, pfn)) {
			p->slot[h] = i;
			return true;
		}
	}
	return false;
}

/*
 * Find the highest fit for @req; on success @p ends at the range in whose
 * gap it lies.
 *
 * The ranges whose gap starts at or below the limit come first in the
 * tree, up to the one that the walk down to the limit ends at. Its leaf
 * is tried exactly, from that range down; then, up the path, each
 * sibling left of the path by the values its parent keeps, from the
 * right. A sibling that passes holds a fit, and its rightmost passing
 * child again, down to a leaf: O(log n) in all. For the exact kinds of
 * request the values are exact, and the first fit found is the highest.
 */
static bool vcm_iova_search(struct vcm_iova_space *space,
			    const struct vcm_iova_req *req,
			    struct vcm_iova_path *p, unsigned long *pfn)
{
	unsigned int h = space->height, s;
	struct vcm_iova_node *node;
	int l;

	vcm_iova_walk_down(space, req->limit, p);
	if (vcm_iova_leaf_fit(space, p, p->slot[h] + 1, req, pfn))
		return true;

	for (l = (int)h - 1; l >= 0; l--) {
		node = p->node[l];
		for (s = p->slot[l]; s-- > 0;)
			if (vcm_iova_sub_ok(node, s, req))
				goto found;
	}
	return false;

found:
	for (;;) {
		node = vcm_iova_step(p, l, s);
		if (++l == h)
			break;
		for (s = node->nr; s-- > 0;)
			if (vcm_iova_sub_ok(node, s, req))
				break;
		/* The values kept above promised a fit: the tree is corrupt. */
		if (WARN_ON_ONCE(s == UINT_MAX))
			return false;
	}
	if (vcm_iova_leaf_fit(space, p, node->nr, req, pfn))
		return true;
	WARN_ON_ONCE(1);
	return false;
}

static int vcm_iova_node_cache_get(void)
{
	int ret = 0;

	mutex_lock(&vcm_iova_node_cache_mutex);
	if (!vcm_iova_node_cache_users) {
		vcm_iova_node_cache = KMEM_CACHE(vcm_iova_node,
						 SLAB_HWCACHE_ALIGN);
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

/* Allocate @nr nodes with @gfp and add them to the pool. */
static int vcm_iova_refill(struct vcm_iova_space *space, unsigned int nr,
			   gfp_t gfp)
{
	struct vcm_iova_node *list = NULL, *node;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		node = kmem_cache_alloc(vcm_iova_node_cache, gfp);
		if (!node)
			break;
		node->next = list;
		list = node;
	}

	/* Keep what was allocated, even on failure: it is not lost. */
	spin_lock_irqsave(&space->lock, flags);
	while (list) {
		node = list;
		list = node->next;
		node->next = space->spare;
		space->spare = node;
		space->nr_spare++;
	}
	spin_unlock_irqrestore(&space->lock, flags);
	return i < nr ? -ENOMEM : 0;
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
	struct vcm_iova_node *root;
	int ret;

	if (!is_power_of_2(granule) || start_pfn > end_pfn ||
	    end_pfn > VCM_IOVA_MAX_PFN)
		return -EINVAL;

	ret = vcm_iova_node_cache_get();
	if (ret)
		return ret;
	root = kmem_cache_alloc(vcm_iova_node_cache, GFP_KERNEL);
	if (!root) {
		vcm_iova_node_cache_put();
		return -ENOMEM;
	}

	/* An empty range just above the space: it owns the topmost gap. */
	root->leaf = true;
	root->nr = VCM_IOVA_LEAF_SLOTS;
	vcm_iova_set_nr(root, 1);
	root->lo[0] = end_pfn + 1;
	root->hi[0] = end_pfn;

	spin_lock_init(&space->lock);
	space->root = root;
	space->height = 0;
	space->spare = NULL;
	space->nr_spare = 0;
	space->nr_nodes = 1;
	space->start_pfn = start_pfn;
	space->end_pfn = end_pfn;
	space->granule_shift = __ffs(granule);
	space->nr_ranges = 0;
	space->reclaim = NULL;
	space->reclaim_data = NULL;
	space->id = 0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_space_init);

/* Free @node and, if it is inner, its subtree; the depth is the height. */
static void vcm_iova_free_subtree(struct vcm_iova_node *node)
{
	unsigned int i;

	if (!node->leaf)
		for (i = 0; i < node->nr; i++)
			vcm_iova_free_subtree(node->child[i]);
	kmem_cache_free(vcm_iova_node_cache, node);
}

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
	struct vcm_iova_node *node;

	vcm_iova_free_subtree(space->root);
	while ((node = space->spare)) {
		space->spare = node->next;
		kmem_cache_free(vcm_iova_node_cache, node);
	}
	space->root = NULL;
	space->nr_spare = 0;
	space->nr_nodes = 0;
	space->nr_ranges = 0;
	vcm_iova_node_cache_put();
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_space_destroy);

/*
 * Insert a range: at the highest fit for @req, or at [@req->size pfns from
 * @fixed] if @fixed is not NULL. Allocates the nodes a split needs with
 * @gfp, outside the lock, and tries again.
 */
static int vcm_iova_place(struct vcm_iova_space *space,
			  const struct vcm_iova_req *req,
			  const unsigned long *fixed, gfp_t gfp,
			  unsigned long *pfn)
{
	unsigned int h, need;
	struct vcm_iova_path p;
	unsigned long flags, start;
	int ret;

	for (;;) {
		spin_lock_irqsave(&space->lock, flags);
		h = space->height;
		if (fixed) {
			start = *fixed;
			vcm_iova_walk_down(space, start, &p);
			ret = 0;
			if (start >= p.node[h]->lo[p.slot[h]] ||
			    start + req->size - 1 >= p.node[h]->lo[p.slot[h]])
				ret = -EADDRINUSE;
		} else {
			ret = vcm_iova_search(space, req, &p, &start) ? 0 :
			      -ENOSPC;
		}
		if (!ret) {
			ret = vcm_iova_insert(space, &p, start,
					      start + req->size - 1);
			if (ret == -EAGAIN)
				need = vcm_iova_need(space, &p) -
				       space->nr_spare;
		}
		spin_unlock_irqrestore(&space->lock, flags);

		if (ret != -EAGAIN)
			break;
		ret = vcm_iova_refill(space, need, gfp);
		if (ret)
			break;
	}
	if (!ret)
		*pfn = start;
	return ret;
}

/**
 * vcm_iova_alloc() - allocate a range top-down
 * @space: the space
 * @size: number of pfns, not 0
 * @align: alignment of the first pfn, in pfns; a power of two
 * @limit_pfn: highest pfn the range may cover; values above the end of the
 *	space mean the end of the space
 * @gfp: allocation flags for tree nodes, GFP_ATOMIC in atomic context
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

	ret = vcm_iova_place(space, &req, NULL, gfp, pfn);
	if (ret == -ENOSPC && reclaim && READ_ONCE(space->reclaim)) {
		vcm_iova_reclaim(space);
		ret = vcm_iova_place(space, &req, NULL, gfp, pfn);
	}
	return ret;
}

/**
 * vcm_iova_reserve() - allocate a range at a fixed address
 * @space: the space
 * @pfn: first pfn of the range
 * @size: number of pfns, not 0
 * @gfp: allocation flags for tree nodes
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
	struct vcm_iova_req req = { .size = size };
	unsigned long last, start;
	int ret;

	if (!size)
		return -EINVAL;
	if (check_add_overflow(pfn, size - 1, &last) ||
	    pfn < space->start_pfn || last > space->end_pfn)
		return -ERANGE;

	ret = vcm_iova_place(space, &req, &pfn, gfp, &start);
	if (ret == -EADDRINUSE && READ_ONCE(space->reclaim)) {
		vcm_iova_reclaim(space);
		ret = vcm_iova_place(space, &req, &pfn, gfp, &start);
	}
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
	struct vcm_iova_node *leaf;
	struct vcm_iova_path p;
	unsigned long flags;
	unsigned int i;
	int ret = -ENOENT;

	if (!size)
		return -EINVAL;
	if (pfn < space->start_pfn || pfn > space->end_pfn)
		return -ENOENT;

	spin_lock_irqsave(&space->lock, flags);
	vcm_iova_walk_down(space, pfn, &p);
	leaf = p.node[space->height];
	i = p.slot[space->height];
	if (leaf->lo[i] == pfn && leaf->hi[i] - pfn == size - 1) {
		vcm_iova_erase(space, &p);
		ret = 0;
	}
	spin_unlock_irqrestore(&space->lock, flags);
	return ret;
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
	struct vcm_iova_node *leaf;
	unsigned long flags;
	unsigned int i;
	int ret = -ENOENT;

	if (pfn < space->start_pfn || pfn > space->end_pfn)
		return -ENOENT;

	spin_lock_irqsave(&space->lock, flags);
	leaf = vcm_iova_lookup(space, pfn, &i);
	if (leaf->lo[i] <= pfn) {
		*start = leaf->lo[i];
		*size = leaf->hi[i] - leaf->lo[i] + 1;
		ret = 0;
	}
	spin_unlock_irqrestore(&space->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_find);

/* Move @p to the first range of the next leaf; false after the last. */
static bool vcm_iova_next_leaf(struct vcm_iova_space *space,
			       struct vcm_iova_path *p)
{
	unsigned int h = space->height;
	int l;

	for (l = (int)h - 1; l >= 0; l--)
		if (p->slot[l] + 1 < p->node[l]->nr)
			break;
	if (l < 0)
		return false;
	vcm_iova_step(p, l, p->slot[l] + 1);
	for (l++; l < h; l++)
		vcm_iova_step(p, l, 0);
	p->slot[h] = 0;
	return true;
}

/*
 * Move @p to the first range after the one it ends at whose gap is not
 * empty: the gaps kept for each child let this skip every run of adjacent
 * ranges, so it takes O(log n) however many ranges it passes.
 */
static bool vcm_iova_next_gap(struct vcm_iova_space *space,
			      struct vcm_iova_path *p)
{
	unsigned int h = space->height, s;
	struct vcm_iova_node *node = p->node[h];
	int l;

	for (s = p->slot[h] + 1; s < node->nr; s++)
		if (node->hi[s - 1] + 1 < node->lo[s])
			goto leaf;

	for (l = (int)h - 1; l >= 0; l--) {
		node = p->node[l];
		for (s = p->slot[l] + 1; s < node->nr; s++)
			if (node->gap[s])
				goto found;
	}
	return false;

found:
	for (;;) {
		node = vcm_iova_step(p, l, s);
		if (++l == h)
			break;
		for (s = 0; s < node->nr; s++)
			if (node->gap[s])
				break;
		if (WARN_ON_ONCE(s == node->nr))
			return false;
	}
	for (s = 0; s < node->nr; s++)
		if (vcm_iova_gap_lo(node, s, p->lb[h]) < node->lo[s])
			goto leaf;
	WARN_ON_ONCE(1);
	return false;
leaf:
	p->slot[h] = s;
	return true;
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
	struct vcm_iova_node *leaf;
	struct vcm_iova_path p;
	unsigned long flags, gap_lo;
	bool found = true;
	unsigned int h;

	pfn = max(pfn, space->start_pfn);
	last = min(last, space->end_pfn);
	if (pfn > last)
		return false;

	spin_lock_irqsave(&space->lock, flags);
	h = space->height;
	vcm_iova_walk_down(space, pfn, &p);
	if (pfn >= p.node[h]->lo[p.slot[h]])
		found = vcm_iova_next_gap(space, &p);
	if (found) {
		leaf = p.node[h];
		gap_lo = vcm_iova_gap_lo(leaf, p.slot[h], p.lb[h]);
		found = gap_lo <= last;
		if (found) {
			*lo = max(pfn, gap_lo);
			*hi = min(leaf->lo[p.slot[h]] - 1, last);
		}
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
	struct vcm_iova_node *leaf;
	struct vcm_iova_path p;
	unsigned long flags;
	unsigned int i;
	int ret = 0;

	spin_lock_irqsave(&space->lock, flags);
	vcm_iova_walk_down(space, space->start_pfn, &p);
	do {
		leaf = p.node[space->height];
		for (i = 0; i < leaf->nr && !ret; i++)
			if (leaf->lo[i] <= leaf->hi[i])
				ret = fn(leaf->lo[i],
					 leaf->hi[i] - leaf->lo[i] + 1, data);
	} while (!ret && vcm_iova_next_leaf(space, &p));
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
 * vcm_iova_space_bytes() - memory the tree of a space takes
 * @space: the space
 *
 * Counts the nodes of the tree and those the space keeps for splits, at
 * the size the node cache gives each; not the per-CPU cache.
 *
 * Context: Any context. The value may be stale by the time it is used.
 * Return: the number of bytes.
 */
unsigned long vcm_iova_space_bytes(struct vcm_iova_space *space)
{
	return (READ_ONCE(space->nr_nodes) + READ_ONCE(space->nr_spare)) *
	       ALIGN(sizeof(struct vcm_iova_node), SMP_CACHE_BYTES);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_space_bytes);

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
struct vcm_iova_check_state {
	unsigned long next_gap_lo;
	unsigned long count;
	unsigned long nodes;
};

/*
 * Check the subtree of @node, which covers from @lb, at depth @depth, and
 * return its key and values; the depth is the height.
 */
static int vcm_iova_check_node(struct vcm_iova_space *space,
			       struct vcm_iova_node *node, unsigned int depth,
			       unsigned long lb,
			       struct vcm_iova_check_state *st,
			       unsigned long *key, unsigned long *gap,
			       unsigned long *cap)
{
	unsigned long k, g, c, clb = lb;
	unsigned int i;
	int ret;
	bool leaf = depth == space->height;

	st->nodes++;
	if (!node->nr || node->nr > vcm_iova_slots(node) ||
	    (depth && node->nr < vcm_iova_min(node)) || node->leaf != leaf ||
	    (!leaf && !depth && node->nr < 2))
		return -EINVAL;
	if (lb != st->next_gap_lo)
		return -EINVAL;
	for (i = node->nr; i < vcm_iova_slots(node); i++)
		if ((leaf ? node->hi[i] : node->key[i]) != ULONG_MAX)
			return -EINVAL;

	if (node->leaf) {
		for (i = 0; i < node->nr; i++) {
			if (node->lo[i] < st->next_gap_lo)
				return -EINVAL;
			if (node->hi[i] < node->lo[i] &&
			    node->lo[i] != space->end_pfn + 1)
				return -EINVAL;
			st->next_gap_lo = node->hi[i] + 1;
			st->count++;
		}
		vcm_iova_leaf_sum(node, lb, gap, cap);
		*key = node->hi[node->nr - 1];
		return 0;
	}

	*gap = 0;
	*cap = 0;
	for (i = 0; i < node->nr; i++) {
		ret = vcm_iova_check_node(space, node->child[i], depth + 1, clb,
					  st, &k, &g, &c);
		if (ret)
			return ret;
		if (k != node->key[i] || g != node->gap[i] ||
		    c != node->cap[i])
			return -EINVAL;
		clb = k + 1;
		*gap = max(*gap, g);
		*cap = max(*cap, c);
	}
	*key = node->key[node->nr - 1];
	return 0;
}

/* Check order, gaps, the values kept and the shape of the whole tree. */
VISIBLE_IF_KUNIT int vcm_iova_check(struct vcm_iova_space *space)
{
	struct vcm_iova_check_state st = { .next_gap_lo = space->start_pfn };
	struct vcm_iova_node *node;
	unsigned long flags, key, gap, cap, spare = 0;
	int ret;

	spin_lock_irqsave(&space->lock, flags);
	ret = vcm_iova_check_node(space, space->root, 0, space->start_pfn,
				  &st, &key, &gap, &cap);
	for (node = space->spare; node; node = node->next)
		spare++;
	if (!ret && (key != space->end_pfn ||
		     st.next_gap_lo != space->end_pfn + 1 ||
		     st.count != space->nr_ranges + 1 ||
		     st.nodes != space->nr_nodes ||
		     spare != space->nr_spare))
		ret = -EINVAL;
	spin_unlock_irqrestore(&space->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_iova_check);
#endif
