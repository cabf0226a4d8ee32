/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_KMEMLEAK_H
#define _VCM_STUB_KMEMLEAK_H
#define kmemleak_transient_leak(p)	do { (void)(p); } while (0)
#endif
