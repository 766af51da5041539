/* SPDX-License-Identifier: MIT */
/*
 * omni_xdp (xdp-fallback/omni_xdp.bpf.c) run by the kernel on hand-made
 * frames (BPF_PROG_TEST_RUN): a numbered table of frames, each with the
 * branch it must take (to the kernel, to the socket, or dropped for a named
 * reason), told apart by the program's own counters. Then the initiation
 * rate limit, and the one-gateway lock (lock.c). Loading a BPF program
 * needs root (CAP_BPF): without it the program tests are skipped.
 *
 *   test_omni_xdp PATH/omni_xdp.o
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "lock.h"
#include "omni_xdp.h"

enum { PORT = 51820, LIVE_INDEX = 0x11223344, MAX_FRAME = 2048 };

/* Outcome: PASS (kernel), OTHER (kernel, counted: the listen port of
 * another local address), SOCKET (redirect counter), or a drop reason. */
enum { OTHER = -3, PASS = -2, SOCKET = -1 };

static const char *object_path;
static struct bpf_object *obj;
static int prog_fd = -1, cfg_fd, live_fd, counters_fd, rate_fd;
static unsigned ncpus;

struct frame_spec {
	int family; /* 4 or 6 */
	int vlans;  /* 0..2 */
	uint16_t dport;
	int frag;          /* 0 none, 1 first fragment, 2 later fragment */
	uint8_t src;       /* last byte of the source address */
	int udp_len_extra; /* added to the UDP length field (truncation) */
	int ethertype;     /* nonzero: this instead of IP (e.g. ARP) */
	uint8_t dst;       /* last byte of the destination; 0: the gateway's (1) */
	bool ll;           /* IPv6: to fe80::dst instead of 2001:db8::dst */
};

static size_t put_ip4(uint8_t *p, const struct frame_spec *s, size_t l4len)
{
	size_t tot = 20 + l4len;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[6] = s->frag == 1 ? 0x20 : 0; /* MF */
	p[7] = s->frag == 2 ? 0x10 : 0; /* offset 16 * 8 */
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, (uint8_t[]){ 192, 0, 2, s->src }, 4);
	memcpy(p + 16, (uint8_t[]){ 192, 0, 2, s->dst ? s->dst : 1 }, 4);
	return 20;
}

static size_t put_ip6(uint8_t *p, const struct frame_spec *s, size_t l4len)
{
	size_t hl = 40 + (s->frag ? 8 : 0), plen = l4len + (s->frag ? 8 : 0);

	memset(p, 0, hl);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = s->frag ? 44 : 17;
	p[7] = 64;
	memcpy(p + 8, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
	p[23] = s->src;
	if (s->ll)
		memcpy(p + 24, (uint8_t[]){ 0xfe, 0x80 }, 2);
	else
		memcpy(p + 24, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
	p[39] = s->dst ? s->dst : 1;
	if (s->frag) {
		p[40] = 17;
		p[42] = s->frag == 2 ? 0x01 : 0; /* offset 32 */
		p[43] = s->frag == 1 ? 1 : 0;    /* M */
	}
	return hl;
}

static size_t build(uint8_t *f, const struct frame_spec *s, const uint8_t *msg, size_t len)
{
	size_t at = 12, udp_len = 8 + len;
	int v;

	memset(f, 0, MAX_FRAME);
	memcpy(f, (uint8_t[]){ 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 }, 12);
	for (v = 0; v < s->vlans; v++, at += 4) {
		f[at] = v == 0 && s->vlans == 2 ? 0x88 : 0x81;
		f[at + 1] = v == 0 && s->vlans == 2 ? 0xa8 : 0x00;
		f[at + 3] = (uint8_t)(10 + v);
	}
	if (s->ethertype) {
		f[at] = (uint8_t)(s->ethertype >> 8);
		f[at + 1] = (uint8_t)s->ethertype;
		memset(f + at + 2, 0xab, 28);
		return at + 30;
	}
	f[at] = s->family == 6 ? 0x86 : 0x08;
	f[at + 1] = s->family == 6 ? 0xdd : 0x00;
	at += 2;
	at += s->family == 6 ? put_ip6(f + at, s, udp_len) : put_ip4(f + at, s, udp_len);
	udp_len += (size_t)s->udp_len_extra;
	f[at] = 0x9c;
	f[at + 1] = 0x40; /* source port 40000 */
	f[at + 2] = (uint8_t)(s->dport >> 8);
	f[at + 3] = (uint8_t)s->dport;
	f[at + 4] = (uint8_t)(udp_len >> 8);
	f[at + 5] = (uint8_t)udp_len;
	memcpy(f + at + 8, msg, len);
	return at + 8 + len;
}

static uint64_t counter(uint32_t k)
{
	uint64_t v[512], sum = 0;

	assert_true(ncpus <= 512);
	assert_int_equal(bpf_map_lookup_elem(counters_fd, &k, v), 0);
	for (unsigned i = 0; i < ncpus; i++)
		sum += v[i];
	return sum;
}

/* Run one frame; which branch it took. */
static int run(const uint8_t *frame, size_t len)
{
	uint64_t before[XDPFB_CNT_COUNT];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame, .data_size_in = (uint32_t)len,
		    .repeat = 1);
	int k, hit = PASS;

	for (k = 0; k < XDPFB_CNT_COUNT; k++)
		before[k] = counter((uint32_t)k);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &t), 0);
	for (k = 0; k < XDPFB_CNT_COUNT; k++) {
		if (counter((uint32_t)k) != before[k]) {
			assert_int_equal(hit, PASS); /* one counter at most */
			hit = k == XDPFB_CNT_REDIRECT   ? SOCKET :
			      k == XDPFB_CNT_OTHER_ADDR ? OTHER :
							  k;
		}
	}
	/* Dropped frames say so; the rest pass (no socket in the map). */
	assert_int_equal(t.retval, hit >= 0 ? XDP_DROP : XDP_PASS);
	return hit;
}

