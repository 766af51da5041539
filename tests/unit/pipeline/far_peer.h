/* SPDX-License-Identifier: MIT */
/*
 * The far end of a tunnel, played by a test with lib/wg and lib/net: a
 * WireGuard peer on the underlay (its handshake, its keypair once the
 * handshake is done) and the frames it and the host send.
 */
#ifndef OMNI_TEST_FAR_PEER_H
#define OMNI_TEST_FAR_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "aead/aead.h"
#include "net/net.h"
#include "wg/cookie.h"
#include "wg/keypair.h"
#include "wg/messages.h"
#include "wg/noise.h"

struct far_peer {
	struct wg_static_identity id;
	struct wg_handshake hs;  /* towards us */
	struct wg_cookie cookie; /* MACs of what it sends us */
	struct wg_keypair kp;    /* valid after far_consume_response */
	struct wg_aead *aead;
	struct net_local local; /* its underlay MAC, address, port */
	struct net_addr addr;   /* the same address as a net_addr */
	uint64_t unix_ns;       /* its wall clock: every initiation later */
};

/* A peer with key seed..seed+31 towards us (our_pub), at addr (IPv4 or
 * IPv6 as its family) port 51820 behind mac. */
void far_init(struct far_peer *p, uint8_t seed, const uint8_t our_pub[WG_KEY_LEN],
	      const struct net_mac *mac, const struct net_addr *addr);
void far_fini(struct far_peer *p);

/* A handshake initiation with its MACs (148 bytes). */
void far_initiation(struct far_peer *p, uint64_t now, struct wg_msg_initiation *msg);
/* Our response, as the peer takes it: WG_OK and p->kp ready. */
enum wg_result far_consume_response(struct far_peer *p, const uint8_t *msg, size_t len,
				    uint64_t now);
/* Our initiation, as the peer takes it (its handshake becomes the
 * responder's): WG_OK, or why it refuses it (REPLAYED_TIMESTAMP ...). */
enum wg_result far_consume_initiation(struct far_peer *p, const uint8_t *msg, size_t len,
				      uint64_t now);
/* A transport data message sealing inner (len 0: a keepalive) into out. */
size_t far_seal(struct far_peer *p, const uint8_t *inner, size_t len, uint32_t mtu, uint64_t now,
		uint8_t *out);
/* Opens a data message we sent it, in place: the inner length (padding
 * included), or -1 when it does not authenticate. */
int far_open(struct far_peer *p, uint8_t *msg, size_t len, uint64_t now);

/* Whether frame is UDP from our listen port to the peer (its classifier
 * says so); *v tells where the payload is. */
bool far_udp_in(const struct far_peer *p, const uint8_t *frame, size_t len, struct net_udp_view *v);

/* A whole UDP frame from (mac, a, sport) to (dst_mac, b, dport), built with
 * lib/net's outer-header template; its length. */
size_t frame_udp(uint8_t *out, size_t cap, const struct net_mac *mac, const struct net_addr *a,
		 uint16_t sport, const struct net_mac *dst_mac, const struct net_addr *b,
		 uint16_t dport, const void *payload, size_t len);
/* An inner ICMP echo request from a to b carrying data_len bytes: a whole
 * IPv4 or IPv6 packet; its length. */
size_t inner_ping(uint8_t *out, size_t cap, const struct net_addr *a, const struct net_addr *b,
		  size_t data_len);
/* An Ethernet frame of an IP packet (IPv4 or IPv6 by its version). */
size_t frame_ip(uint8_t *out, size_t cap, const struct net_mac *src, const struct net_mac *dst,
		const uint8_t *ip, size_t len);
/* The IPv4 header checksum at l3 again, after the test changed a field. */
void fix_ip4_csum(uint8_t *l3);

#endif /* OMNI_TEST_FAR_PEER_H */
