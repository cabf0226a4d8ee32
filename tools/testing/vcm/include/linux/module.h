/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_MODULE_H
#define _VCM_STUB_MODULE_H
#include <linux/export.h>
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_LICENSE(x)
#define MODULE_IMPORT_NS(x)
#endif
