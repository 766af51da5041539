// SPDX-License-Identifier: MIT
/*
 * The nucleus client and STUN on the control loop (edge_signal.h). Runs on
 * the main lcore only, like everything that changes peers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <sodium.h>

#include "config/value.h"
#include "pipeline/control_peers.h"
#include "signaling/client.h"
#include "signaling/codec.h"
#include "signaling/endpoint.h"
#include "signaling/stun.h"
#include "wg/key.h"

#include "edge.h"
#include "httpd/text.h"
#include "edge_peers.h"
#include "edge_signal.h"

enum {
	OUTBOX_MAX = 8,		/* datagrams waiting for the next hop's MAC */
	OUTBOX_TTL_MS = 2000,
	WAITING_MAX = 64,	/* host packets waiting for a query's answer */
	WAITING_TTL_MS = 5000,
	PUNCH_MAX = 16,		/* later-family punches pending (Happy Eyeballs) */
	STUN_MAX = 4,
	STUN_INTERVAL_MS = 30000,
	STUN_RETRY_MS = 1000,
	CLUSTER_KEEPALIVE_S = 25, /* keeps NAT mappings open */
};

struct outbox_item {
	struct sig_addr to;
	uint64_t until_ms;
	size_t len;
	uint8_t buf[SIG_DATAGRAM_MAX];
};

struct waiting {
	struct rte_mbuf *m;
	struct sig_addr target;	/* the VIP asked for */
	uint64_t until_ms;
};

struct punch_later {
	uint8_t pubkey[WG_KEY_LEN];
	struct omni_dp_endpoint cand[SIG_CAND_MAX];
	unsigned n;
	uint64_t at_ns;
	bool used;
};

struct omni_signal {
	struct sig_client *client;
	struct sig_addr nucleus;
	char nucleus_text[SIG_ENDPOINT_TEXT_MAX];
	struct sig_addr stun[STUN_MAX];
	unsigned n_stun;
	uint8_t stun_txid[SIG_STUN_TXID_LEN];
	uint64_t stun_next_ms;
	bool stun_done;
	struct sig_addr reflexive;
	uint8_t psk[WG_KEY_LEN];
	bool prefer_ipv6;
	uint32_t he_delay_ms;
	struct outbox_item outbox[OUTBOX_MAX];
	unsigned n_outbox;
	struct waiting waiting[WAITING_MAX];
	struct punch_later later[PUNCH_MAX];
	struct {
		uint64_t joined, left, moved, found, not_found, punches, queries;
		uint64_t waiting_dropped, stun_ok, stun_bad, not_from_nucleus;
	} stats;
};

static uint64_t unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void addr_to_net(const struct sig_addr *a, struct net_addr *n)
{
	memset(n, 0, sizeof(*n));
	if (a->family == 4) {
		n->family = NET_AF_IP4;
		memcpy(n->ip4.b, a->ip, 4);
	} else if (a->family == 6) {
		n->family = NET_AF_IP6;
		memcpy(n->ip6.b, a->ip, 16);
	}
}

static void addr_from_view(const struct net_udp_view *v, struct sig_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = v->src.family == NET_AF_IP4 ? 4 : 6;
	a->port = v->src_port;
	memcpy(a->ip, v->src.family == NET_AF_IP4 ? v->src.ip4.b : v->src.ip6.b,
	       v->src.family == NET_AF_IP4 ? 4 : 16);
}

/* ---- sending ---- */

static bool send_now(struct omni_edge *e, const struct sig_addr *to, const void *p, size_t len)
{
	struct net_addr dst;

	addr_to_net(to, &dst);
	return omni_control_send_udp_addr(&e->ctl, &dst, to->port, p, (uint32_t)len,
					  omni_now_ns(&e->dp));
}

