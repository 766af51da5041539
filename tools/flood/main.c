/* SPDX-License-Identifier: MIT */
/*
 * flood: UDP from spoofed IPv4 sources through a raw socket (IP_HDRINCL),
 * for the flood tests (tests/e2e/flood_*.sh). The sources are made up:
 * it floods only from inside a named network namespace (ip netns).
 *
 *   flood wg   --to IP:PORT --key PUBKEY        valid-mac1 initiations
 *   flood sig  --to IP:PORT --cluster NAME --secret-file FILE [--valid]
 *                                               REGISTERs with a wrong HMAC,
 *                                               or valid HEARTBEATs
 *   flood junk --to IP:PORT                     64 bytes of 0xff
 *     common:  [--from NET/BITS] (198.18.0.0/15, RFC 2544's benchmarking
 *              range; source k of packet k, in turn) [--rate PPS] (0: as
 *              fast as one core sends) [--seconds S] (10)
 *   flood ask  --to HOST:PORT --cluster NAME --secret-file FILE
 *              [--count N] (30) [--interval-ms MS] (500) [--plain]
 *              [--first I] (0)
 *              REGISTERs of fresh keys from a real socket, one at a time,
 *              each waiting up to MS for its REGISTER_ACK; the VIPs are
 *              those of members I.. (a live member's VIP is not given to
 *              another key, so each run of a test takes its own)
 *
 * The floods print "sent N packets in S s (R pkt/s), E errors"; ask prints
 * "answered A of N". Exit 0, or 2 on bad usage.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "wg/key.h"

#include "ask.h"
#include "flood.h"

struct pkt {
	struct iphdr ip;
	struct udphdr udp;
	uint8_t payload[FLOOD_PAYLOAD_MAX];
} __attribute__((packed));

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: flood wg|sig|junk --to IP:PORT [--key PUB] [--cluster NAME "
		"--secret-file FILE [--valid]] [--from NET/BITS] [--rate PPS] [--seconds S]\n"
		"       flood ask --to HOST:PORT --cluster NAME --secret-file FILE "
		"[--count N] [--interval-ms MS] [--plain] [--first I]\n");
	return 2;
}

static int parse_v4_port(const char *s, uint8_t ip[4], uint16_t *port)
{
	char buf[64], *colon, *end;
	unsigned long p;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strrchr(buf, ':');
	if (!colon)
		return -1;
	*colon = 0;
	p = strtoul(colon + 1, &end, 10);
	if (*end || p == 0 || p > 65535 || inet_pton(AF_INET, buf, ip) != 1)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static int parse_net(const char *s, uint8_t net[4], unsigned *bits)
{
	char buf[64], *slash, *end;
	unsigned long b;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = 0;
	b = strtoul(slash + 1, &end, 10);
	if (*end || b < 8 || b > 32 || inet_pton(AF_INET, buf, net) != 1)
		return -1;
	*bits = (unsigned)b;
	return 0;
}

/* The first line of FILE, without its newline; NULL if unreadable. */
static char *read_secret(const char *path)
{
	static char line[SIG_SECRET_MAX + 2];
	FILE *f = fopen(path, "r");

	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		fprintf(stderr, "flood: %s: %s\n", path, f ? "empty" : strerror(errno));
		return NULL;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = 0;
	return line;
}

struct args {
	const char *to, *key, *cluster, *secret_file, *from;
	bool valid, plain;
	unsigned rate, count, interval_ms, first;
	double seconds;
};

static int parse_args(struct args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", 1, 0, 't' },      { "key", 1, 0, 'k' },
		{ "cluster", 1, 0, 'c' }, { "secret-file", 1, 0, 's' },
		{ "from", 1, 0, 'f' },    { "rate", 1, 0, 'r' },
		{ "seconds", 1, 0, 'S' }, { "valid", 0, 0, 'v' },
		{ "count", 1, 0, 'n' },   { "interval-ms", 1, 0, 'i' },
		{ "plain", 0, 0, 'p' },   { "first", 1, 0, 'F' },
		{ 0, 0, 0, 0 },
	};
	int o;

	a->from = "198.18.0.0/15";
	a->seconds = 10;
	a->count = 30;
	a->interval_ms = 500;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			a->to = optarg;
			break;
		case 'k':
			a->key = optarg;
			break;
		case 'c':
			a->cluster = optarg;
			break;
		case 's':
			a->secret_file = optarg;
			break;
		case 'f':
			a->from = optarg;
			break;
		case 'r':
			a->rate = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			a->seconds = atof(optarg);
			break;
		case 'v':
			a->valid = true;
			break;
		case 'n':
			a->count = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			a->interval_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			a->plain = true;
			break;
		case 'F':
			a->first = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			return -1;
		}
	}
	return a->to && a->seconds > 0 ? 0 : -1;
}

