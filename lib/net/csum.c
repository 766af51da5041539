/* SPDX-License-Identifier: MIT */
/*
 * The Internet checksum: the 16-bit one's complement of the one's
 * complement sum of the data as big-endian 16-bit words (RFC 1071).
 *
 * The sum is computed on 32-bit big-endian words into a 64-bit
 * accumulator and folded at the end: since 2^16 == 1 (mod 2^16 - 1), the
 * fold of a sum of 32-bit words equals the sum of their 16-bit halves
 * (RFC 1071 section 2(B), "parallel summation"). The 64-bit accumulator
 * cannot overflow for any buffer under 2^32 words.
 */
#include "net/net.h"

static uint32_t fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint32_t net_csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len >= 16) {
		s += net_get_be32(p);
		s += net_get_be32(p + 4);
		s += net_get_be32(p + 8);
		s += net_get_be32(p + 12);
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		s += net_get_be32(p);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		s += net_get_be16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8; /* odd tail: padded with a zero byte */
	return fold64(s);
}

uint32_t net_csum_add16(uint32_t sum, uint16_t v)
{
	return fold64((uint64_t)sum + v);
}

uint32_t net_csum_combine(uint32_t a, uint32_t b)
{
	return fold64((uint64_t)a + b);
}

uint16_t net_csum_finish(uint32_t sum)
{
	return (uint16_t)~fold64(sum);
}

bool net_csum_ok(uint32_t sum)
{
	return fold64(sum) == 0xffff;
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the form section 3 gives to
 * avoid RFC 1141's wrong -0 result.
 */
uint16_t net_csum_replace16(uint16_t csum, uint16_t old_v, uint16_t new_v)
{
	uint64_t s = (uint16_t)~csum;

	s += (uint16_t)~old_v;
	s += new_v;
	return (uint16_t)~fold64(s);
}

uint32_t net_csum_pseudo4(const struct net_ip4 *src, const struct net_ip4 *dst, uint8_t proto,
			  uint16_t len)
{
	uint64_t s = net_get_be32(src->b);

	s += net_get_be32(dst->b);
	s += proto;
	s += len;
	return fold64(s);
}

uint32_t net_csum_pseudo6(const struct net_ip6 *src, const struct net_ip6 *dst, uint8_t next,
			  uint32_t len)
{
	uint32_t s = net_csum_add(0, src->b, sizeof(src->b));

	s = net_csum_add(s, dst->b, sizeof(dst->b));
	return fold64((uint64_t)s + (len >> 16) + (len & 0xffff) + next);
}
