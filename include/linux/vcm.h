/* SPDX-License-Identifier: GPL-2.0-only */
/**
 * DOC: The VCM graph
 *
 * Virtual Contiguous Memory (VCM): a graph of address spaces and memory.
 *
 * A context (struct vcm) is an address space as one bus master sees it:
 * an IOMMU domain, the physical bus of a device without an IOMMU, or the
 * kernel's virtual address space. A reservation (struct vcm_res) is a
 * range of addresses of one context. A physical allocation (struct
 * vcm_phys) is memory, in one or more physically contiguous parts. A
 * binding joins a range of a physical allocation to a range of a
 * reservation; one physical allocation may be bound into reservations of
 * many contexts, so that several devices and the CPU share one buffer.
 *
 * Sleeping and locking: every function of this header may sleep (they
 * take the context's mutex and allocate with GFP_KERNEL), except these,
 * which are safe in any context, interrupt handlers included (on
 * PREEMPT_RT, where spinlocks sleep, threaded ones only):
 * vcm_phys_addr_at(), the vcm_phys_next_part() walker, vcm_kernel_addr(),
 * vcm_region_name(), the accessors vcm_res_start(), vcm_res_size(),
 * vcm_res_type(), vcm_res_region(), vcm_res_ctx_id(), vcm_phys_size(),
 * vcm_phys_count() and vcm_phys_is_mmio(), and vcm_phys_walk_bindings(),
 * which runs its callback under a vcm_phys's spinlock with interrupts
 * disabled. Calls on one context are serialized by its mutex; calls on
 * different contexts run in parallel. A vcm_walk_res() or
 * vcm_res_walk_bindings() callback may call VCM on another context, but
 * not start another walk and never call into the context it walks;
 * lockdep checks both. Lock order: a context's mutex, then a vcm_phys's
 * spinlock, then the context's IOVA space lock.
 *
 * Activation: bindings reach a context's hardware while it is active
 * (vcm_activate()); deactivation removes them from the hardware and keeps
 * the graph. The kernel CPU context is the exception: vmap() chooses its
 * addresses, so its mappings exist from binding to unbinding.
 *
 * Migration: vcm_phys_migrate() moves memory that VCM allocated to other
 * pages while it stays bound, at the same addresses in every context. It
 * asks the owner of each reservation that reaches hardware to stop
 * access first (vcm_res_set_quiesce()); memory bound where its owner
 * registered no callbacks cannot be moved.
 *
 * Ownership: only the caller that made a reservation or a physical
 * allocation gives it back; the walks show other callers' objects for
 * reading, not for vcm_unreserve(), vcm_unmap() or vcm_free().
 *
 * Errors: every call checks its arguments and returns a documented error
 * code without changing anything when they are wrong. A call that fails
 * later (out of memory, a backend error) also leaves the graph and the
 * hardware exactly as they were.
 */
#ifndef _LINUX_VCM_H
#define _LINUX_VCM_H

#include <linux/err.h>
#include <linux/types.h>

struct device;
struct page;
struct sg_table;
struct vcm;
struct vcm_phys;
struct vcm_res;

/* Access rights of a reservation's bindings (vcm_reserve() flags). */
#define VCM_READ	0x1
#define VCM_WRITE	0x2
/* The memory is MMIO: map it uncached (IOMMU_MMIO). */
#define VCM_MMIO	0x4
/* vcm_reserve_at(): a reserved region; users can never bind it. */
#define VCM_REGION	0x8
/* The device is cache-coherent: map with IOMMU_CACHE. */
#define VCM_CACHE	0x10

/* vcm_alloc() flags: allocate one physically contiguous part. */
#define VCM_ALLOC_CONTIG	0x1
/*
 * vcm_alloc() flags: the caller reaches the memory only through its
 * bindings, and its parts only between migrations, so that
 * vcm_offline_range() may move it without asking the caller.
 */
#define VCM_ALLOC_MOVABLE	0x2

/**
 * enum vcm_res_type - kind of a reservation
 * @VCM_RES_DYNAMIC: placed by the allocator (vcm_reserve(), vcm_map())
 * @VCM_RES_FIXED: placed by the caller (vcm_reserve_at())
 * @VCM_RES_REGION: a reserved region of the address space (MSI doorbell,
 *	PCI window, unity map); never handed out, never bound
 */
enum vcm_res_type {
	VCM_RES_DYNAMIC,
	VCM_RES_FIXED,
	VCM_RES_REGION,
};

