/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The maple-tree peer of the allocator benchmark, see maple_peer.c.
 */
#ifndef _VCM_IOVA_BENCH_MAPLE_PEER_H
#define _VCM_IOVA_BENCH_MAPLE_PEER_H

#include <linux/types.h>

struct bench_maple;

struct bench_maple *bench_maple_create(unsigned long start_pfn, bool cached);
void bench_maple_destroy(struct bench_maple *m);
bool bench_maple_alloc(struct bench_maple *m, unsigned long size,
		       unsigned long limit, unsigned long *pfn);
void bench_maple_free(struct bench_maple *m, unsigned long pfn);
bool bench_maple_alloc_fast(struct bench_maple *m, unsigned long size,
			    unsigned long limit, unsigned long *pfn);
void bench_maple_free_fast(struct bench_maple *m, unsigned long pfn,
			   unsigned long size);
unsigned long bench_maple_find(struct bench_maple *m, unsigned long pfn,
			       unsigned long *start);
void bench_maple_walk(struct bench_maple *m,
		      int (*fn)(unsigned long pfn, unsigned long size,
				void *data),
		      void *data);
unsigned long bench_maple_store_failures(struct bench_maple *m);
unsigned long bench_maple_nodes(struct bench_maple *m);

#endif /* _VCM_IOVA_BENCH_MAPLE_PEER_H */
