/* SPDX-License-Identifier: MIT */
/*
 * One peer of wg-wave: its keys and socket, its handshakes (initiator
 * only: the gateway is a responder here, as a hub for road warriors is),
 * and its echoes through the tunnel.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "wg/parse.h"
#include "wg/transport.h"

#include "icmp.h"
#include "wave.h"

enum { DATA_HDR = sizeof(struct wg_msg_data) };

/* Reproducible keys: the gateway's config is printed from the same seed. */
void wave_peer_private(uint8_t out[32], unsigned seed, uint32_t id)
{
	uint8_t in[16] = "wg-wave";

	memcpy(in + 8, &seed, 4);
	memcpy(in + 12, &id, 4);
	crypto_generichash(out, 32, in, sizeof(in), NULL, 0);
	out[0] &= 248;
	out[31] = (uint8_t)((out[31] & 127) | 64);
}

static int open_socket(const struct wave *w, const struct wave_peer *p)
{
	const struct wave_opts *o = w->opt;
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = (void *)p };
	int fd, rcvbuf = 1 << 18, one = 1;

	src.sin_addr.s_addr = htonl(ntohl(o->src_base.s_addr) + p->id / o->per_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* When each datagram arrived (wave_run.c's receive): this process
	 * takes its time over each response (two Diffie-Hellman), and the
	 * gateway's rate is not that. */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (const struct sockaddr *)&w->gw, sizeof(w->gw)) < 0 ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = errno;

		fprintf(stderr, "wg-wave: peer %u: socket from %s: %s\n", p->id,
			inet_ntoa(src.sin_addr), strerror(err));
		close(fd);
		return -err;
	}
	return fd;
}

int wave_peer_setup(struct wave *w, struct wave_peer *p, uint32_t id)
{
	uint8_t priv[32];
	bool ok;

	p->id = id;
	p->fd = -1;
	p->tun.s_addr = htonl(ntohl(w->opt->tun_base.s_addr) + id);
	wave_peer_private(priv, w->opt->seed, id);
	ok = wg_identity_init(&p->id_keys, priv);
	sodium_memzero(priv, sizeof(priv));
	if (!ok || wg_handshake_init(&p->hs, &p->id_keys, w->gw_pub, NULL) != WG_OK) {
		fprintf(stderr, "wg-wave: peer %u: unusable keys\n", id);
		return -EINVAL;
	}
	p->hs.user = p;
	wg_cookie_init(&p->cookie, w->gw_pub);
	randombytes_buf(&p->echo_id, sizeof(p->echo_id));
	p->seen = calloc(WAVE_SEQ_MAX / 8, 1);
	if (!p->seen)
		return -ENOMEM;
	p->fd = open_socket(w, p);
	return p->fd < 0 ? p->fd : 0;
}

void wave_peer_teardown(struct wave_peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	for (unsigned i = 0; i < WAVE_KEYPAIRS; i++)
		wg_keypair_wipe(&p->pool[i]);
	wg_handshake_wipe(&p->hs);
	wg_identity_wipe(&p->id_keys);
	wg_cookie_wipe(&p->cookie);
	free(p->seen);
	p->seen = NULL;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void release(struct wave *w, struct wave_peer *p, struct wg_keypair_retired *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		wg_index_remove(w->indices, r->kp[i]->local_index);
		wg_keypair_wipe(r->kp[i]);
		p->pool_used[r->kp[i] - p->pool] = false;
	}
	r->n = 0;
}

int wave_send_initiation(struct wave *w, struct wave_peer *p, uint64_t now)
{
	int rc = wave_make_initiation(w, p, now);

	return rc ? rc : wave_send_made(w, p, now);
}

int wave_send_made(struct wave *w, struct wave_peer *p, uint64_t now)
{
	p->hs_sent_ns = now;
	p->retry_jitter_ns = randombytes_uniform(WG_REKEY_TIMEOUT_JITTER_MAX_MS) * 1000000ULL;
	if (p->initiations++)
		w->st.retries++;
	if (send(p->fd, &p->init_msg, sizeof(p->init_msg), 0) < 0)
		return -errno;
	return 0;
}

