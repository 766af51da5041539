/* SPDX-License-Identifier: MIT */
/*
 * EAL argv from plain inputs (see eal.h for the argv we build and why).
 *
 * Facts behind the defaults, seen on Debian 12 / DPDK 22.11:
 * - `--no-huge` cannot be combined with `--in-memory`; `--no-huge
 *   --no-shconf` with a per-process `--file-prefix` lets several processes
 *   run at once and leaves only an empty runtime directory (removed by
 *   dp_eal_stop).
 * - Without `--no-pci`, EAL probes every PCI NIC, the host's own included.
 * - EAL refuses -l together with -c/--lcores, so a user's lcore option must
 *   replace ours rather than follow it.
 */
#include "dp/eal.h"

#include <dirent.h>
#include <errno.h>
#include <mntent.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "dp/log.h"
#include "dp/quiet.h"
#include "dp/place.h"

RTE_LOG_REGISTER(dp_logtype, omni.dp, INFO);

/* Groups of EAL options: a user option in a group replaces our defaults of
 * that group. */
enum opt_group {
	G_NONE = 0,
	G_LCORES = 1u << 0,
	G_MEMMODE = 1u << 1,
	G_MEMSIZE = 1u << 2,
	G_PREFIX = 1u << 3,
	G_DEVICES = 1u << 4,
	G_LOG = 1u << 5,
};

static const struct {
	const char *name;
	unsigned group;
} user_opts[] = {
	{ "-l", G_LCORES },
	{ "-c", G_LCORES },
	{ "--lcores", G_LCORES },
	{ "--in-memory", G_MEMMODE },
	{ "--no-huge", G_MEMMODE },
	{ "--no-shconf", G_MEMMODE },
	{ "--legacy-mem", G_MEMMODE },
	{ "--huge-dir", G_MEMMODE },
	{ "-m", G_MEMSIZE },
	{ "--socket-mem", G_MEMSIZE },
	{ "--file-prefix", G_PREFIX },
	{ "-a", G_DEVICES },
	{ "--allow", G_DEVICES },
	{ "-b", G_DEVICES },
	{ "--block", G_DEVICES },
	{ "--no-pci", G_DEVICES },
	{ "--log-level", G_LOG },
};

struct builder {
	struct dp_eal *e;
	size_t used;
	int err;
};

static bool opt_matches(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return false;
	if (name[1] != '-')
		return true; /* short option, value may be glued on: -l0-1 */
	return arg[n] == '\0' || arg[n] == '=';
}

static unsigned user_groups(const struct dp_eal_conf *c)
{
	unsigned groups = G_NONE;

	for (int i = 0; i < c->user_argc; i++)
		for (size_t k = 0; k < RTE_DIM(user_opts); k++)
			if (opt_matches(c->user_argv[i], user_opts[k].name))
				groups |= user_opts[k].group;
	return groups;
}

static void add(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct builder *b, const char *fmt, ...)
{
	struct dp_eal *e = b->e;
	va_list ap;
	int n;

	if (b->err)
		return;
	if (e->argc >= DP_EAL_MAX_ARGS) {
		b->err = -E2BIG;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(e->buf + b->used, sizeof(e->buf) - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(e->buf) - b->used) {
		b->err = -E2BIG;
		return;
	}
	e->argv[e->argc++] = e->buf + b->used;
	e->argv[e->argc] = NULL;
	b->used += (size_t)n + 1;
}

unsigned dp_eal_usable_cpus(unsigned *cpus, unsigned max)
{
	cpu_set_t set;
	unsigned n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (unsigned cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n;
}

static bool hugetlbfs_mounted(void)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *m;
	bool found = false;

	if (!f)
		return false;
	while (!found && (m = getmntent(f)))
		found = strcmp(m->mnt_type, "hugetlbfs") == 0;
	endmntent(f);
	return found;
}

unsigned dp_eal_hugepages_free_mb(void)
{
	unsigned long free_pages = 0, page_kb = 0;
	char line[128];
	FILE *f;

	if (!hugetlbfs_mounted())
		return 0;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &page_kb);
	}
	fclose(f);
	return (unsigned)(free_pages * page_kb / 1024);
}

