/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stub: pulls in the base tree's include/linux/iova.h, whose path
 * the Makefile passes as VCM_KSRC_IOVA_H, so that drivers/iommu/iova.c
 * compiles unchanged for the comparison benchmark.
 */
#ifndef _VCM_STUB_IOVA_H
#define _VCM_STUB_IOVA_H
#include <linux/dma-mapping.h>
#include <linux/bitops.h>
#include VCM_KSRC_IOVA_H
#endif
