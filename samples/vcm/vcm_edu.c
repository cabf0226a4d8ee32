// SPDX-License-Identifier: GPL-2.0-only
/*
 * An endpoint-style driver for QEMU's edu device (1234:11e8) that keeps
 * its DMA in one explicit IOVA window, as a PCIe endpoint controller whose
 * ATU exposes a single window must (<linux/dma-window.h>).
 *
 * At probe it reserves a 512 KiB window (more with pages over 16 KiB), at
 * a fixed bus address if it can, and maps into it (offsets for 4 KiB
 * pages):
 *
 *   +0x00000  four separately allocated pages, as a scatterlist (A)
 *   +0x10000  one page, DMA_FROM_DEVICE (B)
 *   +0x20000  edu's own BAR 0 page, as MMIO (C; it holds the
 *             interrupt-raise register, the doorbell of this "endpoint")
 *   +0x30000  one page given by its physical address (D)
 *
 * The window and its parts show in debugfs vcm/dma<N>/graph. Writing to
 * /sys/kernel/debug/vcm_edu/run runs one of:
 *
 *   selftest  edu DMA from each page of A and from D into edu's buffer and
 *             back into B, and from C (reading edu's ID register through
 *             the IOMMU), each checked byte for byte (with pages over
 *             4 KiB, the first and last 2 KiB of each page);
 *   fault     unmap B, DMA into it: the IOMMU faults (DMAR fault or
 *             SMMUv3 event in the log) and B's page keeps its contents;
 *             B is mapped again afterwards;
 *   badinput  every kind of bad call of the window API, each of which must
 *             fail with its documented error and change nothing.
 *   migrate   a two-page buffer from vcm_alloc(), bound in an IOVA range
 *             of edu's domain, moved to new pages with vcm_phys_migrate()
 *             while a thread keeps edu copying through it; see
 *             vcm_edu_migrate();
 *   iova      the two-step DMA API (dma_iova_try_alloc() and friends)
 *   iova-fixed  the same in a range from dma_iova_alloc_range()
 *             instead of the window: three pages and BAR 0 (DMA_ATTR_MMIO)
 *             linked into one range, each bad call refused, DMA through
 *             it checked, a part unlinked and faulting, linked again,
 *             and the range destroyed.
 *   grow      many two-step ranges held at once and freed, no DMA: the
 *             IOVA allocator's tree and cache grow (see vcm_edu_grow()).
 *
 * edu's DMA engine: source 0x80, destination 0x88, count 0x90, command
 * 0x98 (bit 0 run, bit 1 edu-to-RAM); its buffer is at 0x40000 (4 KiB) in
 * its own address space, and it only drives 28 address bits.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dma-window.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vcm.h>

#include "vcm_edu.h"

#define WIN_FIXED	0x800000	/* below edu's 28 bits, away from the top */
#define NR_A		4
/* Parts 64 KiB apart, or further with pages so big that A needs more. */
#define STEP		max_t(size_t, SZ_64K, NR_A * PAGE_SIZE)
#define OFF_A		((size_t)0)
#define OFF_B		STEP
#define OFF_C		(2 * STEP)
#define OFF_D		(3 * STEP)
#define OFF_FREE	(4 * STEP)	/* nothing is mapped there */
#define WIN_SIZE	(8 * STEP)

struct vcm_edu {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct dma_window win;
	bool have_win;
	struct page *a[NR_A];
	struct page *b;
	struct page *d;
	struct dentry *dir;
	struct mutex lock;	/* serializes the debugfs commands */
};

/* One edu DMA of @len bytes; @to_ram: edu buffer -> @iova, else back. */
static int edu_dma(struct vcm_edu *e, dma_addr_t iova, size_t len,
		   bool to_ram)
{
	return vcm_edu_dma(e->bar, iova, len, to_ram);
}

/* Copy @len bytes from bus address @src to @dst through edu's buffer. */
static int edu_xfer(struct vcm_edu *e, dma_addr_t src, dma_addr_t dst,
		    size_t len)
{
	size_t done, n;
	int ret = 0;

	for (done = 0; done < len && !ret; done += n) {
		n = min_t(size_t, len - done, EDU_XFER);
		ret = edu_dma(e, src + done, n, false);
		if (!ret)
			ret = edu_dma(e, dst + done, n, true);
	}
	return ret;
}

/* Copy @len bytes at window offset @src to offset @dst through edu. */
static int edu_copy(struct vcm_edu *e, size_t src, size_t dst, size_t len)
{
	return edu_xfer(e, e->win.iova + src, e->win.iova + dst, len);
}

/*
 * Copy a page from bus address @src to @dst through edu: its first and
 * its last EDU_XFER bytes, which make the whole of a 4 KiB page. edu
 * takes a tenth of a second per transfer, so bigger pages are checked
 * at both ends only.
 */
static int edu_xfer_page(struct vcm_edu *e, dma_addr_t src, dma_addr_t dst)
{
	size_t tail = PAGE_SIZE - EDU_XFER;
	int ret;

	ret = edu_xfer(e, src, dst, EDU_XFER);
	if (!ret)
		ret = edu_xfer(e, src + tail, dst + tail, EDU_XFER);
	return ret;
}

/*
 * How many of the bytes edu_xfer_page() copies differ between @a and @b;
 * *@first is where they first do.
 */
