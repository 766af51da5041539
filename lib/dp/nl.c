/* SPDX-License-Identifier: MIT */
/* rtnetlink requests for the ports: see nl.h. Message layout: rtnetlink(7). */
#include "dp/nl.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdalign.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct nl_msg {
	alignas(struct nlmsghdr) char buf[1024];
	int err; /* -EMSGSIZE once something did not fit */
};

static struct nlmsghdr *nl_hdr(struct nl_msg *m)
{
	return (struct nlmsghdr *)m->buf;
}

/* Append len bytes (4-byte aligned); NULL when they do not fit. */
static void *nl_put(struct nl_msg *m, const void *data, size_t len)
{
	struct nlmsghdr *h = nl_hdr(m);
	size_t at = NLMSG_ALIGN(h->nlmsg_len);
	char *p;

	if (m->err || at + NLMSG_ALIGN(len) > sizeof(m->buf)) {
		m->err = -EMSGSIZE;
		return NULL;
	}
	p = m->buf + at;
	memset(p, 0, NLMSG_ALIGN(len));
	if (data)
		memcpy(p, data, len);
	h->nlmsg_len = (uint32_t)(at + len);
	return p;
}

static struct rtattr *attr_put(struct nl_msg *m, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = nl_put(m, NULL, RTA_LENGTH(len));

	if (!a)
		return NULL;
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	return a;
}

static void attr_u32(struct nl_msg *m, unsigned short type, uint32_t v)
{
	attr_put(m, type, &v, sizeof(v));
}

static void attr_str(struct nl_msg *m, unsigned short type, const char *s)
{
	attr_put(m, type, s, strlen(s) + 1);
}

static struct rtattr *nest_begin(struct nl_msg *m, unsigned short type)
{
	return attr_put(m, type, NULL, 0);
}

static void nest_end(struct nl_msg *m, struct rtattr *nest)
{
	if (nest && !m->err)
		nest->rta_len = (unsigned short)(m->buf + nl_hdr(m)->nlmsg_len - (char *)nest);
}

static void nl_init(struct nl_msg *m, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h = nl_hdr(m);

	memset(m, 0, sizeof(*m));
	h->nlmsg_len = NLMSG_HDRLEN;
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = 1;
}

/* Called for each answer that is not the ack. */
typedef void nl_reply_fn(const struct nlmsghdr *h, void *arg);

/* Send the request, return the kernel's verdict from its ack. */
static int nl_talk_reply(struct nl_msg *m, nl_reply_fn *on_reply, void *arg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	alignas(struct nlmsghdr) char reply[4096];
	int fd, ret;
	ssize_t n;

	if (m->err)
		return m->err;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, m->buf, nl_hdr(m)->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, reply, sizeof(reply), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		for (h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				ret = h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ? -EPROTO : e->error;
				goto out;
			}
			if (on_reply)
				on_reply(h, arg);
		}
	}
out:
	close(fd);
	return ret;
}

static int nl_talk(struct nl_msg *m)
{
	return nl_talk_reply(m, NULL, NULL);
}

int dp_nl_link_up(unsigned ifindex, unsigned mtu)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = (int)ifindex,
		.ifi_flags = IFF_UP,
		.ifi_change = IFF_UP,
	};
	struct nl_msg m;

	nl_init(&m, RTM_NEWLINK, 0);
	nl_put(&m, &ifi, sizeof(ifi));
	if (mtu)
		attr_u32(&m, IFLA_MTU, mtu);
	return nl_talk(&m);
}

int dp_nl_addr_add(unsigned ifindex, const struct net_prefix *a)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)net_family_to_af(a->addr.family),
		.ifa_prefixlen = a->len,
		.ifa_index = ifindex,
	};
	size_t len = net_family_len(a->addr.family);
	struct nl_msg m;
	int ret;

	if (!net_addr_is_set(&a->addr))
		return -EAFNOSUPPORT;
	if (a->addr.family == NET_AF_IP6)
		ifa.ifa_flags = IFA_F_NODAD;
	nl_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	nl_put(&m, &ifa, sizeof(ifa));
	attr_put(&m, IFA_LOCAL, a->addr.b, len);
	attr_put(&m, IFA_ADDRESS, a->addr.b, len);
	ret = nl_talk(&m);
	return ret == -EEXIST ? 0 : ret;
}

int dp_nl_route(unsigned ifindex, const struct net_prefix *p, bool add)
{
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)net_family_to_af(p->addr.family),
		.rtm_dst_len = p->len,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
	};
	struct nl_msg m;
	int ret;

	if (!net_addr_is_set(&p->addr))
		return -EAFNOSUPPORT;
	nl_init(&m, add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	nl_put(&m, &rtm, sizeof(rtm));
	attr_put(&m, RTA_DST, p->addr.b, net_family_len(p->addr.family));
	attr_u32(&m, RTA_OIF, ifindex);
	ret = nl_talk(&m);
	return (add && ret == -EEXIST) || (!add && ret == -ESRCH) ? 0 : ret;
}

