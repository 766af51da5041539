/* SPDX-License-Identifier: MIT */
/* Inside the nucleus: clusters, members, the change log (nucleus*.c only). */
#ifndef OMNI_SIGNALING_NUCLEUS_INT_H
#define OMNI_SIGNALING_NUCLEUS_INT_H

#include "codec.h"
#include "nucleus.h"
#include "replay.h"

struct wg_ratelimiter;

struct member {
	struct sig_peer peer; /* first: what peerset indexes; cand[0] observed */
	uint64_t last_seen;   /* ms */
	uint32_t lru_prev, lru_next;
	bool enc; /* its last message was encrypted */
	/* Registered with proof of its private key: every message naming it
	 * must carry the identity trailer, and answers to it are signed with
	 * id_key (X25519 of the nucleus's and its key, made once per REGISTER
	 * that changes nothing else: the nucleus does one DH per member). */
	bool proven;
	/* Its last message was sealed under the cluster's previous secret
	 * (a rotation's window): notices to it are sealed under that one. */
	bool prev;
	uint8_t id_key[SIG_KEY_LEN];
	/* It asked for TURN credentials (so it knows RELAY_INFO), and its
	 * relayed address once it has one (family NET_AF_NONE: none). */
	bool relay_aware;
	struct sig_addr relayed;
};

struct logent {
	uint8_t change; /* enum sig_change */
	uint8_t pubkey[SIG_PUBKEY_LEN];
};

struct cluster {
	char name[SIG_CLUSTER_NAME_MAX + 1];
	struct sig_keys keys;
	/* A rotation (sig_nucleus_set_secret): the previous secret's keys,
	 * accepted until prev_until (ms; 0: none). */
	struct sig_keys prev;
	uint64_t prev_until;
	/* The first secret's id: what tokens are bound to, so that a
	 * rotation does not challenge every member again. */
	uint8_t token_id[SIG_CLUSTER_ID_LEN];
	struct sig_peerset members;
	uint32_t lru_head, lru_tail; /* oldest heartbeat first */
	uint64_t version;            /* of the last change */
	struct logent *log;          /* change of version v at log[v % SIG_LOG_MAX] */
	uint32_t n_members;          /* copy for other threads */
	struct sig_replay *replay;   /* its own: one cluster cannot fill another's */
	size_t page_max;             /* body bytes the ack being built may take */
	/* The admission list, sorted (nucleus_admit.c); admit_list false:
	 * every key with the secret. */
	bool admit_list;
	uint8_t (*admit)[SIG_PUBKEY_LEN];
	size_t n_admit;
	bool l2; /* an L2 fabric (SIG_ACK_L2) */
};

struct sig_nucleus {
	struct cluster *clusters; /* room for the list, or the open maximum */
	size_t n_clusters;        /* grows when open: other threads load-acquire it */
	char *open_secret;        /* open nucleus; NULL: the list only */
	bool open_l2;             /* its clusters are L2 fabrics */
	uint8_t name_key[SIG_KEY_LEN];
	/* The open secret before a rotation, accepted until open_prev_until
	 * (ms; 0: none): names it seals make clusters too. */
	char *open_prev;
	uint8_t prev_name_key[SIG_KEY_LEN];
	uint64_t open_prev_until;
	size_t max_clusters;
	unsigned replay_open; /* nonces of a cluster made on demand */
	uint32_t epoch;
	uint32_t expiry_ms;
	/* Identity (nucleus_ident.c): the static key pair, the key of this
	 * run's return-routability tokens, and whether members without proof
	 * are served (legacy_members). */
	uint8_t priv[SIG_PUBKEY_LEN], pub[SIG_PUBKEY_LEN];
	uint8_t token_key[SIG_KEY_LEN];
	bool legacy;
	/* The identity key of the message in hand; its answers are signed
	 * with it when signed_reply. */
	uint8_t id_key[SIG_KEY_LEN];
	bool signed_reply;
	bool rx_prev;              /* the message in hand is under its cluster's previous secret */
	int act;                   /* enum sig_ident_act of the message in hand */
	uint32_t max_members;      /* per cluster */
	struct wg_ratelimiter *rl; /* per source, after the HMAC; evicts when full */
	struct sig_nucleus_stats stats;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	/* The source of the message in hand, and (its address not verified)
	 * the largest answer it may get: its own length; 0: no bound. */
	const struct net_endpoint *reply_to;
	size_t reply_max;
	struct sig_msg rx, tx; /* scratch: large */
	/* The relay (nucleus_turn.c): coturn's static-auth-secret, its
	 * servers, the credentials' lifetime. NULL secret: no relay. */
	uint8_t *turn_secret;
	size_t turn_secret_len;
	struct net_endpoint turn_servers[SIG_TURN_SERVERS_MAX];
	unsigned n_turn_servers;
	uint32_t turn_ttl_s;
};

/* Relaxed atomic stores: another thread reads counters while we write. */
#define SIG_STORE(lv, v) __atomic_store_n(&(lv), (v), __ATOMIC_RELAXED)
#define SIG_COUNT(lv) SIG_STORE(lv, (lv) + 1)