static size_t edu_page_diff(const u8 *a, const u8 *b, size_t *first)
{
	size_t i, n = 0;

	*first = PAGE_SIZE;
	for (i = 0; i < PAGE_SIZE; i++) {
		if (i == EDU_XFER)
			i = max_t(size_t, i, PAGE_SIZE - EDU_XFER);
		if (a[i] == b[i])
			continue;
		n++;
		*first = min(*first, i);
	}
	return n;
}

/*
 * What a copy that did not verify got: where the bytes first differ, and
 * where the IOMMU translates both ends now.
 */
static void vcm_edu_differs(struct vcm_edu *e, struct page *from, size_t src,
			    const char *what)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(&e->pdev->dev);
	const u8 *want = page_address(from), *got = page_address(e->b);
	phys_addr_t want_src = page_to_phys(from), want_dst = page_to_phys(e->b);
	phys_addr_t at_src = 0, at_dst = 0;
	size_t first, n = edu_page_diff(want, got, &first);

	if (domain) {
		at_src = iommu_iova_to_phys(domain, e->win.iova + src);
		at_dst = iommu_iova_to_phys(domain, e->win.iova + OFF_B);
	}
	dev_err(&e->pdev->dev, "%s: data differs after DMA: %zu bytes from %zu, got %*ph, want %*ph\n",
		what, n, first, 16, got + ALIGN_DOWN(first, 16), 16,
		want + ALIGN_DOWN(first, 16));
	dev_err(&e->pdev->dev, "%s: %#llx translates to %pa (want %pa), %#llx to %pa (want %pa)\n",
		what, (u64)e->win.iova + src, &at_src, &want_src,
		(u64)e->win.iova + OFF_B, &at_dst, &want_dst);
}

static int vcm_edu_check(struct vcm_edu *e, struct page *from, size_t src,
			 const char *what)
{
	void *b = page_address(e->b);
	size_t first;
	int ret;

	memset(b, 0, PAGE_SIZE);
	dma_window_sync_for_device(&e->win, OFF_B, PAGE_SIZE, DMA_FROM_DEVICE);
	ret = edu_xfer_page(e, e->win.iova + src, e->win.iova + OFF_B);
	if (ret)
		return ret;
	dma_window_sync_for_cpu(&e->win, OFF_B, PAGE_SIZE, DMA_FROM_DEVICE);
	if (edu_page_diff(b, page_address(from), &first)) {
		vcm_edu_differs(e, from, src, what);
		return -EIO;
	}
	dev_info(&e->pdev->dev, "%s: %#llx -> edu -> %#llx verified\n", what,
		 (u64)e->win.iova + src, (u64)e->win.iova + OFF_B);
	return 0;
}

static int vcm_edu_selftest(struct vcm_edu *e)
{
	u32 id, got;
	char what[16];
	int i, ret;

	for (i = 0; i < NR_A; i++) {
		get_random_bytes(page_address(e->a[i]), PAGE_SIZE);
		snprintf(what, sizeof(what), "sg page %d", i);
		dma_window_sync_for_device(&e->win, OFF_A + i * PAGE_SIZE,
					   PAGE_SIZE, DMA_TO_DEVICE);
		ret = vcm_edu_check(e, e->a[i], OFF_A + i * PAGE_SIZE, what);
		if (ret)
			return ret;
	}
	get_random_bytes(page_address(e->d), PAGE_SIZE);
	dma_window_sync_for_device(&e->win, OFF_D, PAGE_SIZE, DMA_TO_DEVICE);
	ret = vcm_edu_check(e, e->d, OFF_D, "phys page");
	if (ret)
		return ret;

	/* MMIO through the IOMMU: edu reads its own ID register. */
	memset(page_address(e->b), 0, PAGE_SIZE);
	ret = edu_copy(e, OFF_C + EDU_ID, OFF_B, sizeof(u32));
	if (ret)
		return ret;
	id = readl(e->bar + EDU_ID);
	memcpy(&got, page_address(e->b), sizeof(got));
	if (got != id) {
		dev_err(&e->pdev->dev, "mmio: read %#x through the window, want %#x\n",
			got, id);
		return -EIO;
	}
	dev_info(&e->pdev->dev, "mmio: ID register %#x read at %#llx verified\n",
		 got, (u64)e->win.iova + OFF_C);
	return 0;
}

static int vcm_edu_fault(struct vcm_edu *e)
{
	u8 *b = page_address(e->b);
	int i, ret;

	memset(b, 0x5a, PAGE_SIZE);
	ret = dma_window_unmap(&e->win, OFF_B, PAGE_SIZE, 0);
	if (ret)
		return ret;
	/* edu's buffer holds other data: a write that got through shows. */
	get_random_bytes(page_address(e->a[0]), PAGE_SIZE);
	ret = edu_dma(e, e->win.iova + OFF_A, EDU_XFER, false);
	if (!ret) {
		dev_info(&e->pdev->dev, "fault: DMA to unmapped %#llx, expect an IOMMU fault\n",
			 (u64)e->win.iova + OFF_B);
		ret = edu_dma(e, e->win.iova + OFF_B, EDU_XFER, true);
	}
	for (i = 0; i < PAGE_SIZE && !ret; i++) {
		if (b[i] != 0x5a) {
			dev_err(&e->pdev->dev, "fault: byte %d of the unmapped page changed\n",
				i);
			ret = -EIO;
		}
	}
	if (!ret)
		dev_info(&e->pdev->dev, "fault: the unmapped page is untouched\n");
	if (dma_window_map_pages(&e->win, OFF_B, &e->b, 1, DMA_FROM_DEVICE, 0))
		ret = ret ?: -EIO;
	return ret;
}