/* The gateway's addresses: 192.0.2.1, 2001:db8::1, fe80::1. */
static void set_cfg(uint32_t rate, uint32_t burst, uint16_t flags)
{
	struct xdpfb_cfg c = { .port = PORT,
			       .init_rate = rate,
			       .init_burst = burst,
			       .unpadded_min = XDPFB_UNPADDED_MIN,
			       .flags = flags };
	uint32_t zero = 0;

	memcpy(&c.ip4, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(c.ip6, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 16);
	memcpy(c.ip6_ll, (uint8_t[]){ 0xfe, 0x80, [15] = 1 }, 16);

	assert_int_equal(bpf_map_update_elem(cfg_fd, &zero, &c, BPF_ANY), 0);
}

static int map_fd(const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	assert_non_null(m);
	return bpf_map__fd(m);
}

static int setup(void **state)
{
	uint32_t idx = LIVE_INDEX;
	uint8_t one = 1;
	int err;

	(void)state;
	obj = bpf_object__open_file(object_path, NULL);
	if (!obj || libbpf_get_error(obj))
		return -1;
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "cannot load %s: %s (root needed)\n", object_path, strerror(-err));
		bpf_object__close(obj);
		obj = NULL;
		return 0; /* tests skip */
	}
	prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, XDPFB_PROG_NAME));
	cfg_fd = map_fd(XDPFB_MAP_CFG);
	live_fd = map_fd(XDPFB_MAP_LIVE);
	counters_fd = map_fd(XDPFB_MAP_COUNTERS);
	rate_fd = map_fd(XDPFB_MAP_RATE);
	ncpus = (unsigned)libbpf_num_possible_cpus();
	set_cfg(XDPFB_INIT_RATE, XDPFB_INIT_BURST, 0);
	assert_int_equal(bpf_map_update_elem(live_fd, &idx, &one, BPF_ANY), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (obj)
		bpf_object__close(obj);
	return 0;
}

/* A WireGuard-shaped message: type, reserved, receiver index, size. */
static size_t wg_msg(uint8_t *m, uint8_t type, uint32_t reserved, uint32_t index, size_t size)
{
	memset(m, 0x5a, size);
	m[0] = type;
	m[1] = (uint8_t)reserved;
	m[2] = (uint8_t)(reserved >> 8);
	m[3] = (uint8_t)(reserved >> 16);
	if (size >= 8)
		memcpy(m + 4, &index, 4);
	return size;
}

struct row {
	const char *what;
	struct frame_spec spec;
	uint8_t type; /* 0: payload below */
	uint32_t reserved, index;
	size_t size;
	const char *raw; /* payload when type 0 (size bytes) */
	int want;
};

#define V4 .family = 4, .dport = PORT, .src = 2
#define V6 .family = 6, .dport = PORT, .src = 2
#define STUN                               \
	"\x00\x01\x00\x00\x21\x12\xa4\x42" \
	"abcdefghijkl"
