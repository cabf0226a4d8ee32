/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bitmap reference model of an IOVA space, and a checker that replays
 * operations on the allocator and on the model side by side. Shared by the
 * differential test and the fuzz target.
 */
#ifndef _VCM_TEST_MODEL_H
#define _VCM_TEST_MODEL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/log2.h>
#include "vcm_iova.h"
#include "iova_internal.h"

extern unsigned long vcm_stub_warnings;
extern long vcm_stub_fail_countdown;

struct model {
	struct vcm_iova_space space;
	unsigned long start, end, n;
	unsigned long *start_of;	/* per pfn: first pfn of its range + 1, or 0 */
	unsigned long *size_at;		/* per first pfn: size of the range */
	unsigned long *live;		/* first pfns of live ranges */
	unsigned long nr_live;
	unsigned long ops, errors;
	unsigned long enomem;		/* injected failures that hit */
};

#define MODEL_FAIL(m, fmt, ...) do {					\
	struct model *m_ = (m);						\
	fprintf(stderr, "FAIL %s:%d op %lu: " fmt "\n", __func__,	\
		__LINE__, m_->ops, ##__VA_ARGS__);			\
	m_->errors++;							\
} while (0)

static inline int model_init(struct model *m, unsigned long granule,
			     unsigned long start, unsigned long end)
{
	memset(m, 0, sizeof(*m));
	m->start = start;
	m->end = end;
	m->n = end - start + 1;
	m->start_of = calloc(m->n, sizeof(*m->start_of));
	m->size_at = calloc(m->n, sizeof(*m->size_at));
	m->live = calloc(m->n, sizeof(*m->live));
	if (!m->start_of || !m->size_at || !m->live)
		abort();
	return vcm_iova_space_init(&m->space, granule, start, end);
}

static inline void model_destroy(struct model *m)
{
	vcm_iova_space_destroy(&m->space);
	free(m->start_of);
	free(m->size_at);
	free(m->live);
}

static inline int model_is_free(struct model *m, unsigned long pfn,
				unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i++)
		if (m->start_of[pfn - m->start + i])
			return 0;
	return 1;
}

static inline void model_mark(struct model *m, unsigned long pfn,
			      unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i++)
		m->start_of[pfn - m->start + i] = pfn + 1;
	m->size_at[pfn - m->start] = size;
	m->live[m->nr_live++] = pfn;
}

static inline void model_unmark(struct model *m, unsigned long idx)
{
	unsigned long pfn = m->live[idx];
	unsigned long size = m->size_at[pfn - m->start], i;

	for (i = 0; i < size; i++)
		m->start_of[pfn - m->start + i] = 0;
	m->size_at[pfn - m->start] = 0;
	m->live[idx] = m->live[--m->nr_live];
}

/* Largest size-aligned request a free run [lo, hi] can hold, by brute force. */
static inline unsigned long model_cap(unsigned long lo, unsigned long hi)
{
	unsigned long best = 0, a, f, b;
	unsigned int k;

	for (k = 0; k < 40; k++) {
		b = 1UL << k;
		a = (lo + b - 1) & ~(b - 1);
		if (a > hi)
			break;
		f = hi - a + 1;
		if (f > b)
			f = b;
		if (f > best)
			best = f;
	}
	return best;
}

/* Highest fit in [lo, hi] for size/align, or 0 (pfn + 1 otherwise). */
static inline unsigned long model_fit_in(struct model *m, unsigned long lo,
					 unsigned long hi, unsigned long size,
					 unsigned long align)
{
	unsigned long a;

	if (hi < lo || hi - lo + 1 < size)
		return 0;
	a = (hi - size + 1) & ~(align - 1);
	for (; a >= lo; a -= align) {
		if (model_is_free(m, a, size))
			return a + 1;
		if (a < align)
			break;
	}
	return 0;
}

static inline int model_exact_kind(unsigned long size, unsigned long align)
{
	return align == 1 || align == roundup_pow_of_two(size);
}

/*
 * The search condition of vcm_iova_alloc() for other alignments: does a
 * free run of [start, limit] meet it? Returns the highest fit inside the
 * highest such run (pfn + 1), or 0.
 */