/* Sends, or keeps it for a moment while the next hop is resolved. */
static void send_or_keep(struct omni_edge *e, const struct sig_addr *to, const uint8_t *p,
			 size_t len, uint64_t now_ms)
{
	struct omni_signal *s = e->sig;
	struct outbox_item *it;

	if (send_now(e, to, p, len) || s->n_outbox == OUTBOX_MAX || len > sizeof(it->buf))
		return;
	it = &s->outbox[s->n_outbox++];
	it->to = *to;
	it->until_ms = now_ms + OUTBOX_TTL_MS;
	it->len = len;
	memcpy(it->buf, p, len);
}

static unsigned flush_outbox(struct omni_edge *e, uint64_t now_ms)
{
	struct omni_signal *s = e->sig;
	unsigned i = 0, sent = 0;

	while (i < s->n_outbox) {
		struct outbox_item *it = &s->outbox[i];

		if (send_now(e, &it->to, it->buf, it->len) || now_ms > it->until_ms) {
			sent++;
			s->outbox[i] = s->outbox[--s->n_outbox];
		} else {
			i++;
		}
	}
	return sent;
}

/* ---- peers from the cluster ---- */

static void cand_to_ep(const struct sig_addr *a, struct omni_dp_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	addr_to_net(a, &ep->addr);
	ep->port = a->port;
}

/* Candidates we can reach (our underlay has that family), the preferred
 * family first; *n_first of them are of that family. idx (may be NULL)
 * gets each one's place in p->cand. */
static unsigned usable_cands(const struct omni_edge *e, const struct sig_peer *p,
			     struct omni_dp_endpoint *out, unsigned *idx, unsigned *n_first)
{
	const struct net_local *l = &e->dp.local;
	static const uint8_t zero[16];
	bool have4 = memcmp(l->ip4.b, zero, 4) != 0, have6 = memcmp(l->ip6.b, zero, 16) != 0;
	int first = e->sig->prefer_ipv6 ? 6 : 4;
	unsigned i, n = 0, pass;

	*n_first = 0;
	for (pass = 0; pass < 2; pass++) {
		int fam = pass == 0 ? first : (first == 6 ? 4 : 6);

		for (i = 0; i < p->n_cand && i < SIG_CAND_MAX; i++) {
			if (p->cand[i].family != fam || (fam == 4 && !have4) || (fam == 6 && !have6))
				continue;
			if (idx)
				idx[n] = i;
			cand_to_ep(&p->cand[i], &out[n++]);
			if (pass == 0)
				(*n_first)++;
		}
	}
	return n;
}

static void vip_prefix(uint8_t family, const uint8_t *ip, struct omni_prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family == 4 ? AF_INET : AF_INET6;
	out->len = family == 4 ? 32 : 128;
	memcpy(out->addr.bytes, ip, family == 4 ? 4 : 16);
}

/* The WireGuard peer for a cluster member; its live slot, or NULL. */
static struct omni_dp_peer *install(struct omni_edge *e, const struct sig_peer *sp)
{
	struct omni_dp_endpoint cands[SIG_CAND_MAX];
	struct omni_prefix aips[2];
	struct omni_peer p = { 0 };
	char err[OMNI_CONFIG_ERR_MAX], key[WG_KEY_B64_LEN + 1], ep[OMNI_ADDR_TEXT_MAX];
	unsigned idx[SIG_CAND_MAX], n_first, n;

