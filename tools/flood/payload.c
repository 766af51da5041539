/* SPDX-License-Identifier: MIT */
/*
 * What the flood sends. WireGuard: initiations whose mac1 is right for the
 * target's public key (mac1 covers the message, not the source address, so
 * one message is valid from every address) and whose ephemeral key is
 * random, so the target does a Diffie-Hellman for each it lets through
 * and then finds the static key does not decrypt. Signaling: a REGISTER
 * with the cluster's id (seen on the wire by anyone on the path; derived
 * here from the secret) and a flipped HMAC byte, or HEARTBEATs that are
 * valid in every byte, each with its own nonce (what a key holder can do).
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "wg/cookie.h"

#include "flood.h"

enum { TEMPLATES = 64 };

static struct wg_msg_initiation inits[TEMPLATES];
static uint8_t bad_reg[SIG_DATAGRAM_MAX];
static size_t bad_reg_len;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void init_wg(const struct flood_opts *o)
{
	struct wg_cookie ck;

	wg_cookie_init(&ck, o->wg_pub);
	for (unsigned i = 0; i < TEMPLATES; i++) {
		randombytes_buf(&inits[i], sizeof(inits[i]));
		inits[i].header.type = WG_MSG_HANDSHAKE_INITIATION; /* little-endian {1,0,0,0} */
		memset(&inits[i].macs, 0, sizeof(inits[i].macs));
		wg_cookie_add_macs(&ck, &inits[i], sizeof(inits[i]), 0);
	}
	wg_cookie_wipe(&ck);
}

static void init_bad_register(const struct flood_opts *o)
{
	struct sig_msg m = { .type = SIG_REGISTER, .seq = 1 };

	randombytes_buf(m.u.reg.pubkey, SIG_PUBKEY_LEN);
	m.u.reg.vip4[0] = 10, m.u.reg.vip4[1] = 200, m.u.reg.vip4[3] = 99;
	m.u.reg.flags = SIG_PEER_HAS_VIP4;
	sig_msg_stamp(&m, now_ms());
	bad_reg_len = sig_encode(&o->keys, &m, bad_reg, sizeof(bad_reg));
	bad_reg[bad_reg_len - 1] ^= 0x01; /* the HMAC is last */
}

void flood_payload_init(const struct flood_opts *o)
{
	if (o->kind == FLOOD_WG)
		init_wg(o);
	else if (o->kind == FLOOD_SIG_BAD)
		init_bad_register(o);
}

static size_t valid_heartbeat(const struct flood_opts *o, uint8_t *out)
{
	struct sig_msg m = { .type = SIG_HEARTBEAT, .seq = 2 };

	randombytes_buf(m.u.hb.pubkey, SIG_PUBKEY_LEN);
	m.u.hb.cursor = SIG_CURSOR_NONE;
	sig_msg_stamp(&m, now_ms());
	return sig_encode(&o->keys, &m, out, FLOOD_PAYLOAD_MAX);
}

size_t flood_payload(const struct flood_opts *o, uint64_t i, uint8_t *out)
{
	switch (o->kind) {
	case FLOOD_WG:
		memcpy(out, &inits[i % TEMPLATES], sizeof(inits[0]));
		return sizeof(inits[0]);
	case FLOOD_SIG_BAD:
		memcpy(out, bad_reg, bad_reg_len);
		return bad_reg_len;
	case FLOOD_SIG_VALID:
		return valid_heartbeat(o, out);
	default:
		memset(out, 0xff, 64);
		return 64;
	}
}
