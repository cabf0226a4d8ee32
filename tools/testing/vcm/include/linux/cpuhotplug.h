/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: the harness kills CPUs with vcm_stub_cpu_dead(). */
#ifndef _VCM_STUB_CPUHOTPLUG_H
#define _VCM_STUB_CPUHOTPLUG_H

#include <linux/list.h>
#include <linux/percpu.h>

enum cpuhp_state {
	CPUHP_INVALID = -1,
	CPUHP_OFFLINE = 0,
	CPUHP_IOMMU_IOVA_DEAD,
	CPUHP_BP_PREPARE_DYN,
	CPUHP_BP_PREPARE_DYN_END = CPUHP_BP_PREPARE_DYN + 8,
};

int cpuhp_setup_state_multi(enum cpuhp_state state, const char *name,
			    int (*startup)(unsigned int cpu, struct hlist_node *node),
			    int (*teardown)(unsigned int cpu, struct hlist_node *node));
void cpuhp_remove_multi_state(enum cpuhp_state state);
int cpuhp_state_add_instance_nocalls(enum cpuhp_state state, struct hlist_node *node);
int cpuhp_state_remove_instance_nocalls(enum cpuhp_state state, struct hlist_node *node);
/* Run the teardown callbacks of every state and instance for @cpu. */
void vcm_stub_cpu_dead(unsigned int cpu);

#endif