	if (sodium_memcmp(sp->pubkey, e->ctl.id.public_key, WG_KEY_LEN) == 0)
		return NULL;
	memcpy(p.public_key, sp->pubkey, WG_KEY_LEN);
	p.has_public_key = true;
	memcpy(p.preshared_key, e->sig->psk, WG_KEY_LEN);
	p.has_preshared_key = true;
	if (sp->flags & SIG_PEER_HAS_VIP4)
		vip_prefix(4, sp->vip4, &aips[p.n_allowed_ips++]);
	if (sp->flags & SIG_PEER_HAS_VIP6)
		vip_prefix(6, sp->vip6, &aips[p.n_allowed_ips++]);
	p.allowed_ips = aips;
	p.persistent_keepalive = CLUSTER_KEEPALIVE_S;
	n = usable_cands(e, sp, cands, idx, &n_first);
	if (n)
		sig_addr_to_sockaddr(&sp->cand[idx[0]], sp->cand[idx[0]].family == 4 ? AF_INET : AF_INET6,
				     &p.endpoint.addr);
	wg_key_to_base64(key, sp->pubkey);
	omni_sockaddr_format(&p.endpoint.addr, ep);
	printf("omninervous: nucleus: peer %s at %s (%u candidate(s))\n", key, ep, n);
	if (omni_edge_peer_add(e, &p, err, sizeof(err)) != 0)
		printf("omninervous: nucleus: peer %s not installed: %s\n", key, err);
	sodium_memzero(p.preshared_key, WG_KEY_LEN);
	return omni_control_peer_find(&e->ctl, sp->pubkey);
}

/* Candidates whose next hop was still being resolved get the same
 * initiation from the outbox as soon as it is (a first ND/ARP must not
 * hand the race to the later family). */
static void resend_later(struct omni_edge *e, struct omni_dp_peer *peer,
			 const struct omni_dp_endpoint *cands, unsigned n)
{
	uint64_t now_ms = unix_ms();

	for (unsigned i = 0; i < n; i++) {
		struct sig_addr to = { .family = cands[i].addr.family == NET_AF_IP4 ? 4 : 6,
				       .port = cands[i].port };

		memcpy(to.ip, cands[i].addr.family == NET_AF_IP4 ? cands[i].addr.ip4.b :
								  cands[i].addr.ip6.b,
		       to.family == 4 ? 4 : 16);
		send_or_keep(e, &to, peer->last_init, sizeof(peer->last_init), now_ms);
	}
}

/* Handshakes to every candidate at once; the later family after the
 * Happy Eyeballs delay unless the first already answered. */
static void punch(struct omni_edge *e, const struct sig_peer *sp)
{
	struct omni_signal *s = e->sig;
	struct omni_dp_endpoint cands[SIG_CAND_MAX];
	struct omni_dp_peer *peer = install(e, sp);
	uint64_t now = omni_now_ns(&e->dp);
	unsigned n_first, n, i;

	if (!peer)
		return;
	n = usable_cands(e, sp, cands, NULL, &n_first);
	if (n == 0)
		return;
	s->stats.punches++;
	if (!s->prefer_ipv6 || n_first == 0 || n_first == n)
		n_first = n;
	if (omni_control_initiate_to(&e->ctl, peer, cands, n_first, now) < n_first)
		resend_later(e, peer, cands, n_first);
	if (n_first == n)
		return;
	for (i = 0; i < PUNCH_MAX && s->later[i].used; i++)
		;
	if (i == PUNCH_MAX)
		return;
	memcpy(s->later[i].pubkey, sp->pubkey, WG_KEY_LEN);
	memcpy(s->later[i].cand, cands + n_first, (n - n_first) * sizeof(cands[0]));
	s->later[i].n = n - n_first;
	s->later[i].at_ns = now + (uint64_t)s->he_delay_ms * 1000000;
	s->later[i].used = true;
}

static unsigned punch_later(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;
	uint64_t now = omni_now_ns(&e->dp);
	unsigned i, n = 0;

	for (i = 0; i < PUNCH_MAX; i++) {
		struct punch_later *l = &s->later[i];
		struct omni_dp_peer *peer;

		if (!l->used || now < l->at_ns)
			continue;
		l->used = false;
		peer = omni_control_peer_find(&e->ctl, l->pubkey);
		/* The preferred family answered first: nothing more to race. */
		if (peer && !peer->tx)
			n += omni_control_resend_initiation_to(&e->ctl, peer, l->cand, l->n, now);
	}
	return n;
}

/* Packets that waited for target go to its peer's queue (sent once the
 * handshake is done), or are dropped when nobody has it. */
