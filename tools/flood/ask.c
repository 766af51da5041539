/* SPDX-License-Identifier: MIT */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "signaling/codec.h"
#include "udp.h"

#include "ask.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The REGISTER of member i, as request seq: a first one, as an edge sends
 * it (the identity trailer with no token yet: the nucleus answers it with
 * a CHALLENGE before it looks at the MAC, made here under a random key). */
static size_t make_register(const struct sig_keys *k, unsigned i, uint32_t seq, bool encrypt,
			    uint8_t *buf)
{
	struct sig_msg m = { .type = SIG_REGISTER, .seq = seq, .enc = encrypt, .id = true };
	uint8_t id_key[SIG_KEY_LEN];

	randombytes_buf(m.u.reg.pubkey, SIG_PUBKEY_LEN);
	m.u.reg.vip4[0] = 10, m.u.reg.vip4[1] = 200;
	m.u.reg.vip4[2] = (uint8_t)(200 + i / 250 % 50), m.u.reg.vip4[3] = (uint8_t)(i % 250 + 1);
	m.u.reg.flags = SIG_PEER_HAS_VIP4;
	sig_msg_stamp(&m, now_ms());
	randombytes_buf(id_key, sizeof(id_key));
	return sig_encode_id(k, &m, id_key, buf, SIG_DATAGRAM_MAX);
}

/* Waits until deadline for the answer to the REGISTER of seq; true when
 * it came. The answer is a CHALLENGE (the nucleus asks a new member to
 * prove its key, docs/signaling.md "Identity"), or a REGISTER_ACK from a
 * nucleus with legacy_members: either way the nucleus served it. */
static bool wait_ack(int fd, const struct sig_keys *k, uint32_t seq, uint64_t deadline)
{
	uint8_t buf[SIG_DATAGRAM_MAX + 1];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sig_msg m;
	uint64_t now;

	while ((now = now_ms()) < deadline) {
		ssize_t len;

		if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
			continue;
		len = recv(fd, buf, sizeof(buf), 0);
		if (len > 0 && sig_decode(k, buf, (size_t)len, &m) == SIG_OK &&
		    (m.type == SIG_REGISTER_ACK || m.type == SIG_CHALLENGE) && m.seq == seq)
			return true;
	}
	return false;
}

int flood_ask(const char *to, const char *cluster, const char *secret, unsigned first,
	      unsigned count, unsigned interval_ms, bool encrypt)
{
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_keys k;
	unsigned answered = 0;
	char err[160];
	int fd;

	if (sig_keys_derive(&k, cluster, secret, err, sizeof(err)) < 0) {
		fprintf(stderr, "flood ask: %s\n", err);
		return 2;
	}
	fd = omni_udp_connect(to, NULL, 0, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "flood ask: %s\n", err);
		sig_keys_wipe(&k);
		return 1;
	}
	for (unsigned i = 0; i < count; i++) {
		uint64_t deadline = now_ms() + interval_ms;
		size_t len = make_register(&k, first + i, i + 1, encrypt, buf);

		if (send(fd, buf, len, 0) == (ssize_t)len && wait_ack(fd, &k, i + 1, deadline))
			answered++;
		while (now_ms() < deadline) /* a steady pace whether answered or not */
			usleep(1000);
	}
	printf("answered %u of %u\n", answered, count);
	close(fd);
	sig_keys_wipe(&k);
	return 0;
}
