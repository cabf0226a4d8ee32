// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs view of VCM behind dma-iommu: vcm/dma<N>/graph shows a DMA
 * domain's context, its devices, its reservations with their bindings,
 * and the ranges of its IOVA space; vcm/dma<N>/stats counts what its
 * IOVA cache did; writing to vcm/dma<N>/drain empties the cache, so that
 * the space holds only what is in use.
 */

#include <kunit/visibility.h>
#include <linux/bsearch.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "dma_internal.h"

static DEFINE_IDA(vcm_dma_ida);
static struct dentry *vcm_dma_debugfs_root;

struct vcm_dma_show {
	struct seq_file *m;
	struct vcm *vcm;
	const struct vcm_dma_rgns *res;
	unsigned long shown;
};

/*
 * The walk runs under the IOVA space's lock, with interrupts off: show at
 * most this many ranges, so that reading debugfs never stalls the DMA of
 * a busy domain for long.
 */
#define VCM_DMA_SHOW_MAX	4096

static int vcm_dma_show_range(unsigned long pfn, unsigned long size,
			      void *data)
{
	struct vcm_dma_show *s = data;
	struct vcm_dma_rgn key = { .lo = pfn };
	unsigned int shift = __ffs(s->vcm->pgsize_bitmap);
	struct vcm_dma_rgn *hit;

	hit = bsearch(&key, s->res->v, s->res->nr, sizeof(key),
		      vcm_dma_rgn_cmp);
	seq_printf(s->m, "range %#llx-%#llx %s\n", (u64)pfn << shift,
		   ((u64)(pfn + size) << shift) - 1, hit ? "res" : "dma");
	return ++s->shown >= VCM_DMA_SHOW_MAX;
}

static int vcm_dma_show_res(struct vcm_res *res, void *data)
{
	struct vcm_dma_show *s = data;
	u64 last = res->start + (res->size - 1);

	if (res->type == VCM_RES_REGION) {
		seq_printf(s->m, "region %#llx-%#llx %s\n", (u64)res->start,
			   last, vcm_region_name(res->region));
		return 0;
	}
	seq_printf(s->m, "window %#llx-%#llx %s%s%s bindings %u\n",
		   (u64)res->start, last, res->flags & VCM_READ ? "r" : "-",
		   res->flags & VCM_WRITE ? "w" : "-",
		   res->flags & VCM_MMIO ? " mmio" : "", res->nr_bindings);
	return 0;
}

static int vcm_dma_show_binding(const struct vcm_binding_info *b, void *data)
{
	struct vcm_dma_show *s = data;
	dma_addr_t start = b->res->start + b->offset;
	phys_addr_t pa = 0;

	vcm_phys_addr_at(b->phys, b->phys_offset, &pa, NULL);
	seq_printf(s->m, "  bind %#llx-%#llx phys %pa%s %s%s%s%s\n",
		   (u64)start, (u64)start + b->size - 1, &pa,
		   b->phys->count > 1 ? " (parts)" : "",
		   b->flags & VCM_READ ? "r" : "-",
		   b->flags & VCM_WRITE ? "w" : "-",
		   b->phys->flags & VCM_MMIO ? " mmio" : "",
		   b->flags & VCM_CACHE ? " cache" : "");
	return 0;
}

