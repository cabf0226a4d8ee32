// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mock IOMMU domain of the VCM KUnit tests (the vcm_kunit module).
 *
 * The mock is a paging iommu_domain built here, with no IOMMU device
 * behind it: its ops keep a page table in an xarray, one entry per 4 KiB
 * granule, so that iommu_map()/iommu_unmap() of the IOMMU core work on it
 * unchanged. An unmap that does not cover whole earlier maps is counted in
 * ->mismatches, which every test checks to be 0, and warns once, which
 * only a bug in VCM can cause. The mock can fail its n-th map.
 *
 * The mock IOMMU puts the same page tables behind real devices: devices
 * of a bus of its own, which the IOMMU core probes into groups with a
 * default DMA domain, so that the DMA API runs its whole path, through
 * dma-iommu and VCM, down to a mock page table.
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/fwnode.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "../iommu-priv.h"
#include "vcm_kunit.h"

/* Page table entry: the pfn, and whether a map_pages() page starts here. */
#define MOCK_PTE(pfn, first)	xa_mk_value(((pfn) << 1) | ((first) ? 1 : 0))
#define MOCK_PTE_PFN(e)		(xa_to_value(e) >> 1)
#define MOCK_PTE_FIRST(e)	(xa_to_value(e) & 1)

static struct vcm_mock *to_mock(struct iommu_domain *domain)
{
	return container_of(domain, struct vcm_mock, domain);
}

static void mock_erase(struct vcm_mock *m, unsigned long idx,
		       unsigned long nr)
{
	while (nr--) {
		xa_erase(&m->pt, idx++);
		m->nr_mapped--;
	}
}

static int mock_map_pages(struct iommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t pgsize, size_t pgcount,
			  int prot, gfp_t gfp, size_t *mapped)
{
	struct vcm_mock *m = to_mock(domain);
	unsigned long g, nr = pgsize >> MOCK_SHIFT;
	void (*hook)(void *data) = m->map_hook;
	size_t i;

	if (hook) {
		m->map_hook = NULL;
		hook(m->map_hook_data);
	}
	if (m->fail_nth && !--m->fail_nth)
		return m->fail_err ?: -ENOMEM;
	for (i = 0; i < pgcount; i++) {
		unsigned long idx = (iova + i * pgsize) >> MOCK_SHIFT;
		unsigned long pfn = (paddr + i * pgsize) >> MOCK_SHIFT;

		for (g = 0; g < nr; g++) {
			void *old = xa_cmpxchg(&m->pt, idx + g, NULL,
					       MOCK_PTE(pfn + g, !g), gfp);

			if (old) {
				if (!xa_is_err(old)) {
					m->mismatches++;
					WARN_ONCE(1, "vcm mock: double map\n");
				}
				mock_erase(m, idx, g);
				return xa_is_err(old) ? xa_err(old) : -EEXIST;
			}
			m->nr_mapped++;
		}
		*mapped += pgsize;
		m->nr_pgsize[ilog2(pgsize)]++;
	}
	return 0;
}

/* How many pages of @pgsize map_pages() mapped since the last reset. */
unsigned long vcm_mock_nr_pgsize(struct vcm_mock *m, unsigned long pgsize)
{
	return m->nr_pgsize[ilog2(pgsize)];
}

void vcm_mock_reset_pgsizes(struct vcm_mock *m)
{
	memset(m->nr_pgsize, 0, sizeof(m->nr_pgsize));
}

static size_t mock_unmap_pages(struct iommu_domain *domain,
			       unsigned long iova, size_t pgsize,
			       size_t pgcount,
			       struct iommu_iotlb_gather *gather)
{
	struct vcm_mock *m = to_mock(domain);
	unsigned long idx = iova >> MOCK_SHIFT, g;
	unsigned long nr = (pgsize * pgcount) >> MOCK_SHIFT;
	void *end = xa_load(&m->pt, idx + nr);
	void *e;

