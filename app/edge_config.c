/* SPDX-License-Identifier: MIT */
/*
 * The edge's configuration: the wg-quick file (--wg-config) into the one
 * config model, the identity key when the file has no PrivateKey, then the
 * command line on top, then validation of the whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "config/wgquick.h"
#include "edge.h"
#include "identity.h"

static int load_identity(struct omni_config *cfg, const struct omni_cli *cli)
{
	struct omni_identity id;
	char msg[512];
	const char *path = omni_identity_path(cli->key);

	if (omni_identity_load(&id, path, msg, sizeof(msg)) != OMNI_IDENTITY_OK) {
		fprintf(stderr, "%s: %s\n", cli->prog, msg);
		return -1;
	}
	memcpy(cfg->iface.private_key, id.private_key, WG_KEY_LEN);
	cfg->iface.has_private_key = true;
	omni_identity_wipe(&id);
	return 0;
}

static int apply_cli(struct omni_config *cfg, const struct omni_cli *cli)
{
	char *end;
	unsigned long port;

	if (cli->underlay)
		snprintf(cfg->iface.underlay, sizeof(cfg->iface.underlay), "%s", cli->underlay);
	if (cli->host_port &&
	    omni_host_port_kind_from_name(cli->host_port, &cfg->iface.host_port_kind) != 0) {
		fprintf(stderr, "%s: --host-port: \"%s\" is not one of auto, tap, virtio-user, veth\n",
			cli->prog, cli->host_port);
		return -1;
	}
	if (cli->port) {
		port = strtoul(cli->port, &end, 10);
		if (*cli->port == '\0' || *end != '\0' || port == 0 || port > 65535) {
			fprintf(stderr, "%s: --port: \"%s\" is not a port number (1-65535)\n",
				cli->prog, cli->port);
			return -1;
		}
		cfg->iface.listen_port = (uint16_t)port;
	}
	return 0;
}

int omni_edge_configure(struct omni_edge *e, const struct omni_cli *cli)
{
	struct omni_config *cfg = &e->cfg;
	char err[OMNI_CONFIG_ERR_MAX];
	size_t i;

	omni_config_init(cfg);
	if (!cli->wg_config) {
		fprintf(stderr, "%s: an edge needs --wg-config FILE: --nucleus, --config and "
			"the cluster options are not implemented yet\n", cli->prog);
		return OMNI_EXIT_USAGE;
	}
	if (omni_wgquick_parse_file(cli->wg_config, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		return OMNI_EXIT_FAILURE;
	}
	for (i = 0; i < cfg->n_warnings; i++)
		fprintf(stderr, "%s: warning: %s\n", cli->prog, cfg->warnings[i]);
	if (!cfg->iface.has_private_key && load_identity(cfg, cli) != 0)
		return OMNI_EXIT_FAILURE;
	if (apply_cli(cfg, cli) != 0)
		return OMNI_EXIT_USAGE;
	e->no_xdp = cli->no_xdp;
	if (cli->xdp_mode && omni_xdp_mode_parse(cli->xdp_mode, &e->xdp_mode) != 0) {
		fprintf(stderr, "%s: --xdp-mode: \"%s\" is not one of auto, native, generic\n",
			cli->prog, cli->xdp_mode);
		return OMNI_EXIT_USAGE;
	}
	e->xdp_mode_given = e->xdp_mode != OMNI_XDP_MODE_AUTO;
	if (cfg->iface.underlay[0] == '\0') {
		fprintf(stderr, "%s: --underlay DEV is required (a kernel interface or a PCI "
			"address)\n", cli->prog);
		return OMNI_EXIT_USAGE;
	}
	if (omni_config_validate(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		return OMNI_EXIT_FAILURE;
	}
	return OMNI_EXIT_OK;
}
