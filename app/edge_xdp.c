/* SPDX-License-Identifier: MIT */
/*
 * The edge's kernel-interface underlay and its XDP side: which driver it
 * gets and why, the one-gateway-per-interface lock, the live receiver
 * indices kept in step with the session table, the XDP counters, and next
 * hops from the kernel's neighbour table (with our program the kernel keeps
 * ARP/ND, so their replies never reach the edge).
 *
 *   DPDK NIC (PCI address)      none of this
 *   --no-xdp                    net_af_packet
 *   default / --xdp-mode M      net_af_xdp + omni_xdp, native or generic;
 *                               auto falls back to net_af_packet (warning)
 *                               when AF_XDP cannot start or a foreign XDP
 *                               program sits on the interface
 *   OMNI_TEST_XDP_PROG=pmd      tests only: net_af_xdp with the PMD's own
 *                               program (everything on the queue to us)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "dp/nl.h"
#include "edge.h"
#include "httpd/text.h"
#include "net/addr.h"

static bool test_pmd_program(void)
{
	const char *s = getenv("OMNI_TEST_XDP_PROG");

	return s && strcmp(s, "pmd") == 0;
}

int omni_edge_xdp_prepare(struct omni_edge *e, const char *prog, struct dp_underlay_conf *uc)
{
	struct xdpfb_conf xc = { .ifname = uc->dev,
				 .mode = e->xdp_mode,
				 .port = e->cfg.iface.listen_port };
	int ret;

	xdpfb_init(&e->xdp);
	e->xdp_ready = true;
	if (!dp_kif_exists(uc->dev))
		return 0; /* a PCI device: DPDK's own driver */
	ret = xdpfb_prepare(&e->xdp, &xc);
	if (e->xdp.lock_stale_pid)
		printf("%s: %s: lock %s left by pid %ld, which is gone: taken over\n", prog,
		       uc->dev, e->xdp.lock_path, e->xdp.lock_stale_pid);
	if (e->xdp.note[0])
		printf("%s: %s\n", prog, e->xdp.note);
	if (ret == -EEXIST && (e->no_xdp || !e->xdp_mode_given)) {
		fprintf(stderr, "%s: warning: %s; using net_af_packet\n", prog,
			xdpfb_error(&e->xdp));
		uc->mode = DP_UNDERLAY_AF_PACKET;
		snprintf(e->underlay_why, sizeof(e->underlay_why), "%s",
			 e->no_xdp ? "--no-xdp" : "another XDP program is attached");
		return 0;
	}
	if (ret < 0) {
		fprintf(stderr, "%s: underlay %s\n", prog, xdpfb_error(&e->xdp));
		return -1;
	}
	if (e->no_xdp) {
		uc->mode = DP_UNDERLAY_AF_PACKET;
		snprintf(e->underlay_why, sizeof(e->underlay_why), "--no-xdp");
	} else if (test_pmd_program()) {
		fprintf(stderr,
			"%s: WARNING: OMNI_TEST_XDP_PROG=pmd: the PMD's XDP program, no "
			"stealth filter, the kernel loses the interface (tests only)\n",
			prog);
		snprintf(e->underlay_why, sizeof(e->underlay_why), "OMNI_TEST_XDP_PROG=pmd");
	} else {
		uc->xdp_prog = xdpfb_object(&e->xdp);
		if (e->xdp_mode_given)
			uc->mode = DP_UNDERLAY_AF_XDP;
	}
	return 0;
}

/* Kernel neighbour table, for the control lcore (see control.h). */
static int kernel_neigh(void *ctx, const struct net_addr *a, struct net_mac *mac)
{
	const struct omni_edge *e = ctx;
	int ret = dp_nl_neigh_get(e->under.kif.ifindex, a, mac->b);

	if (ret != 0)
		return ret;
	ret = dp_nl_neigh_resolve(e->under.kif.ifindex, a);
	return ret < 0 ? ret : 0;
}

static void index_hook(void *ctx, uint32_t index, bool live)
{
	struct xdpfb *x = ctx;
	bool was_off = x->index_check_off;

	if (!live) {
		xdpfb_index_del(x, index);
		return;
	}
	xdpfb_index_add(x, index);
	if (!was_off && x->index_check_off)
		fprintf(stderr, "omninervous: warning: %s\n", x->note);
}

int omni_edge_xdp_bind(struct omni_edge *e, const char *prog)
{
	char desc[320];

	if (e->under.driver == DP_DRV_AF_XDP && e->under.kif.name[0] && !test_pmd_program()) {
		if (xdpfb_bind(&e->xdp) < 0) {
			fprintf(stderr, "%s: underlay %s\n", prog, xdpfb_error(&e->xdp));
			return -1;
		}
		xdpfb_describe(&e->xdp, desc, sizeof(desc));
		snprintf(e->underlay_why, sizeof(e->underlay_why), "%s", desc);
	} else if (e->under.driver == DP_DRV_AF_PACKET && !e->underlay_why[0]) {
		snprintf(e->underlay_why, sizeof(e->underlay_why), "AF_XDP could not start");
	} else if (e->under.driver == DP_DRV_PCI) {
		snprintf(e->underlay_why, sizeof(e->underlay_why), "a DPDK device");
	}
	printf("%s: underlay %s: %s (%s)\n", prog, e->cfg.iface.underlay,
	       dp_port_driver_name(e->under.driver), e->underlay_why);
	fflush(stdout);
	return 0;
}

