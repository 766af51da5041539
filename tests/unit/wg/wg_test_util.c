/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wg_test_util.h"

void wgt_identity(struct wg_static_identity *id, uint8_t seed)
{
	uint8_t priv[WG_KEY_LEN];
	unsigned k;

	for (k = 0; k < WG_KEY_LEN; k++)
		priv[k] = (uint8_t)(seed + k);
	priv[0] &= 248;
	priv[31] = (priv[31] & 127) | 64;
	if (!wg_identity_init(id, priv))
		abort();
}

void wgt_pair(struct wgt_side *i, struct wgt_side *r, uint8_t seed_i, uint8_t seed_r,
	      const uint8_t *psk_i, const uint8_t *psk_r)
{
	memset(i, 0, sizeof(*i));
	memset(r, 0, sizeof(*r));
	wgt_identity(&i->id, seed_i);
	wgt_identity(&r->id, seed_r);
	if (wg_handshake_init(&i->hs, &i->id, r->id.public_key, psk_i) != WG_OK ||
	    wg_handshake_init(&r->hs, &r->id, i->id.public_key, psk_r) != WG_OK)
		abort();
	wg_cookie_init(&i->cookie, r->id.public_key);
	wg_cookie_init(&r->cookie, i->id.public_key);
	wg_cookie_checker_init(&i->checker, i->id.public_key);
	wg_cookie_checker_init(&r->checker, r->id.public_key);
}

struct wg_handshake *wgt_lookup(void *ctx, const uint8_t remote_static[WG_KEY_LEN])
{
	struct wgt_peers *p = ctx;
	unsigned k;

	p->calls++;
	for (k = 0; k < p->n; k++)
		if (!memcmp(p->hs[k]->remote_static, remote_static, WG_KEY_LEN))
			return p->hs[k];
	return NULL;
}

enum wg_result wgt_handshake(struct wgt_side *i, struct wgt_side *r, uint64_t now_ns,
			     struct wg_keypair *kp_i, struct wg_keypair *kp_r)
{
	static const uint8_t src[6] = { 192, 0, 2, 1, 0x12, 0x34 };
	struct wgt_peers peers = { .hs = { &r->hs }, .n = 1 };
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_handshake *found = NULL;
	uint8_t ts[WG_TIMESTAMP_LEN];
	enum wg_result ret;

	wg_tai64n(ts, now_ns);
	ret = wg_noise_create_initiation(&i->hs, &init, ts, 0x1000 + (uint32_t)(now_ns >> 20));
	if (ret != WG_OK)
		return ret;
	wg_cookie_add_macs(&i->cookie, &init, sizeof(init), now_ns);
	ret = wg_cookie_validate(&r->checker, &init, sizeof(init), src, sizeof(src), false, now_ns);
	if (ret == WG_OK)
		ret = wg_noise_consume_initiation(&init, &r->id, wgt_lookup, &peers, now_ns,
						  &found);
	if (ret == WG_OK && found != &r->hs)
		ret = WG_UNKNOWN_PEER;
	if (ret == WG_OK)
		ret = wg_noise_create_response(&r->hs, &resp, 0x2000 + (uint32_t)(now_ns >> 20));
	if (ret != WG_OK)
		return ret;
	wg_cookie_add_macs(&r->cookie, &resp, sizeof(resp), now_ns);
	ret = wg_cookie_validate(&i->checker, &resp, sizeof(resp), src, sizeof(src), false, now_ns);
	if (ret == WG_OK)
		ret = wg_noise_consume_response(&resp, &i->hs);
	if (ret == WG_OK)
		ret = wg_noise_begin_session(&i->hs, kp_i, now_ns);
	if (ret == WG_OK)
		ret = wg_noise_begin_session(&r->hs, kp_r, now_ns);
	return ret;
}

void wgt_hex(uint8_t *out, size_t len, const char *hex)
{
	size_t bin_len = 0;

	if (strlen(hex) != 2 * len ||
	    sodium_hex2bin(out, len, hex, 2 * len, NULL, &bin_len, NULL) || bin_len != len) {
		fprintf(stderr, "bad hex vector: %s\n", hex);
		abort();
	}
}

/* ---- scripted randombytes -------------------------------------------- */

static uint8_t script[256];
static size_t script_len, script_pos;

static const char *fake_name(void)
{
	return "wg-test-script";
}

static void fake_buf(void *buf, size_t size)
{
	uint8_t *p = buf;
	size_t k;

	for (k = 0; k < size && script_pos < script_len; k++)
		p[k] = script[script_pos++];
	/* Script used up: real randomness, so other tests stay honest. */
	if (k < size)
		randombytes_sysrandom_implementation.buf(p + k, size - k);
}

static uint32_t fake_random(void)
{
	uint32_t v;

	fake_buf(&v, sizeof(v));
	return v;
}

static struct randombytes_implementation fake_impl = {
	.implementation_name = fake_name,
	.random = fake_random,
	.buf = fake_buf,
};

void wgt_random_install(void)
{
	if (randombytes_set_implementation(&fake_impl) || sodium_init() < 0)
		abort();
}

void wgt_random_script(const uint8_t *bytes, size_t len)
{
	if (len > sizeof(script))
		abort();
	memcpy(script, bytes, len);
	script_len = len;
	script_pos = 0;
}
