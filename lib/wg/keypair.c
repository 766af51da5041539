/* SPDX-License-Identifier: MIT */
#include <sodium.h>

#include "keypair.h"

static void retire(struct wg_keypair_retired *r, struct wg_keypair *kp)
{
	if (kp)
		r->kp[r->n++] = kp;
}

void wg_keypairs_add(struct wg_keypairs *kps, struct wg_keypair *kp,
		     struct wg_keypair_retired *retired)
{
	retired->n = 0;
	if (kp->i_am_the_initiator) {
		/*
		 * A next keypair that was never confirmed is still newer than
		 * current: keep it as previous so late packets decrypt, and
		 * drop current instead.
		 */
		if (kps->next) {
			retire(retired, kps->previous);
			retire(retired, kps->current);
			kps->previous = kps->next;
			kps->next = NULL;
		} else {
			retire(retired, kps->previous);
			kps->previous = kps->current;
		}
		kps->current = kp;
	} else {
		/* Responder: unconfirmed until the initiator sends on it. */
		retire(retired, kps->next);
		retire(retired, kps->previous);
		kps->next = kp;
		kps->previous = NULL;
	}
}

bool wg_keypairs_received_with(struct wg_keypairs *kps, struct wg_keypair *kp,
			       struct wg_keypair_retired *retired)
{
	retired->n = 0;
	if (!kp || kp != kps->next)
		return false;
	retire(retired, kps->previous);
	kps->previous = kps->current;
	kps->current = kp;
	kps->next = NULL;
	return true;
}

void wg_keypairs_clear(struct wg_keypairs *kps, struct wg_keypair_retired *retired)
{
	retired->n = 0;
	retire(retired, kps->current);
	retire(retired, kps->previous);
	retire(retired, kps->next);
	kps->current = kps->previous = kps->next = NULL;
}

void wg_keypair_wipe(struct wg_keypair *kp)
{
	sodium_memzero(kp, sizeof(*kp));
}

static bool older_than(const struct wg_keypair *kp, uint64_t now_ns, uint64_t secs)
{
	return now_ns - kp->birthdate_ns >= secs * WG_NSEC_PER_SEC;
}

bool wg_keypair_can_send(const struct wg_keypair *kp, uint64_t now_ns)
{
	return kp && kp->valid && !older_than(kp, now_ns, WG_REJECT_AFTER_TIME) &&
	       kp->send_counter < WG_REJECT_AFTER_MESSAGES;
}

bool wg_keypair_can_receive(const struct wg_keypair *kp, uint64_t now_ns)
{
	return kp && kp->valid && !older_than(kp, now_ns, WG_REJECT_AFTER_TIME) &&
	       kp->replay.counter < WG_REJECT_AFTER_MESSAGES;
}

bool wg_keypair_should_rekey_on_send(const struct wg_keypair *kp, uint64_t now_ns)
{
	return kp && kp->valid &&
	       (kp->send_counter > WG_REKEY_AFTER_MESSAGES ||
		(kp->i_am_the_initiator && older_than(kp, now_ns, WG_REKEY_AFTER_TIME)));
}

bool wg_keypair_should_rekey_on_receive(const struct wg_keypair *kp, uint64_t now_ns)
{
	return kp && kp->valid && kp->i_am_the_initiator &&
	       older_than(kp, now_ns,
			  WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT);
}
