/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VCM backends' API: what a context implementation provides.
 *
 * Only code that implements a VCM context (drivers/iommu/vcm/backend_*.c,
 * the core, VCM behind dma-iommu) includes this header. Users of contexts include <linux/vcm.h>.
 */
#ifndef _VCM_DRV_H
#define _VCM_DRV_H

#include <linux/list.h>
#include <linux/lockdep_types.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/vcm.h>
#include "vcm_iova.h"

/*
 * Context flags (struct vcm.flags), set by the backend before vcm_init().
 * VCM_CTX_PLACED: the backend, not the IOVA allocator, chooses the address
 *	of a reservation, for one whole physical allocation at a time (its
 *	->place() op). Only vcm_map() and vcm_make_binding() can succeed.
 * VCM_CTX_CONTIG: vcm_alloc() in this context returns one contiguous part.
 */
#define VCM_CTX_PLACED	0x1
#define VCM_CTX_CONTIG	0x2

/**
 * struct vcm_driver - operations of a context
 * @name: what kind of address space, for people ("IOMMU domain"). Optional.
 * @map: put [@phys_offset, @phys_offset + @size) of @phys at @addr into
 *	the hardware with access @flags (VCM_READ, VCM_WRITE, VCM_MMIO).
 *	Called only while the context is active, with its lock held. All
 *	values are aligned to the granule. On error nothing may be left
 *	mapped. Optional.
 * @unmap: remove [@addr, @addr + @size), which an earlier @map call put
 *	there, from the hardware. Must not fail. Required with @map.
 * @place: choose an address for the whole of @phys and make it reachable
 *	there, for %VCM_CTX_PLACED contexts. Called with the context's lock
 *	held. Returns 0 or a negative error code.
 * @unplace: undo @place. Required with @place.
 * @remap: for %VCM_CTX_PLACED contexts, make the range [@addr, @addr +
 *	@size) that @place made reach what @phys now holds from
 *	@phys_offset on (vcm_phys_migrate() changed its parts), at the same
 *	addresses. Called with the context's lock held. On error the range
 *	may be left unmapped: the core calls it again once the old memory
 *	is back. Optional: memory placed in a context without it cannot be
 *	migrated.
 * @activate: called when the activation count goes from 0 to 1, before
 *	the bindings are mapped. Optional.
 * @deactivate: called when the count goes back to 0, after the bindings
 *	were unmapped. Optional.
 * @release: free the context's memory; called last by vcm_destroy().
 *
 * Every op may sleep.
 */
struct vcm_driver {
	const char *name;
	int (*map)(struct vcm *vcm, dma_addr_t addr, struct vcm_phys *phys,
		   u64 phys_offset, u64 size, unsigned int flags);
	void (*unmap)(struct vcm *vcm, dma_addr_t addr, u64 size);
	int (*place)(struct vcm *vcm, struct vcm_phys *phys,
		     unsigned int flags, dma_addr_t *addr);
	void (*unplace)(struct vcm *vcm, struct vcm_phys *phys,
			dma_addr_t addr);
	int (*remap)(struct vcm *vcm, dma_addr_t addr, struct vcm_phys *phys,
		     u64 phys_offset, u64 size, unsigned int flags);
	int (*activate)(struct vcm *vcm);
	void (*deactivate)(struct vcm *vcm);
	void (*release)(struct vcm *vcm);
};

/**
 * struct vcm - a context: one address space
 * @start: first address of the space
 * @size: length of the space in bytes
 * @pgsize_bitmap: page sizes the context can map; the smallest one is the
 *	granule, to which every address and size is aligned
 * @flags: VCM_CTX_PLACED, VCM_CTX_CONTIG
 * @driver: the backend's operations
 * @id: number of the context in trace events and debugfs, unique among
 *	live contexts; set by vcm_init()
 * @label: what the context is for, from vcm_set_label(); under @lock
 * @lock: protects every field below and every reservation and binding of
 *	the context. Lock order: @lock, then a &vcm_phys.lock, then the IOVA
 *	space's lock. Two contexts' locks nest only under a walk (vcm_walk()
 *	and vcm_res_walk_bindings()): the walked context's first, and
 *	under vcm_phys_migrate(), which only trylocks them. All
 *	contexts' locks are one lockdep class; a walk takes its own as
 *	subclass 1.
 * @space: IOVA space of the context
 * @reservations: every reservation of the context
 * @nr_res: number of entries in @reservations
 * @activations: activation count, see vcm_activate()
 * @revoked: the backend's hardware is gone (vcm_revoke()): nothing can be
 *	reserved, bound or activated any more
 * @reaping: the context is being destroyed since its last reservation
 *	went after vcm_revoke()
 *
 * The backend fills @start to @driver and calls vcm_init(); the rest is
 * private to the core.
 */
