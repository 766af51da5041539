// SPDX-License-Identifier: MIT
/* Placeholder until live peer changes land: every change is refused. */
#include <errno.h>
#include <stdio.h>

#include "edge.h"
#include "edge_peers.h"

static int not_yet(char *err, size_t errlen)
{
	snprintf(err, errlen, "live peer changes are not available in this build yet");
	return -ENOSYS;
}

int omni_edge_peer_add(struct omni_edge *e, const struct omni_peer *p, char *err, size_t errlen)
{
	(void)e;
	(void)p;
	return not_yet(err, errlen);
}

int omni_edge_peer_del(struct omni_edge *e, const uint8_t pub[WG_KEY_LEN], char *err,
		       size_t errlen)
{
	(void)e;
	(void)pub;
	return not_yet(err, errlen);
}

int omni_edge_reload(struct omni_edge *e, char *err, size_t errlen)
{
	(void)e;
	return not_yet(err, errlen);
}
