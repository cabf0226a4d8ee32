/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_MINMAX_H
#define _VCM_STUB_MINMAX_H

#include <linux/kernel.h>

#ifndef swap
#define swap(a, b) \
	do { typeof(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)
#endif

#endif
