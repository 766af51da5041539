/* SPDX-License-Identifier: MIT */
/*
 * The relay's signaling, client against the nucleus core in-process:
 * TURN_ASK answered with coturn REST credentials (a known-answer HMAC-SHA1
 * made with Python's hmac), only to a member and only at its registered
 * address; a nucleus without a relay says so (no servers); RELAY_INFO
 * beside a punch, to members that asked only; configuration errors; the
 * codec's rules for the new bodies (a relayed kind never in a peer entry).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "signaling/client.h"
#include "signaling/codec.h"
#include "signaling/nucleus.h"

static const char secret[] = "relay test secret 1234567";
static const char turn_secret[] = "turn static secret for tests";
static const uint64_t t0 = 1700000000000ull;

struct member {
	struct sig_client *c;
	struct net_endpoint addr;
	uint8_t priv[SIG_PUBKEY_LEN], pub[SIG_PUBKEY_LEN]; /* its identity */
	struct sig_event ev[64];
	unsigned n_ev;
};

static struct sig_nucleus *make(bool relay, char *err, size_t errlen, unsigned n_servers,
				uint32_t ttl)
{
	static const struct nucleus_cluster_conf cl[] = { { "lab", secret } };
	static struct net_endpoint servers[5];
	struct sig_nucleus_conf conf = { .clusters = cl,
					 .n_clusters = 1,
					 .replay_capacity = 1 << 12,
					 .turn_secret = relay ? turn_secret : NULL,
					 .turn_servers = servers,
					 .n_turn_servers = n_servers,
					 .turn_ttl_s = ttl };

	assert_int_equal(net_endpoint_parse("203.0.113.5:3478", 0, &servers[0]), 0);
	return sig_nucleus_create(&conf, err, errlen);
}

static void member_init(struct member *m, uint8_t id, uint8_t key_byte)
{
	struct sig_client_conf conf = { .cluster = "lab", .secret = secret, .encrypt = true };
	char err[128];

	memset(m, 0, sizeof(*m));
	/* A key pair of its own: every member proves its key (identity). */
	memset(m->priv, key_byte, SIG_PUBKEY_LEN);
	crypto_scalarmult_base(m->pub, m->priv);
	memcpy(conf.pubkey, m->pub, SIG_PUBKEY_LEN);
	conf.private_key = m->priv;
	conf.vip4[0] = 10, conf.vip4[1] = 200, conf.vip4[3] = id;
	conf.vip_flags = SIG_PEER_HAS_VIP4;
	net_addr_set(&m->addr.addr, NET_AF_IP4, (uint8_t[]){ 198, 51, 100, id });
	m->addr.port = 51820;
	m->c = sig_client_create(&conf, err, sizeof(err));
	assert_non_null(m->c);
}

/* Carries m's datagrams to the nucleus from `from`, and the answers to
 * whichever of ms[] they are for. Returns how many the nucleus sent. */
static unsigned carry(struct sig_nucleus *n, struct member *m, const struct net_endpoint *from,
		      struct member **ms, unsigned n_ms, uint64_t now)
{
	struct sig_out out[SIG_NUCLEUS_OUT_MAX];
	uint8_t buf[SIG_DATAGRAM_MAX];
	unsigned total = 0;
	size_t len;

	while ((len = sig_client_pop_datagram(m->c, buf, sizeof(buf)))) {
		unsigned k = sig_nucleus_input(n, from, buf, len, now, out);

		total += k;
		for (unsigned j = 0; j < k; j++)
			for (unsigned i = 0; i < n_ms; i++)
				if (net_endpoint_equal(&out[j].to, &ms[i]->addr))
					sig_client_input(ms[i]->c, out[j].buf, out[j].len, now);
	}
	for (unsigned i = 0; i < n_ms; i++)
		while (ms[i]->n_ev < 64 && sig_client_pop_event(ms[i]->c, &ms[i]->ev[ms[i]->n_ev]))
			ms[i]->n_ev++;
	return total;
}

