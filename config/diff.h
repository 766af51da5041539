/* SPDX-License-Identifier: MIT */
/*
 * What changed between two configuration models: the pure half of a reload
 * (SIGHUP, the console's `reload`). The caller reads and validates the new
 * model (a bad file stops there, nothing applied), computes the difference
 * here, refuses or warns about what cannot change live, and applies the
 * peer changes (app/edge_peers.h) before swapping the models.
 *
 * Peers are matched by public key. A peer in both models with the same
 * endpoint, allowed IPs (as a set: order does not matter), keepalive and
 * preshared key is unchanged and keeps its session; a changed one says
 * which of the four changed. Other settings are compared one by one and
 * reported by their JSON path ("daemon.port"): those in `restart` take a
 * restart to apply, those in `live` (the log level) can be applied at once.
 */
#ifndef OMNI_CONFIG_DIFF_H
#define OMNI_CONFIG_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* What changed in a peer present in both models (a bit mask). */
enum cfg_peer_change {
	CFG_PEER_CHANGED_ENDPOINT = 1u << 0,
	CFG_PEER_CHANGED_ALLOWED_IPS = 1u << 1,
	CFG_PEER_CHANGED_KEEPALIVE = 1u << 2,
	CFG_PEER_CHANGED_PSK = 1u << 3, /* a new handshake is needed */
};

/* Indices into the two models' peers[]; SIZE_MAX where there is none. */
struct cfg_peer_delta {
	size_t old_index; /* removed and changed peers */
	size_t new_index; /* added and changed peers */
	unsigned changed; /* enum cfg_peer_change bits; 0 for added/removed */
};

struct cfg_config_diff {
	struct cfg_peer_delta *added; /* in file order of the new model */
	size_t n_added;
	struct cfg_peer_delta *removed; /* in file order of the old model */
	size_t n_removed;
	struct cfg_peer_delta *changed; /* in file order of the new model */
	size_t n_changed;
	size_t n_unchanged;
	const char **restart; /* static paths: "daemon.port", "dpdk.lcores" ... */
	size_t n_restart;
	const char **live; /* static paths that can change live: "daemon.log_level" */
	size_t n_live;
};

/*
 * Fills *d (overwritten). 0, or -ENOMEM with *d empty. Both models should
 * have been validated (no duplicate public keys). The private keys are
 * compared only when both models still hold one: a running edge wipes its
 * copy (app/edge.c), and then a changed key is not seen here.
 */
int cfg_config_diff(const struct cfg_config *old, const struct cfg_config *neu,
		    struct cfg_config_diff *d);
void cfg_config_diff_free(struct cfg_config_diff *d);

/* Nothing to do at all. */
bool cfg_config_diff_empty(const struct cfg_config_diff *d);

/* "endpoint, allowed_ips" for a change mask (the JSON key names). */
void cfg_peer_change_names(unsigned changed, char *out, size_t outlen);

/*
 * One line per item, for the log and the console's `reload`:
 *   peer added: aEwPCz4a... (peers[3])
 *   peer removed: jN0gh3pc...
 *   peer changed: wIk71Bhy... (endpoint, allowed_ips)
 *   needs a restart: daemon.port
 *   changed live: daemon.log_level
 * or "no change". Public keys are cut to 8 characters, like wg(8)'s log.
 */
void cfg_config_diff_print(const struct cfg_config_diff *d, const struct cfg_config *old,
			   const struct cfg_config *neu, FILE *out);

#endif /* OMNI_CONFIG_DIFF_H */
