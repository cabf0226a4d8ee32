// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA-API map/unmap latency through a device's IOMMU, for make bench.
 *
 * Built out of tree against both the VCM kernel and the pristine base
 * kernel, so that one module measures both. It follows the method of
 * kernel/dma/map_benchmark.c (a kthread per thread, each timing every map
 * and every unmap) but reports nanoseconds rather than tenths of a
 * microsecond, and has a scatterlist mode:
 *
 *   single: one dma_map_single() of GRANULE physically contiguous pages;
 *   sg:     one dma_map_sgtable() of GRANULE separate pages, which
 *           dma-iommu maps at one contiguous IOVA.
 *
 * Bind it to a PCI device with driver_override, then
 *   echo "MODE GRANULE THREADS MSECS" > /sys/kernel/debug/vcm_dma_bench/run
 *   cat /sys/kernel/debug/vcm_dma_bench/run
 * prints "ops=N map_ns=M unmap_ns=U" (averages per operation).
 *
 * Two more runs check the allocator rather than time it:
 *
 *   fill:     dma_map_page() of one page again and again, with edu's
 *             28-bit mask, until a map fails; everything is unmapped
 *             and the space filled again. Prints "maps=N again=M
 *             distinct=D": how many mappings fit, how many fit once
 *             everything was freed, and whether each fill's addresses
 *             were all different (1) or not (0).
 *   badunmap: for each of "page", "resource" and "sg", with eight
 *             mappings held: a double unmap and an unmap of an address
 *             never mapped, then 64 mappings of 64 pages. Prints
 *             "KIND dup=N held=H wrong=W failed=F" per kind: addresses
 *             handed out twice, addresses of a held mapping handed out,
 *             mappings that do not translate to their page, maps that
 *             failed. All zero means the bad unmaps did no harm.
 *
 * Both are written as the mode alone ("fill", "badunmap").
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>

#define VDB_MAX_THREADS	16
#define VDB_MAX_GRANULE	1024

struct vdb_thread {
	struct task_struct *task;
	struct completion done;
	u64 ops;
	u64 map_ns;
	u64 unmap_ns;
	int err;
};

static struct {
	struct device *dev;
	struct dentry *dir;
	struct mutex lock;	/* one run at a time; protects the result */
	bool sg;
	unsigned int granule;
	u64 deadline;
	char result[256];
} vdb;

