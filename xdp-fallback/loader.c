/* SPDX-License-Identifier: MIT */
/* The loader glue of omni_xdp: see loader.h. */
#include "loader.h"

#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lock.h"

static const char *const drop_names[] = {
#define XDPFB_DROP_NAME(name, text) [XDPFB_DROP_##name] = text,
	XDPFB_DROPS(XDPFB_DROP_NAME)
#undef XDPFB_DROP_NAME
};

static const char *const mode_names[] = {
	[XDPFB_MODE_AUTO] = "auto",
	[XDPFB_MODE_NATIVE] = "native",
	[XDPFB_MODE_GENERIC] = "generic",
};

const char *xdpfb_drop_name(unsigned reason)
{
	return reason < XDPFB_DROP_COUNT ? drop_names[reason] : "?";
}

const char *xdpfb_mode_name(enum xdpfb_mode m)
{
	return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "?";
}

int xdpfb_mode_parse(const char *s, enum xdpfb_mode *m)
{
	for (unsigned i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum xdpfb_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int fail(struct xdpfb *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct xdpfb *x, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->error, sizeof(x->error), fmt, ap);
	va_end(ap);
	return err;
}

void xdpfb_init(struct xdpfb *x)
{
	memset(x, 0, sizeof(*x));
	x->lock_fd = x->prog_fd = x->cfg_fd = x->live_fd = x->counters_fd = -1;
}

/*
 * The object: $OMNI_XDP_OBJECT, else the build tree's when this executable
 * runs from it (BUILD/app/omninervous -> BUILD/xdp-fallback/omni_xdp.o),
 * else the installed one.
 */
static void default_object(char *buf, size_t len)
{
	const char *env = getenv("OMNI_XDP_OBJECT");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			n = snprintf(buf, len, "%s/../xdp-fallback/omni_xdp.o", exe);
			if (n > 0 && (size_t)n < len && access(buf, R_OK) == 0)
				return;
		}
	}
	snprintf(buf, len, "%s", OMNI_XDP_OBJ_INSTALLED);
}

static void driver_name(const char *ifname, char *buf, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .ifr_data = (void *)&info };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(buf, len, "?");
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(buf, len, "%s", info.driver);
	close(fd);
}

/* What is attached: id, mode flag to detach it with, name. 0 if nothing. */
static int attached(struct xdpfb *x, uint32_t *id, uint32_t *mode_flag, char name[BPF_OBJ_NAME_LEN])
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = { 0 };
	uint32_t info_len = sizeof(info);
	int fd, ret;

	*id = 0;
	name[0] = '\0';
	ret = bpf_xdp_query((int)x->ifindex, 0, &q);
	if (ret < 0)
		return fail(x, ret, "%s: cannot query its XDP program: %s", x->conf.ifname,
			    strerror(-ret));
	if (q.attach_mode == XDP_ATTACHED_NONE)
		return 0;
	if (q.attach_mode == XDP_ATTACHED_DRV) {
		*id = q.drv_prog_id;
		*mode_flag = XDP_FLAGS_DRV_MODE;
	} else if (q.attach_mode == XDP_ATTACHED_SKB) {
		*id = q.skb_prog_id;
		*mode_flag = XDP_FLAGS_SKB_MODE;
	} else {
		*id = q.prog_id ? q.prog_id : q.hw_prog_id;
		*mode_flag = q.attach_mode == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE : 0;
	}
	fd = bpf_prog_get_fd_by_id(*id);
	if (fd < 0)
		return 0; /* gone meanwhile */
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) == 0)
		snprintf(name, BPF_OBJ_NAME_LEN, "%s", info.name);
	close(fd);
	return 0;
}