static void release_waiting(struct omni_edge *e, const struct sig_addr *target,
			    struct omni_dp_peer *peer)
{
	struct omni_signal *s = e->sig;

	for (unsigned i = 0; i < WAITING_MAX; i++) {
		struct waiting *w = &s->waiting[i];

		if (!w->m || w->target.family != target->family ||
		    memcmp(w->target.ip, target->ip, target->family == 4 ? 4 : 16))
			continue;
		if (peer && peer->staged && rte_ring_mp_enqueue(peer->staged, w->m) == 0) {
			__atomic_store_n(&peer->want_handshake, 1, __ATOMIC_RELAXED);
		} else {
			rte_pktmbuf_free(w->m);
			s->stats.waiting_dropped++;
		}
		w->m = NULL;
	}
}

static void print_peer(const char *what, const struct sig_peer *sp)
{
	char key[WG_KEY_B64_LEN + 1], vip[SIG_ENDPOINT_TEXT_MAX] = "-";
	struct sig_addr a = { .family = 4 };

	wg_key_to_base64(key, sp->pubkey);
	if (sp->flags & SIG_PEER_HAS_VIP4) {
		memcpy(a.ip, sp->vip4, 4);
		sig_endpoint_format(&a, vip);
		*strrchr(vip, ':') = '\0';
	}
	printf("omninervous: nucleus: peer %s %s vip %s\n", what, key, vip);
}

static void on_event(struct omni_edge *e, const struct sig_event *ev)
{
	struct omni_signal *s = e->sig;
	char a[SIG_ENDPOINT_TEXT_MAX];
	struct omni_dp_peer *peer;

	switch (ev->type) {
	case SIG_EV_REGISTERED:
		sig_endpoint_format(&ev->observed, a);
		printf("omninervous: nucleus: registered with %s as %s (cluster %s)\n",
		       s->nucleus_text, a, e->cfg.network.cluster);
		break;
	case SIG_EV_LOST:
		printf("omninervous: nucleus: %s stopped answering; registering again\n",
		       s->nucleus_text);
		break;
	case SIG_EV_JOINED:
	case SIG_EV_MOVED:
		print_peer(ev->type == SIG_EV_JOINED ? "joined" : "moved", &ev->peer);
		ev->type == SIG_EV_JOINED ? s->stats.joined++ : s->stats.moved++;
		install(e, &ev->peer);
		break;
	case SIG_EV_LEFT: {
		char err[OMNI_CONFIG_ERR_MAX];

		print_peer("left", &ev->peer);
		s->stats.left++;
		omni_edge_peer_del(e, ev->peer.pubkey, err, sizeof(err));
		break;
	}
	case SIG_EV_FOUND:
		s->stats.found++;
		peer = install(e, &ev->peer);
		release_waiting(e, &ev->target, peer);
		break;
	case SIG_EV_NOT_FOUND:
		s->stats.not_found++;
		release_waiting(e, &ev->target, NULL);
		break;
	case SIG_EV_PUNCH:
		punch(e, &ev->peer);
		break;
	}
	fflush(stdout);
}

static unsigned drain(struct omni_edge *e, uint64_t now_ms)
{
	struct omni_signal *s = e->sig;
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_event ev;
	unsigned n = 0;
	size_t len;

	while ((len = sig_client_pop_datagram(s->client, buf, sizeof(buf))) > 0) {
		send_or_keep(e, &s->nucleus, buf, len, now_ms);
		n++;
	}
	while (sig_client_pop_event(s->client, &ev)) {
		on_event(e, &ev);
		n++;
	}
	return n;
}

/* ---- STUN ---- */

static void stun_ask(struct omni_edge *e, uint64_t now_ms)
{
	struct omni_signal *s = e->sig;
	uint8_t req[SIG_STUN_REQUEST_MAX];
	size_t len;

	randombytes_buf(s->stun_txid, sizeof(s->stun_txid));
	len = sig_stun_request(req, sizeof(req), s->stun_txid, true);
	for (unsigned i = 0; i < s->n_stun; i++)
		send_or_keep(e, &s->stun[i], req, len, now_ms);
	s->stun_next_ms = now_ms + (s->stun_done ? STUN_INTERVAL_MS : STUN_RETRY_MS);
}

