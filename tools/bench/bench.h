/* SPDX-License-Identifier: MIT */
/*
 * omni-bench: one section per file (bench_aead.c, ...), each a
 * bench_<section>_run() that main() in bench.c calls in turn.
 */
#ifndef OMNI_BENCH_H
#define OMNI_BENCH_H

#include <stdint.h>

struct bench_opts {
	int quick;    /* about 3 s in all instead of about 30 s */
	int only_fdb; /* --fdb: the EAL and the fdb section only */
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* Bulk ChaCha20-Poly1305 seal per back end; 0 or -1 on a broken back end. */
int bench_aead_run(const struct bench_opts *opts);

/* Full Noise_IKpsk2 exchanges per second for `seconds`; 0 or -1. */
int bench_handshake_run(double seconds);

/* One worker on net_ring ports vs the bulk-AEAD loop, and memory, with
 * 1000 peers (bench_pipeline.c); 0, or -1 on a broken path. Starts and
 * stops the EAL: call at most once. */
int bench_pipeline_run(const struct bench_opts *opts);

/* The L2 MAC table against the session table (bench_fdb.c), with the EAL
 * up (bench_pipeline_run calls it); 0, or -1 when a lookup is wrong. */
int bench_fdb_run(const struct bench_opts *opts);

#endif /* OMNI_BENCH_H */
