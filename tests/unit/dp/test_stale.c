/* SPDX-License-Identifier: MIT */
/*
 * What dead runs left of DPDK (lib/dp/stale.c), in a scratch runtime base
 * and hugepage directory: a numbered table of entries, each kept or
 * removed. A dead run is a PID that is no process here; a directory with a
 * socket someone still listens on is kept even then (a live process in
 * another PID namespace).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/eal.h"

/* A PID below `below` that is no process. */
static long dead_pid(long below)
{
	for (long pid = below - 1; pid > 1000; pid--)
		if (kill((pid_t)pid, 0) != 0)
			return pid;
	return 0;
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
}

/* A socket at path: listening (live) or bound and closed (dead). */
static int sock_at(const char *path, bool listening)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (listening) {
		assert_int_equal(listen(fd, 1), 0);
		return fd;
	}
	close(fd);
	return -1;
}

static void test_stale(void **state)
{
	char base[] = "/tmp/omni-stale.XXXXXX", huge[300], path[600];
	long dead = dead_pid(4194000), dead2 = dead_pid(dead), dead3 = dead_pid(dead2);
	long me = (long)getpid();
	struct {
		const char *fmt; /* under base; %ld: a pid */
		long pid;
		int sock;  /* 0 none, 1 a dead socket, 2 a live one */
		bool gone; /* removed */
	} t[] = {
		/* 1 */ { "omni%ld", 0, 1, true },         /* dead run, dead telemetry socket */
		/* 2 */ { "omni%ld", 0, 0, true },         /* dead run, empty directory */
		/* 3 */ { "omni%ld", 0, 2, false },        /* dead PID here, but a listener */
		/* 4 */ { "omni%ld", 0, 0, false },        /* our own PID: alive */
		/* 5 */ { "omni-bench-%ld", 0, 0, false }, /* not our prefix */
		/* 6 */ { "omni%ldx", 0, 0, false },       /* not only digits */
		/* 7 */ { "rte", 0, 0, false },            /* DPDK's default prefix */
	};
	int live_fd = -1;
	unsigned removed;

	(void)state;
	assert_true(dead3 > 0);
	assert_non_null(mkdtemp(base));
	t[0].pid = dead;
	t[1].pid = dead2;
	t[2].pid = dead3;
	t[3].pid = me;
	t[4].pid = dead;
	t[5].pid = dead;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = snprintf(path, sizeof(path), "%s/", base);

		snprintf(path + n, sizeof(path) - (size_t)n, t[i].fmt, t[i].pid);
		assert_int_equal(mkdir(path, 0700), 0);
		strcat(path, "/dpdk_telemetry.v2");
		if (t[i].sock == 1)
			sock_at(path, false);
		else if (t[i].sock == 2)
			live_fd = sock_at(path, true);
	}
	/* Hugepage files: a dead run's, ours, another prefix's. */
	snprintf(huge, sizeof(huge), "%s/huge", base);
	assert_int_equal(mkdir(huge, 0700), 0);
	snprintf(path, sizeof(path), "%s/omni%ldmap_0", huge, dead);
	touch(path);
	snprintf(path, sizeof(path), "%s/omni%ldmap_0", huge, me);
	touch(path);
	snprintf(path, sizeof(path), "%s/rtemap_0", huge);
	touch(path);

	removed = dp_eal_clear_stale_in(base, huge);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = snprintf(path, sizeof(path), "%s/", base);

		snprintf(path + n, sizeof(path) - (size_t)n, t[i].fmt, t[i].pid);
		if (access(path, F_OK) == (t[i].gone ? -1 : 0))
			continue;
		fail_msg("case %zu (%s): %s", i + 1, path, t[i].gone ? "kept" : "removed");
	}
	snprintf(path, sizeof(path), "%s/omni%ldmap_0", huge, dead);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/omni%ldmap_0", huge, me);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(removed, 3); /* cases 1 and 2, and the dead run's hugepage file */
	close(live_fd);
	assert_int_equal(system((snprintf(path, sizeof(path), "rm -rf %s", base), path)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
