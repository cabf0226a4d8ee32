// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reserved regions of the devices of a DMA domain, as typed reservations
 * of the domain's VCM context: the IOMMU driver's reserved regions (MSI
 * doorbells, unity maps), the windows of PCI host bridges and the holes
 * outside their dma-ranges. Each region is owned by the device that
 * needs it; when that device leaves the domain, the region goes to
 * another device that needs it too, or is given back.
 */

#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include "dma_internal.h"

int vcm_dma_rgn_cmp(const void *a, const void *b)
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
		/*
		 * The software MSI window is for unmanaged domains: in a DMA
		 * domain dma-iommu maps each doorbell itself, at IOVA from
		 * this allocator, so the window is ordinary IOVA here.
		 */
		if (!region->length || region->type == IOMMU_RESV_SW_MSI)
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

struct vcm_dma_taken {
	struct vcm_dma_rgns *t;
	struct vcm *vcm;
};

static int vcm_dma_taken_fn(struct vcm_res *res, void *data)
{
	struct vcm_dma_taken *tk = data;

	return vcm_dma_rgn_add(tk->t, tk->vcm, res->start,
			       res->start + (res->size - 1), res->region);
}

/* The reservations @vcm already has, sorted; on error @t stays empty. */
int vcm_dma_taken(struct vcm_dma_rgns *t, struct vcm *vcm)
{
	struct vcm_dma_taken tk = { .t = t, .vcm = vcm };
	int ret;

	ret = vcm_walk_res(vcm, vcm_dma_taken_fn, &tk);
	if (ret) {
		kfree(t->v);
		*t = (struct vcm_dma_rgns){};
		return ret;
	}
	sort(t->v, t->nr, sizeof(*t->v), vcm_dma_rgn_cmp, NULL);
	return 0;
}

/*
 * Reserve the free parts of each region of @r as regions owned by @dev,
 * onto @parts. Regions reserved already, by @dev or another device of
 * the domain, stay as they are. What a window or a mapping holds is left
 * out, with a warning if @warn, and then *@missing is set.
 */
static int vcm_dma_reserve_all(struct vcm_dma *vd, struct device *dev,
			       struct list_head *parts,
			       const struct vcm_dma_rgns *r, bool warn,
			       bool *missing)
{
	unsigned int shift = vcm_shift(vd->vcm), i;
	struct vcm_free_report rep;
	dma_addr_t addr;
	u64 size;
	int ret;

	for (i = 0; i < r->nr; i++) {
		addr = (dma_addr_t)r->v[i].lo << shift;
		size = (r->v[i].hi - r->v[i].lo + 1) << shift;
		ret = vcm_reserve_free(vd->vcm, addr, size, r->v[i].type,
				       parts, &rep);
		if (ret)
			return ret;
		if (rep.others || rep.mapped)
			*missing = true;
		if (warn && rep.others)
			dev_warn(dev, "vcm: %s region %pad+%#llx: %#llx bytes lie in a DMA window, reserved once it is freed\n",
				 vcm_region_name(r->v[i].type), &addr, size,
				 rep.others);
		if (warn && rep.mapped)
			dev_warn(dev, "vcm: %s region %pad+%#llx: %#llx bytes are mapped, reserved once unmapped\n",
				 vcm_region_name(r->v[i].type), &addr, size,
				 rep.mapped);
	}
	return 0;
}

#define VCM_DMA_FILL_MAX	(60 * HZ)

/*
 * Have vcm_dma_fill() run after the current delay, which doubles each
 * time, or after a second if @reset.
 */
static void vcm_dma_fill_later(struct vcm_dma *vd, bool reset)
{
	lockdep_assert_held(&vd->lock);
	if (reset || !vd->fill_delay)
		vd->fill_delay = HZ;
	else
		vd->fill_delay = min(vd->fill_delay * 2, VCM_DMA_FILL_MAX);
	mod_delayed_work(system_wq, &vd->fill, vd->fill_delay);
}

