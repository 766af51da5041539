/* SPDX-License-Identifier: MIT */
/*
 * The host port tap-gso: a tap (IFF_TAP, IFF_NO_PI, IFF_VNET_HDR) with
 * checksum, TSO and (Linux 6.2 on) USO offloads, so the kernel moves TCP,
 * and UDP from UDP_SEGMENT sockets, in frames of up to 64 KB. DPDK has no driver for it: each queue is a pair of rings behind
 * a net_ring port (what the pipeline reads and writes as the host port),
 * and the worker that owns the queue moves frames between them and the
 * tap (dp_tapq_pull, dp_tapq_push) in its poll loop.
 *
 *   tap -> read -> net_gso_segment -> mbufs -> rx ring -> worker (seal)
 *   worker (open) -> tx ring -> net_gro_* -> writev -> tap
 *
 * One read takes one super-frame; one writev gives the kernel a run of
 * segments of one TCP flow, or (with USO, so on a kernel that takes
 * UDP_L4 GSO) of datagrams of one UDP flow. Mbufs come from the port's pool; nothing is
 * allocated per packet. Worker lcore only, one per queue.
 */
#ifndef OMNI_DP_TAPQ_H
#define OMNI_DP_TAPQ_H

#include <stdbool.h>
#include <stdint.h>

struct rte_mempool;
struct rte_ring;

struct dp_tapq_stats {
	uint64_t reads;          /* frames read from the tap */
	uint64_t gso_frames;     /* of them super-frames */
	uint64_t udp_gso_frames; /* of those UDP ones (USO) */
	uint64_t segments;       /* frames made of the reads */
	uint64_t writes;         /* writev calls */
	uint64_t coalesced;      /* frames that went out inside another's write */
	uint64_t udp_gso_writes; /* of the writes UDP runs (UDP_L4 GSO) */
	uint64_t bad;            /* read frames not parsed (dropped) */
	uint64_t no_mbuf;        /* segments without an mbuf (dropped) */
	uint64_t ring_full;      /* segments the rx ring did not take (dropped) */
	uint64_t write_err;      /* writes the kernel refused (frames dropped) */
};

struct dp_tapq {
	int fd;
	struct rte_ring *rx; /* the net_ring port's rx queue: what we read */
	struct rte_ring *tx; /* its tx queue: what we write */
	struct rte_mempool *pool;
	uint8_t *buf; /* one super-frame as read */
	bool uso;     /* the kernel took the USO offloads */
	struct dp_tapq_stats st;
};

/* Open a queue of tap ifname (made by the first, IFF_MULTI_QUEUE when
 * multi), non-blocking, with the offloads on: checksum and TSO, and USO
 * when want_uso and the kernel has it (*uso says). fd or -errno. */
int dp_tapq_open_fd(const char *ifname, bool multi, bool want_uso, bool *uso);

/* Queue q's rings, read buffer and fd (which q owns from here). NULL on
 * error, fd closed. */
struct dp_tapq *dp_tapq_create(const char *ifname, unsigned q, int fd, int socket);
/* After the net_ring port is closed. NULL is fine. */
void dp_tapq_free(struct dp_tapq *q);

/* Read what the kernel has (a few frames, while the rx ring has room for
 * a whole super-frame's segments) into the rx ring. Frames made. */
unsigned dp_tapq_pull(struct dp_tapq *q);
/* Write what the tx ring holds, coalesced. Frames written. */
unsigned dp_tapq_push(struct dp_tapq *q);

#endif /* OMNI_DP_TAPQ_H */
