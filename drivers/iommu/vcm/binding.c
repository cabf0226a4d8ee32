// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM bindings: the edges of the graph between a reservation and
 * physical memory, and the calls that make a reservation and its binding
 * in one step.
 */

#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <trace/events/vcm.h>

#include "vcm_internal.h"

static struct kmem_cache *vcm_binding_cache;

/* Physical address of the first byte of @b, for trace events. */
static u64 vcm_binding_phys(const struct vcm_binding *b)
{
	phys_addr_t pa = 0;

	vcm_phys_addr_at(b->phys, b->phys_offset, &pa, NULL);
	return pa;
}

void vcm_binding_destroy(struct vcm_binding *b)
{
	struct vcm_res *res = b->res;
	struct vcm_phys *phys = b->phys;

	lockdep_assert_held(&res->vcm->lock);
	if (trace_vcm_unbind_enabled())
		trace_vcm_unbind(res->vcm->id, res->start + b->offset, b->size,
				 vcm_binding_phys(b));
	vcm_binding_unmap(res->vcm, b);
	rb_erase(&b->res_node, &res->bindings);
	res->nr_bindings--;
	spin_lock_irq(&phys->lock);
	list_del(&b->phys_node);
	phys->nr_bindings--;
	spin_unlock_irq(&phys->lock);
	kmem_cache_free(vcm_binding_cache, b);
}

/*
 * Where the parts of @phys stand for a binding about to be made: -EBUSY
 * while vcm_phys_migrate() moves them, else 0 and their generation in
 * @gen, for vcm_binding_link().
 */
static int vcm_phys_gen(struct vcm_phys *phys, unsigned long *gen)
{
	int ret = 0;

	spin_lock_irq(&phys->lock);
	if (phys->migrating)
		ret = -EBUSY;
	*gen = phys->gen;
	spin_unlock_irq(&phys->lock);
	return ret;
}

/*
 * Link a new binding into the graph, unless its memory is being migrated
 * or was since @gen (-EBUSY): vcm_phys_migrate() locked the contexts of
 * the bindings it found, and one made elsewhere from the parts read before
 * would keep the old pages.
 */
static int vcm_binding_link(struct vcm_binding *b, struct rb_node *parent,
			    struct rb_node **link, unsigned long gen)
{
	struct vcm_res *res = b->res;
	struct vcm_phys *phys = b->phys;

	lockdep_assert_held(&res->vcm->lock);
	spin_lock_irq(&phys->lock);
	if (phys->migrating || phys->gen != gen) {
		spin_unlock_irq(&phys->lock);
		return -EBUSY;
	}
	list_add_tail(&b->phys_node, &phys->bindings);
	phys->nr_bindings++;
	spin_unlock_irq(&phys->lock);
	rb_link_node(&b->res_node, parent, link);
	rb_insert_color(&b->res_node, &res->bindings);
	res->nr_bindings++;
	if (trace_vcm_bind_enabled())
		trace_vcm_bind(res->vcm->id, res->start + b->offset, b->size,
			       vcm_binding_phys(b));
	return 0;
}

static struct vcm_binding *vcm_binding_new(struct vcm *vcm,
					   struct vcm_res *res, u64 offset,
					   struct vcm_phys *phys,
					   u64 phys_offset, u64 size,
					   unsigned int flags)
{
	struct vcm_binding *b;

	if (vcm_should_fail())
		return NULL;
	b = kmem_cache_zalloc(vcm_binding_cache, GFP_KERNEL);
	if (!b)
		return NULL;
	b->res = res;
	b->offset = offset;
	b->phys = phys;
	b->phys_offset = phys_offset;
	b->size = size;
	b->flags = flags;
	return b;
}

/*
 * Find where a binding of [offset, offset + size) goes in @res. Returns
 * -EALREADY for the very same binding, -EADDRINUSE for another overlap.
 */
static int vcm_binding_slot(struct vcm_res *res, u64 offset, u64 size,
			    struct vcm_phys *phys, u64 phys_offset,
			    struct rb_node **parentp, struct rb_node ***linkp)
{
	struct rb_node **link = &res->bindings.rb_node, *parent = NULL;

