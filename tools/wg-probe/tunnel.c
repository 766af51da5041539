/* SPDX-License-Identifier: MIT */
/*
 * Transport data through the core (seal/open around the bulk AEAD, here with
 * bursts of one), the ICMP echo exchange inside it, and the event loop that
 * ties datagrams and wg_timers together.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "wg/parse.h"
#include "wg/transport.h"
#include "probe.h"

enum { DATA_HDR = sizeof(struct wg_msg_data) };

int probe_send_inner(struct probe *p, const uint8_t *inner, uint32_t len)
{
	uint8_t pkt[PROBE_BUF];
	struct wg_keypair *kp = p->kps.current;
	uint64_t now = probe_now_ns();
	struct wg_aead_op op;
	uint32_t pkt_len;
	enum wg_result r;
	int rc;

	if (len > PROBE_MTU)
		return -EMSGSIZE;
	if (len)
		memcpy(pkt + DATA_HDR, inner, len);
	r = wg_transport_seal_prepare(kp, pkt, len, PROBE_MTU, now, &op, &pkt_len);
	if (r != WG_OK) {
		fprintf(stderr, "wg-probe: cannot send through the tunnel: %s\n",
			wg_result_text(r));
		return -ENOKEY;
	}
	if (wg_aead_seal_burst(p->aead, &op, 1) != 1) {
		fprintf(stderr, "wg-probe: seal failed: %s\n", strerror(-op.status));
		return -EIO;
	}
	rc = probe_udp_send(p, pkt, pkt_len);
	wg_timers_any_authenticated_packet_sent(&p->timers, now);
	wg_timers_any_authenticated_packet_traversal(&p->timers, now);
	if (len)
		wg_timers_data_sent(&p->timers, now);
	if (wg_keypair_should_rekey_on_send(kp, now) &&
	    wg_timers_may_send_initiation(&p->timers, now))
		probe_send_initiation(p, false);
	return rc;
}

static void echo_payload(uint8_t *buf, uint16_t seq)
{
	for (unsigned i = 0; i < PROBE_ECHO_PAYLOAD; i++)
		buf[i] = (uint8_t)(seq + i);
}

static void send_echo(struct probe *p, uint64_t now)
{
	uint8_t payload[PROBE_ECHO_PAYLOAD], pkt[PROBE_BUF];
	uint32_t n;

	echo_payload(payload, p->echo_seq);
	n = probe_echo_build(pkt, p->opt->tunnel_addr, p->opt->ping_addr, PROBE_ICMP_ECHO_REQUEST,
			     p->echo_id, p->echo_seq, payload, sizeof(payload));
	if (p->echo_sent_ns)
		probe_log(p, "no reply to icmp_seq=%u yet, sending it again", p->echo_seq);
	p->echo_sent_ns = now;
	if (probe_send_inner(p, pkt, n))
		p->failed = true;
}

static void take_reply(struct probe *p, const struct probe_echo *e)
{
	uint8_t want[PROBE_ECHO_PAYLOAD];
	char from[INET_ADDRSTRLEN];
	double ms;

	echo_payload(want, e->seq);
	if (p->opt->respond || !p->echo_sent_ns || e->src.s_addr != p->opt->ping_addr.s_addr ||
	    e->id != p->echo_id || e->seq != p->echo_seq || e->payload_len != sizeof(want) ||
	    memcmp(e->payload, want, sizeof(want))) {
		probe_log(p, "ignored an echo reply that answers nothing we sent (seq %u)", e->seq);
		return;
	}
	ms = (double)(probe_now_ns() - p->echo_sent_ns) / 1e6;
	inet_ntop(AF_INET, &e->src, from, sizeof(from));
	printf("%u bytes from %s: icmp_seq=%u ttl=%u time=%.3f ms\n", e->payload_len + 8, from,
	       e->seq, e->ttl, ms);
	p->done++;
	p->echo_seq++;
	p->echo_sent_ns = 0;
}

static void answer_request(struct probe *p, const struct probe_echo *e)
{
	uint8_t pkt[PROBE_BUF];
	char from[INET_ADDRSTRLEN];
	uint32_t n;

	n = probe_echo_build(pkt, p->opt->tunnel_addr, e->src, PROBE_ICMP_ECHO_REPLY, e->id, e->seq,
			     e->payload, e->payload_len);
	if (probe_send_inner(p, pkt, n)) {
		p->failed = true;
		return;
	}
	inet_ntop(AF_INET, &e->src, from, sizeof(from));
	if (p->opt->respond)
		p->done++;
	printf("answered echo request from %s: icmp_seq=%u (%u/%u)\n", from, e->seq, p->done,
	       p->opt->count);
}

static void handle_inner(struct probe *p, const uint8_t *pkt, uint32_t len)
{
	struct probe_echo e;

	if (!probe_echo_parse(pkt, len, &e) || e.dst.s_addr != p->opt->tunnel_addr.s_addr) {
		probe_log(p, "ignored an inner packet of %u bytes (not an ICMP echo to us)", len);
		return;
	}
	if (e.type == PROBE_ICMP_ECHO_REQUEST)
		answer_request(p, &e);
	else
		take_reply(p, &e);
}

enum wg_result probe_handle_data(struct probe *p, uint8_t *buf, size_t len,
				 const struct probe_addr *from)
{
	struct wg_keypair_retired retired = { .n = 0 };
	const struct wg_index_entry *e;
	uint64_t now = probe_now_ns();
	struct wg_keypair *kp;
	struct wg_aead_op op;
	enum wg_result r;
	int inner;

	e = wg_index_lookup(p->indices, wg_transport_key_index(buf));
	if (!e || e->kind != WG_INDEX_KEYPAIR)
		return WG_UNKNOWN_INDEX;
	kp = e->ptr;
	r = wg_transport_open_prepare(kp, buf, (uint32_t)len, now, &op);
	if (r != WG_OK)
		return r;
	wg_aead_open_burst(p->aead, &op, 1);
	r = wg_transport_open_finish(kp, &op);
	if (r != WG_OK)
		return r;
	if (wg_keypairs_received_with(&p->kps, kp, &retired)) {
		probe_keypairs_release(p, &retired);
		wg_timers_handshake_complete(&p->timers, now);
		printf("session confirmed by the peer's first data packet\n");
	}
	p->peer = *from;
	wg_timers_any_authenticated_packet_received(&p->timers, now);
	wg_timers_any_authenticated_packet_traversal(&p->timers, now);
	inner = wg_transport_inner_len(buf + DATA_HDR, (uint32_t)len - DATA_HDR - WG_AEAD_TAG_LEN);
	if (inner < 0)
		return WG_BAD_INNER;
	if (inner == 0) {
		probe_log(p, "keepalive received");
		return WG_OK;
	}
	wg_timers_data_received(&p->timers, now);
	if (wg_keypair_should_rekey_on_receive(kp, now) &&
	    wg_timers_want_lastminute_handshake(&p->timers))
		probe_send_initiation(p, false);
	handle_inner(p, buf + DATA_HDR, (uint32_t)inner);
	return WG_OK;
}

static const char *type_name(enum wg_message_type t)
{
	static const char *const names[] = {
		[WG_MSG_HANDSHAKE_INITIATION] = "initiation",
		[WG_MSG_HANDSHAKE_RESPONSE] = "response",
		[WG_MSG_HANDSHAKE_COOKIE] = "cookie reply",
		[WG_MSG_DATA] = "data",
	};

	return t <= WG_MSG_DATA && names[t] ? names[t] : "datagram";
}

static void dispatch(struct probe *p, uint8_t *buf, size_t len, const struct probe_addr *from)
{
	enum wg_message_type type = WG_MSG_INVALID;
	enum wg_result r = wg_message_parse(buf, len, &type);
	char where[80];

	if (r == WG_OK) {
		switch (type) {
		case WG_MSG_HANDSHAKE_INITIATION:
			r = probe_handle_initiation(p, buf, len, from);
			break;
		case WG_MSG_HANDSHAKE_RESPONSE:
			r = probe_handle_response(p, buf, len, from);
			break;
		case WG_MSG_HANDSHAKE_COOKIE:
			r = probe_handle_cookie(p, buf);
			break;
		case WG_MSG_DATA:
			r = probe_handle_data(p, buf, len, from);
			break;
		default:
			r = WG_BAD_TYPE;
		}
	}
	if (r == WG_OK)
		return;
	p->last_refusal = r;
	if (r == WG_NEED_COOKIE)
		return; /* expected under load; answered by a cookie reply */
	probe_addr_format(where, sizeof(where), from);
	fprintf(stderr, "wg-probe: refused %s of %zu bytes from %s: %s (%s)\n", type_name(type),
		len, where, wg_result_text(r), wg_result_name(r));
}

