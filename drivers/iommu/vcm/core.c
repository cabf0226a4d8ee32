// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM core: contexts, reservations, physical allocations and bindings.
 *
 * Each context has a mutex that covers its reservations and their
 * bindings. A physical allocation can be bound into several contexts, so
 * its list of bindings has its own spinlock, taken inside the context's
 * mutex. Every call checks its input first, then allocates what it needs,
 * and only then changes the graph, so a failed call changes nothing.
 */

#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "vcm_internal.h"

#define VCM_ACCESS	(VCM_READ | VCM_WRITE)
#define VCM_RES_FLAGS	(VCM_ACCESS | VCM_MMIO | VCM_CACHE)

/* Page sizes vcm_alloc() uses without a context. */
#define VCM_DEFAULT_PGSIZES	(PAGE_SIZE | SZ_64K | SZ_2M)

static struct kmem_cache *vcm_res_cache;
static struct kmem_cache *vcm_binding_cache;

/*
 * For the tests' leak checks: pages held by vcm_alloc() allocations and
 * live vcm_phys objects and contexts. Kept only when the tests are built.
 */
atomic_long_t vcm_nr_pages = ATOMIC_LONG_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(vcm_nr_pages);
atomic_long_t vcm_nr_phys = ATOMIC_LONG_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(vcm_nr_phys);
atomic_long_t vcm_nr_ctx = ATOMIC_LONG_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(vcm_nr_ctx);

static void vcm_count(atomic_long_t *counter, long delta)
{
	if (IS_ENABLED(CONFIG_VCM_KUNIT_TEST))
		atomic_long_add(delta, counter);
}

#ifdef CONFIG_VCM_FAULT_INJECTION
/*
 * fail_vcm: the fault-injection attribute of the graph's allocations and
 * backend calls (Documentation/fault-injection/). Besides its debugfs
 * directory, the per-task fail-nth of the framework reaches it: the
 * KUnit tests set current->fail_nth to fail each step of a call chain in
 * turn. Quiet by default (verbose 0), so that a test's failures do not
 * fill the log with stack dumps.
 */
static DECLARE_FAULT_ATTR(fail_vcm);

bool vcm_should_fail(void)
{
	return should_fail(&fail_vcm, 1);
}

