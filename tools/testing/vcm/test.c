// SPDX-License-Identifier: GPL-2.0-only
/*
 * Native tests of the VCM IOVA allocator: edge cases, a randomized
 * differential test against a bitmap model, and the per-CPU cache.
 * Prints "N passed, N failed" last and exits non-zero on any failure.
 */
#include <stdint.h>
#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/workqueue.h>
#include "model.h"
#include "stubs.h"

static unsigned long passed, failed;
static unsigned long checks_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "CHECK failed %s:%d: %s\n", __func__,	\
			__LINE__, #cond);				\
		checks_failed++;					\
	}								\
} while (0)

static void run(const char *name, void (*fn)(void))
{
	unsigned long before = checks_failed, warn = vcm_stub_warnings;

	fn();
	if (checks_failed != before || vcm_stub_warnings != warn) {
		printf("not ok %s\n", name);
		failed++;
	} else {
		printf("ok %s\n", name);
		passed++;
	}
}

static uint64_t rng_state;

static unsigned long rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 2685821657736338717ULL) >> 11;
}

static unsigned long rnd_below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static void test_bad_input(void)
{
	struct vcm_iova_space s;
	unsigned long pfn = 0, st, sz, nr = 0, i;
	int ret;

	CHECK(vcm_iova_space_init(&s, 4096, 10, 9) == -EINVAL);
	CHECK(vcm_iova_space_init(&s, 4095, 0, 9) == -EINVAL);
	CHECK(vcm_iova_space_init(&s, 4096, 0, VCM_IOVA_MAX_PFN + 1) == -EINVAL);
	CHECK(!vcm_iova_space_init(&s, 4096, 16, 1023));
	CHECK(vcm_iova_alloc(&s, 0, 1, ~0UL, GFP_KERNEL, &pfn) == -EINVAL);
	CHECK(vcm_iova_alloc(&s, 1, 0, ~0UL, GFP_KERNEL, &pfn) == -EINVAL);
	CHECK(vcm_iova_alloc(&s, 1, 3, ~0UL, GFP_KERNEL, &pfn) == -EINVAL);
	CHECK(vcm_iova_alloc(&s, 1, 1, 15, GFP_KERNEL, &pfn) == -ERANGE);
	CHECK(vcm_iova_alloc(&s, 1009, 1, ~0UL, GFP_KERNEL, &pfn) == -ENOSPC);
	CHECK(vcm_iova_alloc(&s, ~0UL, 1, ~0UL, GFP_KERNEL, &pfn) == -ENOSPC);
	CHECK(vcm_iova_alloc(&s, 1, 1UL << 62, ~0UL, GFP_KERNEL, &pfn) == -ENOSPC);
	CHECK(vcm_iova_reserve(&s, 100, 0, GFP_KERNEL) == -EINVAL);
	CHECK(vcm_iova_reserve(&s, 15, 1, GFP_KERNEL) == -ERANGE);
	CHECK(vcm_iova_reserve(&s, 1023, 2, GFP_KERNEL) == -ERANGE);
	CHECK(vcm_iova_reserve(&s, 1024, 1, GFP_KERNEL) == -ERANGE);
	CHECK(vcm_iova_reserve(&s, ~0UL, 2, GFP_KERNEL) == -ERANGE);
	CHECK(!vcm_iova_reserve(&s, 100, 10, GFP_KERNEL));
	CHECK(vcm_iova_reserve(&s, 109, 1, GFP_KERNEL) == -EADDRINUSE);
	CHECK(vcm_iova_reserve(&s, 95, 6, GFP_KERNEL) == -EADDRINUSE);
	CHECK(vcm_iova_reserve(&s, 90, 30, GFP_KERNEL) == -EADDRINUSE);
	CHECK(!vcm_iova_reserve(&s, 110, 1, GFP_KERNEL));
	CHECK(!vcm_iova_reserve(&s, 99, 1, GFP_KERNEL));
	CHECK(vcm_iova_remove(&s, 100, 9) == -ENOENT);
	CHECK(vcm_iova_remove(&s, 101, 9) == -ENOENT);
	CHECK(vcm_iova_remove(&s, 200, 1) == -ENOENT);
	CHECK(vcm_iova_remove(&s, 100, 0) == -EINVAL);
	CHECK(vcm_iova_nr_ranges(&s) == 3);
	CHECK(!vcm_iova_find(&s, 105, &st, &sz) && st == 100 && sz == 10);
	CHECK(vcm_iova_find(&s, 111, &st, &sz) == -ENOENT);
	CHECK(vcm_iova_find(&s, 5000, &st, &sz) == -ENOENT);
	CHECK(!vcm_iova_free(&s, 100, 10));
	/* A double free warns once and changes nothing. */
	CHECK(vcm_iova_free(&s, 100, 10) == -ENOENT);
	CHECK(vcm_stub_warnings == 1);
	vcm_stub_warnings = 0;
	CHECK(vcm_iova_nr_ranges(&s) == 2);
	/*
	 * Only an insertion into a full leaf allocates: fill the root leaf
	 * with allocations that each fail their first node allocation, and
	 * see the one that needs a split fail and change nothing.
	 */
	for (i = 0, ret = 0; i < 100 && ret != -ENOMEM; i++) {
		nr = vcm_iova_nr_ranges(&s);
		vcm_stub_fail_countdown = 1;
		ret = vcm_iova_alloc(&s, 1, 1, ~0UL, GFP_ATOMIC, &pfn);
		vcm_stub_fail_countdown = 0;
		CHECK(!ret || ret == -ENOMEM);
	}
	CHECK(ret == -ENOMEM && vcm_iova_nr_ranges(&s) == nr);
	CHECK(!vcm_iova_check(&s));
	vcm_stub_fail_countdown = 1;
	CHECK(vcm_iova_reserve(&s, 500, 1, GFP_ATOMIC) == -ENOMEM);
	vcm_stub_fail_countdown = 0;
	CHECK(vcm_iova_nr_ranges(&s) == nr && !vcm_iova_check(&s));
	/* Without the failure both go on. */
	CHECK(!vcm_iova_alloc(&s, 1, 1, ~0UL, GFP_ATOMIC, &pfn));
	CHECK(!vcm_iova_reserve(&s, 500, 1, GFP_ATOMIC));
	CHECK(vcm_iova_nr_ranges(&s) == nr + 2 && !vcm_iova_check(&s));
	vcm_iova_space_destroy(&s);
}

