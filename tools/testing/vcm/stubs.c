// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace implementations of the kernel services the VCM IOVA allocator
 * and drivers/iommu/iova.c use: memory, per-CPU data, CPU hotplug and
 * delayed work, all single-threaded and deterministic.
 */
#include <stdint.h>
#include "stubs.h"
#include <stdlib.h>
#include <string.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/cpuhotplug.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

unsigned long vcm_stub_warnings;
long vcm_stub_fail_countdown;
unsigned long vcm_stub_live_objects;
unsigned int vcm_stub_cpu;

void *vcm_stub_alloc(size_t size, int zero)
{
	void *p;

	if (vcm_stub_fail_countdown > 0 && !--vcm_stub_fail_countdown)
		return NULL;
	p = zero ? calloc(1, size) : malloc(size);
	if (p)
		vcm_stub_live_objects++;
	return p;
}

void vcm_stub_free(void *p)
{
	if (p)
		vcm_stub_live_objects--;
	free(p);
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *c = calloc(1, sizeof(*c));
	size_t a = align > sizeof(void *) ? align : sizeof(void *);

	(void)name;
	(void)ctor;
	if (!c)
		return NULL;
	/* SLUB's alignment: a cache line, or half of one for small objects. */
	if (flags & SLAB_HWCACHE_ALIGN) {
		size_t line = 64;

		while (size <= line / 2 && line > a)
			line /= 2;
		if (line > a)
			a = line;
	}
	c->size = size;
	c->stride = (size + a - 1) / a * a;
	return c;
}

#define VCM_STUB_CHUNK	(2UL << 20)

void *vcm_stub_cache_alloc(struct kmem_cache *c, int zero)
{
	void *p;

	if (vcm_stub_fail_countdown > 0 && !--vcm_stub_fail_countdown)
		return NULL;
	if (c->free) {
		p = c->free;
		c->free = *(void **)p;
	} else {
		if (c->next + c->stride > c->end) {
			char *chunk = aligned_alloc(4096, VCM_STUB_CHUNK);

			if (!chunk)
				return NULL;
			/* The first object of a chunk links the chunks. */
			*(void **)chunk = c->chunks;
			c->chunks = chunk;
			c->next = chunk + c->stride;
			c->end = chunk + VCM_STUB_CHUNK;
		}
		p = c->next;
		c->next += c->stride;
	}
	if (zero)
		memset(p, 0, c->size);
	vcm_stub_live_objects++;
	return p;
}

void vcm_stub_cache_free(struct kmem_cache *c, void *p)
{
	if (!p)
		return;
	*(void **)p = c->free;
	c->free = p;
	vcm_stub_live_objects--;
}

void kmem_cache_destroy(struct kmem_cache *cache)
{
	void *chunk, *next;

	if (!cache)
		return;
	for (chunk = cache->chunks; chunk; chunk = next) {
		next = *(void **)chunk;
		free(chunk);
	}
	free(cache);
}

struct vcm_stub_percpu {
	size_t unit;
	char data[] __aligned(64);
};

void *__alloc_percpu(size_t size, size_t align)
{
	struct vcm_stub_percpu *pc;
	size_t unit = (size + 63) & ~(size_t)63;

	(void)align;
	pc = calloc(1, sizeof(*pc) + unit * VCM_STUB_NR_CPUS);
	if (!pc)
		return NULL;
	pc->unit = unit;
	return pc->data;
}

void free_percpu(void *p)
{
	if (p)
		free((char *)p - offsetof(struct vcm_stub_percpu, data));
}

void *vcm_stub_per_cpu_ptr(void *p, unsigned int cpu)
{
	struct vcm_stub_percpu *pc;

	pc = (void *)((char *)p - offsetof(struct vcm_stub_percpu, data));
	if (cpu >= VCM_STUB_NR_CPUS)
		abort();
	return pc->data + pc->unit * cpu;
}

#define VCM_STUB_STATES	16

static struct {
	int used;
	int (*teardown)(unsigned int cpu, struct hlist_node *node);
	struct hlist_head instances;
} vcm_stub_states[VCM_STUB_STATES];

int cpuhp_setup_state_multi(enum cpuhp_state state, const char *name,
			    int (*startup)(unsigned int cpu, struct hlist_node *node),
			    int (*teardown)(unsigned int cpu, struct hlist_node *node))
{
	int s = state;

	(void)name;
	(void)startup;
	if (state == CPUHP_BP_PREPARE_DYN) {
		for (s = CPUHP_BP_PREPARE_DYN; s < VCM_STUB_STATES; s++)
			if (!vcm_stub_states[s].used)
				break;
		if (s == VCM_STUB_STATES)
			return -ENOSPC;
	}
	vcm_stub_states[s].used = 1;
	vcm_stub_states[s].teardown = teardown;
	INIT_HLIST_HEAD(&vcm_stub_states[s].instances);
	return state == CPUHP_BP_PREPARE_DYN ? s : 0;
}

void cpuhp_remove_multi_state(enum cpuhp_state state)
{
	if (!vcm_stub_states[state].used ||
	    !hlist_empty(&vcm_stub_states[state].instances))
		abort();
	vcm_stub_states[state].used = 0;
}

int cpuhp_state_add_instance_nocalls(enum cpuhp_state state, struct hlist_node *node)
{
	if (!vcm_stub_states[state].used)
		abort();
	hlist_add_head(node, &vcm_stub_states[state].instances);
	return 0;
}

int cpuhp_state_remove_instance_nocalls(enum cpuhp_state state, struct hlist_node *node)
{
	(void)state;
	hlist_del(node);
	return 0;
}

void vcm_stub_cpu_dead(unsigned int cpu)
{
	struct hlist_node *node;
	int s;

	for (s = 0; s < VCM_STUB_STATES; s++) {
		if (!vcm_stub_states[s].used || !vcm_stub_states[s].teardown)
			continue;
		for (node = vcm_stub_states[s].instances.first; node; node = node->next)
			vcm_stub_states[s].teardown(cpu, node);
	}
}

static struct delayed_work *vcm_stub_pending;

bool schedule_delayed_work(struct delayed_work *dw, unsigned long delay)
{
	(void)delay;
	if (dw->pending)
		return false;
	dw->pending = 1;
	dw->next_pending = vcm_stub_pending;
	vcm_stub_pending = dw;
	return true;
}

bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	struct delayed_work **pp;

	if (!dw->pending)
		return false;
	for (pp = &vcm_stub_pending; *pp; pp = &(*pp)->next_pending) {
		if (*pp == dw) {
			*pp = dw->next_pending;
			break;
		}
	}
	dw->pending = 0;
	return true;
}

int vcm_stub_run_delayed_work(void)
{
	struct delayed_work *list = vcm_stub_pending, *dw;
	int n = 0;

	vcm_stub_pending = NULL;
	while (list) {
		dw = list;
		list = dw->next_pending;
		dw->pending = 0;
		dw->work.func(&dw->work);
		n++;
	}
	return n;
}