static int __init fail_vcm_init(void)
{
	fail_vcm.verbose = 0;
	if (IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		fault_create_debugfs_attr("fail_vcm", NULL, &fail_vcm);
	return 0;
}
late_initcall(fail_vcm_init);
#endif

static unsigned int vcm_shift(const struct vcm *vcm)
{
	return __ffs(vcm->pgsize_bitmap);
}

static bool vcm_aligned(const struct vcm *vcm, u64 val)
{
	return !(val & (vcm_granule(vcm) - 1));
}

/* ---- Contexts ---------------------------------------------------------- */

/**
 * vcm_init() - initialise the core's part of a new context
 * @vcm: the context; the backend has set @start, @size, @pgsize_bitmap,
 *	@flags and @driver
 *
 * @vcm must not be in static memory: it holds the lockdep class of the
 * context's lock. Once this succeeded, only vcm_destroy() may end the
 * context, and the backend frees @vcm only from its ->release() op.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL if a field is missing, @start or @size is
 * not aligned to the granule, @size is 0 or the ops are inconsistent;
 * -EOVERFLOW if @start + @size overflows, or the space has more granules
 * than the IOVA allocator numbers (VCM_IOVA_MAX_PFN); -ENOMEM if the
 * IOVA space cannot be set up. On error the backend still owns and frees
 * @vcm.
 */
int vcm_init(struct vcm *vcm)
{
	const struct vcm_driver *drv;
	u64 last;
	int ret;

	if (!vcm || !vcm->driver || !vcm->pgsize_bitmap || !vcm->size)
		return -EINVAL;
	drv = vcm->driver;
	if (!drv->release || !drv->map != !drv->unmap ||
	    !drv->place != !drv->unplace ||
	    !(vcm->flags & VCM_CTX_PLACED) != !drv->place)
		return -EINVAL;
	if (!vcm_aligned(vcm, vcm->start) || !vcm_aligned(vcm, vcm->size))
		return -EINVAL;
	if (check_add_overflow(vcm->start, vcm->size - 1, &last))
		return -EOVERFLOW;
	if ((last >> vcm_shift(vcm)) > VCM_IOVA_MAX_PFN)
		return -EOVERFLOW;

	if (vcm_should_fail())
		return -ENOMEM;
	ret = vcm_iova_space_init(&vcm->space, vcm_granule(vcm),
				  vcm->start >> vcm_shift(vcm),
				  last >> vcm_shift(vcm));
	if (ret)
		return ret;
	lockdep_register_key(&vcm->lock_key);
	__mutex_init(&vcm->lock, "&vcm->lock", &vcm->lock_key);
	INIT_LIST_HEAD(&vcm->reservations);
	vcm->nr_res = 0;
	vcm->activations = 0;
	vcm->revoked = false;
	vcm->reaping = false;
	vcm_count(&vcm_nr_ctx, 1);
	return 0;
}
EXPORT_SYMBOL_GPL(vcm_init);

static void vcm_binding_destroy(struct vcm_binding *b);
static void vcm_res_destroy(struct vcm_res *res);
static void vcm_binding_info(const struct vcm_binding *b,
			     struct vcm_binding_info *info);

/**
 * vcm_destroy() - destroy an inactive context
 * @vcm: the context
 *
 * Reservations that are left are unbound and freed, with a warning in the
 * log, as are physical allocations made by vcm_make_binding() (even when
 * they were also bound elsewhere in @vcm), except one that is still bound
 * into another context: that one stays valid, with a warning, and whoever
 * bound it there frees it with vcm_free() once it is unbound. Other
 * physical allocations stay valid. The backend then frees @vcm.
 *
 * Context: Process context; may sleep. Takes the context's lock, then the
 * vcm_phys locks of the bindings it removes.
 * Return: 0 on success; -EINVAL if @vcm is NULL; -EBUSY if the context is
 * active, and then nothing changes.
 */
int vcm_destroy(struct vcm *vcm)
{
	struct vcm_res *res, *tmp;

	if (!vcm)
		return -EINVAL;

	mutex_lock(&vcm->lock);
	if (vcm->activations) {
		mutex_unlock(&vcm->lock);
		return -EBUSY;
	}
	if (vcm->nr_res)
		pr_warn("vcm: destroying a context with %lu reservations left\n",
			vcm->nr_res);
	/*
	 * Memory that vcm_make_binding() allocated may also be bound into
	 * another reservation of this context: remove the others first, so
	 * that such memory is unbound here when its owner frees it.
	 */
	list_for_each_entry_safe(res, tmp, &vcm->reservations, node)
		if (!res->owns_phys)
			vcm_res_destroy(res);
	list_for_each_entry_safe(res, tmp, &vcm->reservations, node)
		vcm_res_destroy(res);
	mutex_unlock(&vcm->lock);

	vcm_iova_space_destroy(&vcm->space);
	mutex_destroy(&vcm->lock);
	lockdep_unregister_key(&vcm->lock_key);
	vcm_count(&vcm_nr_ctx, -1);
	vcm->driver->release(vcm);
	return 0;
}
EXPORT_SYMBOL_GPL(vcm_destroy);

/* Push one binding into the hardware. */
static int vcm_binding_map(struct vcm *vcm, struct vcm_binding *b)
{
	int ret;

	lockdep_assert_held(&vcm->lock);
	if (!vcm->driver->map || b->res->placed)
		return 0;
	if (vcm_should_fail())
		return -ENOMEM;
	ret = vcm->driver->map(vcm, b->res->start + b->offset, b->phys,
			       b->phys_offset, b->size,
			       b->flags | (b->phys->flags & VCM_MMIO));
	if (!ret)
		b->mapped = true;
	return ret;
}

static void vcm_binding_unmap(struct vcm *vcm, struct vcm_binding *b)
{
	lockdep_assert_held(&vcm->lock);
	if (!b->mapped)
		return;
	vcm->driver->unmap(vcm, b->res->start + b->offset, b->size);
	b->mapped = false;
}

static void vcm_unmap_all(struct vcm *vcm)
{
	struct vcm_binding *b;
	struct vcm_res *res;
	struct rb_node *n;

	lockdep_assert_held(&vcm->lock);
	list_for_each_entry(res, &vcm->reservations, node) {
		for (n = rb_first(&res->bindings); n; n = rb_next(n)) {
			b = rb_entry(n, struct vcm_binding, res_node);
			vcm_binding_unmap(vcm, b);
		}
	}
}

/**
 * vcm_activate() - make a context's bindings reach the hardware
 * @vcm: the context
 *
 * Calls nest: each successful call needs one vcm_deactivate(). The first
 * one maps every binding made so far; while the context is active, new
 * bindings are mapped at once. Contexts whose backend places the memory
 * itself (one-to-one, kernel CPU) map at bind time whether active or not.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 on success, or on error, when nothing is mapped and the count
 * is unchanged:
 * * -EINVAL if @vcm is NULL;
 * * -ENODEV if the context was revoked;
 * * -EOVERFLOW if the count would overflow;
 * * -ENOMEM if memory ran out while mapping a binding;
 * * for an IOMMU context, another error of iommu_map_sg() or iommu_map()
 *   (-EINVAL if the domain refuses a range, -ENODEV if it has no
 *   map_pages op), or -EIO if the IOMMU core mapped less than asked;
 * * the error of a backend's ->activate() op, for backends that have one
 *   (none of the built-in ones do).
 */
int vcm_activate(struct vcm *vcm)
{
	struct vcm_binding *b;
	struct vcm_res *res;
	struct rb_node *n;
	int ret = 0;

	if (!vcm)
		return -EINVAL;

	mutex_lock(&vcm->lock);
	if (vcm->revoked) {
		ret = -ENODEV;
		goto out;
	}
	if (vcm->activations == UINT_MAX) {
		ret = -EOVERFLOW;
		goto out;
	}
	if (vcm->activations) {
		vcm->activations++;
		goto out;
	}
	if (vcm->driver->activate) {
		ret = vcm->driver->activate(vcm);
		if (ret)
			goto out;
	}
	list_for_each_entry(res, &vcm->reservations, node) {
		for (n = rb_first(&res->bindings); n; n = rb_next(n)) {
			b = rb_entry(n, struct vcm_binding, res_node);
			ret = vcm_binding_map(vcm, b);
			if (ret) {
				vcm_unmap_all(vcm);
				if (vcm->driver->deactivate)
					vcm->driver->deactivate(vcm);
				goto out;
			}
		}
	}
	vcm->activations = 1;
out:
	mutex_unlock(&vcm->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_activate);

/**
 * vcm_deactivate() - undo one vcm_activate()
 * @vcm: the context
 *
 * When the count drops to 0, every binding is removed from the hardware;
 * the graph stays as it is. Calling this on an inactive context is a bug
 * and warns once. The kernel CPU context (vcm_kernel_create()) is the
 * exception: its mappings are made by vmap() when memory is bound and
 * stay until it is unbound, whether or not the context is active.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 */
void vcm_deactivate(struct vcm *vcm)
{
	if (!vcm)
		return;

	mutex_lock(&vcm->lock);
	if (WARN_ON_ONCE(!vcm->activations))
		goto out;
	if (--vcm->activations)
		goto out;
	vcm_unmap_all(vcm);
	if (vcm->driver->deactivate)
		vcm->driver->deactivate(vcm);
out:
	mutex_unlock(&vcm->lock);
}
EXPORT_SYMBOL_GPL(vcm_deactivate);

/**
 * vcm_is_active() - whether a context is active
 * @vcm: the context
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: true if vcm_activate() calls outnumber vcm_deactivate() calls;
 * false for a NULL @vcm.
 */
bool vcm_is_active(struct vcm *vcm)
{
	bool active;

	if (!vcm)
		return false;
	mutex_lock(&vcm->lock);
	active = vcm->activations;
	mutex_unlock(&vcm->lock);
	return active;
}
EXPORT_SYMBOL_GPL(vcm_is_active);

/*
 * Unlock @vcm; if it was revoked and its last reservation just went,
 * destroy it. A call of its owner that removes a reservation is the last
 * use of the context by that owner, so nobody else uses it any more.
 */
static void vcm_unlock_reap(struct vcm *vcm)
{
	bool reap = vcm->revoked && !vcm->nr_res && !vcm->reaping;

	if (reap)
		vcm->reaping = true;
	mutex_unlock(&vcm->lock);
	if (reap)
		vcm_destroy(vcm);
}

/**
 * vcm_revoke() - take a context's hardware away for good
 * @vcm: the context, active or not
 *
 * For a backend whose hardware goes away (an IOMMU domain being freed)
 * while users still hold reservations in its context. Every binding is
 * removed from the hardware, whatever the activation count, and every
 * later call that would reserve, bind or activate fails with -ENODEV;
 * unbinding and giving reservations back still work, so that their owners
 * can clean up. The context is destroyed, as by vcm_destroy(), at once if
 * it has no reservation left, or else when its last one is given back.
 * The caller uses @vcm no more after this call.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 */
VISIBLE_IF_KUNIT void vcm_revoke(struct vcm *vcm)
{
	mutex_lock(&vcm->lock);
	if (vcm->activations) {
		vcm_unmap_all(vcm);
		if (vcm->driver->deactivate)
			vcm->driver->deactivate(vcm);
		vcm->activations = 0;
	}
	vcm->revoked = true;
	vcm_unlock_reap(vcm);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_revoke);

/* ---- Reservations ------------------------------------------------------ */

static struct vcm_res *vcm_res_new(struct vcm *vcm, unsigned int flags)
{
	struct vcm_res *res;

	if (vcm_should_fail())
		return NULL;
	res = kmem_cache_zalloc(vcm_res_cache, GFP_KERNEL);
	if (!res)
		return NULL;
	res->vcm = vcm;
	res->bindings = RB_ROOT;
	res->flags = flags & VCM_RES_FLAGS;
	if (!(res->flags & VCM_ACCESS))
		res->flags |= VCM_ACCESS;
	return res;
}

static void vcm_res_link(struct vcm *vcm, struct vcm_res *res)
{
	lockdep_assert_held(&vcm->lock);
	list_add_tail(&res->node, &vcm->reservations);
	vcm->nr_res++;
}

/* Give back a reservation without bindings. */
static void vcm_res_free(struct vcm_res *res)
{
	struct vcm *vcm = res->vcm;

	lockdep_assert_held(&vcm->lock);
	WARN_ON_ONCE(vcm_iova_free(&vcm->space, res->start >> vcm_shift(vcm),
				   res->size >> vcm_shift(vcm)));
	list_del(&res->node);
	vcm->nr_res--;
	kmem_cache_free(vcm_res_cache, res);
}

/* Unbind everything from @res and free it, with owned memory. */
static void vcm_res_destroy(struct vcm_res *res)
{
	struct vcm_phys *owned = NULL;
	struct rb_node *n;

	lockdep_assert_held(&res->vcm->lock);
	while ((n = rb_first(&res->bindings))) {
		struct vcm_binding *b = rb_entry(n, struct vcm_binding,
						 res_node);

		if (res->placed)
			res->vcm->driver->unplace(res->vcm, b->phys,
						  res->start);
		if (res->owns_phys)
			owned = b->phys;
		vcm_binding_destroy(b);
	}
	vcm_res_free(res);
	/*
	 * vcm_unmap() refuses memory that is bound elsewhere; only
	 * vcm_destroy() gets here with such memory. It stays valid for the
	 * other bindings: whoever bound it there frees it with vcm_free().
	 */
	if (owned && vcm_free(owned))
		pr_warn("vcm: memory of a destroyed binding is still bound elsewhere, not freed\n");
}

/*
 * Whether @res owns its memory (vcm_make_binding()) and that memory is
 * also bound outside @res: then @res cannot be destroyed without freeing
 * memory that is still in use, or leaking it.
 */
static bool vcm_res_owned_shared(struct vcm_res *res)
{
	struct vcm_binding *b;
	struct rb_node *n;
	bool shared;

	lockdep_assert_held(&res->vcm->lock);
	if (!res->owns_phys)
		return false;
	n = rb_first(&res->bindings);
	if (!n)
		return false;
	b = rb_entry(n, struct vcm_binding, res_node);
	spin_lock_irq(&b->phys->lock);
	shared = b->phys->nr_bindings > 1;
	spin_unlock_irq(&b->phys->lock);
	return shared;
}

static u64 vcm_best_align(const struct vcm *vcm, u64 size)
{
	unsigned long sizes = vcm->pgsize_bitmap;
	u64 align = vcm_granule(vcm);

	while (sizes) {
		unsigned long ps = 1UL << __ffs(sizes);

		if (ps > size)
			break;
		align = ps;
		sizes &= ~ps;
	}
	return align;
}

static struct vcm_res *__vcm_reserve(struct vcm *vcm, u64 size, u64 align,
				     dma_addr_t limit, unsigned int flags)
{
	unsigned long pfn, limit_pfn;
	struct vcm_res *res;
	int ret;

	lockdep_assert_held(&vcm->lock);
	if (!size || (flags & ~VCM_RES_FLAGS))
		return ERR_PTR(-EINVAL);
	if (vcm->revoked)
		return ERR_PTR(-ENODEV);
	if (!align)
		align = vcm_granule(vcm);
	if (!is_power_of_2(align) || !vcm_aligned(vcm, align) ||
	    !vcm_aligned(vcm, size))
		return ERR_PTR(-EINVAL);
	if (vcm->flags & VCM_CTX_PLACED)
		return ERR_PTR(-EOPNOTSUPP);
	/* The last granule wholly at or below @limit. */
	if ((u64)limit == U64_MAX) {
		limit_pfn = vcm->space.end_pfn;
	} else {
		u64 whole = ((u64)limit + 1) >> vcm_shift(vcm);

		/* Not even the first granule of the bus ends below @limit. */
		if (!whole)
			return ERR_PTR(-ERANGE);
		limit_pfn = min_t(u64, whole, vcm->space.end_pfn + 1) - 1;
	}
	if (limit < vcm->start || limit_pfn < vcm->space.start_pfn)
		return ERR_PTR(-ERANGE);
	if (size > vcm->size || align > vcm->size)
		return ERR_PTR(-ENOSPC);

	res = vcm_res_new(vcm, flags);
	if (!res)
		return ERR_PTR(-ENOMEM);
	ret = vcm_should_fail() ? -ENOMEM :
	      vcm_iova_alloc(&vcm->space, size >> vcm_shift(vcm),
			     align >> vcm_shift(vcm), limit_pfn, GFP_KERNEL, &pfn);
	if (ret) {
		kmem_cache_free(vcm_res_cache, res);
		return ERR_PTR(ret);
	}
	res->start = (dma_addr_t)pfn << vcm_shift(vcm);
	res->size = size;
	res->type = VCM_RES_DYNAMIC;
	vcm_res_link(vcm, res);
	return res;
}

/**
 * vcm_reserve() - reserve a range of addresses anywhere in a context
 * @vcm: the context
 * @size: length in bytes, a multiple of the granule
 * @align: alignment of the start, a power of two multiple of the granule,
 *	or 0 for the granule
 * @flags: VCM_READ, VCM_WRITE (neither means both), VCM_MMIO, VCM_CACHE
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the reservation; ERR_PTR(-EINVAL) if @vcm is NULL, @size is 0,
 * a value is not aligned or a flag is unknown; ERR_PTR(-EOPNOTSUPP) if
 * the backend places memory itself (use vcm_map()); ERR_PTR(-ENOSPC) if
 * no free range fits; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_res *vcm_reserve(struct vcm *vcm, u64 size, u64 align,
			    unsigned int flags)
{
	struct vcm_res *res;

	if (!vcm)
		return ERR_PTR(-EINVAL);
	mutex_lock(&vcm->lock);
	res = __vcm_reserve(vcm, size, align, (dma_addr_t)~0ULL, flags);
	mutex_unlock(&vcm->lock);
	return res;
}
EXPORT_SYMBOL_GPL(vcm_reserve);

/**
 * vcm_reserve_below() - reserve a range of addresses below a limit
 * @vcm: the context
 * @size: length in bytes, a multiple of the granule
 * @align: alignment of the start, a power of two multiple of the granule,
 *	or 0 for the granule
 * @limit: highest address the range may cover, such as a DMA mask
 * @flags: VCM_READ, VCM_WRITE (neither means both), VCM_MMIO, VCM_CACHE
 *
 * Like vcm_reserve(), with the range ending at or below @limit.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the reservation; ERR_PTR(-ERANGE) if @limit is below the
 * context; otherwise the errors of vcm_reserve().
 */
struct vcm_res *vcm_reserve_below(struct vcm *vcm, u64 size, u64 align,
				  dma_addr_t limit, unsigned int flags)
{
	struct vcm_res *res;

	if (!vcm)
		return ERR_PTR(-EINVAL);
	mutex_lock(&vcm->lock);
	res = __vcm_reserve(vcm, size, align, limit, flags);
	mutex_unlock(&vcm->lock);
	return res;
}
EXPORT_SYMBOL_GPL(vcm_reserve_below);

static struct vcm_res *__vcm_reserve_at(struct vcm *vcm, dma_addr_t addr,
					u64 size, unsigned int flags,
					enum vcm_region region)
{
	struct vcm_res *res;
	u64 last;
	int ret;

	if (!vcm || !size || (flags & ~(VCM_RES_FLAGS | VCM_REGION)))
		return ERR_PTR(-EINVAL);
	if (!vcm_aligned(vcm, addr) || !vcm_aligned(vcm, size))
		return ERR_PTR(-EINVAL);
	if (check_add_overflow((u64)addr, size - 1, &last))
		return ERR_PTR(-EOVERFLOW);
	if (addr < vcm->start || last > vcm->start + (vcm->size - 1))
		return ERR_PTR(-ERANGE);
	if ((vcm->flags & VCM_CTX_PLACED) && !(flags & VCM_REGION))
		return ERR_PTR(-EOPNOTSUPP);

	mutex_lock(&vcm->lock);
	res = vcm->revoked ? ERR_PTR(-ENODEV) : vcm_res_new(vcm, flags);
	if (IS_ERR_OR_NULL(res)) {
		res = res ?: ERR_PTR(-ENOMEM);
		goto out;
	}
	ret = vcm_should_fail() ? -ENOMEM :
	      vcm_iova_reserve(&vcm->space, addr >> vcm_shift(vcm),
			       size >> vcm_shift(vcm), GFP_KERNEL);
	if (ret) {
		kmem_cache_free(vcm_res_cache, res);
		res = ERR_PTR(ret);
		goto out;
	}
	res->start = addr;
	res->size = size;
	res->type = flags & VCM_REGION ? VCM_RES_REGION : VCM_RES_FIXED;
	res->region = region;
	vcm_res_link(vcm, res);
out:
	mutex_unlock(&vcm->lock);
	return res;
}

/**
 * vcm_reserve_at() - reserve a fixed range of addresses of a context
 * @vcm: the context
 * @addr: first address, aligned to the granule
 * @size: length in bytes, a multiple of the granule
 * @flags: VCM_READ, VCM_WRITE (neither means both), VCM_MMIO, and
 *	VCM_REGION for a reserved region that can never be bound
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the reservation; ERR_PTR(-EINVAL) if @vcm is NULL, @size is 0,
 * a value is not aligned or a flag is unknown; ERR_PTR(-EOVERFLOW) if
 * @addr + @size overflows; ERR_PTR(-ERANGE) if the range is not inside
 * the context; ERR_PTR(-EOPNOTSUPP) for a range that is not a reserved
 * region in a context whose backend places memory itself;
 * ERR_PTR(-EADDRINUSE) if the range overlaps a reservation or another
 * allocated range of the context's IOVA space; ERR_PTR(-ENOMEM) if memory
 * ran out.
 */
struct vcm_res *vcm_reserve_at(struct vcm *vcm, dma_addr_t addr, u64 size,
			       unsigned int flags)
{
	return __vcm_reserve_at(vcm, addr, size, flags,
				flags & VCM_REGION ? VCM_REGION_RESERVED :
						     VCM_REGION_NONE);
}
EXPORT_SYMBOL_GPL(vcm_reserve_at);

/**
 * vcm_reserve_region() - reserve a typed region of a context
 * @vcm: the context
 * @addr: first address, aligned to the granule
 * @size: length in bytes, a multiple of the granule
 * @region: what the region is for, not %VCM_REGION_NONE
 *
 * Like vcm_reserve_at() with %VCM_REGION: the range is never handed out
 * and nothing can be bound into it. @region tells people reading the
 * graph why the range is taken.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: the reservation; ERR_PTR(-EINVAL) if @region is unknown or
 * %VCM_REGION_NONE; otherwise the errors of vcm_reserve_at().
 */
struct vcm_res *vcm_reserve_region(struct vcm *vcm, dma_addr_t addr,
				   u64 size, enum vcm_region region)
{
	if (region <= VCM_REGION_NONE || region > VCM_REGION_DMA_HOLE)
		return ERR_PTR(-EINVAL);
	return __vcm_reserve_at(vcm, addr, size, VCM_REGION, region);
}
EXPORT_SYMBOL_GPL(vcm_reserve_region);

/**
 * vcm_region_name() - short name of a region type, for logs and debugfs
 * @region: the type
 *
 * Context: Any context.
 * Return: a constant string; "?" for a value out of range.
 */
const char *vcm_region_name(enum vcm_region region)
{
	static const char * const names[] = {
		[VCM_REGION_NONE] = "none",
		[VCM_REGION_RESERVED] = "reserved",
		[VCM_REGION_DIRECT] = "direct",
		[VCM_REGION_MSI] = "msi",
		[VCM_REGION_SW_MSI] = "sw-msi",
		[VCM_REGION_PCI_WINDOW] = "pci-window",
		[VCM_REGION_DMA_HOLE] = "dma-hole",
	};

	return (unsigned int)region < ARRAY_SIZE(names) ? names[region] : "?";
}
EXPORT_SYMBOL_GPL(vcm_region_name);

/**
 * vcm_unreserve() - give back a reservation without bindings
 * @res: the reservation, from vcm_reserve() or vcm_reserve_at()
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 on success; -EINVAL if @res is NULL; -EBUSY if memory is
 * still bound into @res (vcm_unbind() it, or vcm_unmap() a reservation
 * made by vcm_map()), and then nothing changes.
 */
int vcm_unreserve(struct vcm_res *res)
{
	struct vcm *vcm;
	int ret = 0;

	if (!res)
		return -EINVAL;
	vcm = res->vcm;
	mutex_lock(&vcm->lock);
	if (res->nr_bindings)
		ret = -EBUSY;
	else
		vcm_res_free(res);
	vcm_unlock_reap(vcm);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_unreserve);

/*
 * Give back every reserved region of @vcm, for a backend tearing its
 * context down; other reservations stay, so that vcm_destroy() reports
 * them.
 */
void vcm_release_regions(struct vcm *vcm)
{
	struct vcm_res *res, *tmp;

	mutex_lock(&vcm->lock);
	list_for_each_entry_safe(res, tmp, &vcm->reservations, node)
		if (res->type == VCM_RES_REGION)
			vcm_res_free(res);
	mutex_unlock(&vcm->lock);
}

/* ---- Physical memory --------------------------------------------------- */

static struct vcm_phys *vcm_phys_new(struct vcm *vcm, unsigned int count)
{
	struct vcm_phys *phys;

	if (vcm_should_fail())
		return NULL;
	/* Thousands of parts when memory is fragmented: may need vmalloc. */
	phys = kvzalloc(struct_size(phys, parts, count),
			GFP_KERNEL | __GFP_NOWARN);
	if (!phys)
		return NULL;
	phys->count = count;
	spin_lock_init(&phys->lock);
	INIT_LIST_HEAD(&phys->bindings);
	vcm_count(&vcm_nr_phys, 1);
	return phys;
}

/* Free the pages of a part made by vcm_alloc(). */
static void vcm_part_free_pages(const struct vcm_phys_part *part)
{
	unsigned long i;

	vcm_count(&vcm_nr_pages, -(long)(part->size >> PAGE_SHIFT));
	if (part->size == PAGE_SIZE << part->order) {
		__free_pages(part->page, part->order);
		return;
	}
	/* A contiguous part was split into order-0 pages. */
	for (i = 0; i < part->size >> PAGE_SHIFT; i++)
		__free_page(nth_page(part->page, i));
}

/* Allocate one contiguous, split part of @size bytes. */
static int vcm_alloc_contig(struct vcm *vcm, u64 size,
			    struct vcm_phys_part *part)
{
	unsigned int order = get_order(size);
	unsigned long i, nr = size >> PAGE_SHIFT;
	struct page *page;

	if (order > MAX_PAGE_ORDER)
		return -E2BIG;
	if (vcm_should_fail())
		return -ENOMEM;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (!page)
		return -ENOMEM;
	split_page(page, order);
	for (i = nr; i < 1UL << order; i++)
		__free_page(nth_page(page, i));
	part->page = page;
	part->start = page_to_phys(page);
	part->size = size;
	part->order = 0;
	vcm_count(&vcm_nr_pages, nr);
	return 0;
}

/*
 * Allocate @size bytes in blocks of the sizes in @sizes, largest first.
 * When a size fails, fall back to the next smaller one for the rest of
 * the call. Returns the parts in a kvmalloc'ed array, which can be large
 * when memory is fragmented.
 */
static int vcm_alloc_blocks(struct vcm *vcm, u64 size, unsigned long sizes,
			    struct vcm_phys_part **partsp, unsigned int *countp)
{
	unsigned int count = 0, cap = 16, i;
	struct vcm_phys_part *parts, *grown;
	u64 left = size;
	int ret = -ENOMEM;

	parts = vcm_should_fail() ? NULL :
		kvmalloc_array(cap, sizeof(*parts), GFP_KERNEL);
	if (!parts)
		return -ENOMEM;

	while (left) {
		unsigned long ps = 1UL << __fls(sizes);
		unsigned int order = ilog2(ps) - PAGE_SHIFT;
		bool last = ps == 1UL << __ffs(sizes);
		gfp_t gfp = GFP_KERNEL | __GFP_ZERO;
		struct page *page;

		if (ps > left) {
			sizes &= ~ps;
			continue;
		}
		if (count == cap) {
			size_t bytes;

			/*
			 * kvrealloc() has no _array variant: check by hand.
			 * A huge request fails with -ENOMEM here rather than
			 * with a warning of kvmalloc() (above INT_MAX).
			 */
			if (cap > UINT_MAX / 2 ||
			    check_mul_overflow((size_t)cap * 2, sizeof(*parts),
					       &bytes))
				goto err;
			grown = vcm_should_fail() ? NULL :
				kvrealloc(parts, bytes,
					  GFP_KERNEL | __GFP_NOWARN);
			if (!grown)
				goto err;
			parts = grown;
			cap *= 2;
		}
		if (!last)
			gfp |= __GFP_NORETRY | __GFP_NOWARN;
		page = vcm_should_fail() ? NULL : alloc_pages(gfp, order);
		if (!page) {
			if (last)
				goto err;
			sizes &= ~ps;
			continue;
		}
		parts[count].page = page;
		parts[count].start = page_to_phys(page);
		parts[count].size = ps;
		parts[count].order = order;
		vcm_count(&vcm_nr_pages, 1L << order);
		count++;
		left -= ps;
		/* Thousands of blocks under fragmentation; GFP_KERNEL sleeps. */
		cond_resched();
	}
	*partsp = parts;
	*countp = count;
	return 0;

err:
	for (i = 0; i < count; i++) {
		vcm_part_free_pages(&parts[i]);
		cond_resched();
	}
	kvfree(parts);
	return ret;
}

/**
 * vcm_alloc() - allocate physical memory for a context
 * @vcm: the context the memory is for, or NULL
 * @size: length in bytes, a multiple of PAGE_SIZE and of the granule
 * @flags: VCM_ALLOC_CONTIG for one physically contiguous part
 *
 * The memory is zeroed. It comes in blocks of the context's page sizes
 * (without a context: PAGE_SIZE, 64 KiB and 2 MiB), largest first, so that
 * an IOMMU can map it with block entries; when a size is not available,
 * smaller ones are used. Contexts that need contiguous memory (one-to-one)
 * always get one part.
 *
 * Context: Process context; may sleep. Takes no lock.
 * Return: the allocation; ERR_PTR(-EINVAL) if @size is 0 or not aligned
 * or a flag is unknown; ERR_PTR(-E2BIG) if a contiguous part, or every
 * page size of @vcm, is larger than the page allocator's largest block;
 * ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_phys *vcm_alloc(struct vcm *vcm, u64 size, unsigned int flags)
{
	unsigned long sizes = vcm ? vcm->pgsize_bitmap : VCM_DEFAULT_PGSIZES;
	struct vcm_phys_part *parts, one;
	struct vcm_phys *phys;
	unsigned int count;
	int ret;

	if (!size || !PAGE_ALIGNED(size) || (flags & ~VCM_ALLOC_CONTIG))
		return ERR_PTR(-EINVAL);
	if (vcm && !vcm_aligned(vcm, size))
		return ERR_PTR(-EINVAL);
	if (vcm && (vcm->flags & VCM_CTX_CONTIG))
		flags |= VCM_ALLOC_CONTIG;

	if (flags & VCM_ALLOC_CONTIG) {
		ret = vcm_alloc_contig(vcm, size, &one);
		parts = &one;
		count = 1;
	} else {
		/* Only whole pages, up to the page allocator's largest. */
		sizes &= GENMASK(PAGE_SHIFT + MAX_PAGE_ORDER, PAGE_SHIFT);
		sizes |= PAGE_SIZE;
		if (vcm)
			sizes &= ~(vcm_granule(vcm) - 1);
		if (!sizes)
			return ERR_PTR(-E2BIG);
		ret = vcm_alloc_blocks(vcm, size, sizes, &parts, &count);
	}
	if (ret)
		return ERR_PTR(ret);

	phys = vcm_phys_new(vcm, count);
	if (phys) {
		memcpy(phys->parts, parts, count * sizeof(*parts));
		phys->size = size;
		phys->owned = true;
	} else {
		unsigned int i;

		for (i = 0; i < count; i++) {
			vcm_part_free_pages(&parts[i]);
			cond_resched();
		}
		phys = ERR_PTR(-ENOMEM);
	}
	if (parts != &one)
		kvfree(parts);
	return phys;
}
EXPORT_SYMBOL_GPL(vcm_alloc);

