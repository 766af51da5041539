/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus for fuzz_vxlan: VXLAN packets as a member receives them
 * after decryption (IPv4 and IPv6, a tagged frame, an ARP broadcast, an
 * IPv4 frame with TCP ports) and two near misses (no I flag, port 4790),
 * each after fuzz_vxlan's mode byte 0 (as is) and again after 1 (fixed up).
 *
 *   fuzz_vxlan_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/addr.h"
#include "net/net.h"
#include "net/vxlan.h"

static int put_mode(const char *dir, const char *name, uint8_t mode, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s_%u", dir, name, mode);
	f = fopen(path, "wb");
	if (!f || fwrite(&mode, 1, 1, f) != 1 || fwrite(p, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "fuzz_vxlan_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int put(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	return put_mode(dir, name, 0, p, len) || put_mode(dir, name, 1, p, len) ? -1 : 0;
}

/* A frame of len bytes: MACs, an optional tag, type, then a counting payload. */
static uint32_t frame(uint8_t *f, uint32_t len, const uint8_t dst0, int vid, uint16_t type)
{
	static const uint8_t src[6] = { 0x02, 0, 0x5e, 0, 0, 1 };
	uint32_t off = 12;

	memset(f, dst0, 6);
	memcpy(f + 6, src, 6);
	if (vid >= 0) {
		net_put_be16(f + off, NET_ETH_VLAN);
		net_put_be16(f + off + 2, (uint16_t)vid);
		off += 4;
	}
	net_put_be16(f + off, type);
	for (uint32_t i = off + 2; i < len; i++)
		f[i] = (uint8_t)i;
	if (type == NET_ETH_IP4 && len >= off + 2 + 24) {
		f[off + 2] = 0x45;
		f[off + 2 + 9] = NET_PROTO_TCP;
		f[off + 2 + 6] = f[off + 2 + 7] = 0;
	}
	return len;
}

static int one(const char *dir, const char *name, unsigned family, uint32_t flen, uint8_t dst0,
	       int vid, uint16_t type, void (*spoil)(uint8_t *p, uint32_t hlen))
{
	static const struct net_addr a4 = { .family = NET_AF_IP4, .b = { 10, 200, 0, 1 } };
	static const struct net_addr b4 = { .family = NET_AF_IP4, .b = { 10, 200, 0, 2 } };
	static const struct net_addr a6 = { .family = NET_AF_IP6, .b = { 0xfd, [15] = 1 } };
	static const struct net_addr b6 = { .family = NET_AF_IP6, .b = { 0xfd, [15] = 2 } };
	static uint8_t buf[NET_VXLAN_MAX_HLEN + 1600];
	uint32_t hlen = net_vxlan_hdr_len(family);
	const struct net_addr *s = family == NET_AF_IP4 ? &a4 : &a6;
	const struct net_addr *d = family == NET_AF_IP4 ? &b4 : &b6;

	frame(buf + hlen, flen, dst0, vid, type);
	if (!net_vxlan_encap(buf, s, d, 4242, net_vxlan_sport(buf + hlen, flen), buf + hlen, flen))
		return -1;
	if (spoil)
		spoil(buf, hlen);
	return put(dir, name, buf, hlen + flen);
}

static void no_i_flag(uint8_t *p, uint32_t hlen)
{
	p[hlen - NET_VXLAN_HLEN] = 0;
}

static void port_4790(uint8_t *p, uint32_t hlen)
{
	net_put_be16(p + hlen - NET_VXLAN_HLEN - NET_UDP_HLEN + 2, 4790);
}

int main(int argc, char **argv)
{
	const char *d = argc > 1 ? argv[1] : ".";

	return one(d, "v4_ip", NET_AF_IP4, 98, 0x02, -1, NET_ETH_IP4,
		   NULL) || one(d, "v4_arp_bcast", NET_AF_IP4, 60, 0xff, -1, NET_ETH_ARP, NULL) ||
			       one(d, "v4_vlan", NET_AF_IP4, 64, 0x02, 100, NET_ETH_IP6, NULL) ||
			       one(d, "v6_ip", NET_AF_IP6, 1514, 0x02, -1, NET_ETH_IP4, NULL) ||
			       one(d, "v6_mcast", NET_AF_IP6, 90, 0x33, -1, NET_ETH_IP6, NULL) ||
			       one(d, "v4_no_i", NET_AF_IP4, 60, 0x02, -1, NET_ETH_IP4,
				   no_i_flag) ||
			       one(d, "v4_port", NET_AF_IP4, 60, 0x02, -1, NET_ETH_IP4, port_4790) ?
		       1 :
		       0;
}
