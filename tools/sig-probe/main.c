/* SPDX-License-Identifier: MIT */
/*
 * sig-probe: one edge's signaling client (signaling/client.c) over a plain
 * UDP socket, printing every event as a line. tests/e2e/nucleus.sh drives
 * the real nucleus with it.
 *
 *   sig-probe --nucleus HOST:PORT --cluster NAME --secret S --vip 10.200.0.1
 *             [--vip6 fd00::1] [--local ADDR:PORT]... [--query VIP]...
 *             [--query-after MS] [--heartbeat-ms MS] [--seconds N] [--plain]
 *             [--pubkey BASE64] [--leave-after MS] [--private-key BASE64]
 *             [--nucleus-key BASE64] [--legacy]
 *
 * Output lines: "self KEY", "registered OBSERVED", "joined KEY VIP VIP6 CANDS",
 * "moved ...", "left KEY", "found TARGET KEY ...", "not_found TARGET [timeout]",
 * "punch KEY ...", "lost", "left-sent". KEY is the public key in hex
 * (random unless --pubkey names one: the probe does no WireGuard, so it can
 * claim any key, as a rogue member could, though without that key's private
 * half the nucleus refuses it: tests/e2e/rogue.sh). --private-key gives the
 * probe a key pair of its own (the same member after a restart);
 * --nucleus-key pins the nucleus's key; --legacy sends no identity proof, as
 * an edge older than identity-bound membership. --forge-as KEY: once
 * registered, the probe speaks for member KEY as a rogue member can (it has
 * the secret, not KEY's private key): a HEARTBEAT and a LEAVE naming KEY
 * from its own socket, each without the identity trailer and then with one
 * under a key of its own, and prints "forged". With
 * --leave-after, a LEAVE goes out that long after registering, and the
 * probe exits. Exits after --seconds (default 30) or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "signaling/client.h"
#include "signaling/codec.h"
#include "udp.h"
#include "wg/key.h"

enum { QUERIES_MAX = 8 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void print_peer(const struct sig_peer *p)
{
	char hex[2 * SIG_PUBKEY_LEN + 1], a[NET_ENDPOINT_TEXT_MAX];
	struct net_addr vip;

	sodium_bin2hex(hex, sizeof(hex), p->pubkey, SIG_PUBKEY_LEN);
	printf(" %s", hex);
	if (p->flags & SIG_PEER_HAS_VIP4) {
		net_addr_set(&vip, NET_AF_IP4, p->vip4);
		net_addr_format(&vip, a);
		printf(" vip=%s", a);
	}
	if (p->flags & SIG_PEER_HAS_VIP6) {
		net_addr_set(&vip, NET_AF_IP6, p->vip6);
		net_addr_format(&vip, a);
		printf(" vip6=%s", a);
	}
	for (unsigned i = 0; i < p->n_cand; i++) {
		net_endpoint_format(&p->cand[i].ep, a);
		printf(" cand%u=%s", p->cand[i].kind, a);
	}
}

static void print_event(const struct sig_event *ev)
{
	static const char *const names[] = {
		[SIG_EV_REGISTERED] = "registered",
		[SIG_EV_LOST] = "lost",
		[SIG_EV_JOINED] = "joined",
		[SIG_EV_MOVED] = "moved",
		[SIG_EV_LEFT] = "left",
		[SIG_EV_FOUND] = "found",
		[SIG_EV_NOT_FOUND] = "not_found",
		[SIG_EV_PUNCH] = "punch",
	};
	char a[NET_ENDPOINT_TEXT_MAX], hex[2 * SIG_PUBKEY_LEN + 1];

	printf("%s", names[ev->type]);
	switch (ev->type) {
	case SIG_EV_REGISTERED:
		net_endpoint_format(&ev->observed, a);
		printf(" %s", a);
		break;
	case SIG_EV_LEFT:
		sodium_bin2hex(hex, sizeof(hex), ev->peer.pubkey, SIG_PUBKEY_LEN);
		printf(" %s", hex);
		break;
	case SIG_EV_FOUND:
	case SIG_EV_NOT_FOUND:
		net_addr_format(&ev->target, a);
		printf(" %s", a);
		if (ev->type == SIG_EV_FOUND)
			print_peer(&ev->peer);
		if (ev->timeout)
			printf(" timeout");
		break;
	case SIG_EV_LOST:
		break;
	default:
		print_peer(&ev->peer);
	}
	printf("\n");
	fflush(stdout);
}

struct probe {
	struct sig_client_conf conf;
	const char *nucleus;
	struct net_addr queries[QUERIES_MAX];
	unsigned n_queries;
	unsigned query_after_ms, seconds;
	unsigned leave_after_ms; /* 0: never */
	bool have_key, have_priv, legacy, pinned, forge;
	uint8_t forge_key[32];
	uint8_t priv[32], nucleus_key[32];
};

