/* SPDX-License-Identifier: MIT */
/*
 * A DPDK port made of two rings (the net_ring driver), configured with one
 * queue pair and started: what is enqueued on rx arrives as received
 * frames, what the port sends lands on tx. For the pipeline benchmark and
 * the datapath unit tests.
 */
#ifndef OMNI_TOOLS_RING_PORT_H
#define OMNI_TOOLS_RING_PORT_H

#include <stdint.h>

struct rte_mempool;
struct rte_ring;

/* Port id, or -1 (nothing left open). desc: queue sizes. */
int ring_port_open(const char *name, struct rte_ring *rx, struct rte_ring *tx,
		   struct rte_mempool *pool, uint16_t desc);

#endif /* OMNI_TOOLS_RING_PORT_H */
