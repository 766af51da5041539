/* SPDX-License-Identifier: MIT */
/*
 * Addresses as users write them ("192.0.2.1:51820", "[2001:db8::1]:51820",
 * "nucleus.example.com:51820") to a net_endpoint. Numeric text is
 * net/addr.h's (net_endpoint_parse); a name goes to the resolver the caller
 * passes (config/value.h's cfg_host_resolve in the programs, a table in
 * tests). No sockets are opened and no names looked up here.
 */
#ifndef OMNI_SIGNALING_ENDPOINT_H
#define OMNI_SIGNALING_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/addr.h"

/*
 * Looks host up and fills ss with its address and port: an address of
 * family `prefer` (AF_INET or AF_INET6) when it has one, else its first
 * (AF_UNSPEC: its first). 0, or -errno with the reason in *why.
 */
typedef int (*sig_resolver)(const char *host, uint16_t port, int prefer,
			    struct sockaddr_storage *ss, const char **why);

/*
 * As net_endpoint_parse, but HOST may also be a name, which resolve looks
 * up (blocking: call at start). prefer: NET_AF_IP4, NET_AF_IP6 or
 * NET_AF_NONE (the resolver's order). 0, or -errno with the reason in err,
 * quoting the text or the host.
 */
int sig_endpoint_resolve(const char *text, struct net_endpoint *out, uint16_t default_port,
			 unsigned prefer, sig_resolver resolve, char *err, size_t errlen);

#endif /* OMNI_SIGNALING_ENDPOINT_H */
