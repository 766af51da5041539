/* SPDX-License-Identifier: MIT */
/*
 * Handshake messages on the control lcore. Order of checks, cheapest
 * first, as the WireGuard paper prescribes: exact size (the worker and
 * wg_message_parse), mac1, mac2 when under load (else a cookie reply),
 * the per-source rate limit, then the Diffie-Hellman work in lib/wg.
 *
 * Under load, as the kernel driver decides it: LOAD_QUEUED handshake
 * messages wait for control (the kernel's 512: an eighth of its 4096
 * queue), or half our ring when that is smaller, or the rate limiter's
 * table is (nearly) full, which a flood
 * of spoofed sources brings about long before any queue fills; and for a
 * second after either. Then only sources that proved their address (a
 * valid mac2, from our cookie) reach the limiter and the DH work, so the
 * spoofed ones cannot crowd out real peers, which get a cookie reply and
 * come back with it at their next retry.
 */
#include <assert.h>
#include <endian.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "wg/parse.h"

#include "control_int.h"

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static struct wg_handshake *peer_by_key(void *ctx, const uint8_t pub[WG_KEY_LEN])
{
	struct pl_control *c = ctx;
	unsigned i;

	/* Linear: a handful of DH operations cost more than this scan. */
	for (i = 0; i < c->dp->n_peers; i++)
		if (c->dp->peers[i].in_use && !memcmp(c->dp->peers[i].public_key, pub, WG_KEY_LEN))
			return &c->dp->peers[i].hs;
	return NULL;
}

static struct pl_peer *peer_of_hs(struct wg_handshake *hs)
{
	return hs->user;
}

void pl_control_retire(struct pl_control *c, struct wg_keypair_retired *r)
{
	unsigned i;

	for (i = 0; i < r->n; i++) {
		struct pl_keypair *kp = r->kp[i]->user;

		wg_index_remove(c->indices, kp->wg.local_index);
		pl_sessions_retire(c->dp->sessions, kp);
	}
	r->n = 0;
}

/* Derive, publish and rotate in the keypair of a finished handshake. */
static bool install_session(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	struct pl_keypair *kp = pl_sessions_keypair_alloc(c->dp->sessions);
	struct wg_keypair_retired r;
	uint32_t index = peer->hs.local_index;

	if (!kp || wg_noise_begin_session(&peer->hs, &kp->wg, now) != WG_OK) {
		if (kp)
			pl_sessions_retire(c->dp->sessions, kp);
		return false;
	}
	kp->peer = peer;
	kp->wg.user = kp;
	wg_index_replace(c->indices, index, WG_INDEX_KEYPAIR, kp);
	peer->hs_index = 0;
	if (pl_sessions_publish(c->dp->sessions, kp) != 0) {
		wg_index_remove(c->indices, index);
		pl_sessions_retire(c->dp->sessions, kp);
		return false;
	}
	wg_keypairs_add(&peer->kps, &kp->wg, &r);
	__atomic_store_n(&peer->tx, peer->kps.current ? peer->kps.current->user : NULL,
			 __ATOMIC_RELEASE);
	pl_control_retire(c, &r);
	wg_timers_session_derived(&peer->timers, now);
	peer->last_handshake_unix_ns = unix_now_ns();
	peer->handshakes++;
	c->stats.handshakes_completed++;
	return true;
}

/* A handshake index in the table is replaced by each new attempt. */
static uint32_t new_hs_index(struct pl_control *c, struct pl_peer *peer)
{
	if (peer->hs_index)
		wg_index_remove(c->indices, peer->hs_index);
	peer->hs_index = wg_index_insert(c->indices, WG_INDEX_HANDSHAKE, &peer->hs);
	return peer->hs_index;
}

/*
 * An authenticated packet came from src: the peer is there now (roaming),
 * and the frame's source MAC is our next hop towards it, so the answer
 * needs no ARP/ND first.
 */
static void adopt_endpoint(struct pl_control *c, struct pl_peer *peer, const struct net_udp_view *v,
			   uint64_t now)
{
	struct pl_endpoint ep = { .udp = { .addr = v->src, .port = v->src_port },
				  .channel = v->channel,
				  .via = v->src_mac,
				  .have_via = true };

	pl_control_neigh_learn(c, &ep, now);
	if (net_endpoint_is(&peer->ep.udp, &v->src, v->src_port) &&
	    peer->ep.channel == v->channel && peer->path)
		return;
	rte_seqlock_write_lock(&peer->ep_lock);
	peer->ep = ep;
	peer->roam_pending = 0;
	rte_seqlock_write_unlock(&peer->ep_lock);
	pl_control_path_update(c, peer, now);
}

