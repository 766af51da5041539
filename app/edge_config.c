/* SPDX-License-Identifier: MIT */
/*
 * The edge's configuration, from its sources in order of precedence:
 *
 *   defaults < the file (--config JSON, or --wg-config wg-quick) < the
 *   command line
 *
 * then the secret files the model names, the identity key when no private
 * key was given inline, and validation of the whole. Everything goes into a
 * fresh model that the caller swaps in only on success, so a bad file never
 * half-applies (reload uses the same path).
 *
 * --config and --wg-config are refused together: the JSON file has a peers
 * list of its own, and merging two peer sets and two [Interface]s would
 * leave no single place that says what runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
#include "config/identity.h"
#include "config/json.h"
#include "config/secrets.h"
#include "config/value.h"
#include "config/wgquick.h"
#include "edge.h"

/* Private key precedence: --key, then the file's inline key, then its
 * private_key_file, then $OMNI_KEY or the default path. */
static int load_identity(struct cfg_config *cfg, const struct omni_cli *cli, char *err,
			 size_t errlen)
{
	const char *path = cli->key ? cli->key : cfg->iface.private_key_file;
	struct cfg_identity id;
	char msg[CFG_IDENTITY_MSG_LEN];

	if (!cli->key && cfg->iface.has_private_key)
		return 0;
	if (cfg_identity_load(&id, cfg_identity_path(path), msg, sizeof(msg)) != CFG_IDENTITY_OK) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	memcpy(cfg->iface.private_key, id.private_key, WG_KEY_LEN);
	cfg->iface.has_private_key = true;
	cfg_identity_wipe(&id);
	return 0;
}

__attribute__((format(printf, 3, 4))) static int bad_flag(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int flag_text(char **slot, const char *value, char *err, size_t errlen)
{
	char *copy = strdup(value);

	if (!copy)
		return bad_flag(err, errlen, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

/* --stun "a:1 b:2" or --stun '["a:1", "b:2"]'. */
static int flag_stun(struct cfg_config *cfg, const char *value, char *err, size_t errlen)
{
	json_t *list = value[0] == '[' ? json_loads(value, 0, NULL) : NULL;
	char *copy = strdup(value), *rest = copy, *word;
	const char *why;
	size_t i;
	int rc = copy && (value[0] != '[' || json_is_array(list)) ? 0 : -1;

	while (cfg->network.n_stun_servers)
		free(cfg->network.stun_servers[--cfg->network.n_stun_servers]);
	for (i = 0; !rc && list && i < json_array_size(list); i++) {
		const char *s = json_string_value(json_array_get(list, i));

		rc = s && !cfg_host_port_check(s, &why) ?
			     cfg_strlist_add(&cfg->network.stun_servers,
					     &cfg->network.n_stun_servers, s) :
			     -1;
	}
	while (!rc && !list && (word = strsep(&rest, " \t,")) != NULL) {
		if (*word)
			rc = !cfg_host_port_check(word, &why) ?
				     cfg_strlist_add(&cfg->network.stun_servers,
						     &cfg->network.n_stun_servers, word) :
				     -1;
	}
	json_decref(list);
	free(copy);
	if (rc)
		return bad_flag(err, errlen,
				"--stun: expected \"HOST:PORT HOST:PORT\" or a JSON "
				"list of HOST:PORT strings");
	return 0;
}

static int flag_vip(struct net_prefix *out, const char *flag, const char *value, unsigned family,
		    char *err, size_t errlen)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];
	const char *why;

	if (cfg_vip_parse(value, family, out, &why) == 0)
		return 0;
	cfg_quote(quoted, sizeof(quoted), value);
	return bad_flag(err, errlen, "%s: \"%s\" is not an %s address", flag, quoted,
			family == NET_AF_IP4 ? "IPv4" : "IPv6");
}

static int flag_port(uint16_t *out, const char *value, char *err, size_t errlen)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];
	unsigned long port;

	if (cfg_uint_parse(value, 65535, &port) == 0 && port > 0) {
		*out = (uint16_t)port;
		return 0;
	}
	cfg_quote(quoted, sizeof(quoted), value);
	return bad_flag(err, errlen, "--port: \"%s\" is not a port number (1-65535)", quoted);
}

