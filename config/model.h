/* SPDX-License-Identifier: MIT */
/*
 * The one configuration model of an edge.
 *
 * Every source of configuration (a wg-quick file, the JSON file, the command
 * line) fills this plain structure; nothing here touches the running
 * gateway. The flow is always the same:
 *
 *   cfg_config_init()      defaults
 *   reader(s)               wg-quick file (wgquick.h), JSON file, CLI flags
 *   cfg_config_validate()  rules across fields, first problem reported
 *   apply                   elsewhere, all at once
 *   cfg_config_free()      secrets wiped, heap released
 *
 * so a bad file never half-applies. The model is control-plane only: lists
 * live on the heap, secrets (private key, preshared keys, cluster secret) are
 * wiped by cfg_config_free().
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

enum cfg_config_limits {
	CFG_DEFAULT_LISTEN_PORT = 51820,
	CFG_DEFAULT_MTU = 1420,
	CFG_MTU_MIN = 576,               /* smallest IPv4 datagram every host takes (RFC 791) */
	CFG_MTU_MIN_IPV6 = 1280,         /* IPv6 minimum link MTU (RFC 8200, section 5) */
	CFG_MTU_MAX = 9000,              /* jumbo frames; bounded by the data plane's mbufs */
	CFG_IFNAME_MAX = 16,             /* IFNAMSIZ, NUL included */
	CFG_DEVNAME_MAX = 64,            /* PCI address, DPDK vdev or kernel interface name */
	CFG_ADDR_TEXT_MAX = 72,          /* "[IPv6%scope]:port" and NUL */
	CFG_SECRET_MIN = 16,             /* cluster secret, in characters (seed rule) */
	CFG_DEFAULT_METRICS_PORT = 9586, /* prometheus_wireguard_exporter's port */
	CFG_DEFAULT_MAX_SESSIONS_PER_IP = 10,
	CFG_DEFAULT_HANDSHAKE_TIMEOUT_SECS = 5, /* WireGuard's REKEY_TIMEOUT: the only value */
	CFG_DEFAULT_HAPPY_EYEBALLS_MS = 250,    /* RFC 8305, section 5 */
	CFG_CONFIG_ERR_MAX = 512,               /* a good size for err buffers */
	CFG_CLUSTER_NAME_MAX = 64,              /* characters of a cluster name */
	/* L2 fabric (docs/l2.md). */
	CFG_DEFAULT_VNI = 4200,      /* VXLAN network identifier of the segment */
	CFG_VNI_MAX = 0xffffff,      /* 24 bits (RFC 7348) */
	CFG_DEFAULT_FDB_SIZE = 4096, /* MAC addresses the FDB holds */
	CFG_FDB_SIZE_MIN = 64,
	CFG_FDB_SIZE_MAX = 1048576,
	CFG_DEFAULT_FDB_AGE_SECS = 300, /* as Linux bridges and most switches */
	CFG_FDB_AGE_MAX = 86400,
	CFG_DEFAULT_FLOOD_PPS = 2000, /* flooded frames a second to each member */
	CFG_FLOOD_PPS_MAX = 10000000,
	/* What VXLAN costs inside the tunnel, with the frame's Ethernet header:
	 * outer IPv4 (20) or IPv6 (40) between the VIPs, UDP 8, VXLAN 8,
	 * Ethernet 14 (docs/l2.md). omni0's MTU is the tunnel's less this. */
	CFG_L2_OVERHEAD4 = 50,
	CFG_L2_OVERHEAD6 = 70,
};

#define CFG_DEFAULT_HOST_PORT_NAME "omni0"
#define CFG_DEFAULT_METRICS_LISTEN "127.0.0.1:9586"
/* The seeds' cluster network: a VIP in it given without /LEN gets its length. */
#define CFG_DEFAULT_CLUSTER_PREFIX "10.200.0.0/16"

/*
 * A peer's UDP address as the resolver gave it: a sockaddr, so an IPv6
 * scope id ("[fe80::1%eth0]:51820") and the name as written survive. The
 * data plane takes it through net/addr.h (net_endpoint_from_sockaddr).
 * Prefixes (addresses, allowed IPs, VIPs) are struct net_prefix, the one
 * address type (net/addr.h).
 */
struct cfg_endpoint {
	struct sockaddr_storage addr; /* ss_family AF_UNSPEC: none given */
	bool from_name;               /* the host was a DNS name, resolved at parse time */
	char *name;                   /* "host:port" as written when from_name, else NULL */
};

enum cfg_host_port_kind {
	CFG_HOST_PORT_AUTO = 0,    /* fastest kind available, chosen at start */
	CFG_HOST_PORT_TAP,         /* DPDK net_tap */
	CFG_HOST_PORT_VIRTIO_USER, /* virtio_user over vhost-net */
	CFG_HOST_PORT_VETH,        /* veth pair, our end through net_af_xdp */
	CFG_HOST_PORT_TAP_GSO,     /* our tap with vnet headers and TSO */
};

enum cfg_log_level {
	CFG_LOG_ERROR = 0,
	CFG_LOG_WARN,
	CFG_LOG_INFO,
	CFG_LOG_DEBUG,
};

