/* SPDX-License-Identifier: MIT */
/*
 * Which routes a cluster member may have (docs/signaling.md, "Routes no
 * member can steal"). Anyone who holds the cluster secret can register any
 * key, VIP and candidates; an edge installs a member's VIPs as WireGuard
 * AllowedIPs, and longest-prefix match then sends those hosts' traffic to
 * it. These rules keep a member to its own VIPs inside the cluster's prefix
 * and away from every peer of the configuration. Pure: the caller
 * describes its peers (struct sig_admit_view), nothing here changes them.
 *
 *   sig_vip_usable      a VIP at all (the codec's and the nucleus's rule too)
 *   sig_cand_usable     an address WireGuard can send to
 *   sig_admit_cands     drops unusable candidates from an event's peer
 *   sig_admit_peer      may this member be installed, or updated? the rule
 *                       it breaks, or SIG_ADMIT_OK
 *   sig_admit_leave     may a LEFT remove the peer with this key?
 */
#ifndef OMNI_SIGNALING_ADMIT_H
#define OMNI_SIGNALING_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "wire.h"

/* Why a cluster event was refused (or a candidate dropped). One X-macro:
 * the enum and the metric labels of omni_cluster_refused_total. */
#define SIG_ADMIT_REASONS(X)                                                        \
	X(BAD_VIP, "bad_vip")               /* unspecified, loopback, multicast, \
					       broadcast */  \
	X(OUTSIDE_PREFIX, "outside_prefix") /* not in this edge's cluster prefix */ \
	X(STATIC_OVERLAP, "static_overlap") /* inside a configured peer's        \
					       AllowedIPs */  \
	X(STATIC_KEY, "static_key")         /* the key of a configured peer */      \
	X(VIP_TAKEN, "vip_taken")           /* another member's, or ours */         \
	X(PEER_CAP, "peer_cap")             /* SIG_ADMIT_LEARNED_MAX reached */     \
	X(BAD_CANDIDATE, "bad_candidate")   /* one candidate dropped: address or \
					       port nobody can be reached at */

enum sig_admit {
	SIG_ADMIT_OK = 0,
#define SIG_ADMIT_ENUM(name, text) SIG_ADMIT_##name,
	SIG_ADMIT_REASONS(SIG_ADMIT_ENUM)
#undef SIG_ADMIT_ENUM
		SIG_ADMIT_COUNT
};

enum {
	/* Peers learned from the cluster on one edge, at most: a member
	 * registering key after key cannot fill the peer table that the
	 * configured peers share. */
	SIG_ADMIT_LEARNED_MAX = 1024,
	/* A VIP written without a length (as the seeds' --vip 10.200.0.1):
	 * the cluster prefix is taken as its /24 or /64. */
	SIG_ADMIT_HOST_VIP4_LEN = 24,
	SIG_ADMIT_HOST_VIP6_LEN = 64,
};

/* One peer the edge runs, as the rules need it. */
struct sig_admit_peer {
	const uint8_t *pubkey; /* SIG_PUBKEY_LEN bytes */
	const struct net_prefix *routes;
	size_t n_routes;
	bool learned; /* from the cluster; false: from the configuration */
};

struct sig_admit_view {
	/* The edge's own VIPs with the cluster's prefix length (network.vip,
	 * network.vip6; a full length means SIG_ADMIT_HOST_VIP*_LEN); family
	 * NET_AF_NONE: this edge has none of that family, and such VIPs of
	 * members are left out. */
	struct net_prefix vip4, vip6;
	/* Every running peer: the i-th into *out; false past the end. */
	bool (*peer)(const void *ctx, size_t i, struct sig_admit_peer *out);
	const void *ctx;
	size_t n_learned;   /* learned peers now */
	size_t learned_max; /* 0: SIG_ADMIT_LEARNED_MAX */
};

enum { SIG_VIPS_TEXT_MAX = 2 * NET_ADDR_TEXT_MAX + 12 };

/* "vip 10.200.0.7 vip6 -": p's VIPs for a log line ("-": none). */
void sig_vips_format(const struct sig_peer *p, char out[SIG_VIPS_TEXT_MAX]);

/* "bad_vip", ...; "ok" for SIG_ADMIT_OK. */
const char *sig_admit_name(enum sig_admit r);

/* Not unspecified, loopback, multicast, IPv4 broadcast or IPv4 class E. */
bool sig_vip_usable(const struct net_addr *a);
/* A VIP's rule and a port: also not IPv6 link-local (the wire carries no
 * scope, so nobody can send to one), nor port 0. */
bool sig_cand_usable(const struct net_endpoint *ep);

/* Drops p's unusable candidates in place, keeping the order; how many. */
unsigned sig_admit_cands(struct sig_peer *p);

/*
 * Whether member p may be installed (or updated, when a learned peer has
 * its key). The VIPs to install go to routes[0..*n_routes) (at most 2):
 * those of a family the edge has a prefix for. Rules, in order: the key of
 * a configured peer; a VIP that is no VIP; outside the edge's prefix (or no
 * VIP left to install); a VIP equal to ours or a learned peer's of another
 * key; inside a configured peer's AllowedIPs (a configured prefix that holds
 * the whole cluster prefix, as 0.0.0.0/0 does, yields to it: the operator
 * gave that range to the cluster); the learned peer cap for a new key.
 */
enum sig_admit sig_admit_peer(const struct sig_admit_view *v, const struct sig_peer *p,
			      struct net_prefix routes[2], unsigned *n_routes);

/* Whether a configured peer with AllowedIPs conf[0..n_conf) owns one of a
 * learned peer's host routes (the rule of sig_admit_peer from the other
 * side: a configured peer added later takes them back). */
bool sig_admit_owned(const struct sig_admit_view *v, const struct net_prefix *conf, size_t n_conf,
		     const struct net_prefix *routes, size_t n_routes);

/* SIG_ADMIT_STATIC_KEY when key is a configured peer's (a LEFT must not
 * remove it), else SIG_ADMIT_OK. */
enum sig_admit sig_admit_leave(const struct sig_admit_view *v, const uint8_t *key);

#endif /* OMNI_SIGNALING_ADMIT_H */
