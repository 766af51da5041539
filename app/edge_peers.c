/* SPDX-License-Identifier: MIT */
/*
 * Live peer changes on the control loop. The running configuration
 * (e->cfg.peers) and the data plane's peer set change together: what the
 * console and metrics show is what forwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "config/diff.h"
#include "config/value.h"
#include "pipeline/control_peers.h"
#include "wg/key.h"

#include "edge.h"
#include "edge_peers.h"
#include "edge_signal.h"
#include "edge_signal_int.h"

/* The data plane's view of a configured peer; it points into p. */
static void spec_of(const struct cfg_peer *p, struct pl_peer_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->public_key = p->public_key;
	s->psk = p->has_preshared_key ? p->preshared_key : NULL;
	net_endpoint_from_sockaddr(&p->endpoint.addr, &s->ep.udp); /* none: unset */
	s->keepalive_s = p->persistent_keepalive;
	s->routes = p->allowed_ips;
	s->n_routes = (unsigned)p->n_allowed_ips;
}

static size_t cfg_index(const struct cfg_config *cfg, const uint8_t *pub)
{
	size_t i;

	for (i = 0; i < cfg->n_peers; i++)
		if (sodium_memcmp(cfg->peers[i].public_key, pub, WG_KEY_LEN) == 0)
			return i;
	return cfg->n_peers;
}

static bool admit_peer(const void *ctx, size_t i, struct sig_admit_peer *out)
{
	const struct cfg_config *cfg = ctx;
	const struct cfg_peer *p;

	if (i >= cfg->n_peers)
		return false;
	p = &cfg->peers[i];
	out->pubkey = p->public_key;
	out->routes = p->allowed_ips;
	out->n_routes = p->n_allowed_ips;
	out->learned = p->learned;
	return true;
}

/* Peer slots the cluster leaves to the operator (console peer add). */
enum { OPERATOR_SLOTS = 64 };

void omni_edge_admit_view(const struct omni_edge *e, struct sig_admit_view *v)
{
	size_t configured, room;

	memset(v, 0, sizeof(*v));
	v->vip4 = e->cfg.network.vip;
	v->vip6 = e->cfg.network.vip6;
	v->peer = admit_peer;
	v->ctx = &e->cfg;
	for (size_t i = 0; i < e->cfg.n_peers; i++)
		v->n_learned += e->cfg.peers[i].learned;
	/* SIG_ADMIT_LEARNED_MAX, or fewer when the slots are fewer. */
	configured = e->cfg.n_peers - v->n_learned;
	room = e->dp.max_peers > configured + OPERATOR_SLOTS ?
		       e->dp.max_peers - configured - OPERATOR_SLOTS :
		       1;
	v->learned_max = room < SIG_ADMIT_LEARNED_MAX ? room : SIG_ADMIT_LEARNED_MAX;
}

/* Another live peer already routes one of p's allowed IPs (as wg(8) would
 * silently move it; we refuse, as the config validator does). */
static const struct cfg_peer *claimed_by_other(const struct cfg_config *cfg,
					       const struct cfg_peer *p)
{
	size_t i, j, k;

	for (i = 0; i < cfg->n_peers; i++) {
		const struct cfg_peer *o = &cfg->peers[i];

		if (sodium_memcmp(o->public_key, p->public_key, WG_KEY_LEN) == 0)
			continue;
		for (j = 0; j < o->n_allowed_ips; j++)
			for (k = 0; k < p->n_allowed_ips; k++)
				if (net_prefix_cmp(&o->allowed_ips[j], &p->allowed_ips[k]) == 0)
					return o;
	}
	return NULL;
}

/*
 * A configured peer owns its AllowedIPs: learned peers with a VIP inside
 * them go (the configuration wins over the cluster), logged and counted
 * as the refusals of signaling/admit.h are.
 */
