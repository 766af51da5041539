/* SPDX-License-Identifier: MIT */
/*
 * Addresses as users write them ("192.0.2.1:51820", "[2001:db8::1]:51820",
 * "nucleus.example.com:51820") and as sockets want them, to and from
 * struct sig_addr. No sockets are opened and no names looked up here: a
 * name goes to the resolver the caller passes (config/value.h's
 * omni_host_resolve in the programs, a table in tests).
 */
#ifndef OMNI_SIGNALING_ENDPOINT_H
#define OMNI_SIGNALING_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire.h"

enum { SIG_ENDPOINT_TEXT_MAX = 56 }; /* "[" INET6 "]:65535" */

/*
 * Numeric "ADDR:PORT" or "[ADDR6]:PORT"; without ":PORT", default_port
 * (0: the port is required). 0 or -EINVAL.
 */
int sig_endpoint_parse(const char *text, struct sig_addr *out, uint16_t default_port);
/*
 * Looks host up and fills ss with its address and port: an address of
 * family `prefer` (AF_INET or AF_INET6) when it has one, else its first
 * (AF_UNSPEC: its first). 0, or -errno with the reason in *why.
 */
typedef int (*sig_resolver)(const char *host, uint16_t port, int prefer,
			    struct sockaddr_storage *ss, const char **why);

/*
 * As sig_endpoint_parse, but HOST may also be a name, which resolve looks
 * up (blocking: call at start). prefer: 4, 6 or 0 (the resolver's order).
 * 0, or -errno with the reason in err, quoting the text or the host.
 */
int sig_endpoint_resolve(const char *text, struct sig_addr *out, uint16_t default_port,
			 int prefer, sig_resolver resolve, char *err, size_t errlen);
void sig_endpoint_format(const struct sig_addr *a, char out[SIG_ENDPOINT_TEXT_MAX]);

/*
 * For a socket of family `sock_family` (AF_INET, or AF_INET6 dual stack,
 * where IPv4 goes IPv4-mapped). Returns the length, 0 if a cannot be
 * reached from such a socket.
 */
socklen_t sig_addr_to_sockaddr(const struct sig_addr *a, int sock_family,
			       struct sockaddr_storage *ss);
/* IPv4-mapped IPv6 addresses come out as IPv4. */
void sig_addr_from_sockaddr(const struct sockaddr_storage *ss, struct sig_addr *a);

#endif /* OMNI_SIGNALING_ENDPOINT_H */