/**
 * vcm_phys_from_sgt() - describe a scatter-gather table as a vcm_phys
 * @sgt: the table; each CPU entry (sg_phys(), length) becomes a part
 *
 * The memory stays the caller's; vcm_free() frees only the description,
 * and the table must outlive it.
 *
 * Context: Process context; may sleep. Takes no lock.
 * Return: the description; ERR_PTR(-EINVAL) if @sgt is NULL or empty or
 * has an empty entry; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_phys *vcm_phys_from_sgt(struct sg_table *sgt)
{
	struct scatterlist *sg;
	struct vcm_phys *phys;
	unsigned int i;

	if (!sgt || !sgt->orig_nents)
		return ERR_PTR(-EINVAL);
	for_each_sgtable_sg(sgt, sg, i)
		if (!sg->length)
			return ERR_PTR(-EINVAL);

	phys = vcm_phys_new(NULL, sgt->orig_nents);
	if (!phys)
		return ERR_PTR(-ENOMEM);
	for_each_sgtable_sg(sgt, sg, i) {
		phys->parts[i].start = sg_phys(sg);
		phys->parts[i].size = sg->length;
		phys->parts[i].page = sg_page(sg);
		phys->size += sg->length;
	}
	return phys;
}
EXPORT_SYMBOL_GPL(vcm_phys_from_sgt);

/**
 * vcm_phys_from_pages() - describe an array of pages as a vcm_phys
 * @pages: the pages; runs of physically adjacent pages become one part
 * @count: number of pages
 *
 * The pages stay the caller's; vcm_free() frees only the description.
 *
 * Context: Process context; may sleep. Takes no lock.
 * Return: the description; ERR_PTR(-EINVAL) if @pages is NULL, holds a
 * NULL entry, or @count is 0; ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_phys *vcm_phys_from_pages(struct page **pages, unsigned int count)
{
	struct vcm_phys_part *part;
	struct vcm_phys *phys;
	unsigned int i, nr = 1;

	if (!pages || !count || !pages[0])
		return ERR_PTR(-EINVAL);
	for (i = 1; i < count; i++) {
		if (!pages[i])
			return ERR_PTR(-EINVAL);
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			nr++;
	}

	phys = vcm_phys_new(NULL, nr);
	if (!phys)
		return ERR_PTR(-ENOMEM);
	part = phys->parts;
	part->page = pages[0];
	part->start = page_to_phys(pages[0]);
	part->size = PAGE_SIZE;
	for (i = 1; i < count; i++) {
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1) {
			part++;
			part->page = pages[i];
			part->start = page_to_phys(pages[i]);
		}
		part->size += PAGE_SIZE;
	}
	phys->size = (u64)count << PAGE_SHIFT;
	return phys;
}
EXPORT_SYMBOL_GPL(vcm_phys_from_pages);

/*
 * Whether every pfn of [@pfn, @last] has a struct page. Memory maps come
 * and go in whole sections: one pfn of each section tells.
 */
