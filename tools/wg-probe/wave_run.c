/* SPDX-License-Identifier: MIT */
/* wg-wave's phases (wave.h) and its report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "wave.h"

enum { EVENTS = 256, REPORT_WORST = 10 };

#define MS 1000000ULL
#define RETRY_NS ((uint64_t)WG_REKEY_TIMEOUT * WG_NSEC_PER_SEC)

/* Monotonic ns minus realtime ns now: the kernel stamps arrivals in
 * realtime. */
static int64_t mono_minus_real(void)
{
	struct timespec m, r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)m.tv_sec - (int64_t)r.tv_sec) * (int64_t)WG_NSEC_PER_SEC +
	       ((int64_t)m.tv_nsec - (int64_t)r.tv_nsec);
}

/* One datagram from fd and when it arrived (SO_TIMESTAMPNS), monotonic. */
static ssize_t recv_stamped(int fd, uint8_t *buf, size_t size, int64_t offset, uint64_t *at)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	ssize_t len = recvmsg(fd, &mh, 0);
	struct cmsghdr *cm;

	*at = wave_now_ns();
	for (cm = CMSG_FIRSTHDR(&mh); len > 0 && cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			*at = (uint64_t)((int64_t)ts.tv_sec * (int64_t)WG_NSEC_PER_SEC +
					 (int64_t)ts.tv_nsec + offset);
		}
	return len;
}

/* Every datagram waiting on the ready sockets, then at most wait_ms. Each
 * is handled as of when it arrived. */
static void receive(struct wave *w, int wait_ms)
{
	struct epoll_event ev[EVENTS];
	uint8_t buf[WAVE_BUF];
	int n = epoll_wait(w->epfd, ev, EVENTS, wait_ms);
	int64_t offset = mono_minus_real();
	uint64_t at;

	for (int i = 0; i < n; i++) {
		struct wave_peer *p = ev[i].data.ptr;
		ssize_t len;

		while ((len = recv_stamped(p->fd, buf, sizeof(buf), offset, &at)) > 0)
			wave_peer_rx(w, p, buf, (size_t)len, at);
	}
}

/* Echoes due by now: peer after peer, --rate a second each. */
static void send_due(struct wave *w, uint64_t now)
{
	const struct wave_opts *o = w->opt;
	uint64_t step = WG_NSEC_PER_SEC / ((uint64_t)o->rate * o->peers);

	if (!w->sending)
		return;
	while (w->t0_ns + w->next_slot * step <= now) {
		wave_send_echo(w, &w->peers[w->next_slot % o->peers], now);
		w->next_slot++;
	}
}

/* A handshake in flight for REKEY_TIMEOUT and a jitter goes again (with
 * mac2 once a cookie came), as a real peer's retransmission does. The
 * echoes due meanwhile go out between: a real peer's stream does not
 * pause while another makes its initiation. */
static void retry_due(struct wave *w, uint64_t now)
{
	for (unsigned i = 0; i < w->opt->peers; i++) {
		struct wave_peer *p = &w->peers[i];

		if (p->hs_sent_ns && now - p->hs_sent_ns >= RETRY_NS + p->retry_jitter_ns) {
			wave_send_initiation(w, p, now);
			now = wave_now_ns();
			send_due(w, now);
		}
	}
}

/* Runs the loop until now reaches end, or done() says so. */
static void run_until(struct wave *w, uint64_t end, bool (*done)(const struct wave *))
{
	uint64_t now;

	while (!*w->stop && (now = wave_now_ns()) < end && !(done && done(w))) {
		send_due(w, now);
		retry_due(w, now);
		receive(w, 1);
	}
}

static bool all_up(const struct wave *w)
{
	for (unsigned i = 0; i < w->opt->peers; i++)
		if (!w->peers[i].kps.current)
			return false;
	return true;
}

static bool all_answered(const struct wave *w)
{
	for (unsigned i = 0; i < w->opt->peers; i++)
		if (!w->peers[i].t.answered)
			return false;
	return true;
}

