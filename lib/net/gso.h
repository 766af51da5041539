/* SPDX-License-Identifier: MIT */
/*
 * Super-frames across a tap opened with IFF_VNET_HDR (the host port
 * tap-gso): each frame is preceded by a virtio_net_hdr, and with the
 * offloads on, the kernel hands over TCP super-frames (TSO) and UDP
 * super-datagrams (USO: a UDP_SEGMENT socket's) of up to 64 KB with one
 * header (GSO) and frames whose checksum it left to us (NEEDS_CSUM).
 *
 * - net_gso_parse/net_gso_segment: a frame from the kernel into frames of
 *   at most the MSS (TCP) or segment size (UDP) the kernel asked for, each
 *   with complete IP and TCP/UDP checksums and lengths (as if the kernel
 *   had segmented it), or the one frame with its checksum completed.
 * - net_gro_*: TCP segments of one flow, in sequence, into one super-frame
 *   for the kernel: the first segment's headers (rewritten) and the
 *   payloads of the rest, with a vnet header asking for GSO. Likewise UDP
 *   datagrams of one flow of one size (the last may be shorter), asking
 *   for UDP_L4 GSO: the kernel gives an ordinary socket the datagrams as
 *   they were (it cuts them at gso_size), one that asked for UDP_GRO the
 *   whole.
 *
 * Plain buffers, no DPDK. The vnet header is in the host's byte order (a
 * tap's default, "legacy" virtio). Frames from the kernel are checked like
 * any input: a bad one gets a reason, never a read out of bounds.
 */
#ifndef OMNI_NET_GSO_H
#define OMNI_NET_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

struct net_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

enum {
	NET_VNET_HLEN = 10,
	NET_VNET_F_NEEDS_CSUM = 1,
	NET_VNET_GSO_NONE = 0,
	NET_VNET_GSO_TCPV4 = 1,
	NET_VNET_GSO_TCPV6 = 4,
	NET_VNET_GSO_UDP_L4 = 5, /* USO, IPv4 or IPv6 (Linux 6.2 and later) */
	NET_VNET_GSO_ECN = 0x80,
	NET_GSO_MAX_SEGS = 128, /* 64 KB in 512-byte segments */
	NET_TCP_HLEN = 20,
	NET_TCP_OFF_SEQ = 4,
	NET_TCP_OFF_ACK = 8,
	NET_TCP_OFF_DOFF = 12,
	NET_TCP_OFF_FLAGS = 13,
	NET_TCP_OFF_CSUM = 16,
	NET_TCP_FIN = 0x01,
	NET_TCP_SYN = 0x02,
	NET_TCP_RST = 0x04,
	NET_TCP_PSH = 0x08,
	NET_TCP_ACK = 0x10,
	NET_TCP_URG = 0x20,
	NET_TCP_ECE = 0x40,
	NET_TCP_CWR = 0x80,
};

/* A frame read from the tap, parsed. */
struct net_gso {
	const uint8_t *frame; /* the Ethernet frame after the vnet header */
	size_t len;
	uint16_t l3_off, l4_off, hdr_len; /* GSO: headers up to the L4 payload */
	uint16_t mss;                     /* GSO: payload per segment; 0: not GSO */
	uint16_t n_segs;                  /* frames it makes: 1 when not GSO */
	uint16_t csum_at;                 /* NEEDS_CSUM: where the sum goes; 0: none */
	uint16_t csum_start;
	bool v4;
	bool udp; /* GSO: UDP datagrams (USO), else TCP segments */
};

/* A frame as read from the tap (vnet header first). False for a GSO type
 * other than TCP and UDP_L4, headers that do not add up (a UDP one: IPv4
 * options and IPv6 extension headers too, or a header length past the
 * frame), more than NET_GSO_MAX_SEGS segments, a checksum place outside
 * the frame. */
bool net_gso_parse(const uint8_t *buf, size_t len, struct net_gso *g);

/* Frame i (i < g->n_segs) into out: its length, or 0 when it does not fit
 * cap. */
size_t net_gso_segment(const struct net_gso *g, unsigned i, uint8_t *out, size_t cap);

/* A run of TCP segments being coalesced; the first one's frame is kept
 * and rewritten by net_gro_finish. */
struct net_gro {
	uint8_t *first;
	uint16_t l3_off, l4_off, hdr_len, mss;
	uint32_t next_seq; /* what the next segment must start with */
	uint32_t payload;  /* bytes of payload in the run */
	unsigned n;
	bool v4, closed, psh;
	bool udp; /* a run of UDP datagrams (mss: the first's payload) */
};

/* Whether the frame can start a run (a plain TCP segment with payload and
 * ACK; PSH allowed); fills g. Its payload is frame + g->hdr_len on. */
bool net_gro_start(struct net_gro *g, uint8_t *frame, size_t len);
/* Whether the frame can start a run of UDP datagrams (IPv4 without options
 * or fragments, or IPv6 without extension headers; payload not empty);
 * fills g. Only for a kernel that takes UDP_L4 GSO (Linux 6.2 on). */
bool net_gro_start_udp(struct net_gro *g, uint8_t *frame, size_t len);
/* Whether frame belongs to g's flow (Ethernet, addresses, ports). */
bool net_gro_same_flow(const struct net_gro *g, const uint8_t *frame, size_t len);
/* Append frame to the run when it follows it: same headers but the
 * sequence number (in sequence), payload no longer than the first's, the
 * run not closed (by a short segment or PSH) and not past 64 KB. A UDP
 * run: a datagram with the same headers but lengths, ID and checksum, its
 * payload no longer than the first's (a shorter one ends the run). On
 * true, payload and plen are the bytes to add after the run's. */
bool net_gro_append(struct net_gro *g, const uint8_t *frame, size_t len, const uint8_t **payload,
		    size_t *plen);
/* Rewrite the first frame's headers for the whole run and fill vh: one
 * frame for the kernel of g->hdr_len + g->payload bytes. A run of one gets
 * a plain header and is left as it was. */
void net_gro_finish(struct net_gro *g, struct net_vnet_hdr *vh);

#endif /* OMNI_NET_GSO_H */
