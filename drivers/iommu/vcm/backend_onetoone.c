// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM one-to-one backend, for devices without an IOMMU: the bus address of
 * memory is its physical address. A reservation can therefore only be made
 * together with the binding, at the memory's own address (vcm_map(),
 * vcm_make_binding()), and the memory must be physically contiguous, which
 * vcm_alloc() in such a context guarantees.
 */

#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/slab.h>
#include "vcm-drv.h"

#include "vcm_internal.h"

static int vcm_o2o_place(struct vcm *vcm, struct vcm_phys *phys,
			 unsigned int flags, dma_addr_t *addr)
{
	unsigned int i;

	for (i = 1; i < phys->count; i++)
		if (phys->parts[i].start !=
		    phys->parts[i - 1].start + phys->parts[i - 1].size)
			return -EINVAL;
	if (phys->parts[0].start != (dma_addr_t)phys->parts[0].start)
		return -ERANGE;
	*addr = phys->parts[0].start;
	return 0;
}

static void vcm_o2o_unplace(struct vcm *vcm, struct vcm_phys *phys,
			    dma_addr_t addr)
{
}

static void vcm_o2o_release(struct vcm *vcm)
{
	kfree(vcm);
}

static const struct vcm_driver vcm_o2o_driver = {
	.name = "one-to-one (bus = physical)",
	.place = vcm_o2o_place,
	.unplace = vcm_o2o_unplace,
	.release = vcm_o2o_release,
};

/**
 * vcm_onetoone_create() - create a context where bus address == physical
 * @start: lowest bus address the device reaches, aligned to PAGE_SIZE
 * @size: length of the reachable range in bytes, aligned to PAGE_SIZE
 *
 * Only vcm_map() and vcm_make_binding() can bind memory, and only
 * physically contiguous memory inside [@start, @start + @size). Reserved
 * regions (vcm_reserve_at() with VCM_REGION) keep memory out.
 *
 * Context: Process context; may sleep.
 * Return: the context; ERR_PTR(-EINVAL) if @size is 0 or a value is not
 * aligned; ERR_PTR(-EOVERFLOW) if @start + @size overflows;
 * ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm *vcm_onetoone_create(dma_addr_t start, u64 size)
{
	struct vcm *vcm;
	int ret;

	vcm = vcm_should_fail() ? NULL : kzalloc(sizeof(*vcm), GFP_KERNEL);
	if (!vcm)
		return ERR_PTR(-ENOMEM);
	vcm->start = start;
	vcm->size = size;
	vcm->pgsize_bitmap = PAGE_SIZE;
	vcm->flags = VCM_CTX_PLACED | VCM_CTX_CONTIG;
	vcm->driver = &vcm_o2o_driver;
	ret = vcm_init(vcm);
	if (ret) {
		kfree(vcm);
		return ERR_PTR(ret);
	}
	return vcm;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_onetoone_create);
