/* SPDX-License-Identifier: MIT */
/*
 * A single lcore's CPU when the user named none (lib/dp/place.h) and the
 * --lcores argument dp_eal_build makes of it: CPU lists as ranges, the
 * pinned and the floating form, claims that exclude each other (two
 * gateways, two CPUs), floating once every CPU is held, and the user's
 * lcore options or a worker count left alone. The claims use a temporary
 * directory, not /run/lock: nothing here needs root or EAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/eal.h"
#include "dp/place.h"

static char lock_dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(lock_dir, sizeof(lock_dir), "/tmp/omni-place-XXXXXX");
	return mkdtemp(lock_dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", lock_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct {
	unsigned cpus[8], n;
	int cpu;
	const char *list, *arg;
} cases[] = {
	/* 1 */ { { 0 }, 1, DP_PLACE_FLOAT, "0", "0@0" },
	/* 2 */ { { 0, 1 }, 2, DP_PLACE_FLOAT, "0-1", "0@(0-1)" },
	/* 3 */ { { 0, 1 }, 2, 1, "0-1", "0@1" },
	/* 4 */ { { 0, 1, 2, 5, 7, 8 }, 6, DP_PLACE_FLOAT, "0-2,5,7-8", "0@(0-2,5,7-8)" },
	/* 5 */ { { 3, 5 }, 2, DP_PLACE_FLOAT, "3,5", "0@(3,5)" },
	/* 6 */ { { 4, 5, 6, 7 }, 4, 6, "4-7", "0@6" },
};

static void test_arg_table(void **state)
{
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu\n", i + 1);
		assert_int_equal(dp_place_cpu_list(out, sizeof(out), cases[i].cpus, cases[i].n), 0);
		assert_string_equal(out, cases[i].list);
		assert_int_equal(dp_place_lcore_arg(out, sizeof(out), cases[i].cpus, cases[i].n,
						    cases[i].cpu),
				 0);
		assert_string_equal(out, cases[i].arg);
	}
}

static void test_arg_errors(void **state)
{
	const unsigned cpus[] = { 10, 12, 14 };
	char out[8];

	(void)state;
	assert_int_equal(dp_place_cpu_list(out, sizeof(out), cpus, 0), -EINVAL);
	assert_int_equal(dp_place_lcore_arg(out, sizeof(out), cpus, 0, DP_PLACE_FLOAT), -EINVAL);
	assert_int_equal(dp_place_cpu_list(out, sizeof(out), cpus, 3), -E2BIG); /* "10,12,14" */
	assert_int_equal(dp_place_lcore_arg(out, 3, cpus, 3, 12), -E2BIG);      /* "0@12" */
}

/* Two gateways get two CPUs, the last first; a third floats; a CPU given
 * up is claimed again. */
static void test_claims_exclude(void **state)
{
	const unsigned cpus[] = { 0, 1 };
	int a, b, c;

	(void)state;
	assert_int_equal(dp_place_claim(cpus, 2, lock_dir, &a), 1);
	assert_int_equal(dp_place_claim(cpus, 2, lock_dir, &b), 0);
	assert_int_equal(dp_place_claim(cpus, 2, lock_dir, &c), DP_PLACE_FLOAT);
	assert_int_equal(c, -1);
	close(a);
	assert_int_equal(dp_place_claim(cpus, 2, lock_dir, &c), 1);
	close(b);
	close(c);
}

static void test_claim_bad_dir(void **state)
{
	const unsigned cpus[] = { 0, 1 };
	int fd;

	(void)state;
	assert_int_equal(dp_place_claim(cpus, 2, "/nonexistent/omni", &fd), DP_PLACE_FLOAT);
	assert_int_equal(fd, -1);
}

/* The value after our --lcores, or NULL when we gave none. */
static const char *lcores_arg(const struct dp_eal *e)
{
	for (int i = 1; i + 1 < e->argc; i++)
		if (strcmp(e->argv[i], "--lcores") == 0)
			return e->argv[i + 1];
	return NULL;
}

/* dp_eal_build for two default gateways: each its own CPU when there are
 * two usable, never the same one. */
static void test_build_two_gateways(void **state)
{
	const struct dp_eal_conf conf = { .lcores = 1, .no_huge = true, .cpu_lock_dir = lock_dir };
	static struct dp_eal e1, e2;
	unsigned cpus[128], n = dp_eal_usable_cpus(cpus, 128);
	char want[32];

	(void)state;
	assert_true(n > 0);
	assert_int_equal(dp_eal_build(&e1, &conf), 0);
	assert_int_equal(dp_eal_build(&e2, &conf), 0);
	snprintf(want, sizeof(want), "0@%u", cpus[n - 1]);
	assert_string_equal(lcores_arg(&e1), want);
	assert_int_equal(e1.cpu, (int)cpus[n - 1]);
	if (n >= 2) {
		snprintf(want, sizeof(want), "0@%u", cpus[n - 2]);
		assert_string_equal(lcores_arg(&e2), want);
		assert_true(strstr(e2.placement, "no other gateway holds it") != NULL);
	} else {
		assert_int_equal(e2.cpu, DP_PLACE_FLOAT);
		assert_true(strstr(e2.placement, "floats") != NULL);
	}
	dp_eal_release_cpu(&e1);
	dp_eal_release_cpu(&e2);
	assert_int_equal(e1.cpu_fd, -1);
}

/* The user's -l, or a worker count: no claim, EAL's pinning as before. */
static void test_build_user_lcores(void **state)
{
	char *user[] = { "-l", "0" };
	struct dp_eal_conf conf = { .lcores = 1, .no_huge = true, .cpu_lock_dir = lock_dir };
	static struct dp_eal e;

	(void)state;
	conf.user_argc = 2;
	conf.user_argv = user;
	assert_int_equal(dp_eal_build(&e, &conf), 0);
	assert_null(lcores_arg(&e));
	assert_int_equal(e.cpu_fd, -1);
	assert_string_equal(e.placement, "lcores as given");
	conf.user_argc = 0;
	conf.lcores = 2;
	assert_int_equal(dp_eal_build(&e, &conf), 0);
	assert_int_equal(e.cpu_fd, -1);
	assert_non_null(lcores_arg(&e));
	assert_true(strncmp(lcores_arg(&e), "0@", 2) == 0);
	assert_non_null(strstr(lcores_arg(&e), ",1@"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arg_table),          cmocka_unit_test(test_arg_errors),
		cmocka_unit_test(test_claims_exclude),     cmocka_unit_test(test_claim_bad_dir),
		cmocka_unit_test(test_build_two_gateways), cmocka_unit_test(test_build_user_lcores),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
