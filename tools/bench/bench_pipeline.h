/* SPDX-License-Identifier: MIT */
/*
 * The pipeline section of omni-bench, shared by its three files:
 * bench_pipeline.c (EAL, set-up, timed rounds, the table),
 * bench_pipeline_pkts.c (frames to feed and the checks of what comes out)
 * and bench_pipeline_mem.c (memory of the configured gateway).
 *
 * The picture: one worker lcore between two net_ring ports whose rings we
 * hold. We put frames on an RX ring, poll the worker until the ring is
 * empty, and take what it sent from the other port's TX ring.
 *
 *   under_rx --> [underlay port] --decrypt--> [host port] --> host_tx
 *   under_tx <-- [underlay port] <--encrypt-- [host port] <-- host_rx
 */
#ifndef OMNI_BENCH_PIPELINE_H
#define OMNI_BENCH_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline/control.h"
#include "pipeline/dataplane.h"

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;

enum {
	PB_PEERS = 1000,
	PB_PKTS = 4000, /* packets a round: 4 per peer */
	PB_SLOT = 1536, /* room for one template frame */
	PB_MTU = 1420,
	PB_OUTER = NET_ETH_HLEN + NET_IP4_HLEN + NET_UDP_HLEN,
	PB_LISTEN_PORT = 51820,
	PB_RING = 4096, /* port rings: hold a whole round */
	PB_POOL = 4095, /* mbufs per port, as lib/dp sizes a port */
	PB_POOL_CACHE = 256,
};

struct pb_bench {
	struct pl_dataplane dp;
	struct pl_worker w;
	struct pl_control ctl; /* only to set peers up as the gateway does */
	struct rte_ring *under_rx, *under_tx, *host_rx, *host_tx;
	struct rte_mempool *under_pool, *host_pool;
	uint16_t under_port, host_port;
	bool ports_open;
	struct net_mac gw_mac;  /* the underlay next hop */
	struct net_ip4 host_ip; /* the host's own tunnel address */
	struct pl_keypair *kp[PB_PEERS];
	uint16_t peer_of[PB_PKTS]; /* packet i of a round is for this peer */
	/* Templates for the current size, PB_PKTS slots of PB_SLOT bytes. */
	uint8_t *dec_tmpl; /* underlay frames, sealed by libsodium */
	uint8_t *dec_want; /* the host frames they must turn into */
	uint8_t *enc_tmpl; /* host frames to the peers */
	uint32_t size;     /* inner packet bytes */
	uint32_t padded;   /* size padded as WireGuard does */
	struct rte_mbuf *pkts[PB_PKTS];
};

/* ---- bench_pipeline_pkts.c ---- */

/* AllowedIPs of peer p (10.0.x.y/32) and its endpoint (198.51.100.0/24). */
struct net_ip4 pb_peer_addr(unsigned p);
struct net_endpoint pb_peer_endpoint(unsigned p);
/* Fill the three templates for inner packets of `size` bytes. 0 or -1. */
int pb_templates_build(struct pb_bench *b, uint32_t size);
void pb_templates_free(struct pb_bench *b);
/* b->pkts[] from pool with copies of tmpl (frame length len). 0 or -1. */
int pb_load(struct pb_bench *b, struct rte_mempool *pool, const uint8_t *tmpl, uint32_t len);
/* The checks; each prints what is wrong and returns -1, or 0. */
int pb_check_host_frames(const struct pb_bench *b, struct rte_mbuf **m, unsigned n);
int pb_check_sealed(const struct pb_bench *b, struct rte_mbuf **m, unsigned n);

/* ---- bench_pipeline_mem.c ---- */

struct pb_mem {
	uint64_t heap;       /* DPDK heap bytes allocated */
	uint64_t heap_free;  /* DPDK heap bytes still free */
	uint64_t memzones;   /* bytes in memzones (part of heap) */
	uint64_t resident;   /* DPDK memory resident (4 KB pages, --no-huge) */
	uint64_t rss_kb;     /* VmRSS */
	uint64_t hugetlb_kb; /* HugetlbPages */
};

/* dpdk false: before the EAL is up, only what the kernel says. */
void pb_mem_snap(struct pb_mem *m, bool dpdk);
/* One line: what a set-up step added. */
void pb_mem_step(const char *what, const struct pb_mem *before, const struct pb_mem *after);
/* The totals and the verdicts against the 256 MB target. */
void pb_mem_report(const struct pb_mem *now, bool huge);

#endif /* OMNI_BENCH_PIPELINE_H */
