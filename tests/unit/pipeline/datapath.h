/* SPDX-License-Identifier: MIT */
/*
 * What the rows of the datapath test share (test_datapath.c): the world
 * they act on, the shape of a row, and the helpers that craft frames and
 * hand them to the ports. Rows live in datapath_underlay.c and
 * datapath_host.c, each file with its numbered table.
 */
#ifndef OMNI_TEST_DATAPATH_H
#define OMNI_TEST_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "far_peer.h"
#include "net_ring.h"

enum { PORT = 51820, MTU = 1420, FRAME_MAX = 2048, OUT_MAX = 64, TO_CONTROL = 16 };

static const struct net_mac our_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct net_mac host_mac = { { 0x02, 0, 0, 0, 0x0b, 0x01 } };
static const struct net_mac our_host_mac = { { 0x02, 0, 0, 0, 0x0b, 0x02 } };
static const struct net_mac a_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct net_mac b_mac = { { 0x02, 0, 0, 0, 0, 0x03 } };
static const struct net_mac s_mac = { { 0x02, 0, 0, 0, 0, 0x50 } };

/* The world every row acts on, in the order the rows leave it. */
struct datapath_test {
	struct nr_world nr;
	struct far_peer a, b, stranger; /* peers A and B, a key no one configured */
	struct net_addr us4, us6;       /* our underlay addresses */
	struct net_addr host4, host6;   /* the host, behind the host port */
	struct net_addr a_vip4, a_vip6, b_vip4;
	uint8_t expect[FRAME_MAX]; /* the inner packet a row sent */
	size_t expect_len;
	struct net_arp arp_for_b; /* control's question for B's MAC */
};

extern struct datapath_test dt;

typedef void row_check(struct rte_mbuf **under, struct rte_mbuf **host);

struct row {
	const char *what;
	void (*send)(void);
	uint64_t drops[PL_DROP_COUNT]; /* how far each counter moves; the rest stay */
	unsigned under, host;          /* frames each port sends */
	row_check *check;              /* what they hold; NULL: nothing to check */
};

#define D(name, n) [PL_DROP_##name] = (n)

/* The tables, run in this order: the host rows use A's session. */
extern const struct row underlay_rows[], host_rows[];
extern const unsigned n_underlay_rows, n_host_rows;

struct net_addr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
/* g0:g1::last */
struct net_addr ip6(uint16_t g0, uint16_t g1, uint8_t last);
uint64_t now(void);
/* A frame arrives on the underlay or the host port. */
void underlay_in(const void *frame, size_t len);
void host_in(const void *frame, size_t len);
/* UDP from the peer's address and port to ours (IPv4), into f. */
size_t from_peer(const struct far_peer *p, const void *payload, size_t len, uint8_t *f);
/* A data message from A sealing a ping src -> dst into f; the ping in
 * dt.expect. */
size_t data_from_a(const struct net_addr *src, const struct net_addr *dst, uint8_t *f);
void send_data_from_a(const struct net_addr *src, const struct net_addr *dst);
/* A ping from the host to dst as a frame on the host port; in dt.expect. */
void send_from_host(const struct net_addr *dst, size_t data_len);
/* A whole frame split over two chained mbufs. */
struct rte_mbuf *chained(const uint8_t *f, size_t len);
/* m is an ARP reply from sha for spa; its body in *arp. */
void check_arp_reply_from(const struct rte_mbuf *m, const struct net_mac *sha,
			  const struct net_ip4 *spa, struct net_arp *arp);
/* An NA from us (under) or proxied for A (host). */
void check_na(struct rte_mbuf **under, struct rte_mbuf **host);
/* datapath_flood.c: after the rows. */
void test_flood_is_load(void **state);

#endif /* OMNI_TEST_DATAPATH_H */
