/* SPDX-License-Identifier: MIT */
/*
 * The console (console.h), testpmd's way: each command is a result
 * struct, one token initializer per word and a _parsed callback. The
 * callbacks run on the console thread; what needs the control lcore's
 * state is a mailbox call, and its text comes back to be printed here.
 *
 * cmdline's callbacks take no context of ours, so the one console of the
 * process is reached through a file-static pointer, set while it runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_socket.h>
#include <rte_log.h>

#include "config/console_args.h"
#include "config/value.h"
#include "console.h"
#include "edge_l2.h"
#include "edge_peers.h"
#include "edge_snapshot.h"

#define PROMPT "omni> "
enum { POLL_MS = 100, READ_CHUNK = 256 };

struct omni_console {
	struct omni_edge *edge;
	char *cmdfile;
	bool interactive;
	bool quit; /* atomic: the thread ends */
	pthread_t thread;
	struct omni_console_base base;
};

static struct omni_console *self;

static void print_text(struct cmdline *cl, struct httpd_text *t)
{
	if (!httpd_text_ok(t))
		cmdline_printf(cl, "(out of memory)\n");
	else if (t->len)
		cmdline_printf(cl, "%s", t->buf);
	httpd_text_free(t);
}

/* Run fn on the control loop and print what it says. */
static void call_and_print(struct cmdline *cl, mailbox_fn fn, void *arg)
{
	struct httpd_text t = HTTPD_TEXT_INIT;
	int ret = mailbox_call(&self->edge->mbox, fn, arg, &t, MAILBOX_TIMEOUT_MS);

	if (ret == -ETIMEDOUT || ret == -ESHUTDOWN)
		httpd_text_printf(&t, "the control lcore did not answer (%s)\n", strerror(-ret));
	print_text(cl, &t);
}

/* ---- show config|peers|sessions|lcores|nucleus ---- */
struct cmd_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
};

static void cmd_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_result *r = parsed;
	struct httpd_text t = HTTPD_TEXT_INIT;
	struct omni_edge_snap s;
	int ret;

	(void)data;
	if (strcmp(r->what, "config") == 0)
		return call_and_print(cl, omni_show_config, self->edge);
	if (strcmp(r->what, "fdb") == 0)
		return call_and_print(cl, omni_edge_show_fdb, self->edge);
	if (strcmp(r->what, "lcores") == 0) {
		omni_show_lcores(self->edge, &self->base, &t);
		return print_text(cl, &t);
	}
	ret = omni_edge_snapshot(self->edge, &s, strcmp(r->what, "nucleus") != 0);
	if (ret != 0)
		httpd_text_printf(&t, "the control lcore did not answer (%s)\n", strerror(-ret));
	else if (strcmp(r->what, "peers") == 0)
		omni_show_peers(&s, &t);
	else if (strcmp(r->what, "sessions") == 0)
		omni_show_sessions(&s, &t);
	else
		httpd_text_printf(&t, "%s\n", s.nucleus_text);
	omni_edge_snap_free(&s);
	print_text(cl, &t);
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, show, "show");
static cmdline_parse_token_string_t cmd_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what,
				 "config#peers#sessions#lcores#nucleus#fdb");
static cmdline_parse_inst_t cmd_show = {
	.f = cmd_show_parsed,
	.help_str = "show config|peers|sessions|lcores|nucleus|fdb: the running configuration; "
		    "peers like `wg show`; sessions; per-lcore counters; the nucleus; the L2 FDB",
	.tokens = { (void *)&cmd_show_show, (void *)&cmd_show_what, NULL },
};

/* ---- show port stats ---- */
struct cmd_port_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t stats;
};

static void cmd_port_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct httpd_text t = HTTPD_TEXT_INIT;

	(void)parsed;
	(void)data;
	omni_show_ports(self->edge, &self->base, &t);
	print_text(cl, &t);
}

