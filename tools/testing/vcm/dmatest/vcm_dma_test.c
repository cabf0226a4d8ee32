// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bad input to the DMA API on a real device behind a VCM DMA domain.
 *
 * A PCI driver with no ID table: bind it to a device with driver_override
 * (the guest tests use QEMU's edu). Writing a case name to
 * /sys/kernel/debug/vcm_dma_test/run provokes that misuse and checks how
 * it ends; the write fails with -EIO when the outcome is wrong:
 *
 *   zero-length   dma_map_single() of 0 bytes fails cleanly;
 *   beyond-mask   a mapping larger than the device's DMA mask fails;
 *   never-mapped  unmapping an address never mapped, with
 *                 dma_unmap_page() and dma_unmap_resource(), is reported
 *                 by DMA-API debug and the IOVA allocator stays sound;
 *   double-unmap  unmapping twice, a page and then an MMIO range (the
 *                 device's BAR 0, as an endpoint maps a doorbell), is
 *                 reported and the allocator does not hand the same IOVA
 *                 out twice afterwards.
 *
 * dma_unmap_page() looks the address up in the page table first and
 * returns early when nothing is mapped there; dma_unmap_resource() does
 * not, so it reaches the IOVA allocator with the bad address.
 *
 * "Sound" is checked by mapping one page many times at once: every
 * mapping must succeed at a distinct IOVA, none at the bad address. The
 * last two cases make DMA-API debug and the IOMMU driver warn on purpose.
 *
 * Stale IOVAs: edu writes through a mapping (checked), the mapping ends,
 * and edu writes to the same IOVA again. Each case logs
 * "<case>: DMA to unmapped <iova>" before that write, which must fault in
 * the IOMMU (the guest test looks for the report) and leave the memory
 * as it was: in strict mode at once, in lazy mode once the IOTLB is
 * flushed, as the flush queue would within its timeout.
 *
 *   stale-single     dma_map_single() of a page, then dma_unmap_single();
 *   stale-sg         dma_map_sg() of two separate pages, both written;
 *   stale-coherent   dma_alloc_coherent(), then dma_free_coherent() (the
 *                    memory is freed: only the fault is checked).
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "vcm_edu.h"	/* edu's DMA engine, from samples/vcm/ */

#define VDT_MAPS	64
#define VDT_OLD		0x5a	/* what memory holds before a stale write */
#define VDT_NEW		0xa5	/* what edu writes */

static DEFINE_MUTEX(vdt_lock);	/* protects vdt_dev, serializes cases */
static struct device *vdt_dev;
static phys_addr_t vdt_bar;
static void __iomem *vdt_regs;
static struct dentry *vdt_dir;

static int vdt_cmp(const void *a, const void *b)
{
	dma_addr_t x = *(const dma_addr_t *)a, y = *(const dma_addr_t *)b;

	return x < y ? -1 : x > y;
}

/* Map @page VDT_MAPS times at once: distinct IOVAs, none equal to @bad. */
static int vdt_sound(struct device *dev, struct page *page, dma_addr_t bad)
{
	dma_addr_t *addr;
	int i, n, ret = 0;

	addr = kcalloc(VDT_MAPS, sizeof(*addr), GFP_KERNEL);
	if (!addr)
		return -ENOMEM;
	for (n = 0; n < VDT_MAPS; n++) {
		addr[n] = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, addr[n])) {
			dev_err(dev, "map %d of %d failed\n", n, VDT_MAPS);
			ret = -EIO;
			break;
		}
		if (addr[n] == bad) {
			dev_err(dev, "the bad address %pad was handed out\n",
				&bad);
			ret = -EIO;
		}
	}
	for (i = 0; i < n; i++)
		dma_unmap_page(dev, addr[i], PAGE_SIZE, DMA_TO_DEVICE);
	sort(addr, n, sizeof(*addr), vdt_cmp, NULL);
	for (i = 1; i < n; i++) {
		if (addr[i] == addr[i - 1]) {
			dev_err(dev, "IOVA %pad handed out twice\n", &addr[i]);
			ret = -EIO;
		}
	}
	kfree(addr);
	return ret;
}

static int vdt_zero_length(struct device *dev, struct page *page)
{
	dma_addr_t addr = dma_map_page(dev, page, 0, 0, DMA_TO_DEVICE);

	if (!dma_mapping_error(dev, addr)) {
		dev_err(dev, "a zero-length mapping succeeded at %pad\n", &addr);
		dma_unmap_page(dev, addr, 0, DMA_TO_DEVICE);
		return -EIO;
	}
	return vdt_sound(dev, page, DMA_MAPPING_ERROR);
}

