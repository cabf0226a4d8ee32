// SPDX-License-Identifier: GPL-2.0-only
/*
 * What vcm_phys_migrate() costs, for make bench. Loading the module runs
 * it: on the IOMMU of the first PCI device that has one it makes two
 * paging domains with a VCM context each, activated (no device is
 * attached), and a kernel CPU context, as samples/vcm/vcm_video.c does.
 * For each buffer size it allocates the memory for the first domain
 * (blocks of its page sizes), then times whole-buffer migrations with
 * the memory bound in 0, 1, 2 and 3 of the contexts (first domain,
 * second domain, CPU), the owners' quiesce callbacks doing nothing, and
 * prints one line per case:
 *
 *   bench: migrate <size> bindings=<n> parts=<p> ns=<median> ns/MiB=<v>
 *
 * The difference between consecutive binding counts is the cost of one
 * more mapper; bindings=0 is allocation, copy and free alone. Under
 * QEMU's -icount the guest clock counts instructions, and the figures
 * are instructions. The module stays loaded; unload it to run again.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/vcm.h>

#define MB_MAX_REPS	15

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "Timed migrations per case (1 to 15)");

static unsigned int max_mib = 16;
module_param(max_mib, uint, 0444);
MODULE_PARM_DESC(max_mib, "Largest buffer, MiB: 2 MiB, then 16 MiB if allowed");

enum { MB_DOM0, MB_DOM1, MB_CPU, MB_NR };

struct mb_state {
	struct device *dev;
	struct iommu_domain *domain[2];
	struct vcm *vcm[MB_NR];
	struct vcm_res *res[MB_NR];
};

static int mb_quiesce(struct vcm_res *res, u64 offset, u64 size, void *data)
{
	return 0;
}

static void mb_resume(struct vcm_res *res, u64 offset, u64 size, void *data)
{
}

static const struct vcm_quiesce_ops mb_ops = {
	.quiesce = mb_quiesce,
	.resume = mb_resume,
};

static int mb_find_dev(struct device *dev, void *data)
{
	struct device **found = data;

	if (!device_iommu_mapped(dev))
		return 0;
	*found = get_device(dev);
	return 1;
}

static int mb_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void mb_teardown(struct mb_state *s)
{
	int c;

	for (c = 0; c < MB_NR; c++) {
		if (IS_ERR_OR_NULL(s->vcm[c]))
			continue;
		if (vcm_is_active(s->vcm[c]))
			vcm_deactivate(s->vcm[c]);
		vcm_destroy(s->vcm[c]);
	}
	for (c = 0; c < 2; c++)
		if (!IS_ERR_OR_NULL(s->domain[c]))
			iommu_domain_free(s->domain[c]);
	put_device(s->dev);
}

static int mb_setup(struct mb_state *s)
{
	int c, ret;

	bus_for_each_dev(&pci_bus_type, NULL, &s->dev, mb_find_dev);
	if (!s->dev)
		return -ENODEV;
	for (c = 0; c < MB_NR; c++) {
		if (c == MB_CPU) {
			s->vcm[c] = vcm_kernel_create();
		} else {
			s->domain[c] = iommu_paging_domain_alloc(s->dev);
			if (IS_ERR(s->domain[c]))
				return PTR_ERR(s->domain[c]);
			s->vcm[c] = vcm_iommu_create(s->domain[c], SZ_1M, SZ_1G);
		}
		if (IS_ERR(s->vcm[c]))
			return PTR_ERR(s->vcm[c]);
		ret = vcm_activate(s->vcm[c]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Time @reps migrations of all of @phys; the median in @ns. */
static int mb_time(struct vcm_phys *phys, u64 *ns)
{
	u64 t[MB_MAX_REPS], t0;
	unsigned int i;
	int ret;

	for (i = 0; i < reps; i++) {
		t0 = ktime_get_ns();
		ret = vcm_phys_migrate(phys, 0, vcm_phys_size(phys));
		t[i] = ktime_get_ns() - t0;
		if (ret)
			return ret;
	}
	sort(t, reps, sizeof(t[0]), mb_cmp, NULL);
	*ns = t[(reps - 1) / 2];
	return 0;
}

static int mb_size(struct mb_state *s, u64 size)
{
	struct vcm_phys *phys;
	int n, ret = 0;
	u64 ns;

	phys = vcm_alloc(s->vcm[MB_DOM0], size, 0);
	if (IS_ERR(phys))
		return PTR_ERR(phys);
	for (n = 0; n <= MB_NR; n++) {
		if (n) {
			s->res[n - 1] = vcm_map(s->vcm[n - 1], phys, 0);
			if (IS_ERR(s->res[n - 1])) {
				ret = PTR_ERR(s->res[n - 1]);
				s->res[n - 1] = NULL;
				break;
			}
			ret = vcm_res_set_quiesce(s->res[n - 1], &mb_ops, NULL);
			if (ret)
				break;
		}
		ret = mb_time(phys, &ns);
		if (ret)
			break;
		pr_info("bench: migrate %lluM bindings=%d parts=%u ns=%llu ns/MiB=%llu\n",
			size >> 20, n, vcm_phys_count(phys), ns,
			div64_u64(ns, size >> 20));
	}
	for (n = 0; n < MB_NR; n++) {
		if (s->res[n])
			vcm_unmap(s->res[n]);
		s->res[n] = NULL;
	}
	vcm_free(phys);
	return ret;
}

static int __init mb_init(void)
{
	struct mb_state s = { };
	int ret;

	reps = clamp(reps, 1U, (unsigned int)MB_MAX_REPS);
	ret = mb_setup(&s);
	if (!ret)
		ret = mb_size(&s, SZ_2M);
	if (!ret && max_mib >= 16)
		ret = mb_size(&s, SZ_16M);
	if (s.dev)
		pr_info("bench: migrate done on the IOMMU of %s: %d\n",
			dev_name(s.dev), ret);
	mb_teardown(&s);
	return ret;
}
module_init(mb_init);

static void __exit mb_exit(void)
{
}
module_exit(mb_exit);

MODULE_DESCRIPTION("Cost of migrating VCM memory under its mappers");
MODULE_LICENSE("GPL");
