/* SPDX-License-Identifier: MIT */
/*
 * The nucleus server core as a pure state machine: datagrams and the time
 * in, datagrams out. No sockets, no clock of its own (app/nucleus_main.c
 * owns those). Several clusters, each with its own secret; per cluster the
 * members are found in O(1) by public key, VIP and VIP6, expire
 * SIG_EXPIRY_MS after their last message, and every change gets a version
 * in a bounded log so heartbeats are answered with deltas
 * (docs/signaling.md). Single-threaded: one thread calls everything except
 * the counter readers, which another thread may call at any time.
 */
#ifndef OMNI_SIGNALING_NUCLEUS_H
#define OMNI_SIGNALING_NUCLEUS_H

#include <stddef.h>
#include <stdint.h>

#include "peerset.h"
#include "wire.h"

/* One cluster the nucleus serves: the server's input API (CLI, JSON). */
struct nucleus_cluster_conf {
	const char *name;
	const char *secret; /* >= SIG_SECRET_MIN characters */
	/* With admit_list, only these member keys may register (an empty
	 * list: none); without, anyone with the secret. */
	bool admit_list;
	const uint8_t (*members)[SIG_PUBKEY_LEN];
	size_t n_members;
	bool l2; /* an L2 fabric: every ack says so (SIG_ACK_L2, docs/l2.md) */
};

enum {
	SIG_NUCLEUS_MEMBERS_DEFAULT = 1 << 16, /* per cluster */
	SIG_NUCLEUS_RATE_DEFAULT = 100,        /* messages/s per source */
	SIG_NUCLEUS_BURST_DEFAULT = 200,
	SIG_NUCLEUS_SOURCES_DEFAULT = 1 << 16, /* rate-limited sources at once */
	SIG_NUCLEUS_REPLAY_DEFAULT = 1 << 22,  /* nonces held, shared out equally: a nonce
						* is held 60 s, so a million members at
						* 30 s heartbeats need 2^21 */
	SIG_NUCLEUS_REPLAY_MIN = 1 << 12,      /* nonces held per cluster, at least */
	SIG_NUCLEUS_CLUSTERS_MAX = 4096,
	/* An open nucleus makes at most this many clusters on demand (each
	 * holds a 132 KB change log and its members): a member that knows the
	 * secret cannot make it grow without bound. */
	SIG_NUCLEUS_OPEN_CLUSTERS_DEFAULT = 1024,
	SIG_NUCLEUS_OUT_MAX = 5,            /* datagrams one input may produce */
	SIG_NUCLEUS_TURN_TTL_DEFAULT = 600, /* s: a TURN credential's lifetime */
	SIG_NUCLEUS_TURN_TTL_MAX = 86400,
	SIG_NUCLEUS_DETAIL_MAX = 256, /* a refusal's text for the log, with its NUL */
};

struct sig_nucleus_conf {
	const struct nucleus_cluster_conf *clusters;
	size_t n_clusters;
	/* Open nucleus (no clusters listed): any cluster name with this one
	 * secret, each name its own namespace of members, made when its first
	 * authenticated message comes (SIG_FLAG_NAME). NULL: only the list. */
	const char *open_secret;
	bool open_l2;               /* the open clusters are L2 fabrics */
	unsigned max_open_clusters; /* 0: SIG_NUCLEUS_OPEN_CLUSTERS_DEFAULT */
	uint32_t max_members;       /* per cluster; 0: default */
	unsigned rate, burst;       /* per source; 0: defaults */
	unsigned sources;           /* 0: default */
	unsigned replay_capacity;   /* nonces, shared by the listed clusters (each
				     * made on demand gets it / max_open_clusters);
				     * 0: default */
	uint32_t expiry_ms;         /* 0: SIG_EXPIRY_MS; shorter for tests only */
	/* The nucleus's static X25519 private key (32 bytes, copied; the
	 * caller wipes its own); NULL: a random one for this run (edges that
	 * pin the key must then be given the new one at every start). */
	const uint8_t *private_key;
	/* Serve members that send no identity trailer (edges older than
	 * identity-bound membership), as before: any holder of the secret can
	 * speak for such a key. A key that has registered with proof is held
	 * to it either way. */
	bool legacy_members;
	/* What a refused claim asked and who holds it, as text (under
	 * SIG_NUCLEUS_DETAIL_MAX), for each one, during the input that
	 * refuses it: the caller rates its log lines. NULL: none. */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	/* The relay: coturn's static-auth-secret (use-auth-secret) and its
	 * servers; members get credentials "<expiry>:<member id>" valid
	 * turn_ttl_s (0: SIG_NUCLEUS_TURN_TTL_DEFAULT). NULL: no relay. */
	const char *turn_secret;
	const struct net_endpoint *turn_servers;
	unsigned n_turn_servers;
	uint32_t turn_ttl_s;
};

