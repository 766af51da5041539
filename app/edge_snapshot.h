/* SPDX-License-Identifier: MIT */
/*
 * A copy of what the control lcore owns (peers, sessions, control
 * counters, the nucleus state), taken on the control loop through the
 * mailbox and then read at leisure by the console, /metrics and telemetry.
 *
 * Why a snapshot rather than formatting on the control loop: in
 * single-lcore mode the control loop also forwards, so the time it spends
 * for a reader is time packets wait. Copying a few dozen bytes per peer is
 * microseconds even with thousands of peers; base64, printf and HTTP then
 * happen on the reader's own thread. Per-worker counters are not copied:
 * readers sum them directly (one writer each, aligned 64-bit loads).
 */
#ifndef OMNI_APP_EDGE_SNAPSHOT_H
#define OMNI_APP_EDGE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/model.h"
#include "httpd/text.h"
#include "pipeline/control.h"

struct omni_edge;

enum omni_nucleus_state {
	OMNI_NUCLEUS_NOT_CONFIGURED = 0,
	OMNI_NUCLEUS_UNREACHABLE,
	OMNI_NUCLEUS_REACHABLE,
};

struct omni_peer_snap {
	uint8_t public_key[WG_KEY_LEN];
	char endpoint[CFG_ADDR_TEXT_MAX]; /* "(none)" when unknown */
	char *allowed_ips;                /* "10.0.0.2/32, fd00::2/128" */
	uint16_t keepalive;               /* seconds; 0: off */
	bool has_session;                 /* a keypair to send with */
	bool learned;                     /* from the cluster, not the configuration */
	uint16_t channel;                 /* relayed: the TURN channel; 0: direct */
	uint64_t rx_bytes, tx_bytes;
	uint64_t last_handshake_unix_ns; /* 0: never */
	uint64_t handshakes;
};

struct omni_edge_snap {
	struct pl_control_stats ctl;
	unsigned sessions;
	unsigned keypairs; /* receiver indices in the session table */
	size_t n_peers;
	struct omni_peer_snap *peers;
	enum omni_nucleus_state nucleus;
	char nucleus_text[128]; /* address and state, for people */
	enum cfg_log_level log_level;
	uint64_t taken_unix_ns;
};

/* Any thread but the control loop's: fill s through the mailbox (the
 * peers only when with_peers). 0 or a negative errno (-ETIMEDOUT,
 * -ESHUTDOWN, -ENOMEM). */
int omni_edge_snapshot(struct omni_edge *e, struct omni_edge_snap *s, bool with_peers);
void omni_edge_snap_free(struct omni_edge_snap *s);

/* Control loop only: the nucleus client's state (a hook: the client does
 * not exist yet, so a configured nucleus reads "unreachable"). */
enum omni_nucleus_state omni_edge_nucleus_state(const struct omni_edge *e, char *text, size_t len);

#endif /* OMNI_APP_EDGE_SNAPSHOT_H */
