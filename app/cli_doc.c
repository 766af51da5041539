/* SPDX-License-Identifier: MIT */
/*
 * The command line described once (cli_doc.h): the tables below, and the two
 * ways they are printed, `--help` (plain text, wrapped to 80 columns) and
 * omninervous(8) (roff, made at build time by app/mangen.c).
 */
#include <stdbool.h>
#include <string.h>

#include "cli_doc.h"
#include "config/identity.h"
#include "config/secrets.h"

#ifndef OMNI_XDP_OBJ_INSTALLED
#define OMNI_XDP_OBJ_INSTALLED "LIBDIR/omninervous/omni_xdp.o"
#endif

static const char summary[] =
	"OmniNervous: a WireGuard-compatible P2P mesh VPN with a DPDK data plane.";

/* The man page's DESCRIPTION, one paragraph a string. */
static const char *const description[] = {
	"omninervous is a WireGuard gateway whose data plane runs on DPDK. As an "
	"edge it speaks the WireGuard protocol with stock WireGuard peers (the "
	"Linux module, wireguard-go) from a wg-quick style file or a JSON "
	"configuration, and the host sees the tunnel as the interface omni0. "
	"With a nucleus (--mode nucleus, a small signaling server) the edges of "
	"a cluster find each other through NATs by themselves.",
	"DPDK EAL options (edge only) go before a \"--\", as in any DPDK program; "
	"without them the edge runs on one lcore with the memory it needs. The "
	"underlay is a DPDK device, or a kernel interface reached through AF_XDP "
	"(or AF_PACKET with --no-xdp).",
	NULL,
};

const struct omni_cli_doc omni_cli_docs[] = {
	{ .heading = "Identity" },
	{ 0, "init", NULL, "create a new identity key, print its public key" },
	{ 0, "show-identity", NULL, "print the public key of the identity" },
	{ 0, "key", "FILE",
	  "identity key file (default: $" CFG_IDENTITY_ENV
	  " if set, else " CFG_IDENTITY_DEFAULT_PATH
	  "); mode 0600, never readable by group or others; `wg genkey` format. With --mode "
	  "nucleus: the nucleus's own key pair, made at first start" },
	{ .heading = "Modes" },
	{ 0, "mode", "edge|nucleus",
	  "run as an edge (default) or as the nucleus signaling server (nucleus: --port, "
	  "--secret-file for any cluster name, --cluster for only that one, or --config; "
	  "--metrics, --check)" },
	{ 0, "config", "FILE",
	  "JSON configuration file (docs/config.md); the options below override what it says" },
	{ 0, "check", NULL,
	  "read and validate the configuration, print it as JSON (secrets hidden) and exit: "
	  "0 if good" },
	{ .heading = "Edge and nucleus" },
	{ 0, "nucleus", "HOST:PORT", "nucleus address (a name, IPv4 or [IPv6])" },
	{ 0, "nucleus-key", "KEY",
	  "the nucleus's public key (base64; it prints it at start): trust only answers made "
	  "with it" },
	{ 0, "cluster", "NAME", "cluster name" },
	{ 0, "vip", "ADDR[/LEN]", "virtual IPv4 address, e.g. 10.200.0.1 (/16 in 10.200/16)" },
	{ 0, "vip6", "ADDR[/LEN]", "virtual IPv6 address, e.g. fd00::1/64" },
	{ 0, "network-mode", "l3|l2",
	  "l3 (default): omni0 routes the VIPs; l2: omni0 is a port of one Ethernet segment "
	  "across the cluster, frames in VXLAN between the VIPs (docs/l2.md). With --mode "
	  "nucleus: the mode the --cluster announces to its members" },
	{ 0, "port", "PORT", "UDP listen port (default 51820)" },
	{ 0, "stun", "SERVERS",
	  "STUN server(s): \"host:port host:port\", comma-separated, or a JSON list "
	  "(default: none)" },
	{ 0, "secret-file", "FILE",
	  "cluster secret (16 characters or more) from FILE, one line, mode 0600; or the "
	  "environment variable " CFG_SECRET_ENV "; or the JSON file's security.secret_file" },
	{ 0, "secret", "SECRET",
	  "the same on the command line, where every local user can read it (warns): prefer "
	  "the above" },
	{ 0, "underlay", "PORT", "underlay port: a DPDK device or a kernel interface" },
	{ 0, "host-port", "KIND", "host port omni0: auto, veth, tap, tap-gso, virtio-user" },
	{ 0, "wg-config", "FILE", "peers from a wg-quick style file" },
	{ 0, "xdp-mode", "MODE",
	  "kernel-interface underlay through AF_XDP with our XDP program: auto (native where "
	  "the driver has XDP, else generic; default), native, generic" },
	{ 0, "no-xdp", NULL, "kernel-interface underlay through AF_PACKET" },
	{ 0, "metrics", "ADDR:PORT",
	  "serve Prometheus /metrics and /health (default 127.0.0.1:9586; \"off\" for none)" },
	{ 'i', "interactive", NULL, "interactive console (omni> prompt, `help`)" },
	{ 0, "cmdfile", "FILE", "run console commands from FILE at start" },
	{ .heading = "Nucleus relay (docs/signaling.md, \"The relay\")" },
	{ 0, "turn", "SERVERS",
	  "TURN server(s) for members that cannot punch: \"IP:PORT IP:PORT\", comma-separated "
	  "literals" },
	{ 0, "turn-secret-file", "FILE",
	  "coturn's static-auth-secret (use-auth-secret), one line, mode 0600; members get "
	  "short-lived credentials made with it, never the secret" },
	{ 0, "turn-ttl", "SECS", "lifetime of those credentials (default 600)" },
	{ .heading = "General" },
	{ 'h', "help", NULL, "this help" },
	{ 'V', "version", NULL, "print the version" },
	{ 0 },
};