#define SIG                \
	"\x4f\x4e\x53\x47" \
	"signaling message" /* SIG_MAGIC, "ONSG" */

static const struct row rows[] = {
	/*  1 */ { "initiation 148", { V4 }, 1, 0, 0, 148, NULL, SOCKET },
	/*  2 */ { "response 92", { V4 }, 2, 0, 0, 92, NULL, SOCKET },
	/*  3 */ { "cookie 64", { V4 }, 3, 0, 0, 64, NULL, SOCKET },
	/*  4 */ { "keepalive, live index", { V4 }, 4, 0, LIVE_INDEX, 32, NULL, SOCKET },
	/*  5 */ { "data 32+16n, live", { V4 }, 4, 0, LIVE_INDEX, 32 + 16 * 5, NULL, SOCKET },
	/*  6 */ { "data unpadded at MTU, live", { V4 }, 4, 0, LIVE_INDEX, 32 + 1420, NULL, SOCKET },
	/*  7 */ { "initiation 147", { V4 }, 1, 0, 0, 147, NULL, XDPFB_DROP_BAD_SIZE },
	/*  8 */ { "initiation 149", { V4 }, 1, 0, 0, 149, NULL, XDPFB_DROP_BAD_SIZE },
	/*  9 */ { "response 93", { V4 }, 2, 0, 0, 93, NULL, XDPFB_DROP_BAD_SIZE },
	/* 10 */ { "cookie 63", { V4 }, 3, 0, 0, 63, NULL, XDPFB_DROP_BAD_SIZE },
	/* 11 */ { "data 31", { V4 }, 4, 0, LIVE_INDEX, 31, NULL, XDPFB_DROP_BAD_SIZE },
	/* 12 */ { "data 33 (not padded)", { V4 }, 4, 0, LIVE_INDEX, 33, NULL, XDPFB_DROP_BAD_SIZE },
	/* 13 */ { "data 4 bytes", { V4 }, 4, 0, 0, 4, NULL, XDPFB_DROP_BAD_SIZE },
	/* 14 */ { "data, unknown index", { V4 }, 4, 0, 0x99, 64, NULL, XDPFB_DROP_UNKNOWN_INDEX },
	/* 15 */ { "initiation, reserved 1", { V4 }, 1, 1, 0, 148, NULL, XDPFB_DROP_RESERVED },
	/* 16 */
	{ "data, reserved 0x80 in byte 3",
	  { V4 },
	  4,
	  0x800000,
	  LIVE_INDEX,
	  64,
	  NULL,
	  XDPFB_DROP_RESERVED },
	/* 17 */
	{ "type 0",
	  { V4 },
	  0,
	  0,
	  0,
	  14,
	  "\0\0\0\0"
	  "0123456789",
	  XDPFB_DROP_UNKNOWN_PROTO },
	/* 18 */ { "type 5", { V4 }, 0, 0, 0, 8, "\5\0\0\0abcd", XDPFB_DROP_UNKNOWN_PROTO },
	/* 19 */ { "3 bytes", { V4 }, 0, 0, 0, 3, "abc", XDPFB_DROP_UNKNOWN_PROTO },
	/* 20 */ { "empty UDP", { V4 }, 0, 0, 0, 0, "", XDPFB_DROP_UNKNOWN_PROTO },
	/* 21 */ { "text", { V4 }, 0, 0, 0, 5, "hello", XDPFB_DROP_UNKNOWN_PROTO },
	/* 22 */ { "STUN binding", { V4 }, 0, 0, 0, 20, STUN, SOCKET },
	/* 23 */ { "STUN cookie, 19 bytes", { V4 }, 0, 0, 0, 19, STUN, XDPFB_DROP_UNKNOWN_PROTO },
	/* 24 */ { "signaling magic", { V4 }, 0, 0, 0, 21, SIG, SOCKET },
	/* 25 */
	{ "UDP length past the frame",
	  { V4, .udp_len_extra = 40 },
	  1,
	  0,
	  0,
	  148,
	  NULL,
	  XDPFB_DROP_TRUNCATED },
	/* 26 */
	{ "UDP length below 8",
	  { V4, .udp_len_extra = -150 },
	  1,
	  0,
	  0,
	  148,
	  NULL,
	  XDPFB_DROP_TRUNCATED },
	/* 27 */ { "first fragment", { V4, .frag = 1 }, 1, 0, 0, 148, NULL, XDPFB_DROP_FRAGMENT },
	/* 28 */ { "later fragment", { V4, .frag = 2 }, 1, 0, 0, 148, NULL, PASS },
	/* 29 */ { "other port", { .family = 4, .dport = 22, .src = 2 }, 0, 0, 0, 5, "hello", PASS },
	/* 30 */ { "ARP", { .ethertype = 0x0806 }, 0, 0, 0, 0, "", PASS },
	/* 31 */ { "IPv6 initiation", { V6 }, 1, 0, 0, 148, NULL, SOCKET },
	/* 32 */ { "IPv6 bad size", { V6 }, 2, 0, 0, 91, NULL, XDPFB_DROP_BAD_SIZE },
	/* 33 */ { "IPv6 first fragment", { V6, .frag = 1 }, 1, 0, 0, 148, NULL, XDPFB_DROP_FRAGMENT },
	/* 34 */ { "IPv6 later fragment", { V6, .frag = 2 }, 1, 0, 0, 148, NULL, PASS },
	/* 35 */
	{ "IPv6 other port", { .family = 6, .dport = 443, .src = 2 }, 0, 0, 0, 3, "abc", PASS },
	/* 36 */ { "VLAN, data live", { V4, .vlans = 1 }, 4, 0, LIVE_INDEX, 48, NULL, SOCKET },
	/* 37 */ { "QinQ, junk", { V4, .vlans = 2 }, 0, 0, 0, 5, "hello", XDPFB_DROP_UNKNOWN_PROTO },
	/* 38 */ { "QinQ IPv6, cookie", { V6, .vlans = 2 }, 3, 0, 0, 64, NULL, SOCKET },
	/* 39 */ { "VLAN, ARP", { .vlans = 1, .ethertype = 0x0806 }, 0, 0, 0, 0, "", PASS },
	/* 40 */ { "initiation, another address", { V4, .dst = 7 }, 1, 0, 0, 148, NULL, OTHER },
	/* 41 */ { "junk, another address", { V4, .dst = 7 }, 0, 0, 0, 5, "hello", OTHER },
	/* 42 */ { "STUN, another address", { V4, .dst = 7 }, 0, 0, 0, 20, STUN, OTHER },
	/* 43 */
	{ "first fragment, another address", { V4, .dst = 7, .frag = 1 }, 1, 0, 0, 148, NULL, OTHER },
	/* 44 */
	{ "other port, another address",
	  { .family = 4, .dport = 22, .dst = 7 },
	  0,
	  0,
	  0,
	  5,
	  "hello",
	  PASS },
	/* 45 */ { "IPv6 initiation, another address", { V6, .dst = 7 }, 1, 0, 0, 148, NULL, OTHER },
	/* 46 */ { "IPv6 initiation, link-local", { V6, .ll = true }, 1, 0, 0, 148, NULL, SOCKET },
	/* 47 */
	{ "IPv6 link-local, another", { V6, .ll = true, .dst = 7 }, 1, 0, 0, 148, NULL, OTHER },
	/* 48 */
	{ "VLAN, data, another address",
	  { V4, .vlans = 1, .dst = 7 },
	  4,
	  0,
	  LIVE_INDEX,
	  48,
	  NULL,
	  OTHER },
};

