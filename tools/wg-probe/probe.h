/* SPDX-License-Identifier: MIT */
/*
 * wg-probe: one WireGuard peer over a plain UDP socket, built on lib/wg, to
 * prove the protocol core against a real peer (wireguard-go).
 *
 *   initiator:  initiation ->, <- response, echo request ->, <- echo reply
 *   responder:  <- initiation, response ->, <- echo request, echo reply ->
 *
 * Single-threaded: one event loop over one socket and the wg_timers state
 * machine. The inner traffic is IPv4 ICMP echo, built and checked by hand.
 */
#ifndef OMNI_WG_PROBE_H
#define OMNI_WG_PROBE_H

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "aead/aead.h"
#include "wg/cookie.h"
#include "wg/index.h"
#include "wg/keypair.h"
#include "wg/noise.h"
#include "wg/result.h"
#include "wg/timers.h"

#include "icmp.h"

enum {
	PROBE_KEYPAIRS = 4, /* current, previous, next and one being made */
	PROBE_MTU = 1420,   /* inner MTU, as wireguard-go's default */
	PROBE_BUF = 2048,
	PROBE_ECHO_PAYLOAD = 56,
	PROBE_ECHO_RETRY_MS = 1000,
};

struct probe_opts {
	const char *key_file;
	const char *peer_pub; /* base64 */
	const char *psk_file;
	const char *endpoint; /* HOST:PORT or [V6]:PORT */
	const char *aead_name;
	uint16_t listen_port; /* 0: ephemeral */
	struct in_addr tunnel_addr;
	struct in_addr ping_addr;
	bool have_ping;
	unsigned count;
	unsigned timeout_s;
	bool respond;
	bool under_load; /* demand mac2: answer with cookie replies */
	bool verbose;
};

struct probe_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct probe {
	const struct probe_opts *opt;
	int fd;
	struct probe_addr peer; /* where we send; learnt when responding */
	bool have_peer;

	struct wg_static_identity id;
	struct wg_handshake hs;
	uint32_t hs_index; /* our index of the handshake in flight */
	struct wg_cookie_checker checker;
	struct wg_cookie cookie;
	struct wg_index_table *indices;
	struct wg_keypair pool[PROBE_KEYPAIRS];
	bool pool_used[PROBE_KEYPAIRS];
	struct wg_keypairs kps;
	struct wg_timers timers;
	struct wg_aead *aead;

	uint64_t deadline_ns;
	unsigned initiations_sent;
	unsigned handshakes;
	enum wg_result last_refusal; /* why the last message was refused */

	uint16_t echo_id;
	uint16_t echo_seq;     /* sequence we wait a reply for */
	uint64_t echo_sent_ns; /* 0: nothing in flight */
	unsigned done;         /* replies received or answered */
	bool failed;
	const volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM */
};

/* main.c */
uint64_t probe_now_ns(void);
void probe_log(const struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* udp.c */
int probe_addr_parse(struct probe_addr *a, const char *host_port);
void probe_addr_format(char *buf, size_t size, const struct probe_addr *a);
/* The address bytes and port, as wg_cookie_validate wants them (an
 * IPv4-mapped source as IPv4, as omni's control lcore does); returns length. */
size_t probe_addr_bytes(uint8_t out[18], const struct probe_addr *a);
int probe_udp_open(struct probe *p);
int probe_udp_send_to(struct probe *p, const struct probe_addr *to, const void *buf, size_t len);
/* To the peer's endpoint. */
int probe_udp_send(struct probe *p, const void *buf, size_t len);
/* Waits up to timeout_ms; returns bytes, 0 on timeout, -errno on error. */
ssize_t probe_udp_recv(struct probe *p, void *buf, size_t size, int timeout_ms,
		       struct probe_addr *from);

/*
 * handshake.c. The handlers take a message whose type and exact size were
 * parsed; they return why it was refused, or WG_OK (local failures set
 * p->failed instead).
 */
int probe_send_initiation(struct probe *p, bool retry);
enum wg_result probe_handle_initiation(struct probe *p, const uint8_t *buf, size_t len,
				       const struct probe_addr *from);
enum wg_result probe_handle_response(struct probe *p, const uint8_t *buf, size_t len,
				     const struct probe_addr *from);
enum wg_result probe_handle_cookie(struct probe *p, const uint8_t *buf);
void probe_keypairs_release(struct probe *p, struct wg_keypair_retired *r);

/* tunnel.c */
int probe_send_inner(struct probe *p, const uint8_t *inner, uint32_t len);
enum wg_result probe_handle_data(struct probe *p, uint8_t *buf, size_t len,
				 const struct probe_addr *from);
/* The event loop; returns the exit status. */
int probe_run(struct probe *p);

#endif /* OMNI_WG_PROBE_H */
