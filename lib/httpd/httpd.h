/* SPDX-License-Identifier: MIT */
/*
 * The read-only HTTP endpoint of the edge and the nucleus (/metrics,
 * /health), over libmicrohttpd. The server runs its own thread; the handler
 * is called on that thread, one request at a time, and must not touch state
 * the data plane owns except through a snapshot or the edge's mailbox.
 * Only GET and HEAD are answered; anything else gets 405.
 */
#ifndef OMNI_HTTPD_H
#define OMNI_HTTPD_H

#include <stddef.h>

#include "text.h"

struct httpd;

/*
 * Fill body for path ("/metrics", "/health", ...), set *content_type (a
 * static string; default "text/plain; charset=utf-8") and return the HTTP
 * status (404 for a path it does not serve).
 */
typedef int (*httpd_handler)(void *ctx, const char *path, struct httpd_text *body,
			     const char **content_type);

/*
 * Listen on "ADDR:PORT" ("127.0.0.1:9586", "[::1]:9586", "0.0.0.0:9586").
 * NULL with a reason in err (the address, and what failed) on failure.
 */
struct httpd *httpd_start(const char *listen, httpd_handler handler, void *ctx, char *err,
			  size_t errlen);
void httpd_stop(struct httpd *h);

/*
 * A server with no listening socket and no thread, for the fuzz target:
 * the caller hands it connected sockets (httpd_add_socket: 0, or -1 and
 * the socket is closed) and runs it (httpd_run_once: whatever can be read,
 * answered and written now, without waiting). Same answers and limits as
 * httpd_start's. NULL on failure; httpd_stop ends it and closes the
 * sockets it holds.
 */
struct httpd *httpd_start_unbound(httpd_handler handler, void *ctx);
int httpd_add_socket(struct httpd *h, int fd);
void httpd_run_once(struct httpd *h);

/* Content type of the Prometheus text exposition format 0.0.4. */
#define HTTPD_PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"

#endif /* OMNI_HTTPD_H */
