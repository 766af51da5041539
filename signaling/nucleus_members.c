/* SPDX-License-Identifier: MIT */
/*
 * Nucleus members: register, move, expire, the change log with versions,
 * and the pages of an ack (docs/signaling.md, "Versions, deltas and
 * pages"). Every change raises the cluster's version by one and is logged.
 */
#include <string.h>

#include "nucleus_int.h"

static void log_change(struct cluster *c, uint8_t change, const uint8_t *pubkey)
{
	struct logent *e = &c->log[++c->version % SIG_LOG_MAX];

	e->change = change;
	memcpy(e->pubkey, pubkey, SIG_PUBKEY_LEN);
}

static void lru_unlink(struct cluster *c, uint32_t i)
{
	struct member *m = member_at(c, i);

	if (m->lru_prev != SIG_NONE)
		member_at(c, m->lru_prev)->lru_next = m->lru_next;
	else
		c->lru_head = m->lru_next;
	if (m->lru_next != SIG_NONE)
		member_at(c, m->lru_next)->lru_prev = m->lru_prev;
	else
		c->lru_tail = m->lru_prev;
}

static void lru_append(struct cluster *c, uint32_t i)
{
	struct member *m = member_at(c, i);

	m->lru_prev = c->lru_tail;
	m->lru_next = SIG_NONE;
	if (c->lru_tail != SIG_NONE)
		member_at(c, c->lru_tail)->lru_next = i;
	else
		c->lru_head = i;
	c->lru_tail = i;
}

void sig_member_remove(struct cluster *c, uint32_t i)
{
	log_change(c, SIG_LEFT, member_at(c, i)->peer.pubkey);
	lru_unlink(c, i);
	sig_peerset_del(&c->members, i);
	SIG_STORE(c->n_members, c->members.count);
}

/* What the others see: the observed address first, then the edge's own. */
static void public_entry(struct sig_peer *out, const struct sig_peer *own,
			 const struct net_endpoint *from)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->pubkey, own->pubkey, SIG_PUBKEY_LEN);
	memcpy(out->vip4, own->vip4, sizeof(out->vip4));
	memcpy(out->vip6, own->vip6, sizeof(out->vip6));
	out->flags = own->flags;
	out->cand[0].ep = *from;
	out->cand[0].kind = SIG_KIND_OBSERVED;
	out->n_cand = 1;
	for (unsigned k = 0; k < own->n_cand && out->n_cand < SIG_CAND_MAX; k++)
		if (!net_endpoint_equal(&own->cand[k].ep, from))
			out->cand[out->n_cand++] = own->cand[k];
}

/* The member of another key holding VIP key (by), or SIG_NONE; one whose
 * heartbeats stopped (past expiry, not yet swept) is removed here. */
static uint32_t vip_holder(struct cluster *c, enum sig_peerset_key by, const uint8_t *key,
			   const uint8_t *pubkey, uint64_t now, uint32_t expiry_ms)
{
	uint32_t j = sig_peerset_find(&c->members, by, key);

	if (j == SIG_NONE || !memcmp(member_at(c, j)->peer.pubkey, pubkey, SIG_PUBKEY_LEN))
		return SIG_NONE;
	if (member_at(c, j)->last_seen + expiry_ms > now)
		return j;
	sig_member_remove(c, j);
	return SIG_NONE;
}

const struct sig_peer *sig_member_vip_taken(struct cluster *c, const struct sig_peer *p,
					    uint64_t now, uint32_t expiry_ms)
{
	uint32_t j = SIG_NONE;

	if (p->flags & SIG_PEER_HAS_VIP4)
		j = vip_holder(c, SIG_BY_VIP4, p->vip4, p->pubkey, now, expiry_ms);
	if (j == SIG_NONE && (p->flags & SIG_PEER_HAS_VIP6))
		j = vip_holder(c, SIG_BY_VIP6, p->vip6, p->pubkey, now, expiry_ms);
	return j == SIG_NONE ? NULL : &member_at(c, j)->peer;
}

uint32_t sig_member_register(struct cluster *c, const struct sig_peer *own,
			     const struct net_endpoint *from, bool enc, uint64_t now)
{
	struct sig_peer pub;
	uint32_t i;

	public_entry(&pub, own, from);
	i = sig_peerset_find(&c->members, SIG_BY_PUBKEY, pub.pubkey);
	if (i == SIG_NONE) {
		i = sig_peerset_add(&c->members, &pub);
		if (i == SIG_NONE)
			return SIG_NONE;
		member_at(c, i)->relay_aware = false;
		memset(&member_at(c, i)->relayed, 0, sizeof(member_at(c, i)->relayed));
		log_change(c, SIG_JOINED, pub.pubkey);
	} else {
		if (!sig_peer_equal(&member_at(c, i)->peer, &pub)) {
			sig_peerset_update(&c->members, i, &pub);
			log_change(c, SIG_MOVED, pub.pubkey);
		}
		lru_unlink(c, i);
	}
	lru_append(c, i);
	member_at(c, i)->last_seen = now;
	member_at(c, i)->enc = enc;
	SIG_STORE(c->n_members, c->members.count);
	return i;
}