/*
 * The two-step DMA API on edu: a range with pages at IOVA_SRC, IOVA_DST
 * and IOVA_MORE and edu's BAR 0 (MMIO) at IOVA_MMIO.
 */
#define IOVA_SRC	((size_t)0)
#define IOVA_DST	PAGE_SIZE
#define IOVA_MORE	(2 * PAGE_SIZE)
#define IOVA_MMIO	(3 * PAGE_SIZE)
#define IOVA_SIZE	(4 * PAGE_SIZE)

#define IOVA_EXPECT(call, want) do {					\
	int __r = (call), __w = (want);					\
	if (__r != __w) {						\
		dev_err(dev, "iova: %s returned %d, want %d\n", #call,	\
			__r, __w);					\
		ret = -EIO;						\
	}								\
} while (0)

/* DMA @src's page to @dst's through edu and compare, or expect a fault. */
static int vcm_edu_iova_copy(struct vcm_edu *e, struct dma_iova_state *st,
			     struct page *src, struct page *dst, bool fault)
{
	u8 *d = page_address(dst);
	size_t first;
	int ret, i;

	get_random_bytes(page_address(src), PAGE_SIZE);
	memset(d, 0x5a, PAGE_SIZE);
	ret = edu_xfer_page(e, st->addr + IOVA_SRC, st->addr + IOVA_DST);
	if (ret)
		return ret;
	if (!fault) {
		if (edu_page_diff(d, page_address(src), &first)) {
			dev_err(&e->pdev->dev, "iova: data differs after DMA\n");
			return -EIO;
		}
		dev_info(&e->pdev->dev, "iova: %#llx -> edu -> %#llx verified\n",
			 (u64)st->addr + IOVA_SRC, (u64)st->addr + IOVA_DST);
		return 0;
	}
	for (i = 0; i < PAGE_SIZE; i++) {
		if (d[i] != 0x5a) {
			dev_err(&e->pdev->dev, "iova: byte %d of the unlinked page changed\n",
				i);
			return -EIO;
		}
	}
	dev_info(&e->pdev->dev, "iova: the unlinked page is untouched\n");
	return 0;
}

static int vcm_edu_map_phys(struct vcm_edu *e, struct dma_iova_state *st)
{
	struct device *dev = &e->pdev->dev;
	dma_addr_t ram, mmio;
	size_t first;
	u32 id, got;
	int ret;

	get_random_bytes(page_address(e->a[3]), PAGE_SIZE);
	ram = dma_map_phys(dev, page_to_phys(e->a[3]), PAGE_SIZE,
			   DMA_TO_DEVICE, 0);
	if (dma_mapping_error(dev, ram))
		return -ENOMEM;
	mmio = dma_map_phys(dev, pci_resource_start(e->pdev, 0), PAGE_SIZE,
			    DMA_BIDIRECTIONAL, DMA_ATTR_MMIO);
	if (dma_mapping_error(dev, mmio)) {
		dma_unmap_phys(dev, ram, PAGE_SIZE, DMA_TO_DEVICE, 0);
		return -ENOMEM;
	}
	ret = edu_xfer_page(e, ram, st->addr + IOVA_DST);
	if (!ret && edu_page_diff(page_address(e->a[1]), page_address(e->a[3]),
				  &first)) {
		dev_err(dev, "map_phys: data differs after DMA\n");
		ret = -EIO;
	}
	if (!ret)
		ret = edu_xfer(e, mmio + EDU_ID, st->addr + IOVA_DST,
			       sizeof(u32));
	id = readl(e->bar + EDU_ID);
	memcpy(&got, page_address(e->a[1]), sizeof(got));
	if (!ret && got != id) {
		dev_err(dev, "map_phys: mmio read %#x, want %#x\n", got, id);
		ret = -EIO;
	}
	if (!ret)
		dev_info(dev, "map_phys: page at %#llx and ID register at %#llx verified\n",
			 (u64)ram, (u64)mmio);
	dma_unmap_phys(dev, mmio, PAGE_SIZE, DMA_BIDIRECTIONAL, DMA_ATTR_MMIO);
	dma_unmap_phys(dev, ram, PAGE_SIZE, DMA_TO_DEVICE, 0);
	return ret;
}

/*
 * Use the range @st, of IOVA_SIZE bytes or more, and free it: bad input,
 * pages and edu's BAR linked and DMA verified, a part unlinked faults.
 */
