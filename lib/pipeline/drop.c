/* SPDX-License-Identifier: MIT */
#include "drop.h"

static const char *const drop_names[] = {
#define PL_DROP_NAME(name, text) text,
	PL_DROPS(PL_DROP_NAME)
#undef PL_DROP_NAME
};

const char *pl_drop_name(enum pl_drop d)
{
	return (unsigned)d < PL_DROP_COUNT ? drop_names[d] : "unknown";
}

/* Every reason by name, no default: a new NET_DROPS entry fails to build
 * (-Wswitch) until it is given its counter here. */
enum pl_drop pl_drop_of_net(enum net_drop r)
{
	switch (r) {
	case NET_DROP_ETH_SHORT:
	case NET_DROP_VLAN_SHORT:
	case NET_DROP_ARP_SHORT:
	case NET_DROP_IP4_SHORT:
	case NET_DROP_IP4_IHL:
	case NET_DROP_IP4_TOTLEN:
	case NET_DROP_IP6_SHORT:
	case NET_DROP_IP6_PAYLEN:
	case NET_DROP_UDP_SHORT:
	case NET_DROP_UDP_LEN:
	case NET_DROP_ICMP_SHORT:
		return PL_DROP_TRUNCATED;
	case NET_DROP_IP4_CSUM:
	case NET_DROP_UDP_CSUM:
	case NET_DROP_UDP6_NO_CSUM:
	case NET_DROP_ICMP_CSUM:
		return PL_DROP_BAD_CHECKSUM;
	case NET_DROP_IP4_FRAGMENT:
		return PL_DROP_FRAGMENT;
	case NET_DROP_IP6_EXTHDR:
		return PL_DROP_IP6_EXTHDR;
	case NET_DROP_IP4_SRC:
	case NET_DROP_IP6_SRC:
	case NET_DROP_ARP_SHA:
		return PL_DROP_BAD_SOURCE;
	case NET_DROP_ARP_HTYPE:
	case NET_DROP_ARP_PTYPE:
	case NET_DROP_ARP_HLEN:
	case NET_DROP_ARP_PLEN:
	case NET_DROP_ARP_OP:
	case NET_DROP_IP4_VERSION:
	case NET_DROP_IP6_VERSION:
	case NET_DROP_ICMP_TYPE:
	case NET_DROP_ND_HOP_LIMIT:
	case NET_DROP_ND_CODE:
	case NET_DROP_ND_TARGET:
	case NET_DROP_ND_OPT_LEN:
	case NET_DROP_ND_DAD_SLLA:
	case NET_DROP_ND_DAD_DST:
	case NET_DROP_ND_NA_SOLICITED:
	case NET_DROP_OK: /* not a refusal: never asked */
	case NET_DROP_COUNT:
		break;
	}
	return PL_DROP_MALFORMED;
}

enum pl_drop pl_drop_of_wg(enum wg_result r)
{
	switch (r) {
	case WG_BAD_DATA_TAG:
		return PL_DROP_BAD_TAG;
	case WG_REPLAYED_COUNTER:
		return PL_DROP_REPLAY;
	case WG_KEY_EXPIRED:
	case WG_NO_KEY:
		return PL_DROP_KEY_EXPIRED;
	case WG_BAD_INNER:
		return PL_DROP_BAD_INNER;
	default:
		return PL_DROP_BAD_MESSAGE;
	}
}
