/* SPDX-License-Identifier: MIT */
/*
 * The nucleus client and STUN on the control loop (edge_signal.h): the
 * glue between control and the signaling/ state machines. This file holds
 * the clock, sending (with the outbox), the datagrams control hands over
 * (signaling and STUN) and the loop; edge_signal_peers.c what the
 * nucleus's answers do to peers and parked packets. Runs on the main lcore
 * only, like everything that changes peers.
 */
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>

#include "signaling/codec.h"

#include "edge.h"
#include "edge_signal.h"
#include "edge_signal_int.h"

/* The wall clock's offset is taken again this often: the loop's clock (the
 * TSC) and the wall clock (NTP-slewed) part by far less than the nucleus's
 * SIG_TIME_WINDOW_MS in a minute, and a stepped wall clock shows on the
 * wire within one. */
enum { WALL_EVERY_MS = 60000 };

/* ---- the clock ---- */

static void wall_anchor(struct omni_signal *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	s->wall_offset_ms = (int64_t)((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) -
			    (int64_t)s->now_ms;
	s->wall_next_ms = s->now_ms + WALL_EVERY_MS;
}

void omni_signal_clock(struct omni_signal *s, uint64_t now_ns)
{
	s->now_ns = now_ns;
	s->now_ms = now_ns / s->clock_scale / 1000000;
	if (s->now_ms >= s->wall_next_ms)
		wall_anchor(s);
}

uint64_t omni_signal_wire_ms(const struct omni_signal *s)
{
	return (uint64_t)((int64_t)s->now_ms + s->wall_offset_ms);
}

/* ---- sending ---- */

static bool send_now(struct omni_edge *e, const struct net_endpoint *to, const void *p, size_t len)
{
	return pl_control_send_udp_addr(&e->ctl, &to->addr, to->port, p, (uint32_t)len,
					e->sig->now_ns);
}

void omni_signal_send(struct omni_edge *e, const struct net_endpoint *to, const void *p, size_t len)
{
	if (!send_now(e, to, p, len))
		sig_outbox_put(&e->sig->outbox, to, p, len, e->sig->now_ms);
}

static unsigned flush_outbox(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;
	struct sig_outbox_item it[SIG_OUTBOX_MAX];
	unsigned i, n = sig_outbox_take(&s->outbox, it), gone = 0;

	for (i = 0; i < n; i++)
		if (send_now(e, &it[i].to, it[i].buf, it[i].len) ||
		    !sig_outbox_put_back(&s->outbox, &it[i], s->now_ms))
			gone++;
	return gone;
}

/* ---- the client's datagrams and events ---- */

unsigned omni_signal_drain(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_event ev;
	unsigned n = 0;
	size_t len;

	while ((len = sig_client_pop_datagram(s->client, buf, sizeof(buf))) > 0) {
		omni_signal_send(e, &s->nucleus, buf, len);
		n++;
	}
	while (sig_client_pop_event(s->client, &ev)) {
		omni_signal_on_event(e, &ev);
		n++;
	}
	return n;
}

/* ---- STUN ---- */

static void stun_send(struct omni_edge *e)
{
	uint8_t req[SIG_STUN_REQUEST_MAX];
	struct net_endpoint to;
	size_t len;

	while ((len = sig_stun_client_pop(&e->sig->stun, &to, req, sizeof(req))) > 0)
		omni_signal_send(e, &to, req, len);
}

static void stun_rx(struct omni_edge *e, const uint8_t *p, size_t len,
		    const struct net_endpoint *from)
{
	struct omni_signal *s = e->sig;
	char a[NET_ENDPOINT_TEXT_MAX], b[NET_ENDPOINT_TEXT_MAX];
	enum sig_stun_rx r = sig_stun_client_input(&s->stun, p, len, from, s->now_ms);
	const struct net_endpoint *mapped = sig_stun_client_reflexive(&s->stun);

	if (r == SIG_STUN_RX_NOT_OURS)
		s->stats.dropped_other++;
	if (r != SIG_STUN_RX_CHANGED)
		return;
	sig_client_set_reflexive(s->client, mapped, omni_signal_wire_ms(s));
	net_endpoint_format(mapped, a);
	net_endpoint_format(from, b);
	printf("omninervous: stun: reflexive address %s (from %s)\n", a, b);
	fflush(stdout);
}

/* ---- control hooks ---- */

void omni_signal_udp_hook(void *ctx, struct rte_mbuf *m, const struct net_udp_view *v, uint64_t now)
{
	struct omni_edge *e = ctx;
	struct omni_signal *s = e->sig;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *) + v->payload_off;
	struct net_endpoint from = { .port = v->src_port };

	omni_signal_clock(s, now);
	net_addr_set(&from.addr, v->src.family, v->src.b);
	if (net_endpoint_equal(&from, &s->nucleus) && sig_is_signaling(p, v->payload_len)) {
		sig_client_input(s->client, p, v->payload_len, omni_signal_wire_ms(s));
		omni_signal_drain(e);
	} else if (sig_stun_is_stun(p, v->payload_len)) {
		stun_rx(e, p, v->payload_len, &from);
	} else {
		s->stats.dropped_other++; /* not ours to answer: dropped */
	}
	rte_pktmbuf_free(m);
}

/* ---- the loop ---- */

unsigned omni_edge_signal_poll(struct omni_edge *e, uint64_t now_ns)
{
	struct omni_signal *s = e->sig;
	unsigned n;

	if (!s || !s->client)
		return 0;
	omni_signal_clock(s, now_ns);
	n = flush_outbox(e) + omni_signal_punch_due(e);
	if (omni_signal_wire_ms(s) >= sig_client_next_tick(s->client))
		sig_client_tick(s->client, omni_signal_wire_ms(s));
	if (s->now_ms >= sig_stun_client_next_tick(&s->stun)) {
		sig_stun_client_tick(&s->stun, s->now_ms);
		stun_send(e);
	}
	sig_park_tick(&s->park, s->now_ms);
	omni_signal_park_act(e, NULL);
	return n + omni_signal_drain(e);
}

void omni_edge_signal_leave(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;

	if (!s || !s->client)
		return;
	sig_client_leave(s->client, omni_signal_wire_ms(s));
	omni_signal_drain(e);
}