static int vcm_edu_iova_use(struct vcm_edu *e, struct dma_iova_state *st_,
			    const char *tag)
{
	phys_addr_t bar = pci_resource_start(e->pdev, 0);
	struct device *dev = &e->pdev->dev;
	struct dma_iova_state st = *st_, none = {};
	u32 id, got;
	int ret = 0;

	memset(st_, 0, sizeof(*st_));
	dev_info(dev, "iova: range %#llx-%#llx\n", (u64)st.addr,
		 (u64)st.addr + IOVA_SIZE - 1);

	/* Bad input: refused, nothing linked. */
	IOVA_EXPECT(dma_iova_link(dev, &none, page_to_phys(e->a[0]), 0,
				  PAGE_SIZE, DMA_TO_DEVICE, 0), -EINVAL);
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[0]),
				  st.__size, PAGE_SIZE, DMA_TO_DEVICE, 0),
		    -EINVAL);
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[0]), 0,
				  st.__size + 1, DMA_TO_DEVICE, 0), -EINVAL);
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[0]) + 64, 0,
				  PAGE_SIZE, DMA_TO_DEVICE, 0), -EINVAL);
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[0]), 0,
				  PAGE_SIZE, DMA_NONE, 0), -EINVAL);
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[0]), 0, 0,
				  DMA_TO_DEVICE, 0), -EINVAL);
	IOVA_EXPECT(dma_iova_sync(dev, &st, st.__size, 1), -EINVAL);
	IOVA_EXPECT(dma_iova_sync(dev, &none, 0, PAGE_SIZE), -EINVAL);
	if (ret)
		goto out_free;

	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[0]), IOVA_SRC,
				  PAGE_SIZE, DMA_TO_DEVICE, 0), 0);
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[1]), IOVA_DST,
				  PAGE_SIZE, DMA_FROM_DEVICE, 0), 0);
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[2]), IOVA_MORE,
				  PAGE_SIZE, DMA_BIDIRECTIONAL, 0), 0);
	IOVA_EXPECT(dma_iova_link(dev, &st, bar, IOVA_MMIO, PAGE_SIZE,
				  DMA_BIDIRECTIONAL, DMA_ATTR_MMIO), 0);
	IOVA_EXPECT(dma_iova_sync(dev, &st, 0, IOVA_SIZE), 0);
	if (ret)
		goto out;

	ret = vcm_edu_iova_copy(e, &st, e->a[0], e->a[1], false);
	if (ret)
		goto out;

	/* MMIO through the IOMMU: edu reads its own ID register. */
	memset(page_address(e->a[1]), 0, PAGE_SIZE);
	ret = edu_xfer(e, st.addr + IOVA_MMIO + EDU_ID, st.addr + IOVA_DST,
		       sizeof(u32));
	if (ret)
		goto out;
	id = readl(e->bar + EDU_ID);
	memcpy(&got, page_address(e->a[1]), sizeof(got));
	if (got != id) {
		dev_err(dev, "iova: mmio read %#x, want %#x\n", got, id);
		ret = -EIO;
		goto out;
	}
	dev_info(dev, "iova: mmio ID register %#x read at %#llx verified\n",
		 got, (u64)st.addr + IOVA_MMIO);

	/* dma_map_phys(): RAM, and MMIO with DMA_ATTR_MMIO, outside the range. */
	ret = vcm_edu_map_phys(e, &st);
	if (ret)
		goto out;

	/* Unlinked, the part faults; linked again, it works again. */
	dma_iova_unlink(dev, &st, IOVA_DST, PAGE_SIZE, DMA_FROM_DEVICE, 0);
	dev_info(dev, "%s: DMA to unlinked %#llx, expect an IOMMU fault\n",
		 tag, (u64)st.addr + IOVA_DST);
	ret = vcm_edu_iova_copy(e, &st, e->a[0], e->a[1], true);
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[1]), IOVA_DST,
				  PAGE_SIZE, DMA_FROM_DEVICE, 0), 0);
	IOVA_EXPECT(dma_iova_sync(dev, &st, IOVA_DST, PAGE_SIZE), 0);
	if (!ret)
		ret = vcm_edu_iova_copy(e, &st, e->a[0], e->a[1], false);
out:
	/* The MMIO part goes with its own attributes, then all the rest. */
	dma_iova_unlink(dev, &st, IOVA_MMIO, PAGE_SIZE, DMA_BIDIRECTIONAL,
			DMA_ATTR_MMIO);
	dma_iova_destroy(dev, &st, IOVA_MMIO, DMA_BIDIRECTIONAL, 0);
	goto done;
out_free:
	dma_iova_free(dev, &st);
done:
	if (dma_use_iova(&st)) {
		dev_err(dev, "iova: the range is still in use after destroy\n");
		ret = -EIO;
	}
	IOVA_EXPECT(dma_iova_link(dev, &st, page_to_phys(e->a[0]), 0,
				  PAGE_SIZE, DMA_TO_DEVICE, 0), -EINVAL);
	return ret;
}

/* The two-step API as upstream has it: any free range. */
static int vcm_edu_iova(struct vcm_edu *e)
{
	struct device *dev = &e->pdev->dev;
	struct dma_iova_state st;

	if (dma_iova_try_alloc(dev, &st, 0, 0) || dma_use_iova(&st)) {
		dev_err(dev, "iova: a range of 0 bytes was allocated\n");
		return -EIO;
	}
	if (!dma_iova_try_alloc(dev, &st, 0, IOVA_SIZE)) {
		dev_err(dev, "iova: no IOVA range from dma_iova_try_alloc()\n");
		return -EIO;
	}
	return vcm_edu_iova_use(e, &st, "iova");
}

/*
 * dma_iova_alloc_range(): an aligned range below a limit, then one at a
 * fixed address, which no window can overlap, used as any two-step range.
 */
