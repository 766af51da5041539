/* SPDX-License-Identifier: MIT */
/*
 * Transport keypairs and their rotation (current / previous / next).
 *
 * The initiator of a handshake may send at once on the new keypair, so it
 * becomes current. The responder may not send on it until the initiator has
 * used it (key confirmation), so it waits in next and is promoted by the
 * first packet received on it.
 *
 * Storage belongs to the caller: these functions move pointers and return
 * the keypairs no longer referenced, so the caller can retire them (at once,
 * or after an RCU grace period in the data plane).
 */
#ifndef OMNI_WG_KEYPAIR_H
#define OMNI_WG_KEYPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "messages.h"
#include "replay.h"

struct wg_keypair {
	uint8_t send_key[WG_KEY_LEN];
	uint8_t recv_key[WG_KEY_LEN];
	uint64_t send_counter; /* next nonce to use; atomic in the data plane */
	uint64_t birthdate_ns;
	uint32_t local_index;  /* we receive with this index */
	uint32_t remote_index; /* we send with this index */
	bool i_am_the_initiator;
	bool valid;
	void *user; /* owner's back pointer (peer, pool slot, ...) */
	struct wg_replay replay;
};

struct wg_keypairs {
	struct wg_keypair *current;
	struct wg_keypair *previous;
	struct wg_keypair *next;
};

/* Room for the keypairs one rotation can release. */
struct wg_keypair_retired {
	struct wg_keypair *kp[3];
	unsigned n;
};

/* Install a freshly derived keypair; fills *retired with what was dropped. */
void wg_keypairs_add(struct wg_keypairs *kps, struct wg_keypair *kp,
		     struct wg_keypair_retired *retired);

/*
 * Note that a packet authenticated under kp. If kp is the next keypair this
 * confirms it: it becomes current. Returns true when a rotation happened
 * (then *retired holds what was dropped).
 */
bool wg_keypairs_received_with(struct wg_keypairs *kps, struct wg_keypair *kp,
			       struct wg_keypair_retired *retired);

/* Drop all three (REJECT_AFTER_TIME * 3 passed, or peer removed). */
void wg_keypairs_clear(struct wg_keypairs *kps, struct wg_keypair_retired *retired);

/* Wipe the key material of a keypair that is no longer referenced. */
void wg_keypair_wipe(struct wg_keypair *kp);

/* Usable for sending: valid, not past REJECT_AFTER_TIME nor _MESSAGES. */
bool wg_keypair_can_send(const struct wg_keypair *kp, uint64_t now_ns);
/* Usable for receiving: valid and not past REJECT_AFTER_TIME. */
bool wg_keypair_can_receive(const struct wg_keypair *kp, uint64_t now_ns);

/* Send-path freshness: past REKEY_AFTER_MESSAGES, or initiator past REKEY_AFTER_TIME. */
bool wg_keypair_should_rekey_on_send(const struct wg_keypair *kp, uint64_t now_ns);
/*
 * Receive-path freshness: initiator whose keypair is close to
 * REJECT_AFTER_TIME (REJECT - KEEPALIVE - REKEY_TIMEOUT).
 */
bool wg_keypair_should_rekey_on_receive(const struct wg_keypair *kp, uint64_t now_ns);

#endif /* OMNI_WG_KEYPAIR_H */
