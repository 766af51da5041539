/* SPDX-License-Identifier: MIT */
/*
 * The control lcore's loop: drain the control ring, then once a
 * millisecond walk the peers: adopt roaming, promote confirmed keypairs,
 * turn the workers' timestamps into timer events, run the timers, send
 * what waited for a session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <sodium.h>

#include "control_int.h"
#include "l2.h"

#define TICK_NS 1000000ULL
/*
 * Single-lcore mode: the loop that runs control also forwards, and every
 * handshake is some 100 us of Diffie-Hellman (a few ms in a loaded or
 * sanitizer build). Control used to take a burst of 32 a pass: in a rekey
 * wave of 1000 peers the underlay queue then waited milliseconds a pass
 * for a burst of 32 packets, and AF_XDP's fill ring ran dry (echoes lost
 * by the thousand, rx_fill_empty). Now it takes one message at a time
 * until SHARED_PASS_NS (500 us: 10 packets at 20,000 a second, where the
 * fill ring holds 1024) is spent; the rest waits in the ring, which is the
 * load the handshake path answers with cookies (control_hs.c).
 */
#define SHARED_PASS_NS 500000ULL
/*
 * Ephemeral key pairs made ahead (noise.h): a wave's worth. A handshake
 * under load waits for a retry with a cookie anyway (LOAD_QUEUED, 512, in
 * control_hs.c), so twice that covers the answers at once and the retries
 * five seconds later; 64 kB of locked memory, made in 30 ms of spare time.
 */
enum { PL_EPHEMERALS = 1024 };
enum { STAGED_PER_PEER = 256, CONTROL_BURST = 32 };

int pl_control_peer_init(struct pl_control *c, struct pl_peer *peer, uint32_t id,
			 const uint8_t pub[WG_KEY_LEN], const uint8_t *psk,
			 const struct pl_endpoint *ep, uint16_t keepalive_s)
{
	char name[RTE_RING_NAMESIZE];

	memset(peer, 0, sizeof(*peer));
	peer->id = id;
	rte_seqlock_init(&peer->ep_lock);
	memcpy(peer->public_key, pub, WG_KEY_LEN);
	if (wg_handshake_init(&peer->hs, &c->id, pub, psk) != WG_OK)
		return -EINVAL;
	peer->hs.user = peer;
	wg_cookie_init(&peer->cookie, pub);
	wg_timers_init(&peer->timers, keepalive_s, randombytes_random() | 1ULL << 32);
	if (ep)
		peer->ep = *ep;
	/* Like wg: a persistent keepalive starts the session at once, so a
	 * peer behind NAT can reach us before we have anything to say. */
	if (keepalive_s && peer->ep.udp.addr.family != NET_AF_NONE)
		peer->want_handshake = 1;
	snprintf(name, sizeof(name), "staged%u_%u", id, (unsigned)getpid());
	peer->staged = rte_ring_create(name, STAGED_PER_PEER, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (!peer->staged)
		return -ENOMEM;
	peer->in_use = true;
	return 0;
}

static void drop_staged(struct pl_control *c, struct pl_peer *peer)
{
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(peer->staged, (void **)&m) == 0) {
		rte_pktmbuf_free(m);
		c->stats.staged_dropped++;
	}
}

static void send_staged(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	struct rte_mbuf *m;

	if (!peer->tx || !peer->path || peer->path_dirty)
		return;
	while (rte_ring_sc_dequeue(peer->staged, (void **)&m) == 0)
		pl_control_send_data(c, peer, m, now);
}

static void zero_keys(struct pl_control *c, struct pl_peer *peer)
{
	struct wg_keypair_retired r;

	__atomic_store_n(&peer->tx, NULL, __ATOMIC_RELEASE);
	wg_keypairs_clear(&peer->kps, &r);
	pl_control_retire(c, &r);
	if (peer->hs_index)
		wg_index_remove(c->indices, peer->hs_index);
	peer->hs_index = 0;
	wg_handshake_clear(&peer->hs);
}

/* A worker saw a packet on a keypair other than tx: maybe the next one. */
static void confirm(struct pl_control *c, struct pl_peer *peer)
{
	struct pl_keypair *kp = __atomic_exchange_n(&peer->confirm, NULL, __ATOMIC_ACQUIRE);
	struct wg_keypair_retired r;

	if (!kp)
		return;
	if (wg_keypairs_received_with(&peer->kps, &kp->wg, &r)) {
		__atomic_store_n(&peer->tx, kp, __ATOMIC_RELEASE);
		pl_control_retire(c, &r);
		wg_timers_handshake_complete(&peer->timers, 0);
	}
}

static void roam(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	if (!__atomic_load_n(&peer->roam_pending, __ATOMIC_ACQUIRE))
		return;
	rte_seqlock_write_lock(&peer->ep_lock);
	peer->ep = peer->roam;
	peer->roam_pending = 0;
	rte_seqlock_write_unlock(&peer->ep_lock);
	/* Dirty until a path to the new address is published: learning the
	 * next hop's MAC may already publish it (it rebuilds every path). */
	peer->path_dirty = true;
	pl_control_neigh_learn(c, &peer->ep, now);
	if (peer->path_dirty)
		pl_control_path_update(c, peer, now);
	/* What workers held while the move was pending goes out now; if the
	 * path could not move yet, the next tick sends it. */
	if (!peer->path_dirty)
		send_staged(c, peer, now);
}

