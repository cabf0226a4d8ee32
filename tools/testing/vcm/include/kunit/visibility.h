/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_KUNIT_VISIBILITY_H
#define _VCM_STUB_KUNIT_VISIBILITY_H
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(sym)
#endif