/* One lcore and no CPU named: a CPU of its own, or floating (place.h). */
static void add_single_lcore(struct builder *b, const struct dp_eal_conf *c, const unsigned *cpus,
			     unsigned n_cpus)
{
	struct dp_eal *e = b->e;
	char arg[600], list[512];

	e->cpu = dp_place_claim(cpus, n_cpus, c->cpu_lock_dir, &e->cpu_fd);
	if (dp_place_lcore_arg(arg, sizeof(arg), cpus, n_cpus, e->cpu) < 0 ||
	    dp_place_cpu_list(list, sizeof(list), cpus, n_cpus) < 0) {
		b->err = -E2BIG;
		return;
	}
	if (e->cpu >= 0)
		snprintf(e->placement, sizeof(e->placement),
			 "lcore on CPU %d (no other gateway holds it)", e->cpu);
	else
		snprintf(e->placement, sizeof(e->placement),
			 "lcore floats over CPUs %s (each held by another gateway)", list);
	add(b, "--lcores");
	add(b, "%s", arg);
	e->lcores = 1;
}

static void add_lcores(struct builder *b, const struct dp_eal_conf *c)
{
	unsigned cpus[128], n_cpus, want;
	char list[512];
	size_t len = 0;

	if (c->lcore_list) {
		add(b, "--lcores");
		add(b, "%s", c->lcore_list);
		return;
	}
	n_cpus = dp_eal_usable_cpus(cpus, RTE_DIM(cpus));
	if (n_cpus == 0) {
		b->err = errno ? -errno : -EINVAL;
		return;
	}
	want = c->lcores ? c->lcores : (n_cpus >= 2 ? 2 : 1);
	if (want == 1) {
		add_single_lcore(b, c, cpus, n_cpus);
		return;
	}
	if (want > RTE_DIM(cpus)) {
		b->err = -EINVAL;
		return;
	}
	/* lcore ids 0..want-1; more lcores than CPUs share them round-robin. */
	for (unsigned i = 0; i < want; i++) {
		int n = snprintf(list + len, sizeof(list) - len, "%s%u@%u", i ? "," : "", i,
				 cpus[i % n_cpus]);
		if (n < 0 || (size_t)n >= sizeof(list) - len) {
			b->err = -E2BIG;
			return;
		}
		len += (size_t)n;
	}
	add(b, "--lcores");
	add(b, "%s", list);
	b->e->lcores = want;
	snprintf(b->e->placement, sizeof(b->e->placement), "lcores pinned %s", list);
}

static void add_memory(struct builder *b, const struct dp_eal_conf *c, unsigned groups)
{
	unsigned mb = c->mem_mb ? c->mem_mb : DP_EAL_DEFAULT_NOHUGE_MB;
	unsigned huge_mb = dp_eal_hugepages_free_mb();

	if (groups & G_MEMMODE) {
		/* The user chose; hugepages unless they said --no-huge. */
		b->e->huge = huge_mb > 0;
		for (int i = 0; i < c->user_argc; i++)
			if (opt_matches(c->user_argv[i], "--no-huge"))
				b->e->huge = false;
	} else {
		b->e->huge = !c->no_huge && huge_mb >= DP_EAL_MIN_HUGE_MB;
		if (!b->e->huge && c->need_huge) {
			DP_LOG(ERR,
			       "hugepages required but %u MB free (at least %u needed, "
			       "and hugetlbfs mounted)",
			       huge_mb, DP_EAL_MIN_HUGE_MB);
			b->err = -ENOMEM;
			return;
		}
		if (b->e->huge) {
			add(b, "--in-memory");
			if (c->mem_mb && !(groups & G_MEMSIZE)) {
				add(b, "-m");
				add(b, "%u", c->mem_mb);
			}
		} else {
			add(b, "--no-huge");
			add(b, "--no-shconf");
			if (!(groups & G_MEMSIZE)) {
				add(b, "-m");
				add(b, "%u", mb);
			}
			if (!c->no_huge)
				DP_LOG(WARNING,
				       "no hugepages (%u MB free, or no hugetlbfs mounted): "
				       "using --no-huge -m %u. To use hugepages: "
				       "echo 256 > /proc/sys/vm/nr_hugepages; "
				       "mount -t hugetlbfs none /dev/hugepages",
				       huge_mb, mb);
		}
	}
	if (!(groups & G_PREFIX)) {
		snprintf(b->e->prefix, sizeof(b->e->prefix), "omni%ld", (long)getpid());
		add(b, "--file-prefix");
		add(b, "%s", b->e->prefix);
	}
}

