// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the DMA domain glue (dma.c) over the mock IOMMU domain of
 * mock_domain.c.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/dma-window.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "dma.h"
#include "vcm-drv.h"
#include "vcm_internal.h"
#include "vcm_kunit.h"

/* Base of the DMA contexts below: their first granule. */
#define DMA_BASE_PFN	1UL

struct vcm_dma_test {
	struct vcm_mock *mock;
	struct vcm_dma *vd;
	struct vcm *vcm;
	struct device *dev;
};

static int vcm_dma_test_init(struct kunit *test)
{
	struct vcm_dma_test *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	test->priv = d;
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->mock = vcm_mock_create(test);
	d->dev = kunit_device_register(test, "vcm-dma-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(d->dev));
	d->vd = vcm_dma_create(&d->mock->domain, DMA_BASE_PFN);
	if (IS_ERR(d->vd)) {
		long err = PTR_ERR(d->vd);

		d->vd = NULL;
		KUNIT_ASSERT_EQ_MSG(test, err, 0L, "vcm_dma_create() failed");
	}
	d->vcm = vcm_dma_context(d->vd);
	return 0;
}

static void vcm_dma_test_exit(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;

	if (!d || !d->mock)
		return;
	vcm_dma_destroy(d->vd);
	vcm_mock_destroy(test, d->mock);
}

/* Count the reservations of type @region covering [lo, hi] exactly. */
struct vcm_dma_find {
	dma_addr_t lo;
	dma_addr_t hi;
	enum vcm_region region;
	unsigned int hits;
	unsigned int nr;
};

static int vcm_dma_find_fn(struct vcm_res *res, void *data)
{
	struct vcm_dma_find *f = data;

	f->nr++;
	if (res->start == f->lo && res->start + res->size - 1 == f->hi &&
	    res->region == f->region)
		f->hits++;
	return 0;
}

static unsigned int vcm_dma_has(struct vcm *vcm, dma_addr_t lo, dma_addr_t hi,
				enum vcm_region region, unsigned int *nr)
{
	struct vcm_dma_find f = { .lo = lo, .hi = hi, .region = region };

	vcm_walk_res(vcm, vcm_dma_find_fn, &f);
	if (nr)
		*nr = f.nr;
	return f.hits;
}

struct vcm_dma_cover {
	dma_addr_t lo;
	dma_addr_t hi;
	enum vcm_region region;
	u64 bytes;
};

static int vcm_dma_cover_fn(struct vcm_res *res, void *data)
{
	struct vcm_dma_cover *c = data;
	dma_addr_t lo = max(res->start, c->lo);
	dma_addr_t hi = min(res->start + (res->size - 1), c->hi);

	if (lo <= hi && res->region == c->region)
		c->bytes += hi - lo + 1;
	return 0;
}

/* Whether reservations of type @region cover every byte of [lo, hi]. */
static bool vcm_dma_covered(struct vcm *vcm, dma_addr_t lo, dma_addr_t hi,
			    enum vcm_region region)
{
	struct vcm_dma_cover c = { .lo = lo, .hi = hi, .region = region };

	vcm_walk_res(vcm, vcm_dma_cover_fn, &c);
	return c.bytes == (u64)hi - lo + 1;
}

static void vcm_dma_test_create_errors(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;

	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_create(&d->mock->domain, 0)),
			-EINVAL);
	d->mock->domain.geometry.aperture_end = SZ_1M - 1;
	d->mock->domain.geometry.force_aperture = true;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_create(&d->mock->domain,
						     SZ_1M >> MOCK_SHIFT)),
			-EINVAL);
	d->mock->domain.geometry.force_aperture = false;
}

/*
 * Overlapping, nested, adjacent and out-of-range regions: each address is
 * reserved once, by the first region (in address order) that covers it,
 * widened to whole granules and clipped to the context; a second call
 * with the same list changes nothing.
 */
