/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: VCM_STUB_NR_CPUS simulated CPUs, vcm_stub_cpu is current. */
#ifndef _VCM_STUB_PERCPU_H
#define _VCM_STUB_PERCPU_H

#include <stddef.h>

#define VCM_STUB_NR_CPUS	4
#define __percpu

extern unsigned int vcm_stub_cpu;

void *__alloc_percpu(size_t size, size_t align);
void free_percpu(void *p);
void *vcm_stub_per_cpu_ptr(void *p, unsigned int cpu);

#define alloc_percpu(type)	((type *)__alloc_percpu(sizeof(type), __alignof__(type)))
#define per_cpu_ptr(p, cpu)	((typeof(p))vcm_stub_per_cpu_ptr((void *)(p), (cpu)))
#define raw_cpu_ptr(p)		per_cpu_ptr(p, vcm_stub_cpu)
#define this_cpu_ptr(p)		raw_cpu_ptr(p)
#define for_each_online_cpu(cpu)	for_each_possible_cpu(cpu)
#define for_each_possible_cpu(cpu) \
	for ((cpu) = 0; (cpu) < VCM_STUB_NR_CPUS; (cpu)++)
#define cache_line_size()	64
#define num_online_cpus()	VCM_STUB_NR_CPUS

#endif