static cmdline_parse_token_string_t cmd_port_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, show, "show");
static cmdline_parse_token_string_t cmd_port_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, port, "port");
static cmdline_parse_token_string_t cmd_port_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, stats, "stats");
static cmdline_parse_inst_t cmd_port = {
	.f = cmd_port_parsed,
	.help_str = "show port stats: packets, bytes, errors and misses of each port, "
		    "and drops by reason",
	.tokens = { (void *)&cmd_port_show, (void *)&cmd_port_port, (void *)&cmd_port_stats, NULL },
};

/* ---- peer add KEY [options] / peer del KEY ---- */
struct cmd_peer_result {
	cmdline_fixed_string_t peer;
	cmdline_fixed_string_t verb;
	cmdline_fixed_string_t key;
	cmdline_multi_string_t opts;
};

struct peer_call {
	struct omni_edge *e;
	struct cfg_peer p;
	bool del;
};

/* Control loop. */
static int peer_change(void *arg, struct httpd_text *out)
{
	struct peer_call *c = arg;
	char err[CFG_CONFIG_ERR_MAX] = "";
	int ret = c->del ? omni_edge_peer_del(c->e, c->p.public_key, err, sizeof(err)) :
			   omni_edge_peer_add(c->e, &c->p, err, sizeof(err));

	if (ret != 0)
		httpd_text_printf(out, "refused: %s\n", err[0] ? err : strerror(-ret));
	else
		httpd_text_printf(out, "peer %s\n", c->del ? "removed" : err[0] ? err : "added");
	return ret;
}

static void cmd_peer_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_peer_result *r = parsed;
	struct peer_call c = { .e = self->edge, .del = strcmp(r->verb, "del") == 0 };
	char err[CFG_CONFIG_ERR_MAX];
	int ret;

	if (c.del && data) {
		cmdline_printf(cl, "peer del takes only the public key\n");
		return;
	}
	ret = c.del ? cfg_console_parse_key(r->key, c.p.public_key, err, sizeof(err)) :
		      cfg_console_parse_peer(r->key, data ? r->opts : NULL, 0, &c.p, err,
					     sizeof(err));
	if (ret != 0) {
		cmdline_printf(cl, "peer %s: %s\n", r->verb, err);
		return;
	}
	call_and_print(cl, peer_change, &c);
	cfg_console_peer_clear(&c.p);
}

static cmdline_parse_token_string_t cmd_peer_peer =
	TOKEN_STRING_INITIALIZER(struct cmd_peer_result, peer, "peer");
static cmdline_parse_token_string_t cmd_peer_verb =
	TOKEN_STRING_INITIALIZER(struct cmd_peer_result, verb, "add#del");
static cmdline_parse_token_string_t cmd_peer_key =
	TOKEN_STRING_INITIALIZER(struct cmd_peer_result, key, NULL);
static cmdline_parse_token_string_t cmd_peer_opts =
	TOKEN_STRING_INITIALIZER(struct cmd_peer_result, opts, TOKEN_STRING_MULTI);
static cmdline_parse_inst_t cmd_peer = {
	.f = cmd_peer_parsed,
	.help_str = "peer add|del <public-key>: add (or change) a peer, or remove one",
	.tokens = { (void *)&cmd_peer_peer, (void *)&cmd_peer_verb, (void *)&cmd_peer_key, NULL },
};
static cmdline_parse_inst_t cmd_peer_opt = {
	.f = cmd_peer_parsed,
	.data = (void *)1, /* the options token is there */
	.help_str = "peer add <public-key> [endpoint HOST:PORT] [allowed-ips PFX,...] "
		    "[keepalive SECONDS]",
	.tokens = { (void *)&cmd_peer_peer, (void *)&cmd_peer_verb, (void *)&cmd_peer_key,
		    (void *)&cmd_peer_opts, NULL },
};

/* ---- set log-level LEVEL ---- */
struct cmd_log_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t level;
};