static void stun_rx(struct omni_edge *e, const uint8_t *p, size_t len, const struct sig_addr *from,
		    uint64_t now_ms)
{
	struct omni_signal *s = e->sig;
	char a[SIG_ENDPOINT_TEXT_MAX], b[SIG_ENDPOINT_TEXT_MAX];
	struct sig_addr mapped;

	if (sig_stun_parse_response(p, len, s->stun_txid, &mapped) != SIG_STUN_OK) {
		s->stats.stun_bad++;
		return;
	}
	s->stats.stun_ok++;
	s->stun_done = true;
	s->stun_next_ms = now_ms + STUN_INTERVAL_MS;
	if (sig_addr_equal(&mapped, &s->reflexive))
		return;
	s->reflexive = mapped;
	mapped.kind = SIG_KIND_STUN;
	sig_client_set_reflexive(s->client, &mapped, now_ms);
	sig_endpoint_format(&mapped, a);
	sig_endpoint_format(from, b);
	printf("omninervous: stun: reflexive address %s (from %s)\n", a, b);
	fflush(stdout);
}

/* ---- control hooks ---- */

static void udp_hook(void *ctx, struct rte_mbuf *m, const struct net_udp_view *v, uint64_t now)
{
	struct omni_edge *e = ctx;
	struct omni_signal *s = e->sig;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *) + v->payload_off;
	uint64_t now_ms = unix_ms();
	struct sig_addr from;
	unsigned i;

	(void)now;
	addr_from_view(v, &from);
	if (sig_addr_equal(&from, &s->nucleus) && sig_is_signaling(p, v->payload_len)) {
		sig_client_input(s->client, p, v->payload_len, now_ms);
		drain(e, now_ms);
	} else if (sig_stun_is_stun(p, v->payload_len)) {
		for (i = 0; i < s->n_stun && !sig_addr_equal(&from, &s->stun[i]); i++)
			;
		if (i < s->n_stun)
			stun_rx(e, p, v->payload_len, &from, now_ms);
		else
			s->stats.not_from_nucleus++;
	} else {
		s->stats.not_from_nucleus++; /* not ours to answer: dropped */
	}
	rte_pktmbuf_free(m);
}

/* The destination of a host frame (IPv4 or IPv6) as a query target. */
static bool frame_target(const struct rte_mbuf *m, struct sig_addr *t)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct net_eth eth;

	memset(t, 0, sizeof(*t));
	if (net_eth_parse(f, m->data_len, &eth) != NET_DROP_OK)
		return false;
	f += eth.hdr_len;
	if (eth.type == NET_ETH_IP4 && m->data_len >= eth.hdr_len + 20u) {
		t->family = 4;
		memcpy(t->ip, f + 16, 4);
		return true;
	}
	if (eth.type == NET_ETH_IP6 && m->data_len >= eth.hdr_len + 40u) {
		t->family = 6;
		memcpy(t->ip, f + 24, 16);
		return true;
	}
	return false;
}

static void miss_hook(void *ctx, struct rte_mbuf *m, uint64_t now)
{
	struct omni_edge *e = ctx;
	struct omni_signal *s = e->sig;
	uint64_t now_ms = unix_ms();
	struct sig_addr t;
	unsigned i, free_i = WAITING_MAX;

	(void)now;
	if (!frame_target(m, &t)) {
		rte_pktmbuf_free(m);
		return;
	}
	for (i = 0; i < WAITING_MAX; i++)
		if (!s->waiting[i].m && free_i == WAITING_MAX)
			free_i = i;
	if (free_i == WAITING_MAX) {
		rte_pktmbuf_free(m);
		s->stats.waiting_dropped++;
		return;
	}
	if (sig_client_query(s->client, &t, now_ms) == 0)
		s->stats.queries++;
	s->waiting[free_i] = (struct waiting){ .m = m, .target = t,
					       .until_ms = now_ms + WAITING_TTL_MS };
	drain(e, now_ms);
}

