/* SPDX-License-Identifier: MIT */
/*
 * lib/httpd against a real client socket on loopback: status codes, content
 * type, body, methods, bad listen addresses; and the text buffer.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "httpd/httpd.h"

enum { TEST_PORT = 19586 };

static int handler(void *ctx, const char *path, struct httpd_text *body, const char **type)
{
	int *calls = ctx;

	(*calls)++;
	if (strcmp(path, "/metrics") == 0) {
		*type = HTTPD_PROMETHEUS;
		httpd_text_printf(body, "omni_test_total %d\n", 42);
		return 200;
	}
	if (strcmp(path, "/health") == 0) {
		httpd_text_printf(body, "unhealthy\n");
		return 503;
	}
	httpd_text_printf(body, "not found\n");
	return 404;
}

/* One request over a fresh connection; the whole reply in out. */
static void request(const char *req, char *out, size_t outlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(TEST_PORT) };
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (got + 1 < outlen && (n = read(fd, out + got, outlen - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd);
}

static void test_serves_paths(void **state)
{
	char err[256], reply[4096];
	int calls = 0;
	struct httpd *h = httpd_start("127.0.0.1:19586", handler, &calls, err, sizeof(err));

	(void)state;
	assert_non_null(h);
	request("GET /metrics HTTP/1.0\r\n\r\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, "HTTP/1.1 200 OK"));
	assert_non_null(strstr(reply, "text/plain; version=0.0.4"));
	assert_non_null(strstr(reply, "\r\n\r\nomni_test_total 42\n"));
	request("GET /health HTTP/1.0\r\n\r\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, " 503 "));
	request("GET /nothing HTTP/1.0\r\n\r\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, " 404 "));
	request("POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, " 405 "));
	assert_int_equal(calls, 3); /* POST never reached the handler */
	request("garbage\r\n\r\n", reply, sizeof(reply));
	assert_null(strstr(reply, " 200 "));
	httpd_stop(h);
}

static void test_bad_listen(void **state)
{
	static const char *const bad[] = {
		"",      "127.0.0.1",      "127.0.0.1:", "127.0.0.1:0",    "127.0.0.1:65536",
		":9586", "localhost:9586", "[::1:9586",  "127.0.0.1:95x6", "1.2.3.4.5:1",
	};
	char err[256];
	int calls = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_null(httpd_start(bad[i], handler, &calls, err, sizeof(err)));
		assert_non_null(strstr(err, "not ADDR:PORT"));
	}
}

static void test_port_in_use(void **state)
{
	char err[256];
	int calls = 0;
	struct httpd *a = httpd_start("127.0.0.1:19586", handler, &calls, err, sizeof(err));
	struct httpd *b;

	(void)state;
	assert_non_null(a);
	b = httpd_start("127.0.0.1:19586", handler, &calls, err, sizeof(err));
	assert_null(b);
	assert_non_null(strstr(err, "cannot listen on 127.0.0.1:19586"));
	httpd_stop(a);
}

/* The unbound server (fuzz_http's): a socket pair handed to it, run by
 * hand until it closes the connection. */
static void test_unbound(void **state)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	struct httpd *h;
	char reply[4096];
	size_t got = 0;
	ssize_t n = -1;
	int calls = 0, sv[2];

	(void)state;
	h = httpd_start_unbound(handler, &calls);
	assert_non_null(h);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(httpd_add_socket(h, sv[1]), 0);
	assert_int_equal(write(sv[0], req, strlen(req)), (ssize_t)strlen(req));
	shutdown(sv[0], SHUT_WR);
	for (int round = 0; round < 100 && n != 0; round++) {
		httpd_run_once(h);
		n = read(sv[0], reply + got, sizeof(reply) - 1 - got);
		got += n > 0 ? (size_t)n : 0;
	}
	reply[got] = '\0';
	assert_int_equal(n, 0); /* the server closed it */
	assert_int_equal(calls, 1);
	assert_non_null(strstr(reply, "HTTP/1.1 200 OK"));
	assert_non_null(strstr(reply, "\r\n\r\nomni_test_total 42\n"));
	close(sv[0]);
	httpd_stop(h);
}

static void test_text(void **state)
{
	struct httpd_text t = HTTPD_TEXT_INIT;
	size_t len;
	char *p;

	(void)state;
	for (int i = 0; i < 1000; i++)
		httpd_text_printf(&t, "line %d\n", i);
	assert_true(httpd_text_ok(&t));
	assert_non_null(strstr(t.buf, "line 999\n"));
	assert_int_equal(t.len, strlen(t.buf));
	httpd_text_reset(&t);
	assert_int_equal(t.len, 0);
	httpd_text_append(&t, "ab", 2);
	p = httpd_text_take(&t, &len);
	assert_int_equal(len, 2);
	assert_string_equal(p, "ab");
	free(p);
	assert_null(t.buf);
	p = httpd_text_take(&t, &len); /* empty: still a string */
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	free(p);
	httpd_text_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serves_paths), cmocka_unit_test(test_bad_listen),
		cmocka_unit_test(test_port_in_use),  cmocka_unit_test(test_unbound),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