/* A program named like ours while we hold the lock: a crashed run's. */
static int clear_interface(struct xdpfb *x)
{
	char name[BPF_OBJ_NAME_LEN];
	uint32_t id, flag = 0;
	int ret = attached(x, &id, &flag, name);

	if (ret < 0 || id == 0)
		return ret;
	if (strcmp(name, XDPFB_PROG_NAME) != 0)
		return fail(x, -EEXIST,
			    "%s already has an XDP program (\"%s\", id %u), not ours: "
			    "not replacing it (detach it with `ip link set dev %s xdp off`, or run "
			    "with --no-xdp)",
			    x->conf.ifname, name, id, x->conf.ifname);
	ret = bpf_xdp_detach((int)x->ifindex, flag, NULL);
	if (ret < 0)
		return fail(x, ret, "%s: cannot detach the stale %s (id %u): %s", x->conf.ifname,
			    name, id, strerror(-ret));
	snprintf(x->note, sizeof(x->note),
		 "%s: replaced a stale %s program (id %u) left by "
		 "an earlier run that did not stop cleanly",
		 x->conf.ifname, name, id);
	return 0;
}

int xdpfb_prepare(struct xdpfb *x, const struct xdpfb_conf *c)
{
	const char *dir = c->lock_dir ? c->lock_dir : XDPFB_LOCK_DIR;
	long holder;
	int ret;

	xdpfb_init(x);
	x->conf = *c;
	if (!c->ifname || !c->ifname[0])
		return fail(x, -EINVAL, "no interface");
	x->ifindex = if_nametoindex(c->ifname);
	if (x->ifindex == 0)
		return fail(x, -ENODEV, "%s: no such interface", c->ifname);
	if (c->object)
		snprintf(x->object, sizeof(x->object), "%s", c->object);
	else
		default_object(x->object, sizeof(x->object));
	driver_name(c->ifname, x->driver, sizeof(x->driver));
	ret = xdpfb_lock(dir, c->ifname, x->lock_path, sizeof(x->lock_path), &holder);
	if (ret == -EBUSY)
		return fail(x, ret,
			    "%s is in use by another omninervous (pid %ld, lock %s): "
			    "one gateway per interface",
			    c->ifname, holder, x->lock_path);
	if (ret < 0)
		return fail(x, ret, "%s: cannot lock %s: %s", c->ifname, x->lock_path,
			    strerror(-ret));
	x->lock_fd = ret;
	x->lock_stale_pid = holder;
	return clear_interface(x);
}

const char *xdpfb_object(const struct xdpfb *x)
{
	return x->object;
}

static int find_maps(struct xdpfb *x)
{
	uint32_t ids[16], n, i, info_len;
	struct bpf_prog_info info = { 0 };
	struct bpf_map_info mi;
	int fd;

	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (uint64_t)(uintptr_t)ids;
	info_len = sizeof(info);
	if (bpf_obj_get_info_by_fd(x->prog_fd, &info, &info_len) != 0)
		return -errno;
	n = info.nr_map_ids < 16 ? info.nr_map_ids : 16;
	for (i = 0; i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		info_len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(fd, &mi, &info_len) == 0) {
			int *slot = !strcmp(mi.name, XDPFB_MAP_CFG)      ? &x->cfg_fd :
				    !strcmp(mi.name, XDPFB_MAP_LIVE)     ? &x->live_fd :
				    !strcmp(mi.name, XDPFB_MAP_COUNTERS) ? &x->counters_fd :
									   NULL;

			if (slot && *slot < 0) {
				*slot = fd;
				continue;
			}
		}
		close(fd);
	}
	return x->cfg_fd >= 0 && x->live_fd >= 0 && x->counters_fd >= 0 ? 0 : -ENOENT;
}

/* Native -> generic: detach, attach the same program with the SKB flag.
 * The AF_XDP sockets (copy mode on drivers without zero-copy) stay bound
 * and in the map: generic XDP redirects to them as well. */