static void fire_timers(struct probe *p)
{
	uint64_t now = probe_now_ns();
	unsigned a = wg_timers_poll(&p->timers, now);
	struct wg_keypair_retired retired = { .n = 0 };

	if (a & WG_TIMER_SEND_INITIATION)
		probe_send_initiation(p, true);
	if ((a & WG_TIMER_SEND_KEEPALIVE) && p->kps.current)
		probe_send_inner(p, NULL, 0);
	if (a & WG_TIMER_DROP_STAGED) {
		fprintf(stderr, "wg-probe: gave up the handshake after %u initiations\n",
			p->initiations_sent);
		p->failed = true;
	}
	if (a & WG_TIMER_ZERO_KEYS) {
		wg_keypairs_clear(&p->kps, &retired);
		probe_keypairs_release(p, &retired);
		wg_handshake_clear(&p->hs);
		if (p->hs_index)
			wg_index_remove(p->indices, p->hs_index);
		p->hs_index = 0;
	}
}

/* Initiator: one echo request in flight, sent again each PROBE_ECHO_RETRY_MS. */
static uint64_t echo_due(const struct probe *p)
{
	if (p->opt->respond || !p->kps.current)
		return UINT64_MAX;
	if (!p->echo_sent_ns)
		return 0;
	return p->echo_sent_ns + PROBE_ECHO_RETRY_MS * 1000000ULL;
}