	/* The range must cover whole earlier map_pages() pages. */
	e = xa_load(&m->pt, idx);
	if (!e || !MOCK_PTE_FIRST(e) || (end && !MOCK_PTE_FIRST(end)))
		goto mismatch;
	for (g = 1; g < nr; g++)
		if (!xa_load(&m->pt, idx + g))
			goto mismatch;
	mock_erase(m, idx, nr);
	return pgsize * pgcount;

mismatch:
	m->mismatches++;
	WARN_ONCE(1, "vcm mock: unmap of %#lx+%#zx matches no map\n", iova,
		  pgsize * pgcount);
	return 0;
}

static phys_addr_t mock_iova_to_phys(struct iommu_domain *domain,
				     dma_addr_t iova)
{
	void *e = xa_load(&to_mock(domain)->pt, iova >> MOCK_SHIFT);

	if (!e)
		return 0;
	return ((phys_addr_t)MOCK_PTE_PFN(e) << MOCK_SHIFT) |
	       (iova & (MOCK_GRANULE - 1));
}

static int mock_sync_map(struct iommu_domain *domain, unsigned long iova,
			 size_t size)
{
	to_mock(domain)->nr_sync++;
	return 0;
}

static const struct iommu_domain_ops mock_domain_ops = {
	.map_pages = mock_map_pages,
	.iotlb_sync_map = mock_sync_map,
	.unmap_pages = mock_unmap_pages,
	.iova_to_phys = mock_iova_to_phys,
};

struct vcm_mock *vcm_mock_create(struct kunit *test)
{
	struct vcm_mock *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->domain.type = IOMMU_DOMAIN_UNMANAGED;
	m->domain.ops = &mock_domain_ops;
	m->domain.pgsize_bitmap = MOCK_PGSIZES;
	xa_init(&m->pt);
	return m;
}

/* Check that nothing is left mapped and no unmap mismatched; free. */
void vcm_mock_destroy(struct kunit *test, struct vcm_mock *m)
{
	unsigned long idx, left = 0;
	void *e;

	xa_for_each(&m->pt, idx, e)
		left++;
	KUNIT_EXPECT_EQ(test, left, 0UL);
	KUNIT_EXPECT_EQ(test, m->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, m->mismatches, 0UL);
	xa_destroy(&m->pt);
}

phys_addr_t vcm_mock_translate(struct vcm_mock *m, dma_addr_t iova)
{
	return iommu_iova_to_phys(&m->domain, iova);
}

/* The mock IOMMU and its bus. */
static const struct bus_type vcm_mock_bus = {
	.name = "vcm_mock",
};

static struct iommu_device vcm_mock_iommu;
static struct fwnode_handle vcm_mock_fwnode;
static struct notifier_block vcm_mock_nb;
/* Granules left mapped, and bad unmaps, in the domains freed so far. */
static atomic_long_t vcm_mock_leftovers;

static int vcm_mock_attach(struct iommu_domain *domain, struct device *dev)
{
	return 0;
}

static void vcm_mock_domain_free(struct iommu_domain *domain)
{
	struct vcm_mock *m = to_mock(domain);

	atomic_long_add(m->nr_mapped + m->mismatches, &vcm_mock_leftovers);
	xa_destroy(&m->pt);
	kfree(m);
}

static const struct iommu_domain_ops vcm_mock_iommu_domain_ops = {
	.attach_dev = vcm_mock_attach,
	.map_pages = mock_map_pages,
	.iotlb_sync_map = mock_sync_map,
	.unmap_pages = mock_unmap_pages,
	.iova_to_phys = mock_iova_to_phys,
	.free = vcm_mock_domain_free,
};

static struct iommu_domain *vcm_mock_alloc_paging(struct device *dev)
{
	struct vcm_mock *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return ERR_PTR(-ENOMEM);
	m->domain.ops = &vcm_mock_iommu_domain_ops;
	m->domain.pgsize_bitmap = MOCK_PGSIZES;
	m->domain.geometry.aperture_end = DMA_BIT_MASK(40);
	m->domain.geometry.force_aperture = true;
	xa_init(&m->pt);
	return &m->domain;
}

static struct iommu_device *vcm_mock_probe_device(struct device *dev)
{
	return dev->bus == &vcm_mock_bus ? &vcm_mock_iommu : ERR_PTR(-ENODEV);
}

static int vcm_mock_def_domain_type(struct device *dev)
{
	return IOMMU_DOMAIN_DMA;
}

