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
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
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
	char result[128];
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

static ssize_t vdb_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	unsigned int granule, threads, msecs;
	char buf[64], mode[8];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%7s %u %u %u", mode, &granule, &threads, &msecs) != 4)
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