static_assert(offsetof(struct wg_msg_initiation, sender_index) ==
		      offsetof(struct wg_msg_response, sender_index),
	      "macs_ok reads either");

static void refuse(struct pl_control *c, enum wg_result r)
{
	c->stats.handshake_refused[r]++;
	c->stats.drops[PL_DROP_HANDSHAKE]++;
}

static void on_initiation(struct pl_control *c, const struct wg_msg_initiation *msg,
			  const struct net_udp_view *v, uint64_t now)
{
	struct wg_msg_response resp;
	struct wg_handshake *hs = NULL;
	struct pl_peer *peer;
	enum wg_result r;

	r = wg_noise_consume_initiation(msg, &c->id, peer_by_key, c, now, &hs);
	if (r != WG_OK) {
		refuse(c, r);
		return;
	}
	peer = peer_of_hs(hs);
	adopt_endpoint(c, peer, v, now);
	r = wg_noise_create_response(hs, &resp, new_hs_index(c, peer));
	if (r != WG_OK) {
		refuse(c, r);
		return;
	}
	wg_cookie_add_macs(&peer->cookie, &resp, sizeof(resp), now);
	if (!install_session(c, peer, now))
		return;
	wg_timers_any_authenticated_packet_received(&peer->timers, now);
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now);
	/* Straight back to the initiation's source: the peer's path may not
	 * follow adopt_endpoint() at once (it waits for a grace period). */
	pl_control_send_udp_to(c, v, &resp, sizeof(resp));
	wg_timers_any_authenticated_packet_sent(&peer->timers, now);
	c->stats.responses_sent++;
}

static void on_response(struct pl_control *c, const struct wg_msg_response *msg,
			const struct net_udp_view *v, uint64_t now)
{
	const struct wg_index_entry *e = wg_index_lookup(c->indices, le32toh(msg->receiver_index));
	struct pl_peer *peer;
	enum wg_result r;

	if (!e || e->kind != WG_INDEX_HANDSHAKE) {
		refuse(c, WG_UNKNOWN_INDEX);
		return;
	}
	peer = peer_of_hs(e->ptr);
	r = wg_noise_consume_response(msg, &peer->hs);
	if (r != WG_OK) {
		refuse(c, r);
		return;
	}
	adopt_endpoint(c, peer, v, now);
	if (!install_session(c, peer, now))
		return;
	wg_timers_handshake_complete(&peer->timers, now);
	wg_timers_any_authenticated_packet_received(&peer->timers, now);
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now);
	/* Confirm the session to the responder at once, staged data or not. */
	if (peer->staged && rte_ring_count(peer->staged) == 0)
		pl_control_send_keepalive_to(c, peer, v, now);
}

static void on_cookie(struct pl_control *c, const struct wg_msg_cookie *msg, uint64_t now)
{
	const struct wg_index_entry *e = wg_index_lookup(c->indices, le32toh(msg->receiver_index));
	enum wg_result r;

	if (!e || e->kind != WG_INDEX_HANDSHAKE) {
		refuse(c, WG_UNKNOWN_INDEX);
		return;
	}
	r = wg_cookie_consume_reply(&peer_of_hs(e->ptr)->cookie, msg, now);
	if (r != WG_OK)
		refuse(c, r);
}

/* Source address and port as the cookie's input. */
static size_t source_bytes(const struct net_udp_view *v, uint8_t out[18])
{
	size_t n = net_family_len(v->src.family);

	memcpy(out, v->src.b, n);
	out[n] = (uint8_t)(v->src_port >> 8);
	out[n + 1] = (uint8_t)v->src_port;
	return n + 2;
}

/*
 * Not an eighth of our ring (128) as it was: single-lcore control now takes
 * one message a pass (control.c), so a legitimate rekey wave of 200 peers
 * queues that many in a few ms, and every one of them was sent to a cookie
 * round trip (5 s) where the kernel would have answered at once.
 */
enum { LOAD_QUEUED = 512 };

