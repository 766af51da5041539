/* SPDX-License-Identifier: MIT */
/*
 * lib/net's VXLAN against the Linux kernel's vxlan device, the one a stock
 * host uses to join the L2 fabric. In a private network namespace of its
 * own (unshare: no fixed names, nothing outside touched), a veth d0
 * carries 10.200.0.1 and 2001:db8:19::1 (the far ends .2 and ::2 are
 * static neighbours, so the kernel sends without asking), with a vxlan
 * device on each:
 *
 *   our encap --raw IP--> local 4789 --> kernel vxlan4/6 --> frame on vx4/vx6
 *   frame sent on vx4/vx6 --> kernel encap --> out of d0 (captured) --> our decap
 *
 * The kernel checks what we build (IPv6 with noudp6zerocsumrx, its
 * default: only a right UDP checksum gets through), and we read what it
 * builds (and check its checksums). Needs root: skipped without it, or
 * without vxlan in the kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/addr.h"
#include "net/net.h"
#include "net/vxlan.h"

#define VNI 4242

static bool ready;

static const struct net_addr us4 = { .family = NET_AF_IP4, .b = { 10, 200, 0, 1 } };
static const struct net_addr them4 = { .family = NET_AF_IP4, .b = { 10, 200, 0, 2 } };
static const struct net_addr us6 = { .family = NET_AF_IP6,
				     .b = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x19, [15] = 1 } };
static const struct net_addr them6 = { .family = NET_AF_IP6,
				       .b = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x19, [15] = 2 } };
static const uint8_t far_mac[6] = { 0x02, 0x19, 0, 0, 0, 0x99 };

static int setup_ns(void **state)
{
	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0)
		return 0;
	ready = system("set -e; exec >/dev/null 2>&1; ip link set lo up;"
		       " ip link add d0 type veth peer name d1; ip link set d1 up;"
		       " ethtool -K d0 tx off;" /* whole checksums in what we capture */
		       " ip link set d0 up; ip addr add 10.200.0.1/24 dev d0;"
		       " ip -6 addr add 2001:db8:19::1/64 dev d0 nodad;"
		       " ip neigh add 10.200.0.2 lladdr 02:19:00:00:00:fe dev d0;"
		       " ip -6 neigh add 2001:db8:19::2 lladdr 02:19:00:00:00:fe dev d0;"
		       " ip link add vx4 type vxlan id 4242 dstport 4789 local 10.200.0.1 dev d0"
		       " nolearning;"
		       " ip link add vx6 type vxlan id 4242 dstport 4789 local 2001:db8:19::1"
		       " dev d0 nolearning;"
		       " ip link set vx4 up; ip link set vx6 up;"
		       " bridge fdb add 02:19:00:00:00:99 dev vx4 dst 10.200.0.2;"
		       " bridge fdb add 02:19:00:00:00:99 dev vx6 dst 2001:db8:19::2") == 0;
	return 0;
}

/* An AF_PACKET socket on ifname, with a receive timeout. */
static int packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	assert_true(fd >= 0);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	assert_true(sll.sll_ifindex > 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return fd;
}

/* A frame to far_mac (or from it), payload counting from seed. */
static uint32_t make_frame(uint8_t *f, uint32_t len, const uint8_t *dst, const uint8_t *src,
			   uint8_t seed)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	net_put_be16(f + 12, 0x88b5); /* IEEE local experimental */
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seed + i);
	return len;
}

/* Waits up to ~2 s for a packet on fd that match() accepts; its length or 0. */
static ssize_t wait_for(int fd, uint8_t *buf, size_t cap, bool outgoing,
			bool (*match)(const uint8_t *p, size_t n, const void *arg), const void *arg)
{
	for (int tries = 0; tries < 40; tries++) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&from, &fl);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		assert_true(n >= 0);
		if ((from.sll_pkttype == PACKET_OUTGOING) == outgoing && match(buf, (size_t)n, arg))
			return n;
	}
	return 0;
}

/*
 * Ours to the kernel: an encapsulated frame sent as a raw IP packet to our
 * own address, so the kernel's vxlan socket receives it. Returns the frame.
 */
static const uint8_t *send_encap(int raw, const struct net_addr *src, const struct net_addr *dst,
				 uint32_t vni, bool zero_csum, uint8_t seed)
{
	static uint8_t pkt[2][2048];
	static const uint8_t here[6] = { 0x02, 0x19, 0, 0, 0, 0x01 };
	uint8_t *p = pkt[seed & 1];
	uint32_t hlen = net_vxlan_hdr_len(src->family), flen;
	bool v4 = src->family == NET_AF_IP4;
	struct sockaddr_storage ss;
	socklen_t sl;

	flen = make_frame(p + hlen, 300, here, far_mac, seed);
	assert_int_equal(net_vxlan_encap(p, src, dst, vni, net_vxlan_sport(p + hlen, flen),
					 p + hlen, flen),
			 hlen);
	if (zero_csum)
		net_put_be16(p + hlen - NET_VXLAN_HLEN - NET_UDP_HLEN + NET_UDP_OFF_CSUM, 0);
	sl = net_endpoint_to_sockaddr(&(struct net_endpoint){ .addr = *dst },
				      v4 ? AF_INET : AF_INET6, &ss);
	assert_true(sl > 0);
	assert_int_equal(sendto(raw, p, hlen + flen, 0, (struct sockaddr *)&ss, sl),
			 (ssize_t)(hlen + flen));
	return p + hlen;
}