static const struct sig_event *last_ev(const struct member *m, enum sig_event_type type)
{
	for (unsigned i = m->n_ev; i-- > 0;)
		if (m->ev[i].type == type)
			return &m->ev[i];
	return NULL;
}

static void registered(struct sig_nucleus *n, struct member *m, uint64_t now)
{
	struct member *ms[] = { m };

	/* REGISTER, the nucleus's CHALLENGE, REGISTER with its token. */
	for (int round = 0; round < 3 && !sig_client_registered(m->c); round++) {
		sig_client_tick(m->c, now);
		carry(n, m, &m->addr, ms, 1, now);
	}
	assert_true(sig_client_registered(m->c));
}

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* The REST credential: "<expiry>:<first 8 key bytes in hex>", password
 * base64(HMAC-SHA1(secret, username)), as Python's hmac computes it. */
static void test_credentials(void **state)
{
	char err[160];
	struct sig_nucleus *n = make(true, err, sizeof(err), 1, 600);
	struct member a, *ms[] = { &a };
	const struct sig_event *ev;
	struct sig_nucleus_stats st;

	(void)state;
	assert_non_null(n);
	member_init(&a, 1, 0x11);
	assert_int_equal(sig_client_turn_ask(a.c, NULL, t0), -EAGAIN); /* not registered */
	registered(n, &a, t0);
	assert_int_equal(sig_client_turn_ask(a.c, NULL, t0), 0);
	assert_int_equal(carry(n, &a, &a.addr, ms, 1, t0), 1);
	ev = last_ev(&a, SIG_EV_TURN_CRED);
	assert_non_null(ev);
	assert_int_equal(ev->cred.expiry_s, t0 / 1000 + 600);
	/* The member id is the first 8 bytes of its public key (that of the
	 * private key 0x11...), in hex; the password was computed with
	 * Python's hmac module: base64(HMAC-SHA1(turn_secret, user)). */
	assert_int_equal(a.pub[0], 0x7b);
	assert_string_equal(ev->cred.user, "1700000600:7b4e909bbe7ffe44");
	assert_string_equal(ev->cred.pass, "VT8BxX+Idik1/VLE0LnRnrNcQCU=");
	assert_int_equal(ev->cred.n_servers, 1);
	assert_int_equal(ev->cred.servers[0].port, 3478);
	/* An answer nobody asked for (a replayed seq) is not taken. */
	sig_nucleus_read(n, &st);
	assert_int_equal(st.tx[SIG_TURN_CRED], 1);
	assert_int_equal(st.rx[SIG_TURN_ASK], 1);
	sig_client_destroy(a.c);
	sig_nucleus_destroy(n);
}

/* Only a member, only from where it registered: the answer is larger than
 * the ask, and its relayed address is what others will send to. */
static void test_only_members_at_home(void **state)
{
	char err[160];
	struct sig_nucleus *n = make(true, err, sizeof(err), 1, 0);
	struct member a, stranger, d, *ms[] = { &a, &stranger, &d };
	struct net_endpoint elsewhere;
	struct sig_nucleus_stats st;

	(void)state;
	assert_non_null(n);
	member_init(&a, 1, 0x22);
	member_init(&stranger, 2, 0x33);
	member_init(&d, 4, 0x44);
	registered(n, &a, t0);
	elsewhere = a.addr;
	elsewhere.port++;
	assert_int_equal(sig_client_turn_ask(a.c, NULL, t0), 0);
	assert_int_equal(carry(n, &a, &elsewhere, ms, 3, t0), 0);
	sig_nucleus_read(n, &st);
	assert_int_equal(st.drops[SIG_DROP_UNVERIFIED], 1);
	assert_null(last_ev(&a, SIG_EV_TURN_CRED));
	/* The stranger is registered with a client, then forgotten: a fresh
	 * nucleus knows only a. */
	registered(n, &stranger, t0);
	sig_nucleus_destroy(n);
	n = make(true, err, sizeof(err), 1, 0);
	assert_int_equal(sig_client_turn_ask(stranger.c, NULL, t0 + 1), 0);
	assert_int_equal(carry(n, &stranger, &stranger.addr, ms, 3, t0 + 1), 0);
	sig_nucleus_read(n, &st);
	assert_int_equal(st.drops[SIG_DROP_NOT_MEMBER], 1);
	/* The default lifetime. */
	registered(n, &d, t0 + 2);
	assert_int_equal(sig_client_turn_ask(d.c, NULL, t0 + 2), 0);
	assert_int_equal(carry(n, &d, &d.addr, ms, 3, t0 + 2), 1);
	assert_int_equal(last_ev(&d, SIG_EV_TURN_CRED)->cred.expiry_s,
			 t0 / 1000 + SIG_NUCLEUS_TURN_TTL_DEFAULT);
	sig_client_destroy(a.c);
	sig_client_destroy(d.c);
	sig_client_destroy(stranger.c);
	sig_nucleus_destroy(n);
}

