// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM contexts: one address space each, its lifetime and activation.
 *
 * Each context has a mutex that covers its reservations and their
 * bindings. A physical allocation can be bound into several contexts, so
 * its list of bindings has its own spinlock, taken inside the context's
 * mutex. Every call checks its input first, then allocates what it needs,
 * and only then changes the graph, so a failed call changes nothing.
 */

#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/ctype.h>
#include <linux/fault-inject.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "vcm_internal.h"

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

/*
 * Every live context by its id, from 1, for the whole graph in debugfs
 * (graph_dot.c): vcm_init() reserves the id and stores the context once it
 * is ready; vcm_destroy() erases it under the context's lock, so that a
 * reader that trylocks a context under the xarray's lock never gets one
 * that is going. Such a reader holds vcm_graph_lock until it has unlocked
 * the context, and vcm_destroy() takes it once before freeing, since
 * mutex_unlock() may still touch the mutex after a waiter got it.
 */
DEFINE_XARRAY_ALLOC1(vcm_contexts);
DEFINE_MUTEX(vcm_graph_lock);	/* see above */

#ifdef CONFIG_VCM_FAULT_INJECTION
/*
 * fail_vcm: the fault-injection attribute of the graph's allocations and
 * backend calls (Documentation/fault-injection/). Besides its debugfs
 * directory, the per-task fail-nth of the framework reaches it. Quiet by
 * default (verbose 0), so that a test's failures do not fill the log
 * with stack dumps.
 */
static DECLARE_FAULT_ATTR(fail_vcm);

bool vcm_should_fail(void)
{
	return should_fail(&fail_vcm, 1);
}

#if IS_ENABLED(CONFIG_VCM_KUNIT_TEST)
/*
 * vcm_fail_nth() - fail the @n-th fail_vcm point the current task reaches
 * from now on; 0 stops. current->fail_nth would count the points of every
 * attribute, and failslab and fail_page_alloc, where built in, count the
 * atomic allocations this task makes for others too (a stack depot
 * refill, kmemleak's metadata), at moments no test controls. This counts
 * fail_vcm's alone, so that a KUnit test fails the step it means. Only
 * for KUnit tests, with fail_vcm not also set up through debugfs.
 */
void vcm_fail_nth(unsigned int n)
{
	current->make_it_fail = n != 0;
	fail_vcm.task_filter = n != 0;
	fail_vcm.probability = n ? 100 : 0;
	fail_vcm.interval = n ? n : 1;
	fail_vcm.count = 0;
	atomic_set(&fail_vcm.times, 1);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_fail_nth);

/* Whether the point vcm_fail_nth() asked for has not been reached yet. */
bool vcm_fail_nth_pending(void)
{
	return atomic_read(&fail_vcm.times) > 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_fail_nth_pending);
#endif

