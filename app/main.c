/* SPDX-License-Identifier: MIT */
/*
 * omninervous: parse the command line, then run the one command it names.
 * Each command lives in its own file; this is only the table.
 */
#include <stdio.h>

#include <sodium.h>

#include "cli.h"
#include "cli_doc.h"
#include "commands.h"
#include "config/print.h"
#include "edge.h"
#include "ops.h"
#include "nucleus.h"
#include "version.h"

static int cmd_help(const struct omni_cli *cli)
{
	omni_cli_usage(stdout, cli->prog);
	return OMNI_EXIT_OK;
}

static int cmd_version(const struct omni_cli *cli)
{
	printf("%s %s\n", cli->prog, OMNI_VERSION);
	return OMNI_EXIT_OK;
}

static int cmd_edge(const struct omni_cli *cli)
{
	static struct omni_edge edge; /* large; and zeroed for a partial stop */
	int ret = omni_edge_configure(&edge, cli);

	if (ret == OMNI_EXIT_OK && cli->check) {
		ret = cfg_config_print(&edge.cfg, stdout) == 0 ? OMNI_EXIT_OK : OMNI_EXIT_FAILURE;
		cfg_config_free(&edge.cfg);
		return ret;
	}
	if (ret == OMNI_EXIT_OK && edge.cfg.mode == CFG_MODE_NUCLEUS) {
		/* The file says what to be: a nucleus. */
		cfg_config_free(&edge.cfg);
		return omni_cmd_nucleus(cli);
	} else if (ret == OMNI_EXIT_OK) {
		if (omni_edge_start(&edge, cli) == 0 && omni_ops_start(&edge, cli) == 0) {
			omni_edge_run(&edge);
			ret = edge.exit_status;
		} else
			ret = OMNI_EXIT_FAILURE;
	}
	omni_ops_stop(&edge);
	omni_edge_stop(&edge);
	return ret;
}

static int (*const commands[])(const struct omni_cli *cli) = {
	[OMNI_CMD_EDGE] = cmd_edge,      [OMNI_CMD_NUCLEUS] = omni_cmd_nucleus,
	[OMNI_CMD_INIT] = omni_cmd_init, [OMNI_CMD_SHOW_IDENTITY] = omni_cmd_show_identity,
	[OMNI_CMD_HELP] = cmd_help,      [OMNI_CMD_VERSION] = cmd_version,
};

int main(int argc, char **argv)
{
	struct omni_cli cli;
	int ret = OMNI_EXIT_FAILURE;

	if (omni_cli_parse(&cli, argc, argv) < 0)
		return OMNI_EXIT_USAGE;
	if (sodium_init() < 0)
		fprintf(stderr, "%s: libsodium failed to initialise\n", cli.prog);
	else
		ret = commands[cli.command](&cli);
	omni_cli_free(&cli);
	return ret;
}