static int vcm_edu_iova_fixed(struct vcm_edu *e)
{
	struct device *dev = &e->pdev->dev;
	struct dma_iova_state st;
	struct dma_window w;
	dma_addr_t at;
	int ret = 0;

	/* Bad input: refused; a range wrongly handed out is given back. */
#define IOVA_REFUSED(call, want) do {					\
	IOVA_EXPECT(call, want);					\
	if (dma_use_iova(&st)) {					\
		dma_iova_free(dev, &st);				\
		ret = -EIO;						\
	}								\
} while (0)
	IOVA_REFUSED(dma_iova_alloc_range(dev, &st, 0, 0, 0, 0), -EINVAL);
	IOVA_REFUSED(dma_iova_alloc_range(dev, &st, IOVA_SIZE, 3 * PAGE_SIZE,
					  0, 0), -EINVAL);
	IOVA_REFUSED(dma_iova_alloc_range(dev, &st, IOVA_SIZE, SZ_1M,
					  SZ_1M + PAGE_SIZE, 0), -EINVAL);
	IOVA_REFUSED(dma_iova_alloc_range(dev, &st, IOVA_SIZE, 0, 0,
					  DMA_BIT_MASK(32)), -ERANGE);
	IOVA_REFUSED(dma_iova_alloc_range(dev, &st, IOVA_SIZE, 0, e->win.iova,
					  0), -EADDRINUSE);
#undef IOVA_REFUSED
	if (ret)
		return ret;

	IOVA_EXPECT(dma_iova_alloc_range(dev, &st, IOVA_SIZE, SZ_1M, 0,
					 SZ_128M - 1), 0);
	if (ret)
		return ret;
	at = st.addr;
	dma_iova_free(dev, &st);
	if (!IS_ALIGNED(at, SZ_1M) || at + IOVA_SIZE - 1 > SZ_128M - 1) {
		dev_err(dev, "iova-fixed: %#llx is not 1 MiB aligned below 128 MiB\n",
			(u64)at);
		return -EIO;
	}
	IOVA_EXPECT(dma_iova_alloc_range(dev, &st, IOVA_SIZE, 0, at, 0), 0);
	if (ret)
		return ret;
	if (st.addr != at) {
		dev_err(dev, "iova-fixed: got %#llx, asked for %#llx\n",
			(u64)st.addr, (u64)at);
		dma_iova_free(dev, &st);
		return -EIO;
	}
	/* Disjoint from every window of every device of the domain. */
	IOVA_EXPECT(dma_alloc_window(dev, &w, PAGE_SIZE, 0, at + PAGE_SIZE, 0),
		    -EADDRINUSE);
	if (ret) {
		dma_free_window(&w);
		dma_iova_free(dev, &st);
		return ret;
	}
	dev_info(dev, "iova-fixed: range at %#llx, aligned, below the limit, fixed\n",
		 (u64)at);
	ret = vcm_edu_iova_use(e, &st, "iova-fixed");
	/* Given back: the same address can be reserved again. */
	IOVA_EXPECT(dma_alloc_window(dev, &w, IOVA_SIZE, 0, at, 0), 0);
	dma_free_window(&w);
	return ret;
}

#define GROW_FIXED	40	/* more ranges than a leaf of the IOVA tree holds */
#define GROW_CACHED	130	/* more 128 KiB ranges than two magazines hold */

/*
 * "grow": hold many ranges at once, then free them. The two-step ranges of
 * dma_iova_alloc_range() go to the IOVA tree, which splits leaves and
 * allocates nodes; those of dma_iova_try_alloc() go through the cache
 * (empty after a drain, so to the tree too) and, with DMA-API debug, into
 * the record of live ranges, and freed fill this CPU's magazines until
 * the cache allocates more. Nothing is mapped: the fail_nth sweep uses it
 * to reach the allocator's growth paths.
 */
