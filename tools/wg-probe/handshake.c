/* SPDX-License-Identifier: MIT */
/*
 * Handshake messages of the one peer, in the order the receive path of the
 * WireGuard paper (section 5.4) wants: exact size (the caller parsed it),
 * then MAC1, then the receiver index, and only then the Noise computation.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "wg/key.h"
#include "probe.h"

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static struct wg_keypair *pool_get(struct probe *p)
{
	for (unsigned i = 0; i < PROBE_KEYPAIRS; i++) {
		if (!p->pool_used[i]) {
			p->pool_used[i] = true;
			memset(&p->pool[i], 0, sizeof(p->pool[i]));
			return &p->pool[i];
		}
	}
	return NULL;
}

static void pool_put(struct probe *p, struct wg_keypair *kp)
{
	wg_keypair_wipe(kp);
	p->pool_used[kp - p->pool] = false;
}

void probe_keypairs_release(struct probe *p, struct wg_keypair_retired *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		wg_index_remove(p->indices, r->kp[i]->local_index);
		pool_put(p, r->kp[i]);
	}
	r->n = 0;
}

/* A fresh random index for the handshake in flight; the old one is dropped. */
static int new_handshake_index(struct probe *p)
{
	if (p->hs_index)
		wg_index_remove(p->indices, p->hs_index);
	p->hs_index = wg_index_insert(p->indices, WG_INDEX_HANDSHAKE, &p->hs);
	if (!p->hs_index) {
		fprintf(stderr, "wg-probe: no free receiver index: %s\n", strerror(errno));
		return -ENOSPC;
	}
	return 0;
}

/*
 * Derive the keypair of the finished handshake and install it: current for
 * the initiator, next (until confirmed by a data packet) for the responder.
 * The handshake's index now names the keypair.
 */
static int install_session(struct probe *p, uint64_t now)
{
	struct wg_keypair_retired retired = { .n = 0 };
	struct wg_keypair *kp = pool_get(p);
	enum wg_result r;

	if (!kp) {
		fprintf(stderr, "wg-probe: no free keypair slot\n");
		return -ENOMEM;
	}
	r = wg_noise_begin_session(&p->hs, kp, now);
	if (r != WG_OK) {
		fprintf(stderr, "wg-probe: begin_session: %s\n", wg_result_text(r));
		pool_put(p, kp);
		return -EPROTO;
	}
	if (kp->local_index != p->hs_index) {
		fprintf(stderr,
			"wg-probe: core bug: keypair local index %08x, "
			"handshake had %08x\n",
			kp->local_index, p->hs_index);
		pool_put(p, kp);
		return -EPROTO;
	}
	kp->user = p;
	wg_index_replace(p->indices, p->hs_index, WG_INDEX_KEYPAIR, kp);
	p->hs_index = 0;
	wg_keypairs_add(&p->kps, kp, &retired);
	probe_keypairs_release(p, &retired);
	wg_timers_session_derived(&p->timers, now);
	p->handshakes++;
	return 0;
}

static void timers_sent(struct probe *p, uint64_t now)
{
	wg_timers_any_authenticated_packet_traversal(&p->timers, now);
	wg_timers_any_authenticated_packet_sent(&p->timers, now);
}

static void timers_received(struct probe *p, uint64_t now)
{
	wg_timers_any_authenticated_packet_received(&p->timers, now);
	wg_timers_any_authenticated_packet_traversal(&p->timers, now);
}

int probe_send_initiation(struct probe *p, bool retry)
{
	struct wg_msg_initiation msg;
	uint8_t ts[WG_TIMESTAMP_LEN];
	uint64_t now = probe_now_ns();
	enum wg_result r;
	int rc;

	if (!p->have_peer)
		return -EDESTADDRREQ;
	rc = new_handshake_index(p);
	if (rc)
		return rc;
	wg_tai64n(ts, realtime_ns());
	r = wg_noise_create_initiation(&p->hs, &msg, ts, p->hs_index);
	if (r != WG_OK) {
		fprintf(stderr, "wg-probe: create_initiation: %s\n", wg_result_text(r));
		return -EPROTO;
	}
	wg_cookie_add_macs(&p->cookie, &msg, sizeof(msg), now);
	rc = probe_udp_send(p, &msg, sizeof(msg));
	timers_sent(p, now);
	wg_timers_handshake_initiated(&p->timers, now, retry);
	p->initiations_sent++;
	probe_log(p, "sent initiation #%u, sender index %08x", p->initiations_sent, p->hs_index);
	return rc;
}

