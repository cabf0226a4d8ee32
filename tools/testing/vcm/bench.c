// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workloads for callgrind: built once against our allocator (BENCH_OURS)
 * and once against the base tree's drivers/iommu/iova.c. Only
 * bench_measure() and what it calls is counted (callgrind.sh passes
 * --toggle-collect=bench_measure); it prints the number of operations.
 *
 *   W1 <bytes>: hot alloc/free pairs of one size through the per-CPU
 *               caches, with 1000 other ranges live.
 *   W3 <n>:     n live allocations of random sizes (1 to 16 pages,
 *               size-aligned) through the tree, then churn: free a random
 *               one, allocate a new one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/slab.h>

#ifdef BENCH_OURS
#include <linux/vcm_iova.h>
#else
#include <linux/iova.h>
#endif

#define GRANULE		4096UL
#define W1_PAIRS	20000UL
#define W3_CHURN	20000UL

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
#endif

static unsigned long *live_pfn, *live_size;

static noinline unsigned long bench_measure(const char *w,
					    unsigned long param,
					    unsigned long limit)
{
	unsigned long i, j, ops = 0, pfn, size;

	if (!strcmp(w, "W1")) {
		size = param / GRANULE;
		for (i = 0; i < W1_PAIRS; i++) {
			pfn = fast_alloc(size, limit);
			fast_free(pfn, size);
			ops += 2;
		}
	} else {
		for (i = 0; i < W3_CHURN; i++) {
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

int main(int argc, char **argv)
{
	unsigned long param, limit, i, ops, pfn, size;
	const char *w;

	if (argc != 3)
		return 2;
	w = argv[1];
	param = strtoul(argv[2], NULL, 0);
	if (!strcmp(w, "W1")) {
		limit = (1UL << 20) - 1;	/* 32-bit DMA mask */
		setup(limit, 1);
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
	ops = bench_measure(w, param, limit);
	printf("%lu\n", ops);
	return 0;
}
