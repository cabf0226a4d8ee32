/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_SMP_H
#define _VCM_STUB_SMP_H
#include <linux/percpu.h>
#endif
