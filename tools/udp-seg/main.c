/* SPDX-License-Identifier: MIT */
/*
 * udp-seg: UDP segmentation offload end to end, for tests/e2e/edge_uso.sh.
 *
 *   udp-seg send DST_IPV4 PORT SUPERS SECONDS MBPS
 *   udp-seg recv ADDR_IPV4 PORT READY_FILE EXPECT
 *
 * Datagram j of super-datagram i is 1,200 bytes: i (4 bytes), j (2 bytes,
 * both big-endian), then a byte pattern that starts at (31 i + 7 j) mod
 * 256 and counts up, so a receiver can check every byte of every datagram.
 *
 * send: SUPERS super-datagrams of 54 datagrams each through one socket
 * with UDP_SEGMENT 1200 (one send(2) each, the kernel or the device cuts
 * them), 2 ms apart; with SECONDS > 0, for that long at MBPS Mbit/s of
 * payload (0: as fast as it can), cycling through the SUPERS buffers.
 * Prints "sent N super-datagrams, M datagrams".
 *
 * recv: an ordinary UDP socket (no UDP_GRO) with a 16 MB buffer, read in
 * batches (recvmmsg); touches READY_FILE once bound; stops at EXPECT
 * datagrams (0: none expected), 3 s after the last one, or 60 s without
 * any. Prints "datagrams N bad B bytes X seconds S" (S: first to last).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

enum { SEG = 1200, PER = 54, BATCH = 64, MAX_SUPERS = 1000, RCVBUF = 16 << 20 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void datagram(uint8_t *d, uint32_t i, uint16_t j)
{
	uint8_t o = (uint8_t)((i * 31u + j * 7u) % 256u);

	d[0] = (uint8_t)(i >> 24);
	d[1] = (uint8_t)(i >> 16);
	d[2] = (uint8_t)(i >> 8);
	d[3] = (uint8_t)i;
	d[4] = (uint8_t)(j >> 8);
	d[5] = (uint8_t)j;
	for (unsigned k = 0; k < SEG - 6; k++)
		d[6 + k] = (uint8_t)(o + k);
}

static int udp_socket(const char *addr, const char *port, struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(port));
	if (fd < 0 || inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
		fprintf(stderr, "udp-seg: %s: not an IPv4 address, or no socket\n", addr);
		exit(2);
	}
	return fd;
}

static int do_send(char **argv)
{
	long supers = atol(argv[2]), n = 0;
	double secs = atof(argv[3]), mbps = atof(argv[4]), gap, due, end, t;
	size_t len = (size_t)SEG * PER;
	struct sockaddr_in sa;
	int fd = udp_socket(argv[0], argv[1], &sa), seg = SEG;
	uint8_t *bufs;

	if (supers < 1 || supers > MAX_SUPERS) {
		fprintf(stderr, "udp-seg: SUPERS %s: 1 to %d\n", argv[2], MAX_SUPERS);
		return 2;
	}
	bufs = malloc(len * (size_t)supers);
	if (!bufs || setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("udp-seg: UDP_SEGMENT socket");
		free(bufs);
		close(fd);
		return 1;
	}
	for (long i = 0; i < supers; i++)
		for (unsigned j = 0; j < PER; j++)
			datagram(bufs + len * (size_t)i + (size_t)j * SEG, (uint32_t)i,
				 (uint16_t)j);
	gap = secs > 0 ? (mbps > 0 ? (double)len * 8 / (mbps * 1e6) : 0) : 0.002;
	t = due = now_s();
	end = t + secs;
	while (secs > 0 ? t < end : n < supers) {
		if (gap > 0 && due > t) {
			struct timespec ts = { (time_t)(due - t),
					       (long)((due - t - (double)(time_t)(due - t)) *
						      1e9) };

			nanosleep(&ts, NULL);
		}
		/* ENOBUFS (the tap's queue full) loses this one: go on. */
		if (send(fd, bufs + len * (size_t)(n % supers), len, 0) < 0 && errno != ENOBUFS) {
			perror("udp-seg: send");
			break;
		}
		n++;
		due += gap;
		t = now_s();
	}
	printf("sent %ld super-datagrams, %ld datagrams\n", n, n * PER);
	free(bufs);
	close(fd);
	return 0;
}

static void set_timeout(int fd, int secs)
{
	struct timeval tv = { secs, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Whether d (len bytes) is the datagram its first 6 bytes name. */
static int intact(const uint8_t *d, size_t len)
{
	uint8_t want[SEG];

	if (len != SEG)
		return 0;
	datagram(want, (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3],
		 (uint16_t)(d[4] << 8 | d[5]));
	return memcmp(d, want, SEG) == 0;
}

static int do_recv(char **argv)
{
	static uint8_t bufs[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned long expect = strtoul(argv[3], NULL, 10), n = 0, bad = 0, bytes = 0;
	double first = 0, last = 0;
	struct sockaddr_in sa;
	int fd = udp_socket(argv[0], argv[1], &sa), buf = RCVBUF, got, rfd;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("udp-seg: bind");
		return 1;
	}
	rfd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (rfd >= 0)
		close(rfd);
	set_timeout(fd, 60);
	while (expect == 0 || n < expect) {
		for (int k = 0; k < BATCH; k++) {
			iov[k] = (struct iovec){ bufs[k], sizeof(bufs[k]) };
			msgs[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[k],
								 .msg_iovlen = 1 } };
		}
		got = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (got <= 0)
			break;
		last = now_s();
		if (first == 0) {
			first = last;
			set_timeout(fd, 3);
		}
		for (int k = 0; k < got; k++) {
			n++;
			bytes += msgs[k].msg_len;
			bad += !intact(bufs[k], msgs[k].msg_len);
		}
	}
	printf("datagrams %lu bad %lu bytes %lu seconds %.3f\n", n, bad, bytes, last - first);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "send") == 0)
		return do_send(argv + 2);
	if (argc == 6 && strcmp(argv[1], "recv") == 0)
		return do_recv(argv + 2);
	fprintf(stderr, "usage: udp-seg send DST_IPV4 PORT SUPERS SECONDS MBPS\n"
			"       udp-seg recv ADDR_IPV4 PORT READY_FILE EXPECT\n");
	return 2;
}