/**
 * vcm_dma_fill() - reserve what became free of the devices' regions
 * @vd: the domain's VCM state
 *
 * A device that joins a domain doing DMA can find parts of its regions
 * held by streaming mappings or DMA windows. Those parts are reserved
 * here once they are free again: the glue runs this from a work item,
 * after a second and then less and less often, until every region is
 * whole. Nothing can be bound into such a part meanwhile, as nothing is
 * into a region; what the allocator hands out there until then is what
 * vcm_dma_add_device() warned about.
 *
 * Context: Process context; may sleep. Takes @vd's lock, then the
 * context's.
 * Return: true if every region of every device is now reserved; false
 * if a part is still held, or memory ran out.
 */
VISIBLE_IF_KUNIT bool vcm_dma_fill(struct vcm_dma *vd)
{
	struct vcm_dma_dev *d;
	bool missing = false;

	mutex_lock(&vd->lock);
	list_for_each_entry(d, &vd->devs, node)
		if (vcm_dma_reserve_all(vd, d->dev, &d->owned, &d->want,
					false, &missing))
			missing = true;
	if (missing)
		vcm_dma_fill_later(vd, false);
	else
		vd->fill_delay = 0;
	mutex_unlock(&vd->lock);
	return !missing;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_fill);

void vcm_dma_fill_work(struct work_struct *work)
{
	vcm_dma_fill(container_of(to_delayed_work(work), struct vcm_dma,
				  fill));
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
	struct vcm_dma_rgns want = {};
	bool new = false, missing = false;
	struct vcm_dma_dev *d;
	LIST_HEAD(made);
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
	ret = want.v ? vcm_dma_reserve_all(vd, dev, &made, r, true, &missing) :
		       -ENOMEM;
	if (ret) {
		vcm_unreserve_parts(&made);
		kfree(want.v);
		if (new)
			kfree(d);
		return ret;
	}
	memcpy(want.v, d->want.v, d->want.nr * sizeof(*want.v));
	memcpy(want.v + d->want.nr, r->v, r->nr * sizeof(*want.v));
	sort(want.v, want.nr, sizeof(*want.v), vcm_dma_rgn_cmp, NULL);
	kfree(d->want.v);
	d->want = want;
	list_splice_tail(&made, &d->owned);
	if (new) {
		list_add_tail(&d->node, &vd->devs);
		vcm_dma_label(vd);
	}
	if (missing)
		vcm_dma_fill_later(vd, true);
	return 0;
}

/*
 * Name @vd's context in the graph's picture after its debugfs directory
 * and its devices, as many as fit.
 */
void vcm_dma_label(struct vcm_dma *vd)
{
	char buf[VCM_LABEL_LEN];
	struct vcm_dma_dev *d;
	size_t n;

	lockdep_assert_held(&vd->lock);
	n = scnprintf(buf, sizeof(buf), "dma%d", vd->id);
	list_for_each_entry(d, &vd->devs, node)
		n += scnprintf(buf + n, sizeof(buf) - n, " %s",
			       dev_name(d->dev));
	vcm_set_label(vd->vcm, buf);
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
 * @dev but IOMMU_RESV_SW_MSI, whose window dma-iommu does not need in a
 * DMA domain (it maps MSI doorbells at IOVA of its own). Parts already
 * reserved, by this device or another one sharing the domain, are
 * skipped. A part that a live mapping or a DMA window already uses (a
 * device joining a domain that is doing DMA) is left out with a warning,
 * and reserved once it is free (vcm_dma_fill()). @dev is listed in the
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
	struct vcm_dma_dev *d, *heir;
	struct vcm_res *res, *tmp;
	LIST_HEAD(orphans);

	if (!vd)
		return;
	mutex_lock(&vd->lock);
	d = vcm_dma_find_dev(vd, dev);
	if (!d) {
		mutex_unlock(&vd->lock);
		return;
	}
	list_del(&d->node);
	vcm_dma_label(vd);
	list_for_each_entry_safe(res, tmp, &d->owned, part) {
		heir = vcm_dma_heir(vd, res);
		list_move_tail(&res->part, heir ? &heir->owned : &orphans);
	}
	vcm_unreserve_parts(&orphans);
	mutex_unlock(&vd->lock);
	kfree(d->want.v);
	kfree(d);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_dma_remove_device);

/* Forget every device of @vd; vcm_release_regions() gives back the rest. */
void vcm_dma_forget_devs(struct vcm_dma *vd)
{
	struct vcm_dma_dev *d, *tmp;

	mutex_lock(&vd->lock);
	list_for_each_entry_safe(d, tmp, &vd->devs, node) {
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
