// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the VCM graph, over a mock IOMMU domain (mock_domain.c).
 *
 * The mock can fail its n-th map, and the fault-injection framework's
 * per-task fail-nth fails the n-th fault point of VCM (the fail_vcm
 * attribute: every allocation, vmap and backend call), so that the tests
 * inject a failure at every step of each call chain and check that the
 * graph is left as it was.
 */

#include <kunit/test.h>
#include <linux/debug_locks.h>
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/xarray.h>

#include "vcm-drv.h"
#include "vcm_internal.h"
#include "vcm_kunit.h"

/* Per-test state: a mock domain and a context over it. */
struct vcm_test {
	struct vcm_mock *mock;
	struct vcm *vcm;
	long nr_pages;
	long nr_phys;
	long nr_ctx;
};

/*
 * A failed assertion here ends init at once and the exit handler still
 * runs: test->priv is set before anything can fail, and the exit handler
 * copes with every step that was not reached.
 */
static int vcm_test_init(struct kunit *test)
{
	struct vcm_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	test->priv = t;
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->nr_pages = atomic_long_read(&vcm_nr_pages);
	t->nr_phys = atomic_long_read(&vcm_nr_phys);
	t->nr_ctx = atomic_long_read(&vcm_nr_ctx);
	t->mock = vcm_mock_create(test);
	t->vcm = vcm_iommu_create(&t->mock->domain, MOCK_START, MOCK_SIZE);
	if (IS_ERR(t->vcm)) {
		long err = PTR_ERR(t->vcm);

		t->vcm = NULL;
		KUNIT_ASSERT_EQ_MSG(test, err, 0L, "vcm_iommu_create() failed");
	}
	return 0;
}

static void vcm_test_exit(struct kunit *test)
{
	struct vcm_test *t = test->priv;

	if (!t || !t->mock)
		return;
	if (!t->vcm) {
		xa_destroy(&t->mock->pt);
		return;
	}
	KUNIT_EXPECT_EQ(test, t->vcm->nr_res, 0UL);
	while (t->vcm->activations)
		vcm_deactivate(t->vcm);
	KUNIT_EXPECT_EQ(test, vcm_destroy(t->vcm), 0);
	vcm_mock_destroy(test, t->mock);
	/* Nothing that VCM allocated is left (no other VCM user runs). */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_pages), t->nr_pages);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_phys), t->nr_phys);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_ctx), t->nr_ctx);
}

/*
 * The exit handler runs after an init that stopped halfway: it must cope
 * with no state at all and with a mock but no context, instead of
 * oopsing (and panicking a boot with oops=panic).
 */
static void vcm_test_exit_partial(struct kunit *test)
{
	struct vcm_test *t = test->priv, partial = { };

	partial.mock = vcm_mock_create(test);
	test->priv = NULL;
	vcm_test_exit(test);
	test->priv = &partial;
	vcm_test_exit(test);
	test->priv = t;
}

/* ---- Graph snapshots --------------------------------------------------- */

struct vcm_snap {
	unsigned long nr_res;
	unsigned long nr_ranges;
	unsigned long nr_bindings;
	unsigned long nr_mapped;
	unsigned int activations;
	long nr_pages;
	long nr_phys;
	long nr_ctx;
	unsigned long cpu_ranges;
	u64 cpu_graph;
	unsigned long o2o_ranges;
	u64 o2o_graph;
	u64 graph;
	u64 pt;
	u64 phys;
};

static u64 snap_mix(u64 h, u64 v)
{
	return (rol64(h, 23) ^ v) * GOLDEN_RATIO_64;
}

/* Everything a context holds: reservations and their bindings, in order. */
static u64 snap_graph(struct vcm *vcm, unsigned long *nr_bindings)
{
	struct vcm_binding *b;
	struct vcm_res *res;
	struct rb_node *n;
	u64 h = 0;

	*nr_bindings = 0;
	mutex_lock(&vcm->lock);
	list_for_each_entry(res, &vcm->reservations, node) {
		h = snap_mix(h, res->start);
		h = snap_mix(h, res->size);
		h = snap_mix(h, res->type | res->region << 4 | res->flags << 8 |
				res->owns_phys << 16 | res->placed << 17);
		for (n = rb_first(&res->bindings); n; n = rb_next(n)) {
			b = rb_entry(n, struct vcm_binding, res_node);
			h = snap_mix(h, b->offset);
			h = snap_mix(h, (unsigned long)b->phys);
			h = snap_mix(h, b->phys_offset);
			h = snap_mix(h, b->size);
			h = snap_mix(h, b->flags | b->mapped << 8);
			(*nr_bindings)++;
		}
	}
	mutex_unlock(&vcm->lock);
	return h;
}

/* Every entry of the mock's page table. */
static u64 snap_pt(struct vcm_mock *m)
{
	unsigned long idx;
	u64 h = 0;
	void *e;

	xa_for_each(&m->pt, idx, e)
		h = snap_mix(snap_mix(h, idx), xa_to_value(e));
	return h;
}

/* Where a physical allocation is bound, in the order of its list. */
static u64 snap_phys(struct vcm_phys *phys)
{
	struct vcm_binding *b;
	u64 h = 0;

	if (!phys)
		return 0;
	spin_lock_irq(&phys->lock);
	list_for_each_entry(b, &phys->bindings, phys_node)
		h = snap_mix(snap_mix(h, (unsigned long)b->res), b->offset);
	h = snap_mix(h, phys->nr_bindings);
	spin_unlock_irq(&phys->lock);
	return h;
}

/*
 * Also @phys's list of bindings and, if not NULL, the contexts @cpu and
 * @o2o.
 */
static void vcm_snap_more(struct vcm_test *t, struct vcm_snap *s,
			  struct vcm_phys *phys, struct vcm *cpu,
			  struct vcm *o2o)
{
	unsigned long n;

	s->cpu_graph = cpu ? snap_graph(cpu, &n) : 0;
	s->cpu_ranges = cpu ? vcm_iova_nr_ranges(&cpu->space) : 0;
	s->o2o_graph = o2o ? snap_graph(o2o, &n) : 0;
	s->o2o_ranges = o2o ? vcm_iova_nr_ranges(&o2o->space) : 0;
	s->nr_res = t->vcm->nr_res;
	s->nr_ranges = vcm_iova_nr_ranges(&t->vcm->space);
	s->graph = snap_graph(t->vcm, &s->nr_bindings);
	s->nr_mapped = t->mock->nr_mapped;
	s->pt = snap_pt(t->mock);
	s->phys = snap_phys(phys);
	s->activations = t->vcm->activations;
	s->nr_pages = atomic_long_read(&vcm_nr_pages);
	s->nr_phys = atomic_long_read(&vcm_nr_phys);
	s->nr_ctx = atomic_long_read(&vcm_nr_ctx);
}

static void vcm_snap(struct vcm_test *t, struct vcm_snap *s)
{
	vcm_snap_more(t, s, NULL, NULL, NULL);
}

static void expect_snap_eq(struct kunit *test, const struct vcm_snap *a,
			   const struct vcm_snap *b)
{
	KUNIT_EXPECT_EQ(test, a->nr_res, b->nr_res);
	KUNIT_EXPECT_EQ(test, a->nr_ranges, b->nr_ranges);
	KUNIT_EXPECT_EQ(test, a->nr_bindings, b->nr_bindings);
	KUNIT_EXPECT_EQ(test, a->nr_mapped, b->nr_mapped);
	KUNIT_EXPECT_EQ(test, a->activations, b->activations);
	KUNIT_EXPECT_EQ(test, a->nr_pages, b->nr_pages);
	KUNIT_EXPECT_EQ(test, a->nr_phys, b->nr_phys);
	KUNIT_EXPECT_EQ(test, a->nr_ctx, b->nr_ctx);
	KUNIT_EXPECT_EQ(test, a->cpu_ranges, b->cpu_ranges);
	KUNIT_EXPECT_EQ_MSG(test, a->cpu_graph, b->cpu_graph,
			    "the kernel context changed");
	KUNIT_EXPECT_EQ(test, a->o2o_ranges, b->o2o_ranges);
	KUNIT_EXPECT_EQ_MSG(test, a->o2o_graph, b->o2o_graph,
			    "the one-to-one context changed");
	KUNIT_EXPECT_EQ_MSG(test, a->graph, b->graph,
			    "reservations or bindings changed");
	KUNIT_EXPECT_EQ_MSG(test, a->pt, b->pt, "page table changed");
	KUNIT_EXPECT_EQ_MSG(test, a->phys, b->phys,
			    "a vcm_phys's bindings changed");
}

/* ---- Contexts ---------------------------------------------------------- */

static void vcm_test_create_errors(struct kunit *test)
{
	struct vcm_mock *m = vcm_mock_create(test);
	struct vcm *vcm;

	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iommu_create(NULL, 0, SZ_1M)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iommu_create(&m->domain, 0, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iommu_create(&m->domain, 0x800,
						       SZ_1M)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iommu_create(&m->domain, 0,
						       SZ_1M + 0x800)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iommu_create(&m->domain,
						       (dma_addr_t)-SZ_1M,
						       SZ_2M)), -EOVERFLOW);
	m->domain.type = IOMMU_DOMAIN_IDENTITY;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iommu_create(&m->domain, 0, SZ_1M)),
			-EINVAL);
	m->domain.type = IOMMU_DOMAIN_UNMANAGED;
	m->domain.geometry.aperture_start = SZ_1M;
	m->domain.geometry.aperture_end = SZ_2M - 1;
	m->domain.geometry.force_aperture = true;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iommu_create(&m->domain, 0, SZ_1M)),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_iommu_create(&m->domain, SZ_1M,
						       SZ_2M)), -ERANGE);
	vcm = vcm_iommu_create(&m->domain, SZ_1M, SZ_1M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vcm));
	KUNIT_EXPECT_EQ(test, vcm_destroy(vcm), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(NULL), -EINVAL);
	vcm_mock_destroy(test, m);
}

/* ---- A backend of the tests' own, to reach vcm_init() and the ops ----- */

struct test_backend {
	struct vcm vcm;
	bool live;			/* vcm_init() succeeded, not destroyed */
	int activate_ret;
	unsigned int map_fail_at;	/* the n-th ->map() fails */
	unsigned int nr_map, nr_activate, nr_deactivate, nr_release;
	u64 mapped;
};

static struct test_backend *to_tb(struct vcm *vcm)
{
	return container_of(vcm, struct test_backend, vcm);
}

static int tb_map(struct vcm *vcm, dma_addr_t addr, struct vcm_phys *phys,
		  u64 phys_offset, u64 size, unsigned int flags)
{
	struct test_backend *tb = to_tb(vcm);

	if (++tb->nr_map == tb->map_fail_at)
		return -EIO;
	tb->mapped += size;
	return 0;
}

static void tb_unmap(struct vcm *vcm, dma_addr_t addr, u64 size)
{
	to_tb(vcm)->mapped -= size;
}

static int tb_place(struct vcm *vcm, struct vcm_phys *phys,
		    unsigned int flags, dma_addr_t *addr)
{
	return -ENODEV;
}

static void tb_unplace(struct vcm *vcm, struct vcm_phys *phys,
		       dma_addr_t addr)
{
}

static int tb_activate(struct vcm *vcm)
{
	to_tb(vcm)->nr_activate++;
	return to_tb(vcm)->activate_ret;
}

static void tb_deactivate(struct vcm *vcm)
{
	to_tb(vcm)->nr_deactivate++;
}

static void tb_release(struct vcm *vcm)
{
	to_tb(vcm)->nr_release++;
	to_tb(vcm)->live = false;
}

/*
 * A live context must end with vcm_destroy() before its memory goes. So
 * after a failed assertion, or an unexpected success of tb_init(), the
 * context is destroyed here.
 */
static void tb_end(struct test_backend *tb)
{
	if (!tb->live)
		return;
	while (tb->vcm.activations)
		vcm_deactivate(&tb->vcm);
	vcm_destroy(&tb->vcm);
}

static void tb_cleanup(void *data)
{
	tb_end(data);
}

static struct test_backend *tb_new(struct kunit *test)
{
	struct test_backend *tb = kunit_kzalloc(test, sizeof(*tb), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tb_cleanup, tb),
			0);
	return tb;
}

static int tb_init(struct test_backend *tb, const struct vcm_driver *drv,
		   dma_addr_t start, u64 size, unsigned long pgsizes,
		   unsigned int flags)
{
	int ret;

	tb_end(tb);
	memset(tb, 0, sizeof(*tb));
	tb->vcm.driver = drv;
	tb->vcm.start = start;
	tb->vcm.size = size;
	tb->vcm.pgsize_bitmap = pgsizes;
	tb->vcm.flags = flags;
	ret = vcm_init(&tb->vcm);
	tb->live = !ret;
	return ret;
}

/*
 * As many contexts as lockdep has lock classes in all live at once, each
 * lock taken: their locks share one class, so lockdep stays on, and
 * nothing waits for RCU when they go.
 */
static void vcm_test_many_contexts(struct kunit *test)
{
	static const struct vcm_driver drv = {
		.map = tb_map, .unmap = tb_unmap, .release = tb_release,
	};
	struct test_backend **tbs;
	unsigned int i, n, nr = 0;
	struct vcm_res *res;

#ifdef CONFIG_LOCKDEP_BITS
	nr = 1U << CONFIG_LOCKDEP_BITS;
#else
	kunit_skip(test, "needs CONFIG_LOCKDEP");
#endif
	KUNIT_ASSERT_TRUE(test, debug_locks);
	tbs = kvcalloc(nr, sizeof(*tbs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tbs);
	for (n = 0; n < nr; n++) {
		tbs[n] = kzalloc(sizeof(*tbs[n]), GFP_KERNEL);
		if (!tbs[n])
			break;
		if (tb_init(tbs[n], &drv, SZ_1M, SZ_1M, SZ_4K, 0)) {
			kfree(tbs[n]);
			break;
		}
		res = vcm_reserve(&tbs[n]->vcm, SZ_4K, 0, 0);
		if (IS_ERR(res) || vcm_unreserve(res)) {
			n++;
			break;
		}
	}
	KUNIT_EXPECT_EQ(test, n, nr);
	KUNIT_EXPECT_TRUE(test, debug_locks);
	for (i = 0; i < n; i++) {
		tb_end(tbs[i]);
		kfree(tbs[i]);
	}
	kvfree(tbs);
}

static void vcm_test_init_errors(struct kunit *test)
{
	static const struct vcm_driver no_release = {
		.map = tb_map, .unmap = tb_unmap,
	};
	static const struct vcm_driver map_only = {
		.map = tb_map, .release = tb_release,
	};
	static const struct vcm_driver unmap_only = {
		.unmap = tb_unmap, .release = tb_release,
	};
	static const struct vcm_driver place_only = {
		.place = tb_place, .release = tb_release,
	};
	static const struct vcm_driver placing = {
		.place = tb_place, .unplace = tb_unplace, .release = tb_release,
	};
	static const struct vcm_driver good = {
		.map = tb_map, .unmap = tb_unmap, .activate = tb_activate,
		.deactivate = tb_deactivate, .release = tb_release,
	};
	struct test_backend *tb = tb_new(test);
	long ctx = atomic_long_read(&vcm_nr_ctx);

	KUNIT_EXPECT_EQ(test, vcm_init(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, NULL, 0, SZ_1M, SZ_4K, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &good, 0, SZ_1M, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &good, 0, 0, SZ_4K, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &no_release, 0, SZ_1M, SZ_4K, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &map_only, 0, SZ_1M, SZ_4K, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &unmap_only, 0, SZ_1M, SZ_4K, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &place_only, 0, SZ_1M, SZ_4K,
				      VCM_CTX_PLACED), -EINVAL);
	/* ->place() and VCM_CTX_PLACED go together. */
	KUNIT_EXPECT_EQ(test, tb_init(tb, &placing, 0, SZ_1M, SZ_4K, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &good, 0, SZ_1M, SZ_4K,
				      VCM_CTX_PLACED), -EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &good, 0x800, SZ_1M, SZ_4K, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &good, 0, SZ_1M + 0x800, SZ_4K, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tb_init(tb, &good, (dma_addr_t)-SZ_1M, SZ_2M,
				      SZ_4K, 0), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, tb->nr_release, 0U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_ctx), ctx);

	/* A backend that places memory itself, with its flag. */
	KUNIT_ASSERT_EQ(test, tb_init(tb, &placing, 0, SZ_1G, SZ_4K,
				      VCM_CTX_PLACED), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_ctx), ctx + 1);
	KUNIT_EXPECT_EQ(test, vcm_destroy(&tb->vcm), 0);
	KUNIT_EXPECT_EQ(test, tb->nr_release, 1U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_ctx), ctx);
}

