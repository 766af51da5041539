/* SPDX-License-Identifier: MIT */
/* The control-owned state, copied on the control loop (edge_snapshot.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/value.h"
#include "edge.h"
#include "edge_signal.h"
#include "edge_snapshot.h"

enum omni_nucleus_state omni_edge_nucleus_state(const struct omni_edge *e, char *text, size_t len)
{
	const char *addr = e->cfg.network.nucleus;

	if (!addr) {
		snprintf(text, len, "no nucleus configured");
		return OMNI_NUCLEUS_NOT_CONFIGURED;
	}
	snprintf(text, len, "nucleus %s: %s", addr, omni_edge_signal_state(e));
	return strcmp(omni_edge_signal_state(e), "registered") == 0 ? OMNI_NUCLEUS_REACHABLE :
								      OMNI_NUCLEUS_UNREACHABLE;
}

/* "(none)" when unknown, as wg(8) shows it. */
static void format_endpoint(const struct pl_endpoint *ep, char out[CFG_ADDR_TEXT_MAX])
{
	static_assert((unsigned)NET_ENDPOINT_TEXT_MAX <= (unsigned)CFG_ADDR_TEXT_MAX,
		      "an endpoint's text fits");

	if (net_addr_is_set(&ep->udp.addr))
		net_endpoint_format(&ep->udp, out);
	else
		snprintf(out, CFG_ADDR_TEXT_MAX, "(none)");
}

/* The configured peer with this key: usually at the same index. */
static const struct cfg_peer *config_peer(const struct cfg_config *cfg, size_t hint,
					  const uint8_t key[WG_KEY_LEN])
{
	size_t i;

	if (hint < cfg->n_peers && memcmp(cfg->peers[hint].public_key, key, WG_KEY_LEN) == 0)
		return &cfg->peers[hint];
	for (i = 0; i < cfg->n_peers; i++)
		if (memcmp(cfg->peers[i].public_key, key, WG_KEY_LEN) == 0)
			return &cfg->peers[i];
	return NULL;
}

static char *allowed_ips_text(const struct cfg_peer *p)
{
	struct httpd_text t = HTTPD_TEXT_INIT;
	char one[NET_PREFIX_TEXT_MAX];
	size_t i;
	size_t len;

	for (i = 0; p && i < p->n_allowed_ips; i++) {
		net_prefix_format(&p->allowed_ips[i], one);
		httpd_text_printf(&t, "%s%s", i ? ", " : "", one);
	}
	if (!httpd_text_ok(&t)) {
		httpd_text_free(&t);
		return NULL;
	}
	return httpd_text_take(&t, &len);
}

static int copy_peer(const struct omni_edge *e, const struct pl_peer *dp, size_t i,
		     struct omni_peer_snap *out)
{
	const struct cfg_peer *cp = config_peer(&e->cfg, i, dp->public_key);

	memcpy(out->public_key, dp->public_key, WG_KEY_LEN);
	/* Control is the only writer of ep: no seqlock needed here. */
	format_endpoint(&dp->ep, out->endpoint);
	out->channel = dp->ep.channel;
	out->keepalive = cp ? cp->persistent_keepalive : 0;
	out->learned = cp && cp->learned;
	out->has_session = __atomic_load_n(&dp->tx, __ATOMIC_RELAXED) != NULL;
	out->rx_bytes = __atomic_load_n(&dp->rx_bytes, __ATOMIC_RELAXED);
	out->tx_bytes = __atomic_load_n(&dp->tx_bytes, __ATOMIC_RELAXED);
	out->last_handshake_unix_ns = dp->last_handshake_unix_ns;
	out->handshakes = dp->handshakes;
	out->allowed_ips = allowed_ips_text(cp);
	return out->allowed_ips ? 0 : -ENOMEM;
}

struct take_args {
	const struct omni_edge *e;
	struct omni_edge_snap *s;
	bool with_peers;
};

/* Runs on the control loop (mailbox). */
static int take(void *arg, struct httpd_text *out)
{
	struct omni_edge_snap *s = ((struct take_args *)arg)->s;
	const struct omni_edge *e = ((struct take_args *)arg)->e;
	const struct pl_dataplane *dp = &e->dp;
	struct timespec ts;
	unsigned i;

	(void)out;
	s->ctl = e->ctl.stats;
	s->keypairs = dp->sessions ? pl_sessions_count(dp->sessions) : 0;
	s->nucleus = omni_edge_nucleus_state(e, s->nucleus_text, sizeof(s->nucleus_text));
	s->log_level = e->cfg.log_level;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->taken_unix_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (!((struct take_args *)arg)->with_peers)
		return 0;
	s->peers = calloc(dp->n_peers + 1, sizeof(*s->peers));
	if (!s->peers)
		return -ENOMEM;
	for (i = 0; dp->peers && i < dp->n_peers; i++) {
		if (!dp->peers[i].in_use)
			continue;
		if (copy_peer(e, &dp->peers[i], i, &s->peers[s->n_peers++]) != 0)
			return -ENOMEM;
		if (s->peers[s->n_peers - 1].has_session)
			s->sessions++;
	}
	return 0;
}

int omni_edge_snapshot(struct omni_edge *e, struct omni_edge_snap *s, bool with_peers)
{
	struct take_args args = { e, s, with_peers };
	int ret;

	memset(s, 0, sizeof(*s));
	ret = mailbox_call(&e->mbox, take, &args, NULL, MAILBOX_TIMEOUT_MS);
	if (ret != 0)
		omni_edge_snap_free(s);
	return ret;
}

void omni_edge_snap_free(struct omni_edge_snap *s)
{
	size_t i;

	for (i = 0; s->peers && i < s->n_peers; i++)
		free(s->peers[i].allowed_ips);
	free(s->peers);
	s->peers = NULL;
	s->n_peers = 0;
}
