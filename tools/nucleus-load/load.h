/* SPDX-License-Identifier: MIT */
/* nucleus-load: options, simulated nodes, the run and its report. */
#ifndef OMNI_TOOLS_NUCLEUS_LOAD_H
#define OMNI_TOOLS_NUCLEUS_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "signaling/codec.h"

enum {
	LOAD_SAMPLES_MAX = 4 << 20,
	LOAD_RETRY_US = 2000000, /* re-send an unanswered REGISTER */
	LOAD_LATE_US = 1000000,  /* after a phase: replies counted until this long without one */
	LOAD_SCAN_MAX = 4096,    /* nodes looked at for a retry per pass */
};

/* Receive-buffer drops the kernel counted (loss.c). */
struct load_drops {
	uint64_t nucleus, tool;
};

/* One phase's messages: sent, answered, and where the rest went. */
struct load_phase {
	uint64_t sent, answered, send_errors;
	struct load_drops before, after;
};

struct load_opts {
	const char *nucleus, *write_config, *secret_prefix;
	unsigned nodes, clusters, seconds, heartbeat_ms, register_rate, sources;
	int pid;
};

struct load_node {
	uint8_t pubkey[SIG_PUBKEY_LEN];
	uint64_t sent_us; /* of the request in flight; 0: none */
	uint64_t next_us; /* next heartbeat */
	uint64_t version;
	uint32_t epoch;
	bool registered;
};

struct load {
	struct load_opts o;
	struct sig_keys *keys; /* per cluster */
	struct load_node *nodes;
	int *fds;          /* per source */
	uint32_t *lat;     /* heartbeat reply latencies, us */
	uint32_t *reg_lat; /* register reply latencies, us (aliases lat's tail) */
	size_t n_lat, n_reg_lat;
	unsigned registered;
	unsigned port; /* the nucleus's */
	struct load_phase reg, hb, *cur;
	uint64_t unknown;
	uint64_t reg_us, sustain_us; /* phase durations */
	uint64_t cpu_ticks, own_ticks, rss_before_kb;
};

int load_parse(struct load_opts *o, int argc, char **argv);
void load_socket_tune(int fd);
int load_run(struct load *l);
void load_report(const struct load *l);
void load_drops_read(unsigned port, struct load_drops *d);

#endif /* OMNI_TOOLS_NUCLEUS_LOAD_H */
