// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the VCM IOVA allocator against drivers/iommu/iova.c and
 * against an allocator on the kernel's maple tree (maple_peer.c).
 *
 * Nothing runs at boot. Writing to /sys/kernel/debug/vcm_iova_bench/run
 * runs the workloads ("all" or "1" for all of them, or a list such as
 * "W1 W3"); the write returns when they are done. Every figure is printed
 * with pr_info() and kept in /sys/kernel/debug/vcm_iova_bench/results, one
 * line each:
 *
 *   bench: alloc <workload> <param> ours=<v> theirs=<v> unit=<u> ratio=<r>
 *
 * where ours is this allocator, theirs is upstream's struct iova_domain
 * and ratio is ours / theirs, lower being better. Each figure has a second
 * line ending in " peer=maple" where theirs is the maple-tree allocator
 * (iova.c's policy and per-CPU cache over a maple tree, as upstream's
 * conversion of iova.c has it). For timings, each workload runs "reps"
 * times (at least three by default) with the three allocators taking
 * turns, and which one goes first rotating too; ours
 * and theirs are the medians of the per-run costs, ratio the median of the
 * per-run ratios, printed with their minimum and maximum. A time is in
 * nanoseconds per call (one alloc or one free), measured with
 * ktime_get_ns() around the loop.
 *
 * All allocators use a 4 KiB granule and start at pfn 1. Ours spans 48
 * bits; the others have no upper end. Limits are passed to all the way
 * dma-iommu passes a DMA mask: dma_limit >> shift.
 *
 *  W1 <size>   fast path: 1000 ranges of 1 to 16 pages live, then
 *              w1_pairs alloc/free pairs of one size below 4 GiB.
 *  W2 4K-4M    fast path: 1000 ranges live and a window of 64 in flight;
 *              each step frees the oldest and allocates a new one of a
 *              random size from 4 KiB to 4 MiB (log-spread, not only
 *              powers of two), w2_pairs steps.
 *  W3 <n>      tree (vcm_iova_alloc/free against alloc_iova/free_iova,
 *              size-aligned): n ranges of 1 to 16 pages below 1 TiB, then
 *              every other one freed and reallocated at a random size, as
 *              tools/testing/vcm/bench.c does, then w3_churn calls of
 *              churn: free a random live range, allocate a new one. Both
 *              allocators are built once, each within w3_build_ms; a build
 *              cut short keeps the ranges it made live, and that is said.
 *              Each churn run stops after w3_churn_ms.
 *              "W3-find <n>" is the floor under that cost: the same loop
 *              with only a lookup of the random live range in the same
 *              tree (vcm_iova_find() against find_iova()), no change.
 *              Any free in a tree sorted by address starts with that
 *              lookup, so where the lookup's cost grows with n because
 *              the tree no longer fits in the caches, the churn's must
 *              too. A note gives both growths from the smallest n run
 *              to the largest. "W3-worst <n>" is the longest single
 *              call of 2000 more churn steps timed one by one: an upper
 *              bound on the time one call keeps interrupts off.
 *  W4          fast path below 4 GiB: filled completely top-down with
 *              ranges of 4 KiB to 256 KiB (largest first, so that no
 *              alignment holes are left), then random ranges freed until
 *              1% is free, scattered. Then w4_pairs steps of freeing a
 *              random live range and allocating one of the same size; every
 *              w4_fail_every-th step also asks for 4 MiB, which must fail
 *              as no free gap is that large. "alloc-free" is the cost of
 *              the other calls, "fail-4M" that of a failing request,
 *              cache drain included, and "W4-worst fail-4M" the longest
 *              such request, in ns. Each run stops after w4_ms.
 *  W5 <n>cpu   n kthreads bound to n CPUs run W2's loop on their own
 *              window of 16 at once, w5_pairs steps each. With "-xfree",
 *              n - 1 of them allocate and hand every range to the first
 *              one, which frees them all. The time is the wall time from
 *              the first start to the last end, times n, per call. Runs
 *              stop after w5_ms.
 *  W6          the 32-bit space full, through the tree as W3 (no cache):
 *              W4's fill, then single pages until none is left. Then W4's
 *              steps with the tree's calls: "free-alloc" frees a random
 *              live range and allocates the same size, which must find
 *              the one hole; every w4_fail_every-th step "fail-4K" asks for
 *              one page, which must fail. W4's parameters apply.
 *
 * Memory, as "<workload>-mem" (KiB of allocator metadata) and
 * "<workload>-cached" (KiB of IOVA held free in per-CPU caches), is the
 * peak over samples taken after each timed run, outside the timing.
 * "<workload>-cached-le128K" is the same for the sizes both caches hold
 * (iova.c's are up to 128 KiB; ours go up to 4 MiB). The
 * IOVA held in caches is exact: both caches keep their ranges in the tree,
 * so it is the tree's total minus what the workload holds live. Metadata
 * is estimated from counts: tree nodes times the slab object size (iova.c
 * creates its cache with SLAB_HWCACHE_ALIGN), plus magazines: iova.c has
 * two of 1 KiB per CPU and cached order from the start, and one more per
 * 127 cached ranges beyond what those hold; ours allocates magazines on
 * demand and they are counted as they are, empty ones included, each
 * rounded to its kmalloc bucket.
 * Per-CPU bookkeeping structures are not counted on either side. The
 * maple tree's metadata is its nodes, counted by walking the tree (a range
 * has no object of its own), and the magazines as iova.c's. "W3-bytes"
 * is W3's metadata per live range, in bytes.
 */

#define pr_fmt(fmt) "vcm_iova_bench: " fmt

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/iova.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/maple_tree.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "iova_internal.h"
#include "maple_peer.h"
#include "vcm_iova.h"

/* The allocator's calls are exported for tests only. */
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static unsigned int reps = 3;
module_param(reps, uint, 0644);
MODULE_PARM_DESC(reps, "Runs of each allocator per workload (1 to 15)");

static unsigned int w1_pairs = 20000;
module_param(w1_pairs, uint, 0644);
MODULE_PARM_DESC(w1_pairs, "W1: alloc/free pairs per run");

static unsigned int w2_pairs = 20000;
module_param(w2_pairs, uint, 0644);
MODULE_PARM_DESC(w2_pairs, "W2: free/alloc steps per run");

static unsigned int w3_max_live = 1000000;
module_param(w3_max_live, uint, 0644);
MODULE_PARM_DESC(w3_max_live, "W3: largest live count to run (1K to 1M)");

static unsigned int w3_build_ms = 90000;
module_param(w3_build_ms, uint, 0644);
MODULE_PARM_DESC(w3_build_ms, "W3: time bound of one allocator's build, ms");

static unsigned int w3_churn = 20000;
module_param(w3_churn, uint, 0644);
MODULE_PARM_DESC(w3_churn, "W3: churn calls per run");

static unsigned int w3_churn_ms = 4000;
module_param(w3_churn_ms, uint, 0644);
MODULE_PARM_DESC(w3_churn_ms, "W3: time bound of one churn run, ms");

static unsigned int w4_pairs = 8000;
module_param(w4_pairs, uint, 0644);
MODULE_PARM_DESC(w4_pairs, "W4: free/alloc steps per run");

static unsigned int w4_fail_every = 16;
module_param(w4_fail_every, uint, 0644);
MODULE_PARM_DESC(w4_fail_every, "W4: steps per failing 4 MiB request (0: none)");

static unsigned int w4_ms = 4000;
module_param(w4_ms, uint, 0644);
MODULE_PARM_DESC(w4_ms, "W4: time bound of one run, ms");

static unsigned int w5_pairs = 20000;
module_param(w5_pairs, uint, 0644);
MODULE_PARM_DESC(w5_pairs, "W5: alloc/free steps per thread and run");

static unsigned int w5_ms = 2000;
module_param(w5_ms, uint, 0644);
MODULE_PARM_DESC(w5_ms, "W5: time bound of one run, ms");

