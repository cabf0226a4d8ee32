/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to drivers/iommu/vcm: the core's view of the graph.
 */
#ifndef _VCM_INTERNAL_H
#define _VCM_INTERNAL_H

#include "vcm-drv.h"

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
 * @moving: vcm_phys_migrate() rebuilds it, under the context's lock
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
	bool moving;
};

#ifdef CONFIG_VCM_FAULT_INJECTION
bool vcm_should_fail(void);
void vcm_fail_nth(unsigned int n);
bool vcm_fail_nth_pending(void);
#else
static inline bool vcm_should_fail(void)
{
	return false;
}
#endif
#define VCM_ACCESS	(VCM_READ | VCM_WRITE)
#define VCM_RES_FLAGS	(VCM_ACCESS | VCM_MMIO | VCM_CACHE)

static inline unsigned int vcm_shift(const struct vcm *vcm)
{
	return __ffs(vcm->pgsize_bitmap);
}

static inline bool vcm_aligned(const struct vcm *vcm, u64 val)
{
	return !(val & (vcm_granule(vcm) - 1));
}

/*
 * For the tests' leak checks: pages held by vcm_alloc() allocations and
 * live vcm_phys objects and contexts. Kept only when the tests are built.
 */
extern atomic_long_t vcm_nr_pages;
extern atomic_long_t vcm_nr_phys;
extern atomic_long_t vcm_nr_ctx;

static inline void vcm_count(atomic_long_t *counter, long delta)
{
	if (IS_ENABLED(CONFIG_VCM_KUNIT_TEST))
		atomic_long_add(delta, counter);
}

/* Lockdep subclass of a context's lock while a walk runs its callbacks. */
#define VCM_LOCK_WALK	1

/*
 * Take a context's lock. All contexts' locks are one lockdep class, and a
 * walk holds its context's as %VCM_LOCK_WALK, so that its callbacks may
 * lock other contexts. Lockdep cannot tell a callback calling back into
 * the context it walks from that, and the mutex would hang: the check of
 * this very lock catches it.
 */
static inline void vcm_lock(struct vcm *vcm)
{
	lockdep_assert_not_held(&vcm->lock);
	mutex_lock(&vcm->lock);
}

static inline void vcm_lock_walk(struct vcm *vcm)
{
	lockdep_assert_not_held(&vcm->lock);
	mutex_lock_nested(&vcm->lock, VCM_LOCK_WALK);
}

/* context.c */
extern struct xarray vcm_contexts;
extern struct mutex vcm_graph_lock;
int vcm_binding_map(struct vcm *vcm, struct vcm_binding *b);
int __vcm_binding_map(struct vcm *vcm, struct vcm_binding *b);
void vcm_binding_unmap(struct vcm *vcm, struct vcm_binding *b);
void vcm_unlock_reap(struct vcm *vcm);
void vcm_revoke(struct vcm *vcm);

/* reservation.c */
struct vcm_res *vcm_res_new(struct vcm *vcm, unsigned int flags);
void vcm_res_discard(struct vcm_res *res);
void vcm_res_link(struct vcm *vcm, struct vcm_res *res);
void vcm_res_free(struct vcm_res *res);
void vcm_res_destroy(struct vcm_res *res);
bool vcm_res_owned_shared(struct vcm_res *res);
u64 vcm_best_align(const struct vcm *vcm, u64 size);
struct vcm_res *__vcm_reserve(struct vcm *vcm, u64 size, u64 align,
			      dma_addr_t limit, unsigned int flags);
void vcm_release_regions(struct vcm *vcm);

/**
 * struct vcm_free_report - what vcm_reserve_free() found in its range
 * @reserved: bytes it reserved
 * @regions: bytes that reserved regions held already
 * @others: bytes that other reservations held, such as DMA windows
 * @mapped: bytes that allocated ranges outside any reservation held:
 *	streaming mappings, or ranges freed into a cache since it began
 */
struct vcm_free_report {
	u64 reserved;
	u64 regions;
	u64 others;
	u64 mapped;
};

int vcm_reserve_free(struct vcm *vcm, dma_addr_t addr, u64 size,
		     enum vcm_region region, struct list_head *parts,
		     struct vcm_free_report *report);
void vcm_unreserve_parts(struct list_head *parts);

/* phys.c */
extern struct list_head vcm_owned;
extern spinlock_t vcm_owned_lock;
int vcm_part_alloc_like(const struct vcm_phys_part *old,
			struct vcm_phys_part *part);
void vcm_part_free_pages(const struct vcm_phys_part *part);

/* binding.c */
void vcm_binding_destroy(struct vcm_binding *b);

/* walk.c */
void vcm_binding_info(const struct vcm_binding *b,
		      struct vcm_binding_info *info);

#endif /* _VCM_INTERNAL_H */
