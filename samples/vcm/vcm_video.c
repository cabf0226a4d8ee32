// SPDX-License-Identifier: GPL-2.0-only
/*
 * The video pipeline of the first VCM RFC, built on the machine's own
 * IOMMU: a decoder and a display, each with an IOMMU domain of its own,
 * and the kernel's CPU share a 16 MiB frame buffer and two 64 KiB input
 * buffers through one VCM graph.
 *
 * Writing "start" to /sys/kernel/debug/vcm_video/run allocates two paging
 * domains on the IOMMU of the first PCI device that has one (no device is
 * attached to them: nothing here does DMA), creates a VCM context over
 * each and a kernel CPU context, allocates the three buffers with
 * vcm_alloc() (blocks of the domains' page sizes, largest first), binds
 * each into the three contexts with vcm_map() and activates the contexts,
 * which maps the bindings in the IOMMU page tables and in vmalloc space.
 * It then checks, page by page, that both domains' page tables translate
 * every device address of a buffer to the same page the CPU context maps
 * (iommu_iova_to_phys()), that bytes the CPU writes through its mapping
 * are in those pages, and that a byte stored through the decoder's
 * translation is what the CPU then reads through its own mapping.
 * "start" fails with -EIO when any of that does not hold.
 *
 * Reading /sys/kernel/debug/vcm_video/graph shows the graph: each context
 * with its reservations and their bindings (vcm_walk_res(),
 * vcm_res_walk_bindings()), then each buffer with its physical parts and
 * every context it is bound in (vcm_phys_walk_bindings()), then what the
 * checks found.
 *
 * Writing "migrate" moves the frame buffer to new pages while it stays
 * bound in all three contexts (vcm_phys_migrate()): the pipeline, owner
 * of every reservation, registered quiesce callbacks for each, and
 * nothing here touches the buffers while a command runs. It checks that
 * every part moved to a block of the same size, every context kept its
 * addresses and was quiesced and resumed once, the bytes are there, and
 * then runs the checks of "start" again. The graph then shows each part's
 * old and new address.
 *
 * Writing "stop" deactivates the contexts, checks that no device address
 * translates any more while the graph keeps every binding, then unbinds,
 * frees and destroys everything (-EIO when a check fails; the pipeline is
 * torn down anyway).
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vcm.h>

enum { CTX_DEC, CTX_DISP, CTX_CPU, NR_CTX };
enum { NR_BUF = 3 };
/* Reservations a context shows; the pipeline makes one per buffer. */
#define SHOW_RES	8
/* Parts of the frame buffer whose move the graph shows. */
#define SHOW_MOVED	8

struct vv_ctx {
	const char *name;
	dma_addr_t start;	/* device address range of an IOMMU context */
	u64 size;
	unsigned int flags;	/* of the buffers' bindings here */
	struct iommu_domain *domain;
	struct vcm *vcm;
	unsigned int quiesced;	/* the quiesce callbacks' calls */
	unsigned int resumed;
};

struct vv_buf {
	const char *name;
	u64 size;
	struct vcm_phys *phys;
	struct vcm_res *res[NR_CTX];
};

struct vv_pipeline {
	struct mutex lock;	/* serializes run and graph */
	bool built;
	struct device *dev;	/* whose IOMMU holds the two domains */
	unsigned long pages[NR_CTX];	/* pages checked per context */
	char verdict[128];
	struct {
		phys_addr_t from, to;
		u64 size;
	} moved[SHOW_MOVED];
	unsigned int nr_moved;
	struct vv_ctx ctx[NR_CTX];
	struct vv_buf buf[NR_BUF];
	struct dentry *dir;
};

static struct vv_pipeline vv = {
	.lock = __MUTEX_INITIALIZER(vv.lock),
	.ctx = {
		[CTX_DEC] = { "decoder", SZ_1M, SZ_1G, VCM_READ | VCM_WRITE },
		[CTX_DISP] = { "display", SZ_256M, SZ_512M, VCM_READ },
		[CTX_CPU] = { "cpu", 0, 0, VCM_READ | VCM_WRITE },
	},
	.buf = {
		{ "frame", SZ_16M },
		{ "input0", SZ_64K },
		{ "input1", SZ_64K },
	},
};