static void vcm_dma_test_regions(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	static const u64 start[] = {
		0x100000, 0x101000, 0x104800, 0x110000, 0x200000, 0,
	};
	static const u64 last[] = {
		0x103fff, 0x107fff, 0x104fff, 0x110fff, 0x201fff, 0xfff,
	};
	static const enum vcm_region type[] = {
		VCM_REGION_MSI, VCM_REGION_PCI_WINDOW, VCM_REGION_DIRECT,
		VCM_REGION_RESERVED, VCM_REGION_SW_MSI, VCM_REGION_DMA_HOLE,
	};
	unsigned long pfn[32];
	struct vcm *vcm = d->vcm;
	unsigned int nr, again;
	int i;

	KUNIT_ASSERT_EQ(test, vcm_dma_reserve_ranges(d->vd, d->dev, start,
						     last, type, 6), 0);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x100000, 0x103fff,
					  VCM_REGION_MSI, &nr), 1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x104000, 0x107fff,
					  VCM_REGION_PCI_WINDOW, NULL), 1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x110000, 0x110fff,
					  VCM_REGION_RESERVED, NULL), 1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x200000, 0x201fff,
					  VCM_REGION_SW_MSI, NULL), 1U);
	/* [0, 0xfff] is below the context; the nested DIRECT is covered. */
	KUNIT_EXPECT_EQ(test, nr, 4U);

	KUNIT_ASSERT_EQ(test, vcm_dma_reserve_ranges(d->vd, d->dev, start,
						     last, type, 6), 0);
	vcm_dma_has(vcm, 0, 0, VCM_REGION_NONE, &again);
	KUNIT_EXPECT_EQ(test, again, nr);

	/* Nothing the allocator hands out below 4 MiB touches a region. */
	for (i = 0; i < ARRAY_SIZE(pfn); i++) {
		pfn[i] = vcm_dma_alloc(d->vd, 16, (SZ_4M >> MOCK_SHIFT) - 1, true);
		KUNIT_ASSERT_NE(test, pfn[i], 0UL);
		KUNIT_EXPECT_TRUE(test, pfn[i] + 15 < 0x100 ||
				  (pfn[i] > 0x107 && pfn[i] + 15 < 0x110) ||
				  (pfn[i] > 0x110 && pfn[i] + 15 < 0x200) ||
				  pfn[i] > 0x201);
	}
	while (i--)
		vcm_dma_free(d->vd, pfn[i], 16);
}

/* A region over a live mapping is left out; one over cached IOVA is not. */
static void vcm_dma_test_region_in_use(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	enum vcm_region type = VCM_REGION_RESERVED;
	struct vcm *vcm = d->vcm;
	unsigned long live, cached;
	u64 start, last;
	unsigned int nr;

	live = vcm_dma_alloc(d->vd, 1, 0xfff, true);
	KUNIT_ASSERT_NE(test, live, 0UL);
	start = (u64)live << MOCK_SHIFT;
	last = start + MOCK_GRANULE - 1;
	KUNIT_EXPECT_EQ(test, vcm_dma_reserve_ranges(d->vd, d->dev, &start,
						     &last, &type, 1), 0);
	vcm_dma_has(vcm, 0, 0, VCM_REGION_NONE, &nr);
	KUNIT_EXPECT_EQ(test, nr, 0U);

	/* Partly mapped: the granules around the mapping are reserved. */
	start = (u64)(live - 2) << MOCK_SHIFT;
	last = ((u64)(live + 3) << MOCK_SHIFT) - 1;
	KUNIT_EXPECT_EQ(test, vcm_dma_reserve_ranges(d->vd, d->dev, &start,
						     &last, &type, 1), 0);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, start,
					  ((u64)live << MOCK_SHIFT) - 1, type,
					  NULL), 1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, (u64)(live + 1) << MOCK_SHIFT,
					  last, type, &nr), 1U);
	KUNIT_EXPECT_EQ(test, nr, 2U);
	KUNIT_EXPECT_FALSE(test, vcm_dma_fill(d->vd));

	KUNIT_EXPECT_FALSE(test, vcm_dma_covered(vcm, start, last, type));

	/* Unmapped, into the per-CPU cache: the part is reserved now. */
	vcm_dma_free(d->vd, live, 1);
	KUNIT_EXPECT_TRUE(test, vcm_dma_fill(d->vd));
	KUNIT_EXPECT_TRUE(test, vcm_dma_covered(vcm, start, last, type));
	vcm_dma_has(vcm, 0, 0, VCM_REGION_NONE, &nr);
	KUNIT_EXPECT_EQ(test, nr, 3U);
	cached = vcm_dma_alloc(d->vd, 1, 0xfff, true);
	KUNIT_EXPECT_NE(test, cached, live);
	vcm_dma_free(d->vd, cached, 1);

	/* Now the range sits in the per-CPU cache: the glue drains it. */
	cached = vcm_dma_alloc(d->vd, 1, 0xfff, true);
	KUNIT_ASSERT_NE(test, cached, 0UL);
	vcm_dma_free(d->vd, cached, 1);
	start = (u64)cached << MOCK_SHIFT;
	last = start + MOCK_GRANULE - 1;
	KUNIT_EXPECT_EQ(test, vcm_dma_reserve_ranges(d->vd, d->dev, &start,
						     &last, &type, 1), 0);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, start, last, type, NULL), 1U);
	KUNIT_EXPECT_NE(test, vcm_dma_alloc(d->vd, 1, cached, true), cached);
}