static int wait_ms(const struct probe *p, uint64_t now)
{
	uint64_t until = p->deadline_ns, t = wg_timers_next_deadline(&p->timers);

	if (t < until)
		until = t;
	t = echo_due(p);
	if (t < until)
		until = t;
	if (until <= now)
		return 0;
	return (int)((until - now + 999999) / 1000000);
}

static int report_end(const struct probe *p)
{
	const char *last = wg_result_text(p->last_refusal);
	unsigned s = p->opt->timeout_s;

	if (p->done >= p->opt->count) {
		printf("%u/%u echo %s, %u handshake%s, AEAD %s\n", p->done, p->opt->count,
		       p->opt->respond ? "requests answered" : "replies received", p->handshakes,
		       p->handshakes == 1 ? "" : "s", wg_aead_name(p->aead));
		return 0;
	}
	if (p->failed)
		return 1;
	if (*p->stop)
		fprintf(stderr, "wg-probe: interrupted\n");
	else if (p->opt->respond && p->handshakes && !p->kps.current)
		fprintf(stderr,
			"wg-probe: timed out after %u s: %u handshake%s answered but the "
			"peer never sent data on the keys (preshared key mismatch?)\n",
			s, p->handshakes, p->handshakes == 1 ? "" : "s");
	else if (!p->handshakes && p->opt->respond)
		fprintf(stderr,
			"wg-probe: handshake timed out after %u s: no valid initiation "
			"arrived (last refusal: %s)\n",
			s, p->last_refusal ? last : "none");
	else if (!p->handshakes)
		fprintf(stderr,
			"wg-probe: handshake timed out after %u s: %u initiation%s sent, "
			"no valid response (last refusal: %s)\n",
			s, p->initiations_sent, p->initiations_sent == 1 ? "" : "s",
			p->last_refusal ? last : "none");
	else
		fprintf(stderr, "wg-probe: timed out after %u s with %u/%u echo %s\n", s, p->done,
			p->opt->count, p->opt->respond ? "requests answered" : "replies received");
	return 1;
}

int probe_run(struct probe *p)
{
	uint8_t buf[PROBE_BUF];
	struct probe_addr from;
	uint64_t now = probe_now_ns();
	ssize_t n;

	randombytes_buf(&p->echo_id, sizeof(p->echo_id));
	p->echo_seq = 1;
	p->deadline_ns = now + p->opt->timeout_s * WG_NSEC_PER_SEC;
	if (!p->opt->respond && probe_send_initiation(p, false))
		return 1;
	while (!p->failed && p->done < p->opt->count && !*p->stop) {
		now = probe_now_ns();
		if (now >= p->deadline_ns)
			break;
		if (echo_due(p) <= now)
			send_echo(p, now);
		n = probe_udp_recv(p, buf, sizeof(buf), wait_ms(p, now), &from);
		if (n > 0)
			dispatch(p, buf, (size_t)n, &from);
		else if (n < 0 && n != -EINTR && n != -EMSGSIZE)
			fprintf(stderr, "wg-probe: receive: %s\n", strerror((int)-n));
		fire_timers(p);
	}
	return report_end(p);
}
