/* SPDX-License-Identifier: MIT */
/*
 * The TURN client (signaling/turn.h) on a fake clock against a small fake
 * TURN server written here with stun.h's codec. The server checks
 * MESSAGE-INTEGRITY with the long-term key MD5("user:realm:pass") as
 * Python's hashlib gives it (8493fbc5...), so the client's key derivation
 * is checked against a known answer. Numbered tables: the server's
 * behaviours (a 401 challenge, 438 once, error codes, silence) and what the
 * client does; the refresh intervals of allocation, permission and channel;
 * back-off; the credentials' asking schedule; the STUN codec's builder and
 * MESSAGE-INTEGRITY against RFC 5769's sample.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rfc5769.h"
#include "signaling/turn.h"

static const uint8_t md5_key[16] = { 0x84, 0x93, 0xfb, 0xc5, 0x3b, 0xa5, 0x82, 0xfb,
				     0x4c, 0x04, 0x4c, 0x45, 0x6b, 0xdc, 0x40, 0xeb };

/* How the fake server answers. */
struct server {
	unsigned error;         /* answer every authenticated request with it */
	unsigned stale;         /* answer this many authenticated requests 438 first */
	unsigned refresh_error; /* Refresh only */
	bool silent, bad_mac;
	bool probe_401; /* a Binding refused 401, as an authenticated request */
	unsigned nonce_gen;
	unsigned seen[16]; /* requests by method */
	struct sig_stun_msg last;
};

static struct server srv;
static uint64_t now;
static unsigned n_ev[8];
static struct sig_turn_action ev[64];
static unsigned n_evs;
static uint8_t rnd_next;

static void fake_random(void *buf, size_t len)
{
	memset(buf, ++rnd_next, len);
}

static void put_text(struct sig_stun_wr *w, unsigned type, const char *s)
{
	sig_stun_put(w, type, s, strlen(s));
}

/* The server's answer to req into out: its length, 0 for none. */
static size_t serve(const uint8_t *req, size_t len, uint8_t *out, size_t cap)
{
	struct sig_stun_msg m;
	struct sig_stun_wr w;
	unsigned method, code = 0;
	char nonce[16];
	struct net_endpoint relayed, mapped;

	assert_int_equal(sig_stun_parse(req, len, &m), SIG_STUN_OK);
	method = m.type;
	assert_true(method < 16);
	srv.seen[method]++;
	srv.last = m;
	if (srv.silent)
		return 0;
	snprintf(nonce, sizeof(nonce), "n%u", srv.nonce_gen);
	if (method == SIG_TURN_BINDING && srv.probe_401)
		code = 401;
	else if (method == SIG_TURN_BINDING) /* STUN's: no credentials asked */
		;
	else if (!m.integrity_off || !sig_stun_integrity_ok(req, &m, md5_key, sizeof(md5_key)))
		code = 401;
	else if (srv.stale && srv.stale--)
		code = 438, srv.nonce_gen++, snprintf(nonce, sizeof(nonce), "n%u", srv.nonce_gen);
	else if (method == SIG_TURN_REFRESH && srv.refresh_error)
		code = srv.refresh_error;
	else if (srv.error)
		code = srv.error;
	sig_stun_begin(&w, out, cap, method | (code ? 0x110 : 0x100), m.txid);
	if (code) {
		uint8_t v[4] = { 0, 0, (uint8_t)(code / 100), (uint8_t)(code % 100) };

		sig_stun_put(&w, SIG_STUN_ATTR_ERROR_CODE, v, sizeof(v));
		if (code == 401 || code == 438) {
			put_text(&w, SIG_STUN_ATTR_REALM, "realm");
			put_text(&w, SIG_STUN_ATTR_NONCE, nonce);
		}
		return sig_stun_end(&w, true);
	}
	assert_int_equal(net_endpoint_parse("203.0.113.5:50000", 0, &relayed), 0);
	assert_int_equal(net_endpoint_parse("192.0.2.9:40000", 0, &mapped), 0);
	if (method == SIG_TURN_BINDING) {
		sig_stun_put_xaddr(&w, SIG_STUN_ATTR_XOR_MAPPED, &mapped);
		return sig_stun_end(&w, true);
	}
	if (method == SIG_TURN_ALLOCATE) {
		sig_stun_put_xaddr(&w, SIG_STUN_ATTR_XOR_RELAYED, &relayed);
		sig_stun_put_xaddr(&w, SIG_STUN_ATTR_XOR_MAPPED, &mapped);
	}
	if (method == SIG_TURN_ALLOCATE || method == SIG_TURN_REFRESH)
		sig_stun_put_u32(&w, SIG_STUN_ATTR_LIFETIME, 600);
	if (srv.bad_mac)
		sig_stun_put_integrity(&w, (const uint8_t *)"wrong key", 9);
	else
		sig_stun_put_integrity(&w, md5_key, sizeof(md5_key));
	return sig_stun_end(&w, true);
}

