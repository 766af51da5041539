/* SPDX-License-Identifier: MIT */
/*
 * The arguments of the console's `peer add` and `peer del`, into the
 * config model's cfg_peer, checked as the config readers check them:
 *
 *   peer add KEY [endpoint HOST:PORT] [allowed-ips PFX[,PFX...]] [keepalive S]
 *
 * Errors quote the word and say the rule. No DPDK: unit-tested alone.
 */
#ifndef OMNI_CONFIG_CONSOLE_ARGS_H
#define OMNI_CONFIG_CONSOLE_ARGS_H

#include <stddef.h>

#include "model.h"

enum { CFG_CONSOLE_MAX_ALLOWED_IPS = 256 };

/* key: base64 public key; opts: the rest of the line (may be NULL or ""),
 * options in any order, each at most once. Returns 0, or -EINVAL (-ENOMEM)
 * with the reason in err; p is left cleared on failure. flags as for
 * cfg_endpoint_parse (CFG_VALUE_NO_RESOLVE in tests). */
int cfg_console_parse_peer(const char *key, const char *opts, unsigned flags, struct cfg_peer *p,
			   char *err, size_t errlen);
/* A public key alone (`peer del KEY`). 0 or -EINVAL with err. */
int cfg_console_parse_key(const char *key, uint8_t out[WG_KEY_LEN], char *err, size_t errlen);
/* Free what cfg_console_parse_peer allocated; p is zeroed. */
void cfg_console_peer_clear(struct cfg_peer *p);

#endif /* OMNI_CONFIG_CONSOLE_ARGS_H */
