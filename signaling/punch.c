/* SPDX-License-Identifier: MIT */
/* Punching through NATs with Happy Eyeballs (punch.h). */
#include <string.h>

#include "punch.h"

void sig_punch_init(struct sig_punch *p, const struct sig_punch_conf *conf)
{
	memset(p, 0, sizeof(*p));
	p->conf = *conf;
}

void sig_punch_self(struct sig_punch *p, const uint8_t key[SIG_PUBKEY_LEN],
		    const struct net_endpoint *local, unsigned n_local)
{
	memcpy(p->self_key, key, SIG_PUBKEY_LEN);
	for (unsigned i = 0; i < n_local; i++)
		if (local[i].addr.family == NET_AF_IP4)
			p->local4 = local[i].addr;
}

void sig_punch_observed(struct sig_punch *p, const struct net_endpoint *observed)
{
	if (observed->addr.family == NET_AF_IP4)
		p->observed4 = observed->addr;
}

/* Behind an IPv4 NAT: the nucleus saw us at another address than ours. */
static bool self_natted(const struct sig_punch *p)
{
	return net_addr_is_set(&p->observed4) && !net_addr_equal(&p->observed4, &p->local4);
}

/* The peer is behind an IPv4 NAT: the nucleus saw it (kind observed) at
 * none of its own IPv4 addresses. The nucleus leaves out an own
 * candidate equal to the observed one, so a peer with no IPv4 one left
 * was seen at its own. */
static bool peer_natted(const struct sig_peer *peer)
{
	const struct sig_addr *obs = NULL;
	bool local4 = false;
	unsigned i;

	for (i = 0; i < peer->n_cand && i < SIG_CAND_MAX; i++)
		if (peer->cand[i].kind == SIG_KIND_OBSERVED &&
		    peer->cand[i].ep.addr.family == NET_AF_IP4)
			obs = &peer->cand[i];
	if (!obs)
		return false;
	for (i = 0; i < peer->n_cand && i < SIG_CAND_MAX; i++) {
		if (peer->cand[i].kind != SIG_KIND_LOCAL ||
		    peer->cand[i].ep.addr.family != NET_AF_IP4)
			continue;
		if (net_addr_equal(&peer->cand[i].ep.addr, &obs->ep.addr))
			return false;
		local4 = true;
	}
	return local4;
}

bool sig_punch_leads(const struct sig_punch *p, const struct sig_peer *peer)
{
	bool we = self_natted(p), they = peer_natted(peer);

	if (we != they)
		return we;
	return memcmp(p->self_key, peer->pubkey, SIG_PUBKEY_LEN) < 0;
}

static bool reachable(const struct sig_punch_conf *conf, unsigned family)
{
	return (family == NET_AF_IP4 && (conf->families & SIG_FAMILY_4)) ||
	       (family == NET_AF_IP6 && (conf->families & SIG_FAMILY_6));
}

unsigned sig_punch_order(const struct sig_punch_conf *conf, const struct sig_peer *peer,
			 struct net_endpoint out[SIG_CAND_MAX], unsigned *n_first)
{
	unsigned first = conf->prefer_ipv6 ? NET_AF_IP6 : NET_AF_IP4;
	unsigned later = conf->prefer_ipv6 ? NET_AF_IP4 : NET_AF_IP6;
	unsigned i, n = 0, pass;

	*n_first = 0;
	for (pass = 0; pass < 2; pass++) {
		unsigned family = pass == 0 ? first : later;

		for (i = 0; i < peer->n_cand && i < SIG_CAND_MAX; i++) {
			if (peer->cand[i].ep.addr.family != family || !reachable(conf, family))
				continue;
			out[n++] = peer->cand[i].ep;
			if (pass == 0)
				(*n_first)++;
		}
	}
	return n;
}

/* Unpopped actions stay below the ring's size as long as the caller pops
 * after every call; should it not, the newest are lost, never memory. */
static void push(struct sig_punch *p, const struct sig_punch_action *a)
{
	if (p->q_n == SIG_PUNCH_LATER_MAX + 1)
		return;
	p->q[(p->q_head + p->q_n++) % (SIG_PUNCH_LATER_MAX + 1)] = *a;
}

static void schedule(struct sig_punch *p, const struct sig_punch_action *a,
		     enum sig_punch_kind kind, uint64_t at_ms)
{
	unsigned i;