static void test_edges(void)
{
	struct vcm_iova_space s;
	unsigned long pfn = 0;

	/* Whole space in one allocation, then nothing is left. */
	CHECK(!vcm_iova_space_init(&s, 4096, 1, 1024));
	CHECK(!vcm_iova_alloc(&s, 1024, 1, ~0UL, GFP_KERNEL, &pfn) && pfn == 1);
	CHECK(vcm_iova_alloc(&s, 1, 1, ~0UL, GFP_KERNEL, &pfn) == -ENOSPC);
	CHECK(!vcm_iova_free(&s, 1, 1024));
	/* Limit at start: only the first pfn. */
	CHECK(!vcm_iova_alloc(&s, 1, 1, 1, GFP_KERNEL, &pfn) && pfn == 1);
	CHECK(vcm_iova_alloc(&s, 1, 1, 1, GFP_KERNEL, &pfn) == -ENOSPC);
	/* Top-down: highest fit. */
	CHECK(!vcm_iova_alloc(&s, 3, 1, ~0UL, GFP_KERNEL, &pfn) && pfn == 1022);
	/* Alignment larger than size. */
	CHECK(!vcm_iova_alloc(&s, 1, 256, ~0UL, GFP_KERNEL, &pfn) && pfn == 768);
	CHECK(!vcm_iova_alloc(&s, 2, 512, ~0UL, GFP_KERNEL, &pfn) && pfn == 512);
	CHECK(vcm_iova_alloc(&s, 1, 2048, ~0UL, GFP_KERNEL, &pfn) == -ENOSPC);
	/* Size-aligned, not a power of two: 3 pages aligned to 4. */
	CHECK(!vcm_iova_alloc(&s, 3, 4, 767, GFP_KERNEL, &pfn) && pfn == 764);
	CHECK(!vcm_iova_check(&s));
	vcm_iova_space_destroy(&s);

	/* Fixed reservations at both ends, 64K granule, 32-bit limit. */
	CHECK(!vcm_iova_space_init(&s, 65536, 0, (1UL << 20) - 1));
	CHECK(!vcm_iova_reserve(&s, 0, 1, GFP_KERNEL));
	CHECK(!vcm_iova_reserve(&s, (1UL << 20) - 1, 1, GFP_KERNEL));
	CHECK(!vcm_iova_alloc(&s, 1, 1, (1UL << 16) - 1, GFP_KERNEL, &pfn) &&
	      pfn == (1UL << 16) - 1);
	CHECK(!vcm_iova_alloc(&s, 16, 16, ~0UL, GFP_KERNEL, &pfn) &&
	      pfn == (1UL << 20) - 32);
	CHECK(!vcm_iova_alloc(&s, 65534, 1, 65535, GFP_KERNEL, &pfn) && pfn == 1);
	CHECK(vcm_iova_alloc(&s, 1, 1, 65535, GFP_KERNEL, &pfn) == -ENOSPC);
	CHECK(!vcm_iova_alloc(&s, 15, 1, ~0UL, GFP_KERNEL, &pfn) && pfn == (1UL << 20) - 16);
	CHECK(vcm_iova_nr_ranges(&s) == 6 && !vcm_iova_check(&s));
	vcm_iova_space_destroy(&s);

	/* A space at the top of the pfn range. */
	CHECK(!vcm_iova_space_init(&s, 4096, VCM_IOVA_MAX_PFN - 4095, VCM_IOVA_MAX_PFN));
	CHECK(!vcm_iova_alloc(&s, 4096, 4096, ~0UL, GFP_KERNEL, &pfn) &&
	      pfn == VCM_IOVA_MAX_PFN - 4095);
	CHECK(!vcm_iova_check(&s));
	vcm_iova_space_destroy(&s);
	CHECK(vcm_stub_live_objects == 0);
}

