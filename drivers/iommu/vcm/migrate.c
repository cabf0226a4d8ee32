// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM migration: move memory that devices map to other pages, under every
 * mapper at once, at the same device addresses.
 *
 * The graph lists every mapper of a vcm_phys: its bindings. A migration
 * locks the contexts of those bindings, asks the owner of each binding
 * that reaches hardware to stop access to it (struct vcm_quiesce_ops),
 * copies the moving parts to new pages, rebuilds each such binding whole
 * on the new pages (an IOMMU binding is unmapped, which flushes the
 * IOTLB, and mapped again; a kernel CPU binding has its page table
 * entries rewritten), lets the owners resume and frees the old pages. A
 * failure at any step puts the old pages back before the owners resume.
 */

#include <kunit/visibility.h>
#include <linux/highmem.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "vcm_internal.h"

/* Contexts one migration locks at most: lockdep's held-lock budget. */
#define VCM_MIGRATE_MAX_CTX	8
/* Attempts to find every context unlocked, a jiffy apart. */
#define VCM_MIGRATE_TRIES	100
/* Allocations that may land in the range being vacated, per part. */
#define VCM_MIGRATE_AVOID	8

struct vcm_migrate {
	struct vcm_phys *phys;
	unsigned int first;		/* first moving part */
	unsigned int nr;		/* number of moving parts */
	u64 start, end;			/* their bytes in @phys */
	struct vcm_phys_part *parts;	/* memory swapped with theirs */
	phys_addr_t avoid, avoid_end;	/* where new memory must not be */
	struct vcm *ctx[VCM_MIGRATE_MAX_CTX];
	unsigned int nr_ctx;
};

/**
 * vcm_res_set_quiesce() - register how to stop access to a reservation
 * @res: the reservation, of the caller
 * @ops: the callbacks, or NULL to unregister; kept until changed
 * @data: their last argument
 *
 * Memory bound in a reservation that reaches hardware (an active IOMMU
 * context, or any kernel CPU context) can only be migrated once its
 * owner registered these: see vcm_phys_migrate().
 *
 * Context: Process context; may sleep. Takes the context's lock.
 * Return: 0 on success; -EINVAL if @res is NULL, or @ops lacks a
 * callback; -EPERM if @res is a reserved region.
 */