#define BENCH_GRANULE		SZ_4K
#define BENCH_SHIFT		12
#define BENCH_END_PFN		((1UL << (48 - BENCH_SHIFT)) - 1)
#define BENCH_LIMIT32		((unsigned long)(DMA_BIT_MASK(32) >> BENCH_SHIFT))
/* The limit of tools/testing/vcm/bench.c's W3: 1 TiB. */
#define BENCH_LIMIT_W3		((1UL << 28) - 1)
#define BENCH_GFP		(GFP_ATOMIC | __GFP_NOWARN)
#define BENCH_SEED		0x9e3779b97f4a7c15ULL
#define BENCH_MAX_REPS		15
/* Cached orders counted: 4 KiB to 4 MiB. */
#define BENCH_ORDERS		11
#define BENCH_BG		1000
#define BENCH_W2_WINDOW		64
#define BENCH_W5_WINDOW		16
#define BENCH_W5_MAX_CPUS	4
#define BENCH_RING		256
#define BENCH_W4_FILL_ORDERS	7
#define BENCH_W4_FAIL_PAGES	(SZ_4M >> BENCH_SHIFT)
#define BENCH_W3_WORST		2000
#define BENCH_SETUP_MS		120000
#define BENCH_RESULTS_SIZE	SZ_32K

/* iova.c's rcache, for the memory estimate (drivers/iommu/iova.c). */
#define THEIRS_CACHE_ORDERS	6
#define THEIRS_MAG_SIZE		127
#define THEIRS_MAG_BYTES	1024

#define BENCH_ALL		GENMASK(5, 0)

/* The allocators, in the order of the arrays indexed by them. */
enum bench_kind { BENCH_OURS, BENCH_IOVA, BENCH_MAPLE, BENCH_NR };

static const char * const bench_name[BENCH_NR] = {
	"ours", "iova.c", "maple",
};

/* One allocator under test. */
struct bench_ctx {
	bool ours;
	bool maple;
	bool cached;
	u64 rng;
	struct vcm_iova_space space;
	struct vcm_iova_cache *cache;
	struct iova_domain iovad;
	struct bench_maple *mt;
};

/* Ranges a workload holds live; from @fast_from on, from the fast path. */
struct bench_tab {
	unsigned long *pfn;
	u16 *size;
	unsigned long n;
	unsigned long cap;
	unsigned long fast_from;
};

/*
 * Peak metadata bytes and cached free pages seen by bench_sample(); the
 * pages the tree holds for the fast path's live ranges, and the pages
 * they asked for, at the last sample.
 */
struct bench_mem {
	u64 bytes;
	u64 cached;
	u64 cached_small;
	u64 held;
	u64 asked;
};

/* Counts of a tree walk or of a live table. */
struct bench_count {
	unsigned long nodes;
	unsigned long pages;
	unsigned long order[BENCH_ORDERS];
};

/* Per-run costs in 0.1 ns per call, for the median. */
struct bench_fig {
	u64 ours[BENCH_MAX_REPS];
	u64 theirs[BENCH_MAX_REPS];
	u64 maple[BENCH_MAX_REPS];
	unsigned int n;
};

struct bench_ring {
	unsigned int head;
	unsigned int tail;
	unsigned long pfn[BENCH_RING];
	u16 size[BENCH_RING];
};

struct bench_w5;

struct bench_thread {
	struct bench_w5 *w;
	struct task_struct *task;
	unsigned int idx;
	u64 rng;
	u64 t_start;
	u64 t_end;
	unsigned long calls;
	int err;
	struct bench_ring ring;
};

struct bench_w5 {
	struct bench_ctx *c;
	unsigned int nr;
	bool xfree;
	u64 deadline;
	atomic_t ready;
	atomic_t running;
	atomic_t producers;
	struct completion done;
	struct bench_thread th[BENCH_W5_MAX_CPUS];
};

/* Everything one run of the benchmark needs; bench_mutex protects it. */
struct bench_state {
	struct bench_ctx ctx[BENCH_NR];
	struct bench_tab tab[BENCH_NR];
};

static DEFINE_MUTEX(bench_mutex);
static char *bench_res;
static size_t bench_res_len;
/* Where the line being written to the results starts. */
static size_t bench_line;

static u64 bench_rnd(u64 *rng)
{
	u64 x = *rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*rng = x;
	return x;
}

/* A random number in [0, n). */
static u32 bench_below(u64 *rng, u32 n)
{
	return (u32)(((bench_rnd(rng) >> 32) * n) >> 32);
}

/* 4 KiB to 4 MiB, spread over the orders, not only powers of two. */
static unsigned long bench_mixed_size(u64 *rng)
{
	unsigned int order = bench_below(rng, BENCH_ORDERS);

	return 1 + bench_below(rng, 1U << order);
}

/*
 * Append to the results; a line goes to the kernel log too once a call
 * ends it with a newline, so that a line can be written in pieces.
 */
static __printf(1, 2) void bench_out(const char *fmt, ...)
{
	size_t len = bench_res_len;
	va_list args;

	va_start(args, fmt);
	len += vscnprintf(bench_res + len, BENCH_RESULTS_SIZE - len, fmt,
			  args);
	va_end(args);
	bench_res_len = len;
	if (len && bench_res[len - 1] == '\n') {
		pr_info("%s", bench_res + bench_line);
		bench_line = len;
	}
}

/*
 * Called at the top of every loop iteration: every 256 iterations let
 * others run and tell whether @deadline has passed.
 */
static bool bench_late(unsigned long i, u64 deadline)
{
	if (i & 255)
		return false;
	cond_resched();
	return ktime_get_ns() > deadline;
}

static u64 bench_deadline(unsigned int ms)
{
	return ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;
}

static int bench_setup(struct bench_ctx *c, enum bench_kind kind,
		       bool cached)
{
	int ret;

	c->ours = kind == BENCH_OURS;
	c->maple = kind == BENCH_MAPLE;
	c->cached = cached;
	c->rng = BENCH_SEED;
	if (c->maple) {
		c->mt = bench_maple_create(1, cached);
		return PTR_ERR_OR_ZERO(c->mt);
	}
	if (!c->ours) {
		init_iova_domain(&c->iovad, BENCH_GRANULE, 1);
		if (cached) {
			ret = iova_domain_init_rcaches(&c->iovad);
			if (ret) {
				put_iova_domain(&c->iovad);
				return ret;
			}
		}
		return 0;
	}

	ret = vcm_iova_space_init(&c->space, BENCH_GRANULE, 1, BENCH_END_PFN);
	if (ret || !cached)
		return ret;
	c->cache = vcm_iova_cache_create(&c->space);
	if (IS_ERR(c->cache)) {
		vcm_iova_space_destroy(&c->space);
		return PTR_ERR(c->cache);
	}
	return 0;
}

static void bench_teardown(struct bench_ctx *c)
{
	if (c->maple) {
		if (bench_maple_store_failures(c->mt))
			bench_out("# note: maple: %lu erases failed for memory\n",
				  bench_maple_store_failures(c->mt));
		bench_maple_destroy(c->mt);
		return;
	}
	if (!c->ours) {
		put_iova_domain(&c->iovad);
		return;
	}
	if (c->cached)
		vcm_iova_cache_destroy(c->cache);
	vcm_iova_space_destroy(&c->space);
}

/* The calls under test: direct calls, no function pointers. */
static __always_inline bool bench_alloc_fast(struct bench_ctx *c,
					     unsigned long size,
					     unsigned long limit,
					     unsigned long *pfn)
{
	if (c->ours)
		return !vcm_iova_alloc_fast(c->cache, size, limit, BENCH_GFP,
					    pfn);
	if (c->maple)
		return bench_maple_alloc_fast(c->mt, size, limit, pfn);
	*pfn = alloc_iova_fast(&c->iovad, size, limit, true);
	return *pfn;
}

static __always_inline void bench_free_fast(struct bench_ctx *c,
					    unsigned long pfn,
					    unsigned long size)
{
	if (c->ours)
		vcm_iova_free_fast(c->cache, pfn, size);
	else if (c->maple)
		bench_maple_free_fast(c->mt, pfn, size);
	else
		free_iova_fast(&c->iovad, pfn, size);
}

