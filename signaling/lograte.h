/* SPDX-License-Identifier: MIT */
/*
 * How often the nucleus may log a refusal: one line per source address per
 * interval, and at most a budget of lines per interval from all sources, so
 * that a flood (or many sources) does not flood the log. What is not
 * logged is counted. Pure: addresses and a clock in, a yes or no out.
 *
 *   sig_lograte_init(&r);
 *   a refusal from src:  if (sig_lograte_allow(&r, &src, now_ms, &quiet)) log it
 *                        (quiet: refusals from src not logged since its last line)
 *
 * Sources share SIG_LOGRATE_SLOTS slots by a keyed hash of the address; a
 * collision forgets the older source (which then may log again early):
 * the global budget still holds.
 */
#ifndef OMNI_SIGNALING_LOGRATE_H
#define OMNI_SIGNALING_LOGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"

enum {
	SIG_LOGRATE_SLOTS = 256,
	SIG_LOGRATE_INTERVAL_MS = 60 * 1000,
	SIG_LOGRATE_BUDGET = 20, /* lines per interval, all sources */
};

struct sig_lograte_slot {
	struct net_addr src;
	uint64_t last;  /* when its last line was logged */
	uint64_t quiet; /* refusals not logged since */
};

struct sig_lograte {
	struct sig_lograte_slot slot[SIG_LOGRATE_SLOTS];
	uint8_t hash_key[16];
	uint64_t window;     /* start of the budget's interval */
	unsigned lines;      /* logged in it */
	uint64_t suppressed; /* refusals not logged, in all */
};

void sig_lograte_init(struct sig_lograte *r);
bool sig_lograte_allow(struct sig_lograte *r, const struct net_addr *src, uint64_t now_ms,
		       uint64_t *quiet);

#endif /* OMNI_SIGNALING_LOGRATE_H */