const struct omni_doc_item omni_exit_docs[] = {
	{ "0", "success" },
	{ "1", "failure: a bad configuration, a port or file that cannot be opened" },
	{ "2", "usage error, or a mode not implemented yet" },
	{ 0 },
};

const struct omni_doc_item omni_signal_docs[] = {
	{ "SIGHUP",
	  "the edge reads its configuration files again and applies the peers that changed "
	  "(added, changed, removed) without dropping the others' sessions, and a changed "
	  "cluster secret (it registers again under it); it logs one \"reload:\" or "
	  "\"reload refused:\" line. The nucleus reads its --config file again, validated "
	  "whole first, and applies the clusters' admission lists (members taken off are "
	  "removed at once) and changed secrets (the old one accepted for "
	  "nucleus.secret_window seconds); an error keeps what it had." },
	{ "SIGUSR1",
	  "the edge prints a block of counters to standard output, one \"stats: NAME VALUE\" "
	  "line each. The nucleus leaves it at its default action, which ends it." },
	{ "SIGTERM, SIGINT",
	  "stop cleanly: the edge removes omni0 and its routes, prints its counters and wipes "
	  "its keys; the nucleus prints its counters. Exit status 0." },
	{ 0 },
};

const struct omni_doc_item omni_file_docs[] = {
	{ "/etc/omninervous/gateway.json", "the configuration the systemd unit runs" },
	{ CFG_IDENTITY_DEFAULT_PATH, "the identity key, made by --init (mode 0600)" },
	{ "/etc/omninervous/examples/", "example configurations (docs/config.md)" },
	{ OMNI_XDP_OBJ_INSTALLED,
	  "the XDP program for kernel-interface underlays ($OMNI_XDP_OBJECT overrides)" },
	{ "/run/omninervous/", "one lock file per interface in use: one gateway per interface" },
	{ "/run/lock/omninervous-cpu*.lock",
	  "a gateway started without lcore options holds the lock of the CPU it runs on" },
	{ "/var/run/wireguard/<host port>.sock",
	  "the WireGuard userspace API socket (mode 0600) that wg(8) talks to" },
	{ "/usr/share/doc/omninervous/", "the documentation: README.md and docs/*.md" },
	{ 0 },
};

const struct omni_doc_item omni_env_docs[] = {
	{ CFG_IDENTITY_ENV, "the identity key file, when --key is not given" },
	{ CFG_SECRET_ENV, "the cluster secret, when neither --secret-file nor --secret is given" },
	{ "OMNI_XDP_OBJECT", "the XDP program to load instead of the installed one" },
	{ "OMNI_IDLE", "busy: lcores poll without sleeping (each burns a whole core); "
		       "fair: no wake priority (idle lcores stay SCHED_OTHER)" },
	{ "OMNI_TAP_USO",
	  "off: the tap-gso host port without UDP segmentation offload (on: the default)" },
	{ 0 },
};

/* ---- --help --------------------------------------------------------------- */

enum { HELP_WIDTH = 79, HELP_COLUMN = 26 };

/* TEXT wrapped at HELP_WIDTH, starting at column AT, continued at COLUMN. */
static void wrap(FILE *out, const char *text, int at, int column)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, " ");

		if (at > column && at + 1 + (int)len > HELP_WIDTH) {
			fprintf(out, "\n%*s", column, "");
			at = column;
		} else if (at > column) {
			fputc(' ', out);
			at++;
		} else {
			fprintf(out, "%*s", column - at, "");
			at = column;
		}
		fprintf(out, "%.*s", (int)len, p);
		at += (int)len;
		p += len;
		p += strspn(p, " ");
	}
	fputc('\n', out);
}

