/* SPDX-License-Identifier: MIT */
/*
 * The no-answer warning's schedule on a fake clock: a numbered table of
 * steps (a request sent, an answer heard, the clock read) and what each
 * must give: the first warning exactly 8 s after the oldest unanswered
 * request, then every minute, never before; an answer ends it and says
 * whether a warning had been given; the next silence starts afresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "signaling/silence.h"

enum op { SENT, HEARD, DUE };

struct step {
	enum op op;
	uint64_t at;
	bool want;       /* DUE: a warning now; HEARD: one had been given */
	uint64_t silent; /* DUE: sig_silence_for then */
};

static const struct step steps[] = {
	/* 0 */ { DUE, 0, false, 0 }, /* nothing sent: nothing to say */
	{ SENT, 1000, false, 0 },
	{ SENT, 3000, false, 0 }, /* a retry: the clock keeps the first */
	{ DUE, 8999, false, 7999 },
	{ DUE, 9000, true, 8000 },          /* 8 s after the first request */
	/* 5 */ { DUE, 9001, false, 8001 }, /* once */
	{ DUE, 68999, false, 67999 },
	{ DUE, 69000, true, 68000 },         /* then every minute */
	{ DUE, 200000, true, 199000 },       /* a stalled loop: one, not two */
	{ DUE, 259999, false, 258999 },      /* a minute from when it was said */
	/* 10 */ { HEARD, 260000, true, 0 }, /* it answers: say so */
	{ DUE, 400000, false, 0 },
	{ SENT, 500000, false, 0 }, /* a new silence starts afresh */
	{ DUE, 507999, false, 7999 },
	{ HEARD, 507999, false, 0 }, /* answered in time: nothing said */
	/* 15 */ { DUE, 600000, false, 0 },
	{ SENT, 700000, false, 0 },
	{ DUE, 708000, true, 8000 },
};

static void test_table(void **state)
{
	struct sig_silence s;

	(void)state;
	sig_silence_init(&s);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step *st = &steps[i];
		bool got = false;

		switch (st->op) {
		case SENT:
			sig_silence_sent(&s, st->at);
			continue;
		case HEARD:
			got = sig_silence_heard(&s);
			break;
		case DUE:
			if (sig_silence_for(&s, st->at) != st->silent)
				fail_msg("step %zu: silent for %llu, want %llu", i,
					 (unsigned long long)sig_silence_for(&s, st->at),
					 (unsigned long long)st->silent);
			got = sig_silence_due(&s, st->at);
			break;
		}
		if (got != st->want)
			fail_msg("step %zu: got %d, want %d", i, got, st->want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_table) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
