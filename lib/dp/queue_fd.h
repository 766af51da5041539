/* SPDX-License-Identifier: MIT */
/*
 * The kernel file descriptors behind a port's rx queues, so an idle poll
 * loop can sleep in poll(2) and wake when a packet arrives instead of
 * after a fixed time (dp/idle.h).
 *
 * DPDK 22.11's net_af_xdp and net_af_packet have no rx interrupts. Their
 * queues are kernel objects all the same: an AF_XDP socket (made when the
 * rx queue is set up) or a packet socket (made when the port is probed).
 * So we note which of those /proc/self/fd gains while a port is probed and
 * while each queue is set up. The PMD keeps doing all reading and writing:
 * the loop only ever asks poll(2) whether one is readable.
 *
 * Not net_tap: its rx burst reads nothing until its SIGIO handler has run
 * (on whichever thread the kernel picks), so a readable descriptor would
 * make the loop spin until then (seen here: the loop gave up on it after
 * DP_IDLE_SPURIOUS_MAX empty wake-ups, once per ping).
 *
 * Single-threaded with respect to port set-up (the control thread opens
 * ports before any other thread makes sockets of these kinds).
 */
#ifndef OMNI_DP_QUEUE_FD_H
#define OMNI_DP_QUEUE_FD_H

#include <stdbool.h>
#include <stdint.h>

enum { DP_FDSET_MAX = 4096 }; /* descriptors above this are not tracked */

/* The descriptors of the kinds above (AF_XDP and packet sockets) open at
 * one moment. */
struct dp_fdset {
	uint64_t bits[DP_FDSET_MAX / 64];
};

/* Fill s with what is open now; 0 or -errno (no /proc). */
int dp_fdset_scan(struct dp_fdset *s);

/* Descriptors in after and not in before, ascending, at most max of them
 * into fds; returns how many there were (may exceed max). */
unsigned dp_fdset_added(const struct dp_fdset *before, const struct dp_fdset *after, int *fds,
			unsigned max);

/* Whether fd is one of the kinds above (exposed for the tests). */
bool dp_fd_is_queue_kind(int fd);

#endif /* OMNI_DP_QUEUE_FD_H */