static void roamed(struct pl_control *c, uint64_t now)
{
	void *ids[CONTROL_BURST];
	unsigned i, n;

	if (!c->dp->roamed)
		return;
	n = rte_ring_sc_dequeue_burst(c->dp->roamed, ids, CONTROL_BURST, NULL);
	for (i = 0; i < n; i++) {
		uintptr_t id = (uintptr_t)ids[i];

		if (id < c->dp->n_peers && c->dp->peers[id].in_use)
			roam(c, &c->dp->peers[id], now);
	}
}

/* Workers stamp times; the timer hooks see them as events, in order. */
static void timer_events(struct pl_peer *peer)
{
	uint64_t tx = __atomic_load_n(&peer->last_tx_ns, __ATOMIC_RELAXED);
	uint64_t dtx = __atomic_load_n(&peer->last_data_tx_ns, __ATOMIC_RELAXED);
	uint64_t rx = __atomic_load_n(&peer->last_rx_ns, __ATOMIC_RELAXED);
	uint64_t drx = __atomic_load_n(&peer->last_data_rx_ns, __ATOMIC_RELAXED);

	if (dtx != peer->seen_data_tx_ns)
		wg_timers_data_sent(&peer->timers, dtx);
	if (tx != peer->seen_tx_ns) {
		wg_timers_any_authenticated_packet_sent(&peer->timers, tx);
		wg_timers_any_authenticated_packet_traversal(&peer->timers, tx);
	}
	if (rx != peer->seen_rx_ns) {
		wg_timers_any_authenticated_packet_received(&peer->timers, rx);
		wg_timers_any_authenticated_packet_traversal(&peer->timers, rx);
	}
	if (drx != peer->seen_data_rx_ns)
		wg_timers_data_received(&peer->timers, drx);
	peer->seen_tx_ns = tx;
	peer->seen_data_tx_ns = dtx;
	peer->seen_rx_ns = rx;
	peer->seen_data_rx_ns = drx;
}

/* False when it could not go out yet (no path: next hop unresolved). */
static bool initiate(struct pl_control *c, struct pl_peer *peer, uint64_t now, bool retry)
{
	if (!wg_timers_may_send_initiation(&peer->timers, now))
		return true;
	if (!pl_control_send_initiation(c, peer, now))
		return false;
	wg_timers_handshake_initiated(&peer->timers, now, retry);
	return true;
}

static void peer_tick(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	unsigned act;

	roam(c, peer, now);
	if (peer->path_dirty)
		pl_control_path_update(c, peer, now);
	confirm(c, peer);
	timer_events(peer);
	act = wg_timers_poll(&peer->timers, now);
	if (act & WG_TIMER_ZERO_KEYS)
		zero_keys(c, peer);
	if (act & WG_TIMER_DROP_STAGED)
		drop_staged(c, peer);
	if (act & WG_TIMER_SEND_INITIATION)
		initiate(c, peer, now, peer->timers.handshake_attempts > 0);
	if (__atomic_exchange_n(&peer->want_handshake, 0, __ATOMIC_RELAXED)) {
		if (!peer->tx || wg_keypair_should_rekey_on_send(&peer->tx->wg, now) ||
		    wg_keypair_should_rekey_on_receive(&peer->tx->wg, now))
			if (!initiate(c, peer, now, false))
				/* Asked for (a keepalive peer, a rekey) but the next
				 * hop is still being resolved: again next tick. */
				__atomic_store_n(&peer->want_handshake, 1, __ATOMIC_RELAXED);
	}
	/* Packets wait and no handshake is in flight (say the next hop was
	 * unresolved when they came): try again. Rate-limited by the timers. */
	if (rte_ring_count(peer->staged) && !peer->timers.retransmit_handshake &&
	    (!peer->tx || !wg_keypair_can_send(&peer->tx->wg, now)))
		initiate(c, peer, now, false);
	send_staged(c, peer, now);
	if ((act & WG_TIMER_SEND_KEEPALIVE) && peer->tx)
		pl_control_send_keepalive(c, peer, now);
}

/* What a worker sorted for us (tag.h): no frame is classified twice. */
static void ring_rx(struct pl_control *c, struct rte_mbuf *m, uint64_t now)
{
	struct net_udp_view v;

	switch (pl_tag_kind(m)) {
	case PL_CTL_HANDSHAKE:
		pl_tag_udp_view(m, &v);
		pl_control_handshake_rx(c, m, &v, now);
		return;
	case PL_CTL_SIGNALING:
	case PL_CTL_STUN:
		if (!c->udp_hook)
			break;
		pl_tag_udp_view(m, &v);
		c->udp_hook(c->hook_ctx, m, &v, now);
		return;
	case PL_CTL_ARP:
	case PL_CTL_ND:
		pl_control_neigh_rx(c, m, pl_tag_kind(m), now);
		return;
	case PL_CTL_HOST_MISS:
		if (c->miss_hook) {
			c->miss_hook(c->hook_ctx, m, now);
			return;
		}
		/* No one to ask: still a frame from the host (its MAC). */
		pl_control_host_rx(c, m);
		return;
	case PL_CTL_HOST_NEIGH:
		pl_control_host_rx(c, m);
		return;
	case PL_CTL_NONE:
		break;
	}
	rte_pktmbuf_free(m);
}

