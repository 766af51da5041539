/* SPDX-License-Identifier: MIT */
/*
 * Files that may hold secrets: the configuration files themselves (read
 * whole, every intermediate copy wiped) and the files a configuration names
 * for a secret (security.secret_file, peers[].preshared_key_file,
 * nucleus.clusters[].secret_file), which follow the identity key's rule:
 * a regular file owned by us or root with no access for group or others
 * (mode 0600 or 0400).
 */
#ifndef OMNI_CONFIG_SECRETS_H
#define OMNI_CONFIG_SECRETS_H

#include <stddef.h>
#include <sys/stat.h>

#include "model.h"

enum {
	CFG_SECRET_FILE_MAX = 4096, /* bytes in a secret file */
};

/*
 * The whole file at path (a pipe too) into *buf, NUL-terminated (the NUL
 * not counted in *len), with st filled by fstat. 0, -EFBIG (over max bytes)
 * or -errno of open/read/malloc. Free with cfg_file_free.
 */
int cfg_file_read(const char *path, size_t max, char **buf, size_t *len, struct stat *st);
/* Wipes len bytes (the NUL too), then frees. NULL is fine. */
void cfg_file_free(char *buf, size_t len);

/* The secret-file rule on st: 0, or -EPERM with *why ("mode 0644: group or
 * others may read it"). */
int cfg_file_check_private(const struct stat *st, const char **why);

/*
 * Reads every secret file the model names into the model: secret_file into
 * security.secret (when no secret was given), each preshared_key_file (one
 * `wg genpsk` line) into its peer, each cluster's secret_file. A secret file
 * is its text with the trailing line end and blanks removed. Returns 0, or
 * a negative errno with "FILE: PATH: why" in err (FILE the configuration
 * file, PATH the key naming the secret file). Never shows a secret.
 */
int cfg_config_load_secrets(struct cfg_config *cfg, char *err, size_t errlen);

#endif /* OMNI_CONFIG_SECRETS_H */
