/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "wg/transport.h"

#include "../wg/wg_test_util.h"
#include "far_peer.h"

enum { FAR_PORT = 51820, FAR_INDEX = 0x0f00 };

void far_init(struct far_peer *p, uint8_t seed, const uint8_t our_pub[WG_KEY_LEN],
	      const struct net_mac *mac, const struct net_addr *addr)
{
	memset(p, 0, sizeof(*p));
	wgt_identity(&p->id, seed);
	if (wg_handshake_init(&p->hs, &p->id, our_pub, NULL) != WG_OK)
		abort();
	wg_cookie_init(&p->cookie, our_pub);
	p->aead = wg_aead_create("sodium");
	if (!p->aead)
		abort();
	p->local.mac = *mac;
	p->local.port = FAR_PORT;
	if (addr->family == NET_AF_IP4)
		p->local.ip4 = addr->ip4;
	else
		p->local.ip6 = addr->ip6;
	p->addr = *addr;
	p->unix_ns = SEC(1700000000);
}

void far_fini(struct far_peer *p)
{
	wg_aead_destroy(p->aead);
	wg_handshake_wipe(&p->hs);
}

void far_initiation(struct far_peer *p, uint64_t now, struct wg_msg_initiation *msg)
{
	static uint32_t index = FAR_INDEX;
	uint8_t ts[WG_TIMESTAMP_LEN];

	p->unix_ns += SEC(1);
	wg_tai64n(ts, p->unix_ns);
	if (wg_noise_create_initiation(&p->hs, msg, ts, index++) != WG_OK)
		abort();
	wg_cookie_add_macs(&p->cookie, msg, sizeof(*msg), now);
}

enum wg_result far_consume_response(struct far_peer *p, const uint8_t *msg, size_t len,
				    uint64_t now)
{
	enum wg_result r;

	if (len != sizeof(struct wg_msg_response))
		return WG_BAD_SIZE;
	r = wg_noise_consume_response((const struct wg_msg_response *)msg, &p->hs);
	return r == WG_OK ? wg_noise_begin_session(&p->hs, &p->kp, now) : r;
}

static struct wg_handshake *far_lookup(void *ctx, const uint8_t pub[WG_KEY_LEN])
{
	struct far_peer *p = ctx;

	return memcmp(p->hs.remote_static, pub, WG_KEY_LEN) == 0 ? &p->hs : NULL;
}

enum wg_result far_consume_initiation(struct far_peer *p, const uint8_t *msg, size_t len,
				      uint64_t now)
{
	struct wg_handshake *hs;

	if (len != sizeof(struct wg_msg_initiation))
		return WG_BAD_SIZE;
	return wg_noise_consume_initiation((const struct wg_msg_initiation *)msg, &p->id,
					   far_lookup, p, now, &hs);
}

size_t far_seal(struct far_peer *p, const uint8_t *inner, size_t len, uint32_t mtu, uint64_t now,
		uint8_t *out)
{
	struct wg_aead_op op;
	uint32_t msg_len;

	memcpy(out + sizeof(struct wg_msg_data), inner, len);
	if (wg_transport_seal_prepare(&p->kp, out, (uint32_t)len, mtu, now, &op, &msg_len) !=
		    WG_OK ||
	    wg_aead_seal_burst(p->aead, &op, 1) != 1)
		abort();
	return msg_len;
}

int far_open(struct far_peer *p, uint8_t *msg, size_t len, uint64_t now)
{
	struct wg_aead_op op;

	if (wg_transport_open_prepare(&p->kp, msg, (uint32_t)len, now, &op) != WG_OK)
		return -1;
	wg_aead_open_burst(p->aead, &op, 1);
	return wg_transport_open_finish(&p->kp, &op) == WG_OK ? (int)op.len : -1;
}

bool far_udp_in(const struct far_peer *p, const uint8_t *frame, size_t len, struct net_udp_view *v)
{
	return net_classify_underlay(frame, len, &p->local, v) == NET_UDP_TO_US;
}

size_t frame_udp(uint8_t *out, size_t cap, const struct net_mac *mac, const struct net_addr *a,
		 uint16_t sport, const struct net_mac *dst_mac, const struct net_addr *b,
		 uint16_t dport, const void *payload, size_t len)
{
	struct net_encap_params prm = { .src_mac = *mac,
					.dst_mac = *dst_mac,
					.vlan_tci = -1,
					.src = *a,
					.dst = *b,
					.src_port = sport,
					.dst_port = dport,
					.csum = NET_UDP_CSUM_FULL };
	struct net_encap e;
	size_t n;

	if (cap < NET_ENCAP_MAX_HLEN + len || net_encap_init(&e, &prm) != 0)
		abort();
	memcpy(out + e.hdr_len, payload, len);
	n = net_encap_push(&e, out + e.hdr_len, e.hdr_len, len, 1);
	if (n == 0)
		abort();
	return n;
}

size_t inner_ping(uint8_t *out, size_t cap, const struct net_addr *a, const struct net_addr *b,
		  size_t data_len)
{
	static uint8_t data[9000];
	struct net_echo e = { .id = 7, .seq = 1, .data = data, .data_len = data_len };
	size_t n;

	if (data_len > sizeof(data))
		abort();
	memset(data, 0x5a, data_len);
	if (a->family == NET_AF_IP4)
		n = net_icmp4_echo_build(out, cap, &a->ip4, &b->ip4, &e);
	else
		n = net_icmp6_echo_build(out, cap, &a->ip6, &b->ip6, &e);
	if (n == 0)
		abort();
	return n;
}

size_t frame_ip(uint8_t *out, size_t cap, const struct net_mac *src, const struct net_mac *dst,
		const uint8_t *ip, size_t len)
{
	uint16_t type = net_ip_version(ip) == 4 ? NET_ETH_IP4 : NET_ETH_IP6;

	if (cap < NET_ETH_HLEN + len || net_eth_build(out, cap, dst, src, type) == 0)
		abort();
	memcpy(out + NET_ETH_HLEN, ip, len);
	return NET_ETH_HLEN + len;
}

void fix_ip4_csum(uint8_t *l3)
{
	size_t hlen = (size_t)(l3[NET_IP4_OFF_VIHL] & 0x0f) * 4;

	net_put_be16(l3 + NET_IP4_OFF_CSUM, 0);
	net_put_be16(l3 + NET_IP4_OFF_CSUM, net_csum_finish(net_csum_add(0, l3, hlen)));
}