static void expire_waiting(struct omni_signal *s, uint64_t now_ms)
{
	for (unsigned i = 0; i < WAITING_MAX; i++)
		if (s->waiting[i].m && now_ms > s->waiting[i].until_ms) {
			rte_pktmbuf_free(s->waiting[i].m);
			s->waiting[i].m = NULL;
			s->stats.waiting_dropped++;
		}
}

/* ---- life cycle ---- */

static uint32_t test_heartbeat_ms(void)
{
	const char *v = getenv("OMNI_TEST_HEARTBEAT_MS");
	unsigned long ms = v ? strtoul(v, NULL, 10) : 0;

	return ms >= 100 && ms <= 600000 ? (uint32_t)ms : 0;
}

static int resolve_servers(struct omni_signal *s, const struct omni_config *cfg, int prefer,
			   const char *prog)
{
	char err[256];

	if (sig_endpoint_resolve(cfg->network.nucleus, &s->nucleus, 51820, prefer, err,
				 sizeof(err)) != 0) {
		fprintf(stderr, "%s: --nucleus %s: %s\n", prog, cfg->network.nucleus, err);
		return -1;
	}
	sig_endpoint_format(&s->nucleus, s->nucleus_text);
	for (size_t i = 0; i < cfg->network.n_stun_servers && s->n_stun < STUN_MAX; i++) {
		if (sig_endpoint_resolve(cfg->network.stun_servers[i], &s->stun[s->n_stun], 3478,
					 prefer, err, sizeof(err)) == 0)
			s->n_stun++;
		else
			fprintf(stderr, "%s: warning: STUN server %s skipped: %s\n", prog,
				cfg->network.stun_servers[i], err);
	}
	return 0;
}

static void local_candidates(const struct omni_edge *e, struct sig_client_conf *cc)
{
	const struct net_local *l = &e->dp.local;
	static const uint8_t zero[16];

	if (memcmp(l->ip4.b, zero, 4)) {
		cc->local[cc->n_local] = (struct sig_addr){ .family = 4, .kind = SIG_KIND_LOCAL,
							    .port = l->port };
		memcpy(cc->local[cc->n_local++].ip, l->ip4.b, 4);
	}
	if (memcmp(l->ip6.b, zero, 16)) {
		cc->local[cc->n_local] = (struct sig_addr){ .family = 6, .kind = SIG_KIND_LOCAL,
							    .port = l->port };
		memcpy(cc->local[cc->n_local++].ip, l->ip6.b, 16);
	}
}

/* Host packets to the cluster's networks no peer has are asked about. */
static void cluster_networks(struct omni_edge *e)
{
	const struct omni_network *n = &e->cfg.network;
	struct omni_prefix p;

	if (n->vip.family == AF_INET) {
		p = n->vip;
		omni_prefix_mask(&p);
		memcpy(e->dp.miss4, p.addr.bytes, 4);
		e->dp.miss4_len = p.len;
	}
	if (n->vip6.family == AF_INET6) {
		p = n->vip6;
		omni_prefix_mask(&p);
		memcpy(e->dp.miss6, p.addr.bytes, 16);
		e->dp.miss6_len = p.len;
	}
}