static bool under_load(struct pl_control *c, uint64_t now)
{
	unsigned queued =
		RTE_MIN((unsigned)LOAD_QUEUED, rte_ring_get_capacity(c->dp->to_control) / 2);
	bool load = rte_ring_count(c->dp->to_control) >= queued ||
		    wg_ratelimiter_under_pressure(c->ratelimit, now);

	if (load) {
		if (!c->last_under_load_ns || now - c->last_under_load_ns >= WG_NSEC_PER_SEC)
			c->stats.under_load++;
		c->last_under_load_ns = now;
		return true;
	}
	return c->last_under_load_ns && now - c->last_under_load_ns < WG_NSEC_PER_SEC;
}

/* May one more cookie reply go out now? A token bucket over all sources. */
static bool cookie_budget(struct pl_control *c, uint64_t now)
{
	const uint64_t cost = WG_NSEC_PER_SEC / PL_COOKIE_REPLY_RATE;
	const uint64_t max = cost * PL_COOKIE_REPLY_BURST;

	if (!c->cookie_last_ns)
		c->cookie_tokens = max;
	else
		c->cookie_tokens += now - c->cookie_last_ns;
	if (c->cookie_tokens > max)
		c->cookie_tokens = max;
	c->cookie_last_ns = now;
	if (c->cookie_tokens < cost) {
		c->stats.cookies_limited++;
		return false;
	}
	c->cookie_tokens -= cost;
	return true;
}

static void send_cookie(struct pl_control *c, const uint8_t *msg, uint32_t len,
			const struct net_udp_view *v, const uint8_t *src, size_t src_len,
			uint64_t now)
{
	struct wg_msg_cookie reply;
	uint32_t sender;

	if (!cookie_budget(c, now))
		return;
	/* The sender index is at the same place in both messages. */
	memcpy(&sender, msg + offsetof(struct wg_msg_initiation, sender_index), sizeof(sender));
	wg_cookie_reply_create(&c->checker, &reply, msg, len, le32toh(sender), src, src_len, now);
	pl_control_send_udp_to(c, v, &reply, sizeof(reply));
	c->stats.cookies_sent++;
}

static bool macs_ok(struct pl_control *c, const uint8_t *msg, uint32_t len,
		    const struct net_udp_view *v, bool load, uint64_t now)
{
	uint8_t src[18];
	size_t src_len = source_bytes(v, src);
	enum wg_result r;

	r = wg_cookie_validate(&c->checker, msg, len, src, src_len, load, now);
	if (r == WG_OK)
		return true;
	refuse(c, r);
	if (r == WG_NEED_COOKIE)
		send_cookie(c, msg, len, v, src, src_len, now);
	return false;
}

void pl_control_handshake_rx(struct pl_control *c, struct rte_mbuf *m, const struct net_udp_view *v,
			     uint64_t now)
{
	const uint8_t *msg = rte_pktmbuf_mtod(m, const uint8_t *) + v->payload_off;
	enum wg_message_type type;
	enum wg_result r;
	bool load, allowed;
	uint64_t cpu;

	r = wg_message_parse(msg, v->payload_len, &type);
	if (r != WG_OK) {
		refuse(c, r);
		goto out;
	}
	if (type == WG_MSG_HANDSHAKE_COOKIE) {
		on_cookie(c, (const struct wg_msg_cookie *)msg, now);
		goto out;
	}
	if (type == WG_MSG_DATA)
		goto out;
	load = under_load(c, now);
	if (!macs_ok(c, msg, v->payload_len, v, load, now))
		goto out;
	if (type == WG_MSG_HANDSHAKE_INITIATION) {
		/* After the MACs, before any Diffie-Hellman. Under load the
		 * source proved its address (mac2): a full table makes room. */
		allowed = load ? wg_ratelimiter_allow_proven(c->ratelimit, v->src.family, v->src.b,
							     now) :
				 wg_ratelimiter_allow(c->ratelimit, v->src.family, v->src.b, now);
		if (!allowed) {
			c->stats.ratelimited++;
			c->stats.drops[PL_DROP_RATELIMIT]++;
			goto out;
		}
	}
	/* Past the cheap checks: the timed part. Initiations are rate
	 * limited per source by now, and a response that answers none of
	 * ours ends at the index lookup: two clock reads are little here. */
	cpu = thread_cpu_ns();
	if (type == WG_MSG_HANDSHAKE_INITIATION)
		on_initiation(c, (const struct wg_msg_initiation *)msg, v, now);
	else
		on_response(c, (const struct wg_msg_response *)msg, v, now);
	c->stats.handshake_cpu_ns += thread_cpu_ns() - cpu;
out:
	rte_pktmbuf_free(m);
}