/* Carries the client's requests to the server and its answers back, and
 * keeps the other actions. */
static void exchange(struct sig_turn *t)
{
	struct sig_turn_action a;
	uint8_t rsp[600];

	while (sig_turn_pop(t, &a)) {
		size_t n;

		n_ev[a.kind]++;
		if (n_evs < 64)
			ev[n_evs++] = a;
		if (a.kind != SIG_TURN_SEND)
			continue;
		assert_true(net_endpoint_equal(&a.to, sig_turn_server(t)));
		n = serve(a.buf, a.len, rsp, sizeof(rsp));
		if (n)
			sig_turn_input(t, rsp, n, now);
	}
}

static void run_to(struct sig_turn *t, uint64_t until)
{
	while (sig_turn_next_tick(t) <= until) {
		now = sig_turn_next_tick(t) > now ? sig_turn_next_tick(t) : now;
		sig_turn_tick(t, now);
		exchange(t);
	}
	now = until;
}

static const struct sig_turn_action *last_of(enum sig_turn_act_kind kind)
{
	for (unsigned i = n_evs; i-- > 0;)
		if (ev[i].kind == kind)
			return &ev[i];
	return NULL;
}

/* A fresh world at 1000 ms: a server that behaves as cfg says (NULL:
 * well), no events, a client without credentials; *c the credentials to
 * give it (one server, 203.0.113.5:3478). */
static void fresh(struct sig_turn *t, const struct server *cfg, struct sig_turn_cred *c)
{
	memset(&srv, 0, sizeof(srv));
	if (cfg)
		srv = *cfg;
	memset(n_ev, 0, sizeof(n_ev));
	n_evs = 0;
	now = 1000;
	*c = (struct sig_turn_cred){ .expiry_s = 2000, .n_servers = 1 };
	strcpy(c->user, "user");
	strcpy(c->pass, "pass");
	assert_int_equal(net_endpoint_parse("203.0.113.5:3478", 0, &c->servers[0]), 0);
	sig_turn_init(t, fake_random);
}

/* A client given credentials at 1000 ms, against a server that behaves
 * as cfg says (NULL: well). */
static void start(struct sig_turn *t, const struct server *cfg)
{
	struct sig_turn_cred c;

	fresh(t, cfg, &c);
	sig_turn_set_cred(t, &c, now);
	assert_int_equal(t->state, SIG_TURN_OFF); /* credentials alone: nothing sent */
	sig_turn_want(t, now);
	exchange(t);
}

/* 401 challenge, then the authenticated Allocate (the server checks the
 * MD5 key); a peer's permission and channel; the refresh intervals. */
static void test_allocate_bind_refresh(void **state)
{
	static struct sig_turn t;
	struct net_endpoint peer;
	const struct sig_turn_action *a;

	(void)state;
	start(&t, NULL);
	assert_int_equal(srv.seen[SIG_TURN_ALLOCATE], 2);
	assert_int_equal(t.state, SIG_TURN_READY);
	a = last_of(SIG_TURN_ALLOCATED);
	assert_non_null(a);
	assert_int_equal(a->addr.port, 50000);
	assert_int_equal(t.mapped.port, 40000);
	assert_int_equal(t.stats.allocations, 1);
	assert_int_equal(net_endpoint_parse("203.0.113.5:50001", 0, &peer), 0);
	assert_int_equal(sig_turn_peer_add(&t, &peer, now), SIG_TURN_CHANNEL_MIN);
	assert_null(sig_turn_channel_peer(&t, SIG_TURN_CHANNEL_MIN)); /* not bound yet */
	exchange(&t);
	assert_int_equal(srv.seen[SIG_TURN_PERMISSION], 1);
	assert_true(net_endpoint_equal(&srv.last.peer, &peer));
	assert_int_equal(srv.seen[SIG_TURN_CHANNEL_BIND], 1);
	a = last_of(SIG_TURN_BOUND);
	assert_non_null(a);
	assert_int_equal(a->channel, SIG_TURN_CHANNEL_MIN);
	assert_true(net_endpoint_equal(sig_turn_channel_peer(&t, SIG_TURN_CHANNEL_MIN), &peer));
	assert_int_equal(sig_turn_peer_add(&t, &peer, now), SIG_TURN_CHANNEL_MIN); /* same */
	/* Numbered: when each refresh goes out (ms after the bind at 1000). */
	run_to(&t, 1000 + SIG_TURN_PERM_REFRESH_MS - 1);
	assert_int_equal(srv.seen[SIG_TURN_PERMISSION], 1);
	run_to(&t, 1000 + SIG_TURN_PERM_REFRESH_MS);
	assert_int_equal(srv.seen[SIG_TURN_PERMISSION], 2);
	run_to(&t, 1000 + 540 * 1000 - 1);
	assert_int_equal(srv.seen[SIG_TURN_REFRESH], 0);
	assert_int_equal(srv.seen[SIG_TURN_CHANNEL_BIND], 1);
	run_to(&t, 1000 + 540 * 1000);
	assert_int_equal(srv.seen[SIG_TURN_REFRESH], 1); /* lifetime 600 - 60 */
	assert_int_equal(srv.seen[SIG_TURN_CHANNEL_BIND], 2);
	assert_int_equal(t.stats.refreshes, 1);
	assert_int_equal(n_ev[SIG_TURN_BOUND], 1); /* a rebind is no news */
	/* A clean stop deletes the allocation: Refresh, LIFETIME 0. */
	sig_turn_release(&t, now);
	exchange(&t);
	assert_int_equal(srv.seen[SIG_TURN_REFRESH], 2);
	assert_true(srv.last.has_lifetime);
	assert_int_equal(srv.last.lifetime, 0);
	assert_int_equal(t.state, SIG_TURN_OFF);
	sig_turn_fini(&t);
}

