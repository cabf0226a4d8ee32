/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: malloc-backed, with failure injection. */
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
#define SLAB_HWCACHE_ALIGN	0

/* When > 0, counts down; the allocation that brings it to 0 fails. */
extern long vcm_stub_fail_countdown;
extern unsigned long vcm_stub_live_objects;

void *vcm_stub_alloc(size_t size, int zero);
void vcm_stub_free(void *p);

struct kmem_cache {
	size_t size;
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
#define kmem_cache_alloc(c, gfp)	vcm_stub_alloc((c)->size, 0)
#define kmem_cache_zalloc(c, gfp)	vcm_stub_alloc((c)->size, 1)
#define kmem_cache_free(c, p)		vcm_stub_free(p)
#define KMEM_CACHE(s, flags) \
	kmem_cache_create(#s, sizeof(struct s), __alignof__(struct s), flags, NULL)

#endif
