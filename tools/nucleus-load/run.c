/* SPDX-License-Identifier: MIT */
/*
 * The nucleus-load run: a registration phase at --register-rate, then
 * --seconds of heartbeats, each node every --heartbeat-ms with its phase
 * spread evenly, replies matched to nodes by seq (= node index).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "load.h"

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int load_parse(struct load_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "nucleus", 1, 0, 'n' },
		{ "write-config", 1, 0, 'w' },
		{ "secret-prefix", 1, 0, 'x' },
		{ "nodes", 1, 0, 'N' },
		{ "clusters", 1, 0, 'C' },
		{ "seconds", 1, 0, 's' },
		{ "heartbeat-ms", 1, 0, 'h' },
		{ "register-rate", 1, 0, 'r' },
		{ "sources", 1, 0, 'S' },
		{ "pid", 1, 0, 'p' },
		{ 0, 0, 0, 0 },
	};
	int c;

	*o = (struct load_opts){ .secret_prefix = "nucleus-load",
				 .nodes = 100000,
				 .clusters = 50,
				 .seconds = 60,
				 .heartbeat_ms = 30000,
				 .register_rate = 20000,
				 .sources = 512 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->nucleus = optarg;
			break;
		case 'w':
			o->write_config = optarg;
			break;
		case 'x':
			o->secret_prefix = optarg;
			break;
		case 'N':
			o->nodes = (unsigned)atoi(optarg);
			break;
		case 'C':
			o->clusters = (unsigned)atoi(optarg);
			break;
		case 's':
			o->seconds = (unsigned)atoi(optarg);
			break;
		case 'h':
			o->heartbeat_ms = (unsigned)atoi(optarg);
			break;
		case 'r':
			o->register_rate = (unsigned)atoi(optarg);
			break;
		case 'S':
			o->sources = (unsigned)atoi(optarg);
			break;
		case 'p':
			o->pid = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if ((o->write_config || o->nucleus) && o->nodes && o->clusters && o->sources &&
	    o->sources <= 60000 && o->heartbeat_ms && o->register_rate)
		return 0;
usage:
	fprintf(stderr,
		"usage: nucleus-load --write-config FILE [--clusters N] [--secret-prefix P]\n"
		"       nucleus-load --nucleus HOST:PORT [--pid PID] [--nodes N] [--clusters N]\n"
		"                    [--seconds S] [--heartbeat-ms MS] [--register-rate R]\n"
		"                    [--sources N] [--secret-prefix P]\n");
	return -1;
}

void load_socket_tune(int fd)
{
	int buf = 4 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
}

static void send_req(struct load *l, unsigned i, bool reg)
{
	struct load_node *n = &l->nodes[i];
	unsigned k = i % l->o.clusters;
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_msg m = { .type = reg ? SIG_REGISTER : SIG_HEARTBEAT, .enc = true, .seq = i };
	size_t len;

	if (reg) {
		memcpy(m.u.reg.pubkey, n->pubkey, SIG_PUBKEY_LEN);
		m.u.reg.flags = SIG_PEER_HAS_VIP4 | SIG_PEER_HAS_VIP6;
		m.u.reg.vip4[0] = 10, m.u.reg.vip4[1] = (uint8_t)(i >> 16);
		m.u.reg.vip4[2] = (uint8_t)(i >> 8), m.u.reg.vip4[3] = (uint8_t)i;
		m.u.reg.vip6[0] = 0xfd;
		memcpy(m.u.reg.vip6 + 12, &i, 4);
	} else {
		memcpy(m.u.hb.pubkey, n->pubkey, SIG_PUBKEY_LEN);
		m.u.hb.epoch = n->epoch;
		m.u.hb.version = n->version;
		m.u.hb.cursor = SIG_CURSOR_NONE;
	}
	sig_msg_stamp(&m, wall_ms());
	len = sig_encode(&l->keys[k], &m, buf, sizeof(buf));
	n->sent_us = mono_us();
	if (send(l->fds[i % l->o.sources], buf, len, 0) < 0)
		l->cur->send_errors++;
	l->cur->sent++;
}

static void on_reply(struct load *l, const uint8_t *p, size_t len, bool sustain)
{
	static struct sig_msg m;
	uint32_t i;
	struct load_node *n;
	uint64_t lat;

	if (len < SIG_DATAGRAM_MIN || sig_peek(p, len, &m) != SIG_OK || m.seq >= l->o.nodes)
		return;
	i = m.seq;
	n = &l->nodes[i];
	if (!n->sent_us || sig_decode(&l->keys[i % l->o.clusters], p, len, &m) != SIG_OK)
		return;
	lat = mono_us() - n->sent_us;
	n->sent_us = 0;
	l->cur->answered++;
	if (m.type == SIG_REGISTER_ACK) {
		if (!n->registered)
			l->registered++;
		n->registered = true;
		if (l->n_reg_lat < LOAD_SAMPLES_MAX / 2)
			l->reg_lat[l->n_reg_lat++] = (uint32_t)lat;
	} else if (m.u.ack.status == SIG_ACK_UNKNOWN) {
		n->registered = false;
		l->unknown++;
		l->registered--;
	} else if (sustain && l->n_lat < LOAD_SAMPLES_MAX / 2) {
		l->lat[l->n_lat++] = (uint32_t)lat;
	}
	n->epoch = m.u.ack.epoch;
	n->version = m.u.ack.version;
}

/* Reads the sockets with replies waiting (epoll: one system call, not a
 * poll of every socket each pass), each until it is empty. */
