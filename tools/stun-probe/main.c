/* SPDX-License-Identifier: MIT */
/*
 * stun-probe: one STUN Binding request (signaling/stun.c) over a UDP
 * socket, retried, printing the reflexive address. tests/e2e/stun.sh runs
 * it behind a NAT against coturn.
 *
 *   stun-probe --server HOST:PORT [--port LOCAL_PORT] [--fingerprint]
 *              [--tries N] [--timeout-ms MS]
 *
 * Prints "mapped ADDR:PORT" and exits 0, or says why not and exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "signaling/stun.h"
#include "udp.h"

struct opts {
	const char *server;
	unsigned port, tries, timeout_ms;
	bool fingerprint;
};

static int parse(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "server", 1, 0, 's' }, { "port", 1, 0, 'p' },       { "fingerprint", 0, 0, 'f' },
		{ "tries", 1, 0, 't' },  { "timeout-ms", 1, 0, 'w' }, { 0, 0, 0, 0 },
	};
	int c;

	*o = (struct opts){ .tries = 3, .timeout_ms = 1000 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o->server = optarg;
			break;
		case 'p':
			o->port = (unsigned)atoi(optarg);
			break;
		case 'f':
			o->fingerprint = true;
			break;
		case 't':
			o->tries = (unsigned)atoi(optarg);
			break;
		case 'w':
			o->timeout_ms = (unsigned)atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (!o->server || o->port > 65535) {
		fprintf(stderr, "usage: stun-probe --server HOST:PORT [--port LOCAL_PORT] "
				"[--fingerprint] [--tries N] [--timeout-ms MS]\n");
		return -1;
	}
	return 0;
}

/* Waits for the answer to txid; 0 with *mapped, -1 on timeout. */
static int await(int fd, const uint8_t *txid, unsigned timeout_ms, struct net_endpoint *mapped)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[SIG_STUN_RESPONSE_MAX + 1];

	while (poll(&pfd, 1, (int)timeout_ms) > 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		enum sig_stun_result r;

		if (n < 0)
			return -1;
		r = sig_stun_parse_response(buf, (size_t)n, txid, mapped);
		if (r == SIG_STUN_OK)
			return 0;
		fprintf(stderr, "stun-probe: ignored a reply: %s\n", sig_stun_result_name(r));
	}
	return -1;
}

int main(int argc, char **argv)
{
	uint8_t req[SIG_STUN_REQUEST_MAX], txid[SIG_STUN_TXID_LEN];
	char err[256], text[NET_ENDPOINT_TEXT_MAX];
	struct net_endpoint mapped;
	struct opts o;
	size_t len;
	int fd;

	if (sodium_init() < 0 || parse(&o, argc, argv) < 0)
		return 2;
	fd = omni_udp_connect(o.server, NULL, o.port, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "stun-probe: %s\n", err);
		return 1;
	}
	randombytes_buf(txid, sizeof(txid));
	len = sig_stun_request(req, sizeof(req), txid, o.fingerprint);
	for (unsigned t = 0; t < o.tries; t++) {
		if (send(fd, req, len, 0) < 0)
			fprintf(stderr, "stun-probe: send: %s\n", strerror(errno));
		if (await(fd, txid, o.timeout_ms, &mapped) == 0) {
			net_endpoint_format(&mapped, text);
			printf("mapped %s\n", text);
			close(fd);
			return 0;
		}
	}
	fprintf(stderr, "stun-probe: no answer from %s after %u tries\n", o.server, o.tries);
	close(fd);
	return 1;
}
