/* SPDX-License-Identifier: MIT */
/*
 * Frames for the pipeline benchmark and the checks of what the worker
 * makes of them. The sealed frames it is fed are made with libsodium, and
 * what it seals is opened with libsodium: the worker's own AEAD back end
 * (ipsec-mb) is checked against an independent implementation, both ways,
 * before anything is timed.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <sodium.h>

#include "wg/messages.h"

#include "bench_pipeline.h"

enum {
	WG_HDR = sizeof(struct wg_msg_data),
	INNER_SPORT = 40000,
	INNER_DPORT = 5201,
	NONCE_LEN = crypto_aead_chacha20poly1305_ietf_NPUBBYTES,
};

static_assert(NONCE_LEN == 12, "WireGuard nonce: 4 zero bytes + 64-bit counter");
static_assert(PB_OUTER + WG_HDR + PB_MTU + WG_AEAD_TAG_LEN <= PB_SLOT, "a frame fits its slot");

struct net_ip4 pb_peer_addr(unsigned p)
{
	return NET_IP4(10, 0, (uint8_t)((p + 1) >> 8), (uint8_t)(p + 1));
}

struct net_endpoint pb_peer_endpoint(unsigned p)
{
	struct net_endpoint ep = { .addr.family = NET_AF_IP4, .port = (uint16_t)(20000 + p) };

	ep.addr.ip4 = NET_IP4(198, 51, 100, (uint8_t)(p % 250 + 1));
	return ep;
}

static void nonce_of(uint8_t nonce[NONCE_LEN], uint64_t counter)
{
	uint64_t le = htole64(counter);

	memset(nonce, 0, 4);
	memcpy(nonce + 4, &le, sizeof(le));
}

/* An IPv4/UDP packet of `size` bytes; the payload says which packet it is. */
static void build_inner(uint8_t *ip, uint32_t size, const struct net_ip4 *src,
			const struct net_ip4 *dst, uint32_t seq)
{
	struct net_ip4_info info = { .ttl = NET_DEFAULT_TTL,
				     .proto = NET_PROTO_UDP,
				     .id = (uint16_t)seq,
				     .df = true,
				     .src = *src,
				     .dst = *dst };
	uint32_t j, l4 = size - NET_IP4_HLEN;

	for (j = NET_IP4_HLEN + NET_UDP_HLEN; j < size; j++)
		ip[j] = (uint8_t)(seq * 7 + j);
	net_udp4_build(ip + NET_IP4_HLEN, l4, src, dst, INNER_SPORT, INNER_DPORT,
		       (uint16_t)(l4 - NET_UDP_HLEN), true);
	net_ip4_build(ip, NET_IP4_HLEN, &info, (uint16_t)l4);
}

/* Outer headers as peer p sends them to us. */
static int peer_encap(const struct pb_bench *b, unsigned p, struct net_encap *e)
{
	struct net_endpoint ep = pb_peer_endpoint(p);
	struct net_encap_params pp = {
		.src_mac = b->gw_mac,
		.dst_mac = b->dp.local.mac,
		.vlan_tci = -1,
		.src = ep.addr,
		.dst = { .family = NET_AF_IP4, .ip4 = b->dp.local.ip4 },
		.src_port = ep.port,
		.dst_port = b->dp.local.port,
		.csum = NET_UDP_CSUM_FULL,
	};

	return net_encap_init(e, &pp);
}

