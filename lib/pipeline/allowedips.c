/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>

#include "allowedips.h"

static unsigned table_seq;

static int add_route(struct pl_allowedips *t, const struct net_prefix *p, uint32_t id)
{
	uint32_t v4;

	if (id > PL_PEER_ID_MAX)
		return -EINVAL;
	if (p->addr.family == NET_AF_IP4) {
		if (p->len > 32)
			return -EINVAL;
		if (p->len == 0) {
			t->default4 = id;
			return 0;
		}
		memcpy(&v4, p->addr.b, 4);
		/* rte_lpm wants host order. */
		return rte_lpm_add(t->v4, rte_be_to_cpu_32(v4), p->len, id);
	}
	if (p->addr.family == NET_AF_IP6) {
		if (p->len > 128)
			return -EINVAL;
		if (p->len == 0) {
			t->default6 = id;
			return 0;
		}
		if (!t->v6)
			return -EINVAL;
		return rte_lpm6_add(t->v6, p->addr.b, p->len, id);
	}
	return -EINVAL;
}

static void delete_route(struct pl_allowedips *t, const struct net_prefix *p)
{
	uint32_t v4;

	if (p->len == 0)
		return; /* the defaults are reset by the caller */
	if (p->addr.family == NET_AF_IP4) {
		memcpy(&v4, p->addr.b, 4);
		rte_lpm_delete(t->v4, rte_be_to_cpu_32(v4), p->len);
	} else {
		rte_lpm6_delete(t->v6, p->addr.b, p->len);
	}
}

bool pl_routes_need_v6(const struct net_prefix *prefixes, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (prefixes[i].addr.family == NET_AF_IP6 && prefixes[i].len)
			return true;
	return false;
}

struct pl_allowedips *pl_allowedips_create(unsigned max_routes, bool v6, int socket_id)
{
	unsigned rules = max_routes ? max_routes : 1;
	/*
	 * Worst cases: an IPv4 route longer than /24 takes one tbl8 group; an
	 * IPv6 /128 takes one per byte past the first three (13).
	 */
	struct rte_lpm_config c4 = { .max_rules = rules, .number_tbl8s = rules + 16 };
	struct rte_lpm6_config c6 = { .max_rules = rules, .number_tbl8s = rules * 13 + 16 };
	struct pl_allowedips *t;
	char name[RTE_LPM_NAMESIZE];

	t = rte_zmalloc_socket("allowedips", sizeof(*t) + rules * sizeof(t->added[0]), 0,
			       socket_id);
	if (!t) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->default4 = PL_PEER_NONE;
	t->default6 = PL_PEER_NONE;
	t->max_routes = rules;
	t->generation = __atomic_add_fetch(&table_seq, 1, __ATOMIC_RELAXED);
	snprintf(name, sizeof(name), "aip4_%u", t->generation);
	t->v4 = rte_lpm_create(name, socket_id, &c4);
	if (t->v4 && v6) {
		snprintf(name, sizeof(name), "aip6_%u", t->generation);
		t->v6 = rte_lpm6_create(name, socket_id, &c6);
	}
	if (!t->v4 || (v6 && !t->v6)) {
		int err = rte_errno ? rte_errno : ENOMEM;

		pl_allowedips_free(t);
		rte_errno = err;
		return NULL;
	}
	return t;
}

int pl_allowedips_fill(struct pl_allowedips *t, const struct net_prefix *prefixes,
		       const uint32_t *peer_ids, unsigned n)
{
	unsigned i;
	int ret;

	if (n > t->max_routes - t->n_routes || (!t->v6 && pl_routes_need_v6(prefixes, n)))
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		ret = add_route(t, &prefixes[i], peer_ids[i]);
		if (ret < 0)
			return ret;
		t->added[t->n_routes++] = prefixes[i];
	}
	return 0;
}

struct pl_allowedips *pl_allowedips_build(const struct net_prefix *prefixes,
					  const uint32_t *peer_ids, unsigned n, unsigned max_routes,
					  int socket_id)
{
	struct pl_allowedips *t;
	int ret;

	t = pl_allowedips_create(max_routes, pl_routes_need_v6(prefixes, n), socket_id);
	if (!t)
		return NULL;
	ret = pl_allowedips_fill(t, prefixes, peer_ids, n);
	if (ret < 0) {
		pl_allowedips_free(t);
		rte_errno = -ret;
		return NULL;
	}
	return t;
}

void pl_allowedips_clear(struct pl_allowedips *t)
{
	unsigned i;

	/* A prefix given twice was added once (the second replaced the next
	 * hop): its second delete finds nothing, which is harmless. */
	for (i = 0; i < t->n_routes; i++)
		delete_route(t, &t->added[i]);
	t->n_routes = 0;
	t->default4 = PL_PEER_NONE;
	t->default6 = PL_PEER_NONE;
}

void pl_allowedips_free(struct pl_allowedips *t)
{
	if (!t)
		return;
	rte_lpm_free(t->v4);
	rte_lpm6_free(t->v6);
	rte_free(t);
}

uint32_t pl_allowedips_lookup4(const struct pl_allowedips *t, uint32_t addr_be)
{
	uint32_t id;

	if (rte_lpm_lookup(t->v4, rte_be_to_cpu_32(addr_be), &id) != 0)
		return t->default4;
	return id;
}

uint32_t pl_allowedips_lookup6(const struct pl_allowedips *t, const uint8_t addr[16])
{
	uint32_t id;

	if (!t->v6 || rte_lpm6_lookup(t->v6, addr, &id) != 0)
		return t->default6;
	return id;
}
