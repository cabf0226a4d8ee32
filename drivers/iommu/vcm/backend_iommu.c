// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM backend over an IOMMU domain: a binding becomes one iommu_map() call
 * when it lies in one physically contiguous part, else iommu_map_sg()
 * calls (iommu_map() for MMIO parts); an unbinding is one iommu_unmap().
 */

#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/limits.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "vcm-drv.h"

#include "vcm_internal.h"

struct vcm_iommu {
	struct vcm vcm;
	struct iommu_domain *domain;
};

static struct iommu_domain *vcm_iommu_domain(struct vcm *vcm)
{
	return container_of(vcm, struct vcm_iommu, vcm)->domain;
}

static int vcm_iommu_prot(unsigned int flags)
{
	int prot = 0;

	if (flags & VCM_READ)
		prot |= IOMMU_READ;
	if (flags & VCM_WRITE)
		prot |= IOMMU_WRITE;
	if (flags & VCM_MMIO)
		prot |= IOMMU_MMIO;
	if (flags & VCM_CACHE)
		prot |= IOMMU_CACHE;
	return prot;
}

/*
 * A binding that lies in one part is one iommu_map() call. Otherwise runs
 * of memory with struct pages go to iommu_map_sg() in batches of
 * VCM_IOMMU_BATCH scatterlist entries, physically adjacent parts merged
 * into one entry, so that a binding costs one iotlb_sync_map() per batch
 * rather than one per part and the IOMMU core sees whole runs, for the
 * largest page sizes of domain->pgsize_bitmap their alignment allows.
 * MMIO (no struct page) goes to iommu_map().
 */
#define VCM_IOMMU_BATCH	16
/* An entry's length is an unsigned int, the result of a batch an ssize_t. */
#define VCM_IOMMU_SG_MAX	SZ_1G
#define VCM_IOMMU_BATCH_MAX	((u64)SSIZE_MAX & ~(u64)(SZ_1G - 1))

struct vcm_iommu_batch {
	struct iommu_domain *domain;
	int prot;
	dma_addr_t addr;	/* where the next byte goes */
	u64 done;		/* bytes mapped from the start of the binding */
	u64 pending;		/* bytes in @sg[0..@n) */
	unsigned int n;
	struct scatterlist sg[VCM_IOMMU_BATCH];
};

static int vcm_iommu_flush(struct vcm_iommu_batch *bt)
{
	ssize_t mapped;

	if (!bt->n)
		return 0;
	sg_mark_end(&bt->sg[bt->n - 1]);
	mapped = iommu_map_sg(bt->domain, bt->addr + bt->done, bt->sg, bt->n,
			      bt->prot, GFP_KERNEL);
	bt->n = 0;
	if (mapped < 0)
		return mapped;
	/* iommu_map_sg() unmaps what it mapped when it fails. */
	if (WARN_ON_ONCE(mapped != bt->pending)) {
		if (mapped)
			iommu_unmap(bt->domain, bt->addr + bt->done, mapped);
		return -EIO;
	}
	bt->done += bt->pending;
	bt->pending = 0;
	/* ->map() runs in process context, see vcm-drv.h. */
	cond_resched();
	return 0;
}

/* Queue [@pa, @pa + @len) of memory with struct pages. */
static int vcm_iommu_add(struct vcm_iommu_batch *bt, phys_addr_t pa, u64 len)
{
	int ret;

	while (len) {
		struct scatterlist *last = bt->n ? &bt->sg[bt->n - 1] : NULL;
		u64 chunk = min_t(u64, len, VCM_IOMMU_SG_MAX);

		if (bt->pending + chunk > VCM_IOMMU_BATCH_MAX) {
			ret = vcm_iommu_flush(bt);
			if (ret)
				return ret;
			last = NULL;
		}
		/* Physically adjacent to the last entry: grow it. */
		if (last && sg_phys(last) + last->length == pa &&
		    last->length < VCM_IOMMU_SG_MAX) {
			chunk = min_t(u64, chunk,
				      VCM_IOMMU_SG_MAX - last->length);
			last->length += chunk;
		} else {
			if (bt->n == VCM_IOMMU_BATCH) {
				ret = vcm_iommu_flush(bt);
				if (ret)
					return ret;
			}
			if (!bt->n)
				sg_init_table(bt->sg, VCM_IOMMU_BATCH);
			sg_set_page(&bt->sg[bt->n++], pfn_to_page(PHYS_PFN(pa)),
				    chunk, offset_in_page(pa));
		}
		bt->pending += chunk;
		pa += chunk;
		len -= chunk;
	}
	return 0;
}