/* A datagram to send. */
struct sig_out {
	struct net_endpoint to;
	size_t len;
	uint8_t buf[SIG_DATAGRAM_MAX];
};

/* Counters; read from another thread with sig_nucleus_read(). */
struct sig_nucleus_stats {
	uint64_t rx[SIG_TYPE_COUNT]; /* accepted, by type */
	uint64_t tx[SIG_TYPE_COUNT]; /* sent, by type */
	uint64_t drops[SIG_DROP_COUNT];
	uint64_t expired;             /* members dropped for silence */
	uint64_t ratelimit_evictions; /* limiter slots taken over when full */
};

struct sig_nucleus;

/* NULL with the reason in err (names the cluster and the rule). */
struct sig_nucleus *sig_nucleus_create(const struct sig_nucleus_conf *conf, char *err,
				       size_t errlen);
void sig_nucleus_destroy(struct sig_nucleus *n);

/*
 * One datagram from `from`. Writes the replies and
 * punch notices into out[] and returns how many (0 when dropped: the
 * reason is counted). now_ms: Unix time in milliseconds.
 */
unsigned sig_nucleus_input(struct sig_nucleus *n, const struct net_endpoint *from, const uint8_t *p,
			   size_t len, uint64_t now_ms, struct sig_out out[SIG_NUCLEUS_OUT_MAX]);

/* Expires silent members. Call about once a second. */
void sig_nucleus_tick(struct sig_nucleus *n, uint64_t now_ms);

/* Any thread: a copy of the counters (each read atomically). */
void sig_nucleus_read(const struct sig_nucleus *n, struct sig_nucleus_stats *out);
size_t sig_nucleus_n_clusters(const struct sig_nucleus *n);
const char *sig_nucleus_cluster_name(const struct sig_nucleus *n, size_t c);
/* Any thread: members of cluster c now. */
uint32_t sig_nucleus_cluster_members(const struct sig_nucleus *n, size_t c);

/* Loop thread: cluster index by name, or -1. */
int sig_nucleus_cluster_find(const struct sig_nucleus *n, const char *name);
/* Loop thread: a member of cluster c by key (see sig_peerset_find), or NULL. */
const struct sig_peer *sig_nucleus_lookup(const struct sig_nucleus *n, size_t c,
					  enum sig_peerset_key by, const uint8_t *key);
uint64_t sig_nucleus_cluster_version(const struct sig_nucleus *n, size_t c);
/*
 * Loop thread: cluster c's admission list from now on (as in
 * nucleus_cluster_conf: admit_list false admits every key). Members whose
 * key it leaves out are removed at once: LEFT in the change log, so every
 * edge hears it at its next heartbeat. Their REGISTERs are refused
 * (not_admitted). Returns how many were removed, or -ENOMEM (nothing
 * changed).
 */
int sig_nucleus_set_members(struct sig_nucleus *n, size_t c, bool admit_list,
			    const uint8_t (*keys)[SIG_PUBKEY_LEN], size_t n_keys);

/*
 * Loop thread: cluster c's secret from now on (a rotation). The secret it
 * had stays accepted, and each member that still uses it is answered
 * under it, until now_ms + window_ms; then its messages are refused as
 * any wrong secret's (unknown_cluster). A second change within a window
 * drops the oldest secret at once. Returns 1 (changed), 0 (the same
 * secret: nothing changes, a running window goes on) or -EINVAL with the
 * reason in err (nothing changes).
 */
int sig_nucleus_set_secret(struct sig_nucleus *n, size_t c, const char *secret, uint32_t window_ms,
			   uint64_t now_ms, char *err, size_t errlen);

/* Loop thread, open nucleus: its secret from now on, as
 * sig_nucleus_set_secret for every cluster made and for names not seen
 * yet. -EINVAL also when the nucleus is not open. */
int sig_nucleus_set_open_secret(struct sig_nucleus *n, const char *secret, uint32_t window_ms,
				uint64_t now_ms, char *err, size_t errlen);

/* Whether cluster k is an L2 fabric (docs/l2.md). */
bool sig_nucleus_cluster_l2(const struct sig_nucleus *n, size_t k);

/* The nucleus's public key (what edges pin: --nucleus-key). */
void sig_nucleus_public_key(const struct sig_nucleus *n, uint8_t out[SIG_PUBKEY_LEN]);

#endif /* OMNI_SIGNALING_NUCLEUS_H */
