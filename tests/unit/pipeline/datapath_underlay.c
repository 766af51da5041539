/* SPDX-License-Identifier: MIT */
/*
 * The datapath test's rows on the underlay port, and control's: peer A's
 * handshake and data, every kind of bad frame, ARP/ND for our addresses,
 * signaling and STUN, refused and rate-limited handshakes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "wg/parse.h"

#include "../wg/wg_test_util.h"
#include "datapath.h"

/* Row 3's message, replayed by row 6. */
static uint8_t replay_frame[FRAME_MAX];
static size_t replay_len;
/* What control's UDP hook saw (row 25). */
static unsigned hook_udp;
static struct net_udp_view hook_view;

static void send_initiation_a(void)
{
	struct wg_msg_initiation msg;
	uint8_t f[FRAME_MAX];

	far_initiation(&dt.a, now(), &msg);
	underlay_in(f, from_peer(&dt.a, &msg, sizeof(msg), f));
}

/* Learning A's MAC from its initiation, control builds every peer's path:
 * first an ARP request for B (kept for row 2), then our response, from our
 * port to A's; A takes it and has its keypair. */
static void check_response(struct rte_mbuf **under, struct rte_mbuf **host)
{
	const uint8_t *f = rte_pktmbuf_mtod(under[0], const uint8_t *);
	struct net_udp_view v;

	(void)host;
	assert_int_equal(net_arp_parse(f + NET_ETH_HLEN, under[0]->data_len - NET_ETH_HLEN,
				       &dt.arp_for_b),
			 NET_DROP_OK);
	assert_int_equal(dt.arp_for_b.op, NET_ARP_REQUEST);
	assert_memory_equal(&dt.arp_for_b.tpa, &dt.b.addr.ip4, 4);
	assert_memory_equal(&dt.arp_for_b.spa, &dt.us4.ip4, 4);
	f = rte_pktmbuf_mtod(under[1], const uint8_t *);
	assert_true(far_udp_in(&dt.a, f, under[1]->data_len, &v));
	assert_int_equal(v.src_port, PORT);
	assert_int_equal(v.payload_len, sizeof(struct wg_msg_response));
	assert_int_equal(far_consume_response(&dt.a, f + v.payload_off, v.payload_len, now()),
			 WG_OK);
}

static void send_data_a4(void)
{
	replay_len = data_from_a(&dt.a_vip4, &dt.host4, replay_frame);
	underlay_in(replay_frame, replay_len);
}

static void send_data_a6(void)
{
	send_data_from_a(&dt.a_vip6, &dt.host6);
}

/* The inner packet, behind an Ethernet header from us to the host. */
static void check_to_host(struct rte_mbuf **under, struct rte_mbuf **host)
{
	const uint8_t *f = rte_pktmbuf_mtod(host[0], const uint8_t *);
	struct net_eth eth;

	(void)under;
	assert_int_equal(net_eth_parse(f, host[0]->data_len, &eth), NET_DROP_OK);
	assert_memory_equal(&eth.dst, &host_mac, sizeof(host_mac));
	assert_memory_equal(&eth.src, &our_host_mac, sizeof(our_host_mac));
	assert_int_equal(eth.type, net_ip_version(dt.expect) == 4 ? NET_ETH_IP4 : NET_ETH_IP6);
	assert_int_equal(host[0]->data_len, NET_ETH_HLEN + dt.expect_len);
	assert_memory_equal(f + NET_ETH_HLEN, dt.expect, dt.expect_len);
}

static void send_keepalive_a(void)
{
	uint8_t none[1], msg[FRAME_MAX], f[FRAME_MAX];

	underlay_in(f, from_peer(&dt.a, msg, far_seal(&dt.a, none, 0, MTU, now(), msg), f));
}

static void send_replay(void)
{
	underlay_in(replay_frame, replay_len);
}

static void send_bad_tag(void)
{
	uint8_t f[FRAME_MAX];
	size_t n = data_from_a(&dt.a_vip4, &dt.host4, f);

	f[n - 20] ^= 0x01; /* a ciphertext byte before the tag */
	underlay_in(f, n);
}

