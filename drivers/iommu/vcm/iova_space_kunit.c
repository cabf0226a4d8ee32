// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the VCM IOVA space allocator and its per-CPU cache.
 *
 * No test here may make the allocator warn: bad frees go through the
 * silent vcm_iova_remove(). tools/testing/vcm checks the warnings.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/prandom.h>
#include <linux/preempt.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "iova_internal.h"
#include "vcm_iova.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void vcm_iova_test_bad_input(struct kunit *test)
{
	struct vcm_iova_space s;
	unsigned long pfn, st, sz;

	KUNIT_EXPECT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 10, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iova_space_init(&s, SZ_4K - 1, 0, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 0,
						  VCM_IOVA_MAX_PFN + 1), -EINVAL);
	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 16, 1023), 0);

	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 0, 1, ~0UL, GFP_KERNEL, &pfn), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 0, ~0UL, GFP_KERNEL, &pfn), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 3, ~0UL, GFP_KERNEL, &pfn), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 1, 15, GFP_KERNEL, &pfn), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1009, 1, ~0UL, GFP_KERNEL, &pfn), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, ~0UL, 1, ~0UL, GFP_KERNEL, &pfn), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 1UL << 40, ~0UL, GFP_KERNEL, &pfn),
			-ENOSPC);

	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 100, 0, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 15, 1, GFP_KERNEL), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 1023, 2, GFP_KERNEL), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 1024, 1, GFP_KERNEL), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, ~0UL, 2, GFP_KERNEL), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 100, 10, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 109, 1, GFP_KERNEL), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 95, 6, GFP_KERNEL), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 90, 30, GFP_KERNEL), -EADDRINUSE);

	/* Never-allocated and partial frees fail and change nothing. */
	KUNIT_EXPECT_EQ(test, vcm_iova_remove(&s, 100, 9), -ENOENT);
	KUNIT_EXPECT_EQ(test, vcm_iova_remove(&s, 101, 9), -ENOENT);
	KUNIT_EXPECT_EQ(test, vcm_iova_remove(&s, 200, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, vcm_iova_remove(&s, 100, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 1UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_find(&s, 105, &st, &sz), 0);
	KUNIT_EXPECT_EQ(test, st, 100UL);
	KUNIT_EXPECT_EQ(test, sz, 10UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_find(&s, 110, &st, &sz), -ENOENT);
	KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, 100, 10), 0);
	/* A double free: checked silently. */
	KUNIT_EXPECT_EQ(test, vcm_iova_remove(&s, 100, 10), -ENOENT);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);
}

static void vcm_iova_test_edges(struct kunit *test)
{
	struct vcm_iova_space s;
	unsigned long pfn;

	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 1, 1024), 0);
	/* The whole space in one allocation. */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1024, 1, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, 1UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 1, ~0UL, GFP_KERNEL, &pfn), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, 1, 1024), 0);
	/* A limit at the start leaves one pfn. */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 1, 1, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, 1UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 1, 1, GFP_KERNEL, &pfn), -ENOSPC);
	/* Top-down. */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 3, 1, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, 1022UL);
	/* Alignment larger than the size. */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 256, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, 768UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 2, 512, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, 512UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 2048, ~0UL, GFP_KERNEL, &pfn), -ENOSPC);
	/* Size-aligned, size not a power of two. */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 3, 4, 767, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, 764UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);
}

static void vcm_iova_test_64k_32bit(struct kunit *test)
{
	const unsigned long end = (1UL << 20) - 1, lim32 = (1UL << 16) - 1;
	struct vcm_iova_space s;
	unsigned long pfn;

	/* 64 KiB granule: 2^16 pfns make 4 GiB. Reservations at both ends. */
	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_64K, 0, end), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_shift(&s), 16U);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, 0, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_reserve(&s, end, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 1, lim32, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, lim32);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 16, 16, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, end + 1 - 32);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, lim32 - 1, 1, lim32, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, 1UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1, 1, lim32, GFP_KERNEL, &pfn), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 15, 1, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, end + 1 - 16);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 6UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);
}

#define VCM_TEST_PFNS	256
#define VCM_TEST_START	1024
#define VCM_TEST_OPS	100000

