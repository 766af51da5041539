/* SPDX-License-Identifier: MIT */
/*
 * Each hook below mirrors one moment in a peer's life; the comment on the
 * hook in timers.h says when the caller must call it. Deadlines are
 * absolute times; 0 means the timer is not armed.
 */
#include <string.h>

#include "messages.h"
#include "timers.h"

#define SEC(x) ((uint64_t)(x)*WG_NSEC_PER_SEC)
#define MSEC(x) ((uint64_t)(x)*1000000ULL)

/* xorshift64*: jitter only needs to differ between peers and attempts. */
static uint64_t jitter(struct wg_timers *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return ((x * 0x2545F4914F6CDD1DULL) >> 11) % MSEC(WG_REKEY_TIMEOUT_JITTER_MAX_MS);
}

static bool armed(uint64_t deadline)
{
	return deadline != 0;
}

/* Deadlines are never 0 once armed, even at time 0 of a test clock. */
static uint64_t at(uint64_t when)
{
	return when ? when : 1;
}

void wg_timers_init(struct wg_timers *t, uint16_t persistent_keepalive_s, uint64_t seed)
{
	memset(t, 0, sizeof(*t));
	t->persistent_keepalive_interval = persistent_keepalive_s;
	t->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
}

void wg_timers_data_sent(struct wg_timers *t, uint64_t now)
{
	if (!armed(t->new_handshake))
		t->new_handshake =
			at(now + SEC(WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT) + jitter(t));
}

void wg_timers_data_received(struct wg_timers *t, uint64_t now)
{
	if (!armed(t->send_keepalive))
		t->send_keepalive = at(now + SEC(WG_KEEPALIVE_TIMEOUT));
	else
		t->need_another_keepalive = true;
}

void wg_timers_any_authenticated_packet_sent(struct wg_timers *t, uint64_t now)
{
	(void)now;
	t->send_keepalive = 0;
}

void wg_timers_any_authenticated_packet_received(struct wg_timers *t, uint64_t now)
{
	(void)now;
	t->new_handshake = 0;
}

void wg_timers_any_authenticated_packet_traversal(struct wg_timers *t, uint64_t now)
{
	if (t->persistent_keepalive_interval)
		t->persistent_keepalive = at(now + SEC(t->persistent_keepalive_interval));
}

void wg_timers_handshake_initiated(struct wg_timers *t, uint64_t now, bool retry)
{
	if (!retry)
		t->handshake_attempts = 0;
	t->last_sent_initiation_ns = now;
	t->have_sent_initiation = true;
	t->retransmit_handshake = at(now + SEC(WG_REKEY_TIMEOUT) + jitter(t));
}

void wg_timers_handshake_complete(struct wg_timers *t, uint64_t now)
{
	(void)now;
	t->retransmit_handshake = 0;
	t->handshake_attempts = 0;
	t->sent_lastminute_handshake = false;
}

void wg_timers_session_derived(struct wg_timers *t, uint64_t now)
{
	t->zero_key_material = at(now + SEC(WG_REJECT_AFTER_TIME * 3));
}

bool wg_timers_want_lastminute_handshake(struct wg_timers *t)
{
	if (t->sent_lastminute_handshake)
		return false;
	t->sent_lastminute_handshake = true;
	return true;
}

void wg_timers_stop(struct wg_timers *t)
{
	t->retransmit_handshake = 0;
	t->send_keepalive = 0;
	t->new_handshake = 0;
	t->zero_key_material = 0;
	t->persistent_keepalive = 0;
}

bool wg_timers_may_send_initiation(const struct wg_timers *t, uint64_t now)
{
	return !t->have_sent_initiation ||
	       now - t->last_sent_initiation_ns >= SEC(WG_REKEY_TIMEOUT);
}

static bool expired(uint64_t *deadline, uint64_t now)
{
	if (!armed(*deadline) || now < *deadline)
		return false;
	*deadline = 0;
	return true;
}

static unsigned retransmit_handshake(struct wg_timers *t, uint64_t now)
{
	if (t->handshake_attempts > WG_MAX_TIMER_HANDSHAKES) {
		/* Gave up after REKEY_ATTEMPT_TIME: forget what waits for keys. */
		t->send_keepalive = 0;
		if (!armed(t->zero_key_material))
			t->zero_key_material = at(now + SEC(WG_REJECT_AFTER_TIME * 3));
		return WG_TIMER_DROP_STAGED;
	}
	t->handshake_attempts++;
	/* The caller sends, then calls wg_timers_handshake_initiated(retry). */
	return WG_TIMER_SEND_INITIATION;
}

static unsigned send_keepalive(struct wg_timers *t, uint64_t now)
{
	if (t->need_another_keepalive) {
		t->need_another_keepalive = false;
		t->send_keepalive = at(now + SEC(WG_KEEPALIVE_TIMEOUT));
	}
	return WG_TIMER_SEND_KEEPALIVE;
}

unsigned wg_timers_poll(struct wg_timers *t, uint64_t now)
{
	unsigned actions = 0;

	if (expired(&t->retransmit_handshake, now))
		actions |= retransmit_handshake(t, now);
	if (expired(&t->send_keepalive, now))
		actions |= send_keepalive(t, now);
	if (expired(&t->new_handshake, now)) {
		/* Sent data, heard nothing back: a fresh attempt, not a retry. */
		t->handshake_attempts = 0;
		actions |= WG_TIMER_SEND_INITIATION;
	}
	/* Like the kernel, zeroing keys leaves a handshake in flight alone. */
	if (expired(&t->zero_key_material, now))
		actions |= WG_TIMER_ZERO_KEYS;
	if (expired(&t->persistent_keepalive, now))
		actions |= WG_TIMER_SEND_KEEPALIVE;
	return actions;
}

uint64_t wg_timers_next_deadline(const struct wg_timers *t)
{
	const uint64_t d[] = { t->retransmit_handshake, t->send_keepalive, t->new_handshake,
			       t->zero_key_material, t->persistent_keepalive };
	uint64_t next = UINT64_MAX;
	unsigned i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (armed(d[i]) && d[i] < next)
			next = d[i];
	return next;
}
