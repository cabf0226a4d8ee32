/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub of <linux/cache.h> for the VCM IOVA harness. */
#ifndef _VCM_STUB_LINUX_CACHE_H
#define _VCM_STUB_LINUX_CACHE_H

#define L1_CACHE_BYTES		64
#define SMP_CACHE_BYTES		L1_CACHE_BYTES

#endif