static __always_inline bool bench_alloc_tree(struct bench_ctx *c,
					     unsigned long size,
					     unsigned long limit,
					     unsigned long *pfn)
{
	struct iova *iova;

	if (c->ours)
		return !vcm_iova_alloc(&c->space, size,
				       roundup_pow_of_two(size), limit,
				       BENCH_GFP, pfn);
	if (c->maple)
		return bench_maple_alloc(c->mt, size, limit, pfn);
	iova = alloc_iova(&c->iovad, size, limit, true);
	if (!iova)
		return false;
	*pfn = iova->pfn_lo;
	return true;
}

static __always_inline void bench_free_tree(struct bench_ctx *c,
					    unsigned long pfn,
					    unsigned long size)
{
	if (c->ours)
		WARN_ON_ONCE(vcm_iova_free(&c->space, pfn, size));
	else if (c->maple)
		bench_maple_free(c->mt, pfn);
	else
		free_iova(&c->iovad, pfn);
}

static int bench_tab_alloc(struct bench_tab *t, unsigned long cap)
{
	t->pfn = kvcalloc(cap, sizeof(*t->pfn), GFP_KERNEL);
	t->size = kvcalloc(cap, sizeof(*t->size), GFP_KERNEL);
	t->n = 0;
	t->cap = cap;
	t->fast_from = 0;
	if (t->pfn && t->size)
		return 0;
	kvfree(t->pfn);
	kvfree(t->size);
	t->pfn = NULL;
	t->size = NULL;
	return -ENOMEM;
}

static void bench_tab_free(struct bench_tab *t)
{
	kvfree(t->pfn);
	kvfree(t->size);
	t->pfn = NULL;
	t->size = NULL;
}

/* Drop entry @j of @t by moving the last one into its place. */
static void bench_tab_drop(struct bench_tab *t, unsigned long j)
{
	t->n--;
	t->pfn[j] = t->pfn[t->n];
	t->size[j] = t->size[t->n];
}

/* Number of pages of the tree node behind a live entry. */
static unsigned long bench_span(const struct bench_ctx *c,
				unsigned long size, bool fast)
{
	if (!fast)
		return size;
	if (c->ours ? size <= 1UL << vcm_iova_cache_max_order(c->cache) :
		      size < 1UL << (THEIRS_CACHE_ORDERS - 1))
		return roundup_pow_of_two(size);
	return size;
}

/* Pages of the tree's range starting at @pfn; 0 if none starts there. */
static unsigned long bench_held(struct bench_ctx *c, unsigned long pfn)
{
	unsigned long start, size;
	struct iova *iova;

	if (c->ours)
		return vcm_iova_find(&c->space, pfn, &start, &size) ||
		       start != pfn ? 0 : size;
	if (c->maple) {
		size = bench_maple_find(c->mt, pfn, &start);
		return size && start == pfn ? size : 0;
	}
	iova = find_iova(&c->iovad, pfn);
	return iova && iova->pfn_lo == pfn ? iova_size(iova) : 0;
}

static void bench_count_one(struct bench_count *cnt, unsigned long size)
{
	cnt->nodes++;
	cnt->pages += size;
	if (is_power_of_2(size) && ilog2(size) < BENCH_ORDERS)
		cnt->order[ilog2(size)]++;
}

static int bench_count_cb(unsigned long pfn, unsigned long size, void *data)
{
	bench_count_one(data, size);
	return 0;
}

static void bench_count_tree(struct bench_ctx *c, struct bench_count *cnt)
{
	unsigned long flags;
	struct rb_node *rb;

	if (c->ours) {
		vcm_iova_walk_ranges(&c->space, bench_count_cb, cnt);
		return;
	}
	if (c->maple) {
		bench_maple_walk(c->mt, bench_count_cb, cnt);
		return;
	}
	spin_lock_irqsave(&c->iovad.iova_rbtree_lock, flags);
	for (rb = rb_first(&c->iovad.rbroot); rb; rb = rb_next(rb)) {
		if (rb != &c->iovad.anchor.node)
			bench_count_one(cnt, iova_size(rb_entry(rb, struct iova,
								node)));
	}
	spin_unlock_irqrestore(&c->iovad.iova_rbtree_lock, flags);
}

/* Object size of a SLAB_HWCACHE_ALIGN kmem_cache, as the slab computes it. */
static unsigned long bench_hwcache_size(unsigned long size)
{
	unsigned long align = cache_line_size();

	while (size <= align / 2)
		align /= 2;
	return ALIGN(size, align);
}

/* Estimated bytes of magazines holding @cached[order] ranges. */
static u64 bench_mag_bytes(struct bench_ctx *c, const unsigned long *cached)
{
	unsigned int order, cpus = num_possible_cpus();
	unsigned long per_cpu, extra;
	u64 bytes = 0;

	if (!c->cached)
		return 0;
	if (!c->ours) {
		per_cpu = 2UL * THEIRS_MAG_SIZE * cpus;
		bytes = 2ULL * THEIRS_CACHE_ORDERS * cpus * THEIRS_MAG_BYTES;
		for (order = 0; order < THEIRS_CACHE_ORDERS; order++) {
			if (cached[order] <= per_cpu)
				continue;
			extra = DIV_ROUND_UP(cached[order] - per_cpu,
					     THEIRS_MAG_SIZE);
			bytes += (u64)extra * THEIRS_MAG_BYTES;
		}
		return bytes;
	}

	/* Ours: the magazines it has now, empty ones included. */
	for (order = 0; order <= vcm_iova_cache_max_order(c->cache); order++) {
		size_t mag;
		unsigned long nr;

		nr = vcm_iova_cache_nr_mags(c->cache, order, &mag);
		bytes += (u64)nr * kmalloc_size_roundup(mag);
	}
	return bytes;
}

/* Update @peak with the memory @c uses now, @t being what is live. */
static void bench_sample(struct bench_ctx *c, const struct bench_tab *t,
			 struct bench_mem *peak)
{
	struct bench_count tree = {}, live = {};
	unsigned long cached[BENCH_ORDERS];
	unsigned long i, node, held, lost = 0;
	u64 bytes, pages;

	bench_count_tree(c, &tree);
	peak->held = 0;
	peak->asked = 0;
	for (i = 0; t && i < t->n; i++) {
		bench_count_one(&live, bench_span(c, t->size[i],
						  i >= t->fast_from));
		/* Every live range must be in the tree as it was allocated. */
		held = bench_held(c, t->pfn[i]);
		if (held < t->size[i])
			lost++;
		if (i < t->fast_from)
			continue;
		peak->held += held;
		peak->asked += t->size[i];
	}
	if (lost)
		bench_out("# note: %s: %lu live ranges lost from the tree\n",
			  c->ours ? "ours" : c->maple ? "maple" : "iova.c",
			  lost);
	for (i = 0; i < BENCH_ORDERS; i++)
		cached[i] = tree.order[i] > live.order[i] ?
			    tree.order[i] - live.order[i] : 0;