/**
 * enum vcm_region - what a reserved region (%VCM_RES_REGION) is for
 * @VCM_REGION_NONE: not a region
 * @VCM_REGION_RESERVED: never to be used (IOMMU_RESV_RESERVED, and
 *	vcm_reserve_at() with %VCM_REGION)
 * @VCM_REGION_DIRECT: mapped one to one by the IOMMU core
 *	(IOMMU_RESV_DIRECT and IOMMU_RESV_DIRECT_RELAXABLE)
 * @VCM_REGION_MSI: hardware MSI doorbells, not translated (IOMMU_RESV_MSI)
 * @VCM_REGION_SW_MSI: the window where software maps MSI doorbells for
 *	unmanaged domains (IOMMU_RESV_SW_MSI)
 * @VCM_REGION_PCI_WINDOW: an MMIO window of a PCI host bridge; a DMA to it
 *	would be routed peer to peer instead of reaching the IOMMU
 * @VCM_REGION_DMA_HOLE: outside the dma-ranges of a PCI host bridge
 */
enum vcm_region {
	VCM_REGION_NONE,
	VCM_REGION_RESERVED,
	VCM_REGION_DIRECT,
	VCM_REGION_MSI,
	VCM_REGION_SW_MSI,
	VCM_REGION_PCI_WINDOW,
	VCM_REGION_DMA_HOLE,
};

/**
 * struct vcm_phys_part - a physically contiguous part of an allocation
 * @start: physical address
 * @size: length in bytes
 * @page: first page, or NULL for memory without struct page (MMIO)
 * @order: page order when allocated by vcm_alloc() as one block, else 0
 */
struct vcm_phys_part {
	phys_addr_t start;
	u64 size;
	struct page *page;
	unsigned int order;
};

/**
 * struct vcm_binding_info - what vcm_*_walk_bindings() report
 * @vcm: context of the binding
 * @res: reservation of the binding
 * @offset: offset of the binding inside @res
 * @phys: the physical memory
 * @phys_offset: offset of the bound range inside @phys
 * @size: length of the binding in bytes
 * @flags: access of the device (VCM_READ, VCM_WRITE), VCM_CACHE, VCM_MMIO
 */
struct vcm_binding_info {
	struct vcm *vcm;
	struct vcm_res *res;
	u64 offset;
	struct vcm_phys *phys;
	u64 phys_offset;
	u64 size;
	unsigned int flags;
};

/**
 * struct vcm_quiesce_ops - how VCM asks a reservation's owner to stop
 *	device access, for vcm_phys_migrate()
 * @quiesce: stop every access of the reservation's bus master (device, or
 *	the CPU for a kernel context) to [@offset, @offset + @size) of @res
 *	and wait until running ones are done; return 0, or a negative error
 *	code to refuse the migration. For a device that is not
 *	cache-coherent, also do what dma_sync_*_for_cpu() would, since the
 *	CPU copies the memory.
 * @resume: access may start again, at the same addresses; called once
 *	for each successful @quiesce call, whether the migration succeeded
 *	or not. For a device that is not cache-coherent, also do what
 *	dma_sync_*_for_device() would.
 *
 * Both run in process context, may sleep, and are called with the locks
 * of the contexts the memory is bound into held: they must not call VCM
 * or wait for anything that does. A quiesce should take no longer than a
 * few device transfers; every other mapper of the memory waits meanwhile.
 */
struct vcm_quiesce_ops {
	int (*quiesce)(struct vcm_res *res, u64 offset, u64 size, void *data);
	void (*resume)(struct vcm_res *res, u64 offset, u64 size, void *data);
};

/* Contexts */
#define VCM_LABEL_LEN	48	/* room for a context's label, with its NUL */

int vcm_destroy(struct vcm *vcm);
int vcm_set_label(struct vcm *vcm, const char *label);
int vcm_activate(struct vcm *vcm);
void vcm_deactivate(struct vcm *vcm);
bool vcm_is_active(struct vcm *vcm);

/* Reservations */
struct vcm_res *vcm_reserve(struct vcm *vcm, u64 size, u64 align,
			    unsigned int flags);
struct vcm_res *vcm_reserve_below(struct vcm *vcm, u64 size, u64 align,
				  dma_addr_t limit, unsigned int flags);
struct vcm_res *vcm_reserve_at(struct vcm *vcm, dma_addr_t addr, u64 size,
			       unsigned int flags);
struct vcm_res *vcm_reserve_region(struct vcm *vcm, dma_addr_t addr,
				   u64 size, enum vcm_region region);