static int vdt_beyond_mask(struct device *dev, struct page *page)
{
	u64 mask = dma_get_mask(dev);
	size_t size = SZ_128K;
	struct page *big;
	dma_addr_t addr;
	int ret = 0;

	big = alloc_pages(GFP_KERNEL, get_order(size));
	if (!big)
		return -ENOMEM;
	/* 64 KiB of bus addresses cannot hold a 128 KiB mapping. */
	ret = dma_set_mask(dev, DMA_BIT_MASK(16));
	if (ret)
		goto out;
	addr = dma_map_page(dev, big, 0, size, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, addr)) {
		dev_err(dev, "a mapping beyond the DMA mask succeeded at %pad\n",
			&addr);
		dma_unmap_page(dev, addr, size, DMA_TO_DEVICE);
		ret = -EIO;
	}
	dma_set_mask(dev, mask);
	if (!ret)
		ret = vdt_sound(dev, page, DMA_MAPPING_ERROR);
out:
	__free_pages(big, get_order(size));
	return ret;
}

static int vdt_never_mapped(struct device *dev, struct page *page)
{
	/* The lowest IOVA: allocation is top-down, nothing is there. */
	dma_addr_t bad = PAGE_SIZE;

	dma_unmap_page(dev, bad, PAGE_SIZE, DMA_TO_DEVICE);
	dma_unmap_resource(dev, bad, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	return vdt_sound(dev, page, bad);
}

static int vdt_double_unmap(struct device *dev, struct page *page)
{
	dma_addr_t addr = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);

	if (dma_mapping_error(dev, addr))
		return -EIO;
	dma_unmap_page(dev, addr, PAGE_SIZE, DMA_TO_DEVICE);
	dma_unmap_page(dev, addr, PAGE_SIZE, DMA_TO_DEVICE);

	addr = dma_map_resource(dev, vdt_bar, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	if (dma_mapping_error(dev, addr))
		return -EIO;
	dma_unmap_resource(dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	dma_unmap_resource(dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	return vdt_sound(dev, page, DMA_MAPPING_ERROR);
}

/* One edu DMA of EDU_XFER bytes between its buffer and @iova. */
static int vdt_edu_dma(dma_addr_t iova, bool to_ram)
{
	return vcm_edu_dma(vdt_regs, iova, EDU_XFER, to_ram);
}

/* Fill edu's buffer with VDT_NEW, from a page of the caller. */
static int vdt_edu_load(struct device *dev, struct page *page)
{
	dma_addr_t addr;
	int ret;

	memset(page_address(page), VDT_NEW, PAGE_SIZE);
	addr = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	ret = vdt_edu_dma(addr, false);
	dma_unmap_page(dev, addr, PAGE_SIZE, DMA_TO_DEVICE);
	return ret;
}

static bool vdt_holds(struct device *dev, const u8 *va, u8 val,
		      const char *what)
{
	int i;

	for (i = 0; i < EDU_XFER; i++) {
		if (va[i] != val) {
			dev_err(dev, "%s: byte %d is %#x, not %#x\n", what, i,
				va[i], val);
			return false;
		}
	}
	return true;
}

/*
 * A mapping just ended: announce the stale write and let edu write to
 * @iova. A strict unmap invalidated the IOTLB already: the write must
 * fault at once. A lazy one leaves that to the flush queue: flush now, as
 * it would within its timeout.
 */
static int vdt_stale_write(struct device *dev, dma_addr_t iova,
			   const char *what)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (domain && domain->type == IOMMU_DOMAIN_DMA_FQ)
		iommu_flush_iotlb_all(domain);
	dev_info(dev, "%s: DMA to unmapped %pad\n", what, &iova);
	return vdt_edu_dma(iova, true);
}

static int vdt_stale_single(struct device *dev, struct page *page)
{
	struct page *p = alloc_page(GFP_KERNEL);
	u8 *va;
	dma_addr_t addr;
	int ret;

	if (!p)
		return -ENOMEM;
	va = page_address(p);
	ret = vdt_edu_load(dev, page);
	if (ret)
		goto out;
	memset(va, VDT_OLD, PAGE_SIZE);
	addr = dma_map_single(dev, va, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, addr)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = vdt_edu_dma(addr, true);
	dma_unmap_single(dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (ret)
		goto out;
	if (!vdt_holds(dev, va, VDT_NEW, "stale-single: mapped")) {
		ret = -EIO;
		goto out;
	}
	memset(va, VDT_OLD, PAGE_SIZE);
	ret = vdt_stale_write(dev, addr, "stale-single");
	if (!ret && !vdt_holds(dev, va, VDT_OLD, "stale-single: after unmap"))
		ret = -EIO;
out:
	__free_page(p);
	return ret;
}

static int vdt_stale_sg(struct device *dev, struct page *page)
{
	struct scatterlist sg[2];
	struct page *p[2];
	dma_addr_t addr[2];
	int i, n, ret = -ENOMEM;

	p[0] = alloc_page(GFP_KERNEL);
	p[1] = alloc_page(GFP_KERNEL);
	if (!p[0] || !p[1])
		goto out;
	ret = vdt_edu_load(dev, page);
	if (ret)
		goto out;
	sg_init_table(sg, 2);
	for (i = 0; i < 2; i++) {
		memset(page_address(p[i]), VDT_OLD, PAGE_SIZE);
		sg_set_page(&sg[i], p[i], PAGE_SIZE, 0);
	}
	n = dma_map_sg(dev, sg, 2, DMA_BIDIRECTIONAL);
	if (!n) {
		ret = -ENOMEM;
		goto out;
	}
	/* One IOVA range for both pages, or one each. */
	addr[0] = sg_dma_address(&sg[0]);
	addr[1] = n == 2 ? sg_dma_address(&sg[1]) : addr[0] + PAGE_SIZE;
	for (i = 0; i < 2 && !ret; i++)
		ret = vdt_edu_dma(addr[i], true);
	dma_unmap_sg(dev, sg, 2, DMA_BIDIRECTIONAL);
	for (i = 0; i < 2 && !ret; i++) {
		if (!vdt_holds(dev, page_address(p[i]), VDT_NEW, "stale-sg: mapped"))
			ret = -EIO;
		memset(page_address(p[i]), VDT_OLD, PAGE_SIZE);
	}
	for (i = 0; i < 2 && !ret; i++)
		ret = vdt_stale_write(dev, addr[i], "stale-sg");
	for (i = 0; i < 2 && !ret; i++)
		if (!vdt_holds(dev, page_address(p[i]), VDT_OLD,
			       "stale-sg: after unmap"))
			ret = -EIO;
out:
	for (i = 0; i < 2; i++)
		if (p[i])
			__free_page(p[i]);
	return ret;
}

static int vdt_stale_coherent(struct device *dev, struct page *page)
{
	dma_addr_t addr;
	u8 *va;
	int ret;

	ret = vdt_edu_load(dev, page);
	if (ret)
		return ret;
	va = dma_alloc_coherent(dev, PAGE_SIZE, &addr, GFP_KERNEL);
	if (!va)
		return -ENOMEM;
	memset(va, VDT_OLD, PAGE_SIZE);
	ret = vdt_edu_dma(addr, true);
	if (!ret && !vdt_holds(dev, va, VDT_NEW, "stale-coherent: mapped"))
		ret = -EIO;
	dma_free_coherent(dev, PAGE_SIZE, va, addr);
	if (!ret)
		ret = vdt_stale_write(dev, addr, "stale-coherent");
	return ret;
}

static const struct {
	const char *name;
	int (*fn)(struct device *dev, struct page *page);
} vdt_cases[] = {
	{ "zero-length", vdt_zero_length },
	{ "beyond-mask", vdt_beyond_mask },
	{ "never-mapped", vdt_never_mapped },
	{ "double-unmap", vdt_double_unmap },
	{ "stale-single", vdt_stale_single },
	{ "stale-sg", vdt_stale_sg },
	{ "stale-coherent", vdt_stale_coherent },
};

static ssize_t vdt_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	struct page *page;
	char name[32];
	unsigned int i;
	int ret = -EINVAL;

	if (len >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, len))
		return -EFAULT;
	name[len] = '\0';
	strim(name);

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	mutex_lock(&vdt_lock);
	for (i = 0; i < ARRAY_SIZE(vdt_cases); i++) {
		if (strcmp(name, vdt_cases[i].name))
			continue;
		ret = vdt_dev ? vdt_cases[i].fn(vdt_dev, page) : -ENODEV;
		if (vdt_dev)
			dev_info(vdt_dev, "%s: %s\n", name, ret ? "FAILED" : "ok");
		break;
	}
	mutex_unlock(&vdt_lock);
	__free_page(page);
	return ret ? ret : len;
}

static const struct file_operations vdt_fops = {
	.owner = THIS_MODULE,
	.write = vdt_write,
};

static int vdt_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	void __iomem *regs;
	int ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(28));

	if (ret)
		return ret;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, 0) < PAGE_SIZE)
		return -ENODEV;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	regs = pcim_iomap(pdev, 0, 0);
	if (!regs)
		return -ENOMEM;
	mutex_lock(&vdt_lock);
	if (vdt_dev) {
		ret = -EBUSY;
	} else {
		vdt_dev = &pdev->dev;
		vdt_bar = pci_resource_start(pdev, 0);
		vdt_regs = regs;
	}
	mutex_unlock(&vdt_lock);
	return ret;
}

static void vdt_remove(struct pci_dev *pdev)
{
	mutex_lock(&vdt_lock);
	vdt_dev = NULL;
	mutex_unlock(&vdt_lock);
}

static struct pci_driver vdt_driver = {
	.name = "vcm_dma_test",
	.probe = vdt_probe,
	.remove = vdt_remove,
};

static int __init vdt_init(void)
{
	vdt_dir = debugfs_create_dir("vcm_dma_test", NULL);
	debugfs_create_file("run", 0200, vdt_dir, NULL, &vdt_fops);
	return pci_register_driver(&vdt_driver);
}

static void __exit vdt_exit(void)
{
	pci_unregister_driver(&vdt_driver);
	debugfs_remove_recursive(vdt_dir);
}

module_init(vdt_init);
module_exit(vdt_exit);
MODULE_DESCRIPTION("Bad input to the DMA API over VCM, on a real device");
MODULE_LICENSE("GPL");
