/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_JIFFIES_H
#define _VCM_STUB_JIFFIES_H
#include <linux/workqueue.h>
#endif