/* Sessions first, --up-rate a second, so the gateway is not under load. */
static int come_up(struct wave *w)
{
	uint64_t start = wave_now_ns(), step = WG_NSEC_PER_SEC / w->opt->up_rate;

	for (unsigned i = 0; i < w->opt->peers && !*w->stop; i++) {
		run_until(w, start + i * step, NULL);
		if (wave_send_initiation(w, &w->peers[i], wave_now_ns()))
			return -1;
	}
	run_until(w, wave_now_ns() + 3 * RETRY_NS, all_up);
	if (all_up(w)) {
		printf("up: %u sessions in %.2f s\n", w->opt->peers,
		       (double)(wave_now_ns() - start) / 1e9);
		return 0;
	}
	fprintf(stderr, "wg-wave: not every peer got a session\n");
	return -1;
}

/* Every initiation made first (echoes and replies go on between), then
 * all sent in one go: the wave reaches the gateway within a millisecond
 * or two, not at the pace this process makes them. */
static void wave(struct wave *w)
{
	uint64_t now = wave_now_ns();

	for (unsigned i = 0; i < w->opt->peers; i++) {
		wave_make_initiation(w, &w->peers[i], now);
		now = wave_now_ns();
		send_due(w, now);
		receive(w, 0);
	}
	w->cpu.ok = wave_cpu_sample(w, &w->cpu.gw0, &w->cpu.self0);
	now = w->wave_ns = wave_now_ns();
	for (unsigned i = 0; i < w->opt->peers; i++) {
		w->peers[i].seq_wave = w->peers[i].sent;
		wave_send_made(w, &w->peers[i], now);
	}
	printf("wave: %u initiations sent in %.1f ms\n", w->opt->peers,
	       (double)(wave_now_ns() - w->wave_ns) / 1e6);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* How much of the first tries' time the gateway's lcore and this process
 * had a CPU: on a shared machine the wall-clock rate is the lesser of the
 * two sides' shares, the rate per lcore CPU second the gateway's own. */
static void report_cpu(const struct wave *w, unsigned first, uint64_t span_ns)
{
	uint64_t gw = w->cpu.gw_last - w->cpu.gw0, self = w->cpu.self_last - w->cpu.self0;

	if (!w->cpu.ok || !w->cpu.gw_last || !gw)
		return;
	printf("wave: in those %.1f ms the gateway's lcore ran %.1f ms (%.0f%%), wg-wave %.1f ms: "
	       "%.0f handshakes per second of lcore CPU\n",
	       (double)span_ns / 1e6, (double)gw / 1e6, 100.0 * (double)gw / (double)span_ns,
	       (double)self / 1e6, (double)first * 1e9 / (double)gw);
}

/* Handshakes of the wave: how many completed and when (first try only for
 * the rate: a retry waits REKEY_TIMEOUT by design). */
static void report_wave(const struct wave *w)
{
	unsigned n = w->opt->peers, done = 0, answered = 0, first = 0;
	uint64_t *t = calloc(n, sizeof(*t)), last_answer = 0;

	if (!t)
		return;
	for (unsigned i = 0; i < n; i++) {
		const struct wave_peer *p = &w->peers[i];

		if (p->t.handshake)
			t[done++] = p->t.handshake;
		if (p->t.answered) {
			answered++;
			if (p->t.answered > last_answer)
				last_answer = p->t.answered;
		}
	}
	qsort(t, done, sizeof(*t), cmp_u64);
	printf("wave: %u/%u handshakes completed, %lu cookie replies, %lu retries\n", done, n,
	       (unsigned long)w->st.cookies, (unsigned long)w->st.retries);
	while (first < done && t[first] < RETRY_NS)
		first++;
	if (done)
		printf("wave: handshake completed after %.1f ms (first), %.1f ms (median), %.1f ms "
		       "(last)\n",
		       (double)t[0] / 1e6, (double)t[done / 2] / 1e6, (double)t[done - 1] / 1e6);
	if (first)
		printf("wave: %u handshakes at the first try, within %.1f ms: %.0f handshakes/s\n",
		       first, (double)t[first - 1] / 1e6,
		       (double)first * 1e9 / (double)t[first - 1]);
	if (first)
		report_cpu(w, first, t[first - 1]);
	printf("wave: %u/%u peers answered on their new keys, the last after %.1f ms\n", answered,
	       n, (double)last_answer / 1e6);
	free(t);
}

static bool answered(const struct wave_peer *p, uint32_t seq)
{
	return p->seen[seq / 8] & (1u << (seq & 7));
}

/* Where the losses fell: before the wave, during it (until every peer was
 * answered on its new keys), after it. Loss before the wave is the
 * machine's (CPU taken by others), not the rekey's. */
static void report_phases(const struct wave *w)
{
	uint64_t lost[3] = { 0 }, sent[3] = { 0 };

	for (unsigned i = 0; i < w->opt->peers; i++) {
		const struct wave_peer *p = &w->peers[i];

		for (uint32_t s = 0; s < p->sent; s++) {
			unsigned k = s < p->seq_wave ? 0 : s < p->seq_after ? 1 : 2;

			sent[k]++;
			lost[k] += !answered(p, s);
		}
	}
	printf("traffic: lost before the wave %lu of %lu, during %lu of %lu, after %lu of %lu\n",
	       (unsigned long)lost[0], (unsigned long)sent[0], (unsigned long)lost[1],
	       (unsigned long)sent[1], (unsigned long)lost[2], (unsigned long)sent[2]);
}

/* Echoes lost per peer; true when none was lost anywhere. */
static bool report_loss(const struct wave *w)
{
	uint64_t sent = 0, replies = 0, unsent = 0, dups = 0;
	unsigned lossy = 0, shown = 0;

	report_phases(w);
	for (unsigned i = 0; i < w->opt->peers; i++) {
		const struct wave_peer *p = &w->peers[i];

		sent += p->sent;
		replies += p->replies;
		unsent += p->unsent;
		dups += p->dups;
		if (p->replies == p->sent)
			continue;
		lossy++;
		if (shown++ < REPORT_WORST) {
			printf("loss: peer %u lost %u of %u echoes:", p->id, p->sent - p->replies,
			       p->sent);
			for (unsigned s = 0, k = 0; s < p->sent && k < 8; s++)
				if (!answered(p, s))
					printf(" %u%s", s, ++k == 8 ? " ..." : "");
			putchar('\n');
		}
	}
	printf("traffic: %lu echoes sent, %lu answered, %lu lost, %u of %u peers lost any; "
	       "%lu not sent (no keys or socket), %lu duplicates, %lu bad data\n",
	       (unsigned long)sent, (unsigned long)replies, (unsigned long)(sent - replies), lossy,
	       w->opt->peers, (unsigned long)unsent, (unsigned long)dups,
	       (unsigned long)w->st.bad_data);
	return lossy == 0 && unsent == 0;
}

int wave_run(struct wave *w)
{
	const struct wave_opts *o = w->opt;
	bool ok;

	if (come_up(w))
		return 1;
	w->t0_ns = wave_now_ns();
	w->sending = true;
	run_until(w, w->t0_ns + o->before_s * WG_NSEC_PER_SEC, NULL);
	wave(w);
	run_until(w, w->wave_ns + o->after_s * WG_NSEC_PER_SEC, all_answered);
	for (unsigned i = 0; i < o->peers; i++)
		w->peers[i].seq_after = w->peers[i].sent;
	/* Some more echoes on the new keys, then the last replies. */
	run_until(w, wave_now_ns() + WG_NSEC_PER_SEC, NULL);
	w->sending = false;
	run_until(w, wave_now_ns() + WG_NSEC_PER_SEC, NULL);
	report_wave(w);
	ok = report_loss(w);
	if (*w->stop) {
		fprintf(stderr, "wg-wave: interrupted\n");
		return 1;
	}
	if (!all_answered(w))
		fprintf(stderr, "wg-wave: not every peer was answered on its new keys\n");
	return ok && all_answered(w) ? 0 : 1;
}