static void test_table(void **state)
{
	uint8_t frame[MAX_FRAME], msg[1600];
	size_t i, len, mlen;

	(void)state;
	if (!obj)
		skip();
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int got;

		if (r->type)
			mlen = wg_msg(msg, r->type, r->reserved, r->index, r->size);
		else
			memcpy(msg, r->raw, mlen = r->size);
		len = build(frame, &r->spec, msg, mlen);
		got = run(frame, len);
		if (got != r->want)
			fail_msg("row %zu (%s): got %d, want %d", i + 1, r->what, got, r->want);
	}
}

static void test_unconfigured_passes(void **state)
{
	uint8_t frame[MAX_FRAME], msg[148];
	struct xdpfb_cfg off = { .port = 0 };
	uint32_t zero = 0;
	const struct frame_spec s = { V4 };

	(void)state;
	if (!obj)
		skip();
	assert_int_equal(bpf_map_update_elem(cfg_fd, &zero, &off, BPF_ANY), 0);
	assert_int_equal(run(frame, build(frame, &s, msg, wg_msg(msg, 9, 7, 0, 20))), PASS);
	/* The port, but no address yet (the loader writes them once the
	 * gateway knows them): nothing is taken from the kernel. */
	off.port = PORT;
	assert_int_equal(bpf_map_update_elem(cfg_fd, &zero, &off, BPF_ANY), 0);
	assert_int_equal(run(frame, build(frame, &s, msg, wg_msg(msg, 1, 0, 0, 148))), OTHER);
	set_cfg(XDPFB_INIT_RATE, XDPFB_INIT_BURST, 0);
	assert_int_equal(run(frame, build(frame, &s, msg, wg_msg(msg, 1, 0, 0, 148))), SOCKET);
}