static int flag_addr(char *out, size_t outlen, const char *flag, const char *value, char *err,
		     size_t errlen)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];
	struct cfg_endpoint ep;
	const char *why;

	if (strlen(value) < outlen &&
	    cfg_endpoint_parse(value, CFG_VALUE_NO_RESOLVE, &ep, &why) == 0) {
		snprintf(out, outlen, "%s", value);
		return 0;
	}
	cfg_quote(quoted, sizeof(quoted), value);
	return bad_flag(err, errlen, "%s: \"%s\" is not ADDR:PORT (an IP address and a port)", flag,
			quoted);
}

/* --secret, --secret-file or OMNI_SECRET over the file's (secrets.h). */
static int apply_secret(struct cfg_config *cfg, const struct omni_cli *cli, char *err,
			size_t errlen)
{
	const struct cfg_secret_args a = { cli->secret, cli->secret_file, getenv(CFG_SECRET_ENV) };
	const char *from;
	char *secret;

	if (cfg_secret_resolve(&a, &secret, &from, err, errlen) != 0)
		return -1;
	if (!secret)
		return 0;
	cfg_secret_free(cfg->security.secret);
	free(cfg->security.secret_file);
	cfg->security.secret_file = NULL;
	cfg->security.secret = secret;
	return 0;
}

static int apply_network_flags(struct cfg_config *cfg, const struct omni_cli *cli, char *err,
			       size_t errlen)
{
	struct cfg_network *n = &cfg->network;
	const char *why;

	if (cli->nucleus && cfg_host_port_check(cli->nucleus, &why))
		return bad_flag(err, errlen, "--nucleus: expected HOST:PORT (%s)", why);
	if (cli->nucleus && flag_text(&n->nucleus, cli->nucleus, err, errlen))
		return -1;
	if (cli->cluster && flag_text(&n->cluster, cli->cluster, err, errlen))
		return -1;
	if (cli->nucleus_key && !wg_key_from_base64(n->nucleus_key, cli->nucleus_key))
		return bad_flag(err, errlen,
				"--nucleus-key: expected a public key, 44 characters of base64 "
				"(as the nucleus prints it)");
	n->has_nucleus_key |= cli->nucleus_key != NULL;
	if (cli->vip && flag_vip(&n->vip, "--vip", cli->vip, NET_AF_IP4, err, errlen))
		return -1;
	if (cli->vip6 && flag_vip(&n->vip6, "--vip6", cli->vip6, NET_AF_IP6, err, errlen))
		return -1;
	if (cli->stun && flag_stun(cfg, cli->stun, err, errlen))
		return -1;
	if (cli->network_mode && cfg_net_mode_from_name(cli->network_mode, &n->net_mode) != 0) {
		char quoted[CFG_QUOTE_MAX * 4 + 8];

		cfg_quote(quoted, sizeof(quoted), cli->network_mode);
		return bad_flag(err, errlen, "--network-mode: \"%s\" is not l3 or l2", quoted);
	}
	return apply_secret(cfg, cli, err, errlen);
}