static int vcm_edu_grow(struct vcm_edu *e)
{
	struct device *dev = &e->pdev->dev;
	struct dma_iova_state *st;
	unsigned int n = 0;
	int ret = 0;

	st = kvcalloc(GROW_FIXED + GROW_CACHED, sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	for (; n < GROW_FIXED && !ret; n++)
		ret = dma_iova_alloc_range(dev, &st[n], PAGE_SIZE, 0, 0, 0);
	for (; n < GROW_FIXED + GROW_CACHED && !ret; n++)
		if (!dma_iova_try_alloc(dev, &st[n], 0, SZ_128K))
			ret = -ENOMEM;
	/* The one that failed holds nothing. */
	if (ret)
		n--;
	while (n--)
		dma_iova_free(dev, &st[n]);
	kvfree(st);
	return ret;
}

/*
 * "migrate": the buffer's owner is this driver. Its quiesce callback takes
 * the lock a DMA round holds, so it waits for the running round and keeps
 * the next one from starting until resume drops it. edu under QEMU is
 * cache-coherent on both machines (x86, and arm64 virt's dma-coherent
 * PCIe host); a driver of a device that is not would also sync for the
 * CPU in quiesce and for the device in resume.
 */
struct edu_mig {
	struct vcm_edu *e;
	struct vcm_phys *phys;
	dma_addr_t iova;
	struct mutex dma_lock;	/* a DMA round, or quiesce to resume */
	unsigned int rounds;
	unsigned int quiesced, resumed;
	int refuse;
	int err;
};

static int edu_mig_quiesce(struct vcm_res *res, u64 offset, u64 size,
			   void *data)
{
	struct edu_mig *m = data;

	if (m->refuse)
		return m->refuse;
	mutex_lock(&m->dma_lock);
	m->quiesced++;
	return 0;
}

static void edu_mig_resume(struct vcm_res *res, u64 offset, u64 size,
			   void *data)
{
	struct edu_mig *m = data;

	m->resumed++;
	mutex_unlock(&m->dma_lock);
}

static const struct vcm_quiesce_ops edu_mig_ops = {
	.quiesce = edu_mig_quiesce,
	.resume = edu_mig_resume,
};

static u8 *edu_mig_page(struct edu_mig *m, unsigned int i)
{
	phys_addr_t pa;

	if (vcm_phys_addr_at(m->phys, (u64)i * PAGE_SIZE, &pa, NULL))
		return NULL;
	return page_address(pfn_to_page(PHYS_PFN(pa)));
}

/*
 * Each round: the CPU writes a new pattern into page 0 wherever it is
 * now, edu copies it to page 1 at the same bus addresses as ever, and the
 * CPU checks page 1.
 */
static int edu_mig_thread(void *data)
{
	struct edu_mig *m = data;
	u8 *src, *dst;
	int ret = 0;

	while (!kthread_should_stop()) {
		mutex_lock(&m->dma_lock);
		src = edu_mig_page(m, 0);
		dst = edu_mig_page(m, 1);
		memset(src, 0x11 + m->rounds, EDU_XFER);
		memset(dst, 0, EDU_XFER);
		ret = edu_xfer(m->e, m->iova, m->iova + PAGE_SIZE, EDU_XFER);
		if (!ret && memcmp(src, dst, EDU_XFER))
			ret = -EIO;
		if (!ret)
			m->rounds++;
		mutex_unlock(&m->dma_lock);
		if (ret)
			break;
		usleep_range(1000, 2000);
	}
	WRITE_ONCE(m->err, ret);
	/* Stay until kthread_stop(), which must find the thread alive. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int edu_mig_wait(struct edu_mig *m, unsigned int rounds)
{
	int i;

	for (i = 0; i < 200 && READ_ONCE(m->rounds) < rounds; i++) {
		if (READ_ONCE(m->err))
			return READ_ONCE(m->err);
		msleep(50);
	}
	return READ_ONCE(m->rounds) < rounds ? -ETIMEDOUT : READ_ONCE(m->err);
}

/*
 * Move the buffer twice while edu copies through it: once refused by its
 * owner (nothing moves), once for real (every part moves, the IOMMU
 * translates the same bus addresses to the new pages, the old pages are
 * free). The thread checks the bytes of every round before and after.
 */
static int vcm_edu_migrate(struct vcm_edu *e)
{
	struct device *dev = &e->pdev->dev;
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);
	phys_addr_t old[2], new[2];
	struct page *old_page[2];
	struct task_struct *thread;
	struct vcm_res *range;
	struct edu_mig m = { .e = e };
	unsigned int i, r;
	int ret;

	mutex_init(&m.dma_lock);
	range = alloc_iova_range(dev, 2 * PAGE_SIZE, 0, 0, DMA_BIT_MASK(28));
	if (IS_ERR(range)) {
		mutex_destroy(&m.dma_lock);
		return PTR_ERR(range);
	}
	m.iova = vcm_res_start(range);
	m.phys = vcm_alloc(NULL, 2 * PAGE_SIZE, 0);
	if (IS_ERR(m.phys)) {
		ret = PTR_ERR(m.phys);
		goto out_range;
	}
	ret = vcm_bind(range, m.phys);
	if (!ret)
		ret = vcm_res_set_quiesce(range, &edu_mig_ops, &m);
	if (ret)
		goto out_phys;
	thread = kthread_run(edu_mig_thread, &m, "vcm_edu_migrate");
	if (IS_ERR(thread)) {
		ret = PTR_ERR(thread);
		goto out_phys;
	}

	ret = edu_mig_wait(&m, 2);
	if (ret)
		goto out_thread;
	for (i = 0; i < 2; i++) {
		vcm_phys_addr_at(m.phys, (u64)i * PAGE_SIZE, &old[i], NULL);
		old_page[i] = pfn_to_page(PHYS_PFN(old[i]));
	}

	m.refuse = -EAGAIN;
	ret = vcm_phys_migrate(m.phys, 0, 2 * PAGE_SIZE);
	m.refuse = 0;
	vcm_phys_addr_at(m.phys, 0, &new[0], NULL);
	if (ret != -EAGAIN || new[0] != old[0] || m.quiesced) {
		dev_err(dev, "migrate: a refused migration returned %d and moved %pa to %pa\n",
			ret, &old[0], &new[0]);
		ret = -EIO;
		goto out_thread;
	}

	r = READ_ONCE(m.rounds);
	ret = vcm_phys_migrate(m.phys, 0, 2 * PAGE_SIZE);
	if (ret) {
		dev_err(dev, "migrate: vcm_phys_migrate() failed: %d\n", ret);
		goto out_thread;
	}
	for (i = 0; i < 2; i++) {
		phys_addr_t seen;

		vcm_phys_addr_at(m.phys, (u64)i * PAGE_SIZE, &new[i], NULL);
		seen = iommu_iova_to_phys(domain, m.iova + i * PAGE_SIZE);
		dev_info(dev, "migrate: bus %#llx: page %pa -> %pa, IOMMU translates to %pa, old page refcount %d\n",
			 (u64)m.iova + i * PAGE_SIZE, &old[i], &new[i], &seen,
			 page_ref_count(old_page[i]));
		if (new[i] == old[i] || seen != new[i] ||
		    page_ref_count(old_page[i])) {
			ret = -EIO;
			goto out_thread;
		}
	}
	if (m.quiesced != 1 || m.resumed != 1) {
		dev_err(dev, "migrate: quiesced %u times, resumed %u times\n",
			m.quiesced, m.resumed);
		ret = -EIO;
		goto out_thread;
	}
	ret = edu_mig_wait(&m, r + 2);
	if (!ret)
		dev_info(dev, "migrate: %u DMA rounds verified, %u before the move\n",
			 READ_ONCE(m.rounds), r);

out_thread:
	kthread_stop(thread);
	if (!ret)
		ret = m.err;
out_phys:
	vcm_unbind(range);
	vcm_free(m.phys);
out_range:
	free_iova_range(range);
	mutex_destroy(&m.dma_lock);
	return ret;
}

/* Count the parts mapped in the window, to check nothing changed. */
static int vcm_edu_count_fn(const struct vcm_binding_info *info, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

static unsigned int vcm_edu_parts(struct vcm_edu *e)
{
	unsigned int n = 0;

	vcm_res_walk_bindings(e->win.state.__range, vcm_edu_count_fn, &n);
	return n;
}

/* A window that should not have been made is freed again. */
#define EXPECT_WIN(call, err) do {					\
	int __rw = (call);						\
	EXPECT(__rw, err);						\
	if (!__rw)							\
		dma_free_window(&w);					\
} while (0)

#define EXPECT(call, err) do {						\
	int __r = (call), __e = (err);					\
	if (__r != __e || vcm_edu_parts(e) != parts) {			\
		dev_err(dev, "badinput: %s returned %d, want %d\n",	\
			#call, __r, __e);				\
		ret = -EIO;						\
	}								\
} while (0)

static int vcm_edu_badinput(struct vcm_edu *e)
{
	struct device *dev = &e->pdev->dev;
	unsigned int parts = vcm_edu_parts(e);
	struct dma_window w;
	struct page *p = e->d;
	int ret = 0, err;

	/* Bad windows. */
	EXPECT_WIN(dma_alloc_window(dev, &w, 0, 0, 0, 0), -EINVAL);
	EXPECT_WIN(dma_alloc_window(dev, &w, SZ_64K, 3 * SZ_4K, 0, 0), -EINVAL);
	EXPECT_WIN(dma_alloc_window(dev, &w, SZ_64K, 0, e->win.iova + PAGE_SIZE, 0),
		   -EADDRINUSE);
	EXPECT_WIN(dma_alloc_window(dev, &w, SZ_64K, 0, DMA_BIT_MASK(28) + 1, 0),
		   -ERANGE);
	EXPECT_WIN(dma_alloc_window(dev, &w, SZ_64K, 0, 0, DMA_BIT_MASK(32)),
		   -ERANGE);

	/* Bad mappings into the window. */
	EXPECT(dma_window_map_pages(&e->win, OFF_D + 0x800, &p, 1,
				    DMA_TO_DEVICE, 0), -EINVAL);
	EXPECT(dma_window_map_pages(&e->win, WIN_SIZE - PAGE_SIZE, e->a, 2,
				    DMA_TO_DEVICE, 0), -ERANGE);
	EXPECT(dma_window_map_pages(&e->win, OFF_A + PAGE_SIZE, &p, 1,
				    DMA_TO_DEVICE, 0), -EADDRINUSE);
	EXPECT(dma_window_map_pages(&e->win, OFF_FREE, &p, 1, DMA_NONE, 0),
	       -EINVAL);
	EXPECT(dma_window_map_phys(&e->win, OFF_FREE, page_to_phys(p), 0,
				   DMA_TO_DEVICE, 0), -EINVAL);

	/* Bad unmaps and syncs. */
	EXPECT(dma_window_unmap(&e->win, OFF_FREE, PAGE_SIZE, 0), -ENOENT);
	EXPECT(dma_window_unmap(&e->win, OFF_A, PAGE_SIZE, 0), -EINVAL);
	EXPECT(dma_window_unmap(&e->win, OFF_A + PAGE_SIZE, PAGE_SIZE, 0), -ENOENT);
	EXPECT(dma_window_unmap(&e->win, WIN_SIZE, PAGE_SIZE, 0), -ERANGE);
	EXPECT(dma_window_sync_for_cpu(&e->win, OFF_FREE, PAGE_SIZE,
				       DMA_FROM_DEVICE), -ENOENT);

	/* Freeing with parts mapped is refused; a double free is a bug. */
	EXPECT(dma_free_window(&e->win), -EBUSY);
	err = dma_alloc_window(dev, &w, SZ_64K, 0, 0, 0);
	if (err) {
		dev_err(dev, "badinput: a good window failed: %d\n", err);
		return -EIO;
	}
	EXPECT(dma_free_window(&w), 0);
	/* A freed window refuses every call. */
	EXPECT(dma_free_window(&w), -EINVAL);
	EXPECT(dma_window_map_pages(&w, 0, &p, 1, DMA_TO_DEVICE, 0), -EINVAL);
	EXPECT(dma_window_unmap(&w, 0, PAGE_SIZE, 0), -EINVAL);
	EXPECT(dma_window_sync_for_cpu(&w, 0, PAGE_SIZE, DMA_FROM_DEVICE),
	       -EINVAL);
	if (!ret)
		dev_info(dev, "badinput: every bad call failed as documented\n");
	return ret;
}

static void vcm_edu_teardown(struct vcm_edu *e)
{
	int i;

	if (e->have_win) {
		dma_window_unmap(&e->win, OFF_A, NR_A * PAGE_SIZE, 0);
		dma_window_unmap(&e->win, OFF_B, PAGE_SIZE, 0);
		dma_window_unmap(&e->win, OFF_C, PAGE_SIZE, 0);
		dma_window_unmap(&e->win, OFF_D, PAGE_SIZE, 0);
		WARN_ON(dma_free_window(&e->win));
		e->have_win = false;
	}
	for (i = 0; i < NR_A; i++)
		if (e->a[i])
			__free_page(e->a[i]);
	if (e->b)
		__free_page(e->b);
	if (e->d)
		__free_page(e->d);
}

static int vcm_edu_setup(struct vcm_edu *e)
{
	struct device *dev = &e->pdev->dev;
	struct scatterlist sg[NR_A];
	int i, ret;

	ret = dma_alloc_window(dev, &e->win, WIN_SIZE, WIN_SIZE, WIN_FIXED, 0);
	if (ret == -EADDRINUSE)
		ret = dma_alloc_window(dev, &e->win, WIN_SIZE, WIN_SIZE, 0, 0);
	/* No IOMMU: a real driver would fall back to dma_map_sg(). */
	if (ret)
		return dev_err_probe(dev, ret, "no IOVA window\n");
	e->have_win = true;
	for (i = 0; i < NR_A; i++) {
		/* Allocated apart from one another: not contiguous. */
		e->a[i] = alloc_pages(GFP_KERNEL, 1);
		if (!e->a[i])
			return -ENOMEM;
		split_page(e->a[i], 1);
		__free_page(e->a[i] + 1);
	}
	e->b = alloc_page(GFP_KERNEL);
	e->d = alloc_page(GFP_KERNEL);
	if (!e->b || !e->d)
		return -ENOMEM;

	sg_init_table(sg, NR_A);
	for (i = 0; i < NR_A; i++)
		sg_set_page(&sg[i], e->a[i], PAGE_SIZE, 0);
	ret = dma_window_map_sg(&e->win, OFF_A, sg, NR_A, DMA_BIDIRECTIONAL, 0);
	if (!ret)
		ret = dma_window_map_pages(&e->win, OFF_B, &e->b, 1,
					   DMA_FROM_DEVICE, 0);
	if (!ret)
		ret = dma_window_map_resource(&e->win, OFF_C,
					      pci_resource_start(e->pdev, 0),
					      PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	if (!ret)
		ret = dma_window_map_phys(&e->win, OFF_D, page_to_phys(e->d),
					  PAGE_SIZE, DMA_TO_DEVICE, 0);
	if (ret)
		return ret;
	dev_info(dev, "window %#llx-%#llx: sg at +%#zx, page at +%#zx, BAR0 at +%#zx, phys at +%#zx\n",
		 (u64)e->win.iova, (u64)e->win.iova + e->win.size - 1,
		 OFF_A, OFF_B, OFF_C, OFF_D);
	return 0;
}

static ssize_t vcm_edu_run(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct vcm_edu *e = file->private_data;
	char cmd[16];
	int ret;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	strim(cmd);

	mutex_lock(&e->lock);
	if (!strcmp(cmd, "selftest"))
		ret = vcm_edu_selftest(e);
	else if (!strcmp(cmd, "fault"))
		ret = vcm_edu_fault(e);
	else if (!strcmp(cmd, "badinput"))
		ret = vcm_edu_badinput(e);
	else if (!strcmp(cmd, "migrate"))
		ret = vcm_edu_migrate(e);
	else if (!strcmp(cmd, "iova"))
		ret = vcm_edu_iova(e);
	else if (!strcmp(cmd, "iova-fixed"))
		ret = vcm_edu_iova_fixed(e);
	else if (!strcmp(cmd, "grow"))
		ret = vcm_edu_grow(e);
	else
		ret = -EINVAL;
	mutex_unlock(&e->lock);
	dev_info(&e->pdev->dev, "%s: %s (%d)\n", cmd, ret ? "FAILED" : "ok",
		 ret);
	return ret ? ret : len;
}

static const struct file_operations vcm_edu_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vcm_edu_run,
};

static int vcm_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vcm_edu *e;
	int ret;

	e = devm_kzalloc(&pdev->dev, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->pdev = pdev;
	mutex_init(&e->lock);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	e->bar = pcim_iomap(pdev, 0, 0);
	if (!e->bar)
		return -ENOMEM;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(28));
	if (ret)
		return ret;
	ret = vcm_edu_setup(e);
	if (ret) {
		vcm_edu_teardown(e);
		return ret;
	}
	pci_set_drvdata(pdev, e);
	e->dir = debugfs_create_dir("vcm_edu", NULL);
	debugfs_create_file("run", 0200, e->dir, e, &vcm_edu_fops);
	return 0;
}

static void vcm_edu_remove(struct pci_dev *pdev)
{
	struct vcm_edu *e = pci_get_drvdata(pdev);

	debugfs_remove_recursive(e->dir);
	vcm_edu_teardown(e);
}

static const struct pci_device_id vcm_edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vcm_edu_ids);

static struct pci_driver vcm_edu_driver = {
	.name = "vcm_edu",
	.id_table = vcm_edu_ids,
	.probe = vcm_edu_probe,
	.remove = vcm_edu_remove,
};
module_pci_driver(vcm_edu_driver);

MODULE_DESCRIPTION("Explicit IOVA window sample driver for QEMU's edu device");
MODULE_LICENSE("GPL");
