/* SPDX-License-Identifier: MIT */
/*
 * The loader glue of omni_xdp (omni_xdp.bpf.c) for DPDK 22.11's net_af_xdp.
 *
 * net_af_xdp loads the object given as its `xdp_prog=` devarg, attaches it
 * (XDP_FLAGS_UPDATE_IF_NOEXIST, no mode flag: the kernel picks native when
 * the driver has XDP, generic otherwise) and puts each queue's AF_XDP
 * socket into the object's "xsks_map". It neither pins the maps nor takes
 * a pinned one (22.11 has no such devarg), so this glue finds them again
 * through the interface's attached program id, then writes the config and
 * the live receiver indices and reads the counters.
 *
 * Life cycle (control thread only):
 *   xdpfb_prepare   before the port opens: lock the interface (a second
 *                      gateway on it is refused), replace a stale omni_xdp
 *                      left by a crashed run, refuse a foreign program
 *   (net_af_xdp starts with xdp_prog=xdpfb_object())
 *   xdpfb_bind      after it started: check the attached program is
 *                      ours, move it to generic mode if asked, configure
 *   xdpfb_set_local the gateway's addresses, once it knows them
 *   xdpfb_index_*   as sessions come and go (pl_sessions hook)
 *   xdpfb_close     after the port closed: detach what is left, unlock
 * A prepared but never bound handle (af_packet underlay) only holds the
 * lock. Errors are -errno with a message in the handle (xdpfb_error).
 */
#ifndef OMNI_XDP_LOADER_H
#define OMNI_XDP_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omni_xdp.h"

enum xdpfb_mode {
	XDPFB_MODE_AUTO = 0, /* native where the driver has it, else generic */
	XDPFB_MODE_NATIVE,   /* native or fail */
	XDPFB_MODE_GENERIC,  /* generic (SKB) even where native exists */
};

struct xdpfb_conf {
	const char *ifname;
	enum xdpfb_mode mode;
	uint16_t port;        /* UDP listen port */
	uint32_t init_rate;   /* initiations/s per source; 0: XDPFB_INIT_RATE */
	uint32_t init_burst;  /* 0: XDPFB_INIT_BURST */
	const char *lock_dir; /* NULL: XDPFB_LOCK_DIR */
	const char *object;   /* NULL: xdpfb_default_object() */
};

#define XDPFB_LOCK_DIR "/run/omninervous"

/* Counters summed over the CPUs; drops[] indexed by OMNI_XDP_DROP_*. */
struct xdpfb_counters {
	uint64_t drops[XDPFB_DROP_COUNT];
	uint64_t redirected;
	uint64_t other_addr; /* the listen port of another local address: passed */
};

/* The gateway's own underlay addresses (network order; zero: none). */
struct xdpfb_local {
	uint8_t ip4[4];
	uint8_t ip6[16];
	uint8_t ip6_ll[16];
};

struct xdpfb {
	struct xdpfb_conf conf;
	struct xdpfb_local local;
	unsigned ifindex;
	int lock_fd;
	long lock_stale_pid; /* the lock file named a run that died: its pid */
	int prog_fd, cfg_fd, live_fd, counters_fd;
	uint32_t prog_id;
	bool bound;
	bool generic;         /* attached in generic (SKB) mode */
	bool index_check_off; /* the live map failed once: checks disabled */
	unsigned ncpus;
	uint64_t *per_cpu; /* ncpus values: one counter being summed */
	char lock_path[128];
	char object[256];
	char driver[32];
	char note[256]; /* what prepare/bind did worth a log line */
	char error[256];
};

/* Zero the handle (fds -1). */
void xdpfb_init(struct xdpfb *x);

/* See above. -EBUSY: another gateway runs on the interface; -EEXIST:
 * another XDP program is attached (not ours, not replaced). */
int xdpfb_prepare(struct xdpfb *x, const struct xdpfb_conf *c);

/* The object file to pass as net_af_xdp's xdp_prog. */
const char *xdpfb_object(const struct xdpfb *x);

/* The program net_af_xdp attached: find its maps, set the mode, write the
 * config. -ENOENT: no program; -EPROTO: not ours; -EOPNOTSUPP: native
 * asked for, the driver has none. */
int xdpfb_bind(struct xdpfb *x);

/* The addresses the gateway answers on: the program passes the listen port
 * of any other address to the kernel. Until they are set, it passes every
 * packet to the port. Control thread; written now if bound, else at bind. */
int xdpfb_set_local(struct xdpfb *x, const struct xdpfb_local *local);

/* A new listen port (wg(8)'s listen-port): written now if bound. Control
 * thread. */
int xdpfb_set_port(struct xdpfb *x, uint16_t port);

/* Control lcore: a receiver index became live / died. No-op unless bound.
 * When the map refuses an index (full), the index check is switched off
 * in the program rather than drop live traffic. */
void xdpfb_index_add(struct xdpfb *x, uint32_t index);
void xdpfb_index_del(struct xdpfb *x, uint32_t index);

/* Sum the per-CPU counters; zeros unless bound. */
int xdpfb_stats(const struct xdpfb *x, struct xdpfb_counters *out);

/* "truncated", "bad_size", ... */
const char *xdpfb_drop_name(unsigned reason);
/* "auto", "native", "generic"; parse: 0 or -EINVAL. */
const char *xdpfb_mode_name(enum xdpfb_mode m);
int xdpfb_mode_parse(const char *s, enum xdpfb_mode *m);

/* One line: "native XDP (driver veth), program omni_xdp id 12" etc. */
const char *xdpfb_describe(const struct xdpfb *x, char *buf, size_t len);

/* Detach our program if it is still attached, close the maps, unlock. */
void xdpfb_close(struct xdpfb *x);

/* The last error message. */
static inline const char *xdpfb_error(const struct xdpfb *x)
{
	return x->error;
}

#endif /* OMNI_XDP_LOADER_H */