static void send_unknown_index(void)
{
	uint8_t f[FRAME_MAX];
	size_t n = data_from_a(&dt.a_vip4, &dt.host4, f);
	uint8_t *msg = f + NET_ETH_HLEN + NET_IP4_HLEN + NET_UDP_HLEN;

	memset(msg + offsetof(struct wg_msg_data, key_idx), 0xee, sizeof(uint32_t));
	underlay_in(f, n);
}

/* Our keypair towards A, aged past REJECT_AFTER_TIME for one message. */
static void send_key_expired(void)
{
	uint32_t idx = dt.a.kp.remote_index;
	struct pl_keypair *kp;
	uint64_t born;

	assert_int_equal(pl_sessions_lookup_bulk(dt.nr.dp.sessions, &idx, 1, &kp), 1);
	born = kp->wg.birthdate_ns;
	kp->wg.birthdate_ns = now() - SEC(WG_REJECT_AFTER_TIME + 1);
	send_data_from_a(&dt.a_vip4, &dt.host4);
	nr_run(&dt.nr);
	kp->wg.birthdate_ns = born;
}

static void send_bad_inner(void)
{
	uint8_t junk[40] = { 0 }, msg[FRAME_MAX], f[FRAME_MAX];

	underlay_in(f,
		    from_peer(&dt.a, msg, far_seal(&dt.a, junk, sizeof(junk), MTU, now(), msg), f));
}

static void send_src_not_allowed(void)
{
	struct net_addr other = ip4(10, 9, 9, 9);

	send_data_from_a(&other, &dt.host4);
}

/* A data header at 20 bytes, an initiation's at 100: sizes no message has. */
static void send_wrong_sizes(void)
{
	uint8_t msg[100] = { WG_MSG_DATA }, f[FRAME_MAX];

	underlay_in(f, from_peer(&dt.a, msg, 20, f));
	msg[0] = WG_MSG_HANDSHAKE_INITIATION;
	underlay_in(f, from_peer(&dt.a, msg, sizeof(msg), f));
}

/* Not WireGuard on our port: text, and signaling while no nucleus is set. */
static void send_unknown_proto(void)
{
	uint8_t sig[NET_SIG_MIN_LEN] = { 0 }, f[FRAME_MAX];

	underlay_in(f, from_peer(&dt.stranger, "hello, port 51820", 17, f));
	net_put_be32(sig, NET_SIG_MAGIC);
	underlay_in(f, from_peer(&dt.stranger, sig, sizeof(sig), f));
}

/* TURN ChannelData from a stranger (not our relay: none is set), and one
 * whose length runs past the datagram. */
static void send_channel_data(void)
{
	uint8_t cd[8] = { NET_TURN_CHANNEL_BYTE, 0x00, 0x00, 0x04, 1, 0, 0, 0 }, f[FRAME_MAX];

	underlay_in(f, from_peer(&dt.stranger, cd, sizeof(cd), f));
	cd[3] = 5;
	underlay_in(f, from_peer(&dt.stranger, cd, sizeof(cd), f));
}

/* From the stranger: to another port, another MAC, another address. */
static void send_not_ours(void)
{
	static const struct net_mac other_mac = { { 0x02, 0, 0, 0, 0, 0x99 } };
	struct net_addr other = ip4(192, 0, 2, 77);
	const struct net_addr *s = &dt.stranger.addr;
	uint8_t f[FRAME_MAX];

	underlay_in(f, frame_udp(f, FRAME_MAX, &s_mac, s, PORT, &our_mac, &dt.us4, 9999, "x", 1));
	underlay_in(f, frame_udp(f, FRAME_MAX, &s_mac, s, PORT, &other_mac, &dt.us4, PORT, "x", 1));
	underlay_in(f, frame_udp(f, FRAME_MAX, &s_mac, s, PORT, &our_mac, &other, PORT, "x", 1));
}

/* A frame from the dt.stranger to our port, IPv4 or IPv6, for the test to
 * break; *l3 is where its IP header is. */
