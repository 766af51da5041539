/* SPDX-License-Identifier: MIT */
/*
 * Handshakes per second on one core: a full Noise_IKpsk2 exchange (create
 * initiation, add MACs, validate MAC1, consume it, create the response, add
 * MACs, validate, consume, derive both keypairs), so the figure counts the
 * initiator's and the responder's work together, as a gateway handshaking
 * with itself would spend it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "wg/cookie.h"
#include "wg/key.h"
#include "wg/noise.h"

#include "bench.h"

struct side {
	struct wg_static_identity id;
	struct wg_handshake hs;
	struct wg_cookie cookie;
	struct wg_cookie_checker checker;
};

static struct wg_handshake *lookup_peer(void *ctx, const uint8_t remote_static[WG_KEY_LEN])
{
	struct wg_handshake *hs = ctx;

	return memcmp(remote_static, hs->remote_static, WG_KEY_LEN) ? NULL : hs;
}

static int side_init(struct side *s)
{
	uint8_t priv[WG_KEY_LEN];
	bool ok;

	wg_key_generate_private(priv);
	ok = wg_identity_init(&s->id, priv);
	sodium_memzero(priv, sizeof(priv));
	if (!ok)
		return -1;
	wg_cookie_checker_init(&s->checker, s->id.public_key);
	return 0;
}

static int side_pair(struct side *s, const struct side *remote, const uint8_t psk[WG_KEY_LEN])
{
	wg_cookie_init(&s->cookie, remote->id.public_key);
	return wg_handshake_init(&s->hs, &s->id, remote->id.public_key, psk) == WG_OK ? 0 : -1;
}

/* One complete exchange; returns 0 when both sides hold matching keys. */
static int one_handshake(struct side *i, struct side *r, uint64_t now, uint8_t ts[WG_TIMESTAMP_LEN])
{
	static const uint8_t src[6] = { 192, 0, 2, 1, 0xca, 0x6c };
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_keypair ki, kr;
	struct wg_handshake *found = NULL;

	/* Timestamps must increase; flood guard needs >= 20 ms between them. */
	ts[11]++;
	if (ts[11] == 0)
		ts[10]++;
	if (wg_noise_create_initiation(&i->hs, &init, ts, 1) != WG_OK)
		return -1;
	wg_cookie_add_macs(&i->cookie, &init, sizeof(init), now);
	if (wg_cookie_validate(&r->checker, &init, sizeof(init), src, sizeof(src), false, now) !=
		    WG_OK ||
	    wg_noise_consume_initiation(&init, &r->id, lookup_peer, &r->hs, now, &found) != WG_OK ||
	    wg_noise_create_response(found, &resp, 2) != WG_OK)
		return -1;
	wg_cookie_add_macs(&r->cookie, &resp, sizeof(resp), now);
	if (wg_cookie_validate(&i->checker, &resp, sizeof(resp), src, sizeof(src), false, now) !=
		    WG_OK ||
	    wg_noise_consume_response(&resp, &i->hs) != WG_OK ||
	    wg_noise_begin_session(&i->hs, &ki, now) != WG_OK ||
	    wg_noise_begin_session(found, &kr, now) != WG_OK)
		return -1;
	return memcmp(ki.send_key, kr.recv_key, WG_KEY_LEN) ? -1 : 0;
}

enum { RESPONDER_BATCH = 100 };

/* This thread's CPU time: a shared core's neighbours do not count. */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The responder's share alone, as a gateway's control lcore spends it per
 * initiation: MAC1, consume it, create the response and its MACs, derive
 * the keypair. The initiations are made beforehand, outside the clock.
 * With e, ephemeral keys made ahead (noise.h) are taken, e filled outside
 * the clock too. Returns handshakes per second of this thread's CPU, or -1.
 */