/* 438 Stale Nonce: the new nonce, once or twice; a third is an error. */
static void test_stale_nonce(void **state)
{
	static const struct {
		unsigned stale;
		bool ready;
		unsigned allocates;
	} cases[] = {
		/* 1 */ { 1, true, 3 },
		/* 2 */ { 2, true, 4 },
		/* 3 */ { 3, false, 4 },
	};
	static struct sig_turn t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start(&t, &(struct server){ .stale = cases[i].stale });
		assert_int_equal(t.state == SIG_TURN_READY, cases[i].ready);
		assert_int_equal(srv.seen[SIG_TURN_ALLOCATE], cases[i].allocates);
		assert_int_equal(t.stats.stale_nonce, cases[i].stale < 3 ? cases[i].stale : 2);
		if (!cases[i].ready) {
			assert_int_equal(last_of(SIG_TURN_ERROR)->code, 438);
			assert_int_equal(t.stats.errors, 1);
		}
	}
	sig_turn_fini(&t);
}

/* Errors: counted, an ERROR event with the code, and the allocation tried
 * again after 1 s, 2 s, 4 s ... 60 s. */
static void test_errors_back_off(void **state)
{
	static struct sig_turn t;
	static const unsigned waits[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000 };
	uint64_t at;

	(void)state;
	start(&t, &(struct server){ .error = 486 }); /* Allocation Quota Reached */
	assert_int_equal(t.state, SIG_TURN_WAITING);
	assert_int_equal(last_of(SIG_TURN_ERROR)->code, 486);
	assert_int_equal(last_of(SIG_TURN_ERROR)->method, SIG_TURN_ALLOCATE);
	at = now;
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		assert_true(sig_turn_next_tick(&t) == at + waits[i]);
		at += waits[i];
		run_to(&t, at);
		assert_int_equal(t.stats.errors, i + 2);
	}
	/* The server recovers: allocated, and the back-off starts again. */
	srv.error = 0;
	run_to(&t, at + 60000);
	assert_int_equal(t.state, SIG_TURN_READY);
	assert_int_equal(t.backoff, SIG_TURN_BACKOFF_MIN_MS);
	sig_turn_fini(&t);
}

/* A silent server: retransmits at 500 ms doubling, 5 tries, then ERROR 0. */
static void test_silence(void **state)
{
	static struct sig_turn t;
	static const unsigned sends_at[] = { 0, 500, 1500, 3500, 7500 };

	(void)state;
	start(&t, &(struct server){ .silent = true });
	for (size_t i = 1; i < sizeof(sends_at) / sizeof(sends_at[0]); i++) {
		run_to(&t, 1000 + sends_at[i] - 1);
		assert_int_equal(srv.seen[SIG_TURN_ALLOCATE], i);
		run_to(&t, 1000 + sends_at[i]);
		assert_int_equal(srv.seen[SIG_TURN_ALLOCATE], i + 1);
	}
	run_to(&t, 1000 + 15500 - 1);
	assert_int_equal(t.state, SIG_TURN_ALLOCATING);
	run_to(&t, 1000 + 15500);
	assert_int_equal(t.state, SIG_TURN_WAITING);
	assert_int_equal(t.stats.timeouts, 1);
	assert_int_equal(t.stats.retransmits, 4);
	assert_int_equal(last_of(SIG_TURN_ERROR)->code, 0);
	sig_turn_fini(&t);
}

