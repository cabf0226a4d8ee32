// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the DMA API on devices that the IOMMU core probed behind
 * the mock IOMMU of mock_domain.c: each device has a group and a default
 * DMA domain of its own, so dma_map_*() and the two-step dma_iova_*()
 * calls take their whole path through dma-iommu and VCM, and the mock's
 * page table shows what they mapped.
 */

#include <kunit/test.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-window.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/vcm.h>

#include "vcm_kunit.h"

/* Where the tests link MMIO: no memory needs to be there. */
#define VCM_TEST_MMIO	0xfe000000ULL

struct vcm_iommu_test {
	struct device *dev;
	struct page *page[2];
};

static int vcm_iommu_test_init(struct kunit *test)
{
	struct vcm_iommu_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	test->priv = t;
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->page[0] = alloc_page(GFP_KERNEL);
	t->page[1] = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->page[0]);
	KUNIT_ASSERT_NOT_NULL(test, t->page[1]);
	t->dev = vcm_mock_iommu_add(test, test->name);
	KUNIT_ASSERT_NOT_NULL(test, t->dev);
	return 0;
}

/* The device leaves through the IOMMU core; its domain must be empty. */
static void vcm_iommu_test_exit(struct kunit *test)
{
	struct vcm_iommu_test *t = test->priv;
	long before = vcm_mock_iommu_leftovers();

	if (!t)
		return;
	if (t->dev) {
		vcm_mock_iommu_remove(t->dev);
		KUNIT_EXPECT_EQ(test, vcm_mock_iommu_leftovers(), before);
	}
	if (t->page[0])
		__free_page(t->page[0]);
	if (t->page[1])
		__free_page(t->page[1]);
}

static phys_addr_t vcm_iommu_translate(struct vcm_iommu_test *t,
				       dma_addr_t addr)
{
	return vcm_mock_translate(vcm_mock_of(t->dev), addr);
}

/* The device is in a DMA domain whose IOVA comes from VCM. */
static void vcm_iommu_test_streaming(struct kunit *test)
{
	struct vcm_iommu_test *t = test->priv;
	phys_addr_t phys = page_to_phys(t->page[0]);
	struct iommu_domain *domain;
	dma_addr_t addr;
	void *cpu;

	domain = iommu_get_domain_for_dev(t->dev);
	KUNIT_ASSERT_NOT_NULL(test, domain);
	KUNIT_EXPECT_EQ(test, domain->type, (unsigned int)IOMMU_DOMAIN_DMA);
	KUNIT_EXPECT_NOT_NULL(test, domain->iova_cookie);

	addr = dma_map_page(t->dev, t->page[0], 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, addr));
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, addr), phys);
	dma_unmap_page(t->dev, addr, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, addr), 0);

	cpu = dma_alloc_coherent(t->dev, SZ_16K, &addr, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_EXPECT_NE(test, vcm_iommu_translate(t, addr), 0);
	dma_free_coherent(t->dev, SZ_16K, cpu, addr);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, addr), 0);
}

/*
 * dma_iova_try_alloc() and the calls on its range, with every documented
 * bad input: a refused call links nothing.
 */
