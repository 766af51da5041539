/* SPDX-License-Identifier: MIT */
/*
 * The nucleus's side of the relay: short-lived TURN credentials for
 * authenticated members in coturn's REST form (use-auth-secret,
 * draft-uberti-behave-turn-rest-00): username "<expiry>:<member id>",
 * password base64(HMAC-SHA1(static-auth-secret, username)). coturn checks
 * the HMAC and the expiry itself, so edges never hold the TURN secret and a
 * member that leaves the cluster can relay only until its last credential
 * expires. The member id is the first 8 bytes of its WireGuard key in hex:
 * coturn's per-user quotas (user-quota, max-bps) apply to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "nucleus_int.h"

enum { SHA1_LEN = 20, MEMBER_ID_BYTES = 8 };

int sig_nucleus_turn_init(struct sig_nucleus *n, const struct sig_nucleus_conf *conf, char *err,
			  size_t errlen)
{
	size_t len;

	if (!conf->turn_secret)
		return 0;
	len = strlen(conf->turn_secret);
	if (!len || conf->n_turn_servers == 0 || conf->n_turn_servers > SIG_TURN_SERVERS_MAX ||
	    conf->turn_ttl_s > SIG_NUCLEUS_TURN_TTL_MAX) {
		snprintf(err, errlen,
			 "turn: a secret, 1 to %d servers and a lifetime of at most %d s are "
			 "needed (got %u servers, %u s)",
			 SIG_TURN_SERVERS_MAX, SIG_NUCLEUS_TURN_TTL_MAX, conf->n_turn_servers,
			 conf->turn_ttl_s);
		return -EINVAL;
	}
	n->turn_secret = sodium_malloc(len);
	if (!n->turn_secret) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(n->turn_secret, conf->turn_secret, len);
	n->turn_secret_len = len;
	n->n_turn_servers = conf->n_turn_servers;
	memcpy(n->turn_servers, conf->turn_servers,
	       conf->n_turn_servers * sizeof(n->turn_servers[0]));
	n->turn_ttl_s = conf->turn_ttl_s ? conf->turn_ttl_s : SIG_NUCLEUS_TURN_TTL_DEFAULT;
	return 0;
}

void sig_nucleus_turn_fini(struct sig_nucleus *n)
{
	sodium_free(n->turn_secret); /* wipes */
	n->turn_secret = NULL;
}

void sig_nucleus_turn_cred(const struct sig_nucleus *n, const uint8_t key[SIG_PUBKEY_LEN],
			   uint64_t now_ms, struct sig_turn_cred *r)
{
	char id[2 * MEMBER_ID_BYTES + 1];
	uint8_t mac[SHA1_LEN];
	unsigned mlen = sizeof(mac);

	memset(r, 0, sizeof(*r));
	if (!n->turn_secret)
		return; /* no relay here: n_servers 0 */
	r->expiry_s = now_ms / 1000 + n->turn_ttl_s;
	sodium_bin2hex(id, sizeof(id), key, MEMBER_ID_BYTES);
	snprintf(r->user, sizeof(r->user), "%llu:%s", (unsigned long long)r->expiry_s, id);
	if (!HMAC(EVP_sha1(), n->turn_secret, (int)n->turn_secret_len, (const uint8_t *)r->user,
		  strlen(r->user), mac, &mlen)) {
		memset(r, 0, sizeof(*r));
		return;
	}
	sodium_bin2base64(r->pass, sizeof(r->pass), mac, sizeof(mac),
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(mac, sizeof(mac));
	r->n_servers = (uint8_t)n->n_turn_servers;
	memcpy(r->servers, n->turn_servers, n->n_turn_servers * sizeof(r->servers[0]));
}