static bool vcm_pfns_valid(unsigned long pfn, unsigned long last)
{
	if (!pfn_valid(pfn) || !pfn_valid(last))
		return false;
#ifdef CONFIG_SPARSEMEM
	for (pfn = ALIGN(pfn + 1, PAGES_PER_SECTION); pfn < last;
	     pfn += PAGES_PER_SECTION) {
		if (!pfn_valid(pfn))
			return false;
		cond_resched();
	}
#endif
	return true;
}

/**
 * vcm_phys_from_range() - describe a physical or MMIO range as a vcm_phys
 * @start: physical address
 * @size: length in bytes
 * @flags: VCM_MMIO for device memory (a doorbell or an interrupt
 *	generation register), mapped uncached and never given to the CPU
 *	context
 *
 * Context: Process context; may sleep. Takes no lock.
 * Return: the description; ERR_PTR(-EINVAL) if @size is 0 or a flag is
 * unknown; ERR_PTR(-EOVERFLOW) if @start + @size overflows;
 * ERR_PTR(-ENOMEM) if memory ran out.
 */
struct vcm_phys *vcm_phys_from_range(phys_addr_t start, u64 size,
				     unsigned int flags)
{
	struct vcm_phys *phys;
	u64 last;

	if (!size || (flags & ~VCM_MMIO))
		return ERR_PTR(-EINVAL);
	if (check_add_overflow((u64)start, size - 1, &last) ||
	    last != (phys_addr_t)last)
		return ERR_PTR(-EOVERFLOW);

	phys = vcm_phys_new(NULL, 1);
	if (!phys)
		return ERR_PTR(-ENOMEM);
	phys->flags = flags;
	phys->size = size;
	phys->parts[0].start = start;
	phys->parts[0].size = size;
	if (!(flags & VCM_MMIO) &&
	    vcm_pfns_valid(PHYS_PFN(start), PHYS_PFN(last)))
		phys->parts[0].page = pfn_to_page(PHYS_PFN(start));
	return phys;
}
EXPORT_SYMBOL_GPL(vcm_phys_from_range);

