/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: the trace events the IOVA cache calls do nothing here. */
#ifndef _STUB_TRACE_EVENTS_VCM_H
#define _STUB_TRACE_EVENTS_VCM_H

#include <stdbool.h>

static inline void trace_vcm_iova_alloc(unsigned int ctx, unsigned long pfn,
					unsigned long pages, bool cached)
{
}

static inline void trace_vcm_iova_free(unsigned int ctx, unsigned long pfn,
				       unsigned long pages, bool cached)
{
}

static inline void trace_vcm_iova_cache_drain(unsigned int ctx, bool idle,
					      unsigned long ranges)
{
}

#endif