/* Bitmap reference model for the randomized test. */
struct vcm_test_model {
	DECLARE_BITMAP(used, VCM_TEST_PFNS);
	unsigned short size_at[VCM_TEST_PFNS];
	unsigned short live[VCM_TEST_PFNS];
	unsigned int nr_live;
};

static bool vcm_test_free(struct vcm_test_model *m, unsigned long pfn,
			  unsigned long size)
{
	unsigned long i = pfn - VCM_TEST_START;

	return find_next_bit(m->used, i + size, i) >= i + size;
}

/* Highest fit in [lo, hi] (model indices), or -1. */
static long vcm_test_fit(struct vcm_test_model *m, long lo, long hi,
			 unsigned long size, unsigned long align)
{
	long a;

	if (hi - lo + 1 < (long)size)
		return -1;
	for (a = (hi - size + 1 + VCM_TEST_START) & ~(align - 1);
	     a >= lo + VCM_TEST_START; a -= align)
		if (vcm_test_free(m, a, size))
			return a;
	return -1;
}

/* Largest size-aligned request a free run [lo, hi] holds, by brute force. */
static unsigned long vcm_test_cap(unsigned long lo, unsigned long hi)
{
	unsigned long best = 0, a, f, b;
	unsigned int k;

	for (k = 0; k < 16; k++) {
		b = 1UL << k;
		a = ALIGN(lo, b);
		if (a > hi)
			break;
		f = min(hi - a + 1, b);
		best = max(best, f);
	}
	return best;
}

/* Does a free run below @limit meet vcm_iova_alloc()'s search condition? */
static bool vcm_test_pred(struct vcm_test_model *m, unsigned long limit,
			  unsigned long size, unsigned long align)
{
	unsigned long rsize = roundup_pow_of_two(size);
	unsigned long need_cap = align > rsize ? align / 2 + 1 : size;
	long lo, hi = limit - VCM_TEST_START;

	while (hi >= 0) {
		if (test_bit(hi, m->used)) {
			hi--;
			continue;
		}
		for (lo = hi; lo > 0 && !test_bit(lo - 1, m->used); lo--)
			;
		if (hi - lo + 1 >= size + align - 1 ||
		    vcm_test_cap(lo + VCM_TEST_START, hi + VCM_TEST_START) >= need_cap)
			return true;
		hi = lo - 1;
	}
	return false;
}

static void vcm_test_mark(struct vcm_test_model *m, unsigned long pfn,
			  unsigned long size)
{
	bitmap_set(m->used, pfn - VCM_TEST_START, size);
	m->size_at[pfn - VCM_TEST_START] = size;
	m->live[m->nr_live++] = pfn - VCM_TEST_START;
}

/* vcm_iova_next_free() on a random range, against the model. */
static void vcm_test_next_free(struct kunit *test, struct vcm_iova_space *s,
			       struct vcm_test_model *m, struct rnd_state *rnd)
{
	const unsigned long end = VCM_TEST_START + VCM_TEST_PFNS - 1;
	unsigned long pfn, last, lo, hi, i, want_lo = 0, want_hi = 0;
	bool found, want = false;

	pfn = VCM_TEST_START - 4 + prandom_u32_state(rnd) % (VCM_TEST_PFNS + 8);
	last = prandom_u32_state(rnd) % 8 ? pfn + prandom_u32_state(rnd) % 512 :
		~0UL;
	for (i = max_t(unsigned long, pfn, VCM_TEST_START);
	     i <= min(last, end); i++) {
		if (test_bit(i - VCM_TEST_START, m->used)) {
			if (want)
				break;
			continue;
		}
		if (!want)
			want_lo = i;
		want = true;
		want_hi = i;
	}
	found = vcm_iova_next_free(s, pfn, last, &lo, &hi);
	KUNIT_ASSERT_EQ(test, found, want);
	if (found) {
		KUNIT_ASSERT_EQ(test, lo, want_lo);
		KUNIT_ASSERT_EQ(test, hi, want_hi);
	}
}