	if (c->maple) {
		/* Its nodes, not its ranges: a range is no object of its own. */
		node = sizeof(struct maple_node);
		bytes = (u64)bench_maple_nodes(c->mt) * node;
	} else if (c->ours) {
		/* Its nodes, of many ranges each, and the spare ones. */
		bytes = vcm_iova_space_bytes(&c->space);
	} else {
		node = bench_hwcache_size(sizeof(struct iova));
		bytes = (u64)tree.nodes * node;
	}
	bytes += bench_mag_bytes(c, cached);
	pages = tree.pages > live.pages ? tree.pages - live.pages : 0;
	peak->bytes = max(peak->bytes, bytes);
	peak->cached = max(peak->cached, pages);
	/* Of the sizes both cache: those of iova.c, up to 128 KiB. */
	for (pages = 0, i = 0; i < THEIRS_CACHE_ORDERS; i++)
		pages += (u64)cached[i] << i;
	peak->cached_small = max(peak->cached_small, pages);
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 bench_ratio(u64 ours, u64 theirs)
{
	return theirs ? div64_u64(ours * 1000, theirs) : U64_MAX;
}

/* Cost of @calls calls in @ns, in 0.1 ns. */
static u64 bench_cost(u64 ns, unsigned long calls)
{
	return calls ? div64_u64(ns * 10, calls) : 0;
}

static void bench_fig_add(struct bench_fig *f, enum bench_kind kind,
			  u64 cost)
{
	if (kind == BENCH_OURS)
		f->ours[f->n] = cost;
	else if (kind == BENCH_IOVA)
		f->theirs[f->n] = cost;
	else
		f->maple[f->n] = cost;
}

/* One line: the median of @ours and @theirs, those of the ratios. */
static void bench_fig_line(const char *w, const char *param, u64 *ours,
			   u64 *theirs, unsigned int n, const char *peer)
{
	u64 ratio[BENCH_MAX_REPS];
	unsigned int i, mid = (n - 1) / 2;

	for (i = 0; i < n; i++)
		ratio[i] = bench_ratio(ours[i], theirs[i]);
	sort(ratio, n, sizeof(u64), bench_cmp_u64, NULL);
	sort(ours, n, sizeof(u64), bench_cmp_u64, NULL);
	sort(theirs, n, sizeof(u64), bench_cmp_u64, NULL);
	bench_out("bench: alloc %s %s ours=%llu.%llu theirs=%llu.%llu ",
		  w, param, ours[mid] / 10, ours[mid] % 10,
		  theirs[mid] / 10, theirs[mid] % 10);
	bench_out("unit=ns/op ratio=%llu.%03llu ", ratio[mid] / 1000,
		  ratio[mid] % 1000);
	bench_out("ratio_min=%llu.%03llu ratio_max=%llu.%03llu%s\n",
		  ratio[0] / 1000, ratio[0] % 1000,
		  ratio[n - 1] / 1000, ratio[n - 1] % 1000, peer);
}

/* Ours against iova.c, then against the maple tree; sorts the costs. */
static void bench_fig_report(const char *w, const char *param,
			     struct bench_fig *f)
{
	u64 ours[BENCH_MAX_REPS];

	if (!f->n)
		return;
	memcpy(ours, f->ours, sizeof(ours));
	bench_fig_line(w, param, f->ours, f->theirs, f->n, "");
	bench_fig_line(w, param, ours, f->maple, f->n, " peer=maple");
}

static void bench_unit_report(const char *w, const char *suffix,
			      const char *param, u64 ours, u64 theirs,
			      const char *unit, bool maple)
{
	char ratio[24];

	if (theirs)
		snprintf(ratio, sizeof(ratio), "%llu.%03llu",
			 bench_ratio(ours, theirs) / 1000,
			 bench_ratio(ours, theirs) % 1000);
	else
		strscpy(ratio, ours ? "inf" : "1.000", sizeof(ratio));
	bench_out("bench: alloc %s-%s %s ours=%llu theirs=%llu unit=%s ratio=%s%s\n",
		  w, suffix, param, ours, theirs, unit, ratio,
		  maple ? " peer=maple" : "");
}

/*
 * Report peak metadata, and cached free IOVA where there are caches:
 * ours against iova.c, then against the maple tree.
 */
static void bench_mem_report(const char *w, const char *param,
			     const struct bench_mem *mem, bool cached)
{
	const struct bench_mem *o = &mem[BENCH_OURS], *t;
	unsigned int k;

	for (k = BENCH_IOVA; k < BENCH_NR; k++) {
		t = &mem[k];
		bench_unit_report(w, "mem", param,
				  DIV_ROUND_UP_ULL(o->bytes, SZ_1K),
				  DIV_ROUND_UP_ULL(t->bytes, SZ_1K), "KiB",
				  k == BENCH_MAPLE);
		if (!cached)
			continue;
		bench_unit_report(w, "cached", param,
				  o->cached * (BENCH_GRANULE / SZ_1K),
				  t->cached * (BENCH_GRANULE / SZ_1K), "KiB",
				  k == BENCH_MAPLE);
		bench_unit_report(w, "cached-le128K", param,
				  o->cached_small * (BENCH_GRANULE / SZ_1K),
				  t->cached_small * (BENCH_GRANULE / SZ_1K),
				  "KiB", k == BENCH_MAPLE);
	}
}

/*
 * IOVA the fast path's live ranges hold over the IOVA they asked for:
 * ours against iova.c, then against the maple tree.
 */
static void bench_waste_report(const char *param, const struct bench_mem *mem)
{
	u64 ours = bench_ratio(mem[BENCH_OURS].held, mem[BENCH_OURS].asked);
	u64 theirs, ratio;
	unsigned int k;

	for (k = BENCH_IOVA; k < BENCH_NR; k++) {
		theirs = bench_ratio(mem[k].held, mem[k].asked);
		ratio = bench_ratio(ours, theirs);
		bench_out("bench: alloc W2-waste %s ours=%llu.%03llu theirs=%llu.%03llu ",
			  param, ours / 1000, ours % 1000, theirs / 1000,
			  theirs % 1000);
		bench_out("unit=held/asked ratio=%llu.%03llu%s\n",
			  ratio / 1000, ratio % 1000,
			  k == BENCH_MAPLE ? " peer=maple" : "");
	}
}

/*
 * Allocate a range of 1 to 16 pages below @limit from the tree into slot @i
 * of @t; false, with the slot untouched, if there is none.
 */
static bool bench_fill(struct bench_ctx *c, struct bench_tab *t,
		       unsigned long i, unsigned long limit)
{
	unsigned long pfn, size = 1 + bench_below(&c->rng, 16);

	if (!bench_alloc_tree(c, size, limit, &pfn))
		return false;
	t->pfn[i] = pfn;
	t->size[i] = size;
	return true;
}

/* Allocate BENCH_BG ranges of 1 to 16 pages below 4 GiB into @t. */
static int bench_background(struct bench_ctx *c, struct bench_tab *t)
{
	unsigned long i;

	t->n = 0;
	for (i = 0; i < BENCH_BG; i++) {
		if (!bench_fill(c, t, t->n, BENCH_LIMIT32))
			return -ENOSPC;
		t->n++;
	}
	t->fast_from = t->n;
	return 0;
}

/* One W1 run of @c: returns the cost in 0.1 ns per call in @cost. */
static int bench_w1_run(struct bench_state *s, enum bench_kind kind, unsigned long size,
			u64 *cost, struct bench_mem *mem)
{
	struct bench_ctx *c = &s->ctx[kind];
	struct bench_tab *t = &s->tab[0];
	unsigned long i, pfn;
	u64 t0, ns;
	int ret;

	ret = bench_setup(c, kind, true);
	if (ret)
		return ret;
	ret = bench_background(c, t);
	if (ret)
		goto out;
	/* Warm the cache of this size. */
	if (!bench_alloc_fast(c, size, BENCH_LIMIT32, &pfn)) {
		ret = -ENOSPC;
		goto out;
	}
	bench_free_fast(c, pfn, size);

	t0 = ktime_get_ns();
	for (i = 0; i < w1_pairs; i++) {
		if (bench_late(i, U64_MAX))
			break;
		if (!bench_alloc_fast(c, size, BENCH_LIMIT32, &pfn)) {
			ret = -ENOSPC;
			break;
		}
		bench_free_fast(c, pfn, size);
	}
	ns = ktime_get_ns() - t0;
	*cost = bench_cost(ns, 2 * i);
	bench_sample(c, t, mem);
out:
	bench_teardown(c);
	return ret;
}

static int bench_w1(struct bench_state *s)
{
	static const struct {
		unsigned long pages;
		const char *name;
	} sizes[] = {
		{ SZ_4K >> BENCH_SHIFT, "4K" },
		{ SZ_64K >> BENCH_SHIFT, "64K" },
		{ SZ_1M >> BENCH_SHIFT, "1M" },
		{ SZ_4M >> BENCH_SHIFT, "4M" },
	};
	unsigned int i, k;
	int ret;

	ret = bench_tab_alloc(&s->tab[0], BENCH_BG);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct bench_mem mem[BENCH_NR] = {};
		struct bench_fig fig = {};

		for (fig.n = 0; fig.n < reps; fig.n++) {
			for (k = 0; k < BENCH_NR; k++) {
				enum bench_kind kind = (k + fig.n) % BENCH_NR;
				u64 cost = 0;

				ret = bench_w1_run(s, kind, sizes[i].pages,
						   &cost, &mem[kind]);
				if (ret)
					goto out;
				bench_fig_add(&fig, kind, cost);
			}
		}
		bench_fig_report("W1", sizes[i].name, &fig);
		bench_mem_report("W1", sizes[i].name, mem, true);
	}
out:
	bench_tab_free(&s->tab[0]);
	return ret;
}

