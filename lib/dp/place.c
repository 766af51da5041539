/* SPDX-License-Identifier: MIT */
/* A CPU for a single lcore when the user named none (see place.h). */
#include "dp/place.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

int dp_place_cpu_list(char *out, size_t len, const unsigned *cpus, unsigned n)
{
	size_t used = 0;

	if (n == 0 || len == 0)
		return -EINVAL;
	out[0] = '\0';
	for (unsigned i = 0; i < n;) {
		unsigned j = i;
		int w;

		/* A run of consecutive CPUs is one range. */
		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		if (j == i)
			w = snprintf(out + used, len - used, "%s%u", i ? "," : "", cpus[i]);
		else
			w = snprintf(out + used, len - used, "%s%u-%u", i ? "," : "", cpus[i],
				     cpus[j]);
		if (w < 0 || (size_t)w >= len - used)
			return -E2BIG;
		used += (size_t)w;
		i = j + 1;
	}
	return 0;
}

int dp_place_lcore_arg(char *out, size_t len, const unsigned *cpus, unsigned n, int cpu)
{
	char list[512];
	int w, ret;

	if (cpu >= 0) {
		w = snprintf(out, len, "0@%d", cpu);
		return w < 0 || (size_t)w >= len ? -E2BIG : 0;
	}
	ret = dp_place_cpu_list(list, sizeof(list), cpus, n);
	if (ret < 0)
		return ret;
	/* One CPU needs no set: EAL would pin to it anyway. */
	w = snprintf(out, len, n == 1 ? "0@%s" : "0@(%s)", list);
	return w < 0 || (size_t)w >= len ? -E2BIG : 0;
}

static int lock_cpu(const char *dir, unsigned cpu)
{
	char path[256];
	int fd;

	if (snprintf(path, sizeof(path), "%s/omninervous-cpu%u.lock", dir, cpu) >=
	    (int)sizeof(path))
		return -1;
	/* Read-only is enough for flock, and opens a file another user made. */
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int dp_place_claim(const unsigned *cpus, unsigned n, const char *dir, int *fd)
{
	*fd = -1;
	for (unsigned i = n; i-- > 0;) {
		*fd = lock_cpu(dir ? dir : DP_PLACE_LOCK_DIR, cpus[i]);
		if (*fd >= 0)
			return (int)cpus[i];
	}
	return DP_PLACE_FLOAT;
}
