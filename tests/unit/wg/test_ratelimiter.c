/* SPDX-License-Identifier: MIT */
/* The per-source handshake rate limit, on a fake clock. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "wg/messages.h"
#include "wg/ratelimiter.h"

#define MS(x) ((uint64_t)(x)*1000000ULL)
#define T0 (1000 * WG_NSEC_PER_SEC)

static const uint8_t a4[4] = { 192, 0, 2, 1 }, b4[4] = { 192, 0, 2, 2 };

static unsigned allowed_in_a_row(struct wg_ratelimiter *rl, int fam, const uint8_t *a, uint64_t now,
				 unsigned tries)
{
	unsigned n = 0;

	while (tries-- > 0)
		n += wg_ratelimiter_allow(rl, fam, a, now);
	return n;
}

static void test_burst_then_rate(void **state)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(128, 10, 5);
	unsigned i, n = 0;

	(void)state;
	assert_non_null(rl);
	/* A burst of 5 at once, then nothing more in the same instant. */
	assert_int_equal(allowed_in_a_row(rl, 4, a4, T0, 20), 5);
	/* 10 per second afterwards: one every 100 ms, not one at 99 ms. */
	assert_false(wg_ratelimiter_allow(rl, 4, a4, T0 + MS(99)));
	assert_true(wg_ratelimiter_allow(rl, 4, a4, T0 + MS(100)));
	for (i = 1; i <= 1000; i++) /* 10 s, one try every 10 ms */
		n += wg_ratelimiter_allow(rl, 4, a4, T0 + MS(100) + MS(10) * i);
	assert_in_range(n, 99, 101);
	wg_ratelimiter_destroy(rl);
}

static void test_sources_are_independent(void **state)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(128, 10, 5);
	uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
	uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0xff, 0, 0, 0, 0, 0, 0, 9 };
	uint8_t v6c[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1 };

	(void)state;
	assert_int_equal(allowed_in_a_row(rl, 4, a4, T0, 10), 5);
	assert_int_equal(allowed_in_a_row(rl, 4, b4, T0, 10), 5);
	/* IPv6 is limited per /64: a and b share a bucket, c has its own. */
	assert_int_equal(allowed_in_a_row(rl, 6, v6a, T0, 3), 3);
	assert_int_equal(allowed_in_a_row(rl, 6, v6b, T0, 10), 2);
	assert_int_equal(allowed_in_a_row(rl, 6, v6c, T0, 10), 5);
	/* The same 4 bytes as IPv4 and as the start of IPv6 are different keys. */
	{
		uint8_t v6_like_a4[16] = { 192, 0, 2, 1 };

		assert_int_equal(allowed_in_a_row(rl, 6, v6_like_a4, T0, 10), 5);
	}
	wg_ratelimiter_destroy(rl);
}

static void test_full_table_refuses_new_sources(void **state)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(64, 10, 5);
	unsigned i, admitted = 0;
	uint8_t a[4] = { 198, 51, 100, 0 };

	(void)state;
	/* Far more sources than slots, all in one instant: some are refused,
	 * none is evicted to make room (an attacker cannot flush a victim). */
	for (i = 0; i < 1000; i++) {
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		admitted += wg_ratelimiter_allow(rl, 4, a, T0);
	}
	assert_true(admitted <= 64);
	assert_true(admitted > 0);
	/* A second later the idle slots are reused. */
	assert_true(wg_ratelimiter_allow(rl, 4, b4, T0 + WG_NSEC_PER_SEC));
	wg_ratelimiter_destroy(rl);
}

/* n new sources 198.51.x.y from `first` on, at now; how many admitted. */
static unsigned new_sources(struct wg_ratelimiter *rl, unsigned first, unsigned n, uint64_t now)
{
	uint8_t a[4] = { 198, 51, 0, 0 };
	unsigned i, admitted = 0;

	for (i = first; i < first + n; i++) {
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		admitted += wg_ratelimiter_allow(rl, 4, a, now);
	}
	return admitted;
}

/* A flood of new sources is load before the table refuses anyone. */
static void test_half_full_is_pressure(void **state)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(4096, 10, 5);

	(void)state;
	assert_false(wg_ratelimiter_under_pressure(rl, T0));
	/* A few new sources are no load... */
	assert_int_equal(new_sources(rl, 0, 100, T0), 100);
	assert_false(wg_ratelimiter_under_pressure(rl, T0 + MS(10)));
	/* ...a quarter of the table in one second is, though nearly all were
	 * admitted (a refusal, with linear probing rare at this load, would
	 * be load too). */
	assert_in_range(new_sources(rl, 100, 1000, T0 + MS(20)), 970, 1000);
	assert_true(wg_ratelimiter_under_pressure(rl, T0 + MS(20)));
	/* It holds through the next second, and ends after two quiet ones. */
	assert_true(wg_ratelimiter_under_pressure(rl, T0 + MS(1500)));
	assert_false(wg_ratelimiter_under_pressure(rl, T0 + MS(2100)));
	/* Known sources are not new: a real peer's traffic is no pressure. */
	for (unsigned i = 0; i < 100; i++)
		wg_ratelimiter_allow(rl, 4, a4, T0 + MS(2200) + MS(10) * i);
	assert_false(wg_ratelimiter_under_pressure(rl, T0 + MS(3200)));
	wg_ratelimiter_destroy(rl);
}

static void test_refused_for_room_is_pressure(void **state)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(64, 10, 5);

	(void)state;
	/* Many more sources than slots, spread over the second: refused. */
	for (unsigned i = 0; i < 1000; i++)
		new_sources(rl, i, 1, T0 + MS(i));
	assert_true(wg_ratelimiter_refused_full(rl) > 0);
	assert_int_equal(wg_ratelimiter_evicted(rl), 0);
	assert_true(wg_ratelimiter_under_pressure(rl, T0 + MS(1000)));
	wg_ratelimiter_destroy(rl);
}

/*
 * Evicting: a source the flood has not seen is always admitted, however
 * many others fill the table, and the one pushed out starts afresh.
 */
static void test_evicting_table_admits_everyone(void **state)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(64, 10, 5);

	(void)state;
	wg_ratelimiter_evict_when_full(rl);
	assert_int_equal(new_sources(rl, 0, 1000, T0), 1000);
	assert_true(wg_ratelimiter_evicted(rl) > 0);
	assert_int_equal(wg_ratelimiter_refused_full(rl), 0);
	assert_true(wg_ratelimiter_under_pressure(rl, T0));
	assert_true(wg_ratelimiter_allow(rl, 4, b4, T0));
	/* The per-source limit still holds for the source just admitted. */
	assert_int_equal(allowed_in_a_row(rl, 4, b4, T0, 10), 4);
	wg_ratelimiter_destroy(rl);
}

static void test_bad_parameters(void **state)
{
	(void)state;
	errno = 0;
	assert_null(wg_ratelimiter_create(0, 10, 5));
	assert_int_equal(errno, EINVAL);
	assert_null(wg_ratelimiter_create(16, 0, 5));
	assert_null(wg_ratelimiter_create(16, 10, 0));
	wg_ratelimiter_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_sources_are_independent),
		cmocka_unit_test(test_full_table_refuses_new_sources),
		cmocka_unit_test(test_half_full_is_pressure),
		cmocka_unit_test(test_refused_for_room_is_pressure),
		cmocka_unit_test(test_evicting_table_admits_everyone),
		cmocka_unit_test(test_bad_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
