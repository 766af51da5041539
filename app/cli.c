/* SPDX-License-Identifier: MIT */
/*
 * Command-line parsing. The flag names are the original product's (--init,
 * --mode nucleus, --nucleus, --cluster, --vip, --vip6, --port, --stun,
 * --secret, --config) plus this edition's (--key, --underlay, --wg-config,
 * --host-port, --metrics, -i/--interactive, --cmdfile, --secret-file).
 *
 * --secret keeps working for the original product's users, but every local
 * user can read a process's arguments (/proc/PID/cmdline, ps): its value is
 * copied and then overwritten in argv, which is what /proc shows, and a
 * warning names the ways that never expose it.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "config/secrets.h"

enum {
	OPT_INIT = 0x100,
	OPT_SHOW_IDENTITY,
	OPT_KEY,
	OPT_MODE,
	OPT_CONFIG,
	OPT_NUCLEUS,
	OPT_NUCLEUS_KEY,
	OPT_CLUSTER,
	OPT_VIP,
	OPT_VIP6,
	OPT_PORT,
	OPT_STUN,
	OPT_SECRET,
	OPT_SECRET_FILE,
	OPT_UNDERLAY,
	OPT_WG_CONFIG,
	OPT_HOST_PORT,
	OPT_METRICS,
	OPT_CMDFILE,
	OPT_CHECK,
	OPT_NO_XDP,
	OPT_XDP_MODE,
	OPT_TURN,
	OPT_TURN_SECRET_FILE,
	OPT_TURN_TTL,
	OPT_NETWORK_MODE,
};

static const char short_options[] = "+hVi";

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "show-identity", no_argument, NULL, OPT_SHOW_IDENTITY },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "nucleus", required_argument, NULL, OPT_NUCLEUS },
	{ "nucleus-key", required_argument, NULL, OPT_NUCLEUS_KEY },
	{ "cluster", required_argument, NULL, OPT_CLUSTER },
	{ "vip", required_argument, NULL, OPT_VIP },
	{ "vip6", required_argument, NULL, OPT_VIP6 },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "stun", required_argument, NULL, OPT_STUN },
	{ "secret", required_argument, NULL, OPT_SECRET },
	{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
	{ "underlay", required_argument, NULL, OPT_UNDERLAY },
	{ "wg-config", required_argument, NULL, OPT_WG_CONFIG },
	{ "host-port", required_argument, NULL, OPT_HOST_PORT },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "interactive", no_argument, NULL, 'i' },
	{ "cmdfile", required_argument, NULL, OPT_CMDFILE },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "no-xdp", no_argument, NULL, OPT_NO_XDP },
	{ "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
	{ "turn", required_argument, NULL, OPT_TURN },
	{ "turn-secret-file", required_argument, NULL, OPT_TURN_SECRET_FILE },
	{ "turn-ttl", required_argument, NULL, OPT_TURN_TTL },
	{ "network-mode", required_argument, NULL, OPT_NETWORK_MODE },
	{ NULL, 0, NULL, 0 },
};

const struct option *omni_cli_long_options(void)
{
	return long_options;
}

const char *omni_cli_short_options(void)
{
	return short_options;
}

static int usage_error(const struct omni_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const struct omni_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "%s: ", cli->prog);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "Try '%s --help' for more information.\n", cli->prog);
	return -1;
}

/* Where a string-valued run option is kept, or NULL for other options. */
static const char **string_slot(struct omni_cli *cli, int opt)
{
	switch (opt) {
	case OPT_CONFIG:
		return &cli->config;
	case OPT_NUCLEUS:
		return &cli->nucleus;
	case OPT_NUCLEUS_KEY:
		return &cli->nucleus_key;
	case OPT_CLUSTER:
		return &cli->cluster;
	case OPT_VIP:
		return &cli->vip;
	case OPT_VIP6:
		return &cli->vip6;
	case OPT_PORT:
		return &cli->port;
	case OPT_STUN:
		return &cli->stun;
	case OPT_SECRET_FILE:
		return &cli->secret_file;
	case OPT_UNDERLAY:
		return &cli->underlay;
	case OPT_WG_CONFIG:
		return &cli->wg_config;
	case OPT_HOST_PORT:
		return &cli->host_port;
	case OPT_METRICS:
		return &cli->metrics;
	case OPT_CMDFILE:
		return &cli->cmdfile;
	case OPT_XDP_MODE:
		return &cli->xdp_mode;
	case OPT_TURN:
		return &cli->turn;
	case OPT_TURN_SECRET_FILE:
		return &cli->turn_secret_file;
	case OPT_TURN_TTL:
		return &cli->turn_ttl;
	case OPT_NETWORK_MODE:
		return &cli->network_mode;
	default:
		return NULL;
	}
}

/* Splits "[EAL options] -- [ours]"; returns the index of our argv[0]. */
static int split_eal(struct omni_cli *cli, int argc, char **argv)
{
	int i;

	cli->eal_argc = 1;
	cli->eal_argv = argv;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			cli->eal_argc = i;
			/* getopt names the program after argv[0]: lend it the slot. */
			argv[i] = argv[0];
			return i;
		}
	}
	return 0;
}