/*
 * A new initiation for peer, kept in peer->last_init. False when one made
 * now would carry the timestamp of the last one: WireGuard blunts
 * timestamps to 2^24 ns (about 17 ms, noise.c), and the peer refuses an
 * initiation whose timestamp is not newer than the last it accepted
 * (REPLAYED_TIMESTAMP) while our handshake state has moved on to it, so
 * the answer to the first finds no index either: neither completes.
 * Two initiations that close come when a punch and the timers or host
 * packets both start one (the kernel rate-limits initiations to one per
 * REKEY_TIMEOUT instead; a punch cannot wait that long).
 */
static bool new_initiation(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	struct wg_msg_initiation msg;
	uint8_t ts[WG_TIMESTAMP_LEN];

	wg_tai64n(ts, unix_now_ns());
	if (memcmp(ts, peer->last_init_ts, sizeof(ts)) <= 0)
		return false;
	if (wg_noise_create_initiation(&peer->hs, &msg, ts, new_hs_index(c, peer)) != WG_OK)
		return false;
	wg_cookie_add_macs(&peer->cookie, &msg, sizeof(msg), now);
	memcpy(peer->last_init, &msg, sizeof(msg));
	memcpy(peer->last_init_ts, ts, sizeof(ts));
	peer->last_init_index = peer->hs_index;
	return true;
}

/* peer->last_init is the handshake still in flight. */
static bool init_in_flight(const struct pl_peer *peer)
{
	return peer->hs_index && peer->hs_index == peer->last_init_index;
}

bool pl_control_send_initiation(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	if (now < peer->punch_hold_ns)
		return false; /* a punch runs: pl_control_punch_hold() */
	if (!peer->path && !pl_control_path_update(c, peer, now))
		return false; /* no endpoint yet, or its MAC is being resolved */
	if (!new_initiation(c, peer, now))
		return false; /* again on a later tick, with a newer timestamp */
	if (!pl_control_send_udp(c, peer, peer->last_init, sizeof(peer->last_init)))
		return false;
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now);
	wg_timers_any_authenticated_packet_sent(&peer->timers, now);
	c->stats.initiations_sent++;
	return true;
}

void pl_control_punch_hold(struct pl_peer *peer, uint64_t until_ns)
{
	peer->punch_hold_ns = until_ns;
}

unsigned pl_control_initiate_to(struct pl_control *c, struct pl_peer *peer,
				const struct net_endpoint *cands, unsigned n, uint8_t ttl,
				uint64_t now)
{
	unsigned i, sent = 0;

	/* One made now would be no newer: the one in flight again. */
	if (!new_initiation(c, peer, now) && !init_in_flight(peer))
		return 0;
	for (i = 0; i < n; i++)
		sent += pl_control_send_udp_ttl(c, &cands[i].addr, cands[i].port, peer->last_init,
						sizeof(peer->last_init), ttl, now);
	if (sent) {
		wg_timers_handshake_initiated(&peer->timers, now, false);
		wg_timers_any_authenticated_packet_traversal(&peer->timers, now);
		wg_timers_any_authenticated_packet_sent(&peer->timers, now);
		c->stats.initiations_sent++;
	}
	return sent;
}

unsigned pl_control_resend_initiation_to(struct pl_control *c, struct pl_peer *peer,
					 const struct net_endpoint *cands, unsigned n, uint64_t now)
{
	unsigned i, sent = 0;

	if (!init_in_flight(peer))
		return 0; /* no handshake in flight any more */
	for (i = 0; i < n; i++)
		sent += pl_control_send_udp_addr(c, &cands[i].addr, cands[i].port, peer->last_init,
						 sizeof(peer->last_init), now);
	return sent;
}

bool pl_control_initiate_now(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	peer->punch_hold_ns = 0;
	if (!peer->path && !pl_control_path_update(c, peer, now))
		return false;
	/* One made now would be no newer: the one in flight again. */
	if (!new_initiation(c, peer, now) && !init_in_flight(peer))
		return false;
	if (!pl_control_send_udp(c, peer, peer->last_init, sizeof(peer->last_init)))
		return false;
	wg_timers_handshake_initiated(&peer->timers, now, false);
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now);
	wg_timers_any_authenticated_packet_sent(&peer->timers, now);
	c->stats.initiations_sent++;
	return true;
}