/* The program takes the listen port only on the addresses the gateway
 * answers on (read_local's choice, in e->dp.local): the host's other
 * addresses keep the port for the kernel. */
static void set_local(struct omni_edge *e)
{
	const struct net_local *l = &e->dp.local;
	struct xdpfb_local xl;

	memcpy(xl.ip4, l->ip4.b, sizeof(xl.ip4));
	memcpy(xl.ip6, l->ip6.b, sizeof(xl.ip6));
	memcpy(xl.ip6_ll, l->ip6_ll.b, sizeof(xl.ip6_ll));
	if (xdpfb_set_local(&e->xdp, &xl) < 0)
		fprintf(stderr, "omninervous: warning: %s\n", xdpfb_error(&e->xdp));
}

void omni_edge_xdp_hooks(struct omni_edge *e)
{
	if (!e->xdp.bound)
		return;
	set_local(e);
	pl_sessions_set_index_hook(e->dp.sessions, index_hook, &e->xdp);
	e->ctl.kernel_neigh = kernel_neigh;
	e->ctl.kernel_neigh_ctx = e;
}

void omni_edge_xdp_print_stats(const struct omni_edge *e, FILE *out)
{
	struct xdpfb_counters c;
	unsigned d;

	if (!e->xdp.bound || xdpfb_stats(&e->xdp, &c) != 0)
		return;
	for (d = 0; d < XDPFB_DROP_COUNT; d++)
		fprintf(out, "stats: xdp_drop_%s %llu\n", xdpfb_drop_name(d),
			(unsigned long long)c.drops[d]);
	fprintf(out, "stats: xdp_redirected %llu\n", (unsigned long long)c.redirected);
	fprintf(out, "stats: xdp_passed_other_addr %llu\n", (unsigned long long)c.other_addr);
}

void omni_edge_xdp_metrics(const struct omni_edge *e, struct httpd_text *t)
{
	struct xdpfb_counters c;
	unsigned d;
	char why[sizeof(e->underlay_why)];
	size_t i, j = 0;

	/* The driver line as a label value: no quotes, backslashes, newlines. */
	for (i = 0; e->underlay_why[i] && j + 1 < sizeof(why); i++)
		if (e->underlay_why[i] != '"' && e->underlay_why[i] != '\\' &&
		    e->underlay_why[i] != '\n')
			why[j++] = e->underlay_why[i];
	why[j] = '\0';
	httpd_text_printf(t,
			  "# HELP omni_underlay_info How the underlay is driven, and why.\n"
			  "# TYPE omni_underlay_info gauge\n"
			  "omni_underlay_info{driver=\"%s\",why=\"%s\"} 1\n",
			  dp_port_driver_name(e->under.driver), why);
	if (!e->xdp.bound || xdpfb_stats(&e->xdp, &c) != 0)
		return;
	httpd_text_printf(t, "# HELP omni_xdp_drops_total Packets our XDP program dropped on the "
			     "listen port, by reason.\n# TYPE omni_xdp_drops_total counter\n");
	for (d = 0; d < XDPFB_DROP_COUNT; d++)
		httpd_text_printf(t, "omni_xdp_drops_total{reason=\"%s\"} %llu\n",
				  xdpfb_drop_name(d), (unsigned long long)c.drops[d]);
	httpd_text_printf(t,
			  "# HELP omni_xdp_redirected_total Packets our XDP program passed to "
			  "the gateway.\n# TYPE omni_xdp_redirected_total counter\n"
			  "omni_xdp_redirected_total %llu\n"
			  "# HELP omni_xdp_passed_other_address_total Packets to the listen port of "
			  "another local address, passed to the kernel.\n"
			  "# TYPE omni_xdp_passed_other_address_total counter\n"
			  "omni_xdp_passed_other_address_total %llu\n",
			  (unsigned long long)c.redirected, (unsigned long long)c.other_addr);
}

void omni_edge_xdp_show(const struct omni_edge *e, struct httpd_text *t)
{
	struct xdpfb_counters c;
	unsigned d, shown = 0;

	if (e->underlay_why[0])
		httpd_text_printf(t, "underlay: %s\n", e->underlay_why);
	if (!e->xdp.bound || xdpfb_stats(&e->xdp, &c) != 0)
		return;
	httpd_text_printf(t, "xdp: redirected %llu; drops:", (unsigned long long)c.redirected);
	for (d = 0; d < XDPFB_DROP_COUNT; d++)
		if (c.drops[d])
			httpd_text_printf(t, "%s %s %llu", shown++ ? "," : "", xdpfb_drop_name(d),
					  (unsigned long long)c.drops[d]);
	httpd_text_printf(t, "%s; other addresses (to the kernel) %llu\n", shown ? "" : " none",
			  (unsigned long long)c.other_addr);
}

void omni_edge_xdp_close(struct omni_edge *e)
{
	if (e->xdp_ready)
		xdpfb_close(&e->xdp);
	e->xdp_ready = false;
}

/* The BPF program cannot include net/wire.h (no libc headers for -target
 * bpf): its copies of the first-byte checks are held to lib/net's here. */
static_assert(XDPFB_SIG_MAGIC == (unsigned)NET_SIG_MAGIC &&
		      XDPFB_STUN_COOKIE == (unsigned)NET_STUN_COOKIE &&
		      XDPFB_STUN_HEADER == (unsigned)NET_STUN_HLEN,
	      "the XDP program passes signaling and STUN as lib/net sorts them");
