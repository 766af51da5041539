/* SPDX-License-Identifier: MIT */
/*
 * The nucleus's own X25519 key pair: members prove their keys to it, and
 * it signs what it sends each member (docs/signaling.md, "Identity"). The
 * file is an identity file as the edge's (`wg genkey` text, mode 0600),
 * made at the first start or by `omninervous --init --key FILE`.
 */
#include <stdio.h>
#include <string.h>

#include "config/identity.h"
#include "nucleus.h"

static void print_public(const struct cfg_identity *id, const char *how, const char *path)
{
	char b64[WG_KEY_B64_LEN + 1];

	wg_key_to_base64(b64, id->public_key);
	printf("nucleus: key %s %s; public key %s (edges pin it with --nucleus-key)\n", how, path,
	       b64);
}

int omni_nucleus_key(const char *path, bool create, uint8_t priv[32], const char *prog)
{
	char msg[CFG_IDENTITY_MSG_LEN];
	struct cfg_identity id;
	enum cfg_identity_result r;

	if (!path) {
		printf("nucleus: no key file (--key FILE or nucleus.key_file): a new key for this "
		       "run, which edges cannot pin across restarts\n");
		return 1;
	}
	r = cfg_identity_load(&id, path, msg, sizeof(msg));
	if (r == CFG_IDENTITY_ERR_MISSING && !create) {
		printf("nucleus: key file %s: none yet, made at the first start\n", path);
		return 1;
	}
	if (r == CFG_IDENTITY_ERR_MISSING) {
		r = cfg_identity_create(&id, path, msg, sizeof(msg));
		if (r == CFG_IDENTITY_OK)
			print_public(&id, "made at", path);
	} else if (r == CFG_IDENTITY_OK) {
		print_public(&id, "from", path);
	}
	if (r != CFG_IDENTITY_OK) {
		fprintf(stderr, "%s: nucleus key: %s\n", prog, msg);
		return -1;
	}
	memcpy(priv, id.private_key, 32);
	cfg_identity_wipe(&id);
	return 0;
}