	for (i = 0; i < SIG_PUNCH_LATER_MAX && p->later[i].used; i++)
		;
	if (i == SIG_PUNCH_LATER_MAX) {
		p->stats.later_full++;
		return;
	}
	p->later[i].act = *a;
	p->later[i].act.kind = kind;
	p->later[i].at_ms = at_ms;
	p->later[i].used = true;
}

/* The follower's opener: the peer's public candidates (not its local
 * ones: on our LAN the leader's initiation comes straight), IPv4 ones
 * only from behind a NAT. An IPv4 opener from a public address would
 * reach the peer's NAT, one router away, before the peer's own packet
 * opened it, which is the very thing punching must avoid; an IPv6 one
 * opens a stateful firewall, and no IPv6 firewall maps ports. */
static void opener(const struct sig_punch *p, const struct sig_peer *peer,
		   struct sig_punch_action *a)
{
	bool v4 = self_natted(p);

	a->n = 0;
	a->ttl = SIG_PUNCH_OPEN_TTL;
	for (unsigned i = 0; i < peer->n_cand && i < SIG_CAND_MAX; i++) {
		const struct sig_addr *c = &peer->cand[i];

		if (c->kind == SIG_KIND_LOCAL || !reachable(&p->conf, c->ep.addr.family) ||
		    (c->ep.addr.family == NET_AF_IP4 && !v4))
			continue;
		a->cand[a->n++] = c->ep;
	}
}

unsigned sig_punch_input(struct sig_punch *p, const struct sig_peer *peer, uint64_t now_ms)
{
	struct net_endpoint cand[SIG_CAND_MAX];
	struct sig_punch_action a = { .kind = SIG_PUNCH_INITIATE };
	uint64_t lead_at = now_ms + SIG_PUNCH_LEAD_MS;
	unsigned n, n_first;

	n = sig_punch_order(&p->conf, peer, cand, &n_first);
	if (n == 0)
		return 0;
	p->stats.punches++;
	/* Only the preferred family against the other is raced. */
	if (!p->conf.prefer_ipv6 || n_first == 0)
		n_first = n;
	memcpy(a.pubkey, peer->pubkey, SIG_PUBKEY_LEN);
	a.hold_ms = SIG_PUNCH_LEAD_MS + SIG_PUNCH_GRACE_MS + (n_first < n ? p->conf.delay_ms : 0);
	if (!sig_punch_leads(p, peer)) {
		opener(p, peer, &a);
		p->stats.opened += a.n > 0;
		push(p, &a);
		return n;
	}
	p->stats.led++;
	push(p, &a); /* the hold, now */
	a.hold_ms = 0;
	memcpy(a.cand, cand, n_first * sizeof(cand[0]));
	a.n = n_first;
	schedule(p, &a, SIG_PUNCH_INITIATE, lead_at);
	if (n_first < n) {
		memcpy(a.cand, cand + n_first, (n - n_first) * sizeof(cand[0]));
		a.n = n - n_first;
		schedule(p, &a, SIG_PUNCH_RESEND, lead_at + p->conf.delay_ms);
	}
	return n;
}

void sig_punch_tick(struct sig_punch *p, uint64_t now_ms,
		    bool (*waiting)(void *ctx, const uint8_t *pubkey), void *ctx)
{
	for (unsigned i = 0; i < SIG_PUNCH_LATER_MAX; i++) {
		if (!p->later[i].used || now_ms < p->later[i].at_ms)
			continue;
		p->later[i].used = false;
		/* The preferred family answered first: nothing more to race. */
		if (!waiting(ctx, p->later[i].act.pubkey)) {
			p->stats.suppressed++;
			continue;
		}
		p->stats.resends += p->later[i].act.kind == SIG_PUNCH_RESEND;
		push(p, &p->later[i].act);
	}
}

uint64_t sig_punch_next_tick(const struct sig_punch *p)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < SIG_PUNCH_LATER_MAX; i++)
		if (p->later[i].used && p->later[i].at_ms < next)
			next = p->later[i].at_ms;
	return next;
}

bool sig_punch_pop(struct sig_punch *p, struct sig_punch_action *a)
{
	if (!p->q_n)
		return false;
	*a = p->q[p->q_head];
	p->q_head = (p->q_head + 1) % (SIG_PUNCH_LATER_MAX + 1);
	p->q_n--;
	return true;
}
