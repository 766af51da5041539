/* SPDX-License-Identifier: MIT */
/*
 * wg-wave: many WireGuard peers from one process against one gateway, each
 * with its own key, UDP socket and tunnel address, built on lib/wg as
 * wg-probe is. Each peer sends a steady stream of numbered ICMP echo
 * requests to an address on the gateway's host side (its kernel answers),
 * then all peers rekey at once (a new initiation each, in one burst):
 *
 *   up      every peer makes a session (paced, so the gateway is not
 *           under load while the table fills)
 *   steady  --before seconds of echoes, --rate a second per peer
 *   wave    all peers send a new initiation in the same millisecond; the
 *           echoes go on; a cookie reply is kept for the retry, which
 *           comes after REKEY_TIMEOUT as a real peer's does
 *   after   until every peer has seen the gateway answer on its new keys
 *           (or --after seconds), then one last second for the replies
 *
 * What it measures: echoes lost per peer (sent, never answered), when each
 * peer's handshake completed and when the gateway first answered on the
 * new keys, counted from the wave's first initiation. Single-threaded:
 * one epoll loop over the peers' sockets.
 */
#ifndef OMNI_WG_WAVE_H
#define OMNI_WG_WAVE_H

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "aead/aead.h"
#include "wg/cookie.h"
#include "wg/index.h"
#include "wg/keypair.h"
#include "wg/noise.h"

enum {
	WAVE_KEYPAIRS = 4, /* current, previous, next and one being made */
	WAVE_MAX_PEERS = 60000,
	WAVE_SEQ_MAX = 65536, /* echoes a peer can number (--rate x seconds) */
	WAVE_PAYLOAD = 32,
	WAVE_MTU = 1420,
	WAVE_BUF = 2048,
};

struct wave_opts {
	unsigned peers;
	unsigned per_addr;       /* peers sharing one source address */
	struct in_addr src_base; /* peer i sends from src_base + i / per_addr */
	struct in_addr tun_base; /* peer i's tunnel address: tun_base + i */
	struct in_addr echo_to;  /* on the gateway's host side */
	const char *gateway;     /* HOST:PORT */
	const char *gateway_pub; /* base64 */
	unsigned seed;
	unsigned rate;    /* echoes a second per peer */
	unsigned up_rate; /* new sessions a second while coming up */
	unsigned before_s, after_s;
	bool print_peers; /* print the gateway's [Peer] sections and exit */
	unsigned gw_pid;  /* the gateway's lcore thread, for its CPU time; 0: none */
};

/* When, counted from the wave's start, in ns; 0: not yet. */
struct wave_times {
	uint64_t handshake; /* response taken: the peer sends on new keys */
	uint64_t answered;  /* the gateway answered on the new keys */
};

struct wave_peer {
	uint32_t id;
	int fd;
	struct in_addr tun;
	struct wg_static_identity id_keys;
	struct wg_handshake hs;
	struct wg_cookie cookie;
	uint32_t hs_index;                 /* index of the handshake in flight, 0: none */
	uint64_t hs_sent_ns;               /* its initiation, for the retry */
	uint64_t retry_jitter_ns;          /* added to REKEY_TIMEOUT, new each time */
	struct wg_msg_initiation init_msg; /* the latest made */
	unsigned initiations;              /* sent since the last completed handshake */
	bool have_cookie;
	struct wg_keypair pool[WAVE_KEYPAIRS];
	bool pool_used[WAVE_KEYPAIRS];
	struct wg_keypairs kps;
	struct wg_keypair *wave_kp; /* the keypair the wave made */
	struct wave_times t;

	uint16_t echo_id;
	uint32_t sent, replies, dups, unsent;
	uint32_t seq_wave, seq_after; /* sent when the wave began, and ended */
	uint8_t *seen;                /* WAVE_SEQ_MAX bits: which echoes were answered */
};

struct wave_stats {
	uint64_t handshakes, cookies, retries, refused, bad_data;
};

/*
 * CPU time (ns) of the gateway's lcore thread (--gateway-pid: its
 * schedstat) and of this process, at the wave's start and at the last
 * first-try handshake: the rate per second of the lcore's own CPU, which
 * neither this generator's work nor a neighbour's on a shared core counts.
 */
struct wave_cpu {
	uint64_t gw0, gw_last, self0, self_last;
	bool ok;
};

struct wave {
	const struct wave_opts *opt;
	struct wave_peer *peers;
	struct wg_index_table *indices;
	struct wg_aead *aead;
	int epfd;
	uint8_t gw_pub[32];
	struct sockaddr_in gw;
	uint64_t wave_ns;   /* the wave's start (monotonic), 0: not yet */
	bool sending;       /* echoes go out */
	uint64_t t0_ns;     /* the echo schedule's start */
	uint64_t next_slot; /* the next echo in the round robin */
	struct wave_stats st;
	struct wave_cpu cpu;
	const volatile sig_atomic_t *stop;
};

uint64_t wave_now_ns(void);
/* CPU time of the gateway's thread and of this process now, into *gw and
 * *self; false when the gateway's cannot be read. */
bool wave_cpu_sample(const struct wave *w, uint64_t *gw, uint64_t *self);

/* wave_peer.c */
int wave_peer_setup(struct wave *w, struct wave_peer *p, uint32_t id);
void wave_peer_teardown(struct wave_peer *p);
/* A new initiation made and sent; or made (the Diffie-Hellman work, the
 * wave's done before it starts), then sent. */
int wave_send_initiation(struct wave *w, struct wave_peer *p, uint64_t now);
int wave_make_initiation(struct wave *w, struct wave_peer *p, uint64_t now);
int wave_send_made(struct wave *w, struct wave_peer *p, uint64_t now);
void wave_send_echo(struct wave *w, struct wave_peer *p, uint64_t now);
/* One datagram from the gateway to p's socket. */
void wave_peer_rx(struct wave *w, struct wave_peer *p, uint8_t *buf, size_t len, uint64_t now);
/* Peer id's private key, made from the seed (the gateway's list uses it too). */
void wave_peer_private(uint8_t out[32], unsigned seed, uint32_t id);

/* wave_run.c */
int wave_run(struct wave *w);

#endif /* OMNI_WG_WAVE_H */