	while (*link) {
		struct vcm_binding *b = rb_entry(*link, struct vcm_binding,
						 res_node);

		parent = *link;
		if (offset + size <= b->offset) {
			link = &parent->rb_left;
		} else if (offset >= b->offset + b->size) {
			link = &parent->rb_right;
		} else {
			if (b->offset == offset && b->size == size &&
			    b->phys == phys && b->phys_offset == phys_offset)
				return -EALREADY;
			return -EADDRINUSE;
		}
	}
	*parentp = parent;
	*linkp = link;
	return 0;
}

static int __vcm_bind_at(struct vcm_res *res, u64 offset,
			 struct vcm_phys *phys, u64 phys_offset, u64 size,
			 unsigned int flags)
{
	struct vcm *vcm = res->vcm;
	const struct vcm_phys_part *part;
	struct rb_node *parent, **link;
	struct vcm_binding *b;
	unsigned long gen;
	u64 end;
	int ret;

	lockdep_assert_held(&vcm->lock);
	if (res->type == VCM_RES_REGION)
		return -EPERM;
	if (res->placed)
		return -EOPNOTSUPP;
	if (vcm->revoked)
		return -ENODEV;
	if (!size)
		return -EINVAL;
	if (!vcm_aligned(vcm, offset) || !vcm_aligned(vcm, phys_offset) ||
	    !vcm_aligned(vcm, size))
		return -EINVAL;
	for (part = __vcm_phys_next_part(phys, NULL); part;
	     part = __vcm_phys_next_part(phys, part))
		if (!vcm_aligned(vcm, part->start) ||
		    !vcm_aligned(vcm, part->size))
			return -EINVAL;
	if (check_add_overflow(offset, size, &end) || end > res->size)
		return -ERANGE;
	if (check_add_overflow(phys_offset, size, &end) || end > phys->size)
		return -ERANGE;

	ret = vcm_binding_slot(res, offset, size, phys, phys_offset, &parent,
			       &link);
	if (ret)
		return ret;
	b = vcm_binding_new(vcm, res, offset, phys, phys_offset, size, flags);
	if (!b)
		return -ENOMEM;
	ret = vcm_phys_gen(phys, &gen);
	if (ret)
		goto err;
	if (vcm->activations) {
		ret = vcm_binding_map(vcm, b);
		if (ret)
			goto err;
	}
	ret = vcm_binding_link(b, parent, link, gen);
	if (ret) {
		vcm_binding_unmap(vcm, b);
		goto err;
	}
	return 0;

err:
	kmem_cache_free(vcm_binding_cache, b);
	return ret;
}

/**
 * vcm_bind_at() - bind part of a vcm_phys at an offset of a reservation
 * @res: the reservation
 * @offset: where in @res, aligned to the granule
 * @phys: the physical memory; every part aligned to the granule
 * @phys_offset: where in @phys, aligned to the granule
 * @size: length in bytes, aligned to the granule
 *
 * A reservation holds any number of bindings that do not overlap. If the
 * context is active, the binding is mapped at once.
 *
 * Context: Process context; may sleep. Takes the context's lock, then
 * @phys->lock.
 * Return: 0 on success; -EINVAL if a pointer is NULL, @size is 0 or a value
 * is not aligned; -ERANGE if the binding does not fit inside @res or
 * @phys; -EPERM if @res is a reserved region; -EOPNOTSUPP if @res was
 * placed by the backend (vcm_map() in a one-to-one or kernel context);
 * -EALREADY if the same binding exists; -EADDRINUSE if the range of @res
 * is partly bound; -EBUSY if vcm_phys_migrate() is moving @phys;
 * -ENOMEM if memory ran out; for an active IOMMU
 * context, another error of iommu_map_sg() or iommu_map() (-EINVAL if the
 * domain refuses the range, -ENODEV if it has no map_pages op), or -EIO if
 * the IOMMU core mapped less than asked. On error nothing changes.
 */
