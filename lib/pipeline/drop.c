/* SPDX-License-Identifier: MIT */
#include "drop.h"

static const char *const drop_names[] = {
#define OMNI_DROP_NAME(name, text) text,
	OMNI_DROPS(OMNI_DROP_NAME)
#undef OMNI_DROP_NAME
};

const char *omni_drop_name(enum omni_drop d)
{
	return (unsigned)d < OMNI_DROP_COUNT ? drop_names[d] : "unknown";
}