int wave_make_initiation(struct wave *w, struct wave_peer *p, uint64_t now)
{
	struct wg_msg_initiation *msg = &p->init_msg;
	uint8_t ts[WG_TIMESTAMP_LEN];

	if (p->hs_index)
		wg_index_remove(w->indices, p->hs_index);
	p->hs_index = wg_index_insert(w->indices, WG_INDEX_HANDSHAKE, &p->hs);
	if (!p->hs_index)
		return -ENOSPC;
	wg_tai64n(ts, realtime_ns());
	if (wg_noise_create_initiation(&p->hs, msg, ts, p->hs_index) != WG_OK)
		return -EPROTO;
	wg_cookie_add_macs(&p->cookie, msg, sizeof(*msg), now);
	return 0;
}

static struct wg_keypair *pool_get(struct wave_peer *p)
{
	for (unsigned i = 0; i < WAVE_KEYPAIRS; i++) {
		if (!p->pool_used[i]) {
			p->pool_used[i] = true;
			memset(&p->pool[i], 0, sizeof(p->pool[i]));
			return &p->pool[i];
		}
	}
	return NULL;
}

/* The initiator's keypair is current at once. */
static void on_response(struct wave *w, struct wave_peer *p, const uint8_t *buf, uint64_t now)
{
	const struct wg_msg_response *msg = (const struct wg_msg_response *)buf;
	struct wg_keypair_retired r = { .n = 0 };
	struct wg_keypair *kp;

	if (wg_noise_consume_response(msg, &p->hs) != WG_OK || !(kp = pool_get(p))) {
		w->st.refused++;
		return;
	}
	if (wg_noise_begin_session(&p->hs, kp, now) != WG_OK) {
		p->pool_used[kp - p->pool] = false;
		w->st.refused++;
		return;
	}
	kp->user = p;
	wg_index_replace(w->indices, p->hs_index, WG_INDEX_KEYPAIR, kp);
	p->hs_index = 0;
	p->hs_sent_ns = 0;
	p->initiations = 0;
	wg_keypairs_add(&p->kps, kp, &r);
	release(w, p, &r);
	w->st.handshakes++;
	if (w->wave_ns && !p->t.handshake) {
		p->t.handshake = now - w->wave_ns;
		p->wave_kp = kp;
		if (w->cpu.ok && p->t.handshake < (uint64_t)WG_REKEY_TIMEOUT * WG_NSEC_PER_SEC)
			wave_cpu_sample(w, &w->cpu.gw_last, &w->cpu.self_last);
	}
}

static void on_cookie(struct wave *w, struct wave_peer *p, const uint8_t *buf, uint64_t now)
{
	if (wg_cookie_consume_reply(&p->cookie, (const struct wg_msg_cookie *)buf, now) != WG_OK) {
		w->st.refused++;
		return;
	}
	w->st.cookies++;
	p->have_cookie = true;
}

static void take_reply(struct wave *w, struct wave_peer *p, const uint8_t *inner, int len,
		       const struct wg_keypair *kp, uint64_t now)
{
	struct probe_echo e;
	uint8_t bit;

	if (!probe_echo_parse(inner, (uint32_t)len, &e) || e.type != PROBE_ICMP_ECHO_REPLY ||
	    e.id != p->echo_id || e.dst.s_addr != p->tun.s_addr || e.seq >= p->sent) {
		w->st.bad_data++;
		return;
	}
	bit = (uint8_t)(1u << (e.seq & 7));
	if (p->seen[e.seq / 8] & bit) {
		p->dups++;
		return;
	}
	p->seen[e.seq / 8] |= bit;
	p->replies++;
	if (kp == p->wave_kp && !p->t.answered)
		p->t.answered = now - w->wave_ns;
}

