/* SPDX-License-Identifier: MIT */
/*
 * Finding rx queues' kernel descriptors (lib/dp/queue_fd.c): of a pipe, a
 * UDP socket, a packet socket and an AF_XDP socket opened between two
 * scans, exactly the last two are found, in ascending order; a closed one
 * is gone; the count is right when the array is too short. The sockets
 * need CAP_NET_RAW: skipped without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/queue_fd.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

static void test_found_between_scans(void **state)
{
	struct dp_fdset before, after;
	int pfd[2], udp, packet, xdp, fds[4];
	unsigned n;

	(void)state;
	assert_int_equal(dp_fdset_scan(&before), 0);
	packet = socket(AF_PACKET, SOCK_RAW, 0);
	if (packet < 0 && (errno == EPERM || errno == EACCES))
		skip();
	assert_true(packet >= 0);
	assert_int_equal(pipe(pfd), 0);
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	xdp = socket(AF_XDP, SOCK_RAW, 0);
	assert_true(udp >= 0);
	assert_true(xdp >= 0);
	assert_int_equal(dp_fdset_scan(&after), 0);

	assert_true(dp_fd_is_queue_kind(packet));
	assert_true(dp_fd_is_queue_kind(xdp));
	assert_false(dp_fd_is_queue_kind(udp));
	assert_false(dp_fd_is_queue_kind(pfd[0]));
	assert_false(dp_fd_is_queue_kind(-1));

	n = dp_fdset_added(&before, &after, fds, 4);
	assert_int_equal(n, 2);
	assert_int_equal(fds[0], packet < xdp ? packet : xdp);
	assert_int_equal(fds[1], packet < xdp ? xdp : packet);
	/* Too short an array: the count still says how many. */
	assert_int_equal(dp_fdset_added(&before, &after, fds, 1), 2);
	assert_int_equal(dp_fdset_added(&after, &after, fds, 4), 0);

	close(xdp);
	assert_int_equal(dp_fdset_scan(&after), 0);
	assert_int_equal(dp_fdset_added(&before, &after, fds, 4), 1);
	assert_int_equal(fds[0], packet);
	close(packet);
	close(udp);
	close(pfd[0]);
	close(pfd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_between_scans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
