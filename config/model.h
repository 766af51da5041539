/* SPDX-License-Identifier: MIT */
/*
 * The one configuration model of an edge.
 *
 * Every source of configuration (a wg-quick file, the JSON file, the command
 * line) fills this plain structure; nothing here touches the running
 * gateway. The flow is always the same:
 *
 *   omni_config_init()      defaults
 *   reader(s)               wg-quick file (wgquick.h), JSON file, CLI flags
 *   omni_config_validate()  rules across fields, first problem reported
 *   apply                   elsewhere, all at once
 *   omni_config_free()      secrets wiped, heap released
 *
 * so a bad file never half-applies. The model is control-plane only: lists
 * live on the heap, secrets (private key, preshared keys, cluster secret) are
 * wiped by omni_config_free().
 *
 * Allowed IPs are stored with their host bits cleared (10.0.0.7/24 becomes
 * 10.0.0.0/24), as wg(8) and the kernel do; readers warn when they clear any.
 * Interface addresses keep their host bits: 10.77.0.1/24 is an address on a
 * /24.
 */
#ifndef OMNI_CONFIG_MODEL_H
#define OMNI_CONFIG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "net/addr.h"
#include "wg/messages.h"

enum omni_config_limits {
	OMNI_DEFAULT_LISTEN_PORT = 51820,
	OMNI_DEFAULT_MTU = 1420,
	OMNI_MTU_MIN = 576,       /* smallest IPv4 datagram every host takes (RFC 791) */
	OMNI_MTU_MIN_IPV6 = 1280, /* IPv6 minimum link MTU (RFC 8200, section 5) */
	OMNI_MTU_MAX = 9000,      /* jumbo frames; bounded by the data plane's mbufs */
	OMNI_IFNAME_MAX = 16,     /* IFNAMSIZ, NUL included */
	OMNI_DEVNAME_MAX = 64,    /* PCI address, DPDK vdev or kernel interface name */
	OMNI_ADDR_TEXT_MAX = 72,  /* "[IPv6%scope]:port" and NUL */
	OMNI_SECRET_MIN = 16,     /* cluster secret, in characters (seed rule) */
	OMNI_DEFAULT_METRICS_PORT = 9586, /* prometheus_wireguard_exporter's port */
	OMNI_DEFAULT_MAX_SESSIONS_PER_IP = 10,
	OMNI_DEFAULT_HANDSHAKE_TIMEOUT_SECS = 5,
	OMNI_DEFAULT_HAPPY_EYEBALLS_MS = 250, /* RFC 8305, section 5 */
	OMNI_CONFIG_ERR_MAX = 512, /* a good size for err buffers */
	OMNI_CLUSTER_NAME_MAX = 64, /* characters of a cluster name */
};

#define OMNI_DEFAULT_HOST_PORT_NAME "omni0"
#define OMNI_DEFAULT_METRICS_LISTEN "127.0.0.1:9586"

/*
 * A peer's UDP address as the resolver gave it: a sockaddr, so an IPv6
 * scope id ("[fe80::1%eth0]:51820") and the name as written survive. The
 * data plane takes it through net/addr.h (net_endpoint_from_sockaddr).
 * Prefixes (addresses, allowed IPs, VIPs) are struct net_prefix, the one
 * address type (net/addr.h).
 */
struct omni_endpoint {
	struct sockaddr_storage addr; /* ss_family AF_UNSPEC: none given */
	bool from_name; /* the host was a DNS name, resolved at parse time */
	char *name;     /* "host:port" as written when from_name, else NULL */
};

enum omni_host_port_kind {
	OMNI_HOST_PORT_AUTO = 0, /* fastest kind available, chosen at start */
	OMNI_HOST_PORT_TAP,      /* DPDK net_tap */
	OMNI_HOST_PORT_VIRTIO_USER, /* virtio_user over vhost-net */
	OMNI_HOST_PORT_VETH,     /* veth pair, our end through net_af_xdp */
};

enum omni_log_level {
	OMNI_LOG_ERROR = 0,
	OMNI_LOG_WARN,
	OMNI_LOG_INFO,
	OMNI_LOG_DEBUG,
};

/* What the process runs as (--mode, "mode" in JSON). */
enum omni_mode {
	OMNI_MODE_EDGE = 0,
	OMNI_MODE_NUCLEUS,
};

/* The kind of file the model was read from: messages name places its way
 * ("peer 2" and [Interface] keys for wg-quick, "peers[2]" and JSON paths). */
enum omni_config_format {
	OMNI_FORMAT_NONE = 0,
	OMNI_FORMAT_WGQUICK,
	OMNI_FORMAT_JSON,
};

enum omni_tristate {
	OMNI_AUTO = 0,
	OMNI_OFF,
	OMNI_ON,
};

/* [Interface] of wg-quick; "daemon" and part of "security" in JSON. */
struct omni_interface {
	uint8_t private_key[WG_KEY_LEN]; /* secret */
	bool has_private_key;
	char *private_key_file; /* key file (as --key) when no inline key; NULL: none */
	uint16_t listen_port; /* default 51820 */
	struct net_prefix *addresses; /* host-port addresses, v4 and v6 */
	size_t n_addresses;
	uint16_t mtu; /* of the host port; default 1420 */
	char host_port_name[OMNI_IFNAME_MAX]; /* default "omni0" */
	enum omni_host_port_kind host_port_kind;
	char underlay[OMNI_DEVNAME_MAX]; /* "": not set */
	unsigned src_line; /* line of [Interface] in its file; 0: unknown */
};