/* A Refresh refused (437: the allocation is gone): LOST, then allocated
 * again; a success with a wrong MESSAGE-INTEGRITY is not the server's. */
static void test_lost_and_forged(void **state)
{
	static struct sig_turn t;
	struct net_endpoint peer;
	uint8_t junk[20] = { 0 };

	(void)state;
	start(&t, NULL);
	assert_int_equal(net_endpoint_parse("203.0.113.5:50001", 0, &peer), 0);
	sig_turn_peer_add(&t, &peer, now);
	exchange(&t);
	srv.refresh_error = 437;
	run_to(&t, 1000 + 540 * 1000);
	assert_int_equal(n_ev[SIG_TURN_LOST], 1);
	assert_int_equal(t.stats.lost, 1);
	assert_null(sig_turn_channel_peer(&t, SIG_TURN_CHANNEL_MIN));
	srv.refresh_error = 0;
	run_to(&t, now + SIG_TURN_BACKOFF_MIN_MS);
	assert_int_equal(t.state, SIG_TURN_READY);
	assert_int_equal(n_ev[SIG_TURN_BOUND], 2); /* bound again on the new allocation */
	/* Forged: the Refresh's success under another key is ignored. */
	srv.bad_mac = true;
	run_to(&t, now + 540 * 1000);
	assert_true(t.stats.bad_response >= 1);
	/* Junk: counted, nothing else. */
	{
		uint64_t before = t.stats.bad_response;

		sig_turn_input(&t, junk, sizeof(junk), now);
		assert_true(t.stats.bad_response == before + 1);
	}
	sig_turn_fini(&t);
}

/* When to ask the nucleus: at once, then 5 s doubling to 300 s while
 * unanswered; with credentials, 120 s before they expire; never again
 * from a nucleus that has no relay. */
static void test_cred_schedule(void **state)
{
	static struct sig_turn t;
	struct sig_turn_cred c = { .expiry_s = 10000, .n_servers = 1 }, none = { 0 };
	static const uint64_t asks[] = { 0, 5000, 15000, 35000, 75000, 155000, 315000, 615000 };

	(void)state;
	sig_turn_init(&t, fake_random);
	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		if (asks[i])
			assert_false(sig_turn_cred_due(&t, asks[i] - 1, 0));
		assert_true(sig_turn_cred_due(&t, asks[i], 0));
	}
	strcpy(c.user, "u");
	strcpy(c.pass, "p");
	net_endpoint_parse("203.0.113.5:3478", 0, &c.servers[0]);
	sig_turn_set_cred(&t, &c, 0);
	assert_false(sig_turn_cred_due(&t, 1, 10000 - 121));
	assert_true(sig_turn_cred_due(&t, 1, 10000 - 120));
	sig_turn_set_cred(&t, &none, 2);
	assert_int_equal(t.state, SIG_TURN_OFF);
	assert_false(sig_turn_cred_due(&t, 10 * 1000 * 1000, 0));
	sig_turn_fini(&t);
}

/* The codec: RFC 5769's sample response carries MESSAGE-INTEGRITY under
 * the short-term password "VOkJxbRl1RmTxUk/WvJxBt"; one flipped bit fails
 * it. Our builder's message parses back with the same XOR addresses. */
