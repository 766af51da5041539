/* SPDX-License-Identifier: MIT */
/*
 * The mailbox (mailbox.h). Who owns a request is decided by one pointer:
 * whoever takes it out of mb->pending (the control loop with an exchange,
 * a withdrawing poster with a compare-and-swap) owns it, so the control
 * loop never touches a request whose poster has returned.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "mailbox.h"

struct mailbox_req {
	mailbox_fn fn;
	void *arg;
	struct httpd_text *out;
	int rc;
	bool done; /* atomic: the control loop finished with it */
};

enum { WAIT_MIN_NS = 10000, WAIT_MAX_NS = 200000 };

void mailbox_init(struct mailbox *mb)
{
	mb->pending = NULL;
	mb->closed = false;
	pthread_mutex_init(&mb->posters, NULL);
}

void mailbox_fini(struct mailbox *mb)
{
	pthread_mutex_destroy(&mb->posters);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pause_ns(uint32_t ns)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ns };

	nanosleep(&ts, NULL);
}

/* true if the request is back in our hands, untouched. */
static bool withdraw(struct mailbox *mb, struct mailbox_req *req)
{
	struct mailbox_req *expected = req;

	return __atomic_compare_exchange_n(&mb->pending, &expected, NULL, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static int wait_done(struct mailbox *mb, struct mailbox_req *req, unsigned timeout_ms)
{
	uint64_t deadline = mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	uint32_t step = WAIT_MIN_NS;

	while (!__atomic_load_n(&req->done, __ATOMIC_ACQUIRE)) {
		bool closed = __atomic_load_n(&mb->closed, __ATOMIC_ACQUIRE);

		if ((closed || mono_ns() >= deadline) && withdraw(mb, req))
			return closed ? -ESHUTDOWN : -ETIMEDOUT;
		/* Taken: the control loop is running it; wait for the end. */
		pause_ns(step);
		if (step < WAIT_MAX_NS)
			step *= 2;
	}
	return req->rc;
}

int mailbox_call(struct mailbox *mb, mailbox_fn fn, void *arg, struct httpd_text *out,
		 unsigned timeout_ms)
{
	struct mailbox_req req = { .fn = fn, .arg = arg, .out = out };
	int rc;

	pthread_mutex_lock(&mb->posters);
	if (__atomic_load_n(&mb->closed, __ATOMIC_ACQUIRE)) {
		rc = -ESHUTDOWN;
	} else {
		__atomic_store_n(&mb->pending, &req, __ATOMIC_RELEASE);
		rc = wait_done(mb, &req, timeout_ms);
	}
	pthread_mutex_unlock(&mb->posters);
	return rc;
}

static void answer(struct mailbox_req *req, bool run)
{
	req->rc = run ? req->fn(req->arg, req->out) : -ESHUTDOWN;
	__atomic_store_n(&req->done, true, __ATOMIC_RELEASE);
}

unsigned mailbox_serve(struct mailbox *mb)
{
	struct mailbox_req *req;

	if (__builtin_expect(!__atomic_load_n(&mb->pending, __ATOMIC_RELAXED), 1))
		return 0;
	req = __atomic_exchange_n(&mb->pending, NULL, __ATOMIC_ACQ_REL);
	if (!req)
		return 0; /* withdrawn in between */
	answer(req, true);
	return 1;
}

void mailbox_close(struct mailbox *mb)
{
	struct mailbox_req *req;

	__atomic_store_n(&mb->closed, true, __ATOMIC_RELEASE);
	req = __atomic_exchange_n(&mb->pending, NULL, __ATOMIC_ACQ_REL);
	if (req)
		answer(req, false);
}