/* No relay configured: an answer with no servers, so the edge stops asking. */
static void test_no_relay(void **state)
{
	char err[160];
	struct sig_nucleus *n = make(false, err, sizeof(err), 0, 0);
	struct member a, *ms[] = { &a };
	const struct sig_event *ev;

	(void)state;
	member_init(&a, 1, 0x44);
	registered(n, &a, t0);
	assert_int_equal(sig_client_turn_ask(a.c, NULL, t0), 0);
	assert_int_equal(carry(n, &a, &a.addr, ms, 1, t0), 1);
	ev = last_ev(&a, SIG_EV_TURN_CRED);
	assert_non_null(ev);
	assert_int_equal(ev->cred.n_servers, 0);
	assert_string_equal(ev->cred.user, "");
	sig_client_destroy(a.c);
	sig_nucleus_destroy(n);
}

/* RELAY_INFO goes beside the PUNCH to a member that asked for credentials,
 * about a member that said its relayed address; never to one that did not
 * ask (an edge older than the relay). */
static void test_relay_info(void **state)
{
	char err[160];
	struct sig_nucleus *n = make(true, err, sizeof(err), 1, 0);
	struct member a, b, c, *ms[] = { &a, &b, &c };
	struct net_endpoint ra, rb;
	const struct sig_event *ev;
	struct net_addr t = { 0 };

	(void)state;
	member_init(&a, 1, 0x55);
	member_init(&b, 2, 0x66);
	member_init(&c, 3, 0x77);
	registered(n, &a, t0);
	registered(n, &b, t0);
	registered(n, &c, t0);
	assert_int_equal(net_endpoint_parse("203.0.113.5:50001", 0, &ra), 0);
	assert_int_equal(net_endpoint_parse("203.0.113.5:50002", 0, &rb), 0);
	assert_int_equal(sig_client_turn_ask(a.c, &ra, t0), 0);
	carry(n, &a, &a.addr, ms, 3, t0);
	assert_int_equal(sig_client_turn_ask(b.c, &rb, t0), 0);
	carry(n, &b, &b.addr, ms, 3, t0);
	/* a asks for b: PEER_INFO, two PUNCHes, a RELAY_INFO each way. */
	net_addr_set(&t, NET_AF_IP4, (uint8_t[]){ 10, 200, 0, 2 });
	assert_int_equal(sig_client_query(a.c, &t, t0 + 1), 0);
	assert_int_equal(carry(n, &a, &a.addr, ms, 3, t0 + 1), 5);
	ev = last_ev(&a, SIG_EV_RELAY_INFO);
	assert_non_null(ev);
	assert_memory_equal(ev->relay.pubkey, b.pub, SIG_PUBKEY_LEN);
	assert_true(net_endpoint_equal(&ev->relay.relayed.ep, &rb));
	assert_int_equal(ev->relay.relayed.kind, SIG_KIND_RELAYED);
	ev = last_ev(&b, SIG_EV_RELAY_INFO);
	assert_non_null(ev);
	assert_true(net_endpoint_equal(&ev->relay.relayed.ep, &ra));
	/* a asks for c (never asked for credentials): c hears nothing of a's
	 * relay, and a nothing of c's (it has none). */
	net_addr_set(&t, NET_AF_IP4, (uint8_t[]){ 10, 200, 0, 3 });
	a.n_ev = 0;
	assert_int_equal(sig_client_query(a.c, &t, t0 + 2), 0);
	assert_int_equal(carry(n, &a, &a.addr, ms, 3, t0 + 2), 3);
	assert_null(last_ev(&c, SIG_EV_RELAY_INFO));
	assert_null(last_ev(&a, SIG_EV_RELAY_INFO));
	sig_client_destroy(a.c);
	sig_client_destroy(b.c);
	sig_client_destroy(c.c);
	sig_nucleus_destroy(n);
}

