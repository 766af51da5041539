/* SPDX-License-Identifier: MIT */
/*
 * The edge's nucleus glue as operators see it (edge_signal.h): "stats:
 * sig_..." lines, the /metrics families, the state for /health and the
 * console. Counters come from signaling/edge.h's state machine.
 */
#include <inttypes.h>

#include "httpd/text.h"

#include "edge.h"
#include "edge_signal.h"
#include "edge_signal_int.h"

static uint64_t rx_total(const struct sig_client_stats *cs)
{
	uint64_t rx = 0;

	for (unsigned k = 0; k < SIG_TYPE_COUNT; k++)
		rx += cs->rx[k];
	return rx;
}

/* STUN answers that were not good answers to our latest request. */
static uint64_t stun_bad(const struct sig_stun_client *st)
{
	uint64_t bad = 0;

	for (unsigned r = 0; r < SIG_STUN_RESULT_COUNT; r++)
		if (r != SIG_STUN_OK)
			bad += st->stats.results[r];
	return bad;
}

/* The TURN client's counters (signaling/turn.h): "stats: relay_NAME N". */
static void relay_stats(const struct omni_relay *r, FILE *out)
{
	const uint64_t *v = (const uint64_t *)&r->turn.stats;

	for (unsigned i = 0; i < SIG_TURN_COUNTER_COUNT; i++)
		fprintf(out, "stats: relay_%s %" PRIu64 "\n", sig_turn_counter_names[i], v[i]);
}

static void relay_metrics(const struct omni_relay *r, struct httpd_text *t)
{
	const uint64_t *v = (const uint64_t *)&r->turn.stats;

	httpd_text_printf(t, "# HELP omni_relay_events_total The TURN client's requests, "
			     "answers and failures, by kind.\n"
			     "# TYPE omni_relay_events_total counter\n");
	for (unsigned i = 0; i < SIG_TURN_COUNTER_COUNT; i++)
		httpd_text_printf(t, "omni_relay_events_total{event=\"%s\"} %llu\n",
				  sig_turn_counter_names[i], (unsigned long long)v[i]);
	httpd_text_printf(t,
			  "# HELP omni_relay_allocated Whether the edge holds a TURN "
			  "allocation.\n# TYPE omni_relay_allocated gauge\n"
			  "omni_relay_allocated %d\n",
			  r->turn.state == SIG_TURN_READY);
}

void omni_edge_signal_print_stats(const struct omni_edge *e, FILE *out)
{
	const struct sig_edge *ed = e->sig ? &e->sig->ed : NULL;

	if (!ed || !ed->client)
		return;
	fprintf(out, "stats: sig_rx %" PRIu64 "\n", rx_total(sig_client_stats(ed->client)));
	fprintf(out, "stats: sig_registered %d\n", sig_client_registered(ed->client));
	fprintf(out, "stats: sig_peers %u\n", sig_client_n_peers(ed->client));
	fprintf(out, "stats: sig_joined %" PRIu64 "\nstats: sig_left %" PRIu64 "\n",
		ed->stats.joined, ed->stats.left);
	fprintf(out, "stats: sig_left_held %" PRIu64 "\n", ed->stats.left_held);
	fprintf(out, "stats: sig_moved %" PRIu64 "\nstats: sig_found %" PRIu64 "\n",
		ed->stats.moved, ed->stats.found);
	fprintf(out, "stats: sig_not_found %" PRIu64 "\nstats: sig_punches %" PRIu64 "\n",
		ed->stats.not_found, ed->punch.stats.punches);
	fprintf(out, "stats: sig_queries %" PRIu64 "\nstats: sig_waiting_dropped %" PRIu64 "\n",
		ed->stats.queries, ed->stats.waiting_dropped);
	fprintf(out,
		"stats: sig_punch_asks %" PRIu64 "\nstats: sig_punch_led %" PRIu64
		"\nstats: sig_punch_opened %" PRIu64 "\n",
		ed->stats.punch_asks, ed->punch.stats.led, ed->punch.stats.opened);
	fprintf(out, "stats: stun_ok %" PRIu64 "\nstats: stun_bad %" PRIu64 "\n",
		ed->stun.stats.results[SIG_STUN_OK], stun_bad(&ed->stun));
	fprintf(out, "stats: sig_dropped_other %" PRIu64 "\n", ed->stats.dropped_other);
	relay_stats(&e->sig->relay, out);
	for (unsigned r = 1; r < SIG_ADMIT_COUNT; r++)
		fprintf(out, "stats: sig_refused_%s %" PRIu64 "\n", sig_admit_name(r),
			ed->stats.refused[r]);
}