void sig_member_touch(struct cluster *c, uint32_t i, const struct net_endpoint *from, bool enc,
		      uint64_t now)
{
	struct member *m = member_at(c, i);
	struct sig_peer own = m->peer, pub;

	if (!net_endpoint_equal(&m->peer.cand[0].ep, from)) {
		/* The edge's own candidates are the ones after the observed one. */
		memmove(own.cand, own.cand + 1, sizeof(own.cand[0]) * (SIG_CAND_MAX - 1));
		memset(&own.cand[SIG_CAND_MAX - 1], 0, sizeof(own.cand[0]));
		own.n_cand--;
		public_entry(&pub, &own, from);
		sig_peerset_update(&c->members, i, &pub);
		log_change(c, SIG_MOVED, pub.pubkey);
	}
	m->last_seen = now;
	m->enc = enc;
	lru_unlink(c, i);
	lru_append(c, i);
}

unsigned sig_members_expire(struct cluster *c, uint64_t now, uint32_t expiry_ms)
{
	unsigned n = 0;

	while (c->lru_head != SIG_NONE && member_at(c, c->lru_head)->last_seen + expiry_ms <= now) {
		sig_member_remove(c, c->lru_head);
		n++;
	}
	return n;
}

/* Adds one entry if it fits; false when the page is full. */
static bool page_add(struct cluster *c, struct sig_ack *a, size_t *used, uint8_t change,
		     const struct sig_peer *p)
{
	size_t need = 1 + (change == SIG_LEFT ? SIG_PUBKEY_LEN : sig_peer_wire_len(p));
	size_t max = c->page_max && c->page_max < SIG_BODY_MAX ? c->page_max : SIG_BODY_MAX;
	struct sig_entry *e;

	if (a->n_entries >= SIG_ACK_ENTRIES_MAX || *used + need > max)
		return false;
	e = &a->entries[a->n_entries++];
	e->change = change;
	if (change == SIG_LEFT) {
		memset(&e->peer, 0, sizeof(e->peer));
		memcpy(e->peer.pubkey, p->pubkey, SIG_PUBKEY_LEN);
	} else {
		e->peer = *p;
	}
	*used += need;
	return true;
}

void sig_page_resync(struct cluster *c, struct sig_ack *a, uint32_t cursor, uint32_t self)
{
	size_t used = SIG_ACK_FIXED;
	uint32_t i;

	a->status = SIG_ACK_RESYNC;
	a->flags = c->l2 ? SIG_ACK_L2 : 0;
	a->n_entries = 0;
	for (i = sig_peerset_next(&c->members, cursor); i != SIG_NONE;
	     i = sig_peerset_next(&c->members, i + 1)) {
		if (i != self && !page_add(c, a, &used, SIG_JOINED, &member_at(c, i)->peer))
			break;
	}
	a->more = i != SIG_NONE;
	a->cursor = a->more ? i : 0;
}

bool sig_page_delta(struct cluster *c, struct sig_ack *a, uint64_t v, uint32_t self)
{
	uint64_t oldest = c->version > SIG_LOG_MAX ? c->version - SIG_LOG_MAX : 0;
	const uint8_t *me = member_at(c, self)->peer.pubkey;
	size_t used = SIG_ACK_FIXED;

	if (v < oldest || v > c->version)
		return false;
	a->status = SIG_ACK_DELTA;
	a->flags = c->l2 ? SIG_ACK_L2 : 0;
	a->n_entries = 0;
	a->cursor = 0;
	a->more = false;
	for (; v < c->version; v++) {
		const struct logent *e = &c->log[(v + 1) % SIG_LOG_MAX];
		uint32_t i = SIG_NONE;
		struct sig_peer left;

		if (memcmp(e->pubkey, me, SIG_PUBKEY_LEN) == 0)
			continue;
		if (e->change == SIG_LEFT) {
			memcpy(left.pubkey, e->pubkey, SIG_PUBKEY_LEN);
			if (!page_add(c, a, &used, SIG_LEFT, &left))
				break;
			continue;
		}
		i = sig_peerset_find(&c->members, SIG_BY_PUBKEY, e->pubkey);
		if (i == SIG_NONE) /* gone since: its LEFT is further on */
			continue;
		if (!page_add(c, a, &used, e->change, &member_at(c, i)->peer))
			break;
	}
	a->version = v;
	a->more = v < c->version;
	return true;
}