/*
 * A region of a device joining the domain that overlaps a window: the
 * window keeps its part (with a warning in the log), the parts of the
 * region around it are reserved.
 */
static void vcm_dma_test_region_over_window(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	enum vcm_region type = VCM_REGION_DIRECT;
	struct vcm *vcm = d->vcm;
	struct vcm_res *win;
	u64 start, last;
	unsigned int nr;

	win = vcm_dma_alloc_range(d->vd, d->dev, SZ_64K, SZ_64K, SZ_1M, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(win));
	start = SZ_1M - SZ_16K;
	last = SZ_1M + SZ_64K + SZ_16K - 1;
	KUNIT_EXPECT_EQ(test, vcm_dma_reserve_ranges(d->vd, d->dev, &start,
						     &last, &type, 1), 0);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, SZ_1M, SZ_1M + SZ_64K - 1,
					  VCM_REGION_NONE, NULL), 1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, start, SZ_1M - 1, type, NULL),
			1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, SZ_1M + SZ_64K, last, type,
					  &nr), 1U);
	KUNIT_EXPECT_EQ(test, nr, 3U);
	KUNIT_EXPECT_FALSE(test, vcm_dma_fill(d->vd));
	KUNIT_EXPECT_FALSE(test, vcm_dma_covered(vcm, start, last, type));

	/* Once the window is gone, its part of the region is reserved. */
	KUNIT_EXPECT_EQ(test, free_iova_range(win), 0);
	KUNIT_EXPECT_TRUE(test, vcm_dma_fill(d->vd));
	KUNIT_EXPECT_TRUE(test, vcm_dma_covered(vcm, start, last, type));
	vcm_dma_has(vcm, 0, 0, VCM_REGION_NONE, &nr);
	KUNIT_EXPECT_EQ(test, nr, 3U);
	win = vcm_dma_alloc_range(d->vd, d->dev, SZ_64K, SZ_64K, SZ_1M, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(win), -EADDRINUSE);
	if (!IS_ERR(win))
		free_iova_range(win);
}

/* A failure halfway through leaves no region behind. */
static void vcm_dma_test_region_fault(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	static const u64 start[] = { 0x100000, 0x200000, 0x300000 };
	static const u64 last[] = { 0x100fff, 0x200fff, 0x300fff };
	static const enum vcm_region type[] = {
		VCM_REGION_MSI, VCM_REGION_MSI, VCM_REGION_MSI,
	};
	struct vcm *vcm = d->vcm;
	unsigned int n, nr;

	for (n = 1; n <= 6; n++) {
		vcm_fail_nth(n);
		KUNIT_EXPECT_EQ(test,
				vcm_dma_reserve_ranges(d->vd, d->dev, start,
						       last, type, 3),
				-ENOMEM);
		vcm_fail_nth(0);
		vcm_dma_has(vcm, 0, 0, VCM_REGION_NONE, &nr);
		KUNIT_EXPECT_EQ(test, nr, 0U);
	}
	KUNIT_EXPECT_EQ(test, vcm_dma_reserve_ranges(d->vd, d->dev, start,
						     last, type, 3), 0);
	vcm_dma_has(vcm, 0, 0, VCM_REGION_NONE, &nr);
	KUNIT_EXPECT_EQ(test, nr, 3U);
}

/* The graph of @vd as debugfs shows it, NUL-terminated. */
static char *vcm_dma_graph(struct kunit *test, struct vcm_dma *vd)
{
	struct seq_file m = { .size = SZ_16K, .private = vd };

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, vcm_dma_show(&m, NULL), 0);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	m.buf[m.count] = '\0';
	return m.buf;
}

