/* SPDX-License-Identifier: MIT */
/*
 * The host port is the gateway's alone: one gateway per host port name in
 * a network namespace, as the underlay's own lock (xdp-fallback/lock.c)
 * is one gateway per underlay interface. The lock is an flock(2) held for
 * the life of the process, so the kernel lets go of it when the process
 * dies, kill -9 included: whoever gets it knows no live gateway owns the
 * name, and may take over what a dead one left (lib/dp/host.c deletes a
 * stale veth pair). While the gateway runs, the control loop checks once
 * a second that its host port still exists: deleted from outside, it is
 * not made again behind the kernel's back (the DPDK port is bound to the
 * old interface, the routes and addresses went with it); the gateway
 * stops with status 1 and says so, and a start (by hand, or systemd's
 * Restart=on-failure) makes a new one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "edge.h"
#include "lock.h"

#define HOST_CHECK_NS 1000000000ull
#define EXITING_WAIT_MS 10000 /* for a killed holder's last threads */

/*
 * A holder whose main thread is a zombie (or gone) is exiting: a process
 * killed a moment ago keeps its files, the lock too, until its last thread
 * has ended, which takes a while for one with DPDK's threads and AF_XDP
 * sockets. A restart typed right after `kill -9` waits for it.
 */
static bool exiting(long pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool ret = true;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
		ret = p[2] == 'Z' || p[2] == 'X';
	fclose(f);
	return ret;
}

static int lock_waiting(struct omni_edge *e, const char *prog, const char *name, long *holder)
{
	int fd, waited = 0;

	for (;;) {
		fd = xdpfb_lock(XDPFB_LOCK_DIR, name, e->host_lock_path, sizeof(e->host_lock_path),
				holder);
		if (fd != -EBUSY || waited >= EXITING_WAIT_MS || !exiting(*holder))
			return fd;
		if (waited == 0) {
			printf("%s: host port %s: its lock holder, pid %ld, is exiting: waiting "
			       "for it to end\n",
			       prog, name, *holder);
			fflush(stdout);
		}
		usleep(100 * 1000);
		waited += 100;
	}
}

int omni_edge_claim_host(struct omni_edge *e, const char *prog)
{
	const char *name = e->cfg.iface.host_port_name;
	long holder = 0;
	int fd;

	fd = lock_waiting(e, prog, name, &holder);
	if (fd == -EBUSY) {
		fprintf(stderr,
			"%s: host port %s is in use by another omninervous (pid %ld, lock "
			"%s): one gateway per host port; stop that one first, or give this one "
			"another host port name\n",
			prog, name, holder, e->host_lock_path);
		return -1;
	}
	if (fd < 0) {
		fprintf(stderr, "%s: host port %s: cannot lock %s: %s\n", prog, name,
			e->host_lock_path, strerror(-fd));
		return -1;
	}
	e->host_lock_fd = fd;
	e->host_locked = true;
	if (holder)
		printf("%s: host port %s: lock %s left by pid %ld, which is gone: taken over\n",
		       prog, name, e->host_lock_path, holder);
	fflush(stdout);
	return 0;
}

void omni_edge_release_host(struct omni_edge *e)
{
	if (!e->host_locked)
		return;
	xdpfb_unlock(e->host_lock_fd, e->host_lock_path);
	e->host_locked = false;
}

bool omni_edge_host_gone(struct omni_edge *e, uint64_t now_ns)
{
	const char *name = e->cfg.iface.host_port_name;

	if (now_ns - e->host_checked_ns < HOST_CHECK_NS)
		return false;
	e->host_checked_ns = now_ns;
	if (dp_kif_exists(name))
		return false;
	fprintf(stderr,
		"omninervous: host port %s is gone (deleted from outside the gateway): "
		"stopping with status 1; started again, the gateway makes it anew\n",
		name);
	return true;
}