/* [Peer] of wg-quick; peers[] in JSON. */
struct omni_peer {
	uint8_t public_key[WG_KEY_LEN];
	bool has_public_key;
	uint8_t preshared_key[WG_KEY_LEN]; /* secret */
	bool has_preshared_key;
	char *preshared_key_file; /* read by omni_config_load_secrets; NULL: none */
	struct omni_endpoint endpoint;
	struct net_prefix *allowed_ips; /* host bits cleared */
	size_t n_allowed_ips;
	uint16_t persistent_keepalive; /* seconds; 0: off */
	unsigned src_line; /* line of [Peer] in its file; 0: unknown */
};

/* Nucleus, cluster and NAT traversal ("network" in JSON). */
struct omni_network {
	char *nucleus;              /* "host:port"; NULL: static peers only */
	char *cluster;              /* NULL: none */
	struct net_prefix vip;      /* family NET_AF_NONE: none */
	struct net_prefix vip6;     /* family NET_AF_NONE: none */
	char **stun_servers;        /* "host:port" each */
	size_t n_stun_servers;
	bool use_builtin_stun;      /* default true */
	bool prefer_ipv6;           /* default false */
	uint32_t happy_eyeballs_delay_ms; /* default 250 */
};

struct omni_security {
	char *secret;                    /* cluster secret; wiped; NULL: none */
	char *secret_file;               /* NULL: none */
	uint32_t max_sessions_per_ip;    /* new handshakes per second per source IP */
	uint32_t handshake_timeout_secs; /* default 5 */
	bool encrypt_signaling;          /* default true */
};

struct omni_dpdk {
	char *lcores;      /* EAL lcore list ("0-3", "0@1,1@2"); NULL: see n_lcores */
	unsigned n_lcores; /* main + workers when no list; 0: chosen at start */
	char **devices;    /* allow list (PCI addresses, vdevs) */
	size_t n_devices;
	char **eal_args;   /* extra EAL arguments, in order */
	size_t n_eal_args;
	uint32_t memory_mb;          /* 0: chosen at start */
	enum omni_tristate hugepages; /* AUTO: use them when set up */
};

struct omni_metrics {
	char listen[OMNI_ADDR_TEXT_MAX]; /* default "127.0.0.1:9586"; "": off */
};

/* A cluster the nucleus serves. */
struct omni_cluster {
	char *name;
	char *secret;      /* wiped; NULL until read from secret_file */
	char *secret_file; /* NULL: none */
};

/* The nucleus (signaling server) side: "nucleus" in JSON. */
struct omni_nucleus {
	uint16_t port; /* UDP listen port; default 51820 */
	struct omni_cluster *clusters;
	size_t n_clusters;
};

struct omni_config {
	char *source; /* file name for messages; NULL: none */
	enum omni_config_format format;
	enum omni_mode mode; /* default edge */
	struct omni_interface iface;
	struct omni_peer *peers;
	size_t n_peers;
	struct omni_network network;
	struct omni_security security;
	struct omni_dpdk dpdk;
	struct omni_metrics metrics;
	struct omni_nucleus nucleus;
	enum omni_log_level log_level; /* default info */
	char **warnings; /* readers' notes ("FILE:LINE: DNS ignored ..."), in order */
	size_t n_warnings;
};

/* Defaults everywhere, nothing allocated. */
void omni_config_init(struct omni_config *cfg);

/* Wipes the secrets, frees everything, leaves cfg as omni_config_init does.
 * Safe on an initialized config and twice in a row. */
void omni_config_free(struct omni_config *cfg);

/*
 * Rules across fields. Returns 0, or -EINVAL with the first problem in err
 * ("FILE:LINE: peer 2 (xTIBA5rb...): ..."; FILE and LINE when known).
 * Checks: a usable private key; listen port and MTU in range (1280 or more
 * with an IPv6 address); addresses valid and distinct; every peer has a
 * public key, not the interface's own, no two peers share one; no allowed IP
 * claimed by two peers; endpoint ports non-zero; cluster secret length; the
 * VIPs' families. In nucleus mode instead: the listen port, and clusters
 * with distinct names, each with a secret of OMNI_SECRET_MIN characters.
 * Files named in the model (secret_file, preshared_key_file) must have been
 * read first (secret.h).
 */
int omni_config_validate(const struct omni_config *cfg, char *err, size_t errlen);

/* Builders. Each returns 0 or -ENOMEM (NULL with errno for add_peer). */
struct omni_peer *omni_config_add_peer(struct omni_config *cfg);
/* A deep copy of src into dst (uninitialized); 0 or -ENOMEM (dst left
 * empty). */
int omni_peer_copy(struct omni_peer *dst, const struct omni_peer *src);
/* Wipes its secrets, frees what it holds, leaves it zeroed. */
void omni_peer_clear(struct omni_peer *peer);
/* Removes peers[i], wiping its secrets; later peers move down by one. */
void omni_config_remove_peer(struct omni_config *cfg, size_t i);
struct omni_cluster *omni_nucleus_add_cluster(struct omni_nucleus *n);
int omni_interface_add_address(struct omni_interface *iface, const struct net_prefix *p);
int omni_peer_add_allowed_ip(struct omni_peer *peer, const struct net_prefix *p);
int omni_strlist_add(char ***list, size_t *n, const char *s);
int omni_config_add_warning(struct omni_config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Names as the CLI and JSON spell them ("tap", "virtio-user", "veth",
 * "auto"; "error", "warn", "info", "debug"). from_name returns -EINVAL
 * for an unknown name. */
const char *omni_host_port_kind_name(enum omni_host_port_kind kind);
int omni_host_port_kind_from_name(const char *name, enum omni_host_port_kind *out);
const char *omni_log_level_name(enum omni_log_level level);
int omni_log_level_from_name(const char *name, enum omni_log_level *out);
const char *omni_mode_name(enum omni_mode mode);
int omni_mode_from_name(const char *name, enum omni_mode *out);

#endif /* OMNI_CONFIG_MODEL_H */