/*
 * Devices of a bus no bus notifier ever watched (kunit's) own the regions
 * reserved for them. When one leaves, as the IOMMU core's release path
 * makes it leave, a region another device also wants stays reserved, one
 * nobody else wants is given back, and the graph stops listing the
 * device, also once the device is freed.
 */
static void vcm_dma_test_devices(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	static const u64 start1[] = { 0x100000, 0x200000 };
	static const u64 last1[] = { 0x100fff, 0x200fff };
	static const u64 start2[] = { 0x200000 };
	static const u64 last2[] = { 0x203fff };
	static const enum vcm_region type[] = {
		VCM_REGION_MSI, VCM_REGION_MSI,
	};
	struct vcm *vcm = d->vcm;
	struct device *d1, *d2;
	char l1[96], l2[96];
	unsigned int nr;
	char *g;

	d1 = kunit_device_register(test, "vcm-dma-d1");
	d2 = kunit_device_register(test, "vcm-dma-d2");
	KUNIT_ASSERT_FALSE(test, IS_ERR(d1));
	KUNIT_ASSERT_FALSE(test, IS_ERR(d2));
	/* kunit names its devices "<test>.<name>" on bus "kunit". */
	snprintf(l1, sizeof(l1), "device kunit %s.vcm-dma-d1\n", test->name);
	snprintf(l2, sizeof(l2), "device kunit %s.vcm-dma-d2\n", test->name);
	KUNIT_ASSERT_EQ(test, vcm_dma_reserve_ranges(d->vd, d1, start1, last1,
						     type, 2), 0);
	KUNIT_ASSERT_EQ(test, vcm_dma_reserve_ranges(d->vd, d2, start2, last2,
						     type, 1), 0);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x100000, 0x100fff,
					  VCM_REGION_MSI, NULL), 1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x200000, 0x200fff,
					  VCM_REGION_MSI, NULL), 1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x201000, 0x203fff,
					  VCM_REGION_MSI, &nr), 1U);
	KUNIT_EXPECT_EQ(test, nr, 3U);
	g = vcm_dma_graph(test, d->vd);
	KUNIT_EXPECT_NOT_NULL(test, strstr(g, l1));
	KUNIT_EXPECT_NOT_NULL(test, strstr(g, l2));

	vcm_dma_remove_device(d->vd, d1);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x100000, 0x100fff,
					  VCM_REGION_MSI, NULL), 0U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x200000, 0x200fff,
					  VCM_REGION_MSI, NULL), 1U);
	KUNIT_EXPECT_EQ(test, vcm_dma_has(vcm, 0x201000, 0x203fff,
					  VCM_REGION_MSI, &nr), 1U);
	KUNIT_EXPECT_EQ(test, nr, 2U);
	kunit_device_unregister(test, d1);
	g = vcm_dma_graph(test, d->vd);
	KUNIT_EXPECT_NULL(test, strstr(g, "vcm-dma-d1"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(g, l2));

	/* A device never added, or no DMA domain: nothing happens. */
	vcm_dma_remove_device(d->vd, d->dev);
	vcm_dma_remove_device(NULL, d2);
	vcm_dma_has(vcm, 0, 0, VCM_REGION_NONE, &nr);
	KUNIT_EXPECT_EQ(test, nr, 2U);

	/* The region d1 gave to d2 goes with d2. */
	vcm_dma_remove_device(d->vd, d2);
	vcm_dma_has(vcm, 0, 0, VCM_REGION_NONE, &nr);
	KUNIT_EXPECT_EQ(test, nr, 0U);
	g = vcm_dma_graph(test, d->vd);
	KUNIT_EXPECT_NULL(test, strstr(g, "device "));
}

#if IS_ENABLED(CONFIG_IOMMU_DMA)
/*
 * The two-step API's fallback: a device without an IOMMU DMA domain gets
 * no range and a cleared state, whatever the state held before, and every
 * call on a state that holds no range is refused or does nothing.
 */
