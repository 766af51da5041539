/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz_world.h"
#include "wg/parse.h"
#include "wg/transport.h"

const uint8_t fuzz_src[6] = { 192, 0, 2, 1, 0xca, 0x6c };

/* ---- deterministic randombytes: splitmix64, restarted per input ------- */

static uint64_t rnd_state;

static void rnd_buf(void *buf, size_t size)
{
	uint8_t *p = buf;
	size_t k;

	for (k = 0; k < size; k++) {
		uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		p[k] = (uint8_t)(z ^ (z >> 31));
	}
}

static uint32_t rnd_random(void)
{
	uint32_t v;

	rnd_buf(&v, sizeof(v));
	return v;
}

static const char *rnd_name(void)
{
	return "wg-fuzz-deterministic";
}

static struct randombytes_implementation rnd_impl = {
	.implementation_name = rnd_name,
	.random = rnd_random,
	.buf = rnd_buf,
};

void fuzz_random_reset(void)
{
	rnd_state = 0x0123456789abcdefULL;
}

/* ---- the world ------------------------------------------------------- */

static void die(const char *what)
{
	(void)what;
	abort();
}

static void identity(struct wg_static_identity *id, uint8_t seed)
{
	uint8_t priv[WG_KEY_LEN];
	unsigned k;

	for (k = 0; k < WG_KEY_LEN; k++)
		priv[k] = (uint8_t)(seed + 3 * k);
	if (!wg_identity_init(id, priv))
		die("identity");
}

static struct wg_handshake *lookup_one(void *ctx, const uint8_t remote[WG_KEY_LEN])
{
	struct wg_handshake *hs = ctx;

	return memcmp(hs->remote_static, remote, WG_KEY_LEN) ? NULL : hs;
}

/* I initiates, R answers, both derive; returns R's response. */
static void session(struct fuzz_world *w, struct wg_handshake *hs_i, struct wg_handshake *hs_r,
		    uint64_t now, struct wg_keypair *kp_i, struct wg_keypair *kp_r,
		    struct wg_msg_initiation *init, struct wg_msg_response *resp)
{
	struct wg_handshake *found;
	uint8_t ts[WG_TIMESTAMP_LEN];

	wg_tai64n(ts, 1700000000ULL * 1000000000ULL + now);
	if (wg_noise_create_initiation(hs_i, init, ts, 0x11110000u + (uint32_t)(now >> 30)))
		die("initiation");
	wg_cookie_add_macs(&w->cookie_i, init, sizeof(*init), now);
	if (wg_noise_consume_initiation(init, &w->id_r, lookup_one, hs_r, now, &found) ||
	    wg_noise_create_response(hs_r, resp, 0x22220000u + (uint32_t)(now >> 30)))
		die("response");
	wg_cookie_add_macs(&w->cookie_r, resp, sizeof(*resp), now);
	if (kp_i &&
	    (wg_noise_consume_response(resp, hs_i) || wg_noise_begin_session(hs_i, kp_i, now) ||
	     wg_noise_begin_session(hs_r, kp_r, now)))
		die("session");
}

void fuzz_world_build(struct fuzz_world *w)
{
	struct wg_handshake scratch_r;
	struct wg_msg_initiation first;
	struct wg_msg_response first_resp;
	struct wg_msg_cookie cookie;

	if (randombytes_set_implementation(&rnd_impl) || sodium_init() < 0)
		die("sodium");
	fuzz_random_reset();
	memset(w, 0, sizeof(*w));
	identity(&w->id_i, 0x10);
	identity(&w->id_r, 0x40);
	if (wg_handshake_init(&w->hs_i, &w->id_i, w->id_r.public_key, NULL) ||
	    wg_handshake_init(&w->hs_r, &w->id_r, w->id_i.public_key, NULL))
		die("handshake");
	wg_cookie_init(&w->cookie_i, w->id_r.public_key);
	wg_cookie_init(&w->cookie_r, w->id_i.public_key);
	wg_cookie_checker_init(&w->checker_i, w->id_i.public_key);
	wg_cookie_checker_init(&w->checker_r, w->id_r.public_key);

	/* An earlier session, for the transport keys. */
	scratch_r = w->hs_r;
	session(w, &w->hs_i, &scratch_r, FUZZ_NOW - 2000000000ULL, &w->kp_i, &w->kp_r, &first,
		&first_resp);
	/* R under load: I gets a cookie, so the next initiation carries mac2. */
	if (wg_cookie_validate(&w->checker_r, &first, sizeof(first), fuzz_src, sizeof(fuzz_src),
			       true, FUZZ_NOW - 1000000000ULL) != WG_NEED_COOKIE)
		die("load");
	wg_cookie_reply_create(&w->checker_r, &cookie, &first, sizeof(first), first.sender_index,
			       fuzz_src, sizeof(fuzz_src), FUZZ_NOW - 1000000000ULL);
	if (wg_cookie_consume_reply(&w->cookie_i, &cookie, FUZZ_NOW - 1000000000ULL))
		die("cookie");
	/* The outstanding initiation, R's answer to it (on a scratch copy of R). */
	scratch_r = w->hs_r;
	session(w, &w->hs_i, &scratch_r, FUZZ_NOW, NULL, NULL, &w->init, &w->resp);
	wg_cookie_reply_create(&w->checker_r, &w->reply, &w->init, sizeof(w->init),
			       w->init.sender_index, fuzz_src, sizeof(fuzz_src), FUZZ_NOW);
	w->aead = wg_aead_create("sodium");
	if (!w->aead)
		die("aead");
}

