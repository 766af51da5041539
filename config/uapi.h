/* SPDX-License-Identifier: MIT */
/*
 * WireGuard's cross-platform userspace API (wireguard.com/xplatform), the
 * text protocol wireguard-go serves on /var/run/wireguard/IFACE.sock and
 * wg(8) speaks to it: the pure half. A `set=1` request's lines (key=value,
 * keys in hex) are read whole into a plain model (cfg_uapi_parse_set), then
 * applied to a copy of the running peers (cfg_uapi_apply); the edge checks
 * the result and changes the running gateway all at once or not at all
 * (app/edge_uapi.c). Nothing here touches a socket or the gateway.
 *
 * Errors are the negative errno numbers wireguard-go answers with
 * (`errno=-22`): a line without '=' is -EPROTO, an unknown key, a key in
 * the wrong section (allowed_ip before any public_key, listen_port after
 * one) or a bad value is -EINVAL; -ENOMEM when memory runs out.
 *
 * wg(8)'s meaning, as wireguard-go applies it line by line: replace_peers
 * removes the peers before the ones that follow; a peer block for an
 * unknown key creates the peer unless it says update_only; remove drops
 * the peer and makes the rest of its block void; replace_allowed_ips
 * forgets the allowed IPs given before it; an allowed IP another peer has
 * moves to this one; a block for the interface's own public key is read
 * and ignored. Peers learned from the cluster are the nucleus's: the
 * replace_peers of `wg setconf` leaves them; a block that changes one's
 * preshared key, keepalive or allowed IPs takes it over as configured (one
 * that repeats them, as `wg setconf` of `wg showconf` does, leaves it
 * learned, its endpoint the cluster's); remove drops it.
 */
#ifndef OMNI_CONFIG_UAPI_H
#define OMNI_CONFIG_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum {
	CFG_UAPI_LINE_MAX = 512, /* the longest line any key's value can need */
};

/* One peer block: public_key=... and the lines after it. */
struct cfg_uapi_peer {
	uint8_t public_key[WG_KEY_LEN];
	bool remove;              /* remove=true: the rest of the block is void */
	bool update_only;         /* update_only=true: never create it */
	bool replace_allowed_ips; /* the allowed IPs are exactly those below */
	bool has_psk;
	uint8_t psk[WG_KEY_LEN]; /* secret; all zeros: no preshared key */
	bool has_endpoint;
	struct net_endpoint endpoint;
	bool has_keepalive;
	uint16_t keepalive;
	struct net_prefix *allowed_ips; /* host bits cleared, after the last replace */
	size_t n_allowed_ips;
	unsigned line; /* of its public_key line */
};

/* A whole set request. */
struct cfg_uapi_set {
	bool has_private_key;
	uint8_t private_key[WG_KEY_LEN]; /* secret */
	bool has_listen_port;
	uint16_t listen_port;
	bool has_fwmark;
	uint32_t fwmark;
	bool replace_peers;
	struct cfg_uapi_peer *peers; /* in request order; a key may come twice */
	size_t n_peers;
};

/*
 * The lines of a set request after "set=1" (len bytes, up to the blank line
 * that ends it, which is not included). Returns 0, or the errno answer
 * (-EPROTO, -EINVAL, -ENOMEM) with "line N: ..." in err, the value quoted
 * unless it is a key; out is then empty. Free with cfg_uapi_set_free.
 */
int cfg_uapi_parse_set(const char *text, size_t len, struct cfg_uapi_set *out, char *err,
		       size_t errlen);
/* Wipes the keys, frees the lists, leaves s zeroed. */
void cfg_uapi_set_free(struct cfg_uapi_set *s);

/*
 * The peers after s: cur[n_cur] (the running ones, learned among them)
 * copied into a new array *out (*n_out), with s's blocks applied in order
 * as described at the top. own_pub is the interface's public key after s.
 * A learned peer a block names comes out configured (learned false).
 * Returns 0 or -ENOMEM (*out NULL). Free with cfg_uapi_peers_free.
 */
int cfg_uapi_apply(const struct cfg_uapi_set *s, const struct cfg_peer *cur, size_t n_cur,
		   const uint8_t own_pub[WG_KEY_LEN], struct cfg_peer **out, size_t *n_out);
void cfg_uapi_peers_free(struct cfg_peer *peers, size_t n);

/* Lower-case hex of a key, as the protocol writes keys. */
void cfg_uapi_key_hex(char out[2 * WG_KEY_LEN + 1], const uint8_t key[WG_KEY_LEN]);

#endif /* OMNI_CONFIG_UAPI_H */