/* The backend's ->activate() and ->map() fail; the count saturates. */
static void vcm_test_backend_errors(struct kunit *test)
{
	static const struct vcm_driver drv = {
		.map = tb_map, .unmap = tb_unmap, .activate = tb_activate,
		.deactivate = tb_deactivate, .release = tb_release,
	};
	struct test_backend *tb = tb_new(test);
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct vcm *v;

	KUNIT_ASSERT_EQ(test, tb_init(tb, &drv, 0, SZ_16M, SZ_4K, 0), 0);
	v = &tb->vcm;
	phys = vcm_alloc(v, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	res = vcm_reserve(v, SZ_1M, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, 0, phys, 0, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_512K, phys, 0, SZ_64K), 0);

	/* ->activate() fails: nothing is mapped, ->deactivate() not called. */
	tb->activate_ret = -EIO;
	KUNIT_EXPECT_EQ(test, vcm_activate(v), -EIO);
	KUNIT_EXPECT_FALSE(test, vcm_is_active(v));
	KUNIT_EXPECT_EQ(test, tb->nr_map, 0U);
	KUNIT_EXPECT_EQ(test, tb->nr_deactivate, 0U);
	tb->activate_ret = 0;

	/* The second binding fails: the first is unmapped, then deactivate. */
	tb->map_fail_at = 2;
	KUNIT_EXPECT_EQ(test, vcm_activate(v), -EIO);
	KUNIT_EXPECT_FALSE(test, vcm_is_active(v));
	KUNIT_EXPECT_EQ(test, tb->mapped, 0ULL);
	KUNIT_EXPECT_EQ(test, tb->nr_activate, 2U);
	KUNIT_EXPECT_EQ(test, tb->nr_deactivate, 1U);
	tb->map_fail_at = 0;

	KUNIT_EXPECT_EQ(test, vcm_activate(v), 0);
	KUNIT_EXPECT_EQ(test, tb->mapped, (u64)SZ_128K);
	/* The count saturates with an error instead of wrapping. */
	mutex_lock(&v->lock);
	v->activations = UINT_MAX;
	mutex_unlock(&v->lock);
	KUNIT_EXPECT_EQ(test, vcm_activate(v), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, v->activations, UINT_MAX);
	mutex_lock(&v->lock);
	v->activations = 1;
	mutex_unlock(&v->lock);

	/* A failing ->map() of a new binding while active changes nothing. */
	tb->map_fail_at = tb->nr_map + 1;
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_256K, phys, 0, SZ_64K), -EIO);
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 2U);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 2U);
	KUNIT_EXPECT_EQ(test, tb->mapped, (u64)SZ_128K);
	tb->map_fail_at = 0;

	vcm_deactivate(v);
	KUNIT_EXPECT_EQ(test, tb->mapped, 0ULL);
	KUNIT_EXPECT_EQ(test, tb->nr_deactivate, 2U);
	KUNIT_EXPECT_EQ(test, vcm_unmap(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(v), 0);
	KUNIT_EXPECT_EQ(test, tb->nr_release, 1U);
}

static void vcm_test_activate(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_phys *a, *b;
	struct vcm_res *res;

	a = vcm_alloc(t->vcm, SZ_64K, 0);
	b = vcm_alloc(t->vcm, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	res = vcm_reserve(t->vcm, SZ_1M, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));

	/* Made before activation: only in the graph. */
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, 0, a, 0, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_FALSE(test, vcm_is_active(t->vcm));

	/* Activation maps it. */
	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), 0);
	KUNIT_EXPECT_TRUE(test, vcm_is_active(t->vcm));
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, SZ_64K / MOCK_GRANULE);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock, res->start + 0x1234),
			a->parts[0].start + 0x1234);

	/* Made while active: mapped at once. */
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_512K, b, 0, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, SZ_128K / MOCK_GRANULE);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock, res->start + SZ_512K),
			b->parts[0].start);

	/* Nesting. */
	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), 0);
	vcm_deactivate(t->vcm);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, SZ_128K / MOCK_GRANULE);

	/* An active context cannot be destroyed. */
	KUNIT_EXPECT_EQ(test, vcm_destroy(t->vcm), -EBUSY);

	/* Deactivation unmaps and keeps the graph. */
	vcm_deactivate(t->vcm);
	KUNIT_EXPECT_FALSE(test, vcm_is_active(t->vcm));
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 2U);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock, res->start), 0);

	/* And reactivation maps it all again. */
	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, SZ_128K / MOCK_GRANULE);
	KUNIT_EXPECT_EQ(test, vcm_unbind(res), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	vcm_deactivate(t->vcm);

	KUNIT_EXPECT_EQ(test, vcm_activate(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(a), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(b), 0);
}

static void vcm_test_destroy_leftovers(struct kunit *test)
{
	struct vcm_mock *m = vcm_mock_create(test);
	struct vcm_res *res, *owner;
	struct vcm_phys *phys;
	long nr_phys;
	struct vcm *vcm;

	vcm = vcm_iommu_create(&m->domain, MOCK_START, MOCK_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vcm));
	phys = vcm_alloc(vcm, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	res = vcm_map(vcm, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	/* Owned memory, bound once more in a reservation made after it. */
	owner = vcm_make_binding(vcm, 4 * PAGE_SIZE, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(owner));
	KUNIT_ASSERT_FALSE(test, IS_ERR(vcm_map(vcm, vcm_res_phys(owner), 0)));
	KUNIT_ASSERT_FALSE(test, IS_ERR(vcm_reserve(vcm, SZ_2M, 0, 0)));
	KUNIT_EXPECT_EQ(test, vcm_activate(vcm), 0);
	KUNIT_EXPECT_GT(test, m->nr_mapped, 0UL);
	vcm_deactivate(vcm);

	/*
	 * Warns in the log, frees everything but the caller's memory: the
	 * owned memory too, although it was bound twice (the fixture checks
	 * that no allocation is left).
	 */
	nr_phys = atomic_long_read(&vcm_nr_phys);
	KUNIT_EXPECT_EQ(test, vcm_destroy(vcm), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_phys), nr_phys - 1);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 0U);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	vcm_mock_destroy(test, m);
}

/* ---- Reservations ------------------------------------------------------ */

static void vcm_test_reserve(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm *vcm = t->vcm;
	struct vcm_res *a, *b, *c;

	a = vcm_reserve(vcm, SZ_64K, SZ_2M, VCM_READ);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, a->start % SZ_2M, 0);
	KUNIT_EXPECT_GE(test, a->start, (dma_addr_t)MOCK_START);
	KUNIT_EXPECT_LE(test, a->start + a->size, (dma_addr_t)MOCK_START +
			MOCK_SIZE);
	KUNIT_EXPECT_EQ(test, a->type, VCM_RES_DYNAMIC);
	KUNIT_EXPECT_EQ(test, a->flags, VCM_READ);

	b = vcm_reserve_at(vcm, MOCK_START, SZ_1M, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, b->type, VCM_RES_FIXED);
	KUNIT_EXPECT_EQ(test, b->flags, VCM_READ | VCM_WRITE);
	c = vcm_reserve_at(vcm, MOCK_START + SZ_1M, SZ_64K, VCM_REGION);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	KUNIT_EXPECT_EQ(test, c->type, VCM_RES_REGION);
	KUNIT_EXPECT_EQ(test, vcm->nr_res, 3UL);

	/* Bad input. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(NULL, SZ_4K, 0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(vcm, 0, 0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(vcm, 100, 0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(vcm, SZ_4K, 3 * SZ_4K, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(vcm, SZ_4K, 0x800, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(vcm, SZ_4K, 0, 0x100)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(vcm, SZ_4K, 0,
						  VCM_REGION)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(vcm, SZ_2G, 0, 0)), -ENOSPC);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(vcm, SZ_1G, 0, 0)), -ENOSPC);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(NULL, 0, SZ_4K, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(vcm, MOCK_START, 0, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(vcm, MOCK_START + 0x10,
						     SZ_4K, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(vcm, MOCK_START, SZ_4K,
						     0x100)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(vcm, (dma_addr_t)-SZ_4K,
						     SZ_8K, 0)), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(vcm, 0, SZ_4K, 0)),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(vcm, MOCK_START +
						     MOCK_SIZE - SZ_4K, SZ_8K,
						     0)), -ERANGE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(vcm, MOCK_START + SZ_64K,
						     SZ_4K, 0)), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(vcm, MOCK_START + SZ_1M,
						     SZ_4K, 0)), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, vcm->nr_res, 3UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&vcm->space), 3UL);

	KUNIT_EXPECT_EQ(test, vcm_unreserve(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(a), 0);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(b), 0);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(c), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&vcm->space), 0UL);

	/* The whole space, once free again. */
	a = vcm_reserve(vcm, MOCK_SIZE, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, a->start, (dma_addr_t)MOCK_START);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(a), 0);
}

/* ---- Physical memory --------------------------------------------------- */

static void vcm_test_alloc(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	const struct vcm_phys_part *part;
	struct vcm_phys *phys;
	u64 total = 0, prev = U64_MAX, len;
	phys_addr_t pa;

	phys = vcm_alloc(t->vcm, SZ_2M + SZ_64K + 2 * PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_TRUE(test, phys->owned);
	for (part = vcm_phys_next_part(phys, NULL); part;
	     part = vcm_phys_next_part(phys, part)) {
		/* Largest first, each naturally aligned. */
		KUNIT_EXPECT_LE(test, part->size, prev);
		KUNIT_EXPECT_TRUE(test, part->size == SZ_2M ||
				  part->size == SZ_64K ||
				  part->size == PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, part->start & (part->size - 1), 0);
		prev = part->size;
		total += part->size;
	}
	KUNIT_EXPECT_EQ(test, total, (u64)SZ_2M + SZ_64K + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, phys->size, total);

	/* The walker. */
	KUNIT_EXPECT_EQ(test, vcm_phys_addr_at(phys, 0, &pa, &len), 0);
	KUNIT_EXPECT_EQ(test, pa, phys->parts[0].start);
	KUNIT_EXPECT_EQ(test, len, phys->parts[0].size);
	KUNIT_EXPECT_EQ(test, vcm_phys_addr_at(phys, total - 1, &pa, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 1ULL);
	KUNIT_EXPECT_EQ(test, vcm_phys_addr_at(phys, total, &pa, &len),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_phys_addr_at(NULL, 0, &pa, &len), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);

	/*
	 * When the large size fails, smaller ones are used: fault point 1 is
	 * the parts array and 2 the 2 MiB block.
	 */
	vcm_fail_nth(2);
	phys = vcm_alloc(t->vcm, SZ_2M, 0);
	vcm_fail_nth(0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, phys->count, SZ_2M / SZ_64K);
	KUNIT_EXPECT_EQ(test, phys->parts[0].size, (u64)SZ_64K);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);

	/* Contiguous, 17 pages: no power of two. */
	phys = vcm_alloc(t->vcm, 17 * PAGE_SIZE, VCM_ALLOC_CONTIG);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, phys->count, 1U);
	KUNIT_EXPECT_EQ(test, phys->size, (u64)17 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);

	/* Without a context. */
	phys = vcm_alloc(NULL, SZ_128K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);

	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_alloc(t->vcm, 0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_alloc(t->vcm, 100, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_alloc(t->vcm, PAGE_SIZE, 0x80)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_alloc(NULL, SZ_1G, VCM_ALLOC_CONTIG)),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, vcm_free(NULL), -EINVAL);
}

static void vcm_test_phys_wrappers(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct page *pages[6], *block, *holes[2] = { };
	struct vcm_phys *phys;
	struct sg_table sgt;
	struct vcm_res *res;
	int i;

	block = alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, block);
	for (i = 0; i < 4; i++)
		pages[i] = nth_page(block, i);
	pages[4] = alloc_page(GFP_KERNEL);
	pages[5] = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages[4]);
	KUNIT_ASSERT_NOT_NULL(test, pages[5]);

	/* Adjacent pages become one part. */
	phys = vcm_phys_from_pages(pages, 6);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_LE(test, phys->count, 3U);
	KUNIT_EXPECT_GE(test, phys->parts[0].size, (u64)4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, phys->size, (u64)6 * PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, phys->owned);
	res = vcm_map(t->vcm, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), 0);
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock,
							 res->start + i * PAGE_SIZE),
				page_to_phys(pages[i]));
	KUNIT_EXPECT_EQ(test, vcm_unmap(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);

	/* A scatter-gather table. */
	KUNIT_ASSERT_EQ(test, sg_alloc_table_from_pages(&sgt, pages, 6, 0,
							6 * PAGE_SIZE,
							GFP_KERNEL), 0);
	phys = vcm_phys_from_sgt(&sgt);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, phys->size, (u64)6 * PAGE_SIZE);
	res = vcm_map(t->vcm, phys, VCM_READ);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock, res->start + 5 *
						 PAGE_SIZE), page_to_phys(pages[5]));
	KUNIT_EXPECT_EQ(test, vcm_unmap(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	sg_free_table(&sgt);

	/* An MMIO doorbell in part of a larger window. */
	phys = vcm_phys_from_range(0xfee00000, SZ_4K, VCM_MMIO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_NULL(test, phys->parts[0].page);
	res = vcm_reserve(t->vcm, SZ_1M, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_64K, phys, 0, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock, res->start + SZ_64K + 8),
			0xfee00008);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), -EBUSY);
	KUNIT_EXPECT_EQ(test, vcm_unbind_at(res, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	vcm_deactivate(t->vcm);

	/* Bad input. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_pages(NULL, 1)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_pages(pages, 0)), -EINVAL);
	holes[0] = pages[0];
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_pages(holes, 2)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_pages(&holes[1], 1)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_sgt(NULL)), -EINVAL);
	memset(&sgt, 0, sizeof(sgt));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_sgt(&sgt)), -EINVAL);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, 2, GFP_KERNEL), 0);
	sg_set_page(sgt.sgl, pages[0], PAGE_SIZE, 0);
	sg_set_page(sg_next(sgt.sgl), pages[1], 0, 0);	/* empty entry */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_sgt(&sgt)), -EINVAL);
	sg_free_table(&sgt);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_range(0, 0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_range(0, SZ_4K, 0x100)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_phys_from_range((phys_addr_t)-SZ_4K,
							  SZ_8K, 0)),
			-EOVERFLOW);

	__free_pages(block, 2);
	__free_page(pages[4]);
	__free_page(pages[5]);
}

