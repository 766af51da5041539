/* SPDX-License-Identifier: MIT */
/* flood ask: how many of a real member's REGISTERs a nucleus answers. */
#ifndef OMNI_TOOLS_FLOOD_ASK_H
#define OMNI_TOOLS_FLOOD_ASK_H

#include <stdbool.h>

/*
 * count REGISTERs (fresh keys; member first + i gets VIP 10.200.200-249.x)
 * to `to` from one UDP
 * socket, one at a time, each waiting up to interval_ms for its
 * REGISTER_ACK; prints "answered A of N". 0, or 1 if the socket failed.
 */
int flood_ask(const char *to, const char *cluster, const char *secret, unsigned first,
	      unsigned count, unsigned interval_ms, bool encrypt);

#endif /* OMNI_TOOLS_FLOOD_ASK_H */
