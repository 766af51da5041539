/* SPDX-License-Identifier: MIT */
/*
 * Command line: parsed into a plain model, checked whole, and only then
 * acted on by main's dispatch table.
 *
 *   omninervous [EAL options --] [options]
 *
 * DPDK EAL options, when given, come before a "--" as in every DPDK
 * application; everything after it (or everything, without "--") is ours.
 */
#ifndef OMNI_APP_CLI_H
#define OMNI_APP_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses of the executable. */
enum omni_exit {
	OMNI_EXIT_OK = 0,
	OMNI_EXIT_FAILURE = 1,
	OMNI_EXIT_USAGE = 2, /* bad command line, or a mode not implemented yet */
};

enum omni_command {
	OMNI_CMD_EDGE = 0,
	OMNI_CMD_NUCLEUS,
	OMNI_CMD_INIT,
	OMNI_CMD_SHOW_IDENTITY,
	OMNI_CMD_HELP,
	OMNI_CMD_VERSION,
};

struct omni_cli {
	enum omni_command command;
	const char *prog;

	const char *key;              /* --key; NULL: $OMNI_KEY or the default */
	const char *config;           /* --config */
	const char *nucleus;          /* --nucleus host:port */
	const char *nucleus_key;      /* --nucleus-key base64 */
	const char *cluster;          /* --cluster */
	const char *vip;              /* --vip */
	const char *vip6;             /* --vip6 */
	const char *port;             /* --port */
	const char *stun;             /* --stun, last one given */
	char *secret;                 /* --secret: a copy (argv's is overwritten); wiped */
	const char *secret_file;      /* --secret-file */
	const char *underlay;         /* --underlay */
	const char *wg_config;        /* --wg-config */
	const char *host_port;        /* --host-port */
	const char *metrics;          /* --metrics */
	const char *cmdfile;          /* --cmdfile */
	bool secret_warned;           /* --secret's warning was printed */
	bool interactive;             /* -i, --interactive */
	bool check;                   /* --check: validate and print the configuration */
	bool no_xdp;                  /* --no-xdp: AF_PACKET underlay */
	const char *xdp_mode;         /* --xdp-mode auto|native|generic */
	const char *turn;             /* nucleus: --turn "IP:PORT IP:PORT" */
	const char *turn_secret_file; /* nucleus: --turn-secret-file */
	const char *turn_ttl;         /* nucleus: --turn-ttl SECS */
	const char *network_mode;     /* --network-mode l3|l2 (docs/l2.md) */

	/* Options other than --key that only the edge or nucleus use. */
	unsigned n_run_options;

	/* EAL arguments, argv[0] included (rte_eal_init's convention). */
	int eal_argc;
	char **eal_argv;
};

/*
 * Fills cli from argv. Returns 0, or -1 after printing the reason to stderr.
 * May rewrite argv[] in place (the "--" slot), and overwrites the value of
 * --secret in place after copying it (with one warning line on stderr).
 * Release with omni_cli_free.
 */
int omni_cli_parse(struct omni_cli *cli, int argc, char **argv);
/* Wipes and frees the copy of --secret. */
void omni_cli_free(struct omni_cli *cli);

/* The parser's own tables, for app/mangen.c's list of the flags it takes
 * (checked against cli_doc.c's descriptions by the unit test cli_doc). */
struct option;
const struct option *omni_cli_long_options(void); /* ends in a zero row */
const char *omni_cli_short_options(void);

#endif /* OMNI_APP_CLI_H */