static void evict_learned(struct omni_edge *e, const struct cfg_peer *p)
{
	char key[WG_KEY_B64_LEN + 1];
	struct sig_admit_view v;
	size_t i = e->cfg.n_peers;

	omni_edge_admit_view(e, &v);
	while (i-- > 0) {
		const struct cfg_peer *q = &e->cfg.peers[i];

		if (!q->learned || !sodium_memcmp(q->public_key, p->public_key, WG_KEY_LEN) ||
		    !sig_admit_owned(&v, p->allowed_ips, p->n_allowed_ips, q->allowed_ips,
				     q->n_allowed_ips))
			continue;
		wg_key_to_base64(key, q->public_key);
		printf("omninervous: nucleus: peer %s removed (%s): a configured peer has its VIP\n",
		       key, sig_admit_name(SIG_ADMIT_STATIC_OVERLAP));
		if (e->sig)
			e->sig->ed.stats.refused[SIG_ADMIT_STATIC_OVERLAP]++;
		pl_control_peer_remove(&e->ctl, pl_control_peer_find(&e->ctl, q->public_key));
		cfg_config_remove_peer(&e->cfg, i);
	}
}

static int psk_changed(const struct cfg_peer *old, const struct cfg_peer *p)
{
	if (old->has_preshared_key != p->has_preshared_key)
		return 1;
	return p->has_preshared_key &&
	       sodium_memcmp(old->preshared_key, p->preshared_key, WG_KEY_LEN) != 0;
}

/* e->cfg follows the data plane: p replaces the entry at `at`, or is
 * appended when at is n_peers. */
static int remember(struct cfg_config *cfg, const struct cfg_peer *p, size_t at)
{
	struct cfg_peer copy, *slot;

	if (cfg_peer_copy(&copy, p) != 0)
		return -ENOMEM;
	if (at < cfg->n_peers) {
		slot = &cfg->peers[at];
		cfg_peer_clear(slot);
	} else if (!(slot = cfg_config_add_peer(cfg))) {
		cfg_peer_clear(&copy);
		return -ENOMEM;
	}
	*slot = copy;
	return 0;
}

static bool same_settings(const struct pl_peer *live, const struct pl_peer_spec *s)
{
	return !pl_control_peer_routes_differ(live, s) &&
	       live->timers.persistent_keepalive_interval == s->keepalive_s &&
	       (s->ep.udp.addr.family == NET_AF_NONE ||
		net_endpoint_equal(&live->ep.udp, &s->ep.udp));
}

/*
 * Add or change one peer in the data plane and in e->cfg, without a
 * commit. *what says what happened.
 */
static int apply_peer(struct omni_edge *e, const struct cfg_peer *p, const char **what, char *err,
		      size_t errlen)
{
	struct pl_control *c = &e->ctl;
	struct pl_peer_spec s;
	struct pl_peer *live;
	size_t at;
	int ret;

	if (sodium_memcmp(p->public_key, c->id.public_key, WG_KEY_LEN) == 0) {
		snprintf(err, errlen, "that is this edge's own public key");
		return -EINVAL;
	}
	if (!p->learned)
		evict_learned(e, p);
	at = cfg_index(&e->cfg, p->public_key);
	live = pl_control_peer_find(c, p->public_key);
	if (p->learned && at < e->cfg.n_peers && !e->cfg.peers[at].learned) {
		/* Cluster events never touch a configured peer (admit.h). */
		snprintf(err, errlen, "a configured peer has that key");
		return -EPERM;
	}
	if (claimed_by_other(&e->cfg, p)) {
		snprintf(err, errlen, "an allowed IP of this peer belongs to another peer");
		return -EEXIST;
	}
	spec_of(p, &s);
	*what = "added";
	if (live && at < e->cfg.n_peers && psk_changed(&e->cfg.peers[at], p)) {
		/* A new preshared key is a new session: start over. */
		pl_control_peer_remove(c, live);
		live = NULL;
		*what = "changed (new preshared key, new session)";
	}
	if (live) {
		*what = same_settings(live, &s) ? "unchanged" : "changed";
		ret = pl_control_peer_update(c, live, &s, pl_now_ns(&e->dp));
	} else {
		ret = pl_control_peer_add(c, &s);
	}
	if (ret == 0)
		ret = remember(&e->cfg, p, at);
	if (ret != 0)
		snprintf(err, errlen, "%s",
			 ret == -ENOSPC ? "no free peer slot (the edge's limit)" :
			 ret == -EINVAL ? "the public key is not usable" :
					  "out of memory");
	return ret;
}

/*
 * The next table's memory, before anything changes: the routes of peers[n]
 * and of extra (when not NULL). A batch the memory cannot take is refused
 * whole.
 */
