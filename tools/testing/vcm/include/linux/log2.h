/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_LOG2_H
#define _VCM_STUB_LOG2_H

#include <linux/bitops.h>
#include_next <linux/log2.h>

#ifndef order_base_2
#define order_base_2(n)		((n) > 1 ? ilog2((n) - 1) + 1 : 0)
#endif

#endif
