/* SPDX-License-Identifier: MIT */
/*
 * A data plane on net_ring ports, for unit tests in the style of DPDK's
 * grout: the underlay and host ports are rings the test writes frames into
 * and reads frames out of; behind them are the real tables, the control
 * lcore and one worker, run by the real single-lcore loop (lcore.h).
 *
 *            under_rx ring                          host_rx ring
 *   test ---------------> underlay port    host port <--------------- test
 *                               \               /
 *                     worker + control, one lcore (pl_lcore_main_pass)
 *                               /               \
 *   test <--------------- underlay port    host port ---------------> test
 *            under_tx ring                          host_tx ring
 */
#ifndef OMNI_TEST_NET_RING_H
#define OMNI_TEST_NET_RING_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/control.h"
#include "pipeline/lcore.h"

struct rte_mempool;
struct rte_ring;

struct nr_conf {
	struct net_local local;         /* our underlay address and port */
	uint8_t prefix4, prefix6;       /* on-link prefix lengths */
	struct net_mac host_kernel_mac; /* the host's MAC on the host link */
	struct net_mac host_our_mac;    /* ours there */
	uint32_t mtu;
	const uint8_t *private_key; /* WG_KEY_LEN bytes */
	unsigned max_peers;
	unsigned to_control_size; /* ring size, a power of two */
	unsigned tx_ring_size;    /* each port's TX ring, a power of two */
	unsigned ratelimit_burst; /* initiations per source IP, and per second */
};

struct nr_world {
	struct rte_mempool *pool;
	struct rte_ring *under_rx, *under_tx, *host_rx, *host_tx;
	uint16_t under_port, host_port;
	struct rte_rcu_qsbr *rcu;
	struct pl_dataplane dp;
	struct pl_control ctl;
	struct pl_worker w;
	struct pl_main_lcore ml;
};

/* Under a started EAL (eal_test.h): 0, or -1 with what failed printed. */
int nr_init(struct nr_world *nr, const struct nr_conf *conf);
void nr_fini(struct nr_world *nr);

/* An mbuf of nr's pool holding frame; NULL when the pool is empty. */
struct rte_mbuf *nr_mbuf(struct nr_world *nr, const void *frame, size_t len);
/* A frame arrives on a port (the mbuf goes to the port's rx ring). */
void nr_underlay_in(struct nr_world *nr, struct rte_mbuf *m);
void nr_host_in(struct nr_world *nr, struct rte_mbuf *m);
/* Passes of the loop, each with a control tick, until what came in has
 * been handled and control had two more ticks to act on it. */
void nr_run(struct nr_world *nr);
/* Frames a port sent, up to max, oldest first: the caller frees them. */
unsigned nr_underlay_out(struct nr_world *nr, struct rte_mbuf **out, unsigned max);
unsigned nr_host_out(struct nr_world *nr, struct rte_mbuf **out, unsigned max);
/* Every drop counter: the worker's and control's, summed. */
void nr_drops(const struct nr_world *nr, uint64_t drops[PL_DROP_COUNT]);

#endif /* OMNI_TEST_NET_RING_H */