/* ---- Bindings ---------------------------------------------------------- */

static void vcm_test_bind(struct kunit *test)
{
	/* At least a page, and within the 64 KiB reservation below. */
	const u64 small_size = max_t(u64, SZ_8K, PAGE_SIZE);
	struct vcm_test *t = test->priv;
	struct vcm_phys *phys, *small;
	struct vcm_res *res, *region;

	phys = vcm_alloc(t->vcm, SZ_128K, 0);
	small = vcm_alloc(t->vcm, small_size, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_ASSERT_FALSE(test, IS_ERR(small));
	res = vcm_reserve(t->vcm, SZ_1M, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	region = vcm_reserve_at(t->vcm, MOCK_START, SZ_64K, VCM_REGION);
	KUNIT_ASSERT_FALSE(test, IS_ERR(region));

	/* Several bindings, of parts of one phys, in one reservation. */
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, 0, phys, 0, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_256K, phys, SZ_64K, SZ_64K),
			0);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_512K, small, 0, SZ_8K), 0);
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 3U);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 2U);

	/* Bad input leaves it all as it is. */
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, 0, phys, 0, SZ_64K), -EALREADY);
	KUNIT_EXPECT_EQ(test, vcm_bind(res, phys), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_256K - SZ_4K, small, 0,
					  SZ_8K), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_64K - SZ_4K, small, 0,
					  SZ_8K), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_1M - SZ_4K, small, 0,
					  SZ_8K), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_128K, small,
					  small_size - SZ_4K, SZ_8K), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, (u64)-SZ_4K, small, 0, SZ_8K),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_128K, small, (u64)-SZ_4K,
					  SZ_8K), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_128K + 1, small, 0, SZ_4K),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_128K, small, 0x10, SZ_4K),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_128K, small, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(NULL, 0, small, 0, SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, 0, NULL, 0, SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_bind(region, small), -EPERM);
	KUNIT_EXPECT_EQ(test, vcm_unmap(region), -EPERM);
	KUNIT_EXPECT_EQ(test, vcm_bind(NULL, small), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_bind(res, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 3U);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 2U);
	KUNIT_EXPECT_EQ(test, small->nr_bindings, 1U);

	/* Freeing or unreserving what is bound. */
	KUNIT_EXPECT_EQ(test, vcm_free(phys), -EBUSY);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), -EBUSY);
	KUNIT_EXPECT_EQ(test, vcm_destroy_binding(res), -EINVAL);

	KUNIT_EXPECT_EQ(test, vcm_unbind_at(res, SZ_4K), -ENOENT);
	KUNIT_EXPECT_EQ(test, vcm_unbind_at(NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_unbind_at(res, SZ_256K), 0);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 1U);
	KUNIT_EXPECT_PTR_EQ(test, vcm_res_phys(res), phys);
	KUNIT_EXPECT_EQ(test, vcm_unbind(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_unbind(NULL), -EINVAL);
	KUNIT_EXPECT_NULL(test, vcm_res_phys(res));
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 0U);

	/* A phys larger than the reservation. */
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	res = vcm_reserve(t->vcm, SZ_64K, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, vcm_bind(res, phys), -ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_bind(res, small), 0);

	KUNIT_EXPECT_EQ(test, vcm_unmap(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_unmap(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(region), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(small), 0);
}

static void vcm_test_map(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_phys *phys;
	struct vcm_res *res;
	phys_addr_t pa;

	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), 0);
	phys = vcm_alloc(t->vcm, SZ_4M, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	/* Two 2 MiB blocks, each aligned: the precondition of block maps. */
	KUNIT_ASSERT_EQ(test, phys->count, 2U);
	KUNIT_ASSERT_EQ(test, phys->parts[0].size, (u64)SZ_2M);
	KUNIT_ASSERT_EQ(test, phys->parts[1].size, (u64)SZ_2M);
	KUNIT_ASSERT_EQ(test, phys->parts[0].start % SZ_2M, 0);
	KUNIT_ASSERT_EQ(test, phys->parts[1].start % SZ_2M, 0);
	vcm_mock_reset_pgsizes(t->mock);
	res = vcm_map(t->vcm, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	/* Aligned for block mappings, and mapped with 2 MiB entries only. */
	KUNIT_EXPECT_EQ(test, res->start % SZ_2M, 0);
	KUNIT_EXPECT_EQ(test, res->size, (u64)SZ_4M);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, SZ_4M / MOCK_GRANULE);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(t->mock, SZ_2M), 2UL);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(t->mock, SZ_64K), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(t->mock, SZ_4K), 0UL);
	KUNIT_ASSERT_EQ(test, vcm_phys_addr_at(phys, SZ_2M + SZ_4K, &pa,
					       NULL), 0);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock,
						 res->start + SZ_2M + SZ_4K), pa);
	KUNIT_EXPECT_EQ(test, vcm_unbind_at(res, 0), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, vcm_unmap(res), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(NULL, phys, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(t->vcm, NULL, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(t->vcm, phys, 0x100)), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);

	res = vcm_make_binding(t->vcm, SZ_64K, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, SZ_64K / MOCK_GRANULE);
	KUNIT_EXPECT_EQ(test, vcm_unbind(res), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vcm_unbind_at(res, 0), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), -EBUSY);
	KUNIT_EXPECT_EQ(test, vcm_destroy_binding(res), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, vcm_destroy_binding(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_make_binding(NULL, SZ_4K, 0, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_make_binding(t->vcm, 0, 0, 0)),
			-EINVAL);
	vcm_deactivate(t->vcm);
}

/*
 * Memory made by vcm_make_binding() and also mapped into another context
 * cannot be destroyed with its binding: that would free pages the other
 * context still maps.
 */
static void vcm_test_owned_shared(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_res *res, *res_b;
	struct vcm_mock *m = vcm_mock_create(test);
	struct vcm_phys *phys;
	struct vcm_snap before, after;
	struct vcm *b, *c;

	b = vcm_iommu_create(&m->domain, MOCK_START, MOCK_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), 0);
	KUNIT_EXPECT_EQ(test, vcm_activate(b), 0);

	res = vcm_make_binding(t->vcm, SZ_64K, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	phys = vcm_res_phys(res);
	KUNIT_ASSERT_NOT_NULL(test, phys);
	res_b = vcm_map(b, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res_b));
	KUNIT_EXPECT_EQ(test, m->nr_mapped, SZ_64K / MOCK_GRANULE);

	/* Refused, and nothing changes in either context. */
	vcm_snap(t, &before);
	KUNIT_EXPECT_EQ(test, vcm_destroy_binding(res), -EBUSY);
	KUNIT_EXPECT_EQ(test, vcm_unmap(res), -EBUSY);
	vcm_snap(t, &after);
	expect_snap_eq(test, &before, &after);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 2U);
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 1U);
	KUNIT_EXPECT_PTR_EQ(test, vcm_res_phys(res), phys);
	KUNIT_EXPECT_EQ(test, m->nr_mapped, SZ_64K / MOCK_GRANULE);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(m, res_b->start + SZ_4K),
			phys->parts[0].start + SZ_4K);

	/* Once the other binding is gone, it works and frees the memory. */
	KUNIT_EXPECT_EQ(test, vcm_unmap(res_b), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy_binding(res), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_pages), t->nr_pages);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_phys), t->nr_phys);

	/*
	 * Destroying a context keeps such memory for the other context,
	 * with a pr_warn(); the other user frees it after unbinding it.
	 */
	c = vcm_iommu_create(&t->mock->domain, MOCK_START, MOCK_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	res = vcm_make_binding(c, SZ_64K, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	phys = vcm_res_phys(res);
	KUNIT_ASSERT_NOT_NULL(test, phys);
	res_b = vcm_map(b, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res_b));
	KUNIT_EXPECT_EQ(test, vcm_destroy(c), 0);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 1U);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(m, res_b->start),
			phys->parts[0].start);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), -EBUSY);
	KUNIT_EXPECT_EQ(test, vcm_unmap(res_b), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);

	vcm_deactivate(b);
	KUNIT_EXPECT_EQ(test, vcm_destroy(b), 0);
	vcm_deactivate(t->vcm);
	vcm_mock_destroy(test, m);
}

/*
 * A domain with 4 KiB and 64 KiB pages: 64 KiB blocks get 64 KiB entries
 * where the IOVA and the memory are both 64 KiB aligned, and only there.
 */
static void vcm_test_map_64k(struct kunit *test)
{
	struct vcm_mock *m = vcm_mock_create(test);
	struct vcm_phys *phys;
	struct vcm_res *res;
	struct vcm *vcm;
	phys_addr_t pa;

	m->domain.pgsize_bitmap = SZ_4K | SZ_64K;
	vcm = vcm_iommu_create(&m->domain, MOCK_START, MOCK_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vcm));
	KUNIT_EXPECT_EQ(test, vcm_activate(vcm), 0);

	/* The context's sizes: 64 KiB blocks first, then a page. */
	phys = vcm_alloc(vcm, SZ_128K + PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_ASSERT_EQ(test, phys->count, 3U);
	KUNIT_ASSERT_EQ(test, phys->parts[0].size, (u64)SZ_64K);
	KUNIT_ASSERT_EQ(test, phys->parts[1].size, (u64)SZ_64K);
	KUNIT_ASSERT_EQ(test, phys->parts[2].size, (u64)PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, phys->parts[0].start % SZ_64K, 0);
	KUNIT_ASSERT_EQ(test, phys->parts[1].start % SZ_64K, 0);

	res = vcm_map(vcm, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, res->start % SZ_64K, 0);
	/* The page: one 64 KiB entry, or 4 KiB ones if smaller. */
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(m, SZ_64K),
			2UL + PAGE_SIZE / SZ_64K);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(m, SZ_4K),
			(PAGE_SIZE % SZ_64K) / SZ_4K);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(m, SZ_2M), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(m, res->start + SZ_64K + SZ_8K),
			phys->parts[1].start + SZ_8K);
	KUNIT_EXPECT_EQ(test, vcm_unmap(res), 0);
	KUNIT_EXPECT_EQ(test, m->nr_mapped, 0UL);

	/* An IOVA 4 KiB off 64 KiB alignment: 4 KiB entries only. */
	vcm_mock_reset_pgsizes(m);
	res = vcm_reserve(vcm, SZ_256K, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_4K, phys, 0, SZ_128K), 0);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(m, SZ_64K), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(m, SZ_4K), SZ_128K / SZ_4K);
	KUNIT_ASSERT_EQ(test, vcm_phys_addr_at(phys, SZ_64K, &pa, NULL), 0);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(m, res->start + SZ_4K + SZ_64K),
			pa);
	KUNIT_EXPECT_EQ(test, vcm_unbind(res), 0);

	/* The same with memory 4 KiB off: a 64 KiB aligned IOVA is no help. */
	vcm_mock_reset_pgsizes(m);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, 0, phys, SZ_4K, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(m, SZ_64K), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(m, SZ_4K), SZ_64K / SZ_4K);
	KUNIT_EXPECT_EQ(test, vcm_unbind(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	KUNIT_EXPECT_EQ(test, m->nr_mapped, 0UL);

	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	vcm_deactivate(vcm);
	KUNIT_EXPECT_EQ(test, vcm_destroy(vcm), 0);
	vcm_mock_destroy(test, m);
}

#define MANY_PAGES	64

/*
 * A binding of an allocation with many parts, starting and ending inside
 * a part: the backend walks the parts forward once and maps each page to
 * the right memory; a failure halfway leaves nothing mapped.
 */
static void vcm_test_map_many_parts(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	const u64 poff = 3 * PAGE_SIZE, size = 40 * PAGE_SIZE;
	struct scatterlist *sg;
	struct vcm_phys *phys;
	struct sg_table sgt;
	struct vcm_res *res;
	struct page *block;
	phys_addr_t pa;
	unsigned int i;
	u64 off;

	block = alloc_pages(GFP_KERNEL, ilog2(MANY_PAGES));
	KUNIT_ASSERT_NOT_NULL(test, block);
	if (sg_alloc_table(&sgt, MANY_PAGES, GFP_KERNEL)) {
		__free_pages(block, ilog2(MANY_PAGES));
		KUNIT_FAIL_AND_ABORT(test, "sg_alloc_table() failed\n");
	}
	/* Pages 0, 2, 4, ..., then 1, 3, 5, ...: no two parts adjacent. */
	for_each_sgtable_sg(&sgt, sg, i)
		sg_set_page(sg, nth_page(block, (i * 2) % MANY_PAGES +
					 (i >= MANY_PAGES / 2)),
			    PAGE_SIZE, 0);
	phys = vcm_phys_from_sgt(&sgt);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, phys->count, (unsigned int)MANY_PAGES);

	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), 0);
	res = vcm_reserve(t->vcm, max_t(u64, SZ_1M, SZ_4K + size), 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	t->mock->nr_sync = 0;
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_4K, phys, poff, size), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, size / MOCK_GRANULE);
	/* 40 parts go to iommu_map_sg() 16 at a time: one sync per call. */
	KUNIT_EXPECT_EQ(test, t->mock->nr_sync, 3UL);
	for (off = 0; off < size; off += SZ_4K) {
		KUNIT_ASSERT_EQ(test, vcm_phys_addr_at(phys, poff + off, &pa,
						       NULL), 0);
		KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock,
							 res->start + SZ_4K + off),
				pa);
	}
	KUNIT_EXPECT_EQ(test, vcm_unbind(res), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);

	/* The 20th page fails: the first 19 are unmapped again. */
	t->mock->fail_nth = 20;
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, SZ_4K, phys, poff, size),
			-ENOMEM);
	t->mock->fail_nth = 0;
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 0U);

	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	vcm_deactivate(t->vcm);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	sg_free_table(&sgt);
	__free_pages(block, ilog2(MANY_PAGES));
}

