// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: each input is a program of allocator operations run
 * against the allocator and the bitmap model; any difference aborts.
 */
#include <stdint.h>
#include "model.h"

#include "stubs.h"

static unsigned long take(const uint8_t **p, const uint8_t *end, unsigned int n)
{
	unsigned long v = 0;

	while (n-- && *p < end)
		v = (v << 8) | *(*p)++;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const uint8_t *p = data, *end = data + len;
	unsigned long start, n, a, b, c;
	struct model m;

	if (len < 3)
		return 0;
	start = take(&p, end, 1) << (take(&p, end, 1) & 31);
	n = 1 + take(&p, end, 1);
	if (model_init(&m, 4096, start, start + n - 1))
		abort();
	while (p < end && !m.errors) {
		unsigned int op = take(&p, end, 1);

		a = take(&p, end, 1);
		b = take(&p, end, 1);
		c = take(&p, end, 1);
		switch (op % 6) {
		case 0:
			model_alloc(&m, a % 64, 1UL << (b % 10), c == 255 ? ~0UL : start + c,
				    (op & 0xf0) == 0xf0);
			break;
		case 1:
			model_alloc(&m, a % 64 + 1, roundup_pow_of_two(a % 64 + 1),
				    b & 1 ? ~0UL : start + c, 0);
			break;
		case 2:
			model_reserve(&m, start + a - 2, b % 32, (op & 0xf0) == 0xf0);
			break;
		case 3:
			if (m.nr_live)
				model_free_idx(&m, (a << 8 | b) % m.nr_live, c & 1);
			break;
		case 4:
			model_bad_free(&m, start + a - 2, b % 8);
			break;
		default:
			model_find(&m, start + a - 2);
			break;
		}
	}
	model_check(&m, 1);
	if (m.errors)
		abort();
	model_destroy(&m);
	if (vcm_stub_live_objects)
		abort();
	return 0;
}