static int __init fail_vcm_init(void)
{
	fail_vcm.verbose = 0;
	if (IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		fault_create_debugfs_attr("fail_vcm", NULL, &fail_vcm);
	return 0;
}
late_initcall(fail_vcm_init);
#endif

/**
 * vcm_init() - initialise the core's part of a new context
 * @vcm: the context; the backend has set @start, @size, @pgsize_bitmap,
 *	@flags and @driver
 *
 * Once this succeeded, only vcm_destroy() may end the context, and the
 * backend frees @vcm only from its ->release() op.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL if a field is missing, @start or @size is
 * not aligned to the granule, @size is 0 or the ops are inconsistent;
 * -EOVERFLOW if @start + @size overflows, or the space has more granules
 * than the IOVA allocator numbers (VCM_IOVA_MAX_PFN); -ENOMEM if the
 * IOVA space or the context's id cannot be set up. On error the backend
 * still owns and frees @vcm.
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
	    !drv->place != !drv->unplace || (drv->remap && !drv->place) ||
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
	ret = xa_alloc(&vcm_contexts, &vcm->id, NULL, xa_limit_31b,
		       GFP_KERNEL);
	if (ret)
		return ret == -EBUSY ? -ENOMEM : ret;
	ret = vcm_iova_space_init(&vcm->space, vcm_granule(vcm),
				  vcm->start >> vcm_shift(vcm),
				  last >> vcm_shift(vcm));
	if (ret) {
		xa_erase(&vcm_contexts, vcm->id);
		return ret;
	}
	vcm->space.id = vcm->id;
	mutex_init(&vcm->lock);
	INIT_LIST_HEAD(&vcm->reservations);
	vcm->nr_res = 0;
	vcm->activations = 0;
	vcm->revoked = false;
	vcm->reaping = false;
	vcm->label[0] = '\0';
	vcm_count(&vcm_nr_ctx, 1);
	/* The entry exists: storing over the reserved one needs no memory. */
	xa_store(&vcm_contexts, vcm->id, vcm, GFP_KERNEL);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcm_init);

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

	vcm_lock(vcm);
	if (vcm->activations) {
		mutex_unlock(&vcm->lock);
		return -EBUSY;
	}
	xa_erase(&vcm_contexts, vcm->id);
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

	/* A graph reader may still be in mutex_unlock() of this context. */
	mutex_lock(&vcm_graph_lock);
	mutex_unlock(&vcm_graph_lock);
	vcm_iova_space_destroy(&vcm->space);
	mutex_destroy(&vcm->lock);
	vcm_count(&vcm_nr_ctx, -1);
	vcm->driver->release(vcm);
	return 0;
}
EXPORT_SYMBOL_GPL(vcm_destroy);

/**
 * vcm_set_label() - say what a context is for, in the graph's picture
 * @vcm: the context
 * @label: a short text, such as the devices that use the context; cut
 *	to %VCM_LABEL_LEN - 1 bytes. NULL or "" clears it.
 *
 * The label only names the context in debugfs (vcm/graph.dot).
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 on success; -EINVAL if @vcm is NULL.
 */
int vcm_set_label(struct vcm *vcm, const char *label)
{
	char *c;

	if (!vcm)
		return -EINVAL;
	vcm_lock(vcm);
	strscpy(vcm->label, label ?: "", sizeof(vcm->label));
	/* It goes into quoted DOT strings as it is. */
	for (c = vcm->label; *c; c++)
		if (*c == '"' || *c == '\\' || !isprint(*c))
			*c = '_';
	mutex_unlock(&vcm->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(vcm_set_label);

/* Push one binding into the hardware. */
int vcm_binding_map(struct vcm *vcm, struct vcm_binding *b)
{
	if (vcm->driver->map && !b->res->placed && vcm_should_fail())
		return -ENOMEM;
	return __vcm_binding_map(vcm, b);
}

/* vcm_binding_map() without its fault point, to put memory back. */
int __vcm_binding_map(struct vcm *vcm, struct vcm_binding *b)
{
	int ret;

	lockdep_assert_held(&vcm->lock);
	if (!vcm->driver->map || b->res->placed)
		return 0;
	ret = vcm->driver->map(vcm, b->res->start + b->offset, b->phys,
			       b->phys_offset, b->size,
			       b->flags | (b->phys->flags & VCM_MMIO));
	if (!ret)
		b->mapped = true;
	return ret;
}

void vcm_binding_unmap(struct vcm *vcm, struct vcm_binding *b)
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
 *
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

	vcm_lock(vcm);
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

	vcm_lock(vcm);
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
	vcm_lock(vcm);
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
void vcm_unlock_reap(struct vcm *vcm)
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
	vcm_lock(vcm);
	if (vcm->activations) {
		vcm_unmap_all(vcm);
		if (vcm->driver->deactivate)
			vcm->driver->deactivate(vcm);
		vcm->activations = 0;
	}
	WRITE_ONCE(vcm->revoked, true);
	vcm_unlock_reap(vcm);
}
EXPORT_SYMBOL_IF_KUNIT(vcm_revoke);