/* What the process runs as (--mode, "mode" in JSON). */
enum cfg_mode {
	CFG_MODE_EDGE = 0,
	CFG_MODE_NUCLEUS,
};

/* What omni0 is ("network.mode", --network-mode): L3, a routed interface
 * with the VIPs (default), or L2, a port of one Ethernet segment across
 * the cluster (docs/l2.md). */
enum cfg_net_mode {
	CFG_NET_L3 = 0,
	CFG_NET_L2,
};

/* The kind of file the model was read from: messages name places its way
 * ("peer 2" and [Interface] keys for wg-quick, "peers[2]" and JSON paths). */
enum cfg_config_format {
	CFG_FORMAT_NONE = 0,
	CFG_FORMAT_WGQUICK,
	CFG_FORMAT_JSON,
};

enum cfg_tristate {
	CFG_AUTO = 0,
	CFG_OFF,
	CFG_ON,
};

/* [Interface] of wg-quick; "daemon" and part of "security" in JSON. */
struct cfg_interface {
	uint8_t private_key[WG_KEY_LEN]; /* secret */
	bool has_private_key;
	char *private_key_file;       /* key file (as --key) when no inline key; NULL: none */
	uint16_t listen_port;         /* default 51820 */
	struct net_prefix *addresses; /* host-port addresses, v4 and v6 */
	size_t n_addresses;
	uint16_t mtu;                        /* of the host port; default 1420 */
	char host_port_name[CFG_IFNAME_MAX]; /* default "omni0" */
	enum cfg_host_port_kind host_port_kind;
	char underlay[CFG_DEVNAME_MAX]; /* "": not set */
	unsigned src_line;              /* line of [Interface] in its file; 0: unknown */
};

/* [Peer] of wg-quick; peers[] in JSON. */
struct cfg_peer {
	uint8_t public_key[WG_KEY_LEN];
	bool has_public_key;
	uint8_t preshared_key[WG_KEY_LEN]; /* secret */
	bool has_preshared_key;
	char *preshared_key_file; /* read by cfg_config_load_secrets; NULL: none */
	struct cfg_endpoint endpoint;
	struct net_prefix *allowed_ips; /* host bits cleared */
	size_t n_allowed_ips;
	uint16_t persistent_keepalive; /* seconds; 0: off */
	unsigned src_line;             /* line of [Peer] in its file; 0: unknown */
	bool learned; /* from the cluster, not the configuration (never read from a file) */
};

/* Nucleus, cluster and NAT traversal ("network" in JSON). */
struct cfg_network {
	char *nucleus;          /* "host:port"; NULL: static peers only */
	char *cluster;          /* NULL: none */
	struct net_prefix vip;  /* family NET_AF_NONE: none */
	struct net_prefix vip6; /* family NET_AF_NONE: none */
	char **stun_servers;    /* "host:port" each */
	size_t n_stun_servers;
	bool use_builtin_stun;            /* default false: there is no built-in list */
	bool prefer_ipv6;                 /* default false */
	uint32_t happy_eyeballs_delay_ms; /* default 250 */
	/* The nucleus's public key, pinned (--nucleus-key, "nucleus_key"):
	 * its answers are trusted only when made with it. */
	uint8_t nucleus_key[32];
	bool has_nucleus_key;
	/* L2 fabric (docs/l2.md): the mode, the VXLAN VNI, the FDB's size and
	 * ageing, the per-member flood limit (frames a second). */
	enum cfg_net_mode net_mode;
	uint32_t vni;
	uint32_t fdb_size;
	uint32_t fdb_age_secs;
	uint32_t flood_pps;
};

struct cfg_security {
	char *secret;                    /* cluster secret; wiped; NULL: none */
	char *secret_file;               /* NULL: none */
	uint32_t max_sessions_per_ip;    /* new handshakes per second per source IP */
	uint32_t handshake_timeout_secs; /* default 5 */
	bool encrypt_signaling;          /* default true */
};

struct cfg_dpdk {
	char *lcores;      /* EAL lcore list ("0-3", "0@1,1@2"); NULL: see n_lcores */
	unsigned n_lcores; /* main + workers when no list; 0: chosen at start */
	char **devices;    /* allow list (PCI addresses, vdevs) */
	size_t n_devices;
	char **eal_args; /* extra EAL arguments, in order */
	size_t n_eal_args;
	uint32_t memory_mb;          /* 0: chosen at start */
	enum cfg_tristate hugepages; /* AUTO: use them when set up */
};

struct cfg_metrics {
	char listen[CFG_ADDR_TEXT_MAX]; /* default "127.0.0.1:9586"; "": off */
};

/* A cluster the nucleus serves. */
struct cfg_cluster {
	char *name;
	char *secret;      /* wiped; NULL until read from secret_file */
	char *secret_file; /* NULL: none */
	/* "members": only these keys may register; has_members false: any
	 * key with the secret (docs/signaling.md, "Admission and revocation"). */
	bool has_members;
	uint8_t (*members)[32];
	size_t n_members;
	enum cfg_net_mode net_mode; /* "mode": announced to members (docs/l2.md) */
};

