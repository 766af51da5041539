/* SPDX-License-Identifier: MIT */
/*
 * STUN (RFC 5389, and the TURN attributes of RFC 8656). Section 6: header; 15.1: MAPPED-ADDRESS; 15.2:
 * XOR-MAPPED-ADDRESS (port XOR the cookie's top 16 bits, IPv4 XOR the
 * cookie, IPv6 XOR cookie || transaction id); 15.5: FINGERPRINT (CRC-32 of
 * the message before it, XOR 0x5354554e, with the length field already
 * counting it); 7.3.3: unknown comprehension-required attributes make a
 * success response unusable.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "stun.h"

enum {
	BINDING_REQUEST = 0x0001,
	BINDING_SUCCESS = 0x0101,
	BINDING_ERROR = 0x0111,
	ATTR_MAPPED = 0x0001,
	ATTR_FINGERPRINT = SIG_STUN_ATTR_FINGERPRINT,
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
	case 0x000C: /* CHANNEL-NUMBER (RFC 8656) */
	case 0x000D: /* LIFETIME */
	case 0x0012: /* XOR-PEER-ADDRESS */
	case 0x0013: /* DATA */
	case 0x0014:
	case 0x0015:
	case 0x001C:
	case 0x001D:
	case 0x001E:
	case 0x0016: /* XOR-RELAYED-ADDRESS */
	case 0x0017: /* REQUESTED-ADDRESS-FAMILY */
	case 0x0019: /* REQUESTED-TRANSPORT */
	case 0x001A: /* DONT-FRAGMENT */
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

/* One attribute of m at off (its header checked against len). */
static enum sig_stun_result take_attr(const uint8_t *p, size_t off, unsigned type, unsigned vlen,
				      struct sig_stun_msg *m)
{
	const uint8_t *v = p + off + 4;

	switch (type) {
	case SIG_STUN_ATTR_FINGERPRINT:
		if (vlen != 4 || off + 8 != m->len)
			return SIG_STUN_BAD_ATTR;
		if ((crc32(p, off) ^ FINGERPRINT_XOR) != be32(v))
			return SIG_STUN_BAD_FINGERPRINT;
		break;
	case SIG_STUN_ATTR_INTEGRITY:
		if (vlen != SIG_STUN_INTEGRITY_LEN)
			return SIG_STUN_BAD_ATTR;
		m->integrity_off = off;
		break;
	case SIG_STUN_ATTR_XOR_MAPPED:
	case ATTR_MAPPED:
	case SIG_STUN_ATTR_XOR_RELAYED:
	case SIG_STUN_ATTR_XOR_PEER: {
		struct net_endpoint *a = type == SIG_STUN_ATTR_XOR_RELAYED ? &m->relayed :
					 type == SIG_STUN_ATTR_XOR_PEER    ? &m->peer :
					 type == ATTR_MAPPED               ? &m->mapped_plain :
									     &m->mapped;

		if (!net_addr_is_set(&a->addr) &&
		    !parse_address(v, vlen, type != ATTR_MAPPED, p, a))
			return SIG_STUN_BAD_ATTR;
		break;
	}
	case SIG_STUN_ATTR_ERROR_CODE:
		if (vlen < 4 || (v[2] & 7) < 3 || (v[2] & 7) > 6 || v[3] > 99)
			return SIG_STUN_BAD_ATTR;
		m->error = (v[2] & 7) * 100u + v[3];
		break;
	case SIG_STUN_ATTR_REALM:
	case SIG_STUN_ATTR_NONCE:
		if (vlen > SIG_STUN_TEXT_MAX)
			return SIG_STUN_BAD_ATTR;
		*(type == SIG_STUN_ATTR_REALM ? &m->realm : &m->nonce) = v;
		*(type == SIG_STUN_ATTR_REALM ? &m->realm_len : &m->nonce_len) = vlen;
		break;
	case SIG_STUN_ATTR_LIFETIME:
		if (vlen != 4)
			return SIG_STUN_BAD_ATTR;
		m->lifetime = be32(v);
		m->has_lifetime = true;
		break;
	case SIG_STUN_ATTR_DATA:
		m->data = v;
		m->data_len = vlen;
		break;
	default:
		if (type < 0x8000 && !known_required(type))
			return SIG_STUN_BAD_ATTR;
	}
	return SIG_STUN_OK;
}

enum sig_stun_result sig_stun_parse(const uint8_t *p, size_t len, struct sig_stun_msg *m)
{
	size_t off = SIG_STUN_HEADER_LEN;

	memset(m, 0, sizeof(*m));
	if (len < SIG_STUN_HEADER_LEN)
		return SIG_STUN_TRUNCATED;
	if (len > SIG_STUN_RESPONSE_MAX || !sig_stun_is_stun(p, len))
		return SIG_STUN_NOT_STUN;
	m->type = be16(p);
	m->txid = p + 8;
	m->len = len;
	while (off < len) {
		unsigned type, vlen;
		enum sig_stun_result r;

		if (len - off < 4)
			return SIG_STUN_TRUNCATED;
		type = be16(p + off);
		vlen = be16(p + off + 2);
		if (len - off - 4 < ((vlen + 3u) & ~3u))
			return SIG_STUN_TRUNCATED;
		/* After MESSAGE-INTEGRITY only FINGERPRINT counts (RFC 5389 15.4). */
		if (m->integrity_off && type != SIG_STUN_ATTR_FINGERPRINT)
			return SIG_STUN_BAD_ATTR;
		r = take_attr(p, off, type, vlen, m);
		if (r != SIG_STUN_OK)
			return r;
		off += 4 + ((vlen + 3u) & ~3u);
	}
	return SIG_STUN_OK;
}

/* HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the length
 * field as if the message ended just after it (RFC 5389 15.4). */
static void integrity(const uint8_t *p, size_t mi_off, const uint8_t *key, size_t klen,
		      uint8_t out[SIG_STUN_INTEGRITY_LEN])
{
	uint8_t copy[SIG_STUN_RESPONSE_MAX];
	unsigned olen = SIG_STUN_INTEGRITY_LEN;

	memset(out, 0, SIG_STUN_INTEGRITY_LEN); /* on failure: never verifies */
	if (mi_off > sizeof(copy))
		return;
	memcpy(copy, p, mi_off);
	put16(copy + 2, (unsigned)(mi_off + 4 + SIG_STUN_INTEGRITY_LEN - SIG_STUN_HEADER_LEN));
	HMAC(EVP_sha1(), key, (int)klen, copy, mi_off, out, &olen);
}

bool sig_stun_integrity_ok(const uint8_t *p, const struct sig_stun_msg *m, const uint8_t *key,
			   size_t klen)
{
	uint8_t mac[SIG_STUN_INTEGRITY_LEN];

	if (!m->integrity_off)
		return false;
	integrity(p, m->integrity_off, key, klen, mac);
	return CRYPTO_memcmp(mac, p + m->integrity_off + 4, sizeof(mac)) == 0;
}

enum sig_stun_result sig_stun_parse_response(const uint8_t *p, size_t len,
					     const uint8_t txid[SIG_STUN_TXID_LEN],
					     struct net_endpoint *mapped)
{
	struct sig_stun_msg m;
	enum sig_stun_result r;

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
	r = sig_stun_parse(p, len, &m);
	if (r != SIG_STUN_OK)
		return r;
	if (!net_addr_is_set(&m.mapped.addr) && !net_addr_is_set(&m.mapped_plain.addr))
		return SIG_STUN_NO_ADDRESS;
	*mapped = net_addr_is_set(&m.mapped.addr) ? m.mapped : m.mapped_plain;
	return SIG_STUN_OK;
}

/* ---- building requests (TURN) ---- */

void sig_stun_begin(struct sig_stun_wr *w, uint8_t *buf, size_t cap, unsigned type,
		    const uint8_t txid[SIG_STUN_TXID_LEN])
{
	w->p = buf;
	w->cap = cap;
	w->len = SIG_STUN_HEADER_LEN;
	w->bad = cap < SIG_STUN_HEADER_LEN;
	if (w->bad)
		return;
	put16(buf, type);
	put16(buf + 2, 0);
	put32(buf + 4, SIG_STUN_COOKIE);
	memcpy(buf + 8, txid, SIG_STUN_TXID_LEN);
}

/* Room for an attribute of vlen value bytes (padded): its value's place. */
static uint8_t *attr(struct sig_stun_wr *w, unsigned type, size_t vlen)
{
	size_t padded = (vlen + 3u) & ~(size_t)3;
	uint8_t *at;

	if (w->bad || vlen > 0xffff || w->cap - w->len < 4 + padded) {
		w->bad = true;
		return NULL;
	}
	at = w->p + w->len;
	put16(at, type);
	put16(at + 2, (unsigned)vlen);
	memset(at + 4, 0, padded);
	w->len += 4 + padded;
	put16(w->p + 2, (unsigned)(w->len - SIG_STUN_HEADER_LEN));
	return at + 4;
}

void sig_stun_put(struct sig_stun_wr *w, unsigned type, const void *v, size_t vlen)
{
	uint8_t *at = attr(w, type, vlen);

	if (at && vlen)
		memcpy(at, v, vlen);
}

void sig_stun_put_u32(struct sig_stun_wr *w, unsigned type, uint32_t v)
{
	uint8_t *at = attr(w, type, 4);

	if (at)
		put32(at, v);
}

void sig_stun_put_xaddr(struct sig_stun_wr *w, unsigned type, const struct net_endpoint *ep)
{
	unsigned n = ep->addr.family == NET_AF_IP4 ? 4 : 16;
	uint8_t *at = attr(w, type, 4 + n);

	if (!at)
		return;
	at[1] = ep->addr.family == NET_AF_IP4 ? 1 : 2;
	put16(at + 2, ep->port ^ (SIG_STUN_COOKIE >> 16));
	for (unsigned i = 0; i < n; i++)
		at[4 + i] = ep->addr.b[i] ^ w->p[4 + i]; /* cookie, then the transaction id */
}

void sig_stun_put_integrity(struct sig_stun_wr *w, const uint8_t *key, size_t klen)
{
	size_t off = w->len;
	uint8_t *at = attr(w, SIG_STUN_ATTR_INTEGRITY, SIG_STUN_INTEGRITY_LEN);

	if (at)
		integrity(w->p, off, key, klen, at);
}

size_t sig_stun_end(struct sig_stun_wr *w, bool fingerprint)
{
	if (fingerprint) {
		size_t off = w->len;
		uint8_t *at = attr(w, ATTR_FINGERPRINT, 4);

		if (at)
			put32(at, crc32(w->p, off) ^ FINGERPRINT_XOR);
	}
	return w->bad ? 0 : w->len;
}