static int reserve_extra(struct omni_edge *e, const struct cfg_peer *peers, size_t n,
			 unsigned routes, bool v6, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		routes += (unsigned)peers[i].n_allowed_ips;
		v6 |= pl_routes_need_v6(peers[i].allowed_ips, (unsigned)peers[i].n_allowed_ips);
	}
	if (pl_control_peers_reserve(&e->ctl, routes, v6) == 0)
		return 0;
	snprintf(err, errlen,
		 "out of DPDK memory for the new AllowedIPs table (%u routes%s): "
		 "nothing changed",
		 routes, v6 ? ", IPv6 too" : "");
	return -ENOMEM;
}

static int reserve(struct omni_edge *e, const struct cfg_peer *peers, size_t n,
		   const struct cfg_peer *extra, char *err, size_t errlen)
{
	unsigned routes = extra ? (unsigned)extra->n_allowed_ips : 0;
	bool v6 = extra && pl_routes_need_v6(extra->allowed_ips, (unsigned)extra->n_allowed_ips);

	return reserve_extra(e, peers, n, routes, v6, err, errlen);
}

static int commit(struct omni_edge *e, char *err, size_t errlen)
{
	if (pl_control_peers_commit(&e->ctl) == 0) {
		omni_edge_routes_sync(e);
		return 0;
	}
	snprintf(err, errlen, "out of memory rebuilding the AllowedIPs table: the old routes stay");
	return -ENOMEM;
}

int omni_edge_peers_load(struct omni_edge *e, char *err, size_t errlen)
{
	struct pl_peer_spec s;
	size_t i;
	int ret;

	for (i = 0; i < e->cfg.n_peers; i++) {
		spec_of(&e->cfg.peers[i], &s);
		ret = pl_control_peer_add(&e->ctl, &s);
		if (ret != 0) {
			snprintf(err, errlen, "peer %zu: cannot set it up (%s)", i + 1,
				 strerror(-ret));
			return ret;
		}
	}
	return commit(e, err, errlen);
}

int omni_edge_peer_add(struct omni_edge *e, const struct cfg_peer *p, char *err, size_t errlen)
{
	const char *what = "";
	int ret = reserve(e, e->cfg.peers, e->cfg.n_peers, p, err, errlen);

	if (ret != 0)
		return ret;
	ret = apply_peer(e, p, &what, err, errlen);
	if (ret == 0)
		ret = commit(e, err, errlen);
	else
		pl_control_peers_unreserve(&e->ctl);
	if (ret == 0)
		snprintf(err, errlen, "%s", what);
	return ret;
}

int omni_edge_peer_stage(struct omni_edge *e, const struct cfg_peer *p, char *err, size_t errlen)
{
	const char *what = "";
	int ret = apply_peer(e, p, &what, err, errlen);

	if (ret == 0)
		snprintf(err, errlen, "%s", what);
	return ret;
}

int omni_edge_peers_commit(struct omni_edge *e, char *err, size_t errlen)
{
	return commit(e, err, errlen);
}

int omni_edge_peer_forget(struct omni_edge *e, const uint8_t pub[WG_KEY_LEN], char *err,
			  size_t errlen)
{
	size_t at = cfg_index(&e->cfg, pub);

	if (at < e->cfg.n_peers && !e->cfg.peers[at].learned) {
		snprintf(err, errlen, "a configured peer has that key");
		return -EPERM;
	}
	return omni_edge_peer_del(e, pub, err, errlen);
}

int omni_edge_peer_del(struct omni_edge *e, const uint8_t pub[WG_KEY_LEN], char *err, size_t errlen)
{
	struct pl_peer *live = pl_control_peer_find(&e->ctl, pub);

	if (!live) {
		snprintf(err, errlen, "no such peer");
		return -ENOENT;
	}
	if (reserve(e, e->cfg.peers, e->cfg.n_peers, NULL, err, errlen) != 0)
		return -ENOMEM;
	pl_control_peer_remove(&e->ctl, live);
	cfg_config_remove_peer(&e->cfg, cfg_index(&e->cfg, pub));
	return commit(e, err, errlen);
}

/* Keys a change removes even when learned (wg(8)'s `peer KEY remove`). */
struct forget {
	const uint8_t (*keys)[WG_KEY_LEN];
	size_t n;
};

static bool forgotten(const struct forget *f, const uint8_t *pub)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (sodium_memcmp(f->keys[i], pub, WG_KEY_LEN) == 0)
			return true;
	return false;
}

