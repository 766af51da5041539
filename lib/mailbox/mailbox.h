/* SPDX-License-Identifier: MIT */
/*
 * A mailbox into the control loop. Threads that are not lcores (the
 * console, the HTTP server, DPDK telemetry) must not touch what the control
 * lcore owns (peers, sessions, the config); instead they post a function,
 * and the control loop runs it between two of its iterations:
 *
 *   console/HTTP thread                 control loop (main lcore)
 *   mailbox_call(fn, arg, out) --> mailbox_serve(): fn(arg, out)
 *        waits (timeout) <-------------- done
 *
 * One request is in the box at a time: posters queue on a mutex among
 * themselves (never the data plane). Serving an empty box is one atomic
 * load. The control loop's idle back-off sleeps at most DP_IDLE_DEEP_NS,
 * so a request waits about a millisecond at worst when the gateway is idle.
 *
 * A poster that times out withdraws its request unless the control loop
 * already started it; then it waits for the end, so fn never sees a
 * request whose poster has gone.
 */
#ifndef OMNI_MAILBOX_H
#define OMNI_MAILBOX_H

#include <pthread.h>
#include <stdbool.h>

#include "httpd/text.h"

enum { MAILBOX_TIMEOUT_MS = 2000 };

/* Runs on the control loop. Returns 0 or a negative errno; writes what it
 * has to say (a table, or why it refused) to out. */
typedef int (*mailbox_fn)(void *arg, struct httpd_text *out);

struct mailbox_req;

struct mailbox {
	struct mailbox_req *pending; /* atomic: posted, not yet taken */
	pthread_mutex_t posters;
	bool closed; /* atomic: nobody serves any more */
};

void mailbox_init(struct mailbox *mb);
void mailbox_fini(struct mailbox *mb);

/*
 * Any thread but the control loop's: run fn(arg, out) on the control loop
 * and return its result; -ETIMEDOUT if it was not started within
 * timeout_ms, -ESHUTDOWN once the box is closed.
 */
int mailbox_call(struct mailbox *mb, mailbox_fn fn, void *arg, struct httpd_text *out,
		 unsigned timeout_ms);

/* Control loop only: run the pending request, if any. Returns 1 if one
 * ran, else 0 (suitable as "work done" for the idle back-off). */
unsigned mailbox_serve(struct mailbox *mb);

/* Control loop, at stop: refuse new requests; one already posted is
 * answered -ESHUTDOWN. */
void mailbox_close(struct mailbox *mb);

#endif /* OMNI_MAILBOX_H */
