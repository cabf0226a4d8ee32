/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to drivers/iommu/vcm: the core's view of the graph.
 */
#ifndef _VCM_INTERNAL_H
#define _VCM_INTERNAL_H

#include <linux/vcm-drv.h>

/**
 * struct vcm_binding - an edge of the graph
 * @res: reservation the memory is bound into
 * @offset: offset of the binding inside @res
 * @phys: the physical memory
 * @phys_offset: offset of the bound range inside @phys
 * @size: length in bytes
 * @res_node: link in @res->bindings, under the context's lock
 * @phys_node: link in @phys->bindings, under @phys->lock
 * @flags: access of the device (VCM_READ, VCM_WRITE) and VCM_CACHE, VCM_MMIO
 * @mapped: the backend's ->map() put the binding into the hardware
 */
struct vcm_binding {
	struct vcm_res *res;
	u64 offset;
	struct vcm_phys *phys;
	u64 phys_offset;
	u64 size;
	struct rb_node res_node;
	struct list_head phys_node;
	unsigned int flags;
	bool mapped;
};

#ifdef CONFIG_VCM_FAULT_INJECTION
bool vcm_should_fail(void);
#else
static inline bool vcm_should_fail(void)
{
	return false;
}
#endif
void vcm_release_regions(struct vcm *vcm);
void vcm_revoke(struct vcm *vcm);

extern atomic_long_t vcm_nr_pages;
extern atomic_long_t vcm_nr_phys;
extern atomic_long_t vcm_nr_ctx;

#endif /* _VCM_INTERNAL_H */
