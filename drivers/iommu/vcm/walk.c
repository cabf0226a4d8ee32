// SPDX-License-Identifier: GPL-2.0-only
/*
 * Walking the VCM graph: the reservations of a context, the bindings of
 * a reservation, and every binding of physical memory in any context.
 */

#include <linux/err.h>
#include <linux/spinlock.h>

#include "vcm_internal.h"

void vcm_binding_info(const struct vcm_binding *b,
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
 * vcm_walk() - call functions for each reservation of a context and for
 *	each of its bindings
 * @vcm: the context
 * @res_fn: called for each reservation, before its bindings; returning
 *	non-zero stops the walk. Optional.
 * @bind_fn: called for each binding of the reservation just reported, in
 *	the order of their offsets; returning non-zero stops the walk.
 *	Optional.
 * @data: passed to both
 *
 * Reservations come in the order they were made. Both functions run under
 * the context's lock and may sleep. They may call VCM functions on other
 * contexts, but not start another walk, and never call into this one.
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 after a full walk; what a function returned when it stopped
 * the walk; -EINVAL if @vcm is NULL.
 */
int vcm_walk(struct vcm *vcm, int (*res_fn)(struct vcm_res *res, void *data),
	     int (*bind_fn)(const struct vcm_binding_info *info, void *data),
	     void *data)
{
	struct vcm_binding_info info;
	struct vcm_res *res;
	struct rb_node *n;
	int ret = 0;

	if (!vcm)
		return -EINVAL;
	vcm_lock_walk(vcm);
	list_for_each_entry(res, &vcm->reservations, node) {
		ret = res_fn ? res_fn(res, data) : 0;
		for (n = rb_first(&res->bindings); n && bind_fn && !ret;
		     n = rb_next(n)) {
			vcm_binding_info(rb_entry(n, struct vcm_binding,
						  res_node), &info);
			ret = bind_fn(&info, data);
		}
		if (ret)
			break;
	}
	mutex_unlock(&vcm->lock);
	return ret;
}

/**
 * vcm_walk_res() - call a function for each reservation of a context
 * @vcm: the context
 * @fn: the function; returning non-zero stops the walk. It runs under the
 *	context's lock and may sleep. It may call VCM functions on other
 *	contexts, but not start another walk, and never call into this one.
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
	if (!fn)
		return -EINVAL;
	return vcm_walk(vcm, fn, NULL, data);
}
EXPORT_SYMBOL_GPL(vcm_walk_res);

/**
 * vcm_res_walk_bindings() - call a function for each binding of a
 *	reservation
 * @res: the reservation
 * @fn: the function; returning non-zero stops the walk. It runs under the
 *	context's lock and may sleep. It may call VCM functions on other
 *	contexts, but not start another walk, and never call into this one.
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
	vcm_lock_walk(res->vcm);
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