/* The command line over the file. */
static int apply_cli(struct cfg_config *cfg, const struct omni_cli *cli, char *err, size_t errlen)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];

	if (cli->command == OMNI_CMD_NUCLEUS)
		cfg->mode = CFG_MODE_NUCLEUS;
	if (cli->command != OMNI_CMD_NUCLEUS &&
	    (cli->turn || cli->turn_secret_file || cli->turn_ttl))
		return bad_flag(err, errlen,
				"--turn, --turn-secret-file and --turn-ttl are the nucleus's "
				"(--mode nucleus): an edge gets its relay from its nucleus");
	if (cli->underlay)
		snprintf(cfg->iface.underlay, sizeof(cfg->iface.underlay), "%s", cli->underlay);
	if (cli->host_port &&
	    cfg_host_port_kind_from_name(cli->host_port, &cfg->iface.host_port_kind) != 0) {
		cfg_quote(quoted, sizeof(quoted), cli->host_port);
		return bad_flag(err, errlen,
				"--host-port: \"%s\" is not one of auto, tap, "
				"virtio-user, veth, tap-gso",
				quoted);
	}
	if (cli->port &&
	    flag_port(cfg->mode == CFG_MODE_NUCLEUS ? &cfg->nucleus.port : &cfg->iface.listen_port,
		      cli->port, err, errlen))
		return -1;
	/* "off" (or "") turns the endpoint off, as "" does in the file. */
	if (cli->metrics && (!cli->metrics[0] || strcmp(cli->metrics, "off") == 0))
		cfg->metrics.listen[0] = '\0';
	else if (cli->metrics && flag_addr(cfg->metrics.listen, sizeof(cfg->metrics.listen),
					   "--metrics", cli->metrics, err, errlen))
		return -1;
	return apply_network_flags(cfg, cli, err, errlen);
}

static int read_file(struct cfg_config *cfg, const struct omni_cli *cli, char *err, size_t errlen)
{
	if (cli->config && cli->wg_config) {
		snprintf(err, errlen,
			 "--config and --wg-config cannot be combined: list the "
			 "peers in the JSON file's \"peers\" (docs/config.md)");
		return OMNI_EXIT_USAGE;
	}
	if (!cli->config && !cli->wg_config && !cli->nucleus && cli->command != OMNI_CMD_NUCLEUS) {
		snprintf(err, errlen,
			 "an edge needs --config FILE (JSON), --wg-config FILE "
			 "(wg-quick) or --nucleus HOST:PORT with --cluster, --vip and --secret-file");
		return OMNI_EXIT_USAGE;
	}
	if (cli->config && cfg_json_parse_file(cli->config, cfg, err, errlen) != 0)
		return OMNI_EXIT_FAILURE;
	if (cli->wg_config && cfg_wgquick_parse_file(cli->wg_config, cfg, err, errlen) != 0)
		return OMNI_EXIT_FAILURE;
	return OMNI_EXIT_OK;
}

/* A cluster edge without addresses of its own gets its VIPs on omni0. */
static int vip_addresses(struct cfg_config *cfg)
{
	struct cfg_interface *ifc = &cfg->iface;

	if (ifc->n_addresses)
		return 0;
	if (cfg->network.vip.addr.family == NET_AF_IP4 &&
	    cfg_interface_add_address(ifc, &cfg->network.vip) != 0)
		return -1;
	if (cfg->network.vip6.addr.family == NET_AF_IP6 &&
	    cfg_interface_add_address(ifc, &cfg->network.vip6) != 0)
		return -1;
	return 0;
}

int omni_edge_config_read(struct cfg_config *cfg, const struct omni_cli *cli, char *err,
			  size_t errlen)
{
	int ret;

	cfg_config_init(cfg);
	ret = read_file(cfg, cli, err, errlen);
	if (ret != OMNI_EXIT_OK)
		return ret;
	if (apply_cli(cfg, cli, err, errlen) != 0)
		return OMNI_EXIT_USAGE;
	if (cfg_config_load_secrets(cfg, err, errlen) != 0)
		return OMNI_EXIT_FAILURE;
	/* In L2 mode omni0 is a segment port: its addresses are the hosts' own
	 * (docs/l2.md), the VIPs only carry the tunnel. */
	if (cfg->mode == CFG_MODE_EDGE && cfg->network.nucleus &&
	    cfg->network.net_mode == CFG_NET_L3 && vip_addresses(cfg) != 0) {
		snprintf(err, errlen, "out of memory");
		return OMNI_EXIT_FAILURE;
	}
	if (cfg->mode == CFG_MODE_EDGE) {
		if (load_identity(cfg, cli, err, errlen) != 0)
			return OMNI_EXIT_FAILURE;
		if (cfg->iface.underlay[0] == '\0') {
			snprintf(err, errlen,
				 "no underlay: give --underlay DEV or daemon.interface "
				 "(a kernel interface or a PCI address)");
			return OMNI_EXIT_USAGE;
		}
	}
	if (cfg_config_validate(cfg, err, errlen) != 0)
		return OMNI_EXIT_FAILURE;
	return OMNI_EXIT_OK;
}

