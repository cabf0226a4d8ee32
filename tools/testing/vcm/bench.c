// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workloads for callgrind: built once against our allocator (BENCH_OURS)
 * and once against the base tree's drivers/iommu/iova.c. Only
 * bench_measure() and what it calls is counted (callgrind.sh passes
 * --toggle-collect=bench_measure); it prints the number of operations.
 *
 *   W1 <bytes>: hot alloc/free pairs of one size through the per-CPU
 *               caches, with 1000 other ranges live.
 *   M2 <steps>: not for callgrind: the bench module's W2 (1000 ranges
 *               live, a window of 64 in flight, random sizes 4 KiB to
 *               4 MiB through the caches); prints the KiB of free IOVA the
 *               caches hold at the end.
 *   L1 <bytes>: a lazy flush queue's pattern: 256 allocations of one
 *               size through the caches, with 1000 other ranges live, then
 *               all 256 freed in the order they were made, as a flush
 *               queue hands them back after its IOTLB flush (ours through
 *               vcm_iova_free_queued(), iova.c through free_iova_fast()).
 *   W3 <n>:     n live allocations of random sizes (1 to 16 pages,
 *               size-aligned) through the tree, then churn: free a random
 *               one, allocate a new one.
 *   F3 <n>:     W3's tree and loop with only a lookup of the random live
 *               range (vcm_iova_find() against find_iova()): the floor
 *               under W3's cost, which any free in the tree pays first.
 *
 * With BENCH_NS set in the environment, the wall time of bench_measure()
 * per operation, in ns, goes to stderr (native.sh); BENCH_CHURN=<n> sets
 * the number of W3 and F3 iterations (default W3_CHURN), so that iova.c's
 * slow churn at large n can run fewer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/slab.h>

#ifdef BENCH_OURS
#include "vcm_iova.h"
#else
#include <linux/iova.h>
#endif

#define GRANULE		4096UL
#define W1_PAIRS	20000UL
#define W3_CHURN	20000UL
#define L1_BATCH	256UL
#define L1_ROUNDS	40UL

static uint64_t rng = 88172645463325252ULL;

static unsigned long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#ifdef BENCH_OURS
static struct vcm_iova_space space;
static struct vcm_iova_cache *cache;

static void setup(unsigned long end_pfn, int fast)
{
	if (vcm_iova_space_init(&space, GRANULE, 1, end_pfn))
		abort();
	if (fast) {
		cache = vcm_iova_cache_create(&space);
		if (IS_ERR(cache))
			abort();
	}
}

static unsigned long tree_alloc(unsigned long size, unsigned long limit)
{
	unsigned long pfn;

	if (vcm_iova_alloc(&space, size, roundup_pow_of_two(size), limit,
			   GFP_ATOMIC, &pfn))
		abort();
	return pfn;
}

static void tree_free(unsigned long pfn, unsigned long size)
{
	vcm_iova_free(&space, pfn, size);
}

static int tree_find(unsigned long pfn)
{
	unsigned long start, size;

	return !vcm_iova_find(&space, pfn, &start, &size);
}

static unsigned long fast_alloc(unsigned long size, unsigned long limit)
{
	unsigned long pfn;

	if (vcm_iova_alloc_fast(cache, size, limit, GFP_ATOMIC, &pfn))
		abort();
	return pfn;
}

static void fast_free(unsigned long pfn, unsigned long size)
{
	vcm_iova_free_fast(cache, pfn, size);
}

static void queued_free(unsigned long pfn, unsigned long size)
{
	vcm_iova_free_queued(cache, pfn, size);
}

static int tree_sum(unsigned long pfn, unsigned long size, void *data)
{
	*(unsigned long *)data += size;
	return 0;
}

/* Pages allocated in the tree, cached ones included. */
static unsigned long tree_pages(void)
{
	unsigned long pages = 0;

	vcm_iova_walk_ranges(&space, tree_sum, &pages);
	return pages;
}

/* Pages a fast allocation of @size takes. */
static unsigned long fast_span(unsigned long size)
{
	return roundup_pow_of_two(size);
}
#else
static struct iova_domain iovad;

static void setup(unsigned long end_pfn, int fast)
{
	(void)end_pfn;
	if (iova_cache_get())
		abort();
	init_iova_domain(&iovad, GRANULE, 1);
	if (fast && iova_domain_init_rcaches(&iovad))
		abort();
}

static unsigned long tree_alloc(unsigned long size, unsigned long limit)
{
	struct iova *iova = alloc_iova(&iovad, size, limit, true);

	if (!iova)
		abort();
	return iova->pfn_lo;
}

static void tree_free(unsigned long pfn, unsigned long size)
{
	(void)size;
	free_iova(&iovad, pfn);
}

static int tree_find(unsigned long pfn)
{
	return !!find_iova(&iovad, pfn);
}

static unsigned long fast_alloc(unsigned long size, unsigned long limit)
{
	unsigned long pfn = alloc_iova_fast(&iovad, size, limit, true);

	if (!pfn)
		abort();
	return pfn;
}

static void fast_free(unsigned long pfn, unsigned long size)
{
	free_iova_fast(&iovad, pfn, size);
}

