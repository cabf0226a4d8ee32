/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: the harness is single-threaded; locks only track state. */
#ifndef _VCM_STUB_SPINLOCK_H
#define _VCM_STUB_SPINLOCK_H

#include <assert.h>
#include <linux/compiler.h>

typedef struct {
	int locked;
} spinlock_t;

#define DEFINE_SPINLOCK(x)	spinlock_t x = { 0 }
#define spin_lock_init(l)	((l)->locked = 0)
#define spin_lock(l)		do { assert(!(l)->locked); (l)->locked = 1; } while (0)
#define spin_unlock(l)		do { assert((l)->locked); (l)->locked = 0; } while (0)
#define spin_lock_irqsave(l, f)		do { (f) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f)	do { (void)(f); spin_unlock(l); } while (0)
#define lockdep_assert_held(l)	assert((l)->locked)
#define assert_spin_locked(l)	assert((l)->locked)

#endif
