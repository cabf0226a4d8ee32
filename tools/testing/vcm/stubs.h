/* SPDX-License-Identifier: GPL-2.0-only */
/* State of the userspace stubs that the tests inspect (see stubs.c). */
#ifndef VCM_HARNESS_STUBS_H
#define VCM_HARNESS_STUBS_H

/* Objects allocated through the kmalloc/kmem_cache stubs and not freed. */
extern unsigned long vcm_stub_live_objects;
/* The CPU that this_cpu_ptr() and friends act on. */
extern unsigned int vcm_stub_cpu;

#endif