struct cli_seen {
	bool help, version, init, show, mode;
	int n;
};

static int resolve(struct omni_cli *cli, const struct cli_seen *seen)
{
	const char *which = seen->init ? "--init" : "--show-identity";

	if (seen->help) {
		cli->command = OMNI_CMD_HELP;
		return 0;
	}
	if (seen->version) {
		cli->command = OMNI_CMD_VERSION;
		return 0;
	}
	if (seen->n == 0 && cli->eal_argc <= 1)
		return usage_error(cli, "nothing to do: give a mode, --init or --help");
	if (seen->init && seen->show)
		return usage_error(cli, "--init and --show-identity cannot be combined");
	if (seen->init || seen->show) {
		if (seen->mode || cli->n_run_options)
			return usage_error(cli, "%s takes no option but --key", which);
		if (cli->eal_argc > 1)
			return usage_error(cli, "%s takes no EAL options", which);
		cli->command = seen->init ? OMNI_CMD_INIT : OMNI_CMD_SHOW_IDENTITY;
		return 0;
	}
	if (cli->command == OMNI_CMD_NUCLEUS && cli->eal_argc > 1)
		return usage_error(cli, "the nucleus does not use DPDK: no EAL options");
	return 0;
}

/* --secret: a copy for us, and the argument overwritten in place so that
 * /proc/PID/cmdline no longer shows it. */
static int take_secret(struct omni_cli *cli, char *arg)
{
	char *copy = strdup(arg);

	if (!copy)
		return usage_error(cli, "--secret: out of memory");
	omni_cli_free(cli);
	cli->secret = copy;
	memset(arg, 'x', strlen(arg));
	if (!cli->secret_warned)
		fprintf(stderr,
			"%s: warning: --secret can be read by every local user (ps, "
			"/proc/PID/cmdline) and stays in shell history; use --secret-file FILE "
			"(mode 0600), the environment variable %s or the JSON file's "
			"security.secret_file\n",
			cli->prog, CFG_SECRET_ENV);
	cli->secret_warned = true;
	return 0;
}

void omni_cli_free(struct omni_cli *cli)
{
	if (cli->secret)
		sodium_memzero(cli->secret, strlen(cli->secret));
	free(cli->secret);
	cli->secret = NULL;
}

static int parse_mode(struct omni_cli *cli, const char *arg)
{
	if (strcmp(arg, "nucleus") == 0)
		cli->command = OMNI_CMD_NUCLEUS;
	else if (strcmp(arg, "edge") == 0)
		cli->command = OMNI_CMD_EDGE;
	else
		return usage_error(cli, "--mode: unknown mode '%s' (expected edge or nucleus)",
				   arg);
	return 0;
}

static int parse(struct omni_cli *cli, int argc, char **argv)
{
	struct cli_seen seen = { 0 };
	const char **slot;
	const char *slash;
	int base, c;

	cli->command = OMNI_CMD_EDGE;
	cli->prog = argc > 0 && argv[0] ? argv[0] : "omninervous";
	slash = strrchr(cli->prog, '/');
	if (slash && slash[1])
		cli->prog = slash + 1;
	if (argc < 1)
		return usage_error(cli, "no arguments at all");

	base = split_eal(cli, argc, argv);
	argc -= base;
	argv += base;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
		seen.n++;
		slot = string_slot(cli, c);
		if (slot) {
			*slot = optarg;
			cli->n_run_options++;
			continue;
		}
		switch (c) {
		case 'h':
			seen.help = true;
			break;
		case 'V':
			seen.version = true;
			break;
		case OPT_INIT:
			seen.init = true;
			break;
		case OPT_SHOW_IDENTITY:
			seen.show = true;
			break;
		case OPT_KEY:
			cli->key = optarg;
			break;
		case OPT_SECRET:
			cli->n_run_options++;
			if (take_secret(cli, optarg) < 0)
				return -1;
			break;
		case OPT_CHECK:
			cli->check = true;
			cli->n_run_options++;
			break;
		case OPT_NO_XDP:
			cli->no_xdp = true;
			cli->n_run_options++;
			break;
		case 'i':
			cli->interactive = true;
			cli->n_run_options++;
			break;
		case OPT_MODE:
			seen.mode = true;
			if (parse_mode(cli, optarg) < 0)
				return -1;
			break;
		default: /* getopt_long has said what is wrong */
			return usage_error(cli, NULL);
		}
	}
	if (optind < argc)
		return usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (cli->no_xdp && cli->xdp_mode)
		return usage_error(cli, "--no-xdp and --xdp-mode cannot be combined");
	if (cli->secret && cli->secret_file)
		return usage_error(cli, "--secret and --secret-file cannot be combined: give one");
	return resolve(cli, &seen);
}

int omni_cli_parse(struct omni_cli *cli, int argc, char **argv)
{
	int ret;

	memset(cli, 0, sizeof(*cli));
	ret = parse(cli, argc, argv);
	if (ret < 0)
		omni_cli_free(cli);
	return ret;
}
