/* SPDX-License-Identifier: MIT */
/* Start and stop what operates a running edge (ops.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "console.h"
#include "edge.h"
#include "edge_uapi.h"
#include "httpd/httpd.h"
#include "ops.h"

static int http_handler(void *ctx, const char *path, struct httpd_text *body,
			const char **content_type)
{
	struct omni_edge *e = ctx;

	if (strcmp(path, "/metrics") == 0) {
		int status = omni_metrics_format(e, body);

		if (status == 200)
			*content_type = HTTPD_PROMETHEUS;
		return status;
	}
	if (strcmp(path, "/health") == 0)
		return omni_health_check(e, body);
	if (strcmp(path, "/") == 0) {
		httpd_text_printf(body, "omninervous: /metrics (Prometheus), /health\n");
		return 200;
	}
	httpd_text_printf(body, "not found: try /metrics or /health\n");
	return 404;
}

/*
 * --metrics beats the config's "metrics" key, which defaults to
 * 127.0.0.1:9586. An address the user named must work; the default one
 * only warns when taken (another gateway on the same host), so a second
 * edge still starts.
 */
static int start_metrics(struct omni_edge *e, const struct omni_cli *cli, struct omni_ops *o)
{
	const char *listen = e->cfg.metrics.listen; /* --metrics already in it */
	bool named = cli->metrics || strcmp(listen, CFG_DEFAULT_METRICS_LISTEN) != 0;
	char err[256];

	if (!listen[0] || strcmp(listen, "off") == 0)
		return 0;
	o->httpd = httpd_start(listen, http_handler, e, err, sizeof(err));
	if (!o->httpd) {
		fprintf(stderr, "%s: %s%s\n", cli->prog, err,
			named ? "" : "; metrics off (--metrics ADDR:PORT to choose another)");
		return named ? -1 : 0;
	}
	snprintf(o->metrics_listen, sizeof(o->metrics_listen), "%s", listen);
	printf("%s: metrics on http://%s/metrics, health on /health\n", cli->prog, listen);
	fflush(stdout);
	return 0;
}

int omni_ops_start(struct omni_edge *e, const struct omni_cli *cli)
{
	struct omni_ops *o = calloc(1, sizeof(*o));

	if (!o) {
		fprintf(stderr, "%s: out of memory\n", cli->prog);
		return -1;
	}
	e->ops = o;
	if (start_metrics(e, cli, o) != 0 || omni_uapi_open(&o->uapi, e, cli->prog) != 0)
		return -1;
	if (omni_telemetry_bind(e) != 0)
		fprintf(stderr, "%s: warning: DPDK telemetry commands not registered\n", cli->prog);
	if ((cli->interactive || cli->cmdfile) &&
	    omni_console_start(&o->console, e, cli->cmdfile, cli->interactive) != 0) {
		fprintf(stderr, "%s: cannot start the console\n", cli->prog);
		return -1;
	}
	return 0;
}

void omni_ops_stop(struct omni_edge *e)
{
	struct omni_ops *o = e->ops;

	if (!o)
		return;
	omni_console_stop(o->console);
	omni_uapi_close(o->uapi);
	httpd_stop(o->httpd);
	omni_telemetry_unbind();
	free(o);
	e->ops = NULL;
}
