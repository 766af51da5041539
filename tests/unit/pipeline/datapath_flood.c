/* SPDX-License-Identifier: MIT */
/*
 * Handshakes under a flood of spoofed sources, through the real worker and
 * control: valid-mac1 initiations from 48 new addresses fill a quarter of
 * the rate limiter's table, which is load; from then on a message without
 * a valid mac2 is answered with a cookie reply, and peer A, once it has
 * the cookie, completes its handshake (the per-source limit still counts
 * it). Runs after the rows: it replaces control's rate limiter with a
 * fresh one of 64 sources.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "wg/ratelimiter.h"

#include "datapath.h"

enum { COOKIE_FRAME = NET_ETH_HLEN + 20 + 8 + sizeof(struct wg_msg_cookie) };

/* The payload of frames[i] if it is a cookie reply (over IPv4), else NULL. */
static const struct wg_msg_cookie *cookie_in(struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *p = f + COOKIE_FRAME - sizeof(struct wg_msg_cookie);

	if (m->data_len != COOKIE_FRAME || p[0] != WG_MSG_HANDSHAKE_COOKIE)
		return NULL;
	return (const struct wg_msg_cookie *)p;
}

/* Runs the loop and takes what the underlay sent: cookie replies counted,
 * the last one copied to *last (if any), the frames freed. */
static unsigned drain(struct wg_msg_cookie *last, struct rte_mbuf **keep)
{
	struct rte_mbuf *under[OUT_MAX];
	unsigned n, i, cookies = 0;

	nr_run(&dt.nr);
	n = nr_underlay_out(&dt.nr, under, OUT_MAX);
	for (i = 0; i < n; i++) {
		const struct wg_msg_cookie *c = cookie_in(under[i]);

		if (c) {
			cookies++;
			if (last)
				memcpy(last, c, sizeof(*last));
		}
		if (keep && !c && !*keep)
			*keep = under[i];
		else
			rte_pktmbuf_free(under[i]);
	}
	return cookies;
}

static void spoofed_flood(unsigned n)
{
	struct wg_msg_initiation msg;
	uint8_t f[FRAME_MAX];

	for (unsigned i = 0; i < n; i++) {
		struct net_addr src = ip4(203, 0, 113, (uint8_t)(i + 1));

		far_initiation(&dt.stranger, now(), &msg);
		underlay_in(f, frame_udp(f, FRAME_MAX, &s_mac, &src, PORT, &our_mac, &dt.us4, PORT,
					 &msg, sizeof(msg)));
		drain(NULL, NULL);
	}
}

static void wait_ns(uint64_t ns)
{
	uint64_t until = now() + ns;

	while (now() <= until)
		rte_pause();
}

void test_flood_is_load(void **state)
{
	struct pl_control *c = &dt.nr.ctl;
	struct wg_msg_initiation msg;
	struct wg_msg_cookie cookie;
	struct rte_mbuf *resp = NULL;
	struct net_udp_view v;
	uint8_t f[FRAME_MAX];
	const uint8_t *fr;

	(void)state;
	wg_ratelimiter_destroy(c->ratelimit);
	c->ratelimit = wg_ratelimiter_create(64, 10, 10);
	assert_non_null(c->ratelimit);
	c->last_under_load_ns = 0;
	spoofed_flood(48);
	assert_true(c->stats.under_load >= 1);
	assert_true(c->stats.cookies_sent >= 1);
	assert_true(c->stats.handshake_refused[WG_NEED_COOKIE] >= 1);
	/* A without a cookie: refused before any DH, answered with one. */
	far_initiation(&dt.a, now(), &msg);
	underlay_in(f, from_peer(&dt.a, &msg, sizeof(msg), f));
	assert_int_equal(drain(&cookie, NULL), 1);
	assert_int_equal(wg_cookie_consume_reply(&dt.a.cookie, &cookie, now()), WG_OK);
	/* A again, mac2 from the cookie: our response, A's keypair. Not
	 * sooner than WireGuard lets one peer initiate again (row 1's may
	 * have been a few ms ago). */
	wait_ns(WG_NSEC_PER_SEC / WG_INITIATIONS_PER_SECOND);
	far_initiation(&dt.a, now(), &msg);
	underlay_in(f, from_peer(&dt.a, &msg, sizeof(msg), f));
	drain(NULL, &resp);
	assert_non_null(resp);
	fr = rte_pktmbuf_mtod(resp, const uint8_t *);
	assert_true(far_udp_in(&dt.a, fr, resp->data_len, &v));
	assert_int_equal(v.payload_len, sizeof(struct wg_msg_response));
	assert_int_equal(far_consume_response(&dt.a, fr + v.payload_off, v.payload_len, now()),
			 WG_OK);
	rte_pktmbuf_free(resp);
}