static inline struct member *member_at(struct cluster *c, uint32_t i)
{
	return sig_peerset_rec(&c->members, i);
}

/* nucleus.c: a cluster made from its name and secret, in place. */
int sig_cluster_init(struct cluster *c, const struct nucleus_cluster_conf *cc, uint32_t max,
		     unsigned replay, char *err, size_t errlen);
void sig_cluster_fini(struct cluster *c);

/* nucleus_open.c: the cluster of a datagram whose id is not known. */
int sig_nucleus_open_init(struct sig_nucleus *n, const struct sig_nucleus_conf *conf, char *err,
			  size_t errlen);
void sig_nucleus_open_fini(struct sig_nucleus *n);
/* Forgets the previous open secret once its window is over. */
void sig_nucleus_open_tick(struct sig_nucleus *n, uint64_t now);
enum sig_drop sig_nucleus_open(struct sig_nucleus *n, const uint8_t *p, size_t len,
			       struct sig_msg *m, uint64_t now, struct cluster **out);

/* The member key a message to the nucleus names. */
static inline const uint8_t *sig_msg_key(const struct sig_msg *m)
{
	return m->type == SIG_REGISTER   ? m->u.reg.pubkey :
	       m->type == SIG_HEARTBEAT  ? m->u.hb.pubkey :
	       m->type == SIG_QUERY_PEER ? m->u.query.pubkey :
	       m->type == SIG_TURN_ASK   ? m->u.relay.pubkey :
					   m->u.leave;
}

/* nucleus_ident.c: what to do with a message that passed HMAC, limiter
 * and replay checks. */
enum sig_ident_act {
	SIG_ID_GO,        /* handle it (signed_reply says how to answer) */
	SIG_ID_CHALLENGE, /* answer CHALLENGE: no valid token from this address */
	SIG_ID_UNKNOWN,   /* a HEARTBEAT of a key not registered in this epoch:
			   * a signed "register again" (status UNKNOWN) */
};
int sig_nucleus_ident_init(struct sig_nucleus *n, const struct sig_nucleus_conf *conf);
enum sig_drop sig_nucleus_ident(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
				const uint8_t *p, size_t len, const struct net_endpoint *from,
				uint64_t now, enum sig_ident_act *act);
/* The token for key at address from, valid SIG_TOKEN_MS to 2 * SIG_TOKEN_MS. */
void sig_nucleus_token(const struct sig_nucleus *n, const struct cluster *c, const uint8_t *key,
		       const struct net_endpoint *from, uint64_t now, uint8_t out[SIG_TOKEN_LEN]);

/* nucleus_admit.c: may key register in c? */
bool sig_cluster_admits(const struct cluster *c, const uint8_t *key);
/* Replaces c's list (copied, sorted); -ENOMEM leaves it as it was. */
int sig_cluster_set_admit(struct cluster *c, bool admit_list, const uint8_t (*keys)[SIG_PUBKEY_LEN],
			  size_t n_keys);
/* nucleus_turn.c: the relay's configuration, a TURN_ASK's answer, and
 * the RELAY_INFO notices beside a punch. */
int sig_nucleus_turn_init(struct sig_nucleus *n, const struct sig_nucleus_conf *conf, char *err,
			  size_t errlen);
void sig_nucleus_turn_fini(struct sig_nucleus *n);
/* Fills r (a TURN_CRED) for member key at now_ms. */
void sig_nucleus_turn_cred(const struct sig_nucleus *n, const uint8_t key[SIG_PUBKEY_LEN],
			   uint64_t now_ms, struct sig_turn_cred *r);

/* nucleus_members.c */
/* The live member of another key that holds one of p's VIPs, or NULL (a
 * VIP is its holder's until it leaves or expires; the same key may
 * register again). Removes a holder past expiry that the tick has not. */
const struct sig_peer *sig_member_vip_taken(struct cluster *c, const struct sig_peer *p,
					    uint64_t now, uint32_t expiry_ms);
/* Adds or updates the member with own's key; p's VIPs must be free
 * (sig_member_vip_taken). SIG_NONE: no room. */
uint32_t sig_member_register(struct cluster *c, const struct sig_peer *own,
			     const struct net_endpoint *from, bool enc, uint64_t now);
/* Updates the observed address and last-seen of member i. */
void sig_member_touch(struct cluster *c, uint32_t i, const struct net_endpoint *from, bool enc,
		      uint64_t now);
/* Gone now: LEFT in the change log. */
void sig_member_remove(struct cluster *c, uint32_t i);
unsigned sig_members_expire(struct cluster *c, uint64_t now, uint32_t expiry_ms);
/* Fills a resync page from cursor (requester i excluded) at version v. */
void sig_page_resync(struct cluster *c, struct sig_ack *a, uint32_t cursor, uint32_t self);
/* Fills a delta page after version v, or returns false if v is not in the log. */
bool sig_page_delta(struct cluster *c, struct sig_ack *a, uint64_t v, uint32_t self);

#endif /* OMNI_SIGNALING_NUCLEUS_INT_H */