/**
 * vcm_free() - free an unbound physical allocation or description
 * @phys: from vcm_alloc() or a vcm_phys_from_*() call
 *
 * Context: Process context; may sleep. Takes @phys->lock.
 * Return: 0 on success; -EINVAL if @phys is NULL; -EBUSY if @phys is still
 * bound somewhere, and then nothing changes.
 */
int vcm_free(struct vcm_phys *phys)
{
	unsigned int i;
	bool bound;

	if (!phys)
		return -EINVAL;
	spin_lock_irq(&phys->lock);
	bound = phys->nr_bindings;
	spin_unlock_irq(&phys->lock);
	if (bound)
		return -EBUSY;
	if (phys->owned)
		for (i = 0; i < phys->count; i++) {
			vcm_part_free_pages(&phys->parts[i]);
			/* Process context, see above; thousands of parts. */
			cond_resched();
		}
	kvfree(phys);
	vcm_count(&vcm_nr_phys, -1);
	return 0;
}
EXPORT_SYMBOL_GPL(vcm_free);

/**
 * vcm_phys_addr_at() - physical address at an offset of a vcm_phys
 * @phys: the physical memory
 * @offset: offset in bytes
 * @addr: on success, the physical address of byte @offset
 * @len: on success (if not NULL), how many bytes from there on are
 *	physically contiguous in the same part
 *
 * Walks the parts, like vcm_phys_next_part().
 *
 * Context: Any context; takes no lock.
 * Return: 0 on success; -EINVAL if @phys or @addr is NULL; -ERANGE if
 * @offset is not below @phys->size.
 */
