/* SPDX-License-Identifier: MIT */
/*
 * Outer headers (encap.c): the template pushed in front of a payload
 * reproduces scapy's frames, the NIC-offload form completes to the same
 * checksum, random paths (a third with a TURN ChannelData header, whose
 * bytes the UDP checksum must cover) round-trip through the classifier, every
 * header length lands byte for byte with a right IPv4 checksum for every id,
 * and the limits (headroom, IP length, bad parameters) hold.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/net.h"
#include "net_test_util.h"
#include "net_vectors.h"

#define HEADROOM 128

static struct net_encap_params params4(enum net_udp_csum csum, int vlan)
{
	struct net_encap_params p = {
		.src_mac = t_us_mac,
		.dst_mac = t_peer_mac,
		.vlan_tci = vlan,
		.src = { .family = NET_AF_IP4, .ip4 = t_us4 },
		.dst = { .family = NET_AF_IP4, .ip4 = t_peer4 },
		.src_port = T_PORT,
		.dst_port = T_PEER_PORT,
		.csum = csum,
	};
	return p;
}

static struct net_encap_params params6(enum net_udp_csum csum)
{
	struct net_encap_params p = {
		.src_mac = t_us_mac,
		.dst_mac = t_peer_mac,
		.vlan_tci = -1,
		.src = { .family = NET_AF_IP6, .ip6 = t_us6 },
		.dst = { .family = NET_AF_IP6, .ip6 = t_peer6 },
		.src_port = T_PORT,
		.dst_port = T_PEER_PORT,
		.csum = csum,
	};
	return p;
}

/* Pushes the known 32-byte payload and compares with want. */
static void check_known(const struct net_encap_params *p, const uint8_t *want, size_t n)
{
	uint8_t buf[HEADROOM + 32];
	struct net_encap e;

	assert_int_equal(net_encap_init(&e, p), 0);
	assert_int_equal(e.hdr_len, n - 32);
	t_payload(buf + HEADROOM);
	assert_int_equal(net_encap_push(&e, buf + HEADROOM, HEADROOM, 32, 0x1234), n);
	assert_memory_equal(buf + HEADROOM - e.hdr_len, want, n);
}

static void test_known(void **state)
{
	struct net_encap_params p;

	(void)state;
	p = params4(NET_UDP_CSUM_FULL, -1);
	check_known(&p, kat_udp4_csum, sizeof(kat_udp4_csum));
	p = params4(NET_UDP_CSUM_NONE, -1);
	check_known(&p, kat_udp4_nocsum, sizeof(kat_udp4_nocsum));
	p = params4(NET_UDP_CSUM_NONE, 100);
	check_known(&p, kat_udp4_vlan, sizeof(kat_udp4_vlan));
	p = params6(NET_UDP_CSUM_FULL);
	check_known(&p, kat_udp6, sizeof(kat_udp6));
}

/* A NIC completing the pseudo-header sum gets the software checksum. */
static void test_pseudo_offload(void **state)
{
	uint8_t a[HEADROOM + 300], b[HEADROOM + 300];
	uint64_t seed = 5;

	(void)state;
	for (int fam = 0; fam < 2; fam++) {
		struct net_encap_params pf = fam ? params6(NET_UDP_CSUM_FULL) :
						   params4(NET_UDP_CSUM_FULL, -1);
		struct net_encap_params pp = pf;
		struct net_encap ef, ep;

		pp.csum = NET_UDP_CSUM_PSEUDO;
		assert_int_equal(net_encap_init(&ef, &pf), 0);
		assert_int_equal(net_encap_init(&ep, &pp), 0);
		for (size_t len = 0; len < 300; len += 13) {
			uint8_t *udp;
			uint16_t c;

			t_fill(&seed, a + HEADROOM, len);
			memcpy(b + HEADROOM, a + HEADROOM, len);
			net_encap_push(&ef, a + HEADROOM, HEADROOM, len, 1);
			net_encap_push(&ep, b + HEADROOM, HEADROOM, len, 1);
			udp = b + HEADROOM - 8;
			c = net_csum_finish(net_csum_add(0, udp, 8 + len)); /* what the NIC does */
			assert_int_equal(c ? c : 0xffff, net_get_be16(a + HEADROOM - 8 + 6));
		}
	}
}

