/* SPDX-License-Identifier: MIT */
/*
 * Sessions: publish/lookup/retire, and that a retired keypair is neither
 * wiped nor handed out again before its reader has passed a quiescent
 * state. The reader is simulated: thread id 1 registered with the QSBR
 * variable, reporting quiescence when the test says so.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "eal_test.h"
#include "pipeline/sessions.h"

enum { READER = 1, POOL = 16 };

struct fixture {
	struct rte_rcu_qsbr *rcu;
	struct pl_sessions *s;
};

static int setup(void **state)
{
	static struct fixture f;
	size_t sz = rte_rcu_qsbr_get_memsize(4);

	f.rcu = rte_zmalloc("rcu", sz, RTE_CACHE_LINE_SIZE);
	assert_non_null(f.rcu);
	assert_int_equal(rte_rcu_qsbr_init(f.rcu, 4), 0);
	assert_int_equal(rte_rcu_qsbr_thread_register(f.rcu, READER), 0);
	rte_rcu_qsbr_thread_online(f.rcu, READER);
	f.s = pl_sessions_create("t", POOL, f.rcu, 0);
	assert_non_null(f.s);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pl_sessions_free(f->s);
	rte_free(f->rcu);
	return 0;
}

static struct pl_keypair *new_kp(struct pl_sessions *s, uint32_t index)
{
	struct pl_keypair *kp = pl_sessions_keypair_alloc(s);

	assert_non_null(kp);
	kp->wg.local_index = index;
	kp->wg.valid = true;
	memset(kp->wg.send_key, 0xab, sizeof(kp->wg.send_key));
	return kp;
}

static void test_publish_lookup(void **state)
{
	struct fixture *f = *state;
	uint32_t idx[5] = { 11, 22, 33, 44, 55 };
	struct pl_keypair *kp[3], *out[5];

	kp[0] = new_kp(f->s, 11);
	kp[1] = new_kp(f->s, 33);
	kp[2] = new_kp(f->s, 55);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pl_sessions_publish(f->s, kp[i]), 0);
	assert_int_equal(pl_sessions_count(f->s), 3);
	assert_int_equal(pl_sessions_lookup_bulk(f->s, idx, 5, out), 3);
	assert_ptr_equal(out[0], kp[0]);
	assert_null(out[1]);
	assert_ptr_equal(out[2], kp[1]);
	assert_null(out[3]);
	assert_ptr_equal(out[4], kp[2]);
	for (int i = 0; i < 3; i++)
		pl_sessions_retire(f->s, kp[i]);
	rte_rcu_qsbr_quiescent(f->rcu, READER);
	pl_sessions_reclaim(f->s);
	assert_int_equal(pl_sessions_count(f->s), 0);
}

static void test_grace_period(void **state)
{
	struct fixture *f = *state;
	struct pl_keypair *kp, *got[POOL];
	uint32_t idx = 77;
	unsigned n = 0;

	kp = new_kp(f->s, idx);
	assert_int_equal(pl_sessions_publish(f->s, kp), 0);
	pl_sessions_retire(f->s, kp);
	/* Gone from the table at once... */
	assert_int_equal(pl_sessions_lookup_bulk(f->s, &idx, 1, got), 0);
	/* ...but a reader that found it before still reads its keys. */
	pl_sessions_reclaim(f->s);
	assert_int_equal(kp->wg.send_key[0], 0xab);
	assert_true(kp->wg.valid);
	/* The pool hands out everything else, never kp, before the grace period. */
	while (n < POOL) {
		struct pl_keypair *k = pl_sessions_keypair_alloc(f->s);

		if (!k)
			break;
		assert_ptr_not_equal(k, kp);
		got[n++] = k;
	}
	assert_int_equal(n, POOL - 1);
	/* The reader passes a quiescent state: now it is wiped and reusable. */
	rte_rcu_qsbr_quiescent(f->rcu, READER);
	pl_sessions_reclaim(f->s);
	assert_int_equal(kp->wg.send_key[0], 0);
	assert_false(kp->wg.valid);
	assert_ptr_equal(pl_sessions_keypair_alloc(f->s), kp);
	pl_sessions_retire(f->s, kp); /* never published: straight back */
	while (n > 0)
		pl_sessions_retire(f->s, got[--n]);
}

static void test_duplicate_and_bad(void **state)
{
	struct fixture *f = *state;
	struct pl_keypair *a = new_kp(f->s, 5), *b = new_kp(f->s, 5);

	assert_int_equal(pl_sessions_publish(f->s, a), 0);
	/* An index is published once; the first keypair stays. */
	assert_int_equal(pl_sessions_publish(f->s, b), -EEXIST);
	assert_int_equal(pl_sessions_count(f->s), 1);
	pl_sessions_retire(f->s, b); /* never published: must not remove a */
	assert_int_equal(pl_sessions_count(f->s), 1);
	pl_sessions_retire(f->s, a);
	assert_int_equal(pl_sessions_count(f->s), 0);
	rte_rcu_qsbr_quiescent(f->rcu, READER);
	pl_sessions_reclaim(f->s);
	assert_null(pl_sessions_create("bad", 0, f->rcu, 0));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pl_sessions_create("bad", 4, NULL, 0));
}

/* The index hook: what the XDP live map would see, in order. */
struct hook_log {
	uint32_t index[8];
	bool live[8];
	unsigned n;
};

static void hook(void *ctx, uint32_t index, bool live)
{
	struct hook_log *log = ctx;

	if (log->n < 8) {
		log->index[log->n] = index;
		log->live[log->n] = live;
	}
	log->n++;
}

static void test_index_hook(void **state)
{
	struct fixture *f = *state;
	struct hook_log log = { .n = 0 };
	struct pl_keypair *a = new_kp(f->s, 7), *b = new_kp(f->s, 7), *c = new_kp(f->s, 9);

	pl_sessions_set_index_hook(f->s, hook, &log);
	assert_int_equal(pl_sessions_publish(f->s, a), 0);
	assert_int_equal(pl_sessions_publish(f->s, b), -EEXIST); /* no call */
	pl_sessions_retire(f->s, b);                             /* not a's: no call */
	assert_int_equal(pl_sessions_publish(f->s, c), 0);
	pl_sessions_retire(f->s, a);
	pl_sessions_retire(f->s, c);
	assert_int_equal(log.n, 4);
	assert_true(log.index[0] == 7 && log.live[0]);
	assert_true(log.index[1] == 9 && log.live[1]);
	assert_true(log.index[2] == 7 && !log.live[2]);
	assert_true(log.index[3] == 9 && !log.live[3]);
	pl_sessions_set_index_hook(f->s, NULL, NULL);
	rte_rcu_qsbr_quiescent(f->rcu, READER);
	pl_sessions_reclaim(f->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_lookup),
		cmocka_unit_test(test_grace_period),
		cmocka_unit_test(test_duplicate_and_bad),
		cmocka_unit_test(test_index_hook),
	};
	int ret;

	if (eal_test_init() < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = cmocka_run_group_tests(tests, setup, teardown);
	rte_eal_cleanup();
	return ret;
}