/* ---- One-to-one and kernel contexts ------------------------------------ */

static void vcm_test_onetoone(struct kunit *test)
{
	struct vcm_phys *phys, *sparse;
	struct vcm_res *res, *res2;
	struct page *pages[2];
	struct vcm *o2o;

	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_onetoone_create(0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_onetoone_create(0x800, SZ_1M)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_onetoone_create(0, SZ_1M + 0x800)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(vcm_onetoone_create((dma_addr_t)-SZ_1M,
						    SZ_2M)), -EOVERFLOW);
	o2o = vcm_onetoone_create(0, BIT_ULL(52));
	KUNIT_ASSERT_FALSE(test, IS_ERR(o2o));
	KUNIT_EXPECT_EQ(test, vcm_activate(o2o), 0);

	res = vcm_make_binding(o2o, 17 * PAGE_SIZE, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	phys = vcm_res_phys(res);
	KUNIT_ASSERT_NOT_NULL(test, phys);
	KUNIT_EXPECT_EQ(test, phys->count, 1U);
	KUNIT_EXPECT_EQ(test, (u64)res->start, (u64)phys->parts[0].start);
	/* A bus address, not a kernel virtual one. */
	KUNIT_EXPECT_NULL(test, vcm_kernel_addr(res));

	/* Only reserve and bind together. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(o2o, PAGE_SIZE, 0, 0)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_at(o2o, SZ_1M, PAGE_SIZE,
						     0)), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vcm_bind(res, phys), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vcm_unbind_at(res, 0), -EOPNOTSUPP);
	/* The same memory can be there only once. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(o2o, phys, 0)), -EADDRINUSE);

	/* Memory that is not contiguous cannot be mapped one-to-one. */
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages[0]);
	KUNIT_ASSERT_NOT_NULL(test, pages[1]);
	sparse = vcm_phys_from_pages(pages, 2);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sparse));
	if (sparse->count == 2)
		KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(o2o, sparse, 0)),
				-EINVAL);
	vcm_free(sparse);
	sparse = vcm_phys_from_pages(pages, 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sparse));
	res2 = vcm_map(o2o, sparse, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res2));
	KUNIT_EXPECT_EQ(test, (u64)res2->start, (u64)page_to_phys(pages[0]));
	KUNIT_EXPECT_EQ(test, vcm_unmap(res2), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(sparse), 0);
	__free_page(pages[0]);
	__free_page(pages[1]);

	KUNIT_EXPECT_EQ(test, vcm_destroy_binding(res), 0);
	vcm_deactivate(o2o);
	KUNIT_EXPECT_EQ(test, vcm_destroy(o2o), 0);
}

static void vcm_test_kernel(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_phys *phys, *mmio;
	struct vcm_res *res, *ro, *other;
	struct vcm *cpu;
	phys_addr_t pa;
	u32 *va;

	cpu = vcm_kernel_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(cpu));
	phys = vcm_alloc(NULL, SZ_2M + SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	res = vcm_map(cpu, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	va = vcm_kernel_addr(res);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(va));
	va[0] = 0xdecade;
	va[(SZ_2M + SZ_64K) / 4 - 1] = 0xfeed;
	KUNIT_EXPECT_EQ(test, *(u32 *)page_address(phys->parts[0].page),
			0xdecade);
	KUNIT_ASSERT_EQ(test, vcm_phys_addr_at(phys, SZ_2M, &pa, NULL), 0);
	KUNIT_EXPECT_PTR_EQ(test, vmalloc_to_page((u8 *)va + SZ_2M),
			    pfn_to_page(PHYS_PFN(pa)));

	/* A second, read-only mapping of the same memory. */
	ro = vcm_map(cpu, phys, VCM_READ);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ro));
	KUNIT_EXPECT_NE(test, ro->start, res->start);
	KUNIT_EXPECT_EQ(test, *(u32 *)vcm_kernel_addr(ro), 0xdecade);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 2U);

	mmio = vcm_phys_from_range(0xfee00000, PAGE_SIZE, VCM_MMIO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mmio));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(cpu, mmio, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_free(mmio), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve(cpu, PAGE_SIZE, 0, 0)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_NULL(test, vcm_kernel_addr(NULL));

	/* Device addresses of other contexts are no kernel addresses. */
	other = vcm_map(t->vcm, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	KUNIT_EXPECT_NULL(test, vcm_kernel_addr(other));
	KUNIT_EXPECT_EQ(test, vcm_unmap(other), 0);

	KUNIT_EXPECT_EQ(test, vcm_unmap(ro), 0);
	KUNIT_EXPECT_EQ(test, vcm_unmap(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(cpu), 0);
}

/* ---- Walking the graph ------------------------------------------------- */

struct walk {
	struct vcm_binding_info seen[8];
	unsigned int n;
};

static int walk_binding(const struct vcm_binding_info *info, void *data)
{
	struct walk *w = data;

	if (w->n < ARRAY_SIZE(w->seen))
		w->seen[w->n] = *info;
	w->n++;
	return 0;
}

static int walk_res(struct vcm_res *res, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

static int walk_stop(struct vcm_res *res, void *data)
{
	return -EINTR;
}

/* A walk callback may use another context: lockdep knows the nesting. */
static int walk_reserve_in(struct vcm_res *res, void *data)
{
	struct vcm_res *r = vcm_reserve(data, SZ_64K, 0, 0);

	if (IS_ERR(r))
		return PTR_ERR(r);
	return vcm_unreserve(r);
}

/* vcm_phys_walk_bindings() from a hard interrupt handler. */
struct walk_irq {
	struct irq_work work;
	struct vcm_phys *phys;
	struct walk w;
	bool in_irq;
	int ret;
};

static void walk_irq_fn(struct irq_work *work)
{
	struct walk_irq *wi = container_of(work, struct walk_irq, work);

	wi->in_irq = in_hardirq();
	wi->ret = vcm_phys_walk_bindings(wi->phys, walk_binding, &wi->w);
}

static void vcm_test_walk(struct kunit *test)
{
	struct walk_irq wi = { .ret = -EINPROGRESS };
	struct vcm_test *t = test->priv;
	struct vcm_mock *m2 = vcm_mock_create(test);
	struct vcm_res *r1, *r2, *r3;
	struct vcm_phys *phys;
	struct walk w = { };
	unsigned int nres = 0;
	struct vcm *v2;

	v2 = vcm_iommu_create(&m2->domain, 0, SZ_256M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v2));
	phys = vcm_alloc(t->vcm, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	r1 = vcm_reserve(t->vcm, SZ_1M, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r1));
	KUNIT_EXPECT_EQ(test, vcm_bind_at(r1, SZ_512K, phys, 0, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(r1, 0, phys, SZ_32K, SZ_32K), 0);
	r2 = vcm_map(v2, phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r2));
	r3 = vcm_reserve(t->vcm, SZ_64K, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r3));

	/* Who maps this memory? */
	KUNIT_EXPECT_EQ(test, vcm_phys_walk_bindings(phys, walk_binding, &w),
			0);
	KUNIT_ASSERT_EQ(test, w.n, 3U);
	KUNIT_EXPECT_PTR_EQ(test, w.seen[0].vcm, t->vcm);
	KUNIT_EXPECT_PTR_EQ(test, w.seen[0].res, r1);
	KUNIT_EXPECT_EQ(test, w.seen[0].offset, (u64)SZ_512K);
	KUNIT_EXPECT_EQ(test, w.seen[1].phys_offset, (u64)SZ_32K);
	KUNIT_EXPECT_PTR_EQ(test, w.seen[2].vcm, v2);
	KUNIT_EXPECT_PTR_EQ(test, w.seen[2].res, r2);
	KUNIT_EXPECT_EQ(test, w.seen[2].size, (u64)SZ_64K);

	/* What is in this context? */
	KUNIT_EXPECT_EQ(test, vcm_walk_res(t->vcm, walk_res, &nres), 0);
	KUNIT_EXPECT_EQ(test, nres, 2U);
	KUNIT_EXPECT_EQ(test, vcm_walk_res(t->vcm, walk_stop, NULL),
			-EINTR);
	w.n = 0;
	KUNIT_EXPECT_EQ(test, vcm_res_walk_bindings(r1, walk_binding, &w),
			0);
	KUNIT_ASSERT_EQ(test, w.n, 2U);
	KUNIT_EXPECT_EQ(test, w.seen[0].offset, 0ULL);	/* sorted */
	KUNIT_EXPECT_EQ(test, w.seen[1].offset, (u64)SZ_512K);

	/* Nesting contexts in a callback: lockdep sees two classes. */
	KUNIT_EXPECT_EQ(test, vcm_walk_res(t->vcm, walk_reserve_in, v2), 0);

	/*
	 * From hard interrupt context: lockdep checks that the phys lock is
	 * taken with interrupts disabled everywhere else too.
	 */
	wi.phys = phys;
	init_irq_work(&wi.work, walk_irq_fn);
	KUNIT_EXPECT_TRUE(test, irq_work_queue(&wi.work));
	irq_work_sync(&wi.work);
	KUNIT_EXPECT_EQ(test, wi.ret, 0);
	/* On PREEMPT_RT an irq_work without IRQ_WORK_HARD_IRQ is threaded. */
	KUNIT_EXPECT_TRUE(test, wi.in_irq || IS_ENABLED(CONFIG_PREEMPT_RT));
	KUNIT_EXPECT_EQ(test, wi.w.n, 3U);
	KUNIT_EXPECT_EQ(test, vcm_walk_res(NULL, walk_res, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_res_walk_bindings(r1, NULL, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_phys_walk_bindings(NULL, walk_binding, NULL),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, vcm_unmap(r1), 0);
	KUNIT_EXPECT_EQ(test, vcm_unmap(r2), 0);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(r3), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(v2), 0);
	vcm_mock_destroy(test, m2);
}

static int walk_binding_stop(const struct vcm_binding_info *info,
			     void *data)
{
	return -EINTR;
}

/* Error codes of the less travelled paths; each leaves nothing behind. */
static void vcm_test_more_errors(struct kunit *test)
{
	static const struct vcm_driver drv = {
		.map = tb_map, .unmap = tb_unmap, .release = tb_release,
	};
	struct test_backend *tb = tb_new(test);
	struct vcm_test *t = test->priv;
	struct vcm_mock *m = vcm_mock_create(test);
	struct vcm_res *res, *region;
	struct vcm_binding_info info;
	struct vcm_snap before, after;
	struct vcm_phys *phys, *odd;
	struct vcm *v, *o2o, *cpu;
	struct page *page;
	phys_addr_t pa;

	/* More granules than the IOVA allocator numbers. */
	KUNIT_EXPECT_EQ(test, tb_init(tb, &drv, 0, BIT_ULL(63), 1, 0),
			-EOVERFLOW);

	/* A limit that ends before the first whole granule. */
	v = vcm_iommu_create(&m->domain, 0, SZ_1M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_below(v, SZ_4K, 0, 0x7ff,
							0)), -ERANGE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_below(NULL, SZ_4K, 0,
							SZ_1M, 0)), -EINVAL);
	res = vcm_reserve_below(v, SZ_4K, 0, SZ_4K - 1, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, (u64)res->start, 0ULL);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_make_binding(v, SZ_2M, 0, 0)),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, v->nr_res, 0UL);
	KUNIT_EXPECT_EQ(test, vcm_destroy(v), 0);

	/* No page size of the context that the page allocator can give. */
	m->domain.pgsize_bitmap = SZ_1G;
	v = vcm_iommu_create(&m->domain, 0, SZ_1G);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_alloc(v, SZ_1G, 0)), -E2BIG);
	KUNIT_EXPECT_EQ(test, vcm_destroy(v), 0);
	m->domain.pgsize_bitmap = MOCK_PGSIZES;
	vcm_mock_destroy(test, m);

	odd = vcm_phys_from_range(0xfee00800, SZ_4K, VCM_MMIO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(odd));
	vcm_snap(t, &before);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(vcm_reserve_region(t->vcm, (dma_addr_t)-SZ_4K,
						   SZ_8K, VCM_REGION_MSI)),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, vcm_res_find_binding(NULL, 0, &info), -EINVAL);

	/* More than the context; a part not aligned to the granule. */
	phys = vcm_phys_from_range(0, SZ_2G, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(t->vcm, phys, 0)), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(t->vcm, odd, 0)), -EINVAL);
	vcm_snap(t, &after);
	expect_snap_eq(test, &before, &after);

	/* Walks end with what the callback returned. */
	phys = vcm_alloc(t->vcm, PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	res = vcm_reserve(t->vcm, SZ_64K, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, vcm_res_find_binding(res, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(res, 0, phys, 0, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, vcm_res_walk_bindings(res, walk_binding_stop,
						    NULL), -EINTR);
	KUNIT_EXPECT_EQ(test, vcm_phys_walk_bindings(phys, walk_binding_stop,
						     NULL), -EINTR);

	/* The IOMMU refuses a map with an error of its own. */
	t->mock->fail_nth = 1;
	t->mock->fail_err = -EINVAL;
	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), -EINVAL);
	t->mock->fail_nth = 0;
	t->mock->fail_err = 0;
	KUNIT_EXPECT_FALSE(test, vcm_is_active(t->vcm));
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, vcm_unmap(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);

	/* One-to-one: beyond the bus, too large, in a region's way. */
	o2o = vcm_onetoone_create(BIT_ULL(50), SZ_1M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o2o));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_make_binding(o2o, PAGE_SIZE, 0, 0)),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_destroy(o2o), 0);
	o2o = vcm_onetoone_create(0, BIT_ULL(52));
	KUNIT_ASSERT_FALSE(test, IS_ERR(o2o));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_make_binding(o2o, SZ_1G, 0, 0)),
			-E2BIG);
	region = vcm_reserve_at(o2o, 0, BIT_ULL(52), VCM_REGION);
	KUNIT_ASSERT_FALSE(test, IS_ERR(region));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_make_binding(o2o, PAGE_SIZE, 0, 0)),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, o2o->nr_res, 1UL);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(region), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(o2o), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(odd), 0);

	/* Kernel CPU: memory without struct pages. */
	cpu = vcm_kernel_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(cpu));
	phys = vcm_phys_from_range(BIT_ULL(45), PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(cpu, phys, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	/* A range that starts in RAM and ends beyond it has no pages. */
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	phys = vcm_phys_from_range(page_to_phys(page), BIT_ULL(44), 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR(phys));
	if (!IS_ERR(phys)) {
		KUNIT_EXPECT_NULL(test, phys->parts[0].page);
		KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(cpu, phys, 0)), -EINVAL);
		KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	}
	__free_page(page);
	KUNIT_EXPECT_EQ(test, cpu->nr_res, 0UL);
	KUNIT_EXPECT_EQ(test, vcm_destroy(cpu), 0);

	/* NULL where the calls that cannot fail take a pointer. */
	KUNIT_EXPECT_FALSE(test, vcm_is_active(NULL));
	KUNIT_EXPECT_NULL(test, vcm_res_phys(NULL));
	vcm_deactivate(NULL);
	phys = vcm_alloc(NULL, PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, vcm_phys_addr_at(phys, 0, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_phys_addr_at(NULL, 0, &pa, NULL), -EINVAL);

	/*
	 * One-to-one: no address of the caller's choosing, and memory
	 * outside the context's bus addresses.
	 */
	o2o = vcm_onetoone_create(BIT_ULL(50), SZ_1M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o2o));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_below(o2o, PAGE_SIZE, 0,
							BIT_ULL(50) + SZ_1M - 1,
							0)), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(o2o, phys, 0)), -ERANGE);
	KUNIT_EXPECT_EQ(test, o2o->nr_res, 0UL);
	KUNIT_EXPECT_EQ(test, phys->nr_bindings, 0U);
	KUNIT_EXPECT_EQ(test, vcm_destroy(o2o), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
}