/* The gap capability against brute force, for every small gap. */
static void test_gap_cap(void)
{
	struct vcm_iova_space s;
	unsigned long lo, len, pfn, best, k, ok;

	for (lo = 1; lo < 80; lo++) {
		for (len = 1; len < 80; len++) {
			CHECK(!vcm_iova_space_init(&s, 4096, 0, 255));
			if (lo > 0)
				CHECK(!vcm_iova_reserve(&s, 0, lo, GFP_KERNEL));
			CHECK(!vcm_iova_reserve(&s, lo + len, 256 - lo - len, GFP_KERNEL));
			best = model_cap(lo, lo + len - 1);
			/* Every size-aligned request up to best fits, best + 1 does not. */
			for (k = 1; k <= best + 1; k++) {
				ok = !vcm_iova_alloc(&s, k, roundup_pow_of_two(k), ~0UL,
						     GFP_KERNEL, &pfn);
				CHECK(ok == (k <= best));
				if (ok)
					vcm_iova_free(&s, pfn, k);
			}
			vcm_iova_space_destroy(&s);
		}
	}
}

static unsigned int diff_max_height;

static unsigned long diff_run(unsigned long granule, unsigned long start,
			      unsigned long n, unsigned long nops, uint64_t seed)
{
	struct model m;
	unsigned long i, r, size, align, limit, maxsize;

	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	CHECK(!model_init(&m, granule, start, start + n - 1));
	/* Small ranges in a large space make the tree deep. */
	maxsize = n > 8192 ? 4 : n / 16;
	for (i = 0; i < nops && !m.errors; i++) {
		r = rnd_below(100);
		/* A large space is filled up first, then churned. */
		if (n > 8192 && r >= 52 && r < 80)
			r = 0;
		if (r < 42) {
			size = 1 + rnd_below(rnd_below(4) ? 8 : maxsize);
			switch (rnd_below(10)) {
			case 0: case 1: case 2: case 3:
				align = 1;
				break;
			case 4: case 5: case 6: case 7:
				align = roundup_pow_of_two(size);
				break;
			default:
				align = 1UL << rnd_below(9);
				break;
			}
			if (!rnd_below(500))
				size = rnd_below(2) ? 0 : n + 1;
			if (!rnd_below(500))
				align = 3;
			limit = rnd_below(3) ? ~0UL : start + rnd_below(n + 8) - 4;
			model_alloc(&m, size, align, limit, !rnd_below(100));
		} else if (r < 52) {
			size = 1 + rnd_below(rnd_below(4) ? 4 : maxsize);
			if (!rnd_below(100))
				size = 0;
			model_reserve(&m, start + rnd_below(n + 16) - 8, size, !rnd_below(100));
		} else if (r < 95) {
			if (m.nr_live)
				model_free_idx(&m, rnd_below(m.nr_live), !rnd_below(20));
		} else if (r < 97) {
			model_bad_free(&m, start + rnd_below(n + 4) - 2, rnd_below(8));
		} else if (r < 99) {
			model_find(&m, start + rnd_below(n + 4) - 2);
		} else {
			limit = start + rnd_below(n + 4) - 2;
			model_next_free(&m, limit, rnd_below(8) ?
					limit + rnd_below(n / 4) : ~0UL);
		}
		if (m.space.height > diff_max_height)
			diff_max_height = m.space.height;
		if (!(i % 512))
			model_check(&m, !(i % 4096));
	}
	model_check(&m, 1);
	while (m.nr_live && !m.errors)
		model_free_idx(&m, rnd_below(m.nr_live), 0);
	model_check(&m, 1);
	checks_failed += m.errors;
	printf("# diff granule %lu start %lu pfns %lu seed %llu: %lu ops, %lu nomem, %lu errors\n",
	       granule, start, n, (unsigned long long)seed, m.ops, m.enomem,
	       m.errors);
	model_destroy(&m);
	CHECK(vcm_stub_live_objects == 0);
	return m.enomem;
}