static int bench_w2_run(struct bench_state *s, enum bench_kind kind, u64 *cost,
			struct bench_mem *mem)
{
	struct bench_ctx *c = &s->ctx[kind];
	struct bench_tab *t = &s->tab[0];
	unsigned long i, j, size, pfn;
	u64 t0, ns;
	int ret;

	ret = bench_setup(c, kind, true);
	if (ret)
		return ret;
	ret = bench_background(c, t);
	if (ret)
		goto out;
	for (i = 0; i < BENCH_W2_WINDOW; i++) {
		size = bench_mixed_size(&c->rng);
		if (!bench_alloc_fast(c, size, BENCH_LIMIT32, &pfn)) {
			ret = -ENOSPC;
			goto out;
		}
		t->pfn[t->n] = pfn;
		t->size[t->n++] = size;
	}

	t0 = ktime_get_ns();
	for (i = 0; i < w2_pairs; i++) {
		if (bench_late(i, U64_MAX))
			break;
		j = t->fast_from + i % BENCH_W2_WINDOW;
		bench_free_fast(c, t->pfn[j], t->size[j]);
		size = bench_mixed_size(&c->rng);
		if (!bench_alloc_fast(c, size, BENCH_LIMIT32, &t->pfn[j])) {
			bench_tab_drop(t, j);
			ret = -ENOSPC;
			break;
		}
		t->size[j] = size;
	}
	ns = ktime_get_ns() - t0;
	*cost = bench_cost(ns, 2 * i);
	bench_sample(c, t, mem);
out:
	bench_teardown(c);
	return ret;
}

/*
 * W2 with sizes above what either cache holds, 4 MiB + 4 KiB to 16 MiB:
 * no timing, only the IOVA the live ranges hold.
 */
static int bench_w2_big(struct bench_state *s, enum bench_kind kind,
			struct bench_mem *mem)
{
	struct bench_ctx *c = &s->ctx[kind];
	struct bench_tab *t = &s->tab[0];
	unsigned long i, size, pfn;
	int ret;

	ret = bench_setup(c, kind, true);
	if (ret)
		return ret;
	t->n = 0;
	t->fast_from = 0;
	for (i = 0; i < BENCH_W2_WINDOW; i++) {
		size = (SZ_4M >> BENCH_SHIFT) + 1 +
		       bench_below(&c->rng, 3 * (SZ_4M >> BENCH_SHIFT));
		if (!bench_alloc_fast(c, size, BENCH_LIMIT32, &pfn)) {
			ret = -ENOSPC;
			break;
		}
		t->pfn[t->n] = pfn;
		t->size[t->n++] = size;
	}
	bench_sample(c, t, mem);
	bench_teardown(c);
	return ret;
}

static int bench_w2(struct bench_state *s)
{
	struct bench_mem mem[BENCH_NR] = {};
	struct bench_fig fig = {};
	unsigned int k;
	int ret;

	ret = bench_tab_alloc(&s->tab[0], BENCH_BG + BENCH_W2_WINDOW);
	if (ret)
		return ret;
	for (fig.n = 0; fig.n < reps; fig.n++) {
		for (k = 0; k < BENCH_NR; k++) {
			enum bench_kind kind = (k + fig.n) % BENCH_NR;
			u64 cost = 0;

			ret = bench_w2_run(s, kind, &cost, &mem[kind]);
			if (ret)
				goto out;
			bench_fig_add(&fig, kind, cost);
		}
	}
	bench_fig_report("W2", "4K-4M", &fig);
	bench_mem_report("W2", "4K-4M", mem, true);
	bench_waste_report("4K-4M", mem);
	for (k = 0; k < BENCH_NR; k++) {
		ret = bench_w2_big(s, k, &mem[k]);
		if (ret)
			goto out;
	}
	bench_waste_report("4M+4K-16M", mem);
out:
	bench_tab_free(&s->tab[0]);
	return ret;
}

/*
 * Build W3's fragmented tree of @n ranges in @c within @deadline. Returns
 * 0 or -ETIME when cut short (@t then holds what is live), or -ENOSPC.
 */
static int bench_w3_build(struct bench_ctx *c, struct bench_tab *t,
			  unsigned long n, u64 deadline)
{
	unsigned long i, j, filled;
	int ret = 0;

	for (filled = 0; filled < n; filled++) {
		if (bench_late(filled, deadline)) {
			ret = -ETIME;
			goto out;
		}
		if (!bench_fill(c, t, filled, BENCH_LIMIT_W3)) {
			ret = -ENOSPC;
			goto out;
		}
	}
	for (i = 0; i < n; i += 2) {
		if (bench_late(i, deadline)) {
			ret = -ETIME;
			goto out;
		}
		bench_free_tree(c, t->pfn[i], t->size[i]);
		t->size[i] = 0;
	}
	for (i = 0; i < n; i += 2) {
		if (bench_late(i, deadline)) {
			ret = -ETIME;
			goto out;
		}
		if (!bench_fill(c, t, i, BENCH_LIMIT_W3)) {
			ret = -ENOSPC;
			goto out;
		}
	}
out:
	/* Keep the live entries only. */
	for (i = 0, j = 0; i < filled; i++) {
		if (!t->size[i])
			continue;
		t->pfn[j] = t->pfn[i];
		t->size[j++] = t->size[i];
	}
	t->n = j;
	t->fast_from = j;
	return ret;
}

static int bench_w3_churn(struct bench_ctx *c, struct bench_tab *t,
			  u64 *cost)
{
	u64 deadline = bench_deadline(w3_churn_ms), t0, ns;
	unsigned long i, j;
	int ret = 0;

	t0 = ktime_get_ns();
	for (i = 0; i < w3_churn / 2 && t->n; i++) {
		if (bench_late(i, deadline))
			break;
		j = bench_below(&c->rng, t->n);
		bench_free_tree(c, t->pfn[j], t->size[j]);
		if (!bench_fill(c, t, j, BENCH_LIMIT_W3)) {
			bench_tab_drop(t, j);
			ret = -ENOSPC;
			break;
		}
	}
	ns = ktime_get_ns() - t0;
	*cost = bench_cost(ns, 2 * i);
	return ret;
}

/*
 * W3's churn once more, each call timed on its own: the longest call, an
 * upper bound on how long one holds the tree's lock with interrupts off.
 */
static void bench_w3_worst(struct bench_ctx *c, struct bench_tab *t,
			   u64 *worst)
{
	u64 deadline = bench_deadline(w3_churn_ms), t0;
	unsigned long i, j;
	bool ok;

	for (i = 0; i < BENCH_W3_WORST && t->n; i++) {
		if (bench_late(i, deadline))
			break;
		j = bench_below(&c->rng, t->n);
		t0 = ktime_get_ns();
		bench_free_tree(c, t->pfn[j], t->size[j]);
		t0 = ktime_get_ns() - t0;
		*worst = max(*worst, t0);
		t0 = ktime_get_ns();
		ok = bench_fill(c, t, j, BENCH_LIMIT_W3);
		t0 = ktime_get_ns() - t0;
		*worst = max(*worst, t0);
		if (!ok)
			bench_tab_drop(t, j);
	}
}

/* Lookups of random live ranges of @t, as bench_w3_churn() makes them. */
static int bench_w3_find(struct bench_ctx *c, struct bench_tab *t, u64 *cost)
{
	u64 deadline = bench_deadline(w3_churn_ms), t0, ns;
	unsigned long i, j, start, size;
	int ret = 0;

	t0 = ktime_get_ns();
	for (i = 0; i < w3_churn && t->n; i++) {
		if (bench_late(i, deadline))
			break;
		j = bench_below(&c->rng, t->n);
		if (c->ours ? vcm_iova_find(&c->space, t->pfn[j], &start, &size) :
		    c->maple ? !bench_maple_find(c->mt, t->pfn[j], &start) :
			       !find_iova(&c->iovad, t->pfn[j])) {
			ret = -ENOENT;
			break;
		}
	}
	ns = ktime_get_ns() - t0;
	*cost = bench_cost(ns, i);
	return ret;
}