static const char *vv_ctx_name(struct vcm *vcm)
{
	int i;

	for (i = 0; i < NR_CTX; i++)
		if (vv.ctx[i].vcm == vcm)
			return vv.ctx[i].name;
	return "another context";
}

static const char *vv_buf_name(struct vcm_phys *phys)
{
	int i;

	for (i = 0; i < NR_BUF; i++)
		if (vv.buf[i].phys == phys)
			return vv.buf[i].name;
	return "other memory";
}

static int vv_find_dev(struct device *dev, void *data)
{
	struct device **found = data;

	if (!device_iommu_mapped(dev))
		return 0;
	*found = get_device(dev);
	return 1;
}

/* Undo whatever vv_build() got to; safe on a partly built pipeline. */
static void vv_teardown(void)
{
	int i, c;

	vv.nr_moved = 0;
	for (c = 0; c < NR_CTX; c++)
		if (!IS_ERR_OR_NULL(vv.ctx[c].vcm) && vcm_is_active(vv.ctx[c].vcm))
			vcm_deactivate(vv.ctx[c].vcm);
	for (i = 0; i < NR_BUF; i++) {
		struct vv_buf *b = &vv.buf[i];

		for (c = 0; c < NR_CTX; c++) {
			if (!IS_ERR_OR_NULL(b->res[c]))
				WARN_ON(vcm_unmap(b->res[c]));
			b->res[c] = NULL;
		}
		if (!IS_ERR_OR_NULL(b->phys))
			WARN_ON(vcm_free(b->phys));
		b->phys = NULL;
	}
	for (c = 0; c < NR_CTX; c++) {
		struct vv_ctx *x = &vv.ctx[c];

		if (!IS_ERR_OR_NULL(x->vcm))
			WARN_ON(vcm_destroy(x->vcm));
		x->vcm = NULL;
		if (!IS_ERR_OR_NULL(x->domain))
			iommu_domain_free(x->domain);
		x->domain = NULL;
	}
	if (vv.dev)
		put_device(vv.dev);
	vv.dev = NULL;
	vv.built = false;
}

/*
 * Nothing in this sample touches a buffer while a command runs under
 * vv.lock, and migration runs as one: stopping access is only counted.
 */
static int vv_quiesce(struct vcm_res *res, u64 offset, u64 size, void *data)
{
	struct vv_ctx *x = data;

	x->quiesced++;
	return 0;
}

static void vv_resume(struct vcm_res *res, u64 offset, u64 size, void *data)
{
	struct vv_ctx *x = data;

	x->resumed++;
}

static const struct vcm_quiesce_ops vv_quiesce_ops = {
	.quiesce = vv_quiesce,
	.resume = vv_resume,
};

static int vv_build(void)
{
	char label[VCM_LABEL_LEN];
	int i, c, ret;

	bus_for_each_dev(&pci_bus_type, NULL, &vv.dev, vv_find_dev);
	if (!vv.dev)
		return -ENODEV;

	for (c = 0; c < NR_CTX; c++) {
		struct vv_ctx *x = &vv.ctx[c];

		if (c == CTX_CPU) {
			x->vcm = vcm_kernel_create();
		} else {
			x->domain = iommu_paging_domain_alloc(vv.dev);
			if (IS_ERR(x->domain)) {
				ret = PTR_ERR(x->domain);
				goto fail;
			}
			x->vcm = vcm_iommu_create(x->domain, x->start, x->size);
		}
		if (IS_ERR(x->vcm)) {
			ret = PTR_ERR(x->vcm);
			goto fail;
		}
		snprintf(label, sizeof(label), "vcm_video %s", x->name);
		vcm_set_label(x->vcm, label);
	}

	/* As in the RFC: memory for the decoder, bound into every context. */
	for (i = 0; i < NR_BUF; i++) {
		struct vv_buf *b = &vv.buf[i];

		b->phys = vcm_alloc(vv.ctx[CTX_DEC].vcm, b->size, 0);
		if (IS_ERR(b->phys)) {
			ret = PTR_ERR(b->phys);
			goto fail;
		}
		for (c = 0; c < NR_CTX; c++) {
			b->res[c] = vcm_map(vv.ctx[c].vcm, b->phys,
					    vv.ctx[c].flags);
			if (IS_ERR(b->res[c])) {
				ret = PTR_ERR(b->res[c]);
				goto fail;
			}
			ret = vcm_res_set_quiesce(b->res[c], &vv_quiesce_ops,
						  &vv.ctx[c]);
			if (ret)
				goto fail;
		}
	}

	/* Bindings made before activation reach the page tables now. */
	for (c = 0; c < NR_CTX; c++) {
		ret = vcm_activate(vv.ctx[c].vcm);
		if (ret)
			goto fail;
	}
	vv.built = true;
	return 0;

fail:
	vv_teardown();
	return ret;
}

