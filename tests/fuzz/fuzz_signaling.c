/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the signaling codec, the nucleus core and the edge
 * client. The first byte picks the mode:
 *   even: the rest is a datagram as received (header checks, HMAC: mostly
 *         rejected early, which is what an attacker sees);
 *   odd:  the rest is a header and a plain body; the HMAC (and encryption
 *         when the header's ENC flag is set) is computed here under the
 *         fuzz cluster's keys and the timestamp set to now, so the body
 *         parsers and the nucleus/client handlers are reached.
 * With the header's NAME flag, the name trailer is sealed too (the fuzz
 * cluster's name under its name key). Every datagram goes to sig_decode,
 * to a nucleus with a list, to an open nucleus (one secret, any name, at
 * most 4 clusters made) and to a client. The
 * clock advances a second every 16 inputs, so nonces, rate-limit tokens
 * and members expire as they would in a real run.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "fuzz_sig.h"
#include "signaling/client.h"
#include "signaling/codec.h"
#include "signaling/nucleus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sig_keys keys;
static struct sig_nucleus *nuc, *open_nuc;
static struct sig_client *cli, *cli_id; /* without and with identity */
static uint64_t now = FUZZ_SIG_NOW, inputs;

static const uint8_t nucleus_priv[32] = FUZZ_SIG_NUCLEUS_PRIV;
static const uint8_t member_priv[32] = FUZZ_SIG_MEMBER_PRIV;

static void init(void)
{
	uint8_t npub[SIG_PUBKEY_LEN];
	static const struct nucleus_cluster_conf cl[] = { { FUZZ_SIG_CLUSTER, FUZZ_SIG_SECRET } };
	struct sig_nucleus_conf nc = { .clusters = cl,
				       .n_clusters = 1,
				       .replay_capacity = 4096,
				       .sources = 64,
				       .max_members = 256,
				       /* inputs without the trailer reach the handlers */
				       .legacy_members = true,
				       .private_key = nucleus_priv };
	struct sig_client_conf cc = { .cluster = FUZZ_SIG_CLUSTER,
				      .secret = FUZZ_SIG_SECRET,
				      .vip_flags = SIG_PEER_HAS_VIP4,
				      .encrypt = true,
				      .max_peers = 256 };
	char err[128];

	if (sodium_init() < 0 ||
	    sig_keys_derive(&keys, FUZZ_SIG_CLUSTER, FUZZ_SIG_SECRET, err, sizeof(err)) < 0)
		__builtin_trap();
	nuc = sig_nucleus_create(&nc, err, sizeof(err));
	nc.clusters = NULL;
	nc.n_clusters = 0;
	nc.open_secret = FUZZ_SIG_SECRET;
	nc.max_open_clusters = 4;
	open_nuc = sig_nucleus_create(&nc, err, sizeof(err));
	cli = sig_client_create(&cc, err, sizeof(err));
	if (!nuc || !open_nuc || !cli)
		__builtin_trap();
	sig_nucleus_public_key(nuc, npub);
	cc.private_key = member_priv;
	cc.nucleus_key = npub;
	crypto_scalarmult_base(cc.pubkey, member_priv);
	cli_id = sig_client_create(&cc, err, sizeof(err));
	if (!cli_id)
		__builtin_trap();
	sig_client_tick(cli, FUZZ_SIG_NOW); /* REGISTER outstanding */
	sig_client_tick(cli_id, FUZZ_SIG_NOW);
}

/* Header (44 bytes from the input) + body, sealed and MACed like a sender. */
static size_t seal(const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned long long clen;
	size_t body = n - SIG_HEADER_LEN, len;
	uint64_t ts = now;

	if (n < SIG_HEADER_LEN || n + SIG_TAG_LEN + SIG_MAC_LEN > SIG_DATAGRAM_MAX + 64)
		return 0;
	memcpy(out, in, SIG_HEADER_LEN);
	memcpy(out + 8, keys.cluster_id, SIG_CLUSTER_ID_LEN);
	for (int i = 0; i < 8; i++)
		out[16 + i] = (uint8_t)(ts >> (56 - 8 * i));
	if (out[6] & 1) {
		memcpy(nonce, out + 28, 16);
		memcpy(nonce + 16, out + 16, 8);
		crypto_aead_xchacha20poly1305_ietf_encrypt(out + SIG_HEADER_LEN, &clen,
							   in + SIG_HEADER_LEN, body, out,
							   SIG_HEADER_LEN, NULL, nonce,
							   keys.enc_key);
		len = SIG_HEADER_LEN + (size_t)clen;
	} else {
		memcpy(out + SIG_HEADER_LEN, in + SIG_HEADER_LEN, body);
		len = n;
	}
	if (out[6] & SIG_FLAG_NAME) {
		memcpy(nonce, out + 28, 16);
		memcpy(nonce + 16, out + 16, 8);
		crypto_aead_xchacha20poly1305_ietf_encrypt(out + len, &clen,
							   (const uint8_t *)keys.name,
							   keys.name_len, out, SIG_HEADER_LEN, NULL,
							   nonce, keys.name_key);
		len += (size_t)clen;
		out[len++] = keys.name_len;
	}
	crypto_auth_hmacsha256(out + len, out, len, keys.mac_key);
	return len + SIG_MAC_LEN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[SIG_DATAGRAM_MAX + 256];
	struct sig_out out[SIG_NUCLEUS_OUT_MAX];
	struct net_endpoint from = { .addr = { .family = NET_AF_IP4, .b = { 192, 0, 2, 9 } },
				     .port = 4242 };
	struct sig_event ev;
	struct sig_msg m;
	const uint8_t *p = data + 1;
	size_t len = size ? size - 1 : 0;
	unsigned k;

	if (!nuc)
		init();
	if (size == 0)
		return 0;
	if (++inputs % 16 == 0)
		now += 1000;
	if (data[0] & 1) {
		len = seal(data + 1, size - 1, buf);
		p = buf;
		if (!len)
			return 0;
	}
	sig_decode(&keys, p, len, &m);
	k = sig_nucleus_input(nuc, &from, p, len, now, out);
	for (unsigned i = 0; i < k; i++)
		if (out[i].len > SIG_DATAGRAM_MAX || sig_decode(&keys, out[i].buf, out[i].len, &m))
			__builtin_trap(); /* what the nucleus sends must decode */
	k = sig_nucleus_input(open_nuc, &from, p, len, now, out);
	for (unsigned i = 0; i < k; i++)
		if (out[i].len > SIG_DATAGRAM_MAX || sig_decode(&keys, out[i].buf, out[i].len, &m))
			__builtin_trap();
	sig_client_input(cli, p, len, now);
	sig_client_tick(cli, now);
	sig_client_input(cli_id, p, len, now);
	sig_client_tick(cli_id, now);
	while (sig_client_pop_datagram(cli, buf, sizeof(buf)))
		;
	while (sig_client_pop_event(cli, &ev))
		;
	while (sig_client_pop_datagram(cli_id, buf, sizeof(buf)))
		;
	while (sig_client_pop_event(cli_id, &ev))
		;
	sig_nucleus_tick(nuc, now);
	sig_nucleus_tick(open_nuc, now);
	return 0;
}