/* ---- Failure injection ------------------------------------------------- */

struct vcm_op {
	const char *name;
	int (*run)(struct vcm_test *t);
	void (*undo)(struct vcm_test *t);
};

static struct vcm_phys *fi_phys;
static struct vcm_res *fi_res, *fi_win;

static int fi_reserve(struct vcm_test *t)
{
	fi_res = vcm_reserve(t->vcm, SZ_64K, 0, 0);
	return PTR_ERR_OR_ZERO(fi_res);
}

static void fi_unreserve(struct vcm_test *t)
{
	vcm_unreserve(fi_res);
}

static int fi_reserve_at(struct vcm_test *t)
{
	fi_res = vcm_reserve_at(t->vcm, MOCK_START + SZ_2M, SZ_64K, 0);
	return PTR_ERR_OR_ZERO(fi_res);
}

static int fi_reserve_below(struct vcm_test *t)
{
	fi_res = vcm_reserve_below(t->vcm, SZ_64K, 0, MOCK_START + SZ_16M - 1,
				   0);
	return PTR_ERR_OR_ZERO(fi_res);
}

static int fi_reserve_region(struct vcm_test *t)
{
	fi_res = vcm_reserve_region(t->vcm, MOCK_START + SZ_4M, SZ_64K,
				    VCM_REGION_MSI);
	return PTR_ERR_OR_ZERO(fi_res);
}

static int fi_bind_at_flags(struct vcm_test *t)
{
	return vcm_bind_at_flags(fi_win, SZ_64K, fi_phys, 0, fi_phys->size,
				 VCM_READ | VCM_CACHE);
}

static int fi_bind_at(struct vcm_test *t)
{
	return vcm_bind_at(fi_win, SZ_64K, fi_phys, 0, fi_phys->size);
}

static void fi_unbind_at(struct vcm_test *t)
{
	vcm_unbind_at(fi_win, SZ_64K);
}

static int fi_map(struct vcm_test *t)
{
	fi_res = vcm_map(t->vcm, fi_phys, 0);
	return PTR_ERR_OR_ZERO(fi_res);
}

static void fi_unmap(struct vcm_test *t)
{
	vcm_unmap(fi_res);
}

static int fi_make_binding(struct vcm_test *t)
{
	fi_res = vcm_make_binding(t->vcm, SZ_2M + SZ_128K + PAGE_SIZE, 0, 0);
	return PTR_ERR_OR_ZERO(fi_res);
}

static void fi_destroy_binding(struct vcm_test *t)
{
	vcm_destroy_binding(fi_res);
}

static int fi_activate(struct vcm_test *t)
{
	return vcm_activate(t->vcm);
}

static void fi_deactivate(struct vcm_test *t)
{
	vcm_deactivate(t->vcm);
}

static int fi_alloc(struct vcm_test *t)
{
	struct vcm_phys *phys = vcm_alloc(t->vcm, SZ_2M + SZ_64K + PAGE_SIZE, 0);

	if (IS_ERR(phys))
		return PTR_ERR(phys);
	vcm_free(phys);
	return 0;
}

static int fi_alloc_contig(struct vcm_test *t)
{
	struct vcm_phys *phys = vcm_alloc(t->vcm, 17 * PAGE_SIZE,
					  VCM_ALLOC_CONTIG);

	if (IS_ERR(phys))
		return PTR_ERR(phys);
	vcm_free(phys);
	return 0;
}

static struct vcm *fi_o2o;

/* One-to-one: the memory first, then the reservation at its address. */
static int fi_make_binding_o2o(struct vcm_test *t)
{
	fi_res = vcm_make_binding(fi_o2o, SZ_64K, 0, 0);
	return PTR_ERR_OR_ZERO(fi_res);
}

static int fi_alloc_noctx(struct vcm_test *t)
{
	struct vcm_phys *phys = vcm_alloc(NULL, SZ_2M + SZ_64K + PAGE_SIZE, 0);

	if (IS_ERR(phys))
		return PTR_ERR(phys);
	vcm_free(phys);
	return 0;
}

static struct page *fi_pages[4];
static struct sg_table fi_sgt;
static struct vcm_phys *fi_wrapped;

static int fi_from_pages(struct vcm_test *t)
{
	fi_wrapped = vcm_phys_from_pages(fi_pages, ARRAY_SIZE(fi_pages));
	return PTR_ERR_OR_ZERO(fi_wrapped);
}

static int fi_from_sgt(struct vcm_test *t)
{
	fi_wrapped = vcm_phys_from_sgt(&fi_sgt);
	return PTR_ERR_OR_ZERO(fi_wrapped);
}

static int fi_from_range(struct vcm_test *t)
{
	fi_wrapped = vcm_phys_from_range(0xfee00000, SZ_4K, VCM_MMIO);
	return PTR_ERR_OR_ZERO(fi_wrapped);
}

static void fi_free_wrapped(struct vcm_test *t)
{
	vcm_free(fi_wrapped);
}

static struct vcm *fi_ctx, *fi_cpu;

static int fi_create_iommu(struct vcm_test *t)
{
	fi_ctx = vcm_iommu_create(&t->mock->domain, MOCK_START, SZ_16M);
	return PTR_ERR_OR_ZERO(fi_ctx);
}

static int fi_create_onetoone(struct vcm_test *t)
{
	fi_ctx = vcm_onetoone_create(0, SZ_1G);
	return PTR_ERR_OR_ZERO(fi_ctx);
}

static int fi_create_kernel(struct vcm_test *t)
{
	fi_ctx = vcm_kernel_create();
	return PTR_ERR_OR_ZERO(fi_ctx);
}

static void fi_destroy_ctx(struct vcm_test *t)
{
	vcm_destroy(fi_ctx);
}

/* The kernel backend's placement: kvmalloc() and vmap(). */
static int fi_map_cpu(struct vcm_test *t)
{
	fi_res = vcm_map(fi_cpu, fi_phys, 0);
	return PTR_ERR_OR_ZERO(fi_res);
}

static void fi_nothing(struct vcm_test *t)
{
}

static const struct vcm_op fi_ops[] = {
	{ "reserve", fi_reserve, fi_unreserve },
	{ "reserve_at", fi_reserve_at, fi_unreserve },
	{ "reserve_below", fi_reserve_below, fi_unreserve },
	{ "reserve_region", fi_reserve_region, fi_unreserve },
	{ "bind_at", fi_bind_at, fi_unbind_at },
	{ "bind_at_flags", fi_bind_at_flags, fi_unbind_at },
	{ "map", fi_map, fi_unmap },
	{ "make_binding", fi_make_binding, fi_destroy_binding },
	{ "activate", fi_activate, fi_deactivate },
	{ "alloc", fi_alloc, fi_nothing },
	{ "alloc without a context", fi_alloc_noctx, fi_nothing },
	{ "alloc contiguous", fi_alloc_contig, fi_nothing },
	{ "make_binding one-to-one", fi_make_binding_o2o, fi_destroy_binding },
	{ "phys_from_pages", fi_from_pages, fi_free_wrapped },
	{ "phys_from_sgt", fi_from_sgt, fi_free_wrapped },
	{ "phys_from_range", fi_from_range, fi_free_wrapped },
	{ "iommu_create", fi_create_iommu, fi_destroy_ctx },
	{ "onetoone_create", fi_create_onetoone, fi_destroy_ctx },
	{ "kernel_create", fi_create_kernel, fi_destroy_ctx },
	{ "map into the kernel context", fi_map_cpu, fi_unmap },
};

/*
 * Fail the n-th fault point (or, with @mock, the n-th IOMMU map) of @op
 * for n = 1, 2, ... until @op succeeds without reaching the n-th one;
 * every failure must leave the graph, the page table and the allocation
 * counters as they were. The fault points are those of the fail_vcm
 * fault-injection attribute, counted by vcm_fail_nth().
 */
static void vcm_fault_loop(struct kunit *test, struct vcm_test *t,
			   const struct vcm_op *op, bool mock)
{
	struct vcm_snap before, after;
	unsigned int n, left;
	int ret;

	/* Each call chain has at least one fault point: n = 1 must fail. */
	for (n = 1; n < 256; n++) {
		vcm_snap_more(t, &before, fi_phys, fi_cpu, fi_o2o);
		if (mock)
			t->mock->fail_nth = n;
		else
			vcm_fail_nth(n);
		ret = op->run(t);
		left = mock ? t->mock->fail_nth : vcm_fail_nth_pending();
		t->mock->fail_nth = 0;
		vcm_fail_nth(0);
		if (!ret) {
			op->undo(t);
			vcm_snap_more(t, &after, fi_phys, fi_cpu, fi_o2o);
			expect_snap_eq(test, &before, &after);
			if (left) {
				KUNIT_EXPECT_TRUE_MSG(test, mock || n > 1,
						      "%s: no fault point",
						      op->name);
				return;
			}
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, left, 0U, "%s failed by itself: %d",
				    op->name, ret);
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "%s, failure %u",
				    op->name, n);
		vcm_snap_more(t, &after, fi_phys, fi_cpu, fi_o2o);
		expect_snap_eq(test, &before, &after);
		if (left)
			return;
	}
	KUNIT_FAIL(test, "%s: no success after %u failures", op->name, n);
}

static void vcm_test_fault_injection(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_phys *other;
	struct vcm_res *busy;
	struct page *block;
	unsigned int i;
	bool active;

	block = alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, block);
	for (i = 0; i < ARRAY_SIZE(fi_pages); i++)
		fi_pages[i] = nth_page(block, i ^ 1);	/* 4 parts */
	if (sg_alloc_table_from_pages(&fi_sgt, fi_pages, ARRAY_SIZE(fi_pages),
				      0, ARRAY_SIZE(fi_pages) * PAGE_SIZE,
				      GFP_KERNEL)) {
		__free_pages(block, 2);
		KUNIT_FAIL_AND_ABORT(test, "sg_alloc_table_from_pages()\n");
	}
	fi_cpu = vcm_kernel_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(fi_cpu));
	fi_o2o = vcm_onetoone_create(0, BIT_ULL(52));
	KUNIT_ASSERT_FALSE(test, IS_ERR(fi_o2o));
	fi_phys = vcm_alloc(t->vcm, SZ_2M + SZ_128K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fi_phys));
	other = vcm_alloc(t->vcm, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	fi_win = vcm_reserve(t->vcm, SZ_8M, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fi_win));
	/* Some bindings for activation to map and to unmap on failure. */
	busy = vcm_map(t->vcm, other, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(busy));
	KUNIT_EXPECT_EQ(test, vcm_bind_at(fi_win, SZ_4M, other, 0, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(fi_win, 0, fi_phys, SZ_64K, SZ_64K),
			0);

	for (active = false; ; active = true) {
		for (i = 0; i < ARRAY_SIZE(fi_ops); i++) {
			if (active && fi_ops[i].run == fi_activate)
				continue;
			vcm_fault_loop(test, t, &fi_ops[i], false);
			vcm_fault_loop(test, t, &fi_ops[i], true);
		}
		if (active)
			break;
		KUNIT_ASSERT_EQ(test, vcm_activate(t->vcm), 0);
	}
	vcm_deactivate(t->vcm);

	KUNIT_EXPECT_EQ(test, vcm_unmap(busy), 0);
	KUNIT_EXPECT_EQ(test, vcm_unmap(fi_win), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(other), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(fi_phys), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(fi_cpu), 0);
	fi_cpu = NULL;
	KUNIT_EXPECT_EQ(test, fi_o2o->nr_res, 0UL);
	KUNIT_EXPECT_EQ(test, vcm_iova_nr_ranges(&fi_o2o->space), 0UL);
	KUNIT_EXPECT_EQ(test, vcm_destroy(fi_o2o), 0);
	fi_o2o = NULL;
	sg_free_table(&fi_sgt);
	__free_pages(block, 2);
}

/* ---- Randomized test against a reference model ------------------------- */

#define RND_RES		4
#define RND_SLOTS	16	/* 64 KiB slots of a 1 MiB reservation */
#define RND_PHYS	4	/* 64 KiB slots of the memory */

static unsigned int vcm_kunit_seed = 42;
module_param_named(seed, vcm_kunit_seed, uint, 0444);
MODULE_PARM_DESC(seed, "seed of the vcm suite's randomized test");

/*
 * Every slot of every live reservation translates as the model says: a
 * bound slot to its byte of @phys, a free one to nothing, and every slot
 * to nothing while the context is not active.
 */
static void rnd_check(struct kunit *test, struct vcm_test *t,
		      struct vcm_res **res, u8 (*model)[RND_SLOTS],
		      u8 (*pslot)[RND_SLOTS], struct vcm_phys *phys,
		      bool active)
{
	unsigned int r, i;
	phys_addr_t pa;

	for (r = 0; r < RND_RES; r++) {
		if (!res[r])
			continue;
		for (i = 0; i < RND_SLOTS; i++) {
			u64 in = 0x40 * (i + 1) + r * 0x1000;
			u64 poff = (u64)pslot[r][i] * SZ_64K + in;
			dma_addr_t iova = res[r]->start + (u64)i * SZ_64K + in;

			pa = 0;
			if (active && model[r][i])
				KUNIT_ASSERT_EQ(test, vcm_phys_addr_at(phys, poff,
								       &pa,
								       NULL),
						0);
			KUNIT_ASSERT_EQ_MSG(test, vcm_mock_translate(t->mock, iova),
					    pa, "reservation %u slot %u", r, i);
		}
	}
}

