// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM behind default IOMMU DMA domains.
 *
 * dma-iommu.c keeps its flush queues, page-table calls and policies (the
 * 32-bit-first rule, deferred attach, swiotlb bouncing) and asks this
 * file for IOVA. Each DMA domain gets one VCM context over it:
 *
 * - streaming and coherent mappings are plain ranges of the context's
 *   IOVA space, taken and given back through a per-CPU cache; they create
 *   no graph object;
 * - the reserved regions of every device of the domain's group (PCI host
 *   bridge windows, holes outside its dma-ranges, the IOMMU driver's
 *   reserved regions) are typed reservations of the context, owned by
 *   the device until the IOMMU core releases it;
 * - explicit users (IOVA windows of endpoint drivers) reserve and bind in
 *   the same context.
 *
 * Everything lives in one IOVA space, so no two of them can overlap. The
 * context and its ranges are shown in debugfs under vcm/dma<N>/.
 */

#include <kunit/visibility.h>
#include <linux/bsearch.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/iommu-dma.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/dma-mapping.h>
#include <linux/dma-window.h>
#include <linux/xarray.h>
#include <linux/vcm-drv.h>

#include "../dma-iommu.h"
#include "dma.h"
#include "vcm_internal.h"

/**
 * struct vcm_dma - VCM state of one DMA domain
 * @vcm: the context over the domain; its IOVA space serves every mapping
 * @domain: the domain
 * @cache: per-CPU cache of free ranges of @vcm's space, for the hot path
 * @lock: protects @devs
 * @devs: the devices whose reserved regions are in @vcm (struct
 *	vcm_dma_dev)
 * @id: number of the debugfs directory
 * @dir: the debugfs directory, or NULL without debugfs
 * @live: with CONFIG_DMA_API_DEBUG, the size of every range handed out,
 *	indexed by first granule, so that a bad free is refused rather
 *	than corrupting the cache
 *
 * vcm_dma_create() and vcm_dma_destroy() are serialized by dma-iommu (its
 * cookie mutex, or the domain's lifetime); vcm_dma_add_device() and
 * vcm_dma_remove_device() run under the IOMMU group's mutex, and take
 * @lock; vcm_dma_alloc() and vcm_dma_free() run in any context; explicit
 * ranges (alloc_iova_range()) are serialized with the rest by @vcm's
 * lock. Lock order: the group's mutex, the cookie mutex, @lock, @vcm's
 * lock, the cache's locks, the space lock.
 */
struct vcm_dma {
	struct vcm *vcm;
	struct iommu_domain *domain;
	struct vcm_iova_cache *cache;
	struct mutex lock; /* see above */
	struct list_head devs;
	int id;
	struct dentry *dir;
	struct xarray live;
};

static DEFINE_IDA(vcm_dma_ida);
static struct dentry *vcm_dma_debugfs_root;

static void vcm_dma_debugfs_add(struct vcm_dma *vd);
static void vcm_dma_forget_devs(struct vcm_dma *vd);

/**
 * vcm_dma_create() - set up VCM for a DMA domain
 * @domain: the domain, of a DMA type, with its page sizes and aperture set
 * @base_pfn: lowest IOVA to hand out, in units of the domain's smallest
 *	page size; not 0, so that 0 stays an invalid DMA address
 *
 * The context spans from @base_pfn to the end of the domain's aperture
 * (or of the 64-bit space without an enforced aperture) and is active at
 * once: windows bound into it reach the domain's page table.
 *
 * Context: Process context; may sleep.
 * Return: the new state; ERR_PTR(-EINVAL) if @base_pfn is 0 or beyond the
 * aperture; the errors of vcm_iommu_create(), vcm_activate() and
 * vcm_iova_cache_create() (-EBUSY, or an error of CPU hotplug set-up);
 * ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_dma *vcm_dma_create(struct iommu_domain *domain,
			       unsigned long base_pfn)
{
	unsigned int shift = __ffs(domain->pgsize_bitmap);
	u64 granule = 1ULL << shift, start, last = U64_MAX;
	struct vcm_dma *vd;
	int ret;

	if (domain->geometry.force_aperture)
		last = domain->geometry.aperture_end;
	last = min_t(u64, last, ((u64)VCM_IOVA_MAX_PFN << shift) | (granule - 1));
	if ((last & (granule - 1)) != granule - 1)
		last = (last & ~(granule - 1)) - 1;
	start = (u64)base_pfn << shift;
	if (!base_pfn || start >> shift != base_pfn || start > last)
		return ERR_PTR(-EINVAL);

	vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return ERR_PTR(-ENOMEM);
	xa_init_flags(&vd->live, XA_FLAGS_LOCK_IRQ);
	mutex_init(&vd->lock);
	INIT_LIST_HEAD(&vd->devs);
	vd->vcm = vcm_iommu_create(domain, start, last - start + 1);
	if (IS_ERR(vd->vcm)) {
		ret = PTR_ERR(vd->vcm);
		goto err_free;
	}
	ret = vcm_activate(vd->vcm);
	if (ret)
		goto err_destroy;
	vd->cache = vcm_iova_cache_create(&vd->vcm->space);
	if (IS_ERR(vd->cache)) {
		ret = PTR_ERR(vd->cache);
		goto err_deactivate;
	}
	vd->domain = domain;
	vcm_dma_debugfs_add(vd);
	return vd;

err_deactivate:
	vcm_deactivate(vd->vcm);
err_destroy:
	vcm_destroy(vd->vcm);
err_free:
	mutex_destroy(&vd->lock);
	kfree(vd);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_create);

/**
 * vcm_dma_destroy() - tear down what vcm_dma_create() set up
 * @vd: the state, or NULL
 *
 * The caller has stopped every use of the domain's DMA API and emptied
 * its flush queues. Reserved regions go quietly. An IOVA range that a
 * driver still holds (alloc_iova_range(), a DMA window) is unmapped from
 * the domain and revoked (vcm_revoke()): mapping into it fails from now
 * on with -ENODEV, and unmapping and free_iova_range() still work; the
 * context is freed with the last such range.
 *
 * Context: Process context; may sleep.
 */