int vcm_bind_at(struct vcm_res *res, u64 offset, struct vcm_phys *phys,
		u64 phys_offset, u64 size)
{
	int ret;

	if (!res || !phys)
		return -EINVAL;
	vcm_lock(res->vcm);
	ret = __vcm_bind_at(res, offset, phys, phys_offset, size, res->flags);
	mutex_unlock(&res->vcm->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_bind_at);

/* The binding of @res that holds @offset, or NULL. */
static struct vcm_binding *vcm_binding_at(struct vcm_res *res, u64 offset)
{
	struct rb_node *n = res->bindings.rb_node;

	lockdep_assert_held(&res->vcm->lock);
	while (n) {
		struct vcm_binding *b = rb_entry(n, struct vcm_binding,
						 res_node);

		if (offset < b->offset)
			n = n->rb_left;
		else if (offset - b->offset >= b->size)
			n = n->rb_right;
		else
			return b;
	}
	return NULL;
}

/**
 * vcm_bind_at_flags() - vcm_bind_at() with access flags of its own
 * @res: the reservation
 * @offset: where in @res, aligned to the granule
 * @phys: the physical memory; every part aligned to the granule
 * @phys_offset: where in @phys, aligned to the granule
 * @size: length in bytes, aligned to the granule
 * @flags: VCM_READ and VCM_WRITE, at least one and none that @res lacks,
 *	and VCM_CACHE to map the memory cache-coherent for the device (a
 *	reservation made with VCM_CACHE maps all its bindings so; MMIO is
 *	never mapped cache-coherent)
 *
 * A DMA mapping in one direction is mapped read-only or write-only for
 * the device, inside a reservation that allows both.
 *
 * Context: Process context; may sleep. Takes the context's lock, then
 * @phys->lock.
 * Return: as vcm_bind_at(); also -EINVAL if @flags has no access flag or
 * an unknown flag, and -EPERM if it asks for an access @res does not
 * allow.
 */
int vcm_bind_at_flags(struct vcm_res *res, u64 offset, struct vcm_phys *phys,
		      u64 phys_offset, u64 size, unsigned int flags)
{
	int ret;

	if (!res || !phys || !(flags & VCM_ACCESS) ||
	    (flags & ~(VCM_ACCESS | VCM_CACHE)))
		return -EINVAL;
	if (flags & VCM_ACCESS & ~res->flags)
		return -EPERM;
	flags |= res->flags & (VCM_MMIO | VCM_CACHE);
	if ((flags | phys->flags) & VCM_MMIO)
		flags &= ~VCM_CACHE;
	vcm_lock(res->vcm);
	ret = __vcm_bind_at(res, offset, phys, phys_offset, size, flags);
	mutex_unlock(&res->vcm->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_bind_at_flags);

/**
 * vcm_res_find_binding() - the binding that holds an offset of a
 *	reservation
 * @res: the reservation
 * @offset: an offset inside @res
 * @info: on success, the binding
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 on success; -EINVAL if a pointer is NULL; -ENOENT if no
 * binding of @res holds @offset.
 */
int vcm_res_find_binding(struct vcm_res *res, u64 offset,
			 struct vcm_binding_info *info)
{
	struct vcm_binding *b;

	if (!res || !info)
		return -EINVAL;
	vcm_lock(res->vcm);
	b = vcm_binding_at(res, offset);
	if (b)
		vcm_binding_info(b, info);
	mutex_unlock(&res->vcm->lock);
	return b ? 0 : -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_res_find_binding);

/**
 * vcm_bind() - bind a whole vcm_phys at the start of a reservation
 * @res: the reservation
 * @phys: the physical memory, not larger than @res
 *
 * Same as vcm_bind_at(@res, 0, @phys, 0, @phys->size).
 *
 * Context: Process context; may sleep. Takes the context's lock, then
 * @phys->lock.
 * Return: as vcm_bind_at(); -ERANGE if @phys is larger than @res.
 */
int vcm_bind(struct vcm_res *res, struct vcm_phys *phys)
{
	if (!phys)
		return -EINVAL;
	return vcm_bind_at(res, 0, phys, 0, phys->size);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_bind);

/**
 * vcm_unbind_at() - remove the binding that starts at an offset
 * @res: the reservation
 * @offset: offset of the binding, as passed to vcm_bind_at()
 *
 * The binding is unmapped from the hardware first if the context is
 * active.
 *
 * Context: Process context; may sleep. Takes the context's lock, then
 * the vcm_phys's lock.
 * Return: 0 on success; -EINVAL if @res is NULL; -EOPNOTSUPP if @res was
 * placed by the backend or owns its memory (use vcm_unmap() or
 * vcm_destroy_binding()); -ENOENT if no binding starts at @offset.
 */
int vcm_unbind_at(struct vcm_res *res, u64 offset)
{
	struct vcm_binding *b;
	int ret = -ENOENT;

	if (!res)
		return -EINVAL;
	vcm_lock(res->vcm);
	if (res->placed || res->owns_phys) {
		ret = -EOPNOTSUPP;
	} else {
		b = vcm_binding_at(res, offset);
		if (b && b->offset == offset) {
			vcm_binding_destroy(b);
			ret = 0;
		}
	}
	mutex_unlock(&res->vcm->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_unbind_at);

/**
 * vcm_unbind() - remove every binding of a reservation
 * @res: the reservation
 *
 * Context: Process context; may sleep. Takes the context's lock, then
 * the vcm_phys locks.
 * Return: 0 on success, also when nothing was bound; -EINVAL if @res is
 * NULL; -EOPNOTSUPP if @res was placed by the backend or owns its memory
 * (use vcm_unmap() or vcm_destroy_binding()).
 */
int vcm_unbind(struct vcm_res *res)
{
	struct rb_node *n;
	int ret = 0;

	if (!res)
		return -EINVAL;
	vcm_lock(res->vcm);
	if (res->placed || res->owns_phys)
		ret = -EOPNOTSUPP;
	else
		while ((n = rb_first(&res->bindings)))
			vcm_binding_destroy(rb_entry(n, struct vcm_binding,
						     res_node));
	mutex_unlock(&res->vcm->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_unbind);

/* Reservation placed by the backend for the whole of @phys. */
static struct vcm_res *vcm_place(struct vcm *vcm, struct vcm_phys *phys,
				 unsigned int flags)
{
	struct vcm_binding *b;
	struct vcm_res *res;
	unsigned long gen;
	dma_addr_t addr;
	int ret;

	lockdep_assert_held(&vcm->lock);
	if (!vcm_aligned(vcm, phys->size))
		return ERR_PTR(-EINVAL);
	if (vcm->revoked)
		return ERR_PTR(-ENODEV);
	res = vcm_res_new(vcm, flags);
	if (!res)
		return ERR_PTR(-ENOMEM);
	b = vcm_binding_new(vcm, res, 0, phys, 0, phys->size, res->flags);
	if (!b) {
		ret = -ENOMEM;
		goto err_res;
	}
	ret = vcm_phys_gen(phys, &gen);
	if (ret)
		goto err_b;
	ret = vcm_should_fail() ? -ENOMEM :
	      vcm->driver->place(vcm, phys, res->flags, &addr);
	if (ret)
		goto err_b;
	if (!vcm_aligned(vcm, addr))
		ret = -EINVAL;
	else
		ret = vcm_should_fail() ? -ENOMEM :
		      vcm_iova_reserve(&vcm->space, addr >> vcm_shift(vcm),
				       phys->size >> vcm_shift(vcm),
				       GFP_KERNEL);
	if (ret)
		goto err_unplace;
	res->start = addr;
	res->size = phys->size;
	res->type = VCM_RES_DYNAMIC;
	res->placed = true;
	ret = vcm_binding_link(b, NULL, &res->bindings.rb_node, gen);
	if (ret) {
		WARN_ON_ONCE(vcm_iova_free(&vcm->space, addr >> vcm_shift(vcm),
					   phys->size >> vcm_shift(vcm)));
		goto err_unplace;
	}
	vcm_res_link(vcm, res);
	return res;

err_unplace:
	vcm->driver->unplace(vcm, phys, addr);

err_b:
	kmem_cache_free(vcm_binding_cache, b);
err_res:
	vcm_res_discard(res);
	return ERR_PTR(ret);
}

static struct vcm_res *__vcm_map(struct vcm *vcm, struct vcm_phys *phys,
				 unsigned int flags)
{
	struct vcm_res *res;
	int ret;

	lockdep_assert_held(&vcm->lock);
	if (flags & ~VCM_RES_FLAGS)
		return ERR_PTR(-EINVAL);
	if (vcm->flags & VCM_CTX_PLACED)
		return vcm_place(vcm, phys, flags);

	res = __vcm_reserve(vcm, phys->size, vcm_best_align(vcm, phys->size),
			    (dma_addr_t)~0ULL, flags);
	if (IS_ERR(res))
		return res;
	ret = __vcm_bind_at(res, 0, phys, 0, phys->size, res->flags);
	if (ret) {
		vcm_res_free(res);
		return ERR_PTR(ret);
	}
	return res;
}

/**
 * vcm_map() - reserve addresses for a whole vcm_phys and bind it there
 * @vcm: the context
 * @phys: the physical memory
 * @flags: VCM_READ, VCM_WRITE (neither means both), VCM_MMIO, VCM_CACHE
 *
 * The reservation is aligned to the largest page size of the context that
 * is not larger than @phys, so that an IOMMU can use block entries. In
 * one-to-one and kernel contexts this and vcm_make_binding() are the only
 * ways to bind memory: the backend chooses the address.
 *
 * Context: Process context; may sleep. Takes the context's lock, then
 * @phys->lock.
 * Return: the reservation, or on error, when nothing changes:
 *
 * * ERR_PTR(-EINVAL) if a pointer is NULL, a flag is unknown, @phys or
 *   one of its parts is not aligned to the granule, or the backend cannot
 *   reach @phys: not physically contiguous (one-to-one), MMIO or without
 *   struct pages (kernel CPU);
 * * ERR_PTR(-ENOSPC) if @phys is larger than the context or no free
 *   range fits (IOMMU);
 * * ERR_PTR(-ERANGE) if the range the backend chose is not wholly inside
 *   the context, or the memory is beyond the bus addresses (one-to-one);
 * * ERR_PTR(-EADDRINUSE) if the range the backend chose overlaps a
 *   reservation (one-to-one, kernel CPU);
 * * ERR_PTR(-E2BIG) if @phys has more pages than vmap() takes (kernel
 *   CPU);
 * * ERR_PTR(-EBUSY) if vcm_phys_migrate() is moving @phys;
 * * ERR_PTR(-ENOMEM) if memory or vmalloc space ran out;
 * * for an active IOMMU context, another error of iommu_map_sg() or
 *   iommu_map() (-EINVAL if the domain refuses the range, -ENODEV if it
 *   has no map_pages op), or -EIO if the IOMMU core mapped less than
 *   asked.
 */
struct vcm_res *vcm_map(struct vcm *vcm, struct vcm_phys *phys,
			unsigned int flags)
{
	struct vcm_res *res;

	if (!vcm || !phys)
		return ERR_PTR(-EINVAL);
	vcm_lock(vcm);
	res = __vcm_map(vcm, phys, flags);
	mutex_unlock(&vcm->lock);
	return res;
}
EXPORT_SYMBOL_GPL(vcm_map);

/**
 * vcm_unmap() - unbind and give back a reservation
 * @res: the reservation, usually from vcm_map()
 *
 * Works on any reservation but a reserved region: every binding is
 * removed, then the reservation. Memory allocated by vcm_make_binding()
 * is freed too.
 *
 * Context: Process context; may sleep. Takes the context's lock, then the
 * vcm_phys locks.
 * Return: 0 on success; -EINVAL if @res is NULL; -EPERM if @res is a
 * reserved region (use vcm_unreserve()); -EBUSY if @res was made by
 * vcm_make_binding() and its memory is also bound elsewhere (vcm_unmap()
 * or vcm_unbind() those bindings first). On error nothing changes.
 */
int vcm_unmap(struct vcm_res *res)
{
	struct vcm *vcm;
	int ret = 0;

	if (!res)
		return -EINVAL;
	if (res->type == VCM_RES_REGION)
		return -EPERM;
	vcm = res->vcm;
	vcm_lock(vcm);
	if (vcm_res_owned_shared(res))
		ret = -EBUSY;
	else
		vcm_res_destroy(res);
	vcm_unlock_reap(vcm);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_unmap);

/**
 * vcm_make_binding() - allocate memory, reserve addresses and bind them
 * @vcm: the context
 * @size: length in bytes, see vcm_alloc()
 * @alloc_flags: flags of vcm_alloc()
 * @res_flags: flags of vcm_map()
 *
 * The simplest use of VCM, which works in every kind of context. Undo it
 * with vcm_destroy_binding(); vcm_res_phys() gives the memory.
 *
 * Context: Process context; may sleep. Takes the context's lock, then the
 * new vcm_phys's lock.
 * Return: the reservation, or on error, when nothing changes:
 * * ERR_PTR(-EINVAL) if @vcm is NULL, @size is 0 or not a multiple of
 *   PAGE_SIZE and of the granule, or a flag of @alloc_flags or @res_flags
 *   is unknown;
 * * ERR_PTR(-E2BIG) if a contiguous part (VCM_ALLOC_CONTIG, or any
 *   one-to-one context), or every page size of @vcm, is larger than the
 *   page allocator's largest block, or the memory has more pages than
 *   vmap() takes (kernel CPU);
 * * ERR_PTR(-ENOSPC) if @size is larger than the context or no free range
 *   fits (IOMMU);
 * * ERR_PTR(-ERANGE) if the memory is beyond the bus addresses or the
 *   context's range (one-to-one, kernel CPU);
 * * ERR_PTR(-EADDRINUSE) if the memory's address overlaps a reservation
 *   (one-to-one, kernel CPU);
 * * ERR_PTR(-EBUSY) if vcm_offline_range() moved the new memory before it
 *   was bound;
 * * ERR_PTR(-ENOMEM) if memory or vmalloc space ran out;
 * * for an active IOMMU context, another error of iommu_map_sg() or
 *   iommu_map() (-EINVAL if the domain refuses the range, -ENODEV if it
 *   has no map_pages op), or -EIO if the IOMMU core mapped less than
 *   asked.
 */
struct vcm_res *vcm_make_binding(struct vcm *vcm, u64 size,
				 unsigned int alloc_flags,
				 unsigned int res_flags)
{
	struct vcm_phys *phys;
	struct vcm_res *res;

	if (!vcm)
		return ERR_PTR(-EINVAL);
	phys = vcm_alloc(vcm, size, alloc_flags);
	if (IS_ERR(phys))
		return ERR_CAST(phys);
	vcm_lock(vcm);
	res = __vcm_map(vcm, phys, res_flags);
	if (!IS_ERR(res))
		res->owns_phys = true;
	mutex_unlock(&vcm->lock);
	if (IS_ERR(res))
		vcm_free(phys);
	return res;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_make_binding);

/**
 * vcm_destroy_binding() - undo vcm_make_binding()
 * @res: the reservation
 *
 * The memory is freed with the reservation, so it must not be bound
 * anywhere else any more.
 *
 * Context: Process context; may sleep. Takes the context's lock, then the
 * vcm_phys's lock.
 * Return: 0 on success; -EINVAL if @res is NULL or was not made by
 * vcm_make_binding(); -EBUSY if its memory is also bound elsewhere (with
 * vcm_map() or vcm_bind_at() of vcm_res_phys()). On error nothing changes.
 */
int vcm_destroy_binding(struct vcm_res *res)
{
	if (!res || !res->owns_phys)
		return -EINVAL;
	return vcm_unmap(res);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_destroy_binding);

/**
 * vcm_res_phys() - the memory bound at offset 0 of a reservation
 * @res: the reservation, typically from vcm_map() or vcm_make_binding()
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the vcm_phys, or NULL if nothing is bound at offset 0.
 */
struct vcm_phys *vcm_res_phys(struct vcm_res *res)
{
	struct vcm_phys *phys = NULL;
	struct rb_node *n;

	if (!res)
		return NULL;
	vcm_lock(res->vcm);
	n = rb_first(&res->bindings);
	if (n) {
		struct vcm_binding *b = rb_entry(n, struct vcm_binding,
						 res_node);

		if (!b->offset)
			phys = b->phys;
	}
	mutex_unlock(&res->vcm->lock);
	return phys;
}
EXPORT_SYMBOL_GPL(vcm_res_phys);
static int __init vcm_binding_init(void)
{
	vcm_binding_cache = KMEM_CACHE(vcm_binding, 0);
	return vcm_binding_cache ? 0 : -ENOMEM;
}
core_initcall(vcm_binding_init);