enum {
	CFG_TURN_SERVERS_MAX = 4, /* signaling's SIG_TURN_SERVERS_MAX */
	CFG_TURN_TTL_MIN = 60,    /* s: a credential must outlive an Allocate */
	CFG_TURN_TTL_MAX = 86400,
};
enum { CFG_SECRET_WINDOW_DEFAULT_S = 3600, CFG_SECRET_WINDOW_MAX_S = 7 * 86400 };

/* The nucleus (signaling server) side: "nucleus" in JSON. */
struct cfg_nucleus {
	uint16_t port;       /* UDP listen port; default 51820 */
	char *key_file;      /* the nucleus's private key (as --key); NULL: none */
	bool legacy_members; /* serve edges that prove no identity (old ones) */
	/* Seconds a changed cluster secret's old one stays accepted after a
	 * reload (docs/signaling.md, "Rotating the cluster secret"); 0: the
	 * default, CFG_SECRET_WINDOW_DEFAULT_S. */
	uint32_t secret_window;
	struct cfg_cluster *clusters;
	size_t n_clusters;
	/* The relay (docs/signaling.md, "The relay"): TURN servers "HOST:PORT",
	 * coturn's static-auth-secret (from turn_secret_file, 0600), and the
	 * lifetime of the credentials members get (0: the default). */
	char **turn_servers;
	size_t n_turn_servers;
	char *turn_secret_file;
	char *turn_secret; /* loaded; wiped */
	uint32_t turn_ttl_secs;
};

struct cfg_config {
	char *source; /* file name for messages; NULL: none */
	enum cfg_config_format format;
	enum cfg_mode mode; /* default edge */
	struct cfg_interface iface;
	struct cfg_peer *peers;
	size_t n_peers;
	struct cfg_network network;
	struct cfg_security security;
	struct cfg_dpdk dpdk;
	struct cfg_metrics metrics;
	struct cfg_nucleus nucleus;
	enum cfg_log_level log_level; /* default info */
	char **warnings;              /* readers' notes ("FILE:LINE: DNS ignored ..."), in order */
	size_t n_warnings;
};

/* Defaults everywhere, nothing allocated. */
void cfg_config_init(struct cfg_config *cfg);

/* Wipes the secrets, frees everything, leaves cfg as cfg_config_init does.
 * Safe on an initialized config and twice in a row. */
void cfg_config_free(struct cfg_config *cfg);

/*
 * Rules across fields. Returns 0, or -EINVAL with the first problem in err
 * ("FILE:LINE: peer 2 (xTIBA5rb...): ..."; FILE and LINE when known).
 * Checks: a usable private key; listen port and MTU in range (1280 or more
 * with an IPv6 address); addresses valid and distinct; every peer has a
 * public key, not the interface's own, no two peers share one; no allowed IP
 * claimed by two peers; endpoint ports non-zero; cluster secret length; the
 * VIPs' families. In nucleus mode instead: the listen port, and clusters
 * with distinct names, each with a secret of CFG_SECRET_MIN characters.
 * Files named in the model (secret_file, preshared_key_file) must have been
 * read first (secret.h).
 */
int cfg_config_validate(const struct cfg_config *cfg, char *err, size_t errlen);

/* Builders. Each returns 0 or -ENOMEM (NULL with errno for add_peer). */
struct cfg_peer *cfg_config_add_peer(struct cfg_config *cfg);
/* A deep copy of src into dst (uninitialized); 0 or -ENOMEM (dst left
 * empty). */
int cfg_peer_copy(struct cfg_peer *dst, const struct cfg_peer *src);
/* Wipes its secrets, frees what it holds, leaves it zeroed. */
void cfg_peer_clear(struct cfg_peer *peer);
/* Removes peers[i], wiping its secrets; later peers move down by one. */
void cfg_config_remove_peer(struct cfg_config *cfg, size_t i);
struct cfg_cluster *cfg_nucleus_add_cluster(struct cfg_nucleus *n);
int cfg_interface_add_address(struct cfg_interface *iface, const struct net_prefix *p);
int cfg_peer_add_allowed_ip(struct cfg_peer *peer, const struct net_prefix *p);
int cfg_strlist_add(char ***list, size_t *n, const char *s);
int cfg_config_add_warning(struct cfg_config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Names as the CLI and JSON spell them ("tap", "virtio-user", "veth",
 * "tap-gso", "auto"; "error", "warn", "info", "debug"). from_name returns -EINVAL
 * for an unknown name. */
const char *cfg_host_port_kind_name(enum cfg_host_port_kind kind);
int cfg_host_port_kind_from_name(const char *name, enum cfg_host_port_kind *out);
const char *cfg_log_level_name(enum cfg_log_level level);
int cfg_log_level_from_name(const char *name, enum cfg_log_level *out);
const char *cfg_mode_name(enum cfg_mode mode);
const char *cfg_net_mode_name(enum cfg_net_mode mode); /* "l3", "l2" */
int cfg_net_mode_from_name(const char *name, enum cfg_net_mode *out);
int cfg_mode_from_name(const char *name, enum cfg_mode *out);

#endif /* OMNI_CONFIG_MODEL_H */
