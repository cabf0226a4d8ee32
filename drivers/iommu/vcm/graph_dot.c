// SPDX-License-Identifier: GPL-2.0-only
/**
 * DOC: The graph in DOT
 *
 * The whole VCM graph as a picture: debugfs vcm/graph.dot prints every
 * live context, its reservations (windows, fixed ranges, reserved regions)
 * and the physical memory bound into them, in Graphviz DOT. Memory bound
 * in more than one context is drawn filled and bold, so that a shared
 * buffer stands out; its edges say where in each space it is.
 *
 * Each context is locked while it is printed, by trylock under the lock
 * of the xarray of contexts: vcm_destroy() takes a context out of the
 * xarray under the context's lock, and waits for vcm_graph_lock before it
 * frees it, so a context locked this way stays alive until it is
 * unlocked; the reader never waits for a context's lock while it holds
 * another one. A context that stays busy is named, not drawn.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "vcm_internal.h"

#define VCM_DOT_TRIES	100	/* 1 to 2 ms apart */
#define VCM_DOT_SHARE	8	/* contexts of one buffer counted */

/*
 * Lock the live context with the lowest id at or above *@id, and
 * vcm_graph_lock with it (vcm_dot_put() drops both); NULL when there is
 * none, ERR_PTR(-EBUSY) when it stayed locked by someone else.
 */
static struct vcm *vcm_dot_next(unsigned long *id)
{
	struct vcm *vcm;
	int tries;

	for (tries = 0; tries < VCM_DOT_TRIES; tries++) {
		mutex_lock(&vcm_graph_lock);
		xa_lock(&vcm_contexts);
		vcm = xa_find(&vcm_contexts, id, ULONG_MAX, XA_PRESENT);
		if (vcm && !mutex_trylock(&vcm->lock))
			vcm = ERR_PTR(-EBUSY);
		xa_unlock(&vcm_contexts);
		if (vcm && !IS_ERR(vcm))
			return vcm;
		mutex_unlock(&vcm_graph_lock);
		if (!vcm)
			return NULL;
		usleep_range(1000, 2000);
	}
	return vcm;
}

static void vcm_dot_put(struct vcm *vcm)
{
	mutex_unlock(&vcm->lock);
	mutex_unlock(&vcm_graph_lock);
}

/* How many contexts @phys is bound in, up to VCM_DOT_SHARE. */
static unsigned int vcm_dot_sharers(struct vcm_phys *phys)
{
	struct vcm *seen[VCM_DOT_SHARE];
	struct vcm_binding *b;
	unsigned int n = 0, i;

	spin_lock_irq(&phys->lock);
	list_for_each_entry(b, &phys->bindings, phys_node) {
		for (i = 0; i < n && seen[i] != b->res->vcm; i++)
			;
		if (i == n && n < VCM_DOT_SHARE)
			seen[n++] = b->res->vcm;
	}
	spin_unlock_irq(&phys->lock);
	return n;
}

static const char *vcm_dot_kind(const struct vcm *vcm)
{
	return vcm->driver->name ?: "context";
}

static void vcm_dot_phys(struct seq_file *m, struct vcm_phys *phys)
{
	unsigned int sharers = vcm_dot_sharers(phys);
	phys_addr_t pa = 0;

	vcm_phys_addr_at(phys, 0, &pa, NULL);
	seq_printf(m,
		   "\tp%p [shape=ellipse, label=\"%s %#llx bytes, %u part%s\\nat %pa\\nin %u context%s\"%s];\n",
		   phys, phys->flags & VCM_MMIO ? "MMIO" : "memory", phys->size,
		   phys->count, phys->count == 1 ? "" : "s", &pa, sharers,
		   sharers == 1 ? "" : "s",
		   sharers > 1 ? ", style=\"filled,bold\", fillcolor=orange" : "");
}

static const char *vcm_dot_access(unsigned int flags)
{
	static const char * const access[] = { "-", "r", "w", "rw" };

	return access[flags & (VCM_READ | VCM_WRITE)];
}

