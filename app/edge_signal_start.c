/* SPDX-License-Identifier: MIT */
/*
 * Start and stop of the edge's nucleus glue (edge_signal.h): the nucleus
 * and STUN servers resolved once, signaling/edge.h's state machine set up
 * from the configuration, control's hooks installed; at stop, parked
 * packets freed.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include <sodium.h>

#include "config/value.h"
#include "pipeline/control_peers.h"
#include "signaling/codec.h"

#include "edge.h"
#include "edge_signal.h"
#include "edge_signal_int.h"

static uint32_t test_heartbeat_ms(void)
{
	const char *v = getenv("OMNI_TEST_HEARTBEAT_MS");
	unsigned long ms = v ? strtoul(v, NULL, 10) : 0;

	return ms >= 100 && ms <= 600000 ? (uint32_t)ms : 0;
}

/* Names are looked up here, once (config's resolver; blocks). */
static int resolve_servers(struct omni_signal *s, const struct cfg_network *net,
			   struct sig_edge_conf *ec, const char *prog)
{
	unsigned prefer = net->prefer_ipv6 ? NET_AF_IP6 : NET_AF_NONE;
	char err[256];

	if (sig_endpoint_resolve(net->nucleus, &ec->nucleus, CFG_DEFAULT_LISTEN_PORT, prefer,
				 cfg_host_resolve, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: --nucleus %s: %s\n", prog, net->nucleus, err);
		return -1;
	}
	net_endpoint_format(&ec->nucleus, s->nucleus_text);
	for (size_t i = 0; i < net->n_stun_servers && ec->n_stun < SIG_STUN_SERVERS_MAX; i++) {
		if (sig_endpoint_resolve(net->stun_servers[i], &ec->stun[ec->n_stun], SIG_STUN_PORT,
					 prefer, cfg_host_resolve, err, sizeof(err)) == 0)
			ec->n_stun++;
		else
			fprintf(stderr, "%s: warning: STUN server %s skipped: %s\n", prog,
				net->stun_servers[i], err);
	}
	return 0;
}

/* Our underlay addresses: the candidates we advertise, and the families
 * we can punch to. */
static unsigned local_candidates(const struct omni_edge *e, struct sig_client_conf *cc)
{
	const struct net_local *l = &e->dp.local;
	static const uint8_t zero[16];
	unsigned families = 0;

	if (memcmp(l->ip4.b, zero, 4)) {
		net_addr_set(&cc->local[cc->n_local].addr, NET_AF_IP4, l->ip4.b);
		cc->local[cc->n_local++].port = l->port;
		families |= SIG_FAMILY_4;
	}
	if (memcmp(l->ip6.b, zero, 16)) {
		net_addr_set(&cc->local[cc->n_local].addr, NET_AF_IP6, l->ip6.b);
		cc->local[cc->n_local++].port = l->port;
		families |= SIG_FAMILY_6;
	}
	return families;
}

/* A VIP without a length (the seeds' --vip 10.200.0.1) says nothing of
 * the cluster's prefix: members are accepted inside its /24 (/64) only
 * (signaling/admit.h), and the operator is told so once. */
static void warn_host_vip(const struct net_prefix *vip, const char *flag, unsigned len,
			  const char *prog)
{
	char text[NET_PREFIX_TEXT_MAX];

	if (vip->addr.family == NET_AF_NONE || vip->len != net_family_bits(vip->addr.family))
		return;
	net_addr_format(&vip->addr, text);
	fprintf(stderr,
		"%s: warning: %s %s has no prefix length: cluster members are accepted "
		"inside its /%u only (write %s %s/LEN for the cluster's prefix)\n",
		prog, flag, text, len, flag, text);
}

/* Host packets to the cluster's networks no peer has are asked about. */
static void cluster_networks(struct omni_edge *e)
{
	const struct cfg_network *n = &e->cfg.network;

	if (n->vip.addr.family == NET_AF_IP4) {
		e->dp.miss4 = n->vip;
		net_prefix_mask(&e->dp.miss4);
	}
	if (n->vip6.addr.family == NET_AF_IP6) {
		e->dp.miss6 = n->vip6;
		net_prefix_mask(&e->dp.miss6);
	}
}

static void client_conf(const struct omni_edge *e, struct sig_client_conf *cc)
{
	const struct cfg_config *cfg = &e->cfg;

	cc->cluster = cfg->network.cluster;
	cc->secret = cfg->security.secret;
	memcpy(cc->pubkey, e->ctl.id.public_key, WG_KEY_LEN);
	/* Proves the key to the nucleus (docs/signaling.md, "Identity"): the
	 * client copies it and wipes its copy. */
	cc->private_key = e->ctl.id.private_key;
	cc->nucleus_key = cfg->network.has_nucleus_key ? cfg->network.nucleus_key : NULL;
	if (cfg->network.vip.addr.family == NET_AF_IP4) {
		memcpy(cc->vip4, cfg->network.vip.addr.b, 4);
		cc->vip_flags |= SIG_PEER_HAS_VIP4;
	}
	if (cfg->network.vip6.addr.family == NET_AF_IP6) {
		memcpy(cc->vip6, cfg->network.vip6.addr.b, 16);
		cc->vip_flags |= SIG_PEER_HAS_VIP6;
	}
	cc->encrypt = cfg->security.encrypt_signaling;
	cc->heartbeat_ms = test_heartbeat_ms();
}

static void free_packet(void *m)
{
	rte_pktmbuf_free(m);
}

int omni_edge_signal_start(struct omni_edge *e, const char *prog)
{
	const struct cfg_config *cfg = &e->cfg;
	struct sig_edge_conf ec = { .punch = { .prefer_ipv6 = cfg->network.prefer_ipv6,
					       .delay_ms = cfg->network.happy_eyeballs_delay_ms },
				    .random = randombytes_buf,
				    .peer = omni_signal_peer,
				    .ctx = e };
	struct omni_signal *s;
	char err[256];

	if (!cfg->network.nucleus)
		return 0;
	if (!cfg->network.cluster || !cfg->security.secret) {
		fprintf(stderr,
			"%s: a nucleus needs --cluster NAME and --secret (or the file's "
			"network.cluster and security.secret)\n",
			prog);
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	e->sig = s;
	if (resolve_servers(s, &cfg->network, &ec, prog) != 0)
		return -1;
	s->clock_scale = e->dp.clock_scale ? e->dp.clock_scale : 1;
	omni_relay_init(&s->relay);
	sig_cluster_psk(cfg->security.secret, s->psk);
	client_conf(e, &ec.client);
	ec.punch.families = local_candidates(e, &ec.client);
	if (sig_edge_init(&s->ed, &ec, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: nucleus client: %s\n", prog, err);
		return -1;
	}
	cluster_networks(e);
	warn_host_vip(&cfg->network.vip, "--vip", SIG_ADMIT_HOST_VIP4_LEN, prog);
	warn_host_vip(&cfg->network.vip6, "--vip6", SIG_ADMIT_HOST_VIP6_LEN, prog);
	e->ctl.hook_ctx = e;
	e->ctl.udp_hook = omni_signal_udp_hook;
	e->ctl.miss_hook = omni_signal_miss_hook;
	e->dp.other_udp_to_control = true;
	printf("%s: nucleus %s, cluster %s, %u STUN server(s)\n", prog, s->nucleus_text,
	       cfg->network.cluster, s->ed.stun.n_server);
	fflush(stdout);
	return 0;
}

/* Every peer learned from the cluster takes the new secret's preshared
 * key for its next handshakes; its session goes on. */
static void learned_psk(struct omni_edge *e, const uint8_t psk[WG_KEY_LEN])
{
	for (size_t i = 0; i < e->cfg.n_peers; i++) {
		struct cfg_peer *p = &e->cfg.peers[i];
		struct pl_peer *live = pl_control_peer_find(&e->ctl, p->public_key);

		if (!p->learned)
			continue;
		memcpy(p->preshared_key, psk, WG_KEY_LEN);
		if (live)
			pl_control_peer_set_psk(live, psk);
	}
}

int omni_edge_signal_rekey(struct omni_edge *e, const char *secret, char *err, size_t errlen)
{
	struct omni_signal *s = e->sig;
	int r;

	if (!s || !secret)
		return 0;
	r = sig_edge_set_secret(&s->ed, secret, s->now_ms, err, errlen);
	/* The cluster's preshared key is the secret's too: peers learned from
	 * now on get the new one, and so do the ones installed, in place, so
	 * that their sessions go on until the next handshake. */
	if (r > 0) {
		sig_cluster_psk(secret, s->psk);
		learned_psk(e, s->psk);
	}
	return r;
}

void omni_edge_signal_stop(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;

	if (!s)
		return;
	sig_edge_fini(&s->ed, free_packet);
	omni_relay_fini(&s->relay);
	sodium_memzero(s->psk, sizeof(s->psk));
	free(s);
	e->sig = NULL;
	e->ctl.udp_hook = NULL;
	e->ctl.miss_hook = NULL;
}