/* Map [@pa, @pa + @len) of memory without struct pages. */
static int vcm_iommu_add_mmio(struct vcm_iommu_batch *bt, phys_addr_t pa,
			      u64 len)
{
	int ret = vcm_iommu_flush(bt);

	if (ret)
		return ret;
	ret = iommu_map(bt->domain, bt->addr + bt->done, pa, len, bt->prot,
			GFP_KERNEL);
	if (ret)
		return ret;
	bt->done += len;
	return 0;
}

/*
 * Walks the parts once, forward from the one that holds @phys_offset, so
 * that a binding of an allocation with many parts costs O(parts).
 */
static int vcm_iommu_map(struct vcm *vcm, dma_addr_t addr,
			 struct vcm_phys *phys, u64 phys_offset, u64 size,
			 unsigned int flags)
{
	const struct vcm_phys_part *part;
	struct vcm_iommu_batch *bt;
	u64 off = phys_offset, left = size, len;
	int ret = 0;

	for (part = __vcm_phys_next_part(phys, NULL); part && off >= part->size;
	     part = __vcm_phys_next_part(phys, part))
		off -= part->size;
	if (!part)
		return -ERANGE;
	if (part->size - off >= size)
		return iommu_map(vcm_iommu_domain(vcm), addr, part->start + off,
				 size, vcm_iommu_prot(flags), GFP_KERNEL);

	bt = vcm_should_fail() ? NULL : kmalloc(sizeof(*bt), GFP_KERNEL);
	if (!bt)
		return -ENOMEM;
	bt->domain = vcm_iommu_domain(vcm);
	bt->prot = vcm_iommu_prot(flags);
	bt->addr = addr;
	bt->done = 0;
	bt->pending = 0;
	bt->n = 0;
	for (; left && !ret; part = __vcm_phys_next_part(phys, part), off = 0) {
		if (!part) {
			ret = -ERANGE;
			break;
		}
		len = min(part->size - off, left);
		if (part->page && !(flags & VCM_MMIO))
			ret = vcm_iommu_add(bt, part->start + off, len);
		else
			ret = vcm_iommu_add_mmio(bt, part->start + off, len);
		left -= len;
	}
	if (!ret)
		ret = vcm_iommu_flush(bt);
	if (ret && bt->done)
		iommu_unmap(bt->domain, addr, bt->done);
	kfree(bt);
	return ret;
}

static void vcm_iommu_unmap(struct vcm *vcm, dma_addr_t addr, u64 size)
{
	size_t unmapped = iommu_unmap(vcm_iommu_domain(vcm), addr, size);

	WARN_ON_ONCE(unmapped != size);
}

static void vcm_iommu_release(struct vcm *vcm)
{
	kfree(container_of(vcm, struct vcm_iommu, vcm));
}

static const struct vcm_driver vcm_iommu_driver = {
	.name = "IOMMU domain",
	.map = vcm_iommu_map,
	.unmap = vcm_iommu_unmap,
	.release = vcm_iommu_release,
};

/**
 * vcm_iommu_create() - create a context over an IOMMU domain
 * @domain: a paging domain; the caller keeps it alive longer than the
 *	context and attaches devices to it
 * @start: first IOVA of the context
 * @size: length of the context in bytes
 *
 * The context's page sizes are the domain's pgsize_bitmap. Bindings reach
 * the domain while the context is active (vcm_activate()).
 *
 * Context: Process context; may sleep.
 * Return: the context; ERR_PTR(-EINVAL) if @domain is NULL, not a paging
 * domain, or @start and @size are not aligned to its smallest page size
 * or are 0; ERR_PTR(-ERANGE) if the range is outside an enforced
 * aperture of the domain; ERR_PTR(-EOVERFLOW) if @start + @size
 * overflows; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm *vcm_iommu_create(struct iommu_domain *domain, dma_addr_t start,
			     u64 size)
{
	struct vcm_iommu *vi;
	int ret;

	if (!domain || !(domain->type & __IOMMU_DOMAIN_PAGING) ||
	    !domain->pgsize_bitmap || !size)
		return ERR_PTR(-EINVAL);
	if (domain->geometry.force_aperture &&
	    (start < domain->geometry.aperture_start ||
	     start > domain->geometry.aperture_end ||
	     size - 1 > domain->geometry.aperture_end - start))
		return ERR_PTR(-ERANGE);

	vi = vcm_should_fail() ? NULL : kzalloc(sizeof(*vi), GFP_KERNEL);
	if (!vi)
		return ERR_PTR(-ENOMEM);
	vi->domain = domain;
	vi->vcm.start = start;
	vi->vcm.size = size;
	vi->vcm.pgsize_bitmap = domain->pgsize_bitmap;
	vi->vcm.driver = &vcm_iommu_driver;
	ret = vcm_init(&vi->vcm);
	if (ret) {
		kfree(vi);
		return ERR_PTR(ret);
	}
	return &vi->vcm;
}
EXPORT_SYMBOL_GPL(vcm_iommu_create);
