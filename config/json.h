/* SPDX-License-Identifier: MIT */
/*
 * Reader for the JSON configuration file (--config FILE), parsed with
 * jansson into the one model (model.h). Every key is listed, with its type,
 * default and meaning, in docs/config.md; the sections are
 *
 *   mode                   "edge" (default) or "nucleus"
 *   dpdk                   lcores, devices, memory_mb, hugepages, eal_args
 *   daemon                 port, interface (or underlay), host_interface,
 *                          host_port, private_key / private_key_file,
 *                          addresses, mtu, log_level
 *   network                nucleus, cluster, vip, vip6, stun_servers,
 *                          use_builtin_stun, prefer_ipv6,
 *                          happy_eyeballs_delay_ms
 *   security               max_sessions_per_ip, handshake_timeout_secs,
 *                          encrypt_signaling, secret / secret_file
 *   peers[]                public_key, endpoint, allowed_ips,
 *                          persistent_keepalive, preshared_key /
 *                          preshared_key_file
 *   metrics                listen ("ADDR:PORT"; "" turns it off)
 *   nucleus                port, clusters[] {name, secret / secret_file}
 *
 * A key named "_comment" (a string or a list of strings) may appear in any
 * object and is ignored: JSON has no comments. Any other unknown key is an
 * error, and so is a value of the wrong type, a duplicate key, or a value
 * out of its range. Messages:
 *
 *   FILE:LINE:COLUMN: MESSAGE          syntax (from jansson)
 *   FILE: PATH: MESSAGE                a value ("peers[2].allowed_ips[0]:
 *                                      "10.0.0.0/33" is not a prefix ...")
 *
 * Secrets (private_key, preshared_key, secret) never appear in a message,
 * and every string of the parsed document is wiped before it is freed.
 * Relative file names (private_key_file, preshared_key_file, secret_file)
 * are taken from the directory of the configuration file; the files are
 * read later by cfg_config_load_secrets (secrets.h), so parsing reads
 * nothing but the configuration itself.
 */
#ifndef OMNI_CONFIG_JSON_H
#define OMNI_CONFIG_JSON_H

#include <stddef.h>

#include "model.h"

enum cfg_json_limits {
	CFG_JSON_FILE_MAX = 16 << 20, /* bytes in a file */
	CFG_JSON_LCORES_MAX = 128,    /* dpdk.lcores as a count */
	CFG_JSON_EAL_ARGS_MAX = 32,   /* dpdk.eal_args items */
	CFG_JSON_DEVICES_MAX = 16,    /* dpdk.devices items */
	CFG_JSON_TEXT_MAX = 256,      /* characters of a name, list or path */
	CFG_JSON_PATH_MAX = 192,      /* characters of a JSON path in a message */
};

/*
 * Reads the JSON file at path into *out (overwritten, not freed: pass an
 * empty or initialized model). Host names in peers[].endpoint are resolved
 * here. Returns 0, or a negative errno with err filled and *out initialized
 * and empty: -EINVAL bad content, -EAGAIN a name could not be resolved for
 * now, -EFBIG, -ENOMEM, or the error of open/read.
 */
int cfg_json_parse_file(const char *path, struct cfg_config *out, char *err, size_t errlen);

/*
 * The same on a buffer of len bytes (no NUL needed). name is used in
 * messages and as the base of relative file names. flags:
 * CFG_VALUE_NO_RESOLVE (value.h) refuses host names instead of resolving.
 */
int cfg_json_parse_buffer(const char *name, const char *buf, size_t len, unsigned flags,
			  struct cfg_config *out, char *err, size_t errlen);

#endif /* OMNI_CONFIG_JSON_H */
