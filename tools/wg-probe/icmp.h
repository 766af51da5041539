/* SPDX-License-Identifier: MIT */
/* icmp.c: the inner IPv4 ICMP echo packets of wg-probe and wg-wave. */
#ifndef OMNI_WG_PROBE_ICMP_H
#define OMNI_WG_PROBE_ICMP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum { PROBE_ICMP_ECHO_REPLY = 0, PROBE_ICMP_ECHO_REQUEST = 8 };

uint32_t probe_echo_build(uint8_t *pkt, struct in_addr src, struct in_addr dst, uint8_t type,
			  uint16_t id, uint16_t seq, const uint8_t *payload, uint32_t payload_len);
struct probe_echo {
	struct in_addr src, dst;
	uint8_t type, ttl;
	uint16_t id, seq;
	const uint8_t *payload;
	uint32_t payload_len;
};
/* Parses an IPv4 ICMP echo (request or reply), checksums verified. */
bool probe_echo_parse(const uint8_t *pkt, uint32_t len, struct probe_echo *e);

#endif /* OMNI_WG_PROBE_ICMP_H */
