/* SPDX-License-Identifier: MIT */
/*
 * What dead runs left of DPDK: see dp_eal_clear_stale in eal.h.
 *
 * Our default --file-prefix is omni<PID>, so a run that did not stop
 * (kill -9, a crash) leaves /var/run/dpdk/omni<PID>/ with its telemetry
 * socket, and with hugepages outside --in-memory, files <prefix>map_N on
 * hugetlbfs. A new run has a new PID and never collides with them, but they
 * pile up (hundreds on a test machine). A prefix is a dead run's when its
 * PID is not a process here and no socket in its directory accepts a
 * connection (the second proof covers a process of that PID in another PID
 * namespace sharing /var/run).
 */
#include <dirent.h>
#include <errno.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dp/eal.h"
#include "dp/log.h"

#define PREFIX "omni"

/* "omni<PID>..." -> PID, else 0; *rest points after the digits. */
static long prefix_pid(const char *name, const char **rest)
{
	char *end;
	long pid;

	if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
		return 0;
	name += strlen(PREFIX);
	if (*name < '0' || *name > '9')
		return 0;
	pid = strtol(name, &end, 10);
	*rest = end;
	return pid > 0 ? pid : 0;
}

static bool pid_gone(long pid)
{
	return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* A socket nobody listens on any more: connect is refused. */
static bool socket_dead(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool dead;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	strcpy(sa.sun_path, path);
	dead = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	       (errno == ECONNREFUSED || errno == ENOENT);
	close(fd);
	return dead;
}

/* Remove dir and its files if every socket in it is dead; true if gone. */
static bool remove_dead_dir(const char *dir)
{
	char path[512];
	struct dirent *de;
	struct stat st;
	bool live = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while (!live && (de = readdir(d)))
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path) &&
		    lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && !socket_dead(path))
			live = true;
	rewinddir(d);
	while (!live && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			unlink(path);
	closedir(d);
	return !live && rmdir(dir) == 0;
}

/* As EAL picks it (eal_get_runtime_dir's base). */
static void runtime_base(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (getuid() == 0 || !xdg)
		snprintf(buf, len, "%s/dpdk", getuid() == 0 ? "/var/run" : "/tmp");
	else
		snprintf(buf, len, "%s/dpdk", xdg);
}

struct found {
	unsigned dirs, files, named;
	char names[160]; /* the first few, for the log line */
};

static void note(struct found *f, const char *name)
{
	size_t used = strlen(f->names);

	if (used + strlen(name) + 3 < sizeof(f->names)) {
		snprintf(f->names + used, sizeof(f->names) - used, "%s%s", used ? ", " : "", name);
		f->named++;
	}
}

static void clear_runtime_dirs(struct found *f, const char *base)
{
	char dir[512];
	const char *rest;
	struct dirent *de;
	DIR *d;

	d = opendir(base);
	if (!d)
		return;
	while ((de = readdir(d))) {
		long pid = prefix_pid(de->d_name, &rest);

		if (!pid || *rest || !pid_gone(pid))
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name) < (int)sizeof(dir) &&
		    remove_dead_dir(dir)) {
			f->dirs++;
			note(f, de->d_name);
		}
	}
	closedir(d);
}

static void clear_hugepage_files(struct found *f, const char *mnt)
{
	char path[512];
	const char *rest;
	struct dirent *de;
	DIR *d = opendir(mnt);

	if (!d)
		return;
	while ((de = readdir(d))) {
		long pid = prefix_pid(de->d_name, &rest);

		if (pid && strncmp(rest, "map_", 4) == 0 && pid_gone(pid) &&
		    snprintf(path, sizeof(path), "%s/%s", mnt, de->d_name) < (int)sizeof(path) &&
		    unlink(path) == 0)
			f->files++;
	}
	closedir(d);
}

static void report(const struct found *f)
{
	if (f->dirs)
		DP_LOG(NOTICE,
		       "removed the DPDK runtime directories of %u run(s) that did not stop "
		       "(their processes are gone): %s%s",
		       f->dirs, f->names, f->dirs > f->named ? ", ..." : "");
	if (f->files)
		DP_LOG(NOTICE, "removed %u hugepage file(s) of runs that did not stop", f->files);
}

unsigned dp_eal_clear_stale_in(const char *runtime_base, const char *huge_dir)
{
	struct found f = { 0 };

	clear_runtime_dirs(&f, runtime_base);
	clear_hugepage_files(&f, huge_dir);
	report(&f);
	return f.dirs + f.files;
}

void dp_eal_clear_stale(void)
{
	struct found f = { 0 };
	FILE *m = setmntent("/proc/mounts", "r");
	struct mntent *e;
	char base[256];

	runtime_base(base, sizeof(base));
	clear_runtime_dirs(&f, base);
	while (m && (e = getmntent(m)))
		if (strcmp(e->mnt_type, "hugetlbfs") == 0)
			clear_hugepage_files(&f, e->mnt_dir);
	if (m)
		endmntent(m);
	report(&f);
}