/* A numbered table of relay configurations the nucleus refuses. */
static void test_config_errors(void **state)
{
	static const struct {
		unsigned n_servers;
		uint32_t ttl;
	} bad[] = {
		/* 1 */ { 0, 600 },
		/* 2 */ { 5, 600 },
		/* 3 */ { 1, SIG_NUCLEUS_TURN_TTL_MAX + 1 },
	};
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_null(make(true, err, sizeof(err), bad[i].n_servers, bad[i].ttl));
		assert_non_null(strstr(err, "turn:"));
	}
}

/* The codec: a relayed kind is refused in a peer entry (edges older than
 * the relay would refuse the page holding it), a TURN_ASK without an
 * address is fine, a RELAY_INFO without one is not, credentials with a
 * blank in the username are not. */
static void test_codec_rules(void **state)
{
	struct sig_keys k;
	struct sig_msg m = { 0 }, d;
	uint8_t buf[SIG_DATAGRAM_MAX];
	char err[128];
	size_t len;

	(void)state;
	assert_int_equal(sig_keys_derive(&k, "lab", secret, err, sizeof(err)), 0);
	m.type = SIG_REGISTER;
	m.u.reg.flags = SIG_PEER_HAS_VIP4;
	m.u.reg.vip4[0] = 10, m.u.reg.vip4[3] = 1;
	m.u.reg.n_cand = 1;
	assert_int_equal(net_endpoint_parse("203.0.113.5:50001", 0, &m.u.reg.cand[0].ep), 0);
	m.u.reg.cand[0].kind = SIG_KIND_RELAYED;
	assert_int_equal(sig_encode(&k, &m, buf, sizeof(buf)), 0);
	memset(&m, 0, sizeof(m));
	m.type = SIG_TURN_ASK;
	len = sig_encode(&k, &m, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(sig_decode(&k, buf, len, &d), SIG_OK);
	assert_int_equal(d.u.relay.relayed.ep.addr.family, NET_AF_NONE);
	m.type = SIG_RELAY_INFO;
	assert_int_equal(sig_encode(&k, &m, buf, sizeof(buf)), 0);
	memset(&m, 0, sizeof(m));
	m.type = SIG_TURN_CRED;
	m.u.cred.n_servers = 1;
	assert_int_equal(net_endpoint_parse("203.0.113.5:3478", 0, &m.u.cred.servers[0]), 0);
	strcpy(m.u.cred.user, "1:ab");
	strcpy(m.u.cred.pass, "cGFzcw==");
	len = sig_encode(&k, &m, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(sig_decode(&k, buf, len, &d), SIG_OK);
	assert_string_equal(d.u.cred.pass, "cGFzcw==");
	strcpy(m.u.cred.user, "1 ab");
	assert_int_equal(sig_encode(&k, &m, buf, sizeof(buf)), 0);
	sig_keys_wipe(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials),   cmocka_unit_test(test_only_members_at_home),
		cmocka_unit_test(test_no_relay),      cmocka_unit_test(test_relay_info),
		cmocka_unit_test(test_config_errors), cmocka_unit_test(test_codec_rules),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