/* Random paths, payloads and ids, back through the classifier. */
static void test_round_trip(void **state)
{
	static uint8_t buf[HEADROOM + 1500];
	uint64_t seed = 1420;

	(void)state;
	for (int i = 0; i < 500; i++) {
		bool v6 = i & 1;
		int vlan = i & 2 ? (int)(t_rand(&seed) & 0xfff) : -1;
		struct net_encap_params p = v6 ? params6(NET_UDP_CSUM_FULL) :
						 params4((enum net_udp_csum)(i / 4 % 2), vlan);
		size_t len = t_rand(&seed) % 1400, n;
		struct net_local l = t_local_peer();
		struct net_encap e;
		struct net_udp_view v;
		uint16_t id = (uint16_t)t_rand(&seed);

		p.vlan_tci = vlan;
		/* A third through a TURN relay: ChannelData in the template. */
		p.channel = i % 3 ? 0 : (uint16_t)(NET_TURN_CHANNEL_MIN + i % 256);
		p.src_port = (uint16_t)t_rand(&seed);
		l.port = p.dst_port = (uint16_t)t_rand(&seed);
		/* random unicast sources: the first byte stays 0x20 or 192 */
		t_fill(&seed, (v6 ? p.src.ip6.b : p.src.ip4.b) + 1, v6 ? 15 : 3);
		t_fill(&seed, buf + HEADROOM, len);
		assert_int_equal(net_encap_init(&e, &p), 0);
		n = net_encap_push(&e, buf + HEADROOM, HEADROOM, len, id);
		assert_int_equal(n, e.hdr_len + len);
		assert_int_equal(t_classify(buf + HEADROOM - e.hdr_len, n, &l, &v), NET_UDP_TO_US);
		assert_int_equal(v.payload_off + e.chan_len, e.hdr_len);
		assert_int_equal(v.payload_len, len + e.chan_len);
		if (p.channel) {
			const uint8_t *cd = buf + HEADROOM - NET_TURN_CHANNEL_HLEN;

			assert_int_equal(e.chan_len, NET_TURN_CHANNEL_HLEN);
			assert_int_equal(net_get_be16(cd), p.channel);
			assert_int_equal(net_get_be16(cd + 2), len);
		}
		assert_int_equal(v.src_port, p.src_port);
		assert_int_equal(v.vlan, vlan >= 0);
		assert_memory_equal(v6 ? v.src.ip6.b : v.src.ip4.b, v6 ? p.src.ip6.b : p.src.ip4.b,
				    v6 ? 16 : 4);
		if (!v6)
			assert_int_equal(net_get_be16(buf + HEADROOM - e.hdr_len + e.l3_off + 4),
					 id);
	}
}

static bool in(size_t i, size_t from, size_t n)
{
	return i >= from && i < from + n;
}

/* Whether byte i of header e is one push fills in per packet. */
static bool patched(const struct net_encap *e, size_t i)
{
	size_t ip = e->l3_off, udp = e->l4_off;

	if (e->family == NET_AF_IP4 && (in(i, ip + 2, 4) || in(i, ip + 10, 2)))
		return true; /* total length, id; checksum */
	if (e->family == NET_AF_IP6 && in(i, ip + 4, 2))
		return true; /* payload length */
	return in(i, udp + 4, 4) || (e->chan_len && in(i, e->hdr_len - 2u, 2));
}

/*
 * Every header length there is (IPv4 or IPv6, VLAN tag or none, ChannelData
 * or none): the template lands byte for byte right before the payload,
 * nothing before it is written, and the IPv4 checksum is right for ids and
 * lengths that carry in the sum.
 */
static void test_every_length(void **state)
{
	static const uint16_t ids[] = { 0, 1, 0x7fff, 0xfffe, 0xffff };
	uint8_t buf[HEADROOM + 1500];
	uint64_t seed = 42;

	(void)state;
	for (int i = 0; i < 8; i++) {
		struct net_encap_params p = i & 1 ? params6(NET_UDP_CSUM_PSEUDO) :
						    params4(NET_UDP_CSUM_NONE, i & 2 ? 7 : -1);
		struct net_encap e;

		p.vlan_tci = i & 2 ? 7 : -1;
		p.channel = i & 4 ? NET_TURN_CHANNEL_MIN : 0;
		assert_int_equal(net_encap_init(&e, &p), 0);
		for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
			size_t len = t_rand(&seed) % 1400, n;
			const uint8_t *f = buf + HEADROOM - e.hdr_len;

			memset(buf, 0xa5, sizeof(buf));
			n = net_encap_push(&e, buf + HEADROOM, HEADROOM, len, ids[k]);
			assert_int_equal(n, e.hdr_len + len);
			for (size_t b = 0; b < (size_t)(HEADROOM - e.hdr_len); b++)
				assert_int_equal(buf[b], 0xa5);
			for (size_t b = 0; b < e.hdr_len; b++)
				if (!patched(&e, b))
					assert_int_equal(f[b], e.hdr[b]);
			if (i & 1)
				continue;
			assert_true(net_csum_ok(net_csum_add(0, f + e.l3_off, NET_IP4_HLEN)));
			assert_int_equal(net_get_be16(f + e.l3_off + 4), ids[k]);
		}
	}
}

