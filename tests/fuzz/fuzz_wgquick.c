/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a wg-quick file, through the reader
 * (omni_wgquick_parse_buffer, host names refused rather than resolved) and,
 * when it reads, omni_config_validate; then omni_config_free. Seeds: the
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
	char err[OMNI_CONFIG_ERR_MAX];
	struct omni_config cfg;
	int rc;

	memset(err, 'x', sizeof(err));
	rc = omni_wgquick_parse_buffer("fuzz.conf", (const char *)data, size,
				       OMNI_VALUE_NO_RESOLVE, &cfg, err, sizeof(err));
	if (rc && (cfg.n_peers || cfg.iface.has_private_key || cfg.n_warnings))
		abort();
	if (rc == 0)
		rc = omni_config_validate(&cfg, err, sizeof(err));
	if (rc && strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	omni_config_free(&cfg);
	return 0;
}
