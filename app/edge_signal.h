/* SPDX-License-Identifier: MIT */
/*
 * The edge's side of the nucleus: the signaling client (signaling/client.h)
 * and STUN, driven from the control loop. Datagrams share the WireGuard
 * port: workers pass signaling and STUN to control, control's udp_hook
 * brings them here; host packets to a cluster address no peer has come
 * through miss_hook and wait while the nucleus is asked. Peers the nucleus
 * reports become WireGuard peers (omni_edge_peer_add) with the cluster's
 * preshared key; punch notices start handshakes to every candidate,
 * IPv6 first when prefer_ipv6 (Happy Eyeballs, RFC 8305). The behaviour is
 * in signaling/'s state machines (outbox.h, park.h, punch.h,
 * stun_client.h); these files are their glue (docs/signaling.md).
 */
#ifndef OMNI_APP_EDGE_SIGNAL_H
#define OMNI_APP_EDGE_SIGNAL_H

#include <stdint.h>
#include <stdio.h>

struct omni_edge;
struct omni_signal;

/* When a nucleus is configured: resolve it and the STUN servers, create
 * the client, hook into control. 0 (also without a nucleus), or -1 with a
 * message printed. */
int omni_edge_signal_start(struct omni_edge *e, const char *prog);
/* Timers and queued datagrams; call every loop iteration (cheap) with the
 * loop's clock (pl_now_ns), the one the hooks get too. */
unsigned omni_edge_signal_poll(struct omni_edge *e, uint64_t now_ns);
/* "stats: sig_... N" lines. */
void omni_edge_signal_print_stats(const struct omni_edge *e, FILE *out);
/* Before the loops stop: tell the nucleus we leave (LEAVE), at the clock
 * of the last poll. */
void omni_edge_signal_leave(struct omni_edge *e);
/* At stop: the client gone, waiting packets freed. */
void omni_edge_signal_stop(struct omni_edge *e);
/*
 * A reload's cluster secret (a rotation, docs/signaling.md): the
 * signaling keys switch and the edge registers again under them, peers
 * and sessions kept. 1: switched; 0: the same secret, or no nucleus;
 * -EINVAL with the reason in err (nothing changes).
 */
int omni_edge_signal_rekey(struct omni_edge *e, const char *secret, char *err, size_t errlen);
/* Any thread: signaling counters for /metrics. */
struct httpd_text;
void omni_edge_signal_metrics(const struct omni_edge *e, struct httpd_text *t);
/* For /health and the console: "not configured", "registered", ... */
const char *omni_edge_signal_state(const struct omni_edge *e);

#endif /* OMNI_APP_EDGE_SIGNAL_H */
