/* SPDX-License-Identifier: MIT */
/* Punching with Happy Eyeballs (punch.h). */
#include <string.h>

#include "punch.h"

void sig_punch_init(struct sig_punch *p, const struct sig_punch_conf *conf)
{
	memset(p, 0, sizeof(*p));
	p->conf = *conf;
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

static void schedule(struct sig_punch *p, const struct sig_punch_action *a, uint64_t at_ms)
{
	unsigned i;

	for (i = 0; i < SIG_PUNCH_LATER_MAX && p->later[i].used; i++)
		;
	if (i == SIG_PUNCH_LATER_MAX) {
		p->stats.later_full++;
		return;
	}
	p->later[i].act = *a;
	p->later[i].act.kind = SIG_PUNCH_RESEND;
	p->later[i].at_ms = at_ms;
	p->later[i].used = true;
}

unsigned sig_punch_input(struct sig_punch *p, const struct sig_peer *peer, uint64_t now_ms)
{
	struct net_endpoint cand[SIG_CAND_MAX];
	struct sig_punch_action a = { .kind = SIG_PUNCH_INITIATE };
	unsigned n, n_first;

	n = sig_punch_order(&p->conf, peer, cand, &n_first);
	if (n == 0)
		return 0;
	p->stats.punches++;
	/* Only the preferred family against the other is raced. */
	if (!p->conf.prefer_ipv6 || n_first == 0)
		n_first = n;
	memcpy(a.pubkey, peer->pubkey, SIG_PUBKEY_LEN);
	memcpy(a.cand, cand, n_first * sizeof(cand[0]));
	a.n = n_first;
	push(p, &a);
	if (n_first < n) {
		memcpy(a.cand, cand + n_first, (n - n_first) * sizeof(cand[0]));
		a.n = n - n_first;
		schedule(p, &a, now_ms + p->conf.delay_ms);
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
		p->stats.resends++;
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
