/* SPDX-License-Identifier: MIT */
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "ring_port.h"

int ring_port_open(const char *name, struct rte_ring *rx, struct rte_ring *tx,
		   struct rte_mempool *pool, uint16_t desc)
{
	struct rte_eth_conf conf = { 0 };
	unsigned socket = rte_socket_id();
	int port = rte_eth_from_rings(name, &rx, 1, &tx, 1, socket);

	if (port < 0)
		return -1;
	if (rte_eth_dev_configure((uint16_t)port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup((uint16_t)port, 0, desc, socket, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup((uint16_t)port, 0, desc, socket, NULL) != 0 ||
	    rte_eth_dev_start((uint16_t)port) != 0) {
		rte_eth_dev_close((uint16_t)port);
		return -1;
	}
	return port;
}
