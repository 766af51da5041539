/* SPDX-License-Identifier: MIT */
/*
 * The effective configuration as JSON, in the shape of the file (json.h),
 * every setting that has a value shown with it, defaults included (settings
 * with none, like an unset nucleus, are left out): what `omninervous
 * --config FILE --check` prints and the console's `show config` can show.
 * Secrets (private_key, preshared_key, secret) are printed as "(hidden)";
 * their files by name. Without secrets, the output reads back to the same
 * model.
 */
#ifndef OMNI_CONFIG_PRINT_H
#define OMNI_CONFIG_PRINT_H

#include <stdio.h>

#include "model.h"

/* The JSON text (NUL-terminated, on the heap: free() it), or NULL. */
char *cfg_config_to_json(const struct cfg_config *cfg);

/* cfg_config_to_json to out, with a final newline. 0 or -ENOMEM/-EIO. */
int cfg_config_print(const struct cfg_config *cfg, FILE *out);

#endif /* OMNI_CONFIG_PRINT_H */