/* The options of a flood from the arguments; -1 after saying why. */
static int flood_setup(struct flood_opts *o, const struct args *a, const char *mode)
{
	char err[160], *secret;

	if (!strcmp(mode, "wg"))
		o->kind = FLOOD_WG;
	else if (!strcmp(mode, "sig"))
		o->kind = a->valid ? FLOOD_SIG_VALID : FLOOD_SIG_BAD;
	else if (!strcmp(mode, "junk"))
		o->kind = FLOOD_JUNK;
	else
		return -1;
	if (parse_v4_port(a->to, o->dst, &o->port) < 0 ||
	    parse_net(a->from, o->src_net, &o->src_bits) < 0)
		return -1;
	o->rate = a->rate;
	o->seconds = a->seconds;
	if (o->kind == FLOOD_WG && (!a->key || !wg_key_from_base64(o->wg_pub, a->key)))
		return -1;
	if (o->kind == FLOOD_SIG_BAD || o->kind == FLOOD_SIG_VALID) {
		if (!a->cluster || !a->secret_file || !(secret = read_secret(a->secret_file)))
			return -1;
		if (sig_keys_derive(&o->keys, a->cluster, secret, err, sizeof(err)) < 0) {
			fprintf(stderr, "flood: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* Packet k: source number k of the spoofed network, payload k. */
static size_t build(const struct flood_opts *o, uint64_t k, struct pkt *p)
{
	uint32_t net, host_mask = o->src_bits >= 32 ? 0 : (1u << (32 - o->src_bits)) - 1;
	size_t len = flood_payload(o, k, p->payload);

	memcpy(&net, o->src_net, 4);
	net = htonl((ntohl(net) & ~host_mask) | ((uint32_t)k & host_mask));
	p->ip = (struct iphdr){ .version = 4,
				.ihl = 5,
				.ttl = 64,
				.protocol = IPPROTO_UDP,
				.tot_len = htons((uint16_t)(sizeof(p->ip) + sizeof(p->udp) + len)),
				.saddr = net };
	memcpy(&p->ip.daddr, o->dst, 4);
	p->udp = (struct udphdr){ .source = htons((uint16_t)(1024 + k % 60000)),
				  .dest = htons(o->port),
				  .len = htons((uint16_t)(sizeof(p->udp) + len)) };
	return sizeof(p->ip) + sizeof(p->udp) + len; /* UDP checksum 0: none, as IPv4 allows */
}

/*
 * Spoofed sources stay inside a test's namespace: only in a named one
 * (ip netns add, as the tests make), found in /run/netns like `ip netns
 * identify` does.
 */
static bool in_named_netns(void)
{
	struct stat self, st;
	struct dirent *e;
	char path[300];
	bool found = false;
	DIR *d;

	if (stat("/proc/self/ns/net", &self) < 0 || !(d = opendir("/run/netns")))
		return false;
	while (!found && (e = readdir(d))) {
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		found = e->d_name[0] != '.' && stat(path, &st) == 0 && st.st_ino == self.st_ino &&
			st.st_dev == self.st_dev;
	}
	closedir(d);
	return found;
}

static int run_flood(const struct flood_opts *o)
{
	static struct pkt pkts[FLOOD_BATCH];
	struct mmsghdr msgs[FLOOD_BATCH];
	struct iovec iov[FLOOD_BATCH];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned long long sent = 0, errors = 0;
	double start, t;
	int fd, n, i;

	if (!in_named_netns()) {
		fprintf(stderr, "flood: spoofed sources only inside a named network namespace "
				"(ip netns exec NS flood ...)\n");
		return 1;
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW); /* IP_HDRINCL implied */
	if (fd < 0) {
		perror("flood: raw socket");
		return 1;
	}
	memcpy(&dst.sin_addr, o->dst, 4);
	memset(msgs, 0, sizeof(msgs));
	flood_payload_init(o);
	start = t = now_s();
	while (t - start < o->seconds) {
		/* Paced: no further ahead than the rate allows. */
		if (o->rate && (double)sent > (t - start) * o->rate) {
			struct timespec d = { 0, 200000 };

			nanosleep(&d, NULL);
			t = now_s();
			continue;
		}
		for (i = 0; i < FLOOD_BATCH; i++) {
			iov[i] =
				(struct iovec){ .iov_base = &pkts[i],
						.iov_len = build(o, sent + (unsigned)i, &pkts[i]) };
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &dst,
							   .msg_namelen = sizeof(dst),
							   .msg_iov = &iov[i],
							   .msg_iovlen = 1 };
		}
		n = sendmmsg(fd, msgs, FLOOD_BATCH, 0);
		if (n > 0)
			sent += (unsigned)n;
		else if (errno == ENOBUFS || errno == EAGAIN || errno == EPERM)
			errors++;
		else {
			perror("flood: sendmmsg");
			break;
		}
		t = now_s();
	}
	printf("sent %llu packets in %.2f s (%.0f pkt/s), %llu errors\n", sent, t - start,
	       (double)sent / (t - start), errors);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct flood_opts o = { 0 };
	struct args a = { 0 };
	const char *mode;
	char *secret;

	if (argc < 2 || sodium_init() < 0)
		return usage();
	mode = argv[1];
	if (parse_args(&a, argc - 1, argv + 1) < 0)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "ask")) {
		if (!a.cluster || !a.secret_file || !(secret = read_secret(a.secret_file)))
			return usage();
		return flood_ask(a.to, a.cluster, secret, a.first, a.count, a.interval_ms,
				 !a.plain);
	}
	if (flood_setup(&o, &a, mode) < 0)
		return usage();
	return run_flood(&o);
}
