/* SPDX-License-Identifier: MIT */
/*
 * The STUN codec against the RFC 5769 sample Binding responses (IPv4 and
 * IPv6: XOR-MAPPED-ADDRESS, SOFTWARE, MESSAGE-INTEGRITY, FINGERPRINT),
 * every truncation and every single-bit flip of them, a wrong transaction
 * id, MAPPED-ADDRESS alone, error responses, unknown attributes, and our
 * own request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/stun.h"

#include "rfc5769.h"

static const uint8_t *txid = rfc5769_v4 + 8;

static void test_rfc5769_ipv4(void **state)
{
	static const uint8_t ip[4] = { 192, 0, 2, 1 };
	struct net_endpoint a;

	(void)state;
	assert_true(sig_stun_is_stun(rfc5769_v4, sizeof(rfc5769_v4)));
	assert_int_equal(sig_stun_parse_response(rfc5769_v4, sizeof(rfc5769_v4), txid, &a),
			 SIG_STUN_OK);
	assert_int_equal(a.addr.family, NET_AF_IP4);
	assert_int_equal(a.port, 32853);
	assert_memory_equal(a.addr.b, ip, 4);
}

static void test_rfc5769_ipv6(void **state)
{
	static const uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
					0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	struct net_endpoint a;

	(void)state;
	assert_int_equal(sig_stun_parse_response(rfc5769_v6, sizeof(rfc5769_v6), txid, &a),
			 SIG_STUN_OK);
	assert_int_equal(a.addr.family, NET_AF_IP6);
	assert_int_equal(a.port, 32853);
	assert_memory_equal(a.addr.b, ip, 16);
}

/* Every truncation fails; every bit flip fails (the fingerprint covers
 * SOFTWARE and MESSAGE-INTEGRITY, which we do not otherwise check). */
static void test_truncations_and_flips(void **state)
{
	const uint8_t *vec[] = { rfc5769_v4, rfc5769_v6 };
	size_t lens[] = { sizeof(rfc5769_v4), sizeof(rfc5769_v6) };
	uint8_t buf[128];
	struct net_endpoint a;

	(void)state;
	for (int v = 0; v < 2; v++) {
		for (size_t n = 0; n < lens[v]; n++)
			assert_int_not_equal(sig_stun_parse_response(vec[v], n, txid, &a),
					     SIG_STUN_OK);
		memcpy(buf, vec[v], lens[v]);
		for (size_t bit = 0; bit < lens[v] * 8; bit++) {
			size_t byte = bit / 8;
			enum sig_stun_result r;

			buf[byte] ^= (uint8_t)(1u << bit % 8);
			r = sig_stun_parse_response(buf, lens[v], txid, &a);
			/* Only flips that hide FINGERPRINT pass (a message without
			 * it is valid): its type turned into another optional one,
			 * or MESSAGE-INTEGRITY's length (unchecked without
			 * credentials) grown over it. The address never changes. */
			if (r == SIG_STUN_OK) {
				assert_true((byte >= lens[v] - 8 && byte < lens[v] - 6) ||
					    (byte >= lens[v] - 30 && byte < lens[v] - 28));
				assert_int_equal(a.port, 32853);
				assert_int_equal(a.addr.family, v == 0 ? NET_AF_IP4 : NET_AF_IP6);
			}
			buf[byte] ^= (uint8_t)(1u << bit % 8);
		}
	}
}

static void test_wrong_txid_and_kinds(void **state)
{
	uint8_t other[SIG_STUN_TXID_LEN] = { 1 }, buf[128];
	struct net_endpoint a;

	(void)state;
	assert_int_equal(sig_stun_parse_response(rfc5769_v4, sizeof(rfc5769_v4), other, &a),
			 SIG_STUN_WRONG_TXID);
	memcpy(buf, rfc5769_v4, sizeof(rfc5769_v4));
	buf[1] = 0x11; /* Binding error response */
	assert_int_equal(sig_stun_parse_response(buf, sizeof(rfc5769_v4), txid, &a),
			 SIG_STUN_ERROR_RESPONSE);
	buf[1] = 0x01, buf[0] = 0x00; /* a request */
	assert_int_equal(sig_stun_parse_response(buf, 20, txid, &a), SIG_STUN_NOT_STUN);
	/* Header only, length 0: a success without an address. */
	memcpy(buf, rfc5769_v4, 20);
	buf[0] = 0x01, buf[1] = 0x01, buf[2] = 0, buf[3] = 0;
	assert_int_equal(sig_stun_parse_response(buf, 20, txid, &a), SIG_STUN_NO_ADDRESS);
	/* MAPPED-ADDRESS alone (a pre-5389 server): 198.51.100.7 port 3478. */
	buf[3] = 12;
	memcpy(buf + 20,
	       (const uint8_t[]){ 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96, 198, 51, 100, 7 },
	       12);
	assert_int_equal(sig_stun_parse_response(buf, 32, txid, &a), SIG_STUN_OK);
	assert_int_equal(a.port, 3478);
	assert_int_equal(a.addr.b[3], 7);
	/* An unknown comprehension-required attribute: unusable. */
	buf[21] = 0x7f;
	assert_int_equal(sig_stun_parse_response(buf, 32, txid, &a), SIG_STUN_BAD_ATTR);
	/* An unknown comprehension-optional one is skipped. */
	buf[20] = 0x80;
	buf[3] = 24;
	memcpy(buf + 32,
	       (const uint8_t[]){ 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96, 198, 51, 100, 8 },
	       12);
	assert_int_equal(sig_stun_parse_response(buf, 44, txid, &a), SIG_STUN_OK);
	assert_int_equal(a.addr.b[3], 8);
	/* A family that is neither 1 nor 2. */
	buf[37] = 3;
	assert_int_equal(sig_stun_parse_response(buf, 44, txid, &a), SIG_STUN_BAD_ATTR);
}

static void test_request(void **state)
{
	uint8_t buf[SIG_STUN_REQUEST_MAX], id[SIG_STUN_TXID_LEN] = { 9, 8, 7 };
	size_t len;

	(void)state;
	len = sig_stun_request(buf, sizeof(buf), id, false);
	assert_int_equal(len, 20);
	assert_true(sig_stun_is_stun(buf, len));
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 1);
	assert_memory_equal(sig_stun_txid(buf), id, sizeof(id));
	len = sig_stun_request(buf, sizeof(buf), id, true);
	assert_int_equal(len, 28);
	assert_true(sig_stun_is_stun(buf, len));
	assert_int_equal(buf[3], 8);
	assert_int_equal(buf[20], 0x80);
	assert_int_equal(buf[21], 0x28);
	assert_int_equal(sig_stun_request(buf, 27, id, true), 0);
	/* Our own fingerprint code agrees with RFC 5769's: flip the response's
	 * type to a request and the parser must call it not a response. */
	assert_int_equal(sig_stun_parse_response(buf, len, id, &(struct net_endpoint){ 0 }),
			 SIG_STUN_NOT_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5769_ipv4),
		cmocka_unit_test(test_rfc5769_ipv6),
		cmocka_unit_test(test_truncations_and_flips),
		cmocka_unit_test(test_wrong_txid_and_kinds),
		cmocka_unit_test(test_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
