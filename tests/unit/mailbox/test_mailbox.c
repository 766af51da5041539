/* SPDX-License-Identifier: MIT */
/*
 * The mailbox with real threads: a served call returns fn's result and
 * text; nobody serving gives -ETIMEDOUT and the request is withdrawn (a
 * later serve runs nothing); a closed box gives -ESHUTDOWN; many posters
 * against one server lose nothing and never run a request twice.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "mailbox/mailbox.h"

enum { POSTERS = 4, CALLS = 500 };

struct server {
	struct mailbox *mb;
	bool stop;
	unsigned long served;
};

static int add_one(void *arg, struct httpd_text *out)
{
	int *n = arg;

	(*n)++;
	if (out)
		httpd_text_printf(out, "n=%d", *n);
	return 7;
}

static void *serve_loop(void *arg)
{
	struct server *s = arg;
	struct timespec ts = { 0, 20000 };

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		if (!mailbox_serve(s->mb))
			nanosleep(&ts, NULL);
		else
			s->served++;
	}
	return NULL;
}

static void test_served(void **state)
{
	struct mailbox mb;
	struct server s = { .mb = &mb };
	struct httpd_text out = HTTPD_TEXT_INIT;
	pthread_t t;
	int n = 0;

	(void)state;
	mailbox_init(&mb);
	assert_int_equal(pthread_create(&t, NULL, serve_loop, &s), 0);
	assert_int_equal(mailbox_call(&mb, add_one, &n, &out, 2000), 7);
	assert_int_equal(n, 1);
	assert_string_equal(out.buf, "n=1");
	__atomic_store_n(&s.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	httpd_text_free(&out);
	mailbox_fini(&mb);
}

static void test_timeout_withdraws(void **state)
{
	struct mailbox mb;
	int n = 0;

	(void)state;
	mailbox_init(&mb);
	assert_int_equal(mailbox_call(&mb, add_one, &n, NULL, 20), -ETIMEDOUT);
	/* Withdrawn: nothing left for the control loop to run. */
	assert_int_equal(mailbox_serve(&mb), 0);
	assert_int_equal(n, 0);
	mailbox_fini(&mb);
}

static void test_closed(void **state)
{
	struct mailbox mb;
	int n = 0;

	(void)state;
	mailbox_init(&mb);
	mailbox_close(&mb);
	assert_int_equal(mailbox_call(&mb, add_one, &n, NULL, 1000), -ESHUTDOWN);
	assert_int_equal(n, 0);
	mailbox_fini(&mb);
}

struct poster {
	struct mailbox *mb;
	int *counter;
	int fails;
};

static void *post_loop(void *arg)
{
	struct poster *p = arg;

	for (int i = 0; i < CALLS; i++)
		if (mailbox_call(p->mb, add_one, p->counter, NULL, 5000) != 7)
			p->fails++;
	return NULL;
}

static void test_many_posters(void **state)
{
	struct mailbox mb;
	struct server s = { .mb = &mb };
	struct poster p[POSTERS];
	pthread_t srv, t[POSTERS];
	int n = 0;

	(void)state;
	mailbox_init(&mb);
	assert_int_equal(pthread_create(&srv, NULL, serve_loop, &s), 0);
	for (int i = 0; i < POSTERS; i++) {
		p[i] = (struct poster){ .mb = &mb, .counter = &n };
		assert_int_equal(pthread_create(&t[i], NULL, post_loop, &p[i]), 0);
	}
	for (int i = 0; i < POSTERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(p[i].fails, 0);
	}
	__atomic_store_n(&s.stop, true, __ATOMIC_RELEASE);
	pthread_join(srv, NULL);
	/* fn runs on the server only, one request at a time: no lost update. */
	assert_int_equal(n, POSTERS * CALLS);
	assert_int_equal(s.served, POSTERS * CALLS);
	mailbox_fini(&mb);
}

/* Short timeouts racing a slow server: a call either ran once (7) or not
 * at all (-ETIMEDOUT), and the count says which. */
static void *slow_serve(void *arg)
{
	struct server *s = arg;
	struct timespec ts = { 0, 300000 };

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		nanosleep(&ts, NULL);
		s->served += mailbox_serve(s->mb);
	}
	return NULL;
}

static void test_timeout_race(void **state)
{
	struct mailbox mb;
	struct server s = { .mb = &mb };
	pthread_t srv;
	int n = 0, ok = 0, ret;

	(void)state;
	mailbox_init(&mb);
	assert_int_equal(pthread_create(&srv, NULL, slow_serve, &s), 0);
	for (int i = 0; i < 300; i++) {
		ret = mailbox_call(&mb, add_one, &n, NULL, 0);
		assert_true(ret == 7 || ret == -ETIMEDOUT);
		ok += ret == 7;
	}
	__atomic_store_n(&s.stop, true, __ATOMIC_RELEASE);
	pthread_join(srv, NULL);
	assert_int_equal(n, ok);
	assert_int_equal(s.served, (unsigned long)ok);
	mailbox_fini(&mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served),       cmocka_unit_test(test_timeout_withdraws),
		cmocka_unit_test(test_closed),       cmocka_unit_test(test_many_posters),
		cmocka_unit_test(test_timeout_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
