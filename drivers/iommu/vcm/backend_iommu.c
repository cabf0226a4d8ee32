// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM backend over an IOMMU domain: bindings become iommu_map() calls.
 *
 * Physically adjacent parts of a binding are mapped with one call, as
 * iommu_map_sg() does with adjacent scatterlist entries, so that the
 * IOMMU core can pick the largest page sizes of domain->pgsize_bitmap
 * that the alignment allows. Doing the merge here avoids building a
 * scatterlist for every binding.
 */

#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vcm-drv.h>

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
 * Walks the parts once, forward from the one that holds @phys_offset, so
 * that a binding of an allocation with many parts costs O(parts).
 */
static int vcm_iommu_map(struct vcm *vcm, dma_addr_t addr,
			 struct vcm_phys *phys, u64 phys_offset, u64 size,
			 unsigned int flags)
{
	struct iommu_domain *domain = vcm_iommu_domain(vcm);
	const struct vcm_phys_part *part;
	int prot = vcm_iommu_prot(flags);
	phys_addr_t run_start = 0, pa;
	u64 run_len = 0, done = 0, off = phys_offset, len;
	int ret;

	for (part = vcm_phys_next_part(phys, NULL); part && off >= part->size;
	     part = vcm_phys_next_part(phys, part))
		off -= part->size;

	while (done + run_len < size) {
		if (!part) {
			ret = -ERANGE;
			goto err;
		}
		pa = part->start + off;
		len = min(part->size - off, size - done - run_len);
		off = 0;
		part = vcm_phys_next_part(phys, part);
		if (run_len && pa == run_start + run_len) {
			run_len += len;
			continue;
		}
		if (run_len) {
			ret = iommu_map(domain, addr + done, run_start, run_len,
					prot, GFP_KERNEL);
			if (ret)
				goto err;
			done += run_len;
			/* ->map() runs in process context, see vcm-drv.h. */
			cond_resched();
		}
		run_start = pa;
		run_len = len;
	}
	ret = iommu_map(domain, addr + done, run_start, run_len, prot,
			GFP_KERNEL);
	if (!ret)
		return 0;
err:
	if (done)
		iommu_unmap(domain, addr, done);
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

	vi = kzalloc(sizeof(*vi), GFP_KERNEL);
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