struct vcm {
	dma_addr_t start;
	u64 size;
	unsigned long pgsize_bitmap;
	unsigned int flags;
	const struct vcm_driver *driver;
	unsigned int id;

	struct mutex lock; /* see above */
	struct vcm_iova_space space;
	char label[VCM_LABEL_LEN];
	struct list_head reservations;
	unsigned long nr_res;
	unsigned int activations;
	bool revoked;
	bool reaping;
};

/**
 * struct vcm_res - a reservation: a range of addresses of a context
 * @start: first address, as the context's bus master sees it
 * @size: length in bytes
 * @vcm: the context
 * @type: see &enum vcm_res_type
 * @region: for %VCM_RES_REGION, what the region is for
 * @flags: VCM_READ, VCM_WRITE, VCM_MMIO, VCM_CACHE
 * @node: link in the context's list of reservations, under its lock
 * @part: for a region made by vcm_reserve_free(), link in the list of
 *	its owner, who serializes all use of it
 * @bindings: bindings sorted by offset, under the context's lock
 * @nr_bindings: number of entries in @bindings
 * @owns_phys: the physical memory was allocated by vcm_make_binding()
 * @placed: the backend chose @start for one whole physical allocation
 * @quiesce: how to ask the owner to stop and resume device access, for
 *	vcm_phys_migrate(); NULL if the owner registered none
 * @quiesce_data: the owner's argument of @quiesce's callbacks
 *
 * Users outside the core read these through vcm_res_start() and friends.
 */
struct vcm_res {
	dma_addr_t start;
	u64 size;
	struct vcm *vcm;
	enum vcm_res_type type;
	enum vcm_region region;
	unsigned int flags;
	struct list_head node;
	struct list_head part;
	struct rb_root bindings;
	unsigned int nr_bindings;
	bool owns_phys;
	bool placed;
	const struct vcm_quiesce_ops *quiesce;
	void *quiesce_data;
};

/**
 * struct vcm_phys - physical memory, in one or more contiguous parts
 * @size: total length in bytes
 * @count: number of entries in @parts
 * @flags: VCM_MMIO for a physical/MMIO range without struct pages
 * @owned: the pages were allocated by vcm_alloc() and are freed with it
 * @movable: allocated with %VCM_ALLOC_MOVABLE
 * @migrating: vcm_phys_migrate() runs on it: no new binding, no vcm_free()
 * @lock: protects @bindings, @nr_bindings, @migrating, and the parts while
 *	vcm_phys_migrate() swaps them; innermost lock of the graph (taken
 *	inside a context's mutex; only vcm_phys_migrate() trylocks contexts
 *	inside it), IRQ-safe (always taken with interrupts disabled)
 * @bindings: every binding of this memory, in any context
 * @nr_bindings: number of entries in @bindings
 * @gen: count of vcm_phys_migrate()'s part swaps, under @lock: a binder
 *	that read the parts before linking checks that they are still those
 * @owned_node: for @owned memory, link in the list vcm_offline_range()
 *	searches, under that list's lock
 * @offline_seq: the last vcm_offline_range() call that visited it, under
 *	that list's lock
 * @pins: vcm_offline_range() calls that hold it; vcm_free() waits for them
 * @parts: the parts, in order
 *
 * Users outside the core read these through vcm_phys_size() and friends.
 */
struct vcm_phys {
	u64 size;
	unsigned int count;
	unsigned int flags;
	bool owned;
	bool movable;
	bool migrating;
	spinlock_t lock; /* see above */
	struct list_head bindings;
	unsigned int nr_bindings;
	unsigned long gen;
	struct list_head owned_node;
	unsigned long offline_seq;
	atomic_t pins;
	struct vcm_phys_part parts[] __counted_by(count);
};

/* vcm_phys_next_part() for the core's own loops, inline. */
static inline const struct vcm_phys_part *
__vcm_phys_next_part(const struct vcm_phys *phys,
		     const struct vcm_phys_part *part)
{
	part = part ? part + 1 : phys->parts;
	return part < phys->parts + phys->count ? part : NULL;
}

int vcm_init(struct vcm *vcm);

/**
 * vcm_granule() - smallest page size of a context
 * @vcm: the context
 *
 * Context: Any context.
 * Return: the granule in bytes.
 */
static inline u64 vcm_granule(const struct vcm *vcm)
{
	return 1ULL << __ffs(vcm->pgsize_bitmap);
}

#endif /* _VCM_DRV_H */