static void vcm_dma_test_iova_fallback(struct kunit *test)
{
	struct dma_iova_state st = { .addr = 0x1000, .__size = PAGE_SIZE };
	struct device *dev;

	dev = kunit_device_register(test, "vcm-iova");
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(dev, &st, 0, PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, dma_iova_link(dev, &st, 0x1000, 0, PAGE_SIZE,
					    DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_link(dev, &st, 0x1000, 0, PAGE_SIZE,
					    DMA_TO_DEVICE, DMA_ATTR_MMIO),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(dev, &st, 0, PAGE_SIZE), -EINVAL);
	dma_iova_unlink(dev, &st, 0, PAGE_SIZE, DMA_TO_DEVICE, 0);
	dma_iova_destroy(dev, &st, PAGE_SIZE, DMA_TO_DEVICE, 0);
	dma_iova_free(dev, &st);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, st.addr, 0);
}
#endif

/*
 * Hot path: size-aligned ranges below the limit; with DMA-API debug, a
 * double free or a free of a range never handed out is refused and the
 * allocator never hands one range out twice.
 */
static void vcm_dma_test_alloc_free(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	unsigned long a, b, c;

	KUNIT_EXPECT_EQ(test, vcm_dma_alloc(d->vd, 0, ULONG_MAX, true), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_dma_alloc(d->vd, 1, 0, true), 0UL);
	a = vcm_dma_alloc(d->vd, 3, 0xffff, true);
	KUNIT_ASSERT_NE(test, a, 0UL);
	KUNIT_EXPECT_EQ(test, a % 4, 0UL);
	KUNIT_EXPECT_LE(test, a + 3, 0xffffUL);
	vcm_dma_free(d->vd, a, 3);

	if (!IS_ENABLED(CONFIG_DMA_API_DEBUG))
		kunit_skip(test, "the free guard needs CONFIG_DMA_API_DEBUG");
	a = vcm_dma_alloc(d->vd, 1, 0xffff, true);
	KUNIT_ASSERT_NE(test, a, 0UL);
	vcm_dma_free(d->vd, a, 1);
	vcm_dma_free(d->vd, a, 1);		/* refused */
	vcm_dma_free_queued(d->vd, a, 1);	/* refused */
	vcm_dma_free(d->vd, 0x42, 1);		/* refused */
	b = vcm_dma_alloc(d->vd, 1, 0xffff, true);
	c = vcm_dma_alloc(d->vd, 1, 0xffff, true);
	KUNIT_EXPECT_NE(test, b, 0UL);
	KUNIT_EXPECT_NE(test, c, 0UL);
	KUNIT_EXPECT_NE(test, b, c);
	KUNIT_EXPECT_NE(test, b, 0x42UL);
	KUNIT_EXPECT_NE(test, c, 0x42UL);
	/* The wrong size is refused too, and the range stays allocated. */
	vcm_dma_free(d->vd, b, 2);
	KUNIT_EXPECT_NE(test, vcm_dma_alloc(d->vd, 1, b, true), b);
	vcm_dma_free(d->vd, b, 1);
	vcm_dma_free_queued(d->vd, c, 1);
}

#if IS_ENABLED(CONFIG_DMA_WINDOW)
/*
 * The explicit window API over the mock: ranges with every bad argument,
 * then a window with an sg, pages, MMIO and a physical range mapped,
 * checked in the mock's page table, every bad map, unmap, sync and free
 * refused with nothing changed, and everything unmapped again.
 */
