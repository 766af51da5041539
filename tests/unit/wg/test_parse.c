/* SPDX-License-Identifier: MIT */
/*
 * wg_message_parse: a numbered table of hand-picked cases, then every type
 * byte 0..255 at every length 0..200 (data messages up to 2000) checked
 * against a deliberately naive reading of the wire format (messages.h and
 * the WireGuard paper, section 5.4): initiation 148, response 92, cookie
 * reply 64 bytes exactly; data at least 16 + 16 bytes; first byte the type,
 * the next three zero. Buffers are allocated at their exact length so the
 * sanitizer catches any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wg/parse.h"
#include "wg_test_util.h"

#define SENTINEL ((enum wg_message_type)0x5a)

/* The reference: one rule per line of the specification, no tables shared with parse.c. */
static enum wg_result naive_parse(const uint8_t *p, size_t len)
{
	if (len < 4)
		return WG_TOO_SHORT;
	if (p[0] == 0 || p[0] > 4)
		return WG_BAD_TYPE;
	if (p[1] != 0 || p[2] != 0 || p[3] != 0)
		return WG_BAD_RESERVED;
	if (p[0] == 1)
		return len == 148 ? WG_OK : WG_BAD_SIZE;
	if (p[0] == 2)
		return len == 92 ? WG_OK : WG_BAD_SIZE;
	if (p[0] == 3)
		return len == 64 ? WG_OK : WG_BAD_SIZE;
	return len >= 32 ? WG_OK : WG_BAD_SIZE;
}

/* Parse a fresh heap copy of exactly len bytes: {b0, b1, b2, b3, fill...}. */
static enum wg_result parse_exact(const uint8_t head[4], size_t len, uint8_t fill,
				  enum wg_message_type *type)
{
	uint8_t *buf = malloc(len ? len : 1);
	enum wg_result ret;
	size_t k;

	assert_non_null(buf);
	for (k = 0; k < len; k++)
		buf[k] = k < 4 ? head[k] : fill;
	*type = SENTINEL;
	ret = wg_message_parse(buf, len, type);
	free(buf);
	return ret;
}

static const struct parse_case {
	uint8_t head[4];
	size_t len;
	enum wg_result want;
} parse_cases[] = {
	/*  1 */ { { 1, 0, 0, 0 }, 148, WG_OK },
	/*  2 */ { { 2, 0, 0, 0 }, 92, WG_OK },
	/*  3 */ { { 3, 0, 0, 0 }, 64, WG_OK },
	/*  4 */ { { 4, 0, 0, 0 }, 32, WG_OK }, /* keepalive */
	/*  5 */ { { 4, 0, 0, 0 }, 48, WG_OK },
	/*  6 */ { { 4, 0, 0, 0 }, 1452, WG_OK }, /* 1420 MTU, not a multiple of 16 */
	/*  7 */ { { 1, 0, 0, 0 }, 147, WG_BAD_SIZE },
	/*  8 */ { { 1, 0, 0, 0 }, 149, WG_BAD_SIZE },
	/*  9 */ { { 2, 0, 0, 0 }, 91, WG_BAD_SIZE },
	/* 10 */ { { 2, 0, 0, 0 }, 93, WG_BAD_SIZE },
	/* 11 */ { { 2, 0, 0, 0 }, 148, WG_BAD_SIZE }, /* size of another type */
	/* 12 */ { { 3, 0, 0, 0 }, 63, WG_BAD_SIZE },
	/* 13 */ { { 3, 0, 0, 0 }, 65, WG_BAD_SIZE },
	/* 14 */ { { 3, 0, 0, 0 }, 92, WG_BAD_SIZE },
	/* 15 */ { { 4, 0, 0, 0 }, 31, WG_BAD_SIZE }, /* header + tag - 1 */
	/* 16 */ { { 4, 0, 0, 0 }, 16, WG_BAD_SIZE }, /* header, no tag */
	/* 17 */ { { 1, 0, 0, 0 }, 0, WG_TOO_SHORT },
	/* 18 */ { { 1, 0, 0, 0 }, 3, WG_TOO_SHORT },
	/* 19 */ { { 4, 0, 0, 0 }, 4, WG_BAD_SIZE }, /* header byte count only */
	/* 20 */ { { 0, 0, 0, 0 }, 148, WG_BAD_TYPE },
	/* 21 */ { { 5, 0, 0, 0 }, 148, WG_BAD_TYPE },
	/* 22 */ { { 255, 0, 0, 0 }, 32, WG_BAD_TYPE },
	/* 23 */ { { 1, 1, 0, 0 }, 148, WG_BAD_RESERVED },
	/* 24 */ { { 2, 0, 1, 0 }, 92, WG_BAD_RESERVED },
	/* 25 */ { { 3, 0, 0, 1 }, 64, WG_BAD_RESERVED },
	/* 26 */ { { 4, 0x80, 0, 0 }, 32, WG_BAD_RESERVED },
	/* 27 */ { { 1, 0, 0, 0x80 }, 148, WG_BAD_RESERVED }, /* big-endian type 1 */
	/* 28 */ { { 0, 0, 0, 1 }, 148, WG_BAD_TYPE },        /* big-endian type 1 read LE */
	/* 29 */ { { 4, 0, 0, 0 }, 3, WG_TOO_SHORT },
};

