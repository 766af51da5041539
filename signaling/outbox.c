/* SPDX-License-Identifier: MIT */
/* Datagrams waiting for their next hop (outbox.h). */
#include <string.h>

#include "outbox.h"

void sig_outbox_init(struct sig_outbox *o)
{
	memset(o, 0, sizeof(*o));
}

bool sig_outbox_put(struct sig_outbox *o, const struct net_endpoint *to, const void *p, size_t len,
		    uint64_t now_ms)
{
	struct sig_outbox_item *it;

	if (o->n == SIG_OUTBOX_MAX || len > sizeof(it->buf)) {
		o->stats.full++;
		return false;
	}
	it = &o->item[o->n++];
	it->to = *to;
	it->until_ms = now_ms + SIG_OUTBOX_TTL_MS;
	it->len = len;
	memcpy(it->buf, p, len);
	o->stats.kept++;
	return true;
}

unsigned sig_outbox_take(struct sig_outbox *o, struct sig_outbox_item out[SIG_OUTBOX_MAX])
{
	unsigned n = o->n;

	memcpy(out, o->item, n * sizeof(out[0]));
	o->n = 0;
	return n;
}

bool sig_outbox_put_back(struct sig_outbox *o, const struct sig_outbox_item *it, uint64_t now_ms)
{
	if (now_ms > it->until_ms) {
		o->stats.expired++;
		return false;
	}
	/* Taken items come back in their order, so the oldest stays first. */
	if (o->n == SIG_OUTBOX_MAX) {
		o->stats.full++;
		return false;
	}
	o->item[o->n++] = *it;
	return true;
}

uint64_t sig_outbox_next_tick(const struct sig_outbox *o)
{
	return o->n ? 0 : UINT64_MAX;
}