VISIBLE_IF_KUNIT int vcm_dma_show(struct seq_file *m, void *unused)
{
	struct vcm_dma *vd = m->private;
	struct vcm *vcm = vd->vcm;
	struct vcm_dma_rgns t = {};
	struct vcm_dma_show s = { .m = m, .vcm = vcm, .res = &t };
	struct vcm_dma_dev *d;
	unsigned long nr;
	int ret;

	seq_printf(m, "context %#llx-%#llx granule %#llx id %u\n",
		   (u64)vcm->start, (u64)vcm->start + (vcm->size - 1),
		   vcm_granule(vcm), vcm->id);
	mutex_lock(&vd->lock);
	list_for_each_entry(d, &vd->devs, node)
		seq_printf(m, "device %s %s\n", dev_bus_name(d->dev),
			   dev_name(d->dev));
	mutex_unlock(&vd->lock);

	ret = vcm_dma_taken(&t, vcm);
	if (ret)
		return ret;
	vcm_walk(vcm, vcm_dma_show_res, vcm_dma_show_binding, &s);
	/*
	 * Ranges reserved after vcm_dma_taken() show as "dma": this is a
	 * view for people, not a snapshot.
	 */
	vcm_iova_walk_ranges(&vcm->space, vcm_dma_show_range, &s);
	nr = vcm_iova_nr_ranges(&vcm->space);
	if (s.shown < nr)
		seq_printf(m, "ranges %lu more not shown\n", nr - s.shown);
	/* Each reservation is one range; every other range is streaming. */
	seq_printf(m, "summary reservations %u dma %lu cached %lu\n", t.nr,
		   nr - t.nr, vcm_iova_cache_count(vd->cache));
	seq_printf(m, "cache misses %lu\n", vcm_iova_cache_misses(vd->cache));
	kfree(t.v);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_show);
DEFINE_SHOW_ATTRIBUTE(vcm_dma);

/*
 * One "name value" line each: the context's id (as trace events give it),
 * the cache's counts since the domain was made, and what the space and
 * the cache hold now.
 */
static int vcm_dma_stats_show(struct seq_file *m, void *unused)
{
	struct vcm_dma *vd = m->private;
	struct vcm_iova_space *space = &vd->vcm->space;
	struct vcm_iova_cache_stats st;

	vcm_iova_cache_stats(vd->cache, &st);
	seq_printf(m, "id %u\n", vd->vcm->id);
	seq_printf(m, "allocs %lu\n", st.hits + st.misses + st.large);
	seq_printf(m, "hits %lu\n", st.hits);
	seq_printf(m, "misses %lu\n", st.misses);
	seq_printf(m, "large %lu\n", st.large);
	seq_printf(m, "failures %lu\n", st.failures);
	seq_printf(m, "drains %lu\n", st.drains);
	seq_printf(m, "reclaims %lu\n", st.reclaims);
	seq_printf(m, "ranges %lu\n", vcm_iova_nr_ranges(space));
	seq_printf(m, "tree_bytes %lu\n", vcm_iova_space_bytes(space));
	seq_printf(m, "cached_ranges %lu\n", st.ranges);
	seq_printf(m, "cached_bytes %llu\n",
		   (u64)st.pfns << vcm_iova_shift(space));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcm_dma_stats);

/* Any write gives every range the cache holds back to the space. */
static ssize_t vcm_dma_drain_write(struct file *file, const char __user *buf,
				   size_t len, loff_t *ppos)
{
	struct vcm_dma *vd = file->private_data;

	vcm_iova_cache_drain(vd->cache);
	return len;
}

static const struct file_operations vcm_dma_drain_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vcm_dma_drain_write,
	.llseek = noop_llseek,
};

void vcm_dma_debugfs_add(struct vcm_dma *vd)
{
	char name[16];

	vd->id = -1;
	vd->dir = NULL;
	if (IS_ERR_OR_NULL(vcm_dma_debugfs_root))
		return;
	vd->id = ida_alloc(&vcm_dma_ida, GFP_KERNEL);
	if (vd->id < 0)
		return;
	snprintf(name, sizeof(name), "dma%d", vd->id);
	vd->dir = debugfs_create_dir(name, vcm_dma_debugfs_root);
	debugfs_create_file("graph", 0400, vd->dir, vd, &vcm_dma_fops);
	debugfs_create_file("stats", 0400, vd->dir, vd, &vcm_dma_stats_fops);
	debugfs_create_file("drain", 0200, vd->dir, vd, &vcm_dma_drain_fops);
}

void vcm_dma_debugfs_remove(struct vcm_dma *vd)
{
	debugfs_remove_recursive(vd->dir);
	if (vd->id >= 0)
		ida_free(&vcm_dma_ida, vd->id);
}

static int __init vcm_dma_debugfs_init(void)
{
	vcm_dma_debugfs_root = debugfs_create_dir("vcm", NULL);
	return 0;
}
core_initcall(vcm_dma_debugfs_init);