static size_t stranger_frame(uint8_t *f, bool v6, uint8_t **l3)
{
	static const uint8_t payload[40] = { 0x42 };
	struct net_addr s6 = ip6(0x2001, 0xdb8, 0x50);

	*l3 = f + NET_ETH_HLEN;
	return frame_udp(f, FRAME_MAX, &s_mac, v6 ? &s6 : &dt.stranger.addr, PORT, &our_mac,
			 v6 ? &dt.us6 : &dt.us4, PORT, payload, sizeof(payload));
}

static void send_bad_checksum(void)
{
	uint8_t f[FRAME_MAX], *l3;
	size_t n = stranger_frame(f, false, &l3);

	l3[NET_IP4_OFF_CSUM] ^= 0xff;
	underlay_in(f, n);
	n = stranger_frame(f, true, &l3);
	net_put_be16(l3 + NET_IP6_HLEN + NET_UDP_OFF_CSUM, 0);
	underlay_in(f, n);
}

static void send_truncated(void)
{
	uint8_t f[FRAME_MAX], *l3;
	size_t n = stranger_frame(f, false, &l3);

	net_put_be16(l3 + NET_IP4_OFF_TOTLEN, (uint16_t)(n - NET_ETH_HLEN + 100));
	fix_ip4_csum(l3);
	underlay_in(f, n);
	underlay_in(f, 10);
}

static void send_fragment(void)
{
	uint8_t f[FRAME_MAX], *l3;
	size_t n = stranger_frame(f, false, &l3);

	net_put_be16(l3 + NET_IP4_OFF_FRAG, NET_IP4_FLAG_MF);
	fix_ip4_csum(l3);
	underlay_in(f, n);
}

static void send_ip6_exthdr(void)
{
	uint8_t f[FRAME_MAX], *l3;
	size_t n = stranger_frame(f, true, &l3);

	l3[NET_IP6_OFF_NEXT] = NET_PROTO_HOPOPTS;
	underlay_in(f, n);
}

static void send_bad_source(void)
{
	uint8_t f[FRAME_MAX], *l3;
	size_t n = stranger_frame(f, false, &l3);

	memset(l3 + NET_IP4_OFF_SRC, 0, 4);
	fix_ip4_csum(l3);
	underlay_in(f, n);
	n = stranger_frame(f, true, &l3);
	memcpy(l3 + NET_IP6_OFF_SRC, net_ip6_all_nodes.b, 16);
	underlay_in(f, n);
}

/* IPv4 version 5; ARP for our address with hardware type 2. */
static void send_malformed(void)
{
	uint8_t f[FRAME_MAX], *l3;
	size_t n = stranger_frame(f, false, &l3);

	l3[NET_IP4_OFF_VIHL] = (uint8_t)(0x50 | (l3[NET_IP4_OFF_VIHL] & 0x0f));
	fix_ip4_csum(l3);
	underlay_in(f, n);
	n = net_arp_frame_request(f, FRAME_MAX, &s_mac, &dt.stranger.addr.ip4, &dt.us4.ip4);
	f[NET_ETH_HLEN + 1] = 2;
	underlay_in(f, n);
}

static void send_multi_seg(void)
{
	uint8_t f[FRAME_MAX], *l3;
	size_t n = stranger_frame(f, false, &l3);

	nr_underlay_in(&dt.nr, chained(f, n));
}

static void send_arp_for_us(void)
{
	uint8_t f[FRAME_MAX];

	underlay_in(f, net_arp_frame_request(f, FRAME_MAX, &s_mac, &dt.stranger.addr.ip4,
					     &dt.us4.ip4));
}

static void check_arp_reply(struct rte_mbuf **under, struct rte_mbuf **host)
{
	struct net_arp arp;

	(void)host;
	check_arp_reply_from(under[0], &our_mac, &dt.us4.ip4, &arp);
	assert_memory_equal(&arp.tpa, &dt.stranger.addr.ip4, 4);
}

static void send_ns_for_us(void)
{
	struct net_addr s6 = ip6(0x2001, 0xdb8, 0x50);
	uint8_t f[FRAME_MAX];

	underlay_in(f, net_nd_ns_frame(f, FRAME_MAX, &s_mac, &s6.ip6, &dt.us6.ip6, NULL));
}