int vcm_phys_addr_at(const struct vcm_phys *phys, u64 offset,
		     phys_addr_t *addr, u64 *len)
{
	const struct vcm_phys_part *part;

	if (!phys || !addr)
		return -EINVAL;
	for (part = vcm_phys_next_part(phys, NULL); part;
	     part = vcm_phys_next_part(phys, part)) {
		if (offset < part->size) {
			*addr = part->start + offset;
			if (len)
				*len = part->size - offset;
			return 0;
		}
		offset -= part->size;
	}
	return -ERANGE;
}
EXPORT_SYMBOL_GPL(vcm_phys_addr_at);

/* ---- Bindings ---------------------------------------------------------- */

static void vcm_binding_destroy(struct vcm_binding *b)
{
	struct vcm_res *res = b->res;
	struct vcm_phys *phys = b->phys;

	lockdep_assert_held(&res->vcm->lock);
	vcm_binding_unmap(res->vcm, b);
	rb_erase(&b->res_node, &res->bindings);
	res->nr_bindings--;
	spin_lock_irq(&phys->lock);
	list_del(&b->phys_node);
	phys->nr_bindings--;
	spin_unlock_irq(&phys->lock);
	kmem_cache_free(vcm_binding_cache, b);
}

static void vcm_binding_link(struct vcm_binding *b, struct rb_node *parent,
			     struct rb_node **link)
{
	struct vcm_res *res = b->res;
	struct vcm_phys *phys = b->phys;

