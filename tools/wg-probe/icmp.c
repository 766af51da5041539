/* SPDX-License-Identifier: MIT */
/*
 * The inner traffic: IPv4 (RFC 791) carrying ICMP echo (RFC 792), built and
 * checked by hand with the Internet checksum (RFC 1071).
 */
#include <arpa/inet.h>
#include <string.h>

#include "icmp.h"

enum {
	IPV4_HDR_LEN = 20,
	ICMP_HDR_LEN = 8,
	IPPROTO_ICMP_NUM = 1,
	PROBE_TTL = 64,
};

/* One's complement sum of 16-bit big-endian words, folded and inverted. */
static uint16_t inet_checksum(const uint8_t *data, uint32_t len)
{
	uint32_t sum = 0;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)data[i] << 8 | data[i + 1];
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t probe_echo_build(uint8_t *pkt, struct in_addr src, struct in_addr dst, uint8_t type,
			  uint16_t id, uint16_t seq, const uint8_t *payload, uint32_t payload_len)
{
	uint32_t total = IPV4_HDR_LEN + ICMP_HDR_LEN + payload_len;
	uint8_t *icmp = pkt + IPV4_HDR_LEN;

	memset(pkt, 0, IPV4_HDR_LEN + ICMP_HDR_LEN);
	pkt[0] = 0x45; /* version 4, 5 words */
	put_be16(pkt + 2, (uint16_t)total);
	put_be16(pkt + 4, seq);    /* identification */
	put_be16(pkt + 6, 0x4000); /* don't fragment */
	pkt[8] = PROBE_TTL;
	pkt[9] = IPPROTO_ICMP_NUM;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	put_be16(pkt + 10, inet_checksum(pkt, IPV4_HDR_LEN));

	icmp[0] = type;
	put_be16(icmp + 4, id);
	put_be16(icmp + 6, seq);
	memmove(icmp + ICMP_HDR_LEN, payload, payload_len);
	put_be16(icmp + 2, inet_checksum(icmp, ICMP_HDR_LEN + payload_len));
	return total;
}

bool probe_echo_parse(const uint8_t *pkt, uint32_t len, struct probe_echo *e)
{
	uint32_t ihl, total;
	const uint8_t *icmp;

	if (len < IPV4_HDR_LEN || pkt[0] >> 4 != 4)
		return false;
	ihl = (pkt[0] & 0x0fu) * 4;
	total = get_be16(pkt + 2);
	if (ihl < IPV4_HDR_LEN || total > len || total < ihl + ICMP_HDR_LEN)
		return false;
	if (pkt[9] != IPPROTO_ICMP_NUM || inet_checksum(pkt, ihl) != 0)
		return false;
	if (get_be16(pkt + 6) & 0x3fff) /* a fragment: not ours */
		return false;
	icmp = pkt + ihl;
	if (inet_checksum(icmp, total - ihl) != 0)
		return false;
	if (icmp[0] != PROBE_ICMP_ECHO_REQUEST && icmp[0] != PROBE_ICMP_ECHO_REPLY)
		return false;
	if (icmp[1] != 0) /* code */
		return false;
	memcpy(&e->src, pkt + 12, 4);
	memcpy(&e->dst, pkt + 16, 4);
	e->ttl = pkt[8];
	e->type = icmp[0];
	e->id = get_be16(icmp + 4);
	e->seq = get_be16(icmp + 6);
	e->payload = icmp + ICMP_HDR_LEN;
	e->payload_len = total - ihl - ICMP_HDR_LEN;
	return true;
}
