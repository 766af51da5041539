/* SPDX-License-Identifier: MIT */
/* The no-answer warning's schedule: see silence.h. */
#include <string.h>

#include "silence.h"

void sig_silence_init(struct sig_silence *s)
{
	memset(s, 0, sizeof(*s));
}

void sig_silence_sent(struct sig_silence *s, uint64_t now_ms)
{
	if (s->waiting)
		return;
	s->waiting = true;
	s->since = now_ms;
	s->next_warn = now_ms + SIG_SILENCE_FIRST_MS;
}

bool sig_silence_heard(struct sig_silence *s)
{
	bool warned = s->warnings > 0;

	s->waiting = false;
	s->warnings = 0;
	return warned;
}

bool sig_silence_due(struct sig_silence *s, uint64_t now_ms)
{
	if (!s->waiting || now_ms < s->next_warn)
		return false;
	/* From now, not from the due time: a loop that stalled warns once. */
	s->next_warn = now_ms + SIG_SILENCE_REPEAT_MS;
	s->warnings++;
	return true;
}

uint64_t sig_silence_for(const struct sig_silence *s, uint64_t now_ms)
{
	return s->waiting && now_ms > s->since ? now_ms - s->since : 0;
}
