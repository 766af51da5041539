/* SPDX-License-Identifier: MIT */
/*
 * The per-peer timer state machine, as a pure function of events and time.
 *
 * The caller reports events through the hooks below and calls
 * wg_timers_poll() when wg_timers_next_deadline() passes; poll returns the
 * actions to take. Nothing here sends or sleeps.
 *
 * Timers (deadlines in ns of the injected monotonic clock, 0 = not armed):
 *  - retransmit_handshake: REKEY_TIMEOUT + jitter after an initiation is
 *    sent with no response; resend until MAX_TIMER_HANDSHAKES retries have
 *    gone unanswered (REKEY_ATTEMPT_TIME; 20 initiations in all, as the
 *    kernel sends), then give up: drop the staged packets and arm
 *    zero_key_material.
 *  - send_keepalive: KEEPALIVE_TIMEOUT after data is received if we have
 *    sent nothing since (passive keepalive).
 *  - new_handshake: KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter after data is
 *    sent if nothing has been received since: the peer is gone, rekey.
 *  - zero_key_material: REJECT_AFTER_TIME * 3 after a session is derived
 *    with no newer one: wipe all keys.
 *  - persistent_keepalive: the configured interval after any authenticated
 *    packet is sent or received (keeps NAT mappings open).
 */
#ifndef OMNI_WG_TIMERS_H
#define OMNI_WG_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

enum wg_timer_action {
	WG_TIMER_SEND_INITIATION = 1u << 0, /* if may_send_initiation; then handshake_initiated */
	WG_TIMER_SEND_KEEPALIVE = 1u << 1,
	WG_TIMER_ZERO_KEYS = 1u << 2,   /* clear keypairs and handshake */
	WG_TIMER_DROP_STAGED = 1u << 3, /* gave up: purge packets waiting for keys */
};

struct wg_timers {
	uint64_t retransmit_handshake;
	uint64_t send_keepalive;
	uint64_t new_handshake;
	uint64_t zero_key_material;
	uint64_t persistent_keepalive;
	uint64_t last_sent_initiation_ns;
	bool have_sent_initiation;
	uint16_t persistent_keepalive_interval; /* seconds, 0 = off */
	unsigned handshake_attempts;
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
	uint64_t rng; /* jitter source, seeded at init */
};

void wg_timers_init(struct wg_timers *t, uint16_t persistent_keepalive_s, uint64_t seed);

/* Hooks. Call each when the named event happens, with the current time. */
void wg_timers_data_sent(struct wg_timers *t, uint64_t now);
void wg_timers_data_received(struct wg_timers *t, uint64_t now);
void wg_timers_any_authenticated_packet_sent(struct wg_timers *t, uint64_t now);
void wg_timers_any_authenticated_packet_received(struct wg_timers *t, uint64_t now);
void wg_timers_any_authenticated_packet_traversal(struct wg_timers *t, uint64_t now);
/* An initiation was sent; retry is false for a fresh attempt (resets count). */
void wg_timers_handshake_initiated(struct wg_timers *t, uint64_t now, bool retry);
void wg_timers_handshake_complete(struct wg_timers *t, uint64_t now);
void wg_timers_session_derived(struct wg_timers *t, uint64_t now);
/* Receive-path: keys near REJECT_AFTER_TIME; true once per session. */
bool wg_timers_want_lastminute_handshake(struct wg_timers *t);
/* Turn everything off (peer removed or keys zeroed). */
void wg_timers_stop(struct wg_timers *t);

/* An initiation may be sent now: none sent in the last REKEY_TIMEOUT. */
bool wg_timers_may_send_initiation(const struct wg_timers *t, uint64_t now);

/* Fire every expired timer; returns a mask of enum wg_timer_action. */
unsigned wg_timers_poll(struct wg_timers *t, uint64_t now);
/* Earliest armed deadline, or UINT64_MAX. */
uint64_t wg_timers_next_deadline(const struct wg_timers *t);

#endif /* OMNI_WG_TIMERS_H */
