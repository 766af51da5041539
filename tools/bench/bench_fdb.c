/* SPDX-License-Identifier: MIT */
/*
 * omni-bench, section fdb: what the L2 fabric's MAC table costs a worker
 * per frame, as a ratio to the session table lookup every tunnel packet
 * already pays, both measured in the same run on the same lcore.
 *
 * Tables: 4096 MACs on 1000 owners in an FDB of 8192 (lib/pipeline/fdb.c),
 * 1024 receiver indices in a session table. Each operation walks the same
 * shuffled stream of 65536 keys, so the caches see a spread of entries,
 * not one. Notes are of known MACs with their owner at a fixed clock: the
 * worker's usual case (a relaxed load; the store happens once per age/64,
 * 4.7 s by default, per MAC). Every lookup's answer is checked before the
 * clock starts. Rounds: each operation once per round in turn; the best
 * round of each is reported, and its ratio to the best session lookup.
 * Then VXLAN (lib/net/vxlan.c) on a 1400-byte frame: encap with its source
 * port (IPv6 pays a checksum over the frame, IPv4 does not), and decap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "bench.h"
#include "net/addr.h"
#include "net/vxlan.h"
#include "pipeline/fdb.h"
#include "pipeline/sessions.h"

enum {
	MACS = 4096,
	OWNERS = 1000,
	INDICES = 1024,
	STREAM = 1 << 16,
	BURST = 32, /* PL_BURST: what a worker looks up at once */
	ROUNDS = 9,
};

enum op { SESS_BULK, FDB_ONE, FDB_BULK, FDB_NOTE, FDB_FRAME, VX_ENCAP4, VX_ENCAP6, VX_DECAP, OPS };

static const char *const op_names[OPS] = {
	"sessions lookup (bulk 32)",      "fdb lookup (one by one)",
	"fdb lookup (bulk 32)",           "fdb note (known MAC)",
	"fdb per frame (bulk + note)",    "vxlan encap IPv4, 1400 B frame",
	"vxlan encap IPv6, 1400 B frame", "vxlan decap",
};

#define VX_FRAME 1400

struct fb {
	struct pl_fdb *fdb;
	struct pl_sessions *sess;
	struct rte_rcu_qsbr *rcu;
	struct pl_fdb_key keys[MACS];
	uint32_t owner[MACS];
	uint32_t indices[INDICES];
	const struct pl_fdb_key *kstream[STREAM];
	uint16_t mstream[STREAM]; /* the MAC behind kstream[i] */
	uint32_t istream[STREAM];
	uint8_t pkt[NET_VXLAN_MAX_HLEN + VX_FRAME]; /* the frame at NET_VXLAN_MAX_HLEN */
	volatile uint32_t sink;
};

static const struct net_addr vip4[2] = { { .family = NET_AF_IP4, .b = { 10, 200, 0, 1 } },
					 { .family = NET_AF_IP4, .b = { 10, 200, 0, 2 } } };
static const struct net_addr vip6[2] = { { .family = NET_AF_IP6, .b = { 0xfd, [15] = 1 } },
					 { .family = NET_AF_IP6, .b = { 0xfd, [15] = 2 } } };

/* An encapsulation in front of the frame; its header length. */
static uint32_t encap(struct fb *b, const struct net_addr *a)
{
	uint8_t *frame = b->pkt + NET_VXLAN_MAX_HLEN;
	uint32_t hlen = net_vxlan_hdr_len(a[0].family);

	return net_vxlan_encap(frame - hlen, &a[0], &a[1], 4242, net_vxlan_sport(frame, VX_FRAME),
			       frame, VX_FRAME);
}