/* Under load: the sender must prove its address with a cookie first. */
static void send_cookie_reply(struct probe *p, const uint8_t *buf, size_t len,
			      uint32_t sender_index, const struct probe_addr *from)
{
	struct wg_msg_cookie reply;
	uint8_t src[18];
	size_t src_len = probe_addr_bytes(src, from);

	wg_cookie_reply_create(&p->checker, &reply, buf, len, sender_index, src, src_len,
			       probe_now_ns());
	if (probe_udp_send_to(p, from, &reply, sizeof(reply)) == 0)
		printf("under load: answered a handshake message without a valid mac2 by a "
		       "cookie reply\n");
}

enum wg_result probe_handle_response(struct probe *p, const uint8_t *buf, size_t len,
				     const struct probe_addr *from)
{
	const struct wg_msg_response *msg = (const struct wg_msg_response *)buf;
	const struct wg_index_entry *e;
	uint8_t src[18];
	size_t src_len = probe_addr_bytes(src, from);
	uint64_t now = probe_now_ns();
	char where[80];
	enum wg_result r;

	r = wg_cookie_validate(&p->checker, buf, len, src, src_len, p->opt->under_load, now);
	if (r == WG_NEED_COOKIE)
		send_cookie_reply(p, buf, len, le32toh(msg->sender_index), from);
	if (r != WG_OK)
		return r;
	e = wg_index_lookup(p->indices, le32toh(msg->receiver_index));
	if (!e || e->kind != WG_INDEX_HANDSHAKE || e->ptr != &p->hs)
		return WG_UNKNOWN_INDEX;
	r = wg_noise_consume_response(msg, &p->hs);
	if (r != WG_OK)
		return r;
	timers_received(p, now);
	if (install_session(p, now)) {
		p->failed = true;
		return WG_OK;
	}
	wg_timers_handshake_complete(&p->timers, now);
	p->peer = *from;
	probe_addr_format(where, sizeof(where), from);
	printf("handshake complete with %s (initiator, %u initiation%s sent)\n", where,
	       p->initiations_sent, p->initiations_sent == 1 ? "" : "s");
	return WG_OK;
}

enum wg_result probe_handle_cookie(struct probe *p, const uint8_t *buf)
{
	const struct wg_msg_cookie *msg = (const struct wg_msg_cookie *)buf;
	enum wg_result r;

	if (!wg_index_lookup(p->indices, le32toh(msg->receiver_index)))
		return WG_UNKNOWN_INDEX;
	r = wg_cookie_consume_reply(&p->cookie, msg, probe_now_ns());
	if (r != WG_OK)
		return r;
	printf("cookie reply taken: the next initiation carries mac2\n");
	return WG_OK;
}

/* The one peer we know, found by its static key (constant-time compare). */
static struct wg_handshake *lookup_peer(void *ctx, const uint8_t remote_static[WG_KEY_LEN])
{
	struct probe *p = ctx;

	if (sodium_memcmp(remote_static, p->hs.remote_static, WG_KEY_LEN) == 0)
		return &p->hs;
	return NULL;
}

enum wg_result probe_handle_initiation(struct probe *p, const uint8_t *buf, size_t len,
				       const struct probe_addr *from)
{
	const struct wg_msg_initiation *msg = (const struct wg_msg_initiation *)buf;
	struct wg_msg_response resp;
	struct wg_handshake *hs = NULL;
	uint8_t src[18];
	size_t src_len = probe_addr_bytes(src, from);
	uint64_t now = probe_now_ns();
	char where[80];
	enum wg_result r;

	r = wg_cookie_validate(&p->checker, buf, len, src, src_len, p->opt->under_load, now);
	if (r == WG_NEED_COOKIE)
		send_cookie_reply(p, buf, len, le32toh(msg->sender_index), from);
	if (r != WG_OK)
		return r;
	r = wg_noise_consume_initiation(msg, &p->id, lookup_peer, p, now, &hs);
	if (r != WG_OK)
		return r;
	timers_received(p, now);
	if (new_handshake_index(p))
		goto fail;
	r = wg_noise_create_response(hs, &resp, p->hs_index);
	if (r != WG_OK)
		return r;
	wg_cookie_add_macs(&p->cookie, &resp, sizeof(resp), now);
	if (install_session(p, now))
		goto fail;
	p->peer = *from;
	p->have_peer = true;
	if (probe_udp_send(p, &resp, sizeof(resp)))
		goto fail;
	timers_sent(p, now);
	probe_addr_format(where, sizeof(where), from);
	printf("handshake answered for %s (responder; keys wait for the peer's first packet)\n",
	       where);
	return WG_OK;
fail:
	p->failed = true;
	return WG_OK;
}