/*
 * Peers learned from the cluster are in no file: a reload keeps them (the
 * nucleus says when they go). They leave d's removals, which keep their
 * order, unless f names them.
 */
static void keep_learned(const struct omni_edge *e, struct cfg_config_diff *d,
			 const struct forget *f)
{
	size_t i, n = 0;

	for (i = 0; i < d->n_removed; i++) {
		const struct cfg_peer *p = &e->cfg.peers[d->removed[i].old_index];

		if (!p->learned || forgotten(f, p->public_key))
			d->removed[n++] = d->removed[i];
	}
	d->n_removed = n;
}

/* A reload's table: next's peers and the learned ones that stay. */
static int reserve_next(struct omni_edge *e, const struct cfg_config *next, const struct forget *f,
			char *err, size_t errlen)
{
	unsigned routes = 0;
	bool v6 = false;
	size_t i;

	for (i = 0; i < e->cfg.n_peers; i++) {
		const struct cfg_peer *p = &e->cfg.peers[i];

		if (!p->learned || cfg_index(next, p->public_key) < next->n_peers ||
		    forgotten(f, p->public_key))
			continue;
		routes += (unsigned)p->n_allowed_ips;
		v6 |= pl_routes_need_v6(p->allowed_ips, (unsigned)p->n_allowed_ips);
	}
	return reserve_extra(e, next->peers, next->n_peers, routes, v6, err, errlen);
}

/* A learned peer whose key the configuration now has is the
 * configuration's (also when nothing else about it changed). */
static void configured_now(struct cfg_config *cfg, const struct cfg_config *next)
{
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (cfg_index(next, cfg->peers[i].public_key) < next->n_peers)
			cfg->peers[i].learned = false;
}

/* The settings that need a restart, as one phrase ("" when none). The
 * running model no longer holds the private key: compare with control's. */
static void restart_note(const struct omni_edge *e, const struct cfg_config *next,
			 const struct cfg_config_diff *d, char *note, size_t len)
{
	size_t i, used = 0;

	note[0] = '\0';
	for (i = 0; i < d->n_restart && used < len; i++)
		used += (size_t)snprintf(note + used, len - used, "%s%s", used ? ", " : "",
					 d->restart[i]);
	if (next->iface.has_private_key && used < len &&
	    sodium_memcmp(e->ctl.id.private_key, next->iface.private_key, WG_KEY_LEN) != 0)
		snprintf(note + used, len - used, "%sthe private key", used ? ", " : "");
}

/* A changed peer's old allowed IPs that next keeps for it (in place). */
static void keep_common(struct cfg_peer *t, const struct cfg_peer *neu)
{
	size_t i, j, n = 0;

	for (i = 0; i < t->n_allowed_ips; i++)
		for (j = 0; j < neu->n_allowed_ips; j++)
			if (net_prefix_cmp(&t->allowed_ips[i], &neu->allowed_ips[j]) == 0) {
				t->allowed_ips[n++] = t->allowed_ips[i];
				break;
			}
	t->n_allowed_ips = n;
}

/*
 * Changed peers first give up the allowed IPs they lose, so that one that
 * moves to another peer in the same change (as `wg set` moves it) is free
 * when that peer takes it. Before the removals: d's old indices hold.
 */
static int release_moved(struct omni_edge *e, const struct cfg_config *next,
			 const struct cfg_config_diff *d, char *err, size_t errlen)
{
	const char *what;
	size_t i;
	int ret = 0;

	for (i = 0; i < d->n_changed && ret == 0; i++) {
		const struct cfg_peer *old = &e->cfg.peers[d->changed[i].old_index];
		struct cfg_peer t;

		if (!(d->changed[i].changed & CFG_PEER_CHANGED_ALLOWED_IPS))
			continue;
		if (cfg_peer_copy(&t, old) != 0)
			return -ENOMEM;
		keep_common(&t, &next->peers[d->changed[i].new_index]);
		if (t.n_allowed_ips < old->n_allowed_ips)
			ret = apply_peer(e, &t, &what, err, errlen);
		cfg_peer_clear(&t);
	}
	return ret;
}