static void vcm_iova_test_random(struct kunit *test)
{
	const unsigned long end = VCM_TEST_START + VCM_TEST_PFNS - 1;
	unsigned long size, align, limit, pfn, lim;
	struct vcm_test_model *m;
	struct vcm_iova_space s;
	struct rnd_state rnd;
	unsigned int op, i, r;
	long want;
	int ret;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_4K, VCM_TEST_START, end), 0);
	prandom_seed_state(&rnd, 42);

	for (op = 0; op < VCM_TEST_OPS; op++) {
		r = prandom_u32_state(&rnd) % 100;
		if (r < 45) {
			size = 1 + prandom_u32_state(&rnd) % (r & 1 ? 4 : 24);
			switch (prandom_u32_state(&rnd) % 5) {
			case 0:
			case 1:
				align = 1;
				break;
			case 2:
			case 3:
				align = roundup_pow_of_two(size);
				break;
			default:
				align = 1UL << (prandom_u32_state(&rnd) % 7);
				break;
			}
			limit = prandom_u32_state(&rnd) % 3 ? ~0UL :
				VCM_TEST_START + prandom_u32_state(&rnd) % VCM_TEST_PFNS;
			lim = min(limit, end);
			want = vcm_test_fit(m, 0, lim - VCM_TEST_START, size, align);
			ret = vcm_iova_alloc(&s, size, align, limit, GFP_KERNEL, &pfn);
			if (ret) {
				KUNIT_ASSERT_EQ(test, ret, -ENOSPC);
				if (align == 1 || align == roundup_pow_of_two(size))
					KUNIT_ASSERT_EQ(test, want, -1L);
				else
					KUNIT_ASSERT_FALSE(test, vcm_test_pred(m, lim, size,
									       align));
				continue;
			}
			KUNIT_ASSERT_GE(test, pfn, (unsigned long)VCM_TEST_START);
			KUNIT_ASSERT_LE(test, pfn + size - 1, lim);
			KUNIT_ASSERT_EQ(test, pfn & (align - 1), 0UL);
			KUNIT_ASSERT_TRUE(test, vcm_test_free(m, pfn, size));
			if (align == 1 || align == roundup_pow_of_two(size))
				KUNIT_ASSERT_EQ(test, (long)pfn, want);
			vcm_test_mark(m, pfn, size);
		} else if (r < 55) {
			pfn = VCM_TEST_START - 2 + prandom_u32_state(&rnd) % (VCM_TEST_PFNS + 4);
			size = 1 + prandom_u32_state(&rnd) % 8;
			ret = vcm_iova_reserve(&s, pfn, size, GFP_KERNEL);
			if (pfn < VCM_TEST_START || pfn + size - 1 > end)
				KUNIT_ASSERT_EQ(test, ret, -ERANGE);
			else if (!vcm_test_free(m, pfn, size))
				KUNIT_ASSERT_EQ(test, ret, -EADDRINUSE);
			else
				KUNIT_ASSERT_EQ(test, ret, 0);
			if (!ret)
				vcm_test_mark(m, pfn, size);
		} else if (r < 97) {
			if (!m->nr_live)
				continue;
			i = prandom_u32_state(&rnd) % m->nr_live;
			pfn = m->live[i];
			size = m->size_at[pfn];
			KUNIT_ASSERT_EQ(test, vcm_iova_free(&s, pfn + VCM_TEST_START, size), 0);
			bitmap_clear(m->used, pfn, size);
			m->live[i] = m->live[--m->nr_live];
			/* Every freed range can be had again at once. */
			if (r & 1) {
				KUNIT_ASSERT_EQ(test, vcm_iova_reserve(&s, pfn + VCM_TEST_START,
								       size, GFP_KERNEL), 0);
				vcm_test_mark(m, pfn + VCM_TEST_START, size);
			}
		} else {
			/* A free that does not match a range. */
			pfn = VCM_TEST_START + prandom_u32_state(&rnd) % VCM_TEST_PFNS;
			if (test_bit(pfn - VCM_TEST_START, m->used))
				continue;
			KUNIT_ASSERT_EQ(test, vcm_iova_remove(&s, pfn, 1), -ENOENT);
		}
		if (!(op % 64))
			vcm_test_next_free(test, &s, m, &rnd);
		if (!(op % 1024)) {
			KUNIT_ASSERT_EQ(test, vcm_iova_check(&s), 0);
			KUNIT_ASSERT_EQ(test, vcm_iova_nr_ranges(&s), (unsigned long)m->nr_live);
		}
	}
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);
}

