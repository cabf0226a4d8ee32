/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: tools' bitops, with single-threaded atomic bit ops. */
#ifndef _VCM_STUB_BITOPS_H
#define _VCM_STUB_BITOPS_H

#include_next <linux/bitops.h>

static inline int vcm_stub_test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	int old = !!(*addr & (1UL << nr));

	*addr |= 1UL << nr;
	return old;
}

static inline void vcm_stub_clear_bit(unsigned int nr, unsigned long *addr)
{
	*addr &= ~(1UL << nr);
}

#undef set_bit
#undef clear_bit
#undef test_and_set_bit
#define set_bit(nr, addr)		((void)vcm_stub_test_and_set_bit(nr, addr))
#define clear_bit(nr, addr)		vcm_stub_clear_bit(nr, addr)
#define test_and_set_bit(nr, addr)	vcm_stub_test_and_set_bit(nr, addr)
/* The harness is single-threaded: a full barrier stands in for the kernel's. */
#define smp_mb__after_atomic()		__sync_synchronize()

/*
 * As x86 (bsr) and arm64 (clz) do it, not with tools' generic shift
 * cascade, so that callgrind counts what the kernel runs.
 */
#undef __fls
#define __fls(word)	((unsigned long)(BITS_PER_LONG - 1 - __builtin_clzl(word)))
#undef fls_long
#define fls_long(word)	((word) ? (unsigned int)(BITS_PER_LONG - __builtin_clzl(word)) : 0U)

#endif