static void vcm_dma_test_window(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	struct page *pg[4] = { };
	const phys_addr_t mmio = 0xfe000000;
	struct scatterlist sg[4];
	struct dma_window win_mem, *win = &win_mem;
	struct vcm_res *range;
	unsigned long mapped;
	int i;
	/* Where the parts go in a window of wsize; nothing is at o_free. */
	const size_t o_b = KPAGES(SZ_64K), o_c = KPAGES(SZ_128K);
	const size_t o_d = KPAGES(SZ_256K), o_free = KPAGES(SZ_512K);
	const size_t wsize = KPAGES(SZ_1M);

	/* No IOMMU domain behind a kunit device: the documented fallback. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(alloc_iova_range(d->dev, SZ_64K, 0, 0, 0)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, dma_alloc_window(d->dev, win, SZ_64K, 0, 0, 0),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, PTR_ERR(alloc_iova_range(NULL, SZ_64K, 0, 0, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dma_alloc_window(NULL, win, SZ_64K, 0, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dma_alloc_window(d->dev, NULL, SZ_64K, 0, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, free_iova_range(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_free_window(NULL), -EINVAL);

	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_alloc_range(d->vd, d->dev, 0, 0,
							  0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_alloc_range(d->vd, d->dev, SZ_64K,
							  3 * SZ_4K, 0, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_alloc_range(d->vd, d->dev, SZ_64K,
							  0, SZ_1M + 1, 0)),
			-EINVAL);
	/* A kunit device has the default 32-bit DMA mask. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_alloc_range(d->vd, d->dev, SZ_64K,
							  0, SZ_4G, 0)),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_alloc_range(d->vd, d->dev, SZ_64K,
							  0, 0, SZ_8G - 1)),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, d->vcm->nr_res, 0UL);

	range = vcm_dma_alloc_range(d->vd, d->dev, wsize - 1, wsize, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(range));
	KUNIT_EXPECT_EQ(test, range->size, (u64)wsize);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(range->start, wsize));
	KUNIT_EXPECT_LE(test, (u64)range->start + range->size - 1,
			(u64)DMA_BIT_MASK(32));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_alloc_range(d->vd, d->dev, o_b,
							  0, range->start +
							  o_b, 0)),
			-EADDRINUSE);
	dma_window_wrap(d->dev, win, range);

	for (i = 0; i < 4; i++) {
		pg[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pg[i]);
	}
	sg_init_table(sg, 4);
	for (i = 0; i < 4; i++)
		sg_set_page(&sg[i], pg[i], PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, dma_window_map_sg(win, 0, sg, 4,
						DMA_BIDIRECTIONAL, 0), 0);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, sg_dma_address(&sg[i]),
				win->iova + i * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, vcm_mock_translate(d->mock, win->iova +
							 i * PAGE_SIZE + 8),
				page_to_phys(pg[i]) + 8);
	}
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(win, o_b, &pg[0], 1,
						   DMA_FROM_DEVICE, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_window_map_resource(win, o_c, mmio,
						      PAGE_SIZE,
						      DMA_BIDIRECTIONAL, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_window_map_phys(win, o_d,
						  page_to_phys(pg[1]),
						  PAGE_SIZE, DMA_TO_DEVICE, 0),
			0);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(d->mock, win->iova + o_b),
			page_to_phys(pg[0]));
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(d->mock, win->iova + o_c),
			mmio);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(d->mock, win->iova + o_d),
			page_to_phys(pg[1]));
	mapped = d->mock->nr_mapped;
	KUNIT_EXPECT_EQ(test, mapped, 7 * PAGE_SIZE / MOCK_GRANULE);

	/* Bad calls: each fails and nothing changes. */
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(win, o_b, &pg[2], 1,
						   DMA_TO_DEVICE, 0),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(win, o_free + 0x800,
						   &pg[2], 1, DMA_TO_DEVICE,
						   0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(win, wsize - PAGE_SIZE,
						   pg, 2, DMA_TO_DEVICE, 0),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(win, o_free, &pg[2], 1,
						   DMA_NONE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(win, o_free, pg, 0,
						   DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_window_map_sg(win, o_free, sg, 0,
						DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(win, o_free, PAGE_SIZE, 0),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(win, 0, PAGE_SIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(win, PAGE_SIZE, PAGE_SIZE, 0),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(win, wsize, PAGE_SIZE, 0),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, dma_window_sync_for_cpu(win, o_free, PAGE_SIZE,
						      DMA_FROM_DEVICE), -ENOENT);
	KUNIT_EXPECT_EQ(test, dma_window_sync_for_cpu(win, 0, o_b +
						      PAGE_SIZE,
						      DMA_FROM_DEVICE), -ENOENT);
	KUNIT_EXPECT_EQ(test, dma_window_sync_for_device(win, 0, PAGE_SIZE,
							 DMA_NONE), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_free_window(win), -EBUSY);
	KUNIT_EXPECT_EQ(test, d->mock->nr_mapped, mapped);

	/* A sync may span parts; then everything goes. */
	KUNIT_EXPECT_EQ(test, dma_window_sync_for_cpu(win, PAGE_SIZE,
						      3 * PAGE_SIZE,
						      DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(win, 0, 4 * PAGE_SIZE, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(win, o_b, PAGE_SIZE, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(win, o_c, PAGE_SIZE, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(win, o_d, PAGE_SIZE, 0), 0);
	KUNIT_EXPECT_EQ(test, d->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(d->mock, win->iova + o_b), 0);
	KUNIT_EXPECT_EQ(test, dma_free_window(win), 0);
	KUNIT_EXPECT_EQ(test, d->vcm->nr_res, 0UL);
	for (i = 0; i < 4; i++)
		__free_page(pg[i]);
}

struct vcm_dma_racer {
	struct dma_window *win;
	struct completion *go;
	struct completion done;
	int ret;
};

static int vcm_dma_free_racer(void *data)
{
	struct vcm_dma_racer *r = data;

	wait_for_completion(r->go);
	r->ret = dma_free_window(r->win);
	complete(&r->done);
	return 0;
}

/*
 * A window's lifetime. One never made, one freed and one freed by two
 * threads at once refuse every call. One whose domain goes away is
 * unmapped from the domain, refuses new mappings, and can still be
 * unmapped and freed, which frees its context.
 */
static void vcm_dma_test_window_lifetime(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	DECLARE_COMPLETION_ONSTACK(go);
	struct vcm_dma_racer r[2];
	struct task_struct *task;
	struct dma_window win;
	struct vcm_res *range;
	struct page *pg;
	int i, round;
	long nr_ctx;

	KUNIT_EXPECT_EQ(test, dma_alloc_window(d->dev, &win, SZ_64K, 0, 0, 0),
			-EOPNOTSUPP);
	pg = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pg);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(&win, 0, &pg, 1,
						   DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(&win, 0, PAGE_SIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_window_sync_for_cpu(&win, 0, PAGE_SIZE,
						      DMA_FROM_DEVICE), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_free_window(&win), -EINVAL);

	for (round = 0; round < 8; round++) {
		range = vcm_dma_alloc_range(d->vd, d->dev, SZ_64K, 0, 0, 0);
		if (IS_ERR(range))
			break;
		dma_window_wrap(d->dev, &win, range);
		reinit_completion(&go);
		for (i = 0; i < 2; i++) {
			r[i].win = &win;
			r[i].go = &go;
			r[i].ret = 1;
			init_completion(&r[i].done);
			task = kthread_run(vcm_dma_free_racer, &r[i],
					   "vcm-free-%d", i);
			if (IS_ERR(task)) {
				r[i].ret = dma_free_window(&win);
				complete(&r[i].done);
			}
		}
		complete_all(&go);
		for (i = 0; i < 2; i++)
			wait_for_completion(&r[i].done);
		KUNIT_EXPECT_EQ(test, min(r[0].ret, r[1].ret), -EINVAL);
		KUNIT_EXPECT_EQ(test, max(r[0].ret, r[1].ret), 0);
		KUNIT_EXPECT_EQ(test, d->vcm->nr_res, 0UL);
	}
	KUNIT_EXPECT_EQ(test, round, 8);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(&win, 0, &pg, 1,
						   DMA_TO_DEVICE, 0), -EINVAL);

	range = vcm_dma_alloc_range(d->vd, d->dev, KPAGES(SZ_64K), 0, 0, 0);
	if (IS_ERR(range)) {
		__free_page(pg);
		KUNIT_FAIL(test, "no range: %ld", PTR_ERR(range));
		return;
	}
	dma_window_wrap(d->dev, &win, range);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(&win, 0, &pg, 1,
						   DMA_TO_DEVICE, 0), 0);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(d->mock, win.iova),
			page_to_phys(pg));
	nr_ctx = atomic_long_read(&vcm_nr_ctx);
	vcm_dma_destroy(d->vd);
	d->vd = NULL;
	/* Unmapped from the domain; the context stays for the window. */
	KUNIT_EXPECT_EQ(test, d->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_ctx), nr_ctx);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(&win, KPAGES(SZ_16K), &pg, 1,
						   DMA_TO_DEVICE, 0), -ENODEV);
	KUNIT_EXPECT_EQ(test, dma_window_sync_for_cpu(&win, 0, PAGE_SIZE,
						      DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_free_window(&win), -EBUSY);
	KUNIT_EXPECT_EQ(test, dma_window_unmap(&win, 0, PAGE_SIZE, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_free_window(&win), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_ctx), nr_ctx - 1);
	KUNIT_EXPECT_EQ(test, dma_window_map_pages(&win, 0, &pg, 1,
						   DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, d->mock->nr_mapped, 0UL);
	__free_page(pg);
}
#endif

#if IS_ENABLED(CONFIG_IOMMU_DMA) && IS_ENABLED(CONFIG_DMA_WINDOW)
/*
 * A two-step range from dma_iova_alloc_range() is a reservation of the
 * domain's context: the graph lists it, and no window can overlap it.
 * Once the domain is gone, linking into it fails with -ENODEV before any
 * domain is looked up, syncing fails, unlinking does nothing, and
 * dma_iova_free() gives it back, freeing the revoked context with it.
 */
static void vcm_dma_test_iova_range(struct kunit *test)
{
	struct vcm_dma_test *d = test->priv;
	struct dma_iova_state st;
	struct vcm_res *range;
	long nr_ctx;

	range = vcm_dma_alloc_range(d->vd, d->dev, KPAGES(SZ_64K),
				    KPAGES(SZ_64K), 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(range));
	st = (struct dma_iova_state){
		.addr = range->start,
		.__size = range->size,
		.__range = range,
	};
	KUNIT_EXPECT_TRUE(test, dma_use_iova(&st));
	KUNIT_EXPECT_TRUE(test, iova_range_live(range));
	KUNIT_EXPECT_EQ(test, vcm_dma_has(d->vcm, st.addr,
					  st.addr + KPAGES(SZ_64K) - 1,
					  VCM_REGION_NONE, NULL), 1U);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_dma_alloc_range(d->vd, d->dev,
							  PAGE_SIZE, 0,
							  st.addr + PAGE_SIZE,
							  0)),
			-EADDRINUSE);

	nr_ctx = atomic_long_read(&vcm_nr_ctx);
	vcm_dma_destroy(d->vd);
	d->vd = NULL;
	KUNIT_EXPECT_FALSE(test, iova_range_live(range));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_ctx), nr_ctx);
	KUNIT_EXPECT_EQ(test, dma_iova_link(d->dev, &st, PAGE_SIZE, 0, PAGE_SIZE,
					    DMA_TO_DEVICE, 0), -ENODEV);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(d->dev, &st, 0, PAGE_SIZE),
			-EINVAL);
	dma_iova_unlink(d->dev, &st, 0, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, d->mock->nr_mapped, 0UL);
	dma_iova_free(d->dev, &st);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_ctx), nr_ctx - 1);
	dma_iova_free(d->dev, &st);

	/* Without an IOMMU: refused, and the state says so. */
	KUNIT_EXPECT_EQ(test, dma_iova_alloc_range(d->dev, &st, SZ_64K, 0, 0,
						   0), -EOPNOTSUPP);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, dma_iova_alloc_range(NULL, &st, SZ_64K, 0, 0, 0),
			-EINVAL);
}
#endif