static void veth_end_attrs(struct nl_msg *m, const char *name, unsigned queues)
{
	attr_str(m, IFLA_IFNAME, name);
	attr_u32(m, IFLA_NUM_TX_QUEUES, queues);
	attr_u32(m, IFLA_NUM_RX_QUEUES, queues);
}

int dp_nl_veth_create(const char *name, const char *peer, unsigned queues)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *linkinfo, *data, *peer_info;
	struct nl_msg m;

	if (strlen(name) >= IF_NAMESIZE || strlen(peer) >= IF_NAMESIZE || queues == 0)
		return -EINVAL;
	nl_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nl_put(&m, &ifi, sizeof(ifi));
	veth_end_attrs(&m, name, queues);
	linkinfo = nest_begin(&m, IFLA_LINKINFO);
	attr_str(&m, IFLA_INFO_KIND, "veth");
	data = nest_begin(&m, IFLA_INFO_DATA);
	/* The peer is described by an ifinfomsg followed by its attributes. */
	peer_info = nest_begin(&m, VETH_INFO_PEER);
	nl_put(&m, &ifi, sizeof(ifi));
	veth_end_attrs(&m, peer, queues);
	nest_end(&m, peer_info);
	nest_end(&m, data);
	nest_end(&m, linkinfo);
	return nl_talk(&m);
}

int dp_nl_link_del(unsigned ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex };
	struct nl_msg m;

	nl_init(&m, RTM_DELLINK, 0);
	nl_put(&m, &ifi, sizeof(ifi));
	return nl_talk(&m);
}

struct link_answer {
	unsigned link; /* IFLA_LINK: a veth's peer */
	bool veth;
};

static void on_link(const struct nlmsghdr *h, void *arg)
{
	struct link_answer *ans = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *a, *k;
	int len, klen;

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_LINK && RTA_PAYLOAD(a) == sizeof(uint32_t))
			memcpy(&ans->link, RTA_DATA(a), sizeof(uint32_t));
		if (a->rta_type != IFLA_LINKINFO)
			continue;
		klen = (int)RTA_PAYLOAD(a);
		for (k = RTA_DATA(a); RTA_OK(k, klen); k = RTA_NEXT(k, klen))
			if (k->rta_type == IFLA_INFO_KIND && RTA_PAYLOAD(k) >= 5 &&
			    memcmp(RTA_DATA(k), "veth", 5) == 0)
				ans->veth = true;
	}
}

int dp_nl_veth_peer(unsigned ifindex, unsigned *peer)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex };
	struct link_answer ans = { 0 };
	struct nl_msg m;
	int ret;

	nl_init(&m, RTM_GETLINK, 0);
	nl_put(&m, &ifi, sizeof(ifi));
	ret = nl_talk_reply(&m, on_link, &ans);
	/* A GETLINK is answered with the link, then an ack only if asked. */
	if (ret < 0)
		return ret;
	*peer = ans.veth ? ans.link : 0;
	return ans.veth ? 1 : 0;
}

static void neigh_request(struct nl_msg *m, uint16_t type, uint16_t flags, unsigned ifindex,
			  const struct net_addr *addr, uint8_t ndm_flags)
{
	struct ndmsg nd = { .ndm_family = (uint8_t)net_family_to_af(addr->family),
			    .ndm_ifindex = (int)ifindex,
			    .ndm_flags = ndm_flags };

	nl_init(m, type, flags);
	nl_put(m, &nd, sizeof(nd));
	attr_put(m, NDA_DST, addr->b, net_family_len(addr->family));
}

struct neigh_answer {
	uint8_t mac[6];
	bool known;
};

/* Usable: an address, in a state the kernel itself would send to. */
static void on_neigh(const struct nlmsghdr *h, void *arg)
{
	const uint16_t usable = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT;
	struct neigh_answer *ans = arg;
	const struct ndmsg *nd = NLMSG_DATA(h);
	const struct rtattr *a;
	int len;

	if (h->nlmsg_type != RTM_NEWNEIGH || h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) ||
	    !(nd->ndm_state & usable))
		return;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	for (a = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
			memcpy(ans->mac, RTA_DATA(a), 6);
			ans->known = true;
		}
	}
}

int dp_nl_neigh_get(unsigned ifindex, const struct net_addr *addr, uint8_t mac[6])
{
	struct neigh_answer ans = { .known = false };
	struct nl_msg m;
	int ret;

	if (!net_addr_is_set(addr))
		return -EAFNOSUPPORT;
	neigh_request(&m, RTM_GETNEIGH, 0, ifindex, addr, 0);
	ret = nl_talk_reply(&m, on_neigh, &ans);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	if (ans.known)
		memcpy(mac, ans.mac, 6);
	return ans.known ? 1 : 0;
}

int dp_nl_neigh_resolve(unsigned ifindex, const struct net_addr *addr)
{
	struct nl_msg m;

	if (!net_addr_is_set(addr))
		return -EAFNOSUPPORT;
	/* NTF_USE: "use" the entry as a packet would, which starts resolution. */
	neigh_request(&m, RTM_NEWNEIGH, NLM_F_CREATE, ifindex, addr, NTF_USE);
	return nl_talk(&m);
}
