/* SPDX-License-Identifier: MIT */
/*
 * Files that may hold secrets: the configuration files themselves (read
 * whole, every intermediate copy wiped), the files a configuration names
 * for a secret (security.secret_file, peers[].preshared_key_file,
 * nucleus.clusters[].secret_file) and --secret-file. One rule for all of
 * them and for the identity key (cfg_private_check): owned by us or root,
 * no access for group or others (mode 0600 or 0400). Also where the cluster
 * secret comes from when it is not in the file (cfg_secret_resolve).
 */
#ifndef OMNI_CONFIG_SECRETS_H
#define OMNI_CONFIG_SECRETS_H

#include <stdbool.h>
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

/*
 * The one rule for every file that can hold a secret: the identity key, a
 * JSON or wg-quick configuration that holds a private key, preshared key or
 * cluster secret, and the files a configuration or --secret-file names for
 * one. Owned by the effective user or root, no permission bit for group or
 * others (mode 0600 or 0400); where `regular` is asked (key and secret
 * files; a configuration may come through a pipe), a regular file.
 */
enum cfg_private {
	CFG_PRIVATE_OK = 0,
	CFG_PRIVATE_NOT_FILE, /* not a regular file */
	CFG_PRIVATE_OWNER,    /* owned by another user than us or root */
	CFG_PRIVATE_MODE,     /* group or others have some access */
};

struct cfg_private_file {
	const char *what;  /* said before the path ("identity key "), or NULL */
	const char *path;  /* as the user named it */
	const char *holds; /* what it holds, for the message ("a private key") */
	bool regular;      /* a regular file is required */
};

/*
 * The rule on st (fstat of the descriptor opened, so a symbolic link has
 * been followed). CFG_PRIVATE_OK, or the reason with a message naming the
 * file, its mode and the fix in msg: "WHAT PATH has mode 0640: group or
 * others have access to this file, which holds HOLDS; fix with: chmod 600
 * PATH" (or chown, for the owner).
 */
enum cfg_private cfg_private_check(const struct cfg_private_file *f, const struct stat *st,
				   char *msg, size_t msglen);

/*
 * Reads every secret file the model names into the model: secret_file into
 * security.secret (when no secret was given), each preshared_key_file (one
 * `wg genpsk` line) into its peer, each cluster's secret_file. A secret file
 * is its text with the trailing line end and blanks removed. Returns 0, or
 * a negative errno with "FILE: PATH: why" in err (FILE the configuration
 * file, PATH the key naming the secret file). Never shows a secret.
 */
int cfg_config_load_secrets(struct cfg_config *cfg, char *err, size_t errlen);

/*
 * A configuration file just read into cfg (st: its fstat): when it holds a
 * secret (holds: what, for the message; NULL: none), the rule above, with
 * any file type. 0, or -EPERM with the message in err and cfg freed (and
 * initialised again).
 */
int cfg_config_file_private(struct cfg_config *cfg, const char *path, const struct stat *st,
			    const char *holds, char *err, size_t errlen);

/*
 * The cluster secret from outside the configuration file. Precedence, first
 * found wins: --secret TEXT, --secret-file PATH, the environment variable
 * OMNI_SECRET (when not empty); then the JSON file's security.secret or
 * security.secret_file, which the caller keeps when none of these is given.
 */
#define CFG_SECRET_ENV "OMNI_SECRET"

struct cfg_secret_args {
	const char *flag;      /* --secret, or NULL */
	const char *flag_file; /* --secret-file, or NULL */
	const char *env;       /* getenv(CFG_SECRET_ENV), or NULL */
};

/*
 * 0 with *out NULL when none is given; 0 with the secret on the heap in
 * *out (free with cfg_secret_free) and *from naming its source
 * ("--secret", "--secret-file", "OMNI_SECRET"); or a negative errno with
 * "SOURCE: why" in err: both flags given (-EINVAL), the file refused by
 * the private-file rule or unreadable, the secret empty, shorter than
 * CFG_SECRET_MIN or not one line of printable text. Never shows a secret.
 */
int cfg_secret_resolve(const struct cfg_secret_args *a, char **out, const char **from, char *err,
		       size_t errlen);
/* Wipes, then frees. NULL is fine. */
void cfg_secret_free(char *s);

#endif /* OMNI_CONFIG_SECRETS_H */