/*
 * A tree several levels deep: filled top-down, as dma-iommu fills a
 * space, full nodes pass slots to their neighbours instead of leaving
 * half-full ones behind; freeing everything in random order merges the
 * tree back into its root leaf.
 */
static void vcm_iova_test_deep(struct kunit *test)
{
	const unsigned int n = 20000;
	unsigned long *pfn, *size;
	struct vcm_iova_space s;
	struct rnd_state rnd;
	unsigned int i, j;

	pfn = kunit_kcalloc(test, n, sizeof(*pfn), GFP_KERNEL);
	size = kunit_kcalloc(test, n, sizeof(*size), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfn);
	KUNIT_ASSERT_NOT_NULL(test, size);
	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 1, SZ_1M), 0);

	for (i = 0; i < n; i++) {
		size[i] = 1 + i % 3;
		KUNIT_ASSERT_EQ(test, vcm_iova_alloc(&s, size[i], 1, ~0UL,
						     GFP_KERNEL, &pfn[i]), 0);
	}
	KUNIT_ASSERT_EQ(test, vcm_iova_check(&s), 0);
	KUNIT_EXPECT_GE(test, s.height, 2U);
	/* 512-byte nodes nearly full: 20 bytes a range; halves took 39. */
	KUNIT_EXPECT_LE(test, vcm_iova_space_bytes(&s), 20UL * n);

	prandom_seed_state(&rnd, 7);
	for (i = n; i > 0; i--) {
		j = prandom_u32_state(&rnd) % i;
		KUNIT_ASSERT_EQ(test, vcm_iova_free(&s, pfn[j], size[j]), 0);
		swap(pfn[j], pfn[i - 1]);
		swap(size[j], size[i - 1]);
		if (i == n / 2)
			KUNIT_ASSERT_EQ(test, vcm_iova_check(&s), 0);
	}
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	KUNIT_EXPECT_EQ(test, s.height, 0U);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 0UL);
	vcm_iova_space_destroy(&s);
}

struct vcm_test_cpu_arg {
	struct vcm_iova_cache *cache;
	unsigned long pfns[16];
	int ret;
};

static long vcm_test_alloc_on_cpu(void *data)
{
	struct vcm_test_cpu_arg *arg = data;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(arg->pfns) && !arg->ret; i++)
		arg->ret = vcm_iova_alloc_fast(arg->cache, 2, ~0UL, GFP_KERNEL,
					       &arg->pfns[i]);
	return 0;
}

static long vcm_test_free_on_cpu(void *data)
{
	struct vcm_test_cpu_arg *arg = data;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(arg->pfns); i++)
		vcm_iova_free_fast(arg->cache, arg->pfns[i], 2);
	return 0;
}

/*
 * A 1 GiB space of 4 KiB granules with a cache in front whose idle reclaim
 * is off, so that a test sees what the bounds alone keep.
 */
static struct vcm_iova_cache *vcm_iova_test_cache_1g(struct kunit *test,
						     struct vcm_iova_space *s)
{
	struct vcm_iova_cache *c;

	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(s, SZ_4K, 1, SZ_1G / SZ_4K),
			0);
	c = vcm_iova_cache_create(s);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	vcm_iova_cache_stop_idle_reclaim(c);
	return c;
}

/*
 * The bound on cached IOVA: one CPU frees 160 MiB in 4 MiB and 64 KiB
 * ranges. It keeps at most 16 MiB and the depot 32 MiB, counted from the
 * magazines' contents; the rest goes back to the tree, and all of it can
 * be allocated again.
 */
