/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the TURN client's response handling (and so the
 * STUN parser's TURN attributes and MESSAGE-INTEGRITY check): any bytes,
 * given the transaction id of the request in flight so that the client's
 * handling is reached, to a client allocating (before and after the 401
 * challenge), to one with an allocation and a peer being bound, and to
 * one whose probe (a Binding, sig_turn_probe) is in flight. Nothing
 * may crash, and every action the client gives must be well formed.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "signaling/turn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t counter;

static void fixed_random(void *buf, size_t len)
{
	memset(buf, ++counter, len);
}

static void check_actions(struct sig_turn *t)
{
	struct sig_turn_action a;

	while (sig_turn_pop(t, &a))
		if (a.kind < SIG_TURN_SEND || a.kind > SIG_TURN_MAPPED || a.len > sizeof(a.buf))
			__builtin_trap();
}

/* data as the answer to t's request in flight (its txid written in). */
static void feed(struct sig_turn *t, const struct sig_turn_txn *x, const uint8_t *data, size_t size)
{
	static uint8_t buf[SIG_STUN_RESPONSE_MAX + 64];

	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	if (size >= SIG_STUN_HEADER_LEN)
		memcpy(buf + 8, x->txid, SIG_STUN_TXID_LEN);
	sig_turn_input(t, buf, size, 2000);
	check_actions(t);
	sig_turn_tick(t, 1000000);
	check_actions(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sig_turn t;
	struct sig_turn_cred c = { .expiry_s = 5000, .n_servers = 1 };
	struct net_endpoint peer = { .addr = { .family = NET_AF_IP4, .b = { 203, 0, 113, 5 } },
				     .port = 50001 };
	struct sig_stun_msg m;

	sig_stun_parse(data, size, &m);
	strcpy(c.user, "1:user");
	strcpy(c.pass, "pass");
	c.servers[0] =
		(struct net_endpoint){ .addr = { .family = NET_AF_IP4, .b = { 203, 0, 113, 5 } },
				       .port = 3478 };
	/* Allocating, unauthenticated, then authenticated (a key set). */
	sig_turn_init(&t, fixed_random);
	sig_turn_set_cred(&t, &c, 1000);
	sig_turn_want(&t, 1000);
	check_actions(&t);
	feed(&t, &t.alloc, data, size);
	sig_turn_init(&t, fixed_random);
	sig_turn_want(&t, 1000);
	sig_turn_set_cred(&t, &c, 1000);
	check_actions(&t);
	t.have_key = true;
	strcpy(t.realm, "realm");
	strcpy(t.nonce, "nonce");
	feed(&t, &t.alloc, data, size);
	/* Ready, a peer's permission in flight. */
	t.state = SIG_TURN_READY;
	t.alloc.method = 0;
	sig_turn_peer_add(&t, &peer, 3000);
	check_actions(&t);
	feed(&t, &t.ptx[0], data, size);
	/* A probe in flight, no allocation. */
	sig_turn_init(&t, fixed_random);
	sig_turn_set_cred(&t, &c, 1000);
	sig_turn_probe(&t, 1000);
	check_actions(&t);
	feed(&t, &t.probe, data, size);
	sig_turn_fini(&t);
	return 0;
}