/* Cluster events and candidates refused by signaling/admit.h's rules. */
static void refused_metrics(const struct sig_edge *ed, struct httpd_text *t)
{
	httpd_text_printf(t, "# HELP omni_cluster_refused_total Cluster members' routes and "
			     "candidates refused, by rule.\n"
			     "# TYPE omni_cluster_refused_total counter\n");
	for (unsigned r = 1; r < SIG_ADMIT_COUNT; r++)
		httpd_text_printf(t, "omni_cluster_refused_total{reason=\"%s\"} %llu\n",
				  sig_admit_name(r), (unsigned long long)ed->stats.refused[r]);
}

static void client_metrics(const struct sig_client *c, struct httpd_text *t)
{
	const struct sig_client_stats *cs = sig_client_stats(c);
	unsigned k;

	httpd_text_printf(t, "# HELP omni_signaling_messages_total Signaling messages by type "
			     "and direction.\n# TYPE omni_signaling_messages_total counter\n");
	for (k = 1; k < SIG_TYPE_COUNT; k++)
		if (sig_type_name_known(k))
			httpd_text_printf(
				t,
				"omni_signaling_messages_total{type=\"%s\",dir=\"rx\"} %llu\n"
				"omni_signaling_messages_total{type=\"%s\",dir=\"tx\"} %llu\n",
				sig_type_name(k), (unsigned long long)cs->rx[k], sig_type_name(k),
				(unsigned long long)cs->tx[k]);
	httpd_text_printf(t, "# HELP omni_signaling_drops_total Signaling messages dropped, by "
			     "reason.\n# TYPE omni_signaling_drops_total counter\n");
	for (k = 1; k < SIG_DROP_COUNT; k++)
		httpd_text_printf(t, "omni_signaling_drops_total{reason=\"%s\"} %llu\n",
				  sig_drop_name((enum sig_drop)k),
				  (unsigned long long)cs->drops[k]);
	httpd_text_printf(t,
			  "# HELP omni_cluster_peers Cluster members the nucleus told us about.\n"
			  "# TYPE omni_cluster_peers gauge\nomni_cluster_peers %u\n",
			  sig_client_n_peers(c));
}

void omni_edge_signal_metrics(const struct omni_edge *e, struct httpd_text *t)
{
	const struct sig_edge *ed = e->sig ? &e->sig->ed : NULL;

	if (!ed || !ed->client)
		return;
	client_metrics(ed->client, t);
	httpd_text_printf(t,
			  "# HELP omni_cluster_events_total Members joined, left, moved.\n"
			  "# TYPE omni_cluster_events_total counter\n"
			  "omni_cluster_events_total{event=\"joined\"} %llu\n"
			  "omni_cluster_events_total{event=\"left\"} %llu\n"
			  "omni_cluster_events_total{event=\"moved\"} %llu\n"
			  "omni_cluster_events_total{event=\"punch\"} %llu\n",
			  (unsigned long long)ed->stats.joined, (unsigned long long)ed->stats.left,
			  (unsigned long long)ed->stats.moved,
			  (unsigned long long)ed->punch.stats.punches);
	httpd_text_printf(t,
			  "# HELP omni_stun_responses_total STUN answers, good and bad.\n"
			  "# TYPE omni_stun_responses_total counter\n"
			  "omni_stun_responses_total{result=\"ok\"} %llu\n"
			  "omni_stun_responses_total{result=\"bad\"} %llu\n",
			  (unsigned long long)ed->stun.stats.results[SIG_STUN_OK],
			  (unsigned long long)stun_bad(&ed->stun));
	refused_metrics(ed, t);
	relay_metrics(&e->sig->relay, t);
}

const char *omni_edge_signal_state(const struct omni_edge *e)
{
	if (!e->cfg.network.nucleus)
		return "not configured";
	if (!e->sig || !e->sig->ed.client)
		return "not started";
	return sig_client_registered(e->sig->ed.client) ? "registered" : "registering";
}
