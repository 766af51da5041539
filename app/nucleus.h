/* SPDX-License-Identifier: MIT */
/*
 * The nucleus process (--mode nucleus): the clusters it serves, read from
 * the command line or a list file, and the UDP/epoll loop around the pure
 * core of signaling/nucleus.h.
 */
#ifndef OMNI_APP_NUCLEUS_H
#define OMNI_APP_NUCLEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdint.h>

#include "cli.h"
#include "config/model.h"
#include "signaling/lograte.h"
#include "signaling/nucleus.h"

/* The relay offered to members (nucleus_turn.c); n 0: none. */
struct omni_nucleus_turn {
	struct net_endpoint servers[SIG_TURN_SERVERS_MAX];
	unsigned n;
	char *secret;   /* coturn's static-auth-secret; wiped */
	uint32_t ttl_s; /* 0: SIG_NUCLEUS_TURN_TTL_DEFAULT */
};

/* From --turn, --turn-secret-file, --turn-ttl; 0, or -1 after printing why. */
int omni_nucleus_turn_flags(struct omni_nucleus_turn *t, const struct omni_cli *cli);
/* From the JSON file's nucleus section (takes its loaded secret). */
int omni_nucleus_turn_file(struct omni_nucleus_turn *t, struct cfg_nucleus *n, const char *prog);
void omni_nucleus_turn_free(struct omni_nucleus_turn *t);

/* Clusters to serve, owned (names and secrets are copies; secrets wiped). */
struct omni_nucleus_clusters {
	struct nucleus_cluster_conf *list;
	size_t n;
	char *open_secret; /* no list: any cluster name with this secret; wiped */
	bool open_l2;      /* those clusters are L2 fabrics (--network-mode l2) */
	uint16_t port;     /* from the file; 0: not given */
	char *key_file;    /* the file's nucleus.key_file; NULL: not given */
	bool legacy_members;
	uint32_t secret_window_s; /* nucleus.secret_window, or its default */
	char metrics[72];         /* from the file; "": not given or off */
	struct omni_nucleus_turn turn;
};

/*
 * From a secret (--secret-file, OMNI_SECRET or --secret) alone: any
 * cluster name with it (the open nucleus of the seeds); with --cluster
 * NAME: that one cluster; or from --config FILE (JSON: "nucleus":
 * clusters, port; "metrics": listen; no clusters but "security": secret:
 * open).
 * 0, or -1 after printing the reason (file:line and the rule) to stderr.
 */
int omni_nucleus_clusters_load(struct omni_nucleus_clusters *cl, const struct omni_cli *cli);
void omni_nucleus_clusters_free(struct omni_nucleus_clusters *cl);

/*
 * The nucleus's static key pair (nucleus_key.c) from --key FILE or the
 * file's nucleus.key_file: loaded, or made at the first start (mode 0600;
 * a file group or others can read is refused). 1 with no file given (the
 * core makes a key for this run) or, without create, none there yet; 0
 * with priv filled (the caller wipes it), or -1 after printing why.
 */
int omni_nucleus_key(const char *path, bool create, uint8_t priv[32], const char *prog);

/* The refusals the nucleus logs (nucleus_refusal.c). */
struct omni_nucleus_log {
	struct sig_lograte rate;
	uint64_t suppressed;                 /* lines not logged; read by the metrics thread */
	char detail[SIG_NUCLEUS_DETAIL_MAX]; /* the core's text of the refusal in hand */
};

/*
 * The core's hook (sig_nucleus_conf.log, ctx: the omni_nucleus_log): keeps
 * the text of the refusal being made for omni_nucleus_refusal's line.
 */
void omni_nucleus_refusal_detail(void *ctx, const char *line);

/*
 * A datagram the core just dropped (its counters before and after the
 * input): logs the reason when an operator can act on it, with the core's
 * text of it if any, at most once a minute per source and 20 lines a
 * minute in all; the rest counted in suppressed.
 */
void omni_nucleus_refusal(struct omni_nucleus_log *l, const struct sig_nucleus_stats *before,
			  const struct sig_nucleus_stats *after, const struct net_endpoint *from,
			  const uint8_t *p, size_t len, uint64_t now_ms);

/* Datagrams in batches, both ways (nucleus_io.c). One thread. */
enum {
	OMNI_NUCLEUS_BATCH = 64, /* datagrams read at once */
	OMNI_NUCLEUS_TX_MAX = OMNI_NUCLEUS_BATCH * SIG_NUCLEUS_OUT_MAX,
	OMNI_NUCLEUS_TX_WAIT_MS = 10, /* for room in a full send buffer */
};

struct omni_nucleus_io {
	struct mmsghdr rx[OMNI_NUCLEUS_BATCH];
	struct iovec rx_iov[OMNI_NUCLEUS_BATCH];
	struct sockaddr_storage rx_from[OMNI_NUCLEUS_BATCH];
	uint8_t rx_buf[OMNI_NUCLEUS_BATCH][SIG_DATAGRAM_MAX + 1];
	struct sig_out tx_out[OMNI_NUCLEUS_TX_MAX]; /* the core writes answers here */
	struct mmsghdr tx[OMNI_NUCLEUS_TX_MAX];
	struct iovec tx_iov[OMNI_NUCLEUS_TX_MAX];
	struct sockaddr_storage tx_to[OMNI_NUCLEUS_TX_MAX];
	unsigned n_tx;
	int family; /* of the socket: AF_INET6 (dual stack) or AF_INET */
	uint64_t send_errors;
};

void omni_nucleus_io_init(struct omni_nucleus_io *io, bool v6);
/* Asks for want bytes each way; *rx, *tx: what the kernel granted. */
void omni_nucleus_io_bufs(int fd, int want, int *rx, int *tx);
/* Reads up to OMNI_NUCLEUS_BATCH datagrams: rx[i].msg_len bytes in
 * rx_buf[i] from rx_from[i]. The count; 0 when none wait. */
unsigned omni_nucleus_recv(struct omni_nucleus_io *io, int fd);
/* Where the core may write one input's answers (SIG_NUCLEUS_OUT_MAX);
 * commit them with io->n_tx += count. */
struct sig_out *omni_nucleus_tx_slot(struct omni_nucleus_io *io, int fd);
/* Sends what is queued (sendmmsg); what cannot go is counted. */
void omni_nucleus_flush(struct omni_nucleus_io *io, int fd);

#endif /* OMNI_APP_NUCLEUS_H */