static void test_diff_4k(void)
{
	for (uint64_t seed = 1; seed <= 3; seed++)
		diff_run(4096, 1, 2048, 100000, seed);
}

static void test_diff_64k(void)
{
	for (uint64_t seed = 4; seed <= 5; seed++)
		diff_run(65536, 1UL << 20, 4096, 100000, seed);
}

static void test_diff_deep(void)
{
	unsigned long enomem = 0;

	diff_max_height = 0;
	for (uint64_t seed = 9; seed <= 10; seed++)
		enomem += diff_run(4096, 1UL << 30, 16384, 40000, seed);
	printf("# tree height up to %u\n", diff_max_height);
	CHECK(diff_max_height >= 2 && enomem > 0);
}

/* A space filled top-down packs its leaves; freeing all of it merges them. */
static void test_fill_packs(void)
{
	const unsigned long n = 20000;
	struct vcm_iova_space s;
	unsigned long i, *pfn;

	pfn = calloc(n, sizeof(*pfn));
	CHECK(pfn && !vcm_iova_space_init(&s, 4096, 1, 1UL << 20));
	if (!pfn)
		return;
	for (i = 0; i < n; i++)
		CHECK(!vcm_iova_alloc(&s, 1 + i % 3, 1, ~0UL, GFP_KERNEL, &pfn[i]));
	CHECK(!vcm_iova_check(&s) && s.height >= 2);
	printf("# %lu ranges filled top-down: %lu bytes each\n", n,
	       vcm_iova_space_bytes(&s) / n);
	CHECK(vcm_iova_space_bytes(&s) <= 20 * n);
	for (i = 0; i < n; i++)
		CHECK(!vcm_iova_free(&s, pfn[(i * 7919) % n], 1 + (i * 7919) % n % 3));
	CHECK(!vcm_iova_check(&s) && !s.height && !vcm_iova_nr_ranges(&s));
	vcm_iova_space_destroy(&s);
	free(pfn);
}