static void vcm_iova_test_cache_bound(struct kunit *test)
{
	const unsigned long nr_big = 24, nr_small = 1024;
	unsigned long *pfns, i, total = SZ_1G / SZ_4K;
	struct vcm_iova_cache *c;
	struct vcm_iova_space s;

	pfns = kunit_kcalloc(test, nr_big + nr_small, sizeof(*pfns),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	c = vcm_iova_test_cache_1g(test, &s);

	get_cpu();
	for (i = 0; i < nr_big + nr_small; i++)
		KUNIT_EXPECT_EQ(test,
				vcm_iova_alloc_fast(c, i < nr_big ? 1024 : 16,
						    ~0UL, GFP_ATOMIC, &pfns[i]),
				0);
	for (i = 0; i < nr_big + nr_small; i++)
		vcm_iova_free_fast(c, pfns[i], i < nr_big ? 1024 : 16);
	put_cpu();

	KUNIT_EXPECT_EQ(test, vcm_iova_cache_check(c), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), vcm_iova_cache_count(c));
	KUNIT_EXPECT_GT(test, vcm_iova_cache_count(c), 0UL);
	/* 96 MiB of 4 MiB ranges alone would be over the bound. */
	KUNIT_EXPECT_LT(test, vcm_iova_cache_count(c), nr_big + nr_small);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, total, 1, ~0UL, GFP_KERNEL,
					     &pfns[0]), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_check(c), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, 1, total), 0);
	vcm_iova_cache_destroy(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);
}

/*
 * A flush queue's burst: one CPU hands back 96 ranges of 4 MiB (384 MiB)
 * through vcm_iova_free_queued(). The depot keeps up to 256 MiB more than
 * for other frees, and no more: at most 16 + 32 + 256 MiB, 76 ranges, stay
 * cached, more than the 12 that vcm_iova_free_fast() may keep. They come
 * back to the same CPU without the tree, and all of it can be allocated
 * again.
 */
static void vcm_iova_test_cache_queued(struct kunit *test)
{
	const unsigned long nr = 96, size = SZ_4M / SZ_4K;
	unsigned long *pfns, i, n, pfn, total = SZ_1G / SZ_4K;
	struct vcm_iova_cache *c;
	struct vcm_iova_space s;

	pfns = kunit_kcalloc(test, nr, sizeof(*pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	c = vcm_iova_test_cache_1g(test, &s);

	get_cpu();
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, size, ~0UL,
							  GFP_ATOMIC, &pfns[i]),
				0);
	for (i = 0; i < nr; i++)
		vcm_iova_free_queued(c, pfns[i], size);
	n = vcm_iova_cache_count(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_check(c), 0);
	KUNIT_EXPECT_GT(test, n, (SZ_16M + SZ_32M) / SZ_4M);
	KUNIT_EXPECT_LE(test, n, (SZ_16M + SZ_32M + SZ_256M) / SZ_4M);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), n);
	/* The same CPU gets all cached ranges back, and no new one. */
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, size, ~0UL,
							  GFP_ATOMIC, &pfns[i]),
				0);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), n);
	for (i = 0; i < n; i++)
		vcm_iova_free_queued(c, pfns[i], size);
	put_cpu();

	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, total, 1, ~0UL, GFP_KERNEL,
					     &pfn), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, 1, total), 0);
	vcm_iova_cache_destroy(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);
}

/*
 * A CPU without room for a magazine of the depot takes single ranges out
 * of it before it goes to the tree: one CPU frees 253 single pages, of
 * which a full magazine of 126 goes to the depot, allocates the 127 it
 * kept, and fills its whole budget with 4 MiB ranges. Its next 126 single
 * pages are the depot's, with no new range in the tree, and the depot's
 * emptied magazine is not kept there.
 */
