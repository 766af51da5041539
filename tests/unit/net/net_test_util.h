/* SPDX-License-Identifier: MIT */
/*
 * Shared by the lib/net tests: the addresses of the known-answer frames
 * (gen_net_vectors.py uses the same), a seeded random generator so every
 * run sees the same "random" buffers, and a deliberately naive checksum
 * to compare the real one with.
 */
#ifndef OMNI_TEST_NET_UTIL_H
#define OMNI_TEST_NET_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

#define T_PORT 51820
#define T_PEER_PORT 40000

static const struct net_mac t_us_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct net_mac t_peer_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct net_ip4 t_us4 = { { 192, 0, 2, 1 } };
static const struct net_ip4 t_peer4 = { { 198, 51, 100, 7 } };
static const struct net_ip4 t_lan4 = { { 192, 0, 2, 7 } };
static const struct net_ip4 t_router4 = { { 192, 0, 2, 254 } };
static const struct net_ip6 t_us6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 } };
static const struct net_ip6 t_peer6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x07 } };
static const struct net_ip6 t_us_ll = { { 0xfe, 0x80, [15] = 0x01 } };
static const struct net_ip6 t_peer_ll = { { 0xfe, 0x80, [15] = 0x07 } };
static const struct net_ip6 t_router_ll = { { 0xfe, 0x80, [15] = 0xfe } };

/* The 32-byte payload of the known-answer UDP frames. */
static inline void t_payload(uint8_t *p)
{
	p[0] = 4;
	p[1] = p[2] = p[3] = 0;
	for (int i = 0; i < 28; i++)
		p[4 + i] = (uint8_t)i;
}

/* Our side of the known-answer frames. */
static inline struct net_local t_local_us(void)
{
	struct net_local l = {
		.mac = t_us_mac,
		.ip4 = t_us4,
		.ip6 = t_us6,
		.ip6_ll = t_us_ll,
		.port = T_PORT,
		.flags = NET_LOCAL_VERIFY_UDP_CSUM,
	};
	return l;
}

/* The far side, to classify the frames we send. */
static inline struct net_local t_local_peer(void)
{
	struct net_local l = {
		.mac = t_peer_mac,
		.ip4 = t_peer4,
		.ip6 = t_peer6,
		.ip6_ll = t_peer_ll,
		.port = T_PEER_PORT,
		.flags = NET_LOCAL_VERIFY_UDP_CSUM,
	};
	return l;
}

/* xorshift64*, seeded: reproducible "random" test data. */
static inline uint64_t t_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static inline void t_fill(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)t_rand(s);
}

/* RFC 1071 as written: 16-bit words, end-around carry after every add. */
static inline uint16_t t_ref_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i += 2) {
		s += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
		if (s > 0xffff)
			s = (s & 0xffff) + 1;
	}
	return (uint16_t)s;
}

/* In a numbered table: name both reasons when they differ. */
#define t_expect_drop(i, got, want)                                                           \
	do {                                                                                  \
		enum net_drop g_ = (got), w_ = (want);                                        \
		if (g_ != w_)                                                                 \
			fail_msg("case %zu: %s, expected %s", (size_t)(i), net_drop_name(g_), \
				 net_drop_name(w_));                                          \
	} while (0)

/*
 * Classify the first len bytes of frame from a heap copy of exactly len
 * bytes, so AddressSanitizer catches any read past the end.
 */
static inline enum net_class t_classify(const uint8_t *frame, size_t len, const struct net_local *l,
					struct net_udp_view *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum net_class c;

	if (!copy)
		abort();
	memcpy(copy, frame, len);
	c = net_classify_underlay(copy, len, l, out);
	free(copy);
	return c;
}

#endif /* OMNI_TEST_NET_UTIL_H */
