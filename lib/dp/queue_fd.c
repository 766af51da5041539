/* SPDX-License-Identifier: MIT */
/* Finding the kernel descriptors behind rx queues: see queue_fd.h. */
#include "dp/queue_fd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif

bool dp_fd_is_queue_kind(int fd)
{
	char path[64], target[64];
	int domain = 0;
	socklen_t len = sizeof(domain);
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	if (strncmp(target, "socket:", 7) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		return false;
	return domain == AF_XDP || domain == AF_PACKET;
}

int dp_fdset_scan(struct dp_fdset *s)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char *end;
	long fd;

	memset(s, 0, sizeof(*s));
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		fd = strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name || fd < 0 || fd >= DP_FDSET_MAX ||
		    fd == dirfd(d))
			continue;
		if (dp_fd_is_queue_kind((int)fd))
			s->bits[fd / 64] |= 1ULL << (fd % 64);
	}
	closedir(d);
	return 0;
}

unsigned dp_fdset_added(const struct dp_fdset *before, const struct dp_fdset *after, int *fds,
			unsigned max)
{
	unsigned n = 0;

	for (unsigned w = 0; w < DP_FDSET_MAX / 64; w++) {
		uint64_t added = after->bits[w] & ~before->bits[w];

		while (added) {
			int bit = __builtin_ctzll(added);

			if (n < max)
				fds[n] = (int)(w * 64 + (unsigned)bit);
			n++;
			added &= added - 1;
		}
	}
	return n;
}