/* What workers sent: a burst, or (single-lcore) one at a time for a while. */
static unsigned ring_pass(struct pl_control *c, uint64_t now)
{
	struct rte_mbuf *pkts[CONTROL_BURST];
	unsigned i, n, total = 0, burst = c->is_reader ? 1 : CONTROL_BURST;

	do {
		n = rte_ring_sc_dequeue_burst(c->dp->to_control, (void **)pkts, burst, NULL);
		for (i = 0; i < n; i++)
			ring_rx(c, pkts[i], now);
		total += n;
	} while (c->is_reader && n && pl_now_ns(c->dp) - now < SHARED_PASS_NS);
	return total;
}

unsigned pl_control_poll(struct pl_control *c, uint64_t now)
{
	struct pl_dataplane *dp = c->dp;
	unsigned i, n;

	n = ring_pass(c, now);
	roamed(c, now);
	pl_l2_poll(dp, now);
	if (now >= c->next_tick_ns) {
		c->next_tick_ns = now + TICK_NS;
		for (i = 0; i < dp->n_peers; i++)
			if (dp->peers[i].in_use)
				peer_tick(c, &dp->peers[i], now);
	}
	if (c->is_reader)
		rte_rcu_qsbr_quiescent(dp->rcu, c->rcu_id);
	pl_sessions_reclaim(dp->sessions);
	return n;
}

unsigned pl_control_idle(struct pl_control *c)
{
	if (!c->ephemerals_tried) {
		c->ephemerals_tried = true;
		if (!wg_ephemerals_init(&c->ephemerals, PL_EPHEMERALS))
			return 0; /* made on the spot, as before */
	}
	/* Again each time: pl_control_set_identity() makes a new id. */
	c->id.ephemerals = c->ephemerals.keys ? &c->ephemerals : NULL;
	return wg_ephemerals_make_one(&c->ephemerals);
}

void pl_control_peer_stop(struct pl_control *c, struct pl_peer *peer)
{
	zero_keys(c, peer);
	pl_l2_peer_gone(c->dp, peer);
	peer->in_use = false;
}

bool pl_control_set_identity(struct pl_control *c, const uint8_t priv[WG_KEY_LEN])
{
	struct wg_static_identity id;
	uint8_t psk[WG_KEY_LEN];
	unsigned i;

	if (!wg_identity_init(&id, priv))
		return false;
	c->id = id;
	wg_identity_wipe(&id);
	wg_cookie_checker_init(&c->checker, c->id.public_key);
	for (i = 0; i < c->dp->n_peers; i++) {
		struct pl_peer *peer = &c->dp->peers[i];

		if (!peer->in_use)
			continue;
		/* Sessions and the static-static secret were the old key's. */
		zero_keys(c, peer);
		memcpy(psk, peer->hs.preshared_key, WG_KEY_LEN);
		if (wg_handshake_init(&peer->hs, &c->id, peer->public_key, psk) != WG_OK)
			pl_control_peer_stop(c, peer); /* cannot happen: it worked before */
		peer->hs.user = peer;
	}
	sodium_memzero(psk, sizeof(psk));
	return true;
}

void pl_control_set_port(struct pl_control *c, uint16_t port, uint64_t now)
{
	unsigned i;

	__atomic_store_n(&c->dp->local.port, port, __ATOMIC_RELEASE);
	for (i = 0; i < c->dp->n_peers; i++) {
		struct pl_peer *peer = &c->dp->peers[i];

		/* Outer headers carry the source port: rebuilt (or at a tick). */
		if (peer->in_use && peer->path_published)
			pl_control_path_update(c, peer, now);
	}
}

void pl_control_peer_release(struct pl_control *c, struct pl_peer *peer)
{
	drop_staged(c, peer);
	rte_ring_free(peer->staged);
	peer->staged = NULL;
	wg_handshake_wipe(&peer->hs);
	wg_cookie_wipe(&peer->cookie);
	free(peer->routes);
	peer->routes = NULL;
	peer->n_routes = 0;
}

void pl_control_fini(struct pl_control *c)
{
	unsigned i;

	for (i = 0; i < c->dp->n_peers; i++) {
		struct pl_peer *peer = &c->dp->peers[i];

		if (peer->in_use)
			pl_control_peer_stop(c, peer);
		if (peer->staged)
			pl_control_peer_release(c, peer);
	}
	pl_allowedips_free(c->reserved);
	pl_allowedips_free(c->spare);
	c->reserved = NULL;
	c->spare = NULL;
	wg_cookie_checker_wipe(&c->checker);
	wg_identity_wipe(&c->id);
	wg_ephemerals_free(&c->ephemerals);
	c->ephemerals_tried = false;
}
