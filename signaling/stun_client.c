/* SPDX-License-Identifier: MIT */
/* The STUN client's timing (stun_client.h). */
#include <string.h>

#include "stun_client.h"

void sig_stun_client_init(struct sig_stun_client *s, const struct net_endpoint *servers, unsigned n,
			  sig_random_fn random)
{
	memset(s, 0, sizeof(*s));
	s->n_server = n < SIG_STUN_SERVERS_MAX ? n : SIG_STUN_SERVERS_MAX;
	memcpy(s->server, servers, s->n_server * sizeof(servers[0]));
	s->random = random;
}

void sig_stun_client_tick(struct sig_stun_client *s, uint64_t now_ms)
{
	if (!s->n_server)
		return;
	/* A fresh id per round: a late answer to an earlier one is not ours. */
	s->random(s->txid, sizeof(s->txid));
	s->req_len = sig_stun_request(s->req, sizeof(s->req), s->txid, true);
	s->n_out = s->n_server;
	s->next_ms = now_ms + (s->answered ? SIG_STUN_INTERVAL_MS : SIG_STUN_RETRY_MS);
	s->stats.requests++;
}

uint64_t sig_stun_client_next_tick(const struct sig_stun_client *s)
{
	return s->n_server ? s->next_ms : UINT64_MAX;
}

size_t sig_stun_client_pop(struct sig_stun_client *s, struct net_endpoint *to, uint8_t *buf,
			   size_t cap)
{
	if (!s->n_out || cap < s->req_len)
		return 0;
	*to = s->server[s->n_server - s->n_out--];
	memcpy(buf, s->req, s->req_len);
	return s->req_len;
}

bool sig_stun_client_ours(const struct sig_stun_client *s, const struct net_endpoint *from)
{
	for (unsigned i = 0; i < s->n_server; i++)
		if (net_endpoint_equal(from, &s->server[i]))
			return true;
	return false;
}

enum sig_stun_rx sig_stun_client_input(struct sig_stun_client *s, const uint8_t *p, size_t len,
				       const struct net_endpoint *from, uint64_t now_ms)
{
	enum sig_stun_result r;
	struct net_endpoint mapped;

	if (!sig_stun_client_ours(s, from)) {
		s->stats.not_ours++;
		return SIG_STUN_RX_NOT_OURS;
	}
	/* Before the first request there is no id an answer could match. */
	r = s->stats.requests ? sig_stun_parse_response(p, len, s->txid, &mapped) :
				SIG_STUN_WRONG_TXID;
	s->stats.results[r]++;
	if (r != SIG_STUN_OK)
		return SIG_STUN_RX_BAD;
	s->answered = true;
	s->next_ms = now_ms + SIG_STUN_INTERVAL_MS;
	if (net_endpoint_equal(&mapped, &s->reflexive))
		return SIG_STUN_RX_SAME;
	s->reflexive = mapped;
	return SIG_STUN_RX_CHANGED;
}

const struct net_endpoint *sig_stun_client_reflexive(const struct sig_stun_client *s)
{
	return &s->reflexive;
}