static struct kunit_case vcm_dma_test_cases[] = {
	KUNIT_CASE(vcm_dma_test_create_errors),
	KUNIT_CASE(vcm_dma_test_regions),
	KUNIT_CASE(vcm_dma_test_region_in_use),
	KUNIT_CASE(vcm_dma_test_region_fault),
	KUNIT_CASE(vcm_dma_test_region_over_window),
	KUNIT_CASE(vcm_dma_test_devices),
	KUNIT_CASE(vcm_dma_test_alloc_free),
#if IS_ENABLED(CONFIG_IOMMU_DMA)
	KUNIT_CASE(vcm_dma_test_iova_fallback),
#endif
#if IS_ENABLED(CONFIG_DMA_WINDOW)
	KUNIT_CASE(vcm_dma_test_window),
	KUNIT_CASE(vcm_dma_test_window_lifetime),
#endif
#if IS_ENABLED(CONFIG_IOMMU_DMA) && IS_ENABLED(CONFIG_DMA_WINDOW)
	KUNIT_CASE(vcm_dma_test_iova_range),
#endif
	{}
};

static struct kunit_suite vcm_dma_test_suite = {
	.name = "vcm_dma",
	.init = vcm_dma_test_init,
	.exit = vcm_dma_test_exit,
	.test_cases = vcm_dma_test_cases,
};

kunit_test_suite(vcm_dma_test_suite);
