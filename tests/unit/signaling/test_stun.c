// SPDX-License-Identifier: MIT
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

/* RFC 5769 section 2.2: mapped 192.0.2.1 port 32853. */
static const uint8_t rfc5769_v4[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
	0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
	0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
	0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 section 2.3: mapped 2001:db8:1234:5678:11:2233:4455:6677 port 32853. */
static const uint8_t rfc5769_v6[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
	0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
	0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
	0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
	0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

static const uint8_t *txid = rfc5769_v4 + 8;

static void test_rfc5769_ipv4(void **state)
{
	static const uint8_t ip[4] = { 192, 0, 2, 1 };
	struct sig_addr a;

	(void)state;
	assert_true(sig_stun_is_stun(rfc5769_v4, sizeof(rfc5769_v4)));
	assert_int_equal(sig_stun_parse_response(rfc5769_v4, sizeof(rfc5769_v4), txid, &a),
			 SIG_STUN_OK);
	assert_int_equal(a.family, 4);
	assert_int_equal(a.port, 32853);
	assert_memory_equal(a.ip, ip, 4);
}

static void test_rfc5769_ipv6(void **state)
{
	static const uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
					0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	struct sig_addr a;

	(void)state;
	assert_int_equal(sig_stun_parse_response(rfc5769_v6, sizeof(rfc5769_v6), txid, &a),
			 SIG_STUN_OK);
	assert_int_equal(a.family, 6);
	assert_int_equal(a.port, 32853);
	assert_memory_equal(a.ip, ip, 16);
}

/* Every truncation fails; every bit flip fails (the fingerprint covers
 * SOFTWARE and MESSAGE-INTEGRITY, which we do not otherwise check). */
static void test_truncations_and_flips(void **state)
{
	const uint8_t *vec[] = { rfc5769_v4, rfc5769_v6 };
	size_t lens[] = { sizeof(rfc5769_v4), sizeof(rfc5769_v6) };
	uint8_t buf[128];
	struct sig_addr a;

	(void)state;
	for (int v = 0; v < 2; v++) {
		for (size_t n = 0; n < lens[v]; n++)
			assert_int_not_equal(sig_stun_parse_response(vec[v], n, txid, &a), SIG_STUN_OK);
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
				assert_int_equal(a.family, v == 0 ? 4 : 6);
			}
			buf[byte] ^= (uint8_t)(1u << bit % 8);
		}
	}
}

static void test_wrong_txid_and_kinds(void **state)
{
	uint8_t other[SIG_STUN_TXID_LEN] = { 1 }, buf[128];
	struct sig_addr a;

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
	memcpy(buf + 20, (const uint8_t[]){ 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96,
					    198, 51, 100, 7 }, 12);
	assert_int_equal(sig_stun_parse_response(buf, 32, txid, &a), SIG_STUN_OK);
	assert_int_equal(a.port, 3478);
	assert_int_equal(a.ip[3], 7);
	/* An unknown comprehension-required attribute: unusable. */
	buf[21] = 0x7f;
	assert_int_equal(sig_stun_parse_response(buf, 32, txid, &a), SIG_STUN_BAD_ATTR);
	/* An unknown comprehension-optional one is skipped. */
	buf[20] = 0x80;
	buf[3] = 24;
	memcpy(buf + 32, (const uint8_t[]){ 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96,
					    198, 51, 100, 8 }, 12);
	assert_int_equal(sig_stun_parse_response(buf, 44, txid, &a), SIG_STUN_OK);
	assert_int_equal(a.ip[3], 8);
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
	assert_int_equal(sig_stun_parse_response(buf, len, id, &(struct sig_addr){ 0 }),
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
