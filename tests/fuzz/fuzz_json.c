/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a JSON configuration file, through the
 * reader (cfg_json_parse_buffer, host names refused rather than resolved,
 * so nothing leaves the process) and, when it reads, cfg_config_validate,
 * the printer and the difference against an empty model; then
 * cfg_config_free. Secret files are never read here: the reader only
 * records their names. Seeds: the files in config/examples. Besides the
 * sanitizers it checks that every message is terminated, that a failed read
 * hands back an empty model, and that the printed model reads back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "diff.h"
#include "json.h"
#include "model.h"
#include "print.h"
#include "value.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

/* What was read prints, and the print reads back (secrets are printed as
 * "(hidden)", which is not a key: only models without any). */
static void check_print(const struct cfg_config *cfg)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config again, empty;
	struct cfg_config_diff d;
	char *text = cfg_config_to_json(cfg);
	bool secret = cfg->iface.has_private_key || cfg->security.secret;

	if (!text)
		abort();
	for (size_t i = 0; i < cfg->n_peers; i++)
		secret = secret || cfg->peers[i].has_preshared_key;
	for (size_t i = 0; i < cfg->nucleus.n_clusters; i++)
		secret = secret || cfg->nucleus.clusters[i].secret;
	if (!secret && cfg_json_parse_buffer("print.json", text, strlen(text), CFG_VALUE_NO_RESOLVE,
					     &again, err, sizeof(err)) != 0)
		abort();
	if (!secret)
		cfg_config_free(&again);
	free(text);
	cfg_config_init(&empty);
	if (cfg_config_diff(&empty, cfg, &d) == 0) {
		if (d.n_added != cfg->n_peers)
			abort();
		cfg_config_diff_free(&d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;
	int rc;

	memset(err, 'x', sizeof(err));
	rc = cfg_json_parse_buffer("fuzz.json", (const char *)data, size, CFG_VALUE_NO_RESOLVE,
				   &cfg, err, sizeof(err));
	if (rc && (cfg.n_peers || cfg.iface.has_private_key || cfg.n_warnings || cfg.source))
		abort();
	if (rc == 0) {
		check_print(&cfg);
		rc = cfg_config_validate(&cfg, err, sizeof(err));
	}
	if (rc && strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	cfg_config_free(&cfg);
	return 0;
}