static u8 vv_pattern(int buf, u64 off, u8 salt)
{
	return (u8)(off >> PAGE_SHIFT) ^ (u8)(buf * 0x35) ^ salt;
}

/* The byte at a device address, read through an IOMMU domain's table. */
static int vv_dev_byte(int c, int i, u64 off, phys_addr_t want, u8 **p)
{
	struct vv_buf *b = &vv.buf[i];
	phys_addr_t pa;

	pa = iommu_iova_to_phys(vv.ctx[c].domain, vcm_res_start(b->res[c]) + off);
	if (pa != want) {
		snprintf(vv.verdict, sizeof(vv.verdict),
			 "%s: %s +%#llx translates to %pa, not %pa",
			 vv.ctx[c].name, b->name, off, &pa, &want);
		return -EIO;
	}
	*p = phys_to_virt(pa);
	return 0;
}

/*
 * Every page of every buffer: both device contexts translate it to the
 * page vcm_phys_addr_at() names (so the display sees what the decoder
 * sees), the CPU's bytes are there, and a byte stored through the
 * decoder's translation is what the CPU reads through its mapping.
 */
static int vv_verify(void)
{
	int i, ret;
	u64 off;

	memset(vv.pages, 0, sizeof(vv.pages));
	strscpy(vv.verdict, "not finished", sizeof(vv.verdict));
	for (i = 0; i < NR_BUF; i++) {
		struct vv_buf *b = &vv.buf[i];
		u8 *cpu = vcm_kernel_addr(b->res[CTX_CPU]);

		for (off = 0; off < b->size; off += PAGE_SIZE)
			cpu[off + (off >> PAGE_SHIFT) % PAGE_SIZE] =
				vv_pattern(i, off, 0);
		for (off = 0; off < b->size; off += PAGE_SIZE) {
			u64 at = off + (off >> PAGE_SHIFT) % PAGE_SIZE;
			u8 *dec, *disp;	/* the bytes at each device address */
			phys_addr_t pa;

			ret = vcm_phys_addr_at(b->phys, at, &pa, NULL);
			if (ret) {
				snprintf(vv.verdict, sizeof(vv.verdict),
					 "%s +%#llx: no physical address (%d)",
					 b->name, at, ret);
				return ret;
			}
			ret = vv_dev_byte(CTX_DEC, i, at, pa, &dec);
			if (!ret)
				ret = vv_dev_byte(CTX_DISP, i, at, pa, &disp);
			if (ret)
				return ret;
			vv.pages[CTX_DEC]++;
			vv.pages[CTX_DISP]++;
			if (*dec != vv_pattern(i, off, 0)) {
				snprintf(vv.verdict, sizeof(vv.verdict),
					 "%s +%#llx: the CPU wrote %#x, the decoder's page holds %#x",
					 b->name, at, vv_pattern(i, off, 0), *dec);
				return -EIO;
			}
			*dec = vv_pattern(i, off, 0xa5);
			if (cpu[at] != *dec) {
				snprintf(vv.verdict, sizeof(vv.verdict),
					 "%s +%#llx: the decoder stored %#x, the CPU reads %#x",
					 b->name, at, *dec, cpu[at]);
				return -EIO;
			}
			vv.pages[CTX_CPU]++;
		}
	}
	snprintf(vv.verdict, sizeof(vv.verdict),
		 "ok: decoder %lu, display %lu, cpu %lu pages, same memory and bytes",
		 vv.pages[CTX_DEC], vv.pages[CTX_DISP], vv.pages[CTX_CPU]);
	return 0;
}

