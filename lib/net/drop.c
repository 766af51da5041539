/* SPDX-License-Identifier: MIT */
/* Names of the drop reasons and classes, from the X-macro in net.h. */
#include "net/net.h"

static const char *const drop_names[] = {
#define NET_DROP_NAME(name, text) [NET_DROP_##name] = #name,
	NET_DROPS(NET_DROP_NAME)
#undef NET_DROP_NAME
};

static const char *const drop_texts[] = {
#define NET_DROP_TEXT(name, text) [NET_DROP_##name] = text,
	NET_DROPS(NET_DROP_TEXT)
#undef NET_DROP_TEXT
};

static_assert(sizeof(drop_names) / sizeof(drop_names[0]) == NET_DROP_COUNT,
	      "one name per drop reason");

const char *net_drop_name(enum net_drop d)
{
	return (unsigned)d < NET_DROP_COUNT ? drop_names[d] : "?";
}

const char *net_drop_text(enum net_drop d)
{
	return (unsigned)d < NET_DROP_COUNT ? drop_texts[d] : "?";
}

const char *net_class_name(enum net_class c)
{
	switch (c) {
	case NET_UDP_TO_US:
		return "udp_to_us";
	case NET_ARP:
		return "arp";
	case NET_ND:
		return "nd";
	case NET_OTHER:
		return "other";
	case NET_MALFORMED:
		return "malformed";
	}
	return "?";
}
