/* SPDX-License-Identifier: MIT */
#include "result.h"

static const char *const result_names[] = {
#define WG_RESULT_NAME(name, text) #name,
	WG_RESULTS(WG_RESULT_NAME)
#undef WG_RESULT_NAME
};

static const char *const result_texts[] = {
#define WG_RESULT_TEXT(name, text) text,
	WG_RESULTS(WG_RESULT_TEXT)
#undef WG_RESULT_TEXT
};

const char *wg_result_name(enum wg_result r)
{
	return (unsigned)r < WG_RESULT_COUNT ? result_names[r] : "UNKNOWN";
}

const char *wg_result_text(enum wg_result r)
{
	return (unsigned)r < WG_RESULT_COUNT ? result_texts[r] : "unknown result";
}