static void on_data(struct wave *w, struct wave_peer *p, uint8_t *buf, size_t len, uint64_t now)
{
	const struct wg_index_entry *e = wg_index_lookup(w->indices, wg_transport_key_index(buf));
	struct wg_keypair_retired r = { .n = 0 };
	struct wg_keypair *kp;
	struct wg_aead_op op;
	int inner;

	if (!e || e->kind != WG_INDEX_KEYPAIR || ((struct wg_keypair *)e->ptr)->user != p) {
		w->st.bad_data++;
		return;
	}
	kp = e->ptr;
	if (wg_transport_open_prepare(kp, buf, (uint32_t)len, now, &op) != WG_OK) {
		w->st.bad_data++;
		return;
	}
	wg_aead_open_burst(w->aead, &op, 1);
	if (wg_transport_open_finish(kp, &op) != WG_OK) {
		w->st.bad_data++;
		return;
	}
	if (wg_keypairs_received_with(&p->kps, kp, &r))
		release(w, p, &r);
	inner = wg_transport_inner_len(buf + DATA_HDR, (uint32_t)len - DATA_HDR - WG_AEAD_TAG_LEN);
	if (inner > 0)
		take_reply(w, p, buf + DATA_HDR, inner, kp, now);
}

/* Our index in a response or a cookie reply (not at the same place). */
static uint32_t handshake_receiver(const uint8_t *buf, enum wg_message_type type)
{
	if (type == WG_MSG_HANDSHAKE_RESPONSE)
		return le32toh(((const struct wg_msg_response *)buf)->receiver_index);
	return le32toh(((const struct wg_msg_cookie *)buf)->receiver_index);
}

void wave_peer_rx(struct wave *w, struct wave_peer *p, uint8_t *buf, size_t len, uint64_t now)
{
	enum wg_message_type type;
	const struct wg_index_entry *e;

	if (wg_message_parse(buf, len, &type) != WG_OK) {
		w->st.refused++;
		return;
	}
	switch (type) {
	case WG_MSG_HANDSHAKE_RESPONSE:
	case WG_MSG_HANDSHAKE_COOKIE:
		e = wg_index_lookup(w->indices, handshake_receiver(buf, type));
		if (!e || e->kind != WG_INDEX_HANDSHAKE || e->ptr != &p->hs) {
			w->st.refused++;
			return;
		}
		if (type == WG_MSG_HANDSHAKE_RESPONSE)
			on_response(w, p, buf, now);
		else
			on_cookie(w, p, buf, now);
		return;
	case WG_MSG_DATA:
		on_data(w, p, buf, len, now);
		return;
	default:
		w->st.refused++;
	}
}

/* The next numbered echo request, on the current keypair. */
void wave_send_echo(struct wave *w, struct wave_peer *p, uint64_t now)
{
	uint8_t pkt[WAVE_BUF], payload[WAVE_PAYLOAD];
	struct wg_aead_op op;
	uint32_t n, pkt_len;

	if (p->sent >= WAVE_SEQ_MAX)
		return;
	memset(payload, (int)(p->id & 0xff), sizeof(payload));
	n = probe_echo_build(pkt + DATA_HDR, p->tun, w->opt->echo_to, PROBE_ICMP_ECHO_REQUEST,
			     p->echo_id, (uint16_t)p->sent, payload, sizeof(payload));
	if (!p->kps.current ||
	    wg_transport_seal_prepare(p->kps.current, pkt, n, WAVE_MTU, now, &op, &pkt_len) !=
		    WG_OK ||
	    wg_aead_seal_burst(w->aead, &op, 1) != 1) {
		p->unsent++; /* no usable keys: counted apart, never as lost */
		return;
	}
	if (send(p->fd, pkt, pkt_len, 0) < 0)
		p->unsent++; /* our own socket refused it: the number is used again */
	else
		p->sent++;
}