static int to_generic(struct xdpfb *x)
{
	int ret = bpf_xdp_detach((int)x->ifindex, XDP_FLAGS_DRV_MODE, NULL);

	if (ret == 0)
		ret = bpf_xdp_attach((int)x->ifindex, x->prog_fd,
				     XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (ret < 0)
		return fail(x, ret, "%s: cannot move %s to generic mode: %s", x->conf.ifname,
			    XDPFB_PROG_NAME, strerror(-ret));
	x->generic = true;
	return 0;
}

static int set_mode(struct xdpfb *x, uint32_t flag)
{
	x->generic = flag == XDP_FLAGS_SKB_MODE;
	if (x->conf.mode == XDPFB_MODE_NATIVE && x->generic)
		return fail(x, -EOPNOTSUPP,
			    "%s: driver %s has no native XDP (--xdp-mode native); "
			    "use --xdp-mode auto or generic",
			    x->conf.ifname, x->driver);
	if (x->conf.mode == XDPFB_MODE_GENERIC && !x->generic)
		return to_generic(x);
	return 0;
}

static int write_cfg(struct xdpfb *x)
{
	struct xdpfb_cfg cfg = {
		.port = x->conf.port,
		.init_rate = x->conf.init_rate ? x->conf.init_rate : XDPFB_INIT_RATE,
		.init_burst = x->conf.init_burst ? x->conf.init_burst : XDPFB_INIT_BURST,
		.unpadded_min = XDPFB_UNPADDED_MIN,
		.flags = x->index_check_off ? XDPFB_F_NO_INDEX_CHECK : 0,
	};
	uint32_t zero = 0;

	memcpy(&cfg.ip4, x->local.ip4, sizeof(cfg.ip4));
	memcpy(cfg.ip6, x->local.ip6, sizeof(cfg.ip6));
	memcpy(cfg.ip6_ll, x->local.ip6_ll, sizeof(cfg.ip6_ll));

	return bpf_map_update_elem(x->cfg_fd, &zero, &cfg, BPF_ANY) == 0 ? 0 : -errno;
}

int xdpfb_bind(struct xdpfb *x)
{
	char name[BPF_OBJ_NAME_LEN];
	uint32_t flag = 0;
	int ret = attached(x, &x->prog_id, &flag, name);

	if (ret < 0)
		return ret;
	if (x->prog_id == 0)
		return fail(x, -ENOENT, "%s: net_af_xdp attached no XDP program", x->conf.ifname);
	if (strcmp(name, XDPFB_PROG_NAME) != 0)
		return fail(x, -EPROTO, "%s: the attached XDP program is \"%s\", not %s",
			    x->conf.ifname, name, XDPFB_PROG_NAME);
	x->prog_fd = bpf_prog_get_fd_by_id(x->prog_id);
	if (x->prog_fd < 0)
		return fail(x, -errno, "%s: program id %u: %s", x->conf.ifname, x->prog_id,
			    strerror(errno));
	ret = find_maps(x);
	if (ret < 0)
		return fail(x, ret, "%s: %s (id %u) lacks its maps: is %s our object?",
			    x->conf.ifname, name, x->prog_id, x->object);
	ret = libbpf_num_possible_cpus();
	x->ncpus = ret > 0 ? (unsigned)ret : 0;
	x->per_cpu = x->ncpus ? calloc(x->ncpus, sizeof(*x->per_cpu)) : NULL;
	if (!x->per_cpu)
		return fail(x, -ENOMEM, "%s: no memory for %u CPUs' counters", x->conf.ifname,
			    x->ncpus);
	ret = set_mode(x, flag);
	if (ret < 0)
		return ret;
	ret = write_cfg(x);
	if (ret < 0)
		return fail(x, ret, "%s: cannot configure %s: %s", x->conf.ifname, name,
			    strerror(-ret));
	x->bound = true;
	return 0;
}

int xdpfb_set_local(struct xdpfb *x, const struct xdpfb_local *local)
{
	int ret;

	x->local = *local;
	if (!x->bound)
		return 0;
	ret = write_cfg(x);
	if (ret < 0)
		return fail(x, ret, "%s: cannot configure %s's addresses: %s", x->conf.ifname,
			    XDPFB_PROG_NAME, strerror(-ret));
	return 0;
}

int xdpfb_set_port(struct xdpfb *x, uint16_t port)
{
	int ret;

	x->conf.port = port;
	if (!x->bound)
		return 0;
	ret = write_cfg(x);
	if (ret < 0)
		return fail(x, ret, "%s: cannot set %s's port: %s", x->conf.ifname, XDPFB_PROG_NAME,
			    strerror(-ret));
	return 0;
}

void xdpfb_index_add(struct xdpfb *x, uint32_t index)
{
	uint8_t one = 1;

	if (!x || !x->bound || x->index_check_off)
		return;
	if (bpf_map_update_elem(x->live_fd, &index, &one, BPF_ANY) == 0)
		return;
	/* Better no index check than dropping a live session's packets. */
	x->index_check_off = true;
	write_cfg(x);
	snprintf(x->note, sizeof(x->note),
		 "%s: the live index map refused an index (%s): "
		 "unknown-index drops in XDP are off",
		 x->conf.ifname, strerror(errno));
}

void xdpfb_index_del(struct xdpfb *x, uint32_t index)
{
	if (x && x->bound)
		bpf_map_delete_elem(x->live_fd, &index);
}

int xdpfb_stats(const struct xdpfb *x, struct xdpfb_counters *out)
{
	uint32_t k;
	unsigned cpu;

	memset(out, 0, sizeof(*out));
	if (!x || !x->bound)
		return 0;
	for (k = 0; k < XDPFB_CNT_COUNT; k++) {
		uint64_t sum = 0;

		if (bpf_map_lookup_elem(x->counters_fd, &k, x->per_cpu) != 0)
			return -errno;
		for (cpu = 0; cpu < x->ncpus; cpu++)
			sum += x->per_cpu[cpu];
		if (k < XDPFB_DROP_COUNT)
			out->drops[k] = sum;
		else if (k == XDPFB_CNT_REDIRECT)
			out->redirected = sum;
		else
			out->other_addr = sum;
	}
	return 0;
}

const char *xdpfb_describe(const struct xdpfb *x, char *buf, size_t len)
{
	const char *why;

	if (!x->bound) {
		snprintf(buf, len, "no XDP program of ours");
		return buf;
	}
	if (!x->generic)
		why = "the driver runs XDP natively";
	else if (x->conf.mode == XDPFB_MODE_GENERIC)
		why = "--xdp-mode generic";
	else
		why = "the driver has no native XDP: slower, every packet is copied";
	snprintf(buf, len, "%s XDP (driver %s: %s), program %s id %u, listen port %u",
		 x->generic ? "generic" : "native", x->driver, why, XDPFB_PROG_NAME, x->prog_id,
		 x->conf.port);
	return buf;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void xdpfb_close(struct xdpfb *x)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	char name[BPF_OBJ_NAME_LEN];
	uint32_t id = 0, flag = 0;

	/* net_af_xdp detaches a native program when the port closes; a
	 * generic one (or one it left) is ours to remove, if still ours. */
	if (x->prog_fd >= 0 && attached(x, &id, &flag, name) == 0 && id == x->prog_id) {
		opts.old_prog_fd = x->prog_fd;
		bpf_xdp_detach((int)x->ifindex, flag | XDP_FLAGS_REPLACE, &opts);
	}
	close_fd(&x->prog_fd);
	close_fd(&x->cfg_fd);
	close_fd(&x->live_fd);
	close_fd(&x->counters_fd);
	xdpfb_unlock(x->lock_fd, x->lock_path);
	x->lock_fd = -1;
	free(x->per_cpu);
	x->per_cpu = NULL;
	x->bound = false;
}
