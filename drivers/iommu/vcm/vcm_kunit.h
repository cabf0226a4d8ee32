/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the vcm_kunit module: the mock IOMMU domain (mock_domain.c)
 * that the graph suite (graph_kunit.c) and the DMA suite (dma_kunit.c) use.
 */
#ifndef _VCM_KUNIT_H
#define _VCM_KUNIT_H

#include <linux/iommu.h>
#include <linux/xarray.h>

struct kunit;

#define MOCK_SHIFT	12
#define MOCK_GRANULE	BIT(MOCK_SHIFT)
#define MOCK_PGSIZES	(SZ_4K | SZ_64K | SZ_2M)
#define MOCK_START	SZ_1M
#define MOCK_SIZE	SZ_1G

/*
 * A size or offset the tests were written for with 4 KiB pages, scaled to
 * as many pages of PAGE_SIZE: the same on 4 KiB pages, page-aligned on
 * bigger ones.
 */
#define KPAGES(n)	((size_t)(n) / SZ_4K * PAGE_SIZE)

/* The reserved regions the mock IOMMU reports for each device, 1 MiB. */
#define VCM_MOCK_MSI	0xfee00000UL
#define VCM_MOCK_SW_MSI	0x08000000UL

struct vcm_mock {
	struct iommu_domain domain;
	struct xarray pt;
	unsigned long nr_mapped;
	unsigned long mismatches;
	unsigned int fail_nth;
	int fail_err;		/* what the failing map returns; -ENOMEM if 0 */
	/* iotlb_sync_map() calls: one per iommu_map()/iommu_map_sg() */
	unsigned long nr_sync;
	/* Pages map_pages() mapped, by log2 of their size. */
	unsigned long nr_pgsize[BITS_PER_LONG];
	/* Called once, by the next map_pages(), before it maps anything. */
	void (*map_hook)(void *data);
	void *map_hook_data;
};

unsigned long vcm_mock_nr_pgsize(struct vcm_mock *m, unsigned long pgsize);
void vcm_mock_reset_pgsizes(struct vcm_mock *m);
struct vcm_mock *vcm_mock_create(struct kunit *test);
void vcm_mock_destroy(struct kunit *test, struct vcm_mock *m);
phys_addr_t vcm_mock_translate(struct vcm_mock *m, dma_addr_t iova);

int vcm_mock_iommu_register(void);
void vcm_mock_iommu_unregister(void);
struct device *vcm_mock_iommu_add(struct kunit *test, const char *name);
void vcm_mock_iommu_remove(struct device *dev);
long vcm_mock_iommu_leftovers(void);
struct vcm_mock *vcm_mock_of(struct device *dev);

#endif /* _VCM_KUNIT_H */
