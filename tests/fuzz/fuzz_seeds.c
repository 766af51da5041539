/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus generator: writes one valid message of each type (valid for
 * the fixed world of fuzz_world.h, so the fuzzers start past every check)
 * and a few broken ones into the directory given as argv[1].
 *
 *   fuzz_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_world.h"
#include "wg/transport.h"

static int put(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "fuzz_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A data message on kp carrying an IPv4 packet of len bytes (0: keepalive). */
static int put_data(const char *dir, const char *name, struct fuzz_world *w, struct wg_keypair *kp,
		    uint32_t len)
{
	uint8_t pkt[16 + 128 + 16] = { 0 };
	struct wg_aead_op op;
	uint32_t pkt_len;

	if (len >= 20) {
		pkt[16] = 0x45;
		pkt[16 + 3] = (uint8_t)len;
	}
	if (wg_transport_seal_prepare(kp, pkt, len, 1420, FUZZ_NOW, &op, &pkt_len) != WG_OK ||
	    wg_aead_seal_burst(w->aead, &op, 1) != 1)
		return -1;
	return put(dir, name, pkt, pkt_len);
}

int main(int argc, char **argv)
{
	static const uint8_t short_hdr[3] = { 1, 0, 0 };
	static struct fuzz_world w;
	struct wg_keypair kp_i, kp_r;
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_seeds DIR\n");
		return 2;
	}
	fuzz_world_build(&w);
	kp_i = w.kp_i;
	kp_r = w.kp_r;
	err |= put(argv[1], "initiation", &w.init, sizeof(w.init));
	err |= put(argv[1], "response", &w.resp, sizeof(w.resp));
	err |= put(argv[1], "cookie_reply", &w.reply, sizeof(w.reply));
	err |= put_data(argv[1], "data_keepalive", &w, &kp_i, 0);
	err |= put_data(argv[1], "data_ipv4_20", &w, &kp_i, 20);
	err |= put_data(argv[1], "data_ipv4_100", &w, &kp_i, 100);
	err |= put_data(argv[1], "data_to_initiator", &w, &kp_r, 60);
	err |= put(argv[1], "short_header", short_hdr, sizeof(short_hdr));
	wg_aead_destroy(w.aead);
	return err ? 1 : 0;
}