int dp_eal_build(struct dp_eal *e, const struct dp_eal_conf *c)
{
	struct builder b = { .e = e };
	unsigned groups;

	memset(e, 0, sizeof(*e));
	e->cpu = DP_PLACE_FLOAT;
	e->cpu_fd = -1;
	snprintf(e->placement, sizeof(e->placement), "lcores as given");
	if ((c->user_argc && !c->user_argv) || (c->n_pci && !c->pci) || (c->n_vdevs && !c->vdevs) ||
	    c->user_argc < 0)
		return -EINVAL;
	groups = user_groups(c);
	add(&b, "%s", c->prog ? c->prog : "omninervous");
	if (!(groups & G_LCORES))
		add_lcores(&b, c);
	add_memory(&b, c, groups);
	if (!(groups & G_DEVICES)) {
		if (c->n_pci == 0)
			add(&b, "--no-pci");
		for (unsigned i = 0; i < c->n_pci; i++) {
			add(&b, "-a");
			add(&b, "%s", c->pci[i]);
		}
	}
	for (unsigned i = 0; i < c->n_vdevs; i++) {
		add(&b, "--vdev");
		add(&b, "%s", c->vdevs[i]);
	}
	if (c->log_level) {
		add(&b, "--log-level=%s", c->log_level);
	} else if (!(groups & G_LOG)) {
		/* EAL's info chatter off, our own port choices still shown. */
		add(&b, "--log-level=*:notice");
		add(&b, "--log-level=omni.*:%s", c->omni_log_level ? c->omni_log_level : "info");
	}
	for (int i = 0; i < c->user_argc; i++)
		add(&b, "%s", c->user_argv[i]);
	return b.err;
}

static void log_argv(const struct dp_eal *e)
{
	char line[DP_EAL_BUF];
	size_t len = 0;

	line[0] = '\0';
	for (int i = 1; i < e->argc && len < sizeof(line); i++) {
		int n = snprintf(line + len, sizeof(line) - len, " %s", e->argv[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	DP_LOG(INFO, "EAL arguments:%s", line);
}

int dp_eal_start(struct dp_eal *e, const struct dp_eal_conf *c)
{
	char *argv[DP_EAL_MAX_ARGS + 1];
	int ret = dp_eal_build(e, c);

	if (ret < 0) {
		DP_LOG(ERR, "cannot build EAL arguments: %s", strerror(-ret));
		dp_eal_release_cpu(e);
		return ret;
	}
	dp_quiet_install();
	log_argv(e);
	dp_eal_clear_stale();
	DP_LOG(INFO, "placement: %s", e->placement);
	/* rte_eal_init permutes its argv (getopt): give it a copy. */
	memcpy(argv, e->argv, sizeof(argv));
	if (rte_eal_init(e->argc, argv) < 0) {
		ret = rte_errno ? -rte_errno : -EINVAL;
		DP_LOG(ERR, "rte_eal_init failed: %s", rte_strerror(-ret));
		dp_eal_release_cpu(e);
		return ret;
	}
	e->started = true;
	return 0;
}

/* Our --file-prefix names a runtime directory only this process used. */
static void remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	if (rmdir(dir) != 0 && errno != ENOENT)
		DP_LOG(DEBUG, "cannot remove %s: %s", dir, strerror(errno));
}

void dp_eal_release_cpu(struct dp_eal *e)
{
	if (e->cpu_fd >= 0)
		close(e->cpu_fd);
	e->cpu_fd = -1;
}

void dp_eal_stop(struct dp_eal *e)
{
	char dir[256] = "";

	if (!e->started)
		return;
	if (e->prefix[0])
		snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	dp_eal_release_cpu(e);
	e->started = false;
	if (dir[0]) {
		const char *base = strrchr(dir, '/');

		if (base && strcmp(base + 1, e->prefix) == 0)
			remove_runtime_dir(dir);
	}
}
