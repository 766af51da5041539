/* SPDX-License-Identifier: MIT */
/*
 * The node's identity: a Curve25519 static key pair whose private half lives
 * in a file, as the one line of base64 that `wg genkey` writes.
 *
 * Functions here never print: they return a result and, when it is not
 * CFG_IDENTITY_OK, a one-line message for the operator in `msg` (never key
 * material). Every buffer that held key material is wiped before returning.
 */
#ifndef OMNI_CONFIG_IDENTITY_H
#define OMNI_CONFIG_IDENTITY_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "wg/key.h"

#define CFG_IDENTITY_DEFAULT_PATH "/etc/omninervous/identity.key"
#define CFG_IDENTITY_ENV "OMNI_KEY"

/* Largest identity file read; a key line is 45 bytes. */
enum { CFG_IDENTITY_MAX_FILE = 256 };
/* Room for any message below: it may quote the path twice. */
enum { CFG_IDENTITY_MSG_LEN = 2 * PATH_MAX + 512 };

enum cfg_identity_result {
	CFG_IDENTITY_OK = 0,
	CFG_IDENTITY_ERR_MISSING,  /* no file at the path */
	CFG_IDENTITY_ERR_EXISTS,   /* create: the name is already taken */
	CFG_IDENTITY_ERR_IO,       /* a system call failed */
	CFG_IDENTITY_ERR_NOT_FILE, /* not a regular file */
	CFG_IDENTITY_ERR_OWNER,    /* owned by someone else than us or root */
	CFG_IDENTITY_ERR_MODE,     /* group or others have some access */
	CFG_IDENTITY_ERR_FORMAT,   /* not one `wg genkey` line */
	CFG_IDENTITY_ERR_KEY,      /* decodes, but gives no usable public key */
};

struct cfg_identity {
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
};

/* The key file to use: `flag` if given, else $OMNI_KEY if set and not empty,
 * else CFG_IDENTITY_DEFAULT_PATH. */
const char *cfg_identity_path(const char *flag);

/*
 * Creates a new identity at `path`: a fresh clamped private key written as
 * 44 base64 characters and a newline, mode 0600 whatever the umask. Missing
 * parent directories are created with mode 0700. Never overwrites: any
 * existing name at `path`, a dangling symbolic link included, gives
 * CFG_IDENTITY_ERR_EXISTS. The file appears complete or not at all (written
 * under a temporary name in the same directory, then hard-linked).
 * On success `id` holds the new pair; on failure it is zeroed.
 */
enum cfg_identity_result cfg_identity_create(struct cfg_identity *id, const char *path, char *msg,
					     size_t msg_len);

/*
 * Loads the identity at `path`. A symbolic link is followed, and every rule
 * applies to the file it leads to: a regular file, owned by the effective
 * user or root, no permission bits for group or others, content exactly one
 * `wg genkey` line (surrounding whitespace allowed). On failure `id` is zeroed.
 */
enum cfg_identity_result cfg_identity_load(struct cfg_identity *id, const char *path, char *msg,
					   size_t msg_len);

/* The content rule of cfg_identity_load, on `len` bytes of text (which need
 * not be NUL-terminated). `what` names the source in the message. */
enum cfg_identity_result cfg_identity_parse(struct cfg_identity *id, const char *text, size_t len,
					    const char *what, char *msg, size_t msg_len);

void cfg_identity_wipe(struct cfg_identity *id);

/* Short name of a result, for logs and tests. */
const char *cfg_identity_result_str(enum cfg_identity_result r);

#endif /* OMNI_CONFIG_IDENTITY_H */