static inline unsigned long model_pred_fit(struct model *m, unsigned long limit,
					   unsigned long size, unsigned long align)
{
	unsigned long rsize = roundup_pow_of_two(size);
	unsigned long need_cap = align > rsize ? align / 2 + 1 : size;
	unsigned long need_gap = size + align - 1;
	unsigned long hi = limit, lo;

	for (;;) {
		while (hi >= m->start && m->start_of[hi - m->start]) {
			if (hi == m->start)
				return 0;
			hi--;
		}
		if (hi < m->start || m->start_of[hi - m->start])
			return 0;
		lo = hi;
		while (lo > m->start && !m->start_of[lo - 1 - m->start])
			lo--;
		if (hi - lo + 1 >= need_gap || model_cap(lo, hi) >= need_cap)
			return model_fit_in(m, lo, hi, size, align);
		if (lo == m->start)
			return 0;
		hi = lo - 1;
	}
}

static inline void model_alloc(struct model *m, unsigned long size,
			       unsigned long align, unsigned long limit, int fail_mem)
{
	unsigned long nr = vcm_iova_nr_ranges(&m->space), pfn = 0, lim, want;
	int ret, exp;

	m->ops++;
	if (fail_mem)
		vcm_stub_fail_countdown = 1;
	ret = vcm_iova_alloc(&m->space, size, align, limit, GFP_ATOMIC, &pfn);
	vcm_stub_fail_countdown = 0;

	if (!size || !align || (align & (align - 1))) {
		if (ret != -EINVAL)
			MODEL_FAIL(m, "bad input size %lu align %lu: %d", size, align, ret);
		return;
	}
	if (limit < m->start) {
		if (ret != -ERANGE)
			MODEL_FAIL(m, "limit %lu below start: %d", limit, ret);
		return;
	}
	if (size > m->n) {
		if (ret != -ENOSPC)
			MODEL_FAIL(m, "size %lu > space: %d", size, ret);
		return;
	}
	/* Only an insertion that splits a full node allocates. */
	if (fail_mem && ret == -ENOMEM) {
		if (vcm_iova_nr_ranges(&m->space) != nr)
			MODEL_FAIL(m, "injected -ENOMEM changed the space");
		m->enomem++;
		return;
	}
	lim = limit < m->end ? limit : m->end;
	want = model_fit_in(m, m->start, lim, size, align);
	if (ret) {
		exp = model_exact_kind(size, align) ? !want :
		      !model_pred_fit(m, lim, size, align);
		if (ret != -ENOSPC || !exp)
			MODEL_FAIL(m, "alloc size %lu align %lu limit %lu: %d, model fit %lu",
				   size, align, limit, ret, want - 1);
		return;
	}
	if (pfn < m->start || pfn + size - 1 > lim || (pfn & (align - 1)) ||
	    !model_is_free(m, pfn, size)) {
		MODEL_FAIL(m, "alloc size %lu align %lu limit %lu gave bad %lu",
			   size, align, limit, pfn);
		return;
	}
	if (model_exact_kind(size, align)) {
		if (pfn + 1 != want)
			MODEL_FAIL(m, "alloc size %lu align %lu limit %lu gave %lu, highest %lu",
				   size, align, limit, pfn, want - 1);
	} else {
		unsigned long p = model_pred_fit(m, lim, size, align);

		if (p && pfn + 1 < p)
			MODEL_FAIL(m, "alloc size %lu align %lu limit %lu gave %lu below %lu",
				   size, align, limit, pfn, p - 1);
	}
	model_mark(m, pfn, size);
}

static inline void model_reserve(struct model *m, unsigned long pfn,
				 unsigned long size, int fail_mem)
{
	unsigned long nr = vcm_iova_nr_ranges(&m->space);
	int ret, exp;

	m->ops++;
	if (fail_mem)
		vcm_stub_fail_countdown = 1;
	ret = vcm_iova_reserve(&m->space, pfn, size, GFP_ATOMIC);
	vcm_stub_fail_countdown = 0;

	if (!size)
		exp = -EINVAL;
	else if (pfn < m->start || pfn > m->end || size > m->end - pfn + 1)
		exp = -ERANGE;
	else if (!model_is_free(m, pfn, size))
		exp = -EADDRINUSE;
	else if (fail_mem && ret == -ENOMEM)
		exp = -ENOMEM;
	else
		exp = 0;
	if (ret == -ENOMEM && exp == -ENOMEM)
		m->enomem++;
	if (ret != exp) {
		MODEL_FAIL(m, "reserve %lu+%lu: %d, expected %d", pfn, size, ret, exp);
		if (!ret)
			vcm_iova_remove(&m->space, pfn, size);
		return;
	}
	if (!ret)
		model_mark(m, pfn, size);
	else if (vcm_iova_nr_ranges(&m->space) != nr)
		MODEL_FAIL(m, "failed reserve changed the space");
}