static double responder_rate(struct side *i, struct side *r, struct wg_ephemerals *e,
			     double seconds, uint8_t ts[WG_TIMESTAMP_LEN])
{
	static const uint8_t src[6] = { 192, 0, 2, 1, 0xca, 0x6c };
	static uint64_t fake_ns = 1ULL << 50;
	struct wg_msg_initiation init[RESPONDER_BATCH];
	uint64_t busy = 0, n = 0, t0;

	r->id.ephemerals = e;
	do {
		for (int k = 0; k < RESPONDER_BATCH; k++) {
			ts[11]++;
			if (ts[11] == 0)
				ts[10]++;
			if (wg_noise_create_initiation(&i->hs, &init[k], ts, 1) != WG_OK)
				return -1;
			wg_cookie_add_macs(&i->cookie, &init[k], sizeof(init[k]), 0);
		}
		while (e && wg_ephemerals_make_one(e))
			;
		t0 = cpu_now_ns();

		for (int k = 0; k < RESPONDER_BATCH; k++) {
			struct wg_handshake *found = NULL;
			struct wg_msg_response resp;
			struct wg_keypair kr;

			fake_ns += WG_NSEC_PER_SEC;
			if (wg_cookie_validate(&r->checker, &init[k], sizeof(init[k]), src,
					       sizeof(src), false, fake_ns) != WG_OK ||
			    wg_noise_consume_initiation(&init[k], &r->id, lookup_peer, &r->hs,
							fake_ns, &found) != WG_OK ||
			    wg_noise_create_response(found, &resp, 2) != WG_OK)
				return -1;
			wg_cookie_add_macs(&r->cookie, &resp, sizeof(resp), fake_ns);
			if (wg_noise_begin_session(found, &kr, fake_ns) != WG_OK)
				return -1;
			n++;
		}
		busy += cpu_now_ns() - t0;
	} while ((double)busy / 1e9 < seconds);
	r->id.ephemerals = NULL;
	return (double)n * 1e9 / (double)busy;
}

/* Both responder figures, alternating rounds, the best of each. */
static int responder_run(struct side *i, struct side *r, double seconds)
{
	struct wg_ephemerals e;
	double best[2] = { 0, 0 }, x = 0;
	uint8_t ts[WG_TIMESTAMP_LEN];

	/* Newer than every initiation of the full exchanges. */
	wg_tai64n(ts, 1800000000ULL * WG_NSEC_PER_SEC);
	if (!wg_ephemerals_init(&e, RESPONDER_BATCH))
		return -1;
	for (int round = 0; round < 6; round++) {
		x = responder_rate(i, r, (round & 1) ? &e : NULL, seconds / 6, ts);
		if (x < 0)
			break;
		if (x > best[round & 1])
			best[round & 1] = x;
	}
	wg_ephemerals_free(&e);
	if (x < 0)
		return -1;
	printf("  %-28s %10.0f handshakes/s  (per second of this thread's CPU)\n", "responder only",
	       best[0]);
	printf("  %-28s %10.0f handshakes/s\n", "responder, keys made ahead", best[1]);
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int bench_handshake_run(double seconds)
{
	struct side i, r;
	uint8_t psk[WG_KEY_LEN], ts[WG_TIMESTAMP_LEN];
	uint64_t fake_ns = 0, n = 0;
	double start, elapsed;

	wg_key_generate_private(psk);
	wg_tai64n(ts, 1700000000ULL * WG_NSEC_PER_SEC);
	if (side_init(&i) || side_init(&r) || side_pair(&i, &r, psk) || side_pair(&r, &i, psk)) {
		fprintf(stderr, "bench: handshake set-up failed\n");
		return -1;
	}
	start = now_s();
	do {
		fake_ns += WG_NSEC_PER_SEC; /* keeps the flood guard out of the way */
		if (one_handshake(&i, &r, fake_ns, ts)) {
			fprintf(stderr, "bench: handshake %llu failed\n", (unsigned long long)n);
			return -1;
		}
		n++;
		elapsed = now_s() - start;
	} while (elapsed < seconds);

	printf("\nhandshake (Noise_IKpsk2, initiator + responder, one core)\n");
	printf("  %-28s %10.0f handshakes/s  (%llu in %.2f s)\n", "full exchange",
	       (double)n / elapsed, (unsigned long long)n, elapsed);
	if (responder_run(&i, &r, seconds) != 0) {
		fprintf(stderr, "bench: responder handshake failed\n");
		return -1;
	}
	wg_identity_wipe(&i.id);
	wg_identity_wipe(&r.id);
	wg_handshake_wipe(&i.hs);
	wg_handshake_wipe(&r.hs);
	return 0;
}
