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
 */

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sort.h>

#define VDT_MAPS	64

static DEFINE_MUTEX(vdt_lock);	/* protects vdt_dev, serializes cases */
static struct device *vdt_dev;
static phys_addr_t vdt_bar;
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

static const struct {
	const char *name;
	int (*fn)(struct device *dev, struct page *page);
} vdt_cases[] = {
	{ "zero-length", vdt_zero_length },
	{ "beyond-mask", vdt_beyond_mask },
	{ "never-mapped", vdt_never_mapped },
	{ "double-unmap", vdt_double_unmap },
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
	int ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(28));

	if (ret)
		return ret;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, 0) < PAGE_SIZE)
		return -ENODEV;
	mutex_lock(&vdt_lock);
	if (vdt_dev) {
		ret = -EBUSY;
	} else {
		vdt_dev = &pdev->dev;
		vdt_bar = pci_resource_start(pdev, 0);
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
