/* SPDX-License-Identifier: MIT */
/*
 * STUN Binding (RFC 5389). Section 6: header; 15.1: MAPPED-ADDRESS; 15.2:
 * XOR-MAPPED-ADDRESS (port XOR the cookie's top 16 bits, IPv4 XOR the
 * cookie, IPv6 XOR cookie || transaction id); 15.5: FINGERPRINT (CRC-32 of
 * the message before it, XOR 0x5354554e, with the length field already
 * counting it); 7.3.3: unknown comprehension-required attributes make a
 * success response unusable.
 */
#include <string.h>

#include "stun.h"

enum {
	BINDING_REQUEST = 0x0001,
	BINDING_SUCCESS = 0x0101,
	BINDING_ERROR = 0x0111,
	ATTR_MAPPED = 0x0001,
	ATTR_XOR_MAPPED = 0x0020,
	ATTR_FINGERPRINT = 0x8028,
	FINGERPRINT_XOR = 0x5354554e,
};

/* Comprehension-required attributes (type < 0x8000) we know and may ignore. */
static bool known_required(unsigned type)
{
	switch (type) {
	case 0x0001:
	case 0x0004:
	case 0x0005:
	case 0x0006:
	case 0x0008:
	case 0x0009:
	case 0x000A:
	case 0x0014:
	case 0x0015:
	case 0x001C:
	case 0x001D:
	case 0x001E:
	case 0x0020:
		return true;
	default:
		return false;
	}
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* CRC-32 (IEEE 802.3, reflected), bit by bit: STUN messages are small. */
static uint32_t crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320 & (0 - (crc & 1)));
	}
	return ~crc;
}

const char *sig_stun_result_name(enum sig_stun_result r)
{
	static const char *const names[] = {
#define SIG_STUN_NAME(name, text) [SIG_STUN_##name] = text,
		SIG_STUN_RESULTS(SIG_STUN_NAME)
#undef SIG_STUN_NAME
	};

	return (unsigned)r < SIG_STUN_RESULT_COUNT ? names[r] : "?";
}

size_t sig_stun_request(uint8_t *out, size_t cap, const uint8_t txid[SIG_STUN_TXID_LEN],
			bool fingerprint)
{
	size_t len = SIG_STUN_HEADER_LEN + (fingerprint ? SIG_STUN_FINGERPRINT_LEN : 0);

	if (cap < len)
		return 0;
	put16(out, BINDING_REQUEST);
	put16(out + 2, (unsigned)(len - SIG_STUN_HEADER_LEN));
	put32(out + 4, SIG_STUN_COOKIE);
	memcpy(out + 8, txid, SIG_STUN_TXID_LEN);
	if (fingerprint) {
		put16(out + 20, ATTR_FINGERPRINT);
		put16(out + 22, 4);
		put32(out + 24, crc32(out, 20) ^ FINGERPRINT_XOR);
	}
	return len;
}

bool sig_stun_is_stun(const uint8_t *p, size_t len)
{
	return len >= SIG_STUN_HEADER_LEN && (p[0] & 0xc0) == 0 && be32(p + 4) == SIG_STUN_COOKIE &&
	       be16(p + 2) % 4 == 0 && be16(p + 2) + (size_t)SIG_STUN_HEADER_LEN == len;
}

const uint8_t *sig_stun_txid(const uint8_t *p)
{
	return p + 8;
}

/* One (XOR-)MAPPED-ADDRESS value into a; false if malformed. The
 * attribute's family is 1 for IPv4, 2 for IPv6 (section 15.1). */
static bool parse_address(const uint8_t *v, unsigned vlen, bool xor, const uint8_t *hdr,
			  struct net_endpoint *a)
{
	unsigned family = vlen >= 4 ? v[1] : 0, n = family == 1 ? 4 : 16;

	if ((family != 1 && family != 2) || vlen != 4 + n)
		return false;
	memset(a, 0, sizeof(*a));
	net_addr_set(&a->addr, family == 1 ? NET_AF_IP4 : NET_AF_IP6, v + 4);
	a->port = (uint16_t)be16(v + 2);
	if (xor) {
		a->port ^= (uint16_t)(SIG_STUN_COOKIE >> 16);
		for (unsigned i = 0; i < n; i++)
			a->addr.b[i] ^= hdr[4 + i]; /* cookie, then the transaction id */
	}
	return true;
}

enum sig_stun_result sig_stun_parse_response(const uint8_t *p, size_t len,
					     const uint8_t txid[SIG_STUN_TXID_LEN],
					     struct net_endpoint *mapped)
{
	struct net_endpoint xa = { 0 }, ma = { 0 };
	size_t off = SIG_STUN_HEADER_LEN;

	if (len < SIG_STUN_HEADER_LEN)
		return SIG_STUN_TRUNCATED;
	if (len > SIG_STUN_RESPONSE_MAX || !sig_stun_is_stun(p, len))
		return SIG_STUN_NOT_STUN;
	if (memcmp(p + 8, txid, SIG_STUN_TXID_LEN) != 0)
		return SIG_STUN_WRONG_TXID;
	if (be16(p) == BINDING_ERROR)
		return SIG_STUN_ERROR_RESPONSE;
	if (be16(p) != BINDING_SUCCESS)
		return SIG_STUN_NOT_SUCCESS;
	while (off < len) {
		unsigned type, vlen;

		if (len - off < 4)
			return SIG_STUN_TRUNCATED;
		type = be16(p + off);
		vlen = be16(p + off + 2);
		if (len - off - 4 < ((vlen + 3u) & ~3u))
			return SIG_STUN_TRUNCATED;
		if (type == ATTR_FINGERPRINT) {
			if (vlen != 4 || off + 8 != len)
				return SIG_STUN_BAD_ATTR;
			if ((crc32(p, off) ^ FINGERPRINT_XOR) != be32(p + off + 4))
				return SIG_STUN_BAD_FINGERPRINT;
		} else if (type == ATTR_XOR_MAPPED && !net_addr_is_set(&xa.addr)) {
			if (!parse_address(p + off + 4, vlen, true, p, &xa))
				return SIG_STUN_BAD_ATTR;
		} else if (type == ATTR_MAPPED && !net_addr_is_set(&ma.addr)) {
			if (!parse_address(p + off + 4, vlen, false, p, &ma))
				return SIG_STUN_BAD_ATTR;
		} else if (type < 0x8000 && !known_required(type)) {
			return SIG_STUN_BAD_ATTR;
		}
		off += 4 + ((vlen + 3u) & ~3u);
	}
	if (!net_addr_is_set(&xa.addr) && !net_addr_is_set(&ma.addr))
		return SIG_STUN_NO_ADDRESS;
	*mapped = net_addr_is_set(&xa.addr) ? xa : ma;
	return SIG_STUN_OK;
}