/* Fail "migrate" with a verdict that says why. */
static __printf(2, 3) int vv_migrate_bad(int ret, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(vv.verdict, sizeof(vv.verdict), fmt, args);
	va_end(args);
	return ret;
}

/*
 * Move the frame buffer under its three mappers. vv_verify() left a byte
 * stored through the decoder in each page: after the move it must be
 * there, through the decoder's translation and the CPU's mapping.
 */
static int vv_migrate(void)
{
	struct vv_buf *b = &vv.buf[0];
	u8 *cpu = vcm_kernel_addr(b->res[CTX_CPU]);
	unsigned int quiesced[NR_CTX], n = 0, nr = vcm_phys_count(b->phys);
	const struct vcm_phys_part *p;
	dma_addr_t addr[NR_CTX];
	u64 off;
	int c, ret;

	vv.nr_moved = 0;
	for (p = vcm_phys_next_part(b->phys, NULL); p && n < SHOW_MOVED;
	     p = vcm_phys_next_part(b->phys, p), n++) {
		vv.moved[n].from = p->start;
		vv.moved[n].size = p->size;
	}
	for (c = 0; c < NR_CTX; c++) {
		addr[c] = vcm_res_start(b->res[c]);
		quiesced[c] = vv.ctx[c].quiesced;
	}
	ret = vcm_phys_migrate(b->phys, 0, b->size);
	if (ret)
		return vv_migrate_bad(ret, "migrate: vcm_phys_migrate() failed: %d",
				      ret);
	if (vcm_phys_count(b->phys) != nr)
		return vv_migrate_bad(-EIO, "migrate: %u parts became %u", nr,
				      vcm_phys_count(b->phys));
	n = 0;
	for (p = vcm_phys_next_part(b->phys, NULL); p && n < SHOW_MOVED;
	     p = vcm_phys_next_part(b->phys, p), n++) {
		vv.moved[n].to = p->start;
		if (p->start == vv.moved[n].from || p->size != vv.moved[n].size)
			return vv_migrate_bad(-EIO, "migrate: part %u at %pa did not move whole",
					      n, &p->start);
	}
	vv.nr_moved = n;
	for (c = 0; c < NR_CTX; c++) {
		struct vv_ctx *x = &vv.ctx[c];

		if (vcm_res_start(b->res[c]) != addr[c])
			return vv_migrate_bad(-EIO, "migrate: %s address changed",
					      x->name);
		if (x->quiesced != quiesced[c] + 1 || x->resumed != x->quiesced)
			return vv_migrate_bad(-EIO, "migrate: %s quiesced %u, resumed %u times",
					      x->name, x->quiesced - quiesced[c],
					      x->resumed - quiesced[c]);
	}
	for (off = 0; off < b->size; off += PAGE_SIZE) {
		u64 at = off + (off >> PAGE_SHIFT) % PAGE_SIZE;
		phys_addr_t pa;
		u8 *dec;

		ret = vcm_phys_addr_at(b->phys, at, &pa, NULL);
		if (!ret)
			ret = vv_dev_byte(CTX_DEC, 0, at, pa, &dec);
		if (ret)
			return ret;
		if (*dec != vv_pattern(0, off, 0xa5) || cpu[at] != *dec)
			return vv_migrate_bad(-EIO, "migrate: +%#llx holds %#x (CPU %#x), not %#x",
					      at, *dec, cpu[at],
					      vv_pattern(0, off, 0xa5));
	}
	return vv_verify();
}

/*
 * After deactivation no device address of a binding translates, and the
 * graph still holds all of them.
 */