static void vcm_iova_test_cache_depot_no_room(struct kunit *test)
{
	const unsigned long nr_small = 2 * 126 + 1, nr_big = SZ_16M / SZ_4M;
	const unsigned long big = SZ_4M / SZ_4K;
	unsigned long *pfns, i, pfn, nr, total = SZ_1G / SZ_4K;
	struct vcm_iova_cache *c;
	struct vcm_iova_space s;

	pfns = kunit_kcalloc(test, nr_small + nr_big, sizeof(*pfns),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	c = vcm_iova_test_cache_1g(test, &s);

	get_cpu();
	for (i = 0; i < nr_small + nr_big; i++)
		KUNIT_EXPECT_EQ(test,
				vcm_iova_alloc_fast(c, i < nr_small ? 1 : big,
						    ~0UL, GFP_ATOMIC, &pfns[i]),
				0);
	for (i = 0; i < nr_small; i++)
		vcm_iova_free_fast(c, pfns[i], 1);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), nr_small);
	for (i = 0; i < nr_small - 126; i++)
		KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 1, ~0UL, GFP_ATOMIC,
							  &pfn), 0);
	for (i = nr_small; i < nr_small + nr_big; i++)
		vcm_iova_free_fast(c, pfns[i], big);
	nr = vcm_iova_nr_ranges(&s);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 126 + nr_big);
	for (i = 0; i < 126; i++) {
		KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 1, ~0UL, GFP_ATOMIC,
							  &pfn), 0);
		KUNIT_EXPECT_EQ(test, vcm_iova_cache_check(c), 0);
	}
	put_cpu();
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), nr);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), nr_big);

	/* Everything, cached or not, can be allocated again. */
	for (i = 0; i < nr_small; i++)
		KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, pfns[i], 1), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, total, 1, ~0UL, GFP_KERNEL,
					     &pfn), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, 1, total), 0);
	vcm_iova_cache_destroy(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);
}

static void vcm_iova_test_cache(struct kunit *test)
{
	struct vcm_test_cpu_arg *arg;
	struct vcm_iova_cache *c;
	struct vcm_iova_space s;
	unsigned long pfn, p2;

	arg = kunit_kzalloc(test, sizeof(*arg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, arg);
	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 1, 4095), 0);
	c = vcm_iova_cache_create(&s);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	/* Under QEMU a second can pass between two steps: reclaim by hand. */
	vcm_iova_cache_stop_idle_reclaim(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_max_order(c), 10U);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iova_cache_create(&s)), -EBUSY);

	/* A hit returns the same range; what is cached stays allocated. */
	get_cpu();
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 3, ~0UL, GFP_ATOMIC, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn & 3, 0UL);
	vcm_iova_free_fast(c, pfn, 3);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 4, ~0UL, GFP_ATOMIC, &p2), 0);
	KUNIT_EXPECT_EQ(test, p2, pfn);
	vcm_iova_free_fast(c, p2, 4);
	put_cpu();
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 1UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 1UL);
	/* The first came from the tree, the second from the cache. */
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_misses(c), 1UL);

	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 0, ~0UL, GFP_KERNEL, &pfn), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 1, 0, GFP_KERNEL, &pfn), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 1UL);

	/* -ENOSPC comes only after draining every CPU and the depot. */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 4095, 1, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, 1, 4095), 0);

	/*
	 * Big sizes bypass the cache and take exactly what they ask for,
	 * aligned as if rounded up: the rest of the block stays free.
	 */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 1025, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, 2048UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc(&s, 1023, 1, ~0UL, GFP_KERNEL, &p2), 0);
	KUNIT_EXPECT_EQ(test, p2, 3073UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, p2, 1023), 0);
	vcm_iova_free_fast(c, pfn, 1025);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 0UL);

	/*
	 * Idle reclaim, all on one CPU: a CPU used since the last pass keeps
	 * what it caches, also when its only use was one allocation or one
	 * free that hit its loaded magazine; the first pass after one
	 * without use gives everything back.
	 */
	migrate_disable();
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 8, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 8, ~0UL, GFP_KERNEL, &p2), 0);
	vcm_iova_free_fast(c, pfn, 8);
	vcm_iova_free_fast(c, p2, 8);
	vcm_iova_cache_reclaim_now(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 2UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 8, ~0UL, GFP_KERNEL, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, p2);
	vcm_iova_cache_reclaim_now(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 1UL);
	vcm_iova_free_fast(c, pfn, 8);
	vcm_iova_cache_reclaim_now(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 2UL);
	vcm_iova_cache_reclaim_now(c);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 0UL);

	/* One CPU allocates, another frees, the dead-CPU path drains. */
	if (num_online_cpus() >= 2) {
		unsigned int other = cpumask_any_but(cpu_online_mask,
						     cpumask_first(cpu_online_mask));

		arg->cache = c;
		work_on_cpu(cpumask_first(cpu_online_mask), vcm_test_alloc_on_cpu, arg);
		KUNIT_EXPECT_EQ(test, arg->ret, 0);
		work_on_cpu(other, vcm_test_free_on_cpu, arg);
		KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 16UL);
		/* Told not to drain, a request that needs them fails. */
		KUNIT_EXPECT_EQ(test, vcm_iova_try_alloc_fast(c, 4095, ~0UL,
							      GFP_KERNEL, &pfn),
				-ENOSPC);
		KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 16UL);
		vcm_iova_cache_drain_cpu(c, other);
		KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
		KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 0UL);
	} else {
		kunit_info(test, "one CPU online: cross-CPU part skipped\n");
	}

	vcm_iova_cache_destroy(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);

	/* 64 KiB granule: orders 0 to 6 reach 4 MiB. */
	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_64K, 1, 4095), 0);
	c = vcm_iova_cache_create(&s);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_max_order(c), 6U);
	vcm_iova_cache_destroy(c);
	vcm_iova_space_destroy(&s);
}