/* One context, locked: a cluster of its reservations, then its edges. */
static void vcm_dot_context(struct seq_file *m, struct vcm *vcm)
{
	struct vcm_res *res;
	struct rb_node *n;
	unsigned int i = 0;

	seq_printf(m, "\tsubgraph cluster_c%u {\n", vcm->id);
	seq_printf(m,
		   "\t\tlabel=\"context %u: %s%s%s\\n%#llx-%#llx, granule %#llx\\n%lu reservations, %lu ranges in all\";\n",
		   vcm->id, vcm_dot_kind(vcm), vcm->label[0] ? ", " : "",
		   vcm->label, (u64)vcm->start, (u64)vcm->start + (vcm->size - 1),
		   vcm_granule(vcm), vcm->nr_res,
		   vcm_iova_nr_ranges(&vcm->space));
	/* An invisible node, so that an empty context is drawn too. */
	seq_printf(m, "\t\tc%u [shape=point, style=invis];\n", vcm->id);
	list_for_each_entry(res, &vcm->reservations, node) {
		u64 last = res->start + (res->size - 1);

		if (res->type == VCM_RES_REGION)
			seq_printf(m,
				   "\t\tc%ur%u [shape=box, style=filled, fillcolor=lightgray, label=\"region %s\\n%#llx-%#llx\"];\n",
				   vcm->id, i, vcm_region_name(res->region),
				   (u64)res->start, last);
		else
			seq_printf(m,
				   "\t\tc%ur%u [shape=box, style=filled, fillcolor=lightblue, label=\"%s %#llx-%#llx %s%s\\n%u binding%s\"];\n",
				   vcm->id, i,
				   res->type == VCM_RES_FIXED ? "fixed" : "range",
				   (u64)res->start, last,
				   vcm_dot_access(res->flags),
				   res->flags & VCM_MMIO ? " mmio" : "",
				   res->nr_bindings,
				   res->nr_bindings == 1 ? "" : "s");
		i++;
	}
	seq_puts(m, "\t}\n");

	i = 0;
	list_for_each_entry(res, &vcm->reservations, node) {
		for (n = rb_first(&res->bindings); n; n = rb_next(n)) {
			struct vcm_binding *b = rb_entry(n, struct vcm_binding,
							 res_node);

			vcm_dot_phys(m, b->phys);
			seq_printf(m, "\tc%ur%u -> p%p [label=\"%#llx +%#llx %s\"];\n",
				   vcm->id, i, b->phys,
				   (u64)res->start + b->offset, b->size,
				   vcm_dot_access(b->flags));
		}
		i++;
	}
}

static int vcm_dot_show(struct seq_file *m, void *unused)
{
	unsigned long id = 0;
	struct vcm *vcm;

	seq_puts(m, "digraph vcm {\n");
	seq_puts(m,
		 "\tgraph [rankdir=LR, fontname=Helvetica, fontsize=10, label=\"VCM: contexts (boxes around their reservations) and the memory bound into them\"];\n");
	seq_puts(m, "\tnode [fontname=Helvetica, fontsize=9];\n");
	seq_puts(m, "\tedge [fontname=Helvetica, fontsize=8];\n");
	while ((vcm = vcm_dot_next(&id))) {
		if (IS_ERR(vcm)) {
			seq_printf(m, "\t/* context %lu busy, not shown */\n", id);
		} else {
			vcm_dot_context(m, vcm);
			vcm_dot_put(vcm);
		}
		if (id == ULONG_MAX)
			break;
		id++;
	}
	seq_puts(m, "}\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcm_dot);

static int __init vcm_dot_init(void)
{
	struct dentry *dir = debugfs_lookup("vcm", NULL);

	if (dir) {
		debugfs_create_file("graph.dot", 0400, dir, NULL,
				    &vcm_dot_fops);
		dput(dir);
	} else {
		dir = debugfs_create_dir("vcm", NULL);
		debugfs_create_file("graph.dot", 0400, dir, NULL,
				    &vcm_dot_fops);
	}
	return 0;
}
late_initcall(vcm_dot_init);