static int apply(struct omni_edge *e, const struct cfg_config *next, const struct forget *f,
		 char *err, size_t errlen)
{
	struct cfg_config_diff d;
	char note[256];
	const char *what;
	size_t i;
	int ret;

	if (cfg_config_diff(&e->cfg, next, &d) != 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	keep_learned(e, &d, f);
	if (reserve_next(e, next, f, err, errlen) != 0) {
		cfg_config_diff_free(&d);
		return -ENOMEM;
	}
	restart_note(e, next, &d, note, sizeof(note));
	ret = release_moved(e, next, &d, err, errlen);
	for (i = 0; i < d.n_removed; i++) {
		const uint8_t *pub = e->cfg.peers[d.removed[i].old_index].public_key;

		pl_control_peer_remove(&e->ctl, pl_control_peer_find(&e->ctl, pub));
	}
	/* Removed from the running model from the last, so indices hold. */
	for (i = d.n_removed; i-- > 0;)
		cfg_config_remove_peer(&e->cfg, d.removed[i].old_index);
	for (i = 0; i < d.n_added + d.n_changed && ret == 0; i++) {
		size_t at = i < d.n_added ? d.added[i].new_index :
					    d.changed[i - d.n_added].new_index;

		ret = apply_peer(e, &next->peers[at], &what, err, errlen);
		if (ret != 0) {
			char why[CFG_CONFIG_ERR_MAX];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "peer %zu: %s (the changes before it were applied)",
				 at + 1, why);
		}
	}
	e->cfg.log_level = next->log_level;
	configured_now(&e->cfg, next);
	if (ret == 0)
		ret = commit(e, err, errlen);
	else
		pl_control_peers_commit(&e->ctl);
	if (ret == 0)
		snprintf(err, errlen, "%zu added, %zu changed, %zu removed%s%s%s", d.n_added,
			 d.n_changed, d.n_removed, note[0] ? "; needs a restart to change: " : "",
			 note, note[0] ? " (not applied)" : "");
	cfg_config_diff_free(&d);
	return ret;
}

int omni_edge_apply_config(struct omni_edge *e, const struct cfg_config *next, char *err,
			   size_t errlen)
{
	return apply(e, next, NULL, err, errlen);
}

int omni_edge_apply_peers(struct omni_edge *e, const struct cfg_peer *peers, size_t n,
			  const uint8_t (*forget)[WG_KEY_LEN], size_t n_forget, char *err,
			  size_t errlen)
{
	/* The running configuration with other peers: its other fields are
	 * shared, not copied (nothing of them changes, nothing is freed). */
	struct cfg_config next = e->cfg;
	struct forget f = { forget, n_forget };

	int ret;

	next.peers = (struct cfg_peer *)peers;
	next.n_peers = n;
	/* The running model wiped its key: the running one, so that no
	 * restart note says it changed. */
	memcpy(next.iface.private_key, e->ctl.id.private_key, WG_KEY_LEN);
	ret = apply(e, &next, &f, err, errlen);
	sodium_memzero(next.iface.private_key, WG_KEY_LEN);
	return ret;
}

/* A new cluster secret in next: the signaling keys switch (a rotation),
 * and the running model takes it, so that no restart note names it. 1
 * (switched), 0 (no change, or no nucleus), or -EINVAL (a secret the
 * nucleus client refuses: nothing is applied). */
static int take_secret(struct omni_edge *e, struct cfg_config *next, char *err, size_t errlen)
{
	char why[CFG_CONFIG_ERR_MAX];
	char *old = e->cfg.security.secret;
	int r = omni_edge_signal_rekey(e, next->security.secret, why, sizeof(why));

	if (r < 0) {
		snprintf(err, errlen, "security.secret: %s", why);
		return -EINVAL;
	}
	if (r > 0) {
		e->cfg.security.secret = next->security.secret;
		next->security.secret = old; /* freed, wiped, with next */
	}
	return r;
}

int omni_edge_reload(struct omni_edge *e, char *err, size_t errlen)
{
	struct cfg_config next;
	int ret, rotated;

	if (!e->cli) {
		snprintf(err, errlen, "no configuration file to read again");
		return -ENOENT;
	}
	if (omni_edge_config_read(&next, e->cli, err, errlen) != OMNI_EXIT_OK) {
		cfg_config_free(&next);
		return -EINVAL;
	}
	rotated = take_secret(e, &next, err, errlen);
	ret = rotated < 0 ? rotated : omni_edge_apply_config(e, &next, err, errlen);
	if (ret == 0 && rotated > 0) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, "; new cluster secret: registered again");
	}
	cfg_config_free(&next);
	return ret;
}
