/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace events of VCM: IOVA allocation through the per-CPU cache, the
 * cache giving ranges back, and the graph's reservations, bindings and
 * DMA windows. Each names its context by the id that debugfs shows
 * ("id N" in vcm/dma<N>/stats and graph, "context N" in vcm/graph.dot).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vcm

#if !defined(_TRACE_VCM_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_VCM_H

#include <linux/tracepoint.h>
#include <linux/types.h>
#include <linux/vcm.h>

DECLARE_EVENT_CLASS(vcm_iova_class,
		    TP_PROTO(unsigned int ctx, unsigned long pfn,
			     unsigned long pages, bool cached),
		    TP_ARGS(ctx, pfn, pages, cached),
		    TP_STRUCT__entry(__field(unsigned int, ctx)
				     __field(bool, cached)
				     __field(unsigned long, pfn)
				     __field(unsigned long, pages)),
		    TP_fast_assign(__entry->ctx = ctx;
				   __entry->cached = cached;
				   __entry->pfn = pfn;
				   __entry->pages = pages;),
		    TP_printk("ctx=%u pfn=%#lx pages=%lu %s", __entry->ctx,
			      __entry->pfn, __entry->pages,
			      __entry->cached ? "cache" : "tree"));

/* An allocation: from a magazine or the depot ("cache"), or the tree. */
DEFINE_EVENT(vcm_iova_class, vcm_iova_alloc,
	     TP_PROTO(unsigned int ctx, unsigned long pfn, unsigned long pages,
		      bool cached),
	     TP_ARGS(ctx, pfn, pages, cached));

/* A free: kept by the cache, or given back to the tree. */
DEFINE_EVENT(vcm_iova_class, vcm_iova_free,
	     TP_PROTO(unsigned int ctx, unsigned long pfn, unsigned long pages,
		      bool cached),
	     TP_ARGS(ctx, pfn, pages, cached));

/* The cache gave ranges back to the tree: drained, or idle ("reclaim"). */
TRACE_EVENT(vcm_iova_cache_drain,
	    TP_PROTO(unsigned int ctx, bool idle, unsigned long ranges),
	    TP_ARGS(ctx, idle, ranges),
	    TP_STRUCT__entry(__field(unsigned int, ctx)
			     __field(bool, idle)
			     __field(unsigned long, ranges)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->idle = idle;
			   __entry->ranges = ranges;),
	    TP_printk("ctx=%u %s ranges=%lu", __entry->ctx,
		      __entry->idle ? "reclaim" : "drain", __entry->ranges));

TRACE_DEFINE_ENUM(VCM_RES_DYNAMIC);
TRACE_DEFINE_ENUM(VCM_RES_FIXED);
TRACE_DEFINE_ENUM(VCM_RES_REGION);

DECLARE_EVENT_CLASS(vcm_res_class,
		    TP_PROTO(unsigned int ctx, u64 start, u64 size,
			     unsigned int type),
		    TP_ARGS(ctx, start, size, type),
		    TP_STRUCT__entry(__field(unsigned int, ctx)
				     __field(unsigned int, type)
				     __field(u64, start)
				     __field(u64, size)),
		    TP_fast_assign(__entry->ctx = ctx;
				   __entry->type = type;
				   __entry->start = start;
				   __entry->size = size;),
		    TP_printk("ctx=%u start=%#llx size=%#llx type=%s",
			      __entry->ctx, __entry->start, __entry->size,
			      __print_symbolic(__entry->type,
					       { VCM_RES_DYNAMIC, "dynamic" },
					       { VCM_RES_FIXED, "fixed" },
					       { VCM_RES_REGION, "region" })));

DEFINE_EVENT(vcm_res_class, vcm_res_create,
	     TP_PROTO(unsigned int ctx, u64 start, u64 size, unsigned int type),
	     TP_ARGS(ctx, start, size, type));

DEFINE_EVENT(vcm_res_class, vcm_res_destroy,
	     TP_PROTO(unsigned int ctx, u64 start, u64 size, unsigned int type),
	     TP_ARGS(ctx, start, size, type));

DECLARE_EVENT_CLASS(vcm_bind_class,
		    TP_PROTO(unsigned int ctx, u64 addr, u64 size, u64 phys),
		    TP_ARGS(ctx, addr, size, phys),
		    TP_STRUCT__entry(__field(unsigned int, ctx)
				     __field(u64, addr)
				     __field(u64, size)
				     __field(u64, phys)),
		    TP_fast_assign(__entry->ctx = ctx;
				   __entry->addr = addr;
				   __entry->size = size;
				   __entry->phys = phys;),
		    TP_printk("ctx=%u addr=%#llx size=%#llx phys=%#llx",
			      __entry->ctx, __entry->addr, __entry->size,
			      __entry->phys));

DEFINE_EVENT(vcm_bind_class, vcm_bind,
	     TP_PROTO(unsigned int ctx, u64 addr, u64 size, u64 phys),
	     TP_ARGS(ctx, addr, size, phys));

DEFINE_EVENT(vcm_bind_class, vcm_unbind,
	     TP_PROTO(unsigned int ctx, u64 addr, u64 size, u64 phys),
	     TP_ARGS(ctx, addr, size, phys));

/* A DMA window call, "map" or "unmap", and its result. */
TRACE_EVENT(vcm_window,
	    TP_PROTO(unsigned int ctx, const char *op, u64 start, u64 offset,
		     u64 size, int ret),
	    TP_ARGS(ctx, op, start, offset, size, ret),
	    TP_STRUCT__entry(__field(unsigned int, ctx)
			     __field(int, ret)
			     __string(op, op)
			     __field(u64, start)
			     __field(u64, offset)
			     __field(u64, size)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->ret = ret;
			   __assign_str(op);
			   __entry->start = start;
			   __entry->offset = offset;
			   __entry->size = size;),
	    TP_printk("ctx=%u %s window=%#llx offset=%#llx size=%#llx ret=%d",
		      __entry->ctx, __get_str(op), __entry->start,
		      __entry->offset, __entry->size, __entry->ret));

#endif /* _TRACE_VCM_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