static void test_index_check_off(void **state)
{
	uint8_t frame[MAX_FRAME], msg[64];
	const struct frame_spec s = { V4 };

	(void)state;
	if (!obj)
		skip();
	set_cfg(XDPFB_INIT_RATE, XDPFB_INIT_BURST, XDPFB_F_NO_INDEX_CHECK);
	assert_int_equal(run(frame, build(frame, &s, msg, wg_msg(msg, 4, 0, 0x77, 64))), SOCKET);
	set_cfg(XDPFB_INIT_RATE, XDPFB_INIT_BURST, 0);
	assert_int_equal(run(frame, build(frame, &s, msg, wg_msg(msg, 4, 0, 0x77, 64))),
			 XDPFB_DROP_UNKNOWN_INDEX);
}

/* Burst, then the rate: 1/s leaves no time to refill during the test. */
static void test_ratelimit(void **state)
{
	uint8_t frame[MAX_FRAME], msg[148];
	struct frame_spec a = { .family = 4, .dport = PORT, .src = 50 };
	struct frame_spec b = { .family = 4, .dport = PORT, .src = 51 };
	struct frame_spec c = { .family = 6, .dport = PORT, .src = 50 };
	unsigned i, ok = 0, limited = 0;

	(void)state;
	if (!obj)
		skip();
	set_cfg(1, 10, 0);
	wg_msg(msg, 1, 0, 0, 148);
	for (i = 0; i < 25; i++) {
		int got = run(frame, build(frame, &a, msg, 148));

		ok += got == SOCKET;
		limited += got == XDPFB_DROP_RATELIMIT;
	}
	assert_int_equal(ok, 10);
	assert_int_equal(limited, 15);
	/* Another source, and the same last byte over IPv6, have their own. */
	assert_int_equal(run(frame, build(frame, &b, msg, 148)), SOCKET);
	assert_int_equal(run(frame, build(frame, &c, msg, 148)), SOCKET);
	/* Only initiations are limited. */
	assert_int_equal(run(frame, build(frame, &a, msg, wg_msg(msg, 2, 0, 0, 92))), SOCKET);
	set_cfg(XDPFB_INIT_RATE, XDPFB_INIT_BURST, 0);
}

static void test_lock(void **state)
{
	char dir[] = "/tmp/omni-xdp-lock.XXXXXX", path[256], path2[256];
	long holder;
	int a, b;

	(void)state;
	assert_non_null(mkdtemp(dir));
	a = xdpfb_lock(dir, "eth9", path, sizeof(path), &holder);
	assert_true(a >= 0);
	/* A second taker (another open file: what another process has) fails. */
	b = xdpfb_lock(dir, "eth9", path2, sizeof(path2), &holder);
	assert_int_equal(b, -EBUSY);
	assert_int_equal(holder, (long)getpid());
	assert_string_equal(path, path2);
	/* Another interface is another lock. */
	b = xdpfb_lock(dir, "eth8", path2, sizeof(path2), &holder);
	assert_true(b >= 0);
	xdpfb_unlock(b, path2);
	xdpfb_unlock(a, path);
	assert_int_equal(access(path, F_OK), -1); /* the file went with the lock */
	a = xdpfb_lock(dir, "eth9", path, sizeof(path), &holder);
	assert_true(a >= 0);
	assert_int_equal(holder, 0); /* a clean stop left no pid behind */
	/* A run that died holding it: the file stays with its pid, which the
	 * next taker is told about (and replaces with its own). */
	close(a);
	a = xdpfb_lock(dir, "eth9", path, sizeof(path), &holder);
	assert_true(a >= 0);
	assert_int_equal(holder, (long)getpid());
	xdpfb_unlock(a, path);
	assert_int_equal(rmdir(dir), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_unconfigured_passes),
		cmocka_unit_test(test_index_check_off),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_lock),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s omni_xdp.o\n", argv[0]);
		return 2;
	}
	object_path = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}
