/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as what an HTTP client sends to the metrics
 * endpoint, through libmicrohttpd's request parser and lib/httpd's answer
 * (the method check, the handler's status, type and body, the refusal of
 * a body that ran out of memory) over a socket pair, with no listening
 * socket and no thread (httpd_start_unbound). The handler stands in for
 * the edge's and the nucleus's routes (app/ops.c, app/nucleus_main.c),
 * whose figures need a running data plane: it serves /metrics, /health and
 * / as they do, a large body, a failed one, and 404 for the rest.
 *
 * Invariants beyond the sanitizers: the handler is given a path (a C
 * string); anything the server writes back starts with an HTTP/1 status
 * line; a 405 names the methods allowed; the server never runs out of
 * connections (each exchange ends with the connection closed).
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "httpd/httpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_INPUT = 64 * 1024, MAX_ROUNDS = 200, BIG_BODY = 100 * 1000 };

static struct httpd *server;
static unsigned handled;
static char reply[1 << 20];

static int handler(void *ctx, const char *path, struct httpd_text *body, const char **type)
{
	(void)ctx;
	CHECK(path && strlen(path) <= MAX_INPUT);
	handled++;
	if (!strcmp(path, "/metrics")) {
		*type = HTTPD_PROMETHEUS;
		httpd_text_printf(body, "omni_fuzz_total %u\n", handled);
		return 200;
	}
	if (!strcmp(path, "/health") || !strcmp(path, "/")) {
		httpd_text_printf(body, "ok\n");
		return 200;
	}
	if (!strcmp(path, "/big")) {
		for (unsigned i = 0; i < BIG_BODY / 10; i++)
			httpd_text_append(body, "0123456789", 10);
		return 200;
	}
	if (!strcmp(path, "/oom")) {
		httpd_text_printf(body, "partial");
		body->failed = true; /* as when an append could not grow it */
		return 200;
	}
	httpd_text_printf(body, "not found\n");
	return 404;
}

/* What came back starts with a status line; a 405 carries Allow. */
static void check_reply(const char *r, size_t len)
{
	const char *p = r;

	if (!len)
		return;
	CHECK(!strncmp(r, "HTTP/1.", 7));
	while ((p = strstr(p, "HTTP/1.")) && (size_t)(p - r) + 12 <= len) {
		if (!strncmp(p + 9, "405", 3))
			CHECK(strstr(p, "Allow: GET, HEAD") || strstr(p, "allow: GET, HEAD"));
		p += 7;
	}
}

/* Write what fits (the rest is the client's loss), then run the server
 * until it closes the connection, reading its answers. */
static size_t exchange(int client, const uint8_t *data, size_t size)
{
	size_t got = 0, sent = 0;
	ssize_t n;

	for (unsigned round = 0; round < MAX_ROUNDS; round++) {
		if (sent < size) {
			n = write(client, data + sent, size - sent);
			sent += n > 0 ? (size_t)n : 0;
			if (sent == size)
				shutdown(client, SHUT_WR);
		}
		httpd_run_once(server);
		n = read(client, reply + got, sizeof(reply) - 1 - got);
		if (n == 0 && sent == size)
			break;
		got += n > 0 ? (size_t)n : 0;
		if (n < 0 && errno != EAGAIN)
			break;
	}
	reply[got] = '\0';
	return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	size_t got;

	if (size > MAX_INPUT)
		return 0;
	if (!server) {
		signal(SIGPIPE, SIG_IGN); /* a client gone while we answer */
		server = httpd_start_unbound(handler, NULL);
		CHECK(server);
	}
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
	if (!size)
		shutdown(sv[0], SHUT_WR);
	CHECK(httpd_add_socket(server, sv[1]) == 0);
	got = exchange(sv[0], data, size);
	close(sv[0]);
	httpd_run_once(server); /* the server sees the close and lets go */
	check_reply(reply, got);
	return 0;
}