	lockdep_assert_held(&res->vcm->lock);
	rb_link_node(&b->res_node, parent, link);
	rb_insert_color(&b->res_node, &res->bindings);
	res->nr_bindings++;
	spin_lock_irq(&phys->lock);
	list_add_tail(&b->phys_node, &phys->bindings);
	phys->nr_bindings++;
	spin_unlock_irq(&phys->lock);
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
	for (part = vcm_phys_next_part(phys, NULL); part;
	     part = vcm_phys_next_part(phys, part))
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
	if (vcm->activations) {
		ret = vcm_binding_map(vcm, b);
		if (ret) {
			kmem_cache_free(vcm_binding_cache, b);
			return ret;
		}
	}
	vcm_binding_link(b, parent, link);
	return 0;
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
 * is partly bound; -ENOMEM if memory ran out; for an active IOMMU
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
	mutex_lock(&res->vcm->lock);
	ret = __vcm_bind_at(res, offset, phys, phys_offset, size, res->flags);
	mutex_unlock(&res->vcm->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_bind_at);

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
	mutex_lock(&res->vcm->lock);
	ret = __vcm_bind_at(res, offset, phys, phys_offset, size, flags);
	mutex_unlock(&res->vcm->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_bind_at_flags);

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
	mutex_lock(&res->vcm->lock);
	b = vcm_binding_at(res, offset);
	if (b)
		vcm_binding_info(b, info);
	mutex_unlock(&res->vcm->lock);
	return b ? 0 : -ENOENT;
}
EXPORT_SYMBOL_GPL(vcm_res_find_binding);

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
EXPORT_SYMBOL_GPL(vcm_bind);

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
	mutex_lock(&res->vcm->lock);
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
EXPORT_SYMBOL_GPL(vcm_unbind_at);

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
	mutex_lock(&res->vcm->lock);
	if (res->placed || res->owns_phys)
		ret = -EOPNOTSUPP;
	else
		while ((n = rb_first(&res->bindings)))
			vcm_binding_destroy(rb_entry(n, struct vcm_binding,
						     res_node));
	mutex_unlock(&res->vcm->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_unbind);

