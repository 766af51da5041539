/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a wg-quick file, through the reader
 * (cfg_wgquick_parse_buffer, host names refused rather than resolved) and,
 * when it reads, cfg_config_validate; then cfg_config_free. Seeds: the
 * files in config/examples. Besides the sanitizers it checks that every
 * message is terminated and that a failed read hands back an empty model.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "model.h"
#include "value.h"
#include "wgquick.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;
	int rc;

	memset(err, 'x', sizeof(err));
	rc = cfg_wgquick_parse_buffer("fuzz.conf", (const char *)data, size, CFG_VALUE_NO_RESOLVE,
				      &cfg, err, sizeof(err));
	if (rc && (cfg.n_peers || cfg.iface.has_private_key || cfg.n_warnings))
		abort();
	if (rc == 0)
		rc = cfg_config_validate(&cfg, err, sizeof(err));
	if (rc && strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	cfg_config_free(&cfg);
	return 0;
}
