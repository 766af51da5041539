/* SPDX-License-Identifier: MIT */
/* Numeric endpoints by net/addr.h, names by the caller's resolver (endpoint.h). */
#include <errno.h>
#include <stdio.h>

#include "endpoint.h"

int sig_endpoint_resolve(const char *text, struct net_endpoint *out, uint16_t default_port,
			 unsigned prefer, sig_resolver resolve, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	const char *port, *why = "no address";
	char host[256];
	uint16_t p;
	int rc;

	if (net_endpoint_parse(text, default_port, out) == 0)
		return 0;
	if (net_host_port_split(text, host, &port) < 0 ||
	    net_port_parse(port, default_port, &p) < 0) {
		snprintf(err, errlen, "'%s': expected HOST:PORT or [IPV6]:PORT", text);
		return -EINVAL;
	}
	rc = resolve(host, p, net_family_to_af(prefer), &ss, &why);
	if (rc == 0) {
		if (net_endpoint_from_sockaddr(&ss, out))
			return 0;
		why = "no IPv4 or IPv6 address";
		rc = -ENOENT;
	}
	snprintf(err, errlen, "'%s': %s", host, why);
	return rc;
}
