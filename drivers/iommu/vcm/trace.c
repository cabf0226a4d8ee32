// SPDX-License-Identifier: GPL-2.0-only
/* The trace events of VCM (include/trace/events/vcm.h) live here. */

#define CREATE_TRACE_POINTS
#include <trace/events/vcm.h>