static void check_na_underlay(struct rte_mbuf **under, struct rte_mbuf **host)
{
	(void)host;
	check_na(under, NULL);
}

/* ---- control ------------------------------------------------------------ */

static void udp_hook(void *ctx, struct rte_mbuf *m, const struct net_udp_view *v, uint64_t t)
{
	(void)ctx;
	(void)t;
	hook_udp++;
	hook_view = *v;
	rte_pktmbuf_free(m);
}

/* With a nucleus: signaling and STUN reach control's hook, with the view
 * of where they came from that the worker's tag gives. */
static void send_to_udp_hook(void)
{
	uint8_t sig[NET_SIG_MIN_LEN] = { 0 }, stun[NET_STUN_HLEN] = { 0x01, 0x01 };
	uint8_t f[FRAME_MAX];

	dt.nr.dp.other_udp_to_control = true;
	dt.nr.ctl.udp_hook = udp_hook;
	net_put_be32(sig, NET_SIG_MAGIC);
	net_put_be32(stun + NET_STUN_OFF_COOKIE, NET_STUN_COOKIE);
	underlay_in(f, from_peer(&dt.stranger, sig, sizeof(sig), f));
	nr_run(&dt.nr);
	assert_int_equal(hook_udp, 1);
	assert_int_equal(hook_view.payload_len, sizeof(sig));
	assert_int_equal(hook_view.src_port, PORT);
	assert_memory_equal(&hook_view.src.ip4, &dt.stranger.addr.ip4, 4);
	assert_memory_equal(&hook_view.src_mac, &s_mac, sizeof(s_mac));
	underlay_in(f, frame_udp(f, FRAME_MAX, &s_mac, &dt.stranger.addr, 3478, &our_mac, &dt.us4,
				 PORT, stun, sizeof(stun)));
	nr_run(&dt.nr);
	assert_int_equal(hook_udp, 2);
	assert_int_equal(hook_view.payload_len, sizeof(stun));
	assert_int_equal(hook_view.src_port, 3478);
	dt.nr.dp.other_udp_to_control = false;
	dt.nr.ctl.udp_hook = NULL;
}

static void send_bad_mac1(void)
{
	struct wg_msg_initiation msg;
	uint8_t f[FRAME_MAX];

	far_initiation(&dt.a, now(), &msg);
	msg.macs.mac1[0] ^= 0x01;
	underlay_in(f, from_peer(&dt.a, &msg, sizeof(msg), f));
}

/* Valid MACs from a key no one configured: refused after the rate limit
 * let it through; the second from that address is over the limit. */
static void send_stranger_initiations(void)
{
	struct wg_msg_initiation msg;
	uint8_t f[FRAME_MAX];

	far_initiation(&dt.stranger, now(), &msg);
	underlay_in(f, from_peer(&dt.stranger, &msg, sizeof(msg), f));
	far_initiation(&dt.stranger, now(), &msg);
	underlay_in(f, from_peer(&dt.stranger, &msg, sizeof(msg), f));
}

/* More ARP requests in one burst than the control ring holds. */
static void send_arp_flood(void)
{
	for (unsigned i = 0; i < TO_CONTROL + 4; i++)
		send_arp_for_us();
}

/* The answer to row 1's question: B's path is built, nothing is sent. */
static void send_arp_reply_b(void)
{
	uint8_t f[FRAME_MAX];

	underlay_in(f, net_arp_frame_reply(f, FRAME_MAX, &dt.arp_for_b, &b_mac));
}

