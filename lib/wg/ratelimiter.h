/* SPDX-License-Identifier: MIT */
/*
 * Per-source rate limit on handshake work: a token bucket per IPv4 address
 * or IPv6 /64, refilled at `rate` per second up to `burst`. Entries are
 * found through a keyed hash (random key, so a sender cannot aim at one
 * slot) and recycled once idle for a second (the kernel's garbage
 * collection of entries older than a second). A full table refuses new
 * sources rather than grow, as the kernel's does: this runs under attack
 * by design. Refusing is right behind WireGuard's cookies, where a full
 * table is load (wg_ratelimiter_under_pressure) and only sources that
 * proved their address reach the limiter; where no such proof comes first
 * (the nucleus, after its HMAC), wg_ratelimiter_evict_when_full() makes a
 * new source take the least recently used nearby slot instead, so a flood
 * from many addresses cannot lock out the others.
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
 * From now on a new source finding no free slot takes the least recently
 * used one near it (that source starts again with a full burst) instead of
 * being refused.
 */
void wg_ratelimiter_evict_when_full(struct wg_ratelimiter *rl);

/*
 * May this source have one more handshake now? family 4 or 6; addr is 4 or
 * 16 bytes in network order (IPv6 is limited per /64).
 */
bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, int family, const uint8_t *addr,
			  uint64_t now_ns);

/*
 * The same for a source that proved its address (a valid mac2 under load):
 * a full table makes room for it by evicting, whatever the table's mode.
 */
bool wg_ratelimiter_allow_proven(struct wg_ratelimiter *rl, int family, const uint8_t *addr,
				 uint64_t now_ns);

/*
 * Is the table (nearly) full? True when, in this second or the one before,
 * new sources took a quarter of the table or more, or a new source found no
 * free slot (was refused or evicted another). For the caller's "under
 * load": a flood from many addresses fills the table long before it fills
 * any queue.
 */
bool wg_ratelimiter_under_pressure(const struct wg_ratelimiter *rl, uint64_t now_ns);

/* Counters since creation: new sources refused, and slots taken over. */
uint64_t wg_ratelimiter_refused_full(const struct wg_ratelimiter *rl);
uint64_t wg_ratelimiter_evicted(const struct wg_ratelimiter *rl);

#endif /* OMNI_WG_RATELIMITER_H */