int omni_edge_signal_start(struct omni_edge *e, const char *prog)
{
	const struct omni_config *cfg = &e->cfg;
	struct sig_client_conf cc = { 0 };
	struct omni_signal *s;
	char err[256];
	int prefer = cfg->network.prefer_ipv6 ? 6 : 0;

	if (!cfg->network.nucleus)
		return 0;
	if (!cfg->network.cluster || !cfg->security.secret) {
		fprintf(stderr, "%s: a nucleus needs --cluster NAME and --secret (or the file's "
			"network.cluster and security.secret)\n", prog);
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	e->sig = s;
	if (resolve_servers(s, cfg, prefer, prog) != 0)
		return -1;
	s->prefer_ipv6 = cfg->network.prefer_ipv6;
	s->he_delay_ms = cfg->network.happy_eyeballs_delay_ms;
	sig_cluster_psk(cfg->security.secret, s->psk);
	cc.cluster = cfg->network.cluster;
	cc.secret = cfg->security.secret;
	memcpy(cc.pubkey, e->ctl.id.public_key, WG_KEY_LEN);
	if (cfg->network.vip.family == AF_INET) {
		memcpy(cc.vip4, cfg->network.vip.addr.bytes, 4);
		cc.vip_flags |= SIG_PEER_HAS_VIP4;
	}
	if (cfg->network.vip6.family == AF_INET6) {
		memcpy(cc.vip6, cfg->network.vip6.addr.bytes, 16);
		cc.vip_flags |= SIG_PEER_HAS_VIP6;
	}
	local_candidates(e, &cc);
	cc.encrypt = cfg->security.encrypt_signaling;
	cc.heartbeat_ms = test_heartbeat_ms();
	s->client = sig_client_create(&cc, err, sizeof(err));
	if (!s->client) {
		fprintf(stderr, "%s: nucleus client: %s\n", prog, err);
		return -1;
	}
	cluster_networks(e);
	e->ctl.hook_ctx = e;
	e->ctl.udp_hook = udp_hook;
	e->ctl.miss_hook = miss_hook;
	e->dp.other_udp_to_control = true;
	printf("%s: nucleus %s, cluster %s, %u STUN server(s)\n", prog, s->nucleus_text,
	       cfg->network.cluster, s->n_stun);
	fflush(stdout);
	return 0;
}

unsigned omni_edge_signal_poll(struct omni_edge *e, uint64_t now_ns)
{
	struct omni_signal *s = e->sig;
	uint64_t now_ms;
	unsigned n;

	(void)now_ns; /* still on its own clock (unix_ms) */

	if (!s || !s->client)
		return 0;
	now_ms = unix_ms();
	n = flush_outbox(e, now_ms) + punch_later(e);
	if (now_ms >= sig_client_next_tick(s->client))
		sig_client_tick(s->client, now_ms);
	if (s->n_stun && now_ms >= s->stun_next_ms)
		stun_ask(e, now_ms);
	expire_waiting(s, now_ms);
	return n + drain(e, now_ms);
}

static uint64_t rx_total(const struct sig_client_stats *cs)
{
	uint64_t rx = 0;

	for (unsigned k = 0; k < SIG_TYPE_COUNT; k++)
		rx += cs->rx[k];
	return rx;
}

void omni_edge_signal_print_stats(const struct omni_edge *e, FILE *out)
{
	const struct omni_signal *s = e->sig;

	if (!s || !s->client)
		return;
	fprintf(out, "stats: sig_rx %" PRIu64 "\n", rx_total(sig_client_stats(s->client)));
	fprintf(out, "stats: sig_registered %d\n", sig_client_registered(s->client));
	fprintf(out, "stats: sig_peers %u\n", sig_client_n_peers(s->client));
	fprintf(out, "stats: sig_joined %" PRIu64 "\nstats: sig_left %" PRIu64 "\n",
		s->stats.joined, s->stats.left);
	fprintf(out, "stats: sig_moved %" PRIu64 "\nstats: sig_found %" PRIu64 "\n",
		s->stats.moved, s->stats.found);
	fprintf(out, "stats: sig_not_found %" PRIu64 "\nstats: sig_punches %" PRIu64 "\n",
		s->stats.not_found, s->stats.punches);
	fprintf(out, "stats: sig_queries %" PRIu64 "\nstats: sig_waiting_dropped %" PRIu64 "\n",
		s->stats.queries, s->stats.waiting_dropped);
	fprintf(out, "stats: stun_ok %" PRIu64 "\nstats: stun_bad %" PRIu64 "\n",
		s->stats.stun_ok, s->stats.stun_bad);
	fprintf(out, "stats: sig_dropped_other %" PRIu64 "\n", s->stats.not_from_nucleus);
}

void omni_edge_signal_metrics(const struct omni_edge *e, struct omni_text *t)
{
	const struct omni_signal *s = e->sig;
	const struct sig_client_stats *cs;
	unsigned k;

	if (!s || !s->client)
		return;
	cs = sig_client_stats(s->client);
	omni_text_printf(t, "# HELP omni_signaling_messages_total Signaling messages by type "
			 "and direction.\n# TYPE omni_signaling_messages_total counter\n");
	for (k = 1; k < SIG_TYPE_COUNT; k++)
		omni_text_printf(t, "omni_signaling_messages_total{type=\"%s\",dir=\"rx\"} %llu\n"
				 "omni_signaling_messages_total{type=\"%s\",dir=\"tx\"} %llu\n",
				 sig_type_name(k), (unsigned long long)cs->rx[k], sig_type_name(k),
				 (unsigned long long)cs->tx[k]);
	omni_text_printf(t, "# HELP omni_signaling_drops_total Signaling messages dropped, by "
			 "reason.\n# TYPE omni_signaling_drops_total counter\n");
	for (k = 1; k < SIG_DROP_COUNT; k++)
		omni_text_printf(t, "omni_signaling_drops_total{reason=\"%s\"} %llu\n",
				 sig_drop_name((enum sig_drop)k), (unsigned long long)cs->drops[k]);
	omni_text_printf(t, "# HELP omni_cluster_peers Cluster members the nucleus told us about.\n"
			 "# TYPE omni_cluster_peers gauge\nomni_cluster_peers %u\n",
			 sig_client_n_peers(s->client));
	omni_text_printf(t, "# HELP omni_cluster_events_total Members joined, left, moved.\n"
			 "# TYPE omni_cluster_events_total counter\n"
			 "omni_cluster_events_total{event=\"joined\"} %llu\n"
			 "omni_cluster_events_total{event=\"left\"} %llu\n"
			 "omni_cluster_events_total{event=\"moved\"} %llu\n"
			 "omni_cluster_events_total{event=\"punch\"} %llu\n",
			 (unsigned long long)s->stats.joined, (unsigned long long)s->stats.left,
			 (unsigned long long)s->stats.moved, (unsigned long long)s->stats.punches);
	omni_text_printf(t, "# HELP omni_stun_responses_total STUN answers, good and bad.\n"
			 "# TYPE omni_stun_responses_total counter\n"
			 "omni_stun_responses_total{result=\"ok\"} %llu\n"
			 "omni_stun_responses_total{result=\"bad\"} %llu\n",
			 (unsigned long long)s->stats.stun_ok, (unsigned long long)s->stats.stun_bad);
}

const char *omni_edge_signal_state(const struct omni_edge *e)
{
	if (!e->cfg.network.nucleus)
		return "not configured";
	if (!e->sig || !e->sig->client)
		return "not started";
	return sig_client_registered(e->sig->client) ? "registered" : "registering";
}

void omni_edge_signal_leave(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;
	uint64_t now_ms = unix_ms();

	if (!s || !s->client)
		return;
	sig_client_leave(s->client, now_ms);
	drain(e, now_ms);
}

void omni_edge_signal_stop(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;

	if (!s)
		return;
	for (unsigned i = 0; i < WAITING_MAX; i++)
		rte_pktmbuf_free(s->waiting[i].m);
	sig_client_destroy(s->client);
	sodium_memzero(s->psk, sizeof(s->psk));
	free(s);
	e->sig = NULL;
	e->ctl.udp_hook = NULL;
	e->ctl.miss_hook = NULL;
}
