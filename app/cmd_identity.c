/* SPDX-License-Identifier: MIT */
/* --init and --show-identity: the only place that prints about identities. */
#include <stdio.h>

#include "commands.h"
#include "config/identity.h"

static void print_public(const struct cfg_identity *id)
{
	char b64[WG_KEY_B64_LEN + 1];

	wg_key_to_base64(b64, id->public_key);
	printf("%s\n", b64);
}

int omni_cmd_init(const struct omni_cli *cli)
{
	const char *path = cfg_identity_path(cli->key);
	char msg[CFG_IDENTITY_MSG_LEN];
	struct cfg_identity id;

	if (cfg_identity_create(&id, path, msg, sizeof(msg)) != CFG_IDENTITY_OK) {
		fprintf(stderr, "%s: %s\n", cli->prog, msg);
		return OMNI_EXIT_FAILURE;
	}
	fprintf(stderr, "%s: new identity written to %s (mode 0600); public key:\n", cli->prog,
		path);
	print_public(&id);
	cfg_identity_wipe(&id);
	return OMNI_EXIT_OK;
}

int omni_cmd_show_identity(const struct omni_cli *cli)
{
	const char *path = cfg_identity_path(cli->key);
	char msg[CFG_IDENTITY_MSG_LEN];
	struct cfg_identity id;

	if (cfg_identity_load(&id, path, msg, sizeof(msg)) != CFG_IDENTITY_OK) {
		fprintf(stderr, "%s: %s\n", cli->prog, msg);
		return OMNI_EXIT_FAILURE;
	}
	print_public(&id);
	cfg_identity_wipe(&id);
	return OMNI_EXIT_OK;
}