/*
 * The counts of vcm_iova_cache_stats(): a miss, a hit, a large request,
 * two failures, a reclaim pass and a drain, each counted once; what the
 * cache holds in ranges and pfns.
 */
static void vcm_iova_test_cache_stats(struct kunit *test)
{
	struct vcm_iova_cache_stats st;
	struct vcm_iova_cache *c;
	struct vcm_iova_space s;
	unsigned long pfn, big;

	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 1, 65535), 0);
	c = vcm_iova_cache_create(&s);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	vcm_iova_cache_stop_idle_reclaim(c);

	migrate_disable();
	/* 3 granules come as 4, from the tree; freed, the cache keeps them. */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 3, ~0UL, GFP_KERNEL, &pfn), 0);
	vcm_iova_free_fast(c, pfn, 3);
	vcm_iova_cache_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.hits, 0UL);
	KUNIT_EXPECT_EQ(test, st.misses, 1UL);
	KUNIT_EXPECT_EQ(test, st.ranges, 1UL);
	KUNIT_EXPECT_EQ(test, st.pfns, 4UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 4, ~0UL, GFP_KERNEL, &pfn), 0);
	/* Above the cached sizes; below the space; larger than the space. */
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 1025, ~0UL, GFP_KERNEL, &big), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 1, 0, GFP_KERNEL, &big), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, 65536, ~0UL, GFP_KERNEL, &big), -ENOSPC);
	vcm_iova_cache_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.hits, 1UL);
	KUNIT_EXPECT_EQ(test, st.misses, 1UL);
	KUNIT_EXPECT_EQ(test, st.large, 1UL);
	KUNIT_EXPECT_EQ(test, st.failures, 2UL);
	KUNIT_EXPECT_EQ(test, st.ranges, 0UL);
	KUNIT_EXPECT_EQ(test, st.drains, 0UL);
	vcm_iova_free_fast(c, big, 1025);
	vcm_iova_free_fast(c, pfn, 4);

	/* A pass marks the CPU idle; the next gives its ranges back. */
	vcm_iova_cache_reclaim_now(c);
	vcm_iova_cache_reclaim_now(c);
	migrate_enable();
	vcm_iova_cache_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.reclaims, 1UL);
	KUNIT_EXPECT_EQ(test, st.ranges, 0UL);
	vcm_iova_cache_drain(c);
	vcm_iova_cache_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.drains, 1UL);
	KUNIT_EXPECT_EQ(test, st.reclaims, 1UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 0UL);

	vcm_iova_cache_destroy(c);
	vcm_iova_space_destroy(&s);
}

/*
 * A 32-bit space of 4 KiB granules whose free parts are 64 MiB blocks
 * and one 96 MiB block, each starting at a multiple of 128 MiB: a
 * 96 MiB streaming request fits exactly there, as it does in iova.c,
 * though no free 128 MiB block exists.
 */