static void test_codec(void **state)
{
	static const char pw[] = "VOkJxbRl1RmTxUk/WvJxBt";
	uint8_t buf[sizeof(rfc5769_v4)], txid[SIG_STUN_TXID_LEN] = { 1, 2, 3 };
	struct sig_stun_msg m;
	struct sig_stun_wr w;
	struct net_endpoint a6, b;
	size_t len;

	(void)state;
	memcpy(buf, rfc5769_v4, sizeof(buf));
	assert_int_equal(sig_stun_parse(buf, sizeof(buf), &m), SIG_STUN_OK);
	assert_true(sig_stun_integrity_ok(buf, &m, (const uint8_t *)pw, strlen(pw)));
	buf[30] ^= 1; /* inside SOFTWARE: the fingerprint fails first */
	assert_int_equal(sig_stun_parse(buf, sizeof(buf), &m), SIG_STUN_BAD_FINGERPRINT);
	memcpy(buf, rfc5769_v4, sizeof(buf));
	assert_int_equal(sig_stun_parse(buf, sizeof(buf), &m), SIG_STUN_OK);
	assert_false(sig_stun_integrity_ok(buf, &m, (const uint8_t *)pw, strlen(pw) - 1));
	assert_int_equal(net_endpoint_parse("[2001:db8::7]:3479", 0, &a6), 0);
	{
		uint8_t out[200];

		sig_stun_begin(&w, out, sizeof(out), SIG_TURN_CHANNEL_BIND, txid);
		sig_stun_put_xaddr(&w, SIG_STUN_ATTR_XOR_PEER, &a6);
		sig_stun_put_integrity(&w, md5_key, sizeof(md5_key));
		len = sig_stun_end(&w, true);
		assert_true(len > 0);
		assert_int_equal(sig_stun_parse(out, len, &m), SIG_STUN_OK);
		assert_true(net_endpoint_equal(&m.peer, &a6));
		assert_true(sig_stun_integrity_ok(out, &m, md5_key, sizeof(md5_key)));
		/* Something after MESSAGE-INTEGRITY other than FINGERPRINT. */
		sig_stun_begin(&w, out, sizeof(out), SIG_TURN_REFRESH, txid);
		sig_stun_put_integrity(&w, md5_key, sizeof(md5_key));
		sig_stun_put_u32(&w, SIG_STUN_ATTR_LIFETIME, 1);
		len = sig_stun_end(&w, false);
		assert_int_equal(sig_stun_parse(out, len, &m), SIG_STUN_BAD_ATTR);
		/* Too small a buffer: nothing. */
		sig_stun_begin(&w, out, 30, SIG_TURN_REFRESH, txid);
		sig_stun_put_xaddr(&w, SIG_STUN_ATTR_XOR_PEER, &a6);
		assert_int_equal(sig_stun_end(&w, true), 0);
	}
	(void)b;
}

/* The probe: one Binding without credentials, its mapped address as
 * event MAPPED, no allocation; a silent server: 5 tries, one ERROR, and
 * the probe is not sent again by itself; a server that wants credentials
 * for it (401): one ERROR, not a second try with or without them. */
static void test_probe(void **state)
{
	static struct sig_turn t;
	struct sig_turn_cred c;
	const struct sig_turn_action *a;

	(void)state;
	for (int silent = 0; silent < 3; silent++) {
		const struct server cfg = { .silent = silent == 1, .probe_401 = silent == 2 };

		fresh(&t, &cfg, &c);
		sig_turn_probe(&t, now); /* no credentials: no server to ask */
		exchange(&t);
		assert_int_equal(srv.seen[SIG_TURN_BINDING], 0);
		sig_turn_set_cred(&t, &c, now);
		sig_turn_probe(&t, now);
		sig_turn_probe(&t, now); /* one in flight: not a second */
		exchange(&t);
		assert_int_equal(srv.seen[SIG_TURN_BINDING], 1);
		assert_int_equal(srv.last.integrity_off, 0); /* no MESSAGE-INTEGRITY */
		if (!silent) {
			a = last_of(SIG_TURN_MAPPED);
			assert_non_null(a);
			assert_int_equal(a->addr.port, 40000);
			assert_int_equal(t.stats.mapped, 1);
			assert_int_equal(sig_turn_next_tick(&t), UINT64_MAX);
		} else if (silent == 2) {
			run_to(&t, 1000 + 60 * 1000);
			assert_int_equal(srv.seen[SIG_TURN_BINDING], 1);
			a = last_of(SIG_TURN_ERROR);
			assert_non_null(a);
			assert_int_equal(a->method, SIG_TURN_BINDING);
			assert_int_equal(a->code, 401);
			assert_int_equal(n_ev[SIG_TURN_MAPPED], 0);
		} else {
			run_to(&t, 1000 + 60 * 1000);
			assert_int_equal(srv.seen[SIG_TURN_BINDING], SIG_TURN_TRIES);
			a = last_of(SIG_TURN_ERROR);
			assert_non_null(a);
			assert_int_equal(a->method, SIG_TURN_BINDING);
			assert_int_equal(a->code, 0);
			assert_int_equal(n_ev[SIG_TURN_MAPPED], 0);
		}
		assert_int_equal(t.state, SIG_TURN_OFF); /* the probe allocates nothing */
		assert_int_equal(srv.seen[SIG_TURN_ALLOCATE], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocate_bind_refresh),
		cmocka_unit_test(test_stale_nonce),
		cmocka_unit_test(test_errors_back_off),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_lost_and_forged),
		cmocka_unit_test(test_cred_schedule),
		cmocka_unit_test(test_codec),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
