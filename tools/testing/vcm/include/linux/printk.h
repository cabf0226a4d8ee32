/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _VCM_STUB_PRINTK_H
#define _VCM_STUB_PRINTK_H
#include <stdio.h>
#ifndef pr_err
#define pr_err(fmt, ...)	fprintf(stderr, fmt, ##__VA_ARGS__)
#endif
#endif
