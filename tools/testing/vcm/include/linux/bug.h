/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: warnings are counted so that tests can expect them. */
#ifndef _VCM_STUB_BUG_H
#define _VCM_STUB_BUG_H

#include <stdio.h>
#include <stdlib.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>

extern unsigned long vcm_stub_warnings;

#undef WARN
#undef WARN_ON
#undef WARN_ONCE
#undef WARN_ON_ONCE
#undef BUG_ON
#undef BUG

#define WARN(cond, fmt...) ({						\
	int __c = !!(cond);						\
	if (__c) {							\
		vcm_stub_warnings++;					\
		fprintf(stderr, "WARNING at %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, fmt);					\
	}								\
	__c;								\
})
#define WARN_ONCE(cond, fmt...)	WARN(cond, fmt)
#define WARN_ON(cond)		WARN(cond, "%s\n", #cond)
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define BUG()			abort()
#define BUG_ON(cond)		do { if (cond) abort(); } while (0)

#endif