/* Reservation placed by the backend for the whole of @phys. */
static struct vcm_res *vcm_place(struct vcm *vcm, struct vcm_phys *phys,
				 unsigned int flags)
{
	struct vcm_binding *b;
	struct vcm_res *res;
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
	if (ret) {
		vcm->driver->unplace(vcm, phys, addr);
		goto err_b;
	}
	res->start = addr;
	res->size = phys->size;
	res->type = VCM_RES_DYNAMIC;
	res->placed = true;
	vcm_res_link(vcm, res);
	vcm_binding_link(b, NULL, &res->bindings.rb_node);
	return res;

err_b:
	kmem_cache_free(vcm_binding_cache, b);
err_res:
	kmem_cache_free(vcm_res_cache, res);
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
	mutex_lock(&vcm->lock);
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
	mutex_lock(&vcm->lock);
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
	mutex_lock(&vcm->lock);
	res = __vcm_map(vcm, phys, res_flags);
	if (!IS_ERR(res))
		res->owns_phys = true;
	mutex_unlock(&vcm->lock);
	if (IS_ERR(res))
		vcm_free(phys);
	return res;
}
EXPORT_SYMBOL_GPL(vcm_make_binding);

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
EXPORT_SYMBOL_GPL(vcm_destroy_binding);

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
	mutex_lock(&res->vcm->lock);
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

/* ---- Walking the graph ------------------------------------------------- */

static void vcm_binding_info(const struct vcm_binding *b,
			     struct vcm_binding_info *info)
{
	info->vcm = b->res->vcm;
	info->res = b->res;
	info->offset = b->offset;
	info->phys = b->phys;
	info->phys_offset = b->phys_offset;
	info->size = b->size;
	info->flags = b->flags | (b->phys->flags & VCM_MMIO);
}

/**
 * vcm_walk_res() - call a function for each reservation of a context
 * @vcm: the context
 * @fn: the function; returning non-zero stops the walk. It runs under the
 *	context's lock and may sleep. It may call VCM functions on other
 *	contexts (each context's lock has its own lockdep class), never on
 *	this one.
 * @data: passed to @fn
 *
 * Reservations come in the order they were made.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 after a full walk; what @fn returned when it stopped the walk;
 * -EINVAL if a pointer is NULL.
 */
int vcm_walk_res(struct vcm *vcm,
		 int (*fn)(struct vcm_res *res, void *data), void *data)
{
	struct vcm_res *res;
	int ret = 0;

	if (!vcm || !fn)
		return -EINVAL;
	mutex_lock(&vcm->lock);
	list_for_each_entry(res, &vcm->reservations, node) {
		ret = fn(res, data);
		if (ret)
			break;
	}
	mutex_unlock(&vcm->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_walk_res);

/**
 * vcm_res_walk_bindings() - call a function for each binding of a
 *	reservation
 * @res: the reservation
 * @fn: the function; returning non-zero stops the walk. It runs under the
 *	context's lock and may sleep. It may call VCM functions on other
 *	contexts (each context's lock has its own lockdep class), never on
 *	this one.
 * @data: passed to @fn
 *
 * Bindings come in the order of their offsets.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 after a full walk; what @fn returned when it stopped the walk;
 * -EINVAL if a pointer is NULL.
 */
int vcm_res_walk_bindings(struct vcm_res *res,
			  int (*fn)(const struct vcm_binding_info *info,
				    void *data),
			  void *data)
{
	struct vcm_binding_info info;
	struct rb_node *n;
	int ret = 0;

	if (!res || !fn)
		return -EINVAL;
	mutex_lock(&res->vcm->lock);
	for (n = rb_first(&res->bindings); n; n = rb_next(n)) {
		vcm_binding_info(rb_entry(n, struct vcm_binding, res_node),
				 &info);
		ret = fn(&info, data);
		if (ret)
			break;
	}
	mutex_unlock(&res->vcm->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_res_walk_bindings);

/**
 * vcm_phys_walk_bindings() - call a function for each place a vcm_phys
 *	is bound to
 * @phys: the physical memory
 * @fn: the function, told each (context, reservation, offset); returning
 *	non-zero stops the walk. It runs under @phys->lock, a spinlock
 *	taken with interrupts off: it must not sleep nor call VCM.
 * @data: passed to @fn
 *
 * Context: Any context, hard interrupt handlers included (on PREEMPT_RT,
 * where spinlocks sleep, only threaded ones). Takes @phys->lock with
 * interrupts disabled.
 * Return: 0 after a full walk; what @fn returned when it stopped the walk;
 * -EINVAL if a pointer is NULL.
 */
int vcm_phys_walk_bindings(struct vcm_phys *phys,
			   int (*fn)(const struct vcm_binding_info *info,
				     void *data),
			   void *data)
{
	struct vcm_binding_info info;
	struct vcm_binding *b;
	unsigned long flags;
	int ret = 0;

	if (!phys || !fn)
		return -EINVAL;
	spin_lock_irqsave(&phys->lock, flags);
	list_for_each_entry(b, &phys->bindings, phys_node) {
		vcm_binding_info(b, &info);
		ret = fn(&info, data);
		if (ret)
			break;
	}
	spin_unlock_irqrestore(&phys->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(vcm_phys_walk_bindings);

static int __init vcm_core_init(void)
{
	vcm_res_cache = KMEM_CACHE(vcm_res, 0);
	vcm_binding_cache = KMEM_CACHE(vcm_binding, 0);
	if (!vcm_res_cache || !vcm_binding_cache) {
		kmem_cache_destroy(vcm_res_cache);
		kmem_cache_destroy(vcm_binding_cache);
		return -ENOMEM;
	}
	return 0;
}
core_initcall(vcm_core_init);
