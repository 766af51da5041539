/* SPDX-License-Identifier: MIT */
/* UDP sockets for the signaling tools (sig-probe, stun-probe, nucleus-load). */
#ifndef OMNI_TOOLS_UDP_H
#define OMNI_TOOLS_UDP_H

#include <stddef.h>

#include "net/addr.h"

/* "HOST:PORT" or "[IPV6]:PORT" (names resolved) as an address; 0, or -errno
 * with err set. */
int omni_udp_resolve(const char *text, struct net_endpoint *out, char *err, size_t errlen);
/*
 * A UDP socket connected to `to` ("HOST:PORT", names resolved), bound to
 * `bind_ip` (NULL: any) and bind_port (0: any). fd, or -1 with err set.
 */
int omni_udp_connect(const char *to, const char *bind_ip, unsigned bind_port, char *err,
		     size_t errlen);
/* The same for an address already parsed. */
int omni_udp_connect_addr(const struct net_endpoint *to, const char *bind_ip, unsigned bind_port,
			  char *err, size_t errlen);

#endif /* OMNI_TOOLS_UDP_H */