static void test_parse_table(void **state)
{
	enum wg_message_type type;
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		enum wg_result got = parse_exact(c->head, c->len, 0xee, &type);

		if (got != c->want)
			fail_msg("case %u: len %zu type %u: got %s, want %s", i + 1, c->len,
				 c->head[0], wg_result_name(got), wg_result_name(c->want));
		if (got == WG_OK)
			assert_int_equal(type, c->head[0]);
		else
			assert_int_equal(type, SENTINEL);
	}
}

/* Every type byte, every length: the reference decides. */
static void test_parse_every_type_and_length(void **state)
{
	enum wg_message_type type;
	unsigned t;
	size_t len;

	(void)state;
	for (t = 0; t < 256; t++) {
		size_t max = t == WG_MSG_DATA ? 2000 : 200;

		for (len = 0; len <= max; len++) {
			const uint8_t head[4] = { (uint8_t)t, 0, 0, 0 };
			enum wg_result want = naive_parse(head, len);
			enum wg_result got = parse_exact(head, len, (uint8_t)len, &type);

			if (got != want)
				fail_msg("type %u len %zu: got %s, want %s", t, len,
					 wg_result_name(got), wg_result_name(want));
			assert_int_equal(type, got == WG_OK ? (enum wg_message_type)t : SENTINEL);
		}
	}
}

/* Each reserved byte, each non-zero value, at the exact size of each type. */
static void test_parse_reserved_bytes(void **state)
{
	static const size_t sizes[] = { 0, 148, 92, 64, 32 };
	enum wg_message_type type;
	unsigned t, pos, v;

	(void)state;
	for (t = 1; t <= 4; t++) {
		for (pos = 1; pos < 4; pos++) {
			for (v = 1; v < 256; v++) {
				uint8_t head[4] = { (uint8_t)t, 0, 0, 0 };

				head[pos] = (uint8_t)v;
				assert_int_equal(parse_exact(head, sizes[t], 0, &type),
						 WG_BAD_RESERVED);
			}
		}
	}
}

/* Results are distinct values with distinct names an operator can read. */
static void test_result_names(void **state)
{
	unsigned a, b;

	(void)state;
	for (a = 0; a < WG_RESULT_COUNT; a++) {
		assert_non_null(wg_result_name((enum wg_result)a));
		assert_non_null(wg_result_text((enum wg_result)a));
		for (b = 0; b < a; b++)
			assert_string_not_equal(wg_result_name((enum wg_result)a),
						wg_result_name((enum wg_result)b));
	}
	assert_string_equal(wg_result_name(WG_BAD_MAC1), "BAD_MAC1");
	assert_string_equal(wg_result_name((enum wg_result)WG_RESULT_COUNT), "UNKNOWN");
	assert_string_equal(wg_result_name((enum wg_result) - 1), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_every_type_and_length),
		cmocka_unit_test(test_parse_reserved_bytes),
		cmocka_unit_test(test_result_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
