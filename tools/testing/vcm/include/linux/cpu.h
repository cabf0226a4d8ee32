/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_CPU_H
#define _VCM_STUB_CPU_H
#include <linux/cpuhotplug.h>
#endif
