/* SPDX-License-Identifier: MIT */
/*
 * What the XDP program (omni_xdp.bpf.c) and its loader (loader.c) share:
 * map names, the configuration record, the counters, the limits. Built both
 * with clang -target bpf and with the host compiler, so it uses only the
 * kernel's fixed-width types.
 *
 * The listen port carries three protocols (docs/xdp.md, DESIGN "One port,
 * many protocols"):
 *   WireGuard  first 4 bytes {type 1..4, 0, 0, 0}; initiation 148 bytes,
 *              response 92, cookie reply 64, transport data >= 32
 *   STUN       magic cookie 0x2112A442 at offset 4 (RFC 5389 section 6)
 *   signaling  XDPFB_SIG_MAGIC in the first 4 bytes (nucleus protocol)
 * Anything else sent to the listen port is dropped and counted.
 */
#ifndef OMNI_XDP_H
#define OMNI_XDP_H

#include <linux/types.h>

/* The program's name as `bpftool prog show` prints it. */
#define XDPFB_PROG_NAME "omni_xdp"

/* Map names (at most 15 characters: BPF_OBJ_NAME_LEN). net_af_xdp looks
 * for "xsks_map" in the object it loads. */
#define XDPFB_MAP_XSKS "xsks_map"
#define XDPFB_MAP_CFG "omni_cfg"
#define XDPFB_MAP_LIVE "omni_live"
#define XDPFB_MAP_RATE "omni_ratelimit"
#define XDPFB_MAP_COUNTERS "omni_counters"

/*
 * Nucleus signaling packets start with these 4 bytes in network order
 * ("ONSG", NET_SIG_MAGIC of lib/net/wire.h, which this program cannot
 * include; app/edge_xdp.c asserts they are equal, with the STUN values).
 * Not {1..4,0,0,0} (WireGuard), no 0x2112A442 at offset 4 (STUN).
 */
#define XDPFB_SIG_MAGIC 0x4f4e5347u

#define XDPFB_STUN_COOKIE 0x2112a442u

enum xdpfb_limits {
	XDPFB_MAX_QUEUES = 64,      /* XSKMAP entries: rx queues */
	XDPFB_MAX_LIVE = 65536,     /* live receiver indices */
	XDPFB_RATE_SOURCES = 16384, /* sources the initiation limit tracks */
	XDPFB_WG_INITIATION = 148,
	XDPFB_WG_RESPONSE = 92,
	XDPFB_WG_COOKIE = 64,
	XDPFB_WG_DATA_MIN = 32, /* header 16 + tag 16, keepalive */
	XDPFB_WG_PADDING = 16,  /* plaintext padded to a multiple */
	XDPFB_STUN_HEADER = 20,
	/* Defaults of the configuration record. */
	XDPFB_INIT_RATE = 20, /* initiations per second per source */
	XDPFB_INIT_BURST = 40,
	/* Senders cap the padding at their MTU: a plaintext this long may end
	 * unpadded (1420 is not a multiple of 16). */
	XDPFB_UNPADDED_MIN = 576,
};

/* cfg.flags */
enum xdpfb_flags {
	XDPFB_F_NO_INDEX_CHECK = 1u << 0, /* live map unusable: do not check */
};

/* The one entry of XDPFB_MAP_CFG. port 0: not configured yet, every
 * packet passes to the kernel. The addresses are the gateway's own on the
 * underlay, the ones it answers on (network order; all zero: none of that
 * kind): the listen port on any other address of the host is not ours and
 * passes to the kernel. */
struct xdpfb_cfg {
	__u16 port;      /* listen port, host order */
	__u16 flags;     /* enum xdpfb_flags */
	__u32 init_rate; /* initiations per second per source; 0: no limit */
	__u32 init_burst;
	__u32 unpadded_min; /* data plaintext from which padding may be absent */
	__u32 ip4;          /* IPv4 address */
	__u32 ip6[4];       /* global IPv6 address */
	__u32 ip6_ll[4];    /* link-local IPv6 address */
};

/* Initiation token bucket per source (IPv4 address, or IPv6 /64), in ns of
 * credit as the kernel's WireGuard rate limiter keeps it. */
struct xdpfb_rate_key {
	__u8 addr[16];
};

struct xdpfb_rate_val {
	__u64 last_ns;
	__u64 tokens_ns;
};

/* Counters of XDPFB_MAP_COUNTERS (per CPU): the drop reasons, then what
 * went to the socket, then what was for the listen port of another local
 * address (passed, not dropped). */
#define XDPFB_DROPS(X)                                                            \
	X(TRUNCATED, "truncated")         /* UDP length beyond the frame */       \
	X(FRAGMENT, "fragment")           /* an IP fragment to the listen port */ \
	X(BAD_SIZE, "bad_size")           /* WireGuard message of wrong size */   \
	X(RESERVED, "reserved")           /* nonzero reserved bytes */            \
	X(UNKNOWN_INDEX, "unknown_index") /* data for no live receiver index */   \
	X(RATELIMIT, "ratelimit")         /* initiations over the source rate */  \
	X(UNKNOWN_PROTO, "unknown_proto") /* not WireGuard, STUN or signaling */

enum xdpfb_counter {
#define XDPFB_DROP_ENUM(name, text) XDPFB_DROP_##name,
	XDPFB_DROPS(XDPFB_DROP_ENUM)
#undef XDPFB_DROP_ENUM
		XDPFB_DROP_COUNT,
	XDPFB_CNT_REDIRECT = XDPFB_DROP_COUNT, /* to the AF_XDP socket */
	XDPFB_CNT_OTHER_ADDR, /* the listen port on another address: to the kernel */
	XDPFB_CNT_COUNT,
};

#endif /* OMNI_XDP_H */
