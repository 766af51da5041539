/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus for fuzz_net: writes one valid frame of each kind the
 * classifier knows (UDP over IPv4, IPv4 in a VLAN, IPv6; ARP request; NS,
 * DAD NS, NA; an echo; oversized host frames for the "too big" builder)
 * for the fixed underlay of fuzz_net.h into the directory argv[1]; and
 * what the host sends fuzz_worker's data plane (ARP and NS for addresses
 * behind the tunnel, pings to a peer, to one with no session, to the
 * cluster). Built again as fuzz_worker_seeds (-DFUZZ_SEEDS_WORKER): each
 * frame then twice, after fuzz_worker's port byte (0 host, 1 underlay).
 *
 *   fuzz_net_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_net.h"

static int put_file(const char *dir, const char *name, int port, const void *p, size_t len)
{
	uint8_t byte = (uint8_t)port;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, port < 0 ? "" : port ? "_u" : "_h");
	f = fopen(path, "wb");
	if (!f || (port >= 0 && fwrite(&byte, 1, 1, f) != 1) || fwrite(p, 1, len, f) != len ||
	    fclose(f)) {
		fprintf(stderr, "fuzz_net_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

#ifdef FUZZ_SEEDS_WORKER
static int put(const char *dir, const char *name, const void *p, size_t len)
{
	return put_file(dir, name, 0, p, len) || put_file(dir, name, 1, p, len) ? -1 : 0;
}
#else
static int put(const char *dir, const char *name, const void *p, size_t len)
{
	return put_file(dir, name, -1, p, len);
}
#endif

/*
 * A UDP datagram from the peer to our listen port, its payload at buf +
 * 128 (a WireGuard type byte, then zeros), the headers in front of it.
 * Returns the frame length and sets *frame.
 */
static size_t udp_frame(uint8_t *buf, size_t cap, bool v6, int vlan, size_t payload,
			const uint8_t **frame)
{
	struct net_encap_params p = {
		.src_mac = fuzz_net_peer_mac,
		.dst_mac = fuzz_net_us.mac,
		.vlan_tci = vlan,
		.src_port = FUZZ_NET_PEER_PORT,
		.dst_port = FUZZ_NET_PORT,
		.csum = NET_UDP_CSUM_FULL,
	};
	struct net_encap e;

	p.src.family = p.dst.family = v6 ? NET_AF_IP6 : NET_AF_IP4;
	if (v6) {
		p.src.ip6 = fuzz_net_peer6;
		p.dst.ip6 = fuzz_net_us.ip6;
	} else {
		p.src.ip4 = fuzz_net_peer4;
		p.dst.ip4 = fuzz_net_us.ip4;
	}
	if (net_encap_init(&e, &p) || cap < 128 + payload)
		return 0;
	memset(buf + 128, 0, payload);
	buf[128] = v6 && payload == 148 ? 1 : 4;
	*frame = buf + 128 - e.hdr_len;
	return net_encap_push(&e, buf + 128, 128, payload, 7);
}

static int put_udp(const char *dir)
{
	static const struct {
		const char *name;
		bool v6;
		int vlan;
		size_t len;
	} k[] = {
		{ "udp4_data", false, -1, 64 },
		{ "udp4_vlan", false, 100, 32 },
		{ "udp6_data", true, -1, 64 },
		{ "udp6_init", true, -1, 148 },
	};
	uint8_t buf[512];
	const uint8_t *frame;

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		size_t n = udp_frame(buf, sizeof(buf), k[i].v6, k[i].vlan, k[i].len, &frame);

		if (!n || put(dir, k[i].name, frame, n))
			return -1;
	}
	return 0;
}

static int put_nd_arp(const char *dir)
{
	static const struct net_ip6 unspec;
	uint8_t f[256];
	struct net_nd ns = { .src = fuzz_net_us.ip6, .target = fuzz_net_peer_ll };
	size_t n;

	n = net_arp_frame_request(f, sizeof(f), &fuzz_net_peer_mac, &fuzz_net_peer4,
				  &fuzz_net_us.ip4);
	if (put(dir, "arp_request", f, n))
		return -1;
	n = net_nd_ns_frame(f, sizeof(f), &fuzz_net_peer_mac, &fuzz_net_peer_ll, &fuzz_net_us.ip6,
			    NULL);
	if (put(dir, "nd_ns", f, n))
		return -1;
	n = net_nd_ns_frame(f, sizeof(f), &fuzz_net_peer_mac, &unspec, &fuzz_net_us.ip6_ll, NULL);
	if (put(dir, "nd_ns_dad", f, n))
		return -1;
	/* the peer answering our NS */
	ns.has_lla = true;
	ns.lla = fuzz_net_us.mac;
	n = net_nd_na_frame(f, sizeof(f), &ns, &fuzz_net_us.mac, &fuzz_net_peer_mac,
			    NET_NA_FLAG_OVERRIDE);
	return put(dir, "nd_na", f, n);
}

/* Frames the host might send: an echo, and 1500-byte packets (too big). */
static int put_host(const char *dir)
{
	static uint8_t f[1600];
	struct net_echo e = { .id = 1, .seq = 1, .data = (const uint8_t *)"ping", .data_len = 4 };
	size_t n;

	net_eth_build(f, 14, &fuzz_net_us.mac, &fuzz_net_peer_mac, NET_ETH_IP4);
	n = net_icmp4_echo_build(f + 14, sizeof(f) - 14, &fuzz_net_peer4, &fuzz_net_us.ip4, &e);
	if (put(dir, "echo4", f, 14 + n))
		return -1;
	memset(f + 14, 'A', 1500);
	e.data = f + 100;
	e.data_len = 1500 - 28;
	n = net_icmp4_echo_build(f + 14, sizeof(f) - 14, &fuzz_net_peer4, &fuzz_net_us.ip4, &e);
	if (put(dir, "big4", f, 14 + n))
		return -1;
	net_eth_build(f, 14, &fuzz_net_us.mac, &fuzz_net_peer_mac, NET_ETH_IP6);
	e.data_len = 1500 - 48;
	n = net_icmp6_echo_build(f + 14, sizeof(f) - 14, &fuzz_net_peer6, &fuzz_net_us.ip6, &e);
	return put(dir, "big6", f, 14 + n);
}

/* A ping from the host to dst (IPv4 or IPv6), as a frame on the host link. */
static int host_ping(const char *dir, const char *name, const struct net_ip4 *dst4,
		     const struct net_ip6 *dst6)
{
	struct net_echo e = { .id = 2, .seq = 1, .data = (const uint8_t *)"ping", .data_len = 4 };
	uint8_t f[256];
	size_t n;

	net_eth_build(f, 14, &fuzz_net_host_our_mac, &fuzz_net_host_mac,
		      dst4 ? NET_ETH_IP4 : NET_ETH_IP6);
	n = dst4 ? net_icmp4_echo_build(f + 14, sizeof(f) - 14, &fuzz_net_host4, dst4, &e) :
		   net_icmp6_echo_build(f + 14, sizeof(f) - 14, &fuzz_net_host6, dst6, &e);
	return put(dir, name, f, 14 + n);
}

/* The host asking for addresses behind the tunnel (proxy ARP/ND), and
 * pinging a peer with no session and the cluster's networks. */
static int put_proxy(const char *dir)
{
	static const struct net_ip4 member4 = { { 10, 1, 2, 3 } };
	static const struct net_ip6 member6 = { { 0xfd, 0x01, [15] = 0x05 } };
	uint8_t f[256];
	size_t n;

	n = net_arp_frame_request(f, sizeof(f), &fuzz_net_host_mac, &fuzz_net_host4,
				  &fuzz_net_a_vip4);
	if (put(dir, "host_arp_a", f, n))
		return -1;
	n = net_nd_ns_frame(f, sizeof(f), &fuzz_net_host_mac, &fuzz_net_host6, &fuzz_net_a_vip6,
			    NULL);
	if (put(dir, "host_ns_a", f, n))
		return -1;
	return host_ping(dir, "host_ping_a", &fuzz_net_a_vip4, NULL) ||
			       host_ping(dir, "host_ping_b", &fuzz_net_b_vip4, NULL) ||
			       host_ping(dir, "host_ping_cluster4", &member4, NULL) ||
			       host_ping(dir, "host_ping_cluster6", NULL, &member6) ?
		       -1 :
		       0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_net_seeds DIR\n");
		return 2;
	}
	if (put_udp(argv[1]) || put_nd_arp(argv[1]) || put_host(argv[1]) || put_proxy(argv[1]))
		return 1;
	return 0;
}