/* Every id at the longest IPv4 packet: sums that carry twice included. */
static void test_ip4_csum_every_id(void **state)
{
	static uint8_t big[HEADROOM + 65535];
	struct net_encap_params p = params4(NET_UDP_CSUM_NONE, -1);
	size_t len = 65535 - NET_IP4_HLEN - NET_UDP_HLEN;
	const uint8_t *ip = big + HEADROOM - NET_UDP_HLEN - NET_IP4_HLEN;
	struct net_encap e;

	(void)state;
	assert_int_equal(net_encap_init(&e, &p), 0);
	for (uint32_t id = 0; id <= 0xffff; id++) {
		assert_int_equal(net_encap_push(&e, big + HEADROOM, HEADROOM, len, (uint16_t)id),
				 e.hdr_len + len);
		assert_true(net_csum_ok(net_csum_add(0, ip, NET_IP4_HLEN)));
	}
}

static void test_limits(void **state)
{
	struct net_encap_params p4 = params4(NET_UDP_CSUM_FULL, -1),
				p6 = params6(NET_UDP_CSUM_FULL);
	size_t max4 = 65535 - 28, max6 = 65535 - 8;
	uint8_t *big = calloc(1, HEADROOM + max6 + 1);
	struct net_encap e;

	(void)state;
	assert_non_null(big);
	assert_int_equal(net_encap_init(&e, &p4), 0);
	assert_int_equal(net_encap_push(&e, big + HEADROOM, 41, 10, 0), 0);
	assert_int_equal(net_encap_push(&e, big + HEADROOM, 42, 10, 0), 52);
	assert_int_equal(net_encap_push(&e, big + HEADROOM, HEADROOM, max4, 0), 42 + max4);
	assert_int_equal(net_encap_push(&e, big + HEADROOM, HEADROOM, max4 + 1, 0), 0);
	assert_int_equal(net_encap_init(&e, &p6), 0);
	assert_int_equal(net_encap_push(&e, big + HEADROOM, 61, 10, 0), 0);
	assert_int_equal(net_encap_push(&e, big + HEADROOM, HEADROOM, max6, 0), 62 + max6);
	assert_int_equal(net_encap_push(&e, big + HEADROOM, HEADROOM, max6 + 1, 0), 0);
	free(big);

	p6.csum = NET_UDP_CSUM_NONE; /* RFC 8200 8.1: IPv6 needs a checksum */
	assert_int_equal(net_encap_init(&e, &p6), -EINVAL);
	p6 = params6(NET_UDP_CSUM_FULL);
	p6.dst = p4.dst; /* mixed families */
	assert_int_equal(net_encap_init(&e, &p6), -EINVAL);
	p4.src.family = p4.dst.family = NET_AF_NONE;
	assert_int_equal(net_encap_init(&e, &p4), -EINVAL);
	p4 = params4(NET_UDP_CSUM_FULL, 0x10000);
	assert_int_equal(net_encap_init(&e, &p4), -EINVAL);
	p4 = params4((enum net_udp_csum)7, -1);
	assert_int_equal(net_encap_init(&e, &p4), -EINVAL);
	/* Channels: ours only (0x4000..0x40FF), the nucleus's "O" never. */
	p4 = params4(NET_UDP_CSUM_FULL, -1);
	p4.channel = 0x3fff;
	assert_int_equal(net_encap_init(&e, &p4), -EINVAL);
	p4.channel = 0x4100;
	assert_int_equal(net_encap_init(&e, &p4), -EINVAL);
	p4.channel = 0x40ff;
	assert_int_equal(net_encap_init(&e, &p4), 0);
	assert_int_equal(e.hdr_len, 42 + NET_TURN_CHANNEL_HLEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_pseudo_offload),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_ip4_csum_every_id),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