/* Medians of W3 and W3-find at the smallest and largest n run. */
struct bench_w3_growth {
	u64 churn[2][BENCH_NR];
	u64 find[2][BENCH_NR];
	const char *param[2];
	unsigned int levels;
};

/* Median of the @n sorted costs in @v. */
static u64 bench_median(const u64 *v, unsigned int n)
{
	return n ? v[(n - 1) / 2] : 0;
}

/* Append "@what x<to / from>" to a note. */
static void bench_out_growth(const char *what, u64 to, u64 from)
{
	u64 r = bench_ratio(to, from);

	if (from)
		bench_out("%s x%llu.%02llu", what, r / 1000, r % 1000 / 10);
	else
		bench_out("%s x?", what);
}

static int bench_w3_level(struct bench_state *s, unsigned long n,
			  const char *param, struct bench_w3_growth *g)
{
	struct bench_mem mem[BENCH_NR] = {};
	struct bench_fig fig = {}, find = {};
	unsigned int at;
	bool up[BENCH_NR] = {};
	u64 t0, built[BENCH_NR], worst[BENCH_NR] = {};
	unsigned int k;
	int ret;

	for (k = 0; k < BENCH_NR; k++) {
		ret = bench_tab_alloc(&s->tab[k], n);
		if (ret)
			goto out;
	}
	for (k = 0; k < BENCH_NR; k++) {
		ret = bench_setup(&s->ctx[k], k, false);
		if (ret)
			goto out;
		up[k] = true;
		t0 = ktime_get_ns();
		ret = bench_w3_build(&s->ctx[k], &s->tab[k], n,
				     bench_deadline(w3_build_ms));
		built[k] = ktime_get_ns() - t0;
		if (ret == -ETIME) {
			bench_out("# note: W3 %s: %s build cut by w3_build_ms ",
				  param, bench_name[k]);
			bench_out("after %llu ms at %lu of %lu live\n",
				  div_u64(built[k], NSEC_PER_MSEC),
				  s->tab[k].n, n);
		} else if (ret) {
			goto out;
		}
		bench_sample(&s->ctx[k], &s->tab[k], &mem[k]);
	}
	bench_out("# note: W3 %s: build took ours %llu ms, iova.c %llu ms, maple %llu ms\n",
		  param, div_u64(built[0], NSEC_PER_MSEC),
		  div_u64(built[1], NSEC_PER_MSEC),
		  div_u64(built[BENCH_MAPLE], NSEC_PER_MSEC));

	for (fig.n = 0; fig.n < reps; fig.n++) {
		for (k = 0; k < BENCH_NR; k++) {
			enum bench_kind kind = (k + fig.n) % BENCH_NR;
			u64 cost = 0;

			ret = bench_w3_churn(&s->ctx[kind], &s->tab[kind],
					     &cost);
			if (ret)
				goto out;
			bench_fig_add(&fig, kind, cost);
		}
	}
	for (k = 0; k < BENCH_NR; k++)
		bench_sample(&s->ctx[k], &s->tab[k], &mem[k]);
	for (find.n = 0; find.n < reps; find.n++) {
		for (k = 0; k < BENCH_NR; k++) {
			enum bench_kind kind = (k + find.n) % BENCH_NR;
			u64 cost = 0;

			ret = bench_w3_find(&s->ctx[kind], &s->tab[kind],
					    &cost);
			if (ret)
				goto out;
			bench_fig_add(&find, kind, cost);
		}
	}
	bench_fig_report("W3", param, &fig);
	bench_fig_report("W3-find", param, &find);
	bench_mem_report("W3", param, mem, false);
	for (k = 0; k < BENCH_NR; k++)
		bench_w3_worst(&s->ctx[k], &s->tab[k], &worst[k]);
	for (k = BENCH_IOVA; k < BENCH_NR; k++)
		bench_unit_report("W3", "worst", param, worst[BENCH_OURS],
				  worst[k], "ns", k == BENCH_MAPLE);
	/* Metadata per live range: W3's trees have no cache. */
	for (k = BENCH_IOVA; k < BENCH_NR; k++)
		bench_unit_report("W3", "bytes", param,
				  div64_u64(mem[BENCH_OURS].bytes,
					    max(s->tab[BENCH_OURS].n, 1UL)),
				  div64_u64(mem[k].bytes, max(s->tab[k].n, 1UL)),
				  "B/range", k == BENCH_MAPLE);

	/* bench_fig_report() sorted the costs: keep the medians. */
	at = g->levels++ ? 1 : 0;
	g->param[at] = param;
	g->churn[at][0] = bench_median(fig.ours, fig.n);
	g->churn[at][1] = bench_median(fig.theirs, fig.n);
	g->find[at][0] = bench_median(find.ours, find.n);
	g->find[at][1] = bench_median(find.theirs, find.n);
	g->churn[at][BENCH_MAPLE] = bench_median(fig.maple, fig.n);
	g->find[at][BENCH_MAPLE] = bench_median(find.maple, find.n);
out:
	for (k = 0; k < BENCH_NR; k++) {
		if (up[k])
			bench_teardown(&s->ctx[k]);
		bench_tab_free(&s->tab[k]);
	}
	return ret;
}

static int bench_w3(struct bench_state *s)
{
	static const struct {
		unsigned long n;
		const char *name;
	} levels[] = {
		{ 1000, "1K" },
		{ 10000, "10K" },
		{ 100000, "100K" },
		{ 1000000, "1M" },
	};
	struct bench_w3_growth g = {};
	unsigned int i, k;
	int ret;

	for (i = 0; i < ARRAY_SIZE(levels); i++) {
		if (levels[i].n > w3_max_live)
			break;
		ret = bench_w3_level(s, levels[i].n, levels[i].name, &g);
		if (ret)
			return ret;
	}
	if (g.levels < 2)
		return 0;
	bench_out("# note: W3 cost per call from %s to %s live, median:",
		  g.param[0], g.param[1]);
	for (k = 0; k < BENCH_NR; k++) {
		bench_out(" %s", bench_name[k]);
		bench_out_growth(" churn", g.churn[1][k], g.churn[0][k]);
		bench_out_growth(" lookup alone", g.find[1][k], g.find[0][k]);
		bench_out(k + 1 < BENCH_NR ? ";" : "\n");
	}
	return 0;
}

/*
 * Fill [1, BENCH_LIMIT32] of @c with the ranges counted in @count, largest
 * first, then free random ones until 1% of it is free; or, if @full, fill
 * what is left with single pages until the allocator has none.
 */
static int bench_w4_fill(struct bench_ctx *c, struct bench_tab *t,
			 const unsigned long *count, unsigned long used,
			 bool full)
{
	unsigned long free_pages = BENCH_LIMIT32 - used, i, j, pfn;
	u64 deadline = bench_deadline(BENCH_SETUP_MS);
	int order;

	t->n = 0;
	for (order = BENCH_W4_FILL_ORDERS - 1; order >= 0; order--) {
		for (i = 0; i < count[order]; i++) {
			if (bench_late(t->n, deadline))
				return -ETIME;
			if (!bench_alloc_tree(c, 1UL << order, BENCH_LIMIT32,
					      &pfn))
				return -ENOSPC;
			t->pfn[t->n] = pfn;
			t->size[t->n++] = 1UL << order;
		}
	}
	t->fast_from = t->n;
	while (full && t->n < t->cap &&
	       bench_alloc_tree(c, 1, BENCH_LIMIT32, &t->pfn[t->n]))
		t->size[t->n++] = 1;
	for (i = 0; !full && free_pages < BENCH_LIMIT32 / 100 && t->n; i++) {
		if (bench_late(i, deadline))
			return -ETIME;
		j = bench_below(&c->rng, t->n);
		bench_free_tree(c, t->pfn[j], t->size[j]);
		free_pages += t->size[j];
		bench_tab_drop(t, j);
	}
	t->fast_from = t->n;
	return 0;
}

struct bench_w4_res {
	u64 ok_cost;
	u64 fail_cost;
	u64 fail_worst;
	unsigned long unexpected;
	unsigned long lost;
};

