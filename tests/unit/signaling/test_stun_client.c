/* SPDX-License-Identifier: MIT */
/*
 * The STUN client's timing (signaling/stun_client.h) on a fake clock, with
 * a transaction id source the test controls so that the RFC 5769 sample
 * response answers our request: a numbered table of the request rounds
 * (every second until the first answer, then every 30 s); one request per
 * server; the reflexive address new, the same, and moved; a wrong
 * transaction id (an answer to an earlier round); a response from a server
 * not ours; an answer before any request; no servers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/stun_client.h"

#include "rfc5769.h"

static const uint64_t t0 = 777;
static unsigned next_id; /* 0: the sample's id, else ids that match nothing */

static void fake_random(void *buf, size_t len)
{
	memset(buf, (int)next_id, len);
	if (next_id == 0)
		memcpy(buf, rfc5769_v4 + 8, len);
}

/* A response mapping port `port` of 192.0.2.1 (MAPPED-ADDRESS) with the
 * sample's transaction id. */
static size_t response(uint8_t *buf, uint16_t port)
{
	static const uint8_t hdr[8] = { 0x01, 0x01, 0x00, 12, 0x21, 0x12, 0xa4, 0x42 };

	memcpy(buf, hdr, 8);
	memcpy(buf + 8, rfc5769_v4 + 8, SIG_STUN_TXID_LEN);
	memcpy(buf + 20,
	       ((const uint8_t[]){ 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, (uint8_t)(port >> 8),
				   (uint8_t)port, 192, 0, 2, 1 }),
	       12);
	return 32;
}

static struct net_endpoint server(uint8_t last)
{
	struct net_endpoint a = { .addr = { .family = NET_AF_IP4, .b = { 203, 0, 113, last } },
				  .port = SIG_STUN_PORT };

	return a;
}

static void init(struct sig_stun_client *s, unsigned n)
{
	struct net_endpoint sv[SIG_STUN_SERVERS_MAX + 2] = { 0 }; /* n may be 0 */

	for (unsigned i = 0; i < n; i++)
		sv[i] = server((uint8_t)(i + 1));
	next_id = 0;
	sig_stun_client_init(s, sv, n, fake_random);
}

/* Pops a round: one request per server, in their order, with our id. */
static void pop_round(struct sig_stun_client *s, unsigned n_server)
{
	uint8_t buf[SIG_STUN_REQUEST_MAX], small[4];
	struct net_endpoint to;

	assert_int_equal(sig_stun_client_pop(s, &to, small, sizeof(small)), 0);
	for (unsigned i = 0; i < n_server; i++) {
		assert_int_equal(sig_stun_client_pop(s, &to, buf, sizeof(buf)),
				 SIG_STUN_REQUEST_MAX);
		assert_int_equal(to.addr.b[3], i + 1);
		assert_true(sig_stun_is_stun(buf, SIG_STUN_REQUEST_MAX));
		assert_memory_equal(sig_stun_txid(buf), s->txid, SIG_STUN_TXID_LEN);
	}
	assert_int_equal(sig_stun_client_pop(s, &to, buf, sizeof(buf)), 0);
}

static void test_rounds(void **state)
{
	static const struct {
		uint64_t at;   /* ms after t0 */
		bool answer;   /* the sample answer comes right after the round */
		uint64_t next; /* then the next round is due at t0 + next */
	} rounds[] = {
		/* 1 */ { 0, false, 1000 },
		/* 2 */ { 1000, false, 2000 },
		/* 3 */ { 2000, true, 2000 + 30000 }, /* answered: every 30 s */
		/* 4 */ { 32000, false, 62000 },      /* unanswered now: still 30 s */
		/* 5 */ { 62000, true, 92000 },
	};
	const struct net_endpoint from = server(2);
	struct sig_stun_client s;

	(void)state;
	init(&s, 2);
	assert_int_equal(sig_stun_client_next_tick(&s), 0);
	for (unsigned r = 0; r < sizeof(rounds) / sizeof(rounds[0]); r++) {
		uint64_t now = t0 + rounds[r].at;

		assert_true(sig_stun_client_next_tick(&s) <= now);
		sig_stun_client_tick(&s, now);
		pop_round(&s, 2);
		if (rounds[r].answer)
			sig_stun_client_input(&s, rfc5769_v4, sizeof(rfc5769_v4), &from, now);
		if (sig_stun_client_next_tick(&s) != t0 + rounds[r].next)
			fail_msg("round %u: next at %llu, expected %llu", r + 1,
				 (unsigned long long)(sig_stun_client_next_tick(&s) - t0),
				 (unsigned long long)rounds[r].next);
	}
	assert_int_equal(s.stats.requests, 5);
	assert_int_equal(s.stats.results[SIG_STUN_OK], 2);
}