static void usage_option(FILE *out, const struct omni_cli_doc *d)
{
	char term[64];
	int n;

	if (d->short_name)
		n = snprintf(term, sizeof(term), "  -%c, --%s", d->short_name, d->name);
	else
		n = snprintf(term, sizeof(term), "  --%s", d->name);
	if (d->arg)
		n += snprintf(term + n, sizeof(term) - (size_t)n, " %s", d->arg);
	fputs(term, out);
	if (n >= HELP_COLUMN - 1) {
		fputc('\n', out);
		n = 0;
	}
	wrap(out, d->text, n, HELP_COLUMN);
}

void omni_cli_usage(FILE *out, const char *prog)
{
	const struct omni_cli_doc *d;
	const struct omni_doc_item *e;

	fprintf(out, "Usage: %s [EAL options --] [options]\n\n%s\n", prog, summary);
	for (d = omni_cli_docs; d->heading || d->name; d++) {
		if (d->heading)
			fprintf(out, "\n%s:\n", d->heading);
		else
			usage_option(out, d);
	}
	fprintf(out, "\nDPDK EAL options (edge only) go before a \"--\", as in any DPDK program.\n"
		     "Signals, files and environment: man 8 omninervous.\n\nExit status:\n");
	for (e = omni_exit_docs; e->text; e++) {
		fprintf(out, "  %s", e->term);
		wrap(out, e->text, 2 + (int)strlen(e->term), 6);
	}
}

/* ---- omninervous(8) -------------------------------------------------------- */

/* TEXT as roff text: hyphens as \-, backslashes as \e, and no line that
 * starts with a control character. */
static void roff(FILE *out, const char *text)
{
	if (*text == '.' || *text == '\'')
		fputs("\\&", out);
	for (; *text; text++) {
		if (*text == '-')
			fputs("\\-", out);
		else if (*text == '\\')
			fputs("\\e", out);
		else
			fputc(*text, out);
	}
}

static void man_line(FILE *out, const char *text)
{
	roff(out, text);
	fputc('\n', out);
}

static void man_items(FILE *out, const char *section, const struct omni_doc_item *items)
{
	fprintf(out, ".SH %s\n", section);
	for (; items->text; items++) {
		fputs(".TP\n.B ", out);
		man_line(out, items->term);
		man_line(out, items->text);
	}
}

static void man_option(FILE *out, const struct omni_cli_doc *d)
{
	fputs(".TP\n", out);
	if (d->short_name)
		fprintf(out, "\\fB\\-%c\\fR, ", d->short_name);
	fputs("\\fB\\-\\-", out);
	roff(out, d->name);
	fputs("\\fR", out);
	if (d->arg) {
		fputs(" \\fI", out);
		roff(out, d->arg);
		fputs("\\fR", out);
	}
	fputc('\n', out);
	man_line(out, d->text);
}

void omni_cli_man(FILE *out, const char *version)
{
	const struct omni_cli_doc *d;
	const char *const *p;

	fputs(".\\\" SPDX-License-Identifier: MIT\n"
	      ".\\\" Generated from app/cli_doc.c by app/mangen.c: edit those, not this.\n",
	      out);
	fprintf(out, ".TH OMNINERVOUS 8 \"\" \"omninervous %s\" \"System Administration\"\n",
		version);
	fputs(".SH NAME\nomninervous \\- WireGuard\\-compatible mesh VPN gateway with a DPDK "
	      "data plane\n.SH SYNOPSIS\n.B omninervous\n"
	      "[\\fIEAL options\\fR \\fB\\-\\-\\fR] [\\fIoptions\\fR]\n.SH DESCRIPTION\n",
	      out);
	for (p = description; *p; p++) {
		if (p != description)
			fputs(".PP\n", out);
		man_line(out, *p);
	}
	fputs(".SH OPTIONS\n", out);
	for (d = omni_cli_docs; d->heading || d->name; d++) {
		if (d->heading)
			fprintf(out, ".SS %s\n", d->heading);
		else
			man_option(out, d);
	}
	man_items(out, "SIGNALS", omni_signal_docs);
	man_items(out, "FILES", omni_file_docs);
	man_items(out, "ENVIRONMENT", omni_env_docs);
	man_items(out, "EXIT STATUS", omni_exit_docs);
	fputs(".SH SEE ALSO\n.BR wg (8),\n.BR wg\\-quick (8),\n.BR systemctl (1)\n", out);
}
