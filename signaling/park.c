/* SPDX-License-Identifier: MIT */
/* Host packets parked for a nucleus query (park.h). */
#include <string.h>

#include "park.h"

void sig_park_init(struct sig_park *k)
{
	memset(k, 0, sizeof(*k));
}

/* Slots and unpopped actions together never exceed SIG_PARK_MAX (add
 * checks), so the action ring cannot overflow. */
static void push(struct sig_park *k, enum sig_park_verdict v, const struct sig_park_slot *s)
{
	struct sig_park_action *a = &k->act[(k->act_head + k->n_act++) % SIG_PARK_MAX];

	a->verdict = v;
	a->handle = s->handle;
	a->target = s->target;
}

/* Moves every slot that `hit` selects to the actions, keeping the order. */
static unsigned settle(struct sig_park *k, enum sig_park_verdict v,
		       bool (*hit)(const struct sig_park_slot *s, const void *arg), const void *arg)
{
	unsigned i, kept = 0, n = 0;

	for (i = 0; i < k->n_slot; i++) {
		if (hit(&k->slot[i], arg)) {
			push(k, v, &k->slot[i]);
			n++;
		} else {
			k->slot[kept++] = k->slot[i];
		}
	}
	k->n_slot = kept;
	return n;
}

bool sig_park_add(struct sig_park *k, void *handle, const struct net_addr *target, uint64_t now_ms)
{
	struct sig_park_slot *s;

	if (!net_addr_is_set(target) || k->n_slot + k->n_act >= SIG_PARK_MAX) {
		k->stats.full++;
		return false;
	}
	s = &k->slot[k->n_slot++];
	memset(s, 0, sizeof(*s));
	s->handle = handle;
	net_addr_set(&s->target, target->family, target->b);
	s->until_ms = now_ms + SIG_PARK_TTL_MS;
	k->stats.parked++;
	return true;
}

static bool for_target(const struct sig_park_slot *s, const void *target)
{
	return net_addr_equal(&s->target, target);
}

void sig_park_answer(struct sig_park *k, const struct net_addr *target, bool found)
{
	unsigned n = settle(k, found ? SIG_PARK_RELEASE : SIG_PARK_DROP, for_target, target);

	if (found)
		k->stats.released += n;
	else
		k->stats.not_found += n;
}

static bool past(const struct sig_park_slot *s, const void *now_ms)
{
	return *(const uint64_t *)now_ms > s->until_ms;
}

void sig_park_tick(struct sig_park *k, uint64_t now_ms)
{
	k->stats.expired += settle(k, SIG_PARK_DROP, past, &now_ms);
}

uint64_t sig_park_next_tick(const struct sig_park *k)
{
	/* Every packet waits as long, so the oldest is the first due. */
	return k->n_slot ? k->slot[0].until_ms + 1 : UINT64_MAX;
}

static bool any(const struct sig_park_slot *s, const void *arg)
{
	(void)s, (void)arg;
	return true;
}

void sig_park_flush(struct sig_park *k)
{
	k->stats.flushed += settle(k, SIG_PARK_DROP, any, NULL);
}

bool sig_park_pop(struct sig_park *k, struct sig_park_action *a)
{
	if (!k->n_act)
		return false;
	*a = k->act[k->act_head];
	k->act_head = (k->act_head + 1) % SIG_PARK_MAX;
	k->n_act--;
	return true;
}