static void vcm_test_random(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_res *res[RND_RES] = { };
	/* Model: per slot, 0 when free, else 1 + length in slots at start. */
	u8 model[RND_RES][RND_SLOTS] = { };
	/* For a bound slot: which 64 KiB slot of phys it shows. */
	u8 pslot[RND_RES][RND_SLOTS] = { };
	struct vcm_binding_info info;
	unsigned long mapped = 0;
	struct vcm_phys *phys;
	unsigned int i, r, step;
	struct rnd_state rnd;
	bool active = true;

	kunit_info(test, "seed %u (vcm_kunit.seed=)\n", vcm_kunit_seed);
	prandom_seed_state(&rnd, vcm_kunit_seed);
	phys = vcm_alloc(t->vcm, RND_PHYS * SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, vcm_activate(t->vcm), 0);

	for (step = 0; step < 3000; step++) {
		r = prandom_u32_state(&rnd) % RND_RES;
		unsigned int s = prandom_u32_state(&rnd) % RND_SLOTS;
		unsigned int len = 1 + prandom_u32_state(&rnd) % RND_PHYS;
		unsigned int po = prandom_u32_state(&rnd) % RND_PHYS;
		unsigned int op = prandom_u32_state(&rnd) % 9;
		int ret, expect;

		if (!res[r]) {
			res[r] = vcm_reserve(t->vcm, RND_SLOTS * SZ_64K, 0, 0);
			KUNIT_ASSERT_FALSE(test, IS_ERR(res[r]));
			rnd_check(test, t, res, model, pslot, phys, active);
			continue;
		}
		switch (op) {
		case 0 ... 3:	/* bind len slots of phys from po at s */
			expect = 0;
			if (s + len > RND_SLOTS || po + len > RND_PHYS) {
				expect = -ERANGE;
			} else {
				for (i = s; i < s + len; i++)
					if (model[r][i])
						expect = -EADDRINUSE;
				if (expect && model[r][s] == len + 1 &&
				    pslot[r][s] == po)
					expect = -EALREADY;
			}
			ret = vcm_bind_at(res[r], (u64)s * SZ_64K, phys,
					  (u64)po * SZ_64K, (u64)len * SZ_64K);
			KUNIT_ASSERT_EQ(test, ret, expect);
			if (!ret) {
				model[r][s] = len + 1;
				for (i = s + 1; i < s + len; i++)
					model[r][i] = 1;
				for (i = 0; i < len; i++)
					pslot[r][s + i] = po + i;
				mapped += len * (SZ_64K / MOCK_GRANULE);
			}
			break;
		case 4:	/* activation off and on: the graph stays */
			if (active)
				vcm_deactivate(t->vcm);
			else
				KUNIT_ASSERT_EQ(test, vcm_activate(t->vcm), 0);
			active = !active;
			KUNIT_ASSERT_EQ(test, vcm_is_active(t->vcm), active);
			break;
		case 5:	/* what the graph says is bound at s */
			ret = vcm_res_find_binding(res[r], (u64)s * SZ_64K,
						   &info);
			for (i = s; model[r][i] == 1; i--)
				;
			if (!model[r][i]) {
				KUNIT_ASSERT_EQ(test, ret, -ENOENT);
				break;
			}
			KUNIT_ASSERT_EQ(test, ret, 0);
			KUNIT_ASSERT_EQ(test, info.offset, (u64)i * SZ_64K);
			KUNIT_ASSERT_EQ(test, info.size,
					(u64)(model[r][i] - 1) * SZ_64K);
			KUNIT_ASSERT_EQ(test, info.phys_offset,
					(u64)pslot[r][i] * SZ_64K);
			KUNIT_ASSERT_PTR_EQ(test, info.phys, phys);
			break;
		case 6:
		case 7:	/* unbind at s */
			expect = model[r][s] > 1 ? 0 : -ENOENT;
			KUNIT_ASSERT_EQ(test, vcm_unbind_at(res[r],
							    (u64)s * SZ_64K),
					expect);
			if (!expect) {
				len = model[r][s] - 1;
				memset(&model[r][s], 0, len);
				mapped -= len * (SZ_64K / MOCK_GRANULE);
			}
			break;
		case 8:	/* unreserve */
			expect = 0;
			for (i = 0; i < RND_SLOTS; i++)
				if (model[r][i])
					expect = -EBUSY;
			KUNIT_ASSERT_EQ(test, vcm_unreserve(res[r]), expect);
			if (!expect)
				res[r] = NULL;
			break;
		}
		KUNIT_ASSERT_EQ(test, t->mock->nr_mapped, active ? mapped : 0);
		rnd_check(test, t, res, model, pslot, phys, active);
	}
	KUNIT_EXPECT_EQ(test, t->mock->mismatches, 0UL);
	for (r = 0; r < RND_RES; r++)
		if (res[r])
			KUNIT_EXPECT_EQ(test, vcm_unmap(res[r]), 0);
	if (active)
		vcm_deactivate(t->vcm);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
}

/* ---- The RFC's video pipeline ------------------------------------------ */

struct pipe_buf {
	const char *name;
	u64 size;
	struct vcm_phys *phys;
	struct vcm_res *dec, *disp, *cpu;
};

static const char *pipe_ctx_name(struct vcm *vcm, struct vcm *dec,
				 struct vcm *disp)
{
	return vcm == dec ? "decoder" : vcm == disp ? "display" : "cpu";
}

/* What a device reads or writes at a physical address its IOMMU gave. */
static u8 pipe_read(phys_addr_t pa)
{
	u8 *p = kmap_local_page(pfn_to_page(PHYS_PFN(pa)));
	u8 v = p[offset_in_page(pa)];

	kunmap_local(p);
	return v;
}

static void pipe_write(phys_addr_t pa, u8 v)
{
	u8 *p = kmap_local_page(pfn_to_page(PHYS_PFN(pa)));

	p[offset_in_page(pa)] = v;
	kunmap_local(p);
}

static void vcm_test_video_pipeline(struct kunit *test)
{
	struct pipe_buf bufs[] = {
		{ "frame buffer", SZ_16M },
		{ "input 0", SZ_64K },
		{ "input 1", SZ_64K },
	};
	struct vcm_mock *mdec = vcm_mock_create(test), *mdisp = vcm_mock_create(test);
	struct vcm *dec, *disp, *cpu;
	unsigned int i, j;
	struct walk w;
	u64 off;

	dec = vcm_iommu_create(&mdec->domain, SZ_1M, SZ_1G);
	disp = vcm_iommu_create(&mdisp->domain, SZ_256M, SZ_512M);
	cpu = vcm_kernel_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(dec));
	KUNIT_ASSERT_FALSE(test, IS_ERR(disp));
	KUNIT_ASSERT_FALSE(test, IS_ERR(cpu));

	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		struct pipe_buf *b = &bufs[i];

		b->phys = vcm_alloc(dec, b->size, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(b->phys));
		b->dec = vcm_map(dec, b->phys, 0);
		b->disp = vcm_map(disp, b->phys, VCM_READ);
		b->cpu = vcm_map(cpu, b->phys, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(b->dec));
		KUNIT_ASSERT_FALSE(test, IS_ERR(b->disp));
		KUNIT_ASSERT_FALSE(test, IS_ERR(b->cpu));
	}
	KUNIT_EXPECT_EQ(test, vcm_activate(dec), 0);
	KUNIT_EXPECT_EQ(test, vcm_activate(disp), 0);
	KUNIT_EXPECT_EQ(test, vcm_activate(cpu), 0);

	kunit_info(test, "video pipeline graph:\n");
	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		struct pipe_buf *b = &bufs[i];
		u8 *va = vcm_kernel_addr(b->cpu);

		kunit_info(test, "  %s: %llu KiB in %u parts\n", b->name,
			   b->size >> 10, b->phys->count);
		/* The callback runs under a spinlock: print afterwards. */
		w.n = 0;
		vcm_phys_walk_bindings(b->phys, walk_binding, &w);
		KUNIT_EXPECT_EQ(test, w.n, 3U);
		for (j = 0; j < min_t(unsigned int, w.n, ARRAY_SIZE(w.seen)); j++)
			kunit_info(test, "    bound in %s at %#llx (%#llx bytes)\n",
				   pipe_ctx_name(w.seen[j].vcm, dec, disp),
				   (u64)w.seen[j].res->start + w.seen[j].offset,
				   w.seen[j].size);

		/* The CPU writes; both devices see the same bytes. */
		for (off = 0; off < b->size; off += SZ_16K + 0x10)
			va[off] = (u8)(off >> 4) ^ i;
		for (off = 0; off < b->size; off += SZ_16K + 0x10) {
			phys_addr_t pa, pd, pdisp;

			KUNIT_ASSERT_EQ(test, vcm_phys_addr_at(b->phys, off,
							       &pa, NULL), 0);
			pd = vcm_mock_translate(mdec, b->dec->start + off);
			pdisp = vcm_mock_translate(mdisp, b->disp->start + off);
			KUNIT_ASSERT_EQ(test, pd, pa);
			KUNIT_ASSERT_EQ(test, pdisp, pa);
			KUNIT_ASSERT_EQ(test, pipe_read(pd),
					(u8)((off >> 4) ^ i));
		}
		KUNIT_EXPECT_EQ(test, b->phys->nr_bindings, 3U);
	}

	/* The decoder writes a frame; display and CPU see it. */
	for (off = 0; off < SZ_16M; off += SZ_64K + 0x40)
		pipe_write(vcm_mock_translate(mdec, bufs[0].dec->start + off),
			   (u8)(off >> 6) + 1);
	for (off = 0; off < SZ_16M; off += SZ_64K + 0x40) {
		u8 *va = vcm_kernel_addr(bufs[0].cpu);
		dma_addr_t iova = bufs[0].disp->start + off;

		KUNIT_ASSERT_EQ(test, va[off], (u8)((off >> 6) + 1));
		KUNIT_ASSERT_EQ(test, pipe_read(vcm_mock_translate(mdisp, iova)),
				(u8)((off >> 6) + 1));
	}

	KUNIT_EXPECT_EQ(test, mdec->nr_mapped,
			(SZ_16M + 2 * SZ_64K) / MOCK_GRANULE);
	KUNIT_EXPECT_EQ(test, mdisp->nr_mapped, mdec->nr_mapped);

	vcm_deactivate(cpu);
	vcm_deactivate(disp);
	vcm_deactivate(dec);
	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		KUNIT_EXPECT_EQ(test, vcm_unmap(bufs[i].cpu), 0);
		KUNIT_EXPECT_EQ(test, vcm_unmap(bufs[i].disp), 0);
		KUNIT_EXPECT_EQ(test, vcm_unmap(bufs[i].dec), 0);
		KUNIT_EXPECT_EQ(test, vcm_free(bufs[i].phys), 0);
	}
	KUNIT_EXPECT_EQ(test, vcm_destroy(cpu), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(disp), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(dec), 0);
	vcm_mock_destroy(test, mdec);
	vcm_mock_destroy(test, mdisp);
}

/* Typed regions: what they are for, and that nothing binds into them. */
static void vcm_test_reserve_region(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm *vcm = t->vcm;
	struct vcm_phys *phys;
	struct vcm_res *res;

	res = vcm_reserve_region(vcm, MOCK_START, SZ_64K, VCM_REGION_NONE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(res), -EINVAL);
	res = vcm_reserve_region(vcm, MOCK_START, SZ_64K,
				 VCM_REGION_DMA_HOLE + 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(res), -EINVAL);
	res = vcm_reserve_region(NULL, MOCK_START, SZ_64K, VCM_REGION_MSI);
	KUNIT_EXPECT_EQ(test, PTR_ERR(res), -EINVAL);
	res = vcm_reserve_region(vcm, MOCK_START + 1, SZ_64K, VCM_REGION_MSI);
	KUNIT_EXPECT_EQ(test, PTR_ERR(res), -EINVAL);
	res = vcm_reserve_region(vcm, MOCK_START - SZ_64K, SZ_64K,
				 VCM_REGION_MSI);
	KUNIT_EXPECT_EQ(test, PTR_ERR(res), -ERANGE);
	KUNIT_EXPECT_EQ(test, t->vcm->nr_res, 0UL);

	res = vcm_reserve_region(t->vcm, MOCK_START, SZ_64K, VCM_REGION_SW_MSI);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, res->type, VCM_RES_REGION);
	KUNIT_EXPECT_EQ(test, res->region, VCM_REGION_SW_MSI);
	KUNIT_EXPECT_STREQ(test, vcm_region_name(res->region), "sw-msi");
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_reserve_region(vcm, MOCK_START + SZ_32K,
							 SZ_64K, VCM_REGION_MSI)),
			-EADDRINUSE);

	phys = vcm_alloc(t->vcm, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_LT(test, vcm_bind(res, phys), 0);
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 0U);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);

	/* vcm_reserve_at() with VCM_REGION makes a plain reserved region. */
	res = vcm_reserve_at(t->vcm, MOCK_START, SZ_64K, VCM_REGION);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, res->region, VCM_REGION_RESERVED);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	KUNIT_EXPECT_STREQ(test, vcm_region_name(VCM_REGION_DMA_HOLE + 1), "?");
}

/*
 * vcm_reserve_free(): the free parts of a range become regions, around a
 * region, a window and a range allocated outside any reservation (as a
 * streaming mapping is); a failure at any step leaves nothing behind.
 */
