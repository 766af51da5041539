/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "httpd.h"
#include "net/addr.h"

struct httpd {
	struct MHD_Daemon *daemon;
	httpd_handler handler;
	void *ctx;
};

/* "ADDR:PORT" or "[ADDR6]:PORT" (net/addr.h's rules) as a socket address. */
static int parse_listen(const char *text, struct sockaddr_storage *ss)
{
	struct net_endpoint ep;

	if (net_endpoint_parse(text, 0, &ep) < 0)
		return -1;
	return net_endpoint_to_sockaddr(&ep, net_family_to_af(ep.addr.family), ss) ? 0 : -1;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	struct httpd *h = cls;
	struct httpd_text body = HTTPD_TEXT_INIT;
	const char *type = "text/plain; charset=utf-8";
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned status;
	size_t len;
	char *buf;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		httpd_text_printf(&body, "method not allowed\n");
	} else {
		status = (unsigned)h->handler(h->ctx, url, &body, &type);
	}
	if (!httpd_text_ok(&body)) {
		httpd_text_reset(&body);
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		type = "text/plain; charset=utf-8";
	}
	buf = httpd_text_take(&body, &len);
	if (!buf)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The one set of daemon options, listening or not. */
static struct MHD_Daemon *daemon_start(struct httpd *h, unsigned flags,
				       const struct sockaddr_storage *ss)
{
	if (!ss)
		return MHD_start_daemon(flags, 0, NULL, NULL, answer, h,
					MHD_OPTION_CONNECTION_LIMIT, 16u,
					MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	return MHD_start_daemon(flags, 0, NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR,
				(const struct sockaddr *)ss, MHD_OPTION_CONNECTION_LIMIT, 16u,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
}

struct httpd *httpd_start(const char *listen, httpd_handler handler, void *ctx, char *err,
			  size_t errlen)
{
	struct sockaddr_storage ss;
	struct httpd *h;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (parse_listen(listen, &ss) != 0) {
		snprintf(err, errlen,
			 "metrics address \"%s\": not ADDR:PORT (e.g. 127.0.0.1:9586 "
			 "or [::1]:9586)",
			 listen);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->handler = handler;
	h->ctx = ctx;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->daemon = daemon_start(h, flags, &ss);
	if (!h->daemon) {
		snprintf(err, errlen, "cannot listen on %s (address in use, or not local?)",
			 listen);
		free(h);
		return NULL;
	}
	return h;
}

struct httpd *httpd_start_unbound(httpd_handler handler, void *ctx)
{
	struct httpd *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->handler = handler;
	h->ctx = ctx;
	h->daemon = daemon_start(h, MHD_USE_NO_LISTEN_SOCKET, NULL);
	if (!h->daemon) {
		free(h);
		return NULL;
	}
	return h;
}

int httpd_add_socket(struct httpd *h, int fd)
{
	/* Only logged by the library; any local address will do. */
	struct sockaddr_in sa = { .sin_family = AF_INET };

	return MHD_add_connection(h->daemon, fd, (const struct sockaddr *)&sa, sizeof(sa)) ==
			       MHD_YES ?
		       0 :
		       -1;
}

void httpd_run_once(struct httpd *h)
{
	MHD_run(h->daemon);
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	free(h);
}
