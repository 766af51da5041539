/* SPDX-License-Identifier: MIT */
/* The net_ring harness (net_ring.h), set up as app/edge.c sets up a
 * single-lcore edge. */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "net_ring.h"
#include "ring_port.h"

enum { POOL_SIZE = 4095, RX_RING = 1024, EXTRA_PASSES = 2, MAX_PASSES = 256 };

static struct rte_ring *ring(const char *name, unsigned size)
{
	return rte_ring_create(name, size, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

static int open_ports(struct nr_world *nr, const struct nr_conf *conf)
{
	int u, h;

	nr->pool = rte_pktmbuf_pool_create("nr_pool", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	nr->under_rx = ring("nr_under_rx", RX_RING);
	nr->host_rx = ring("nr_host_rx", RX_RING);
	nr->under_tx = ring("nr_under_tx", conf->tx_ring_size);
	nr->host_tx = ring("nr_host_tx", conf->tx_ring_size);
	if (!nr->pool || !nr->under_rx || !nr->host_rx || !nr->under_tx || !nr->host_tx)
		return -1;
	u = ring_port_open("net_ring_nr_under", nr->under_rx, nr->under_tx, nr->pool, RX_RING);
	h = ring_port_open("net_ring_nr_host", nr->host_rx, nr->host_tx, nr->pool, RX_RING);
	if (u < 0 || h < 0)
		return -1;
	nr->under_port = (uint16_t)u;
	nr->host_port = (uint16_t)h;
	return 0;
}

/* The tables and rings of a single-lcore edge: this lcore reads them as
 * the worker and writes them as control. */
static int make_tables(struct nr_world *nr, const struct nr_conf *conf)
{
	struct pl_dataplane *dp = &nr->dp;
	unsigned lcore = rte_lcore_id();

	nr->rcu =
		rte_zmalloc("nr_rcu", rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE), RTE_CACHE_LINE_SIZE);
	if (!nr->rcu || rte_rcu_qsbr_init(nr->rcu, RTE_MAX_LCORE) != 0 ||
	    rte_rcu_qsbr_thread_register(nr->rcu, lcore) != 0)
		return -1;
	rte_rcu_qsbr_thread_online(nr->rcu, lcore);
	dp->rcu = nr->rcu;
	dp->local = conf->local;
	dp->host_kernel_mac = conf->host_kernel_mac;
	dp->host_our_mac = conf->host_our_mac;
	dp->mtu = conf->mtu;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->clock_scale = 1;
	pl_lcore_idle_policy(&dp->idle, "busy"); /* a test never waits on a sleep */
	dp->max_peers = conf->max_peers;
	dp->peers =
		rte_zmalloc("nr_peers", conf->max_peers * sizeof(*dp->peers), RTE_CACHE_LINE_SIZE);
	dp->to_control = rte_ring_create("nr_to_control", conf->to_control_size, SOCKET_ID_ANY,
					 RING_F_SC_DEQ);
	dp->roamed = rte_ring_create("nr_roamed", 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->sessions = pl_sessions_create("nr", 4 * conf->max_peers + 16, nr->rcu, SOCKET_ID_ANY);
	return dp->peers && dp->to_control && dp->roamed && dp->sessions ? 0 : -1;
}

static int setup_control(struct nr_world *nr, const struct nr_conf *conf)
{
	struct pl_control *c = &nr->ctl;

	c->dp = &nr->dp;
	c->pool = nr->pool;
	c->under_port = nr->under_port;
	c->host_port = nr->host_port;
	c->is_reader = true;
	c->rcu_id = rte_lcore_id();
	c->prefix4 = conf->prefix4;
	c->prefix6 = conf->prefix6;
	c->indices = wg_index_table_create(4 * conf->max_peers + 16);
	c->ratelimit = wg_ratelimiter_create(64, conf->ratelimit_burst, conf->ratelimit_burst);
	c->aead = wg_aead_create("auto");
	if (!c->indices || !c->ratelimit || !c->aead ||
	    !wg_identity_init(&c->id, conf->private_key))
		return -1;
	wg_cookie_checker_init(&c->checker, c->id.public_key);
	return 0;
}

static int setup_worker(struct nr_world *nr)
{
	struct pl_worker *w = &nr->w;

	w->dp = &nr->dp;
	w->aead = wg_aead_create("auto");
	w->under_port = nr->under_port;
	w->host_port = nr->host_port;
	w->rx_fds[0] = w->rx_fds[1] = -1;
	w->rcu_id = w->lcore = rte_lcore_id();
	nr->ml = (struct pl_main_lcore){ .ctl = &nr->ctl, .single = w };
	pl_lcore_main_init(&nr->ml, false);
	return w->aead ? 0 : -1;
}

int nr_init(struct nr_world *nr, const struct nr_conf *conf)
{
	memset(nr, 0, sizeof(*nr));
	if (open_ports(nr, conf) != 0 || make_tables(nr, conf) != 0 ||
	    setup_control(nr, conf) != 0 || setup_worker(nr) != 0) {
		fprintf(stderr, "net_ring harness: set-up failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void drain(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (r && rte_ring_sc_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

void nr_fini(struct nr_world *nr)
{
	if (nr->dp.peers && nr->ctl.indices)
		pl_control_fini(&nr->ctl);
	wg_aead_destroy(nr->ctl.aead);
	wg_aead_destroy(nr->w.aead);
	wg_index_table_destroy(nr->ctl.indices);
	wg_ratelimiter_destroy(nr->ctl.ratelimit);
	pl_sessions_free(nr->dp.sessions);
	pl_allowedips_free(nr->dp.aips);
	drain(nr->dp.to_control);
	rte_ring_free(nr->dp.to_control);
	rte_ring_free(nr->dp.roamed);
	rte_free(nr->dp.peers);
	if (nr->rcu) {
		rte_rcu_qsbr_thread_offline(nr->rcu, rte_lcore_id());
		rte_rcu_qsbr_thread_unregister(nr->rcu, rte_lcore_id());
	}
	rte_free(nr->rcu);
	rte_eth_dev_stop(nr->under_port);
	rte_eth_dev_close(nr->under_port);
	rte_eth_dev_stop(nr->host_port);
	rte_eth_dev_close(nr->host_port);
	drain(nr->under_rx);
	drain(nr->under_tx);
	drain(nr->host_rx);
	drain(nr->host_tx);
	rte_ring_free(nr->under_rx);
	rte_ring_free(nr->under_tx);
	rte_ring_free(nr->host_rx);
	rte_ring_free(nr->host_tx);
	rte_mempool_free(nr->pool);
}

struct rte_mbuf *nr_mbuf(struct nr_world *nr, const void *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(nr->pool);

	if (!m)
		return NULL;
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame, len);
	return m;
}

void nr_underlay_in(struct nr_world *nr, struct rte_mbuf *m)
{
	m->port = nr->under_port;
	if (rte_ring_sp_enqueue(nr->under_rx, m) != 0)
		rte_pktmbuf_free(m);
}

void nr_host_in(struct nr_world *nr, struct rte_mbuf *m)
{
	m->port = nr->host_port;
	if (rte_ring_sp_enqueue(nr->host_rx, m) != 0)
		rte_pktmbuf_free(m);
}

void nr_run(struct nr_world *nr)
{
	unsigned i, extra = 0;

	for (i = 0; i < MAX_PASSES && extra < EXTRA_PASSES; i++) {
		nr->ctl.next_tick_ns = 0; /* a tick every pass: time is not what is tested */
		pl_lcore_main_pass(&nr->ml);
		if (rte_ring_empty(nr->under_rx) && rte_ring_empty(nr->host_rx) &&
		    rte_ring_empty(nr->dp.to_control))
			extra++;
	}
}

unsigned nr_underlay_out(struct nr_world *nr, struct rte_mbuf **out, unsigned max)
{
	return rte_ring_sc_dequeue_burst(nr->under_tx, (void **)out, max, NULL);
}

unsigned nr_host_out(struct nr_world *nr, struct rte_mbuf **out, unsigned max)
{
	return rte_ring_sc_dequeue_burst(nr->host_tx, (void **)out, max, NULL);
}

void nr_drops(const struct nr_world *nr, uint64_t drops[PL_DROP_COUNT])
{
	for (unsigned d = 0; d < PL_DROP_COUNT; d++)
		drops[d] = nr->w.stats.drops[d] + nr->ctl.stats.drops[d];
}