static void vcm_iova_test_exact_32bit(struct kunit *test)
{
	const unsigned long blk = SZ_128M / SZ_4K, limit = SZ_4G / SZ_4K - 1;
	const unsigned long want = SZ_64M / SZ_4K + SZ_32M / SZ_4K;
	const unsigned long hole = 5 * blk;
	struct vcm_iova_cache *c;
	struct vcm_iova_space s;
	unsigned long b, free, pfn, nr;

	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 1, limit), 0);
	c = vcm_iova_cache_create(&s);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	vcm_iova_cache_stop_idle_reclaim(c);
	for (b = 0; b <= limit; b += blk) {
		free = b == hole ? want : blk / 2;
		KUNIT_ASSERT_EQ(test, vcm_iova_reserve(&s, b + free, blk - free,
						       GFP_KERNEL), 0);
	}
	nr = vcm_iova_nr_ranges(&s);

	KUNIT_EXPECT_EQ(test, vcm_iova_alloc_fast(c, want + 1, limit,
						  GFP_KERNEL, &pfn), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), nr);
	KUNIT_ASSERT_EQ(test, vcm_iova_alloc_fast(c, want, limit, GFP_KERNEL,
						  &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, hole);
	vcm_iova_free_fast(c, pfn, want);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), nr);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);

	for (b = 0; b <= limit; b += blk) {
		free = b == hole ? want : blk / 2;
		KUNIT_EXPECT_EQ(test, vcm_iova_free(&s, b + free, blk - free), 0);
	}
	vcm_iova_cache_destroy(c);
	KUNIT_EXPECT_EQ(test, vcm_iova_check(&s), 0);
	vcm_iova_space_destroy(&s);
}

static void vcm_iova_test_hotplug(struct kunit *test)
{
	struct vcm_test_cpu_arg *arg;
	struct vcm_iova_cache *c;
	struct vcm_iova_space s;
	unsigned int victim;
	int ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "needs CPU hotplug and two CPUs");
	victim = cpumask_last(cpu_online_mask);

	arg = kunit_kzalloc(test, sizeof(*arg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, arg);
	KUNIT_ASSERT_EQ(test, vcm_iova_space_init(&s, SZ_4K, 1, 4095), 0);
	c = vcm_iova_cache_create(&s);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	vcm_iova_cache_stop_idle_reclaim(c);
	arg->cache = c;
	work_on_cpu(victim, vcm_test_alloc_on_cpu, arg);
	work_on_cpu(victim, vcm_test_free_on_cpu, arg);
	KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 16UL);

	ret = remove_cpu(victim);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, vcm_iova_cache_count(c), 0UL);
		KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&s), 0UL);
		KUNIT_EXPECT_EQ(test, add_cpu(victim), 0);
	}
	vcm_iova_cache_destroy(c);
	vcm_iova_space_destroy(&s);
	if (ret)
		kunit_skip(test, "CPU %u did not go offline: %d", victim, ret);
}

static struct kunit_case vcm_iova_test_cases[] = {
	KUNIT_CASE(vcm_iova_test_bad_input),
	KUNIT_CASE(vcm_iova_test_edges),
	KUNIT_CASE(vcm_iova_test_64k_32bit),
	KUNIT_CASE_SLOW(vcm_iova_test_random),
	KUNIT_CASE(vcm_iova_test_deep),
	KUNIT_CASE(vcm_iova_test_cache),
	KUNIT_CASE(vcm_iova_test_cache_stats),
	KUNIT_CASE(vcm_iova_test_exact_32bit),
	KUNIT_CASE(vcm_iova_test_cache_bound),
	KUNIT_CASE(vcm_iova_test_cache_queued),
	KUNIT_CASE(vcm_iova_test_cache_depot_no_room),
	KUNIT_CASE(vcm_iova_test_hotplug),
	{}
};

static struct kunit_suite vcm_iova_test_suite = {
	.name = "vcm_iova",
	.test_cases = vcm_iova_test_cases,
};

kunit_test_suite(vcm_iova_test_suite);

MODULE_DESCRIPTION("KUnit tests for the VCM IOVA allocator");
MODULE_LICENSE("GPL");