/* ---- one input ------------------------------------------------------- */

static void fix_macs_of(const struct wg_cookie *ck, void *msg, size_t len)
{
	struct wg_cookie tmp = *ck; /* add_macs remembers mac1: keep the template */

	wg_cookie_add_macs(&tmp, msg, len, FUZZ_NOW);
}

static void initiation(const struct fuzz_world *w, uint8_t *buf, bool fix)
{
	struct wg_cookie_checker checker = w->checker_r;
	struct wg_handshake hs_r = w->hs_r, *found = NULL;
	struct wg_msg_response resp;
	struct wg_keypair kp;
	enum wg_result r;

	if (fix)
		fix_macs_of(&w->cookie_i, buf, sizeof(struct wg_msg_initiation));
	r = wg_cookie_validate(&checker, buf, sizeof(struct wg_msg_initiation), fuzz_src,
			       sizeof(fuzz_src), false, FUZZ_NOW);
	if (r != WG_OK && !fix)
		return;
	r = wg_cookie_validate(&checker, buf, sizeof(struct wg_msg_initiation), fuzz_src,
			       sizeof(fuzz_src), true, FUZZ_NOW);
	if (fix && r != WG_OK)
		abort(); /* freshly computed MACs with a live cookie must pass */
	if (wg_noise_consume_initiation((const void *)buf, &w->id_r, lookup_one, &hs_r, FUZZ_NOW,
					&found) != WG_OK)
		return;
	if (found != &hs_r)
		abort();
	if (wg_noise_create_response(&hs_r, &resp, 0x33330000u) == WG_OK &&
	    wg_noise_begin_session(&hs_r, &kp, FUZZ_NOW) != WG_OK)
		abort(); /* a created response must always give a session */
}

static void response(const struct fuzz_world *w, uint8_t *buf, bool fix)
{
	struct wg_cookie_checker checker = w->checker_i;
	struct wg_handshake hs_i = w->hs_i;
	struct wg_keypair kp;
	enum wg_result r;

	if (fix)
		fix_macs_of(&w->cookie_r, buf, sizeof(struct wg_msg_response));
	r = wg_cookie_validate(&checker, buf, sizeof(struct wg_msg_response), fuzz_src,
			       sizeof(fuzz_src), false, FUZZ_NOW);
	if (r != WG_OK && !fix)
		return;
	wg_cookie_validate(&checker, buf, sizeof(struct wg_msg_response), fuzz_src,
			   sizeof(fuzz_src), true, FUZZ_NOW);
	if (wg_noise_consume_response((const void *)buf, &hs_i) != WG_OK)
		return;
	if (wg_noise_begin_session(&hs_i, &kp, FUZZ_NOW) != WG_OK || !kp.i_am_the_initiator)
		abort();
}

static void cookie_reply(const struct fuzz_world *w, const uint8_t *buf)
{
	struct wg_cookie ck = w->cookie_i;

	wg_cookie_consume_reply(&ck, (const void *)buf, FUZZ_NOW);
}

static void data(const struct fuzz_world *w, uint8_t *buf, size_t size)
{
	struct wg_keypair kp = wg_transport_key_index(buf) == w->kp_i.local_index ? w->kp_i :
										    w->kp_r;
	struct wg_aead_op op;
	int inner;

	if (size > UINT32_MAX ||
	    wg_transport_open_prepare(&kp, buf, (uint32_t)size, FUZZ_NOW, &op) != WG_OK)
		return;
	if (op.len != size - 32 || op.src != buf + 16 || op.tag != buf + size - 16)
		abort(); /* the op must describe exactly this packet */
	wg_aead_open_burst(w->aead, &op, 1);
	if (wg_transport_open_finish(&kp, &op) != WG_OK)
		return;
	inner = wg_transport_inner_len(buf + 16, op.len);
	if (inner > (int)op.len)
		abort();
}

void fuzz_one(const struct fuzz_world *w, const uint8_t *data_in, size_t size, bool fix_macs)
{
	enum wg_message_type type;
	uint8_t *buf;

	fuzz_random_reset();
	if (wg_message_parse(data_in, size, &type) != WG_OK)
		return;
	/* A private copy, exactly sized: consumers may decrypt in place. */
	buf = malloc(size);
	if (!buf)
		return;
	memcpy(buf, data_in, size);
	switch (type) {
	case WG_MSG_HANDSHAKE_INITIATION:
		initiation(w, buf, fix_macs);
		break;
	case WG_MSG_HANDSHAKE_RESPONSE:
		response(w, buf, fix_macs);
		break;
	case WG_MSG_HANDSHAKE_COOKIE:
		cookie_reply(w, buf);
		break;
	case WG_MSG_DATA:
		data(w, buf, size);
		break;
	default:
		abort(); /* parse said OK for a type it does not know */
	}
	free(buf);
}
