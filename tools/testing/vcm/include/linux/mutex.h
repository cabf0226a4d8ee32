/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: single-threaded mutex. */
#ifndef _VCM_STUB_MUTEX_H
#define _VCM_STUB_MUTEX_H

#include <linux/spinlock.h>

struct mutex {
	spinlock_t l;
};

#define DEFINE_MUTEX(m)		struct mutex m = { { 0 } }
#define mutex_init(m)		spin_lock_init(&(m)->l)
#define mutex_lock(m)		spin_lock(&(m)->l)
#define mutex_unlock(m)		spin_unlock(&(m)->l)

#endif