struct two_frames {
	const uint8_t *bad, *good;
	bool bad_seen;
};

/* The good frame; notes the bad one if it shows up on the way. */
static bool good_frame(const uint8_t *p, size_t n, const void *arg)
{
	struct two_frames *t = (struct two_frames *)arg;

	if (n >= 60 && t->bad && !memcmp(p, t->bad, 60))
		t->bad_seen = true;
	return n >= 60 && !memcmp(p, t->good, 60);
}

/*
 * Sends a good frame, and before it a bad one when bad_vni or zero_csum
 * asks: the good one arriving proves the path works and, arriving after
 * the bad one on the same path, that the bad one had its chance.
 */
static void ours_to_kernel(const struct net_addr *src, const struct net_addr *dst, const char *vx,
			   uint32_t bad_vni, bool zero_csum)
{
	static uint8_t got[2048];
	struct two_frames t = { 0 };
	int cap = packet_socket(vx);
	int raw = socket(src->family == NET_AF_IP4 ? AF_INET : AF_INET6, SOCK_RAW, IPPROTO_RAW);

	assert_true(raw >= 0);
	if (bad_vni || zero_csum)
		t.bad = send_encap(raw, src, dst, bad_vni ? bad_vni : VNI, zero_csum, 1);
	t.good = send_encap(raw, src, dst, VNI, false, 2);
	assert_int_equal(wait_for(cap, got, sizeof(got), false, good_frame, &t), 300);
	assert_false(t.bad_seen);
	close(raw);
	close(cap);
}

struct decap_match {
	const uint8_t *frame;
	uint32_t len;
	struct net_vxlan_view v;
	uint32_t l3;
};

/* An Ethernet frame on d0 whose IP packet decaps to the frame we sent. */
static bool decaps_to(const uint8_t *p, size_t n, const void *arg)
{
	struct decap_match *m = (struct decap_match *)arg;

	m->l3 = NET_ETH_HLEN;
	return n > NET_ETH_HLEN && net_vxlan_decap(p + m->l3, (uint32_t)(n - m->l3), &m->v) == 0 &&
	       m->v.frame_len >= m->len && !memcmp(p + m->l3 + m->v.frame_off, m->frame, m->len);
}

/* The kernel's to ours: a frame sent on vx goes out of d0 encapsulated. */
static void kernel_to_ours(const struct net_addr *src, const struct net_addr *dst, const char *vx)
{
	static uint8_t frame[400], got[2048];
	static const uint8_t here[6] = { 0x02, 0x19, 0, 0, 0, 0x02 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct decap_match m = { .frame = frame, .len = 200 };
	int cap = packet_socket("d0"), tx = packet_socket(vx);

	make_frame(frame, m.len, far_mac, here, 7);
	sll.sll_ifindex = (int)if_nametoindex(vx);
	memcpy(sll.sll_addr, far_mac, 6);
	assert_int_equal(sendto(tx, frame, m.len, 0, (struct sockaddr *)&sll, sizeof(sll)),
			 (ssize_t)m.len);
	assert_true(wait_for(cap, got, sizeof(got), true, decaps_to, &m) > 0);
	assert_int_equal(m.v.vni, VNI);
	assert_true(net_addr_equal(&m.v.src, src));
	assert_true(net_addr_equal(&m.v.dst, dst));
	assert_memory_equal(m.v.src_mac.b, here, 6);
	assert_memory_equal(m.v.dst_mac.b, far_mac, 6);
	assert_true(net_vxlan_udp_csum_ok(got + m.l3, m.v.frame_off + m.v.frame_len));
	close(tx);
	close(cap);
}

static void test_ours_to_kernel4(void **state)
{
	(void)state;
	if (!ready)
		skip();
	ours_to_kernel(&them4, &us4, "vx4", 0, false);
	ours_to_kernel(&them4, &us4, "vx4", VNI + 1, false); /* the VNI matters */
}

static void test_ours_to_kernel6(void **state)
{
	(void)state;
	if (!ready)
		skip();
	ours_to_kernel(&them6, &us6, "vx6", 0, false);
	/* why we compute it: a zero IPv6 checksum is dropped by default */
	ours_to_kernel(&them6, &us6, "vx6", 0, true);
}

static void test_kernel_to_ours4(void **state)
{
	(void)state;
	if (!ready)
		skip();
	kernel_to_ours(&us4, &them4, "vx4");
}

static void test_kernel_to_ours6(void **state)
{
	(void)state;
	if (!ready)
		skip();
	kernel_to_ours(&us6, &them6, "vx6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ours_to_kernel4),
		cmocka_unit_test(test_ours_to_kernel6),
		cmocka_unit_test(test_kernel_to_ours4),
		cmocka_unit_test(test_kernel_to_ours6),
	};

	return cmocka_run_group_tests(tests, setup_ns, NULL);
}
