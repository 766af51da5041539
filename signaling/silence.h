/* SPDX-License-Identifier: MIT */
/*
 * When an edge says that its nucleus does not answer: a pure rule on a
 * clock. A nucleus that is unreachable (wrong address or port), that does
 * not serve our cluster, or that does not share our secret answers nothing
 * at all: refusals are silent by design (docs/signaling.md), so the edge
 * itself must notice and say so.
 *
 *   sig_silence_init(&s);
 *   a request went to the nucleus:   sig_silence_sent(&s, now_ms);
 *   the nucleus answered:            if (sig_silence_heard(&s)) log "answers now";
 *   every pass:                      if (sig_silence_due(&s, now_ms)) log the warning;
 *
 * The warning is due SIG_SILENCE_FIRST_MS after the oldest request not
 * answered, then every SIG_SILENCE_REPEAT_MS while no answer comes. The
 * clock is any monotonic milliseconds.
 */
#ifndef OMNI_SIGNALING_SILENCE_H
#define OMNI_SIGNALING_SILENCE_H

#include <stdbool.h>
#include <stdint.h>

enum {
	/* 8 s: with the edge's start-up, the warning comes within 10 s of it */
	SIG_SILENCE_FIRST_MS = 8 * 1000,
	SIG_SILENCE_REPEAT_MS = 60 * 1000,
};

struct sig_silence {
	bool waiting;       /* a request is not answered yet */
	uint64_t since;     /* when the oldest of them went */
	uint64_t next_warn; /* when the next warning is due */
	unsigned warnings;  /* given since the last answer */
};

void sig_silence_init(struct sig_silence *s);
/* A request went out now (the first of a silence starts the clock). */
void sig_silence_sent(struct sig_silence *s, uint64_t now_ms);
/* An answer came: true when a warning had been given (say it answers now). */
bool sig_silence_heard(struct sig_silence *s);
/* True once when a warning is due; then the next is a minute later. */
bool sig_silence_due(struct sig_silence *s, uint64_t now_ms);
/* How long the nucleus has been silent (ms), 0 when not waiting. */
uint64_t sig_silence_for(const struct sig_silence *s, uint64_t now_ms);

#endif /* OMNI_SIGNALING_SILENCE_H */
