/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus for fuzz_signaling, fuzz_stun and fuzz_turn: for each message
 * type a sealed datagram (mode byte 0) and a header + plain body (mode byte
 * 1) in the fuzz cluster; and STUN requests and responses, TURN's included.
 *
 *   fuzz_sig_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "fuzz_sig.h"
#include "signaling/codec.h"
#include "signaling/ident.h"
#include "signaling/stun.h"

static int put(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "fuzz_sig_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void sample(struct sig_msg *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->enc = type % 2;
	m->seq = 1;
	sig_msg_stamp(m, FUZZ_SIG_NOW);
	m->u.reg.flags = SIG_PEER_HAS_VIP4; /* REGISTER, PUNCH */
	m->u.reg.vip4[0] = 10;
	m->u.reg.n_cand = 1;
	m->u.reg.cand[0] = (struct sig_addr){
		.ep = { .addr = { .family = NET_AF_IP4, .b = { 192, 0, 2, 1 } }, .port = 51820 },
		.kind = SIG_KIND_LOCAL
	};
	if (type == SIG_REGISTER_ACK || type == SIG_HEARTBEAT_ACK) {
		memset(&m->u.ack, 0, sizeof(m->u.ack));
		m->u.ack.n_entries = 1;
		m->u.ack.entries[0].change = SIG_LEFT;
	} else if (type == SIG_HEARTBEAT) {
		memset(&m->u.hb, 0, sizeof(m->u.hb));
		m->u.hb.cursor = SIG_CURSOR_NONE;
	} else if (type == SIG_QUERY_PEER || type == SIG_NOT_FOUND || type == SIG_PEER_INFO) {
		struct sig_peer p = m->u.reg;
		struct net_addr t = { .family = NET_AF_IP4, .b = { 10 } };

		memset(&m->u, 0, sizeof(m->u));
		if (type == SIG_QUERY_PEER)
			m->u.query.target = t;
		else if (type == SIG_NOT_FOUND)
			m->u.target = t;
		else
			m->u.info.target = t, m->u.info.peer = p;
	} else if (type == SIG_TURN_ASK || type == SIG_TURN_CRED || type == SIG_RELAY_INFO) {
		struct sig_addr relayed = m->u.reg.cand[0];

		memset(&m->u, 0, sizeof(m->u));
		relayed.kind = SIG_KIND_RELAYED;
		if (type != SIG_TURN_CRED)
			m->u.relay.relayed = relayed; /* TURN_CRED: no relay, nothing else */
	}
}

/*
 * Every known type with the identity trailer, signed with the key the
 * fuzz member and nucleus share (sig_id_T), and with one under another key
 * (sig_forged_T): what a rogue member sends.
 */
static int ident_seeds(const char *dir, const struct sig_keys *k)
{
	static const uint8_t npriv[32] = FUZZ_SIG_NUCLEUS_PRIV, mpriv[32] = FUZZ_SIG_MEMBER_PRIV;
	uint8_t npub[32], mpub[32], idk[SIG_KEY_LEN], other[SIG_KEY_LEN] = { 1 };
	uint8_t buf[SIG_DATAGRAM_MAX + 1];
	char name[64];
	struct sig_msg m;
	size_t len;

	crypto_scalarmult_base(npub, npriv);
	crypto_scalarmult_base(mpub, mpriv);
	if (sig_ident_key(idk, mpriv, npub, mpub, npub) < 0)
		return -1;
	for (uint8_t t = 1; t < SIG_TYPE_COUNT; t++) {
		if (!sig_type_name_known(t))
			continue;
		sample(&m, t);
		m.id = true;
		if (sig_type_to_nucleus(t) || t == SIG_PUNCH) /* the key comes first */
			memcpy(m.u.hb.pubkey, mpub, 32);
		if (t == SIG_CHALLENGE)
			memcpy(m.u.challenge.nucleus_key, npub, 32);
		buf[0] = 0;
		len = sig_encode_id(k, &m, idk, buf + 1, sizeof(buf) - 1);
		snprintf(name, sizeof(name), "sig_id_%u", t);
		if (!len || put(dir, name, buf, len + 1))
			return -1;
		len = sig_encode_id(k, &m, other, buf + 1, sizeof(buf) - 1);
		snprintf(name, sizeof(name), "sig_forged_%u", t);
		if (!len || put(dir, name, buf, len + 1))
			return -1;
	}
	sodium_memzero(idk, sizeof(idk));
	return 0;
}