/*
 * W4's steps, through the fast path, or through the tree if @tree; the
 * request that must fail is of @fail_pages.
 */
static void bench_w4_run(struct bench_ctx *c, struct bench_tab *t,
			 struct bench_w4_res *res, bool tree,
			 unsigned long fail_pages)
{
	u64 deadline = bench_deadline(w4_ms), t0, t1, ns, fail_ns = 0;
	unsigned long i, j, pfn, size, fails = 0;

	t0 = ktime_get_ns();
	for (i = 0; i < w4_pairs && t->n; i++) {
		if (bench_late(i, deadline))
			break;
		if (w4_fail_every && !(i % w4_fail_every)) {
			t1 = ktime_get_ns();
			if (tree ? bench_alloc_tree(c, fail_pages,
						    BENCH_LIMIT32, &pfn) :
				   bench_alloc_fast(c, fail_pages,
						    BENCH_LIMIT32, &pfn)) {
				if (tree)
					bench_free_tree(c, pfn, fail_pages);
				else
					bench_free_fast(c, pfn, fail_pages);
				res->unexpected++;
			}
			t1 = ktime_get_ns() - t1;
			fail_ns += t1;
			res->fail_worst = max(res->fail_worst, t1);
			fails++;
		}
		j = bench_below(&c->rng, t->n);
		size = t->size[j];
		if (tree)
			bench_free_tree(c, t->pfn[j], size);
		else
			bench_free_fast(c, t->pfn[j], size);
		if (!(tree ? bench_alloc_tree(c, size, BENCH_LIMIT32,
					      &t->pfn[j]) :
			     bench_alloc_fast(c, size, BENCH_LIMIT32,
					      &t->pfn[j]))) {
			bench_tab_drop(t, j);
			res->lost++;
		}
	}
	ns = ktime_get_ns() - t0;
	res->ok_cost = bench_cost(ns - fail_ns, 2 * i);
	res->fail_cost = bench_cost(fail_ns, fails);
}

/* W4, or W6 if @full: the space full, through the tree. */
static int bench_w4_common(struct bench_state *s, bool full)
{
	unsigned long count[BENCH_W4_FILL_ORDERS] = {}, used = 0, nr = 0;
	const char *w = full ? "W6" : "W4";
	struct bench_w4_res res[BENCH_NR] = {};
	struct bench_fig ok = {}, fail = {};
	struct bench_mem mem[BENCH_NR] = {};
	bool up[BENCH_NR] = {};
	u64 rng = BENCH_SEED;
	unsigned int k, order;
	int ret = 0;

	/* Leave 128 pages so that iova.c, whose limit excludes it, fits. */
	for (;;) {
		order = bench_below(&rng, BENCH_W4_FILL_ORDERS);
		if (used + (1UL << order) > BENCH_LIMIT32 - 128)
			break;
		count[order]++;
		used += 1UL << order;
		nr++;
	}
	for (k = 0; k < BENCH_NR; k++) {
		/* Room for the single pages that fill what is left. */
		ret = bench_tab_alloc(&s->tab[k], full ? nr + 256 : nr);
		if (ret)
			goto out;
	}
	for (k = 0; k < BENCH_NR; k++) {
		ret = bench_setup(&s->ctx[k], k, !full);
		if (ret)
			goto out;
		up[k] = true;
		ret = bench_w4_fill(&s->ctx[k], &s->tab[k], count, used, full);
		if (ret)
			goto out;
		bench_sample(&s->ctx[k], &s->tab[k], &mem[k]);
	}

	for (ok.n = 0; ok.n < reps; ok.n++, fail.n++) {
		for (k = 0; k < BENCH_NR; k++) {
			enum bench_kind kind = (k + ok.n) % BENCH_NR;

			bench_w4_run(&s->ctx[kind], &s->tab[kind], &res[kind],
				     full, full ? 1 : BENCH_W4_FAIL_PAGES);
			bench_sample(&s->ctx[kind], &s->tab[kind], &mem[kind]);
			bench_fig_add(&ok, kind, res[kind].ok_cost);
			bench_fig_add(&fail, kind, res[kind].fail_cost);
		}
	}
	for (k = 0; k < BENCH_NR; k++)
		if (res[k].unexpected || res[k].lost)
			bench_out("# note: %s %s: %lu %s allocs succeeded, %lu reallocs failed\n",
				  w, bench_name[k], res[k].unexpected,
				  full ? "4K" : "4M", res[k].lost);
	bench_fig_report(w, full ? "free-alloc" : "alloc-free", &ok);
	if (w4_fail_every) {
		bench_fig_report(w, full ? "fail-4K" : "fail-4M", &fail);
		for (k = BENCH_IOVA; k < BENCH_NR; k++)
			bench_unit_report(w, "worst", full ? "fail-4K" : "fail-4M",
					  res[BENCH_OURS].fail_worst,
					  res[k].fail_worst, "ns",
					  k == BENCH_MAPLE);
	}
	bench_mem_report(w, full ? "full" : "99%", mem, !full);
out:
	for (k = 0; k < BENCH_NR; k++) {
		if (up[k])
			bench_teardown(&s->ctx[k]);
		bench_tab_free(&s->tab[k]);
	}
	return ret;
}

static int bench_w4(struct bench_state *s)
{
	return bench_w4_common(s, false);
}

static int bench_w6(struct bench_state *s)
{
	return bench_w4_common(s, true);
}

/* W5, each thread on its own: W2's loop over a window of its own. */
static void bench_w5_local(struct bench_thread *th)
{
	struct bench_ctx *c = th->w->c;
	unsigned long pfn[BENCH_W5_WINDOW], size[BENCH_W5_WINDOW];
	unsigned long i, j, filled;

	for (filled = 0; filled < BENCH_W5_WINDOW; filled++) {
		size[filled] = bench_mixed_size(&th->rng);
		if (!bench_alloc_fast(c, size[filled], BENCH_LIMIT32,
				      &pfn[filled])) {
			th->err = -ENOSPC;
			break;
		}
	}
	th->t_start = ktime_get_ns();
	for (i = 0; i < w5_pairs && !th->err; i++) {
		if (bench_late(i, th->w->deadline))
			break;
		j = i % BENCH_W5_WINDOW;
		bench_free_fast(c, pfn[j], size[j]);
		size[j] = bench_mixed_size(&th->rng);
		if (!bench_alloc_fast(c, size[j], BENCH_LIMIT32, &pfn[j])) {
			th->err = -ENOSPC;
			pfn[j] = pfn[--filled];
			size[j] = size[filled];
			break;
		}
	}
	th->t_end = ktime_get_ns();
	th->calls = 2 * i;
	for (j = 0; j < filled; j++)
		bench_free_fast(c, pfn[j], size[j]);
}

/* W5 with -xfree: allocate and hand each range to thread 0. */
static void bench_w5_producer(struct bench_thread *th)
{
	struct bench_ring *ring = &th->ring;
	struct bench_ctx *c = th->w->c;
	unsigned long i, pfn, size, spins;
	unsigned int head = ring->head;

	th->t_start = ktime_get_ns();
	for (i = 0; i < w5_pairs; i++) {
		if (bench_late(i, th->w->deadline))
			break;
		size = bench_mixed_size(&th->rng);
		if (!bench_alloc_fast(c, size, BENCH_LIMIT32, &pfn)) {
			th->err = -ENOSPC;
			break;
		}
		/* Pairs with the release of the tail by the consumer. */
		for (spins = 1; head - smp_load_acquire(&ring->tail) ==
		     BENCH_RING; spins++) {
			cpu_relax();
			if (!(spins & 1023))
				cond_resched();
		}
		ring->pfn[head % BENCH_RING] = pfn;
		ring->size[head % BENCH_RING] = size;
		/* Publish the entry before the head that covers it. */
		smp_store_release(&ring->head, ++head);
	}
	th->t_end = ktime_get_ns();
	th->calls = i;
	/* Order the last head before the count the consumer looks at. */
	smp_mb__before_atomic();
	atomic_dec(&th->w->producers);
}