/* Encap then decap gives the frame back, over both families. */
static int check_vxlan(struct fb *b)
{
	const struct net_addr *fam[2] = { vip4, vip6 };
	struct net_vxlan_view v;

	for (unsigned i = 0; i < VX_FRAME; i++)
		b->pkt[NET_VXLAN_MAX_HLEN + i] = (uint8_t)(i * 7 + 2);
	for (int f = 0; f < 2; f++) {
		uint32_t hlen = encap(b, fam[f]);

		if (!hlen ||
		    net_vxlan_decap(b->pkt + NET_VXLAN_MAX_HLEN - hlen, hlen + VX_FRAME, &v) != 0 ||
		    v.frame_off != hlen || v.frame_len != VX_FRAME || v.vni != 4242 ||
		    !net_vxlan_udp_csum_ok(b->pkt + NET_VXLAN_MAX_HLEN - hlen, hlen + VX_FRAME))
			return -1;
	}
	return 0;
}

static int setup_fdb(struct fb *b)
{
	struct pl_fdb_conf c = { .name = "bench",
				 .size = 2 * MACS,
				 .socket = SOCKET_ID_ANY,
				 .rcu = b->rcu,
				 .queue = MACS };

	b->fdb = pl_fdb_create(&c);
	if (!b->fdb)
		return -1;
	for (unsigned i = 0; i < MACS; i++) {
		uint8_t mac[6] = { 0x02, 0x42, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };

		pl_fdb_key_set(&b->keys[i], mac, i % 3 ? 0 : 100);
		b->owner[i] = (uint32_t)rand() % OWNERS;
		pl_fdb_note(b->fdb, &b->keys[i], b->owner[i], 1);
	}
	pl_fdb_control(b->fdb, 1);
	return 0;
}

static int setup_sessions(struct fb *b)
{
	b->sess = pl_sessions_create("fdbbench", 2 * INDICES, b->rcu, SOCKET_ID_ANY);
	if (!b->sess)
		return -1;
	for (unsigned i = 0; i < INDICES; i++) {
		struct pl_keypair *kp = pl_sessions_keypair_alloc(b->sess);

		if (!kp)
			return -1;
		kp->wg.local_index = b->indices[i] = (uint32_t)rand() | 1;
		if (pl_sessions_publish(b->sess, kp) != 0)
			return -1;
	}
	return 0;
}

