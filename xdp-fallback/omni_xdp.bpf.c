/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * omni_xdp: the XDP program in front of the gateway's AF_XDP sockets.
 *
 *   frame ── Ethernet (+ up to 2 VLAN tags) ── IPv4 / IPv6 ── UDP
 *              │ anything else, other ports ───────────────────────► XDP_PASS (kernel)
 *              │ the listen port of another local address ─────────► XDP_PASS, counted
 *              │ UDP to the gateway's address and listen port:
 *              │   IP fragment ─────────────────────────────────────► drop "fragment"
 *              │   WireGuard, right size, reserved 0,
 *              │     data: receiver index live, initiation: rate ok ► AF_XDP socket
 *              │   STUN (cookie at 4), signaling (magic at 0) ──────► AF_XDP socket
 *              │   everything else ─────────────────────────────────► drop, by reason
 *
 * So ARP, ND, SSH and the host's own traffic on the interface stay with the
 * kernel, and the listen port answers nothing that cannot be valid
 * (stealth). Every access is bounds-checked against data_end, the way the
 * xdp-tools parsers do it. Non-first fragments carry no port: they pass.
 * The maps are written by the loader (xdp-fallback/loader.c): the config
 * record and the live receiver indices (one writer, the control lcore).
 */
#include <stdbool.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "omni_xdp.h"

#define VLAN_MAX 2
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define IPV6_FRAG_NEXTHDR 44
#define NSEC_PER_SEC 1000000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XDPFB_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfb_cfg);
} omni_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPFB_MAX_LIVE);
	__type(key, __u32);
	__type(value, __u8);
} omni_live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPFB_RATE_SOURCES);
	__type(key, struct xdpfb_rate_key);
	__type(value, struct xdpfb_rate_val);
} omni_ratelimit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFB_CNT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} omni_counters SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct frag6_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

/* What the walk found: the UDP header, the source for the rate limit and
 * the destination address. */
struct pkt {
	void *end;
	struct udphdr *udp;
	struct xdpfb_rate_key src;
	__u32 dst[4]; /* IPv4: dst[0] */
	bool v6;
	bool fragment; /* first fragment: has a port, but is partial */
};

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *n = bpf_map_lookup_elem(&omni_counters, &what);

	if (n)
		*n += 1;
	return verdict;
}

static __always_inline void *eth_payload(void *data, void *end, __u16 *proto)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vh;
	void *cur = eth + 1;
	int i;

	if (cur > end)
		return NULL;
	*proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < VLAN_MAX; i++) {
		if (*proto != bpf_htons(ETH_P_8021Q) && *proto != bpf_htons(ETH_P_8021AD))
			break;
		vh = cur;
		if ((void *)(vh + 1) > end)
			return NULL;
		*proto = vh->proto;
		cur = vh + 1;
	}
	return cur;
}

/* IPv4: UDP header or NULL; non-first fragments give NULL (no port). */
static __always_inline bool walk_ip4(struct pkt *p, void *cur)
{
	struct iphdr *ip = cur;
	__u32 ihl;

	if ((void *)(ip + 1) > p->end || ip->protocol != IPPROTO_UDP)
		return false;
	ihl = ip->ihl * 4u;
	if (ihl < sizeof(*ip))
		return false;
	if (ip->frag_off & bpf_htons(IP_OFFSET))
		return false;
	p->fragment = ip->frag_off & bpf_htons(IP_MF);
	__builtin_memcpy(p->src.addr, &ip->saddr, 4);
	p->dst[0] = ip->daddr;
	p->udp = cur + ihl;
	return (void *)(p->udp + 1) <= p->end;
}

/* IPv6: UDP right after the header, or after one fragment header. The rate
 * limit keys an IPv6 source by its /64, as WireGuard's does. */
static __always_inline bool walk_ip6(struct pkt *p, void *cur)
{
	struct ipv6hdr *ip6 = cur;
	struct frag6_hdr *fh;
	__u8 next;

	if ((void *)(ip6 + 1) > p->end)
		return false;
	__builtin_memcpy(p->src.addr, &ip6->saddr, 8);
	__builtin_memcpy(p->dst, &ip6->daddr, 16);
	p->v6 = true;
	next = ip6->nexthdr;
	cur = ip6 + 1;
	if (next == IPV6_FRAG_NEXTHDR) {
		fh = cur;
		if ((void *)(fh + 1) > p->end)
			return false;
		if (fh->frag_off & bpf_htons(0xfff8))
			return false;
		p->fragment = true;
		next = fh->nexthdr;
		cur = fh + 1;
	}
	if (next != IPPROTO_UDP)
		return false;
	p->udp = cur;
	return (void *)(p->udp + 1) <= p->end;
}

static __always_inline bool ip6_is(const __u32 *a, const __u32 *ours)
{
	return (ours[0] | ours[1] | ours[2] | ours[3]) && a[0] == ours[0] && a[1] == ours[1] &&
	       a[2] == ours[2] && a[3] == ours[3];
}

/* Sent to the address the gateway answers on (the host may have others on
 * this interface, with their own use of the port). */
static __always_inline bool to_us(const struct pkt *p, const struct xdpfb_cfg *cfg)
{
	if (!p->v6)
		return cfg->ip4 && p->dst[0] == cfg->ip4;
	return ip6_is(p->dst, cfg->ip6) || ip6_is(p->dst, cfg->ip6_ll);
}

/* Token bucket per source (ns of credit, capped at burst). Two CPUs may
 * race on one entry: the limit is approximate, never wrong by more than
 * a packet or two. */