struct log_call {
	struct omni_edge *e;
	enum cfg_log_level level;
};

/* Control loop: the config is the control lcore's. */
static int set_log_level(void *arg, struct httpd_text *out)
{
	static const uint32_t rte[] = { RTE_LOG_ERR, RTE_LOG_WARNING, RTE_LOG_INFO, RTE_LOG_DEBUG };
	struct log_call *c = arg;

	c->e->cfg.log_level = c->level;
	rte_log_set_global_level(rte[c->level]);
	httpd_text_printf(out, "log level: %s\n", cfg_log_level_name(c->level));
	return 0;
}

static void cmd_log_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_log_result *r = parsed;
	struct log_call c = { .e = self->edge };

	(void)data;
	if (cfg_log_level_from_name(r->level, &c.level) != 0) {
		cmdline_printf(cl, "log level \"%s\": not error, warn, info or debug\n", r->level);
		return;
	}
	call_and_print(cl, set_log_level, &c);
}

static cmdline_parse_token_string_t cmd_log_set =
	TOKEN_STRING_INITIALIZER(struct cmd_log_result, set, "set");
static cmdline_parse_token_string_t cmd_log_what =
	TOKEN_STRING_INITIALIZER(struct cmd_log_result, what, "log-level");
static cmdline_parse_token_string_t cmd_log_level =
	TOKEN_STRING_INITIALIZER(struct cmd_log_result, level, "error#warn#info#debug");
static cmdline_parse_inst_t cmd_log = {
	.f = cmd_log_parsed,
	.help_str = "set log-level error|warn|info|debug",
	.tokens = { (void *)&cmd_log_set, (void *)&cmd_log_what, (void *)&cmd_log_level, NULL },
};

/* ---- one-word commands: clear stats, reload, quit, help ---- */
struct cmd_word_result {
	cmdline_fixed_string_t word;
	cmdline_fixed_string_t arg;
};

static int reload(void *arg, struct httpd_text *out)
{
	char err[CFG_CONFIG_ERR_MAX] = "";
	int ret = omni_edge_reload(arg, err, sizeof(err));

	if (ret != 0)
		httpd_text_printf(out, "reload refused: %s\n", err[0] ? err : strerror(-ret));
	else
		httpd_text_printf(out, "reloaded: %s\n", err);
	return ret;
}

static cmdline_parse_ctx_t commands[];

static void cmd_help(struct cmdline *cl)
{
	unsigned i;

	cmdline_printf(cl, "commands (TAB completes, ? lists what fits):\n");
	for (i = 0; commands[i]; i++)
		cmdline_printf(cl, "  %s\n", commands[i]->help_str);
}

static void cmd_word_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_word_result *r = parsed;

	(void)data;
	if (strcmp(r->word, "clear") == 0 && strcmp(r->arg, "fdb") == 0) {
		call_and_print(cl, omni_edge_clear_fdb, self->edge);
	} else if (strcmp(r->word, "clear") == 0) {
		omni_console_base_take(self->edge, &self->base);
		cmdline_printf(cl, "console counters cleared (Prometheus counters keep "
				   "counting)\n");
	} else if (strcmp(r->word, "reload") == 0) {
		call_and_print(cl, reload, self->edge);
	} else if (strcmp(r->word, "quit") == 0) {
		cmdline_printf(cl, "stopping the edge\n");
		__atomic_store_n(&self->quit, true, __ATOMIC_RELEASE);
		omni_edge_request_stop();
		cmdline_quit(cl);
	} else {
		cmd_help(cl);
	}
}