/*
 * An MSI doorbell range the hardware does not translate, and a software
 * MSI window as SMMUs report one, each of 1 MiB.
 */
static void vcm_mock_get_resv_regions(struct device *dev,
				      struct list_head *head)
{
	static const struct {
		phys_addr_t start;
		enum iommu_resv_type type;
	} rgn[] = {
		{ VCM_MOCK_MSI, IOMMU_RESV_MSI },
		{ VCM_MOCK_SW_MSI, IOMMU_RESV_SW_MSI },
	};
	struct iommu_resv_region *r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rgn); i++) {
		r = iommu_alloc_resv_region(rgn[i].start, SZ_1M,
					    IOMMU_WRITE | IOMMU_MMIO,
					    rgn[i].type, GFP_KERNEL);
		if (!r)
			return;
		list_add_tail(&r->list, head);
	}
}

static const struct iommu_ops vcm_mock_iommu_ops = {
	.probe_device = vcm_mock_probe_device,
	.get_resv_regions = vcm_mock_get_resv_regions,
	.device_group = generic_device_group,
	.def_domain_type = vcm_mock_def_domain_type,
	.domain_alloc_paging = vcm_mock_alloc_paging,
	.pgsize_bitmap = MOCK_PGSIZES,
	.owner = THIS_MODULE,
	.default_domain_ops = &vcm_mock_iommu_domain_ops,
};

/* Register the mock IOMMU; for a suite's init. */
int vcm_mock_iommu_register(void)
{
	int ret;

	ret = bus_register(&vcm_mock_bus);
	if (ret)
		return ret;
	fwnode_init(&vcm_mock_fwnode, NULL);
	vcm_mock_iommu.fwnode = &vcm_mock_fwnode;
	ret = iommu_device_sysfs_add(&vcm_mock_iommu, NULL, NULL,
				     "vcm_mock_iommu");
	if (ret)
		goto err_bus;
	ret = iommu_device_register_bus(&vcm_mock_iommu, &vcm_mock_iommu_ops,
					&vcm_mock_bus, &vcm_mock_nb);
	if (ret)
		goto err_sysfs;
	return 0;

err_sysfs:
	iommu_device_sysfs_remove(&vcm_mock_iommu);
err_bus:
	bus_unregister(&vcm_mock_bus);
	return ret;
}

void vcm_mock_iommu_unregister(void)
{
	iommu_device_unregister_bus(&vcm_mock_iommu, &vcm_mock_bus,
				    &vcm_mock_nb);
	iommu_device_sysfs_remove(&vcm_mock_iommu);
	bus_unregister(&vcm_mock_bus);
}

static void vcm_mock_dev_release(struct device *dev)
{
	kfree(dev);
}

/*
 * A device of the mock IOMMU, in a group of its own with a default DMA
 * domain; NULL (the test failed) if it could not be added.
 */
struct device *vcm_mock_iommu_add(struct kunit *test, const char *name)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	device_initialize(dev);
	dev->release = vcm_mock_dev_release;
	dev->bus = &vcm_mock_bus;
	dev->coherent_dma_mask = DMA_BIT_MASK(32);
	dev->dma_mask = &dev->coherent_dma_mask;
	ret = dev_set_name(dev, "%s", name);
	if (!ret)
		ret = iommu_mock_device_add(dev, &vcm_mock_iommu);
	if (ret) {
		put_device(dev);
		KUNIT_FAIL(test, "adding %s behind the mock IOMMU: %d", name,
			   ret);
		return NULL;
	}
	return dev;
}

/*
 * Take @dev out, as the IOMMU core's release path does for a device that
 * goes away; its domain is freed with it.
 */
void vcm_mock_iommu_remove(struct device *dev)
{
	device_unregister(dev);
}

/* Granules left mapped and bad unmaps of the mock domains freed so far. */
long vcm_mock_iommu_leftovers(void)
{
	return atomic_long_read(&vcm_mock_leftovers);
}

/* The mock domain @dev translates through. */
struct vcm_mock *vcm_mock_of(struct device *dev)
{
	return to_mock(iommu_get_domain_for_dev(dev));
}