static void vcm_test_reserve_free(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	const dma_addr_t b = MOCK_START;
	struct vcm *vcm = t->vcm;
	struct vcm_free_report rep;
	struct vcm_res *rgn, *win, *res;
	unsigned long lo, hi;
	unsigned int n, nr;
	LIST_HEAD(parts);
	int ret;

	KUNIT_EXPECT_EQ(test, vcm_reserve_free(vcm, b, SZ_256K, VCM_REGION_NONE,
					       &parts, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_reserve_free(vcm, b + 1, SZ_256K,
					       VCM_REGION_MSI, &parts, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_reserve_free(vcm, b, 0, VCM_REGION_MSI,
					       &parts, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_reserve_free(vcm, b - SZ_4K, SZ_256K,
					       VCM_REGION_MSI, &parts, NULL),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_reserve_free(vcm, b + MOCK_SIZE - SZ_4K,
					       SZ_8K, VCM_REGION_MSI, &parts,
					       NULL), -ERANGE);
	KUNIT_EXPECT_TRUE(test, list_empty(&parts));
	KUNIT_EXPECT_EQ(test, vcm->nr_res, 0UL);

	rgn = vcm_reserve_region(vcm, b + SZ_16K, SZ_16K, VCM_REGION_MSI);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rgn));
	win = vcm_reserve_at(vcm, b + SZ_64K, SZ_32K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(win));
	KUNIT_ASSERT_EQ(test, vcm_iova_reserve(&vcm->space,
					       (b + SZ_128K) >> MOCK_SHIFT, 2,
					       GFP_KERNEL), 0);

	for (n = 1; ; n++) {
		vcm_fail_nth(n);
		ret = vcm_reserve_free(vcm, b, SZ_256K, VCM_REGION_DIRECT,
				       &parts, &rep);
		vcm_fail_nth(0);
		if (!ret)
			break;
		KUNIT_ASSERT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_TRUE(test, list_empty(&parts));
		KUNIT_EXPECT_EQ(test, vcm->nr_res, 2UL);
		KUNIT_ASSERT_TRUE(test, vcm_iova_next_free(&vcm->space,
							   b >> MOCK_SHIFT, ~0UL,
							   &lo, &hi));
		KUNIT_EXPECT_EQ(test, (u64)lo << MOCK_SHIFT, (u64)b);
		KUNIT_EXPECT_EQ(test, (u64)(hi + 1) << MOCK_SHIFT,
				(u64)b + SZ_16K);
	}
	/* Two fault points (the reservation, its range) for each of 4 parts. */
	KUNIT_EXPECT_EQ(test, n, 9U);
	KUNIT_EXPECT_EQ(test, rep.reserved, (u64)(SZ_16K + SZ_32K + SZ_32K +
						  SZ_128K - SZ_8K));
	KUNIT_EXPECT_EQ(test, rep.regions, (u64)SZ_16K);
	KUNIT_EXPECT_EQ(test, rep.others, (u64)SZ_32K);
	KUNIT_EXPECT_EQ(test, rep.mapped, (u64)SZ_8K);
	nr = 0;
	list_for_each_entry(res, &parts, part) {
		static const u64 want[][2] = {
			{ 0, SZ_16K }, { SZ_32K, SZ_32K }, { SZ_64K + SZ_32K, SZ_32K },
			{ SZ_128K + SZ_8K, SZ_128K - SZ_8K },
		};

		KUNIT_ASSERT_LT(test, nr, 4U);
		KUNIT_EXPECT_EQ(test, (u64)res->start, (u64)b + want[nr][0]);
		KUNIT_EXPECT_EQ(test, res->size, want[nr][1]);
		KUNIT_EXPECT_EQ(test, res->type, VCM_RES_REGION);
		KUNIT_EXPECT_EQ(test, res->region, VCM_REGION_DIRECT);
		nr++;
	}
	KUNIT_EXPECT_EQ(test, nr, 4U);
	KUNIT_EXPECT_FALSE(test, vcm_iova_next_free(&vcm->space,
						    b >> MOCK_SHIFT,
						    (b + SZ_256K - 1) >> MOCK_SHIFT,
						    &lo, &hi));

	/* Again: nothing is free, the regions made are counted as regions. */
	KUNIT_EXPECT_EQ(test, vcm_reserve_free(vcm, b, SZ_256K, VCM_REGION_MSI,
					       &parts, &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.reserved, 0ULL);
	KUNIT_EXPECT_EQ(test, rep.regions, (u64)SZ_256K - SZ_32K - SZ_8K);
	KUNIT_EXPECT_EQ(test, vcm->nr_res, 6UL);

	vcm_unreserve_parts(&parts);
	KUNIT_EXPECT_TRUE(test, list_empty(&parts));
	KUNIT_EXPECT_EQ(test, vcm->nr_res, 2UL);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(win), 0);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(rgn), 0);
	KUNIT_EXPECT_EQ(test, vcm_iova_free(&vcm->space,
					    (b + SZ_128K) >> MOCK_SHIFT, 2), 0);
}

/*
 * What DMA windows are built on: a reservation below a limit, bindings
 * with access flags of their own, and finding the binding at an offset.
 */
static void vcm_test_window_calls(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm *vcm = t->vcm;
	dma_addr_t limit = MOCK_START + SZ_16M - 1;
	struct vcm_binding_info info;
	struct vcm_phys *phys;
	struct vcm_res *res;
	phys_addr_t pa;

	res = vcm_reserve_below(vcm, SZ_1M, SZ_1M, MOCK_START - 1, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(res), -ERANGE);
	res = vcm_reserve_below(vcm, SZ_32M, 0, limit, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(res), -ENOSPC);
	res = vcm_reserve_below(vcm, SZ_1M, SZ_1M, limit, VCM_READ | VCM_WRITE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_LE(test, (u64)res->start + res->size - 1, (u64)limit);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(res->start, SZ_1M));

	phys = vcm_alloc(vcm, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, vcm_bind_at_flags(res, 0, phys, 0, SZ_64K, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_bind_at_flags(res, 0, phys, 0, SZ_64K,
						VCM_READ | VCM_MMIO), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_res_find_binding(res, 0, &info), -ENOENT);
	KUNIT_EXPECT_EQ(test, vcm_bind_at_flags(res, SZ_128K, phys, 0, SZ_64K,
						VCM_WRITE | VCM_CACHE), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, vcm_res_find_binding(res, SZ_128K + SZ_4K, &info),
			0);
	KUNIT_EXPECT_EQ(test, info.offset, (u64)SZ_128K);
	KUNIT_EXPECT_EQ(test, info.size, (u64)SZ_64K);
	KUNIT_EXPECT_PTR_EQ(test, info.phys, phys);
	KUNIT_EXPECT_EQ(test, info.flags, VCM_WRITE | VCM_CACHE);
	KUNIT_EXPECT_EQ(test, vcm_res_find_binding(res, SZ_128K + SZ_64K, &info),
			-ENOENT);

	/* Active: the binding reaches the page table, and leaves it. */
	KUNIT_EXPECT_EQ(test, vcm_activate(vcm), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, SZ_64K / MOCK_GRANULE);
	KUNIT_ASSERT_EQ(test, vcm_phys_addr_at(phys, 0, &pa, NULL), 0);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock, res->start + SZ_128K), pa);
	KUNIT_EXPECT_EQ(test, vcm_unbind_at(res, SZ_128K), 0);
	KUNIT_EXPECT_EQ(test, t->mock->nr_mapped, 0UL);
	vcm_deactivate(vcm);

	/* A reservation that allows reading only cannot be bound writable. */
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	res = vcm_reserve_below(vcm, SZ_1M, 0, limit, VCM_READ);
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	KUNIT_EXPECT_EQ(test, vcm_bind_at_flags(res, 0, phys, 0, SZ_64K,
						VCM_WRITE), -EPERM);
	KUNIT_EXPECT_EQ(test, res->nr_bindings, 0U);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(phys), 0);
}

/* ---- Migration ---------------------------------------------------------- */

/* An owner of a reservation, as vcm_res_set_quiesce() sees it. */
struct mig_owner {
	unsigned int quiesced;
	unsigned int resumed;
	int refuse;
};

static int mig_quiesce(struct vcm_res *res, u64 offset, u64 size, void *data)
{
	struct mig_owner *o = data;

	if (o->refuse)
		return o->refuse;
	o->quiesced++;
	return 0;
}

static void mig_resume(struct vcm_res *res, u64 offset, u64 size, void *data)
{
	struct mig_owner *o = data;

	o->resumed++;
}

static const struct vcm_quiesce_ops mig_ops = {
	.quiesce = mig_quiesce,
	.resume = mig_resume,
};

/* The memory of a buffer bound in two mock domains and the CPU's. */
struct mig_buf {
	struct vcm_phys *phys;
	struct vcm_mock *mb;
	struct vcm *b, *cpu;
	struct vcm_res *ra, *rb, *rc;
	struct mig_owner oa, ob, oc;
	phys_addr_t starts[8];
	struct vcm_phys *race;	/* what mig_race() migrates */
	int race_ret;
};

/* A mock map hook: a whole migration while another context maps. */
static void mig_race(void *data)
{
	struct mig_buf *m = data;

	m->race_ret = vcm_phys_migrate(m->race, 0, m->race->size);
}

static u64 mig_parts(const struct vcm_phys *phys)
{
	u64 h = 0;
	unsigned int i;

	for (i = 0; i < phys->count; i++)
		h = snap_mix(snap_mix(h, phys->parts[i].start),
			     phys->parts[i].size | phys->parts[i].order);
	return h;
}

static u8 mig_byte(u64 off)
{
	return (u8)(off >> 12) ^ (u8)(off >> 3) ^ 0x5a;
}

#define MIG_STEP	(SZ_4K + 0x28)

/*
 * Every context translates the buffer's addresses to the pages its parts
 * now name, and the bytes are those written at the start.
 */
static void mig_check(struct kunit *test, struct vcm_test *t,
		      struct mig_buf *m)
{
	u8 *va = vcm_kernel_addr(m->rc);
	phys_addr_t pa;
	u64 off;

	for (off = 0; off < m->phys->size; off += MIG_STEP) {
		KUNIT_ASSERT_EQ(test, vcm_phys_addr_at(m->phys, off, &pa, NULL),
				0);
		KUNIT_ASSERT_EQ(test, vcm_mock_translate(t->mock,
							 m->ra->start + off),
				pa);
		if (vcm_is_active(m->b))
			KUNIT_ASSERT_EQ(test,
					vcm_mock_translate(m->mb,
							   m->rb->start + off),
					pa);
		KUNIT_ASSERT_PTR_EQ(test, vmalloc_to_page(va + off),
				    pfn_to_page(PHYS_PFN(pa)));
		KUNIT_ASSERT_EQ(test, pipe_read(pa), mig_byte(off));
		KUNIT_ASSERT_EQ(test, va[off], mig_byte(off));
	}
}

static void mig_setup(struct kunit *test, struct vcm_test *t,
		      struct mig_buf *m, unsigned int flags)
{
	u8 *va;
	u64 off;

	m->mb = vcm_mock_create(test);
	m->b = vcm_iommu_create(&m->mb->domain, SZ_256M, SZ_512M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->b));
	m->cpu = vcm_kernel_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->cpu));
	/* A 2 MiB block, a 64 KiB one and a page. */
	m->phys = vcm_alloc(t->vcm, SZ_2M + SZ_64K + PAGE_SIZE, flags);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->phys));
	KUNIT_ASSERT_EQ(test, m->phys->count, 3U);
	m->ra = vcm_map(t->vcm, m->phys, 0);
	m->rb = vcm_map(m->b, m->phys, VCM_READ);
	m->rc = vcm_map(m->cpu, m->phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->ra));
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->rb));
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->rc));
	KUNIT_ASSERT_EQ(test, vcm_activate(t->vcm), 0);
	KUNIT_ASSERT_EQ(test, vcm_activate(m->b), 0);
	va = vcm_kernel_addr(m->rc);
	for (off = 0; off < m->phys->size; off += MIG_STEP)
		va[off] = mig_byte(off);
	mig_check(test, t, m);
}

static void mig_set_ops(struct kunit *test, struct mig_buf *m)
{
	KUNIT_EXPECT_EQ(test, vcm_res_set_quiesce(m->ra, &mig_ops, &m->oa), 0);
	KUNIT_EXPECT_EQ(test, vcm_res_set_quiesce(m->rb, &mig_ops, &m->ob), 0);
	KUNIT_EXPECT_EQ(test, vcm_res_set_quiesce(m->rc, &mig_ops, &m->oc), 0);
}

static void mig_teardown(struct kunit *test, struct vcm_test *t,
			 struct mig_buf *m)
{
	vcm_deactivate(m->b);
	vcm_deactivate(t->vcm);
	KUNIT_EXPECT_EQ(test, vcm_unmap(m->ra), 0);
	KUNIT_EXPECT_EQ(test, vcm_unmap(m->rb), 0);
	KUNIT_EXPECT_EQ(test, vcm_unmap(m->rc), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(m->phys), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(m->cpu), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(m->b), 0);
	vcm_mock_destroy(test, m->mb);
}

static void mig_owners_balanced(struct kunit *test, struct mig_buf *m)
{
	KUNIT_EXPECT_EQ(test, m->oa.quiesced, m->oa.resumed);
	KUNIT_EXPECT_EQ(test, m->ob.quiesced, m->ob.resumed);
	KUNIT_EXPECT_EQ(test, m->oc.quiesced, m->oc.resumed);
}

/* A migration fails with @want and changes nothing: graph, tables, parts. */
static void mig_refused(struct kunit *test, struct vcm_test *t,
			struct mig_buf *m, int want)
{
	struct vcm_snap before, after;
	u64 h = mig_parts(m->phys);

	vcm_snap_more(t, &before, m->phys, m->cpu, NULL);
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(m->phys, 0, SZ_4K), want);
	vcm_snap_more(t, &after, m->phys, m->cpu, NULL);
	expect_snap_eq(test, &before, &after);
	KUNIT_EXPECT_EQ(test, mig_parts(m->phys), h);
}

/*
 * A buffer bound into two IOMMU contexts and the kernel's moves to new
 * pages: every context translates the same addresses to them, the bytes
 * are the same, blocks stay blocks, the old pages are freed.
 */