static void drain(struct load *l, int ep, int timeout_ms, bool sustain)
{
	struct epoll_event ev[256];
	uint8_t buf[SIG_DATAGRAM_MAX + 1];
	int n = epoll_wait(ep, ev, 256, timeout_ms);

	for (int e = 0; e < n; e++) {
		int fd = l->fds[ev[e].data.u32];

		for (int k = 0; k < 1024; k++) {
			ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (len <= 0)
				break;
			on_reply(l, buf, (size_t)len, sustain);
		}
	}
}

static uint64_t proc_cpu_ticks(int pid)
{
	unsigned long ut = 0, st = 0;
	char path[64], line[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
	fclose(f);
	return ut + st;
}

/* After a phase: replies still arriving (or queued in our sockets while
 * this process was behind) count, until LOAD_LATE_US pass with none. */
static void drain_late(struct load *l, int ep, bool sustain)
{
	uint64_t t = mono_us(), got;

	do {
		got = l->cur->answered;
		drain(l, ep, 10, sustain);
		if (l->cur->answered != got)
			t = mono_us();
	} while (mono_us() - t < LOAD_LATE_US);
}

/* Unanswered REGISTERs again, at most `budget` of them, looking at no more
 * than LOAD_SCAN_MAX nodes from *cursor on. */
static unsigned retry_registers(struct load *l, unsigned *cursor, uint64_t budget, uint64_t t)
{
	unsigned sent = 0;

	for (unsigned k = 0; k < LOAD_SCAN_MAX && sent < budget; k++) {
		struct load_node *n = &l->nodes[*cursor];

		if (!n->registered && t - n->sent_us > LOAD_RETRY_US) {
			send_req(l, *cursor, true);
			sent++;
		}
		*cursor = (*cursor + 1) % l->o.nodes;
	}
	return sent;
}

/* Registration: first REGISTERs and retries share --register-rate, so the
 * generator never sends faster than that (retries used to go out in one
 * burst of every unanswered node); until all are in, or 60 s pass. */
static void register_all(struct load *l, int ep)
{
	uint64_t start = mono_us(), t, allowed, done = 0;
	unsigned next = 0, cursor = 0;

	l->cur = &l->reg;
	load_drops_read(l->port, &l->reg.before);
	while (l->registered < l->o.nodes && (t = mono_us()) - start < 60000000) {
		allowed = (t - start) * l->o.register_rate / 1000000;
		for (; next < l->o.nodes && done < allowed; next++, done++)
			send_req(l, next, true);
		if (next == l->o.nodes && done < allowed)
			done += retry_registers(l, &cursor, allowed - done, t);
		drain(l, ep, 1, false);
	}
	l->reg_us = mono_us() - start;
	drain_late(l, ep, false);
	load_drops_read(l->port, &l->reg.after);
}

int load_run(struct load *l)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	uint64_t start, t, end, cpu0;
	unsigned next = 0;

	if (ep < 0)
		return 1;
	l->reg_lat = l->lat + LOAD_SAMPLES_MAX / 2;
	for (unsigned s = 0; s < l->o.sources; s++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = s };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, l->fds[s], &ev) != 0) {
			close(ep);
			return 1;
		}
	}
	register_all(l, ep);
	/* Sustained heartbeats, node i at phase i/N of the interval. */
	l->cur = &l->hb;
	start = mono_us();
	end = start + l->o.seconds * 1000000ull;
	for (unsigned i = 0; i < l->o.nodes; i++)
		l->nodes[i].next_us = start + (uint64_t)i * l->o.heartbeat_ms * 1000 / l->o.nodes;
	cpu0 = l->o.pid ? proc_cpu_ticks(l->o.pid) : 0;
	l->own_ticks = proc_cpu_ticks(getpid());
	load_drops_read(l->port, &l->hb.before);
	while ((t = mono_us()) < end) {
		for (unsigned k = 0; k < l->o.nodes; k++, next = (next + 1) % l->o.nodes) {
			struct load_node *n = &l->nodes[next];

			if (n->next_us > t)
				break;
			send_req(l, next, !n->registered);
			n->next_us += l->o.heartbeat_ms * 1000ull;
		}
		drain(l, ep, 1, true);
	}
	l->sustain_us = mono_us() - start;
	l->cpu_ticks = l->o.pid ? proc_cpu_ticks(l->o.pid) - cpu0 : 0;
	l->own_ticks = proc_cpu_ticks(getpid()) - l->own_ticks;
	drain_late(l, ep, true);
	load_drops_read(l->port, &l->hb.after);
	close(ep);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(uint32_t *v, size_t n, double p)
{
	return n ? v[(size_t)(p * (double)(n - 1))] / 1000.0 : 0;
}

