/* SPDX-License-Identifier: MIT */
/* Kernel interface facts and settings: see kif.h. */
#include "dp/kif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define BPFFS_PATH "/sys/fs/bpf"
#define BPFFS_MAGIC_NUMBER 0xcafe4a11u /* BPF_FS_MAGIC in linux/magic.h */

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int fd, ret = 0;

	if (strlen(name) >= sizeof(ifr->ifr_name))
		return -EINVAL;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr->ifr_name, name);
	if (ioctl(fd, req, ifr) != 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int ethtool(const char *name, void *cmd)
{
	struct ifreq ifr = { .ifr_data = cmd };

	return ifreq_ioctl(name, SIOCETHTOOL, &ifr);
}

bool dp_kif_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

int dp_kif_link_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int ret = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);

	if (ret < 0)
		return ret;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING) ? 1 : 0;
}

/* getifaddrs' sockaddrs are only as aligned as their own type: copied out
 * whole before net/addr.h reads them. */
static bool ip_of(const struct sockaddr *sa, unsigned family, struct net_endpoint *ep)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa,
	       family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	return net_endpoint_from_sockaddr(&ss, ep);
}

/* An interface address and its netmask's length, as getifaddrs gives them. */
static void add_addr(struct dp_kif *k, const struct ifaddrs *ifa)
{
	unsigned af = ifa->ifa_addr->sa_family;
	struct net_endpoint addr, mask;
	struct net_prefix *a;
	unsigned len = 0;

	if (k->n_addrs >= DP_KIF_MAX_ADDRS || !ip_of(ifa->ifa_addr, af, &addr))
		return;
	a = &k->addrs[k->n_addrs++];
	a->addr = addr.addr;
	if (ifa->ifa_netmask && ip_of(ifa->ifa_netmask, af, &mask))
		for (unsigned i = 0; i < net_family_len(mask.addr.family); i++)
			len += (unsigned)__builtin_popcount(mask.addr.b[i]);
	a->len = (uint8_t)len;
}

static int read_addrs(struct dp_kif *k)
{
	struct ifaddrs *list, *ifa;

	if (getifaddrs(&list) != 0)
		return -errno;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || strcmp(ifa->ifa_name, k->name) != 0)
			continue;
		switch (ifa->ifa_addr->sa_family) {
		case AF_PACKET: {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)ifa->ifa_addr;

			if (ll->sll_halen == 6)
				memcpy(k->mac, ll->sll_addr, 6);
			break;
		}
		case AF_INET:
		case AF_INET6:
			add_addr(k, ifa);
			break;
		}
	}
	freeifaddrs(list);
	return 0;
}

/* As DPDK's net_af_xdp decides: combined channels, or 1 when the driver
 * reports none (veth reports rx/tx counts only). */
static unsigned read_channels(const char *name)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };

	if (ethtool(name, &ch) != 0 || ch.max_combined == 0 || ch.combined_count == 0)
		return 1;
	return ch.combined_count;
}

int dp_kif_read(const char *name, struct dp_kif *k)
{
	struct ifreq ifr = { 0 };
	int ret;

	memset(k, 0, sizeof(*k));
	if (strlen(name) >= sizeof(k->name))
		return -EINVAL;
	strcpy(k->name, name);
	k->ifindex = if_nametoindex(name);
	if (k->ifindex == 0)
		return -ENODEV;
	ret = ifreq_ioctl(name, SIOCGIFMTU, &ifr);
	if (ret < 0)
		return ret;
	k->mtu = (unsigned)ifr.ifr_mtu;
	k->channels = read_channels(name);
	return read_addrs(k);
}

int dp_kif_tx_offloads_off(const char *name)
{
	struct ethtool_value csum = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	struct ethtool_value tso = { .cmd = ETHTOOL_STSO, .data = 0 };
	int ret = ethtool(name, &csum);

	/* TSO needs tx checksumming, so it is normally off already. */
	if (ret == 0)
		ret = ethtool(name, &tso);
	return ret == -EOPNOTSUPP ? 0 : ret;
}

int dp_kif_bpffs_ensure(void)
{
	struct statfs st;

	if (statfs(BPFFS_PATH, &st) == 0 && (unsigned)st.f_type == BPFFS_MAGIC_NUMBER)
		return 0;
	if (mkdir(BPFFS_PATH, 0700) != 0 && errno != EEXIST)
		return -errno;
	if (mount("bpf", BPFFS_PATH, "bpf", 0, "mode=0700") != 0)
		return -errno;
	return 0;
}

/* /proc/net/route: "Iface Destination Gateway Flags ..." in hex, host order
 * of the kernel's (little-endian) u32, i.e. the address bytes in order. */
static int default_gw4(const char *name, uint8_t out[16])
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256], ifc[IFNAMSIZ + 1];
	unsigned dst, gw, flags;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%16s %x %x %x", ifc, &dst, &gw, &flags) != 4)
			continue;
		if (strcmp(ifc, name) == 0 && dst == 0 && (flags & 0x2) && gw) {
			memcpy(out, &gw, 4); /* stored in network byte order */
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* /proc/net/ipv6_route: dst plen src plen next_hop metric refcnt use flags ifname. */
static int default_gw6(const char *name, uint8_t out[16])
{
	FILE *f = fopen("/proc/net/ipv6_route", "r");
	char line[512], dst[33], src[33], hop[33], ifc[IFNAMSIZ + 1];
	unsigned dlen, slen, metric, ref, use, flags;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%32s %x %32s %x %32s %x %x %x %x %16s", dst, &dlen, src, &slen,
			   hop, &metric, &ref, &use, &flags, ifc) != 10)
			continue;
		if (strcmp(ifc, name) || dlen || strspn(dst, "0") != 32 || strspn(hop, "0") == 32)
			continue;
		for (int i = 0; i < 16; i++) {
			unsigned b;

			sscanf(hop + 2 * i, "%2x", &b);
			out[i] = (uint8_t)b;
		}
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int dp_kif_default_gw(const char *name, unsigned family, struct net_addr *out)
{
	uint8_t b[16] = { 0 };
	int ret = family == NET_AF_IP4 ? default_gw4(name, b) : default_gw6(name, b);

	if (ret == 0)
		net_addr_set(out, family, b);
	return ret;
}