static int usage(void)
{
	fprintf(stderr, "usage: sig-probe --nucleus HOST:PORT --cluster NAME --secret S "
			"--vip ADDR [--vip6 ADDR] [--local ADDR:PORT]... [--query VIP]... "
			"[--query-after MS] [--heartbeat-ms MS] [--seconds N] [--plain] "
			"[--pubkey BASE64] [--leave-after MS] [--private-key BASE64] "
			"[--nucleus-key BASE64] [--legacy]\n");
	return 2;
}

static int parse_args(struct probe *p, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nucleus", 1, 0, 'n' },      { "cluster", 1, 0, 'c' },
		{ "secret", 1, 0, 's' },       { "vip", 1, 0, '4' },
		{ "vip6", 1, 0, '6' },         { "local", 1, 0, 'l' },
		{ "query", 1, 0, 'q' },        { "query-after", 1, 0, 'a' },
		{ "heartbeat-ms", 1, 0, 'h' }, { "seconds", 1, 0, 't' },
		{ "plain", 0, 0, 'p' },        { "pubkey", 1, 0, 'k' },
		{ "leave-after", 1, 0, 'L' },  { "private-key", 1, 0, 'P' },
		{ "nucleus-key", 1, 0, 'N' },  { "legacy", 0, 0, 'G' },
		{ "forge-as", 1, 0, 'F' },     { 0, 0, 0, 0 },
	};
	struct net_addr a;
	int o;

	p->conf.encrypt = true;
	p->seconds = 30;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			p->nucleus = optarg;
			break;
		case 'c':
			p->conf.cluster = optarg;
			break;
		case 's':
			p->conf.secret = optarg;
			break;
		case '4':
		case '6':
			if (net_addr_parse(optarg, &a) < 0)
				return usage();
			if (a.family == NET_AF_IP4) {
				memcpy(p->conf.vip4, a.b, 4);
				p->conf.vip_flags |= SIG_PEER_HAS_VIP4;
			} else {
				memcpy(p->conf.vip6, a.b, 16);
				p->conf.vip_flags |= SIG_PEER_HAS_VIP6;
			}
			break;
		case 'l':
			if (p->conf.n_local >= 2 ||
			    net_endpoint_parse(optarg, 0, &p->conf.local[p->conf.n_local]) < 0)
				return usage();
			p->conf.n_local++;
			break;
		case 'q':
			if (p->n_queries >= QUERIES_MAX ||
			    net_addr_parse(optarg, &p->queries[p->n_queries]) < 0)
				return usage();
			p->n_queries++;
			break;
		case 'a':
			p->query_after_ms = (unsigned)atoi(optarg);
			break;
		case 'h':
			p->conf.heartbeat_ms = (uint32_t)atoi(optarg);
			break;
		case 't':
			p->seconds = (unsigned)atoi(optarg);
			break;
		case 'p':
			p->conf.encrypt = false;
			break;
		case 'k':
			if (!wg_key_from_base64(p->conf.pubkey, optarg))
				return usage();
			p->have_key = true;
			break;
		case 'L':
			p->leave_after_ms = (unsigned)atoi(optarg);
			break;
		case 'P':
			if (!wg_key_from_base64(p->priv, optarg))
				return usage();
			p->have_priv = true;
			break;
		case 'N':
			if (!wg_key_from_base64(p->nucleus_key, optarg))
				return usage();
			p->pinned = true;
			break;
		case 'G':
			p->legacy = true;
			break;
		case 'F':
			if (!wg_key_from_base64(p->forge_key, optarg))
				return usage();
			p->forge = true;
			break;
		default:
			return usage();
		}
	}
	return p->nucleus && p->conf.cluster && p->conf.secret ? 0 : usage();
}

/* HEARTBEAT and LEAVE for p->forge_key: without the identity trailer, then
 * with one under a key that is not the member's. */