/* TURN answers for fuzz_turn (transaction id txid): a 401 with REALM and
 * NONCE, and an Allocate success with its addresses and LIFETIME. */
static int turn_seeds(const char *dir, const uint8_t *txid)
{
	static const uint8_t code401[4] = { 0, 0, 4, 1 };
	struct net_endpoint a = { .addr = { .family = NET_AF_IP4, .b = { 203, 0, 113, 5 } },
				  .port = 50000 };
	uint8_t buf[256];
	struct sig_stun_wr w;
	size_t len;

	sig_stun_begin(&w, buf, sizeof(buf), 0x113, txid);
	sig_stun_put(&w, SIG_STUN_ATTR_ERROR_CODE, code401, sizeof(code401));
	sig_stun_put(&w, SIG_STUN_ATTR_REALM, "realm", 5);
	sig_stun_put(&w, SIG_STUN_ATTR_NONCE, "nonce", 5);
	len = sig_stun_end(&w, true);
	if (!len || put(dir, "turn_401", buf, len))
		return -1;
	sig_stun_begin(&w, buf, sizeof(buf), 0x103, txid);
	sig_stun_put_xaddr(&w, SIG_STUN_ATTR_XOR_RELAYED, &a);
	sig_stun_put_xaddr(&w, SIG_STUN_ATTR_XOR_MAPPED, &a);
	sig_stun_put_u32(&w, SIG_STUN_ATTR_LIFETIME, 600);
	sig_stun_put_integrity(&w, (const uint8_t *)"key", 3);
	len = sig_stun_end(&w, true);
	return !len || put(dir, "turn_allocated", buf, len) ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint8_t buf[SIG_DATAGRAM_MAX + 1], plain[SIG_DATAGRAM_MAX + 1], txid[12] = { 7 };
	struct sig_keys k, plain_keys;
	struct sig_msg m;
	char err[128], name[64];
	size_t len;

	if (argc != 2 || sodium_init() < 0 ||
	    sig_keys_derive(&k, FUZZ_SIG_CLUSTER, FUZZ_SIG_SECRET, err, sizeof(err)) < 0)
		return 2;
	if (ident_seeds(argv[1], &k) < 0)
		return 1;
	for (uint8_t t = 1; t < SIG_TYPE_COUNT; t++) {
		if (!sig_type_name_known(t))
			continue;
		sample(&m, t);
		buf[0] = 0;
		len = sig_encode(&k, &m, buf + 1, sizeof(buf) - 1);
		snprintf(name, sizeof(name), "sig_sealed_%u", t);
		if (!len || put(argv[1], name, buf, len + 1))
			return 1;
		/* Header + plain body: encode unencrypted, drop the MAC. */
		m.enc = false;
		plain_keys = k;
		len = sig_encode(&plain_keys, &m, plain + 1, sizeof(plain) - 1);
		plain[0] = 1;
		plain[1 + 6] = t % 2; /* keep the ENC flag: seal() encrypts */
		snprintf(name, sizeof(name), "sig_plain_%u", t);
		if (!len || put(argv[1], name, plain, len + 1 - SIG_MAC_LEN))
			return 1;
	}
	/* A Binding success with XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
	len = sig_stun_request(buf, sizeof(buf), txid, false);
	buf[1] = 0x01, buf[0] = 0x01, buf[3] = 12;
	memcpy(buf + 20,
	       (const uint8_t[]){ 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6,
				  0x43 },
	       12);
	if (put(argv[1], "stun_success", buf, 32))
		return 1;
	len = sig_stun_request(buf, sizeof(buf), txid, true);
	if (put(argv[1], "stun_request", buf, len))
		return 1;
	return turn_seeds(argv[1], txid) ? 1 : 0;
}
