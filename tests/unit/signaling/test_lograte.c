/* SPDX-License-Identifier: MIT */
/*
 * The nucleus's refusal lines on a fake clock: one per source per minute,
 * with the count of those not logged since; 20 a minute from all sources;
 * a flood from one source gives one line a minute; everything not logged
 * is counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>

#include "signaling/lograte.h"

static struct net_addr src(uint8_t i)
{
	struct net_addr a;

	net_addr_set(&a, NET_AF_IP4, (uint8_t[]){ 198, 51, 100, i });
	return a;
}

static void test_one_source(void **state)
{
	static struct sig_lograte r;
	struct net_addr a = src(1);
	uint64_t quiet = 99;

	(void)state;
	sig_lograte_init(&r);
	assert_true(sig_lograte_allow(&r, &a, 5000, &quiet));
	assert_int_equal(quiet, 0);
	/* A flood: nothing more for a minute, all of it counted. */
	for (uint64_t t = 5000; t < 5000 + SIG_LOGRATE_INTERVAL_MS; t += 10)
		assert_false(sig_lograte_allow(&r, &a, t, &quiet));
	assert_int_equal(r.suppressed, SIG_LOGRATE_INTERVAL_MS / 10);
	assert_true(sig_lograte_allow(&r, &a, 5000 + SIG_LOGRATE_INTERVAL_MS, &quiet));
	assert_int_equal(quiet, SIG_LOGRATE_INTERVAL_MS / 10);
}

static void test_budget(void **state)
{
	static struct sig_lograte r;
	unsigned logged = 0;
	uint64_t quiet;

	(void)state;
	sig_lograte_init(&r);
	for (unsigned i = 0; i < 200; i++) {
		struct net_addr a = src((uint8_t)i);

		logged += sig_lograte_allow(&r, &a, 1000 + i, &quiet);
	}
	assert_int_equal(logged, SIG_LOGRATE_BUDGET);
	assert_int_equal(r.suppressed, 200 - SIG_LOGRATE_BUDGET);
	/* A minute on, the budget is there again. */
	for (unsigned i = 200; i < 210; i++) {
		struct net_addr a = src((uint8_t)i);

		assert_true(sig_lograte_allow(&r, &a, 1000 + SIG_LOGRATE_INTERVAL_MS + i, &quiet));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_one_source),
					    cmocka_unit_test(test_budget) };

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
