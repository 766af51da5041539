/* SPDX-License-Identifier: MIT */
/*
 * junk-flood: UDP junk as fast as one core sends it, for tools/bench-xdp.
 *
 *   junk-flood DST_IPV4 PORT SECONDS [SIZE]
 *
 * Sends SIZE-byte payloads (default 64) that are neither WireGuard, STUN
 * nor signaling (first byte 0xff), in batches through sendmmsg(2) on a
 * connected UDP socket, for SECONDS, then prints "sent N packets in S s
 * (R pkt/s)". Errors such as ENOBUFS (the device queue is full) are
 * counted and the flood goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BATCH = 64, SIZE_MAX_BYTES = 1472, SIZE_DEFAULT = 64 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_socket(const char *ip, const char *port)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	char *end;
	unsigned long p = strtoul(port, &end, 10);
	int fd;

	if (inet_pton(AF_INET, ip, &dst.sin_addr) != 1 || *end || p == 0 || p > 65535) {
		fprintf(stderr, "junk-flood: bad address %s:%s\n", ip, port);
		return -1;
	}
	dst.sin_port = htons((uint16_t)p);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0) {
		perror("junk-flood: socket");
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static unsigned char payload[SIZE_MAX_BYTES];
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	unsigned long long sent = 0, errors = 0;
	double start, secs, t;
	size_t size = SIZE_DEFAULT;
	int fd, n, i;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: %s DST_IPV4 PORT SECONDS [SIZE]\n", argv[0]);
		return 2;
	}
	secs = atof(argv[3]);
	if (argc == 5)
		size = strtoul(argv[4], NULL, 10);
	if (secs <= 0 || size < 1 || size > SIZE_MAX_BYTES) {
		fprintf(stderr, "junk-flood: SECONDS > 0, 1 <= SIZE <= %d\n", SIZE_MAX_BYTES);
		return 2;
	}
	fd = open_socket(argv[1], argv[2]);
	if (fd < 0)
		return 1;
	memset(payload, 0xff, sizeof(payload));
	iov = (struct iovec){ .iov_base = payload, .iov_len = size };
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = t = now_s();
	while (t - start < secs) {
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			sent += (unsigned)n;
		else if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED)
			errors++;
		else
			break;
		t = now_s();
	}
	printf("sent %llu packets in %.2f s (%.0f pkt/s), %llu refused batches\n", sent, t - start,
	       (double)sent / (t - start), errors);
	close(fd);
	return 0;
}