void vcm_dma_destroy(struct vcm_dma *vd)
{
	if (!vd)
		return;
	debugfs_remove_recursive(vd->dir);
	if (vd->id >= 0)
		ida_free(&vcm_dma_ida, vd->id);
	vcm_iova_cache_destroy(vd->cache);
	vcm_dma_forget_devs(vd);
	vcm_release_regions(vd->vcm);
	/* IOVA ranges still held by their owners keep the context alive. */
	vcm_revoke(vd->vcm);
	xa_destroy(&vd->live);
	mutex_destroy(&vd->lock);
	kfree(vd);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_destroy);

/**
 * vcm_dma_context() - the VCM context of a DMA domain
 * @vd: the domain's VCM state
 *
 * Context: Any context.
 * Return: the context; it lives as long as @vd.
 */
struct vcm *vcm_dma_context(struct vcm_dma *vd)
{
	return vd->vcm;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_context);

/* ---- Reserved regions -------------------------------------------------- */

/* A range [lo, hi], of pfns (or of bus addresses in vcm_dma_holes()). */
struct vcm_dma_rgn {
	u64 lo;
	u64 hi;
	enum vcm_region type;
};

struct vcm_dma_rgns {
	struct vcm_dma_rgn *v;
	unsigned int nr;
	unsigned int cap;
};