int vcm_res_set_quiesce(struct vcm_res *res,
			const struct vcm_quiesce_ops *ops, void *data)
{
	if (!res || (ops && (!ops->quiesce || !ops->resume)))
		return -EINVAL;
	if (res->type == VCM_RES_REGION)
		return -EPERM;
	vcm_lock(res->vcm);
	res->quiesce = ops;
	res->quiesce_data = data;
	mutex_unlock(&res->vcm->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(vcm_res_set_quiesce);

static void vcm_migrate_unlock(struct vcm_migrate *m)
{
	while (m->nr_ctx)
		mutex_unlock(&m->ctx[--m->nr_ctx]->lock);
}

/*
 * Lock the context of every binding of the memory and mark it migrating,
 * so that no binding comes or goes until vcm_migrate_end(). The bindings'
 * list is stable under the memory's lock and a context cannot go while
 * it has a binding there, so the contexts are trylocked under it: a
 * blocking lock could wait for a walk whose callback locks a context
 * this call holds. When one is busy, everything is dropped and tried
 * again a jiffy later.
 */
static int vcm_migrate_begin(struct vcm_migrate *m)
{
	struct vcm_phys *phys = m->phys;
	unsigned int tries, i;
	struct vcm_binding *b;
	bool busy, done;
	int ret;

	for (tries = 0; ; tries++) {
		ret = 0;
		busy = false;
		spin_lock_irq(&phys->lock);
		if (phys->migrating) {
			spin_unlock_irq(&phys->lock);
			return -EBUSY;
		}
		list_for_each_entry(b, &phys->bindings, phys_node) {
			struct vcm *vcm = b->res->vcm;

			for (i = 0; i < m->nr_ctx && m->ctx[i] != vcm; i++)
				;
			if (i < m->nr_ctx)
				continue;
			if (m->nr_ctx == VCM_MIGRATE_MAX_CTX) {
				ret = -E2BIG;
				break;
			}
			if (!mutex_trylock(&vcm->lock)) {
				busy = true;
				break;
			}
			m->ctx[m->nr_ctx++] = vcm;
		}
		done = !ret && !busy;
		if (done)
			phys->migrating = true;
		spin_unlock_irq(&phys->lock);
		if (done)
			return 0;
		vcm_migrate_unlock(m);
		if (ret)
			return ret;
		if (tries == VCM_MIGRATE_TRIES)
			return -EBUSY;
		schedule_timeout_uninterruptible(1);
	}
}

static void vcm_migrate_end(struct vcm_migrate *m)
{
	spin_lock_irq(&m->phys->lock);
	m->phys->migrating = false;
	spin_unlock_irq(&m->phys->lock);
	vcm_migrate_unlock(m);
}

/*
 * Mark the bindings to rebuild: those that hold moving bytes and reach
 * hardware. Each needs its owner's quiesce callbacks, and a placed one
 * its backend's ->remap() op.
 */
static int vcm_migrate_mark(struct vcm_migrate *m)
{
	struct vcm_binding *b;
	int ret = 0;

	list_for_each_entry(b, &m->phys->bindings, phys_node) {
		struct vcm_res *res = b->res;

		b->moving = false;
		if (ret || b->phys_offset >= m->end ||
		    b->phys_offset + b->size <= m->start)
			continue;
		if (!b->mapped && !res->placed)
			continue;
		if (res->placed && !res->vcm->driver->remap)
			ret = -EOPNOTSUPP;
		else if (!res->quiesce)
			ret = -EBUSY;
		else
			b->moving = true;
	}
	return ret;
}

/* Ask the owners to stop; on a refusal, resume those that stopped. */
static int vcm_migrate_quiesce(struct vcm_migrate *m)
{
	struct vcm_binding *b, *q;
	int ret;

	list_for_each_entry(b, &m->phys->bindings, phys_node) {
		struct vcm_res *res = b->res;

		if (!b->moving)
			continue;
		ret = res->quiesce->quiesce(res, b->offset, b->size,
					    res->quiesce_data);
		if (!ret)
			continue;
		list_for_each_entry(q, &m->phys->bindings, phys_node) {
			if (q == b)
				break;
			if (q->moving)
				q->res->quiesce->resume(q->res, q->offset,
							q->size,
							q->res->quiesce_data);
		}
		return ret;
	}
	return 0;
}

static void vcm_migrate_resume(struct vcm_migrate *m)
{
	struct vcm_binding *b;

	list_for_each_entry(b, &m->phys->bindings, phys_node) {
		if (!b->moving)
			continue;
		b->res->quiesce->resume(b->res, b->offset, b->size,
					b->res->quiesce_data);
		b->moving = false;
	}
}

/* Exchange the moving parts with @m->parts; readers hold the lock. */
static void vcm_migrate_swap(struct vcm_migrate *m)
{
	struct vcm_phys_part *a = m->phys->parts + m->first;
	unsigned int i;

	spin_lock_irq(&m->phys->lock);
	for (i = 0; i < m->nr; i++)
		swap(a[i], m->parts[i]);
	m->phys->gen++;
	spin_unlock_irq(&m->phys->lock);
}

static void vcm_migrate_copy(struct vcm_migrate *m)
{
	const struct vcm_phys_part *old = m->phys->parts + m->first;
	unsigned int i;
	unsigned long j;

	for (i = 0; i < m->nr; i++) {
		for (j = 0; j < old[i].size >> PAGE_SHIFT; j++)
			copy_highpage(nth_page(m->parts[i].page, j),
				      nth_page(old[i].page, j));
		cond_resched();
	}
}

static int vcm_binding_remap(struct vcm *vcm, struct vcm_binding *b,
			     bool inject)
{
	if (!b->res->placed)
		return inject ? vcm_binding_map(vcm, b) :
				__vcm_binding_map(vcm, b);
	if (inject && vcm_should_fail())
		return -ENOMEM;
	return vcm->driver->remap(vcm, b->res->start + b->offset, b->phys,
				  b->phys_offset, b->size, b->flags);
}

/* Unmap the IOMMU bindings to rebuild, then swap the parts. */
static void vcm_migrate_unmap_swap(struct vcm_migrate *m)
{
	struct vcm_binding *b;

	list_for_each_entry(b, &m->phys->bindings, phys_node)
		if (b->moving && !b->res->placed)
			vcm_binding_unmap(b->res->vcm, b);
	vcm_migrate_swap(m);
}

/*
 * Point every marked binding at the new pages. On failure, put the old
 * ones back everywhere: bindings that were rebuilt and the one that
 * failed get the old pages again. That can only fail if the hardware's
 * page tables cannot be allocated a second time; the binding is then
 * left unmapped, and said so in the log.
 */
static int vcm_migrate_rebind(struct vcm_migrate *m)
{
	struct vcm_binding *b, *failed = NULL;
	bool past = false;
	int ret = 0, err;

	vcm_migrate_unmap_swap(m);
	list_for_each_entry(b, &m->phys->bindings, phys_node) {
		if (!b->moving)
			continue;
		ret = vcm_binding_remap(b->res->vcm, b, true);
		if (ret) {
			failed = b;
			break;
		}
	}
	if (!ret)
		return 0;

	/*
	 * Placed bindings after the failed one still map the old pages;
	 * every IOMMU binding is unmapped now and gets them back.
	 */
	vcm_migrate_unmap_swap(m);
	list_for_each_entry(b, &m->phys->bindings, phys_node) {
		if (!b->moving || (past && b->res->placed))
			continue;
		err = vcm_binding_remap(b->res->vcm, b, false);
		if (err)
			pr_err("vcm: migration: binding at %pad left unmapped: %d\n",
			       &b->res->start, err);
		if (b == failed)
			past = true;
	}
	return ret;
}

static void vcm_migrate_free(struct vcm_phys_part *parts, unsigned int nr)
{
	while (nr--) {
		vcm_part_free_pages(&parts[nr]);
		cond_resched();
	}
}

/*
 * New memory for @old, outside the range being vacated: what lands in it
 * is held until a part outside is found, so as not to get it back.
 */
static int vcm_migrate_alloc(struct vcm_migrate *m,
			     const struct vcm_phys_part *old,
			     struct vcm_phys_part *part)
{
	struct vcm_phys_part held[VCM_MIGRATE_AVOID];
	unsigned int nr = 0;
	int ret;

	for (;;) {
		ret = vcm_part_alloc_like(old, part);
		if (ret || part->start >= m->avoid_end ||
		    part->start + part->size <= m->avoid)
			break;
		if (nr == VCM_MIGRATE_AVOID) {
			vcm_part_free_pages(part);
			ret = -ENOMEM;
			break;
		}
		held[nr++] = *part;
	}
	vcm_migrate_free(held, nr);
	return ret;
}

static int __vcm_phys_migrate(struct vcm_phys *phys, u64 offset, u64 size,
			      phys_addr_t avoid, phys_addr_t avoid_end);

/**
 * vcm_phys_migrate() - move memory to new pages under all its mappers
 * @phys: memory from vcm_alloc() (or vcm_make_binding()'s)
 * @offset: first byte to move
 * @size: bytes to move; every part that holds one of them moves whole
 *
 * Each moving part gets new memory of its shape: a block of the same
 * order, or as many contiguous pages, so that every IOMMU maps it again
 * with the same page sizes. Every binding that holds moving bytes and
 * reaches hardware (in an active IOMMU context, or a kernel CPU context)
 * is rebuilt whole at its addresses, while its owner has stopped access
 * to it through the callbacks of vcm_res_set_quiesce(); bindings of
 * inactive contexts just reach the new memory once activated. The bytes
 * are copied and the old pages freed.
 *
 * The caller keeps @phys alive during the call. Readers of the parts
 * (vcm_phys_addr_at(), vcm_phys_next_part()) see the old or the new
 * memory: an owner reads them between its resume and its next quiesce.
 *
 * Context: Process context; may sleep. Must not be called from a
 * quiesce callback or a walk. Trylocks the contexts of @phys's bindings
 * under @phys->lock, calls the quiesce callbacks with them held.
 * Return: 0 on success, or on error, when the memory, the graph and the
 * hardware's mappings are as they were (but that putting the old pages
 * back into an IOMMU needs page tables, which the log reports if they
 * cannot be had):
 *
 * * -EINVAL if @phys is NULL or @size is 0;
 * * -ERANGE if the range is not inside @phys;
 * * -EOPNOTSUPP if VCM does not own the memory (a vcm_phys_from_*()
 *   description of someone else's, or MMIO), or a moving binding is in a
 *   context that cannot move what it maps (one-to-one, where the device
 *   address is the physical one);
 * * -EBUSY if the owner of a moving binding registered no quiesce
 *   callbacks, another migration of @phys runs, or the contexts of its
 *   bindings stayed locked by others for 100 jiffies;
 * * -E2BIG if @phys is bound into more than 8 contexts;
 * * -ENOMEM if memory ran out, also in an IOMMU's page tables;
 * * the error of a quiesce callback, whose owner refused;
 * * for an active IOMMU context, another error of iommu_map_sg() or
 *   iommu_map(), or -EIO if the IOMMU core mapped less than asked; an
 *   error of the kernel CPU context's vmap_page_range().
 */
int vcm_phys_migrate(struct vcm_phys *phys, u64 offset, u64 size)
{
	if (!phys || !size)
		return -EINVAL;
	if (offset >= phys->size || size > phys->size - offset)
		return -ERANGE;
	if (!phys->owned)
		return -EOPNOTSUPP;
	return __vcm_phys_migrate(phys, offset, size, 0, 0);
}
EXPORT_SYMBOL_GPL(vcm_phys_migrate);

/* vcm_phys_migrate(), with no new memory in [@avoid, @avoid_end). */
static int __vcm_phys_migrate(struct vcm_phys *phys, u64 offset, u64 size,
			      phys_addr_t avoid, phys_addr_t avoid_end)
{
	struct vcm_migrate m = {
		.phys = phys, .avoid = avoid, .avoid_end = avoid_end,
	};
	struct vcm_binding *b;
	unsigned int i, last;
	u64 pos = 0;
	int ret;

	for (i = 0; pos + phys->parts[i].size <= offset; i++)
		pos += phys->parts[i].size;
	m.first = i;
	m.start = pos;
	for (last = i; pos + phys->parts[last].size < offset + size; last++)
		pos += phys->parts[last].size;
	m.end = pos + phys->parts[last].size;
	m.nr = last - m.first + 1;

	ret = vcm_migrate_begin(&m);
	if (ret)
		return ret;
	ret = vcm_migrate_mark(&m);
	if (ret)
		goto out;
	m.parts = vcm_should_fail() ? NULL :
		  kvcalloc(m.nr, sizeof(*m.parts), GFP_KERNEL);
	if (!m.parts) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < m.nr; i++) {
		ret = vcm_migrate_alloc(&m, &phys->parts[m.first + i],
					&m.parts[i]);
		if (ret) {
			vcm_migrate_free(m.parts, i);
			goto out_parts;
		}
	}
	ret = vcm_migrate_quiesce(&m);
	if (ret) {
		vcm_migrate_free(m.parts, m.nr);
		goto out_parts;
	}
	vcm_migrate_copy(&m);
	ret = vcm_migrate_rebind(&m);
	vcm_migrate_resume(&m);
	vcm_migrate_end(&m);
	/* The old memory on success, else the new. */
	vcm_migrate_free(m.parts, m.nr);
	kvfree(m.parts);
	return ret;

out_parts:
	kvfree(m.parts);
out:
	list_for_each_entry(b, &phys->bindings, phys_node)
		b->moving = false;
	vcm_migrate_end(&m);
	return ret;
}

/* Whether a part overlaps [@start, @end). */
static bool vcm_part_in(const struct vcm_phys_part *p, phys_addr_t start,
			phys_addr_t end)
{
	return p->start < end && p->start + p->size > start;
}

/* Whether memory from vcm_alloc() has a part in [@start, @end). */
static bool vcm_phys_in(struct vcm_phys *phys, phys_addr_t start,
			phys_addr_t end)
{
	unsigned int i;
	bool in = false;

	spin_lock_irq(&phys->lock);
	for (i = 0; i < phys->count && !in; i++)
		in = vcm_part_in(&phys->parts[i], start, end);
	spin_unlock_irq(&phys->lock);
	return in;
}

/*
 * The next allocation with a part in [@start, @end) that this call (@seq)
 * has not visited yet, pinned so that vcm_free() waits for it; NULL when
 * there is none. One at a time: an owner freeing memory while holding a
 * context's lock waits for the one allocation this call works on, whose
 * last binding it just removed, never for others that need that lock.
 */
static struct vcm_phys *vcm_offline_next(phys_addr_t start, phys_addr_t end,
					 unsigned long seq)
{
	struct vcm_phys *phys, *found = NULL;

	spin_lock(&vcm_owned_lock);
	list_for_each_entry(phys, &vcm_owned, owned_node) {
		if (phys->offline_seq == seq || !vcm_phys_in(phys, start, end))
			continue;
		phys->offline_seq = seq;
		atomic_inc(&phys->pins);
		found = phys;
		break;
	}
	spin_unlock(&vcm_owned_lock);
	return found;
}

static void vcm_offline_unpin(struct vcm_phys *phys)
{
	if (atomic_dec_and_test(&phys->pins))
		wake_up_var(&phys->pins);
}

/* Move each part of @phys in [@start, @end) out of it; count in @r. */
static void vcm_offline_phys(struct vcm_phys *phys, phys_addr_t start,
			     phys_addr_t end, struct vcm_offline_report *r)
{
	struct vcm_phys_part p;
	unsigned int i;
	u64 offset = 0;
	int ret;

	for (i = 0; i < phys->count; offset += p.size, i++) {
		spin_lock_irq(&phys->lock);
		p = phys->parts[i];
		spin_unlock_irq(&phys->lock);
		if (!vcm_part_in(&p, start, end))
			continue;
		ret = phys->movable ?
		      __vcm_phys_migrate(phys, offset, p.size, start, end) :
		      -EPERM;
		if (!ret) {
			r->moved++;
			r->moved_bytes += p.size;
			continue;
		}
		r->failed++;
		r->failed_bytes += p.size;
		if (!r->err)
			r->err = ret;
		pr_info("vcm: %llu KiB at %pa stays in the range being vacated: %d\n",
			p.size >> 10, &p.start, ret);
	}
}

/**
 * vcm_offline_range() - move VCM's memory out of a physical range
 * @start: first physical address of the range, say of a memory block
 *	about to go offline
 * @size: length of the range in bytes
 * @report: on return, what moved and what could not
 *
 * Every part of every vcm_alloc() allocation that overlaps the range is
 * moved with vcm_phys_migrate() to memory outside it, wherever it is
 * bound, if its holder allowed that (%VCM_ALLOC_MOVABLE). A part that
 * cannot move (-EPERM without that flag, or an error of
 * vcm_phys_migrate()) stays, is counted in @report and logged with the
 * reason. Allocations made while the call runs are not
 * searched: a range being offlined is isolated from the page allocator
 * first.
 *
 * Context: Process context; may sleep. Takes the contexts' locks of each
 * allocation it moves, and calls their owners' quiesce callbacks, as
 * vcm_phys_migrate() does.
 * Return: 0 if nothing of VCM's is left in the range; -EINVAL if @report
 * is NULL, @size is 0 or the range overflows, and then @report is not
 * written; -EBUSY if some part could not move: @report says how much,
 * and the first reason (-ENOMEM when no memory outside the range could
 * be had, or an error of vcm_phys_migrate()).
 */
int vcm_offline_range(phys_addr_t start, u64 size,
		      struct vcm_offline_report *report)
{
	static atomic_long_t vcm_offline_seq;
	struct vcm_phys *phys;
	unsigned long seq;
	phys_addr_t end;

	if (!report || !size || size != (phys_addr_t)size ||
	    check_add_overflow(start, (phys_addr_t)size, &end))
		return -EINVAL;
	memset(report, 0, sizeof(*report));
	seq = atomic_long_inc_return(&vcm_offline_seq);
	while ((phys = vcm_offline_next(start, end, seq))) {
		vcm_offline_phys(phys, start, end, report);
		vcm_offline_unpin(phys);
		cond_resched();
	}
	return report->failed ? -EBUSY : 0;
}
EXPORT_SYMBOL_GPL(vcm_offline_range);
