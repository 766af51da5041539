/* SPDX-License-Identifier: MIT */
/*
 * Known answers for the symmetric primitives of the handshake (internal
 * header wg/crypto.h). BLAKE2s-256("abc") is RFC 7693 appendix B; X25519 is
 * RFC 7748 section 6.1; every other vector was made with Python's hashlib,
 * hmac and the cryptography package, never with lib/wg, by the one-liner
 * written above it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wg/crypto.h"
#include "wg/key.h"
#include "wg_test_util.h"

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[64];

	wgt_hex(want, len, hex);
	assert_memory_equal(got, want, len);
}

static void key_0_31(uint8_t k[32])
{
	unsigned i;

	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)i;
}

static void test_blake2s_rfc7693(void **state)
{
	uint8_t out[WG_HASH_LEN];

	(void)state;
	/* RFC 7693, appendix B: BLAKE2s-256("abc"). */
	wg_hash2(out, "abc", 3, NULL, 0);
	assert_hex(out, 32, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	/* The same bytes split over the two inputs give the same hash. */
	wg_hash2(out, "a", 1, "bc", 2);
	assert_hex(out, 32, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	wg_hash2(out, "", 0, "abc", 3);
	assert_hex(out, 32, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	/* python3 -c "import hashlib; print(hashlib.blake2s(b'').hexdigest())" */
	wg_hash2(out, "", 0, NULL, 0);
	assert_hex(out, 32, "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
}

static void test_noise_initial_state(void **state)
{
	static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
	static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
	uint8_t c[WG_HASH_LEN], h[WG_HASH_LEN];

	(void)state;
	/* python3 -c "import hashlib; C=hashlib.blake2s(b'Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s').digest();
	 *   print(C.hex(), hashlib.blake2s(C+b'WireGuard v1 zx2c4 Jason@zx2c4.com').hexdigest())" */
	wg_hash2(c, construction, strlen(construction), NULL, 0);
	assert_hex(c, 32, "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
	wg_hash2(h, c, sizeof(c), identifier, strlen(identifier));
	assert_hex(h, 32, "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
}

static void test_mix_hash(void **state)
{
	uint8_t h[WG_HASH_LEN];

	(void)state;
	/* python3 -c "import hashlib; print(hashlib.blake2s(bytes(range(32))+b'WireGuard').hexdigest())" */
	key_0_31(h);
	wg_mix_hash(h, "WireGuard", 9);
	assert_hex(h, 32, "6f17e34b7cc8b4e18f9b587a960d12f426a0d5ff48ab0cd57eeed75826184afb");
}

static void test_keyed_mac(void **state)
{
	uint8_t key[32], msg[100], out[WG_MAC_LEN + 1];
	unsigned i;

	(void)state;
	key_0_31(key);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	out[WG_MAC_LEN] = 0xa5; /* canary: exactly 16 bytes are written */
	/* python3 -c "import hashlib; print(hashlib.blake2s(bytes(range(100)), key=bytes(range(32)), digest_size=16).hexdigest())" */
	wg_mac(out, key, 32, msg, sizeof(msg));
	assert_hex(out, 16, "0b67d33f8b859c3157fbabd9e6e47ed0");
	assert_int_equal(out[WG_MAC_LEN], 0xa5);
	/* mac2 uses a 16-byte key (the cookie).
	 * python3 -c "import hashlib; print(hashlib.blake2s(bytes(range(100)), key=bytes(range(16)), digest_size=16).hexdigest())" */
	wg_mac(out, key, 16, msg, sizeof(msg));
	assert_hex(out, 16, "56301549e674c3b72a0e1dafb7a2c620");
}

static void test_hmac(void **state)
{
	/* python3 -c "import hashlib,hmac; [print(n, hmac.new(bytes(range(32)), bytes(i&255 for i in range(n)),
	 *   hashlib.blake2s).hexdigest()) for n in (0,1,64,65,200)]" */
	static const struct {
		size_t len;
		const char *hex;
	} v[] = {
		{ 0, "e2641d24dfa8dd89e8cb77f1cdc77d8c006e5bebdfc4d6a3a3a6f8d5b7586fb0" },
		{ 1, "3c657ea8362eeb115466cc90a81a36d2994b7153729c01f50a19be2ca3cce643" },
		{ 64, "3b35e945d05ac982850451ac8b6cdfffb98e56f50b95272fab665de081691056" },
		{ 65, "e0bf9ad5f46ae7cb59268a338f24391ad8cc125148746599da55803c3d80c2e2" },
		{ 200, "543eec9b22646365ef782d72dae137cc761d018005f8d33d0f20bfbd01e62974" },
	};
	uint8_t key[32], msg[200], out[WG_HASH_LEN];
	unsigned i;

	(void)state;
	key_0_31(key);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		wg_hmac(out, key, msg, v[i].len);
		assert_hex(out, 32, v[i].hex);
	}
}

/*
 * python3 -c "import hashlib,hmac; H=lambda k,x: hmac.new(k,x,hashlib.blake2s).digest()
 *   for n in (0,32): p=H(bytes(range(32)),bytes(range(128,128+n))); t1=H(p,b'\1'); t2=H(p,t1+b'\2');
 *   t3=H(p,t2+b'\3'); print(n,t1.hex(),t2.hex(),t3.hex())"
 */
static const struct {
	size_t len;
	const char *t[3];
} kdf_vectors[] = {
	{ 0,
	  { "7a38c34bf2b8738d7374ca77c44ecb309a11d2b2528304fa86052c365e722624",
	    "1a17621f346abdc520746a9fb64d8eb03231d674fc15687537b0780fd9c060fd",
	    "4eaf02809ac4b930ef63479de62275f1c55656e61f78a3cc653c18a2223d6c5f" } },
	{ 32,
	  { "a1184f94acc4df8cc7ec312b85b80bdaac0ae5248c7d82841ccc1c37c01de2fb",
	    "92a78c15c9df42c2b3e06157d8bb680cea4b01aa8f5f8798703581baed6b23f0",
	    "bb562bc2ff5cc7efcc186849bbafeca342467e2fd5932b34b64654ec6591dfd0" } },
};

static void test_kdf(void **state)
{
	uint8_t ck[32], in[32], t[3][WG_HASH_LEN];
	unsigned i, k;

	(void)state;
	key_0_31(ck);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0x80 + i);
	for (i = 0; i < ARRAY_SIZE(kdf_vectors); i++) {
		size_t len = kdf_vectors[i].len;

		wg_kdf(t[0], t[1], t[2], ck, in, len);
		for (k = 0; k < 3; k++)
			assert_hex(t[k], 32, kdf_vectors[i].t[k]);
		/* Each output alone, the others NULL: same values. */
		memset(t, 0, sizeof(t));
		wg_kdf(t[0], NULL, NULL, ck, in, len);
		wg_kdf(NULL, t[1], NULL, ck, in, len);
		wg_kdf(NULL, NULL, t[2], ck, in, len);
		for (k = 0; k < 3; k++)
			assert_hex(t[k], 32, kdf_vectors[i].t[k]);
	}
}

static void test_kdf_in_place(void **state)
{
	uint8_t ck[32], key[32], in[32];
	unsigned i;

	(void)state;
	/* noise.c chains C = KDF(C, x): the output may alias the chaining key. */
	key_0_31(ck);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0x80 + i);
	wg_kdf(ck, key, NULL, ck, in, sizeof(in));
	assert_hex(ck, 32, kdf_vectors[1].t[0]);
	assert_hex(key, 32, kdf_vectors[1].t[1]);
}

static void test_aead_small(void **state)
{
	/* python3 -c "from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305 as C; import struct;
	 *   print(C(bytes(range(32))).encrypt(bytes(4)+struct.pack('<Q',0x0102030405060708),
	 *   b'WireGuard!', bytes(range(64,96))).hex())" */
	static const char want[] = "a720df81ec4c8b6a008a076b99b56262b02ddfb6a9200076ad67";
	uint8_t key[32], ad[32], ct[26], pt[10];
	unsigned i;

	(void)state;
	key_0_31(key);
	for (i = 0; i < sizeof(ad); i++)
		ad[i] = (uint8_t)(64 + i);
	wg_aead_seal_small(ct, "WireGuard!", 10, 0x0102030405060708ULL, ad, key);
	assert_hex(ct, sizeof(ct), want);
	assert_int_equal(wg_aead_open_small(pt, ct, sizeof(ct), 0x0102030405060708ULL, ad, key), 0);
	assert_memory_equal(pt, "WireGuard!", 10);
	/* Wrong counter, wrong AD, flipped bit: all refused. */
	assert_int_equal(wg_aead_open_small(pt, ct, sizeof(ct), 0x0102030405060709ULL, ad, key),
			 -1);
	ad[0] ^= 1;
	assert_int_equal(wg_aead_open_small(pt, ct, sizeof(ct), 0x0102030405060708ULL, ad, key),
			 -1);
	ad[0] ^= 1;
	for (i = 0; i < sizeof(ct) * 8; i++) {
		ct[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(wg_aead_open_small(pt, ct, sizeof(ct), 0x0102030405060708ULL, ad,
						    key),
				 -1);
		ct[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
}

static void test_dh_rfc7748(void **state)
{
	uint8_t a[32], b_pub[32], out[32], zero[32] = { 0 };

	(void)state;
	/* RFC 7748, section 6.1: Alice's private key, Bob's public key, K. */
	wgt_hex(a, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	wgt_hex(b_pub, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	assert_int_equal(wg_dh(out, a, b_pub), 0);
	assert_hex(out, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	/* A low-order public key (here 0 and 1) gives an all-zero secret: refused, out wiped. */
	memset(out, 0xff, sizeof(out));
	assert_int_equal(wg_dh(out, a, zero), -1);
	assert_memory_equal(out, zero, 32);
	zero[0] = 1;
	assert_int_equal(wg_dh(out, a, zero), -1);
}

/* key.h: the text form of `wg genkey` / `wg pubkey`. */
static void test_key_base64(void **state)
{
	/* python3 -c "import base64; print(base64.b64encode(bytes.fromhex('77076d0a...2c2a')).decode())" */
	static const char alice_b64[] = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
	static const char alice_pub_b64[] = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
	static const char *const bad[] = {
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=",  /* non-zero trailing bits */
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo",   /* 43 characters */
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo==", /* 45 characters */
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoA",  /* no '=' */
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L*o=",  /* not base64 */
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC=o",  /* '=' inside */
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L o=",  /* a space */
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC-=",  /* URL-safe alphabet */
		"",
	};
	uint8_t key[WG_KEY_LEN], pub[WG_KEY_LEN];
	char text[WG_KEY_B64_LEN + 1];
	unsigned i, n;

	(void)state;
	assert_true(wg_key_from_base64(key, alice_b64));
	assert_hex(key, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	assert_true(wg_key_public(pub, key));
	/* RFC 7748, section 6.1: Alice's public key. */
	assert_hex(pub, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	wg_key_to_base64(text, pub);
	assert_string_equal(text, alice_pub_b64);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (wg_key_from_base64(key, bad[i]))
			fail_msg("accepted bad key text %u: \"%s\"", i, bad[i]);
	/* Generated keys are clamped as `wg genkey` clamps them, round-trip, and differ. */
	memset(pub, 0, sizeof(pub));
	for (i = 0, n = 0; i < 64; i++) {
		uint8_t back[WG_KEY_LEN];

		wg_key_generate_private(key);
		assert_int_equal(key[0] & 7, 0);
		assert_int_equal(key[31] & 0xc0, 0x40);
		wg_key_to_base64(text, key);
		assert_int_equal(strlen(text), WG_KEY_B64_LEN);
		assert_true(wg_key_from_base64(back, text));
		assert_memory_equal(back, key, 32);
		n += memcmp(key, pub, 32) != 0; /* not the previous one */
		memcpy(pub, key, 32);
	}
	assert_int_equal(n, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blake2s_rfc7693),
		cmocka_unit_test(test_noise_initial_state),
		cmocka_unit_test(test_mix_hash),
		cmocka_unit_test(test_keyed_mac),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_kdf),
		cmocka_unit_test(test_kdf_in_place),
		cmocka_unit_test(test_aead_small),
		cmocka_unit_test(test_dh_rfc7748),
		cmocka_unit_test(test_key_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
