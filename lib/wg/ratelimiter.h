/* SPDX-License-Identifier: MIT */
/*
 * Per-source rate limit on handshake work: a token bucket per IPv4 address
 * or IPv6 /64, refilled at `rate` per second up to `burst`. Entries are
 * found through a keyed hash (random key, so a sender cannot aim at one
 * slot) and recycled once idle for a second. A full table refuses new
 * sources rather than grow: this runs under attack by design.
 * Pure: the caller passes the time. Single-threaded (control lcore).
 */
#ifndef OMNI_WG_RATELIMITER_H
#define OMNI_WG_RATELIMITER_H

#include <stdbool.h>
#include <stdint.h>

struct wg_ratelimiter;

/* capacity: sources tracked at once. NULL with errno on failure. */
struct wg_ratelimiter *wg_ratelimiter_create(unsigned capacity, unsigned rate, unsigned burst);
void wg_ratelimiter_destroy(struct wg_ratelimiter *rl);

/*
 * May this source have one more handshake now? family 4 or 6; addr is 4 or
 * 16 bytes in network order (IPv6 is limited per /64).
 */
bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, int family, const uint8_t *addr,
			  uint64_t now_ns);

#endif /* OMNI_WG_RATELIMITER_H */
