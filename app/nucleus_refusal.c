/* SPDX-License-Identifier: MIT */
/*
 * The refusals a nucleus can attribute, said in its log: a datagram that
 * was ours in shape (magic, version) but refused for a reason an operator
 * can act on (a cluster not served, another secret, clocks apart, a VIP
 * taken). Edges get no answer, by design (docs/signaling.md), so this
 * line is where the cause shows; the core adds what it knows of some (the
 * VIP, its holder) through its log hook. One line per source per minute
 * and 20 a minute in all (signaling/lograte.h); the rest counted. Not
 * ours (bad magic, truncated) is dropped silently and only counted.
 */
#include <stdio.h>

#include "nucleus.h"
#include "signaling/codec.h"

/* What each reason tells the operator; NULL: not logged. */
static const char *const why[SIG_DROP_COUNT] = {
	[SIG_DROP_BAD_VERSION] = "another version of the signaling protocol",
	[SIG_DROP_RATELIMIT] = "the source is over its rate",
	[SIG_DROP_UNKNOWN_CLUSTER] = "no cluster with that id here: the edge's cluster is not "
				     "served by this nucleus, or its secret differs",
	[SIG_DROP_WRONG_SECRET] = "the cluster name does not open with this nucleus's "
				  "secret: the edge has another secret",
	[SIG_DROP_BAD_MAC] = "the HMAC does not verify: damaged, or another key",
	[SIG_DROP_BAD_CIPHER] = "decryption failed: damaged, or another key",
	[SIG_DROP_STALE] = "its timestamp is over 60 s from this nucleus's clock: "
			   "set both clocks (NTP)",
	[SIG_DROP_NOT_MEMBER] = "a query or leave from a key that is not registered",
	[SIG_DROP_CLUSTER_FULL] = "the cluster has its maximum of members",
	[SIG_DROP_CLUSTER_LIMIT] = "this nucleus has made its maximum of clusters on demand",
	[SIG_DROP_VIP_TAKEN] = "a VIP that another live member holds",
	/* no_identity and bad_identity are counted, not logged: a member forging
	 * others' keys would spend its source's line on them and hide the
	 * refusals an operator acts on (vip_taken). */
	[SIG_DROP_NOT_ADMITTED] = "a key the cluster's members list does not name",
};

/* Which reason the core counted for the datagram it just dropped. */
static enum sig_drop counted(const struct sig_nucleus_stats *before,
			     const struct sig_nucleus_stats *after)
{
	for (unsigned d = 1; d < SIG_DROP_COUNT; d++)
		if (after->drops[d] != before->drops[d])
			return (enum sig_drop)d;
	return SIG_OK;
}

void omni_nucleus_refusal_detail(void *ctx, const char *line)
{
	struct omni_nucleus_log *l = ctx;

	snprintf(l->detail, sizeof(l->detail), "%s", line);
}

static void say(struct omni_nucleus_log *l, enum sig_drop d, const struct net_endpoint *from,
		const uint8_t *p, size_t len, uint64_t now_ms)
{
	char src[NET_ENDPOINT_TEXT_MAX], more[48] = "";
	uint64_t quiet;

	if (!sig_lograte_allow(&l->rate, &from->addr, now_ms, &quiet)) {
		__atomic_store_n(&l->suppressed, l->rate.suppressed, __ATOMIC_RELAXED);
		return;
	}
	net_endpoint_format(from, src);
	if (quiet)
		snprintf(more, sizeof(more), " (%llu more from it since)",
			 (unsigned long long)quiet);
	/* A refused datagram passed sig_peek: byte 5 is its type. */
	printf("nucleus: refused %s from %s: %s: %s%s%s%s\n", len > 5 ? sig_type_name(p[5]) : "?",
	       src, sig_drop_name(d), why[d], l->detail[0] ? ": " : "", l->detail, more);
	fflush(stdout);
}

void omni_nucleus_refusal(struct omni_nucleus_log *l, const struct sig_nucleus_stats *before,
			  const struct sig_nucleus_stats *after, const struct net_endpoint *from,
			  const uint8_t *p, size_t len, uint64_t now_ms)
{
	enum sig_drop d = counted(before, after);

	if (d != SIG_OK && why[d])
		say(l, d, from, p, len, now_ms);
	l->detail[0] = '\0'; /* it was this datagram's */
}