static long rss_kb(int pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* sent, answered, lost and where: the nucleus's socket or ours dropped it
 * for want of buffer, send() failed, or else the nucleus did not answer
 * (refused: its stats and /metrics say why). */
static void report_phase(const char *name, const struct load_phase *p)
{
	uint64_t lost = p->sent > p->answered ? p->sent - p->answered : 0;
	uint64_t nuc = p->after.nucleus - p->before.nucleus, tool = p->after.tool - p->before.tool;
	uint64_t known = nuc + tool + p->send_errors;

	printf("%-13s %llu sent, %llu answered, %llu lost (%.3f%%): nucleus socket buffer %llu, "
	       "generator socket buffers %llu, send errors %llu, other %llu\n",
	       name, (unsigned long long)p->sent, (unsigned long long)p->answered,
	       (unsigned long long)lost, p->sent ? 100.0 * (double)lost / (double)p->sent : 0.0,
	       (unsigned long long)nuc, (unsigned long long)tool,
	       (unsigned long long)p->send_errors,
	       (unsigned long long)(lost > known ? lost - known : 0));
}

void load_report(const struct load *l)
{
	double secs = (double)l->sustain_us / 1e6;
	long hz = sysconf(_SC_CLK_TCK);

	qsort(l->lat, l->n_lat, sizeof(*l->lat), cmp_u32);
	qsort(l->reg_lat, l->n_reg_lat, sizeof(*l->reg_lat), cmp_u32);
	printf("nucleus-load: %u nodes in %u clusters from %u sources, heartbeat every %u ms\n",
	       l->o.nodes, l->o.clusters, l->o.sources, l->o.heartbeat_ms);
	printf("registered:   %u of %u in %.1f s (register reply p50 %.2f ms, p99 %.2f ms)\n",
	       l->registered, l->o.nodes, (double)l->reg_us / 1e6,
	       pct(l->reg_lat, l->n_reg_lat, 0.5), pct(l->reg_lat, l->n_reg_lat, 0.99));
	report_phase("registering", &l->reg);
	printf("sustained:    %.1f s, %.0f messages/s sent, %.0f replies/s\n", secs,
	       (double)l->hb.sent / secs, (double)l->hb.answered / secs);
	report_phase("heartbeats", &l->hb);
	printf("latency:      heartbeat reply p50 %.3f ms, p99 %.3f ms, max %.3f ms (%zu samples)\n",
	       pct(l->lat, l->n_lat, 0.5), pct(l->lat, l->n_lat, 0.99), pct(l->lat, l->n_lat, 1.0),
	       l->n_lat);
	if (l->unknown)
		printf("re-registered: %llu nodes the nucleus had forgotten\n",
		       (unsigned long long)l->unknown);
	if (l->o.pid)
		printf("nucleus:      pid %d, VmRSS %ld kB, CPU %.1f%% of one core while sustained\n",
		       l->o.pid, rss_kb(l->o.pid),
		       hz > 0 ? 100.0 * (double)l->cpu_ticks / (double)hz / secs : 0.0);
	/* Behind its schedule (fewer messages/s than nodes / heartbeat) and
	 * near a whole core: the generator, not the nucleus, set the pace. */
	printf("generator:    CPU %.1f%% of one core while sustained, %.0f of %.0f messages/s "
	       "scheduled\n",
	       hz > 0 ? 100.0 * (double)l->own_ticks / (double)hz / secs : 0.0,
	       (double)l->hb.sent / secs, 1000.0 * l->o.nodes / l->o.heartbeat_ms);
}