static __always_inline bool initiation_allowed(struct pkt *p, const struct xdpfb_cfg *cfg)
{
	struct xdpfb_rate_val *v, fresh;
	__u64 now = bpf_ktime_get_ns(), cost, max, tokens;

	if (cfg->init_rate == 0)
		return true;
	cost = NSEC_PER_SEC / cfg->init_rate;
	max = cost * (cfg->init_burst ? cfg->init_burst : 1);
	v = bpf_map_lookup_elem(&omni_ratelimit, &p->src);
	if (!v) {
		fresh.last_ns = now;
		fresh.tokens_ns = max - cost;
		bpf_map_update_elem(&omni_ratelimit, &p->src, &fresh, BPF_ANY);
		return true;
	}
	tokens = v->tokens_ns + (now - v->last_ns);
	if (tokens > max)
		tokens = max;
	v->last_ns = now;
	if (tokens < cost) {
		v->tokens_ns = tokens;
		return false;
	}
	v->tokens_ns = tokens - cost;
	return true;
}

/* WireGuard message checks; returns a counter (drop reason) or -1: pass. */
static __always_inline int check_wireguard(struct pkt *p, const __u8 *msg, __u32 len,
					   const struct xdpfb_cfg *cfg)
{
	__u32 type = msg[0], index;

	if (msg[1] | msg[2] | msg[3])
		return XDPFB_DROP_RESERVED;
	switch (type) {
	case 1:
		if (len != XDPFB_WG_INITIATION)
			return XDPFB_DROP_BAD_SIZE;
		return initiation_allowed(p, cfg) ? -1 : XDPFB_DROP_RATELIMIT;
	case 2:
		return len == XDPFB_WG_RESPONSE ? -1 : XDPFB_DROP_BAD_SIZE;
	case 3:
		return len == XDPFB_WG_COOKIE ? -1 : XDPFB_DROP_BAD_SIZE;
	}
	/* Transport data: the plaintext is padded to 16, except where the
	 * sender's MTU capped the padding. */
	if (len < XDPFB_WG_DATA_MIN)
		return XDPFB_DROP_BAD_SIZE;
	if (cfg->unpadded_min && (len - XDPFB_WG_DATA_MIN) % XDPFB_WG_PADDING &&
	    len - XDPFB_WG_DATA_MIN < cfg->unpadded_min)
		return XDPFB_DROP_BAD_SIZE;
	if (cfg->flags & XDPFB_F_NO_INDEX_CHECK)
		return -1;
	if ((void *)(msg + 8) > p->end)
		return XDPFB_DROP_TRUNCATED;
	__builtin_memcpy(&index, msg + 4, 4);
	return bpf_map_lookup_elem(&omni_live, &index) ? -1 : XDPFB_DROP_UNKNOWN_INDEX;
}

/* The listen port's protocols; a counter (drop reason) or -1: to the socket. */
static __always_inline int check_payload(struct pkt *p, const struct xdpfb_cfg *cfg)
{
	const __u8 *msg = (const __u8 *)(p->udp + 1);
	__u32 len = bpf_ntohs(p->udp->len), word;

	if (len < sizeof(struct udphdr) || (void *)msg + (len - sizeof(struct udphdr)) > p->end)
		return XDPFB_DROP_TRUNCATED;
	len -= sizeof(struct udphdr);
	if (p->fragment)
		return XDPFB_DROP_FRAGMENT;
	if (len < 4 || (void *)(msg + 4) > p->end)
		return XDPFB_DROP_UNKNOWN_PROTO;
	if (msg[0] >= 1 && msg[0] <= 4 && !(msg[1] | msg[2] | msg[3]))
		return check_wireguard(p, msg, len, cfg);
	__builtin_memcpy(&word, msg, 4);
	if (word == bpf_htonl(XDPFB_SIG_MAGIC))
		return -1;
	if (len >= XDPFB_STUN_HEADER && (void *)(msg + 8) <= p->end && !(msg[0] & 0xc0)) {
		__builtin_memcpy(&word, msg + 4, 4);
		if (word == bpf_htonl(XDPFB_STUN_COOKIE))
			return -1;
	}
	/* TURN ChannelData (net/wire.h: our channels' first byte): whether it
	 * is from our relay, only the socket's side knows. */
	if (msg[0] == 0x40)
		return -1;
	/* WireGuard-looking type with reserved bytes set is still junk. */
	if (msg[0] >= 1 && msg[0] <= 4)
		return XDPFB_DROP_RESERVED;
	return XDPFB_DROP_UNKNOWN_PROTO;
}

SEC("xdp")
int omni_xdp(struct xdp_md *ctx)
{
	struct pkt p = { .end = (void *)(long)ctx->data_end };
	const struct xdpfb_cfg *cfg;
	__u32 zero = 0;
	__u16 proto;
	void *l3;
	bool udp;
	int r;

	cfg = bpf_map_lookup_elem(&omni_cfg, &zero);
	if (!cfg || cfg->port == 0)
		return XDP_PASS;
	l3 = eth_payload((void *)(long)ctx->data, p.end, &proto);
	if (!l3)
		return XDP_PASS;
	if (proto == bpf_htons(ETH_P_IP))
		udp = walk_ip4(&p, l3);
	else if (proto == bpf_htons(ETH_P_IPV6))
		udp = walk_ip6(&p, l3);
	else
		return XDP_PASS;
	if (!udp || p.udp->dest != bpf_htons(cfg->port))
		return XDP_PASS;
	if (!to_us(&p, cfg))
		return count(XDPFB_CNT_OTHER_ADDR, XDP_PASS);
	r = check_payload(&p, cfg);
	if (r >= 0)
		return count((__u32)r, XDP_DROP);
	count(XDPFB_CNT_REDIRECT, 0);
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
