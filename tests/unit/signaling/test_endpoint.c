/* SPDX-License-Identifier: MIT */
/*
 * Address text (signaling/endpoint.h): a numbered table of literal
 * addresses with and without ports (net/addr.h's rules), and bad shapes;
 * names go to the resolver the caller passes (here a table), with the
 * preferred family and the port handed over, and its failure quoted in
 * the message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/endpoint.h"

static char asked_host[256]; /* the host the resolver was asked for */
static int asked_prefer;

/* "both.test" has 192.0.2.7 and 2001:db8::7, "v6.test" only the latter,
 * "odd.test" an answer of neither family; anything else is unknown. */
static int fake_resolve(const char *host, uint16_t port, int prefer, struct sockaddr_storage *ss,
			const char **why)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	snprintf(asked_host, sizeof(asked_host), "%s", host);
	asked_prefer = prefer;
	memset(ss, 0, sizeof(*ss));
	if (strcmp(host, "both.test") == 0 && prefer != AF_INET6) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, "192.0.2.7", &s4->sin_addr);
		return 0;
	}
	if (strcmp(host, "both.test") == 0 || strcmp(host, "v6.test") == 0) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, "2001:db8::7", &s6->sin6_addr);
		return 0;
	}
	if (strcmp(host, "odd.test") == 0) {
		ss->ss_family = AF_UNIX;
		return 0;
	}
	*why = "Name or service not known";
	return -EINVAL;
}

static void test_table(void **state)
{
	enum { ANY = NET_AF_NONE, V4 = NET_AF_IP4, V6 = NET_AF_IP6 };
	static const struct {
		const char *text;
		uint16_t dflt;
		unsigned prefer;
		int rc;
		const char *out; /* net_endpoint_format, or the error */
	} cases[] = {
		/* 1 */ { "192.0.2.1:51820", 0, ANY, 0, "192.0.2.1:51820" },
		/* 2 */ { "192.0.2.1", 3478, ANY, 0, "192.0.2.1:3478" },
		/* 3 */
		{ "192.0.2.1", 0, ANY, -EINVAL, "'192.0.2.1': expected HOST:PORT or [IPV6]:PORT" },
		/* 4 */ { "[2001:db8::1]:51820", 0, ANY, 0, "[2001:db8::1]:51820" },
		/* 5 */ { "2001:db8::1", 51820, ANY, 0, "[2001:db8::1]:51820" }, /* bare IPv6 */
		/* 6 */ { "[2001:db8::1]", 3478, ANY, 0, "[2001:db8::1]:3478" },
		/* 7 */
		{ "192.0.2.1:0", 0, ANY, -EINVAL,
		  "'192.0.2.1:0': expected HOST:PORT or [IPV6]:PORT" },
		/* 8 */
		{ "192.0.2.1:65536", 0, ANY, -EINVAL,
		  "'192.0.2.1:65536': expected HOST:PORT or [IPV6]:PORT" },
		/* 9 */
		{ "[2001:db8::1", 0, ANY, -EINVAL,
		  "'[2001:db8::1': expected HOST:PORT or [IPV6]:PORT" },
		/* 10 */ { ":51820", 0, ANY, -EINVAL, "':51820': expected HOST:PORT or [IPV6]:PORT" },
		/* 11 */ { "both.test:51820", 0, ANY, 0, "192.0.2.7:51820" },
		/* 12 */ { "both.test:51820", 0, V6, 0, "[2001:db8::7]:51820" },
		/* 13 */ { "both.test", 3478, V4, 0, "192.0.2.7:3478" },
		/* 14 */ { "v6.test:1", 0, V4, 0, "[2001:db8::7]:1" },
		/* 15 */
		{ "nowhere.test:51820", 0, ANY, -EINVAL,
		  "'nowhere.test': Name or service not known" },
		/* 16 */ { "odd.test:51820", 0, ANY, -ENOENT, "'odd.test': no IPv4 or IPv6 address" },
	};

	(void)state;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char text[256] = "";
		struct net_endpoint a;
		int rc = sig_endpoint_resolve(cases[c].text, &a, cases[c].dflt, cases[c].prefer,
					      fake_resolve, text, sizeof(text));

		if (rc == 0)
			net_endpoint_format(&a, text);
		if (rc != cases[c].rc || strcmp(text, cases[c].out) != 0)
			fail_msg("case %u: %d \"%s\", expected %d \"%s\"", c + 1, rc, text,
				 cases[c].rc, cases[c].out);
	}
}

static void test_literals_never_resolved(void **state)
{
	struct net_endpoint a;
	char err[128];

	(void)state;
	asked_host[0] = '\0';
	assert_int_equal(sig_endpoint_resolve("198.51.100.1:9", &a, 0, NET_AF_IP6, fake_resolve,
					      err, sizeof(err)),
			 0);
	assert_string_equal(asked_host, "");
	assert_int_equal(sig_endpoint_resolve("both.test:9", &a, 0, NET_AF_IP6, fake_resolve, err,
					      sizeof(err)),
			 0);
	assert_string_equal(asked_host, "both.test");
	assert_int_equal(asked_prefer, AF_INET6);
	assert_int_equal(net_endpoint_parse("both.test:9", 0, &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_literals_never_resolved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