int omni_edge_configure(struct omni_edge *e, const struct omni_cli *cli)
{
	struct cfg_config fresh;
	char err[CFG_CONFIG_ERR_MAX];
	int ret = omni_edge_config_read(&fresh, cli, err, sizeof(err));

	for (size_t i = 0; i < fresh.n_warnings; i++)
		fprintf(stderr, "%s: warning: %s\n", cli->prog, fresh.warnings[i]);
	if (ret != OMNI_EXIT_OK) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		cfg_config_free(&fresh);
		cfg_config_init(&e->cfg);
		return ret;
	}
	e->cfg = fresh;
	sodium_memzero(&fresh, sizeof(fresh));
	e->no_xdp = cli->no_xdp;
	if (cli->xdp_mode && xdpfb_mode_parse(cli->xdp_mode, &e->xdp_mode) != 0) {
		fprintf(stderr, "%s: --xdp-mode: \"%s\" is not one of auto, native, generic\n",
			cli->prog, cli->xdp_mode);
		return OMNI_EXIT_USAGE;
	}
	e->xdp_mode_given = e->xdp_mode != XDPFB_MODE_AUTO;
	return OMNI_EXIT_OK;
}

_Static_assert((int)OMNI_EDGE_DEVICES_MAX == (int)CFG_JSON_DEVICES_MAX,
	       "one limit for dpdk.devices");

/* DPDK's level names for ours. */
static const char *dpdk_level(enum cfg_log_level level)
{
	static const char *const names[] = {
		[CFG_LOG_ERROR] = "err",
		[CFG_LOG_WARN] = "warning",
		[CFG_LOG_INFO] = "info",
		[CFG_LOG_DEBUG] = "debug",
	};

	return (size_t)level < sizeof(names) / sizeof(names[0]) ? names[level] : "info";
}

/* "0000:03:00.0" or "03:00.0": hex digits, ':' and '.' only. */
static bool is_pci_address(const char *s)
{
	return s[strspn(s, "0123456789abcdefABCDEF:.")] == '\0' && strchr(s, ':') && strchr(s, '.');
}

void omni_edge_eal_conf(const struct cfg_config *cfg, const struct omni_cli *cli,
			struct omni_edge_eal *out)
{
	const struct cfg_dpdk *d = &cfg->dpdk;
	struct dp_eal_conf *ec = &out->conf;

	memset(out, 0, sizeof(*out));
	ec->prog = cli->prog;
	ec->lcores = d->n_lcores ? d->n_lcores : 1;
	ec->lcore_list = d->lcores;
	ec->mem_mb = d->memory_mb;
	ec->no_huge = d->hugepages == CFG_OFF;
	ec->need_huge = d->hugepages == CFG_ON;
	ec->omni_log_level = dpdk_level(cfg->log_level);
	for (size_t i = 0; i < d->n_devices && i < OMNI_EDGE_DEVICES_MAX; i++) {
		if (is_pci_address(d->devices[i]))
			out->pci[ec->n_pci++] = d->devices[i];
		else
			out->vdevs[ec->n_vdevs++] = d->devices[i];
	}
	ec->pci = out->pci;
	ec->vdevs = out->vdevs;
	/* EAL arguments on the command line replace dpdk.eal_args. */
	if (cli->eal_argc > 1) {
		ec->user_argc = cli->eal_argc - 1;
		ec->user_argv = cli->eal_argv + 1;
	} else {
		ec->user_argc = (int)d->n_eal_args;
		ec->user_argv = d->eal_args;
	}
}
