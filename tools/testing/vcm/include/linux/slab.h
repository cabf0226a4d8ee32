/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stub: malloc-backed, with failure injection. Built with
 * VCM_STUB_SLAB (the benchmarks), a kmem_cache packs its objects at their
 * aligned size in 2 MiB chunks and reuses freed ones last-in first-out,
 * as SLUB lays them out in slabs, so that a tree's nodes take the same
 * cache lines as in the kernel: malloc's headers would make a 64-byte node
 * straddle two.
 */
#ifndef _VCM_STUB_SLAB_H
#define _VCM_STUB_SLAB_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/overflow.h>

#ifndef __GFP_NOWARN
#define __GFP_NOWARN	0
#endif
#define SLAB_HWCACHE_ALIGN	0x2000UL

/* When > 0, counts down; the allocation that brings it to 0 fails. */
extern long vcm_stub_fail_countdown;
extern unsigned long vcm_stub_live_objects;

void *vcm_stub_alloc(size_t size, int zero);
void vcm_stub_free(void *p);

struct kmem_cache {
	size_t size;
	size_t stride;
	void *free;
	char *next;
	char *end;
	void *chunks;
};

#ifndef size_mul
static inline size_t vcm_stub_size_mul(size_t a, size_t b)
{
	size_t r;

	return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}
#define size_mul(a, b)		vcm_stub_size_mul(a, b)
#endif

#ifndef struct_size_t
#define struct_size_t(type, member, count) \
	struct_size((type *)NULL, member, count)
#endif

#define kmalloc(s, gfp)		vcm_stub_alloc((s), 0)
#define kzalloc(s, gfp)		vcm_stub_alloc((s), 1)
#define kcalloc(n, s, gfp)	vcm_stub_alloc(size_mul((n), (s)), 1)
#define kfree(p)		vcm_stub_free(p)

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *cache);
#ifdef VCM_STUB_SLAB
void *vcm_stub_cache_alloc(struct kmem_cache *c, int zero);
void vcm_stub_cache_free(struct kmem_cache *c, void *p);
#define kmem_cache_alloc(c, gfp)	vcm_stub_cache_alloc((c), 0)
#define kmem_cache_zalloc(c, gfp)	vcm_stub_cache_alloc((c), 1)
#define kmem_cache_free(c, p)		vcm_stub_cache_free((c), (p))
#else
#define kmem_cache_alloc(c, gfp)	vcm_stub_alloc((c)->size, 0)
#define kmem_cache_zalloc(c, gfp)	vcm_stub_alloc((c)->size, 1)
#define kmem_cache_free(c, p)		vcm_stub_free(p)
#endif
#define KMEM_CACHE(s, flags) \
	kmem_cache_create(#s, sizeof(struct s), __alignof__(struct s), flags, NULL)

#endif
