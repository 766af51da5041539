/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a JSON configuration file, through the
 * reader (omni_json_parse_buffer, host names refused rather than resolved,
 * so nothing leaves the process) and, when it reads, omni_config_validate,
 * the printer and the difference against an empty model; then
 * omni_config_free. Secret files are never read here: the reader only
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
static void check_print(const struct omni_config *cfg)
{
	char err[OMNI_CONFIG_ERR_MAX];
	struct omni_config again, empty;
	struct omni_config_diff d;
	char *text = omni_config_to_json(cfg);
	bool secret = cfg->iface.has_private_key || cfg->security.secret;

	if (!text)
		abort();
	for (size_t i = 0; i < cfg->n_peers; i++)
		secret = secret || cfg->peers[i].has_preshared_key;
	for (size_t i = 0; i < cfg->nucleus.n_clusters; i++)
		secret = secret || cfg->nucleus.clusters[i].secret;
	if (!secret && omni_json_parse_buffer("print.json", text, strlen(text),
					      OMNI_VALUE_NO_RESOLVE, &again, err,
					      sizeof(err)) != 0)
		abort();
	if (!secret)
		omni_config_free(&again);
	free(text);
	omni_config_init(&empty);
	if (omni_config_diff(&empty, cfg, &d) == 0) {
		if (d.n_added != cfg->n_peers)
			abort();
		omni_config_diff_free(&d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[OMNI_CONFIG_ERR_MAX];
	struct omni_config cfg;
	int rc;

	memset(err, 'x', sizeof(err));
	rc = omni_json_parse_buffer("fuzz.json", (const char *)data, size, OMNI_VALUE_NO_RESOLVE,
				    &cfg, err, sizeof(err));
	if (rc && (cfg.n_peers || cfg.iface.has_private_key || cfg.n_warnings || cfg.source))
		abort();
	if (rc == 0) {
		check_print(&cfg);
		rc = omni_config_validate(&cfg, err, sizeof(err));
	}
	if (rc && strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	omni_config_free(&cfg);
	return 0;
}
