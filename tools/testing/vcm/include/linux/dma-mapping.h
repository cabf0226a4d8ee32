/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: what include/linux/iova.h expects from its includes. */
#ifndef _VCM_STUB_DMA_MAPPING_H
#define _VCM_STUB_DMA_MAPPING_H
#include <linux/types.h>
#include <linux/kconfig.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/minmax.h>
#include <linux/align.h>
#include <linux/mutex.h>
#include <linux/bug.h>
#include <linux/log2.h>

typedef u64 dma_addr_t;

#ifndef PAGE_SIZE
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#endif

#ifndef IS_REACHABLE
#define IS_REACHABLE(option)	IS_ENABLED(option)
#endif
#endif