static void vcm_iommu_test_two_step(struct kunit *test)
{
	struct vcm_iommu_test *t = test->priv;
	phys_addr_t p0 = page_to_phys(t->page[0]);
	phys_addr_t p1 = page_to_phys(t->page[1]);
	const size_t size = 3 * PAGE_SIZE;
	struct dma_iova_state st;

	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(t->dev, &st, p0, 0));
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(t->dev, &st, p0, size));
	KUNIT_EXPECT_TRUE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, st.__size, size);
	KUNIT_EXPECT_EQ(test, st.addr & ~PAGE_MASK, 0);

	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p0, 0, PAGE_SIZE,
					    DMA_NONE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p0, 0, 0,
					    DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p0, size - PAGE_SIZE,
					    2 * PAGE_SIZE, DMA_TO_DEVICE, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p0 + 8, 0, PAGE_SIZE,
					    DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr), 0);

	/* Two pages and MMIO, one after the other. */
	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p0, 0, PAGE_SIZE,
					    DMA_TO_DEVICE, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p1, PAGE_SIZE,
					    PAGE_SIZE, DMA_TO_DEVICE, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, VCM_TEST_MMIO,
					    2 * PAGE_SIZE, PAGE_SIZE,
					    DMA_TO_DEVICE, DMA_ATTR_MMIO), 0);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(t->dev, &st, 0, size), 0);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(t->dev, &st, 0, size + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(t->dev, &st, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr), p0);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr + PAGE_SIZE), p1);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr + 2 * PAGE_SIZE),
			VCM_TEST_MMIO);

	/* Unlink the middle page: only it stops translating; link again. */
	dma_iova_unlink(t->dev, &st, PAGE_SIZE, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr + PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr), p0);
	dma_iova_unlink(t->dev, &st, size, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr + 2 * PAGE_SIZE),
			VCM_TEST_MMIO);
	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p1, PAGE_SIZE,
					    PAGE_SIZE, DMA_TO_DEVICE, 0), 0);

	dma_iova_destroy(t->dev, &st, size, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, vcm_mock_of(t->dev)->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p0, 0, PAGE_SIZE,
					    DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(t->dev, &st, 0, PAGE_SIZE),
			-EINVAL);
	dma_iova_free(t->dev, &st);

	/* dma_map_phys(), and MMIO without a struct page. */
	st.addr = dma_map_phys(t->dev, VCM_TEST_MMIO, PAGE_SIZE,
			       DMA_FROM_DEVICE, DMA_ATTR_MMIO);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, st.addr));
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr), VCM_TEST_MMIO);
	dma_unmap_phys(t->dev, st.addr, PAGE_SIZE, DMA_FROM_DEVICE,
		       DMA_ATTR_MMIO);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, st.addr), 0);
}

/*
 * dma_iova_alloc_range(): a fixed address, disjoint from every other
 * range of the domain, with the two-step calls working on it.
 */
static void vcm_iommu_test_alloc_range(struct kunit *test)
{
	struct vcm_iommu_test *t = test->priv;
	phys_addr_t p0 = page_to_phys(t->page[0]);
	const dma_addr_t fixed = SZ_256M;
	struct dma_iova_state st, st2;
	dma_addr_t addr;

	KUNIT_EXPECT_EQ(test, dma_iova_alloc_range(t->dev, &st, SZ_64K, SZ_64K,
						   fixed + SZ_4K, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_alloc_range(t->dev, &st, 0, 0, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_alloc_range(t->dev, &st, SZ_64K, 0, 0,
						   DMA_BIT_MASK(40)), -ERANGE);
	KUNIT_EXPECT_EQ(test, dma_iova_alloc_range(t->dev, &st, SZ_64K, 0,
						   DMA_BIT_MASK(32) - SZ_32K + 1,
						   0), -ERANGE);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));

	KUNIT_ASSERT_EQ(test, dma_iova_alloc_range(t->dev, &st, KPAGES(SZ_64K),
						   KPAGES(SZ_64K), fixed, 0), 0);
	KUNIT_EXPECT_EQ(test, st.addr, fixed);
	KUNIT_EXPECT_EQ(test, st.__size, KPAGES(SZ_64K));
	KUNIT_EXPECT_EQ(test, dma_iova_alloc_range(t->dev, &st2, PAGE_SIZE, 0,
						   fixed + KPAGES(SZ_32K), 0),
			-EADDRINUSE);

	KUNIT_EXPECT_EQ(test, dma_iova_link(t->dev, &st, p0, KPAGES(SZ_32K),
					    PAGE_SIZE,
					    DMA_BIDIRECTIONAL, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(t->dev, &st, KPAGES(SZ_32K),
					    PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, fixed + KPAGES(SZ_32K)),
			p0);

	/* Streaming mappings stay out of the range. */
	addr = dma_map_page(t->dev, t->page[1], 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, addr));
	KUNIT_EXPECT_TRUE(test, addr + PAGE_SIZE <= fixed ||
			  addr >= fixed + KPAGES(SZ_64K));
	dma_unmap_page(t->dev, addr, PAGE_SIZE, DMA_TO_DEVICE);

	dma_iova_unlink(t->dev, &st, KPAGES(SZ_32K), PAGE_SIZE,
			DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, fixed + KPAGES(SZ_32K)),
			0);
	dma_iova_destroy(t->dev, &st, 0, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	dma_iova_free(t->dev, &st);

	/* Given back: the address can be had again. */
	KUNIT_ASSERT_EQ(test, dma_iova_alloc_range(t->dev, &st, KPAGES(SZ_64K),
						   0, fixed, 0), 0);
	dma_iova_free(t->dev, &st);
}