/* Packet i as peer p seals it to us, and the host frame it must become. */
static int build_sealed(struct pb_bench *b, unsigned i, uint64_t counter)
{
	unsigned p = b->peer_of[i];
	const struct pl_keypair *kp = b->kp[p];
	uint8_t *wg = b->dec_tmpl + (size_t)i * PB_SLOT + PB_OUTER;
	uint8_t *inner = wg + WG_HDR, *want = b->dec_want + (size_t)i * PB_SLOT;
	struct net_ip4 src = pb_peer_addr(p);
	uint8_t nonce[NONCE_LEN];
	uint32_t v32;
	uint64_t v64;
	struct net_encap e;

	build_inner(inner, b->size, &src, &b->host_ip, i);
	memset(inner + b->size, 0, b->padded - b->size);
	net_eth_build(want, NET_ETH_HLEN, &b->dp.host_kernel_mac, &b->dp.host_our_mac, NET_ETH_IP4);
	memcpy(want + NET_ETH_HLEN, inner, b->size);
	v32 = htole32(WG_MSG_DATA);
	memcpy(wg, &v32, 4);
	v32 = htole32(kp->wg.local_index);
	memcpy(wg + 4, &v32, 4);
	v64 = htole64(counter);
	memcpy(wg + 8, &v64, 8);
	nonce_of(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(inner, inner + b->padded, NULL, inner,
							   b->padded, NULL, 0, NULL, nonce,
							   kp->wg.recv_key);
	if (peer_encap(b, p, &e) != 0 ||
	    net_encap_push(&e, wg, PB_OUTER, WG_HDR + b->padded + WG_AEAD_TAG_LEN, (uint16_t)i) ==
		    0)
		return -1;
	return 0;
}

/* Packet i as the host sends it, to peer p's AllowedIPs. */
static void build_plain(struct pb_bench *b, unsigned i)
{
	uint8_t *f = b->enc_tmpl + (size_t)i * PB_SLOT;
	struct net_ip4 dst = pb_peer_addr(b->peer_of[i]);

	net_eth_build(f, NET_ETH_HLEN, &b->dp.host_our_mac, &b->dp.host_kernel_mac, NET_ETH_IP4);
	build_inner(f + NET_ETH_HLEN, b->size, &b->host_ip, &dst, i);
}

int pb_templates_build(struct pb_bench *b, uint32_t size)
{
	size_t bytes = (size_t)PB_PKTS * PB_SLOT;
	unsigned i;

	if (!b->dec_tmpl) {
		b->dec_tmpl = aligned_alloc(64, bytes);
		b->dec_want = aligned_alloc(64, bytes);
		b->enc_tmpl = aligned_alloc(64, bytes);
		if (!b->dec_tmpl || !b->dec_want || !b->enc_tmpl) {
			fprintf(stderr, "omni-bench: pipeline: out of memory for templates\n");
			return -1;
		}
	}
	b->size = size;
	b->padded = wg_padded_len(size, PB_MTU);
	for (i = 0; i < PB_PKTS; i++) {
		/* A peer's packets come in order: counters 0, 1, 2, 3. */
		if (build_sealed(b, i, i / PB_PEERS) != 0) {
			fprintf(stderr, "omni-bench: pipeline: cannot build frame %u\n", i);
			return -1;
		}
		build_plain(b, i);
	}
	return 0;
}

void pb_templates_free(struct pb_bench *b)
{
	free(b->dec_tmpl);
	free(b->dec_want);
	free(b->enc_tmpl);
	b->dec_tmpl = b->dec_want = b->enc_tmpl = NULL;
}

int pb_load(struct pb_bench *b, struct rte_mempool *pool, const uint8_t *tmpl, uint32_t len)
{
	unsigned i, n;

	/* In bursts: one bulk get larger than the mempool cache would bypass
	 * it and miss the mbufs sitting there. */
	for (i = 0; i < PB_PKTS; i += n) {
		n = RTE_MIN((unsigned)PL_BURST, PB_PKTS - i);
		if (rte_pktmbuf_alloc_bulk(pool, b->pkts + i, n) != 0) {
			fprintf(stderr, "omni-bench: pipeline: pool %s ran out after %u mbufs\n",
				pool->name, i);
			rte_pktmbuf_free_bulk(b->pkts, i);
			return -1;
		}
	}
	for (i = 0; i < PB_PKTS; i++) {
		struct rte_mbuf *m = b->pkts[i];

		memcpy(rte_pktmbuf_mtod(m, uint8_t *), tmpl + (size_t)i * PB_SLOT, len);
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
	}
	return 0;
}

int pb_check_host_frames(const struct pb_bench *b, struct rte_mbuf **m, unsigned n)
{
	uint32_t len = NET_ETH_HLEN + b->size;
	unsigned i;

	if (n != PB_PKTS) {
		fprintf(stderr, "omni-bench: pipeline: decrypt: %u of %u frames reached the host\n",
			n, PB_PKTS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (m[i]->nb_segs == 1 && m[i]->data_len == len && m[i]->pkt_len == len &&
		    memcmp(rte_pktmbuf_mtod(m[i], uint8_t *), b->dec_want + (size_t)i * PB_SLOT,
			   len) == 0)
			continue;
		fprintf(stderr,
			"omni-bench: pipeline: decrypt: host frame %u (peer %u) is not "
			"the plaintext sent (length %u, want %u)\n",
			i, b->peer_of[i], m[i]->data_len, len);
		return -1;
	}
	return 0;
}

/* Outer Ethernet, IPv4 and UDP of a frame to peer p. NULL if right, else what is wrong. */
static const char *outer_wrong(const struct pb_bench *b, const uint8_t *f, uint32_t len, unsigned p)
{
	struct net_endpoint ep = pb_peer_endpoint(p);
	struct net_ip4_info ip;
	struct net_udp_info u;
	struct net_eth eth;

	if (net_eth_parse(f, len, &eth) != NET_DROP_OK || eth.type != NET_ETH_IP4 ||
	    !net_mac_eq(&eth.dst, &b->gw_mac) || !net_mac_eq(&eth.src, &b->dp.local.mac))
		return "Ethernet header";
	if (net_ip4_parse(f + NET_ETH_HLEN, len - NET_ETH_HLEN, &ip) != NET_DROP_OK ||
	    ip.proto != NET_PROTO_UDP || ip.total_len != len - NET_ETH_HLEN ||
	    !net_ip4_eq(&ip.src, &b->dp.local.ip4) || !net_ip4_eq(&ip.dst, &ep.addr.ip4))
		return "IPv4 header";
	if (net_udp_parse(f + NET_ETH_HLEN + NET_IP4_HLEN, ip.total_len - NET_IP4_HLEN, &u) !=
		    NET_DROP_OK ||
	    u.src_port != b->dp.local.port || u.dst_port != ep.port)
		return "UDP header";
	return NULL;
}

/* The WireGuard message of sealed frame i, opened with libsodium. */
static const char *message_wrong(const struct pb_bench *b, const uint8_t *wg, unsigned i)
{
	const struct pl_keypair *kp = b->kp[b->peer_of[i]];
	const uint8_t *want = b->enc_tmpl + (size_t)i * PB_SLOT + NET_ETH_HLEN;
	uint8_t plain[PB_SLOT], nonce[NONCE_LEN];
	uint32_t type, idx;
	uint64_t counter;
	uint32_t j;

	memcpy(&type, wg, 4);
	memcpy(&idx, wg + 4, 4);
	memcpy(&counter, wg + 8, 8);
	counter = le64toh(counter);
	if (le32toh(type) != WG_MSG_DATA || le32toh(idx) != kp->wg.remote_index)
		return "WireGuard header";
	nonce_of(nonce, counter);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(plain, NULL, wg + WG_HDR, b->padded,
							       wg + WG_HDR + b->padded, NULL, 0,
							       nonce, kp->wg.send_key) != 0)
		return "tag (libsodium cannot open it)";
	if (memcmp(plain, want, b->size) != 0)
		return "plaintext";
	for (j = b->size; j < b->padded; j++)
		if (plain[j])
			return "padding";
	return NULL;
}

int pb_check_sealed(const struct pb_bench *b, struct rte_mbuf **m, unsigned n)
{
	uint32_t len = PB_OUTER + WG_HDR + b->padded + WG_AEAD_TAG_LEN;
	const char *wrong;
	unsigned i;

	if (n != PB_PKTS) {
		fprintf(stderr,
			"omni-bench: pipeline: encrypt: %u of %u frames reached the "
			"underlay\n",
			n, PB_PKTS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(m[i], const uint8_t *);

		if (m[i]->nb_segs != 1 || m[i]->data_len != len || m[i]->pkt_len != len)
			wrong = "length";
		else
			wrong = outer_wrong(b, f, len, b->peer_of[i]);
		if (!wrong)
			wrong = message_wrong(b, f + PB_OUTER, i);
		if (!wrong)
			continue;
		fprintf(stderr,
			"omni-bench: pipeline: encrypt: sealed frame %u (peer %u): wrong "
			"%s (length %u, want %u)\n",
			i, b->peer_of[i], wrong, m[i]->data_len, len);
		return -1;
	}
	return 0;
}
