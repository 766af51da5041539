/* SPDX-License-Identifier: MIT */
/*
 * Receiver-index table (index.h) against a deliberately naive reference: a
 * plain array of live (index, kind, ptr) searched linearly. Random inserts,
 * removes, replaces and lookups (present and absent), with small tables so
 * probe runs collide and wrap around the end, and every live entry checked
 * after each removal (backward-shift deletion must not lose any).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wg/index.h"
#include "wg_test_util.h"

struct ref_entry {
	uint32_t index;
	enum wg_index_kind kind;
	void *ptr;
};

struct ref {
	struct ref_entry *e;
	unsigned n;
};

static int ref_find(const struct ref *r, uint32_t index)
{
	unsigned k;

	for (k = 0; k < r->n; k++)
		if (r->e[k].index == index)
			return (int)k;
	return -1;
}

static void check_entry(const struct wg_index_table *t, const struct ref_entry *want)
{
	const struct wg_index_entry *e = wg_index_lookup(t, want->index);

	if (!e)
		fail_msg("index %08x lost", want->index);
	assert_int_equal(e->index, want->index);
	assert_int_equal(e->kind, want->kind);
	assert_ptr_equal(e->ptr, want->ptr);
}

static void check_all(const struct wg_index_table *t, const struct ref *r)
{
	unsigned k;

	assert_int_equal(wg_index_count(t), r->n);
	for (k = 0; k < r->n; k++)
		check_entry(t, &r->e[k]);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_ops(unsigned capacity, unsigned ops, uint64_t seed)
{
	struct wg_index_table *t = wg_index_table_create(capacity);
	struct ref r = { .e = calloc(capacity, sizeof(*r.e)) };
	uint64_t s = seed;
	unsigned i, inserts = 0, removes = 0, fulls = 0;

	assert_non_null(t);
	assert_non_null(r.e);
	for (i = 0; i < ops; i++) {
		uint64_t x = rng_next(&s);
		/* Bias toward inserts while the table is far from full. */
		unsigned op = (unsigned)(x % 10);
		void *ptr = (void *)(uintptr_t)(x >> 16 | 1);
		enum wg_index_kind kind = (x >> 8) & 1 ? WG_INDEX_HANDSHAKE : WG_INDEX_KEYPAIR;

		if (op < 4) {
			uint32_t idx;

			errno = 0;
			idx = wg_index_insert(t, kind, ptr);
			if (r.n == capacity) {
				assert_int_equal(idx, 0);
				assert_int_equal(errno, ENOSPC);
				fulls++;
				continue;
			}
			assert_int_not_equal(idx, 0);
			if (ref_find(&r, idx) >= 0)
				fail_msg("op %u: index %08x handed out twice", i, idx);
			r.e[r.n++] = (struct ref_entry){ idx, kind, ptr };
			inserts++;
			check_entry(t, &r.e[r.n - 1]);
		} else if (op < 7 && r.n) {
			unsigned k = (unsigned)((x >> 20) % r.n);
			uint32_t idx = r.e[k].index;

			wg_index_remove(t, idx);
			r.e[k] = r.e[--r.n];
			removes++;
			assert_null(wg_index_lookup(t, idx));
			check_all(t, &r);
		} else if (op < 8 && r.n) {
			unsigned k = (unsigned)((x >> 20) % r.n);

			assert_int_equal(wg_index_replace(t, r.e[k].index, WG_INDEX_KEYPAIR, ptr),
					 0);
			r.e[k].kind = WG_INDEX_KEYPAIR;
			r.e[k].ptr = ptr;
			check_entry(t, &r.e[k]);
		} else {
			/* Absent indices: random ones, and 0 which is never valid. */
			uint32_t idx = (uint32_t)(x >> 32);

			if (ref_find(&r, idx) < 0) {
				assert_null(wg_index_lookup(t, idx));
				assert_int_equal(wg_index_replace(t, idx, WG_INDEX_KEYPAIR, ptr),
						 -ENOENT);
				wg_index_remove(t, idx); /* no-op */
			}
			assert_null(wg_index_lookup(t, 0));
			wg_index_remove(t, 0);
			assert_int_equal(wg_index_count(t), r.n);
		}
	}
	check_all(t, &r);
	assert_true(inserts > 0 && removes > 0);
	if (capacity <= 64)
		assert_true(fulls > 0);
	wg_index_table_destroy(t);
	free(r.e);
}

static void test_index_random_small(void **state)
{
	(void)state;
	random_ops(1, 20000, 1);
	random_ops(7, 30000, 2);
	random_ops(64, 50000, 3);
}

static void test_index_random_large(void **state)
{
	(void)state;
	random_ops(1000, 100000, 4);
}

static void test_index_full(void **state)
{
	enum { CAP = 100 };
	struct wg_index_table *t = wg_index_table_create(CAP);
	uint32_t idx[CAP];
	unsigned k, j;

	(void)state;
	assert_non_null(t);
	for (k = 0; k < CAP; k++) {
		idx[k] = wg_index_insert(t, WG_INDEX_HANDSHAKE, &idx[k]);
		assert_int_not_equal(idx[k], 0);
		for (j = 0; j < k; j++)
			assert_int_not_equal(idx[j], idx[k]);
	}
	errno = 0;
	assert_int_equal(wg_index_insert(t, WG_INDEX_HANDSHAKE, NULL), 0);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(wg_index_count(t), CAP);
	/* One freed slot is usable again, and only one. */
	wg_index_remove(t, idx[50]);
	idx[50] = wg_index_insert(t, WG_INDEX_KEYPAIR, &idx[50]);
	assert_int_not_equal(idx[50], 0);
	assert_int_equal(wg_index_insert(t, WG_INDEX_KEYPAIR, NULL), 0);
	for (k = 0; k < CAP; k++)
		assert_ptr_equal(wg_index_lookup(t, idx[k])->ptr, &idx[k]);
	/* Removing everything empties it. */
	for (k = 0; k < CAP; k++)
		wg_index_remove(t, idx[k]);
	assert_int_equal(wg_index_count(t), 0);
	for (k = 0; k < CAP; k++)
		assert_null(wg_index_lookup(t, idx[k]));
	wg_index_table_destroy(t);
}

static void test_index_create_limits(void **state)
{
	(void)state;
	errno = 0;
	assert_null(wg_index_table_create(0));
	assert_int_equal(errno, EINVAL);
	wg_index_table_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_random_small),
		cmocka_unit_test(test_index_random_large),
		cmocka_unit_test(test_index_full),
		cmocka_unit_test(test_index_create_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
