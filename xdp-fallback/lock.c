/* SPDX-License-Identifier: MIT */
/*
 * One gateway per interface: an exclusive flock(2) on
 * LOCK_DIR/IFACE@NETNS.lock, held for the life of the process (the kernel
 * drops it when the process dies, kill -9 included). The file holds the
 * holder's pid, for the message a second gateway prints, and goes at
 * unlock (a crashed run's file is reused). NETNS is the
 * inode of the network namespace: interfaces in different namespaces may
 * share a name, and /run is shared by all of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"

static int lock_path(char *buf, size_t len, const char *dir, const char *ifname)
{
	struct stat ns;
	int n;

	if (stat("/proc/self/ns/net", &ns) != 0)
		ns.st_ino = 0;
	n = snprintf(buf, len, "%s/%s@%llu.lock", dir, ifname, (unsigned long long)ns.st_ino);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static long holder_pid(int fd)
{
	char buf[24] = { 0 };

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return 0;
	return strtol(buf, NULL, 10);
}

int xdpfb_lock(const char *dir, const char *ifname, char *path, size_t path_len, long *holder)
{
	char pid[24];
	int fd, n, ret;

	*holder = 0;
	ret = lock_path(path, path_len, dir, ifname);
	if (ret < 0)
		return ret;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		*holder = holder_pid(fd);
		close(fd);
		return ret;
	}
	/* A pid still in the file: its run died without unlocking. */
	*holder = holder_pid(fd);
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

void xdpfb_unlock(int fd, const char *path)
{
	if (fd < 0)
		return;
	/*
	 * Unlink, then let go: a gateway that opened the file before the
	 * unlink still finds it locked and refuses; one that comes after makes
	 * a new file. Both are right: by now our program is detached.
	 */
	if (path && path[0])
		unlink(path);
	close(fd);
}
