/* SPDX-License-Identifier: MIT */
/*
 * Reader for the configuration file format of wg-quick(8), so an existing
 * WireGuard set-up moves over unchanged (docs/wg-quick.md).
 *
 *   [Interface]  PrivateKey, ListenPort, Address (several, v4 and v6), MTU
 *                DNS, Table, PreUp, PostUp, PreDown, PostDown, SaveConfig,
 *                FwMark: accepted and ignored, with a warning each
 *   [Peer]       PublicKey, PresharedKey, Endpoint, AllowedIPs (several),
 *                PersistentKeepalive
 *
 * Keys and section names are case-insensitive, '#' starts a comment, blank
 * lines and blanks around '=' and ',' are fine, CRLF line endings too.
 * Anything else is an error "FILE:LINE: what: "bad value"" and the reader
 * returns no model at all. Private and preshared key values never appear in
 * a message.
 *
 * The reader fills a fresh model and checks each value; the rules across
 * fields (a peer has a public key, no allowed IP in two peers, a private key
 * somewhere: the file or --key) are cfg_config_validate()'s, called by the
 * caller once every source has been merged in.
 */
#ifndef OMNI_CONFIG_WGQUICK_H
#define OMNI_CONFIG_WGQUICK_H

#include <stddef.h>

#include "model.h"

enum {
	CFG_WGQ_LINE_MAX = 4096,     /* bytes in a line, line end excluded */
	CFG_WGQ_FILE_MAX = 16 << 20, /* bytes in a file */
};

/*
 * Reads the wg-quick file at path into *out (overwritten, not freed: pass an
 * empty or initialized model). Host names in Endpoint are resolved here.
 * Warnings (ignored keys, host bits cleared, a file others may read) go to
 * out->warnings. Returns 0, or a negative errno with err filled and *out
 * initialized and empty: -EINVAL bad content, -EAGAIN a name could not be
 * resolved for now, -EFBIG, -ENOMEM, or the error of open/read.
 */
int cfg_wgquick_parse_file(const char *path, struct cfg_config *out, char *err, size_t errlen);

/*
 * The same on a buffer of len bytes (no NUL needed; a NUL inside is an
 * error). name is used in messages. flags: CFG_VALUE_NO_RESOLVE (value.h)
 * refuses host names instead of resolving them.
 */
int cfg_wgquick_parse_buffer(const char *name, const char *buf, size_t len, unsigned flags,
			     struct cfg_config *out, char *err, size_t errlen);

#endif /* OMNI_CONFIG_WGQUICK_H */
