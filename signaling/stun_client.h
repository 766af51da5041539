/* SPDX-License-Identifier: MIT */
/*
 * The STUN client's timing on top of the codec (stun.h): a Binding request
 * with a fresh random transaction id to every configured server, every
 * SIG_STUN_RETRY_MS until the first answer, then every
 * SIG_STUN_INTERVAL_MS (the answer keeps the NAT mapping open and shows
 * when it moves). Only an answer from a configured server to the latest
 * request counts. Pure: datagrams and a clock in, datagrams and a result
 * out; the random source is the caller's (randombytes_buf; a fixed one in
 * tests).
 *
 *   sig_stun_client_init(&s, servers, n, randombytes_buf);
 *   now_ms >= sig_stun_client_next_tick(&s):  sig_stun_client_tick(&s, now_ms);
 *   then:  while ((len = sig_stun_client_pop(&s, &to, buf, sizeof(buf)))) send buf to `to`;
 *   a STUN datagram (sig_stun_is_stun) from `from`:
 *       switch (sig_stun_client_input(&s, p, len, &from, now_ms))
 *       SIG_STUN_RX_CHANGED: sig_stun_client_reflexive(&s) is the new reflexive
 *                            candidate (sig_client_set_reflexive)
 *
 * Single-threaded.
 */
#ifndef OMNI_SIGNALING_STUN_CLIENT_H
#define OMNI_SIGNALING_STUN_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stun.h"
#include "wire.h"

enum {
	SIG_STUN_SERVERS_MAX = 4,
	SIG_STUN_RETRY_MS = 1000,
	SIG_STUN_INTERVAL_MS = 30000, /* below the shortest common UDP NAT timeout */
};

/* What a datagram meant. */
enum sig_stun_rx {
	SIG_STUN_RX_NOT_OURS = 1, /* not from a configured server: the caller drops it */
	SIG_STUN_RX_BAD,          /* not a good answer to our latest request */
	SIG_STUN_RX_SAME,         /* the reflexive address as before */
	SIG_STUN_RX_CHANGED,      /* a new reflexive address */
};

/* Fills buf with len random bytes (randombytes_buf's shape). */
typedef void (*sig_random_fn)(void *buf, size_t len);

struct sig_stun_client_stats {
	uint64_t requests;                       /* rounds sent */
	uint64_t results[SIG_STUN_RESULT_COUNT]; /* answers by parse result */
	uint64_t not_ours;
};

struct sig_stun_client {
	struct net_endpoint server[SIG_STUN_SERVERS_MAX];
	unsigned n_server;
	sig_random_fn random;
	uint8_t txid[SIG_STUN_TXID_LEN]; /* of the latest request */
	uint8_t req[SIG_STUN_REQUEST_MAX];
	size_t req_len;
	unsigned n_out; /* servers still to pop the request for */
	uint64_t next_ms;
	bool answered;
	struct net_endpoint reflexive; /* family NET_AF_NONE: none yet */
	struct sig_stun_client_stats stats;
};

/* servers: at most SIG_STUN_SERVERS_MAX are used. random: required. */
void sig_stun_client_init(struct sig_stun_client *s, const struct net_endpoint *servers, unsigned n,
			  sig_random_fn random);
/* A new request for every server (pop them). */
void sig_stun_client_tick(struct sig_stun_client *s, uint64_t now_ms);
/* When sig_stun_client_tick is due; UINT64_MAX: no servers. */
uint64_t sig_stun_client_next_tick(const struct sig_stun_client *s);
/* The next request into buf and its server into *to: its length, 0 when none. */
size_t sig_stun_client_pop(struct sig_stun_client *s, struct net_endpoint *to, uint8_t *buf,
			   size_t cap);
/* Whether from is a configured server. */
bool sig_stun_client_ours(const struct sig_stun_client *s, const struct net_endpoint *from);
enum sig_stun_rx sig_stun_client_input(struct sig_stun_client *s, const uint8_t *p, size_t len,
				       const struct net_endpoint *from, uint64_t now_ms);
/* The latest reflexive address (family NET_AF_NONE: none yet). */
const struct net_endpoint *sig_stun_client_reflexive(const struct sig_stun_client *s);

#endif /* OMNI_SIGNALING_STUN_CLIENT_H */