const struct row underlay_rows[] = {
	/* 1 */ { "initiation from A: ARP for B, a response to A",
		  send_initiation_a,
		  { 0 },
		  2,
		  0,
		  check_response },
	/* 2 */ { "B's ARP reply: B's path, nothing sent", send_arp_reply_b, { 0 }, 0, 0, NULL },
	/* 3 */ { "data from A: to the host port", send_data_a4, { 0 }, 0, 1, check_to_host },
	/* 4 */ { "IPv6 data from A: to the host port", send_data_a6, { 0 }, 0, 1, check_to_host },
	/* 5 */ { "keepalive from A: timers only", send_keepalive_a, { 0 }, 0, 0, NULL },
	/* 6 */ { "row 3 again", send_replay, { D(REPLAY, 1) }, 0, 0, NULL },
	/* 7 */ { "a ciphertext byte flipped", send_bad_tag, { D(BAD_TAG, 1) }, 0, 0, NULL },
	/* 8 */
	{ "receiver index of no session", send_unknown_index, { D(UNKNOWN_INDEX, 1) }, 0, 0, NULL },
	/* 9 */
	{ "our keypair past REJECT_AFTER_TIME", send_key_expired, { D(KEY_EXPIRED, 1) }, 0, 0, NULL },
	/* 10 */ { "inner not an IP packet", send_bad_inner, { D(BAD_INNER, 1) }, 0, 0, NULL },
	/* 11 */
	{ "inner source not in A's AllowedIPs",
	  send_src_not_allowed,
	  { D(SRC_NOT_ALLOWED, 1) },
	  0,
	  0,
	  NULL },
	/* 12 */
	{ "WireGuard headers at wrong sizes", send_wrong_sizes, { D(BAD_MESSAGE, 2) }, 0, 0, NULL },
	/* 13 */
	{ "not WireGuard on our port, no nucleus",
	  send_unknown_proto,
	  { D(UNKNOWN_PROTO, 2) },
	  0,
	  0,
	  NULL },
	/* 14 */ { "other port, MAC, address", send_not_ours, { D(NOT_OURS, 3) }, 0, 0, NULL },
	/* 15 */
	{ "IPv4 checksum wrong, UDP6 checksum zero",
	  send_bad_checksum,
	  { D(BAD_CHECKSUM, 2) },
	  0,
	  0,
	  NULL },
	/* 16 */
	{ "IPv4 length past the frame, 10-byte frame",
	  send_truncated,
	  { D(TRUNCATED, 2) },
	  0,
	  0,
	  NULL },
	/* 17 */ { "IPv4 fragment", send_fragment, { D(FRAGMENT, 1) }, 0, 0, NULL },
	/* 18 */ { "IPv6 hop-by-hop header", send_ip6_exthdr, { D(IP6_EXTHDR, 1) }, 0, 0, NULL },
	/* 19 */
	{ "source 0.0.0.0, source ff02::1", send_bad_source, { D(BAD_SOURCE, 2) }, 0, 0, NULL },
	/* 20 */
	{ "IPv4 version 5, ARP hardware type 2", send_malformed, { D(MALFORMED, 2) }, 0, 0, NULL },
	/* 21 */ { "frame in two mbufs", send_multi_seg, { D(MULTI_SEG, 1) }, 0, 0, NULL },
	/* 22 */
	{ "ARP request for our address: answered", send_arp_for_us, { 0 }, 1, 0, check_arp_reply },
	/* 23 */
	{ "NS for our IPv6 address: answered", send_ns_for_us, { 0 }, 1, 0, check_na_underlay },
	/* 24 */
	{ "ARP flood: the control ring full",
	  send_arp_flood,
	  { D(RING_FULL, 5) },
	  TO_CONTROL - 1,
	  0,
	  NULL },
	/* 25 */
	{ "signaling, STUN with a nucleus: control's hook", send_to_udp_hook, { 0 }, 0, 0, NULL },
	/* 26 */ { "initiation with a bad mac1", send_bad_mac1, { D(HANDSHAKE, 1) }, 0, 0, NULL },
	/* 27 */
	{ "a stranger's initiations: refused, then rate-limited",
	  send_stranger_initiations,
	  { D(HANDSHAKE, 1), D(RATELIMIT, 1) },
	  0,
	  0,
	  NULL },
	/* 28 */
	{ "TURN ChannelData not from our relay, or too long",
	  send_channel_data,
	  { D(BAD_CHANNEL, 2) },
	  0,
	  0,
	  NULL },
};
const unsigned n_underlay_rows = ARRAY_SIZE(underlay_rows);