int vcm_unreserve(struct vcm_res *res);
const char *vcm_region_name(enum vcm_region region);
dma_addr_t vcm_res_start(const struct vcm_res *res);
u64 vcm_res_size(const struct vcm_res *res);
enum vcm_res_type vcm_res_type(const struct vcm_res *res);
enum vcm_region vcm_res_region(const struct vcm_res *res);
unsigned int vcm_res_ctx_id(const struct vcm_res *res);
int vcm_res_set_quiesce(struct vcm_res *res,
			const struct vcm_quiesce_ops *ops, void *data);

/* Physical memory */
struct vcm_phys *vcm_alloc(struct vcm *vcm, u64 size, unsigned int flags);
struct vcm_phys *vcm_phys_from_sgt(struct sg_table *sgt);
struct vcm_phys *vcm_phys_from_pages(struct page **pages,
				     unsigned int count);
struct vcm_phys *vcm_phys_from_range(phys_addr_t start, u64 size,
				     unsigned int flags);
int vcm_free(struct vcm_phys *phys);
int vcm_phys_addr_at(const struct vcm_phys *phys, u64 offset,
		     phys_addr_t *addr, u64 *len);
u64 vcm_phys_size(const struct vcm_phys *phys);
unsigned int vcm_phys_count(const struct vcm_phys *phys);
bool vcm_phys_is_mmio(const struct vcm_phys *phys);
const struct vcm_phys_part *
vcm_phys_next_part(const struct vcm_phys *phys,
		   const struct vcm_phys_part *part);
int vcm_phys_migrate(struct vcm_phys *phys, u64 offset, u64 size);

/**
 * struct vcm_offline_report - what vcm_offline_range() did
 * @moved: parts moved out of the range
 * @moved_bytes: their length in bytes
 * @failed: parts that could not be moved, and stay in the range
 * @failed_bytes: their length in bytes
 * @err: the error that kept the first of them there, 0 if none
 */
struct vcm_offline_report {
	unsigned int moved;
	u64 moved_bytes;
	unsigned int failed;
	u64 failed_bytes;
	int err;
};

int vcm_offline_range(phys_addr_t start, u64 size,
		      struct vcm_offline_report *report);

/* Bindings */
int vcm_bind(struct vcm_res *res, struct vcm_phys *phys);
int vcm_bind_at(struct vcm_res *res, u64 offset, struct vcm_phys *phys,
		u64 phys_offset, u64 size);
int vcm_bind_at_flags(struct vcm_res *res, u64 offset, struct vcm_phys *phys,
		      u64 phys_offset, u64 size, unsigned int flags);
int vcm_res_find_binding(struct vcm_res *res, u64 offset,
			 struct vcm_binding_info *info);
int vcm_unbind_at(struct vcm_res *res, u64 offset);
int vcm_unbind(struct vcm_res *res);
struct vcm_res *vcm_map(struct vcm *vcm, struct vcm_phys *phys,
			unsigned int flags);
int vcm_unmap(struct vcm_res *res);
struct vcm_res *vcm_make_binding(struct vcm *vcm, u64 size,
				 unsigned int alloc_flags,
				 unsigned int res_flags);
int vcm_destroy_binding(struct vcm_res *res);
struct vcm_phys *vcm_res_phys(struct vcm_res *res);

/* The graph */
int vcm_walk(struct vcm *vcm, int (*res_fn)(struct vcm_res *res, void *data),
	     int (*bind_fn)(const struct vcm_binding_info *info, void *data),
	     void *data);
int vcm_walk_res(struct vcm *vcm,
		 int (*fn)(struct vcm_res *res, void *data), void *data);
int vcm_res_walk_bindings(struct vcm_res *res,
			  int (*fn)(const struct vcm_binding_info *info,
				    void *data),
			  void *data);
int vcm_phys_walk_bindings(struct vcm_phys *phys,
			   int (*fn)(const struct vcm_binding_info *info,
				     void *data),
			   void *data);

/* Backends */
struct iommu_domain;
#ifdef CONFIG_IOMMU_API
struct vcm *vcm_iommu_create(struct iommu_domain *domain, dma_addr_t start,
			     u64 size);
#else
/* Without the IOMMU API there are no domains to build a context on. */
static inline struct vcm *vcm_iommu_create(struct iommu_domain *domain,
					   dma_addr_t start, u64 size)
{
	return ERR_PTR(-ENODEV);
}
#endif
struct vcm *vcm_onetoone_create(dma_addr_t start, u64 size);
struct vcm *vcm_kernel_create(void);
void *vcm_kernel_addr(struct vcm_res *res);

#endif /* _LINUX_VCM_H */
