/* SPDX-License-Identifier: MIT */
/*
 * WireGuard's userspace API on /var/run/wireguard/<host interface>.sock, so
 * the stock wg(8) works on a running gateway: `wg show`, `wg show all
 * dump`, `wg showconf`, `wg set`, `wg setconf`, `wg syncconf`
 * (wireguard.com/xplatform; the request parser is config/uapi.h).
 *
 * Served on the control loop, off the hot path: the edge's pass polls the
 * sockets without blocking a few hundred times a second (one poll(2) with
 * a zero timeout; nothing per packet), reads what came, and answers a
 * whole request at once: a get from the running state, a set through the
 * same live-change path as the console's `peer add` and SIGHUP's reload
 * (app/edge_peers.h), checked whole first so a refused request changes
 * nothing. The directory is made 0700, the socket 0600 (root only, as
 * the keys it shows are secret); a stale socket of a crashed gateway is
 * replaced, a live one (another gateway, or wireguard-go) in our network
 * namespace refuses start. /var/run is shared by namespaces: a live one in
 * another namespace leaves this gateway without the socket (a warning).
 */
#ifndef OMNI_APP_EDGE_UAPI_H
#define OMNI_APP_EDGE_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct omni_edge;
struct omni_uapi;

#define OMNI_UAPI_DIR "/var/run/wireguard"

/* Control lcore, after omni_edge_start: create the socket for the edge's
 * host interface. 0 (*out NULL, with a warning, when it cannot be had), or
 * -1 with the reason printed: a live socket in our network namespace. */
int omni_uapi_open(struct omni_uapi **out, struct omni_edge *e, const char *prog);
/* Control loop, every pass (cheap: it polls at most every OMNI_UAPI_POLL_MS
 * of the loop's clock). How many requests it answered. */
unsigned omni_uapi_poll(struct omni_uapi *u, struct omni_edge *e, uint64_t now_ns);
/* Closes every connection, removes the socket (if still ours). NULL: no-op. */
void omni_uapi_close(struct omni_uapi *u);

/* The answers (edge_uapi_ops.c), control loop only. get: the running
 * configuration and counters, "errno=0" and the blank line included. set:
 * body is the request after "set=1" without its blank line; the errno to
 * answer (0 or negative), with a log line either way. */
struct omni_uapi_buf {
	char *buf;
	size_t len, cap;
	bool failed;
};
void omni_uapi_buf_add(struct omni_uapi_buf *b, const char *s, size_t len);
void omni_uapi_buf_free(struct omni_uapi_buf *b); /* wiped: keys pass through */
void omni_uapi_get(struct omni_edge *e, struct omni_uapi_buf *out);
int omni_uapi_set(struct omni_edge *e, const char *body, size_t len);

#endif /* OMNI_APP_EDGE_UAPI_H */
