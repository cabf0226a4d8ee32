// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM kernel CPU backend: addresses are kernel virtual addresses in the
 * vmalloc area, made with vmap(). vmap() chooses the address, so this
 * context, like the one-to-one one, only binds with vcm_map() and
 * vcm_make_binding(); the mapping exists as soon as it is made, whether
 * or not the context is active. The context's IOVA space mirrors the
 * vmalloc area to record the reservations.
 */

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "vcm-drv.h"

#include "vcm_internal.h"
#include <linux/io.h>
#include <linux/vmalloc.h>

static int vcm_kernel_place(struct vcm *vcm, struct vcm_phys *phys,
			    unsigned int flags, dma_addr_t *addr)
{
	unsigned long nr = phys->size >> PAGE_SHIFT, n = 0, i;
	const struct vcm_phys_part *part;
	struct page **pages;
	void *va;

	if (phys->flags & VCM_MMIO)
		return -EINVAL;
	for (part = __vcm_phys_next_part(phys, NULL); part;
	     part = __vcm_phys_next_part(phys, part))
		if (!part->page || !PAGE_ALIGNED(part->start) ||
		    !PAGE_ALIGNED(part->size))
			return -EINVAL;
	if (nr > UINT_MAX)
		return -E2BIG;

	pages = vcm_should_fail() ? NULL :
		kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (part = __vcm_phys_next_part(phys, NULL); part;
	     part = __vcm_phys_next_part(phys, part))
		for (i = 0; i < part->size >> PAGE_SHIFT; i++)
			pages[n++] = nth_page(part->page, i);
	va = vcm_should_fail() ? NULL :
		vmap(pages, nr, VM_MAP,
		     flags & VCM_WRITE ? PAGE_KERNEL : PAGE_KERNEL_RO);
	kvfree(pages);
	if (!va)
		return -ENOMEM;
	*addr = (unsigned long)va;
	return 0;
}

static void vcm_kernel_unplace(struct vcm *vcm, struct vcm_phys *phys,
			       dma_addr_t addr)
{
	vunmap((void *)(unsigned long)addr);
}

/*
 * Point the addresses vmap() chose at the memory @phys now has: unmap
 * them (which flushes the TLB) and map each page again, as vmap() did.
 * Page by page, so that no block entry replaces a page table: the tables
 * stay, and putting the old memory back needs no memory.
 */
static int vcm_kernel_remap(struct vcm *vcm, dma_addr_t addr,
			    struct vcm_phys *phys, u64 phys_offset, u64 size,
			    unsigned int flags)
{
	pgprot_t prot = flags & VCM_WRITE ? PAGE_KERNEL : PAGE_KERNEL_RO;
	const struct vcm_phys_part *part;
	unsigned long va = addr;
	phys_addr_t pa;
	int ret;

	vunmap_range(addr, addr + size);
	for (part = __vcm_phys_next_part(phys, NULL); part;
	     part = __vcm_phys_next_part(phys, part)) {
		for (pa = part->start; pa < part->start + part->size;
		     pa += PAGE_SIZE, va += PAGE_SIZE) {
			ret = vmap_page_range(va, va + PAGE_SIZE, pa, prot);
			if (ret)
				return ret;
		}
		cond_resched();
	}
	return 0;
}

static void vcm_kernel_release(struct vcm *vcm)
{
	kfree(vcm);
}

static const struct vcm_driver vcm_kernel_driver = {
	.name = "kernel virtual addresses",
	.place = vcm_kernel_place,
	.unplace = vcm_kernel_unplace,
	.remap = vcm_kernel_remap,
	.release = vcm_kernel_release,
};

/**
 * vcm_kernel_create() - create a context for the kernel's CPU mappings
 *
 * Memory bound with vcm_map() or vcm_make_binding() gets a kernel virtual
 * address (vcm_kernel_addr()) that maps it with PAGE_KERNEL, or read-only
 * if VCM_WRITE was not asked for (VCM_READ alone).
 *
 * Context: Process context; may sleep.
 * Return: the context; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm *vcm_kernel_create(void)
{
	struct vcm *vcm;
	int ret;

	vcm = vcm_should_fail() ? NULL : kzalloc(sizeof(*vcm), GFP_KERNEL);
	if (!vcm)
		return ERR_PTR(-ENOMEM);
	vcm->start = PAGE_ALIGN(VMALLOC_START);
	vcm->size = (VMALLOC_END & PAGE_MASK) - vcm->start;
	vcm->pgsize_bitmap = PAGE_SIZE;
	vcm->flags = VCM_CTX_PLACED;
	vcm->driver = &vcm_kernel_driver;
	ret = vcm_init(vcm);
	if (ret) {
		kfree(vcm);
		return ERR_PTR(ret);
	}
	return vcm;
}
EXPORT_SYMBOL_GPL(vcm_kernel_create);

/**
 * vcm_kernel_addr() - kernel virtual address of a kernel reservation
 * @res: a reservation of a context from vcm_kernel_create()
 *
 * Context: Any context.
 * Return: the address of the first byte of @res; NULL if @res is NULL or
 * belongs to another kind of context, whose addresses are not kernel
 * virtual addresses.
 */
void *vcm_kernel_addr(struct vcm_res *res)
{
	if (!res || res->vcm->driver != &vcm_kernel_driver)
		return NULL;
	return (void *)(unsigned long)res->start;
}
EXPORT_SYMBOL_GPL(vcm_kernel_addr);
