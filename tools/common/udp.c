// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/value.h"
#include "signaling/endpoint.h"
#include "udp.h"

int omni_udp_connect_addr(const struct sig_addr *to, const char *bind_ip, unsigned bind_port,
			  char *err, size_t errlen)
{
	int family = to->family == 6 ? AF_INET6 : AF_INET;
	struct sockaddr_storage ss, bs;
	struct sig_addr b = { .family = (uint8_t)(to->family == 6 ? 6 : 4), .port = (uint16_t)bind_port };
	socklen_t sl = sig_addr_to_sockaddr(to, family, &ss), bl;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (bind_ip && inet_pton(family, bind_ip, b.ip) != 1) {
		snprintf(err, errlen, "bad bind address '%s'", bind_ip);
		goto fail;
	}
	bl = sig_addr_to_sockaddr(&b, family, &bs);
	if (fd < 0 || bind(fd, (struct sockaddr *)&bs, bl) < 0 ||
	    connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		snprintf(err, errlen, "udp socket: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

int omni_udp_resolve(const char *text, struct sig_addr *out, char *err, size_t errlen)
{
	return sig_endpoint_resolve(text, out, 0, 0, omni_host_resolve, err, errlen);
}

int omni_udp_connect(const char *to, const char *bind_ip, unsigned bind_port, char *err,
		     size_t errlen)
{
	struct sig_addr a;

	if (omni_udp_resolve(to, &a, err, errlen) < 0)
		return -1;
	return omni_udp_connect_addr(&a, bind_ip, bind_port, err, errlen);
}