static int vcm_dma_rgn_cmp(const void *a, const void *b)
{
	const struct vcm_dma_rgn *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

/*
 * Add the addresses [start, last] of @vcm, clipped to the context and
 * widened to whole granules, as a region of @type.
 */
static int vcm_dma_rgn_add(struct vcm_dma_rgns *r, struct vcm *vcm,
			   u64 start, u64 last, enum vcm_region type)
{
	u64 ctx_last = vcm->start + (vcm->size - 1);
	unsigned int shift = __ffs(vcm->pgsize_bitmap);
	struct vcm_dma_rgn *v;

	if (start > last || last < vcm->start || start > ctx_last)
		return 0;
	start = max_t(u64, start, vcm->start);
	last = min(last, ctx_last);
	if (r->nr == r->cap) {
		v = krealloc_array(r->v, r->cap * 2 + 8, sizeof(*v), GFP_KERNEL);
		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = r->cap * 2 + 8;
	}
	r->v[r->nr++] = (struct vcm_dma_rgn){
		.lo = start >> shift,
		.hi = last >> shift,
		.type = type,
	};
	return 0;
}

/* The holes in the dma-ranges of @bridge, the whole bus space if none. */
static int vcm_dma_holes(struct vcm_dma_rgns *r, struct vcm *vcm,
			 struct pci_dev *pdev, struct pci_host_bridge *bridge)
{
	struct resource_entry *win;
	struct vcm_dma_rgn *v;	/* bus addresses here, not pfns */
	unsigned int i, nr = 0;
	u64 next = 0;
	int ret = 0;

	list_for_each_entry(win, &bridge->dma_ranges, node)
		nr++;
	v = kcalloc(nr, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	/* Sort a copy: the bridge's list is not ours to reorder. */
	i = 0;
	list_for_each_entry(win, &bridge->dma_ranges, node) {
		v[i].lo = win->res->start - win->offset;
		v[i].hi = win->res->end - win->offset;
		i++;
	}
	sort(v, nr, sizeof(*v), vcm_dma_rgn_cmp, NULL);
	for (i = 0; i < nr; i++) {
		if (v[i].lo < next) {
			pci_err(pdev, "vcm: overlapping dma-ranges at %#llx\n",
				v[i].lo);
			ret = -EINVAL;
			goto out;
		}
		if (v[i].lo > next) {
			ret = vcm_dma_rgn_add(r, vcm, next, v[i].lo - 1,
					      VCM_REGION_DMA_HOLE);
			if (ret)
				goto out;
		}
		if (v[i].hi == U64_MAX)
			goto out;
		next = v[i].hi + 1;
	}
	ret = vcm_dma_rgn_add(r, vcm, next, U64_MAX, VCM_REGION_DMA_HOLE);
out:
	kfree(v);
	return ret;
}

/* The MMIO windows of @pdev's host bridge, and the holes in its dma-ranges. */
static int vcm_dma_pci_regions(struct vcm_dma_rgns *r, struct vcm *vcm,
			       struct pci_dev *pdev)
{
	struct pci_host_bridge *bridge = pci_find_host_bridge(pdev->bus);
	struct resource_entry *win;
	int ret;

	resource_list_for_each_entry(win, &bridge->windows) {
		if (resource_type(win->res) != IORESOURCE_MEM)
			continue;
		ret = vcm_dma_rgn_add(r, vcm, win->res->start - win->offset,
				      win->res->end - win->offset,
				      VCM_REGION_PCI_WINDOW);
		if (ret)
			return ret;
	}
	/* As upstream: a bridge without dma-ranges reaches everything. */
	if (list_empty(&bridge->dma_ranges))
		return 0;
	return vcm_dma_holes(r, vcm, pdev, bridge);
}

static enum vcm_region vcm_dma_resv_type(enum iommu_resv_type type)
{
	switch (type) {
	case IOMMU_RESV_DIRECT:
	case IOMMU_RESV_DIRECT_RELAXABLE:
		return VCM_REGION_DIRECT;
	case IOMMU_RESV_MSI:
		return VCM_REGION_MSI;
	case IOMMU_RESV_SW_MSI:
		return VCM_REGION_SW_MSI;
	default:
		return VCM_REGION_RESERVED;
	}
}

/* Every region of @dev: its host bridge's and the IOMMU driver's. */
static int vcm_dma_collect(struct vcm_dma_rgns *r, struct vcm *vcm,
			   struct device *dev)
{
	struct iommu_resv_region *region;
	LIST_HEAD(resv);
	int ret = 0;

	if (dev_is_pci(dev)) {
		ret = vcm_dma_pci_regions(r, vcm, to_pci_dev(dev));
		if (ret)
			return ret;
	}
	iommu_get_resv_regions(dev, &resv);
	list_for_each_entry(region, &resv, list) {
		if (!region->length)
			continue;
		ret = vcm_dma_rgn_add(r, vcm, region->start,
				      region->start + (region->length - 1),
				      vcm_dma_resv_type(region->type));
		if (ret)
			break;
	}
	iommu_put_resv_regions(dev, &resv);
	return ret;
}

/* The reservations @vcm already has, sorted; on error @t stays empty. */
static int vcm_dma_taken(struct vcm_dma_rgns *t, struct vcm *vcm)
{
	struct vcm_res *res;
	int ret = 0;

	mutex_lock(&vcm->lock);
	list_for_each_entry(res, &vcm->reservations, node) {
		ret = vcm_dma_rgn_add(t, vcm, res->start,
				      res->start + (res->size - 1), res->region);
		if (ret)
			break;
	}
	mutex_unlock(&vcm->lock);
	if (ret) {
		kfree(t->v);
		*t = (struct vcm_dma_rgns){};
		return ret;
	}
	sort(t->v, t->nr, sizeof(*t->v), vcm_dma_rgn_cmp, NULL);
	return 0;
}

/**
 * struct vcm_dma_dev - a device of a DMA domain and the regions it owns
 * @node: link in &vcm_dma.devs
 * @dev: the device; it leaves @node before it is freed
 * @want: the regions @dev needs kept out of the allocator, in granules
 * @owned: the reservations made for @dev (struct vcm_dma_owned). When
 *	@dev leaves, each goes to another device of the domain that wants
 *	part of it, or is given back.
 */
struct vcm_dma_dev {
	struct list_head node;
	struct device *dev;
	struct vcm_dma_rgns want;
	struct list_head owned;
};

struct vcm_dma_owned {
	struct list_head node;
	struct vcm_res *res;
};

/* Give back the reservations of the list @made and free its entries. */
static void vcm_dma_unreserve_list(struct list_head *made)
{
	struct vcm_dma_owned *o, *tmp;

	list_for_each_entry_safe(o, tmp, made, node) {
		vcm_unreserve(o->res);
		kfree(o);
	}
	INIT_LIST_HEAD(made);
}

/* Most ranges in use looked at inside one region (see below). */
#define VCM_DMA_BUSY_MAX	64

struct vcm_dma_busy {
	unsigned long lo;
	unsigned long hi;
	struct vcm_dma_rgn v[VCM_DMA_BUSY_MAX];
	unsigned int nr;
	bool more;
};

static int vcm_dma_busy_fn(unsigned long pfn, unsigned long size, void *data)
{
	struct vcm_dma_busy *b = data;

	if (pfn > b->hi)
		return 1;
	if (pfn + size - 1 < b->lo)
		return 0;
	if (b->nr == VCM_DMA_BUSY_MAX) {
		b->more = true;
		return 1;
	}
	b->v[b->nr].lo = pfn;
	b->v[b->nr].hi = pfn + size - 1;
	b->nr++;
	return 0;
}

/* Reserve the pfns [lo, hi] as one region, or report -EADDRINUSE. */
static int vcm_dma_reserve_one(struct vcm_dma *vd, struct list_head *made,
			       unsigned long lo, unsigned long hi,
			       enum vcm_region type)
{
	unsigned int shift = __ffs(vd->vcm->pgsize_bitmap);
	struct vcm_dma_owned *o;
	struct vcm_res *res;

	o = kmalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	res = vcm_reserve_region(vd->vcm, (dma_addr_t)lo << shift,
				 (u64)(hi - lo + 1) << shift, type);
	if (IS_ERR(res)) {
		kfree(o);
		return PTR_ERR(res);
	}
	o->res = res;
	list_add_tail(&o->node, made);
	return 0;
}

/* Reserve the pfns [lo, hi] as a region; a range in use is skipped. */
static int vcm_dma_reserve(struct vcm_dma *vd, struct device *dev,
			   struct list_head *made, unsigned long lo,
			   unsigned long hi, enum vcm_region type)
{
	unsigned int shift = __ffs(vd->vcm->pgsize_bitmap);
	dma_addr_t addr = (dma_addr_t)lo << shift;
	u64 size = (u64)(hi - lo + 1) << shift;
	struct vcm_dma_busy *busy;
	unsigned long next;
	unsigned int i;
	int ret;

	ret = vcm_dma_reserve_one(vd, made, lo, hi, type);
	if (ret == -EADDRINUSE) {
		/* Free ranges held by the cache count as used: give them back. */
		vcm_iova_cache_drain(vd->cache);
		ret = vcm_dma_reserve_one(vd, made, lo, hi, type);
	}
	if (ret != -EADDRINUSE)
		return ret;

	/*
	 * Live mappings of other devices sit in the region: only a device
	 * joining a domain that is doing DMA sees this. Reserve the free
	 * parts around them now; the mapped parts stay usable by the
	 * allocator once freed. The ranges are found by a walk of the whole
	 * space, which is O(n) but happens only here.
	 */
	dev_warn(dev, "vcm: %s region %pad+%#llx is partly mapped, reserving the rest\n",
		 vcm_region_name(type), &addr, size);
	busy = kzalloc(sizeof(*busy), GFP_KERNEL);
	if (!busy)
		return -ENOMEM;
	busy->lo = lo;
	busy->hi = hi;
	vcm_iova_walk_ranges(&vd->vcm->space, vcm_dma_busy_fn, busy);
	next = lo;
	ret = 0;
	for (i = 0; i <= busy->nr && !ret; i++) {
		unsigned long end = i < busy->nr ? busy->v[i].lo : hi + 1;

		if (i == busy->nr && busy->more)
			break;
		if (end > next)
			ret = vcm_dma_reserve_one(vd, made, next, end - 1, type);
		if (ret == -EADDRINUSE)		/* raced with a new mapping */
			ret = 0;
		if (i < busy->nr)
			next = max(next, busy->v[i].hi + 1);
	}
	if (busy->more)
		dev_warn(dev, "vcm: over %d mappings in the region, some of it left unreserved\n",
			 VCM_DMA_BUSY_MAX);
	kfree(busy);
	return ret;
}

/*
 * A region of @dev falls in a window (a reservation that is no region):
 * the window keeps that part, and DMA of @dev's there is not what the
 * region says it must be. Say so; the window's owner has to give it up.
 */
static void vcm_dma_warn_window(struct vcm_dma *vd, struct device *dev,
				const struct vcm_dma_rgn *r,
				const struct vcm_dma_rgn *w)
{
	unsigned int shift = __ffs(vd->vcm->pgsize_bitmap);

	dev_warn(dev, "vcm: %s region %#llx-%#llx lies in a DMA window, left unreserved\n",
		 vcm_region_name(r->type), max(r->lo, w->lo) << shift,
		 ((min(r->hi, w->hi) + 1) << shift) - 1);
}

/*
 * Reserve what of the sorted regions @r is neither reserved already (in
 * the sorted @t) nor covered by an earlier region of @r.
 */
static int vcm_dma_reserve_all(struct vcm_dma *vd, struct device *dev,
			       struct list_head *made,
			       const struct vcm_dma_rgns *r,
			       const struct vcm_dma_rgns *t)
{
	unsigned long lo, hi, next = 0;
	unsigned int i, j = 0;
	int ret;

	for (i = 0; i < r->nr; i++) {
		lo = max(r->v[i].lo, next);
		if (lo > r->v[i].hi)
			continue;
		while (lo <= r->v[i].hi) {
			while (j < t->nr && t->v[j].hi < lo)
				j++;
			if (j < t->nr && t->v[j].lo <= lo) {
				if (t->v[j].type == VCM_REGION_NONE)
					vcm_dma_warn_window(vd, dev, &r->v[i],
							    &t->v[j]);
				if (t->v[j].hi >= r->v[i].hi)
					break;
				lo = t->v[j].hi + 1;
				continue;
			}
			hi = r->v[i].hi;
			if (j < t->nr && t->v[j].lo <= hi)
				hi = t->v[j].lo - 1;
			ret = vcm_dma_reserve(vd, dev, made, lo, hi,
					      r->v[i].type);
			if (ret)
				return ret;
			if (hi == r->v[i].hi)
				break;
			lo = hi + 1;
		}
		/* Pfns are at most VCM_IOVA_MAX_PFN: this cannot wrap. */
		next = max(next, r->v[i].hi + 1);
	}
	return 0;
}

static struct vcm_dma_dev *vcm_dma_find_dev(struct vcm_dma *vd,
					    struct device *dev)
{
	struct vcm_dma_dev *d;

	lockdep_assert_held(&vd->lock);
	list_for_each_entry(d, &vd->devs, node)
		if (d->dev == dev)
			return d;
	return NULL;
}

/*
 * Reserve what of the regions @r is free, as regions owned by @dev, and
 * remember that @dev wants @r; @r is sorted. On error nothing changed.
 */
static int vcm_dma_claim(struct vcm_dma *vd, struct device *dev,
			 struct vcm_dma_rgns *r)
{
	struct vcm_dma_rgns t = {}, want = {};
	struct vcm_dma_dev *d;
	LIST_HEAD(made);
	bool new = false;
	int ret;

	lockdep_assert_held(&vd->lock);
	d = vcm_dma_find_dev(vd, dev);
	if (!d) {
		d = kzalloc(sizeof(*d), GFP_KERNEL);
		if (!d)
			return -ENOMEM;
		d->dev = dev;
		INIT_LIST_HEAD(&d->owned);
		new = true;
	}
	sort(r->v, r->nr, sizeof(*r->v), vcm_dma_rgn_cmp, NULL);
	want.nr = d->want.nr + r->nr;
	want.cap = want.nr;
	want.v = kmalloc_array(want.nr ?: 1, sizeof(*want.v), GFP_KERNEL);
	ret = want.v ? vcm_dma_taken(&t, vd->vcm) : -ENOMEM;
	if (!ret)
		ret = vcm_dma_reserve_all(vd, dev, &made, r, &t);
	if (ret) {
		vcm_dma_unreserve_list(&made);
		kfree(want.v);
		if (new)
			kfree(d);
		goto out;
	}
	memcpy(want.v, d->want.v, d->want.nr * sizeof(*want.v));
	memcpy(want.v + d->want.nr, r->v, r->nr * sizeof(*want.v));
	sort(want.v, want.nr, sizeof(*want.v), vcm_dma_rgn_cmp, NULL);
	kfree(d->want.v);
	d->want = want;
	list_splice_tail(&made, &d->owned);
	if (new)
		list_add_tail(&d->node, &vd->devs);
out:
	kfree(t.v);
	return ret;
}

/**
 * vcm_dma_add_device() - put a device's reserved regions into its domain
 * @vd: the domain's VCM state
 * @dev: a device of the domain's group; called again for a device
 *	already added, it changes nothing
 *
 * Reserves @dev's regions as typed reservations that @dev owns: the MMIO
 * windows of a PCI device's host bridge, the holes outside the bridge's
 * dma-ranges, and every reserved region the IOMMU driver reports for
 * @dev, IOMMU_RESV_SW_MSI included. Parts already reserved, by this
 * device or another one sharing the domain, are skipped. A part that a
 * live mapping of another device already uses (a device joining a domain
 * that is doing DMA) is left out with a warning. @dev is listed in the
 * domain's graph until vcm_dma_remove_device().
 *
 * Context: Process context; may sleep. The caller holds the IOMMU
 * group's mutex. Takes @vd's lock, then the context's.
 * Return: 0 on success; -EINVAL if the host bridge's dma-ranges overlap;
 * -ENOMEM if memory ran out. On error nothing changed.
 */
int vcm_dma_add_device(struct vcm_dma *vd, struct device *dev)
{
	struct vcm_dma_rgns r = {};
	int ret = 0;

	mutex_lock(&vd->lock);
	if (!vcm_dma_find_dev(vd, dev)) {
		ret = vcm_dma_collect(&r, vd->vcm, dev);
		if (!ret)
			ret = vcm_dma_claim(vd, dev, &r);
	}
	mutex_unlock(&vd->lock);
	kfree(r.v);
	return ret;
}

/* A device of @vd other than the one leaving that wants part of @res. */
static struct vcm_dma_dev *vcm_dma_heir(struct vcm_dma *vd,
					struct vcm_res *res)
{
	unsigned int shift = __ffs(vd->vcm->pgsize_bitmap), i;
	u64 lo = res->start >> shift;
	u64 hi = (res->start + (res->size - 1)) >> shift;
	struct vcm_dma_dev *d;

	list_for_each_entry(d, &vd->devs, node)
		for (i = 0; i < d->want.nr && d->want.v[i].lo <= hi; i++)
			if (d->want.v[i].hi >= lo)
				return d;
	return NULL;
}

/**
 * vcm_dma_remove_device() - take a device's reserved regions out again
 * @vd: the domain's VCM state, or NULL
 * @dev: a device leaving the domain's group; one never added is ignored
 *
 * What the IOMMU core's release path calls for every device that leaves
 * its group, on any bus. Each region @dev owns goes to another device of
 * the domain that wants part of it, or is given back to the allocator;
 * the graph no longer lists @dev. Needs no memory and cannot fail.
 *
 * Context: Process context; may sleep. The caller holds the IOMMU
 * group's mutex. Takes @vd's lock, then the context's.
 */
void vcm_dma_remove_device(struct vcm_dma *vd, struct device *dev)
{
	struct vcm_dma_owned *o, *tmp;
	struct vcm_dma_dev *d, *heir;

	if (!vd)
		return;
	mutex_lock(&vd->lock);
	d = vcm_dma_find_dev(vd, dev);
	if (!d) {
		mutex_unlock(&vd->lock);
		return;
	}
	list_del(&d->node);
	list_for_each_entry_safe(o, tmp, &d->owned, node) {
		heir = vcm_dma_heir(vd, o->res);
		if (heir) {
			list_move_tail(&o->node, &heir->owned);
		} else {
			list_del(&o->node);
			vcm_unreserve(o->res);
			kfree(o);
		}
	}
	mutex_unlock(&vd->lock);
	kfree(d->want.v);
	kfree(d);
}

/* Forget every device of @vd; vcm_release_regions() gives back the rest. */
static void vcm_dma_forget_devs(struct vcm_dma *vd)
{
	struct vcm_dma_owned *o, *otmp;
	struct vcm_dma_dev *d, *tmp;

	mutex_lock(&vd->lock);
	list_for_each_entry_safe(d, tmp, &vd->devs, node) {
		list_for_each_entry_safe(o, otmp, &d->owned, node)
			kfree(o);
		kfree(d->want.v);
		kfree(d);
	}
	INIT_LIST_HEAD(&vd->devs);
	mutex_unlock(&vd->lock);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * vcm_dma_reserve_ranges() - reserve regions given as address ranges
 * @vd: the domain's VCM state
 * @dev: the device the regions belong to
 * @start: first address of each region
 * @last: last address of each region
 * @type: type of each region
 * @nr: number of regions
 *
 * What vcm_dma_add_device() does with the regions it collects, for KUnit:
 * the regions are clipped to the context and widened to whole granules,
 * and what is not reserved already nor covered by an earlier region of
 * the list (in address order) is reserved, owned by @dev, which joins the
 * domain's devices if it is not one of them yet.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -ENOMEM if memory ran out, and then nothing
 * changed.
 */
VISIBLE_IF_KUNIT int vcm_dma_reserve_ranges(struct vcm_dma *vd,
					    struct device *dev,
					    const u64 *start, const u64 *last,
					    const enum vcm_region *type,
					    unsigned int nr)
{
	struct vcm_dma_rgns r = {};
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++)
		ret = vcm_dma_rgn_add(&r, vd->vcm, start[i], last[i], type[i]);
	if (!ret) {
		mutex_lock(&vd->lock);
		ret = vcm_dma_claim(vd, dev, &r);
		mutex_unlock(&vd->lock);
	}
	kfree(r.v);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_reserve_ranges);
#endif

/* ---- The hot path ------------------------------------------------------ */

/**
 * vcm_dma_alloc() - allocate IOVA for a streaming or coherent mapping
 * @vd: the domain's VCM state
 * @pages: number of granules, not 0
 * @limit_pfn: highest granule the range may cover
 *
 * The range is @pages rounded up to a power of two and aligned to that
 * size (iova.c rounds only sizes below 32 granules and allocates larger
 * ones exactly, with the same alignment), and never overlaps a
 * reservation of the context. Before failing, every CPU's cache is
 * drained, also on dma-iommu's first, 32-bit-only attempt, which iova.c
 * makes without flushing its caches. Sizes up to %VCM_IOVA_CACHE_BYTES come
 * from this CPU's cache without a shared lock.
 *
 * Context: Any context; does not sleep.
 * Return: the first granule of the range, or 0 if no range fits (or
 * @pages is 0, or memory for a tree node ran out).
 */
unsigned long vcm_dma_alloc(struct vcm_dma *vd, unsigned long pages,
			    unsigned long limit_pfn)
{
	unsigned long pfn, flags;
	void *old;

	if (vcm_iova_alloc_fast(vd->cache, pages, limit_pfn,
				GFP_ATOMIC | __GFP_NOWARN, &pfn))
		return 0;
	if (IS_ENABLED(CONFIG_DMA_API_DEBUG)) {
		xa_lock_irqsave(&vd->live, flags);
		old = __xa_store(&vd->live, pfn, xa_mk_value(pages),
				 GFP_ATOMIC | __GFP_NOWARN);
		xa_unlock_irqrestore(&vd->live, flags);
		if (xa_is_err(old)) {
			vcm_iova_free_fast(vd->cache, pfn, pages);
			return 0;
		}
	}
	return pfn;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_alloc);

/*
 * With CONFIG_DMA_API_DEBUG, forget the range @pfn of @pages in @vd->live;
 * false if vcm_dma_alloc() did not hand it out with that size.
 */
static bool vcm_dma_forget(struct vcm_dma *vd, unsigned long pfn,
			   unsigned long pages)
{
	unsigned long flags;
	void *old;

	if (!IS_ENABLED(CONFIG_DMA_API_DEBUG))
		return true;
	xa_lock_irqsave(&vd->live, flags);
	old = xa_load(&vd->live, pfn);
	if (old && xa_to_value(old) == pages)
		__xa_erase(&vd->live, pfn);
	xa_unlock_irqrestore(&vd->live, flags);
	if (old && xa_to_value(old) == pages)
		return true;
	pr_err_ratelimited("vcm: dma%d: free of IOVA pfn %#lx+%lu that is not allocated, ignored\n",
			   vd->id, pfn, pages);
	return false;
}

/**
 * vcm_dma_free() - free IOVA from vcm_dma_alloc()
 * @vd: the domain's VCM state
 * @pfn: what vcm_dma_alloc() returned
 * @pages: the @pages passed to vcm_dma_alloc()
 *
 * The caller has unmapped the range and flushed the IOTLB for it. With
 * CONFIG_DMA_API_DEBUG, a range that vcm_dma_alloc() did not hand out
 * with this size (a driver unmapping twice, or an address it never
 * mapped) is reported and not freed, so that the allocator stays sound
 * while DMA-API debug names the driver. Without it, such a free corrupts
 * the cache, as it corrupts iova.c's.
 *
 * Context: Any context; does not sleep.
 */
void vcm_dma_free(struct vcm_dma *vd, unsigned long pfn, unsigned long pages)
{
	if (vcm_dma_forget(vd, pfn, pages))
		vcm_iova_free_fast(vd->cache, pfn, pages);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_free);

/**
 * vcm_dma_free_queued() - free IOVA that the flush queue hands back
 * @vd: the domain's VCM state
 * @pfn: what vcm_dma_alloc() returned
 * @pages: the @pages passed to vcm_dma_alloc()
 *
 * Like vcm_dma_free(), for the ranges of a flush queue after its IOTLB
 * flush: the cache keeps more of them (see vcm_iova_free_queued()), as
 * the queue hands them back in bursts.
 *
 * Context: Any context; does not sleep.
 */
void vcm_dma_free_queued(struct vcm_dma *vd, unsigned long pfn,
			 unsigned long pages)
{
	if (vcm_dma_forget(vd, pfn, pages))
		vcm_iova_free_queued(vd->cache, pfn, pages);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_free_queued);

/**
 * vcm_dma_opt_mapping_size() - largest mapping the hot path serves fast
 *
 * Context: Any context.
 * Return: %VCM_IOVA_CACHE_BYTES: every power-of-two size up to it comes
 * from the per-CPU cache.
 */
size_t vcm_dma_opt_mapping_size(void)
{
	return VCM_IOVA_CACHE_BYTES;
}

/* ---- Explicit IOVA ranges (windows) ------------------------------------ */

/**
 * alloc_iova_range() - reserve an IOVA range in a device's DMA domain
 * @dev: the device; its default DMA domain must be in use
 * @size: length in bytes, rounded up to the domain's granule
 * @align: alignment of the start, a power of two; 0 for the granule
 * @addr: the first address the range must have, aligned to @align and
 *	the granule, or 0 to let the allocator choose
 * @limit: highest address the range may cover; 0 for the device's DMA
 *	mask (and bus limit)
 *
 * The range is a reservation of the domain's VCM context: no streaming
 * mapping, reserved region or other range of that domain overlaps it, for
 * every device sharing the domain, until free_iova_range(). Nothing is
 * mapped in it; bind memory into it with the VCM binding calls, or use
 * the DMA window API (<linux/dma-window.h>) on top of this.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the range (read ->start and ->size); ERR_PTR(-EINVAL) if @dev is
 * NULL, @size is 0, @align is not a power of two or @addr is not aligned;
 * ERR_PTR(-EOPNOTSUPP) if @dev is not attached to a VCM DMA domain (no
 * IOMMU, an identity or blocked domain, or another owner's domain);
 * ERR_PTR(-ERANGE) if @limit is above the DMA mask or below the domain,
 * or the fixed range goes beyond @limit or the domain; ERR_PTR(-EADDRINUSE) if the fixed
 * range overlaps a mapping, region or range; ERR_PTR(-ENOSPC) if no free
 * range fits; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_res *alloc_iova_range(struct device *dev, size_t size,
				 size_t align, dma_addr_t addr, u64 limit)
{
	struct iommu_domain *domain;
	struct vcm_dma *vd;

	if (!dev)
		return ERR_PTR(-EINVAL);
	/* As dma-iommu finds its cookie: the default domain, if in use. */
	if (!use_dma_iommu(dev))
		return ERR_PTR(-EOPNOTSUPP);
	domain = iommu_get_dma_domain(dev);
	vd = iommu_dma_vcm(domain);
	if (!vd || iommu_get_domain_for_dev(dev) != domain)
		return ERR_PTR(-EOPNOTSUPP);
	return vcm_dma_alloc_range(vd, dev, size, align, addr, limit);
}
EXPORT_SYMBOL_GPL(alloc_iova_range);

/**
 * vcm_dma_alloc_range() - alloc_iova_range() once the domain is known
 * @vd: the DMA domain's VCM state
 * @dev: the device, for its DMA mask and bus limit
 * @size: as alloc_iova_range()
 * @align: as alloc_iova_range()
 * @addr: as alloc_iova_range()
 * @limit: as alloc_iova_range()
 *
 * KUnit calls it on a mock domain, which no device is attached to.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: as alloc_iova_range(), except -EOPNOTSUPP.
 */
VISIBLE_IF_KUNIT struct vcm_res *vcm_dma_alloc_range(struct vcm_dma *vd,
						     struct device *dev,
						     size_t size, size_t align,
						     dma_addr_t addr, u64 limit)
{
	const unsigned int flags = VCM_READ | VCM_WRITE;
	struct vcm *vcm = vd->vcm;
	u64 granule, mask, last;
	struct vcm_res *res;

	granule = vcm_granule(vcm);
	if (!size || size > U64_MAX - granule ||
	    (align && !is_power_of_2(align)))
		return ERR_PTR(-EINVAL);
	size = round_up(size, granule);
	align = max_t(u64, align, granule);
	if (!IS_ALIGNED(addr, align))
		return ERR_PTR(-EINVAL);
	mask = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	if (!limit)
		limit = mask;
	if (limit > mask)
		return ERR_PTR(-ERANGE);

	if (addr) {
		if (check_add_overflow((u64)addr, (u64)size - 1, &last) ||
		    last > limit)
			return ERR_PTR(-ERANGE);
		res = vcm_reserve_at(vcm, addr, size, flags);
		if (PTR_ERR_OR_ZERO(res) == -EADDRINUSE) {
			/* Free IOVA held by the cache is not in use. */
			vcm_iova_cache_drain(vd->cache);
			res = vcm_reserve_at(vcm, addr, size, flags);
		}
	} else {
		res = vcm_reserve_below(vcm, size, align, limit, flags);
		if (PTR_ERR_OR_ZERO(res) == -ENOSPC) {
			vcm_iova_cache_drain(vd->cache);
			res = vcm_reserve_below(vcm, size, align, limit, flags);
		}
	}
	return res;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_alloc_range);

/**
 * free_iova_range() - give back a range from alloc_iova_range()
 * @range: the range
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 on success; -EINVAL if @range is NULL; -EPERM if @range is a
 * reserved region; -EBUSY if memory is still bound into @range (unbind
 * it first), and then nothing changes.
 */
int free_iova_range(struct vcm_res *range)
{
	if (!range)
		return -EINVAL;
	if (range->type == VCM_RES_REGION)
		return -EPERM;
	return vcm_unreserve(range);
}
EXPORT_SYMBOL_GPL(free_iova_range);

/* ---- debugfs ----------------------------------------------------------- */

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

VISIBLE_IF_KUNIT int vcm_dma_show(struct seq_file *m, void *unused)
{
	struct vcm_dma *vd = m->private;
	struct vcm *vcm = vd->vcm;
	struct vcm_dma_rgns t = {};
	struct vcm_dma_show s = { .m = m, .vcm = vcm, .res = &t };
	struct vcm_dma_dev *d;
	struct vcm_binding *b;
	struct vcm_res *res;
	struct rb_node *rb;
	unsigned long nr;
	int ret;

	seq_printf(m, "context %#llx-%#llx granule %#llx\n", (u64)vcm->start,
		   (u64)vcm->start + (vcm->size - 1), vcm_granule(vcm));
	mutex_lock(&vd->lock);
	list_for_each_entry(d, &vd->devs, node)
		seq_printf(m, "device %s %s\n", dev_bus_name(d->dev),
			   dev_name(d->dev));
	mutex_unlock(&vd->lock);

	ret = vcm_dma_taken(&t, vcm);
	if (ret)
		return ret;
	mutex_lock(&vcm->lock);
	list_for_each_entry(res, &vcm->reservations, node) {
		u64 last = res->start + (res->size - 1);

		if (res->type == VCM_RES_REGION) {
			seq_printf(m, "region %#llx-%#llx %s\n",
				   (u64)res->start, last,
				   vcm_region_name(res->region));
			continue;
		}
		seq_printf(m, "window %#llx-%#llx %s%s%s bindings %u\n",
			   (u64)res->start, last,
			   res->flags & VCM_READ ? "r" : "-",
			   res->flags & VCM_WRITE ? "w" : "-",
			   res->flags & VCM_MMIO ? " mmio" : "",
			   res->nr_bindings);
		for (rb = rb_first(&res->bindings); rb; rb = rb_next(rb)) {
			phys_addr_t pa = 0;

			b = rb_entry(rb, struct vcm_binding, res_node);
			vcm_phys_addr_at(b->phys, b->phys_offset, &pa, NULL);
			seq_printf(m, "  bind %#llx-%#llx phys %pa%s %s%s%s%s\n",
				   (u64)res->start + b->offset,
				   (u64)res->start + b->offset + b->size - 1,
				   &pa, b->phys->count > 1 ? " (parts)" : "",
				   b->flags & VCM_READ ? "r" : "-",
				   b->flags & VCM_WRITE ? "w" : "-",
				   b->phys->flags & VCM_MMIO ? " mmio" : "",
				   b->flags & VCM_CACHE ? " cache" : "");
		}
	}
	vcm_iova_walk_ranges(&vcm->space, vcm_dma_show_range, &s);
	nr = vcm_iova_nr_ranges(&vcm->space);
	mutex_unlock(&vcm->lock);
	if (s.shown < nr)
		seq_printf(m, "ranges %lu more not shown\n", nr - s.shown);
	/* Each reservation is one range; every other range is streaming. */
	seq_printf(m, "summary reservations %u dma %lu cached %lu\n", t.nr,
		   nr - t.nr, vcm_iova_cache_count(vd->cache));
	kfree(t.v);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_show);
DEFINE_SHOW_ATTRIBUTE(vcm_dma);

static void vcm_dma_debugfs_add(struct vcm_dma *vd)
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
}

static int __init vcm_dma_debugfs_init(void)
{
	vcm_dma_debugfs_root = debugfs_create_dir("vcm", NULL);
	return 0;
}
core_initcall(vcm_dma_debugfs_init);