/* W5 with -xfree, thread 0: free what the others allocated. */
static void bench_w5_consumer(struct bench_thread *th)
{
	struct bench_w5 *w = th->w;
	unsigned long calls = 0, loops;
	unsigned int i, head, tail;
	bool done, idle;

	th->t_start = ktime_get_ns();
	for (loops = 1; ; loops++) {
		done = !atomic_read_acquire(&w->producers);
		idle = true;
		for (i = 1; i < w->nr; i++) {
			struct bench_ring *ring = &w->th[i].ring;

			/* Pairs with the producer's release of the head. */
			head = smp_load_acquire(&ring->head);
			for (tail = ring->tail; tail != head; tail++) {
				bench_free_fast(w->c,
						ring->pfn[tail % BENCH_RING],
						ring->size[tail % BENCH_RING]);
				calls++;
				idle = false;
			}
			/* Done with the entries before the slots go back. */
			smp_store_release(&ring->tail, tail);
		}
		if (done)
			break;
		if (idle)
			cpu_relax();
		if (!(loops & 1023))
			cond_resched();
	}
	th->t_end = ktime_get_ns();
	th->calls = calls;
}

static int bench_w5_thread(void *data)
{
	struct bench_thread *th = data;
	struct bench_w5 *w = th->w;
	unsigned long spins;

	/* Start together. */
	atomic_inc(&w->ready);
	for (spins = 1; atomic_read(&w->ready) < w->nr; spins++) {
		cpu_relax();
		if (!(spins & 1023))
			cond_resched();
	}
	if (!w->xfree)
		bench_w5_local(th);
	else if (th->idx)
		bench_w5_producer(th);
	else
		bench_w5_consumer(th);
	if (atomic_dec_and_test(&w->running))
		complete(&w->done);
	return 0;
}

static int bench_w5_run(struct bench_state *s, enum bench_kind kind, unsigned int nr,
			bool xfree, u64 *cost, struct bench_mem *mem)
{
	struct bench_ctx *c = &s->ctx[kind];
	u64 start = U64_MAX, end = 0;
	unsigned long calls = 0;
	struct bench_w5 *w;
	unsigned int i, cpu;
	int ret;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	ret = bench_setup(c, kind, true);
	if (ret)
		goto out_free;
	w->c = c;
	w->nr = nr;
	w->xfree = xfree;
	atomic_set(&w->running, nr);
	atomic_set(&w->producers, nr - 1);
	init_completion(&w->done);

	cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < nr; i++) {
		struct bench_thread *th = &w->th[i];

		th->w = w;
		th->idx = i;
		th->rng = BENCH_SEED + i;
		th->task = kthread_create_on_cpu(bench_w5_thread, th, cpu,
						 "vcm_iova_bench/%u");
		if (IS_ERR(th->task)) {
			ret = PTR_ERR(th->task);
			while (i--)
				kthread_stop(w->th[i].task);
			goto out_teardown;
		}
		cpu = cpumask_next(cpu, cpu_online_mask);
	}
	w->deadline = bench_deadline(w5_ms);
	for (i = 0; i < nr; i++)
		wake_up_process(w->th[i].task);
	wait_for_completion(&w->done);

	for (i = 0; i < nr; i++) {
		start = min(start, w->th[i].t_start);
		end = max(end, w->th[i].t_end);
		calls += w->th[i].calls;
		if (w->th[i].err)
			ret = w->th[i].err;
	}
	*cost = bench_cost((end - start) * nr, calls);
	bench_sample(c, NULL, mem);
out_teardown:
	bench_teardown(c);
out_free:
	kfree(w);
	return ret;
}

static int bench_w5(struct bench_state *s)
{
	static const struct {
		unsigned int nr;
		bool xfree;
		const char *name;
	} cases[] = {
		{ 2, false, "2cpu" },
		{ 2, true, "2cpu-xfree" },
		{ 4, false, "4cpu" },
		{ 4, true, "4cpu-xfree" },
	};
	unsigned int i, k;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bench_mem mem[BENCH_NR] = {};
		struct bench_fig fig = {};

		if (num_online_cpus() < cases[i].nr) {
			bench_out("# note: W5 %s: skipped, %u CPUs online\n",
				  cases[i].name, num_online_cpus());
			continue;
		}
		for (fig.n = 0; fig.n < reps; fig.n++) {
			for (k = 0; k < BENCH_NR; k++) {
				enum bench_kind kind = (k + fig.n) % BENCH_NR;
				u64 cost = 0;

				ret = bench_w5_run(s, kind, cases[i].nr,
						   cases[i].xfree, &cost,
						   &mem[kind]);
				if (ret)
					return ret;
				bench_fig_add(&fig, kind, cost);
			}
		}
		bench_fig_report("W5", cases[i].name, &fig);
		bench_mem_report("W5", cases[i].name, mem, true);
	}
	return 0;
}

static int bench_run(unsigned long mask)
{
	static int (* const workloads[])(struct bench_state *s) = {
		bench_w1, bench_w2, bench_w3, bench_w4, bench_w5, bench_w6,
	};
	struct bench_state *s;
	unsigned int i;
	u64 t0, t;
	int ret;

	if (!bench_res) {
		bench_res = kvmalloc(BENCH_RESULTS_SIZE, GFP_KERNEL);
		if (!bench_res)
			return -ENOMEM;
	}
	bench_res_len = 0;
	bench_line = 0;
	bench_res[0] = '\0';
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	ret = iova_cache_get();
	if (ret)
		goto out_free;

	reps = clamp(reps, 1U, (unsigned int)BENCH_MAX_REPS);
	bench_out("# note: start: %u runs per allocator and workload, %u CPUs online\n",
		  reps, num_online_cpus());
	t0 = ktime_get_ns();
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		if (!(mask & BIT(i)))
			continue;
		t = ktime_get_ns();
		ret = workloads[i](s);
		if (ret)
			bench_out("# note: W%u failed: %pe\n", i + 1,
				  ERR_PTR(ret));
		bench_out("# note: W%u took %llu ms\n", i + 1,
			  div_u64(ktime_get_ns() - t, NSEC_PER_MSEC));
	}
	bench_out("# note: done in %llu ms\n",
		  div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	iova_cache_put();
	ret = 0;
out_free:
	kfree(s);
	return ret;
}

/* "all" or "1": every workload; otherwise a list of W1 to W6. */
static int bench_parse(char *buf, unsigned long *mask)
{
	char *tok;

	*mask = 0;
	buf = strim(buf);
	if (!strcmp(buf, "1") || !strcasecmp(buf, "all")) {
		*mask = BENCH_ALL;
		return 0;
	}
	while ((tok = strsep(&buf, " ,\t\n"))) {
		if (!*tok)
			continue;
		if (strlen(tok) != 2 || (tok[0] != 'W' && tok[0] != 'w') ||
		    tok[1] < '1' || tok[1] > '6')
			return -EINVAL;
		*mask |= BIT(tok[1] - '1');
	}
	return *mask ? 0 : -EINVAL;
}

static ssize_t bench_run_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	unsigned long mask;
	char buf[64];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = bench_parse(buf, &mask);
	if (ret)
		return ret;

	if (!mutex_trylock(&bench_mutex))
		return -EBUSY;
	ret = bench_run(mask);
	mutex_unlock(&bench_mutex);
	return ret ? ret : count;
}

static ssize_t bench_results_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	ssize_t ret;

	if (mutex_lock_interruptible(&bench_mutex))
		return -EINTR;
	ret = simple_read_from_buffer(ubuf, count, ppos, bench_res,
				      bench_res ? bench_res_len : 0);
	mutex_unlock(&bench_mutex);
	return ret;
}

static const struct file_operations bench_run_fops = {
	.write = bench_run_write,
	.llseek = noop_llseek,
};

static const struct file_operations bench_results_fops = {
	.read = bench_results_read,
	.llseek = default_llseek,
};

static struct dentry *bench_dir;

static int __init bench_init(void)
{
	bench_dir = debugfs_create_dir("vcm_iova_bench", NULL);
	debugfs_create_file("run", 0200, bench_dir, NULL, &bench_run_fops);
	debugfs_create_file("results", 0400, bench_dir, NULL,
			    &bench_results_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	kvfree(bench_res);
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_DESCRIPTION("Benchmark of the VCM IOVA allocator against iova.c");
MODULE_LICENSE("GPL");