static int setup(struct fb *b)
{
	b->rcu = rte_zmalloc("fdbbench_rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (!b->rcu || rte_rcu_qsbr_init(b->rcu, 1) != 0)
		return -1;
	srand(19);
	if (setup_fdb(b) != 0 || setup_sessions(b) != 0)
		return -1;
	for (unsigned i = 0; i < STREAM; i++) {
		b->mstream[i] = (uint16_t)((unsigned)rand() % MACS);
		b->kstream[i] = &b->keys[b->mstream[i]];
		b->istream[i] = b->indices[(unsigned)rand() % INDICES];
	}
	return 0;
}

/* Every answer before any timing: a benchmark of a broken table is worthless. */
static int check(struct fb *b)
{
	struct pl_keypair *kp[BURST];
	uint32_t out[BURST];
	struct pl_fdb_stats s;

	for (unsigned i = 0; i < STREAM; i += BURST) {
		if (pl_sessions_lookup_bulk(b->sess, b->istream + i, BURST, kp) != BURST ||
		    pl_fdb_lookup_bulk(b->fdb, b->kstream + i, BURST, out) != BURST)
			return -1;
		for (unsigned j = 0; j < BURST; j++)
			if (out[j] != b->owner[b->mstream[i + j]] ||
			    pl_fdb_lookup(b->fdb, b->kstream[i + j]) != out[j])
				return -1;
	}
	pl_fdb_stats(b->fdb, &s);
	return s.entries == MACS && s.full == 0 ? 0 : -1;
}

static void run_op(struct fb *b, enum op op)
{
	struct pl_keypair *kp[BURST];
	uint32_t out[BURST], acc = 0;

	for (unsigned i = 0; i < STREAM; i += BURST) {
		switch (op) {
		case SESS_BULK:
			acc += pl_sessions_lookup_bulk(b->sess, b->istream + i, BURST, kp);
			break;
		case FDB_ONE:
			for (unsigned j = 0; j < BURST; j++)
				acc += pl_fdb_lookup(b->fdb, b->kstream[i + j]);
			break;
		case FDB_BULK:
			acc += pl_fdb_lookup_bulk(b->fdb, b->kstream + i, BURST, out);
			break;
		case FDB_NOTE:
			for (unsigned j = 0; j < BURST; j++)
				pl_fdb_note(b->fdb, b->kstream[i + j], b->owner[b->mstream[i + j]],
					    2);
			break;
		case FDB_FRAME: /* destination looked up in bulk, each source noted */
			acc += pl_fdb_lookup_bulk(b->fdb, b->kstream + i, BURST, out);
			for (unsigned j = 0; j < BURST; j++)
				pl_fdb_note(b->fdb, b->kstream[(i + j + 7) % STREAM],
					    b->owner[b->mstream[(i + j + 7) % STREAM]], 2);
			break;
		case VX_ENCAP4:
		case VX_ENCAP6:
			for (unsigned j = 0; j < BURST; j++)
				acc += encap(b, op == VX_ENCAP4 ? vip4 : vip6);
			break;
		case VX_DECAP: {
			struct net_vxlan_view v;

			for (unsigned j = 0; j < BURST; j++)
				acc += (uint32_t)net_vxlan_decap(b->pkt + NET_VXLAN_MAX_HLEN -
									 NET_VXLAN_OVERHEAD6,
								 NET_VXLAN_OVERHEAD6 + VX_FRAME,
								 &v);
			break;
		}
		default:
			break;
		}
	}
	b->sink = acc;
}

static double ns_per_pkt(struct fb *b, enum op op)
{
	uint64_t t0 = rte_rdtsc_precise();

	run_op(b, op);
	return (double)(rte_rdtsc_precise() - t0) * 1e9 / (double)rte_get_tsc_hz() / STREAM;
}

/* Best of the rounds: on a shared machine, the slower rounds are the noise. */
static void measure(struct fb *b, unsigned rounds)
{
	double best[OPS];

	for (int op = 0; op < OPS; op++) {
		run_op(b, (enum op)op); /* warm */
		best[op] = 1e30;
	}
	for (unsigned r = 0; r < rounds; r++) {
		for (int op = 0; op < OPS; op++) {
			double ns = ns_per_pkt(b, (enum op)op);

			best[op] = ns < best[op] ? ns : best[op];
		}
	}
	printf("%-30s %8s %12s\n", "operation", "ns/pkt", "x sessions");
	for (int op = 0; op < OPS; op++)
		printf("%-30s %8.1f %12.2f\n", op_names[op], best[op], best[op] / best[SESS_BULK]);
}

int bench_fdb_run(const struct bench_opts *opts)
{
	unsigned rounds = opts->quick ? 3 : ROUNDS;
	struct fb *b = rte_zmalloc("fdbbench", sizeof(*b), RTE_CACHE_LINE_SIZE);
	int ret = -1;

	if (!b || setup(b) != 0 || check(b) != 0 || check_vxlan(b) != 0) {
		fprintf(stderr, "omni-bench: fdb: set-up or check failed: not benchmarked\n");
		goto out;
	}
	printf("\n== fdb: L2 MAC table, %u MACs on %u owners, against the session table "
	       "(%u indices), one lcore\n%u lookups per operation a round, %u rounds, "
	       "best round; notes of known MACs (the usual case)\n",
	       MACS, OWNERS, INDICES, STREAM, rounds);
	measure(b, rounds);
	ret = 0;
out:
	if (b) {
		pl_fdb_free(b->fdb);
		pl_sessions_free(b->sess);
		rte_free(b->rcu);
		rte_free(b);
	}
	return ret;
}