static inline void model_free_idx(struct model *m, unsigned long idx, int realloc)
{
	unsigned long pfn = m->live[idx];
	unsigned long size = m->size_at[pfn - m->start];
	int ret;

	m->ops++;
	ret = vcm_iova_remove(&m->space, pfn, size);
	if (ret) {
		MODEL_FAIL(m, "free %lu+%lu: %d", pfn, size, ret);
		return;
	}
	model_unmark(m, idx);
	if (realloc) {
		/* What was freed can be had again at once. */
		ret = vcm_iova_reserve(&m->space, pfn, size, GFP_ATOMIC);
		if (ret)
			MODEL_FAIL(m, "re-reserve of freed %lu+%lu: %d", pfn, size, ret);
		else
			model_mark(m, pfn, size);
	}
}

/* A free of something that is not exactly a live range: -ENOENT, no change. */
static inline void model_bad_free(struct model *m, unsigned long pfn,
				  unsigned long size)
{
	unsigned long nr = vcm_iova_nr_ranges(&m->space);
	unsigned long s, idx;
	int ret, exp;

	m->ops++;
	idx = pfn >= m->start && pfn <= m->end ? pfn - m->start : 0;
	s = pfn >= m->start && pfn <= m->end ? m->start_of[idx] : 0;
	if (s == pfn + 1 && m->size_at[idx] == size && size)
		return;		/* happens to be valid; leave it */
	exp = size ? -ENOENT : -EINVAL;
	ret = vcm_iova_remove(&m->space, pfn, size);
	if (ret != exp || vcm_iova_nr_ranges(&m->space) != nr)
		MODEL_FAIL(m, "bad free %lu+%lu: %d, expected %d", pfn, size, ret, exp);
}

static inline void model_find(struct model *m, unsigned long pfn)
{
	unsigned long start = 0, size = 0, s = 0;
	int ret;

	m->ops++;
	if (pfn >= m->start && pfn <= m->end)
		s = m->start_of[pfn - m->start];
	ret = vcm_iova_find(&m->space, pfn, &start, &size);
	if (s ? (ret || start != s - 1 || size != m->size_at[s - 1 - m->start]) :
		ret != -ENOENT)
		MODEL_FAIL(m, "find %lu: %d %lu+%lu, model %lu", pfn, ret, start, size, s);
}

/* vcm_iova_next_free() on [pfn, last] against the model. */
static inline void model_next_free(struct model *m, unsigned long pfn,
				   unsigned long last)
{
	unsigned long i, lo = 0, hi = 0, want_lo = 0, want_hi = 0;
	int found, want = 0;

	m->ops++;
	for (i = pfn < m->start ? m->start : pfn; i <= last && i <= m->end; i++) {
		if (m->start_of[i - m->start]) {
			if (want)
				break;
			continue;
		}
		if (!want)
			want_lo = i;
		want = 1;
		want_hi = i;
	}
	found = vcm_iova_next_free(&m->space, pfn, last, &lo, &hi);
	if (found != want || (found && (lo != want_lo || hi != want_hi)))
		MODEL_FAIL(m, "next_free %lu..%lu: %d %lu..%lu, model %d %lu..%lu",
			   pfn, last, found, lo, hi, want, want_lo, want_hi);
}

struct model_walk {
	struct model *m;
	unsigned long count, prev_end;
	int bad;
};

static inline int model_walk_fn(unsigned long pfn, unsigned long size, void *data)
{
	struct model_walk *w = data;
	struct model *m = w->m;

	if (pfn < w->prev_end || pfn < m->start || pfn > m->end ||
	    m->start_of[pfn - m->start] != pfn + 1 ||
	    m->size_at[pfn - m->start] != size)
		w->bad = 1;
	w->prev_end = pfn + size;
	w->count++;
	return 0;
}

static inline void model_check(struct model *m, int walk)
{
	struct model_walk w = { .m = m };

	if (vcm_iova_check(&m->space))
		MODEL_FAIL(m, "tree invariants broken");
	if (vcm_iova_nr_ranges(&m->space) != m->nr_live)
		MODEL_FAIL(m, "%lu ranges, model %lu", vcm_iova_nr_ranges(&m->space), m->nr_live);
	if (!walk)
		return;
	vcm_iova_walk_ranges(&m->space, model_walk_fn, &w);
	if (w.bad || w.count != m->nr_live)
		MODEL_FAIL(m, "walk differs: %lu ranges, bad %d", w.count, w.bad);
}

#endif /* _VCM_TEST_MODEL_H */