#define WORD_CMD(name, text, help)                                            \
	static cmdline_parse_token_string_t name##_word =                     \
		TOKEN_STRING_INITIALIZER(struct cmd_word_result, word, text); \
	static cmdline_parse_inst_t name = { .f = cmd_word_parsed,            \
					     .help_str = help,                \
					     .tokens = { (void *)&name##_word, NULL } }

WORD_CMD(cmd_reload, "reload",
	 "reload: re-read the configuration file and apply the peers "
	 "that changed");
WORD_CMD(cmd_quit, "quit", "quit: stop the edge cleanly");
WORD_CMD(cmd_helpw, "help", "help: this list");

static cmdline_parse_token_string_t cmd_clear_word =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, word, "clear");
static cmdline_parse_token_string_t cmd_clear_arg =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, arg, "stats#fdb");
static cmdline_parse_inst_t cmd_clear = {
	.f = cmd_word_parsed,
	.help_str = "clear stats|fdb: count the console's port and lcore figures from zero; "
		    "forget every learned MAC (L2 mode)",
	.tokens = { (void *)&cmd_clear_word, (void *)&cmd_clear_arg, NULL },
};

static cmdline_parse_ctx_t commands[] = {
	&cmd_show,  &cmd_port,   &cmd_peer, &cmd_peer_opt, &cmd_log,
	&cmd_clear, &cmd_reload, &cmd_quit, &cmd_helpw,    NULL,
};

/* cmdline_file_new throws output away (s_out -1): ours goes to stdout,
 * each command echoed after the prompt, a transcript. */
static void run_file(struct omni_console *c)
{
	int fd = open(c->cmdfile, O_RDONLY | O_CLOEXEC);
	struct cmdline *cl = fd < 0 ? NULL : cmdline_new(commands, PROMPT, fd, STDOUT_FILENO);

	if (!cl) {
		fprintf(stderr, "omninervous: --cmdfile %s: %s\n", c->cmdfile,
			fd < 0 ? strerror(errno) : "cannot start the console");
		if (fd >= 0)
			close(fd);
		return;
	}
	cmdline_interact(cl);
	cmdline_free(cl); /* closes fd */
	printf("\nRead CLI commands from %s\n", c->cmdfile);
	fflush(stdout);
}

/* The prompt on stdin: our poll (so stop is noticed), cmdline's editing. */
static void run_stdin(struct omni_console *c)
{
	struct cmdline *cl = cmdline_stdin_new(commands, PROMPT);
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[READ_CHUNK];
	ssize_t n;

	if (!cl)
		return;
	while (!__atomic_load_n(&c->quit, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, POLL_MS) <= 0)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0) {
			printf("\nconsole closed (end of input); the edge runs on\n");
			break;
		}
		if (cmdline_in(cl, buf, (int)n) < 0)
			break;
	}
	cmdline_stdin_exit(cl); /* restores the terminal, frees cl */
}

static void *console_main(void *arg)
{
	struct omni_console *c = arg;

	if (c->cmdfile)
		run_file(c);
	if (c->interactive && !__atomic_load_n(&c->quit, __ATOMIC_ACQUIRE))
		run_stdin(c);
	return NULL;
}

int omni_console_start(struct omni_console **out, struct omni_edge *e, const char *cmdfile,
		       bool interactive)
{
	unsigned n = e->n_workers ? e->n_workers : 1;
	struct omni_console *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c || self)
		goto fail;
	c->edge = e;
	c->interactive = interactive;
	c->base.workers = calloc(n, sizeof(*c->base.workers));
	c->cmdfile = cmdfile ? strdup(cmdfile) : NULL;
	if (!c->base.workers || (cmdfile && !c->cmdfile))
		goto fail;
	self = c;
	if (pthread_create(&c->thread, NULL, console_main, c) != 0) {
		self = NULL;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	if (c) {
		free(c->base.workers);
		free(c->cmdfile);
	}
	free(c);
	return -1;
}

void omni_console_stop(struct omni_console *c)
{
	if (!c)
		return;
	__atomic_store_n(&c->quit, true, __ATOMIC_RELEASE);
	pthread_join(c->thread, NULL);
	self = NULL;
	free(c->base.workers);
	free(c->cmdfile);
	free(c);
}