static void vcm_test_migrate(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_phys *o2o_phys, *wrapped, *other_phys;
	struct vcm_res *o2o_res, *other;
	struct mig_buf m = { };
	struct vcm *o2o, *d;
	struct vcm_mock *md;
	long pages;
	unsigned int i;

	mig_setup(test, t, &m, 0);

	/* Bad input, and owners that registered nothing. */
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(NULL, 0, SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(m.phys, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(m.phys, m.phys->size, 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(m.phys, SZ_4K, m.phys->size),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, vcm_res_set_quiesce(NULL, &mig_ops, NULL),
			-EINVAL);
	mig_refused(test, t, &m, -EBUSY);
	mig_set_ops(test, &m);

	/* Everything moves. */
	for (i = 0; i < m.phys->count; i++)
		m.starts[i] = m.phys->parts[i].start;
	pages = atomic_long_read(&vcm_nr_pages);
	vcm_mock_reset_pgsizes(t->mock);
	KUNIT_ASSERT_EQ(test, vcm_phys_migrate(m.phys, 0, m.phys->size), 0);
	for (i = 0; i < m.phys->count; i++)
		KUNIT_EXPECT_NE(test, m.phys->parts[i].start, m.starts[i]);
	KUNIT_EXPECT_EQ(test, m.phys->parts[0].size, (u64)SZ_2M);
	KUNIT_EXPECT_EQ(test, m.phys->parts[0].order,
			(unsigned int)get_order(SZ_2M));
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(t->mock, SZ_2M), 1UL);
	/* The page: one 64 KiB entry, or 4 KiB ones if smaller. */
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(t->mock, SZ_64K),
			1UL + PAGE_SIZE / SZ_64K);
	KUNIT_EXPECT_EQ(test, vcm_mock_nr_pgsize(t->mock, SZ_4K),
			(PAGE_SIZE % SZ_64K) / SZ_4K);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&vcm_nr_pages), pages);
	KUNIT_EXPECT_EQ(test, m.oa.quiesced, 1U);
	KUNIT_EXPECT_EQ(test, m.ob.quiesced, 1U);
	KUNIT_EXPECT_EQ(test, m.oc.quiesced, 1U);
	mig_owners_balanced(test, &m);
	mig_check(test, t, &m);

	/* Only the part that holds the range moves. */
	for (i = 0; i < m.phys->count; i++)
		m.starts[i] = m.phys->parts[i].start;
	KUNIT_ASSERT_EQ(test, vcm_phys_migrate(m.phys, SZ_2M + SZ_4K, 1), 0);
	KUNIT_EXPECT_EQ(test, m.phys->parts[0].start, m.starts[0]);
	KUNIT_EXPECT_NE(test, m.phys->parts[1].start, m.starts[1]);
	KUNIT_EXPECT_EQ(test, m.phys->parts[2].start, m.starts[2]);
	mig_check(test, t, &m);

	/* An owner refuses: nothing changes, the others resume. */
	m.ob.refuse = -EAGAIN;
	mig_refused(test, t, &m, -EAGAIN);
	mig_owners_balanced(test, &m);
	m.ob.refuse = 0;

	/*
	 * While a migration runs (its callbacks may not call VCM: the flag
	 * it sets stands in for it), the memory gets no new binding in any
	 * context, is not freed and does not migrate again.
	 */
	md = vcm_mock_create(test);
	d = vcm_iommu_create(&md->domain, SZ_1M, SZ_1G);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	KUNIT_ASSERT_EQ(test, vcm_activate(d), 0);
	other = vcm_reserve(d, SZ_64K, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	m.phys->migrating = true;
	KUNIT_EXPECT_EQ(test, vcm_bind_at(other, 0, m.phys, 0, SZ_4K), -EBUSY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(d, m.phys, 0)), -EBUSY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_map(m.cpu, m.phys, 0)), -EBUSY);
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(m.phys, 0, SZ_4K), -EBUSY);
	m.phys->migrating = false;
	KUNIT_EXPECT_EQ(test, other->nr_bindings, 0U);
	KUNIT_EXPECT_EQ(test, md->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, m.phys->nr_bindings, 3U);
	KUNIT_EXPECT_EQ(test, vcm_unreserve(other), 0);
	vcm_deactivate(d);
	KUNIT_EXPECT_EQ(test, vcm_destroy(d), 0);
	vcm_mock_destroy(test, md);
	other_phys = vcm_alloc(NULL, PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other_phys));
	other_phys->migrating = true;
	KUNIT_EXPECT_EQ(test, vcm_free(other_phys), -EBUSY);
	other_phys->migrating = false;
	KUNIT_EXPECT_EQ(test, vcm_free(other_phys), 0);
	mig_check(test, t, &m);

	/*
	 * A binder that read the parts before a migration and links after
	 * it is refused, its mapping of the old pages undone: the mock's map
	 * hook runs a whole migration inside the binder's map.
	 */
	md = vcm_mock_create(test);
	d = vcm_iommu_create(&md->domain, SZ_1M, SZ_1G);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	KUNIT_ASSERT_EQ(test, vcm_activate(d), 0);
	other = vcm_reserve(d, SZ_4M, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	m.race = m.phys;
	md->map_hook = mig_race;
	md->map_hook_data = &m;
	KUNIT_EXPECT_EQ(test, vcm_bind_at(other, 0, m.phys, 0, m.phys->size),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, m.race_ret, 0);
	KUNIT_EXPECT_NULL(test, md->map_hook);
	KUNIT_EXPECT_EQ(test, other->nr_bindings, 0U);
	KUNIT_EXPECT_EQ(test, md->nr_mapped, 0UL);
	KUNIT_EXPECT_EQ(test, m.phys->nr_bindings, 3U);
	KUNIT_EXPECT_EQ(test, vcm_bind_at(other, 0, m.phys, 0, m.phys->size),
			0);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(md, other->start),
			m.phys->parts[0].start);
	KUNIT_EXPECT_EQ(test, vcm_unmap(other), 0);
	vcm_deactivate(d);
	KUNIT_EXPECT_EQ(test, vcm_destroy(d), 0);
	vcm_mock_destroy(test, md);
	mig_check(test, t, &m);

	/* An inactive context needs no owner; it maps the new pages later. */
	vcm_deactivate(m.b);
	KUNIT_EXPECT_EQ(test, vcm_res_set_quiesce(m.rb, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(m.phys, 0, m.phys->size), 0);
	KUNIT_EXPECT_EQ(test, m.mb->nr_mapped, 0UL);
	KUNIT_ASSERT_EQ(test, vcm_activate(m.b), 0);
	mig_check(test, t, &m);
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(m.phys, 0, SZ_4K), -EBUSY);
	mig_owners_balanced(test, &m);

	/* One-to-one contexts cannot move; nor can memory VCM does not own. */
	o2o = vcm_onetoone_create(0, BIT_ULL(52));
	KUNIT_ASSERT_FALSE(test, IS_ERR(o2o));
	o2o_phys = vcm_alloc(o2o, SZ_64K, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o2o_phys));
	o2o_res = vcm_map(o2o, o2o_phys, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o2o_res));
	KUNIT_EXPECT_EQ(test, vcm_res_set_quiesce(o2o_res, &mig_ops, &m.oa),
			0);
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(o2o_phys, 0, SZ_64K),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vcm_unmap(o2o_res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(o2o_phys), 0);
	KUNIT_EXPECT_EQ(test, vcm_destroy(o2o), 0);
	wrapped = vcm_phys_from_range(m.phys->parts[2].start, PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(wrapped));
	KUNIT_EXPECT_EQ(test, vcm_phys_migrate(wrapped, 0, PAGE_SIZE),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vcm_free(wrapped), 0);

	mig_teardown(test, t, &m);
}

/*
 * A failure at every step of a migration (allocations, each context's
 * new mapping, or the mock IOMMU's n-th map) leaves the memory, the graph
 * and every page table as they were, and the owners resumed.
 */
static void vcm_test_migrate_faults(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_snap before, after;
	struct mig_buf m = { };
	u64 parts, pt_b, cpu_pages;
	unsigned int n, left, hits = 0;
	bool mock;
	int ret;

	mig_setup(test, t, &m, 0);
	mig_set_ops(test, &m);
	for (mock = false; ; mock = true) {
		for (n = 1; n < 64; n++) {
			vcm_snap_more(t, &before, m.phys, m.cpu, NULL);
			parts = mig_parts(m.phys);
			pt_b = snap_pt(m.mb);
			cpu_pages = (unsigned long)vmalloc_to_page(vcm_kernel_addr(m.rc)) ^
				    (unsigned long)vmalloc_to_page((u8 *)vcm_kernel_addr(m.rc) +
								   SZ_2M);
			if (mock)
				t->mock->fail_nth = n;
			else
				vcm_fail_nth(n);
			ret = vcm_phys_migrate(m.phys, 0, m.phys->size);
			left = mock ? t->mock->fail_nth : vcm_fail_nth_pending();
			t->mock->fail_nth = 0;
			vcm_fail_nth(0);
			mig_owners_balanced(test, &m);
			mig_check(test, t, &m);
			if (!ret)
				break;
			hits++;
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "failure %u", n);
			KUNIT_EXPECT_EQ(test, left, 0U);
			vcm_snap_more(t, &after, m.phys, m.cpu, NULL);
			expect_snap_eq(test, &before, &after);
			KUNIT_EXPECT_EQ(test, mig_parts(m.phys), parts);
			KUNIT_EXPECT_EQ(test, snap_pt(m.mb), pt_b);
			KUNIT_EXPECT_EQ(test,
					(unsigned long)vmalloc_to_page(vcm_kernel_addr(m.rc)) ^
					(unsigned long)vmalloc_to_page((u8 *)vcm_kernel_addr(m.rc) +
								       SZ_2M),
					cpu_pages);
		}
		KUNIT_EXPECT_LT(test, n, 64U);
		/* Both kinds of failure were reached, and more than once. */
		KUNIT_EXPECT_GT(test, n, mock ? 1U : 5U);
		if (mock)
			break;
	}
	kunit_info(test, "%u failed migrations, each undone\n", hits);
	mig_teardown(test, t, &m);
}

/*
 * Vacating a physical range moves every part of VCM's memory in it, bound
 * or not, to memory outside it, and reports the parts that cannot move.
 */
static void vcm_test_offline(struct kunit *test)
{
	struct vcm_test *t = test->priv;
	struct vcm_offline_report r;
	struct vcm_phys *unbound, *stuck, *held;
	struct vcm_phys_part old[3];
	struct mig_buf m = { };
	struct vcm_res *stuck_res;
	struct page *foreign;
	phys_addr_t s;
	unsigned int i;
	int ret;

	mig_setup(test, t, &m, VCM_ALLOC_MOVABLE);
	mig_set_ops(test, &m);
	unbound = vcm_alloc(NULL, SZ_64K, VCM_ALLOC_MOVABLE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(unbound));
	held = vcm_alloc(NULL, PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(held));
	stuck = vcm_alloc(t->vcm, PAGE_SIZE, VCM_ALLOC_MOVABLE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(stuck));
	stuck_res = vcm_map(t->vcm, stuck, 0);	/* no quiesce callbacks */
	KUNIT_ASSERT_FALSE(test, IS_ERR(stuck_res));

	KUNIT_EXPECT_EQ(test, vcm_offline_range(0, 0, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_offline_range(0, SZ_4K, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcm_offline_range(~(phys_addr_t)0, SZ_4K, &r),
			-EINVAL);

	/* The 64 KiB part only. */
	memcpy(old, m.phys->parts, sizeof(old));
	KUNIT_EXPECT_EQ(test, vcm_offline_range(old[1].start, old[1].size, &r),
			0);
	KUNIT_EXPECT_EQ(test, r.moved, 1U);
	KUNIT_EXPECT_EQ(test, r.moved_bytes, (u64)SZ_64K);
	KUNIT_EXPECT_EQ(test, r.failed, 0U);
	KUNIT_EXPECT_EQ(test, m.phys->parts[0].start, old[0].start);
	KUNIT_EXPECT_NE(test, m.phys->parts[1].start, old[1].start);
	KUNIT_EXPECT_EQ(test, m.phys->parts[2].start, old[2].start);
	mig_check(test, t, &m);

	/* A page in the middle of the 2 MiB block: the whole block moves out. */
	s = old[0].start + SZ_1M;
	KUNIT_EXPECT_EQ(test, vcm_offline_range(s, SZ_4K, &r), 0);
	KUNIT_EXPECT_EQ(test, r.moved, 1U);
	KUNIT_EXPECT_EQ(test, r.moved_bytes, (u64)SZ_2M);
	KUNIT_EXPECT_TRUE(test, s < m.phys->parts[0].start ||
			  s >= m.phys->parts[0].start + SZ_2M);
	KUNIT_EXPECT_EQ(test, m.phys->parts[0].order,
			(unsigned int)get_order(SZ_2M));
	mig_check(test, t, &m);

	/* Memory bound nowhere moves without asking anyone... */
	s = unbound->parts[0].start;
	KUNIT_EXPECT_EQ(test, vcm_offline_range(s, SZ_64K, &r), 0);
	KUNIT_EXPECT_EQ(test, r.moved, 1U);
	KUNIT_EXPECT_NE(test, unbound->parts[0].start, s);
	/* ...if its holder said so: it may use the pages themselves. */
	s = held->parts[0].start;
	KUNIT_EXPECT_EQ(test, vcm_offline_range(s, SZ_4K, &r), -EBUSY);
	KUNIT_EXPECT_EQ(test, r.failed, 1U);
	KUNIT_EXPECT_EQ(test, r.err, -EPERM);
	KUNIT_EXPECT_EQ(test, held->parts[0].start, s);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vcm_alloc(NULL, PAGE_SIZE, 0x80)),
			-EINVAL);

	/* A mapper that cannot be asked keeps its part in place. */
	s = stuck->parts[0].start;
	KUNIT_EXPECT_EQ(test, vcm_offline_range(s, SZ_4K, &r), -EBUSY);
	KUNIT_EXPECT_EQ(test, r.moved, 0U);
	KUNIT_EXPECT_EQ(test, r.failed, 1U);
	KUNIT_EXPECT_EQ(test, r.failed_bytes, (u64)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, r.err, -EBUSY);
	KUNIT_EXPECT_EQ(test, stuck->parts[0].start, s);
	KUNIT_EXPECT_EQ(test, vcm_mock_translate(t->mock, stuck_res->start), s);

	/* Memory that is not VCM's is not its business. */
	foreign = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, foreign);
	KUNIT_EXPECT_EQ(test, vcm_offline_range(page_to_phys(foreign),
						PAGE_SIZE, &r), 0);
	KUNIT_EXPECT_EQ(test, r.moved + r.failed, 0U);
	__free_page(foreign);

	/* Fault injection at each step: each fails whole and changes nothing. */
	for (i = 1; i < 32; i++) {
		memcpy(old, m.phys->parts, sizeof(old));
		vcm_fail_nth(i);
		ret = vcm_offline_range(old[2].start, SZ_4K, &r);
		vcm_fail_nth(0);
		mig_owners_balanced(test, &m);
		mig_check(test, t, &m);
		if (!ret)
			break;
		KUNIT_EXPECT_TRUE(test, ret == -ENOMEM ||
				  (ret == -EBUSY && r.err == -ENOMEM));
		KUNIT_EXPECT_EQ(test, m.phys->parts[2].start, old[2].start);
	}
	KUNIT_EXPECT_GT(test, i, 2U);
	KUNIT_EXPECT_NE(test, m.phys->parts[2].start, old[2].start);

	KUNIT_EXPECT_EQ(test, vcm_unmap(stuck_res), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(stuck), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(unbound), 0);
	KUNIT_EXPECT_EQ(test, vcm_free(held), 0);
	mig_teardown(test, t, &m);
}

static struct kunit_case vcm_test_cases[] = {
	KUNIT_CASE(vcm_test_create_errors),
	KUNIT_CASE(vcm_test_init_errors),
	KUNIT_CASE(vcm_test_many_contexts),
	KUNIT_CASE(vcm_test_backend_errors),
	KUNIT_CASE(vcm_test_exit_partial),
	KUNIT_CASE(vcm_test_activate),
	KUNIT_CASE(vcm_test_destroy_leftovers),
	KUNIT_CASE(vcm_test_reserve),
	KUNIT_CASE(vcm_test_reserve_region),
	KUNIT_CASE(vcm_test_reserve_free),
	KUNIT_CASE(vcm_test_window_calls),
	KUNIT_CASE(vcm_test_alloc),
	KUNIT_CASE(vcm_test_phys_wrappers),
	KUNIT_CASE(vcm_test_bind),
	KUNIT_CASE(vcm_test_map),
	KUNIT_CASE(vcm_test_owned_shared),
	KUNIT_CASE(vcm_test_map_64k),
	KUNIT_CASE(vcm_test_map_many_parts),
	KUNIT_CASE(vcm_test_onetoone),
	KUNIT_CASE(vcm_test_kernel),
	KUNIT_CASE(vcm_test_walk),
	KUNIT_CASE(vcm_test_more_errors),
	KUNIT_CASE_SLOW(vcm_test_fault_injection),
	KUNIT_CASE_SLOW(vcm_test_random),
	KUNIT_CASE(vcm_test_video_pipeline),
	KUNIT_CASE(vcm_test_migrate),
	KUNIT_CASE_SLOW(vcm_test_migrate_faults),
	KUNIT_CASE(vcm_test_offline),
	{}
};

static struct kunit_suite vcm_test_suite = {
	.name = "vcm",
	.init = vcm_test_init,
	.exit = vcm_test_exit,
	.test_cases = vcm_test_cases,
};

kunit_test_suite(vcm_test_suite);

MODULE_DESCRIPTION("KUnit tests of the VCM graph");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