static int vv_verify_deactivated(void)
{
	int i, c;
	u64 off;

	for (i = 0; i < NR_BUF; i++) {
		struct vv_buf *b = &vv.buf[i];

		for (c = CTX_DEC; c <= CTX_DISP; c++) {
			for (off = 0; off < b->size; off += PAGE_SIZE) {
				dma_addr_t iova = vcm_res_start(b->res[c]) + off;

				if (iommu_iova_to_phys(vv.ctx[c].domain, iova)) {
					pr_err("vcm_video: %s: %pad still mapped after deactivation\n",
					       vv.ctx[c].name, &iova);
					return -EIO;
				}
			}
		}
		if (vcm_res_phys(b->res[CTX_DEC]) != b->phys ||
		    vcm_res_phys(b->res[CTX_DISP]) != b->phys) {
			pr_err("vcm_video: %s: a binding left the graph on deactivation\n",
			       b->name);
			return -EIO;
		}
	}
	return 0;
}

static int vv_stop(void)
{
	int c, ret;

	for (c = 0; c < NR_CTX; c++)
		vcm_deactivate(vv.ctx[c].vcm);
	ret = vv_verify_deactivated();
	vv_teardown();
	return ret;
}

/* ---- the graph, as a person reads it -------------------------------- */

struct vv_show {
	struct seq_file *m;
	struct vcm_res *res[SHOW_RES];
	unsigned int nr;
	unsigned int more;
};

static int vv_collect_res(struct vcm_res *res, void *data)
{
	struct vv_show *s = data;

	/* No VCM call on the walked context in here: remember, show later. */
	if (s->nr < SHOW_RES)
		s->res[s->nr++] = res;
	else
		s->more++;
	return 0;
}

static const char *vv_access(unsigned int flags)
{
	switch (flags & (VCM_READ | VCM_WRITE)) {
	case VCM_READ:
		return "r-";
	case VCM_WRITE:
		return "-w";
	default:
		return "rw";
	}
}

static int vv_show_binding(const struct vcm_binding_info *info, void *data)
{
	struct seq_file *m = data;

	seq_printf(m, "    +%#llx, %llu KiB: %s +%#llx, %s\n", info->offset,
		   info->size >> 10, vv_buf_name(info->phys),
		   info->phys_offset, vv_access(info->flags));
	return 0;
}

static int vv_show_bound(const struct vcm_binding_info *info, void *data)
{
	struct seq_file *m = data;

	/* Under the buffer's spinlock: seq_printf() only. */
	seq_printf(m, "  bound in %-8s at %#llx-%#llx %s\n",
		   vv_ctx_name(info->vcm),
		   (u64)vcm_res_start(info->res) + info->offset,
		   (u64)vcm_res_start(info->res) + info->offset + info->size - 1,
		   vv_access(info->flags));
	return 0;
}

static void vv_show_ctx(struct seq_file *m, struct vv_ctx *x)
{
	static const char * const type[] = {
		[VCM_RES_DYNAMIC] = "dynamic",
		[VCM_RES_FIXED] = "fixed",
		[VCM_RES_REGION] = "region",
	};
	struct vv_show s = { .m = m };
	unsigned int i;

	if (x->domain)
		seq_printf(m, "context %s: IOMMU domain, device addresses %#llx-%#llx, page sizes %#lx, %s\n",
			   x->name, (u64)x->start, (u64)x->start + x->size - 1,
			   x->domain->pgsize_bitmap,
			   vcm_is_active(x->vcm) ? "active" : "inactive");
	else
		seq_printf(m, "context %s: kernel virtual addresses, %s\n",
			   x->name,
			   vcm_is_active(x->vcm) ? "active" : "inactive");
	vcm_walk_res(x->vcm, vv_collect_res, &s);
	for (i = 0; i < s.nr; i++) {
		struct vcm_res *res = s.res[i];

		seq_printf(m, "  reservation %#llx-%#llx (%llu KiB, %s)\n",
			   (u64)vcm_res_start(res),
			   (u64)vcm_res_start(res) + vcm_res_size(res) - 1,
			   vcm_res_size(res) >> 10, type[vcm_res_type(res)]);
		vcm_res_walk_bindings(res, vv_show_binding, m);
	}
	if (s.more)
		seq_printf(m, "  and %u more reservations\n", s.more);
}