static void forge(const struct probe *p, int fd)
{
	uint8_t buf[SIG_DATAGRAM_MAX], not_the_key[SIG_KEY_LEN];
	static const uint8_t types[] = { SIG_HEARTBEAT, SIG_LEAVE };
	struct sig_keys k;
	char err[160];

	if (sig_keys_derive(&k, p->conf.cluster, p->conf.secret, err, sizeof(err)) < 0)
		return;
	randombytes_buf(not_the_key, sizeof(not_the_key));
	for (int with_id = 0; with_id < 2; with_id++)
		for (unsigned t = 0; t < sizeof(types); t++) {
			struct sig_msg m = { .type = types[t],
					     .enc = p->conf.encrypt,
					     .named = true,
					     .id = with_id,
					     .seq = 7 };
			size_t len;

			if (m.type == SIG_HEARTBEAT) {
				memcpy(m.u.hb.pubkey, p->forge_key, SIG_PUBKEY_LEN);
				m.u.hb.cursor = SIG_CURSOR_NONE;
			} else {
				memcpy(m.u.leave, p->forge_key, SIG_PUBKEY_LEN);
			}
			sig_msg_stamp(&m, now_ms());
			len = sig_encode_id(&k, &m, not_the_key, buf, sizeof(buf));
			if (len && send(fd, buf, len, 0) < 0)
				fprintf(stderr, "sig-probe: send: %s\n", strerror(errno));
		}
	sig_keys_wipe(&k);
	printf("forged\n");
	fflush(stdout);
}

static void drain(struct sig_client *c, int fd)
{
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_event ev;
	size_t len;

	while ((len = sig_client_pop_datagram(c, buf, sizeof(buf))))
		if (send(fd, buf, len, 0) < 0)
			fprintf(stderr, "sig-probe: send: %s\n", strerror(errno));
	while (sig_client_pop_event(c, &ev))
		print_event(&ev);
}

static int loop(struct probe *p, struct sig_client *c, int fd)
{
	uint64_t start = now_ms(), end = start + p->seconds * 1000ull, next;
	uint8_t buf[SIG_DATAGRAM_MAX + 1];
	bool asked = p->n_queries == 0;
	uint64_t registered_at = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (!stop && now_ms() < end) {
		uint64_t now = now_ms();

		if (!asked && sig_client_registered(c) && now >= start + p->query_after_ms) {
			for (unsigned i = 0; i < p->n_queries; i++)
				sig_client_query(c, &p->queries[i], now);
			asked = true;
		}
		if (!registered_at && sig_client_registered(c)) {
			registered_at = now;
			if (p->forge)
				forge(p, fd);
		}
		if (p->leave_after_ms && registered_at &&
		    now >= registered_at + p->leave_after_ms) {
			sig_client_leave(c, now);
			drain(c, fd);
			printf("left-sent\n");
			return 0;
		}
		if (now >= sig_client_next_tick(c))
			sig_client_tick(c, now);
		drain(c, fd);
		next = sig_client_next_tick(c);
		poll(&pfd, 1,
		     next > now_ms() ? (int)(next - now_ms() < 100 ? next - now_ms() : 100) : 0);
		if (pfd.revents & POLLIN) {
			ssize_t len = recv(fd, buf, sizeof(buf), 0);

			if (len > 0 && sig_is_signaling(buf, (size_t)len))
				sig_client_input(c, buf, (size_t)len, now_ms());
			drain(c, fd);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct probe p = { 0 };
	struct sig_client *c;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[256], hex[2 * SIG_PUBKEY_LEN + 1];
	int fd, ret;

	if (sodium_init() < 0 || parse_args(&p, argc, argv))
		return 2;
	if (!p.have_priv)
		wg_key_generate_private(p.priv);
	if (!p.have_key && !wg_key_public(p.conf.pubkey, p.priv))
		return 2;
	p.conf.private_key = p.legacy ? NULL : p.priv;
	p.conf.nucleus_key = p.pinned ? p.nucleus_key : NULL;
	c = sig_client_create(&p.conf, err, sizeof(err));
	sodium_memzero(p.priv, sizeof(p.priv));
	if (!c) {
		fprintf(stderr, "sig-probe: %s\n", err);
		return 2;
	}
	fd = omni_udp_connect(p.nucleus, NULL, 0, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "sig-probe: %s\n", err);
		sig_client_destroy(c);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sodium_bin2hex(hex, sizeof(hex), p.conf.pubkey, SIG_PUBKEY_LEN);
	printf("self %s\n", hex);
	fflush(stdout);
	ret = loop(&p, c, fd);
	close(fd);
	sig_client_destroy(c);
	return ret;
}
