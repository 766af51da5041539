/* SPDX-License-Identifier: MIT */
/*
 * Where unanswered messages went: the kernel counts each UDP socket's
 * receive-buffer drops (the last column of /proc/net/udp and udp6). The
 * nucleus's socket is the one bound to its port; the generator's are those
 * connected to it. Both live in this network namespace (loopback).
 */
#include <stdio.h>
#include <string.h>

#include "load.h"

/* Adds one /proc/net/udp{,6} file's drops to d. */
static void read_table(const char *path, unsigned port, struct load_drops *d)
{
	char line[512], local[64], remote[64];
	unsigned long long drops;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) { /* the header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *lp, *rp;
		char *last = strrchr(line, ' ');
		unsigned lport, rport;

		if (sscanf(line, " %*s %63s %63s", local, remote) != 2 || !last ||
		    sscanf(last, "%llu", &drops) != 1)
			continue;
		lp = strrchr(local, ':');
		rp = strrchr(remote, ':');
		if (!lp || !rp || sscanf(lp + 1, "%x", &lport) != 1 ||
		    sscanf(rp + 1, "%x", &rport) != 1)
			continue;
		if (lport == port && rport == 0)
			d->nucleus += drops;
		else if (rport == port)
			d->tool += drops;
	}
	fclose(f);
}

void load_drops_read(unsigned port, struct load_drops *d)
{
	*d = (struct load_drops){ 0 };
	read_table("/proc/net/udp", port, d);
	read_table("/proc/net/udp6", port, d);
}