static void queued_free(unsigned long pfn, unsigned long size)
{
	free_iova_fast(&iovad, pfn, size);
}

static unsigned long tree_pages(void)
{
	unsigned long pages = 0;
	struct rb_node *node;
	struct iova *iova;

	for (node = rb_first(&iovad.rbroot); node; node = rb_next(node)) {
		iova = rb_entry(node, struct iova, node);
		if (iova != &iovad.anchor)
			pages += iova->pfn_hi - iova->pfn_lo + 1;
	}
	return pages;
}

/* alloc_iova_fast() rounds up only the sizes its rcache can hold. */
static unsigned long fast_span(unsigned long size)
{
	/* 1 << (IOVA_RANGE_CACHE_MAX_SIZE - 1), private to iova.c */
	return size < 32 ?
	       roundup_pow_of_two(size) : size;
}
#endif

static unsigned long *live_pfn, *live_size;

static unsigned long churn = W3_CHURN;

static noinline unsigned long bench_measure(const char *w,
					    unsigned long param,
					    unsigned long limit)
{
	unsigned long i, j, ops = 0, pfn, size;

	if (!strcmp(w, "L1")) {
		size = param / GRANULE;
		for (i = 0; i < L1_ROUNDS; i++) {
			for (j = 0; j < L1_BATCH; j++)
				live_pfn[j] = fast_alloc(size, limit);
			for (j = 0; j < L1_BATCH; j++)
				queued_free(live_pfn[j], size);
			ops += 2 * L1_BATCH;
		}
	} else if (!strcmp(w, "W1")) {
		size = param / GRANULE;
		for (i = 0; i < W1_PAIRS; i++) {
			pfn = fast_alloc(size, limit);
			fast_free(pfn, size);
			ops += 2;
		}
	} else if (!strcmp(w, "F3")) {
		for (i = 0; i < churn; i++) {
			j = rnd() % param;
			if (!tree_find(live_pfn[j]))
				abort();
			ops++;
		}
	} else {
		for (i = 0; i < churn; i++) {
			j = rnd() % param;
			tree_free(live_pfn[j], live_size[j]);
			size = 1 + rnd() % 16;
			live_pfn[j] = tree_alloc(size, limit);
			live_size[j] = size;
			ops += 2;
		}
	}
	return ops;
}

/* The bench module's W2: KiB of free IOVA cached after @steps steps. */
static unsigned long mixed_cached_kib(unsigned long steps)
{
	unsigned long limit = (1UL << 20) - 1, i, j, live = 0, win = 64;
	unsigned long pfn[64], size[64];

	setup(limit, 1);
	for (i = 0; i < 1000; i++) {
		j = 1 + rnd() % 16;
		tree_alloc(j, limit);
		live += j;
	}
	for (i = 0; i < steps + win; i++) {
		j = i % win;
		if (i >= win)
			fast_free(pfn[j], size[j]);
		size[j] = 1 + rnd() % (1UL << (rnd() % 11));
		pfn[j] = fast_alloc(size[j], limit);
	}
	for (j = 0; j < win; j++)
		live += fast_span(size[j]);
	return (tree_pages() - live) * (GRANULE / 1024);
}

int main(int argc, char **argv)
{
	unsigned long param, limit, i, ops, pfn, size;
	struct timespec t0, t1;
	const char *w;

	if (argc != 3)
		return 2;
	w = argv[1];
	param = strtoul(argv[2], NULL, 0);
	if (getenv("BENCH_CHURN"))
		churn = strtoul(getenv("BENCH_CHURN"), NULL, 0);
	if (!strcmp(w, "M2")) {
		printf("%lu\n", mixed_cached_kib(param));
		return 0;
	}
	if (!strcmp(w, "W1") || !strcmp(w, "L1")) {
		limit = (1UL << 20) - 1;	/* 32-bit DMA mask */
		setup(limit, 1);
		live_pfn = calloc(L1_BATCH, sizeof(*live_pfn));
		for (i = 0; i < 1000; i++) {
			size = 1 + rnd() % 16;
			tree_alloc(size, limit);
		}
		/* Warm the caches. */
		size = param / GRANULE;
		pfn = fast_alloc(size, limit);
		fast_free(pfn, size);
	} else {
		limit = (1UL << 28) - 1;
		setup(limit, 0);
		live_pfn = calloc(param, sizeof(*live_pfn));
		live_size = calloc(param, sizeof(*live_size));
		for (i = 0; i < param; i++) {
			live_size[i] = 1 + rnd() % 16;
			live_pfn[i] = tree_alloc(live_size[i], limit);
		}
		/* Fragment: free every other range and refill at random sizes. */
		for (i = 0; i < param; i += 2)
			tree_free(live_pfn[i], live_size[i]);
		for (i = 0; i < param; i += 2) {
			live_size[i] = 1 + rnd() % 16;
			live_pfn[i] = tree_alloc(live_size[i], limit);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ops = bench_measure(w, param, limit);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lu\n", ops);
	if (getenv("BENCH_NS"))
		fprintf(stderr, "%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 +
					    (t1.tv_nsec - t0.tv_nsec)) / ops);
	return 0;
}