static void test_reflexive(void **state)
{
	const struct net_endpoint from = server(1);
	const struct net_endpoint *r;
	struct sig_stun_client s;
	uint8_t buf[64];

	(void)state;
	init(&s, 1);
	assert_int_equal(sig_stun_client_reflexive(&s)->addr.family, NET_AF_NONE);
	sig_stun_client_tick(&s, t0);
	assert_int_equal(sig_stun_client_input(&s, rfc5769_v4, sizeof(rfc5769_v4), &from, t0),
			 SIG_STUN_RX_CHANGED);
	r = sig_stun_client_reflexive(&s);
	assert_int_equal(r->addr.family, NET_AF_IP4);
	assert_int_equal(r->port, 32853);
	assert_memory_equal(r->addr.b, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_int_equal(sig_stun_client_input(&s, rfc5769_v4, sizeof(rfc5769_v4), &from, t0),
			 SIG_STUN_RX_SAME);
	assert_int_equal(sig_stun_client_input(&s, buf, response(buf, 32853), &from, t0),
			 SIG_STUN_RX_SAME);
	/* The NAT moved us to another port. */
	assert_int_equal(sig_stun_client_input(&s, buf, response(buf, 40000), &from, t0),
			 SIG_STUN_RX_CHANGED);
	assert_int_equal(sig_stun_client_reflexive(&s)->port, 40000);
}

static void test_not_ours_and_bad(void **state)
{
	struct net_endpoint other = server(1), from = server(1);
	struct sig_stun_client s;
	uint8_t buf[64];

	(void)state;
	init(&s, 1);
	/* Before any request there is no id to answer. */
	assert_int_equal(sig_stun_client_input(&s, rfc5769_v4, sizeof(rfc5769_v4), &from, t0),
			 SIG_STUN_RX_BAD);
	sig_stun_client_tick(&s, t0);
	/* The right answer from a server not configured: another port, another
	 * address, another family. */
	other.port = 3479;
	assert_int_equal(sig_stun_client_input(&s, rfc5769_v4, sizeof(rfc5769_v4), &other, t0),
			 SIG_STUN_RX_NOT_OURS);
	other = server(9);
	assert_false(sig_stun_client_ours(&s, &other));
	other.addr.family = NET_AF_IP6;
	other.addr.b[3] = 1;
	assert_int_equal(sig_stun_client_input(&s, rfc5769_v4, sizeof(rfc5769_v4), &other, t0),
			 SIG_STUN_RX_NOT_OURS);
	assert_int_equal(s.stats.not_ours, 2);
	assert_false(s.answered);
	/* An answer to the previous round once a new one went out. */
	next_id = 1;
	sig_stun_client_tick(&s, t0 + SIG_STUN_RETRY_MS);
	assert_int_equal(sig_stun_client_input(&s, rfc5769_v4, sizeof(rfc5769_v4), &from, t0),
			 SIG_STUN_RX_BAD);
	assert_int_equal(s.stats.results[SIG_STUN_WRONG_TXID], 2);
	/* Bad answers move no timer. */
	assert_int_equal(sig_stun_client_next_tick(&s), t0 + 2 * SIG_STUN_RETRY_MS);
	/* Garbage from our server. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(sig_stun_client_input(&s, buf, 3, &from, t0), SIG_STUN_RX_BAD);
	assert_int_equal(s.stats.results[SIG_STUN_TRUNCATED], 1);
	assert_int_equal(sig_stun_client_reflexive(&s)->addr.family, NET_AF_NONE);
}

static void test_servers(void **state)
{
	struct sig_stun_client s;
	struct net_endpoint to;
	uint8_t buf[SIG_STUN_REQUEST_MAX];

	(void)state;
	init(&s, 0);
	assert_int_equal(sig_stun_client_next_tick(&s), UINT64_MAX);
	sig_stun_client_tick(&s, t0);
	assert_int_equal(sig_stun_client_pop(&s, &to, buf, sizeof(buf)), 0);
	assert_int_equal(s.stats.requests, 0);
	/* More than SIG_STUN_SERVERS_MAX: the first ones. */
	init(&s, SIG_STUN_SERVERS_MAX + 2);
	assert_int_equal(s.n_server, SIG_STUN_SERVERS_MAX);
	sig_stun_client_tick(&s, t0);
	pop_round(&s, SIG_STUN_SERVERS_MAX);
	to = server(SIG_STUN_SERVERS_MAX + 1);
	assert_false(sig_stun_client_ours(&s, &to));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounds),
		cmocka_unit_test(test_reflexive),
		cmocka_unit_test(test_not_ours_and_bad),
		cmocka_unit_test(test_servers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