static int vdb_single(struct vdb_thread *t)
{
	size_t size = (size_t)vdb.granule * PAGE_SIZE;
	dma_addr_t addr;
	u64 t0, t1, t2;
	void *buf;

	buf = alloc_pages_exact(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (ktime_get_ns() < vdb.deadline && !kthread_should_stop()) {
		t0 = ktime_get_ns();
		addr = dma_map_single(vdb.dev, buf, size, DMA_BIDIRECTIONAL);
		t1 = ktime_get_ns();
		if (dma_mapping_error(vdb.dev, addr)) {
			t->err = -ENOMEM;
			break;
		}
		dma_unmap_single(vdb.dev, addr, size, DMA_BIDIRECTIONAL);
		t2 = ktime_get_ns();
		t->map_ns += t1 - t0;
		t->unmap_ns += t2 - t1;
		t->ops++;
		cond_resched();
	}
	free_pages_exact(buf, size);
	return t->err;
}

static int vdb_sg(struct vdb_thread *t)
{
	struct page **pages;
	struct sg_table sgt;
	unsigned int i;
	u64 t0, t1, t2;
	int ret;

	pages = kcalloc(vdb.granule, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < vdb.granule; i++) {
		/* Two pages each, keeping one: the pages are not contiguous. */
		pages[i] = alloc_pages(GFP_KERNEL, 1);
		if (!pages[i]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = sg_alloc_table(&sgt, vdb.granule, GFP_KERNEL);
	if (ret)
		goto out;
	while (ktime_get_ns() < vdb.deadline && !kthread_should_stop()) {
		struct scatterlist *sg;

		for_each_sgtable_sg(&sgt, sg, i)
			sg_set_page(sg, pages[i], PAGE_SIZE, 0);
		t0 = ktime_get_ns();
		ret = dma_map_sgtable(vdb.dev, &sgt, DMA_BIDIRECTIONAL, 0);
		t1 = ktime_get_ns();
		if (ret) {
			t->err = ret;
			break;
		}
		dma_unmap_sgtable(vdb.dev, &sgt, DMA_BIDIRECTIONAL, 0);
		t2 = ktime_get_ns();
		t->map_ns += t1 - t0;
		t->unmap_ns += t2 - t1;
		t->ops++;
		cond_resched();
	}
	sg_free_table(&sgt);
	ret = t->err;
out:
	for (i = 0; i < vdb.granule && pages[i]; i++)
		__free_pages(pages[i], 1);
	kfree(pages);
	return ret;
}

static int vdb_thread_fn(void *data)
{
	struct vdb_thread *t = data;

	t->err = vdb.sg ? vdb_sg(t) : vdb_single(t);
	complete(&t->done);
	/* Wait for kthread_stop(), so that the task is still there for it. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int vdb_run(bool sg, unsigned int granule, unsigned int threads,
		   unsigned int msecs)
{
	struct vdb_thread *t;
	u64 ops = 0, map = 0, unmap = 0;
	unsigned int i, started = 0;
	int ret = 0;

	t = kcalloc(threads, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	vdb.sg = sg;
	vdb.granule = granule;
	vdb.deadline = ktime_get_ns() + (u64)msecs * NSEC_PER_MSEC;
	for (i = 0; i < threads; i++) {
		init_completion(&t[i].done);
		t[i].task = kthread_create(vdb_thread_fn, &t[i], "vcm_dma_bench/%u", i);
		if (IS_ERR(t[i].task)) {
			ret = PTR_ERR(t[i].task);
			break;
		}
		kthread_bind(t[i].task, cpumask_nth(i % num_online_cpus(),
						    cpu_online_mask));
		wake_up_process(t[i].task);
		started++;
	}
	for (i = 0; i < started; i++) {
		wait_for_completion(&t[i].done);
		kthread_stop(t[i].task);
		if (t[i].err && !ret)
			ret = t[i].err;
		ops += t[i].ops;
		map += t[i].map_ns;
		unmap += t[i].unmap_ns;
	}
	kfree(t);
	if (!ret && !ops)
		ret = -EIO;
	if (!ret)
		snprintf(vdb.result, sizeof(vdb.result),
			 "ops=%llu map_ns=%llu unmap_ns=%llu\n", ops,
			 div64_u64(map, ops), div64_u64(unmap, ops));
	return ret;
}

static int vdb_cmp(const void *a, const void *b)
{
	dma_addr_t x = *(const dma_addr_t *)a, y = *(const dma_addr_t *)b;

	return x < y ? -1 : x > y;
}

/* How many of @n addresses, sorted in place, repeat the one before. */
static unsigned long vdb_dups(dma_addr_t *addr, unsigned long n)
{
	unsigned long i, dups = 0;

	sort(addr, n, sizeof(*addr), vdb_cmp, NULL);
	for (i = 1; i < n; i++)
		if (addr[i] == addr[i - 1])
			dups++;
	return dups;
}

/*
 * Map @page until a map fails or @max mappings are made; then unmap them
 * all. Returns how many were made, and whether they were all different.
 */
static unsigned long vdb_fill_once(struct page *page, dma_addr_t *addr,
				   unsigned long max, bool *distinct)
{
	unsigned long n, i;

	for (n = 0; n < max; n++) {
		addr[n] = dma_map_page(vdb.dev, page, 0, PAGE_SIZE,
				       DMA_TO_DEVICE);
		if (dma_mapping_error(vdb.dev, addr[n]))
			break;
		if (!(n % 1024))
			cond_resched();
	}
	for (i = 0; i < n; i++)
		dma_unmap_page(vdb.dev, addr[i], PAGE_SIZE, DMA_TO_DEVICE);
	*distinct = !vdb_dups(addr, n);
	return n;
}

static int vdb_fill(void)
{
	/* One more than the space holds, so that a fill that never fails shows. */
	unsigned long max = (DMA_BIT_MASK(28) >> PAGE_SHIFT) + 2, n1, n2;
	bool d1, d2;
	dma_addr_t *addr;
	struct page *page;
	int ret;

	addr = kvmalloc_array(max, sizeof(*addr), GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);
	ret = -ENOMEM;
	if (!addr || !page)
		goto out;
	ret = dma_set_mask(vdb.dev, DMA_BIT_MASK(28));
	if (ret)
		goto out;
	n1 = vdb_fill_once(page, addr, max, &d1);
	/* Lazy mode: let the flush queue's timer give the ranges back. */
	msleep(100);
	n2 = vdb_fill_once(page, addr, max, &d2);
	msleep(100);
	ret = dma_set_mask(vdb.dev, DMA_BIT_MASK(32));
	snprintf(vdb.result, sizeof(vdb.result), "maps=%lu again=%lu distinct=%d\n",
		 n1, n2, d1 && d2);
out:
	if (page)
		__free_page(page);
	kvfree(addr);
	return ret;
}

#define VDB_HELD	8
#define VDB_AFTER	64

#define VDB_ALL		(VDB_HELD + 1 + VDB_AFTER)

enum vdb_kind { VDB_PAGE, VDB_RESOURCE, VDB_SG };

struct vdb_bad {
	struct page *pages[VDB_ALL];
	struct scatterlist sg[VDB_ALL];
	dma_addr_t addr[VDB_ALL];
	dma_addr_t sorted[VDB_ALL];
};

static dma_addr_t vdb_map(enum vdb_kind kind, struct page *page,
			  struct scatterlist *sg)
{
	switch (kind) {
	case VDB_PAGE:
		return dma_map_page(vdb.dev, page, 0, PAGE_SIZE,
				    DMA_BIDIRECTIONAL);
	case VDB_RESOURCE:
		return dma_map_resource(vdb.dev, page_to_phys(page), PAGE_SIZE,
					DMA_BIDIRECTIONAL, 0);
	default:
		sg_init_table(sg, 1);
		sg_set_page(sg, page, PAGE_SIZE, 0);
		if (dma_map_sg(vdb.dev, sg, 1, DMA_BIDIRECTIONAL) != 1)
			return DMA_MAPPING_ERROR;
		return sg_dma_address(sg);
	}
}

static void vdb_unmap(enum vdb_kind kind, dma_addr_t addr,
		      struct scatterlist *sg)
{
	switch (kind) {
	case VDB_PAGE:
		dma_unmap_page(vdb.dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL);
		break;
	case VDB_RESOURCE:
		dma_unmap_resource(vdb.dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL,
				   0);
		break;
	default:
		/* What a driver passes when it unmaps its list again. */
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = PAGE_SIZE;
		dma_unmap_sg(vdb.dev, sg, 1, DMA_BIDIRECTIONAL);
		break;
	}
}

/*
 * One kind of mapping: hold VDB_HELD, map and unmap one twice, unmap an
 * address never mapped (below the lowest held one, where the next
 * mappings come from), then map VDB_AFTER pages and look at what they got.
 */
static int vdb_badunmap_kind(enum vdb_kind kind, struct vdb_bad *b,
			     char *out, size_t len)
{
	static const char * const names[] = { "page", "resource", "sg" };
	struct iommu_domain *dom = iommu_get_domain_for_dev(vdb.dev);
	struct page **pages = b->pages;
	struct scatterlist *sg = b->sg;
	dma_addr_t *addr = b->addr, *sorted = b->sorted;
	unsigned int i, n, dup = 0, held = 0, wrong = 0, failed = 0;
	dma_addr_t never, low;

	if (!dom)
		return -ENODEV;
	for (i = 0; i < VDB_HELD + 1; i++) {
		addr[i] = vdb_map(kind, pages[i], &sg[i]);
		if (dma_mapping_error(vdb.dev, addr[i])) {
			while (i--)
				vdb_unmap(kind, addr[i], &sg[i]);
			return -ENOMEM;
		}
	}
	low = addr[0];
	for (i = 1; i <= VDB_HELD; i++)
		low = min(low, addr[i]);
	never = low - 4 * PAGE_SIZE;
	/* The last one is unmapped twice. */
	vdb_unmap(kind, addr[VDB_HELD], &sg[VDB_HELD]);
	vdb_unmap(kind, addr[VDB_HELD], &sg[VDB_HELD]);
	vdb_unmap(kind, never, &sg[VDB_HELD]);
	/* Lazy mode: let the flush queue give back what it was given. */
	msleep(100);
	n = VDB_HELD + 1;
	for (i = 0; i < VDB_AFTER; i++) {
		addr[n] = vdb_map(kind, pages[n], &sg[n]);
		if (dma_mapping_error(vdb.dev, addr[n]))
			failed++;
		else
			n++;
	}
	/* Translations first: the mappings made last win a shared address. */
	for (i = 0; i < n; i++) {
		if (i == VDB_HELD)
			continue;
		if (iommu_iova_to_phys(dom, addr[i]) != page_to_phys(pages[i]))
			wrong++;
	}
	for (i = VDB_HELD + 1; i < n; i++) {
		unsigned int j;

		for (j = 0; j < VDB_HELD; j++)
			if (addr[i] == addr[j])
				held++;
	}
	memcpy(sorted, addr, VDB_HELD * sizeof(*addr));
	memcpy(sorted + VDB_HELD, addr + VDB_HELD + 1,
	       (n - VDB_HELD - 1) * sizeof(*addr));
	dup = vdb_dups(sorted, n - 1);
	for (i = 0; i < n; i++)
		if (i != VDB_HELD)
			vdb_unmap(kind, addr[i], &sg[i]);
	msleep(100);
	snprintf(out, len, "%s dup=%u held=%u wrong=%u failed=%u ", names[kind],
		 dup, held, wrong, failed);
	return 0;
}

static int vdb_badunmap(void)
{
	struct vdb_bad *b;
	enum vdb_kind kind;
	size_t len = 0;
	unsigned int i;
	int ret = 0;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	for (i = 0; i < VDB_ALL; i++) {
		b->pages[i] = alloc_page(GFP_KERNEL);
		if (!b->pages[i]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (kind = VDB_PAGE; kind <= VDB_SG && !ret; kind++) {
		ret = vdb_badunmap_kind(kind, b, vdb.result + len,
					sizeof(vdb.result) - len);
		len = strlen(vdb.result);
	}
	if (!ret && len)
		vdb.result[len - 1] = '\n';
out:
	for (i = 0; i < VDB_ALL && b->pages[i]; i++)
		__free_page(b->pages[i]);
	kfree(b);
	return ret;
}

static ssize_t vdb_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	unsigned int granule, threads, msecs;
	char buf[64], mode[16];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%15s", mode) == 1 &&
	    (!strcmp(mode, "fill") || !strcmp(mode, "badunmap"))) {
		mutex_lock(&vdb.lock);
		vdb.result[0] = '\0';
		ret = !vdb.dev ? -ENODEV : mode[0] == 'f' ? vdb_fill() :
		      vdb_badunmap();
		mutex_unlock(&vdb.lock);
		return ret ? ret : len;
	}
	if (sscanf(buf, "%15s %u %u %u", mode, &granule, &threads, &msecs) != 4)
		return -EINVAL;
	if ((strcmp(mode, "single") && strcmp(mode, "sg")) || !granule ||
	    granule > VDB_MAX_GRANULE || !threads ||
	    threads > VDB_MAX_THREADS || !msecs || msecs > 60000)
		return -EINVAL;

	mutex_lock(&vdb.lock);
	vdb.result[0] = '\0';
	ret = vdb.dev ? vdb_run(!strcmp(mode, "sg"), granule, threads, msecs) :
			-ENODEV;
	mutex_unlock(&vdb.lock);
	return ret ? ret : len;
}

static ssize_t vdb_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&vdb.lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, vdb.result,
				      strlen(vdb.result));
	mutex_unlock(&vdb.lock);
	return ret;
}

static const struct file_operations vdb_fops = {
	.owner = THIS_MODULE,
	.read = vdb_read,
	.write = vdb_write,
};

static int vdb_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret;

	/*
	 * Nothing is ever transferred, so the mask need not be edu's 28 bits:
	 * 32 bits leave room for the flush queues of lazy mode, which hold
	 * up to 256 unmapped ranges per CPU (256 MiB of 1 MiB mappings).
	 */
	ret = dma_set_mask(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	mutex_lock(&vdb.lock);
	if (vdb.dev) {
		mutex_unlock(&vdb.lock);
		return -EBUSY;
	}
	vdb.dev = &pdev->dev;
	mutex_unlock(&vdb.lock);
	return 0;
}

static void vdb_remove(struct pci_dev *pdev)
{
	mutex_lock(&vdb.lock);
	vdb.dev = NULL;
	mutex_unlock(&vdb.lock);
}

static struct pci_driver vdb_driver = {
	.name = "vcm_dma_bench",
	.probe = vdb_probe,
	.remove = vdb_remove,
};

static int __init vdb_init(void)
{
	mutex_init(&vdb.lock);
	vdb.dir = debugfs_create_dir("vcm_dma_bench", NULL);
	debugfs_create_file("run", 0600, vdb.dir, NULL, &vdb_fops);
	return pci_register_driver(&vdb_driver);
}

static void __exit vdb_exit(void)
{
	pci_unregister_driver(&vdb_driver);
	debugfs_remove_recursive(vdb.dir);
}

module_init(vdb_init);
module_exit(vdb_exit);
MODULE_DESCRIPTION("DMA-API map/unmap latency, single and scatterlist");
MODULE_LICENSE("GPL");