static void test_diff_tiny(void)
{
	/* A crowded space makes -ENOSPC and limit corners common. */
	for (uint64_t seed = 6; seed <= 8; seed++)
		diff_run(4096, 0, 64, 100000, seed);
}

struct fast_live {
	unsigned long pfn, size, held;
};

static void test_cache(void)
{
	struct vcm_iova_space s;
	struct vcm_iova_cache *c;
	static struct fast_live live[4096];
	unsigned long nr = 0, pfn, size, held, i, j, max, total = 1UL << 16;
	int ret;

	rng_state = 99;
	CHECK(!vcm_iova_space_init(&s, 4096, 1, total));
	c = vcm_iova_cache_create(&s);
	CHECK(!IS_ERR(c));
	CHECK(vcm_iova_cache_max_order(c) == 10);
	CHECK(PTR_ERR(vcm_iova_cache_create(&s)) == -EBUSY);
	max = 1UL << vcm_iova_cache_max_order(c);

	for (i = 0; i < 200000; i++) {
		vcm_stub_cpu = rnd_below(VCM_STUB_NR_CPUS);
		if (nr < 4096 && (rnd_below(2) || !nr)) {
			size = 1UL << rnd_below(rnd_below(8) ? 4 : 11);
			if (rnd_below(4) == 0 && size > 2)
				size -= 1;
			/* Sizes the cache does not hold: allocated exactly. */
			if (rnd_below(16) == 0)
				size = max + 1 + rnd_below(2 * max);
			ret = vcm_iova_alloc_fast(c, size, total, GFP_ATOMIC, &pfn);
			if (ret) {
				CHECK(ret == -ENOSPC);
				continue;
			}
			held = size <= max ? roundup_pow_of_two(size) : size;
			CHECK(!(pfn & (roundup_pow_of_two(size) - 1)) && pfn >= 1 &&
			      pfn + held - 1 <= total);
			live[nr].pfn = pfn;
			live[nr].size = size;
			live[nr].held = held;
			nr++;
		} else {
			j = rnd_below(nr);
			/* A flush queue's frees may fill the depot further. */
			if (rnd_below(2))
				vcm_iova_free_fast(c, live[j].pfn, live[j].size);
			else
				vcm_iova_free_queued(c, live[j].pfn, live[j].size);
			live[j] = live[--nr];
		}
		if (!(i % 10000)) {
			/* Live ranges never overlap and stay allocated in the tree. */
			for (j = 0; j < nr; j++) {
				unsigned long st, sz;

				CHECK(!vcm_iova_find(&s, live[j].pfn, &st, &sz) &&
				      st == live[j].pfn && sz == live[j].held);
			}
			CHECK(vcm_iova_nr_ranges(&s) == nr + vcm_iova_cache_count(c));
			CHECK(!vcm_iova_check(&s));
			CHECK(!vcm_iova_cache_check(c));
		}
		if (!(i % 50000))
			vcm_stub_cpu_dead(rnd_below(VCM_STUB_NR_CPUS));
	}

	/* CPU hotplug: a dead CPU's cache goes back to the tree. */
	vcm_iova_cache_drain(c);
	CHECK(vcm_iova_cache_count(c) == 0);
	vcm_stub_cpu = 2;
	CHECK(!vcm_iova_alloc_fast(c, 8, total, GFP_ATOMIC, &pfn));
	vcm_iova_free_fast(c, pfn, 8);
	CHECK(vcm_iova_cache_count(c) == 1);
	vcm_stub_cpu_dead(1);
	CHECK(vcm_iova_cache_count(c) == 1);
	vcm_stub_cpu_dead(2);
	CHECK(vcm_iova_cache_count(c) == 0);
	CHECK(vcm_iova_nr_ranges(&s) == nr);

	/* Idle reclaim: two passes of the work with no use in between. */
	CHECK(!vcm_iova_alloc_fast(c, 8, total, GFP_ATOMIC, &pfn));
	vcm_iova_free_fast(c, pfn, 8);
	CHECK(vcm_iova_cache_count(c) == 1);
	CHECK(vcm_stub_run_delayed_work() == 1);
	CHECK(vcm_iova_cache_count(c) == 1);
	CHECK(vcm_stub_run_delayed_work() == 1);
	CHECK(vcm_iova_cache_count(c) == 0);
	CHECK(vcm_stub_run_delayed_work() == 0);

	/* Cross-CPU: CPU 0 allocates, CPU 3 frees; depot and bound hold. */
	for (i = 0; i < 20; i++) {
		unsigned long batch[512];

		vcm_stub_cpu = 0;
		for (j = 0; j < 512; j++)
			CHECK(!vcm_iova_alloc_fast(c, 1, total, GFP_ATOMIC, &batch[j]));
		vcm_stub_cpu = 3;
		for (j = 0; j < 512; j++)
			vcm_iova_free_fast(c, batch[j], 1);
		/* 2 MiB charged to CPU 0 and 3 each, 1 MiB in the depot. */
		CHECK(vcm_iova_cache_count(c) <= (SZ_2M + SZ_2M + SZ_1M) / 4096);
		CHECK(!vcm_iova_cache_check(c));
	}

	/* -ENOSPC only after draining: fill the cache, then ask for all. */
	while (nr) {
		vcm_iova_free_fast(c, live[nr - 1].pfn, live[nr - 1].size);
		nr--;
	}
	vcm_stub_cpu = 1;
	held = vcm_iova_cache_count(c);
	CHECK(held > 0);
	/* Unless the caller says not to drain. */
	CHECK(vcm_iova_try_alloc_fast(c, total, total, GFP_ATOMIC, &pfn) == -ENOSPC);
	CHECK(vcm_iova_cache_count(c) == held);
	CHECK(!vcm_iova_alloc(&s, total, 1, ~0UL, GFP_ATOMIC, &pfn) && pfn == 1);
	CHECK(vcm_iova_cache_count(c) == 0);
	CHECK(!vcm_iova_free(&s, 1, total));

	/* A fixed reservation over cached ranges drains them too. */
	CHECK(!vcm_iova_alloc_fast(c, 4, total, GFP_ATOMIC, &pfn));
	vcm_iova_free_fast(c, pfn, 4);
	CHECK(!vcm_iova_reserve(&s, pfn, 1, GFP_ATOMIC));
	CHECK(!vcm_iova_free(&s, pfn, 1));

	/* Big sizes bypass the cache. */
	CHECK(!vcm_iova_alloc_fast(c, 3000, total, GFP_ATOMIC, &pfn) && !(pfn & 4095));
	CHECK(!vcm_iova_find(&s, pfn, &i, &size) && i == pfn && size == 3000);
	vcm_iova_free_fast(c, pfn, 3000);
	CHECK(vcm_iova_cache_count(c) == 0);
	CHECK(vcm_iova_alloc_fast(c, 0, total, GFP_ATOMIC, &pfn) == -EINVAL);
	CHECK(vcm_iova_alloc_fast(c, 1, 0, GFP_ATOMIC, &pfn) == -ERANGE);

	vcm_iova_cache_destroy(c);
	CHECK(vcm_iova_nr_ranges(&s) == 0);
	vcm_iova_space_destroy(&s);
	CHECK(vcm_stub_live_objects == 0);

	/* 64K granule: orders 0 to 6 reach 4 MiB. */
	CHECK(!vcm_iova_space_init(&s, 65536, 1, 4096));
	c = vcm_iova_cache_create(&s);
	CHECK(!IS_ERR(c) && vcm_iova_cache_max_order(c) == 6);
	vcm_iova_cache_destroy(c);
	vcm_iova_space_destroy(&s);
	CHECK(vcm_stub_live_objects == 0);
}

int main(void)
{
	run("bad_input", test_bad_input);
	run("edges", test_edges);
	run("gap_cap", test_gap_cap);
	run("diff_4k", test_diff_4k);
	run("diff_64k", test_diff_64k);
	run("diff_tiny", test_diff_tiny);
	run("diff_deep", test_diff_deep);
	run("fill_packs", test_fill_packs);
	run("cache", test_cache);
	printf("%lu passed, %lu failed\n", passed, failed);
	return failed ? 1 : 0;
}