/*
 * A device leaving through the IOMMU core's release path takes its domain
 * with it: a range reserved for it is revoked, and still given back.
 */
static void vcm_iommu_test_release(struct kunit *test)
{
	struct vcm_iommu_test *t = test->priv;
	struct device *dev;
	struct vcm_res *range;
	dma_addr_t addr;
	long before;

	dev = vcm_mock_iommu_add(test, "vcm_iommu_test_release2");
	KUNIT_ASSERT_NOT_NULL(test, dev);
	range = alloc_iova_range(dev, SZ_64K, 0, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(range));
	KUNIT_EXPECT_TRUE(test, iova_range_live(range));

	before = vcm_mock_iommu_leftovers();
	vcm_mock_iommu_remove(dev);
	KUNIT_EXPECT_EQ(test, vcm_mock_iommu_leftovers(), before);
	KUNIT_EXPECT_FALSE(test, iova_range_live(range));
	KUNIT_EXPECT_EQ(test, free_iova_range(range), 0);

	/* The other device keeps its domain and its mappings. */
	addr = dma_map_page(t->dev, t->page[0], 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, addr));
	KUNIT_EXPECT_EQ(test, vcm_iommu_translate(t, addr),
			page_to_phys(t->page[0]));
	dma_unmap_page(t->dev, addr, PAGE_SIZE, DMA_TO_DEVICE);
}

/*
 * Of the IOMMU driver's reserved regions, the hardware MSI range stays out
 * of every allocation, while the software MSI window is ordinary IOVA in
 * a DMA domain, as upstream has it: a fixed range may use it.
 */
static void vcm_iommu_test_msi_regions(struct kunit *test)
{
	struct vcm_iommu_test *t = test->priv;
	struct dma_iova_state st;

	KUNIT_EXPECT_EQ(test, dma_iova_alloc_range(t->dev, &st, SZ_64K, 0,
						   VCM_MOCK_MSI, 0),
			-EADDRINUSE);
	KUNIT_ASSERT_EQ(test, dma_iova_alloc_range(t->dev, &st, SZ_1M, 0,
						   VCM_MOCK_SW_MSI, 0), 0);
	KUNIT_EXPECT_EQ(test, st.addr, VCM_MOCK_SW_MSI);
	dma_iova_free(t->dev, &st);
}

static int vcm_iommu_suite_init(struct kunit_suite *suite)
{
	return vcm_mock_iommu_register();
}

static void vcm_iommu_suite_exit(struct kunit_suite *suite)
{
	vcm_mock_iommu_unregister();
}

static struct kunit_case vcm_iommu_test_cases[] = {
	KUNIT_CASE(vcm_iommu_test_streaming),
	KUNIT_CASE(vcm_iommu_test_two_step),
	KUNIT_CASE(vcm_iommu_test_alloc_range),
	KUNIT_CASE(vcm_iommu_test_release),
	KUNIT_CASE(vcm_iommu_test_msi_regions),
	{}
};

static struct kunit_suite vcm_iommu_test_suite = {
	.name = "vcm_dma_iommu",
	.suite_init = vcm_iommu_suite_init,
	.suite_exit = vcm_iommu_suite_exit,
	.init = vcm_iommu_test_init,
	.exit = vcm_iommu_test_exit,
	.test_cases = vcm_iommu_test_cases,
};

kunit_test_suite(vcm_iommu_test_suite);