static void vv_show_buf(struct seq_file *m, struct vv_buf *b)
{
	const struct vcm_phys_part *p;
	u64 run_size = 0;
	unsigned int run = 0;

	seq_printf(m, "buffer %s: %llu KiB in %u physical parts:", b->name,
		   vcm_phys_size(b->phys) >> 10, vcm_phys_count(b->phys));
	/* Parts of one size in a row are shown as a count. */
	for (p = vcm_phys_next_part(b->phys, NULL); p;
	     p = vcm_phys_next_part(b->phys, p)) {
		if (run && p->size != run_size) {
			seq_printf(m, " %u x %llu KiB", run, run_size >> 10);
			run = 0;
		}
		run_size = p->size;
		run++;
	}
	seq_printf(m, " %u x %llu KiB, first at %pa\n", run, run_size >> 10,
		   &vcm_phys_next_part(b->phys, NULL)->start);
	vcm_phys_walk_bindings(b->phys, vv_show_bound, m);
}

static int vv_graph_show(struct seq_file *m, void *unused)
{
	int i;

	mutex_lock(&vv.lock);
	if (!vv.built) {
		seq_puts(m, "no pipeline: write \"start\" to run\n");
		goto out;
	}
	seq_printf(m, "video pipeline: decoder and display domains on the IOMMU of %s %s, and the CPU\n",
		   dev_bus_name(vv.dev), dev_name(vv.dev));
	for (i = 0; i < NR_CTX; i++)
		vv_show_ctx(m, &vv.ctx[i]);
	for (i = 0; i < NR_BUF; i++)
		vv_show_buf(m, &vv.buf[i]);
	for (i = 0; i < vv.nr_moved; i++)
		seq_printf(m, "migrated %s part %d: %llu KiB %pa -> %pa\n",
			   vv.buf[0].name, i, vv.moved[i].size >> 10,
			   &vv.moved[i].from, &vv.moved[i].to);
	seq_printf(m, "check %s\n", vv.verdict);
out:
	mutex_unlock(&vv.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vv_graph);

static ssize_t vv_run_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char cmd[16], *p;
	int ret;

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	p = strim(cmd);

	mutex_lock(&vv.lock);
	if (!strcmp(p, "start")) {
		ret = vv.built ? -EBUSY : vv_build();
		if (!ret) {
			ret = vv_verify();
			pr_info("vcm_video: start: check %s\n", vv.verdict);
		}
	} else if (!strcmp(p, "migrate")) {
		ret = vv.built ? vv_migrate() : -ENOENT;
		pr_info("vcm_video: migrate: check %s\n", vv.verdict);
	} else if (!strcmp(p, "stop")) {
		ret = vv.built ? vv_stop() : -ENOENT;
		if (!ret)
			pr_info("vcm_video: stop: nothing translates after deactivation; torn down\n");
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&vv.lock);
	return ret ? ret : count;
}

static const struct file_operations vv_run_fops = {
	.owner = THIS_MODULE,
	.write = vv_run_write,
};

static int __init vv_init(void)
{
	vv.dir = debugfs_create_dir("vcm_video", NULL);
	debugfs_create_file("run", 0200, vv.dir, NULL, &vv_run_fops);
	debugfs_create_file("graph", 0400, vv.dir, NULL, &vv_graph_fops);
	return 0;
}
module_init(vv_init);

static void __exit vv_exit(void)
{
	debugfs_remove_recursive(vv.dir);
	mutex_lock(&vv.lock);
	if (vv.built)
		vv_teardown();
	mutex_unlock(&vv.lock);
}
module_exit(vv_exit);

MODULE_DESCRIPTION("The VCM RFC's video pipeline on the machine's IOMMU");
MODULE_LICENSE("GPL");
